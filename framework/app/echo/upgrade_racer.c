/*
 * upgrade_racer.c - upgrades and closes at a child server while that
 * server calls init (scenarios/async_upgrades.scn).
 *
 * A helper thread sends ECHO_HOLD on one session: echo_server then calls
 * its parent (PARENT_EXIT) while holding that call. Meanwhile the main
 * thread upgrades and closes other sessions at the same server, after a
 * number of yields the schedule decides. Had init passed the upgrade or
 * the close on from its entrypoint, it would wait for a server that waits
 * for init; init's opener makes those calls, so every request gets an
 * answer: RPC_OK if the server took it in time, RPC_ERR_SERVER_GONE (or,
 * for a session the server's exit already took, RPC_ERR_INVALID_SESSION)
 * if not. A closed session's capability is stale at once either way.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"

enum { RACER_STACK = 16 * 1024, RACER_SESSIONS = 3 };

struct upgrade_racer {
    struct env *env;
    struct echo_connection held;
    volatile bool hold_returned;
    volatile enum sys_error hold_result;
};

void upgrade_racer_holder(struct env *env, void *arg)
{
    struct upgrade_racer *racer = arg;
    racer->hold_result = echo_hold(env, racer->held.cap);
    racer->hold_returned = true;
}

static bool answered(enum rpc_status status)
{
    return status == RPC_OK || status == RPC_ERR_SERVER_GONE || status == RPC_ERR_INVALID_SESSION;
}

void upgrade_racer_main(struct env *env)
{
    struct upgrade_racer *racer = env_alloc(env, sizeof *racer);
    void *stack = env_alloc(env, RACER_STACK);
    struct log_connection log;
    struct cpu_connection cpu;
    struct cpu_thread holder;
    struct echo_connection sessions[RACER_SESSIONS];
    DUET_ASSERT(racer != NULL && stack != NULL);
    racer->env = env;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &cpu) == RPC_OK);
    DUET_ASSERT(echo_connection_open(env, &racer->held) == RPC_OK);
    for (unsigned i = 0; i < RACER_SESSIONS; i++)
        DUET_ASSERT(echo_connection_open(env, &sessions[i]) == RPC_OK);
    DUET_ASSERT(cpu_thread_create(env, cpu.cap, &holder, upgrade_racer_holder, racer, stack,
                                  RACER_STACK) == RPC_OK);

    /* The race: the schedule decides where the server's exit falls. */
    for (unsigned i = 0; i < RACER_SESSIONS; i++) {
        enum rpc_status upgraded = echo_connection_upgrade(env, &sessions[i], 1024, 0);
        DUET_ASSERT(answered(upgraded));
        struct echo_session_cap closed = sessions[i].cap;
        cap_index_t copy = closed.index;
        enum rpc_status status = parent_close(env, sessions[i].id);
        DUET_ASSERT(answered(status));
        /* Stale at once, whether or not the server heard of it yet. */
        struct ipc_message probe = {.label = ECHO_ADD, .word_count = 2};
        enum sys_error error = sys_call(copy, &probe);
        DUET_ASSERT(error == SYS_ERR_STALE_CAP || error == SYS_ERR_SERVER_EXITED);
        sys_cap_delete(copy);
    }
    while (!racer->hold_returned)
        sys_yield();
    DUET_ASSERT(racer->hold_result == SYS_ERR_SERVER_EXITED);
    log_write(env, log.cap, "upgrades and closes raced the server's exit: all answered");
    parent_exit(env, 0);
}
