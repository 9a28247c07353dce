/*
 * leaving_server.c - a server that answers a session request and exits at
 * once, and its client (scenarios/leaving_server.scn). Regression for a
 * review finding: init's opener installed the session although its server
 * had gone while the opener called it, and closing it later made init
 * assert. The server answers with a capability that outlives it (its own
 * parent capability, an endpoint of init's), so the answer is delivered;
 * whether the session is then refused (RPC_ERR_SERVER_GONE: the server is
 * gone by the time init looks) or opened and then forgotten with its
 * server depends on the schedule. Either way init answers everything and
 * keeps its accounts (Q1, asserted after every request).
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/root.h"

void leaving_server_main(struct env *env)
{
    cap_index_t endpoint = CAP_INDEX_INVALID, root = CAP_INDEX_INVALID;
    if (sys_endpoint_create(&endpoint) != SYS_OK || sys_cap_mint(endpoint, 1, &root) != SYS_OK ||
        parent_announce(env, "LEAVING", root) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    struct ipc_message *m = ipc_buffer();
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(endpoint, false, m, &badge) != SYS_OK || m->label != ROOT_SESSION)
            continue;
        cap_index_t reply = CAP_INDEX_INVALID;
        if (sys_reply_save(&reply) != SYS_OK)
            continue;
        *m = (struct ipc_message){.label = RPC_OK, .word_count = 1, .word = {0},
                                  .cap = env->parent};
        sys_reply_send(reply, m);
        sys_cap_delete(reply);
        parent_exit(env, 0);   /* while init's opener takes the answer */
    }
}

void leaving_client_main(struct env *env)
{
    struct log_connection log;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    cap_index_t session = CAP_INDEX_INVALID;
    uint64_t id = 0;
    enum rpc_status status = parent_session(env, "LEAVING", "", &session, &id);
    DUET_ASSERT(status == RPC_OK || status == RPC_ERR_SERVER_GONE);
    if (status == RPC_OK) {
        enum rpc_status closed = parent_close(env, id);
        DUET_ASSERT(closed == RPC_OK || closed == RPC_ERR_INVALID_SESSION);
        sys_cap_delete(session);
    }
    /* init still serves, and the server is gone. */
    status = parent_session(env, "LEAVING", "", &session, &id);
    DUET_ASSERT(status == RPC_ERR_SERVER_GONE);
    DUET_ASSERT(log_write(env, log.cap, "a server that left while answering: init survived") ==
                RPC_OK);
    parent_exit(env, 0);
}
