/*
 * minimize.c - delta debugging of a failing fuzz input (duet/minimize.h).
 *
 * 1. Run the input; its verdict is the signature every candidate must keep.
 * 2. Chunks: for chunk sizes len/2, len/4, ... 1, try removing each chunk;
 *    keep a removal whenever the signature holds (and try the same offset
 *    again), until no chunk of size 1 can go.
 * 3. Values: try setting each remaining byte to 0 (a canonical choice).
 * Every run is a fresh world with a ring recorder; nothing is stored.
 */
#include "duet/minimize.h"

#include <stdlib.h>
#include <string.h>

#include "duet/trace_recorder.h"

enum { MINIMIZE_RING_RECORDS = 256 };

struct minimizer {
    struct sim *sim;
    const struct fuzz_target *target;
    struct fuzz_run *run;
    struct trace_record ring[MINIMIZE_RING_RECORDS];
    struct minimize_report *report;
    unsigned runs_max;
};

/* Runs a candidate; true if it fails with the report's signature (or, for
 * the first run, with any verdict, which then becomes the signature). */
static bool fails_the_same(struct minimizer *m, const uint8_t *input, size_t len, bool first)
{
    m->report->runs++;
    m->target->prepare(input, len, m->run);
    m->run->input = input;
    m->run->input_len = len;
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, m->ring, MINIMIZE_RING_RECORDS, NULL, NULL);
    struct sim_config observers = {.recorder = &recorder};
    struct sim_result result;
    const char *verdict = NULL;
    fuzz_target_execute(m->sim, m->target, m->run, &observers, &result, &verdict);
    if (verdict == NULL)
        return false;
    if (first) {
        strncpy(m->report->signature, verdict, MINIMIZE_SIGNATURE_MAX - 1);
        return true;
    }
    return strncmp(m->report->signature, verdict, MINIMIZE_SIGNATURE_MAX - 1) == 0;
}

static bool budget_left(const struct minimizer *m)
{
    return m->report->runs < m->runs_max;
}

static void drop_chunks(struct minimizer *m)
{
    struct minimize_report *r = m->report;
    uint8_t candidate[FUZZ_INPUT_MAX];
    for (size_t chunk = r->input_len / 2; chunk >= 1 && budget_left(m); chunk /= 2) {
        for (size_t at = 0; at + chunk <= r->input_len && budget_left(m);) {
            size_t len = r->input_len - chunk;
            memcpy(candidate, r->input, at);
            memcpy(candidate + at, r->input + at + chunk, r->input_len - at - chunk);
            if (fails_the_same(m, candidate, len, false)) {
                memcpy(r->input, candidate, len);
                r->input_len = len;   /* try the same offset again */
            } else {
                at += chunk;
            }
        }
    }
}

static void zero_bytes(struct minimizer *m)
{
    struct minimize_report *r = m->report;
    for (size_t i = 0; i < r->input_len && budget_left(m); i++) {
        if (r->input[i] == 0)
            continue;
        uint8_t kept = r->input[i];
        r->input[i] = 0;
        if (!fails_the_same(m, r->input, r->input_len, false))
            r->input[i] = kept;
    }
}

void minimize_input(struct sim *sim, const struct fuzz_target *target, const uint8_t *input,
                    size_t input_len, unsigned runs_max, struct minimize_report *report)
{
    memset(report, 0, sizeof *report);
    if (input_len > FUZZ_INPUT_MAX)
        input_len = FUZZ_INPUT_MAX;
    memcpy(report->input, input, input_len);
    report->input_len = input_len;
    report->original_len = input_len;
    struct minimizer *m = calloc(1, sizeof *m);
    struct fuzz_run *run = malloc(sizeof *run);
    if (m == NULL || run == NULL) {
        free(m);
        free(run);
        return;
    }
    *m = (struct minimizer){.sim = sim, .target = target, .run = run, .report = report,
                            .runs_max = runs_max};
    report->failed_at_all = fails_the_same(m, report->input, report->input_len, true);
    if (report->failed_at_all) {
        drop_chunks(m);
        zero_bytes(m);
    }
    free(run);
    free(m);
}
