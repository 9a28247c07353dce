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
};

struct init_session {
    bool in_use;
    size_t client;                  /* index in init->children            */
    size_t server;                  /* child index, or INIT_AT_PARENT     */
    size_t root;                    /* which of its announced roots       */
    uint64_t server_id;             /* the server's (or parent's) id      */
    uint64_t ram_donated;           /* taken from the client's budget     */
    uint64_t caps_donated;
    /* Opening at a child server: the opener thread makes the root call,
     * in the order the requests came (seq); the client waits on its
     * saved reply meanwhile. */
    bool opening;
    bool taken;                     /* the opener is calling the server   */
    uint64_t seq;
    cap_index_t reply;              /* the client's saved reply           */
    char args[PARENT_ARGS_MAX];     /* as forwarded to the server         */
};

struct init {
    struct env *env;
    struct lock lock;                   /* the entrypoint and the opener share
                                           everything below               */
    struct semaphore openings;          /* sessions waiting for the opener */
    uint64_t opening_seq;
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
enum rpc_status init_session_close(struct init *init, struct init_child *client, uint64_t id);
enum rpc_status init_session_upgrade(struct init *init, struct init_child *client,
                                     const struct ipc_message *request);
/* Q1: every child's used budget equals what its open sessions hold.
 * `only` limits the check to one child (NULL: all of them). */
bool init_quota_conserved(const struct init *init, const struct init_child *only);
/* A child goes: close its sessions, forget those it served and its services. */
void init_sessions_forget_child(struct init *init, struct init_child *child);
/* Keeps `root` on success; the caller must not delete it then. */
enum rpc_status init_announce(struct init *init, struct init_child *server,
                              const struct ipc_message *request);

#endif
