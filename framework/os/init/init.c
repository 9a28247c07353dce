/*
 * init.c - init: starts the children named in its config ROM and is their parent.
 *
 * Start: LOG session, "config" ROM, parse, one PD session at core per
 * child, started with a capability to init's endpoint badged with the
 * child's number as its parent capability. Then serve
 * the parent interface to the children:
 *   PARENT_SESSION   routed by the config (init_session.c); the session
 *                    capability is passed on to the child (then dropped by
 *                    init) with init's id for the session;
 *   PARENT_CLOSE     the child's session is closed where it lives;
 *   PARENT_ANNOUNCE  the child offers a service; init keeps its root
 *                    capability to open sessions there for others;
 *   PARENT_UPGRADE   more quota from the child's budget for a session;
 *   PARENT_EXIT      logged, the child's sessions closed, its PD session
 *                    closed, which destroys it (no reply: the child is
 *                    gone) and reclaims
 *                    everything it held and cancels any call blocked on it.
 * When every child has exited init logs "all N children exited" and keeps
 * serving. init never exits: it is the parent of everything it started.
 */
#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/string.h"
#include "duet/text.h"
#include "init.h"

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
    rom_connection_close(init->env, &rom);
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

/* Children keep their config index (routes name them by it): a child that
 * cannot be started is marked exited at once. */
static enum rpc_status init_start_child(struct init *init, size_t index)
{
    struct init_child *child = &init->children[index];
    cap_index_t parent_cap = CAP_INDEX_INVALID;
    if (sys_cap_mint(init->endpoint, index + 1, &parent_cap) != SYS_OK)
        return RPC_ERR_SESSION_LIMIT;
    enum rpc_status status = pd_connection_open(init->env, child->name, &child->pd);
    if (status == RPC_OK)
        status = pd_start(init->env, child->pd.cap, child->name, parent_cap);
    sys_cap_delete(parent_cap);
    if (status != RPC_OK && child->pd.cap.index != CAP_INDEX_INVALID)
        pd_connection_close(init->env, &child->pd);
    return status;
}

static void init_start_children(struct init *init)
{
    init->child_count = init->config.child_count;
    for (size_t i = 0; i < init->child_count; i++) {
        struct init_child *child = &init->children[i];
        duet_strlcpy(child->name, init->config.child_name[i], sizeof child->name);
        child->ram = (struct quota_account){.limit = init->config.child_ram[i]};
        child->caps = (struct quota_account){.limit = init->config.child_caps[i]};
        enum rpc_status status = init_start_child(init, i);
        if (status != RPC_OK) {
            init_log_status(init, "cannot start ", child->name, rpc_status_name(status));
            child->exited = true;
            init->exited_count++;
        }
    }
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
    init_sessions_forget_child(init, child);
    enum rpc_status status = pd_connection_close(init->env, &child->pd);
    DUET_ASSERT(status == RPC_OK);
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

/* ---- the parent interface, as init serves it to its children ------------- */

static enum rpc_status parent_perform_PARENT_SESSION(void *server, void *child,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    struct init *init = server;
    uint64_t id = 0;
    enum rpc_status status = init_session_open(init, child, request, &reply->cap, &id);
    if (status == RPC_OK) {
        reply->word_count = 1;
        reply->word[0] = id;
        init->delete_after_reply = reply->cap;   /* the child gets its own copy */
    }
    return status;
}

static enum rpc_status parent_perform_PARENT_CLOSE(void *server, void *child,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    return init_session_close(server, child, request->word[0]);
}

static enum rpc_status parent_perform_PARENT_UPGRADE(void *server, void *child,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    return init_session_upgrade(server, child, request);
}

static enum rpc_status parent_perform_PARENT_ANNOUNCE(void *server, void *child,
                                                      const struct ipc_message *request,
                                                      struct ipc_message *reply)
{
    struct init *init = server;
    enum rpc_status status = init_announce(init, child, request);
    init->keep_request_cap = status == RPC_OK;   /* the root capability stays with init */
    return status;
}

static enum rpc_status parent_perform_PARENT_EXIT(void *server, void *child,
                                                  const struct ipc_message *request,
                                                  struct ipc_message *reply)
{
    struct init *init = server;
    init->reply = init_exit(init, child, request->word[0]);
    return RPC_OK;
}

#define PARENT_HANDLER(...) RPC_HANDLER(parent_perform, __VA_ARGS__)
static const struct rpc_handler parent_handlers[] = {PARENT_RPCS(PARENT_HANDLER)};

/* Handles the request in env->message and leaves the reply there.
 * Returns whether to reply (not to a child that exited). */
static bool init_dispatch(struct init *init, uint64_t badge)
{
    struct ipc_message request = init->env->message;
    struct ipc_message *reply = &init->env->message;
    struct init_child *child = badge >= 1 && badge <= init->child_count &&
                                       !init->children[badge - 1].exited
                                   ? &init->children[badge - 1] : NULL;
    init->reply = true;
    init->keep_request_cap = false;
    if (child != NULL)
        rpc_dispatch(parent_handlers, DUET_ARRAY_COUNT(parent_handlers), init, child, &request,
                     reply);
    else
        *reply = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
    if (request.cap != CAP_INDEX_INVALID && !init->keep_request_cap)
        sys_cap_delete(request.cap);
    DUET_ASSERT(init_quota_conserved(init));
    return init->reply;
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
