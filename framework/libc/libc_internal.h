/*
 * libc_internal.h - the framework libc's state (libc-internal).
 *
 * One struct libc per component, allocated by libc_init and found through
 * the calling thread's env (utcb->env->libc): no global holds it. A lock
 * serializes mmap, munmap and malloc across the component's threads.
 *
 * Mappings: what mmap made, each a piece of a dataspace (RAM, or the
 * reservation map's managed dataspace for PROT_NONE) attached at a window
 * offset. munmap of part of a mapping detaches it and attaches what is
 * left as one or two pieces of the same dataspace; a RAM dataspace is
 * freed when its last piece goes.
 */
#ifndef DUET_LIBC_INTERNAL_H
#define DUET_LIBC_INTERNAL_H

#include "duet/heap.h"
#include "duet/lock.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"

enum {
    LIBC_MAPPINGS_MAX = 24,          /* the address space holds 48 regions */
    LIBC_DATASPACES_MAX = RAM_SESSION_DATASPACES_MAX - HEAP_CHUNKS_MAX,
    LIBC_HEAP_NODES = 512,
    LIBC_HEAP_CHUNK_BYTES = 16 * 1024,
    LIBC_RESERVE = 0xff,             /* a mapping's dataspace: the reservation map */
};

struct libc_dataspace {
    struct dataspace_cap ds;         /* CAP_INDEX_INVALID: a free slot */
    unsigned pieces;                 /* mappings that use it */
};

struct libc_mapping {
    bool in_use;
    bool writable;
    uint8_t ds;                      /* index into dataspaces, or LIBC_RESERVE */
    uint64_t at, size;               /* window offset */
    uint64_t offset;                 /* into the dataspace */
};

struct libc {
    struct env *env;
    struct lock lock;
    struct region_map_cap space;
    struct ram_connection ram;
    struct rm_connection reserve;    /* empty: what PROT_NONE maps */
    struct dataspace_cap reserve_ds;
    struct heap heap;
    struct range_node heap_nodes[LIBC_HEAP_NODES];
    struct libc_dataspace dataspaces[LIBC_DATASPACES_MAX];
    struct libc_mapping mappings[LIBC_MAPPINGS_MAX];
};

/* The calling component's libc; asserts that libc_init ran. */
struct libc *libc_self(void);

#endif
