/*
 * bench_signal.c - signal submit -> delivery to a blocked waiter, through
 * the kernel, vs one hand-written switch.
 *
 * A world (bench_world.c) in which init starts "signal_bench"
 * (signal_bench_component.c): its main thread and a partner thread take
 * turns, each submitting to the other's signal context and then waiting
 * on its own receiver. A handoff is one sys_signal_submit that delivers
 * to a thread blocked in sys_signal_wait, and that thread running; a
 * round is two handoffs. The schedule is canonical (every choice 0, as on
 * bare metal): the submitter goes on until it blocks in its wait, so each
 * handoff is exactly 2 kernel entries and 1 thread switch, and checked to
 * wake a blocked waiter (bench_world_handoffs_report).
 *
 * Figures per handoff: the whole run / handoffs, and (run - the 0-round
 * run) / handoffs. Baseline: half of bench_baseline_round_trip_ns, the
 * RPC floor (two switches + a message copy per round trip).
 * Not measured: many contexts, counts above 1, signal handlers
 * (duet/signal_handler.h), SQLite recording.
 */
#include "bench.h"

enum {
    SIGNAL_ROUNDS = 100000,            /* 200,000 handoffs */
    SIGNAL_STEPS_PER_ROUND = 4,        /* 2 x (submit, wait) */
};

static const component_thread_fn signal_bench_threads[] = {signal_bench_thread, NULL};

static const struct component_info signal_components[] = {
    {.name = SIGNAL_BENCH_COMPONENT, .main = signal_bench_main, .threads = signal_bench_threads},
};

static const struct bench_world_spec signal_spec = {
    .scenario_name = "bench_signal",
    .component = SIGNAL_BENCH_COMPONENT,
    .config = "start " SIGNAL_BENCH_COMPONENT "\nroute CPU parent\nroute SIGNAL parent\n",
    .success_name = SIGNAL_BENCH_COMPONENT,
    .components = signal_components,
    .component_count = sizeof signal_components / sizeof signal_components[0],
    .steps_per_round = SIGNAL_STEPS_PER_ROUND,
    .canonical_schedule = true,
};

void bench_signal_run(void)
{
    bench_world_handoffs_report(&signal_spec, SIGNAL_ROUNDS,
                                "signal submit -> deliver, whole run / N",
                                "signal submit -> deliver, minus 0-round");
}
