/*
 * target_go.c - fuzz target "go": goroutine programs and their switch
 * order from the input (fuzz/clients/go_fuzzer.c).
 *
 * Input layout as the other targets': bytes 0-1 (little-endian) the
 * length L of the program (ROM "program", at most GO_TARGET_PROGRAM_MAX
 * bytes), the next L bytes the program, every byte after that the choice
 * stream: which goroutine runs next, whether a waker hands over, which
 * ready select case is taken, and the kernel's choice of thread. Any byte
 * string decodes.
 *
 * Oracles: those go_fuzzer.c and the runtime assert during the run (no
 * value lost or duplicated, channel semantics, deadlocks reported with
 * what each goroutine waits on, no stack overrun, the runtime's
 * invariants after every switch), and its success line, which needs go_run
 * to return within the step budget (a missed deadlock would hang).
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

void go_fuzzer_main(struct env *env);
void go_fuzzer_helper(struct env *env, void *arg);

enum {
    GO_TARGET_PROGRAM_MAX = 1024,   /* go_fuzzer's GF_PROGRAM_MAX */
    GO_TARGET_BUDGET_STEPS = 400000,
};

static const component_thread_fn go_fuzzer_threads[] = {go_fuzzer_helper, NULL};

static const struct component_info go_components[] = {
    {.name = "go_fuzzer", .main = go_fuzzer_main, .threads = go_fuzzer_threads},
};

static const char go_config[] = "start go_fuzzer ram=1M caps=24\n"
                                "route RAM parent\n"
                                "route RM parent\n"
                                "route CPU parent\n";

static void go_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_go");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> go_fuzzer] go oracles held");
    out->scenario.budget_steps = GO_TARGET_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", go_config, sizeof go_config - 1);

    const uint8_t *program = NULL;
    size_t program_len = 0;
    fuzz_input_split(data, size, GO_TARGET_PROGRAM_MAX, &program, &program_len, out);
    scenario_set_rom(&out->scenario, "program", program, program_len);
    out->components = go_components;
    out->component_count = sizeof go_components / sizeof go_components[0];
}

static const char *go_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_go = {
    .name = "go",
    .summary = "goroutines: spawns, sends, receives, selects, closes and the switch order from the input",
    .prepare = go_prepare,
    .check = go_check,
};
