/*
 * root_client.c - the root interface (duet/root.h): the parent's calls,
 * and the decode step every server runs on a session request.
 */
#include "duet/root.h"

#include "duet/session_args.h"

enum rpc_status root_session_decode(const struct ipc_message *request, uint64_t ram_cost,
                                    uint64_t cap_cost, uint64_t *out_ram, uint64_t *out_caps)
{
    char args_text[ROOT_ARGS_WORDS * 8];
    struct session_args args;
    *out_ram = 0;
    *out_caps = 0;
    if (!rpc_unpack_string(request->word, ROOT_ARGS_WORDS, args_text, sizeof args_text) ||
        session_args_parse(args_text, &args) != SESSION_ARGS_OK ||
        !session_args_quota(&args, out_ram, out_caps))
        return RPC_ERR_INVALID_ARGS_STRING;
    if (*out_ram < ram_cost)
        return RPC_ERR_INSUFFICIENT_RAM_QUOTA;
    if (*out_caps < cap_cost)
        return RPC_ERR_INSUFFICIENT_CAP_QUOTA;
    return RPC_OK;
}

enum rpc_status root_session(struct root_cap root, const char *args, struct ipc_message *m,
                             cap_index_t *out_session, uint64_t *out_id)
{
    *out_session = CAP_INDEX_INVALID;
    *m = (struct ipc_message){.word_count = ROOT_ARGS_WORDS};
    if (!rpc_pack_string(m->word, ROOT_ARGS_WORDS, args))
        return RPC_ERR_INVALID_ARGS_STRING;
    enum rpc_status status = call_ROOT_SESSION_with_cap(root, m);
    bool well_formed = m->cap != CAP_INDEX_INVALID && m->word_count == 1;
    if (status != RPC_OK || !well_formed) {
        if (m->cap != CAP_INDEX_INVALID)
            sys_cap_delete(m->cap);   /* a refusal with a capability, or OK without a session */
        m->cap = CAP_INDEX_INVALID;
        return status == RPC_OK ? RPC_ERR_TRANSPORT : status;
    }
    *out_session = m->cap;
    *out_id = m->word[0];
    return RPC_OK;
}

enum rpc_status root_upgrade(struct root_cap root, uint64_t id, uint64_t ram, uint64_t caps,
                             struct ipc_message *m)
{
    *m = (struct ipc_message){.word_count = 3, .word = {id, ram, caps}};
    return call_ROOT_UPGRADE(root, m);
}

enum rpc_status root_close(struct root_cap root, uint64_t id, struct ipc_message *m)
{
    *m = (struct ipc_message){.word_count = 1, .word = {id}};
    return call_ROOT_CLOSE(root, m);
}
