/*
 * target_rm.c - fuzz target "rm": region maps, nesting, cycles and faults
 * driven by the input (fuzz/clients/rm_fuzzer.c).
 *
 * Input layout as the other targets': bytes 0-1 (little-endian) the
 * length L of the program (ROM "program", at most RM_TARGET_PROGRAM_MAX
 * bytes), the next L bytes the program, every byte after that the choice
 * stream (the schedule at every system call and page fault). Any byte
 * string decodes.
 *
 * Oracles: those rm_fuzzer.c and core assert during the run (results as
 * the model predicts, cycles refused, no fault lost or delivered twice),
 * and its success line, which needs quiescence within the step budget.
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

void rm_fuzzer_main(struct env *env);
void rm_fuzzer_accessor(struct env *env, void *arg);

enum {
    RM_TARGET_PROGRAM_MAX = 1024,   /* rm_fuzzer's RMF_PROGRAM_MAX */
    RM_TARGET_BUDGET_STEPS = 2000000,
};

static const component_thread_fn rm_fuzzer_threads[] = {rm_fuzzer_accessor, NULL};

static const struct component_info rm_components[] = {
    {.name = "rm_fuzzer", .main = rm_fuzzer_main, .threads = rm_fuzzer_threads},
};

static const char rm_config[] = "start rm_fuzzer ram=160K caps=32\n"
                                "route RAM parent\n"
                                "route RM parent\n"
                                "route CPU parent\n"
                                "route SIGNAL parent\n";

static void rm_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_rm");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> rm_fuzzer] rm oracles held");
    out->scenario.budget_steps = RM_TARGET_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", rm_config, sizeof rm_config - 1);

    const uint8_t *program = NULL;
    size_t program_len = 0;
    fuzz_input_split(data, size, RM_TARGET_PROGRAM_MAX, &program, &program_len, out);
    scenario_set_rom(&out->scenario, "program", program, program_len);
    out->components = rm_components;
    out->component_count = sizeof rm_components / sizeof rm_components[0];
}

static const char *rm_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_rm = {
    .name = "rm",
    .summary = "region maps: attach, detach, nesting, cycles and faults from the input",
    .prepare = rm_prepare,
    .check = rm_check,
};
