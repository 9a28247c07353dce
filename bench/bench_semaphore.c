/*
 * bench_semaphore.c - semaphore up -> wake-up of a thread blocked in down,
 * through the kernel's futexes, vs one hand-written switch.
 *
 * A world (bench_world.c) in which init starts "semaphore_bench"
 * (semaphore_bench_component.c): its main thread and a partner thread
 * ping-pong over two semaphores (main: up s1, down s2; partner: down s1,
 * up s2). A handoff is one semaphore_up that wakes a thread blocked in
 * semaphore_down (FUTEX_WAKE), the upper blocking in its own down
 * (FUTEX_WAIT), and the woken thread running; a round is two handoffs.
 * Canonical schedule (every choice 0), as for signals: each handoff is 2
 * kernel entries and 1 thread switch, checked to wake a blocked thread
 * (and each down checks its ticket).
 *
 * Figures per handoff: the whole run / handoffs, and (run - the 0-round
 * run) / handoffs. Baseline: half of bench_baseline_round_trip_ns.
 * Not measured: contended semaphore locks, several waiters, LIFO.
 */
#include "bench.h"

enum {
    SEMAPHORE_ROUNDS = 100000,         /* 200,000 handoffs */
    SEMAPHORE_STEPS_PER_ROUND = 4,     /* 2 x (FUTEX_WAKE, FUTEX_WAIT) */
};

static const component_thread_fn semaphore_bench_threads[] = {semaphore_bench_thread, NULL};

static const struct component_info semaphore_components[] = {
    {.name = SEMAPHORE_BENCH_COMPONENT, .main = semaphore_bench_main,
     .threads = semaphore_bench_threads},
};

static const struct bench_world_spec semaphore_spec = {
    .scenario_name = "bench_semaphore",
    .component = SEMAPHORE_BENCH_COMPONENT,
    .config = "start " SEMAPHORE_BENCH_COMPONENT "\nroute CPU parent\n",
    .success_name = SEMAPHORE_BENCH_COMPONENT,
    .components = semaphore_components,
    .component_count = sizeof semaphore_components / sizeof semaphore_components[0],
    .steps_per_round = SEMAPHORE_STEPS_PER_ROUND,
    .canonical_schedule = true,
};

void bench_semaphore_run(void)
{
    bench_world_handoffs_report(&semaphore_spec, SEMAPHORE_ROUNDS,
                                "semaphore up -> down, whole run / N",
                                "semaphore up -> down, minus 0-round run");
}
