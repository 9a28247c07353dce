/*
 * core_rom.c - the ROM service: boot modules read through IPC.
 */
#include "core.h"

#include "duet/rom_session.h"
#include "duet/string.h"

static const struct rpc_interface *rom_interface(void)
{
    RPC_INTERFACE_DEFINE(rom, "ROM", ROM_SESSION_RPCS);
    return &rom_interface;
}

void core_rom_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply)
{
    const struct rpc_function *function = NULL;
    enum rpc_status status = rpc_decode(rom_interface(), message, &function);
    size_t count = 0;
    const struct boot_module *modules = hal_boot_modules(&count);
    DUET_ASSERT(session->module < count);
    const struct boot_module *module = &modules[session->module];

    if (status == RPC_OK && function->opcode == ROM_SIZE) {
        reply->word_count = 1;
        reply->word[0] = module->size;
    }
    if (status == RPC_OK && function->opcode == ROM_READ) {
        uint64_t offset = message->word[0];
        if (offset >= module->size) {
            status = RPC_ERR_OUT_OF_RANGE;
        } else {
            uint64_t left = module->size - offset;
            uint64_t bytes = left < ROM_READ_BYTES ? left : ROM_READ_BYTES;
            reply->word_count = 1 + (uint32_t)((bytes + 7) / 8);
            reply->word[0] = bytes;
            rpc_pack_bytes(&reply->word[1], module->data + offset, (size_t)bytes);
        }
    }
    reply->label = status;
}
