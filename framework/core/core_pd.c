/*
 * core_pd.c - the PD service: protection domains as sessions.
 *
 * A PD session is a slot in core's session table whose capability is
 * badged like any session's; PD_START (decoded: a NUL-terminated name in
 * its words, an endpoint capability as the parent) starts the component
 * with core's PD factory, once per session. Closing the session destroys
 * the PD (core_pd_close). The donation must cover the PD's boot area and
 * its address space (a region map, core_rm.c), which PD_ADDRESS_SPACE
 * hands out.
 */
#include "core.h"

#include "duet/pd_session.h"

static enum rpc_status pd_perform_PD_START(void *server, void *session_arg,
                                           const struct ipc_message *request,
                                           struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    char name[COMPONENT_NAME_MAX];
    if (!rpc_unpack_string(request->word, PD_NAME_WORDS, name, sizeof name))
        return RPC_ERR_INVALID_ARGUMENT;
    if (session->pd != CAP_INDEX_INVALID)
        return RPC_ERR_IN_USE;   /* one PD per session */
    uint16_t pd_id = 0;
    enum sys_error error = sys_pd_create_id(core->env->pd_factory, request->cap, name,
                                            &session->pd, &pd_id);
    if (error != SYS_OK)
        return error == SYS_ERR_NO_SUCH_COMPONENT ? RPC_ERR_NO_SUCH_MODULE
             : error == SYS_ERR_DENIED            ? RPC_ERR_DENIED
                                                  : RPC_ERR_SESSION_LIMIT;
    session->rm = core_address_space_create(core, pd_id, session->pd);
    /* RM sessions leave CORE_ADDRESS_SPACES_MAX slots, one per PD. */
    DUET_ASSERT(session->rm != NULL);
    return RPC_OK;
}

static enum rpc_status pd_perform_PD_ADDRESS_SPACE(void *server, void *session_arg,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    struct core_session *session = session_arg;
    if (session->rm == NULL)
        return RPC_ERR_OUT_OF_RANGE;   /* not started */
    reply->cap = session->rm->cap;
    return RPC_OK;
}

#define PD_HANDLER(...) RPC_HANDLER(pd_perform, __VA_ARGS__)
static const struct rpc_handler pd_handlers[] = {PD_SESSION_RPCS(PD_HANDLER)};

void core_pd_dispatch(struct core *core, struct core_session *session,
                      const struct ipc_message *message, struct ipc_message *reply)
{
    rpc_dispatch(pd_handlers, DUET_ARRAY_COUNT(pd_handlers), core, session, message, reply);
}

void core_pd_close(struct core *core, struct core_session *session)
{
    if (session->pd == CAP_INDEX_INVALID)
        return;
    core_rm_destroy(core, session->rm);
    session->rm = NULL;
    enum sys_error error = sys_pd_destroy(session->pd);
    DUET_ASSERT(error == SYS_OK || error == SYS_ERR_STALE_CAP);
    sys_cap_delete(session->pd);
    session->pd = CAP_INDEX_INVALID;
}
