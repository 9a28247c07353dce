/*
 * signal_bench_component.c - component "signal_bench": signals handed back
 * and forth between two threads, each submit delivered to a thread blocked
 * in sys_signal_wait (bench_signal.c).
 *
 * Setup: LOG and the "rounds" ROM (bench_component_setup), a CPU session,
 * two SIGNAL sessions (a session owns one receiver: one receiver per
 * thread) and a context on each, and the partner thread
 * (signal_bench_thread), which blocks on its receiver at once.
 *
 * A round is two handoffs:
 *   main:    submit(to_thread, 1)      partner: wait(its receiver) -> 1
 *   main:    wait(its receiver) -> 1   partner: submit(to_main, 1)
 * Each submit finds the other thread waiting (it has nothing else to do),
 * so every handoff is exactly one submit and one delivery to a blocked
 * waiter; in a canonical schedule (every choice 0) the submitter goes on
 * until it blocks in its own wait, which switches to the woken thread.
 * Every signal is checked: the right imprint, count 1.
 *
 * At the end the main thread kills the partner (which has returned from
 * its entry by then, or is about to) and logs "signal_bench: N round trips".
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench_component.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/parent.h"
#include "duet/signal_session.h"

enum {
    SIGNAL_BENCH_STACK_BYTES = 16 * 1024,
    SIGNAL_BENCH_IMPRINT_MAIN = 1,
    SIGNAL_BENCH_IMPRINT_THREAD = 2,
};

struct signal_bench {
    struct bench_component base;
    struct cpu_connection cpu;
    struct signal_connection to_main;     /* the receiver the main thread waits on */
    struct signal_connection to_thread;   /* the receiver the partner waits on     */
    cap_index_t main_context;             /* on to_main's receiver                 */
    cap_index_t thread_context;           /* on to_thread's receiver               */
    struct cpu_thread thread;
    void *stack;
};

/* Waits on `receiver` and checks that it got one signal of `imprint`. */
static void signal_take(cap_index_t receiver, uint64_t imprint)
{
    struct signal signal = {0};
    enum sys_error error = sys_signal_wait(receiver, true, &signal);
    DUET_ASSERT(error == SYS_OK);
    DUET_ASSERT(signal.imprint == imprint && signal.count == 1);
}

static void signal_give(cap_index_t context)
{
    enum sys_error error = sys_signal_submit(context, 1);
    DUET_ASSERT(error == SYS_OK);
}

void signal_bench_thread(struct env *env, void *arg)
{
    struct signal_bench *bench = arg;
    DUET_ASSERT(bench != NULL && bench->base.env == env);
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        signal_take(bench->to_thread.receiver, SIGNAL_BENCH_IMPRINT_THREAD);
        signal_give(bench->main_context);
    }
}

static bool signal_bench_setup(struct signal_bench *bench, struct env *env)
{
    if (!bench_component_setup(&bench->base, env) ||
        cpu_connection_open(env, &bench->cpu) != RPC_OK ||
        signal_connection_open(env, &bench->to_main) != RPC_OK ||
        signal_connection_open(env, &bench->to_thread) != RPC_OK ||
        signal_context_alloc(env, &bench->to_main, SIGNAL_BENCH_IMPRINT_MAIN,
                             &bench->main_context) != RPC_OK ||
        signal_context_alloc(env, &bench->to_thread, SIGNAL_BENCH_IMPRINT_THREAD,
                             &bench->thread_context) != RPC_OK)
        return false;
    bench->stack = env_alloc(env, SIGNAL_BENCH_STACK_BYTES);
    return bench->stack != NULL &&
           cpu_thread_create(env, bench->cpu.cap, &bench->thread, signal_bench_thread, bench,
                             bench->stack, SIGNAL_BENCH_STACK_BYTES) == RPC_OK;
}

void signal_bench_main(struct env *env)
{
    struct signal_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    if (!signal_bench_setup(bench, env)) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        signal_give(bench->thread_context);
        signal_take(bench->to_main.receiver, SIGNAL_BENCH_IMPRINT_MAIN);
    }
    enum rpc_status status = cpu_thread_kill(env, bench->cpu.cap, &bench->thread);
    DUET_ASSERT(status == RPC_OK);
    bench_component_done(&bench->base, SIGNAL_BENCH_COMPONENT);
}
