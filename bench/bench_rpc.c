/*
 * bench_rpc.c - RPC round trip (call + reply across two PDs) through the
 * kernel, vs the floor of two hand-written switches plus a 64-byte copy.
 *
 * A world is built the way `duet run` builds one (sim_run on a scenario),
 * with init's config starting the bench component "rpc_bench"
 * (rpc_bench_component.c), which makes N round trips to init. The trace
 * goes to a ring-mode recorder with no sink, as in fuzzing: every event is
 * still numbered, hashed and copied into the ring, but nothing reaches
 * SQLite. Every kernel entry is also a scheduling point that asks
 * hal_choice (a choice of one candidate costs no PRNG draw and no event).
 *
 * Two figures per round trip: the whole run divided by N (boot of core,
 * init and the component included), and the run minus an identical run
 * with N = 0, divided by N (the marginal cost of one round trip).
 *
 * Baseline, in the same process: a ping-pong of two fibers with the bench's
 * hand-written switch, the caller copying 64 bytes (a full message's
 * words) before each switch: two switches and one copy per round trip.
 *
 * Second pair of figures: the same through a session at a sibling server
 * (rpc_bench_echo -> echo_server, ECHO_ADD), the client/server path every
 * service call takes. Not measured: capability transfer, SQLite recording.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "duet/sim.h"
#include "duet/trace_recorder.h"

enum {
    RPC_ROUNDS = 200000,
    RPC_RING_RECORDS = 4096,            /* as the fuzz driver's ring */
    RPC_BUDGET_SLACK_STEPS = 200000,    /* boot, setup and exit      */
    RPC_SEED = 1,
    COPY_STACK_BYTES = 64 * 1024,
    COPY_ITERATIONS = 2000000,
    COPY_MESSAGE_WORDS = IPC_WORDS,     /* one full message: 64 bytes */
};

/* ---- the baseline: two switches and a 64-byte copy ---------------------- */

struct copy_pair {
    uint64_t host_sp;
    uint64_t fiber_sp;
    uint64_t request[COPY_MESSAGE_WORDS];
    uint64_t delivered[COPY_MESSAGE_WORDS];
};

static void copy_fiber_entry(void *arg)
{
    struct copy_pair *pair = arg;
    for (;;)
        bench_baseline_switch(&pair->fiber_sp, pair->host_sp);
}

static double copy_round_trip_ns(struct copy_pair *pair, unsigned iterations)
{
    uint64_t start_ns = bench_now_ns();
    for (unsigned i = 0; i < iterations; i++) {
        pair->request[0] = i;
        memcpy(pair->delivered, pair->request, sizeof pair->delivered);
        bench_baseline_switch(&pair->host_sp, pair->fiber_sp);
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    return (double)elapsed_ns / iterations;
}

static double baseline_round_trip_ns(void)
{
    struct copy_pair *pair = calloc(1, sizeof *pair);
    void *stack = aligned_alloc(4096, COPY_STACK_BYTES);
    if (pair == NULL || stack == NULL)
        bench_die("no memory for the RPC baseline");
    pair->fiber_sp = bench_baseline_stack_prepare(stack, COPY_STACK_BYTES, copy_fiber_entry,
                                                  pair);
    double samples_ns[BENCH_REPEATS];
    copy_round_trip_ns(pair, COPY_ITERATIONS / 10);
    for (int r = 0; r < BENCH_REPEATS; r++)
        samples_ns[r] = copy_round_trip_ns(pair, COPY_ITERATIONS);
    /* The fiber stays suspended forever: pair and stack are not freed. */
    return bench_median(samples_ns, BENCH_REPEATS);
}

/* ---- the real thing: a world with rpc_bench -------------------------------- */

struct rpc_world {
    struct sim *sim;
    struct scenario *scenario;
    struct trace_record *ring;
    bool echo;                  /* through a session at echo_server */
};

static void rpc_scenario_build(struct scenario *scenario, uint64_t rounds, bool echo)
{
    static const char parent_config[] = "start " RPC_BENCH_COMPONENT "\n";
    static const char echo_config[] = "start " RPC_BENCH_ECHO_COMPONENT "\nstart echo_server\n"
                                      "route ECHO echo_server\n";
    const char *config = echo ? echo_config : parent_config;
    const char *component = echo ? RPC_BENCH_ECHO_COMPONENT : RPC_BENCH_COMPONENT;
    char rounds_text[32];
    int length = snprintf(rounds_text, sizeof rounds_text, "%" PRIu64 "\n", rounds);
    memset(scenario, 0, sizeof *scenario);
    snprintf(scenario->name, sizeof scenario->name, "bench_rpc");
    snprintf(scenario->expect, sizeof scenario->expect,
             "[init -> %s] rpc_bench: %" PRIu64 " round trips", component, rounds);
    scenario->budget_steps = 2 * rounds + RPC_BUDGET_SLACK_STEPS;
    if (scenario_set_rom(scenario, "config", config, strlen(config)) != SCENARIO_OK ||
        scenario_set_rom(scenario, "rounds", rounds_text, (size_t)length) != SCENARIO_OK)
        bench_die("cannot build the RPC benchmark's scenario");
}

/* Wall time of one run with `rounds` round trips; the run must pass. */
static double rpc_run_ns(struct rpc_world *world, uint64_t rounds, struct sim_result *out)
{
    static const struct component_info components[] = {
        {.name = RPC_BENCH_COMPONENT, .main = rpc_bench_main},
        {.name = RPC_BENCH_ECHO_COMPONENT, .main = rpc_bench_echo_main},
    };
    rpc_scenario_build(world->scenario, rounds, world->echo);
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, world->ring, RPC_RING_RECORDS, NULL, NULL);
    struct sim_config config = {
        .scenario = world->scenario,
        .seed = RPC_SEED,
        .components = components,
        .component_count = sizeof components / sizeof components[0],
        .recorder = &recorder,
    };
    uint64_t start_ns = bench_now_ns();
    sim_run(world->sim, &config, out);
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    if (out->outcome != SIM_PASS)
        bench_die("the RPC world did not pass: %s %s", sim_outcome_name(out->outcome),
                  out->failure);
    return (double)elapsed_ns;
}

static void rpc_notes(const struct sim_result *full, const struct sim_result *empty,
                      double empty_ns)
{
    double rounds = RPC_ROUNDS;
    bench_note("%d round trips per run, medians of %d runs each; ring recorder (%d records, "
               "no sink), seed %d", RPC_ROUNDS, BENCH_REPEATS, RPC_RING_RECORDS, RPC_SEED);
    bench_note("per round trip: %.2f events, %.2f steps (kernel entries), %.2f choices drawn",
               (double)(full->events - empty->events) / rounds,
               (double)(full->steps - empty->steps) / rounds,
               (double)(full->choices - empty->choices) / rounds);
    bench_note("the 0-round run (boot, setup, exit): %.1f us, %" PRIu64 " events", empty_ns / 1e3,
               empty->events);
    bench_note("baseline: two hand-written switches + 64-byte copy (MACHINE_FACTS floor: "
               "15.8 ns)");
}

static void bench_rpc_pair(bool echo);

void bench_rpc_run(void)
{
    bench_rpc_pair(false);
    bench_rpc_pair(true);
}

static void bench_rpc_pair(bool echo)
{
    struct rpc_world world = {
        .echo = echo,
        .sim = sim_create(),
        .scenario = malloc(sizeof *world.scenario),
        .ring = malloc(RPC_RING_RECORDS * sizeof *world.ring),
    };
    if (world.sim == NULL || world.scenario == NULL || world.ring == NULL)
        bench_die("cannot set up the RPC benchmark's sim");

    double baseline_ns = baseline_round_trip_ns();
    double full_ns[BENCH_REPEATS];
    double marginal_ns[BENCH_REPEATS];
    double empty_ns[BENCH_REPEATS];
    struct sim_result full, empty;
    rpc_run_ns(&world, RPC_ROUNDS / 10, &full);   /* warm-up */
    for (int r = 0; r < BENCH_REPEATS; r++) {
        double run_ns = rpc_run_ns(&world, RPC_ROUNDS, &full);
        empty_ns[r] = rpc_run_ns(&world, 0, &empty);
        full_ns[r] = run_ns / RPC_ROUNDS;
        marginal_ns[r] = (run_ns - empty_ns[r]) / RPC_ROUNDS;
    }
    bench_report(echo ? "RPC to a sibling server (ECHO_ADD), run / rounds"
                      : "RPC round trip, whole run / rounds",
                 bench_median(full_ns, BENCH_REPEATS), "ns", baseline_ns);
    bench_report(echo ? "RPC to a sibling server, minus the 0-round run"
                      : "RPC round trip, minus the 0-round run",
                 bench_median(marginal_ns, BENCH_REPEATS), "ns", baseline_ns);
    rpc_notes(&full, &empty, bench_median(empty_ns, BENCH_REPEATS));
    free(world.ring);
    free(world.scenario);
    sim_destroy(world.sim);
}
