/*
 * range_allocator.c - best-fit allocation of address ranges over a sorted
 * list of segments (duet/range_allocator.h).
 *
 * The space is a singly linked list of segments, sorted by base: free
 * ranges and allocated blocks, with unmanaged gaps between them. Nodes
 * come from the caller's array; the ones not in use wait on a spare list.
 *
 * Every public call decodes, then performs. Decoding finds the segments
 * involved and checks the arguments, the space and the nodes the change
 * will take, changing nothing; performing cannot fail (it asserts what
 * decoding established). So a refused call leaves the allocator as it was.
 *
 * The segment changes, and the nodes they take (+) or give back (-):
 *     carve_block     free -> [free] block [free]         +0..2
 *     remove_range    free -> [free] gap [free]           -1..+1
 *     add_range       gap -> free, merged with neighbours -1..+1
 *     free            block -> free, merged with neighbours -2..0
 *
 * Not here: what the ranges are (memory, ports, regions) and any locking;
 * the caller owns both.
 */
#include "duet/range_allocator.h"

#include "duet/assert.h"

static const char *const error_names[RANGE_ERROR_COUNT] = {
    [RANGE_OK] = "RANGE_OK",
    [RANGE_ERR_INVALID_ARGUMENT] = "RANGE_ERR_INVALID_ARGUMENT",
    [RANGE_ERR_OUT_OF_METADATA] = "RANGE_ERR_OUT_OF_METADATA",
    [RANGE_ERR_NO_SPACE] = "RANGE_ERR_NO_SPACE",
    [RANGE_ERR_OUT_OF_RANGE] = "RANGE_ERR_OUT_OF_RANGE",
    [RANGE_ERR_ALREADY_USED] = "RANGE_ERR_ALREADY_USED",
    [RANGE_ERR_ALREADY_MANAGED] = "RANGE_ERR_ALREADY_MANAGED",
    [RANGE_ERR_NOT_ALLOCATED] = "RANGE_ERR_NOT_ALLOCATED",
};

const char *range_error_name(enum range_error error)
{
    return (unsigned)error < RANGE_ERROR_COUNT ? error_names[error] : "RANGE_ERR_UNKNOWN";
}

/* ---- pure helpers ---------------------------------------------------- */

/* The inclusive end of [base, base + size - 1]; false if size is 0 or the
 * range would pass the top of the space. */
static bool range_last(uint64_t base, uint64_t size, uint64_t *out_last)
{
    if (size == 0 || size - 1 > UINT64_MAX - base)
        return false;
    *out_last = base + (size - 1);
    return true;
}

/* Fits in 64 bits: no segment is larger than the managed total (R4). */
static uint64_t segment_size(const struct range_node *segment)
{
    return segment->last - segment->base + 1;
}

/* Whether a range ending at left_last is immediately followed by one at
 * right_base. A range ending at 2^64 - 1 is followed by nothing: without
 * the first test it would be "adjacent" to a range at 0 through
 * wrap-around. (Sorted segments never ask that today; the helper stays
 * right on its own.) */
static bool ranges_adjacent(uint64_t left_last, uint64_t right_base)
{
    return left_last != UINT64_MAX && left_last + 1 == right_base;
}

static bool segment_is_free(const struct range_node *segment)
{
    return segment != NULL && !segment->allocated;
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/*
 * The lowest base inside both the segment and the window that is a
 * multiple of align_mask + 1 and leaves room for `size` bytes before the
 * end of both.
 */
static bool place_in_segment(const struct range_node *segment, uint64_t size,
                             uint64_t align_mask, struct range_window window,
                             uint64_t *out_base)
{
    uint64_t first = max_u64(segment->base, window.first);
    uint64_t limit = min_u64(segment->last, window.last);
    if (first > limit)
        return false;
    uint64_t misalignment = first & align_mask;
    if (misalignment != 0) {
        uint64_t step = align_mask - misalignment + 1;   /* <= 2^63: no overflow */
        if (step > limit - first)
            return false;
        first += step;
    }
    if (size - 1 > limit - first)
        return false;
    *out_base = first;
    return true;
}

/* Nodes that carving [base, last] out of a free segment takes: one for
 * each free remainder, before and after the block. */
static size_t carve_nodes_needed(const struct range_node *segment, uint64_t base,
                                 uint64_t last)
{
    return (size_t)(base > segment->base) + (size_t)(last < segment->last);
}

/* ---- segment list ---------------------------------------------------- */

static size_t spare_node_count(const struct range_allocator *alloc)
{
    return alloc->node_count - alloc->nodes_used;
}

static struct range_node *node_take(struct range_allocator *alloc)
{
    struct range_node *node = alloc->spare_nodes;
    DUET_ASSERT(node != NULL);   /* decoding counted the nodes a change takes */
    alloc->spare_nodes = node->next;
    alloc->nodes_used++;
    return node;
}

/* A new segment after `prev` (NULL: at the front). */
static void segment_insert_after(struct range_allocator *alloc, struct range_node *prev,
                                 uint64_t base, uint64_t last, bool allocated)
{
    DUET_ASSERT(base <= last);
    struct range_node *node = node_take(alloc);
    *node = (struct range_node){
        .base = base,
        .last = last,
        .next = prev != NULL ? prev->next : alloc->segments,
        .allocated = allocated,
    };
    if (prev != NULL)
        prev->next = node;
    else
        alloc->segments = node;
    DUET_ASSERT(prev == NULL || prev->last < base);
    DUET_ASSERT(node->next == NULL || last < node->next->base);
}

/* Unlinks `segment`, which follows `prev` (NULL: it is the first), and
 * gives its node back. */
static void segment_unlink(struct range_allocator *alloc, struct range_node *prev,
                           struct range_node *segment)
{
    DUET_ASSERT((prev != NULL ? prev->next : alloc->segments) == segment);
    DUET_ASSERT(alloc->nodes_used > 0);
    if (prev != NULL)
        prev->next = segment->next;
    else
        alloc->segments = segment->next;
    segment->next = alloc->spare_nodes;
    alloc->spare_nodes = segment;
    alloc->nodes_used--;
}

/* The segment containing addr (NULL: none) and the segment before it. */
static struct range_node *segment_containing(const struct range_allocator *alloc,
                                             uint64_t addr, struct range_node **out_prev)
{
    struct range_node *prev = NULL;
    size_t steps = 0;
    for (struct range_node *s = alloc->segments; s != NULL && s->base <= addr; s = s->next) {
        DUET_ASSERT(steps < alloc->nodes_used);   /* a bounded walk */
        steps++;
        if (addr <= s->last) {
            *out_prev = prev;
            return s;
        }
        prev = s;
    }
    *out_prev = prev;
    return NULL;
}

static bool overlaps_allocated(const struct range_allocator *alloc, uint64_t base,
                               uint64_t last)
{
    size_t steps = 0;
    for (struct range_node *s = alloc->segments; s != NULL && s->base <= last; s = s->next) {
        DUET_ASSERT(steps < alloc->nodes_used);   /* a bounded walk */
        steps++;
        if (s->allocated && s->last >= base)
            return true;
    }
    return false;
}

/*
 * Decoding for alloc_addr and remove_range: the free segment holding all
 * of [base, last] and its predecessor, or why there is none. Free space is
 * coalesced (R2), so if the segment at `base` does not hold the range, the
 * range reaches an allocated block or unmanaged space.
 */
static enum range_error free_segment_holding(const struct range_allocator *alloc,
                                             uint64_t base, uint64_t last,
                                             struct range_node **out_segment,
                                             struct range_node **out_prev)
{
    struct range_node *segment = segment_containing(alloc, base, out_prev);
    if (segment_is_free(segment) && last <= segment->last) {
        *out_segment = segment;
        return RANGE_OK;
    }
    return overlaps_allocated(alloc, base, last) ? RANGE_ERR_ALREADY_USED
                                                 : RANGE_ERR_OUT_OF_RANGE;
}

/* Perform: [base, last] of a free segment becomes an allocated block. */
static void carve_block(struct range_allocator *alloc, struct range_node *segment,
                        uint64_t base, uint64_t last)
{
    DUET_ASSERT(!segment->allocated && segment->base <= base && last <= segment->last);
    DUET_ASSERT(carve_nodes_needed(segment, base, last) <= spare_node_count(alloc));
    if (last < segment->last) {
        uint64_t free_last = segment->last;
        segment->last = last;
        segment_insert_after(alloc, segment, last + 1, free_last, false);
    }
    if (base > segment->base) {
        segment->last = base - 1;
        segment_insert_after(alloc, segment, base, last, true);
    } else {
        segment->allocated = true;
    }
    alloc->avail_bytes -= last - base + 1;
    DUET_ASSERT(alloc->avail_bytes <= alloc->managed_bytes);
}

/* ---- the interface --------------------------------------------------- */

void range_allocator_init(struct range_allocator *alloc, struct range_node *nodes,
                          size_t node_count)
{
    DUET_ASSERT(nodes != NULL || node_count == 0);
    *alloc = (struct range_allocator){.node_count = node_count};
    for (size_t i = node_count; i > 0; i--) {
        nodes[i - 1] = (struct range_node){.next = alloc->spare_nodes};
        alloc->spare_nodes = &nodes[i - 1];
    }
    DUET_ASSERT(spare_node_count(alloc) == node_count);
}

enum range_error range_allocator_add_range(struct range_allocator *alloc, uint64_t base,
                                           uint64_t size)
{
    uint64_t last;
    if (!range_last(base, size, &last) || size > UINT64_MAX - alloc->managed_bytes)
        return RANGE_ERR_INVALID_ARGUMENT;
    struct range_node *prev = NULL;
    size_t steps = 0;
    for (struct range_node *s = alloc->segments; s != NULL && s->base < base; s = s->next) {
        DUET_ASSERT(steps < alloc->nodes_used);   /* a bounded walk */
        steps++;
        prev = s;
    }
    struct range_node *next = prev != NULL ? prev->next : alloc->segments;
    if ((prev != NULL && prev->last >= base) || (next != NULL && next->base <= last))
        return RANGE_ERR_ALREADY_MANAGED;
    bool merge_prev = segment_is_free(prev) && ranges_adjacent(prev->last, base);
    bool merge_next = segment_is_free(next) && ranges_adjacent(last, next->base);
    if (!merge_prev && !merge_next && spare_node_count(alloc) == 0)
        return RANGE_ERR_OUT_OF_METADATA;

    if (merge_prev && merge_next) {
        prev->last = next->last;
        segment_unlink(alloc, prev, next);
    } else if (merge_prev) {
        prev->last = last;
    } else if (merge_next) {
        next->base = base;
    } else {
        segment_insert_after(alloc, prev, base, last, false);
    }
    alloc->managed_bytes += size;
    alloc->avail_bytes += size;
    DUET_ASSERT(alloc->avail_bytes <= alloc->managed_bytes);
    return RANGE_OK;
}

enum range_error range_allocator_remove_range(struct range_allocator *alloc, uint64_t base,
                                              uint64_t size)
{
    uint64_t last;
    if (!range_last(base, size, &last))
        return RANGE_ERR_INVALID_ARGUMENT;
    struct range_node *segment, *prev;
    enum range_error error = free_segment_holding(alloc, base, last, &segment, &prev);
    if (error != RANGE_OK)
        return error;
    bool keep_front = base > segment->base;
    bool keep_back = last < segment->last;
    if (keep_front && keep_back && spare_node_count(alloc) == 0)
        return RANGE_ERR_OUT_OF_METADATA;

    if (keep_front && keep_back) {
        uint64_t free_last = segment->last;
        segment->last = base - 1;
        segment_insert_after(alloc, segment, last + 1, free_last, false);
    } else if (keep_front) {
        segment->last = base - 1;
    } else if (keep_back) {
        segment->base = last + 1;
    } else {
        segment_unlink(alloc, prev, segment);
    }
    alloc->managed_bytes -= size;
    alloc->avail_bytes -= size;
    DUET_ASSERT(alloc->avail_bytes <= alloc->managed_bytes);
    return RANGE_OK;
}

enum range_error range_allocator_alloc_aligned(struct range_allocator *alloc, uint64_t size,
                                               unsigned align_log2, struct range_window window,
                                               uint64_t *out_addr)
{
    if (size == 0 || align_log2 > RANGE_ALIGN_LOG2_MAX || window.first > window.last)
        return RANGE_ERR_INVALID_ARGUMENT;
    uint64_t align_mask = (UINT64_C(1) << align_log2) - 1;
    struct range_node *best = NULL;
    uint64_t best_base = 0;
    size_t steps = 0;
    for (struct range_node *s = alloc->segments; s != NULL; s = s->next) {
        DUET_ASSERT(steps < alloc->nodes_used);   /* a bounded walk */
        steps++;
        uint64_t base;
        /* Strictly smaller: among equal sizes the first, the lowest, wins. */
        if (!s->allocated && place_in_segment(s, size, align_mask, window, &base) &&
            (best == NULL || segment_size(s) < segment_size(best))) {
            best = s;
            best_base = base;
        }
    }
    if (best == NULL)
        return RANGE_ERR_NO_SPACE;
    uint64_t last = best_base + (size - 1);   /* place_in_segment checked it fits */
    if (carve_nodes_needed(best, best_base, last) > spare_node_count(alloc))
        return RANGE_ERR_OUT_OF_METADATA;

    carve_block(alloc, best, best_base, last);
    DUET_ASSERT((best_base & align_mask) == 0);
    DUET_ASSERT(best_base >= window.first && last <= window.last);
    *out_addr = best_base;
    return RANGE_OK;
}

enum range_error range_allocator_alloc(struct range_allocator *alloc, uint64_t size,
                                       uint64_t *out_addr)
{
    return range_allocator_alloc_aligned(alloc, size, 0, RANGE_WINDOW_ANY, out_addr);
}

enum range_error range_allocator_alloc_addr(struct range_allocator *alloc, uint64_t size,
                                            uint64_t addr)
{
    uint64_t last;
    if (!range_last(addr, size, &last))
        return RANGE_ERR_INVALID_ARGUMENT;
    struct range_node *segment, *prev;
    enum range_error error = free_segment_holding(alloc, addr, last, &segment, &prev);
    if (error != RANGE_OK)
        return error;
    if (carve_nodes_needed(segment, addr, last) > spare_node_count(alloc))
        return RANGE_ERR_OUT_OF_METADATA;

    carve_block(alloc, segment, addr, last);
    return RANGE_OK;
}

enum range_error range_allocator_free(struct range_allocator *alloc, uint64_t addr)
{
    struct range_node *prev;
    struct range_node *block = segment_containing(alloc, addr, &prev);
    if (block == NULL || !block->allocated || block->base != addr)
        return RANGE_ERR_NOT_ALLOCATED;

    uint64_t size = segment_size(block);
    block->allocated = false;
    struct range_node *next = block->next;
    if (segment_is_free(next) && ranges_adjacent(block->last, next->base)) {
        block->last = next->last;
        segment_unlink(alloc, block, next);
    }
    if (segment_is_free(prev) && ranges_adjacent(prev->last, block->base)) {
        prev->last = block->last;
        segment_unlink(alloc, prev, block);
    }
    alloc->avail_bytes += size;
    DUET_ASSERT(alloc->avail_bytes <= alloc->managed_bytes);
    return RANGE_OK;
}

enum range_error range_allocator_block_size(const struct range_allocator *alloc,
                                            uint64_t addr, uint64_t *out_size)
{
    struct range_node *prev;
    struct range_node *block = segment_containing(alloc, addr, &prev);
    if (block == NULL || !block->allocated || block->base != addr)
        return RANGE_ERR_NOT_ALLOCATED;
    *out_size = segment_size(block);
    return RANGE_OK;
}

bool range_allocator_valid(const struct range_allocator *alloc)
{
    if (alloc->nodes_used > alloc->node_count)
        return false;
    size_t segments = 0;
    uint64_t free_bytes = 0, all_bytes = 0;
    const struct range_node *prev = NULL;
    for (const struct range_node *s = alloc->segments; s != NULL; s = s->next) {
        if (++segments > alloc->node_count || s->base > s->last)
            return false;
        if (s->base == 0 && s->last == UINT64_MAX)   /* 2^64 bytes: past the limit */
            return false;
        if (prev != NULL && prev->last >= s->base)                           /* R1 */
            return false;
        if (prev != NULL && !prev->allocated && !s->allocated &&
            ranges_adjacent(prev->last, s->base))                            /* R2 */
            return false;
        uint64_t size = segment_size(s);
        if (size > UINT64_MAX - all_bytes)
            return false;
        all_bytes += size;
        free_bytes += s->allocated ? 0 : size;
        prev = s;
    }
    size_t spares = 0;
    for (const struct range_node *n = alloc->spare_nodes; n != NULL; n = n->next) {
        if (++spares > alloc->node_count)
            return false;
    }
    return segments == alloc->nodes_used && spares == alloc->node_count - segments /* R3 */
           && free_bytes == alloc->avail_bytes && all_bytes == alloc->managed_bytes; /* R4 */
}
