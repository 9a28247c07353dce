/*
 * signal_client.c - client stubs of the SIGNAL service (duet/signal_session.h).
 */
#include "duet/signal_session.h"

#include "duet/parent.h"

enum rpc_status signal_connection_open(struct env *env, struct signal_connection *out)
{
    *out = (struct signal_connection){0};
    enum rpc_status status = parent_session(
        env, "SIGNAL", "ram_quota=" SIGNAL_SESSION_RAM_QUOTA ", cap_quota=" SIGNAL_SESSION_CAP_QUOTA,
        &out->cap.index, &out->id);
    if (status != RPC_OK)
        return status;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    status = call_SIGNAL_RECEIVER_with_cap(out->cap, m);
    if (status == RPC_OK && m->cap_type != CAP_TYPE_SIGNAL_RECEIVER)
        status = RPC_ERR_TRANSPORT;
    if (status != RPC_OK) {
        if (m->cap != CAP_INDEX_INVALID)
            sys_cap_delete(m->cap);
        parent_disconnect(env, &out->cap.index, &out->id);
        return status;
    }
    out->receiver = m->cap;
    return RPC_OK;
}

enum rpc_status signal_connection_close(struct env *env, struct signal_connection *connection)
{
    if (connection->receiver != CAP_INDEX_INVALID)
        sys_cap_delete(connection->receiver);
    connection->receiver = CAP_INDEX_INVALID;
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status signal_context_alloc(struct env *env, struct signal_connection *connection,
                                     uint64_t imprint, cap_index_t *out_context)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {imprint}};
    enum rpc_status status = call_SIGNAL_ALLOC_CONTEXT_with_cap(connection->cap, m);
    if (status == RPC_OK && m->cap_type != CAP_TYPE_SIGNAL_CONTEXT)
        status = RPC_ERR_TRANSPORT;
    if (status != RPC_OK) {
        if (m->cap != CAP_INDEX_INVALID)
            sys_cap_delete(m->cap);
        return status;
    }
    *out_context = m->cap;
    return RPC_OK;
}

enum rpc_status signal_context_free(struct env *env, struct signal_connection *connection,
                                    cap_index_t *context)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.cap = *context};
    enum rpc_status status = call_SIGNAL_FREE_CONTEXT(connection->cap, m);
    if (status == RPC_OK) {
        sys_cap_delete(*context);
        *context = CAP_INDEX_INVALID;
    }
    return status;
}
