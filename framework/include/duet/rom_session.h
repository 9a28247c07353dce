/*
 * rom_session.h - the ROM service: read-only boot modules, such as "config".
 *
 * The module is the last element of the session label ("init -> config").
 * Until dataspaces exist the content is read through IPC, ROM_READ_BYTES
 * at a time: reply word 0 = byte count, words 1..5 = the bytes.
 */
#ifndef DUET_ROM_SESSION_H
#define DUET_ROM_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

enum { ROM_READ_BYTES = 40 };

/*     name        opcode  words  capability type */
#define ROM_SESSION_RPCS(X)                 \
    X(ROM_SIZE,    0x200,  0, 0,  CAP_TYPE_NONE)    \
    X(ROM_READ,    0x201,  1, 1,  CAP_TYPE_NONE)

enum rom_opcode { ROM_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct rom_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define ROM_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct rom_session_cap, __VA_ARGS__)
ROM_SESSION_RPCS(ROM_CLIENT_STUB)

/* The connection (see log_session.h); it donates ROM_SESSION_RAM_QUOTA
 * bytes and one capability, returned on close. */
#define ROM_SESSION_RAM_QUOTA "1K"
#define ROM_SESSION_CAP_QUOTA "1"
struct rom_connection {
    struct rom_session_cap cap;
    uint64_t id;
};

enum rpc_status rom_connection_open(struct env *env, const char *module,
                                    struct rom_connection *out);
enum rpc_status rom_connection_close(struct env *env, struct rom_connection *connection);
enum rpc_status rom_size(struct env *env, struct rom_session_cap rom, uint64_t *out_size);
/* Reads the whole module into buf (at most buf_size bytes, *out_len set).
 * RPC_ERR_OUT_OF_RANGE if it does not fit. */
enum rpc_status rom_read_all(struct env *env, struct rom_session_cap rom, uint8_t *buf,
                             size_t buf_size, size_t *out_len);

#endif
