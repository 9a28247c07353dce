/*
 * core_main.c - core's start and its request loop.
 *
 * Start: console (COM1, then its IRQ), endpoint, init. Then one loop:
 * receive, route by the badge's kind, reply. A capability that arrives
 * with a request none of core's functions takes is deleted at once, so a
 * client cannot fill core's capability space. core keeps its own copy of
 * every session capability it hands out, so that closing the session can
 * revoke every copy.
 */
#include "core.h"

#include "duet/assert.h"
#include "duet/string.h"
#include "duet/text.h"
#include "hal/event.h"

static void core_die(struct core *core, const char *what, enum sys_error error)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, ": ");
    text_append(&text, sys_error_name(error));
    hal_panic("core_main", line);
}

static void core_start_init(struct core *core)
{
    struct env *env = core->env;
    cap_index_t parent_cap = CAP_INDEX_INVALID;
    enum sys_error error = sys_cap_mint(core->endpoint, badge_make(BADGE_CHILD, 1), &parent_cap);
    if (error != SYS_OK)
        core_die(core, "cannot mint init's parent capability", error);
    cap_index_t init_pd = CAP_INDEX_INVALID;
    uint16_t init_id = 0;
    error = sys_pd_create_id(env->pd_factory, parent_cap, "init", &init_pd, &init_id);
    if (error != SYS_OK)
        core_die(core, "cannot start init", error);
    sys_cap_delete(parent_cap);
    core->init_space = core_address_space_create(core, init_id, init_pd);
    if (core->init_space == NULL)
        core_die(core, "cannot make init's address space", SYS_ERR_OUT_OF_RESOURCES);
}

static void core_dispatch(struct core *core, uint64_t badge, struct ipc_message *message)
{
    struct ipc_message request = *message;
    struct ipc_message *reply = message;
    *reply = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};

    uint64_t kind = badge >> BADGE_KIND_SHIFT;
    uint64_t id = badge & 0xffffffffu;
    if (kind == BADGE_CHILD && id == 1) {
        core_parent_dispatch(core, &request, reply);
    } else if (kind == BADGE_PAGER) {
        core_page_fault(core, &request, reply);
        return;   /* the kernel's call: no RPC status, no capability */
    } else if (kind == BADGE_ADDRESS_SPACE && id < CORE_RMS_MAX && core->rms[id].in_use &&
               core->rms[id].address_space) {
        core_rm_dispatch(core, &core->rms[id], &request, reply);
    } else if (kind == BADGE_SESSION && id < CORE_SESSIONS_MAX) {
        struct core_session *session = &core->sessions[id];
        if (session->service == CORE_SERVICE_LOG)
            core_log_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_ROM)
            core_rom_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_PD)
            core_pd_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_CPU)
            core_cpu_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_SIGNAL)
            core_signal_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_RAM)
            core_ram_dispatch(core, session, &request, reply);
        else if (session->service == CORE_SERVICE_RM)
            core_rm_dispatch(core, session->rm, &request, reply);
    }
    if (reply->label != RPC_OK)
        hal_event(HAL_EVENT_RPC_ERROR, request.label, reply->label, badge, 0, NULL, 0);
    /* A capability sent along is deleted, unless the function kept it (a
     * region map's fault handler). */
    if (request.cap != CAP_INDEX_INVALID && !core->request_cap_kept)
        sys_cap_delete(request.cap);
    core->request_cap_kept = false;
}

void core_main(struct env *env)
{
    struct core *core = env_alloc(env, sizeof *core);
    DUET_ASSERT(core != NULL);
    core->env = env;
    com_port_init(&core->console, COM1_PORT_BASE);
    cap_index_t irq = CAP_INDEX_INVALID;
    if (sys_irq_create(env->irq_control, COM1_IRQ_LINE, &irq) == SYS_OK)
        com_port_use_irq(&core->console, irq);
    core_console_line(core, NULL, "core: Duet kernel and core are up");

    enum sys_error error = sys_endpoint_create(&core->endpoint);
    if (error != SYS_OK)
        core_die(core, "cannot create core's endpoint", error);
    core_memory_init(core);
    core_start_init(core);

    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        error = sys_reply_wait(core->endpoint, reply, message, &badge);
        /* The reply (if any) is out: a capability lent to it goes. */
        if (core->reply_drop != CAP_INDEX_INVALID) {
            sys_cap_delete(core->reply_drop);
            core->reply_drop = CAP_INDEX_INVALID;
        }
        if (error != SYS_OK) {
            /* Only the reply can fail (the caller vanished): wait afresh. */
            reply = false;
            continue;
        }
        core_dispatch(core, badge, message);
        /* A faulting thread that waits for a handler keeps its reply. */
        reply = !core->reply_saved;
        core->reply_saved = false;
    }
}
