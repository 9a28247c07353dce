/*
 * timer_bench_component.c - component "timer_bench": a periodic alarm of
 * the timer service, waited for N times, so that the world is idle almost
 * all of its virtual time (bench_timer.c).
 *
 * Setup: LOG and the "rounds" ROM (bench_component_setup), a SIGNAL
 * session and one context on its receiver, a TIMER session (routed to the
 * timer component, which drives the PIT) that submits to that context.
 *
 * A round is one period of TIMER_BENCH_PERIOD_US:
 *   TIMER_TRIGGER_PERIODIC(period), then wait on the receiver until the
 *   counts of the signals add up to N; every thread is blocked between
 *   two alarms, so the sim jumps its virtual time to the PIT's deadline.
 * Checked: the imprint; the counts add up to exactly N (a count above 1
 * on the last signal would overshoot: a period handled late); and the
 * timer's clock says at least N periods and fewer than N + 1 passed
 * (never early, no drift). Then the alarm is disarmed and "timer_bench:
 * N round trips" logged: a "round trip" here is a period (the line every
 * bench component prints).
 * The 0-round run does the same with N = 0: arm, disarm, exit.
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench_component.h"
#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/signal_session.h"
#include "duet/timer_session.h"

enum { TIMER_BENCH_IMPRINT = 1 };

struct timer_bench {
    struct bench_component base;
    struct signal_connection signals;
    struct timer_connection timer;
    cap_index_t context;               /* on signals' receiver, given to the timer */
};

static uint64_t timer_bench_now_us(struct timer_bench *bench)
{
    uint64_t now_us = 0;
    enum rpc_status status = timer_elapsed_us(bench->base.env, bench->timer.cap, &now_us);
    DUET_ASSERT(status == RPC_OK);
    return now_us;
}

/* Waits for the next alarm; returns the periods it stands for (>= 1). */
static uint64_t timer_bench_take(struct timer_bench *bench)
{
    struct signal signal = {0};
    enum sys_error error = sys_signal_wait(bench->signals.receiver, true, &signal);
    DUET_ASSERT(error == SYS_OK);
    DUET_ASSERT(signal.imprint == TIMER_BENCH_IMPRINT && signal.count >= 1);
    return signal.count;
}

static bool timer_bench_setup(struct timer_bench *bench, struct env *env)
{
    return bench_component_setup(&bench->base, env) &&
           signal_connection_open(env, &bench->signals) == RPC_OK &&
           signal_context_alloc(env, &bench->signals, TIMER_BENCH_IMPRINT, &bench->context) ==
               RPC_OK &&
           timer_connection_open(env, &bench->timer) == RPC_OK &&
           timer_sigh(env, bench->timer.cap, bench->context) == RPC_OK;
}

void timer_bench_main(struct env *env)
{
    struct timer_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    if (!timer_bench_setup(bench, env)) {
        parent_exit(env, 1);
        return;
    }
    uint64_t rounds = bench->base.rounds;
    uint64_t start_us = timer_bench_now_us(bench);
    enum rpc_status status = timer_trigger_periodic(env, bench->timer.cap, TIMER_BENCH_PERIOD_US);
    DUET_ASSERT(status == RPC_OK);
    uint64_t periods = 0;
    while (periods < rounds)
        periods += timer_bench_take(bench);
    uint64_t elapsed_us = timer_bench_now_us(bench) - start_us;
    DUET_ASSERT(periods == rounds);
    DUET_ASSERT(elapsed_us >= rounds * TIMER_BENCH_PERIOD_US &&
                elapsed_us < (rounds + 1) * TIMER_BENCH_PERIOD_US);
    status = timer_trigger_periodic(env, bench->timer.cap, 0);
    DUET_ASSERT(status == RPC_OK);
    bench_component_done(&bench->base, TIMER_BENCH_COMPONENT);
}
