/*
 * range_allocator.h - allocating address ranges of a 64-bit space.
 *
 * The base allocator of the framework, after Genode's Range_allocator:
 * core hands out physical memory, I/O ports and virtual regions with it.
 * It manages ranges that were added (add_range) and hands out blocks of
 * them; it never touches the memory it manages (it may not even be
 * memory), so every address is a number, and 0 is as good as any.
 * Results therefore come through an out-parameter and every call returns
 * an enum range_error, each error named (range_error_name).
 *
 *     range_allocator_init(alloc, nodes, node_count)
 *     range_allocator_add_range(alloc, base, size)      .. remove_range
 *     range_allocator_alloc(alloc, size, &addr)
 *     range_allocator_alloc_aligned(alloc, size, align_log2, window, &addr)
 *     range_allocator_alloc_addr(alloc, size, addr)
 *     range_allocator_free(alloc, addr)                 whole block at addr
 *     range_allocator_avail(alloc), range_allocator_block_size(alloc, addr, &size)
 *
 * Placement is best fit: of the free ranges that can hold the block (at
 * the alignment, inside the window), the smallest; among equals the lowest.
 * Inside it the block goes to the lowest suitable address. Free ranges
 * always coalesce, so "the free range" around an address is unique.
 *
 * Metadata: the allocator describes its space as segments (a free range
 * or an allocated block), one node each, taken from an array of nodes the
 * caller supplies; there is no malloc. A call needs at most two more nodes
 * (an allocation from the middle of a free range), and checks that they
 * are there before it changes anything: RANGE_ERR_OUT_OF_METADATA leaves
 * the allocator exactly as it was. With best fit, the block's place is
 * chosen first: if that place needs nodes that are not there, the call
 * fails, even where another place would have needed fewer.
 *
 * Sizes: a range is [base, base + size - 1] with size >= 1 and may end at
 * the top of the space (base + size == 2^64). The total managed is at most
 * 2^64 - 1 bytes, so every size and sum fits in 64 bits (adding a range
 * past that is RANGE_ERR_INVALID_ARGUMENT). Windows are inclusive
 * [first, last] for the same reason: they must be able to reach the top.
 *
 * Complexity: every operation walks the sorted segment list, O(segments),
 * which is at most node_count. Clear and bounded beats clever here; an
 * AVL tree (as Genode uses) can replace the list behind this interface.
 *
 * Invariants (range_allocator_valid checks them all):
 *   R1  segments are sorted by base and do not overlap; base <= last.
 *   R2  no two free segments are adjacent (free ranges coalesce).
 *   R3  nodes_used == number of segments; the spare list holds the rest.
 *   R4  avail_bytes == sum of free segment sizes; managed_bytes == sum of
 *       all segment sizes.
 */
#ifndef DUET_RANGE_ALLOCATOR_H
#define DUET_RANGE_ALLOCATOR_H

#include "duet/types.h"

enum range_error {
    RANGE_OK = 0,
    /* Size 0, alignment above 2^63, an empty window, a range that would
     * pass 2^64, or a total managed size of 2^64 or more. */
    RANGE_ERR_INVALID_ARGUMENT,
    /* The call needs segment nodes and none (or too few) are spare. */
    RANGE_ERR_OUT_OF_METADATA,
    /* alloc / alloc_aligned: no free range holds the block. */
    RANGE_ERR_NO_SPACE,
    /* alloc_addr / remove_range: part of the range is not managed. */
    RANGE_ERR_OUT_OF_RANGE,
    /* alloc_addr / remove_range: part of the range is allocated. */
    RANGE_ERR_ALREADY_USED,
    /* add_range: part of the range is managed already. */
    RANGE_ERR_ALREADY_MANAGED,
    /* free / block_size: no allocated block starts at the address. */
    RANGE_ERR_NOT_ALLOCATED,
    RANGE_ERROR_COUNT
};

/* One segment: a free range or an allocated block. Private to the
 * allocator; callers only provide the array. */
struct range_node {
    uint64_t base;
    uint64_t last;             /* inclusive: may be UINT64_MAX */
    struct range_node *next;   /* in the segment list or the spare list */
    bool allocated;
};

struct range_allocator {
    struct range_node *segments;      /* sorted by base (R1) */
    struct range_node *spare_nodes;   /* unused metadata */
    size_t node_count;
    size_t nodes_used;
    uint64_t managed_bytes;
    uint64_t avail_bytes;
};

/* Where an aligned block may lie: [first, last], inclusive. */
struct range_window {
    uint64_t first;
    uint64_t last;
};

#define RANGE_WINDOW_ANY ((struct range_window){.first = 0, .last = UINT64_MAX})
#define RANGE_ALIGN_LOG2_MAX 63

/* An empty allocator over nodes[node_count], which must outlive it. */
void range_allocator_init(struct range_allocator *alloc, struct range_node *nodes,
                          size_t node_count);

/* Adds [base, base + size - 1] as free space; it merges with adjacent free
 * ranges. Errors: INVALID_ARGUMENT, ALREADY_MANAGED, OUT_OF_METADATA. */
enum range_error range_allocator_add_range(struct range_allocator *alloc, uint64_t base,
                                           uint64_t size);

/* Withdraws free space; the whole range must be managed and free. Errors:
 * INVALID_ARGUMENT, ALREADY_USED (before OUT_OF_RANGE), OUT_OF_RANGE,
 * OUT_OF_METADATA (splitting a free range in two needs a node). */
enum range_error range_allocator_remove_range(struct range_allocator *alloc, uint64_t base,
                                              uint64_t size);

/* A block of `size` bytes anywhere, best fit; *out_addr receives its base.
 * Errors: INVALID_ARGUMENT, NO_SPACE, OUT_OF_METADATA. */
enum range_error range_allocator_alloc(struct range_allocator *alloc, uint64_t size,
                                       uint64_t *out_addr);

/* A block of `size` bytes at a multiple of 2^align_log2, entirely inside
 * `window` (RANGE_WINDOW_ANY for no limit); *out_addr receives its base.
 * Errors: INVALID_ARGUMENT, NO_SPACE, OUT_OF_METADATA. */
enum range_error range_allocator_alloc_aligned(struct range_allocator *alloc, uint64_t size,
                                               unsigned align_log2, struct range_window window,
                                               uint64_t *out_addr);

/* The block [addr, addr + size - 1] exactly. Errors: INVALID_ARGUMENT,
 * ALREADY_USED (before OUT_OF_RANGE), OUT_OF_RANGE, OUT_OF_METADATA. */
enum range_error range_allocator_alloc_addr(struct range_allocator *alloc, uint64_t size,
                                            uint64_t addr);

/* Frees the whole block that starts at `addr`. Error: NOT_ALLOCATED (no
 * block starts there: never allocated, already freed, or inside a block).
 * Never needs metadata; it gives nodes back when ranges coalesce. */
enum range_error range_allocator_free(struct range_allocator *alloc, uint64_t addr);

/* The size of the block that starts at `addr`. Error: NOT_ALLOCATED. */
enum range_error range_allocator_block_size(const struct range_allocator *alloc,
                                            uint64_t addr, uint64_t *out_size);

/* Free bytes in total (not necessarily contiguous). */
static inline uint64_t range_allocator_avail(const struct range_allocator *alloc)
{
    return alloc->avail_bytes;
}

/* Segment nodes in use; node_count minus this is what calls can still take. */
static inline size_t range_allocator_nodes_used(const struct range_allocator *alloc)
{
    return alloc->nodes_used;
}

const char *range_error_name(enum range_error error);

/* Checks R1-R4 by walking at most node_count segments; false if any fails. */
bool range_allocator_valid(const struct range_allocator *alloc);

#endif
