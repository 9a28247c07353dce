/*
 * region_map_client.c - client side of region maps (duet/region_map.h).
 */
#include "duet/parent.h"
#include "duet/region_map.h"
#include "duet/text.h"

enum rpc_status region_map_attach(struct region_map_cap rm, struct dataspace_cap ds,
                                  const struct region_map_attach *attr, uint64_t *out_at)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 4, .cap = ds.index,
                              .word = {attr->size, attr->offset, attr->at, attr->flags}};
    enum rpc_status status = call_REGION_MAP_ATTACH(rm, m);
    *out_at = status == RPC_OK ? m->word[0] : 0;
    return status;
}

enum rpc_status region_map_detach(struct region_map_cap rm, uint64_t at)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {at}};
    return call_REGION_MAP_DETACH(rm, m);
}

enum rpc_status region_map_fault_handler(struct region_map_cap rm, cap_index_t signal_context)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.cap = signal_context};
    return call_REGION_MAP_FAULT_HANDLER(rm, m);
}

enum rpc_status region_map_fault(struct region_map_cap rm, enum region_map_fault_type *out_type,
                                 uint64_t *out_offset)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_REGION_MAP_FAULT(rm, m);
    *out_type = status == RPC_OK ? (enum region_map_fault_type)m->word[0] : REGION_MAP_FAULT_NONE;
    *out_offset = status == RPC_OK ? m->word[1] : 0;
    return status;
}

enum rpc_status region_map_dataspace(struct region_map_cap rm, struct dataspace_cap *out)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    return rpc_reply_take_cap(call_REGION_MAP_DATASPACE_with_cap(rm, m), m, CAP_TYPE_DATASPACE,
                              &out->index);
}

enum rpc_status env_address_space(struct env *env, struct region_map_cap *out)
{
    if (env->address_space == CAP_INDEX_INVALID) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){0};
        enum rpc_status status = rpc_reply_take_cap(
            call_PARENT_ADDRESS_SPACE_with_cap((struct parent_cap){env->parent}, m), m,
            CAP_TYPE_ENDPOINT, &env->address_space);
        if (status != RPC_OK)
            return status;
    }
    out->index = env->address_space;
    return RPC_OK;
}

enum rpc_status rm_connection_open(struct env *env, const char *label, uint64_t size,
                                   unsigned regions, struct rm_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "label=\"");
    text_append(&text, label);
    text_append(&text, "\", ram_quota=");
    text_append_u64(&text, RM_SESSION_BASE_QUOTA + (uint64_t)regions * REGION_MAP_REGION_COST);
    text_append(&text, ", cap_quota=" RM_SESSION_CAP_QUOTA ", size=");
    text_append_u64(&text, size);
    if (text.truncated)
        return RPC_ERR_INVALID_ARGUMENT;
    return parent_session(env, "RM", args, &out->cap.index, &out->id);
}

enum rpc_status rm_connection_close(struct env *env, struct rm_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}
