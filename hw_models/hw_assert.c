/*
 * hw_assert.c - the failure path of HW_ASSERT (hw_assert.h).
 *
 * Prints one line naming the model function and the broken condition to
 * stderr and aborts. This is the only host I/O in hw_models/, and it runs
 * only when a model is already wrong. Not here: seeds and replay commands,
 * which the sim adds from its abort handler.
 */
#include "hw_assert.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void hw_assert_fail(const char *function, const char *condition,
                              const char *detail)
{
    fprintf(stderr, "hw_models: %s: assertion failed: %s%s%s\n", function,
            condition, detail ? " -- " : "", detail ? detail : "");
    fflush(stderr);
    abort();
}
