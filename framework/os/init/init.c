/*
 * init.c - init: starts the children named in its config ROM and is their parent.
 *
 * Start: LOG session, "config" ROM, parse, one PD per child with a
 * capability to init's endpoint badged with the child's number. Then serve
 * the parent interface:
 *   PARENT_SESSION  re-labelled ("<child> -> <label>") and forwarded to
 *                   init's own parent; the session capability it gets back
 *                   is passed on to the child (then dropped by init) with
 *                   init's id for the session, which init maps to its
 *                   parent's id;
 *   PARENT_CLOSE    the child's session is closed at init's parent;
 *   PARENT_EXIT     logged, and the child's PD destroyed (no reply: the
 *                   child is gone), which reclaims everything it held,
 *                   and its sessions closed;
 *                   when every child has exited init logs "all N children
 *                   exited" and keeps serving.
 * init never exits: it is the parent of everything it started.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/session_args.h"
#include "duet/string.h"
#include "duet/text.h"
#include "init_config.h"

enum { INIT_SESSIONS_MAX = 32 };

struct init_session {
    bool in_use;
    size_t child;                 /* index in init->children         */
    uint64_t parent_id;           /* the id init's parent gave it    */
};

struct init_child {
    char name[COMPONENT_NAME_MAX];
    cap_index_t pd;
    bool exited;
};

struct init {
    struct env *env;
    struct log_connection log;
    cap_index_t endpoint;
    cap_index_t delete_after_reply;
    size_t child_count;
    size_t exited_count;
    struct init_child children[INIT_CHILDREN_MAX];
    struct init_session sessions[INIT_SESSIONS_MAX];
    char config_text[INIT_CONFIG_MAX];
    struct init_config config;
};

static void init_log(struct init *init, const char *line)
{
    log_write(init->env, init->log.cap, line);
}

static void init_log_status(struct init *init, const char *what, const char *name,
                            const char *status)
{
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, name);
    text_append(&text, ": ");
    text_append(&text, status);
    init_log(init, line);
}

static bool init_read_config(struct init *init)
{
    struct rom_connection rom;
    size_t length = 0;
    enum rpc_status status = rom_connection_open(init->env, "config", &rom);
    if (status == RPC_OK)
        status = rom_read_all(init->env, rom.cap, (uint8_t *)init->config_text,
                              sizeof init->config_text, &length);
    if (status != RPC_OK) {
        init_log_status(init, "cannot read ROM ", "config", rpc_status_name(status));
        return false;
    }
    size_t line = 0;
    enum init_config_error error = init_config_parse(init->config_text, length, &init->config,
                                                     &line);
    if (error != INIT_CONFIG_OK) {
        char where[32];
        struct text text;
        text_init(&text, where, sizeof where);
        text_append(&text, "config line ");
        text_append_u64(&text, line);
        init_log_status(init, "", where, init_config_error_name(error));
        return false;
    }
    return true;
}

static void init_start_children(struct init *init)
{
    struct env *env = init->env;
    for (size_t i = 0; i < init->config.child_count; i++) {
        struct init_child *child = &init->children[init->child_count];
        duet_strlcpy(child->name, init->config.child_name[i], sizeof child->name);
        cap_index_t parent_cap = CAP_INDEX_INVALID;
        enum sys_error error = sys_cap_mint(init->endpoint, init->child_count + 1, &parent_cap);
        if (error == SYS_OK)
            error = sys_pd_create(env->pd_factory, parent_cap, child->name,
                                  init->config.child_pd_factory[i], &child->pd);
        if (parent_cap != CAP_INDEX_INVALID)
            sys_cap_delete(parent_cap);
        if (error != SYS_OK) {
            init_log_status(init, "cannot start ", child->name, sys_error_name(error));
            continue;
        }
        init->child_count++;
    }
}

/* Builds the arguments init's parent sees: the label gets the child's name. */
static enum rpc_status forward_args(const char *child, const char *args_text, char *out,
                                    size_t out_size)
{
    struct session_args args;
    if (session_args_parse(args_text, &args) != SESSION_ARGS_OK)
        return RPC_ERR_INVALID_ARGS_STRING;
    struct text text;
    text_init(&text, out, out_size);
    text_append(&text, "label=\"");
    text_append(&text, child);
    const char *label = session_args_find(&args, "label");
    if (label != NULL && label[0] != '\0') {
        text_append(&text, " -> ");
        text_append(&text, label);
    }
    text_append(&text, "\"");
    for (size_t i = 0; i < args.count; i++) {
        if (duet_strcmp(args.arg[i].key, "label") == 0)
            continue;
        text_append(&text, ", ");
        text_append(&text, args.arg[i].key);
        text_append(&text, "=\"");
        text_append(&text, args.arg[i].value);
        text_append(&text, "\"");
    }
    return text.truncated ? RPC_ERR_INVALID_ARGS_STRING : RPC_OK;
}

static enum rpc_status init_session(struct init *init, struct init_child *child,
                                    const struct ipc_message *request, cap_index_t *out_cap,
                                    uint64_t *out_id)
{
    char service[PARENT_SERVICE_MAX];
    char args[PARENT_ARGS_MAX];
    char forwarded[PARENT_ARGS_MAX];
    if (!rpc_unpack_string(&request->word[0], PARENT_SERVICE_WORDS, service, sizeof service) ||
        !rpc_unpack_string(&request->word[PARENT_SERVICE_WORDS], PARENT_ARGS_WORDS, args,
                           sizeof args))
        return RPC_ERR_INVALID_ARGUMENT;
    enum rpc_status status = forward_args(child->name, args, forwarded, sizeof forwarded);
    if (status != RPC_OK)
        return status;
    uint64_t parent_id = 0;
    status = parent_session(init->env, service, forwarded, out_cap, &parent_id);
    if (status != RPC_OK)
        return status;
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++) {
        if (init->sessions[id].in_use)
            continue;
        init->sessions[id] = (struct init_session){true, (size_t)(child - init->children),
                                                   parent_id};
        *out_id = id;
        return RPC_OK;
    }
    /* No room to remember it: give the session back. */
    parent_close(init->env, parent_id);
    sys_cap_delete(*out_cap);
    *out_cap = CAP_INDEX_INVALID;
    return RPC_ERR_SESSION_LIMIT;
}

static enum rpc_status init_close(struct init *init, struct init_child *child, uint64_t id)
{
    size_t child_index = (size_t)(child - init->children);
    if (id >= INIT_SESSIONS_MAX || !init->sessions[id].in_use ||
        init->sessions[id].child != child_index)
        return RPC_ERR_INVALID_SESSION;
    enum rpc_status status = parent_close(init->env, init->sessions[id].parent_id);
    init->sessions[id] = (struct init_session){0};
    return status;
}

static void init_close_all(struct init *init, struct init_child *child)
{
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++)
        if (init->sessions[id].in_use &&
            init->sessions[id].child == (size_t)(child - init->children))
            init_close(init, child, id);
}

/* Returns false: the exiting child gets no reply, its PD is destroyed. */
static bool init_exit(struct init *init, struct init_child *child, uint64_t code)
{
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "child ");
    text_append(&text, child->name);
    text_append(&text, " exited with code ");
    text_append_u64(&text, code);
    init_log(init, line);
    DUET_ASSERT(!child->exited); /* an exited child's capability is stale */
    init_close_all(init, child);
    enum sys_error error = sys_pd_destroy(child->pd);
    DUET_ASSERT(error == SYS_OK);
    sys_cap_delete(child->pd);
    child->exited = true;
    init->exited_count++;
    if (init->exited_count != init->child_count)
        return false;
    text_init(&text, line, sizeof line);
    text_append(&text, "all ");
    text_append_u64(&text, init->child_count);
    text_append(&text, " children exited");
    init_log(init, line);
    return false;
}

static const struct rpc_interface *parent_interface(void)
{
    RPC_INTERFACE_DEFINE(parent, "parent", PARENT_RPCS);
    return &parent_interface;
}

/* Handles the request in env->message and leaves the reply there.
 * Returns whether to reply (not to a child that exited). */
static bool init_dispatch(struct init *init, uint64_t badge)
{
    struct ipc_message request = init->env->message;
    const struct rpc_function *function = NULL;
    cap_index_t session_cap = CAP_INDEX_INVALID;
    uint64_t session_id = 0;
    enum rpc_status status = RPC_ERR_INVALID_SESSION;
    struct init_child *child = badge >= 1 && badge <= init->child_count &&
                                       !init->children[badge - 1].exited
                                   ? &init->children[badge - 1] : NULL;
    if (child != NULL)
        status = rpc_decode(parent_interface(), &request, &function);
    if (status == RPC_OK && function->opcode == PARENT_SESSION)
        status = init_session(init, child, &request, &session_cap, &session_id);
    if (status == RPC_OK && function->opcode == PARENT_CLOSE)
        status = init_close(init, child, request.word[0]);
    bool reply = true;
    if (status == RPC_OK && function->opcode == PARENT_EXIT)
        reply = init_exit(init, child, request.word[0]);
    if (request.cap != CAP_INDEX_INVALID)
        sys_cap_delete(request.cap);
    init->env->message = (struct ipc_message){.label = status, .cap = session_cap};
    if (session_cap != CAP_INDEX_INVALID)
        init->env->message = (struct ipc_message){.label = status, .cap = session_cap,
                                                  .word_count = 1, .word = {session_id}};
    init->delete_after_reply = session_cap;
    return reply;
}

void init_main(struct env *env)
{
    struct init *init = env_alloc(env, sizeof *init);
    DUET_ASSERT(init != NULL);
    init->env = env;
    if (log_connection_open(env, &init->log) != RPC_OK || !init_read_config(init) ||
        sys_endpoint_create(&init->endpoint) != SYS_OK) {
        parent_exit(env, 1);
        return;
    }
    init_start_children(init);

    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        enum sys_error error = sys_reply_wait(init->endpoint, reply, &env->message, &badge);
        if (init->delete_after_reply != CAP_INDEX_INVALID) {
            sys_cap_delete(init->delete_after_reply);
            init->delete_after_reply = CAP_INDEX_INVALID;
        }
        reply = error == SYS_OK && init_dispatch(init, badge);
    }
}
