/*
 * panic_catcher.h - a hal_panic for unit tests that show a precondition
 * panics (panic_catcher.c): armed, it jumps back into the test with the
 * panicking function's name; unarmed, the panic fails the test.
 */
#ifndef DUET_UNIT_PANIC_CATCHER_H
#define DUET_UNIT_PANIC_CATCHER_H

#include <setjmp.h>
#include <stdbool.h>

#include "unit_check.h"

extern jmp_buf panic_return;
extern bool panic_armed;
extern char panic_function[64];

/* Runs `statement`, which must panic in `function`. */
#define EXPECT_PANIC(statement, function, what)                                            \
    do {                                                                                   \
        panic_function[0] = '\0';                                                          \
        panic_armed = true;                                                                \
        if (setjmp(panic_return) == 0) {                                                   \
            statement;                                                                     \
            panic_armed = false;                                                           \
            UNIT_CHECK(false, "%s: did not panic", what);                                  \
        } else {                                                                           \
            UNIT_CHECK_STR(panic_function, function, what);                                \
        }                                                                                  \
    } while (0)

#endif
