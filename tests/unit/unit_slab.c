/*
 * unit_slab.c - the slab allocator (framework/base/slab.c, duet/slab.h)
 * against a reference set of live objects.
 *
 * The backing store is malloc with a budget of blocks; it records every
 * block it lent. The model is the set of live objects (each filled with
 * its own pattern) and, per lent block, how many of them lie in it. From
 * that the documented policy is checked exactly after every call: an
 * object comes from a partly used block if there is one, else from the
 * spare, else from a new block; a block whose last object goes becomes the
 * spare unless there is one, else it goes back to the backing store; so
 * the slab never holds more than one block without objects. Objects are
 * aligned, lie inside a lent block, never overlap (checked by address and
 * by their patterns), and the statistics agree.
 *
 * Poisoning: the slab promises never to touch an object's memory. Freed
 * objects are filled with a poison byte and, in the ASan build, poisoned
 * with ASan's manual poisoning, so any read or write of a free object by
 * the slab is a test failure; in every build a slot handed out must still
 * hold the poison (or the backing store's fill, if never used).
 *
 * Misuse (foreign pointers, interior pointers, double frees, pointers
 * into blocks already given back) is refused with a named error and must
 * leave the slab unchanged.
 */
#include <stdlib.h>

#include "duet/slab.h"
#include "unit_check.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define TEST_POISON(address, size) ASAN_POISON_MEMORY_REGION((address), (size))
#define TEST_UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION((address), (size))
#endif
#endif
#ifndef TEST_POISON
#define TEST_POISON(address, size) ((void)(address), (void)(size))
#define TEST_UNPOISON(address, size) ((void)(address), (void)(size))
#endif

enum { BLOCKS_MAX = 64, LIVE_MAX = 512, POISON_BYTE = 0xdb, BACKING_FILL_BYTE = 0x77 };

/* ---- the backing store: malloc with a budget ------------------------- */

struct lent_block {
    uint8_t *memory;
    size_t size;
    size_t live_objects;   /* the model's count of objects in it */
};

struct test_backing {
    size_t blocks_budget;
    struct lent_block lent[BLOCKS_MAX];
    size_t lent_count;
    unsigned long alloc_calls, free_calls;
    bool free_mismatch;   /* free_block of a block not lent, or with another size */
};

static void *backing_alloc_block(void *context, size_t size)
{
    struct test_backing *backing = context;
    backing->alloc_calls++;
    if (backing->lent_count >= backing->blocks_budget || backing->lent_count >= BLOCKS_MAX)
        return NULL;
    void *memory = NULL;
    if (posix_memalign(&memory, SLAB_ALIGNMENT, size) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(memory, BACKING_FILL_BYTE, size);   /* not zeroed: the slab must not rely on it */
    backing->lent[backing->lent_count++] = (struct lent_block){.memory = memory, .size = size};
    return memory;
}

static void backing_free_block(void *context, void *block, size_t size)
{
    struct test_backing *backing = context;
    backing->free_calls++;
    for (size_t i = 0; i < backing->lent_count; i++) {
        if (backing->lent[i].memory == block) {
            backing->free_mismatch |= backing->lent[i].size != size;
            TEST_UNPOISON(block, size);
            free(block);
            backing->lent[i] = backing->lent[--backing->lent_count];
            return;
        }
    }
    backing->free_mismatch = true;
}

static struct slab_backing backing_of(struct test_backing *backing)
{
    return (struct slab_backing){.alloc_block = backing_alloc_block,
                                 .free_block = backing_free_block,
                                 .context = backing};
}

/* The lent block holding [address, address + size), or NULL. */
static struct lent_block *lent_block_holding(struct test_backing *backing, const void *address,
                                             size_t size)
{
    uintptr_t a = (uintptr_t)address;
    for (size_t i = 0; i < backing->lent_count; i++) {
        uintptr_t first = (uintptr_t)backing->lent[i].memory;
        if (a >= first && a - first < backing->lent[i].size)
            return size <= backing->lent[i].size - (a - first) ? &backing->lent[i] : NULL;
    }
    return NULL;
}

static size_t lent_blocks_without_objects(const struct test_backing *backing)
{
    size_t empty = 0;
    for (size_t i = 0; i < backing->lent_count; i++)
        empty += backing->lent[i].live_objects == 0;
    return empty;
}

/* ---- the model: live objects with patterns ---------------------------- */

struct live_object {
    uint8_t *memory;
    uint32_t id;
};

struct run {
    struct slab slab;
    struct test_backing backing;
    size_t object_size;   /* as asked; the slab may round up */
    struct live_object live[LIVE_MAX];
    size_t live_count;
    uint32_t next_id;
    uint64_t prng;
    unsigned long errors_seen[SLAB_ERROR_COUNT];
};

static uint8_t pattern_byte(uint32_t id, size_t i) { return (uint8_t)(id * 131u + i * 7u + 1u); }

static void pattern_fill(uint8_t *memory, size_t size, uint32_t id)
{
    for (size_t i = 0; i < size; i++)
        memory[i] = pattern_byte(id, i);
}

static bool pattern_intact(const uint8_t *memory, size_t size, uint32_t id)
{
    for (size_t i = 0; i < size; i++)
        if (memory[i] != pattern_byte(id, i))
            return false;
    return true;
}

/* A slot the test does not hold is as the test left it: all poison (freed
 * before) or all as the backing store filled it (never used). */
static bool slot_untouched(const uint8_t *memory, size_t size)
{
    for (size_t i = 1; i < size; i++)
        if (memory[i] != memory[0])
            return false;
    return memory[0] == POISON_BYTE || memory[0] == BACKING_FILL_BYTE;
}

/* After every call: statistics, invariants and the backing agree. */
static void check_agreement(struct run *run, const char *what)
{
    struct slab_stats stats = slab_stats(&run->slab);
    UNIT_CHECK(slab_valid(&run->slab), "%s: slab_valid", what);
    UNIT_CHECK_U64(stats.objects_in_use, run->live_count, what);
    UNIT_CHECK_U64(stats.blocks, run->backing.lent_count, what);
    UNIT_CHECK_U64(stats.spare_blocks, lent_blocks_without_objects(&run->backing), what);
    UNIT_CHECK(stats.spare_blocks <= 1, "%s: at most one block without objects", what);
    UNIT_CHECK(!run->backing.free_mismatch, "%s: free_block of a block as lent", what);
}

static void check_patterns(const struct run *run, const char *what)
{
    for (size_t i = 0; i < run->live_count; i++)
        UNIT_CHECK(pattern_intact(run->live[i].memory, run->object_size, run->live[i].id),
                   "%s: live object %u was overwritten", what, run->live[i].id);
}

/* slab_alloc, with where the object must come from checked exactly. */
static void run_alloc(struct run *run)
{
    bool had_partial = false;
    for (size_t i = 0; i < run->backing.lent_count; i++)
        had_partial |= run->backing.lent[i].live_objects > 0 &&
                       run->backing.lent[i].live_objects < run->slab.objects_per_block;
    bool had_spare = lent_blocks_without_objects(&run->backing) > 0;
    size_t lent_before = run->backing.lent_count;
    unsigned long alloc_calls_before = run->backing.alloc_calls;

    void *object = NULL;
    enum slab_error error = slab_alloc(&run->slab, &object);
    run->errors_seen[error]++;
    if (error != SLAB_OK) {
        UNIT_CHECK(error == SLAB_ERR_OUT_OF_BACKING_MEMORY && !had_partial && !had_spare &&
                       lent_before >= run->backing.blocks_budget,
                   "slab_alloc refused (%s) though it could have served", slab_error_name(error));
        return;
    }
    TEST_UNPOISON(object, run->slab.object_size);
    UNIT_CHECK(slot_untouched(object, run->slab.object_size),
               "the slab wrote into a free object");
    struct lent_block *block = lent_block_holding(&run->backing, object, run->slab.object_size);
    if (!UNIT_CHECK(block != NULL, "the object lies inside a lent block"))
        return;
    UNIT_CHECK((uintptr_t)object % SLAB_ALIGNMENT == 0, "the object is aligned");
    UNIT_CHECK(run->backing.alloc_calls == alloc_calls_before + (!had_partial && !had_spare),
               "a new block only when no partial block and no spare");
    if (had_partial)
        UNIT_CHECK(block->live_objects > 0, "the object comes from a partly used block");
    else if (had_spare)
        UNIT_CHECK(block->live_objects == 0 && run->backing.lent_count == lent_before,
                   "the object comes from the spare");
    size_t overlapped = 0;
    for (size_t i = 0; i < run->live_count; i++) {
        uintptr_t a = (uintptr_t)object, b = (uintptr_t)run->live[i].memory;
        overlapped += !(a + run->slab.object_size <= b || b + run->slab.object_size <= a);
    }
    UNIT_CHECK(overlapped == 0, "the new object overlaps %zu live objects", overlapped);
    block->live_objects++;
    uint32_t id = run->next_id++;
    pattern_fill(object, run->object_size, id);
    run->live[run->live_count++] = (struct live_object){.memory = object, .id = id};
}

/* slab_free of live object `index`, with the block's fate checked. */
static void run_free(struct run *run, size_t index)
{
    struct live_object object = run->live[index];
    UNIT_CHECK(pattern_intact(object.memory, run->object_size, object.id),
               "object %u intact until it is freed", object.id);
    struct lent_block *block = lent_block_holding(&run->backing, object.memory, 1);
    UNIT_CHECK(block != NULL && block->live_objects > 0, "a live object's block is lent");
    bool last_in_block = block->live_objects == 1;
    bool had_spare = lent_blocks_without_objects(&run->backing) > 0;
    size_t lent_before = run->backing.lent_count;

    block->live_objects--;   /* before: the block may be gone after the call */
    memset(object.memory, POISON_BYTE, run->slab.object_size);
    TEST_POISON(object.memory, run->slab.object_size);
    enum slab_error error = slab_free(&run->slab, object.memory);
    run->errors_seen[error]++;
    UNIT_CHECK(error == SLAB_OK, "slab_free of a live object: %s", slab_error_name(error));
    run->live[index] = run->live[--run->live_count];
    UNIT_CHECK_U64(run->backing.lent_count, lent_before - (last_in_block && had_spare),
                   "an emptied block goes back only when a spare is held already");
}

/* A refused free: the named error, and the slab and backing unchanged. */
static void expect_free_refused(struct run *run, void *pointer, enum slab_error expected,
                                const char *what)
{
    struct slab before = run->slab;
    unsigned long free_calls = run->backing.free_calls;
    enum slab_error error = slab_free(&run->slab, pointer);
    run->errors_seen[error]++;
    UNIT_CHECK(error == expected, "%s: got %s, expected %s", what, slab_error_name(error),
               slab_error_name(expected));
    UNIT_CHECK(memcmp(&before, &run->slab, sizeof before) == 0 &&
                   run->backing.free_calls == free_calls,
               "%s: the refusal changed nothing", what);
}

static void run_misuse(struct run *run)
{
    int on_stack = 0;
    expect_free_refused(run, NULL, SLAB_ERR_NOT_AN_OBJECT, "free(NULL)");
    expect_free_refused(run, &on_stack, SLAB_ERR_NOT_AN_OBJECT, "free of a stack address");
    if (run->live_count > 0) {
        uint8_t *object = run->live[unit_prng_below(&run->prng, run->live_count)].memory;
        expect_free_refused(run, object + 1, SLAB_ERR_NOT_AN_OBJECT, "free inside an object");
        if (run->slab.object_size > SLAB_ALIGNMENT)
            expect_free_refused(run, object + SLAB_ALIGNMENT, SLAB_ERR_NOT_AN_OBJECT,
                                "free at an aligned address inside an object");
        struct lent_block *block = lent_block_holding(&run->backing, object, 1);
        expect_free_refused(run, block->memory, SLAB_ERR_NOT_AN_OBJECT,
                            "free of a block's header");
    }
}

static void run_init(struct run *run, size_t object_size, size_t block_size,
                     size_t blocks_budget, uint64_t seed)
{
    memset(run, 0, sizeof *run);
    run->backing.blocks_budget = blocks_budget;
    run->object_size = object_size;
    run->prng = seed;
    enum slab_error error = slab_init(&run->slab, object_size, block_size,
                                      backing_of(&run->backing));
    UNIT_CHECK(error == SLAB_OK, "slab_init(%zu, %zu): %s", object_size, block_size,
               slab_error_name(error));
}

static void run_finish(struct run *run, const char *what)
{
    slab_destroy(&run->slab);
    UNIT_CHECK_U64(run->backing.lent_count, 0, what);
    UNIT_CHECK(!run->backing.free_mismatch, "%s: every block given back as lent", what);
    struct slab_stats stats = slab_stats(&run->slab);
    UNIT_CHECK(stats.blocks == 0 && stats.objects_in_use == 0, "%s: empty after destroy",
               what);
}

/* ---- the tests ------------------------------------------------------- */

static void test_layout(size_t object_size, size_t block_size)
{
    struct run *run = calloc(1, sizeof *run);
    run_init(run, object_size, block_size, 1, 1);
    struct slab_stats stats = slab_stats(&run->slab);
    size_t slot = run->slab.object_size;
    size_t used = run->slab.objects_offset + stats.objects_per_block * slot;
    UNIT_CHECK(slot >= object_size && slot % SLAB_ALIGNMENT == 0 && slot < object_size + 16,
               "slot size %zu for objects of %zu", slot, object_size);
    UNIT_CHECK(stats.objects_per_block >= 1 && used <= block_size,
               "%zu objects of %zu fit a block of %zu", stats.objects_per_block, slot,
               block_size);
    /* One more object would not have fitted: the bitmap grows by at most
     * one word and its alignment per object. */
    UNIT_CHECK(block_size - used < slot + SLAB_ALIGNMENT,
               "blocks of %zu with objects of %zu waste %zu bytes", block_size, slot,
               block_size - used);
    UNIT_CHECK(stats.blocks == 0, "a new slab holds no block");
    free(run);
}

static void test_init_errors(void)
{
    struct test_backing backing = {0};
    struct slab slab;
    UNIT_CHECK(slab_init(&slab, 0, 4096, backing_of(&backing)) == SLAB_ERR_INVALID_ARGUMENT,
               "object size 0");
    UNIT_CHECK(slab_init(&slab, 64, 64, backing_of(&backing)) == SLAB_ERR_INVALID_ARGUMENT,
               "a block without room for header and object");
    UNIT_CHECK(slab_init(&slab, SIZE_MAX, 4096, backing_of(&backing)) ==
                   SLAB_ERR_INVALID_ARGUMENT,
               "object size SIZE_MAX (rounding up overflows)");
    UNIT_CHECK(slab_init(&slab, SIZE_MAX - 32, 4096, backing_of(&backing)) ==
                   SLAB_ERR_INVALID_ARGUMENT,
               "object size SIZE_MAX - 32 (adding the header overflows)");
    UNIT_CHECK(slab_init(&slab, 16, 8, backing_of(&backing)) == SLAB_ERR_INVALID_ARGUMENT,
               "a block smaller than its header");
    UNIT_CHECK(slab_init(&slab, 64, 160, backing_of(&backing)) == SLAB_OK,
               "a block for one object");
    UNIT_CHECK_U64(slab.objects_per_block, 1, "objects in a block for one");
    for (size_t i = 0; i < SLAB_ERROR_COUNT; i++) {
        const char *name = slab_error_name((enum slab_error)i);
        UNIT_CHECK(strncmp(name, "SLAB_", 5) == 0 && strcmp(name, "SLAB_ERR_UNKNOWN") != 0,
                   "slab error %zu has a name", i);
    }
    UNIT_CHECK_STR(slab_error_name(SLAB_ERROR_COUNT), "SLAB_ERR_UNKNOWN", "past the end");
    UNIT_CHECK(backing.alloc_calls == 0, "slab_init takes no block");
}

static void test_backing_exhausted(void)
{
    struct run *run = calloc(1, sizeof *run);
    run_init(run, 32, 256, 0, 1);
    void *object = NULL;
    struct slab before = run->slab;
    UNIT_CHECK(slab_alloc(&run->slab, &object) == SLAB_ERR_OUT_OF_BACKING_MEMORY,
               "no backing memory at all");
    UNIT_CHECK(memcmp(&before, &run->slab, sizeof before) == 0, "the refusal changed nothing");
    run->backing.blocks_budget = 1;
    size_t per_block = run->slab.objects_per_block;
    for (size_t i = 0; i < per_block; i++)
        run_alloc(run);
    UNIT_CHECK_U64(run->live_count, per_block, "one block's worth");
    UNIT_CHECK(slab_alloc(&run->slab, &object) == SLAB_ERR_OUT_OF_BACKING_MEMORY,
               "the budget of one block is spent");
    run_free(run, 0);
    run_alloc(run);   /* the freed slot is served without the backing */
    UNIT_CHECK_U64(run->live_count, per_block, "a freed slot is reused");
    check_agreement(run, "backing exhausted");
    check_patterns(run, "backing exhausted");
    run_finish(run, "destroy with objects in use");
    free(run);
}

/* Blocks go back beyond one spare, and the spare is reused first. */
static void test_spare_policy(void)
{
    struct run *run = calloc(1, sizeof *run);
    run_init(run, 48, 512, BLOCKS_MAX, 1);
    size_t per_block = run->slab.objects_per_block;
    for (size_t i = 0; i < 3 * per_block; i++)
        run_alloc(run);
    UNIT_CHECK_U64(run->backing.lent_count, 3, "three full blocks");
    while (run->live_count > 0)
        run_free(run, run->live_count - 1);
    check_agreement(run, "all freed");
    UNIT_CHECK_U64(run->backing.lent_count, 1, "one spare kept");
    UNIT_CHECK_U64(run->backing.free_calls, 2, "two blocks went back");
    run_alloc(run);
    UNIT_CHECK_U64(run->backing.alloc_calls, 3, "the spare served the next object");
    uint8_t *stale = run->live[0].memory;
    run_free(run, 0);
    expect_free_refused(run, stale, SLAB_ERR_NOT_ALLOCATED, "double free into the spare");
    run_finish(run, "spare policy");
    free(run);
}

static void test_random(size_t object_size, size_t block_size, uint64_t seed,
                        unsigned long errors_seen[SLAB_ERROR_COUNT])
{
    struct run *run = calloc(1, sizeof *run);
    run_init(run, object_size, block_size, 6, seed);
    size_t live_target = 1 + unit_prng_below(&run->prng, LIVE_MAX - 1);
    for (size_t step = 0; step < 3000; step++) {
        if (step % 500 == 0)   /* phases: fill up, drain, hover */
            live_target = unit_prng_below(&run->prng, LIVE_MAX);
        bool grow = run->live_count < live_target ? unit_prng_below(&run->prng, 4) != 0
                                                  : unit_prng_below(&run->prng, 4) == 0;
        if (grow && run->live_count < LIVE_MAX) {
            run_alloc(run);
        } else if (run->live_count > 0) {
            size_t index = unit_prng_below(&run->prng, run->live_count);
            uint8_t *freed = run->live[index].memory;
            run_free(run, index);
            if (unit_prng_below(&run->prng, 8) == 0)   /* maybe in the spare, maybe gone */
                expect_free_refused(run, freed,
                                    lent_block_holding(&run->backing, freed, 1) != NULL
                                        ? SLAB_ERR_NOT_ALLOCATED
                                        : SLAB_ERR_NOT_AN_OBJECT,
                                    "double free");
        }
        if (step % 50 == 0)
            run_misuse(run);
        check_agreement(run, "random step");
        if (step % 100 == 0)
            check_patterns(run, "random step");
    }
    check_patterns(run, "random run end");
    for (size_t e = 0; e < SLAB_ERROR_COUNT; e++)
        errors_seen[e] += run->errors_seen[e];
    run_finish(run, "random run");
    free(run);
}

int main(void)
{
    static const size_t object_sizes[] = {1, 8, 16, 24, 100, 1000};
    static const size_t block_sizes[] = {256, 4096, 65536};
    static const uint64_t seeds[] = {1, 7};
    unsigned long errors_seen[SLAB_ERROR_COUNT] = {0};

    test_init_errors();
    for (size_t o = 0; o < DUET_ARRAY_COUNT(object_sizes); o++)
        for (size_t b = 0; b < DUET_ARRAY_COUNT(block_sizes); b++)
            if (object_sizes[o] + 64 <= block_sizes[b])
                test_layout(object_sizes[o], block_sizes[b]);
    test_backing_exhausted();
    test_spare_policy();
    for (size_t o = 0; o < DUET_ARRAY_COUNT(object_sizes); o++)
        for (size_t b = 0; b < DUET_ARRAY_COUNT(block_sizes); b++)
            for (size_t s = 0; s < DUET_ARRAY_COUNT(seeds); s++)
                if (object_sizes[o] * 2 + 64 <= block_sizes[b])
                    test_random(object_sizes[o], block_sizes[b], seeds[s] + o * 3 + b,
                                errors_seen);
    for (size_t e = SLAB_ERR_OUT_OF_BACKING_MEMORY; e < SLAB_ERROR_COUNT; e++)
        UNIT_CHECK(errors_seen[e] > 0, "the random runs produced %s",
                   slab_error_name((enum slab_error)e));
    return unit_finish("unit_slab");
}
