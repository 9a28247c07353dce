/*
 * core.h - core's state and its services (core-internal).
 *
 * core is the first component. It owns the console, the boot modules and
 * the root capabilities, starts init, and serves on one endpoint:
 *   - the parent interface to its child init (badge kind BADGE_CHILD),
 *   - LOG, ROM, PD, CPU and SIGNAL sessions (badge kind BADGE_SESSION,
 *     id = session slot).
 * IO_PORT and IRQ sessions are capabilities to kernel objects (a narrowed
 * I/O-port capability, a copy of core's IRQ capability) that the client
 * uses directly; closing them revokes the client's copy.
 * Requests are decoded (rpc_decode plus the function's own checks) before
 * anything is performed; every refusal is a named rpc_status in the reply.
 */
#ifndef DUET_CORE_H
#define DUET_CORE_H

#include "../arch/x86/com_port.h"
#include "../arch/x86/pic8259.h"
#include "../arch/x86/reserved_ports.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/env.h"
#include "duet/log_session.h"
#include "duet/quota.h"
#include "duet/range_allocator.h"
#include "duet/region_map.h"
#include "duet/rpc.h"
#include "duet/session_args.h"
#include "duet/signal_session.h"
#include "hal/irq.h"
#include "hal/world.h"

enum {
    /* Every session init's table admits, init's own, and a PD per child. */
    CORE_SESSIONS_MAX = 80,
    CORE_LABEL_MAX = SESSION_ARG_VALUE_MAX,
    BADGE_KIND_SHIFT = 32,
    BADGE_CHILD = 1,
    BADGE_SESSION = 2,
    BADGE_PAGER = 3,              /* page faults, from the kernel         */
    BADGE_ADDRESS_SPACE = 4,      /* a PD's region map, id = rm index     */
    /* What one session costs core: its state and its capability. */
    CORE_SESSION_RAM_COST = 1024,
    CORE_SESSION_CAP_COST = 1,
    /* A PD session also pays for the PD: its window and capabilities. */
    CORE_PD_RAM_COST = WINDOW_BOOT_BYTES + CORE_SESSION_RAM_COST +
                       REGION_MAP_REGIONS_MAX * REGION_MAP_REGION_COST,
    CORE_PD_CAP_COST = 4,
    /* Threads of all CPU sessions together: core holds a capability each. */
    CORE_THREADS_MAX = 16,
    /* Region maps: a PD's address space each, and RM sessions, which may
     * take all but those the PDs need (the kernel has 16 PDs, core one),
     * so that starting a PD always finds its address space a slot. */
    CORE_RMS_MAX = 40,
    CORE_ADDRESS_SPACES_MAX = 16,
    CORE_RM_SESSIONS_MAX = CORE_RMS_MAX - CORE_ADDRESS_SPACES_MAX,
    CORE_RM_FAULTERS_MAX = 16,
    CORE_RM_MANAGED_MAX = 4,      /* managed dataspaces per map            */
    CORE_FAULTING_THREADS_MAX = 32,   /* the kernel's threads, at most one fault each */
    /* RAM dataspaces of all sessions together, and the allocator's nodes. */
    CORE_DATASPACES_MAX = 256,
    CORE_PHYS_NODES = 2 * CORE_DATASPACES_MAX + 2,
};
DUET_STATIC_ASSERT(CORE_SESSIONS_MAX <= SIGNAL_RECEIVERS_MAX &&
                       CORE_SESSIONS_MAX * SIGNAL_SESSION_CONTEXTS_MAX <= SIGNAL_CONTEXTS_MAX,
                   "the kernel's signal tables hold a receiver and a full share of "
                   "contexts for every session core admits: nobody can exhaust them");
DUET_STATIC_ASSERT(CAP_SLOT_FIRST_FREE + 7 + HAL_IRQ_LINES + 2 * CORE_SESSIONS_MAX +
                           CORE_THREADS_MAX + 2 * CORE_RMS_MAX + CORE_FAULTING_THREADS_MAX
                       <= CAP_SPACE_SLOTS,
                   "core's capability space holds its own few (endpoint, factories, I/O "
                   "ports, init's PD, its console IRQ, a request's and a reply's "
                   "capability), an IRQ per line, two "
                   "capabilities per session (its own, a SIGNAL receiver) and one per thread, "
                   "a capability and a fault handler per region map, and the saved reply "
                   "of every thread that can wait on a fault");
DUET_STATIC_ASSERT(sizeof(struct { char label[SESSION_ARG_VALUE_MAX]; char line[LOG_LINE_MAX + 1]; })
                       <= CORE_SESSION_RAM_COST,
                   "a session's state fits what a session must donate");

static inline uint64_t badge_make(uint64_t kind, uint64_t id)
{
    return (kind << BADGE_KIND_SHIFT) | id;
}

enum core_service {
    CORE_SERVICE_NONE = 0,
    CORE_SERVICE_LOG,
    CORE_SERVICE_ROM,
    CORE_SERVICE_IO_PORT,
    CORE_SERVICE_IRQ,
    CORE_SERVICE_PD,
    CORE_SERVICE_CPU,
    CORE_SERVICE_SIGNAL,
    CORE_SERVICE_RAM,
    CORE_SERVICE_RM,
};

/* A region of a map: a RAM dataspace (ds) or another map (rm = index + 1). */
struct core_region {
    uint32_t start, size;         /* in the map                      */
    uint32_t offset;              /* into the dataspace or the map   */
    uint16_t ds;                  /* kernel dataspace id, 0: managed */
    uint8_t rm;
    uint8_t writable : 1, boot : 1;
};

/* A thread waiting for a fault handler: its saved reply. */
struct core_faulter {
    cap_index_t reply;
    uint32_t offset;              /* page, in the map it waits on */
    uint32_t space_offset;        /* page, in its PD's address space */
    uint16_t pd;
    uint16_t thread;              /* the kernel's id */
    uint8_t write;
};

struct core_rm {
    bool in_use;
    bool address_space;           /* a PD's window                      */
    uint16_t pd_id;               /* address space: the kernel's PD id  */
    cap_index_t pd_cap;           /* address space: to map into         */
    cap_index_t cap;              /* address space: the capability core
                                     minted for it, revoked at the end  */
    uint64_t size;
    struct quota_account *account;   /* pays for regions               */
    struct quota_account own_account;
    cap_index_t fault_handler;    /* a signal context, or 0             */
    uint32_t managed[CORE_RM_MANAGED_MAX];   /* its managed dataspaces  */
    unsigned managed_count;
    struct core_region regions[REGION_MAP_REGIONS_MAX];   /* sorted by start */
    unsigned region_count;
    struct core_faulter faulters[CORE_RM_FAULTERS_MAX];   /* FIFO */
    unsigned faulter_count;
};

/* A RAM dataspace: which session pays for it. */
struct core_dataspace {
    uint16_t id;                  /* kernel id, 0 = free entry */
    uint8_t session;              /* session slot */
    uint64_t phys, size;
};

struct core_session {
    uint8_t service;                      /* enum core_service */
    cap_index_t cap;                      /* core's own capability of it:
                                             revoking it closes every copy */
    char label[CORE_LABEL_MAX];
    size_t module;                        /* ROM: boot module index */
    uint32_t io_base, io_size;            /* IO_PORT: the range     */
    unsigned irq_line;                    /* IRQ                    */
    cap_index_t pd;                       /* PD: once started       */
    cap_index_t threads[CPU_SESSION_THREADS_MAX];   /* CPU: the threads made */
    cap_index_t signal_receiver;          /* SIGNAL: made on first use */
    struct core_rm *rm;                   /* RM: its map; PD: the address space */
    unsigned dataspaces;                  /* RAM: how many it holds */
    uint64_t rm_size;                     /* RM: the map's size */
    unsigned signal_contexts;
    struct quota_account ram;             /* the client's donation; the
                                             session's cost is spent from it */
    uint64_t caps_donated;
    char line[LOG_LINE_MAX + 1];          /* LOG: line being assembled */
    size_t line_length;
};

struct core {
    struct env *env;
    struct com_port console;
    cap_index_t endpoint;
    cap_index_t irq_caps[HAL_IRQ_LINES];  /* one IRQ object per line, made on demand */
    struct core_session sessions[CORE_SESSIONS_MAX];
    cap_index_t reply_drop;               /* handed out in the reply being sent */
    bool reply_saved;                     /* the request's reply was saved: send none */
    bool request_cap_kept;                /* a function kept the request's capability */
    struct core_rm rms[CORE_RMS_MAX];
    struct core_dataspace dataspaces[CORE_DATASPACES_MAX];
    struct range_allocator phys;          /* physical memory for RAM dataspaces */
    struct range_node phys_nodes[CORE_PHYS_NODES];
    struct core_rm *init_space;           /* init's address space */
};

void core_console_line(struct core *core, const char *label, const char *line);

/* Each fills *reply (label = status) for the request `message`. */
void core_parent_dispatch(struct core *core, const struct ipc_message *message,
                          struct ipc_message *reply);
void core_log_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply);
void core_rom_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply);
void core_pd_dispatch(struct core *core, struct core_session *session,
                      const struct ipc_message *message, struct ipc_message *reply);
/* Destroys the session's PD, if it was started, and its address space. */
void core_pd_close(struct core *core, struct core_session *session);
void core_cpu_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply);
/* Kills every thread the session made. */
void core_cpu_close(struct core_session *session);
void core_signal_dispatch(struct core *core, struct core_session *session,
                          const struct ipc_message *message, struct ipc_message *reply);
/* Destroys the session's receiver and so its contexts. */
void core_signal_close(struct core_session *session);

/* core_rm.c: region maps and the pager. */
void core_memory_init(struct core *core);
struct core_rm *core_rm_create(struct core *core, bool address_space, uint16_t pd_id,
                               cap_index_t pd_cap, uint64_t size,
                               struct quota_account *account);
void core_rm_destroy(struct core *core, struct core_rm *rm);
struct core_rm *core_rm_of_pd(struct core *core, uint16_t pd_id);
/* A new PD's address space, with the capability core keeps (rm->cap). */
struct core_rm *core_address_space_create(struct core *core, uint16_t pd_id, cap_index_t pd_cap);
void core_rm_dispatch(struct core *core, struct core_rm *rm, const struct ipc_message *message,
                      struct ipc_message *reply);
void core_page_fault(struct core *core, const struct ipc_message *request,
                     struct ipc_message *reply);
/* Every region of dataspace `ds_id` goes (it is being destroyed). */
void core_rm_forget_dataspace(struct core *core, uint32_t ds_id);

/* core_ram.c */
void core_ram_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply);
/* Destroys every dataspace of the session. */
void core_ram_close(struct core *core, struct core_session *session);

#endif
