/*
 * controller.c - starts and kills its siblings at run time through init
 * (scenarios/runtime.scn; init's "control" option gives it the right):
 *   1. "hello" and "echo_server" are declared "manual": it starts both;
 *      starting a running one again is RPC_ERR_IN_USE;
 *   2. it uses echo_server through a routed session, then kills it: the
 *      session's capability goes stale (RPC_ERR_SERVER_GONE), killing it
 *      again is RPC_ERR_SERVER_GONE, and init has already returned the
 *      session's donation (closing it now is RPC_ERR_INVALID_SESSION);
 *   3. it starts echo_server again: a fresh instance serves;
 *   4. refusals: killing itself (RPC_ERR_DENIED), a name init does not
 *      know (RPC_ERR_NO_SUCH_MODULE).
 */
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"

static void use_echo(struct env *env, struct echo_connection *echo)
{
    uint64_t sum = 0;
    DUET_ASSERT(echo_connection_open(env, echo) == RPC_OK);
    DUET_ASSERT(echo_add(env, echo->cap, 20, 22, &sum) == RPC_OK && sum == 42);
}

void controller_main(struct env *env)
{
    struct log_connection log;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    DUET_ASSERT(parent_start_child(env, "hello") == RPC_OK);
    DUET_ASSERT(parent_start_child(env, "echo_server") == RPC_OK);
    DUET_ASSERT(parent_start_child(env, "echo_server") == RPC_ERR_IN_USE);
    log_write(env, log.cap, "started hello and echo_server at run time");

    struct echo_connection echo;
    use_echo(env, &echo);
    DUET_ASSERT(parent_kill_child(env, "echo_server") == RPC_OK);
    uint64_t sum = 0;
    DUET_ASSERT(echo_add(env, echo.cap, 1, 1, &sum) == RPC_ERR_SERVER_GONE);
    DUET_ASSERT(parent_kill_child(env, "echo_server") == RPC_ERR_SERVER_GONE);
    DUET_ASSERT(echo_connection_close(env, &echo) == RPC_ERR_INVALID_SESSION);
    log_write(env, log.cap, "killed echo_server: its session went with it");

    DUET_ASSERT(parent_start_child(env, "echo_server") == RPC_OK);
    use_echo(env, &echo);
    log_write(env, log.cap, "a restarted echo_server serves again");

    DUET_ASSERT(parent_kill_child(env, "controller") == RPC_ERR_DENIED);
    DUET_ASSERT(parent_start_child(env, "nobody") == RPC_ERR_NO_SUCH_MODULE);
    log_write(env, log.cap, "runtime control checks passed");
    parent_exit(env, 0);
}
