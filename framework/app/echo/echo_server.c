/*
 * echo_server.c - a component that provides a service to its siblings.
 *
 * It announces ECHO to its parent with a root capability (badge
 * ECHO_BADGE_ROOT), then serves one endpoint:
 *   root calls      ROOT_SESSION: parse the arguments strictly, check the
 *                   donation covers the session's cost, take a session
 *                   slot, answer with a capability badged with it;
 *                   ROOT_UPGRADE: more quota for the session;
 *                   ROOT_CLOSE: revoke that capability, free the slot;
 *   session calls   ECHO_ADD answers a + b; ECHO_RESERVE spends from the
 *                   session's donation, never beyond; ECHO_HOLD never answers: the
 *                   server exits instead, so the caller is left blocked on
 *                   a server that goes away (the kernel must cancel it).
 * Every request is decoded against its interface before it is performed.
 */
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/quota.h"
#include "duet/root.h"

enum {
    ECHO_SESSIONS_MAX = 8,
    ECHO_BADGE_ROOT = 1u << 16,
    ECHO_BADGE_SESSION = 1u << 17,
};

struct echo_session {
    cap_index_t cap;                /* our copy; CAP_INDEX_INVALID = free slot */
    struct quota_account ram;       /* the client's donation, spent from    */
};

struct echo_server {
    struct env *env;
    struct log_connection log;
    cap_index_t endpoint;
    struct echo_session sessions[ECHO_SESSIONS_MAX];
};

/* ---- the root interface: sessions -------------------------------------- */

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct echo_server *s = server;
    uint64_t ram = 0, caps = 0;
    enum rpc_status status = root_session_decode(request, ECHO_SESSION_RAM_COST,
                                                 ECHO_SESSION_CAP_COST, &ram, &caps);
    if (status != RPC_OK)
        return status;
    for (uint64_t id = 0; id < ECHO_SESSIONS_MAX; id++) {
        struct echo_session *session = &s->sessions[id];
        if (session->cap != CAP_INDEX_INVALID)
            continue;
        if (sys_cap_mint(s->endpoint, ECHO_BADGE_SESSION | id, &session->cap) != SYS_OK)
            return RPC_ERR_SESSION_LIMIT;
        session->ram = (struct quota_account){.limit = ram, .used = ECHO_SESSION_RAM_COST};
        reply->cap = session->cap;
        reply->word_count = 1;
        reply->word[0] = id;
        return RPC_OK;
    }
    return RPC_ERR_SESSION_LIMIT;
}

static struct echo_session *session_of(struct echo_server *s, uint64_t id)
{
    return id < ECHO_SESSIONS_MAX && s->sessions[id].cap != CAP_INDEX_INVALID ? &s->sessions[id]
                                                                               : NULL;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct echo_server *s = server;
    struct echo_session *session = session_of(s, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    sys_cap_revoke(session->cap);
    sys_cap_delete(session->cap);
    *session = (struct echo_session){.cap = CAP_INDEX_INVALID};
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct echo_session *session = session_of(server, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    return quota_raise(&session->ram, request->word[1]) ? RPC_OK : RPC_ERR_INVALID_ARGUMENT;
}

/* ---- the ECHO interface --------------------------------------------------- */

static enum rpc_status echo_perform_ECHO_ADD(void *server, void *session,
                                             const struct ipc_message *request,
                                             struct ipc_message *reply)
{
    reply->word_count = 1;
    reply->word[0] = request->word[0] + request->word[1];
    return RPC_OK;
}

static enum rpc_status echo_perform_ECHO_RESERVE(void *server, void *session,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct echo_session *echo = session;
    return quota_take(&echo->ram, request->word[0]) ? RPC_OK : RPC_ERR_OUT_OF_RAM;
}

static enum rpc_status echo_perform_ECHO_HOLD(void *server, void *session,
                                              const struct ipc_message *request,
                                              struct ipc_message *reply)
{
    struct echo_server *s = server;
    log_write(s->env, s->log.cap, "holding a call and exiting without an answer");
    parent_exit(s->env, 0); /* the parent destroys us: this never returns */
    return RPC_ERR_SERVER_GONE;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define ECHO_HANDLER(...) RPC_HANDLER(echo_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler echo_handlers[] = {ECHO_SESSION_RPCS(ECHO_HANDLER)};

/* `log_late`: announce first and only then open the LOG session, a call to
 * the parent while a client's session request may already be on its way
 * here (scenarios/async_sessions.scn): the parent must not be waiting on
 * our root then. */
static void echo_serve(struct env *env, bool log_late)
{
    struct echo_server *s = env_alloc(env, sizeof *s);
    DUET_ASSERT(s != NULL);
    s->env = env;
    for (size_t id = 0; id < ECHO_SESSIONS_MAX; id++)
        s->sessions[id].cap = CAP_INDEX_INVALID;
    /* Short of resources a server says so and exits: that is a condition
     * of the world, not a broken invariant of ours. */
    cap_index_t root = CAP_INDEX_INVALID;
    if ((!log_late && log_connection_open(env, &s->log) != RPC_OK) ||
        sys_endpoint_create(&s->endpoint) != SYS_OK ||
        sys_cap_mint(s->endpoint, ECHO_BADGE_ROOT, &root) != SYS_OK ||
        parent_announce(env, "ECHO", root) != RPC_OK ||
        (log_late && log_connection_open(env, &s->log) != RPC_OK)) {
        parent_exit(env, 1);
        return;
    }

    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(s->endpoint, reply, message, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        struct echo_session *session = (badge & ECHO_BADGE_SESSION) ? session_of(s, badge & 0xffff)
                                                                     : NULL;
        if (badge == ECHO_BADGE_ROOT)
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), s, NULL, &request,
                         message);
        else if (session != NULL)
            rpc_dispatch(echo_handlers, DUET_ARRAY_COUNT(echo_handlers), s, session, &request,
                         message);
        else
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        if (request.cap != CAP_INDEX_INVALID)
            sys_cap_delete(request.cap);
        reply = true;
    }
}

void echo_server_main(struct env *env)
{
    echo_serve(env, false);
}

void echo_late_server_main(struct env *env)
{
    echo_serve(env, true);
}
