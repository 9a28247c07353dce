/*
 * minimize.h - shrinking a failing fuzz input while its failure holds.
 *
 * The failure signature is the oracle's verdict for the original input
 * (for a world that failed, the assertion with its function and line).
 * A candidate is kept only if it fails with exactly that signature, so the
 * minimized input reproduces the same bug, not just any bug.
 */
#ifndef DUET_MINIMIZE_H
#define DUET_MINIMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/fuzz_target.h"

enum { MINIMIZE_SIGNATURE_MAX = 256 };

struct minimize_report {
    uint8_t input[FUZZ_INPUT_MAX];   /* the smallest failing input found */
    size_t input_len;
    size_t original_len;
    char signature[MINIMIZE_SIGNATURE_MAX];
    unsigned runs;                   /* worlds run                        */
    bool failed_at_all;              /* false: the input did not fail     */
};

/* Delta debugging over the bytes (drop chunks of halving size), then a
 * pass that zeroes bytes; at most runs_max worlds. */
void minimize_input(struct sim *sim, const struct fuzz_target *target, const uint8_t *input,
                    size_t input_len, unsigned runs_max, struct minimize_report *report);

#endif
