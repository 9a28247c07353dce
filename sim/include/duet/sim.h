/*
 * sim.h - the simulator: run one world from a scenario and a choice stream.
 *
 * Call order:
 *   sim = sim_create()                     owns the world arena (reused per run)
 *   sim_run(sim, &config, &result)         boots, runs to the end, reports
 *   ... any number of runs ...
 *   sim_destroy(sim)
 *
 * One run is one world: the kernel, every PD's window, the device models,
 * the virtual clock and the choice stream. It all lives in the sim's arena,
 * which is reset (not reallocated) between runs, so nothing leaks from one
 * run into the next. Every framework thread is a fiber on the one host
 * thread. Every choice comes from the choice stream: a seeded PRNG, or the
 * bytes a fuzzer supplies (then 0 once they run out).
 *
 * A run never crashes the tool: a failed assertion or kernel panic in the
 * world ends the run with outcome SIM_FAIL and a failure signature.
 */
#ifndef DUET_SIM_H
#define DUET_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/scenario.h"
#include "duet/trace_recorder.h"
#include "hal/world.h"

enum sim_outcome {
    SIM_PASS = 0,          /* quiescent and the expected line was printed   */
    SIM_NO_SUCCESS_LINE,   /* quiescent, but the expected line never came    */
    SIM_FAIL,              /* assertion, panic or oracle violation           */
    SIM_HANG,              /* step budget exhausted                          */
    SIM_OUTCOME_COUNT
};

const char *sim_outcome_name(enum sim_outcome outcome);

enum { SIM_DEFAULT_BUDGET_STEPS = 2000000, SIM_FAILURE_MAX = 192 };

typedef void (*sim_choice_fn)(void *ctx, uint64_t seq, uint64_t range, uint64_t value);
typedef void (*sim_console_fn)(void *ctx, uint8_t byte);

struct sim_config {
    const struct scenario *scenario;
    uint64_t seed;                          /* PRNG seed when no bytes given   */
    const uint8_t *choice_bytes;            /* fuzzer bytes, or NULL           */
    size_t choice_bytes_len;
    const struct component_info *components;   /* extra components (fuzz clients) */
    size_t component_count;
    struct trace_recorder *recorder;        /* required: every event goes here */
    sim_choice_fn on_choice;                /* optional: each choice made      */
    void *on_choice_ctx;
    sim_console_fn on_console;              /* optional: each console byte     */
    void *on_console_ctx;
};

struct sim_result {
    enum sim_outcome outcome;
    char failure[SIM_FAILURE_MAX];          /* "" unless SIM_FAIL / SIM_HANG   */
    uint64_t events;
    uint64_t hash;
    uint64_t choices;
    uint64_t steps;
    uint64_t time_ns;                       /* virtual time at the end         */
    uint64_t console_bytes;
    uint64_t faults;                        /* threads the kernel stopped      */
    char first_fault[SIM_FAILURE_MAX];      /* what the first one did          */
};

struct sim;

struct sim *sim_create(void);
void sim_destroy(struct sim *sim);
void sim_run(struct sim *sim, const struct sim_config *config, struct sim_result *result);

#endif
