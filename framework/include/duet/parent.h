/*
 * parent.h - the parent interface: how a component asks for sessions.
 *
 * Every component holds a capability to its parent in CAP_SLOT_PARENT. It
 * asks for a session of a named service with an argument string; the
 * parent routes the request (init: by its config, to its own parent) and
 * answers with a session capability and the session's id (reply word 0).
 * PARENT_CLOSE(id) closes the session: the server revokes the session
 * capability, so every copy of it goes stale. PARENT_EXIT tells the parent
 * the component is done; the parent then destroys it. PARENT_ANNOUNCE
 * offers a service: it carries the server's root capability (duet/root.h),
 * through which the parent asks for sessions on a client's behalf.
 *
 * Quota: a request's "ram_quota" and "cap_quota" arguments are donated
 * from the client's budget at its parent (refused with RPC_ERR_OUT_OF_RAM
 * / _CAPS if it cannot cover them) to the server, which refuses a
 * donation below its cost (RPC_ERR_INSUFFICIENT_*_QUOTA). PARENT_UPGRADE
 * (id, ram, caps) donates more to an open session; closing returns the
 * whole donation to the client.
 *
 * Run-time control: a child its parent trusts with it (init: the
 * "control" option) may start a sibling by name (PARENT_START; words 0-3
 * the name) and kill one (PARENT_KILL), which tears it down as if it had
 * exited. Refusals: RPC_ERR_DENIED (no control right, or itself),
 * RPC_ERR_NO_SUCH_MODULE (no such child), RPC_ERR_IN_USE (running
 * already), RPC_ERR_SERVER_GONE (not running).
 *
 * Request layout: words 0-1 the service name (<= 15 chars), words 2-15 the
 * argument string (<= 111 chars), both NUL-terminated.
 */
#ifndef DUET_PARENT_H
#define DUET_PARENT_H

#include "duet/env.h"
#include "duet/rpc.h"

enum {
    PARENT_SERVICE_WORDS = 2,
    PARENT_ARGS_WORDS = 14,
    PARENT_SERVICE_MAX = PARENT_SERVICE_WORDS * 8,   /* with NUL */
    PARENT_ARGS_MAX = PARENT_ARGS_WORDS * 8,         /* with NUL */
};

/*     name            opcode  words  capability type */
#define PARENT_RPCS(X)                         \
    X(PARENT_SESSION,  0x300, 16, 16, CAP_TYPE_NONE)   \
    X(PARENT_EXIT,     0x301,  1, 1,  CAP_TYPE_NONE)   \
    X(PARENT_CLOSE,    0x302,  1, 1,  CAP_TYPE_NONE)   \
    X(PARENT_ANNOUNCE, 0x303,  2, 2,  CAP_TYPE_ENDPOINT)    \
    X(PARENT_UPGRADE,  0x304,  3, 3,  CAP_TYPE_NONE)   \
    X(PARENT_START,    0x305,  4, 4,  CAP_TYPE_NONE)   \
    X(PARENT_KILL,     0x306,  4, 4,  CAP_TYPE_NONE)   \
    X(PARENT_ADDRESS_SPACE, 0x307, 0, 0, CAP_TYPE_NONE)

enum parent_opcode { PARENT_RPCS(RPC_OPCODE_ENUM) };

struct parent_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define PARENT_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct parent_cap, __VA_ARGS__)
PARENT_RPCS(PARENT_CLIENT_STUB)

/* On RPC_OK, *out_session is a capability of the requested service and
 * *out_id the id that closes it. */
enum rpc_status parent_session(struct env *env, const char *service, const char *args,
                               cap_index_t *out_session, uint64_t *out_id);
/* Closes the session; the capability should be deleted by the caller. */
enum rpc_status parent_close(struct env *env, uint64_t id);
/* What every typed connection's close does: close the session, delete
 * the (now stale) capability, clear both. */
enum rpc_status parent_disconnect(struct env *env, cap_index_t *cap, uint64_t *id);
/* Donates more quota to an open session. */
enum rpc_status parent_upgrade(struct env *env, uint64_t id, uint64_t ram, uint64_t caps);
/* Run-time control of siblings (needs the parent's permission). */
enum rpc_status parent_start_child(struct env *env, const char *name);
enum rpc_status parent_kill_child(struct env *env, const char *name);
/* Offers `service` (<= 15 chars) through the server's root capability. */
enum rpc_status parent_announce(struct env *env, const char *service, cap_index_t root);
enum rpc_status parent_exit(struct env *env, uint64_t exit_code);

#endif
