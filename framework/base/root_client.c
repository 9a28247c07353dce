/*
 * root_client.c - the parent's side of the root interface (duet/root.h).
 */
#include "duet/root.h"

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
