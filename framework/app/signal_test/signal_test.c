/*
 * signal_test.c - signals count, and dissolve drops (scenarios/signals.scn).
 *
 *   1. A fast sender thread submits SENDS signals to one context while the
 *      main thread, a slow receiver, yields between waits. The deliveries'
 *      counts add up to exactly SENDS: none lost, none invented; and
 *      nothing is pending afterwards.
 *   2. Many contexts on one receiver, dispatched by an entrypoint to
 *      their handlers: context i is submitted i + 1 times; each handler's
 *      total is exactly that.
 *   3. Dissolve: a context submitted to and freed before the receiver
 *      looks delivers nothing; submitting to it afterwards is
 *      SYS_ERR_STALE_CAP; another session's context cannot be freed here
 *      (RPC_ERR_DENIED).
 *   4. Closing a session whose receiver a thread waits on wakes that
 *      thread with SYS_ERR_STALE_CAP.
 */
#include "duet/assert.h"
#include "duet/components.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/signal_handler.h"
#include "duet/text.h"

enum {
    SENDS = 60,
    CONTEXTS = 8,
    STACK_BYTES = 16 * 1024,
    IMPRINT_FAST = 1,
    IMPRINT_DONE = 2,
};

struct signal_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct signal_connection signals;
    struct signal_connection other;
    struct signal_entrypoint entrypoint;
    cap_index_t fast, done;
    cap_index_t many[CONTEXTS];
    uint64_t received[CONTEXTS];
    struct cpu_thread sender;
    struct cpu_thread waiter;
    void *stacks[2];
    enum sys_error waiter_error;
};

static void line(struct signal_test *test, const char *text_line, uint64_t number)
{
    char buffer[96];
    struct text text;
    text_init(&text, buffer, sizeof buffer);
    text_append(&text, text_line);
    text_append_u64(&text, number);
    log_write(test->env, test->log.cap, buffer);
}

void signal_test_fast_sender(struct env *env, void *arg)
{
    struct signal_test *test = arg;
    (void)env;
    for (unsigned i = 0; i < SENDS; i++)
        DUET_ASSERT(sys_signal_submit(test->fast, 1) == SYS_OK);
    DUET_ASSERT(sys_signal_submit(test->done, 1) == SYS_OK);
}

void signal_test_many_sender(struct env *env, void *arg)
{
    struct signal_test *test = arg;
    (void)env;
    /* Round robin over the contexts until context i had i + 1 submits. */
    for (unsigned round = 0; round < CONTEXTS; round++)
        for (unsigned i = round; i < CONTEXTS; i++)
            DUET_ASSERT(sys_signal_submit(test->many[i], 1) == SYS_OK);
}

/* Waits on the other session's receiver until the session goes away. */
void signal_test_waiter(struct env *env, void *arg)
{
    struct signal_test *test = arg;
    (void)env;
    struct signal signal;
    test->waiter_error = sys_signal_wait(test->other.receiver, true, &signal);
    DUET_ASSERT(sys_signal_submit(test->done, 1) == SYS_OK);
}

static void count_handler(void *object, uint64_t count)
{
    *(uint64_t *)object += count;
}

static void fast_sender_slow_receiver(struct signal_test *test)
{
    uint64_t total = 0, deliveries = 0;
    bool done = false;
    DUET_ASSERT(cpu_thread_create(test->env, test->cpu.cap, &test->sender,
                                  signal_test_fast_sender, test, test->stacks[0],
                                  STACK_BYTES) == RPC_OK);
    while (!done || total < SENDS) {
        for (int i = 0; i < 3; i++)
            sys_yield();   /* a slow receiver */
        struct signal signal;
        DUET_ASSERT(sys_signal_wait(test->signals.receiver, true, &signal) == SYS_OK);
        DUET_ASSERT(signal.count >= 1);
        if (signal.imprint == IMPRINT_DONE) {
            DUET_ASSERT(signal.count == 1 && !done);
            done = true;
            continue;
        }
        DUET_ASSERT(signal.imprint == IMPRINT_FAST);
        total += signal.count;
        deliveries++;
        DUET_ASSERT(total <= SENDS);   /* none invented */
    }
    struct signal extra;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, false, &extra) == SYS_ERR_WOULD_BLOCK);
    DUET_ASSERT(deliveries >= 1 && deliveries <= SENDS);
    DUET_ASSERT(cpu_thread_kill(test->env, test->cpu.cap, &test->sender) == RPC_OK);
    line(test, "fast sender, slow receiver: all counted, deliveries ", deliveries);
}

static void many_contexts(struct signal_test *test)
{
    signal_entrypoint_init(&test->entrypoint, test->env, &test->signals);
    uint64_t expected_signals = 0;
    for (unsigned i = 0; i < CONTEXTS; i++) {
        DUET_ASSERT(signal_entrypoint_manage(&test->entrypoint, count_handler, &test->received[i],
                                             &test->many[i]) == RPC_OK);
        expected_signals += i + 1;
    }
    DUET_ASSERT(cpu_thread_create(test->env, test->cpu.cap, &test->sender,
                                  signal_test_many_sender, test, test->stacks[0],
                                  STACK_BYTES) == RPC_OK);
    uint64_t total = 0;
    while (total < expected_signals) {
        DUET_ASSERT(signal_entrypoint_dispatch_one(&test->entrypoint) == SYS_OK);
        total = 0;
        for (unsigned i = 0; i < CONTEXTS; i++)
            total += test->received[i];
    }
    for (unsigned i = 0; i < CONTEXTS; i++)
        DUET_ASSERT(test->received[i] == i + 1);
    DUET_ASSERT(cpu_thread_kill(test->env, test->cpu.cap, &test->sender) == RPC_OK);
    for (unsigned i = 0; i < CONTEXTS; i++)
        DUET_ASSERT(signal_entrypoint_dissolve(&test->entrypoint, test->many[i]) == RPC_OK);
    log_write(test->env, test->log.cap, "many contexts: each handler got exactly its count");
}

static void dissolve(struct signal_test *test)
{
    cap_index_t doomed = CAP_INDEX_INVALID;
    DUET_ASSERT(signal_context_alloc(test->env, &test->signals, 7, &doomed) == RPC_OK);
    DUET_ASSERT(sys_signal_submit(doomed, 3) == SYS_OK);
    DUET_ASSERT(signal_context_free(test->env, &test->signals, &doomed) == RPC_OK);
    struct signal signal;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, false, &signal) == SYS_ERR_WOULD_BLOCK);

    cap_index_t survivor = CAP_INDEX_INVALID, twin = CAP_INDEX_INVALID;
    DUET_ASSERT(signal_context_alloc(test->env, &test->signals, 8, &survivor) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(test->env, &test->signals, 9, &twin) == RPC_OK);
    DUET_ASSERT(sys_signal_submit(twin, 2) == SYS_OK);
    /* Free it with the bare request, keeping our capability to try it. */
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = SIGNAL_FREE_CONTEXT, .cap = twin};
    DUET_ASSERT(rpc_call(test->signals.cap.index, m) == RPC_OK);
    DUET_ASSERT(sys_signal_submit(twin, 1) == SYS_ERR_STALE_CAP);
    DUET_ASSERT(sys_cap_delete(twin) == SYS_OK);
    DUET_ASSERT(sys_signal_submit(survivor, 1) == SYS_OK);
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, false, &signal) == SYS_OK);
    DUET_ASSERT(signal.imprint == 8 && signal.count == 1);   /* the dissolved one never */

    cap_index_t foreign = CAP_INDEX_INVALID;
    DUET_ASSERT(signal_context_alloc(test->env, &test->other, 10, &foreign) == RPC_OK);
    DUET_ASSERT(signal_context_free(test->env, &test->signals, &foreign) == RPC_ERR_DENIED);
    DUET_ASSERT(signal_context_free(test->env, &test->other, &foreign) == RPC_OK);
    DUET_ASSERT(signal_context_free(test->env, &test->signals, &survivor) == RPC_OK);
    log_write(test->env, test->log.cap, "dissolved contexts deliver nothing");
}

static void close_wakes_waiter(struct signal_test *test)
{
    DUET_ASSERT(cpu_thread_create(test->env, test->cpu.cap, &test->waiter, signal_test_waiter,
                                  test, test->stacks[1], STACK_BYTES) == RPC_OK);
    sys_yield();
    DUET_ASSERT(signal_connection_close(test->env, &test->other) == RPC_OK);
    struct signal signal;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, true, &signal) == SYS_OK);
    DUET_ASSERT(signal.imprint == IMPRINT_DONE && signal.count == 1);
    DUET_ASSERT(test->waiter_error == SYS_ERR_STALE_CAP || test->waiter_error == SYS_ERR_INVALID_CAP);
    line(test, "closing the session woke its waiter, error ", test->waiter_error);
}

void signal_test_main(struct env *env)
{
    struct signal_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &test->cpu) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &test->signals) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &test->other) == RPC_OK);
    for (int i = 0; i < 2; i++)
        DUET_ASSERT((test->stacks[i] = env_alloc(env, STACK_BYTES)) != NULL);
    DUET_ASSERT(signal_context_alloc(env, &test->signals, IMPRINT_FAST, &test->fast) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &test->signals, IMPRINT_DONE, &test->done) == RPC_OK);

    fast_sender_slow_receiver(test);
    many_contexts(test);
    dissolve(test);
    close_wakes_waiter(test);
    log_write(env, test->log.cap, "signal checks passed");
    parent_exit(env, 0);
}
