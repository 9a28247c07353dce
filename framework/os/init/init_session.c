/*
 * init_session.c - init as a parent: routing session requests, announced
 * services, and closing sessions.
 *
 * A child's request for SERVICE goes
 *   - to the child its config routes SERVICE to, through the root
 *     capability that child announced: not yet announced is
 *     RPC_ERR_UNAVAILABLE (the client library asks again), an exited
 *     server RPC_ERR_SERVER_GONE, a route back to the requester
 *     RPC_ERR_DENIED;
 *   - with no route: LOG and ROM to init's parent, anything else
 *     RPC_ERR_DENIED.
 * The label is prefixed with the client's name on the way ("hello ->
 * ..."), as every parent does. The request's ram_quota and cap_quota are
 * taken from the client's budget before anything is forwarded
 * (RPC_ERR_OUT_OF_RAM / _CAPS if it cannot cover them) and given back
 * when the session is refused, closed, or its server exits; upgrades take
 * more. Invariant Q1 (init_quota_conserved) ties the budgets to the
 * sessions and is asserted after every request. init remembers each session (client, where
 * it lives, that side's id) under its own id, which the client uses to
 * close it; a child that goes has its sessions closed and the sessions it
 * served forgotten (the kernel already made their capabilities stale).
 */
#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/session_args.h"
#include "duet/string.h"
#include "duet/text.h"
#include "init.h"

/* Builds the arguments the server sees: the label gets the client's name. */
static enum rpc_status forward_args(const char *client, const struct session_args *parsed,
                                    char *out, size_t out_size)
{
    struct session_args args = *parsed;
    struct text text;
    text_init(&text, out, out_size);
    text_append(&text, "label=\"");
    text_append(&text, client);
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

static const struct init_service *announced(const struct init_child *server,
                                            const char *service)
{
    for (size_t i = 0; i < server->announced_count; i++)
        if (duet_strcmp(server->announced[i].name, service) == 0)
            return &server->announced[i];
    return NULL;
}

/* Where SERVICE goes for `client`: a child index, INIT_AT_PARENT, or a refusal. */
static enum rpc_status route(const struct init *init, const struct init_child *client,
                             const char *service, size_t *out_server)
{
    for (size_t r = 0; r < init->config.route_count; r++) {
        const struct init_route *route = &init->config.routes[r];
        if (duet_strcmp(route->service, service) != 0)
            continue;
        if (route->child == INIT_ROUTE_TO_PARENT) {
            *out_server = INIT_AT_PARENT;
            return RPC_OK;
        }
        const struct init_child *server = &init->children[route->child];
        if (server == client)
            return RPC_ERR_DENIED;
        if (server->exited)
            return RPC_ERR_SERVER_GONE;
        if (announced(server, service) == NULL)
            return RPC_ERR_UNAVAILABLE;
        *out_server = route->child;
        return RPC_OK;
    }
    if (duet_strcmp(service, "LOG") == 0 || duet_strcmp(service, "ROM") == 0) {
        *out_server = INIT_AT_PARENT;
        return RPC_OK;
    }
    return RPC_ERR_DENIED;
}

static enum rpc_status open_at(struct init *init, size_t server, const char *service,
                               const char *args, cap_index_t *out_cap, uint64_t *out_id,
                               size_t *out_root)
{
    *out_root = 0;
    if (server == INIT_AT_PARENT)
        return parent_session(init->env, service, args, out_cap, out_id);
    const struct init_child *child = &init->children[server];
    const struct init_service *offered = announced(child, service);
    DUET_ASSERT(offered != NULL);
    *out_root = (size_t)(offered - child->announced);
    return root_session(offered->root, args, ipc_buffer(), out_cap, out_id);
}

enum rpc_status init_session_open(struct init *init, struct init_child *client,
                                  const struct ipc_message *request, cap_index_t *out_cap,
                                  uint64_t *out_id, bool *out_pending)
{
    *out_pending = false;
    char service[PARENT_SERVICE_MAX];
    char args[PARENT_ARGS_MAX];
    char forwarded[PARENT_ARGS_MAX];
    size_t server = 0;
    if (!rpc_unpack_string(&request->word[0], PARENT_SERVICE_WORDS, service, sizeof service) ||
        !rpc_unpack_string(&request->word[PARENT_SERVICE_WORDS], PARENT_ARGS_WORDS, args,
                           sizeof args))
        return RPC_ERR_INVALID_ARGUMENT;
    struct session_args parsed;
    uint64_t ram = 0, caps = 0;
    if (session_args_parse(args, &parsed) != SESSION_ARGS_OK ||
        !session_args_quota(&parsed, &ram, &caps))
        return RPC_ERR_INVALID_ARGS_STRING;
    enum rpc_status status = forward_args(client->name, &parsed, forwarded, sizeof forwarded);
    if (status == RPC_OK)
        status = route(init, client, service, &server);
    size_t slot = 0, held = 0;
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++)
        held += init->sessions[id].in_use &&
                init->sessions[id].client == (size_t)(client - init->children);
    while (slot < INIT_SESSIONS_MAX && init->sessions[slot].in_use)
        slot++;
    if (status == RPC_OK && (slot == INIT_SESSIONS_MAX || held == INIT_SESSIONS_PER_CHILD))
        status = RPC_ERR_SESSION_LIMIT;
    if (status == RPC_OK && !quota_take(&client->ram, ram))
        status = RPC_ERR_OUT_OF_RAM;
    if (status == RPC_OK && !quota_take(&client->caps, caps)) {
        quota_give_back(&client->ram, ram);
        status = RPC_ERR_OUT_OF_CAPS;
    }
    if (status != RPC_OK)
        return status;

    if (server != INIT_AT_PARENT) {
        /* A child server: never called from here, where it could be
         * calling us at the same time. The opener does it. */
        const struct init_service *offered = announced(&init->children[server], service);
        DUET_ASSERT(offered != NULL);
        struct init_session *session = &init->sessions[slot];
        *session = (struct init_session){
            .in_use = true, .client = (size_t)(client - init->children), .server = server,
            .root = (size_t)(offered - init->children[server].announced), .ram_donated = ram,
            .caps_donated = caps, .op = INIT_OP_OPEN, .seq = ++init->op_seq,
            .reply = CAP_INDEX_INVALID,
            .server_incarnation = init->children[server].incarnation};
        duet_strlcpy(session->args, forwarded, sizeof session->args);
        *out_id = slot;
        *out_pending = true;
        return RPC_OK;
    }

    uint64_t server_id = 0;
    size_t root = 0;
    status = open_at(init, server, service, forwarded, out_cap, &server_id, &root);
    if (status != RPC_OK) {
        quota_give_back(&client->ram, ram);
        quota_give_back(&client->caps, caps);
        return status;
    }
    init->sessions[slot] = (struct init_session){
        .in_use = true, .client = (size_t)(client - init->children), .server = server,
        .root = root, .server_id = server_id, .ram_donated = ram, .caps_donated = caps,
        .cap = *out_cap};
    *out_id = slot;
    return RPC_OK;
}

/* The donation goes back to the session's client, the session keeps none. */
static void session_forget_donation(struct init *init, struct init_session *session)
{
    if (session->client != INIT_NO_CLIENT) {
        struct init_child *client = &init->children[session->client];
        quota_give_back(&client->ram, session->ram_donated + session->upgrade_ram);
        quota_give_back(&client->caps, session->caps_donated + session->upgrade_caps);
    }
    session->ram_donated = session->caps_donated = 0;
    session->upgrade_ram = session->upgrade_caps = 0;
}

void init_session_free(struct init_session *session)
{
    if (session->cap != CAP_INDEX_INVALID)
        sys_cap_delete(session->cap);
    *session = (struct init_session){0};
}

/* The donation goes back to the session's client; the slot is free. */
static void session_forget(struct init *init, struct init_session *session)
{
    session_forget_donation(init, session);
    init_session_free(session);
}

void init_session_abandon(struct init *init, uint64_t id, enum rpc_status status)
{
    struct init_session *session = &init->sessions[id];
    DUET_ASSERT(session->in_use && session->op == INIT_OP_OPEN);
    if (session->reply != CAP_INDEX_INVALID) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = status};
        sys_reply_send(session->reply, m);   /* a client that is gone hears nothing */
        sys_cap_delete(session->reply);
    }
    session_forget(init, session);
}

/* The client went while its session was opening: its donation goes back
 * now, and the opener closes the session at the server if it opens. */
static void session_orphan(struct init *init, struct init_session *session)
{
    DUET_ASSERT(session->in_use && session->op != INIT_OP_NONE);
    session_forget_donation(init, session);
    session->client = INIT_NO_CLIENT;
    if (session->reply != CAP_INDEX_INVALID)
        sys_cap_delete(session->reply);   /* its caller is being destroyed */
    session->reply = CAP_INDEX_INVALID;
}

void init_session_orphan(struct init *init, uint64_t id)
{
    session_orphan(init, &init->sessions[id]);
}

void init_close_queue(struct init *init, const struct init_session *session)
{
    for (size_t i = 0; i < INIT_CLOSES_MAX; i++) {
        struct init_close *close = &init->closes[i];
        if (close->in_use)
            continue;
        *close = (struct init_close){.in_use = true, .server = session->server,
                                     .root = session->root,
                                     .server_incarnation = session->server_incarnation,
                                     .server_id = session->server_id, .seq = ++init->op_seq};
        semaphore_up(&init->openings);
        return;
    }
    /* Only a server that never answers the opener lets closes pile up
     * this far: it never hears of this one, and keeps what it spent. */
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "too many closes pending: one at ");
    text_append(&text, init->children[session->server].name);
    text_append(&text, " dropped");
    log_write(init->env, init->log.cap, line);
}

enum rpc_status init_session_close(struct init *init, struct init_child *client, uint64_t id)
{
    size_t client_index = (size_t)(client - init->children);
    if (id >= INIT_SESSIONS_MAX || !init->sessions[id].in_use ||
        init->sessions[id].client != client_index || init->sessions[id].op == INIT_OP_OPEN)
        return RPC_ERR_INVALID_SESSION;
    struct init_session *session = &init->sessions[id];
    if (session->op == INIT_OP_UPGRADE)
        return RPC_ERR_IN_USE;   /* one operation at a time; ask again */
    /* Every copy the client holds or passed on is stale from now on. */
    if (session->cap != CAP_INDEX_INVALID)
        sys_cap_revoke(session->cap);
    enum rpc_status status = RPC_OK;
    if (session->server == INIT_AT_PARENT)
        status = parent_close(init->env, session->server_id);   /* core never calls us */
    else
        init_close_queue(init, session);
    session_forget(init, session);
    return status;
}

enum rpc_status init_session_upgrade(struct init *init, struct init_child *client,
                                     const struct ipc_message *request, uint64_t *out_id,
                                     bool *out_pending)
{
    uint64_t id = request->word[0], ram = request->word[1], caps = request->word[2];
    size_t client_index = (size_t)(client - init->children);
    *out_pending = false;
    *out_id = id;
    if (id >= INIT_SESSIONS_MAX || !init->sessions[id].in_use ||
        init->sessions[id].client != client_index || init->sessions[id].op == INIT_OP_OPEN)
        return RPC_ERR_INVALID_SESSION;
    struct init_session *session = &init->sessions[id];
    if (session->op == INIT_OP_UPGRADE)
        return RPC_ERR_IN_USE;
    if (ram > QUOTA_SIZE_MAX || caps > QUOTA_SIZE_MAX)
        return RPC_ERR_INVALID_ARGUMENT;
    if (!quota_take(&client->ram, ram))
        return RPC_ERR_OUT_OF_RAM;
    if (!quota_take(&client->caps, caps)) {
        quota_give_back(&client->ram, ram);
        return RPC_ERR_OUT_OF_CAPS;
    }
    if (session->server != INIT_AT_PARENT) {
        /* A child server: the opener passes it on (it may be calling us). */
        session->op = INIT_OP_UPGRADE;
        session->taken = false;
        session->seq = ++init->op_seq;
        session->reply = CAP_INDEX_INVALID;
        session->upgrade_ram = ram;
        session->upgrade_caps = caps;
        *out_pending = true;
        return RPC_OK;
    }
    enum rpc_status status = parent_upgrade(init->env, session->server_id, ram, caps);
    if (status != RPC_OK) {
        quota_give_back(&client->ram, ram);
        quota_give_back(&client->caps, caps);
        return status;
    }
    session->ram_donated += ram;
    session->caps_donated += caps;
    return RPC_OK;
}

void init_upgrade_cancel(struct init *init, uint64_t id, enum rpc_status status)
{
    struct init_session *session = &init->sessions[id];
    DUET_ASSERT(session->in_use && session->op == INIT_OP_UPGRADE && !session->taken);
    if (session->client != INIT_NO_CLIENT) {
        struct init_child *client = &init->children[session->client];
        quota_give_back(&client->ram, session->upgrade_ram);
        quota_give_back(&client->caps, session->upgrade_caps);
    }
    session->upgrade_ram = session->upgrade_caps = 0;
    if (session->reply != CAP_INDEX_INVALID) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = status};
        sys_reply_send(session->reply, m);
        sys_cap_delete(session->reply);
    }
    session->reply = CAP_INDEX_INVALID;
    session->op = INIT_OP_NONE;
}

bool init_quota_conserved(const struct init *init, const struct init_child *only)
{
    for (size_t c = 0; c < init->child_count; c++) {
        if (only != NULL && only != &init->children[c])
            continue;
        uint64_t ram = 0, caps = 0;
        for (size_t id = 0; id < INIT_SESSIONS_MAX; id++) {
            const struct init_session *session = &init->sessions[id];
            if (session->in_use && session->client == c) {
                ram += session->ram_donated + session->upgrade_ram;
                caps += session->caps_donated + session->upgrade_caps;
            }
        }
        const struct init_child *child = &init->children[c];
        if (ram != child->ram.used || caps != child->caps.used ||
            child->ram.used > child->ram.limit || child->caps.used > child->caps.limit)
            return false;
    }
    return true;
}

void init_sessions_forget_child(struct init *init, struct init_child *child)
{
    size_t index = (size_t)(child - init->children);
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++) {
        struct init_session *session = &init->sessions[id];
        if (!session->in_use)
            continue;
        if (session->op != INIT_OP_NONE && session->taken) {
            /* The opener is calling the server: it finishes this one (its
             * call fails if the server is what goes). */
            if (session->client == index)
                session_orphan(init, session);
            continue;
        }
        if (session->op == INIT_OP_OPEN) {
            if (session->server == index)
                init_session_abandon(init, id, RPC_ERR_SERVER_GONE);
            else if (session->client == index)
                init_session_abandon(init, id, RPC_ERR_DENIED);   /* its client is going */
            continue;
        }
        if (session->op == INIT_OP_UPGRADE && (session->server == index || session->client == index))
            init_upgrade_cancel(init, id,
                                session->server == index ? RPC_ERR_SERVER_GONE : RPC_ERR_DENIED);
        if (session->server == index)
            session_forget(init, session);   /* gone with the server */
        else if (session->client == index)
            init_session_close(init, child, id);
    }
    /* Closes it will never hear of. One the opener makes now fails. */
    for (size_t i = 0; i < INIT_CLOSES_MAX; i++)
        if (init->closes[i].in_use && !init->closes[i].taken && init->closes[i].server == index)
            init->closes[i] = (struct init_close){0};
    for (size_t i = 0; i < child->announced_count; i++) {
        cap_index_t root = child->announced[i].root.index;
        if (init->opener_server == index && init->opener_root == root)
            init->opener_root_stale = true;   /* the opener deletes it when done */
        else
            sys_cap_delete(root);
    }
    child->announced_count = 0;
}

enum rpc_status init_announce(struct init *init, struct init_child *server,
                              const struct ipc_message *request)
{
    char service[PARENT_SERVICE_MAX];
    if (!rpc_unpack_string(&request->word[0], PARENT_SERVICE_WORDS, service, sizeof service) ||
        duet_strlen(service) >= INIT_SERVICE_MAX || service[0] == '\0')
        return RPC_ERR_INVALID_ARGUMENT;
    if (announced(server, service) != NULL || server->announced_count == INIT_ANNOUNCED_MAX)
        return RPC_ERR_SESSION_LIMIT;
    struct init_service *offered = &server->announced[server->announced_count++];
    duet_strlcpy(offered->name, service, sizeof offered->name);
    offered->root.index = request->cap;
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, server->name);
    text_append(&text, " announced ");
    text_append(&text, service);
    log_write(init->env, init->log.cap, line);
    return RPC_OK;
}
