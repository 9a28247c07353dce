/*
 * thread_test.c - threads through a CPU session (scenarios/threads.scn).
 *
 *   1. Three workers, each with its own utcb, call the main thread over an
 *      endpoint of the component WORKER_CALLS times and write LOG lines
 *      meanwhile. The scheduler interleaves their calls in every order the
 *      seed asks for; each call carries (worker, sequence) and must arrive
 *      in order per worker, which a shared IPC buffer would break.
 *   2. Workers that returned from their entry have exited: killing them
 *      only frees their share, and the slots serve new threads.
 *   3. A thread blocked receiving, and one blocked waiting for the main
 *      thread's reply, are killed (cancel-blocking): the main thread's
 *      pending reply then finds nobody (SYS_ERR_NO_REPLY_PENDING).
 *   4. Refusals: an entry the image does not list (RPC_ERR_DENIED), a
 *      stack outside the window or too small (RPC_ERR_INVALID_ARGUMENT),
 *      a fifth thread beyond the session's donation (RPC_ERR_OUT_OF_CAPS),
 *      a handle that names no thread (RPC_ERR_OUT_OF_RANGE).
 *   5. Closing the session kills the threads it still has.
 */
#include "duet/assert.h"
#include "duet/components.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"

enum {
    WORKERS = 3,
    WORKER_CALLS = 5,
    STACK_BYTES = 16 * 1024,
    BADGE_WORKERS = 1,
    BADGE_CALLER = 2,
};

struct thread_test;

struct worker {
    struct thread_test *test;
    unsigned index;
};

struct thread_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    cap_index_t endpoint;        /* the main thread receives here       */
    cap_index_t workers_cap;     /* badged copy the workers call        */
    cap_index_t caller_endpoint; /* the caller thread calls here        */
    cap_index_t caller_cap;
    cap_index_t quiet_endpoint;  /* nobody ever sends here              */
    struct cpu_thread threads[CPU_SESSION_THREADS_MAX];
    struct worker workers[CPU_SESSION_THREADS_MAX];
    void *stacks[CPU_SESSION_THREADS_MAX];
};

static void expect_status(struct thread_test *test, const char *what, enum rpc_status got,
                          enum rpc_status want)
{
    if (got == want)
        return;
    log_write(test->env, test->log.cap, what);
    log_write(test->env, test->log.cap, rpc_status_name(got));
    DUET_ASSERT(got == want);
}

void thread_test_worker(struct env *env, void *arg)
{
    struct worker *worker = arg;
    struct thread_test *test = worker->test;
    DUET_ASSERT(utcb_self() == &test->threads[worker->index].utcb && utcb_self()->env == env);
    char line[48];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "worker ");
    text_append_u64(&text, worker->index);
    text_append(&text, " runs");
    DUET_ASSERT(log_write(env, test->log.cap, line) == RPC_OK);
    for (uint64_t sequence = 0; sequence < WORKER_CALLS; sequence++) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = 1, .word_count = 2,
                                  .word = {worker->index, sequence}};
        DUET_ASSERT(sys_call(test->workers_cap, m) == SYS_OK);
        /* The answer is ours alone: the main thread echoes the sequence. */
        DUET_ASSERT(m->word_count == 1 && m->word[0] == sequence + 1);
    }
}

/* Blocks receiving on an endpoint nobody sends to, until it is killed. */
void thread_test_sleeper(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    uint64_t badge = 0;
    (void)env;
    sys_reply_wait(test->quiet_endpoint, false, ipc_buffer(), &badge);
    hal_panic(__func__, "a killed thread ran on");
}

/* Calls the main thread once and waits for an answer that never comes. */
void thread_test_caller(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = 2};
    sys_call(test->caller_cap, m);
    hal_panic(__func__, "a killed thread ran on");
}

/* Not in the image's list of thread entries: creating a thread here is refused. */
static void thread_test_unlisted(struct env *env, void *arg)
{
    (void)env;
    (void)arg;
    hal_panic(__func__, "an unlisted entry ran");
}

static enum rpc_status spawn(struct thread_test *test, size_t slot, component_thread_fn entry,
                             void *arg)
{
    return cpu_thread_create(test->env, test->cpu.cap, &test->threads[slot], entry, arg,
                             test->stacks[slot], STACK_BYTES);
}

/* Step 1: WORKERS * WORKER_CALLS calls, in order per worker. The last
 * reply goes out as the main thread turns to the caller's endpoint. */
static void serve_workers(struct thread_test *test)
{
    uint64_t next[WORKERS] = {0};
    struct ipc_message *m = ipc_buffer();
    bool reply = false;
    for (unsigned received = 0; received < WORKERS * WORKER_CALLS; received++) {
        uint64_t badge = 0;
        DUET_ASSERT(sys_reply_wait(test->endpoint, reply, m, &badge) == SYS_OK);
        DUET_ASSERT(badge == BADGE_WORKERS && m->label == 1 && m->word_count == 2);
        uint64_t worker = m->word[0], sequence = m->word[1];
        DUET_ASSERT(worker < WORKERS && sequence == next[worker]);
        next[worker]++;
        *m = (struct ipc_message){.word_count = 1, .word = {sequence + 1}};
        reply = true;
    }
    for (unsigned w = 0; w < WORKERS; w++)
        DUET_ASSERT(next[w] == WORKER_CALLS);
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_wait(test->caller_endpoint, true, m, &badge) == SYS_OK);
    DUET_ASSERT(badge == BADGE_CALLER && m->label == 2);
}

void thread_test_main(struct env *env)
{
    struct thread_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &test->cpu) == RPC_OK);
    DUET_ASSERT(sys_endpoint_create(&test->endpoint) == SYS_OK);
    DUET_ASSERT(sys_endpoint_create(&test->caller_endpoint) == SYS_OK);
    DUET_ASSERT(sys_endpoint_create(&test->quiet_endpoint) == SYS_OK);
    DUET_ASSERT(sys_cap_mint(test->endpoint, BADGE_WORKERS, &test->workers_cap) == SYS_OK);
    DUET_ASSERT(sys_cap_mint(test->caller_endpoint, BADGE_CALLER, &test->caller_cap) == SYS_OK);
    for (size_t i = 0; i < CPU_SESSION_THREADS_MAX; i++) {
        test->stacks[i] = env_alloc(env, STACK_BYTES);
        DUET_ASSERT(test->stacks[i] != NULL);
        test->workers[i] = (struct worker){test, (unsigned)i};
    }

    /* 1. Workers and a caller: the session's four threads. */
    for (size_t w = 0; w < WORKERS; w++)
        expect_status(test, "create a worker", spawn(test, w, thread_test_worker, &test->workers[w]),
                      RPC_OK);
    expect_status(test, "create the caller", spawn(test, WORKERS, thread_test_caller, test), RPC_OK);
    struct cpu_thread fifth;
    expect_status(test, "a fifth thread",
                  cpu_thread_create(env, test->cpu.cap, &fifth, thread_test_sleeper, test,
                                    test->stacks[0], STACK_BYTES),
                  RPC_ERR_OUT_OF_CAPS);
    serve_workers(test);
    log_write(env, test->log.cap, "workers called in order, each with its own utcb");

    /* 3. The caller waits for our reply: kill it, and the reply finds nobody. */
    expect_status(test, "kill the caller",
                  cpu_thread_kill(env, test->cpu.cap, &test->threads[WORKERS]), RPC_OK);
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_wait(test->caller_endpoint, true, ipc_buffer(), &badge) ==
                SYS_ERR_NO_REPLY_PENDING);

    /* 2. Workers are done or about to be: killing frees their slots. */
    for (size_t w = 0; w < WORKERS; w++)
        expect_status(test, "kill a worker", cpu_thread_kill(env, test->cpu.cap, &test->threads[w]),
                      RPC_OK);
    test->threads[0].created = true;   /* the handle is stale now */
    expect_status(test, "kill a killed thread",
                  cpu_thread_kill(env, test->cpu.cap, &test->threads[0]), RPC_ERR_OUT_OF_RANGE);

    /* 3. A thread blocked receiving (or not yet blocked) is killed too. */
    expect_status(test, "create a sleeper", spawn(test, 0, thread_test_sleeper, test), RPC_OK);
    sys_yield();
    expect_status(test, "kill the sleeper",
                  cpu_thread_kill(env, test->cpu.cap, &test->threads[0]), RPC_OK);
    log_write(env, test->log.cap, "blocked threads killed, their calls cancelled");

    /* 4. Refusals, which leave the session's share untouched. */
    expect_status(test, "an unlisted entry", spawn(test, 0, thread_test_unlisted, test),
                  RPC_ERR_DENIED);
    expect_status(test, "a stack outside the window",
                  cpu_thread_create(env, test->cpu.cap, &test->threads[0], thread_test_sleeper,
                                    test, (void *)(uintptr_t)0x1000, STACK_BYTES),
                  RPC_ERR_INVALID_ARGUMENT);
    expect_status(test, "a stack too small",
                  cpu_thread_create(env, test->cpu.cap, &test->threads[0], thread_test_sleeper,
                                    test, test->stacks[0], 64),
                  RPC_ERR_INVALID_ARGUMENT);

    /* 5. Four sleepers again, then closing the session ends them. */
    for (size_t i = 0; i < CPU_SESSION_THREADS_MAX; i++)
        expect_status(test, "create a sleeper again", spawn(test, i, thread_test_sleeper, test),
                      RPC_OK);
    expect_status(test, "close the CPU session", cpu_connection_close(env, &test->cpu), RPC_OK);
    log_write(env, test->log.cap, "thread checks passed");
    parent_exit(env, 0);
}
