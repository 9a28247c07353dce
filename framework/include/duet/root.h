/*
 * root.h - the root interface: how a parent opens sessions at a server.
 *
 * A server announces a service to its parent with a root capability (an
 * endpoint capability with a badge of the server's choosing). The parent
 * calls it on a client's behalf:
 *   ROOT_SESSION(args)  words 0-13: the argument string, labelled by the
 *                       parent; reply: the session capability, and word 0
 *                       the server's id for the session
 *   ROOT_CLOSE(id)      the server revokes the session capability
 *   ROOT_UPGRADE(id, ram, caps)   more quota for the session
 * A client never holds a root capability.
 */
#ifndef DUET_ROOT_H
#define DUET_ROOT_H

#include "duet/env.h"
#include "duet/rpc.h"

enum { ROOT_ARGS_WORDS = 14 };

/*     name           opcode  words  capability type */
#define ROOT_RPCS(X)                          \
    X(ROOT_SESSION,   0x400, 14, 14, CAP_TYPE_NONE)   \
    X(ROOT_CLOSE,     0x401,  1, 1,  CAP_TYPE_NONE)   \
    X(ROOT_UPGRADE,   0x402,  3, 3,  CAP_TYPE_NONE)

enum root_opcode { ROOT_RPCS(RPC_OPCODE_ENUM) };

struct root_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define ROOT_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct root_cap, __VA_ARGS__)
ROOT_RPCS(ROOT_CLIENT_STUB)

/* The server's side of ROOT_SESSION: the argument string parsed strictly
 * (RPC_ERR_INVALID_ARGS_STRING) and the donation checked against what a
 * session costs the server (RPC_ERR_INSUFFICIENT_RAM_QUOTA / _CAP_QUOTA);
 * on RPC_OK, *out_ram and *out_caps are what the client donated. */
enum rpc_status root_session_decode(const struct ipc_message *request, uint64_t ram_cost,
                                    uint64_t cap_cost, uint64_t *out_ram, uint64_t *out_caps);

/* The parent's side. `message` is the caller's IPC buffer. */
enum rpc_status root_session(struct root_cap root, const char *args, struct ipc_message *message,
                             cap_index_t *out_session, uint64_t *out_id);
enum rpc_status root_close(struct root_cap root, uint64_t id, struct ipc_message *message);
enum rpc_status root_upgrade(struct root_cap root, uint64_t id, uint64_t ram, uint64_t caps,
                             struct ipc_message *message);

#endif
