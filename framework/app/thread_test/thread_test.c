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
 *   6. Sibling threads turned against the kernel (found by review): a
 *      thread's frame rewritten while it waits (the message pointer aimed
 *      elsewhere, the word count inflated), and one buffer used by both
 *      ends of a call. The kernel copies from and to the buffers it
 *      checked when the threads blocked, cuts the count, and goes on.
 *   7. A call queued through a capability that is then revoked is
 *      cancelled (SYS_ERR_STALE_CAP): it never reaches the server.
 *   8. Saved replies: the main thread takes a caller's reply into a
 *      capability, serves another call meanwhile, and a sibling thread
 *      answers through the capability; a used one is stale, and deleting
 *      an unused one wakes its caller with SYS_ERR_SERVER_EXITED.
 */
#include "duet/assert.h"
#include "duet/components.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"
#include "hal/kernel_entry.h"

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
    struct syscall_frame lured_frame;   /* step 6: a frame the main thread rewrites */
    struct ipc_message lured_buffer;
    struct ipc_message decoy;           /* where the rewritten pointer aims */
    struct ipc_message shared;          /* one buffer for both ends of a call */
    bool lured_waiting;
    struct ipc_message inflated;        /* a queued call's buffer, rewritten */
    bool inflated_queued;
    cap_index_t waker_cap;              /* step 7 */
    enum sys_error revoked_call;
    bool revoked_queued, revoked_done;
    cap_index_t saved_reply;            /* step 8 */
    enum sys_error saved_call;
    uint64_t saved_answer;
    bool saved_done, answerer_done;
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

static enum rpc_status spawn(struct thread_test *test, size_t slot, component_thread_fn entry,
                             void *arg)
{
    return cpu_thread_create(test->env, test->cpu.cap, &test->threads[slot], entry, arg,
                             test->stacks[slot], STACK_BYTES);
}

/* Step 6: waits for a call through a frame of its own, which the main
 * thread rewrites while it waits; then serves one call in `shared`. */
void thread_test_lured(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    test->lured_frame = (struct syscall_frame){
        .number = SYSCALL_REPLY_WAIT, .arg = {test->quiet_endpoint, 0},
        .message = &test->lured_buffer};
    test->lured_waiting = true;   /* no scheduling point until it blocks */
    hal_kernel_entry(&test->lured_frame);
    DUET_ASSERT(test->lured_frame.result[0] == SYS_OK && test->lured_buffer.label == 6 &&
                test->lured_buffer.word_count == 1 && test->lured_buffer.word[0] == 66);
    uint64_t badge = 0;
    /* The shared buffer: the request arrives in it, the answer leaves from it. */
    DUET_ASSERT(sys_reply_wait(test->quiet_endpoint, true, &test->shared, &badge) == SYS_OK);
    DUET_ASSERT(test->shared.label == 7 && test->shared.word[0] == 77);
    test->shared = (struct ipc_message){.label = 8, .word_count = 1, .word = {88}};
    sys_reply_wait(test->quiet_endpoint, true, &test->shared, &badge);
    hal_panic(__func__, "nobody calls a third time");
}

/* Step 6: calls the main thread with one word, and its buffer's count is
 * then inflated by the main thread while the call is queued. */
void thread_test_inflated(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    test->inflated = (struct ipc_message){.label = 3, .word_count = 1, .word = {33}};
    test->inflated_queued = true;   /* no scheduling point until it is queued */
    sys_call(test->workers_cap, &test->inflated);
    hal_panic(__func__, "a killed thread ran on");
}

/* Step 7: gets a capability in the main thread's answer and calls through
 * it; nobody waits there, so the call stays queued until it is revoked. */
void thread_test_revoked_caller(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = 20};
    DUET_ASSERT(sys_call(test->workers_cap, m) == SYS_OK);
    cap_index_t handed = m->cap;   /* derived from the main thread's copy */
    DUET_ASSERT(handed != CAP_INDEX_INVALID);
    *m = (struct ipc_message){.label = 21};
    test->revoked_queued = true;   /* no scheduling point until it is queued */
    test->revoked_call = sys_call(handed, m);
    test->revoked_done = true;
    sys_cap_delete(handed);
}

/* Step 7: wakes the main thread once the revoked caller is queued. */
void thread_test_waker(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    while (!test->revoked_queued)
        sys_yield();
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = 22};
    sys_call(test->waker_cap, m);
    hal_panic(__func__, "a killed thread ran on");
}

/* Step 8: calls the main thread and waits for an answer that comes, or
 * for the news that none will. */
void thread_test_saved_caller(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = 30};
    test->saved_call = sys_call(test->workers_cap, m);
    test->saved_answer = test->saved_call == SYS_OK ? m->word[0] : 0;
    test->saved_done = true;
    sys_thread_exit();
}

/* Step 8: answers through the saved reply, from another thread. */
void thread_test_answerer(struct env *env, void *arg)
{
    struct thread_test *test = arg;
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {31}};
    DUET_ASSERT(sys_reply_send(test->saved_reply, m) == SYS_OK);
    *m = (struct ipc_message){0};
    DUET_ASSERT(sys_reply_send(test->saved_reply, m) == SYS_ERR_STALE_CAP);   /* used */
    test->answerer_done = true;
    sys_thread_exit();
}

static void saved_replies(struct thread_test *test)
{
    struct ipc_message *m = ipc_buffer();
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_save(&test->saved_reply) == SYS_ERR_NO_REPLY_PENDING);
    /* Answered from another thread, while the main thread serves on. */
    test->saved_done = test->answerer_done = false;
    expect_status(test, "create the saved caller",
                  spawn(test, 0, thread_test_saved_caller, test), RPC_OK);
    DUET_ASSERT(sys_reply_wait(test->endpoint, false, m, &badge) == SYS_OK && m->label == 30);
    DUET_ASSERT(sys_reply_save(&test->saved_reply) == SYS_OK);
    expect_status(test, "create the answerer", spawn(test, 1, thread_test_answerer, test),
                  RPC_OK);
    while (!test->saved_done || !test->answerer_done)
        sys_yield();
    DUET_ASSERT(test->saved_call == SYS_OK && test->saved_answer == 31);
    DUET_ASSERT(sys_cap_delete(test->saved_reply) == SYS_OK);
    for (unsigned slot = 0; slot < 2; slot++)
        expect_status(test, "end a reply thread",
                      cpu_thread_kill(test->env, test->cpu.cap, &test->threads[slot]), RPC_OK);
    /* An unused saved reply deleted: its caller hears that nobody answers. */
    test->saved_done = false;
    expect_status(test, "create the saved caller again",
                  spawn(test, 0, thread_test_saved_caller, test), RPC_OK);
    DUET_ASSERT(sys_reply_wait(test->endpoint, false, m, &badge) == SYS_OK && m->label == 30);
    DUET_ASSERT(sys_reply_save(&test->saved_reply) == SYS_OK);
    DUET_ASSERT(sys_cap_delete(test->saved_reply) == SYS_OK);
    while (!test->saved_done)
        sys_yield();
    DUET_ASSERT(test->saved_call == SYS_ERR_SERVER_EXITED);
    expect_status(test, "end the saved caller",
                  cpu_thread_kill(test->env, test->cpu.cap, &test->threads[0]), RPC_OK);
    log_write(test->env, test->log.cap, "saved replies: answered from another thread, or ended");
}

/* Step 7, the main thread's side. */
static void revoked_while_queued(struct thread_test *test)
{
    cap_index_t spare = CAP_INDEX_INVALID, badged = CAP_INDEX_INVALID;
    DUET_ASSERT(sys_endpoint_create(&spare) == SYS_OK);
    DUET_ASSERT(sys_cap_mint(spare, 11, &badged) == SYS_OK);
    DUET_ASSERT(sys_cap_mint(test->quiet_endpoint, 12, &test->waker_cap) == SYS_OK);
    test->revoked_queued = test->revoked_done = false;
    expect_status(test, "create the revoked caller",
                  spawn(test, 0, thread_test_revoked_caller, test), RPC_OK);
    expect_status(test, "create the waker", spawn(test, 1, thread_test_waker, test), RPC_OK);
    struct ipc_message *m = ipc_buffer();
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_wait(test->endpoint, false, m, &badge) == SYS_OK && m->label == 20);
    /* Answer with the capability, and wait for the waker. */
    *m = (struct ipc_message){.cap = badged};
    DUET_ASSERT(sys_reply_wait(test->quiet_endpoint, true, m, &badge) == SYS_OK &&
                m->label == 22);
    DUET_ASSERT(!test->revoked_done);   /* its call is queued on `spare` */
    DUET_ASSERT(sys_cap_revoke(badged) == SYS_OK);
    /* The waker waits for our answer: end it, and the answer finds nobody. */
    expect_status(test, "kill the waker",
                  cpu_thread_kill(test->env, test->cpu.cap, &test->threads[1]), RPC_OK);
    DUET_ASSERT(sys_reply_wait(test->quiet_endpoint, true, m, &badge) ==
                SYS_ERR_NO_REPLY_PENDING);
    while (!test->revoked_done)
        sys_yield();
    DUET_ASSERT(test->revoked_call == SYS_ERR_STALE_CAP);
    expect_status(test, "kill the revoked caller",
                  cpu_thread_kill(test->env, test->cpu.cap, &test->threads[0]), RPC_OK);
    DUET_ASSERT(sys_cap_delete(badged) == SYS_OK && sys_cap_delete(test->waker_cap) == SYS_OK &&
                sys_cap_delete(spare) == SYS_OK);
    log_write(test->env, test->log.cap, "a call queued through a revoked capability is cancelled");
}

/* Step 6, the main thread's side. */
static void hostile_siblings(struct thread_test *test)
{
    cap_index_t quiet_cap = CAP_INDEX_INVALID;
    DUET_ASSERT(sys_cap_mint(test->quiet_endpoint, 9, &quiet_cap) == SYS_OK);
    test->decoy = (struct ipc_message){.label = 0xdecaf};
    expect_status(test, "create the lured thread", spawn(test, 0, thread_test_lured, test),
                  RPC_OK);
    while (!test->lured_waiting)
        sys_yield();
    /* It waits: aim its frame's message pointer at the decoy, and call. */
    test->lured_frame.message = &test->decoy;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = 6, .word_count = 1, .word = {66}};
    DUET_ASSERT(sys_call(quiet_cap, m) == SYS_OK);
    DUET_ASSERT(test->decoy.label == 0xdecaf);   /* the kernel wrote where it had checked */
    DUET_ASSERT(m->label == 0 && m->word_count == 0);   /* answered from the empty `shared` */
    /* A call whose request and reply buffer is the server's buffer. */
    test->shared = (struct ipc_message){.label = 7, .word_count = 1, .word = {77}};
    DUET_ASSERT(sys_call(quiet_cap, &test->shared) == SYS_OK);
    DUET_ASSERT(test->shared.label == 8 && test->shared.word[0] == 88);
    DUET_ASSERT(sys_cap_delete(quiet_cap) == SYS_OK);

    /* A call whose word count is inflated while it is queued: cut to IPC_WORDS. */
    test->inflated_queued = false;
    expect_status(test, "create the inflated caller", spawn(test, 1, thread_test_inflated, test),
                  RPC_OK);
    while (!test->inflated_queued)
        sys_yield();
    test->inflated.word_count = 100000;
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_wait(test->endpoint, false, m, &badge) == SYS_OK);
    DUET_ASSERT(badge == BADGE_WORKERS && m->label == 3 && m->word_count == IPC_WORDS);
    /* It waits for our answer: end it instead, and the answer finds nobody. */
    expect_status(test, "kill the inflated caller",
                  cpu_thread_kill(test->env, test->cpu.cap, &test->threads[1]), RPC_OK);
    DUET_ASSERT(sys_reply_wait(test->endpoint, true, m, &badge) == SYS_ERR_NO_REPLY_PENDING);
    expect_status(test, "kill the lured thread",
                  cpu_thread_kill(test->env, test->cpu.cap, &test->threads[0]), RPC_OK);
    log_write(test->env, test->log.cap, "the kernel used the buffers it checked, not the frames");
}

/* Not in the image's list of thread entries: creating a thread here is refused. */
static void thread_test_unlisted(struct env *env, void *arg)
{
    (void)env;
    (void)arg;
    hal_panic(__func__, "an unlisted entry ran");
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
                                    test, test->stacks[0], THREAD_STACK_MIN - 16),
                  RPC_ERR_INVALID_ARGUMENT);

    /* 6. Sibling threads against the kernel; 7. revocation of queued calls. */
    hostile_siblings(test);
    revoked_while_queued(test);
    /* 8. Saved replies. */
    saved_replies(test);

    /* 5. Four sleepers again, then closing the session ends them. */
    for (size_t i = 0; i < CPU_SESSION_THREADS_MAX; i++)
        expect_status(test, "create a sleeper again", spawn(test, i, thread_test_sleeper, test),
                      RPC_OK);
    expect_status(test, "close the CPU session", cpu_connection_close(env, &test->cpu), RPC_OK);
    log_write(env, test->log.cap, "thread checks passed");
    parent_exit(env, 0);
}
