/*
 * record.c - executing a recipe with its whole trace going to the store.
 *
 * Events flow: hal_event -> recorder ring -> (ring full or run over) one
 * store transaction per batch. Choices are batched the same way. A store
 * failure does not stop the simulated run; it is reported afterwards, and
 * the run row keeps outcome 'incomplete' if even its end cannot be stored.
 */
#include "duet/replay.h"

#include <stdlib.h>
#include <string.h>

#include "duet/trace_recorder.h"
#include "hal/event.h"

enum { RECORD_RING_RECORDS = 16384, RECORD_CHOICE_BATCH = 4096 };

struct recording {
    struct trace_store *store;
    int64_t run_id;
    struct trace_choice choices[RECORD_CHOICE_BATCH];
    size_t choice_count;
    enum trace_store_error error;
};

static int events_to_store(void *ctx, const struct trace_record *records, size_t count)
{
    struct recording *recording = ctx;
    enum trace_store_error error =
        trace_store_append_events(recording->store, recording->run_id, records, count);
    if (error != TRACE_STORE_OK && recording->error == TRACE_STORE_OK)
        recording->error = error;
    return error != TRACE_STORE_OK;
}

static void choices_flush(struct recording *recording)
{
    if (recording->choice_count == 0)
        return;
    enum trace_store_error error = trace_store_append_choices(
        recording->store, recording->run_id, recording->choices, recording->choice_count);
    if (error != TRACE_STORE_OK && recording->error == TRACE_STORE_OK)
        recording->error = error;
    recording->choice_count = 0;
}

static void choice_to_store(void *ctx, uint64_t seq, uint64_t range, uint64_t value)
{
    struct recording *recording = ctx;
    recording->choices[recording->choice_count++] = (struct trace_choice){seq, range, value};
    if (recording->choice_count == RECORD_CHOICE_BATCH)
        choices_flush(recording);
}

static void store_kind_names(struct trace_store *store)
{
    static const struct trace_kind_name names[] = {
#define DUET_EVENT_NAME_ENTRY(name, number) {number, #name},
        DUET_EVENT_KINDS(DUET_EVENT_NAME_ENTRY)
#undef DUET_EVENT_NAME_ENTRY
    };
    trace_store_set_kind_names(store, names, sizeof names / sizeof names[0]);
}


bool record_run(struct trace_store *store, struct sim *sim, const struct record_request *request,
                struct record_report *report)
{
    const struct run_recipe *recipe = request->recipe;
    memset(report, 0, sizeof *report);
    struct prepared_run *prepared = malloc(sizeof *prepared);
    struct recording *recording = calloc(1, sizeof *recording);
    struct trace_record *ring = malloc(RECORD_RING_RECORDS * sizeof *ring);
    bool ok = prepared != NULL && recording != NULL && ring != NULL;
    if (!ok)
        snprintf(report->error, sizeof report->error, "out of host memory");
    if (ok && !run_recipe_prepare(recipe, prepared)) {
        snprintf(report->error, sizeof report->error, "%s", prepared->error);
        ok = false;
    }

    struct trace_run_info info = {
        .scenario = (char *)request->scenario_name,
        .scenario_text = (char *)recipe->scenario_text,
        .target = (char *)recipe->target,
        .seed = recipe->canonical_choices ? 0 : recipe->seed,
        .input = (uint8_t *)recipe->input,
        .input_len = recipe->input_len,
        .build = DUET_BUILD_NAME,
        .platform = recipe->canonical_choices && recipe->target == NULL
                        ? RUN_PLATFORM_SIM_CANONICAL : RUN_PLATFORM_SIM,
    };
    if (ok) {
        store_kind_names(store);
        report->store_error = trace_store_run_begin(store, &info, &report->run_id);
        ok = report->store_error == TRACE_STORE_OK;
        if (!ok)
            snprintf(report->error, sizeof report->error, "cannot store the run: %s (%s)",
                     trace_store_error_name(report->store_error),
                     trace_store_last_message(store));
    }
    if (ok) {
        recording->store = store;
        recording->run_id = report->run_id;
        struct trace_recorder recorder;
        trace_recorder_init(&recorder, ring, RECORD_RING_RECORDS, events_to_store, recording);
        struct sim_config config = {
            .recorder = &recorder,
            .on_choice = choice_to_store,
            .on_choice_ctx = recording,
            .on_console = request->on_console,
            .on_console_ctx = request->on_console_ctx,
        };
        prepared_run_config(prepared, recipe, &config);
        if (prepared->target != NULL)
            fuzz_target_execute(sim, prepared->target, &prepared->run, &config,
                                &report->result, &report->verdict);
        else
            sim_run(sim, &config, &report->result);
        trace_recorder_flush(&recorder);
        choices_flush(recording);

        const struct sim_result *result = &report->result;
        bool failed = result->outcome != SIM_PASS || report->verdict != NULL;
        char signature[SIM_FAILURE_MAX + 32];
        snprintf(signature, sizeof signature, "%s: %s", sim_outcome_name(result->outcome),
                 report->verdict != NULL ? report->verdict : result->failure);
        struct trace_run_result stored = {
            .outcome = (char *)(report->verdict != NULL ? "oracle-violation"
                                                        : sim_outcome_name(result->outcome)),
            .failure_signature = failed ? signature : NULL,
            .failure_message = failed ? signature : NULL,
            .event_count = result->events,
            .hash = result->hash,
        };
        enum trace_store_error error = trace_store_run_end(store, report->run_id, &stored);
        if (recording->error == TRACE_STORE_OK)
            recording->error = error;
        report->store_error = recording->error;
        if (report->store_error != TRACE_STORE_OK) {
            snprintf(report->error, sizeof report->error, "the store failed: %s (%s)",
                     trace_store_error_name(report->store_error),
                     trace_store_last_message(store));
            ok = false;
        }
    }
    free(ring);
    free(recording);
    free(prepared);
    return ok;
}
