/*
 * assert.h - framework assertions, kept on in every build.
 *
 * A failed assertion ends the world through hal_panic, naming the function
 * and the expression; the sim records it as the run's failure and prints
 * the replay command. Assertions must have no side effects.
 */
#ifndef DUET_ASSERT_H
#define DUET_ASSERT_H

#include "hal/world.h"

#define DUET_STRINGIFY_(x) #x
#define DUET_STRINGIFY(x) DUET_STRINGIFY_(x)

#define DUET_ASSERT(expr)                                                                  \
    ((expr) ? (void)0                                                                      \
            : hal_panic(__func__, "assertion failed: " #expr " (" __FILE__                 \
                                  ":" DUET_STRINGIFY(__LINE__) ")"))

#define DUET_STATIC_ASSERT(expr, why) _Static_assert(expr, why)

#endif
