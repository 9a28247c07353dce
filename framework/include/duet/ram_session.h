/*
 * ram_session.h - RAM: dataspaces of memory, paid from the session's quota.
 *
 * Every dataspace a RAM session allocates costs its size (rounded up to
 * pages) from the session's donation: a client's memory is exactly what it
 * gave (RPC_ERR_OUT_OF_RAM beyond, also when core's physical memory is
 * short). A new dataspace is zeroed. Freeing one, or closing the session,
 * destroys it: it disappears from every region map it was attached to and
 * its memory returns to the donation. The dataspaces of a session are
 * bounded by RAM_SESSION_DATASPACES_MAX (RPC_ERR_OUT_OF_RESOURCES).
 *   RAM_ALLOC(size)   word 0: bytes (> 0); answer: the dataspace capability
 *   RAM_FREE(ds)      capability: a dataspace of this session
 *   RAM_AVAIL()       answer word 0: bytes of the donation left
 */
#ifndef DUET_RAM_SESSION_H
#define DUET_RAM_SESSION_H

#include "duet/dataspace.h"
#include "duet/env.h"
#include "duet/rpc.h"

/* What opening costs (core's bookkeeping); donate this plus the memory. */
#define RAM_SESSION_BASE_QUOTA 1024u
#define RAM_SESSION_CAP_QUOTA "2"
enum { RAM_SESSION_DATASPACES_MAX = 32 };

/*     name            opcode  words  capability type */
#define RAM_SESSION_RPCS(X)                                        \
    X(RAM_ALLOC,       0xa00,  1, 1,  CAP_TYPE_NONE)               \
    X(RAM_FREE,        0xa01,  0, 0,  CAP_TYPE_DATASPACE)          \
    X(RAM_AVAIL,       0xa02,  0, 0,  CAP_TYPE_NONE)

enum ram_opcode { RAM_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct ram_session_cap { cap_index_t index; };

#define RAM_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct ram_session_cap, __VA_ARGS__)
RAM_SESSION_RPCS(RAM_CLIENT_STUB)

struct ram_connection {
    struct ram_session_cap cap;
    uint64_t id;
};

/* Donates RAM_SESSION_BASE_QUOTA + `bytes` (bytes: the memory to allocate). */
enum rpc_status ram_connection_open(struct env *env, const char *label, uint64_t bytes,
                                    struct ram_connection *out);
/* Destroys every dataspace of the session and closes it. */
enum rpc_status ram_connection_close(struct env *env, struct ram_connection *connection);
enum rpc_status ram_alloc(struct ram_session_cap ram, uint64_t size, struct dataspace_cap *out);
enum rpc_status ram_free(struct ram_session_cap ram, struct dataspace_cap ds);
enum rpc_status ram_avail(struct ram_session_cap ram, uint64_t *out_bytes);

#endif
