/*
 * sync_test.c - semaphores, locks and blockades between threads
 * (scenarios/semaphores.scn).
 *
 *   1. FIFO semaphore, many consumers: CONSUMERS threads block in down;
 *      once all wait, the main thread ups one at a time and each woken
 *      consumer reports its ticket before the next up. Tickets must come
 *      back 1, 2, 3, ...: the order they blocked in.
 *   2. The same with the LIFO policy: tickets come back in reverse.
 *   3. A lock guards a read-yield-write increment by CONSUMERS threads:
 *      the total is exact, so no two were inside at once. Acquiring a
 *      held lock again is LOCK_ERR_DEADLOCK, releasing another thread's
 *      lock LOCK_ERR_NOT_OWNER.
 *   4. A blockade keeps a wake-up given before the block, and wakes a
 *      thread that blocked first.
 */
#include "duet/assert.h"
#include "duet/blockade.h"
#include "duet/components.h"
#include "duet/cpu_session.h"
#include "duet/lock.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/semaphore.h"

enum {
    CONSUMERS = CPU_SESSION_THREADS_MAX,
    ROUNDS = 20,
    STACK_BYTES = 16 * 1024,
};

struct sync_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct cpu_thread threads[CONSUMERS];
    void *stacks[CONSUMERS];
    struct semaphore items;       /* what consumers wait on             */
    struct semaphore reported;    /* a woken consumer reported a ticket */
    uint64_t ticket;
    struct lock lock;
    uint64_t counter;             /* guarded by lock                    */
    struct semaphore finished;
    struct lock held_by_main;
    enum lock_error foreign_release;
    struct blockade blockade;
};

void sync_test_consumer(struct env *env, void *arg)
{
    struct sync_test *test = arg;
    (void)env;
    uint64_t ticket = semaphore_down(&test->items);
    test->ticket = ticket;
    semaphore_up(&test->reported);
}

void sync_test_incrementer(struct env *env, void *arg)
{
    struct sync_test *test = arg;
    (void)env;
    for (unsigned round = 0; round < ROUNDS; round++) {
        DUET_ASSERT(lock_acquire(&test->lock) == LOCK_OK);
        uint64_t seen = test->counter;
        sys_yield();   /* a scheduling point inside the critical section */
        test->counter = seen + 1;
        DUET_ASSERT(lock_release(&test->lock) == LOCK_OK);
    }
    semaphore_up(&test->finished);
}

void sync_test_intruder(struct env *env, void *arg)
{
    struct sync_test *test = arg;
    (void)env;
    test->foreign_release = lock_release(&test->held_by_main);
    blockade_block(&test->blockade);   /* 4: blocks before the wake-up, or not */
    semaphore_up(&test->finished);
}

static void run_threads(struct sync_test *test, unsigned count, component_thread_fn entry)
{
    for (unsigned i = 0; i < count; i++)
        DUET_ASSERT(cpu_thread_create(test->env, test->cpu.cap, &test->threads[i], entry, test,
                                      test->stacks[i], STACK_BYTES) == RPC_OK);
}

static void kill_threads(struct sync_test *test, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        DUET_ASSERT(cpu_thread_kill(test->env, test->cpu.cap, &test->threads[i]) == RPC_OK);
}

/* 1 and 2: returns true if the tickets came back in the policy's order. */
static void wake_order(struct sync_test *test, enum semaphore_policy policy)
{
    semaphore_init(&test->items, 0, policy);
    semaphore_init(&test->reported, 0, SEMAPHORE_FIFO);
    run_threads(test, CONSUMERS, sync_test_consumer);
    while (semaphore_waiting(&test->items) < CONSUMERS)
        sys_yield();
    DUET_ASSERT(semaphore_count(&test->items) == -CONSUMERS);
    for (uint64_t i = 0; i < CONSUMERS; i++) {
        semaphore_up(&test->items);
        semaphore_down(&test->reported);
        uint64_t expected = policy == SEMAPHORE_FIFO ? i + 1 : CONSUMERS - i;
        DUET_ASSERT(test->ticket == expected);
    }
    DUET_ASSERT(semaphore_count(&test->items) == 0 && semaphore_waiting(&test->items) == 0);
    kill_threads(test, CONSUMERS);
}

static void locks(struct sync_test *test)
{
    lock_init(&test->lock);
    semaphore_init(&test->finished, 0, SEMAPHORE_FIFO);
    run_threads(test, CONSUMERS, sync_test_incrementer);
    for (unsigned i = 0; i < CONSUMERS; i++)
        semaphore_down(&test->finished);
    DUET_ASSERT(test->counter == CONSUMERS * ROUNDS);
    kill_threads(test, CONSUMERS);

    lock_init(&test->held_by_main);
    DUET_ASSERT(lock_acquire(&test->held_by_main) == LOCK_OK);
    DUET_ASSERT(lock_acquire(&test->held_by_main) == LOCK_ERR_DEADLOCK);
    blockade_init(&test->blockade);
    run_threads(test, 1, sync_test_intruder);
    sys_yield();
    blockade_wakeup(&test->blockade);
    semaphore_down(&test->finished);
    DUET_ASSERT(test->foreign_release == LOCK_ERR_NOT_OWNER);
    DUET_ASSERT(lock_release(&test->held_by_main) == LOCK_OK);
    kill_threads(test, 1);

    /* A wake-up before the block is kept. */
    blockade_init(&test->blockade);
    blockade_wakeup(&test->blockade);
    blockade_block(&test->blockade);
}

void sync_test_main(struct env *env)
{
    struct sync_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &test->cpu) == RPC_OK);
    for (unsigned i = 0; i < CONSUMERS; i++)
        DUET_ASSERT((test->stacks[i] = env_alloc(env, STACK_BYTES)) != NULL);

    wake_order(test, SEMAPHORE_FIFO);
    log_write(env, test->log.cap, "FIFO semaphore: consumers woke in the order they blocked");
    wake_order(test, SEMAPHORE_LIFO);
    log_write(env, test->log.cap, "LIFO semaphore: consumers woke in reverse order");
    locks(test);
    log_write(env, test->log.cap, "lock and blockade: exclusive, owned, no lost wake-up");
    log_write(env, test->log.cap, "sync checks passed");
    parent_exit(env, 0);
}
