/*
 * target_sync.c - fuzz target "sync": signals and a FIFO semaphore between
 * threads, with the schedule and the operations chosen by the input.
 *
 * Input layout as core_rpc's: bytes 0-1 (little-endian) = length L of the
 * program (ROM "program", read by sync_fuzzer, at most
 * SYNC_TARGET_PROGRAM_MAX bytes), the next L bytes = the program, every
 * byte after that = the choice stream, which picks the thread to run at
 * every system call. Any byte string decodes.
 *
 * The world also runs the timer service, whose periodic alarm sync_fuzzer
 * keeps armed: the choice stream also decides at which kernel entry each
 * of its interrupts is taken (the sim defers a pending interrupt when
 * told to), so the input chooses the arrival times of timer interrupts.
 *
 * Oracles: those sync_fuzzer.c asserts during the run (signal counts
 * conserved, FIFO wake-ups, no lost or spurious wake-up, timer periods
 * neither lost nor invented), and its success line at the end, which
 * needs quiescence within the step budget.
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

void sync_fuzzer_main(struct env *env);
void sync_fuzzer_worker(struct env *env, void *arg);

enum {
    SYNC_TARGET_PROGRAM_MAX = 1024,   /* sync_fuzzer's SYNC_PROGRAM_MAX */
    SYNC_TARGET_BUDGET_STEPS = 2000000,
};

static const component_thread_fn sync_fuzzer_threads[] = {sync_fuzzer_worker, NULL};

static const struct component_info sync_components[] = {
    {.name = "sync_fuzzer", .main = sync_fuzzer_main, .threads = sync_fuzzer_threads},
};

static const char sync_config[] = "start timer ram=32K caps=16\n"
                                  "start sync_fuzzer ram=64K caps=20\n"
                                  "route CPU parent\n"
                                  "route SIGNAL parent\n"
                                  "route IO_PORT parent\n"
                                  "route IRQ parent\n"
                                  "route TIMER timer\n";

static void sync_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_sync");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> sync_fuzzer] sync oracles held");
    out->scenario.budget_steps = SYNC_TARGET_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", sync_config, sizeof sync_config - 1);

    const uint8_t *program = NULL;
    size_t program_len = 0;
    fuzz_input_split(data, size, SYNC_TARGET_PROGRAM_MAX, &program, &program_len, out);
    scenario_set_rom(&out->scenario, "program", program, program_len);
    out->components = sync_components;
    out->component_count = sizeof sync_components / sizeof sync_components[0];
}

static const char *sync_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_sync = {
    .name = "sync",
    .summary = "threads submitting signals and downing/upping a FIFO semaphore, "
               "schedule from the input",
    .prepare = sync_prepare,
    .check = sync_check,
};
