/*
 * replay.c - re-executing a stored run and comparing it event by event.
 *
 * The stored run's recipe (scenario text and seed, or target and input) is
 * run again with a recorder whose sink, instead of writing, reads the
 * stored events in order and compares each with the new one. The first
 * difference is kept with both sides; after that nothing more is compared.
 * A replay "matches" when every event, the event count and the final
 * rolling hash agree.
 */
#include "duet/replay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "duet/trace_recorder.h"
#include "hal/event.h"

enum { REPLAY_RING_RECORDS = 16384 };

struct comparison {
    struct trace_event_cursor *cursor;
    struct replay_report *report;
    enum trace_store_error error;
};

static int compare_with_store(void *ctx, const struct trace_record *records, size_t count)
{
    struct comparison *cmp = ctx;
    struct replay_report *report = cmp->report;
    for (size_t i = 0; i < count; i++) {
        struct trace_record stored;
        enum trace_store_error error = trace_store_events_next(cmp->cursor, &stored);
        if (error == TRACE_STORE_ERR_END) {
            report->diverged = true;
            report->expected_missing = true;
            report->actual = records[i];
            return 1;
        }
        if (error != TRACE_STORE_OK) {
            cmp->error = error;
            return 1;
        }
        if (memcmp(&stored, &records[i], sizeof stored) != 0) {
            report->diverged = true;
            report->expected = stored;
            report->actual = records[i];
            return 1;
        }
        report->events++;
    }
    return 0;
}

static bool replay_fail(struct replay_report *report, const char *what,
                        enum trace_store_error error, struct trace_store *store)
{
    snprintf(report->error, sizeof report->error, "%s: %s (%s)", what,
             trace_store_error_name(error), trace_store_last_message(store));
    return false;
}

/* After the run: the stored trace must not go on past the replayed one. */
static void check_stored_tail(struct comparison *cmp)
{
    struct replay_report *report = cmp->report;
    if (report->diverged || cmp->error != TRACE_STORE_OK)
        return;
    struct trace_record stored;
    enum trace_store_error error = trace_store_events_next(cmp->cursor, &stored);
    if (error == TRACE_STORE_OK) {
        report->diverged = true;
        report->actual_missing = true;
        report->expected = stored;
    } else if (error != TRACE_STORE_ERR_END) {
        cmp->error = error;
    }
}

static bool replay_execute(struct trace_store *store, struct sim *sim,
                           const struct trace_run_info *info, struct comparison *cmp)
{
    struct replay_report *report = cmp->report;
    struct run_recipe recipe = {
        .scenario_text = info->scenario_text,
        .scenario_text_len = info->scenario_text ? strlen(info->scenario_text) : 0,
        .seed = info->seed,
        .target = info->target,
        .input = info->input,
        .input_len = info->input_len,
        .canonical_choices = info->platform != NULL &&
                             strcmp(info->platform, RUN_PLATFORM_SIM_CANONICAL) == 0,
    };
    struct prepared_run *prepared = malloc(sizeof *prepared);
    struct trace_record *ring = malloc(REPLAY_RING_RECORDS * sizeof *ring);
    bool ok = prepared != NULL && ring != NULL;
    if (!ok)
        snprintf(report->error, sizeof report->error, "out of host memory");
    if (ok && !run_recipe_prepare(&recipe, prepared)) {
        snprintf(report->error, sizeof report->error, "%s", prepared->error);
        ok = false;
    }
    if (ok) {
        struct trace_recorder recorder;
        trace_recorder_init(&recorder, ring, REPLAY_RING_RECORDS, compare_with_store, cmp);
        struct sim_config config = {.recorder = &recorder};
        prepared_run_config(prepared, &recipe, &config);
        const char *verdict = NULL;
        if (prepared->target != NULL)
            fuzz_target_execute(sim, prepared->target, &prepared->run, &config, &report->result,
                                &verdict);
        else
            sim_run(sim, &config, &report->result);
        trace_recorder_flush(&recorder);
        report->replayed_hash = recorder.hash;
        check_stored_tail(cmp);
        if (cmp->error != TRACE_STORE_OK)
            ok = replay_fail(report, "reading the stored events failed", cmp->error, store);
    }
    free(ring);
    free(prepared);
    return ok;
}

bool replay_run(struct trace_store *store, struct sim *sim, int64_t run_id,
                struct replay_report *report)
{
    memset(report, 0, sizeof *report);
    struct trace_run_info info;
    struct trace_run_result stored;
    enum trace_store_error error = trace_store_run_load(store, run_id, &info, &stored);
    if (error != TRACE_STORE_OK)
        return replay_fail(report, "cannot load the run", error, store);
    report->stored_hash = stored.hash;
    snprintf(report->recorded_build, sizeof report->recorded_build, "%s",
             info.build ? info.build : "?");

    struct comparison cmp = {.report = report};
    error = trace_store_events_open(store, run_id, &cmp.cursor);
    bool ok = error == TRACE_STORE_OK;
    if (!ok)
        replay_fail(report, "cannot read the run's events", error, store);
    if (ok)
        ok = replay_execute(store, sim, &info, &cmp);
    if (cmp.cursor != NULL)
        trace_store_events_close(cmp.cursor);
    if (ok)
        report->matched = !report->diverged && report->events == stored.event_count &&
                          report->replayed_hash == stored.hash;
    trace_run_info_free(&info);
    trace_run_result_free(&stored);
    return ok;
}

void trace_record_describe(const struct trace_record *r, char *out, size_t out_size)
{
    const char *kind = hal_event_kind_name(r->kind);
    char kind_number[16];
    if (kind == NULL) {
        snprintf(kind_number, sizeof kind_number, "kind%u", r->kind);
        kind = kind_number;
    }
    char blob[2 * TRACE_RECORD_BLOB_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < r->blob_len && i < TRACE_RECORD_BLOB_MAX; i++) {
        uint8_t c = r->blob[i];
        blob[n++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '.';
    }
    blob[n] = '\0';
    snprintf(out, out_size,
             "seq=%" PRIu64 " t=%" PRIu64 "ns %s pd=%u thread=%u args=%" PRIu64 ",%" PRIu64
             ",0x%" PRIx64 ",%" PRIu64 "%s%s%s",
             r->seq, r->time_ns, kind, r->pd, r->thread, r->arg[0], r->arg[1], r->arg[2],
             r->arg[3], n ? " blob=\"" : "", blob, n ? "\"" : "");
}
