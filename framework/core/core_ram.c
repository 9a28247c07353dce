/*
 * core_ram.c - the RAM service: dataspaces of physical memory.
 *
 * Physical memory is one range allocator over what the platform has
 * (env->ram_bytes). A dataspace costs its session its size in pages from
 * the donation, so a client never makes core spend memory it did not give.
 * core keeps no capability of a dataspace it hands out (the client's copy
 * is the only one, handed over as core->reply_drop): it names dataspaces
 * by their kernel ids and destroys them by id, which unmaps them from every
 * window and makes every capability to them stale.
 */
#include "core.h"

#include "duet/ram_session.h"
#include "hal/event.h"

static void dataspace_destroy(struct core *core, struct core_session *session,
                              struct core_dataspace *ds)
{
    core_rm_forget_dataspace(core, ds->id);
    enum sys_error error = sys_dataspace_destroy(core->env->pd_factory, ds->id);
    DUET_ASSERT(error == SYS_OK);
    enum range_error freed = range_allocator_free(&core->phys, ds->phys);
    DUET_ASSERT(freed == RANGE_OK);
    quota_give_back(&session->ram, ds->size);
    session->dataspaces--;
    *ds = (struct core_dataspace){0};
}

static enum rpc_status ram_perform_RAM_ALLOC(void *server, void *session_arg,
                                             const struct ipc_message *request,
                                             struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    uint64_t size = request->word[0];
    if (size == 0 || size > WINDOW_BYTES)
        return RPC_ERR_INVALID_ARGUMENT;
    size = page_round_up(size);
    if (session->dataspaces == RAM_SESSION_DATASPACES_MAX)
        return RPC_ERR_OUT_OF_RESOURCES;
    struct core_dataspace *ds = NULL;
    for (size_t i = 0; i < CORE_DATASPACES_MAX && ds == NULL; i++)
        if (core->dataspaces[i].id == 0)
            ds = &core->dataspaces[i];
    if (ds == NULL)
        return RPC_ERR_OUT_OF_RESOURCES;
    if (quota_left(&session->ram) < size)
        return RPC_ERR_OUT_OF_RAM;
    uint64_t phys = 0;
    if (range_allocator_alloc(&core->phys, size, &phys) != RANGE_OK)
        return RPC_ERR_OUT_OF_RAM;   /* core's memory is short */
    cap_index_t cap = CAP_INDEX_INVALID;
    uint32_t imprint = (uint32_t)(session - core->sessions);
    if (sys_dataspace_create(core->env->pd_factory, phys, size, imprint, 0, &cap) != SYS_OK) {
        range_allocator_free(&core->phys, phys);
        return RPC_ERR_OUT_OF_RESOURCES;
    }
    struct dataspace_info info;
    sys_dataspace_info(cap, &info);
    quota_take(&session->ram, size);
    session->dataspaces++;
    *ds = (struct core_dataspace){.id = (uint16_t)info.id, .session = (uint8_t)imprint,
                                  .phys = phys, .size = size};
    DUET_ASSERT(core->reply_drop == CAP_INDEX_INVALID);
    reply->cap = cap;
    core->reply_drop = cap;
    return RPC_OK;
}

static enum rpc_status ram_perform_RAM_FREE(void *server, void *session_arg,
                                            const struct ipc_message *request,
                                            struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    struct dataspace_info info;
    if (sys_dataspace_info(request->cap, &info) != SYS_OK)
        return RPC_ERR_INVALID_DATASPACE;
    for (size_t i = 0; i < CORE_DATASPACES_MAX; i++) {
        struct core_dataspace *ds = &core->dataspaces[i];
        if (ds->id == info.id && &core->sessions[ds->session] == session) {
            dataspace_destroy(core, session, ds);
            return RPC_OK;
        }
    }
    return RPC_ERR_INVALID_DATASPACE;   /* another session's, or managed */
}

static enum rpc_status ram_perform_RAM_AVAIL(void *server, void *session_arg,
                                             const struct ipc_message *request,
                                             struct ipc_message *reply)
{
    struct core_session *session = session_arg;
    reply->word_count = 1;
    reply->word[0] = quota_left(&session->ram);
    return RPC_OK;
}

#define RAM_HANDLER(...) RPC_HANDLER(ram_perform, __VA_ARGS__)
static const struct rpc_handler ram_handlers[] = {RAM_SESSION_RPCS(RAM_HANDLER)};

void core_ram_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply)
{
    rpc_dispatch(ram_handlers, DUET_ARRAY_COUNT(ram_handlers), core, session, message, reply);
}

void core_ram_close(struct core *core, struct core_session *session)
{
    uint8_t slot = (uint8_t)(session - core->sessions);
    for (size_t i = 0; i < CORE_DATASPACES_MAX && session->dataspaces > 0; i++)
        if (core->dataspaces[i].id != 0 && core->dataspaces[i].session == slot)
            dataspace_destroy(core, session, &core->dataspaces[i]);
}
