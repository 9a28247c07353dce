/*
 * pd_client.c - client stubs of the PD service (duet/pd_session.h).
 */
#include "duet/parent.h"
#include "duet/pd_session.h"
#include "duet/text.h"

enum rpc_status pd_connection_open(struct env *env, const char *label, struct pd_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "label=\"");
    text_append(&text, label);
    text_append(&text, "\", ram_quota=" PD_SESSION_RAM_QUOTA ", cap_quota=" PD_SESSION_CAP_QUOTA);
    if (text.truncated)
        return RPC_ERR_INVALID_ARGUMENT;
    return parent_session(env, "PD", args, &out->cap.index, &out->id);
}

enum rpc_status pd_connection_close(struct env *env, struct pd_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status pd_start(struct env *env, struct pd_session_cap pd, const char *name,
                         cap_index_t parent)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = PD_NAME_WORDS, .cap = parent};
    if (!rpc_pack_string(m->word, PD_NAME_WORDS, name))
        return RPC_ERR_INVALID_ARGUMENT;
    return call_PD_START(pd, m);
}

enum rpc_status pd_address_space(struct pd_session_cap pd, cap_index_t *out)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    return rpc_reply_take_cap(call_PD_ADDRESS_SPACE_with_cap(pd, m), m, CAP_TYPE_ENDPOINT, out);
}
