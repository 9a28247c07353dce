/*
 * echo_client.c - uses ECHO from a sibling, as init's config routes it, and
 * checks what a client must see (scenarios/routing.scn):
 *   1. a session at the sibling: 100 additions, each answered correctly;
 *   2. a service with no route is refused by name (RPC_ERR_DENIED);
 *   3. a closed session's capability is stale; a new one works;
 *   4. blocked in a call while the server exits: the kernel wakes us with
 *      SYS_ERR_SERVER_EXITED, and the session is then gone for good.
 */
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"

enum { ECHO_CLIENT_ROUNDS = 100 };

void echo_client_main(struct env *env)
{
    struct log_connection log;
    struct echo_connection echo;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    DUET_ASSERT(echo_connection_open(env, &echo) == RPC_OK);
    for (uint64_t i = 1; i <= ECHO_CLIENT_ROUNDS; i++) {
        uint64_t sum = 0;
        DUET_ASSERT(echo_add(env, echo.cap, i, 2 * i, &sum) == RPC_OK && sum == 3 * i);
    }
    log_write(env, log.cap, "100 additions answered by the sibling");

    cap_index_t secret = CAP_INDEX_INVALID;
    uint64_t id = 0;
    DUET_ASSERT(parent_session(env, "SECRET", "", &secret, &id) == RPC_ERR_DENIED);
    log_write(env, log.cap, "a service without a route is denied");

    struct echo_session_cap closed = echo.cap;
    DUET_ASSERT(parent_close(env, echo.id) == RPC_OK);
    struct ipc_message probe = {.label = ECHO_ADD, .word_count = 2};
    DUET_ASSERT(sys_call(closed.index, &probe) == SYS_ERR_STALE_CAP);
    sys_cap_delete(closed.index);
    DUET_ASSERT(echo_connection_open(env, &echo) == RPC_OK);

    DUET_ASSERT(echo_hold(env, echo.cap) == SYS_ERR_SERVER_EXITED);
    uint64_t sum = 0;
    DUET_ASSERT(echo_add(env, echo.cap, 1, 1, &sum) == RPC_ERR_SERVER_GONE);
    struct echo_connection again;
    DUET_ASSERT(echo_connection_open(env, &again) == RPC_ERR_SERVER_GONE);
    log_write(env, log.cap, "the server exited while we were blocked: call cancelled");
    log_write(env, log.cap, "routing checks passed");
    parent_exit(env, 0);
}
