/*
 * slab.h - a slab allocator: many objects of one size, carved out of
 * blocks of memory that a backing store provides.
 *
 * After Genode's Slab: allocator metadata, session objects and the like
 * are small, equal-sized and frequent, so a slab takes whole blocks from a
 * backing store (struct slab_backing: two callbacks and a context, e.g. a
 * heap of RAM dataspaces or, in tests, malloc) and hands out objects from
 * them. The slab keeps no mutable globals and calls nothing but its
 * backing, so it works in any component and in the kernel.
 *
 *     slab_init(slab, object_size, block_size, backing)
 *     slab_alloc(slab, &object)          slab_free(slab, object)
 *     slab_stats(slab)                   slab_destroy(slab)
 *
 * Blocks: each starts with a header (its list link, how many objects are
 * in use, and a bitmap of them) followed by the object slots. A block is
 * in one of three lists: partial (some objects in use), full, or spare (no
 * object in use). Objects come from a partial block, else the spare, else
 * a new block. A block whose last object is freed becomes the spare; if
 * there is one already, it goes back to the backing store. So at most one
 * block is held that holds nothing: a slab that is emptied and refilled
 * does not call its backing each time, nor does it sit on memory.
 *
 * The slab never reads or writes the memory of an object, in use or free:
 * all bookkeeping lives in the block headers. Freed objects can therefore
 * be poisoned (ASan, or a pattern) without confusing the allocator, and
 * allocated objects are not zeroed: their contents are undefined.
 *
 * Errors are named (slab_error_name). Freeing a pointer that is not an
 * object of this slab (foreign, inside an object, or an object already
 * free) is detected and refused with a named error, the slab unchanged.
 * Finding the block of an object walks the slab's blocks: free is
 * O(blocks + bitmap words), alloc is O(bitmap words). Not thread safe.
 *
 * Invariants (slab_valid checks them all):
 *   S1  a block's used_count equals the bits set in its bitmap; bits past
 *       objects_per_block are clear.
 *   S2  partial blocks have 0 < used_count < objects_per_block, full ones
 *       used_count == objects_per_block, spare ones used_count == 0.
 *   S3  at most one spare block.
 *   S4  objects_in_use == sum of used_count over all blocks.
 */
#ifndef DUET_SLAB_H
#define DUET_SLAB_H

#include "duet/list.h"
#include "duet/types.h"

/* Objects and blocks are aligned to this, as env_alloc's memory is. */
#define SLAB_ALIGNMENT 16

struct slab_backing {
    /* A block of `size` bytes, SLAB_ALIGNMENT aligned; NULL when the
     * backing store has no more memory. */
    void *(*alloc_block)(void *context, size_t size);
    /* Takes back a block alloc_block returned, with the same size. */
    void (*free_block)(void *context, void *block, size_t size);
    void *context;
};

enum slab_error {
    SLAB_OK = 0,
    /* slab_init: object size 0, or a block too small for even one object
     * after its header. */
    SLAB_ERR_INVALID_ARGUMENT,
    /* slab_alloc: a new block was needed and the backing store had none. */
    SLAB_ERR_OUT_OF_BACKING_MEMORY,
    /* slab_free: the pointer is not the start of an object of this slab. */
    SLAB_ERR_NOT_AN_OBJECT,
    /* slab_free: the object is not in use (freed twice). */
    SLAB_ERR_NOT_ALLOCATED,
    SLAB_ERROR_COUNT
};

struct slab {
    size_t object_size;          /* as asked, rounded up to SLAB_ALIGNMENT */
    size_t block_size;
    size_t objects_per_block;
    size_t objects_offset;       /* from a block's start to its first object */
    struct slab_backing backing;
    struct list partial_blocks;
    struct list full_blocks;
    struct list spare_blocks;    /* at most one (S3) */
    size_t objects_in_use;
};

struct slab_stats {
    size_t objects_in_use;
    size_t blocks;               /* held from the backing store, spare included */
    size_t spare_blocks;         /* 0 or 1 */
    size_t objects_per_block;
};

/* An empty slab (it holds no block yet). Error: INVALID_ARGUMENT. */
enum slab_error slab_init(struct slab *slab, size_t object_size, size_t block_size,
                          struct slab_backing backing);

/* One object of object_size bytes, SLAB_ALIGNMENT aligned, contents
 * undefined; *out_object receives it. Error: OUT_OF_BACKING_MEMORY. */
enum slab_error slab_alloc(struct slab *slab, void **out_object);

/* Frees an object slab_alloc returned. Errors: NOT_AN_OBJECT,
 * NOT_ALLOCATED; either leaves the slab unchanged. */
enum slab_error slab_free(struct slab *slab, void *object);

/* Gives every block back to the backing store, objects in use or not
 * (they go with their blocks); the slab is empty afterwards. */
void slab_destroy(struct slab *slab);

struct slab_stats slab_stats(const struct slab *slab);

const char *slab_error_name(enum slab_error error);

/* Checks S1-S4 and every list; false if any fails. */
bool slab_valid(const struct slab *slab);

#endif
