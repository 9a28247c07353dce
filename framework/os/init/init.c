/*
 * init.c - init: starts the children named in its config ROM and is their parent.
 *
 * Start: LOG session, "config" ROM, parse, one PD session at core per
 * child, started with a capability to init's endpoint badged with the
 * child's number as its parent capability. Then serve
 * the parent interface to the children:
 *   PARENT_SESSION   routed by the config (init_session.c); the session
 *                    capability is passed on to the child (then dropped by
 *                    init) with init's id for the session. A session at a
 *                    child server is opened by init's second thread, the
 *                    opener (init_opener.c), while this entrypoint serves
 *                    on: the client's reply is saved until then, so init
 *                    never waits on a child that may be calling it;
 *   PARENT_CLOSE     the child's session is closed where it lives;
 *   PARENT_ANNOUNCE  the child offers a service; init keeps its root
 *                    capability to open sessions there for others;
 *   PARENT_UPGRADE   more quota from the child's budget for a session;
 *   PARENT_EXIT      logged, the child's sessions closed, its PD session
 *                    closed, which destroys it (no reply: the child is
 *                    gone) and reclaims
 *                    everything it held and cancels any call blocked on it.
 *   PARENT_ADDRESS_SPACE  the child's region map, from its PD session;
 *   PARENT_START,    from a child with the "control" option: start or kill
 *   PARENT_KILL      a sibling at run time; killing tears the sibling down
 *                    as its exit would.
 * Children marked "manual" are not started at boot. When no child is
 * running any more init logs "all N children exited" and keeps serving.
 * init never exits: it is the parent of everything it started.
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

/* Starts child `index` in a new PD session at core, its parent capability
 * badged with index + 1. */
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

/* Starts a child that is not running, with a fresh budget. */
static enum rpc_status init_run_child(struct init *init, size_t index)
{
    struct init_child *child = &init->children[index];
    DUET_ASSERT(child->exited);
    init->touched_others = true;
    child->ram = (struct quota_account){.limit = init->config.child_ram[index]};
    child->caps = (struct quota_account){.limit = init->config.child_caps[index]};
    enum rpc_status status = init_start_child(init, index);
    if (status != RPC_OK) {
        init_log_status(init, "cannot start ", child->name, rpc_status_name(status));
        return status;
    }
    child->exited = false;
    child->incarnation++;
    init->exited_count--;
    return RPC_OK;
}

/* Children keep their config index (routes name them by it); all begin
 * not running, and all but the manual ones are started. */
static void init_start_children(struct init *init)
{
    init->child_count = init->config.child_count;
    init->exited_count = init->child_count;
    for (size_t i = 0; i < init->child_count; i++) {
        struct init_child *child = &init->children[i];
        duet_strlcpy(child->name, init->config.child_name[i], sizeof child->name);
        child->exited = true;
        if (!init->config.child_manual[i])
            init_run_child(init, i);
    }
}

/* Tears a running child down: its sessions closed, the sessions it served
 * forgotten (their donations back to their clients), its PD destroyed. */
static void init_stop_child(struct init *init, struct init_child *child, bool killed,
                            uint64_t exit_code)
{
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "child ");
    text_append(&text, child->name);
    if (killed) {
        text_append(&text, " killed");
    } else {
        text_append(&text, " exited with code ");
        text_append_u64(&text, exit_code);
    }
    init_log(init, line);
    init->touched_others = true;
    init_sessions_forget_child(init, child);
    enum rpc_status status = pd_connection_close(init->env, &child->pd);
    DUET_ASSERT(status == RPC_OK);
    child->exited = true;
    init->exited_count++;
    if (init->exited_count != init->child_count)
        return;
    text_init(&text, line, sizeof line);
    text_append(&text, "all ");
    text_append_u64(&text, init->child_count);
    text_append(&text, " children exited");
    init_log(init, line);
}

static size_t child_by_name(const struct init *init, const struct ipc_message *request)
{
    char name[COMPONENT_NAME_MAX];
    if (!rpc_unpack_string(request->word, COMPONENT_NAME_MAX / 8, name, sizeof name))
        return INIT_CHILDREN_MAX;
    for (size_t i = 0; i < init->child_count; i++)
        if (duet_strcmp(init->children[i].name, name) == 0)
            return i;
    return INIT_CHILDREN_MAX;
}

/* ---- the parent interface, as init serves it to its children ------------- */

static enum rpc_status parent_perform_PARENT_SESSION(void *server, void *child,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    struct init *init = server;
    uint64_t id = 0;
    cap_index_t cap = CAP_INDEX_INVALID;
    bool pending = false;
    enum rpc_status status = init_session_open(init, child, request, &cap, &id, &pending);
    if (status == RPC_OK && pending) {
        /* The opener answers when the server has: keep the reply for it. */
        if (sys_reply_save(&init->sessions[id].reply) != SYS_OK) {
            init->sessions[id].reply = CAP_INDEX_INVALID;
            init_session_abandon(init, id, RPC_ERR_OUT_OF_RESOURCES);
            return RPC_ERR_OUT_OF_RESOURCES;
        }
        init->reply = false;
        semaphore_up(&init->openings);
        return RPC_OK;
    }
    if (status == RPC_OK) {
        reply->cap = cap;   /* the child's copy derives from init's, which it keeps */
        reply->word_count = 1;
        reply->word[0] = id;
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
    struct init *init = server;
    uint64_t id = 0;
    bool pending = false;
    enum rpc_status status = init_session_upgrade(init, child, request, &id, &pending);
    if (status == RPC_OK && pending) {
        /* The opener answers when the server has: keep the reply for it. */
        if (sys_reply_save(&init->sessions[id].reply) != SYS_OK) {
            init->sessions[id].reply = CAP_INDEX_INVALID;
            init_upgrade_cancel(init, id, RPC_ERR_OUT_OF_RESOURCES);
            return RPC_ERR_OUT_OF_RESOURCES;
        }
        init->reply = false;
        semaphore_up(&init->openings);
    }
    return status;
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
    init_stop_child(init, child, false, request->word[0]);
    init->reply = false;   /* the child is gone */
    return RPC_OK;
}

/* Decode of PARENT_START/KILL: a control child naming a sibling. */
static enum rpc_status control_target(struct init *init, struct init_child *caller,
                                      const struct ipc_message *request, size_t *out_index)
{
    size_t caller_index = (size_t)(caller - init->children);
    if (!init->config.child_control[caller_index])
        return RPC_ERR_DENIED;
    *out_index = child_by_name(init, request);
    if (*out_index == INIT_CHILDREN_MAX)
        return RPC_ERR_NO_SUCH_MODULE;
    return *out_index == caller_index ? RPC_ERR_DENIED : RPC_OK;
}

static enum rpc_status parent_perform_PARENT_START(void *server, void *child,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    struct init *init = server;
    size_t index = 0;
    enum rpc_status status = control_target(init, child, request, &index);
    if (status == RPC_OK && !init->children[index].exited)
        status = RPC_ERR_IN_USE;
    return status == RPC_OK ? init_run_child(init, index) : status;
}

static enum rpc_status parent_perform_PARENT_KILL(void *server, void *child,
                                                  const struct ipc_message *request,
                                                  struct ipc_message *reply)
{
    struct init *init = server;
    size_t index = 0;
    enum rpc_status status = control_target(init, child, request, &index);
    if (status == RPC_OK && init->children[index].exited)
        status = RPC_ERR_SERVER_GONE;
    if (status == RPC_OK)
        init_stop_child(init, &init->children[index], true, 0);
    return status;
}

/* The child's address space: a capability core gives for its PD, passed on. */
static enum rpc_status parent_perform_PARENT_ADDRESS_SPACE(void *server, void *child_arg,
                                                           const struct ipc_message *request,
                                                           struct ipc_message *reply)
{
    struct init *init = server;
    struct init_child *child = child_arg;
    cap_index_t cap = CAP_INDEX_INVALID;
    enum rpc_status status = pd_address_space(child->pd.cap, &cap);
    if (status != RPC_OK)
        return status;
    reply->cap = cap;
    init->delete_after_reply = cap;
    return RPC_OK;
}

#define PARENT_HANDLER(...) RPC_HANDLER(parent_perform, __VA_ARGS__)
static const struct rpc_handler parent_handlers[] = {PARENT_RPCS(PARENT_HANDLER)};

/* Handles the request in the IPC buffer and leaves the reply there.
 * Returns whether to reply (not to a child that exited). The answer is
 * built apart from the IPC buffer, which init's own calls (to its parent,
 * to servers) use while a request is handled. */
static bool init_dispatch(struct init *init, uint64_t badge)
{
    enum lock_error locked = lock_acquire(&init->lock);
    DUET_ASSERT(locked == LOCK_OK);
    struct ipc_message request = *ipc_buffer();
    struct ipc_message answer;
    struct ipc_message *reply = &answer;
    struct init_child *child = badge >= 1 && badge <= init->child_count &&
                                       !init->children[badge - 1].exited
                                   ? &init->children[badge - 1] : NULL;
    init->reply = true;
    init->keep_request_cap = false;
    init->touched_others = false;
    if (child != NULL)
        rpc_dispatch(parent_handlers, DUET_ARRAY_COUNT(parent_handlers), init, child, &request,
                     reply);
    else
        *reply = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
    if (request.cap != CAP_INDEX_INVALID && !init->keep_request_cap)
        sys_cap_delete(request.cap);
    *ipc_buffer() = answer;
    /* Q1 where it can have changed: a request moves only its child's
     * accounts; starting or tearing down a child also moves others'. */
    DUET_ASSERT(init_quota_conserved(init, init->touched_others ? NULL : child));
    locked = lock_release(&init->lock);
    DUET_ASSERT(locked == LOCK_OK);
    return init->reply;
}

void init_main(struct env *env)
{
    struct init *init = env_alloc(env, sizeof *init);
    void *opener_stack = env_alloc(env, INIT_OPENER_STACK);
    DUET_ASSERT(init != NULL && opener_stack != NULL);
    init->env = env;
    lock_init(&init->lock);
    semaphore_init(&init->openings, 0, SEMAPHORE_FIFO);
    init->opener_server = INIT_CHILDREN_MAX;
    if (log_connection_open(env, &init->log) != RPC_OK || !init_read_config(init) ||
        sys_endpoint_create(&init->endpoint) != SYS_OK ||
        cpu_connection_open(env, &init->cpu) != RPC_OK ||
        cpu_thread_create(env, init->cpu.cap, &init->opener, init_opener, init, opener_stack,
                          INIT_OPENER_STACK) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    init_start_children(init);

    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        enum sys_error error = sys_reply_wait(init->endpoint, reply, ipc_buffer(), &badge);
        if (init->delete_after_reply != CAP_INDEX_INVALID) {
            sys_cap_delete(init->delete_after_reply);
            init->delete_after_reply = CAP_INDEX_INVALID;
        }
        reply = error == SYS_OK && init_dispatch(init, badge);
    }
}
