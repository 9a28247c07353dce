/*
 * init_opener.c - init's second thread: it opens, upgrades and closes
 * sessions at child servers.
 *
 * init's entrypoint must never wait on a child: a child server that calls
 * init (to open a session of its own, to exit) while init calls its root
 * would leave both waiting for each other. So the entrypoint only records
 * the request (an "opening" session holding the client's donation and
 * saved reply, init_session_open) and wakes this thread, which makes the
 * root call without init's lock, while the entrypoint serves on. Then,
 * under the lock, it answers the client through the saved reply: the
 * session capability and init's id, or the server's refusal (the donation
 * back).
 *
 * What may happen meanwhile, under the entrypoint's lock:
 *   - the client goes: the session is orphaned (donation back, reply
 *     gone); if the server opens it, the opener closes it again;
 *   - the server goes: the kernel cancels the root call, which fails, and
 *     init keeps the root capability the opener called until the opener is
 *     done with its index (opener_root_stale);
 *   - the client cannot be answered (its waiting thread was killed, or the
 *     server went after answering, so the session capability is stale):
 *     it gets RPC_ERR_SERVER_GONE if it still waits, its donation goes
 *     back, and the session is closed again at the server.
 * Upgrades go the same way (the client waits on its saved reply; the
 * amounts are taken from its budget first and are the session's only once
 * the server took them), and so do closes, for which the client does not
 * wait: init answers it and gives its donation back at once, and queues
 * the close for the server (init_close). A close is made only at the
 * incarnation of the server the session was opened at.
 * Operations are taken in the order they came (seq). Limitation: a server
 * that, while the opener calls it, asks init for a session at another
 * child server waits behind itself; the two wait for each other.
 */
#include "duet/assert.h"
#include "duet/string.h"
#include "init.h"

/* The oldest operation the opener has not taken: a session's (open or
 * upgrade, *out_close false) or a close's; false if there is none. */
static bool oldest_op(const struct init *init, size_t *out_index, bool *out_close)
{
    uint64_t oldest_seq = UINT64_MAX;
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++) {
        const struct init_session *session = &init->sessions[id];
        if (session->in_use && session->op != INIT_OP_NONE && !session->taken &&
            session->seq < oldest_seq) {
            oldest_seq = session->seq;
            *out_index = id;
            *out_close = false;
        }
    }
    for (size_t i = 0; i < INIT_CLOSES_MAX; i++) {
        const struct init_close *close = &init->closes[i];
        if (close->in_use && !close->taken && close->seq < oldest_seq) {
            oldest_seq = close->seq;
            *out_index = i;
            *out_close = true;
        }
    }
    return oldest_seq != UINT64_MAX;
}

static void init_locked(struct init *init)
{
    enum lock_error error = lock_acquire(&init->lock);
    DUET_ASSERT(error == LOCK_OK);
}

static void init_unlocked(struct init *init)
{
    enum lock_error error = lock_release(&init->lock);
    DUET_ASSERT(error == LOCK_OK);
}

/* Answers the client of an opened (or refused) session. Returns true if
 * the session is open at the server but nobody took it: close it there. */
static bool opening_finish(struct init *init, size_t id, enum rpc_status status, cap_index_t cap,
                           uint64_t server_id)
{
    struct init_session *session = &init->sessions[id];
    DUET_ASSERT(session->in_use && session->op == INIT_OP_OPEN && session->taken);
    if (status != RPC_OK) {
        session->taken = false;
        init_session_abandon(init, id, status);
        return false;
    }
    session->server_id = server_id;
    /* Its server went while we called it (and maybe came back): whatever
     * it answered belongs to nobody now. The session goes; nothing to close. */
    const struct init_child *server = &init->children[session->server];
    if (server->exited || server->incarnation != session->server_incarnation) {
        sys_cap_delete(cap);
        session->taken = false;
        if (session->client == INIT_NO_CLIENT)
            init_session_free(session);   /* its donation went back when orphaned */
        else
            init_session_abandon(init, id, RPC_ERR_SERVER_GONE);
        return false;
    }
    if (session->client != INIT_NO_CLIENT) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = RPC_OK, .word_count = 1, .word = {id}, .cap = cap};
        bool answered = sys_reply_send(session->reply, m) == SYS_OK;
        if (answered) {
            session->cap = cap;   /* the client's copy derives from it */
            sys_cap_delete(session->reply);
            session->reply = CAP_INDEX_INVALID;
            session->op = INIT_OP_NONE;
            session->taken = false;
            return false;
        }
        /* The session capability was stale (its server went after
         * answering) or the client's waiting thread is gone: say so if it
         * still waits, and give the donation back. */
        sys_cap_delete(cap);
        *m = (struct ipc_message){.label = RPC_ERR_SERVER_GONE};
        sys_reply_send(session->reply, m);
        init_session_orphan(init, id);
        return true;
    }
    sys_cap_delete(cap);
    return true;
}

/* The upgrade is through (or refused): the client hears the server's
 * answer. Returns true if the session must be closed at the server (its
 * client went meanwhile). */
static bool upgrade_finish(struct init *init, size_t id, enum rpc_status status)
{
    struct init_session *session = &init->sessions[id];
    DUET_ASSERT(session->in_use && session->op == INIT_OP_UPGRADE && session->taken);
    /* Orphaned (its donation went back then): the opener closes it at the
     * server and frees it, and until then it stays taken, so that nobody
     * frees the slot under the opener. */
    if (session->client == INIT_NO_CLIENT)
        return true;
    session->op = INIT_OP_NONE;
    session->taken = false;
    struct init_child *client = &init->children[session->client];
    if (status == RPC_OK) {
        session->ram_donated += session->upgrade_ram;
        session->caps_donated += session->upgrade_caps;
    } else {
        quota_give_back(&client->ram, session->upgrade_ram);
        quota_give_back(&client->caps, session->upgrade_caps);
    }
    session->upgrade_ram = session->upgrade_caps = 0;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = status};
    sys_reply_send(session->reply, m);   /* a client thread that is gone hears nothing */
    sys_cap_delete(session->reply);
    session->reply = CAP_INDEX_INVALID;
    /* Its server went while we called it: the session went with it. */
    const struct init_child *server = &init->children[session->server];
    if (server->exited || server->incarnation != session->server_incarnation) {
        quota_give_back(&client->ram, session->ram_donated);
        quota_give_back(&client->caps, session->caps_donated);
        init_session_free(session);
    }
    return false;
}

/* Takes the oldest operation and copies what the call needs; false when
 * there is nothing to do (called off before the opener came to it). */
struct opener_job {
    size_t index;
    bool close;
    uint8_t op;
    struct root_cap root;
    uint64_t server_id;
    uint64_t ram, caps;
    char args[PARENT_ARGS_MAX];
};

static bool job_take(struct init *init, struct opener_job *job)
{
    if (!oldest_op(init, &job->index, &job->close))
        return false;
    size_t server = 0, root = 0;
    if (job->close) {
        struct init_close *close = &init->closes[job->index];
        close->taken = true;
        server = close->server;
        root = close->root;
        job->server_id = close->server_id;
        DUET_ASSERT(!init->children[server].exited &&
                    init->children[server].incarnation == close->server_incarnation);
    } else {
        struct init_session *session = &init->sessions[job->index];
        session->taken = true;
        server = session->server;
        root = session->root;
        job->op = session->op;
        job->server_id = session->server_id;
        job->ram = session->upgrade_ram;
        job->caps = session->upgrade_caps;
        duet_strlcpy(job->args, session->args, sizeof job->args);
    }
    job->root = init->children[server].announced[root].root;
    init->opener_server = server;
    init->opener_root = job->root.index;
    init->opener_root_stale = false;
    return true;
}

void init_opener(struct env *env, void *arg)
{
    struct init *init = arg;
    (void)env;
    for (;;) {
        semaphore_down(&init->openings);
        init_locked(init);
        struct opener_job job = {0};
        if (!job_take(init, &job)) {   /* called off before we came to it */
            init_unlocked(init);
            continue;
        }
        init_unlocked(init);

        /* The call, without the lock: the server may be calling init. */
        cap_index_t cap = CAP_INDEX_INVALID;
        uint64_t server_id = job.server_id;
        enum rpc_status status = RPC_OK;
        if (job.close)
            status = root_close(job.root, job.server_id, ipc_buffer());
        else if (job.op == INIT_OP_OPEN)
            status = root_session(job.root, job.args, ipc_buffer(), &cap, &server_id);
        else
            status = root_upgrade(job.root, job.server_id, job.ram, job.caps, ipc_buffer());

        init_locked(init);
        bool close = false;
        if (job.close)
            init->closes[job.index] = (struct init_close){0};   /* done, or its server gone */
        else if (job.op == INIT_OP_OPEN)
            close = opening_finish(init, job.index, status, cap, server_id);
        else
            close = upgrade_finish(init, job.index, status);
        if (close) {
            /* Opened or upgraded for a client that is gone: close it where
             * it lives. The server may be calling us; we hold no lock for it. */
            init_unlocked(init);
            root_close(job.root, server_id, ipc_buffer());
            init_locked(init);
            init_session_free(&init->sessions[job.index]);   /* its donation went back */
        }
        if (init->opener_root_stale)
            sys_cap_delete(init->opener_root);
        init->opener_root_stale = false;
        init->opener_root = CAP_INDEX_INVALID;
        init->opener_server = INIT_CHILDREN_MAX;
        init_unlocked(init);
    }
}
