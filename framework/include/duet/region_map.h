/*
 * region_map.h - region maps: which dataspace appears where.
 *
 * A region map is an address space of `size` bytes in which dataspaces
 * are attached. Every PD's window is one (its address space: attach there
 * and the memory appears at env + offset); an RM session at core is
 * another, empty one, which can itself be attached as a managed
 * dataspace (REGION_MAP_DATASPACE), nested several levels deep. Offsets
 * are relative to the map's start; for the address space they are window
 * offsets, and [0, WINDOW_BOOT_BYTES) is taken by the boot area.
 *
 * Attaching (after Genode's rules): `offset` into the dataspace must be
 * page aligned and inside it; size 0 means the rest of the dataspace;
 * sizes round up to pages; more than the dataspace holds from `offset` is
 * RPC_ERR_REGION_CONFLICT, as is a range that overlaps a region or leaves
 * the map. Without RM_ATTACH_AT, core picks the free place, trying the
 * size's natural alignment first and then smaller ones. A managed
 * dataspace whose map contains (at any depth) the map it is attached to
 * would make a cycle: RPC_ERR_CYCLE. Each region costs the session
 * REGION_MAP_REGION_COST of its donation (RPC_ERR_OUT_OF_RAM beyond).
 *
 * Faults: an access to a part of the map where nothing is attached, or a
 * write to a read-only region, suspends the thread. If the innermost map
 * in which it happened has a fault handler (a signal context), the fault
 * is queued there and the handler signalled once per fault; REGION_MAP_FAULT
 * reports the oldest queued fault (type and offset in that map). Any
 * attach that covers a queued fault's offset resumes every thread waiting
 * on it. Without a handler the fault is logged and the thread stopped; the
 * rest of the system runs on. Lookups go at most REGION_MAP_DEPTH_MAX
 * levels deep.
 *
 *   REGION_MAP_ATTACH(ds)   words: size, offset, at, flags (RM_ATTACH_*);
 *                           capability: the dataspace; answer word 0: where
 *   REGION_MAP_DETACH(at)   the region containing `at`
 *   REGION_MAP_FAULT_HANDLER   capability: a signal context
 *   REGION_MAP_FAULT()      answer words: type (enum region_map_fault_type), offset
 *   REGION_MAP_DATASPACE()  answer: a managed dataspace standing for the map
 */
#ifndef DUET_REGION_MAP_H
#define DUET_REGION_MAP_H

#include "duet/dataspace.h"
#include "duet/env.h"
#include "duet/rpc.h"

#define RM_ATTACH_AT UINT64_C(1)         /* place it at `at`            */
#define RM_ATTACH_WRITABLE UINT64_C(2)   /* else read-only              */

enum {
    REGION_MAP_REGION_COST = 64,      /* bytes of a session's donation per region */
    REGION_MAP_REGIONS_MAX = 48,
    REGION_MAP_DEPTH_MAX = 5,         /* nested maps a lookup follows */
};

enum region_map_fault_type {
    REGION_MAP_FAULT_NONE = 0,
    REGION_MAP_FAULT_READ,
    REGION_MAP_FAULT_WRITE,
};

/*     name                        opcode  words  capability type */
#define REGION_MAP_RPCS(X)                                                   \
    X(REGION_MAP_ATTACH,           0xb00,  4, 4,  CAP_TYPE_DATASPACE)        \
    X(REGION_MAP_DETACH,           0xb01,  1, 1,  CAP_TYPE_NONE)             \
    X(REGION_MAP_FAULT_HANDLER,    0xb02,  0, 0,  CAP_TYPE_SIGNAL_CONTEXT)   \
    X(REGION_MAP_FAULT,            0xb03,  0, 0,  CAP_TYPE_NONE)             \
    X(REGION_MAP_DATASPACE,        0xb04,  0, 0,  CAP_TYPE_NONE)

enum region_map_opcode { REGION_MAP_RPCS(RPC_OPCODE_ENUM) };

struct region_map_cap { cap_index_t index; };

#define REGION_MAP_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct region_map_cap, __VA_ARGS__)
REGION_MAP_RPCS(REGION_MAP_CLIENT_STUB)

struct region_map_attach {
    uint64_t size;      /* 0: the rest of the dataspace */
    uint64_t offset;    /* into the dataspace           */
    uint64_t at;        /* with RM_ATTACH_AT            */
    uint64_t flags;     /* RM_ATTACH_*                  */
};

enum rpc_status region_map_attach(struct region_map_cap rm, struct dataspace_cap ds,
                                  const struct region_map_attach *attr, uint64_t *out_at);
enum rpc_status region_map_detach(struct region_map_cap rm, uint64_t at);
enum rpc_status region_map_fault_handler(struct region_map_cap rm, cap_index_t signal_context);
enum rpc_status region_map_fault(struct region_map_cap rm, enum region_map_fault_type *out_type,
                                 uint64_t *out_offset);
enum rpc_status region_map_dataspace(struct region_map_cap rm, struct dataspace_cap *out);

/* The component's own address space (asked of the parent once, then kept
 * in the env). Attaching there makes memory appear at env_local(env, at). */
enum rpc_status env_address_space(struct env *env, struct region_map_cap *out);
static inline void *env_local(struct env *env, uint64_t at)
{
    return (uint8_t *)env + at;
}

/* An RM session: a new, empty region map of `size` bytes (a multiple of
 * PAGE_BYTES, at most WINDOW_BYTES). Donates RM_SESSION_RAM_QUOTA (room for
 * `regions` regions). Closing it detaches everything, removes it from every
 * map it is attached to, and stops the threads still waiting on its faults. */
#define RM_SESSION_BASE_QUOTA 1024u
#define RM_SESSION_CAP_QUOTA "2"
struct rm_connection {
    struct region_map_cap cap;
    uint64_t id;
};
enum rpc_status rm_connection_open(struct env *env, const char *label, uint64_t size,
                                   unsigned regions, struct rm_connection *out);
enum rpc_status rm_connection_close(struct env *env, struct rm_connection *connection);

#endif
