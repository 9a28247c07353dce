/*
 * fuzz_driver.c - one input, one world, in ring-buffer mode (fuzz_driver.h).
 *
 * The world is reset by sim_run for every input (arena reset, no
 * reallocation); the driver's own state is allocated once. Host state is
 * held in file-scope statics because libFuzzer's and AFL++'s entry points
 * take no context argument; this is host driver code, not a component.
 */
#include "fuzz_driver.h"

#include <stdio.h>
#include <stdlib.h>

#include "duet/fuzz_target.h"
#include "duet/replay.h"
#include "duet/trace_recorder.h"

#ifndef DUET_FUZZ_TARGET
#error "DUET_FUZZ_TARGET names the target this driver runs"
#endif

enum { DRIVER_RING_RECORDS = 4096, DRIVER_REPORT_EVENTS = 24 };

static struct {
    struct sim *sim;
    const struct fuzz_target *target;
    struct fuzz_run *run;
    struct trace_record *ring;
} driver;

void fuzz_driver_init(void)
{
    driver.sim = sim_create();
    driver.target = fuzz_target_find(DUET_FUZZ_TARGET);
    driver.run = malloc(sizeof *driver.run);
    driver.ring = malloc(DRIVER_RING_RECORDS * sizeof *driver.ring);
    if (driver.sim == NULL || driver.target == NULL || driver.run == NULL ||
        driver.ring == NULL) {
        fprintf(stderr, "fuzz driver: cannot set up target %s\n", DUET_FUZZ_TARGET);
        exit(2);
    }
}

static void report_violation(const struct trace_recorder *recorder, const char *verdict,
                             const struct sim_result *result)
{
    struct trace_record last[DRIVER_REPORT_EVENTS];
    size_t count = trace_recorder_last(recorder, last, DRIVER_REPORT_EVENTS);
    fprintf(stderr, "\n== duet fuzz target %s: oracle violated ==\n", DUET_FUZZ_TARGET);
    fprintf(stderr, "verdict: %s\noutcome: %s after %llu events\nlast events:\n", verdict,
            sim_outcome_name(result->outcome), (unsigned long long)result->events);
    for (size_t i = 0; i < count; i++) {
        char line[256];
        trace_record_describe(&last[i], line, sizeof line);
        fprintf(stderr, "  %s\n", line);
    }
    fprintf(stderr, "store and replay it: build/sim/cli/duet replay --target %s "
                    "--input <the crash file> --db crash.db\n", DUET_FUZZ_TARGET);
}

void fuzz_driver_one(const uint8_t *data, size_t size)
{
    if (size > FUZZ_INPUT_MAX)
        size = FUZZ_INPUT_MAX;
    driver.target->prepare(data, size, driver.run);
    driver.run->input = data;
    driver.run->input_len = size;
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, driver.ring, DRIVER_RING_RECORDS, NULL, NULL);
    struct sim_config observers = {.recorder = &recorder};
    struct sim_result result;
    const char *verdict = NULL;
    fuzz_target_execute(driver.sim, driver.target, driver.run, &observers, &result, &verdict);
    if (verdict != NULL) {
        report_violation(&recorder, verdict, &result);
        abort();
    }
}
