/*
 * core_rom.c - the ROM service: boot modules read through IPC.
 */
#include "core.h"

#include "duet/rom_session.h"
#include "duet/string.h"

static const struct boot_module *module_of(const struct core_session *session)
{
    size_t count = 0;
    const struct boot_module *modules = hal_boot_modules(&count);
    DUET_ASSERT(session->module < count);
    return &modules[session->module];
}

static enum rpc_status rom_perform_ROM_SIZE(void *server, void *session,
                                            const struct ipc_message *request,
                                            struct ipc_message *reply)
{
    reply->word_count = 1;
    reply->word[0] = module_of(session)->size;
    return RPC_OK;
}

static enum rpc_status rom_perform_ROM_READ(void *server, void *session,
                                            const struct ipc_message *request,
                                            struct ipc_message *reply)
{
    const struct boot_module *module = module_of(session);
    uint64_t offset = request->word[0];
    if (offset >= module->size)
        return RPC_ERR_OUT_OF_RANGE;
    uint64_t left = module->size - offset;
    uint64_t bytes = left < ROM_READ_BYTES ? left : ROM_READ_BYTES;
    reply->word_count = 1 + (uint32_t)((bytes + 7) / 8);
    reply->word[0] = bytes;
    rpc_pack_bytes(&reply->word[1], module->data + offset, (size_t)bytes);
    return RPC_OK;
}

#define ROM_HANDLER(...) RPC_HANDLER(rom_perform, __VA_ARGS__)
static const struct rpc_handler rom_handlers[] = {ROM_SESSION_RPCS(ROM_HANDLER)};

void core_rom_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply)
{
    rpc_dispatch(rom_handlers, DUET_ARRAY_COUNT(rom_handlers), core, session, message, reply);
}
