/*
 * log_client.c - client stubs of the LOG service (duet/log_session.h).
 */
#include "duet/log_session.h"

#include "duet/parent.h"
#include "duet/string.h"

enum rpc_status log_connection_open(struct env *env, struct log_connection *out)
{
    return parent_session(env, "LOG",
                          "ram_quota=" LOG_SESSION_RAM_QUOTA ", cap_quota=" LOG_SESSION_CAP_QUOTA,
                          &out->cap.index, &out->id);
}

enum rpc_status log_connection_close(struct env *env, struct log_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status log_write(struct env *env, struct log_session_cap log, const char *line)
{
    size_t length = duet_strnlen(line, LOG_LINE_MAX + 1);
    if (length > LOG_LINE_MAX)
        return RPC_ERR_INVALID_ARGUMENT;
    size_t sent = 0;
    do {
        size_t chunk = length - sent < LOG_CHUNK_BYTES ? length - sent : LOG_CHUNK_BYTES;
        bool last = sent + chunk == length;
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.word_count = 1 + (uint32_t)((chunk + 7) / 8)};
        m->word[0] = chunk | (last ? LOG_FLAG_LINE_END : 0);
        rpc_pack_bytes(&m->word[1], line + sent, chunk);
        enum rpc_status status = call_LOG_WRITE(log, m);
        if (status != RPC_OK)
            return status;
        sent += chunk;
    } while (sent < length);
    return RPC_OK;
}
