/*
 * bench_component.h - what the bench components see (bench-internal):
 * the shared first and last steps (bench_component.c), and each
 * component's entries, for the component tables of bench_*.c.
 *
 * The components use only the public framework API; this header must not
 * pull in the sim or anything else of the host side (that is bench.h).
 */
#ifndef DUET_BENCH_COMPONENT_H
#define DUET_BENCH_COMPONENT_H

#include "duet/env.h"
#include "duet/log_session.h"

/* What every bench component does first and last (bench_component.c):
 * opens LOG and reads N from the "rounds" ROM (decimal, at most
 * BENCH_ROUNDS_MAX); at the end logs "<name>: N round trips", the
 * scenario's success line, and exits. */
enum { BENCH_ROUNDS_MAX = 10000000, BENCH_COMPONENT_ROUNDS_TEXT_MAX = 32 };
struct bench_component {
    struct env *env;
    struct log_connection log;
    uint8_t rounds_text[BENCH_COMPONENT_ROUNDS_TEXT_MAX];
    uint64_t rounds;
};
bool bench_component_setup(struct bench_component *bench, struct env *env);
void bench_component_done(struct bench_component *bench, const char *name);

/* The components of the world benchmarks; *_thread: a further thread's
 * entry, listed in the component's `threads`. */
#define RPC_BENCH_COMPONENT "rpc_bench"
#define RPC_BENCH_ECHO_COMPONENT "rpc_bench_echo"
#define SIGNAL_BENCH_COMPONENT "signal_bench"
#define SEMAPHORE_BENCH_COMPONENT "semaphore_bench"
#define TIMER_BENCH_COMPONENT "timer_bench"
#define RM_BENCH_COMPONENT "rm_bench"
#define RM_BENCH_RESOLVED_COMPONENT "rm_bench_resolved"
#define RM_BENCH_ATTACH_COMPONENT "rm_bench_attach"
/* The period of timer_bench's alarm; the host side checks the virtual
 * time of a run against it. */
enum { TIMER_BENCH_PERIOD_US = 10 * 1000 };
void rpc_bench_main(struct env *env);
void rpc_bench_echo_main(struct env *env);
void signal_bench_main(struct env *env);
void signal_bench_thread(struct env *env, void *arg);
void semaphore_bench_main(struct env *env);
void semaphore_bench_thread(struct env *env, void *arg);
void timer_bench_main(struct env *env);
void rm_bench_main(struct env *env);
void rm_bench_fault_handler(struct env *env, void *arg);
void rm_bench_resolved_main(struct env *env);
void rm_bench_attach_main(struct env *env);

#endif
