/*
 * panic_catcher.c - the hal_panic of panic_catcher.h.
 */
#include "panic_catcher.h"

#include <stdio.h>
#include <stdlib.h>

#include "hal/world.h"

jmp_buf panic_return;
bool panic_armed;
char panic_function[64];

void hal_panic(const char *function, const char *reason)
{
    if (panic_armed) {
        panic_armed = false;
        snprintf(panic_function, sizeof panic_function, "%s", function);
        longjmp(panic_return, 1);
    }
    fprintf(stderr, "FAIL: hal_panic in %s: %s\n", function, reason);
    exit(1);
}
