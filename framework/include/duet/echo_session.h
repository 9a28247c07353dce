/*
 * echo_session.h - ECHO, a small service that components provide to each
 * other (framework/app/echo): it adds two numbers, or - to test what
 * happens to a client blocked on a server that goes away - holds the call
 * and exits without answering.
 */
#ifndef DUET_ECHO_SESSION_H
#define DUET_ECHO_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

/*     name           opcode  words  cap */
#define ECHO_SESSION_RPCS(X)                  \
    X(ECHO_ADD,       0x500,  2, 2,  false)   \
    X(ECHO_HOLD,      0x501,  0, 0,  false)

enum echo_opcode { ECHO_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct echo_session_cap { cap_index_t index; };

/* The connection (see log_session.h); an ECHO session donates no quota. */
struct echo_connection {
    struct echo_session_cap cap;
    uint64_t id;
};

/* Retries while the route's server has not announced yet (bounded). */
enum rpc_status echo_connection_open(struct env *env, struct echo_connection *out);
enum rpc_status echo_connection_close(struct env *env, struct echo_connection *connection);
enum rpc_status echo_add(struct env *env, struct echo_session_cap echo, uint64_t a, uint64_t b,
                         uint64_t *out_sum);
/* Returns the kernel's verdict: the server never replies to this. */
enum sys_error echo_hold(struct env *env, struct echo_session_cap echo);

#endif
