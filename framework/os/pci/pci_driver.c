/*
 * pci_driver.c - the PCI bus driver component: PCI sessions over
 * configuration mechanism #1.
 *
 * Start: a LOG session, an IO_PORT session for 0xCF8-0xCFF (the only
 * device access it has: the same code drives QEMU's host bridge on bare
 * metal), one scan of every bus (pci_scan.c) into a table, one LOG line
 * saying what was found, then PCI is announced. One entrypoint serves
 * root and session calls, so nothing needs a lock, and no two
 * configuration accesses interleave.
 *
 * Every session request is decoded (session_device_decode,
 * config_access_decode: no side effects) and then performed. A session
 * holds the set of devices it was given by PCI_FIRST/NEXT_DEVICE (a bit
 * per table entry); see duet/pci_session.h for the errors.
 */
#include "../../arch/x86/pci_config_port.h"
#include "duet/assert.h"
#include "duet/io_port_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/pci_session.h"
#include "duet/root.h"
#include "duet/text.h"
#include "pci_scan.h"

enum {
    PCI_SESSIONS_MAX = 8,
    PCI_SESSION_RAM_COST = 256,
    PCI_SESSION_CAP_COST = 1,
    PCI_BADGE_ROOT = 1u << 16,
    PCI_BADGE_SESSION = 1u << 17,
    PCI_BADGE_SESSION_ID_MASK = 0xFFFF,
    BAR_BYTES = 4,
};

DUET_STATIC_ASSERT(PCI_SCAN_DEVICES_MAX <= 64, "a session's given set is one uint64_t");

struct pci_session {
    cap_index_t cap;                 /* our copy; CAP_INDEX_INVALID = free slot */
    uint64_t given;                  /* bit i: devices[i] was handed out */
};

struct pci_driver {
    struct env *env;
    struct log_connection log;
    struct io_port_connection io;
    cap_index_t endpoint;
    struct pci_scan scan;
    struct pci_session sessions[PCI_SESSIONS_MAX];
};

/* ---- decoding ------------------------------------------------------------ */

static struct pci_session *session_of(struct pci_driver *d, uint64_t id)
{
    return id < PCI_SESSIONS_MAX && d->sessions[id].cap != CAP_INDEX_INVALID ? &d->sessions[id]
                                                                              : NULL;
}

/* A device the session may use: *out_index is its table entry. */
static enum rpc_status session_device_decode(const struct pci_driver *d,
                                             const struct pci_session *session, uint64_t bdf,
                                             size_t *out_index)
{
    int index = bdf <= PCI_BDF_MAX ? pci_scan_find(&d->scan, bdf) : -1;
    if (index < 0)
        return RPC_ERR_INVALID_ARGUMENT;
    if ((session->given & (UINT64_C(1) << index)) == 0)
        return RPC_ERR_DENIED;
    *out_index = (size_t)index;
    return RPC_OK;
}

/* Offset and width of a configuration access (words 1 and 2). */
static enum rpc_status config_access_decode(uint64_t offset, uint64_t width)
{
    if (width != 1 && width != 2 && width != 4)
        return RPC_ERR_INVALID_ARGUMENT;
    if (offset >= PCI_CONFIG_BYTES)
        return RPC_ERR_OUT_OF_RANGE;
    if (offset % width != 0)
        return RPC_ERR_INVALID_ARGUMENT;
    DUET_ASSERT(pci_config_access_valid((unsigned)offset, (unsigned)width));
    return RPC_OK;
}

static bool touches_bus_numbers(const struct pci_device_info *device, uint64_t offset,
                                uint64_t width)
{
    return (device->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE &&
           offset <= PCI_CONFIG_SUBORDINATE_BUS && offset + width > PCI_CONFIG_PRIMARY_BUS;
}

/* ---- the root interface: sessions ---------------------------------------- */

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct pci_driver *d = server;
    uint64_t ram = 0, caps = 0;
    enum rpc_status status = root_session_decode(request, PCI_SESSION_RAM_COST,
                                                 PCI_SESSION_CAP_COST, &ram, &caps);
    if (status != RPC_OK)
        return status;
    for (uint64_t id = 0; id < PCI_SESSIONS_MAX; id++) {
        struct pci_session *session = &d->sessions[id];
        if (session->cap != CAP_INDEX_INVALID)
            continue;
        if (sys_cap_mint(d->endpoint, PCI_BADGE_SESSION | id, &session->cap) != SYS_OK)
            return RPC_ERR_SESSION_LIMIT;
        session->given = 0;
        reply->cap = session->cap;
        reply->word_count = 1;
        reply->word[0] = id;
        return RPC_OK;
    }
    return RPC_ERR_SESSION_LIMIT;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct pci_session *session = session_of(server, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    sys_cap_revoke(session->cap);
    sys_cap_delete(session->cap);
    *session = (struct pci_session){.cap = CAP_INDEX_INVALID};
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    /* Sessions cost a fixed amount: an upgrade is accepted and unused. */
    return session_of(server, request->word[0]) != NULL ? RPC_OK : RPC_ERR_INVALID_SESSION;
}

/* ---- the PCI interface --------------------------------------------------- */

/* Hands out table entry `index` (or the end of the walk). */
static enum rpc_status give_device(const struct pci_driver *d, struct pci_session *session,
                                   size_t index, struct ipc_message *reply)
{
    reply->word_count = 1;
    reply->word[0] = PCI_DEVICE_NONE;
    if (index < d->scan.device_count) {
        session->given |= UINT64_C(1) << index;
        reply->word[0] = d->scan.devices[index].bdf;
    }
    return RPC_OK;
}

static enum rpc_status pci_perform_PCI_FIRST_DEVICE(void *server, void *session,
                                                    const struct ipc_message *request,
                                                    struct ipc_message *reply)
{
    return give_device(server, session, 0, reply);
}

static enum rpc_status pci_perform_PCI_NEXT_DEVICE(void *server, void *session,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    size_t index = 0;
    enum rpc_status status = session_device_decode(server, session, request->word[0], &index);
    return status != RPC_OK ? status : give_device(server, session, index + 1, reply);
}

static enum rpc_status pci_perform_PCI_DEVICE_INFO(void *server, void *session,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    const struct pci_driver *d = server;
    size_t index = 0;
    enum rpc_status status = session_device_decode(d, session, request->word[0], &index);
    if (status != RPC_OK)
        return status;
    const struct pci_device_info *device = &d->scan.devices[index];
    reply->word_count = 6;
    reply->word[0] = device->vendor_id;
    reply->word[1] = device->device_id;
    reply->word[2] = device->class_code;
    reply->word[3] = device->revision;
    reply->word[4] = device->header_type;
    reply->word[5] = device->secondary_bus;
    return RPC_OK;
}

/* The address a BAR holds now: its flag bits cleared, a 64-bit BAR's
 * upper half included. */
static uint64_t bar_address(uint64_t bdf, unsigned bar, const struct pci_bar_info *info)
{
    unsigned offset = PCI_CONFIG_BAR0 + bar * BAR_BYTES;
    uint32_t low = pci_config_port_read(bdf, offset, 4);
    switch (info->kind) {
    case PCI_BAR_IO: return low & PCI_BAR_IO_ADDRESS_MASK;
    case PCI_BAR_MEMORY32: return low & PCI_BAR_MEMORY_ADDRESS_MASK;
    case PCI_BAR_MEMORY64:
        return (uint64_t)pci_config_port_read(bdf, offset + BAR_BYTES, 4) << 32 |
               (low & PCI_BAR_MEMORY_ADDRESS_MASK);
    default: return 0;
    }
}

static enum rpc_status pci_perform_PCI_BAR_INFO(void *server, void *session,
                                                const struct ipc_message *request,
                                                struct ipc_message *reply)
{
    const struct pci_driver *d = server;
    size_t index = 0;
    enum rpc_status status = session_device_decode(d, session, request->word[0], &index);
    if (status != RPC_OK)
        return status;
    uint64_t bar = request->word[1];
    if (bar >= PCI_BARS_MAX)
        return RPC_ERR_OUT_OF_RANGE;
    const struct pci_device_info *device = &d->scan.devices[index];
    const struct pci_bar_info *info = &device->bars[bar];
    reply->word_count = 4;
    reply->word[0] = info->kind;
    reply->word[1] = info->prefetchable;
    reply->word[2] = info->size;
    reply->word[3] = bar_address(device->bdf, (unsigned)bar, info);
    return RPC_OK;
}

static enum rpc_status pci_perform_PCI_CONFIG_READ(void *server, void *session,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    const struct pci_driver *d = server;
    size_t index = 0;
    enum rpc_status status = session_device_decode(d, session, request->word[0], &index);
    if (status == RPC_OK)
        status = config_access_decode(request->word[1], request->word[2]);
    if (status != RPC_OK)
        return status;
    reply->word_count = 1;
    reply->word[0] = pci_config_port_read(d->scan.devices[index].bdf,
                                          (unsigned)request->word[1],
                                          (unsigned)request->word[2]);
    return RPC_OK;
}

static enum rpc_status pci_perform_PCI_CONFIG_WRITE(void *server, void *session,
                                                    const struct ipc_message *request,
                                                    struct ipc_message *reply)
{
    const struct pci_driver *d = server;
    size_t index = 0;
    uint64_t offset = request->word[1], width = request->word[2], value = request->word[3];
    enum rpc_status status = session_device_decode(d, session, request->word[0], &index);
    if (status == RPC_OK)
        status = config_access_decode(offset, width);
    if (status == RPC_OK && (value >> (8 * width)) != 0)
        status = RPC_ERR_INVALID_ARGUMENT;
    if (status == RPC_OK && touches_bus_numbers(&d->scan.devices[index], offset, width))
        status = RPC_ERR_DENIED;
    if (status != RPC_OK)
        return status;
    pci_config_port_write(d->scan.devices[index].bdf, (unsigned)offset, (unsigned)width,
                          (uint32_t)value);
    return RPC_OK;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define PCI_HANDLER(...) RPC_HANDLER(pci_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler pci_handlers[] = {PCI_SESSION_RPCS(PCI_HANDLER)};

/* ---- start and serve ----------------------------------------------------- */

static void pci_log_found(struct pci_driver *d)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "pci: ");
    text_append_u64(&text, d->scan.device_count);
    text_append(&text, " functions on ");
    text_append_u64(&text, d->scan.stats.buses_scanned);
    text_append(&text, " buses");
    if (d->scan.stats.functions_dropped != 0) {
        text_append(&text, ", table full: ");
        text_append_u64(&text, d->scan.stats.functions_dropped);
        text_append(&text, " not kept");
    }
    if (d->scan.stats.bridges_unconfigured + d->scan.stats.bridges_revisiting != 0) {
        text_append(&text, ", bridges not followed: ");
        text_append_u64(&text, d->scan.stats.bridges_unconfigured +
                                   d->scan.stats.bridges_revisiting);
    }
    log_write(d->env, d->log.cap, line);
}

static bool pci_setup(struct pci_driver *d)
{
    struct env *env = d->env;
    return log_connection_open(env, &d->log) == RPC_OK &&
           io_port_connection_open(env, PCI_CONFIG_PORT_BASE, PCI_CONFIG_PORT_COUNT, &d->io) ==
               RPC_OK &&
           sys_endpoint_create(&d->endpoint) == SYS_OK;
}

static bool pci_announce(struct pci_driver *d)
{
    cap_index_t root = CAP_INDEX_INVALID;
    return sys_cap_mint(d->endpoint, PCI_BADGE_ROOT, &root) == SYS_OK &&
           parent_announce(d->env, "PCI", root) == RPC_OK;
}

static void pci_serve(struct pci_driver *d)
{
    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(d->endpoint, reply, message, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        struct pci_session *session =
            (badge & PCI_BADGE_SESSION) ? session_of(d, badge & PCI_BADGE_SESSION_ID_MASK)
                                        : NULL;
        if (badge == PCI_BADGE_ROOT)
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), d, NULL, &request,
                         message);
        else if (session != NULL)
            rpc_dispatch(pci_handlers, DUET_ARRAY_COUNT(pci_handlers), d, session, &request,
                         message);
        else
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        if (request.cap != CAP_INDEX_INVALID)
            sys_cap_delete(request.cap);
        reply = true;
    }
}

void pci_main(struct env *env)
{
    struct pci_driver *d = env_alloc(env, sizeof *d);
    DUET_ASSERT(d != NULL);
    d->env = env;
    for (size_t id = 0; id < PCI_SESSIONS_MAX; id++)
        d->sessions[id] = (struct pci_session){.cap = CAP_INDEX_INVALID};
    /* Short of its ports or resources the driver says nothing and exits. */
    if (!pci_setup(d)) {
        parent_exit(env, 1);
        return;
    }
    pci_scan_run(&d->scan);
    pci_log_found(d);
    if (!pci_announce(d)) {
        parent_exit(env, 1);
        return;
    }
    pci_serve(d);
}
