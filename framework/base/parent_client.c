/*
 * parent_client.c - the parent interface from the child's side (duet/parent.h):
 * marshalling around the generated stubs (call_PARENT_*).
 */
#include "duet/parent.h"

#include "duet/string.h"

/* A route's server may not have announced yet: ask again, yielding. */
enum { PARENT_SESSION_RETRIES = 1000 };

static struct parent_cap parent_of(const struct env *env)
{
    return (struct parent_cap){env->parent};
}

static enum rpc_status session_request(struct env *env, const char *service, const char *args)
{
    struct ipc_message *m = ipc_buffer();
    enum rpc_status status = RPC_ERR_UNAVAILABLE;
    for (unsigned attempt = 0; attempt <= PARENT_SESSION_RETRIES; attempt++) {
        if (attempt > 0)
            sys_yield();
        *m = (struct ipc_message){.word_count = IPC_WORDS};
        if (!rpc_pack_string(&m->word[0], PARENT_SERVICE_WORDS, service) ||
            !rpc_pack_string(&m->word[PARENT_SERVICE_WORDS], PARENT_ARGS_WORDS, args))
            return RPC_ERR_INVALID_ARGUMENT;
        status = call_PARENT_SESSION_with_cap(parent_of(env), m);
        if (status != RPC_ERR_UNAVAILABLE)
            break;
    }
    return status;
}

enum rpc_status parent_session(struct env *env, const char *service, const char *args,
                               cap_index_t *out_session, uint64_t *out_id)
{
    struct ipc_message *m = ipc_buffer();
    *out_session = CAP_INDEX_INVALID;
    *out_id = 0;
    enum rpc_status status = session_request(env, service, args);
    bool well_formed = m->cap != CAP_INDEX_INVALID && m->word_count == 1;
    if (status != RPC_OK || !well_formed) {
        if (m->cap != CAP_INDEX_INVALID)
            sys_cap_delete(m->cap);   /* a refusal with a capability, or OK without a session */
        m->cap = CAP_INDEX_INVALID;
        return status == RPC_OK ? RPC_ERR_TRANSPORT : status;
    }
    if (status == RPC_OK) {
        *out_session = m->cap;
        *out_id = m->word[0];
    }
    return status;
}

enum rpc_status parent_announce(struct env *env, const char *service, cap_index_t root)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = PARENT_SERVICE_WORDS, .cap = root};
    if (!rpc_pack_string(&m->word[0], PARENT_SERVICE_WORDS, service))
        return RPC_ERR_INVALID_ARGUMENT;
    return call_PARENT_ANNOUNCE(parent_of(env), m);
}

enum rpc_status parent_upgrade(struct env *env, uint64_t id, uint64_t ram, uint64_t caps)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 3, .word = {id, ram, caps}};
    return call_PARENT_UPGRADE(parent_of(env), m);
}

enum rpc_status parent_disconnect(struct env *env, cap_index_t *cap, uint64_t *id)
{
    enum rpc_status status = parent_close(env, *id);
    sys_cap_delete(*cap);
    *cap = CAP_INDEX_INVALID;
    *id = 0;
    return status;
}

/* The name in the message words; false if it does not fit. */
static bool child_name_pack(struct ipc_message *m, const char *name)
{
    *m = (struct ipc_message){.word_count = COMPONENT_NAME_MAX / 8};
    return rpc_pack_string(m->word, COMPONENT_NAME_MAX / 8, name);
}

enum rpc_status parent_start_child(struct env *env, const char *name)
{
    struct ipc_message *m = ipc_buffer();
    return child_name_pack(m, name) ? call_PARENT_START(parent_of(env), m)
                                    : RPC_ERR_INVALID_ARGUMENT;
}

enum rpc_status parent_kill_child(struct env *env, const char *name)
{
    struct ipc_message *m = ipc_buffer();
    return child_name_pack(m, name) ? call_PARENT_KILL(parent_of(env), m)
                                    : RPC_ERR_INVALID_ARGUMENT;
}

enum rpc_status parent_close(struct env *env, uint64_t id)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {id}};
    return call_PARENT_CLOSE(parent_of(env), m);
}

enum rpc_status parent_exit(struct env *env, uint64_t exit_code)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {exit_code}};
    return call_PARENT_EXIT(parent_of(env), m);
}
