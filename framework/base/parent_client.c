/*
 * parent_client.c - client stubs of the parent interface (duet/parent.h).
 */
#include "duet/parent.h"

#include "duet/string.h"

static enum rpc_status rpc_result(enum sys_error error, const struct ipc_message *reply)
{
    if (error != SYS_OK)
        return RPC_ERR_TRANSPORT;
    return reply->label < RPC_STATUS_COUNT ? (enum rpc_status)reply->label
                                           : RPC_ERR_TRANSPORT;
}

enum rpc_status parent_session(struct env *env, const char *service, const char *args,
                               cap_index_t *out_session, uint64_t *out_id)
{
    struct ipc_message *m = &env->message;
    *out_session = CAP_INDEX_INVALID;
    *out_id = 0;
    *m = (struct ipc_message){.label = PARENT_SESSION, .word_count = IPC_WORDS};
    if (!rpc_pack_string(&m->word[0], PARENT_SERVICE_WORDS, service) ||
        !rpc_pack_string(&m->word[PARENT_SERVICE_WORDS], PARENT_ARGS_WORDS, args))
        return RPC_ERR_INVALID_ARGUMENT;
    enum rpc_status status = rpc_result(sys_call(env->parent, m), m);
    if (status == RPC_OK && (m->cap == CAP_INDEX_INVALID || m->word_count != 1)) {
        if (m->cap != CAP_INDEX_INVALID)
            sys_cap_delete(m->cap);
        return RPC_ERR_TRANSPORT; /* a parent that answers OK without a session */
    }
    if (status == RPC_OK) {
        *out_session = m->cap;
        *out_id = m->word[0];
    }
    return status;
}

enum rpc_status parent_close(struct env *env, uint64_t id)
{
    struct ipc_message *m = &env->message;
    *m = (struct ipc_message){.label = PARENT_CLOSE, .word_count = 1, .word = {id}};
    return rpc_result(sys_call(env->parent, m), m);
}

enum rpc_status parent_exit(struct env *env, uint64_t exit_code)
{
    struct ipc_message *m = &env->message;
    *m = (struct ipc_message){.label = PARENT_EXIT, .word_count = 1, .word = {exit_code}};
    return rpc_result(sys_call(env->parent, m), m);
}
