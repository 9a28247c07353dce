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
 *   bench_rpc.c       RPC round trip through the kernel vs switches + copy
 *   bench_event.c     one trace event into the ring recorder vs a plain copy
 *   bench_store.c     trace events into SQLite: store API vs raw inserts
 *   bench_fuzz.c      execs/s of the core_rpc fuzz target
 *   rpc_bench_component.c   the component the RPC benchmark runs
 *   baseline_switch_x86_64.S  the baseline switch
 *
 * Wall-clock time is read only here, on the host, around whole runs; it
 * never enters a simulated world.
 */
#ifndef DUET_BENCH_H
#define DUET_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "duet/env.h"

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

/* Each measures and reports its figures. */
void bench_switch_run(void);
void bench_rpc_run(void);
void bench_event_run(void);
void bench_store_run(const char *temp_dir);
void bench_fuzz_run(void);

/* Baseline of bench_switch and bench_rpc: the hand-written two-fiber
 * switch (baseline_switch_x86_64.S) and a stack prepared for it. */
void bench_baseline_switch(uint64_t *save_sp, uint64_t next_sp);
uint64_t bench_baseline_stack_prepare(void *stack_base, size_t stack_size,
                                      void (*entry)(void *arg), void *arg);

/* The sim's switch, exported by sim/fiber_switch_x86_64.S. */
void sim_fiber_switch(uint64_t *save_sp, uint64_t next_sp);

/* The component of the RPC benchmark (rpc_bench_component.c). */
enum { RPC_BENCH_ROUNDS_MAX = 10000000 };
#define RPC_BENCH_COMPONENT "rpc_bench"
#define RPC_BENCH_ECHO_COMPONENT "rpc_bench_echo"
void rpc_bench_main(struct env *env);
void rpc_bench_echo_main(struct env *env);

#endif
