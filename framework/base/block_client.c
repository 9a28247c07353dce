/*
 * block_client.c - client stubs of the BLOCK service
 * (duet/block_session.h): the transfer buffer moved in chunks.
 */
#include "duet/block_session.h"

#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/signal_session.h"
#include "duet/string.h"
#include "duet/timer_session.h"

static const char *const error_names[BLOCK_ERROR_COUNT] = {
    [BLOCK_OK] = "BLOCK_OK",
    [BLOCK_ERR_BAD_LBA] = "BLOCK_ERR_BAD_LBA",
    [BLOCK_ERR_BAD_COUNT] = "BLOCK_ERR_BAD_COUNT",
    [BLOCK_ERR_READ_ONLY] = "BLOCK_ERR_READ_ONLY",
    [BLOCK_ERR_DEVICE] = "BLOCK_ERR_DEVICE",
    [BLOCK_ERR_TIMEOUT] = "BLOCK_ERR_TIMEOUT",
    [BLOCK_ERR_NO_DEVICE] = "BLOCK_ERR_NO_DEVICE",
    [BLOCK_ERR_TRANSPORT] = "BLOCK_ERR_TRANSPORT",
};

const char *block_error_name(uint64_t error)
{
    return error < BLOCK_ERROR_COUNT ? error_names[error] : "BLOCK_ERR_UNKNOWN";
}

enum rpc_status block_connection_open(struct env *env, bool writeable,
                                      struct block_connection *out)
{
    const char *args = writeable ? "writeable=yes, ram_quota=" BLOCK_SESSION_RAM_QUOTA
                                   ", cap_quota=" BLOCK_SESSION_CAP_QUOTA
                                 : "ram_quota=" BLOCK_SESSION_RAM_QUOTA
                                   ", cap_quota=" BLOCK_SESSION_CAP_QUOTA;
    return parent_session(env, "BLOCK", args, &out->cap.index, &out->id);
}

enum rpc_status block_connection_open_waiting(struct env *env, bool writeable,
                                              struct block_connection *out)
{
    enum rpc_status status = block_connection_open(env, writeable, out);
    if (status != RPC_ERR_UNAVAILABLE)
        return status;
    struct signal_connection signals;
    struct timer_connection timer;
    cap_index_t context = CAP_INDEX_INVALID;
    status = signal_connection_open(env, &signals);
    if (status != RPC_OK)
        return status;
    status = signal_context_alloc(env, &signals, 1, &context);
    if (status == RPC_OK)
        status = timer_connection_open(env, &timer);
    enum rpc_status result = RPC_ERR_UNAVAILABLE;
    if (status == RPC_OK) {
        status = timer_sigh(env, timer.cap, context);
        for (unsigned attempt = 1; attempt < BLOCK_OPEN_ATTEMPTS && status == RPC_OK &&
                                   result == RPC_ERR_UNAVAILABLE;
             attempt++) {
            struct signal signal;
            status = timer_trigger_once(env, timer.cap, BLOCK_OPEN_RETRY_US);
            if (status == RPC_OK && sys_signal_wait(signals.receiver, true, &signal) != SYS_OK)
                status = RPC_ERR_TRANSPORT;
            if (status == RPC_OK)
                result = block_connection_open(env, writeable, out);
        }
        timer_connection_close(env, &timer);
    }
    if (context != CAP_INDEX_INVALID)
        signal_context_free(env, &signals, &context);
    signal_connection_close(env, &signals);
    return status != RPC_OK ? status : result;
}

enum rpc_status block_connection_close(struct env *env, struct block_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status block_info(struct env *env, struct block_session_cap block,
                           struct block_info *out)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_BLOCK_INFO(block, m);
    if (status == RPC_OK && m->word_count != 3)
        status = RPC_ERR_TRANSPORT;
    *out = status == RPC_OK ? (struct block_info){m->word[0], m->word[1], m->word[2] != 0}
                            : (struct block_info){0};
    return status;
}

/* A device operation's verdict: the RPC's, then the server's word. */
static enum block_error block_verdict(enum rpc_status status, const struct ipc_message *m)
{
    if (status != RPC_OK || m->word_count != 1 || m->word[0] >= BLOCK_ERR_TRANSPORT)
        return BLOCK_ERR_TRANSPORT;
    return (enum block_error)m->word[0];
}

enum block_error block_read(struct env *env, struct block_session_cap block, uint64_t lba,
                            uint64_t count, uint8_t *buffer)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 2, .word = {lba, count}};
    enum block_error error = block_verdict(call_BLOCK_READ(block, m), m);
    if (error != BLOCK_OK)
        return error;
    DUET_ASSERT(count <= BLOCK_TRANSFER_BLOCKS_MAX);   /* the server checked it */
    size_t total = (size_t)count * BLOCK_SIZE;
    for (size_t offset = 0; offset < total;) {
        *m = (struct ipc_message){.word_count = 1, .word = {offset}};
        if (call_BLOCK_FETCH(block, m) != RPC_OK || m->word_count < 1 || m->word[0] == 0 ||
            m->word[0] > BLOCK_CHUNK_BYTES || m->word[0] > total - offset ||
            m->word_count != 1 + (m->word[0] + 7) / 8)
            return BLOCK_ERR_TRANSPORT;
        duet_memcpy(buffer + offset, &m->word[1], m->word[0]);
        offset += m->word[0];
    }
    return BLOCK_OK;
}

enum block_error block_write(struct env *env, struct block_session_cap block, uint64_t lba,
                             uint64_t count, const uint8_t *buffer)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    /* Only what fits the buffer is staged; the server judges the rest. */
    size_t total = count <= BLOCK_TRANSFER_BLOCKS_MAX ? (size_t)count * BLOCK_SIZE : 0;
    for (size_t offset = 0; offset < total; offset += BLOCK_CHUNK_BYTES) {
        size_t length = total - offset < BLOCK_CHUNK_BYTES ? total - offset : BLOCK_CHUNK_BYTES;
        *m = (struct ipc_message){.word_count = 2 + (length + 7) / 8, .word = {offset, length}};
        duet_memcpy(&m->word[2], buffer + offset, length);
        if (call_BLOCK_STORE(block, m) != RPC_OK)
            return BLOCK_ERR_TRANSPORT;
    }
    *m = (struct ipc_message){.word_count = 2, .word = {lba, count}};
    return block_verdict(call_BLOCK_WRITE(block, m), m);
}
