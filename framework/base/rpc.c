/*
 * rpc.c - RPC decoding, status names and message packing (duet/rpc.h).
 */
#include "duet/rpc.h"

#include "duet/assert.h"
#include "duet/string.h"

static const char *const rpc_status_names[RPC_STATUS_COUNT] = {
    [RPC_OK] = "RPC_OK",
    [RPC_ERR_INVALID_OPCODE] = "RPC_ERR_INVALID_OPCODE",
    [RPC_ERR_INVALID_ARGUMENT] = "RPC_ERR_INVALID_ARGUMENT",
    [RPC_ERR_UNEXPECTED_CAP] = "RPC_ERR_UNEXPECTED_CAP",
    [RPC_ERR_MISSING_CAP] = "RPC_ERR_MISSING_CAP",
    [RPC_ERR_INVALID_SESSION] = "RPC_ERR_INVALID_SESSION",
    [RPC_ERR_UNKNOWN_SERVICE] = "RPC_ERR_UNKNOWN_SERVICE",
    [RPC_ERR_INVALID_ARGS_STRING] = "RPC_ERR_INVALID_ARGS_STRING",
    [RPC_ERR_SESSION_LIMIT] = "RPC_ERR_SESSION_LIMIT",
    [RPC_ERR_NO_SUCH_MODULE] = "RPC_ERR_NO_SUCH_MODULE",
    [RPC_ERR_OUT_OF_RANGE] = "RPC_ERR_OUT_OF_RANGE",
    [RPC_ERR_TRANSPORT] = "RPC_ERR_TRANSPORT",
    [RPC_ERR_DENIED] = "RPC_ERR_DENIED",
    [RPC_ERR_UNAVAILABLE] = "RPC_ERR_UNAVAILABLE",
    [RPC_ERR_SERVER_GONE] = "RPC_ERR_SERVER_GONE",
    [RPC_ERR_OUT_OF_RAM] = "RPC_ERR_OUT_OF_RAM",
    [RPC_ERR_OUT_OF_CAPS] = "RPC_ERR_OUT_OF_CAPS",
    [RPC_ERR_INSUFFICIENT_RAM_QUOTA] = "RPC_ERR_INSUFFICIENT_RAM_QUOTA",
    [RPC_ERR_INSUFFICIENT_CAP_QUOTA] = "RPC_ERR_INSUFFICIENT_CAP_QUOTA",
    [RPC_ERR_IN_USE] = "RPC_ERR_IN_USE",
    [RPC_ERR_WRONG_CAP_TYPE] = "RPC_ERR_WRONG_CAP_TYPE",
    [RPC_ERR_OUT_OF_RESOURCES] = "RPC_ERR_OUT_OF_RESOURCES",
    [RPC_ERR_REGION_CONFLICT] = "RPC_ERR_REGION_CONFLICT",
    [RPC_ERR_INVALID_DATASPACE] = "RPC_ERR_INVALID_DATASPACE",
    [RPC_ERR_CYCLE] = "RPC_ERR_CYCLE",
};

const char *rpc_status_name(uint64_t status)
{
    if (status >= RPC_STATUS_COUNT)
        return "RPC_ERR_UNKNOWN";
    return rpc_status_names[status];
}

enum rpc_status rpc_call(cap_index_t cap, struct ipc_message *message)
{
    enum rpc_status status = rpc_call_with_cap(cap, message);
    if (message->cap != CAP_INDEX_INVALID) {
        sys_cap_delete(message->cap);
        message->cap = CAP_INDEX_INVALID;
    }
    return status;
}

enum rpc_status rpc_call_with_cap(cap_index_t cap, struct ipc_message *message)
{
    enum sys_error error = sys_call(cap, message);
    if (error != SYS_OK)
        message->cap = CAP_INDEX_INVALID;   /* nothing was delivered */
    if (error == SYS_ERR_SERVER_EXITED || error == SYS_ERR_STALE_CAP)
        return RPC_ERR_SERVER_GONE;
    if (error != SYS_OK)
        return RPC_ERR_TRANSPORT;
    return message->label < RPC_STATUS_COUNT ? (enum rpc_status)message->label
                                             : RPC_ERR_TRANSPORT;
}

enum rpc_status rpc_client_call(const struct rpc_function *function, cap_index_t server,
                                struct ipc_message *message, bool keep_reply_cap)
{
    message->label = function->opcode;
    bool has_cap = message->cap != CAP_INDEX_INVALID;
    if (message->word_count < function->words_min || message->word_count > function->words_max)
        return RPC_ERR_INVALID_ARGUMENT;
    if (has_cap && function->cap_type == CAP_TYPE_NONE)
        return RPC_ERR_UNEXPECTED_CAP;
    if (!has_cap && function->cap_type != CAP_TYPE_NONE)
        return RPC_ERR_MISSING_CAP;
    return keep_reply_cap ? rpc_call_with_cap(server, message) : rpc_call(server, message);
}

/* The checks of the decode step, for one function the opcode matched. */
static enum rpc_status rpc_decode_function(const struct rpc_function *function,
                                           const struct ipc_message *message)
{
    if (message->word_count < function->words_min || message->word_count > function->words_max)
        return RPC_ERR_INVALID_ARGUMENT;
    bool has_cap = message->cap != CAP_INDEX_INVALID;
    if (has_cap && function->cap_type == CAP_TYPE_NONE)
        return RPC_ERR_UNEXPECTED_CAP;
    if (!has_cap && function->cap_type != CAP_TYPE_NONE)
        return RPC_ERR_MISSING_CAP;
    if (has_cap && message->cap_type != function->cap_type)
        return RPC_ERR_WRONG_CAP_TYPE;
    return RPC_OK;
}

enum rpc_status rpc_decode(const struct rpc_interface *interface,
                           const struct ipc_message *message,
                           const struct rpc_function **out_function)
{
    const struct rpc_function *function = NULL;
    for (size_t i = 0; i < interface->function_count; i++)
        if (interface->functions[i].opcode == message->label)
            function = &interface->functions[i];
    if (function == NULL)
        return RPC_ERR_INVALID_OPCODE;
    enum rpc_status status = rpc_decode_function(function, message);
    if (status == RPC_OK)
        *out_function = function;
    return status;
}

enum rpc_status rpc_dispatch(const struct rpc_handler *handlers, size_t count, void *server,
                             void *session, const struct ipc_message *request,
                             struct ipc_message *reply)
{
    DUET_ASSERT(request != reply);
    *reply = (struct ipc_message){0};
    const struct rpc_handler *handler = NULL;
    for (size_t i = 0; i < count; i++)
        if (handlers[i].function.opcode == request->label)
            handler = &handlers[i];
    enum rpc_status status = handler == NULL ? RPC_ERR_INVALID_OPCODE
                                             : rpc_decode_function(&handler->function, request);
    if (status == RPC_OK)
        status = handler->perform(server, session, request, reply);
    reply->label = status;
    return status;
}

bool rpc_pack_string(uint64_t *words, size_t word_count, const char *s)
{
    size_t capacity = word_count * RPC_STRING_BYTES_PER_WORD;
    size_t length = duet_strnlen(s, capacity);
    if (length >= capacity)
        return false;
    duet_memset(words, 0, capacity);
    duet_memcpy(words, s, length);
    return true;
}

bool rpc_unpack_string(const uint64_t *words, size_t word_count, char *out, size_t out_size)
{
    const char *bytes = (const char *)words;
    size_t capacity = word_count * RPC_STRING_BYTES_PER_WORD;
    size_t length = duet_strnlen(bytes, capacity);
    if (length >= capacity || length >= out_size)
        return false;
    duet_memcpy(out, bytes, length);
    out[length] = '\0';
    return true;
}

void rpc_pack_bytes(uint64_t *words, const void *bytes, size_t len)
{
    duet_memcpy(words, bytes, len);
}

void rpc_unpack_bytes(const uint64_t *words, void *bytes, size_t len)
{
    duet_memcpy(bytes, words, len);
}

enum rpc_status rpc_reply_take_cap(enum rpc_status status, const struct ipc_message *m,
                                   enum cap_type type, cap_index_t *out)
{
    *out = CAP_INDEX_INVALID;
    if (status == RPC_OK && m->cap != CAP_INDEX_INVALID && m->cap_type == type) {
        *out = m->cap;
        return RPC_OK;
    }
    if (m->cap != CAP_INDEX_INVALID)
        sys_cap_delete(m->cap);
    return status == RPC_OK ? RPC_ERR_WRONG_CAP_TYPE : status;
}
