/*
 * core_pd.c - the PD service: protection domains as sessions.
 *
 * A PD session is a slot in core's session table whose capability is
 * badged like any session's; PD_START (decoded: a NUL-terminated name in
 * its words, an endpoint capability as the parent) starts the component
 * with core's PD factory, once per session. Closing the session destroys
 * the PD (core_pd_close). The donation must cover the PD's window.
 */
#include "core.h"

#include "duet/pd_session.h"

static const struct rpc_interface *pd_interface(void)
{
    RPC_INTERFACE_DEFINE(pd, "PD", PD_SESSION_RPCS);
    return &pd_interface;
}

void core_pd_dispatch(struct core *core, struct core_session *session,
                      const struct ipc_message *message, struct ipc_message *reply)
{
    const struct rpc_function *function = NULL;
    char name[COMPONENT_NAME_MAX];
    enum rpc_status status = rpc_decode(pd_interface(), message, &function);
    if (status == RPC_OK && !rpc_unpack_string(message->word, PD_NAME_WORDS, name, sizeof name))
        status = RPC_ERR_INVALID_ARGUMENT;
    if (status == RPC_OK && session->pd != CAP_INDEX_INVALID)
        status = RPC_ERR_IN_USE;   /* one PD per session */
    if (status == RPC_OK) {
        enum sys_error error = sys_pd_create(core->env->pd_factory, message->cap, name, false,
                                             &session->pd);
        status = error == SYS_OK                     ? RPC_OK
               : error == SYS_ERR_NO_SUCH_COMPONENT ? RPC_ERR_NO_SUCH_MODULE
               : error == SYS_ERR_DENIED            ? RPC_ERR_DENIED
                                                    : RPC_ERR_SESSION_LIMIT;
    }
    reply->label = status;
}

void core_pd_close(struct core_session *session)
{
    if (session->pd == CAP_INDEX_INVALID)
        return;
    enum sys_error error = sys_pd_destroy(session->pd);
    DUET_ASSERT(error == SYS_OK || error == SYS_ERR_STALE_CAP);
    sys_cap_delete(session->pd);
    session->pd = CAP_INDEX_INVALID;
}
