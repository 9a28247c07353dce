/*
 * dataspace.h - dataspaces: memory a capability stands for.
 *
 * A dataspace is RAM (from a RAM session, duet/ram_session.h) or a managed
 * dataspace (a region map used as memory, duet/region_map.h). It is a
 * kernel object that only core makes; holding its capability lets a
 * component attach it to a region map, find its size, and pass it on.
 * Its contents are reached only by attaching it.
 */
#ifndef DUET_DATASPACE_H
#define DUET_DATASPACE_H

#include "duet/syscall.h"

struct dataspace_cap { cap_index_t index; };

/* Size in bytes (a multiple of PAGE_BYTES), or 0 for an invalid capability. */
static inline uint64_t dataspace_size(struct dataspace_cap ds)
{
    struct dataspace_info info;
    return sys_dataspace_info(ds.index, &info) == SYS_OK ? info.size : 0;
}

static inline uint64_t page_round_up(uint64_t bytes)
{
    return (bytes + PAGE_BYTES - 1u) & ~(uint64_t)(PAGE_BYTES - 1u);
}

#endif
