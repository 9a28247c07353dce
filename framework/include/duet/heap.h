/*
 * heap.h - a heap on RAM dataspaces: variable-sized blocks of memory.
 *
 * The heap takes its memory in chunks: RAM dataspaces from a RAM session
 * (paid from that session's donation), attached in the component's own
 * address space. Chunks grow: two of chunk_bytes, two of twice that, and
 * so on up to 64 times, or as large as one block needs. A range allocator (duet/range_allocator.h) hands out
 * blocks of the chunks' address ranges; its metadata is an array of nodes
 * the caller supplies, so the heap itself never needs a heap. Blocks are
 * 16-byte aligned. A lock makes every call safe from any thread of the
 * component.
 *
 *     heap_init(heap, env, ram, space, nodes, node_count, chunk_bytes)
 *     heap_alloc(heap, size, &p)    heap_free(heap, p)    heap_size(heap, p, &size)
 *     heap_destroy(heap)            every chunk detached and freed
 *
 * Errors are named (heap_error_name): HEAP_ERR_OUT_OF_RAM when the RAM
 * session cannot give another chunk (its donation is spent), and
 * HEAP_ERR_OUT_OF_METADATA when the nodes or the chunk table are full.
 * Freeing a pointer the heap did not hand out (or twice) is
 * HEAP_ERR_NOT_ALLOCATED, never a corruption.
 */
#ifndef DUET_HEAP_H
#define DUET_HEAP_H

#include "duet/lock.h"
#include "duet/ram_session.h"
#include "duet/range_allocator.h"
#include "duet/region_map.h"

enum { HEAP_CHUNKS_MAX = 16, HEAP_ALIGN_LOG2 = 4 };

enum heap_error {
    HEAP_OK = 0,
    HEAP_ERR_INVALID_ARGUMENT,   /* size 0, or beyond what a chunk can hold */
    HEAP_ERR_OUT_OF_RAM,         /* the RAM session gives no more          */
    HEAP_ERR_OUT_OF_METADATA,    /* no node or chunk slot left             */
    HEAP_ERR_NOT_ALLOCATED,      /* free/size of what the heap did not hand out */
    HEAP_ERROR_COUNT
};

const char *heap_error_name(enum heap_error error);

struct heap_chunk {
    struct dataspace_cap ds;
    uint64_t at;                 /* window offset */
    uint64_t size;
};

struct heap {
    struct env *env;
    struct ram_session_cap ram;
    struct region_map_cap space;
    struct lock lock;
    struct range_allocator ranges;   /* window offsets of the chunks */
    uint64_t chunk_bytes;
    struct heap_chunk chunks[HEAP_CHUNKS_MAX];
    unsigned chunk_count;
    uint64_t used_bytes;             /* in blocks handed out */
};

/* `nodes` (node_count of them) must outlive the heap; chunk_bytes is the
 * least a chunk holds (a larger block gets a chunk of its own size). */
void heap_init(struct heap *heap, struct env *env, struct ram_session_cap ram,
               struct region_map_cap space, struct range_node *nodes, size_t node_count,
               uint64_t chunk_bytes);
enum heap_error heap_alloc(struct heap *heap, size_t size, void **out);
enum heap_error heap_free(struct heap *heap, void *p);
/* The usable size of the block at p (its request rounded up). */
enum heap_error heap_size(struct heap *heap, const void *p, size_t *out_size);
/* Detaches and frees every chunk; blocks still in use are gone with them. */
void heap_destroy(struct heap *heap);

#endif
