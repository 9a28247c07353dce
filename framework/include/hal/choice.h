/*
 * hal/choice.h - the single source of nondeterminism.
 *
 * Every decision the system could take more than one way (which thread
 * runs next, which goroutine, whether to inject a fault) is asked here and
 * nowhere else. Bare metal answers 0, the canonical choice; the sim draws
 * the answer from its choice stream (a seeded PRNG or a fuzzer's bytes) and
 * records it, which is what makes a run replayable.
 */
#ifndef DUET_HAL_CHOICE_H
#define DUET_HAL_CHOICE_H

#include "duet/types.h"

/* Returns a value in [0, n). n must be >= 1; n == 1 returns 0 without a draw. */
uint64_t hal_choice(uint64_t n);

#endif
