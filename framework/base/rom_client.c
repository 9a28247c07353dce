/*
 * rom_client.c - client stubs of the ROM service (duet/rom_session.h).
 */
#include "duet/rom_session.h"

#include "duet/parent.h"
#include "duet/string.h"
#include "duet/text.h"

enum rpc_status rom_connection_open(struct env *env, const char *module,
                                    struct rom_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "label=\"");
    text_append(&text, module);
    text_append(&text, "\", ram_quota=" ROM_SESSION_RAM_QUOTA ", cap_quota=" ROM_SESSION_CAP_QUOTA);
    if (text.truncated)
        return RPC_ERR_INVALID_ARGUMENT;
    return parent_session(env, "ROM", args, &out->cap.index, &out->id);
}

enum rpc_status rom_connection_close(struct env *env, struct rom_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status rom_size(struct env *env, struct rom_session_cap rom, uint64_t *out_size)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_ROM_SIZE(rom, m);
    if (status == RPC_OK && m->word_count < 1)
        return RPC_ERR_TRANSPORT;
    *out_size = status == RPC_OK ? m->word[0] : 0;
    return status;
}

enum rpc_status rom_read_all(struct env *env, struct rom_session_cap rom, uint8_t *buf,
                             size_t buf_size, size_t *out_len)
{
    uint64_t size = 0;
    *out_len = 0;
    enum rpc_status status = rom_size(env, rom, &size);
    if (status != RPC_OK)
        return status;
    if (size > buf_size)
        return RPC_ERR_OUT_OF_RANGE;
    for (uint64_t offset = 0; offset < size;) {
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.word_count = 1, .word = {offset}};
        status = call_ROM_READ(rom, m);
        if (status != RPC_OK)
            return status;
        uint64_t count = m->word[0];
        /* A server answering with nothing, or more than asked, is broken. */
        if (m->word_count < 1 || count == 0 || count > ROM_READ_BYTES || count > size - offset)
            return RPC_ERR_TRANSPORT;
        rpc_unpack_bytes(&m->word[1], buf + offset, (size_t)count);
        offset += count;
    }
    *out_len = (size_t)size;
    return RPC_OK;
}
