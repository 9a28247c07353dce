/*
 * log_session.h - the LOG service: a component's lines, labelled by its parents.
 *
 * A line longer than one message is sent in chunks of LOG_CHUNK_BYTES;
 * the server joins them and prints "[label] line" when the last chunk
 * (LOG_FLAG_LINE_END) arrives. Lines are capped at LOG_LINE_MAX bytes.
 * word 0 = byte count | flags, words 1..5 = the bytes.
 */
#ifndef DUET_LOG_SESSION_H
#define DUET_LOG_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

enum {
    LOG_CHUNK_BYTES = 40,
    LOG_LINE_MAX = 200,
};
#define LOG_FLAG_LINE_END (UINT64_C(1) << 63)
#define LOG_COUNT_MASK UINT64_C(0xff)

/*     name        opcode  words  capability type */
#define LOG_SESSION_RPCS(X)                 \
    X(LOG_WRITE,   0x100,  1, 6,  CAP_TYPE_NONE)

enum log_opcode { LOG_SESSION_RPCS(RPC_OPCODE_ENUM) };

/* A LOG capability is not a ROM capability: the types keep them apart. */
struct log_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define LOG_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct log_session_cap, __VA_ARGS__)
LOG_SESSION_RPCS(LOG_CLIENT_STUB)

/* The connection: opening it opens a LOG session through the parent,
 * closing it closes the session (its capability goes stale and is
 * deleted). It donates LOG_SESSION_RAM_QUOTA bytes and one capability
 * (the server's session state and session capability), returned on close. */
#define LOG_SESSION_RAM_QUOTA "1K"
#define LOG_SESSION_CAP_QUOTA "1"
struct log_connection {
    struct log_session_cap cap;
    uint64_t id;
};

enum rpc_status log_connection_open(struct env *env, struct log_connection *out);
enum rpc_status log_connection_close(struct env *env, struct log_connection *connection);
/* Writes one line (no newline needed). */
enum rpc_status log_write(struct env *env, struct log_session_cap log, const char *line);

#endif
