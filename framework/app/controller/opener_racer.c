/*
 * opener_racer.c - races against init's opener thread (scenarios/opener_races.scn).
 *
 * A helper thread asks init for an ECHO session, which init's opener opens
 * at echo_server while this component's main thread, with init's "control"
 * right, interferes (found by review; each used to cost its client the
 * donation, so init's quota invariant Q1 failed and init died):
 *   A. the helper, waiting for its answer, is killed;
 *   B. echo_server is killed while the opener is calling it;
 *   C. echo_server is killed and restarted, repeatedly, meanwhile.
 * After each round a request to init (asserting Q1 there) must get a
 * named answer. The oracle is that init survives all of it: the last line
 * is logged only if every request was answered.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"

enum { RACER_ROUNDS = 6, RACER_STACK = THREAD_STACK_MIN, RACER_PENDING = -1 };

struct opener_racer {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct cpu_thread helper;
    struct echo_connection echo;    /* the helper's, if it got one */
    uint32_t never;                 /* the helper sleeps on it when done: in the
                                       kernel, so killing it leaves nothing behind
                                       (a semaphore's waiter would stay queued) */
    int status;                     /* the helper's answer, or RACER_PENDING */
    void *stack;                    /* the helper's; each is killed before the next */
};

void opener_racer_helper(struct env *env, void *arg)
{
    struct opener_racer *racer = arg;
    racer->status = (int)echo_connection_open(env, &racer->echo);
    for (;;)
        sys_futex_wait(&racer->never, 0);
}

static void helper_start(struct opener_racer *racer)
{
    racer->status = RACER_PENDING;
    DUET_ASSERT(cpu_thread_create(racer->env, racer->cpu.cap, &racer->helper,
                                  opener_racer_helper, racer, racer->stack,
                                  RACER_STACK) == RPC_OK);
}

static void spin(unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++)
        sys_yield();
}

static void helper_wait(struct opener_racer *racer)
{
    while (racer->status == RACER_PENDING)
        sys_yield();
}

/* Every answer of init is a named status, and init is still there. */
static void init_answers(enum rpc_status status)
{
    DUET_ASSERT(status < RPC_STATUS_COUNT && status != RPC_ERR_TRANSPORT);
}

void opener_racer_main(struct env *env)
{
    struct opener_racer *racer = env_alloc(env, sizeof *racer);
    DUET_ASSERT(racer != NULL);
    racer->env = env;
    DUET_ASSERT((racer->stack = env_alloc(env, RACER_STACK)) != NULL);
    DUET_ASSERT(log_connection_open(env, &racer->log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &racer->cpu) == RPC_OK);

    /* A. The waiting helper is killed. */
    init_answers(parent_start_child(env, "echo_server"));
    for (unsigned round = 0; round < RACER_ROUNDS; round++) {
        helper_start(racer);
        spin(round);
        DUET_ASSERT(cpu_thread_kill(env, racer->cpu.cap, &racer->helper) == RPC_OK);
        if (racer->status == RPC_OK)
            init_answers(echo_connection_close(env, &racer->echo));
        init_answers(parent_start_child(env, "echo_server"));
    }
    log_write(env, racer->log.cap, "A: helpers killed while their session was opening");

    /* B. The server is killed while the opener calls it. */
    for (unsigned round = 0; round < RACER_ROUNDS; round++) {
        init_answers(parent_start_child(env, "echo_server"));
        helper_start(racer);
        spin(round);
        init_answers(parent_kill_child(env, "echo_server"));
        helper_wait(racer);
        if (racer->status == RPC_OK)
            init_answers(echo_connection_close(env, &racer->echo));
        DUET_ASSERT(cpu_thread_kill(env, racer->cpu.cap, &racer->helper) == RPC_OK);
    }
    log_write(env, racer->log.cap, "B: servers killed while a session was opening there");

    /* C. The server is killed and restarted, again and again, meanwhile. */
    for (unsigned round = 0; round < RACER_ROUNDS; round++) {
        init_answers(parent_start_child(env, "echo_server"));
        helper_start(racer);
        for (unsigned again = 0; again < 3; again++) {
            spin(round);
            init_answers(parent_kill_child(env, "echo_server"));
            init_answers(parent_start_child(env, "echo_server"));
        }
        helper_wait(racer);
        if (racer->status == RPC_OK)
            init_answers(echo_connection_close(env, &racer->echo));
        DUET_ASSERT(cpu_thread_kill(env, racer->cpu.cap, &racer->helper) == RPC_OK);
        init_answers(parent_kill_child(env, "echo_server"));
    }
    log_write(env, racer->log.cap, "C: servers restarted while a session was opening");
    log_write(env, racer->log.cap, "init survived the opener races");
    parent_exit(env, 0);
}
