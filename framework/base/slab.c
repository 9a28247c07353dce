/*
 * slab.c - the slab allocator (duet/slab.h).
 *
 * Where a block is, and the function that moves it:
 *     backing store -> partial   block_new    (slab_alloc: no partial, no spare)
 *     spare         -> partial   slab_alloc   (no partial block)
 *     partial       -> full      slab_alloc   (its last free slot taken)
 *     full          -> partial   slab_free
 *     partial       -> spare     block_retire (slab_free: its last object; no spare)
 *     partial       -> backing   block_retire (slab_free: its last object; a spare)
 *     any list      -> backing   slab_destroy
 *
 * Each object's state is one bit in its block's header; objects themselves
 * are never touched, so they can be poisoned while free.
 *
 * Not here: where blocks come from (the backing store) and locking.
 */
#include "duet/slab.h"

#include "duet/assert.h"

/* A block's header; its object slots follow at slab->objects_offset. */
struct slab_block {
    struct list_link link;   /* in partial_blocks, full_blocks or spare_blocks */
    size_t used_count;
    uint64_t used_bits[];    /* bit i set: object i is in use */
};

enum { BITS_PER_WORD = 64 };

static const char *const error_names[SLAB_ERROR_COUNT] = {
    [SLAB_OK] = "SLAB_OK",
    [SLAB_ERR_INVALID_ARGUMENT] = "SLAB_ERR_INVALID_ARGUMENT",
    [SLAB_ERR_OUT_OF_BACKING_MEMORY] = "SLAB_ERR_OUT_OF_BACKING_MEMORY",
    [SLAB_ERR_NOT_AN_OBJECT] = "SLAB_ERR_NOT_AN_OBJECT",
    [SLAB_ERR_NOT_ALLOCATED] = "SLAB_ERR_NOT_ALLOCATED",
};

const char *slab_error_name(enum slab_error error)
{
    return (unsigned)error < SLAB_ERROR_COUNT ? error_names[error] : "SLAB_ERR_UNKNOWN";
}

/* ---- layout ---------------------------------------------------------- */

static size_t bitmap_words(size_t objects) { return (objects + BITS_PER_WORD - 1) / BITS_PER_WORD; }

/* Rounds up to SLAB_ALIGNMENT; false on overflow. */
static bool align_up(size_t value, size_t *out_aligned)
{
    if (value > SIZE_MAX - (SLAB_ALIGNMENT - 1))
        return false;
    *out_aligned = (value + (SLAB_ALIGNMENT - 1)) & ~(size_t)(SLAB_ALIGNMENT - 1);
    return true;
}

/* Where objects start in a block of `objects` slots: after the header
 * and its bitmap, aligned. */
static size_t objects_offset_for(size_t objects)
{
    size_t offset = 0;
    bool fits = align_up(sizeof(struct slab_block) + bitmap_words(objects) * sizeof(uint64_t),
                         &offset);
    DUET_ASSERT(fits);   /* objects <= block_size, so this is far below SIZE_MAX */
    return offset;
}

static struct slab_block *block_of_link(struct list_link *link)
{
    return LIST_ELEMENT(link, struct slab_block, link);
}

static uintptr_t object_address(const struct slab *slab, const struct slab_block *block,
                                size_t slot)
{
    return (uintptr_t)block + slab->objects_offset + slot * slab->object_size;
}

static bool slot_in_use(const struct slab_block *block, size_t slot)
{
    return (block->used_bits[slot / BITS_PER_WORD] >> (slot % BITS_PER_WORD)) & 1;
}

/* ---- blocks ---------------------------------------------------------- */

/* A new, empty block from the backing store, in partial_blocks; NULL if
 * the backing store has none. */
static struct slab_block *block_new(struct slab *slab)
{
    void *memory = slab->backing.alloc_block(slab->backing.context, slab->block_size);
    if (memory == NULL)
        return NULL;
    DUET_ASSERT(((uintptr_t)memory & (SLAB_ALIGNMENT - 1)) == 0);   /* backing contract */
    struct slab_block *block = memory;
    list_link_init(&block->link);
    block->used_count = 0;
    for (size_t i = 0; i < bitmap_words(slab->objects_per_block); i++)
        block->used_bits[i] = 0;
    list_insert_head(&slab->partial_blocks, &block->link);
    return block;
}

/* An empty block leaves partial_blocks: it becomes the spare, or goes
 * back to the backing store if a spare is held already. */
static void block_retire(struct slab *slab, struct slab_block *block)
{
    DUET_ASSERT(block->used_count == 0);
    list_remove(&slab->partial_blocks, &block->link);
    if (list_empty(&slab->spare_blocks)) {
        list_insert_head(&slab->spare_blocks, &block->link);
        return;
    }
    slab->backing.free_block(slab->backing.context, block, slab->block_size);
    DUET_ASSERT(list_count(&slab->spare_blocks) == 1);
}

/* The lowest free slot of a block that has one. */
static size_t block_free_slot(const struct slab *slab, const struct slab_block *block)
{
    DUET_ASSERT(block->used_count < slab->objects_per_block);
    for (size_t word = 0; word < bitmap_words(slab->objects_per_block); word++) {
        uint64_t free_bits = ~block->used_bits[word];
        if (free_bits != 0) {
            size_t slot = word * BITS_PER_WORD + (size_t)__builtin_ctzll(free_bits);
            DUET_ASSERT(slot < slab->objects_per_block);   /* bits past the end stay clear */
            return slot;
        }
    }
    DUET_ASSERT(false && "a block with used_count below capacity has a free slot");
    return 0;
}

/* In `blocks`, the block with an object slot starting at `address`. */
static struct slab_block *block_holding_slot(const struct slab *slab, const struct list *blocks,
                                             uintptr_t address, size_t *out_slot)
{
    size_t area_size = slab->objects_per_block * slab->object_size;
    size_t steps = 0;
    for (struct list_link *link = list_first(blocks); link != NULL; link = list_next(link)) {
        DUET_ASSERT(steps < list_count(blocks));   /* a bounded walk */
        steps++;
        struct slab_block *block = block_of_link(link);
        uintptr_t first = object_address(slab, block, 0);
        if (address >= first && address - first < area_size) {
            if ((address - first) % slab->object_size != 0)
                return NULL;   /* inside an object: blocks do not overlap */
            *out_slot = (address - first) / slab->object_size;
            return block;
        }
    }
    return NULL;
}

/* ---- the interface --------------------------------------------------- */

enum slab_error slab_init(struct slab *slab, size_t object_size, size_t block_size,
                          struct slab_backing backing)
{
    DUET_ASSERT(backing.alloc_block != NULL && backing.free_block != NULL);
    size_t slot_size;
    if (object_size == 0 || !align_up(object_size, &slot_size) ||
        block_size < sizeof(struct slab_block) ||
        slot_size > block_size - sizeof(struct slab_block))
        return SLAB_ERR_INVALID_ARGUMENT;
    /* As many slots as fit beside a header whose bitmap covers them. The
     * first guess ignores the bitmap (1 bit a slot); each step down frees
     * slot_size >= 16 bytes, so about objects / 128 steps recover it. */
    size_t objects = (block_size - sizeof(struct slab_block)) / slot_size;
    while (objects > 0 && objects_offset_for(objects) > block_size - objects * slot_size)
        objects--;
    if (objects == 0)
        return SLAB_ERR_INVALID_ARGUMENT;

    *slab = (struct slab){
        .object_size = slot_size,
        .block_size = block_size,
        .objects_per_block = objects,
        .objects_offset = objects_offset_for(objects),
        .backing = backing,
    };
    DUET_ASSERT(slab->objects_offset + objects * slot_size <= block_size);
    return SLAB_OK;
}

enum slab_error slab_alloc(struct slab *slab, void **out_object)
{
    struct list_link *link = list_first(&slab->partial_blocks);
    struct slab_block *block;
    if (link != NULL) {
        block = block_of_link(link);
    } else if ((link = list_first(&slab->spare_blocks)) != NULL) {
        list_remove(&slab->spare_blocks, link);
        list_insert_head(&slab->partial_blocks, link);
        block = block_of_link(link);
    } else if ((block = block_new(slab)) == NULL) {
        return SLAB_ERR_OUT_OF_BACKING_MEMORY;
    }

    size_t slot = block_free_slot(slab, block);
    block->used_bits[slot / BITS_PER_WORD] |= UINT64_C(1) << (slot % BITS_PER_WORD);
    block->used_count++;
    slab->objects_in_use++;
    if (block->used_count == slab->objects_per_block) {
        list_remove(&slab->partial_blocks, &block->link);
        list_insert_head(&slab->full_blocks, &block->link);
    }
    DUET_ASSERT(slot_in_use(block, slot));
    *out_object = (void *)object_address(slab, block, slot);
    return SLAB_OK;
}

enum slab_error slab_free(struct slab *slab, void *object)
{
    uintptr_t address = (uintptr_t)object;
    size_t slot = 0;
    struct slab_block *block = block_holding_slot(slab, &slab->partial_blocks, address, &slot);
    if (block == NULL)
        block = block_holding_slot(slab, &slab->full_blocks, address, &slot);
    if (block == NULL) {
        /* Every slot of the spare is free: a slot there is a double free. */
        return block_holding_slot(slab, &slab->spare_blocks, address, &slot) != NULL
                   ? SLAB_ERR_NOT_ALLOCATED
                   : SLAB_ERR_NOT_AN_OBJECT;
    }
    if (!slot_in_use(block, slot))
        return SLAB_ERR_NOT_ALLOCATED;

    DUET_ASSERT(block->used_count > 0 && slab->objects_in_use > 0);
    if (block->used_count == slab->objects_per_block) {
        list_remove(&slab->full_blocks, &block->link);
        list_insert_head(&slab->partial_blocks, &block->link);
    }
    block->used_bits[slot / BITS_PER_WORD] &= ~(UINT64_C(1) << (slot % BITS_PER_WORD));
    block->used_count--;
    slab->objects_in_use--;
    if (block->used_count == 0)
        block_retire(slab, block);
    return SLAB_OK;
}

void slab_destroy(struct slab *slab)
{
    struct list *lists[] = {&slab->partial_blocks, &slab->full_blocks, &slab->spare_blocks};
    for (size_t i = 0; i < DUET_ARRAY_COUNT(lists); i++) {
        size_t blocks_max = list_count(lists[i]);
        for (size_t n = 0; n < blocks_max; n++) {
            struct list_link *link = list_first(lists[i]);
            list_remove(lists[i], link);
            slab->backing.free_block(slab->backing.context, block_of_link(link),
                                     slab->block_size);
        }
        DUET_ASSERT(list_empty(lists[i]));
    }
    slab->objects_in_use = 0;
}

struct slab_stats slab_stats(const struct slab *slab)
{
    return (struct slab_stats){
        .objects_in_use = slab->objects_in_use,
        .blocks = list_count(&slab->partial_blocks) + list_count(&slab->full_blocks) +
                  list_count(&slab->spare_blocks),
        .spare_blocks = list_count(&slab->spare_blocks),
        .objects_per_block = slab->objects_per_block,
    };
}

/* S1 and S2 for the blocks of one list; adds their objects to *objects. */
static bool blocks_valid(const struct slab *slab, const struct list *blocks,
                         size_t used_min, size_t used_max, size_t *objects)
{
    if (!list_valid(blocks))
        return false;
    for (struct list_link *link = list_first(blocks); link != NULL; link = list_next(link)) {
        const struct slab_block *block = block_of_link(link);
        size_t bits = 0;
        for (size_t slot = 0; slot < bitmap_words(slab->objects_per_block) * BITS_PER_WORD;
             slot++) {
            if (slot_in_use(block, slot) && slot >= slab->objects_per_block)
                return false;
            bits += slot_in_use(block, slot);
        }
        if (bits != block->used_count || bits < used_min || bits > used_max)
            return false;
        *objects += bits;
    }
    return true;
}

bool slab_valid(const struct slab *slab)
{
    size_t per_block = slab->objects_per_block;
    size_t objects = 0;
    return per_block > 0 &&
           blocks_valid(slab, &slab->partial_blocks, 1, per_block - 1, &objects) &&
           blocks_valid(slab, &slab->full_blocks, per_block, per_block, &objects) &&
           blocks_valid(slab, &slab->spare_blocks, 0, 0, &objects) &&
           list_count(&slab->spare_blocks) <= 1 && objects == slab->objects_in_use;
}
