/*
 * dde_kit/memory.h - slabs and malloc (Genode's dde_kit/memory.h).
 *
 * There is no heap on RAM dataspaces yet (no RAM service, DESIGN.md), so
 * the backing store of both is the component's window through env_alloc,
 * a bump allocator that never takes memory back. The kit therefore keeps
 * the blocks its slabs give back and hands them out again to any slab of
 * the kit asking for the same block size: freeing objects makes their
 * memory reusable by the kit, but the window never shrinks.
 *
 * dde_kit_malloc: sizes up to DDE_KIT_MALLOC_MAX come from one slab per
 * power-of-two size class (16 bytes of header in front of each object say
 * which); larger requests fail (NULL). dde_kit_free(NULL) does nothing; a
 * pointer malloc did not return ends the world with the slab's named
 * error. Not zeroed. Thread safe (one kit lock).
 */
#ifndef DUET_DDE_KIT_MEMORY_H
#define DUET_DDE_KIT_MEMORY_H

#include "dde_kit/dde_kit.h"

enum {
    DDE_KIT_MALLOC_MAX = 4096,
    DDE_KIT_SLAB_OBJECT_MAX = 8192,
    DDE_KIT_SLABS_MAX = 8,           /* dde_kit_slab_init's, besides malloc's */
};

struct dde_kit_slab;

void *dde_kit_malloc(struct dde_kit *kit, size_t size);
void dde_kit_free(struct dde_kit *kit, void *p);

/* A slab of objects of `size` bytes (1..DDE_KIT_SLAB_OBJECT_MAX);
 * NULL if there is no room for another. */
struct dde_kit_slab *dde_kit_slab_init(struct dde_kit *kit, size_t size);
void *dde_kit_slab_alloc(struct dde_kit_slab *slab);
void dde_kit_slab_free(struct dde_kit_slab *slab, void *object);
/* Frees every object and gives the blocks back to the kit. */
void dde_kit_slab_destroy(struct dde_kit_slab *slab);

#endif
