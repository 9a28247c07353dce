/*
 * replay.h - record runs into the store, and replay stored runs.
 *
 * record_run executes a recipe with every event going to the store (in
 * batches, through the recorder's ring) along with the choices it made,
 * and stores the outcome. replay_run loads a stored run's recipe, runs it
 * again and compares every event with the stored one; it stops comparing
 * at the first divergence and keeps both sides for the report.
 */
#ifndef DUET_REPLAY_H
#define DUET_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "duet/run_recipe.h"
#include "duet/sim.h"
#include "duet/trace_store.h"

struct record_request {
    const struct run_recipe *recipe;
    const char *scenario_name;      /* stored as runs.scenario */
    sim_console_fn on_console;      /* optional echo of the console */
    void *on_console_ctx;
};

struct record_report {
    int64_t run_id;
    struct sim_result result;
    const char *verdict;            /* oracle verdict for target runs, or NULL */
    enum trace_store_error store_error;
    char error[200];                /* non-empty if recording failed */
};

bool record_run(struct trace_store *store, struct sim *sim, const struct record_request *request,
                struct record_report *report);

struct replay_report {
    bool matched;                   /* every event and the final hash agree */
    uint64_t events;                /* events that matched before any divergence */
    uint64_t stored_hash;
    uint64_t replayed_hash;
    bool diverged;
    struct trace_record expected;   /* at the first divergence             */
    struct trace_record actual;
    bool expected_missing;          /* replay produced more events          */
    bool actual_missing;            /* replay ended before the stored run   */
    struct sim_result result;
    char recorded_build[32];        /* the build that recorded the run */
    char error[200];
};

bool replay_run(struct trace_store *store, struct sim *sim, int64_t run_id,
                struct replay_report *report);

/* "seq=12 t=1.2us IPC_CALL pd=2 thread=3 args=1,256,0x200000001,0 blob="..."" */
void trace_record_describe(const struct trace_record *record, char *out, size_t out_size);

#endif
