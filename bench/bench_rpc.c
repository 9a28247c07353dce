/*
 * bench_rpc.c - RPC round trip (call + reply across two PDs) through the
 * kernel, vs the floor of two hand-written switches plus a message copy.
 *
 * A world (bench_world.c) in which init starts the bench component
 * "rpc_bench" (rpc_bench_component.c), which makes N round trips to init.
 * Every kernel entry is also a scheduling point that asks hal_choice (a
 * choice of one candidate costs no PRNG draw and no event; on this path
 * every choice has one).
 *
 * Two figures per round trip: the whole run divided by N (boot of core,
 * init and the component included), and the run minus an identical run
 * with N = 0, divided by N (the marginal cost of one round trip).
 *
 * Baseline, in the same process (bench_baseline_round_trip_ns, also the
 * baseline of the signal and semaphore benchmarks): a ping-pong of two
 * fibers with the bench's hand-written switch, the caller copying a full
 * message's IPC_WORDS words before each switch: two switches and one copy
 * per round trip.
 *
 * bench_rpc_round_trip_marginal_ns measures the first world's marginal
 * figure alone: the baseline of the timer benchmark (bench_timer.c).
 *
 * Second pair of figures: the same through a session at a sibling server
 * (rpc_bench_echo -> echo_server, ECHO_ADD), the client/server path every
 * service call takes. Not measured: capability transfer, SQLite recording.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum {
    RPC_ROUNDS = 200000,
    RPC_STEPS_PER_ROUND = 2,            /* sys_call, sys_reply_wait */
    COPY_STACK_BYTES = 64 * 1024,
    COPY_ITERATIONS = 2000000,
    COPY_MESSAGE_WORDS = IPC_WORDS,     /* one full message */
};

/* ---- the baseline: two switches and a message copy ---------------------- */

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

double bench_baseline_round_trip_ns(void)
{
    struct copy_pair *pair = calloc(1, sizeof *pair);
    void *stack = aligned_alloc(4096, COPY_STACK_BYTES);
    if (pair == NULL || stack == NULL)
        bench_die("no memory for the round-trip baseline");
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

static const struct component_info rpc_components[] = {
    {.name = RPC_BENCH_COMPONENT, .main = rpc_bench_main},
    {.name = RPC_BENCH_ECHO_COMPONENT, .main = rpc_bench_echo_main},
};

static const struct bench_world_spec rpc_parent_spec = {
    .scenario_name = "bench_rpc",
    .component = RPC_BENCH_COMPONENT,
    .config = "start " RPC_BENCH_COMPONENT "\n",
    .success_name = "rpc_bench",
    .components = rpc_components,
    .component_count = sizeof rpc_components / sizeof rpc_components[0],
    .steps_per_round = RPC_STEPS_PER_ROUND,
};

static const struct bench_world_spec rpc_echo_spec = {
    .scenario_name = "bench_rpc",
    .component = RPC_BENCH_ECHO_COMPONENT,
    .config = "start " RPC_BENCH_ECHO_COMPONENT "\nstart echo_server\nroute ECHO echo_server\n",
    .success_name = "rpc_bench",
    .components = rpc_components,
    .component_count = sizeof rpc_components / sizeof rpc_components[0],
    .steps_per_round = RPC_STEPS_PER_ROUND,
};

static void bench_rpc_pair(const struct bench_world_spec *spec, bool echo)
{
    double baseline_ns = bench_baseline_round_trip_ns();
    struct bench_world_figures figures;
    bench_world_measure(spec, RPC_ROUNDS, &figures);
    bench_report(echo ? "RPC to a sibling server (ECHO_ADD), run / rounds"
                      : "RPC round trip, whole run / rounds",
                 figures.whole_ns, "ns", baseline_ns);
    bench_report(echo ? "RPC to a sibling server, minus the 0-round run"
                      : "RPC round trip, minus the 0-round run",
                 figures.marginal_ns, "ns", baseline_ns);
    bench_world_notes(&figures, 1, "round trip");
    bench_note("baseline: two hand-written switches + a %zu-byte copy (MACHINE_FACTS floor "
               "with 64 bytes: 15.8 ns)", sizeof(uint64_t) * COPY_MESSAGE_WORDS);
}

double bench_rpc_round_trip_marginal_ns(void)
{
    struct bench_world_figures figures;
    bench_world_measure(&rpc_parent_spec, RPC_ROUNDS, &figures);
    return figures.marginal_ns;
}

void bench_rpc_run(void)
{
    bench_rpc_pair(&rpc_parent_spec, false);
    bench_rpc_pair(&rpc_echo_spec, true);
}
