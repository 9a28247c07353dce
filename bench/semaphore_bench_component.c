/*
 * semaphore_bench_component.c - component "semaphore_bench": two threads
 * ping-pong over two semaphores, each up waking a thread blocked in down
 * (bench_semaphore.c).
 *
 * Setup: LOG and the "rounds" ROM (bench_component_setup), a CPU session
 * and the partner thread (semaphore_bench_thread); both semaphores start
 * at 0 (FIFO; with one waiter the policy does not matter).
 *
 * A round is two handoffs:
 *   main:    up(to_thread)      partner: down(to_thread)
 *   main:    down(to_main)      partner: up(to_main)
 * Each up finds the other thread blocked in down (it has nothing else to
 * do): the up takes it from the waiter queue and wakes its blockade
 * (FUTEX_WAKE); the upper then blocks in its own down (FUTEX_WAIT), which
 * switches to the woken thread. The semaphores' locks are never contended
 * (nobody is preempted while holding one: scheduling happens only in
 * system calls), so they cost no system call. Every down checks its
 * ticket: the number of downs that blocked so far, so a down that did not
 * block (ticket 0) fails the run.
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench_component.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/parent.h"
#include "duet/semaphore.h"

enum { SEMAPHORE_BENCH_STACK_BYTES = 16 * 1024 };

struct semaphore_bench {
    struct bench_component base;
    struct cpu_connection cpu;
    struct semaphore to_main;      /* the main thread downs it  */
    struct semaphore to_thread;    /* the partner downs it      */
    struct cpu_thread thread;
    void *stack;
};

void semaphore_bench_thread(struct env *env, void *arg)
{
    struct semaphore_bench *bench = arg;
    DUET_ASSERT(bench != NULL && bench->base.env == env);
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        uint64_t ticket = semaphore_down(&bench->to_thread);
        DUET_ASSERT(ticket == round + 1);   /* it blocked, and in turn */
        semaphore_up(&bench->to_main);
    }
}

static bool semaphore_bench_setup(struct semaphore_bench *bench, struct env *env)
{
    if (!bench_component_setup(&bench->base, env) ||
        cpu_connection_open(env, &bench->cpu) != RPC_OK)
        return false;
    semaphore_init(&bench->to_main, 0, SEMAPHORE_FIFO);
    semaphore_init(&bench->to_thread, 0, SEMAPHORE_FIFO);
    bench->stack = env_alloc(env, SEMAPHORE_BENCH_STACK_BYTES);
    return bench->stack != NULL &&
           cpu_thread_create(env, bench->cpu.cap, &bench->thread, semaphore_bench_thread, bench,
                             bench->stack, SEMAPHORE_BENCH_STACK_BYTES) == RPC_OK;
}

void semaphore_bench_main(struct env *env)
{
    struct semaphore_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    if (!semaphore_bench_setup(bench, env)) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        semaphore_up(&bench->to_thread);
        uint64_t ticket = semaphore_down(&bench->to_main);
        DUET_ASSERT(ticket == round + 1);   /* it blocked, and in turn */
    }
    DUET_ASSERT(semaphore_count(&bench->to_main) == 0 &&
                semaphore_count(&bench->to_thread) == 0);
    enum rpc_status status = cpu_thread_kill(env, bench->cpu.cap, &bench->thread);
    DUET_ASSERT(status == RPC_OK);
    bench_component_done(&bench->base, SEMAPHORE_BENCH_COMPONENT);
}
