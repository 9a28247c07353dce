/*
 * bench.h - what the files of duet_bench share (bench-internal).
 *
 * duet_bench prints one line per figure: its name, the median value with
 * its unit, the median of a baseline measured in the same process, and the
 * ratio "cost relative to the baseline" (time / baseline time, or baseline
 * rate / rate): 1.00 means as fast as the baseline, 2.00 twice as slow.
 *
 *   bench_report.c    clock, median, the output lines
 *   bench_switch.c    fiber switch: the sim's vs a hand-written baseline
 *   bench_world.c     build, run and time the worlds of the five below
 *   bench_rpc.c       RPC round trip through the kernel vs switches + copy
 *   bench_signal.c    signal submit -> delivery to a blocked waiter
 *   bench_semaphore.c semaphore up -> wake-up of a thread blocked in down
 *   bench_timer.c     time compression: virtual vs host time, timer idle
 *   bench_rm.c        RM faults, resolved faults, attach/detach vs host mmap
 *   bench_event.c     one trace event into the ring recorder vs a plain copy
 *   bench_store.c     trace events into SQLite: store API vs raw inserts
 *   bench_fuzz.c      execs/s of the core_rpc fuzz target
 *   bench_go.c        ucontext and goroutines (go_bench_component.c: its
 *                     framework side)
 *   bench_qemu.c      boot to end of every scenario on the bare-metal image
 *                     in QEMU, against an image that starts nothing
 *   bench_component.c       what every bench component does first and last
 *                           (bench_component.h: all the components see)
 *   rpc_bench_component.c   the components the RPC benchmark runs
 *   signal_bench_component.c     the component of the signal benchmark
 *   semaphore_bench_component.c  the component of the semaphore benchmark
 *   timer_bench_component.c      the component of the timer benchmark
 *   rm_bench_component.c         the components of the region-map benchmark
 *   baseline_switch_x86_64.S  the baseline switch
 *
 * Wall-clock time is read only here, on the host, around whole runs; it
 * never enters a simulated world.
 */
#ifndef DUET_BENCH_H
#define DUET_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "bench_component.h"
#include "duet/sim.h"

enum { BENCH_REPEATS = 5, BENCH_REPEATS_SLOW = 3 };

uint64_t bench_now_ns(void);
/* Sorts `values` in place and returns the median. */
double bench_median(double *values, size_t count);

/* One figure; baseline <= 0 prints "-" for baseline and ratio. A rate
 * (unit ending in "/s") gets the ratio baseline / value, a time value /
 * baseline. */
void bench_report(const char *name, double value, const char *unit, double baseline);
/* A line of context, printed indented under the figures. */
void bench_note(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Exits with status 1 after printing why: a benchmark that cannot run. */
_Noreturn void bench_die(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* The host side's assertion, on in every build (Release has NDEBUG). */
#define DUET_BENCH_CHECK(expr)                                                             \
    ((expr) ? (void)0 : bench_die("%s: check failed: %s", __func__, #expr))

/* Each measures and reports its figures. */
void bench_switch_run(void);
void bench_rpc_run(void);
void bench_signal_run(void);
void bench_semaphore_run(void);
void bench_timer_run(void);
void bench_rm_run(void);
void bench_event_run(void);
void bench_store_run(const char *temp_dir);
void bench_fuzz_run(void);
void bench_go_run(void);
/* Needs qemu-system-x86_64 and the baremetal preset (built when missing). */
void bench_qemu_run(const char *temp_dir);

/* Baseline of bench_switch and bench_rpc: the hand-written two-fiber
 * switch (baseline_switch_x86_64.S) and a stack prepared for it. */
void bench_baseline_switch(uint64_t *save_sp, uint64_t next_sp);
uint64_t bench_baseline_stack_prepare(void *stack_base, size_t stack_size,
                                      void (*entry)(void *arg), void *arg);

/* Baseline of the world benchmarks (bench_rpc.c): ns per round trip of a
 * ping-pong of two fibers with the hand-written switch, the caller copying
 * a full message's IPC_WORDS words each time: two switches and one copy. */
double bench_baseline_round_trip_ns(void);
/* Baseline of bench_timer.c: the marginal ns of one RPC round trip to
 * init (2 kernel entries) in its world (bench_rpc.c), without a report. */
double bench_rpc_round_trip_marginal_ns(void);

/* The sim's switch, exported by sim/fiber_switch_x86_64.S. */
void sim_fiber_switch(uint64_t *save_sp, uint64_t next_sp);

/* A world benchmark (bench_world.c): init starts `component` with
 * `config`; the component reads N from the "rounds" ROM, does N rounds
 * and logs "<success_name>: N round trips". */
struct bench_world_spec {
    const char *scenario_name;
    const char *component;
    const char *config;                       /* init's config ROM          */
    const char *success_name;
    const struct component_info *components;  /* the bench's own components */
    size_t component_count;
    uint64_t steps_per_round;                 /* kernel entries, for the budget */
    bool canonical_schedule;                  /* every choice 0, else seed 1 */
};

/* Per round, medians of BENCH_REPEATS pairs of runs. */
struct bench_world_figures {
    const struct bench_world_spec *spec;
    uint64_t rounds;
    double whole_ns;             /* whole run / rounds                 */
    double marginal_ns;          /* (run - the 0-round run) / rounds   */
    double empty_ns;             /* the 0-round run                    */
    struct sim_result full;      /* the last run with `rounds`         */
    struct sim_result empty;     /* the last run with 0                */
};

void bench_world_measure(const struct bench_world_spec *spec, uint64_t rounds,
                         struct bench_world_figures *out);
/* One more run of `spec` with `rounds` rounds, untimed, its trace through
 * a sink that counts events by kind: count[k] = events of hal_event_kind
 * k (the whole run, boot included); checked to add up to result.events. */
enum { BENCH_EVENT_KINDS_MAX = 64 };
struct bench_world_kinds {
    uint64_t count[BENCH_EVENT_KINDS_MAX];
    struct sim_result result;
};
void bench_world_count_kinds(const struct bench_world_spec *spec, uint64_t rounds,
                             struct bench_world_kinds *out);
/* Events of each kind per round, from two more untimed runs (`rounds`
 * and 0): out_per_round[k] = (count[k] of the first - of the second) /
 * rounds; exact for kinds that occur a whole number of times per round.
 * Kinds of the console (PORT_*, IRQ_*, IDLE) may be off by a few events
 * either way: each kernel entry moves virtual time, and with it the
 * UART's progress when a line is written. */
void bench_world_kinds_per_round(const struct bench_world_spec *spec, uint64_t rounds,
                                 double out_per_round[BENCH_EVENT_KINDS_MAX]);
/* The kinds as one note, "events per <unit_name>: KIND n, ...", leaving
 * out those that round to 0.00. */
void bench_world_kinds_note(const double per_round[BENCH_EVENT_KINDS_MAX],
                            const char *unit_name);
/* A ping-pong world (bench_signal.c, bench_semaphore.c): a round is
 * BENCH_HANDOFFS_PER_ROUND handoffs, each waking a thread blocked on the
 * other side (checked: bench_die if not). Reports ns per handoff, whole
 * run and marginal, against half of bench_baseline_round_trip_ns, and the
 * notes. `spec` must ask for the canonical schedule. */
enum { BENCH_HANDOFFS_PER_ROUND = 2 };
void bench_world_handoffs_report(const struct bench_world_spec *spec, uint64_t rounds,
                                 const char *figure_whole, const char *figure_marginal);
/* Context lines: rounds, events/steps/choices per unit (units_per_round
 * units of `unit_name` per round), the 0-round run. */
void bench_world_notes(const struct bench_world_figures *figures, uint64_t units_per_round,
                       const char *unit_name);

#endif
