/*
 * core_signal.c - the SIGNAL service: a receiver per session, contexts on it.
 *
 * core makes the session's receiver on the first request, with its PD
 * factory, and keeps the capability that may manage it; clients get a
 * wait-only copy (minted without SIGNAL_RIGHT_MANAGE). Each context is
 * paid for from the session's donation and counted, so that freeing it
 * (or closing the session) gives the share back. core keeps no
 * capability per context: the receiver's manage right is enough to
 * dissolve any of its contexts, and destroying the receiver dissolves
 * them all. A capability core hands out in a reply is dropped once the
 * reply is sent (core->reply_drop).
 */
#include "core.h"

#include "duet/signal_session.h"

static enum rpc_status receiver_ensure(struct core *core, struct core_session *session)
{
    if (session->signal_receiver != CAP_INDEX_INVALID)
        return RPC_OK;
    enum sys_error error = sys_signal_receiver_create(core->env->pd_factory,
                                                      &session->signal_receiver);
    return error == SYS_OK ? RPC_OK : RPC_ERR_OUT_OF_RESOURCES;
}

/* Answers with `cap`, which core drops once the reply is out. */
static void reply_with_cap(struct core *core, struct ipc_message *reply, cap_index_t cap)
{
    DUET_ASSERT(core->reply_drop == CAP_INDEX_INVALID);
    reply->cap = cap;
    core->reply_drop = cap;
}

static enum rpc_status signal_perform_SIGNAL_RECEIVER(void *server, void *session_arg,
                                                      const struct ipc_message *request,
                                                      struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    enum rpc_status status = receiver_ensure(core, session);
    if (status != RPC_OK)
        return status;
    cap_index_t wait_only = CAP_INDEX_INVALID;
    if (sys_cap_mint(session->signal_receiver, 0, &wait_only) != SYS_OK)
        return RPC_ERR_OUT_OF_RESOURCES;
    reply_with_cap(core, reply, wait_only);
    return RPC_OK;
}

static enum rpc_status signal_perform_SIGNAL_ALLOC_CONTEXT(void *server, void *session_arg,
                                                           const struct ipc_message *request,
                                                           struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    enum rpc_status status = receiver_ensure(core, session);
    if (status != RPC_OK)
        return status;
    if (session->signal_contexts == SIGNAL_SESSION_CONTEXTS_MAX)
        return RPC_ERR_OUT_OF_RESOURCES;
    if (!quota_take(&session->ram, SIGNAL_CONTEXT_RAM_COST))
        return RPC_ERR_OUT_OF_RAM;
    cap_index_t context = CAP_INDEX_INVALID;
    if (sys_signal_context_create(session->signal_receiver, request->word[0], &context) !=
        SYS_OK) {
        quota_give_back(&session->ram, SIGNAL_CONTEXT_RAM_COST);
        return RPC_ERR_OUT_OF_RESOURCES;
    }
    session->signal_contexts++;
    reply_with_cap(core, reply, context);
    return RPC_OK;
}

static enum rpc_status signal_perform_SIGNAL_FREE_CONTEXT(void *server, void *session_arg,
                                                          const struct ipc_message *request,
                                                          struct ipc_message *reply)
{
    struct core_session *session = session_arg;
    if (session->signal_receiver == CAP_INDEX_INVALID)
        return RPC_ERR_DENIED;   /* no context of this session exists */
    enum sys_error error = sys_signal_context_destroy(session->signal_receiver, request->cap);
    if (error == SYS_ERR_DENIED)
        return RPC_ERR_DENIED;   /* another session's context */
    if (error != SYS_OK)
        return RPC_ERR_INVALID_ARGUMENT;
    DUET_ASSERT(session->signal_contexts > 0);
    session->signal_contexts--;
    quota_give_back(&session->ram, SIGNAL_CONTEXT_RAM_COST);
    return RPC_OK;
}

#define SIGNAL_HANDLER(...) RPC_HANDLER(signal_perform, __VA_ARGS__)
static const struct rpc_handler signal_handlers[] = {SIGNAL_SESSION_RPCS(SIGNAL_HANDLER)};

void core_signal_dispatch(struct core *core, struct core_session *session,
                          const struct ipc_message *message, struct ipc_message *reply)
{
    rpc_dispatch(signal_handlers, DUET_ARRAY_COUNT(signal_handlers), core, session, message,
                 reply);
}

void core_signal_close(struct core_session *session)
{
    if (session->signal_receiver == CAP_INDEX_INVALID)
        return;
    enum sys_error error = sys_signal_receiver_destroy(session->signal_receiver);
    DUET_ASSERT(error == SYS_OK);
    sys_cap_delete(session->signal_receiver);
    session->signal_receiver = CAP_INDEX_INVALID;
    session->signal_contexts = 0;
}
