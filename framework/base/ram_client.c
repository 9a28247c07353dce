/*
 * ram_client.c - client side of the RAM service (duet/ram_session.h).
 */
#include "duet/parent.h"
#include "duet/ram_session.h"
#include "duet/text.h"

enum rpc_status ram_connection_open(struct env *env, const char *label, uint64_t bytes,
                                    struct ram_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "label=\"");
    text_append(&text, label);
    text_append(&text, "\", ram_quota=");
    text_append_u64(&text, RAM_SESSION_BASE_QUOTA + page_round_up(bytes));
    text_append(&text, ", cap_quota=" RAM_SESSION_CAP_QUOTA);
    if (text.truncated)
        return RPC_ERR_INVALID_ARGUMENT;
    return parent_session(env, "RAM", args, &out->cap.index, &out->id);
}

enum rpc_status ram_connection_close(struct env *env, struct ram_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status ram_alloc(struct ram_session_cap ram, uint64_t size, struct dataspace_cap *out)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {size}};
    return rpc_reply_take_cap(call_RAM_ALLOC_with_cap(ram, m), m, CAP_TYPE_DATASPACE,
                              &out->index);
}

enum rpc_status ram_free(struct ram_session_cap ram, struct dataspace_cap ds)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.cap = ds.index};
    enum rpc_status status = call_RAM_FREE(ram, m);
    sys_cap_delete(ds.index);   /* stale now, or never ours to free */
    return status;
}

enum rpc_status ram_avail(struct ram_session_cap ram, uint64_t *out_bytes)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_RAM_AVAIL(ram, m);
    *out_bytes = status == RPC_OK ? m->word[0] : 0;
    return status;
}
