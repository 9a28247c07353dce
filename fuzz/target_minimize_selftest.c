/*
 * target_minimize_selftest.c - a target that fails on purpose, to test
 * the minimizer (duet minimize) against a known answer.
 *
 * The world is the demo's (init, hello), run on the input as the choice
 * stream, so minimizing exercises real runs. The oracle fails whenever the
 * input contains the bytes 'D', 'U', 'E', 'T' in that order, not
 * necessarily adjacent: the smallest failing input is exactly "DUET", and
 * a minimizer that keeps the failure signature must find it.
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

static const char selftest_config[] = "start hello\n";

static void selftest_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "minimize_selftest");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "[init] all 1 children exited");
    out->scenario.budget_steps = 100000;
    scenario_set_rom(&out->scenario, "config", selftest_config, sizeof selftest_config - 1);
    out->choice_bytes = data;
    out->choice_bytes_len = size;
    out->components = NULL;
    out->component_count = 0;
}

static const char *selftest_check(const struct fuzz_run *run, const struct sim_result *result)
{
    static const char wanted[] = "DUET";
    size_t matched = 0;
    for (size_t i = 0; i < run->input_len && matched < sizeof wanted - 1; i++)
        matched += run->input[i] == (uint8_t)wanted[matched];
    return matched == sizeof wanted - 1 ? "the input spells D, U, E, T (on purpose)" : NULL;
}

const struct fuzz_target fuzz_target_minimize_selftest = {
    .name = "minimize_selftest",
    .summary = "fails on purpose when the input holds D,U,E,T in order (tests duet minimize)",
    .prepare = selftest_prepare,
    .check = selftest_check,
};
