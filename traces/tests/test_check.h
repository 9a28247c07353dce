/*
 * test_check.h - the one assertion the traces/ unit tests use. Unlike
 * assert() it stays on under NDEBUG and says which test and line failed.
 */
#ifndef DUET_TRACES_TEST_CHECK_H
#define DUET_TRACES_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(condition)                                                              \
    do {                                                                              \
        if (!(condition)) {                                                           \
            fprintf(stderr, "FAIL: %s:%d: %s: %s\n", __FILE__, __LINE__, __func__,    \
                    #condition);                                                      \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* splitmix64: a seeded, reproducible stream for test inputs. */
static inline uint64_t test_random_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#endif
