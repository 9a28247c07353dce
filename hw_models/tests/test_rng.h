/*
 * test_rng.h - the seeded generator the random port-I/O tests share
 * (splitmix64): a run is reproduced from its seed alone.
 */
#ifndef DUET_HW_MODELS_TEST_RNG_H
#define DUET_HW_MODELS_TEST_RNG_H

#include <stdint.h>

static inline uint64_t test_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* In [0, bound). */
static inline unsigned test_rng_below(uint64_t *state, unsigned bound)
{
    return (unsigned)(test_rng_next(state) % bound);
}

#endif
