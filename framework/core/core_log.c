/*
 * core_log.c - the LOG service and core's console.
 *
 * A session assembles a line from chunks and prints it as "[label] line"
 * on COM1. Bytes outside printable ASCII are shown as '?', so no client can
 * send control sequences to the console. Every line is also a LOG event
 * (split into blob-sized chunks) so traces and cross-checks see it.
 */
#include "core.h"

#include "duet/string.h"
#include "duet/text.h"
#include "hal/event.h"

static void log_event(size_t session, const char *line, size_t length)
{
    size_t chunk_index = 0;
    size_t at = 0;
    do {
        size_t chunk = length - at < HAL_EVENT_BLOB_MAX ? length - at : HAL_EVENT_BLOB_MAX;
        hal_event(HAL_EVENT_LOG, session, length, chunk_index++, 0, line + at, chunk);
        at += chunk;
    } while (at < length);
}

void core_console_line(struct core *core, const char *label, const char *line)
{
    char buffer[CORE_LABEL_MAX + LOG_LINE_MAX + 8];
    struct text text;
    text_init(&text, buffer, sizeof buffer);
    if (label != NULL) {
        text_append(&text, "[");
        text_append(&text, label);
        text_append(&text, "] ");
    }
    text_append(&text, line);
    text_append(&text, "\n");
    if (label == NULL)
        log_event(0, line, duet_strlen(line));
    com_port_write(&core->console, buffer, text.length);
}

static enum rpc_status log_write_decode(const struct core_session *session,
                                        const struct ipc_message *message, size_t *out_count)
{
    uint64_t count = message->word[0] & LOG_COUNT_MASK;
    uint64_t flags = message->word[0] & ~LOG_COUNT_MASK;
    if ((flags & ~LOG_FLAG_LINE_END) != 0 || count > LOG_CHUNK_BYTES)
        return RPC_ERR_INVALID_ARGUMENT;
    if (message->word_count != 1 + (count + 7) / 8)
        return RPC_ERR_INVALID_ARGUMENT;
    if (count == 0 && flags == 0)
        return RPC_ERR_INVALID_ARGUMENT;
    if (session->line_length + count > LOG_LINE_MAX)
        return RPC_ERR_OUT_OF_RANGE;
    *out_count = (size_t)count;
    return RPC_OK;
}

static enum rpc_status log_perform_LOG_WRITE(void *server, void *session_arg,
                                             const struct ipc_message *request,
                                             struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    size_t count = 0;
    enum rpc_status status = log_write_decode(session, request, &count);
    if (status != RPC_OK)
        return status;

    char bytes[LOG_CHUNK_BYTES];
    rpc_unpack_bytes(&request->word[1], bytes, count);
    for (size_t i = 0; i < count; i++) {
        char c = bytes[i];
        session->line[session->line_length++] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    session->line[session->line_length] = '\0';
    if (request->word[0] & LOG_FLAG_LINE_END) {
        log_event((size_t)(session - core->sessions), session->line, session->line_length);
        core_console_line(core, session->label, session->line);
        session->line_length = 0;
    }
    return RPC_OK;
}

#define LOG_HANDLER(...) RPC_HANDLER(log_perform, __VA_ARGS__)
static const struct rpc_handler log_handlers[] = {LOG_SESSION_RPCS(LOG_HANDLER)};

void core_log_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply)
{
    if (rpc_dispatch(log_handlers, DUET_ARRAY_COUNT(log_handlers), core, session, message,
                     reply) != RPC_OK)
        session->line_length = 0; /* a broken line is dropped whole */
}
