/*
 * memory.c - slabs and malloc on the window (dde_kit/memory.h).
 *
 * Every slab of the kit (malloc's size classes and dde_kit_slab_init's)
 * takes its blocks from one backing: a spare block of the same size
 * first, else env_alloc. A slab's blocks hold about four objects, in
 * whole pages (block_bytes_for), so small classes cost a page, not a
 * large block. Blocks a slab gives back become spares (up to
 * DDE_KIT_SPARE_BLOCKS_MAX; beyond that they stay with the window, which
 * cannot take memory back). One lock guards it all.
 *
 * malloc's objects carry a 16-byte header with their size class, so
 * free finds the slab without a search.
 */
#include "dde_kit_state.h"

#include "duet/assert.h"

enum {
    MALLOC_HEADER_BYTES = SLAB_ALIGNMENT,
    MALLOC_CLASS_MIN_SHIFT = 4,          /* 16 bytes */
    MALLOC_CLASS_MAGIC = 0x6b64646dU,    /* "mddk" */
};

DUET_STATIC_ASSERT(((size_t)DDE_KIT_MALLOC_MAX >> MALLOC_CLASS_MIN_SHIFT) ==
                       (size_t)1 << (DDE_KIT_MALLOC_CLASSES - 1),
                   "the size classes end at DDE_KIT_MALLOC_MAX");

struct malloc_header {
    uint32_t magic;
    uint32_t size_class;
    uint64_t unused;
};
DUET_STATIC_ASSERT(sizeof(struct malloc_header) == MALLOC_HEADER_BYTES, "one header slot");

enum { OBJECTS_PER_BLOCK = 4 };   /* PAGE_BYTES: duet/syscall.h */

/* Room for OBJECTS_PER_BLOCK objects and the block's header, in pages. */
static size_t block_bytes_for(size_t object_size)
{
    size_t bytes = OBJECTS_PER_BLOCK * (object_size + SLAB_ALIGNMENT) + PAGE_BYTES / 8;
    return (bytes + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
}

static void *block_alloc(void *context, size_t size)
{
    struct dde_kit *kit = context;
    for (size_t i = 0; i < kit->spare_block_count; i++) {
        if (kit->spare_blocks[i].size != size)
            continue;
        void *block = kit->spare_blocks[i].block;
        kit->spare_blocks[i] = kit->spare_blocks[--kit->spare_block_count];
        return block;
    }
    return env_alloc(kit->env, size);
}

static void block_free(void *context, void *block, size_t size)
{
    struct dde_kit *kit = context;
    DUET_ASSERT(block != NULL && size > 0);
    if (kit->spare_block_count < DDE_KIT_SPARE_BLOCKS_MAX)
        kit->spare_blocks[kit->spare_block_count++] =
            (struct dde_kit_spare_block){block, size};
}

static bool slab_setup(struct dde_kit *kit, struct dde_kit_slab *slab, size_t object_size)
{
    struct slab_backing backing = {block_alloc, block_free, kit};
    if (slab_init(&slab->slab, object_size, block_bytes_for(object_size), backing) != SLAB_OK)
        return false;
    slab->kit = kit;
    slab->used = true;
    return true;
}

static unsigned size_class_of(size_t size)
{
    unsigned size_class = 0;
    while (((size_t)1 << (size_class + MALLOC_CLASS_MIN_SHIFT)) < size)
        size_class++;
    return size_class;
}

void *dde_kit_malloc(struct dde_kit *kit, size_t size)
{
    if (size > DDE_KIT_MALLOC_MAX)
        return NULL;
    unsigned size_class = size_class_of(size == 0 ? 1 : size);
    DUET_ASSERT(size_class < DDE_KIT_MALLOC_CLASSES);
    dde_kit_lock_lock(&kit->memory_lock);
    struct dde_kit_slab *slab = &kit->malloc_slabs[size_class];
    void *object = NULL;
    if (slab->used ||
        slab_setup(kit, slab,
                   MALLOC_HEADER_BYTES + ((size_t)1 << (size_class + MALLOC_CLASS_MIN_SHIFT))))
        if (slab_alloc(&slab->slab, &object) != SLAB_OK)
            object = NULL;
    dde_kit_lock_unlock(&kit->memory_lock);
    if (object == NULL)
        return NULL;
    *(struct malloc_header *)object =
        (struct malloc_header){.magic = MALLOC_CLASS_MAGIC, .size_class = size_class};
    return (char *)object + MALLOC_HEADER_BYTES;
}

void dde_kit_free(struct dde_kit *kit, void *p)
{
    if (p == NULL)
        return;
    struct malloc_header *header = (struct malloc_header *)((char *)p - MALLOC_HEADER_BYTES);
    if (header->magic != MALLOC_CLASS_MAGIC || header->size_class >= DDE_KIT_MALLOC_CLASSES)
        dde_kit_panic(kit, "dde_kit_free: not an object of dde_kit_malloc");
    unsigned size_class = header->size_class;
    dde_kit_lock_lock(&kit->memory_lock);
    header->magic = 0;
    enum slab_error error = slab_free(&kit->malloc_slabs[size_class].slab, header);
    dde_kit_lock_unlock(&kit->memory_lock);
    if (error != SLAB_OK)
        dde_kit_panic(kit, "dde_kit_free: %s", slab_error_name(error));
}

struct dde_kit_slab *dde_kit_slab_init(struct dde_kit *kit, size_t size)
{
    if (size == 0 || size > DDE_KIT_SLAB_OBJECT_MAX)
        return NULL;
    dde_kit_lock_lock(&kit->memory_lock);
    struct dde_kit_slab *found = NULL;
    for (size_t i = 0; i < DDE_KIT_SLABS_MAX && found == NULL; i++)
        if (!kit->slabs[i].used && slab_setup(kit, &kit->slabs[i], size))
            found = &kit->slabs[i];
    dde_kit_lock_unlock(&kit->memory_lock);
    return found;
}

void *dde_kit_slab_alloc(struct dde_kit_slab *slab)
{
    DUET_ASSERT(slab != NULL && slab->used);
    dde_kit_lock_lock(&slab->kit->memory_lock);
    void *object = NULL;
    if (slab_alloc(&slab->slab, &object) != SLAB_OK)
        object = NULL;
    dde_kit_lock_unlock(&slab->kit->memory_lock);
    return object;
}

void dde_kit_slab_free(struct dde_kit_slab *slab, void *object)
{
    DUET_ASSERT(slab != NULL && slab->used);
    dde_kit_lock_lock(&slab->kit->memory_lock);
    enum slab_error error = slab_free(&slab->slab, object);
    dde_kit_lock_unlock(&slab->kit->memory_lock);
    if (error != SLAB_OK)
        dde_kit_panic(slab->kit, "dde_kit_slab_free: %s", slab_error_name(error));
}

void dde_kit_slab_destroy(struct dde_kit_slab *slab)
{
    DUET_ASSERT(slab != NULL && slab->used);
    struct dde_kit *kit = slab->kit;
    dde_kit_lock_lock(&kit->memory_lock);
    slab_destroy(&slab->slab);
    slab->used = false;
    dde_kit_lock_unlock(&kit->memory_lock);
}
