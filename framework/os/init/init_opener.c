/*
 * init_opener.c - init's second thread: it opens sessions at child servers.
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
 * Requests are taken in the order they came (seq). Limitation: a server
 * that, while the opener calls it, asks init for a session at another
 * child server waits behind itself; the two wait for each other.
 */
#include "duet/assert.h"
#include "duet/string.h"
#include "init.h"

/* The oldest opening session the opener has not taken, or INIT_SESSIONS_MAX. */
static size_t oldest_opening(const struct init *init)
{
    size_t oldest = INIT_SESSIONS_MAX;
    for (size_t id = 0; id < INIT_SESSIONS_MAX; id++) {
        const struct init_session *session = &init->sessions[id];
        if (session->in_use && session->opening && !session->taken &&
            (oldest == INIT_SESSIONS_MAX || session->seq < init->sessions[oldest].seq))
            oldest = id;
    }
    return oldest;
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
    DUET_ASSERT(session->in_use && session->opening && session->taken);
    if (status != RPC_OK) {
        init_session_abandon(init, id, status);
        return false;
    }
    session->server_id = server_id;
    if (session->client != INIT_NO_CLIENT) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = RPC_OK, .word_count = 1, .word = {id}, .cap = cap};
        bool answered = sys_reply_send(session->reply, m) == SYS_OK;
        sys_cap_delete(cap);   /* the client has its own copy, if answered */
        if (answered) {
            sys_cap_delete(session->reply);
            session->reply = CAP_INDEX_INVALID;
            session->opening = session->taken = false;
            return false;
        }
        /* The session capability was stale (its server went after
         * answering) or the client's waiting thread is gone: say so if it
         * still waits, and give the donation back. */
        *m = (struct ipc_message){.label = RPC_ERR_SERVER_GONE};
        sys_reply_send(session->reply, m);
        init_session_orphan(init, id);
        return true;
    }
    sys_cap_delete(cap);
    return true;
}

void init_opener(struct env *env, void *arg)
{
    struct init *init = arg;
    (void)env;
    for (;;) {
        semaphore_down(&init->openings);
        init_locked(init);
        size_t id = oldest_opening(init);
        if (id == INIT_SESSIONS_MAX) {   /* abandoned before we came to it */
            init_unlocked(init);
            continue;
        }
        struct init_session *session = &init->sessions[id];
        session->taken = true;
        size_t server = session->server;
        struct root_cap root = init->children[server].announced[session->root].root;
        char args[PARENT_ARGS_MAX];
        duet_strlcpy(args, session->args, sizeof args);
        init->opener_server = server;
        init->opener_root = root.index;
        init->opener_root_stale = false;
        init_unlocked(init);

        cap_index_t cap = CAP_INDEX_INVALID;
        uint64_t server_id = 0;
        enum rpc_status status = root_session(root, args, ipc_buffer(), &cap, &server_id);

        init_locked(init);
        bool close = opening_finish(init, id, status, cap, server_id);
        if (close) {
            /* Opened for a client that is gone: close it where it lives.
             * The server may be calling us now; we hold no lock for it. */
            init_unlocked(init);
            root_close(root, server_id, ipc_buffer());
            init_locked(init);
            *session = (struct init_session){0};   /* its donation went back when orphaned */
        }
        if (init->opener_root_stale)
            sys_cap_delete(init->opener_root);
        init->opener_root_stale = false;
        init->opener_root = CAP_INDEX_INVALID;
        init->opener_server = INIT_CHILDREN_MAX;
        init_unlocked(init);
    }
}
