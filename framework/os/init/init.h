/*
 * init.h - init's state (init-internal). See init.c for what init does.
 */
#ifndef DUET_INIT_H
#define DUET_INIT_H

#include "duet/cpu_session.h"
#include "duet/lock.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/pd_session.h"
#include "duet/semaphore.h"
#include "duet/quota.h"
#include "duet/root.h"
#include "init_config.h"

enum {
    INIT_SESSIONS_PER_CHILD = 8,    /* no child can take the table from the others */
    INIT_SESSIONS_MAX = INIT_CHILDREN_MAX * INIT_SESSIONS_PER_CHILD,
    INIT_ANNOUNCED_MAX = 2,         /* services one child may offer */
    INIT_AT_PARENT = INIT_CHILDREN_MAX,   /* init_session.server: init's parent */
    INIT_NO_CLIENT = INIT_CHILDREN_MAX + 1,   /* init_session.client: gone while opening */
    INIT_OPENER_STACK = 16 * 1024,
    INIT_CLOSES_MAX = 2 * INIT_SESSIONS_MAX,   /* closes at servers not yet made */
};

/* What the opener thread still has to do for a session. */
enum init_op {
    INIT_OP_NONE = 0,
    INIT_OP_OPEN,                   /* open it at its child server        */
    INIT_OP_UPGRADE,                /* pass an upgrade on to the server   */
};

struct init_service {
    char name[INIT_SERVICE_MAX];
    struct root_cap root;           /* init's copy of the server's root */
};

struct init_child {
    char name[COMPONENT_NAME_MAX];
    struct pd_connection pd;        /* at core: closing it destroys the child */
    bool exited;
    size_t announced_count;
    struct init_service announced[INIT_ANNOUNCED_MAX];
    struct quota_account ram;       /* budget for donations, from the config */
    struct quota_account caps;
    uint32_t incarnation;           /* bumped at every start: a queued close
                                       is for the server it was made for */
};

struct init_session {
    bool in_use;
    size_t client;                  /* index in init->children            */
    size_t server;                  /* child index, or INIT_AT_PARENT     */
    size_t root;                    /* which of its announced roots       */
    uint64_t server_id;             /* the server's (or parent's) id      */
    cap_index_t cap;                /* init's copy of the session capability,
                                       the one the client's derives from:
                                       revoking it at close makes the
                                       client's stale at once, even while
                                       the close travels to the server */
    uint64_t ram_donated;           /* taken from the client's budget     */
    uint64_t caps_donated;
    uint32_t server_incarnation;
    /* Opening at a child server, or upgrading there: the opener thread
     * makes the root call, in the order the requests came (seq); the
     * client waits on its saved reply meanwhile. */
    uint8_t op;                     /* enum init_op                       */
    bool taken;                     /* the opener is calling the server   */
    uint64_t seq;
    cap_index_t reply;              /* the client's saved reply           */
    uint64_t upgrade_ram;           /* UPGRADE: taken from the client's   */
    uint64_t upgrade_caps;          /* budget, not yet the server's       */
    char args[PARENT_ARGS_MAX];     /* as forwarded to the server         */
};

/* A session closed for its client whose server has yet to hear of it. */
struct init_close {
    bool in_use;
    bool taken;                     /* the opener is calling the server   */
    size_t server;
    size_t root;
    uint32_t server_incarnation;
    uint64_t server_id;
    uint64_t seq;
};

struct init {
    struct env *env;
    struct lock lock;                   /* the entrypoint and the opener share
                                           everything below               */
    struct semaphore openings;          /* operations waiting for the opener */
    uint64_t op_seq;
    size_t opener_server;               /* whose root the opener calls, or
                                           INIT_CHILDREN_MAX               */
    cap_index_t opener_root;            /* the root it calls: if its server
                                           goes meanwhile, the opener deletes
                                           it once done (opener_root_stale), so
                                           the index is not reused under it */
    bool opener_root_stale;
    struct cpu_connection cpu;
    struct cpu_thread opener;
    struct log_connection log;
    cap_index_t endpoint;
    cap_index_t delete_after_reply;     /* a session capability passed on     */
    bool reply;                         /* the request gets an answer         */
    bool keep_request_cap;              /* the request's capability stays     */
    bool touched_others;                /* the request started or tore down a
                                           child: other accounts moved too    */
    size_t child_count;
    size_t exited_count;
    struct init_child children[INIT_CHILDREN_MAX];
    struct init_session sessions[INIT_SESSIONS_MAX];
    struct init_close closes[INIT_CLOSES_MAX];
    char config_text[INIT_CONFIG_MAX];
    struct init_config config;
};

/* init_session.c */
/* RPC_OK with *out_pending set: the session is opening at a child server
 * (slot *out_id); the caller saves the client's reply into it and wakes
 * the opener. RPC_OK otherwise: opened at init's parent, *out_cap. */
enum rpc_status init_session_open(struct init *init, struct init_child *client,
                                  const struct ipc_message *request, cap_index_t *out_cap,
                                  uint64_t *out_id, bool *out_pending);
/* Gives an opening session up: donation back, `status` to the client
 * (if it still waits), slot free. */
void init_session_abandon(struct init *init, uint64_t id, enum rpc_status status);
/* The opening session's client cannot be answered: its donation goes back
 * and the session belongs to nobody (the opener closes it at the server). */
void init_session_orphan(struct init *init, uint64_t id);
/* The opener thread: opens sessions at child servers (init_opener.c). */
void init_opener(struct env *env, void *arg);
/* Closing at a child server is queued for the opener: the client is
 * answered (and its donation back) at once. */
enum rpc_status init_session_close(struct init *init, struct init_child *client, uint64_t id);
/* RPC_OK with *out_pending set: the upgrade waits for the opener (session
 * *out_id); the caller saves the client's reply into it and wakes it. */
enum rpc_status init_session_upgrade(struct init *init, struct init_child *client,
                                     const struct ipc_message *request, uint64_t *out_id,
                                     bool *out_pending);
/* An upgrade the opener has not taken is called off: the amounts go back
 * to the client, which gets `status` if it still waits. */
void init_upgrade_cancel(struct init *init, uint64_t id, enum rpc_status status);
/* A close at a child server for the opener; false if the queue is full
 * (the server then never hears of it: logged). */
void init_close_queue(struct init *init, const struct init_session *session);
/* Q1: every child's used budget equals what its open sessions hold.
 * `only` limits the check to one child (NULL: all of them). */
bool init_quota_conserved(const struct init *init, const struct init_child *only);
/* A child goes: close its sessions, forget those it served and its services. */
void init_sessions_forget_child(struct init *init, struct init_child *child);
/* Frees the slot and init's copy of the session capability. */
void init_session_free(struct init_session *session);
/* Keeps `root` on success; the caller must not delete it then. */
enum rpc_status init_announce(struct init *init, struct init_child *server,
                              const struct ipc_message *request);

#endif
