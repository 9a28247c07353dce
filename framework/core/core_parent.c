/*
 * core_parent.c - core as init's parent: opening LOG and ROM sessions.
 *
 * Decode: service and argument strings must be NUL-terminated within their
 * words, the arguments must parse strictly, the labelled result must fit,
 * the service must be one core offers and, for ROM, the module (last label
 * element) must exist. Perform: take a session slot and answer with a
 * capability to core's endpoint badged with that slot, and the slot as the
 * session's id. Closing revokes core's copy of that capability, which
 * withdraws every copy init and the client hold, and frees the slot.
 */
#include "core.h"

#include "duet/parent.h"
#include "duet/string.h"
#include "duet/text.h"
#include "hal/event.h"

/* The child's label, prefixed with the child's name, as Genode does. */
static enum rpc_status label_for_child(const struct session_args *args, const char *child,
                                       char out[CORE_LABEL_MAX])
{
    const char *label = session_args_find(args, "label");
    struct text text;
    text_init(&text, out, CORE_LABEL_MAX);
    text_append(&text, child);
    if (label != NULL && label[0] != '\0') {
        text_append(&text, " -> ");
        text_append(&text, label);
    }
    return text.truncated ? RPC_ERR_INVALID_ARGS_STRING : RPC_OK;
}

static const char *label_last_element(const char *label)
{
    const char *last = label;
    for (const char *p = label; *p != '\0'; p++)
        if (duet_strncmp(p, " -> ", 4) == 0)
            last = p + 4;
    return last;
}

static bool module_find(const char *name, size_t *out_index)
{
    size_t count = 0;
    const struct boot_module *modules = hal_boot_modules(&count);
    for (size_t i = 0; i < count; i++) {
        if (duet_strcmp(modules[i].name, name) == 0) {
            *out_index = i;
            return true;
        }
    }
    return false;
}

static enum rpc_status session_decode(const struct ipc_message *message,
                                      struct core_session *out)
{
    char service[PARENT_SERVICE_MAX];
    char args_text[PARENT_ARGS_MAX];
    struct session_args args;
    if (!rpc_unpack_string(&message->word[0], PARENT_SERVICE_WORDS, service, sizeof service) ||
        !rpc_unpack_string(&message->word[PARENT_SERVICE_WORDS], PARENT_ARGS_WORDS, args_text,
                           sizeof args_text))
        return RPC_ERR_INVALID_ARGUMENT;
    uint64_t ram = 0, caps = 0;
    if (session_args_parse(args_text, &args) != SESSION_ARGS_OK ||
        !session_args_quota(&args, &ram, &caps))
        return RPC_ERR_INVALID_ARGS_STRING;
    bool pd = duet_strcmp(service, "PD") == 0;
    uint64_t ram_cost = pd ? CORE_PD_RAM_COST : CORE_SESSION_RAM_COST;
    if (ram < ram_cost)
        return RPC_ERR_INSUFFICIENT_RAM_QUOTA;
    if (caps < (pd ? CORE_PD_CAP_COST : CORE_SESSION_CAP_COST))
        return RPC_ERR_INSUFFICIENT_CAP_QUOTA;
    out->ram = (struct quota_account){.limit = ram, .used = ram_cost};
    out->caps_donated = caps;
    enum rpc_status status = label_for_child(&args, "init", out->label);
    if (status != RPC_OK)
        return status;
    if (duet_strcmp(service, "LOG") == 0) {
        out->service = CORE_SERVICE_LOG;
        return RPC_OK;
    }
    if (pd) {
        out->service = CORE_SERVICE_PD;
        return RPC_OK;
    }
    if (duet_strcmp(service, "CPU") == 0) {
        out->service = CORE_SERVICE_CPU;
        return RPC_OK;
    }
    if (duet_strcmp(service, "SIGNAL") == 0) {
        out->service = CORE_SERVICE_SIGNAL;
        return RPC_OK;
    }
    if (duet_strcmp(service, "RAM") == 0) {
        out->service = CORE_SERVICE_RAM;
        return RPC_OK;
    }
    if (duet_strcmp(service, "RM") == 0) {
        uint64_t size = 0;
        out->service = CORE_SERVICE_RM;
        if (!session_args_number(&args, "size", &size) || size == 0 || size > WINDOW_BYTES ||
            (size & (PAGE_BYTES - 1u)) != 0)
            return RPC_ERR_INVALID_ARGS_STRING;
        out->rm_size = size;
        /* Its own capability and a fault handler's. */
        return caps < 2 ? RPC_ERR_INSUFFICIENT_CAP_QUOTA : RPC_OK;
    }
    if (duet_strcmp(service, "ROM") == 0) {
        out->service = CORE_SERVICE_ROM;
        return module_find(label_last_element(out->label), &out->module)
                   ? RPC_OK : RPC_ERR_NO_SUCH_MODULE;
    }
    uint64_t base = 0, size = 0, line = 0;
    if (duet_strcmp(service, "IO_PORT") == 0) {
        out->service = CORE_SERVICE_IO_PORT;
        if (!session_args_number(&args, "io_port_base", &base) ||
            !session_args_number(&args, "io_port_size", &size) || size == 0 ||
            base + size > 0x10000)
            return RPC_ERR_INVALID_ARGS_STRING;
        out->io_base = (uint32_t)base;
        out->io_size = (uint32_t)size;
        return RPC_OK;
    }
    if (duet_strcmp(service, "IRQ") == 0) {
        out->service = CORE_SERVICE_IRQ;
        if (!session_args_number(&args, "irq", &line) || line >= HAL_IRQ_LINES)
            return RPC_ERR_INVALID_ARGS_STRING;
        out->irq_line = (unsigned)line;
        /* The slave's cascade input is no device's line. */
        return line == PIC_CASCADE_LINE ? RPC_ERR_DENIED : RPC_OK;
    }
    return RPC_ERR_UNKNOWN_SERVICE;
}

static bool ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/* The capability an IO_PORT or IRQ session hands out; core's own console
 * (COM1 and its line) is never given away, nor anything held already. */
static enum rpc_status device_session_cap(struct core *core, const struct core_session *wanted,
                                          cap_index_t *out_cap)
{
    bool io = wanted->service == CORE_SERVICE_IO_PORT;
    if (io && (ranges_overlap(wanted->io_base, wanted->io_size, COM1_PORT_BASE, 8) ||
               reserved_ports_overlap(wanted->io_base, wanted->io_size)))
        return RPC_ERR_DENIED;   /* core's console; the kernel's and the platform's ports */
    if (!io && wanted->irq_line == COM1_IRQ_LINE)
        return RPC_ERR_DENIED;
    for (size_t i = 0; i < CORE_SESSIONS_MAX; i++) {
        const struct core_session *held = &core->sessions[i];
        if (held->service != wanted->service)
            continue;
        if (io ? ranges_overlap(held->io_base, held->io_size, wanted->io_base, wanted->io_size)
               : held->irq_line == wanted->irq_line)
            return RPC_ERR_IN_USE;
    }
    if (io)
        return sys_io_port_narrow(core->env->io_ports, (uint16_t)wanted->io_base,
                                  wanted->io_size, out_cap) == SYS_OK
                   ? RPC_OK : RPC_ERR_SESSION_LIMIT;
    cap_index_t *irq = &core->irq_caps[wanted->irq_line];
    if (*irq == CAP_INDEX_INVALID &&
        sys_irq_create(core->env->irq_control, wanted->irq_line, irq) != SYS_OK)
        return RPC_ERR_SESSION_LIMIT;
    *out_cap = *irq;
    return RPC_OK;
}

static enum rpc_status session_open(struct core *core, const struct ipc_message *message,
                                    struct ipc_message *reply)
{
    struct core_session decoded = {0};
    enum rpc_status status = session_decode(message, &decoded);
    if (status != RPC_OK)
        return status;
    size_t slot = 0;
    while (slot < CORE_SESSIONS_MAX && core->sessions[slot].service != CORE_SERVICE_NONE)
        slot++;
    if (slot == CORE_SESSIONS_MAX)
        return RPC_ERR_SESSION_LIMIT;
    cap_index_t cap = CAP_INDEX_INVALID;
    bool device = decoded.service == CORE_SERVICE_IO_PORT || decoded.service == CORE_SERVICE_IRQ;
    if (device) {
        status = device_session_cap(core, &decoded, &cap);
        if (status != RPC_OK)
            return status;
    } else if (sys_cap_mint(core->endpoint, badge_make(BADGE_SESSION, slot), &cap) != SYS_OK) {
        return RPC_ERR_SESSION_LIMIT;
    }
    decoded.cap = cap;
    core->sessions[slot] = decoded;
    if (decoded.service == CORE_SERVICE_RM) {
        struct core_session *session = &core->sessions[slot];
        session->rm = core_rm_create(core, false, 0, CAP_INDEX_INVALID, decoded.rm_size,
                                     &session->ram);
        if (session->rm == NULL) {
            sys_cap_revoke(cap);
            sys_cap_delete(cap);
            *session = (struct core_session){0};
            return RPC_ERR_SESSION_LIMIT;
        }
    }
    reply->cap = cap;
    reply->word_count = 1;
    reply->word[0] = slot;
    hal_event(HAL_EVENT_SESSION_OPEN, slot, decoded.service, 0, 0, decoded.label,
              duet_strlen(decoded.label));
    return RPC_OK;
}

static enum rpc_status session_close(struct core *core, uint64_t id)
{
    if (id >= CORE_SESSIONS_MAX || core->sessions[id].service == CORE_SERVICE_NONE)
        return RPC_ERR_INVALID_SESSION;
    struct core_session *session = &core->sessions[id];
    enum sys_error error = sys_cap_revoke(session->cap);
    DUET_ASSERT(error == SYS_OK);
    /* An IRQ session's capability is core's own capability to the line's
     * IRQ object: destroying the object wakes a thread still waiting on it
     * and drops a pending delivery, so the line's next holder starts afresh. */
    if (session->service == CORE_SERVICE_IRQ) {
        error = sys_irq_destroy(session->cap);
        DUET_ASSERT(error == SYS_OK);
        core->irq_caps[session->irq_line] = CAP_INDEX_INVALID;
    }
    sys_cap_delete(session->cap);
    if (session->service == CORE_SERVICE_PD)
        core_pd_close(core, session);
    if (session->service == CORE_SERVICE_RAM)
        core_ram_close(core, session);
    if (session->service == CORE_SERVICE_RM)
        core_rm_destroy(core, session->rm);
    if (session->service == CORE_SERVICE_CPU)
        core_cpu_close(session);
    if (session->service == CORE_SERVICE_SIGNAL)
        core_signal_close(session);
    *session = (struct core_session){0};
    return RPC_OK;
}

static enum rpc_status session_upgrade(struct core *core, const struct ipc_message *message)
{
    uint64_t id = message->word[0];
    if (id >= CORE_SESSIONS_MAX || core->sessions[id].service == CORE_SERVICE_NONE)
        return RPC_ERR_INVALID_SESSION;
    struct core_session *session = &core->sessions[id];
    if (message->word[2] > QUOTA_SIZE_MAX - session->caps_donated ||
        !quota_raise(&session->ram, message->word[1]))
        return RPC_ERR_INVALID_ARGUMENT;
    session->caps_donated += message->word[2];
    return RPC_OK;
}

/* ---- the parent interface, as core serves it to init ---------------------- */

static enum rpc_status parent_perform_PARENT_SESSION(void *server, void *unused,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    return session_open(server, request, reply);
}

static enum rpc_status parent_perform_PARENT_CLOSE(void *server, void *unused,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    return session_close(server, request->word[0]);
}

static enum rpc_status parent_perform_PARENT_UPGRADE(void *server, void *unused,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    return session_upgrade(server, request);
}

static enum rpc_status parent_perform_PARENT_ANNOUNCE(void *server, void *unused,
                                                      const struct ipc_message *request,
                                                      struct ipc_message *reply)
{
    return RPC_ERR_DENIED; /* core's services are its own */
}

static enum rpc_status parent_perform_PARENT_EXIT(void *server, void *unused,
                                                  const struct ipc_message *request,
                                                  struct ipc_message *reply)
{
    char line[64];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "core: init exited with code ");
    text_append_u64(&text, request->word[0]);
    core_console_line(server, NULL, line);
    return RPC_OK;
}

/* init's siblings are not core's to start or kill: core has one child. */
static enum rpc_status parent_perform_PARENT_START(void *server, void *unused,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    return RPC_ERR_DENIED;
}

static enum rpc_status parent_perform_PARENT_KILL(void *server, void *unused,
                                                  const struct ipc_message *request,
                                                  struct ipc_message *reply)
{
    return RPC_ERR_DENIED;
}

/* init's own address space. */
static enum rpc_status parent_perform_PARENT_ADDRESS_SPACE(void *server, void *unused,
                                                           const struct ipc_message *request,
                                                           struct ipc_message *reply)
{
    struct core *core = server;
    reply->cap = core->init_space->cap;
    return RPC_OK;
}

#define PARENT_HANDLER(...) RPC_HANDLER(parent_perform, __VA_ARGS__)
static const struct rpc_handler parent_handlers[] = {PARENT_RPCS(PARENT_HANDLER)};

void core_parent_dispatch(struct core *core, const struct ipc_message *message,
                          struct ipc_message *reply)
{
    rpc_dispatch(parent_handlers, DUET_ARRAY_COUNT(parent_handlers), core, NULL, message, reply);
}
