/*
 * echo_session.h - ECHO, a small service that components provide to each
 * other (framework/app/echo): it adds two numbers, reserves session memory
 * from the client's donation (refused by name when the donation is spent,
 * until an upgrade), or - to test what happens to a client blocked on a
 * server that goes away - holds the call and exits without answering.
 */
#ifndef DUET_ECHO_SESSION_H
#define DUET_ECHO_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

/*     name           opcode  words  capability type */
#define ECHO_SESSION_RPCS(X)                  \
    X(ECHO_ADD,       0x500,  2, 2,  CAP_TYPE_NONE)   \
    X(ECHO_HOLD,      0x501,  0, 0,  CAP_TYPE_NONE)   \
    X(ECHO_RESERVE,   0x502,  1, 1,  CAP_TYPE_NONE)

enum echo_opcode { ECHO_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct echo_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define ECHO_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct echo_session_cap, __VA_ARGS__)
ECHO_SESSION_RPCS(ECHO_CLIENT_STUB)

/* The connection (see log_session.h). It donates ECHO_SESSION_RAM_QUOTA
 * and one capability: the server spends ECHO_SESSION_RAM_COST of it on the
 * session; the rest is what ECHO_RESERVE can use before an upgrade. */
#define ECHO_SESSION_RAM_QUOTA "2K"
#define ECHO_SESSION_CAP_QUOTA "1"
enum { ECHO_SESSION_RAM_COST = 1024, ECHO_SESSION_CAP_COST = 1 };
struct echo_connection {
    struct echo_session_cap cap;
    uint64_t id;
};

/* Retries while the route's server has not announced yet (bounded). */
enum rpc_status echo_connection_open(struct env *env, struct echo_connection *out);
enum rpc_status echo_connection_close(struct env *env, struct echo_connection *connection);
/* Donates more quota to the session (through the parent). */
enum rpc_status echo_connection_upgrade(struct env *env, struct echo_connection *connection,
                                        uint64_t ram, uint64_t caps);
/* Has the server set aside `bytes` of session memory: RPC_ERR_OUT_OF_RAM
 * when the session's donation cannot cover it. */
enum rpc_status echo_reserve(struct env *env, struct echo_session_cap echo, uint64_t bytes);
enum rpc_status echo_add(struct env *env, struct echo_session_cap echo, uint64_t a, uint64_t b,
                         uint64_t *out_sum);
/* Returns the kernel's verdict: the server never replies to this. */
enum sys_error echo_hold(struct env *env, struct echo_session_cap echo);

#endif
