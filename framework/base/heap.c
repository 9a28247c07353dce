/*
 * heap.c - a heap on RAM dataspaces (duet/heap.h).
 *
 * Addresses inside the range allocator are window offsets (a chunk
 * attached at offset `at` is [at, at + size)); a block's pointer is
 * env_local(env, offset). Chunks adjacent in the window coalesce in the
 * allocator, which is fine: their memory is contiguous where the
 * component sees it.
 */
#include "duet/heap.h"

#include "duet/assert.h"

static const char *const heap_error_names[HEAP_ERROR_COUNT] = {
    [HEAP_OK] = "HEAP_OK",
    [HEAP_ERR_INVALID_ARGUMENT] = "HEAP_ERR_INVALID_ARGUMENT",
    [HEAP_ERR_OUT_OF_RAM] = "HEAP_ERR_OUT_OF_RAM",
    [HEAP_ERR_OUT_OF_METADATA] = "HEAP_ERR_OUT_OF_METADATA",
    [HEAP_ERR_NOT_ALLOCATED] = "HEAP_ERR_NOT_ALLOCATED",
};

const char *heap_error_name(enum heap_error error)
{
    return (unsigned)error < HEAP_ERROR_COUNT ? heap_error_names[error] : "HEAP_ERR_UNKNOWN";
}

void heap_init(struct heap *heap, struct env *env, struct ram_session_cap ram,
               struct region_map_cap space, struct range_node *nodes, size_t node_count,
               uint64_t chunk_bytes)
{
    *heap = (struct heap){.env = env, .ram = ram, .space = space,
                          .chunk_bytes = page_round_up(chunk_bytes ? chunk_bytes : PAGE_BYTES)};
    lock_init(&heap->lock);
    range_allocator_init(&heap->ranges, nodes, node_count);
}

static uint64_t offset_of(const struct heap *heap, const void *p)
{
    return (uint64_t)((const uint8_t *)p - (const uint8_t *)heap->env);
}

/* Another chunk that can hold `size` bytes. */
static enum heap_error heap_grow(struct heap *heap, uint64_t size)
{
    if (heap->chunk_count == HEAP_CHUNKS_MAX)
        return HEAP_ERR_OUT_OF_METADATA;
    /* Chunks grow geometrically (two of each size), so a heap that keeps
     * growing needs few of them; a large block gets one of its own size. */
    unsigned doubling = heap->chunk_count / 2 < 6 ? heap->chunk_count / 2 : 6;
    uint64_t step = heap->chunk_bytes << doubling;
    uint64_t bytes = page_round_up(size > step ? size : step);
    struct heap_chunk *chunk = &heap->chunks[heap->chunk_count];
    enum rpc_status status = ram_alloc(heap->ram, bytes, &chunk->ds);
    if (status != RPC_OK)
        return status == RPC_ERR_OUT_OF_RAM ? HEAP_ERR_OUT_OF_RAM : HEAP_ERR_OUT_OF_METADATA;
    struct region_map_attach attr = {.flags = RM_ATTACH_WRITABLE};
    if (region_map_attach(heap->space, chunk->ds, &attr, &chunk->at) != RPC_OK) {
        ram_free(heap->ram, chunk->ds);
        return HEAP_ERR_OUT_OF_METADATA;   /* no room in the address space */
    }
    if (range_allocator_add_range(&heap->ranges, chunk->at, bytes) != RANGE_OK) {
        region_map_detach(heap->space, chunk->at);
        ram_free(heap->ram, chunk->ds);
        return HEAP_ERR_OUT_OF_METADATA;
    }
    chunk->size = bytes;
    heap->chunk_count++;
    return HEAP_OK;
}

enum heap_error heap_alloc(struct heap *heap, size_t size, void **out)
{
    *out = NULL;
    if (size == 0 || size > WINDOW_BYTES)
        return HEAP_ERR_INVALID_ARGUMENT;
    uint64_t bytes = (size + ((1u << HEAP_ALIGN_LOG2) - 1)) & ~(uint64_t)((1u << HEAP_ALIGN_LOG2) - 1);
    enum lock_error locked = lock_acquire(&heap->lock);
    DUET_ASSERT(locked == LOCK_OK);
    uint64_t at = 0;
    enum heap_error error = HEAP_OK;
    enum range_error range = range_allocator_alloc_aligned(&heap->ranges, bytes, HEAP_ALIGN_LOG2,
                                                           RANGE_WINDOW_ANY, &at);
    if (range == RANGE_ERR_NO_SPACE) {
        error = heap_grow(heap, bytes);
        if (error == HEAP_OK)
            range = range_allocator_alloc_aligned(&heap->ranges, bytes, HEAP_ALIGN_LOG2,
                                                  RANGE_WINDOW_ANY, &at);
    }
    if (error == HEAP_OK && range != RANGE_OK)
        error = HEAP_ERR_OUT_OF_METADATA;
    if (error == HEAP_OK) {
        heap->used_bytes += bytes;
        *out = env_local(heap->env, at);
    }
    lock_release(&heap->lock);
    return error;
}

enum heap_error heap_size(struct heap *heap, const void *p, size_t *out_size)
{
    uint64_t size = 0;
    enum lock_error locked = lock_acquire(&heap->lock);
    DUET_ASSERT(locked == LOCK_OK);
    enum range_error range = range_allocator_block_size(&heap->ranges, offset_of(heap, p), &size);
    lock_release(&heap->lock);
    *out_size = range == RANGE_OK ? (size_t)size : 0;
    return range == RANGE_OK ? HEAP_OK : HEAP_ERR_NOT_ALLOCATED;
}

enum heap_error heap_free(struct heap *heap, void *p)
{
    enum lock_error locked = lock_acquire(&heap->lock);
    DUET_ASSERT(locked == LOCK_OK);
    uint64_t at = offset_of(heap, p), size = 0;
    enum heap_error error = HEAP_ERR_NOT_ALLOCATED;
    if (range_allocator_block_size(&heap->ranges, at, &size) == RANGE_OK &&
        range_allocator_free(&heap->ranges, at) == RANGE_OK) {
        heap->used_bytes -= size;
        error = HEAP_OK;
    }
    lock_release(&heap->lock);
    return error;
}

void heap_destroy(struct heap *heap)
{
    for (unsigned i = 0; i < heap->chunk_count; i++) {
        region_map_detach(heap->space, heap->chunks[i].at);
        ram_free(heap->ram, heap->chunks[i].ds);
    }
    heap->chunk_count = 0;
    heap->used_bytes = 0;
}
