/*
 * bench_world.c - the worlds of the world benchmarks (RPC, signal,
 * semaphore, timer): build one from a bench component, run it, time it.
 *
 * Call order:
 *   bench_world_measure(&spec, rounds, &figures)
 * which opens a sim, a scenario and a ring recorder, runs one warm-up
 * world with rounds / 10, then BENCH_REPEATS pairs of worlds (one with
 * `rounds`, one with 0), and reports per round the medians of the whole
 * run / rounds and of (run - 0-round run) / rounds. Every world must pass
 * (its component logs "<success_name>: N round trips"), else bench_die.
 *
 * A world is built the way `duet run` builds one (sim_run on a scenario),
 * with init's config starting the bench component. The trace goes to a
 * ring-mode recorder with no sink, as in fuzzing: every event is still
 * numbered, hashed and copied into the ring, but nothing reaches SQLite.
 *
 * bench_world_handoffs_report measures and reports a ping-pong world
 * (signal, semaphore): two handoffs per round, each of which must wake a
 * blocked thread, against bench_baseline_round_trip_ns / 2.
 *
 * bench_world_count_kinds runs one more world, untimed, with a sink on
 * the recorder that counts the events of each kind (what a round is made
 * of, for the notes and for baselines that scale with it);
 * bench_world_kinds_per_round turns two such runs into kinds per round,
 * and bench_world_kinds_note prints them.
 *
 * Not here: what a round is (the components, bench_*_component.c), the
 * baseline (bench_rpc.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "hal/event.h"

enum {
    WORLD_RING_RECORDS = 4096,            /* as the fuzz driver's ring */
    WORLD_BUDGET_SLACK_STEPS = 200000,    /* boot, setup and exit      */
    WORLD_SEED = 1,
    WORLD_WARMUP_DIVISOR = 10,
};

struct bench_world {
    const struct bench_world_spec *spec;
    struct sim *sim;
    struct scenario *scenario;
    struct trace_record *ring;
};

/* The choice stream of a canonical schedule: byte mode with no bytes, so
 * every choice is 0 (the current thread goes on until it blocks). */
static const uint8_t canonical_choice_bytes[1];

static void world_scenario_build(struct bench_world *world, uint64_t rounds)
{
    const struct bench_world_spec *spec = world->spec;
    struct scenario *scenario = world->scenario;
    char rounds_text[32];
    int length = snprintf(rounds_text, sizeof rounds_text, "%" PRIu64 "\n", rounds);
    DUET_BENCH_CHECK(length > 0 && (size_t)length < sizeof rounds_text);
    memset(scenario, 0, sizeof *scenario);
    snprintf(scenario->name, sizeof scenario->name, "%s", spec->scenario_name);
    snprintf(scenario->expect, sizeof scenario->expect, "[init -> %s] %s: %" PRIu64 " round trips",
             spec->component, spec->success_name, rounds);
    scenario->budget_steps = spec->steps_per_round * rounds + WORLD_BUDGET_SLACK_STEPS;
    if (scenario_set_rom(scenario, "config", spec->config, strlen(spec->config)) != SCENARIO_OK ||
        scenario_set_rom(scenario, "rounds", rounds_text, (size_t)length) != SCENARIO_OK)
        bench_die("cannot build the scenario of %s", spec->scenario_name);
}

static void world_open(struct bench_world *world, const struct bench_world_spec *spec)
{
    DUET_BENCH_CHECK(spec != NULL && spec->component != NULL && spec->config != NULL);
    *world = (struct bench_world){
        .spec = spec,
        .sim = sim_create(),
        .scenario = malloc(sizeof *world->scenario),
        .ring = malloc(WORLD_RING_RECORDS * sizeof *world->ring),
    };
    if (world->sim == NULL || world->scenario == NULL || world->ring == NULL)
        bench_die("cannot set up the sim of %s", spec->scenario_name);
}

static void world_close(struct bench_world *world)
{
    free(world->ring);
    free(world->scenario);
    sim_destroy(world->sim);
    *world = (struct bench_world){0};
}

/* Wall time of one run with `rounds` rounds; the run must pass. The trace
 * goes to the ring, and to `sink` (flushed at the end) unless NULL. */
static double world_run_ns(struct bench_world *world, uint64_t rounds, trace_sink_fn sink,
                           void *sink_ctx, struct sim_result *out)
{
    const struct bench_world_spec *spec = world->spec;
    world_scenario_build(world, rounds);
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, world->ring, WORLD_RING_RECORDS, sink, sink_ctx);
    struct sim_config config = {
        .scenario = world->scenario,
        .seed = WORLD_SEED,
        .choice_bytes = spec->canonical_schedule ? canonical_choice_bytes : NULL,
        .choice_bytes_len = 0,
        .components = spec->components,
        .component_count = spec->component_count,
        .recorder = &recorder,
    };
    uint64_t start_ns = bench_now_ns();
    sim_run(world->sim, &config, out);
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    if (out->outcome != SIM_PASS)
        bench_die("the world of %s did not pass: %s %s", spec->scenario_name,
                  sim_outcome_name(out->outcome), out->failure);
    if (trace_recorder_flush(&recorder) != 0)
        bench_die("the trace sink of %s failed", spec->scenario_name);
    return (double)elapsed_ns;
}

void bench_world_measure(const struct bench_world_spec *spec, uint64_t rounds,
                         struct bench_world_figures *out)
{
    DUET_BENCH_CHECK(rounds >= WORLD_WARMUP_DIVISOR && rounds <= BENCH_ROUNDS_MAX);
    struct bench_world world;
    world_open(&world, spec);
    double whole_ns[BENCH_REPEATS];
    double marginal_ns[BENCH_REPEATS];
    double empty_ns[BENCH_REPEATS];
    world_run_ns(&world, rounds / WORLD_WARMUP_DIVISOR, NULL, NULL, &out->full);
    for (int r = 0; r < BENCH_REPEATS; r++) {
        double run_ns = world_run_ns(&world, rounds, NULL, NULL, &out->full);
        empty_ns[r] = world_run_ns(&world, 0, NULL, NULL, &out->empty);
        whole_ns[r] = run_ns / (double)rounds;
        marginal_ns[r] = (run_ns - empty_ns[r]) / (double)rounds;
    }
    out->spec = spec;
    out->rounds = rounds;
    out->whole_ns = bench_median(whole_ns, BENCH_REPEATS);
    out->marginal_ns = bench_median(marginal_ns, BENCH_REPEATS);
    out->empty_ns = bench_median(empty_ns, BENCH_REPEATS);
    DUET_BENCH_CHECK(out->full.events > out->empty.events);
    world_close(&world);
}

/* The counting sink: events of each kind. */
static int kinds_sink(void *sink_ctx, const struct trace_record *records, size_t count)
{
    struct bench_world_kinds *kinds = sink_ctx;
    for (size_t i = 0; i < count; i++) {
        if (records[i].kind >= BENCH_EVENT_KINDS_MAX)
            return 1;
        kinds->count[records[i].kind]++;
    }
    return 0;
}

void bench_world_count_kinds(const struct bench_world_spec *spec, uint64_t rounds,
                             struct bench_world_kinds *out)
{
    DUET_BENCH_CHECK(rounds <= BENCH_ROUNDS_MAX && out != NULL);
    struct bench_world world;
    world_open(&world, spec);
    *out = (struct bench_world_kinds){0};
    world_run_ns(&world, rounds, kinds_sink, out, &out->result);
    uint64_t total = 0;
    for (size_t kind = 0; kind < BENCH_EVENT_KINDS_MAX; kind++)
        total += out->count[kind];
    DUET_BENCH_CHECK(total == out->result.events);
    world_close(&world);
}

void bench_world_kinds_per_round(const struct bench_world_spec *spec, uint64_t rounds,
                                 double out_per_round[BENCH_EVENT_KINDS_MAX])
{
    DUET_BENCH_CHECK(rounds >= 1 && rounds <= BENCH_ROUNDS_MAX);
    struct bench_world_kinds full, empty;
    bench_world_count_kinds(spec, rounds, &full);
    bench_world_count_kinds(spec, 0, &empty);
    for (size_t kind = 0; kind < BENCH_EVENT_KINDS_MAX; kind++) {
        /* Signed: the console's port accesses and interrupts depend on
         * the virtual time the output starts at, which the rounds move. */
        int64_t difference = (int64_t)full.count[kind] - (int64_t)empty.count[kind];
        out_per_round[kind] = (double)difference / (double)rounds;
    }
}

void bench_world_kinds_note(const double per_round[BENCH_EVENT_KINDS_MAX], const char *unit_name)
{
    DUET_BENCH_CHECK(per_round != NULL && unit_name != NULL);
    char line[512];
    size_t used = 0;
    for (unsigned kind = 0; kind < BENCH_EVENT_KINDS_MAX && used < sizeof line; kind++) {
        const char *name = hal_event_kind_name(kind);
        /* Below what the line shows: console noise (bench.h), not a kind
         * of the round. */
        if (fabs(per_round[kind]) < 0.005 || name == NULL)
            continue;
        int length = snprintf(line + used, sizeof line - used, "%s%s %.2f",
                              used == 0 ? "" : ", ", name, per_round[kind]);
        DUET_BENCH_CHECK(length > 0);
        used += (size_t)length;
    }
    bench_note("events per %s: %s", unit_name, used > 0 ? line : "none");
}

void bench_world_notes(const struct bench_world_figures *figures, uint64_t units_per_round,
                       const char *unit_name)
{
    DUET_BENCH_CHECK(figures->spec != NULL && units_per_round >= 1);
    double units = (double)figures->rounds * (double)units_per_round;
    bench_note("%" PRIu64 " %ss per run, medians of %d runs each; ring recorder (%d records, "
               "no sink); %s", figures->rounds * units_per_round, unit_name, BENCH_REPEATS,
               WORLD_RING_RECORDS,
               figures->spec->canonical_schedule ? "canonical schedule (every choice 0)"
                                                 : "seed 1");
    bench_note("per %s: %.2f events, %.2f steps (kernel entries, port accesses, idle "
               "passes), %.2f choices", unit_name,
               (double)(figures->full.events - figures->empty.events) / units,
               (double)(figures->full.steps - figures->empty.steps) / units,
               (double)(figures->full.choices - figures->empty.choices) / units);
    bench_note("the 0-round run (boot, setup, exit): %.1f us, %" PRIu64 " events",
               figures->empty_ns / 1e3, figures->empty.events);
}

/* In a canonical schedule, a handoff that wakes a blocked thread leaves
 * two candidates (the waker goes on, the woken waits): one choice. One
 * that finds nobody waiting leaves one: no choice. So exactly one choice
 * per handoff means every handoff woke a blocked thread. */
static void handoffs_check(const struct bench_world_figures *figures)
{
    uint64_t handoffs = figures->rounds * BENCH_HANDOFFS_PER_ROUND;
    uint64_t choices = figures->full.choices - figures->empty.choices;
    if (choices != handoffs)
        bench_die("%s: %" PRIu64 " handoffs made %" PRIu64 " choices, not one each: some "
                  "did not wake a blocked thread", figures->spec->scenario_name, handoffs,
                  choices);
}

void bench_world_handoffs_report(const struct bench_world_spec *spec, uint64_t rounds,
                                 const char *figure_whole, const char *figure_marginal)
{
    DUET_BENCH_CHECK(spec->canonical_schedule);
    double baseline_ns = bench_baseline_round_trip_ns() / BENCH_HANDOFFS_PER_ROUND;
    struct bench_world_figures figures;
    bench_world_measure(spec, rounds, &figures);
    handoffs_check(&figures);
    bench_report(figure_whole, figures.whole_ns / BENCH_HANDOFFS_PER_ROUND, "ns", baseline_ns);
    bench_report(figure_marginal, figures.marginal_ns / BENCH_HANDOFFS_PER_ROUND, "ns",
                 baseline_ns);
    bench_world_notes(&figures, BENCH_HANDOFFS_PER_ROUND, "handoff");
    bench_note("baseline: half the RPC floor (two hand-written switches + a %zu-byte copy "
               "per round trip), i.e. one switch per handoff",
               sizeof(uint64_t) * IPC_WORDS);
}
