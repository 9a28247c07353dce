/*
 * block_session.h - BLOCK: a block device, served by a driver (ata).
 *
 * A session sees the device's blocks (BLOCK_INFO: count, size, whether
 * writes are allowed) and moves them through a transfer buffer of
 * BLOCK_TRANSFER_BLOCKS_MAX blocks the server keeps per session, since
 * messages carry 16 words and there are no shared dataspaces yet (as ROM
 * reads go through IPC words today):
 *   read:  BLOCK_READ(lba, count) fills the buffer from the device, then
 *          BLOCK_FETCH(offset) returns its bytes, BLOCK_CHUNK_BYTES a call;
 *   write: BLOCK_STORE(offset, length, bytes...) fills the buffer, then
 *          BLOCK_WRITE(lba, count) writes it to the device.
 * BLOCK_READ and BLOCK_WRITE answer RPC_OK with an enum block_error in
 * word 0 (the request was understood; the device's verdict is the
 * error); a malformed message or a buffer range outside the buffer is an
 * RPC error (RPC_ERR_INVALID_ARGUMENT, RPC_ERR_OUT_OF_RANGE).
 *
 * Writes need both the session argument writeable=yes and the server's
 * policy (the ata driver's "ata_config" ROM, like Genode's ata="yes");
 * otherwise BLOCK_WRITE is BLOCK_ERR_READ_ONLY.
 *
 *   BLOCK_INFO   reply words: block count, block size, writeable (0/1)
 *   BLOCK_READ   words: lba, count      reply word 0: enum block_error
 *   BLOCK_WRITE  words: lba, count      reply word 0: enum block_error
 *   BLOCK_FETCH  word 0: offset         reply: word 0 length, then the bytes
 *   BLOCK_STORE  words: offset, length, then the bytes (<= BLOCK_CHUNK_BYTES)
 */
#ifndef DUET_BLOCK_SESSION_H
#define DUET_BLOCK_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

enum {
    BLOCK_SIZE = 512,
    BLOCK_TRANSFER_BLOCKS_MAX = 8,
    BLOCK_BUFFER_BYTES = BLOCK_TRANSFER_BLOCKS_MAX * BLOCK_SIZE,
    BLOCK_CHUNK_WORDS = 12,
    BLOCK_CHUNK_BYTES = BLOCK_CHUNK_WORDS * 8,
};

/* The session's state and its transfer buffer; its capability. */
#define BLOCK_SESSION_RAM_QUOTA "5K"
#define BLOCK_SESSION_CAP_QUOTA "1"

/*     name          opcode  words            capability type */
#define BLOCK_SESSION_RPCS(X)                                        \
    X(BLOCK_INFO,    0xB00,  0, 0,            CAP_TYPE_NONE)         \
    X(BLOCK_READ,    0xB01,  2, 2,            CAP_TYPE_NONE)         \
    X(BLOCK_WRITE,   0xB02,  2, 2,            CAP_TYPE_NONE)         \
    X(BLOCK_FETCH,   0xB03,  1, 1,            CAP_TYPE_NONE)         \
    X(BLOCK_STORE,   0xB04,  2, 2 + BLOCK_CHUNK_WORDS, CAP_TYPE_NONE)

enum block_opcode { BLOCK_SESSION_RPCS(RPC_OPCODE_ENUM) };

enum block_error {
    BLOCK_OK = 0,
    BLOCK_ERR_BAD_LBA,           /* the range leaves the device */
    BLOCK_ERR_BAD_COUNT,         /* 0, or more than BLOCK_TRANSFER_BLOCKS_MAX */
    BLOCK_ERR_READ_ONLY,         /* the session or the server's policy forbids writes */
    BLOCK_ERR_DEVICE,            /* the device reported an error (ERR, ABRT, no data) */
    BLOCK_ERR_TIMEOUT,           /* the device did not answer in time */
    BLOCK_ERR_NO_DEVICE,         /* no disk behind the session */
    BLOCK_ERR_TRANSPORT,         /* client side: the RPC itself failed */
    BLOCK_ERROR_COUNT
};

const char *block_error_name(uint64_t error);

struct block_session_cap { cap_index_t index; };

#define BLOCK_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct block_session_cap, __VA_ARGS__)
BLOCK_SESSION_RPCS(BLOCK_CLIENT_STUB)

struct block_connection {
    struct block_session_cap cap;
    uint64_t id;
};

struct block_info {
    uint64_t block_count;
    uint64_t block_size;
    bool writeable;
};

enum rpc_status block_connection_open(struct env *env, bool writeable,
                                      struct block_connection *out);
/* The same, for a client that may start before its driver has probed
 * the disk and announced BLOCK: while the answer is RPC_ERR_UNAVAILABLE
 * it sleeps BLOCK_OPEN_RETRY_US on a TIMER session of its own (which it
 * opens and closes; yielding would keep virtual time from moving while
 * the driver sleeps), up to BLOCK_OPEN_ATTEMPTS times. Needs routes for
 * TIMER and SIGNAL. */
enum { BLOCK_OPEN_ATTEMPTS = 100, BLOCK_OPEN_RETRY_US = 10000 };
enum rpc_status block_connection_open_waiting(struct env *env, bool writeable,
                                              struct block_connection *out);
enum rpc_status block_connection_close(struct env *env, struct block_connection *connection);
enum rpc_status block_info(struct env *env, struct block_session_cap block,
                           struct block_info *out);
/* count blocks from lba into buffer (count * BLOCK_SIZE bytes). */
enum block_error block_read(struct env *env, struct block_session_cap block, uint64_t lba,
                            uint64_t count, uint8_t *buffer);
enum block_error block_write(struct env *env, struct block_session_cap block, uint64_t lba,
                             uint64_t count, const uint8_t *buffer);

#endif
