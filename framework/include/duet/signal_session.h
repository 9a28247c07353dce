/*
 * signal_session.h - SIGNAL: a signal receiver and its contexts, at core.
 *
 * The kernel's signals (duet/syscall.h) count and never block a sender;
 * this session is how a component gets them, paid for. The session owns
 * one receiver, made on the first request; SIGNAL_RECEIVER hands out a
 * capability to wait on it (without the right to manage it).
 * SIGNAL_ALLOC_CONTEXT makes a context with the client's imprint and
 * hands out its capability, which the client may pass to whoever is to
 * signal it (a transmitter needs nothing else). SIGNAL_FREE_CONTEXT
 * dissolves a context of this session: after it returns, no signal of
 * the context is delivered and its capabilities are stale. Closing the
 * session dissolves every context and wakes its waiters
 * (SYS_ERR_STALE_CAP).
 *
 *   SIGNAL_RECEIVER       reply capability: the receiver, wait-only
 *   SIGNAL_ALLOC_CONTEXT  word 0: imprint; reply capability: the context
 *   SIGNAL_FREE_CONTEXT   capability: the context
 */
#ifndef DUET_SIGNAL_SESSION_H
#define DUET_SIGNAL_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

enum {
    SIGNAL_SESSION_CONTEXTS_MAX = 16,
    SIGNAL_CONTEXT_RAM_COST = 64,     /* the kernel's context state */
};
/* The session (1K: its state and the receiver) and SIGNAL_SESSION_CONTEXTS_MAX
 * contexts; capabilities: the session's and the receiver's. */
#define SIGNAL_SESSION_RAM_QUOTA "2K"
#define SIGNAL_SESSION_CAP_QUOTA "2"

/*     name                  opcode  words  capability type */
#define SIGNAL_SESSION_RPCS(X)                                            \
    X(SIGNAL_RECEIVER,       0x800,  0, 0,  CAP_TYPE_NONE)                \
    X(SIGNAL_ALLOC_CONTEXT,  0x801,  1, 1,  CAP_TYPE_NONE)                \
    X(SIGNAL_FREE_CONTEXT,   0x802,  0, 0,  CAP_TYPE_SIGNAL_CONTEXT)

enum signal_opcode { SIGNAL_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct signal_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define SIGNAL_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct signal_session_cap, __VA_ARGS__)
SIGNAL_SESSION_RPCS(SIGNAL_CLIENT_STUB)

struct signal_connection {
    struct signal_session_cap cap;
    uint64_t id;
    cap_index_t receiver;        /* wait-only */
};

enum rpc_status signal_connection_open(struct env *env, struct signal_connection *out);
enum rpc_status signal_connection_close(struct env *env, struct signal_connection *connection);
enum rpc_status signal_context_alloc(struct env *env, struct signal_connection *connection,
                                     uint64_t imprint, cap_index_t *out_context);
/* Dissolves the context and deletes the caller's capability to it. */
enum rpc_status signal_context_free(struct env *env, struct signal_connection *connection,
                                    cap_index_t *context);

#endif
