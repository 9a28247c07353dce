/*
 * libc_test.c - the framework libc: mmap at a desired address, munmap,
 * malloc on top, errno by name (scenarios/libc.scn).
 *
 * Written against the POSIX names (stdlib.h, sys/mman.h, errno.h) as a
 * ported program would be. Checks:
 *   - mmap without an address: page-aligned, zeroed, writable memory;
 *   - a hint is honoured when its range is free, and ignored (memory
 *     elsewhere) when it is taken; MAP_FIXED_NOREPLACE then says EEXIST;
 *   - MAP_FIXED replaces the middle of a mapping: the new page is zeroed,
 *     the pages around it keep their contents;
 *   - munmap frees the range for the next hint; partial munmap keeps the
 *     rest; PROT_READ memory reads zero and a write to it faults, as does
 *     any access to PROT_NONE (the faulting thread stops, nothing else);
 *   - errors with their POSIX names: EINVAL, ENODEV, ENOMEM, EEXIST;
 *   - malloc, calloc, realloc and free: blocks that never overlap (each
 *     filled with its own pattern and checked), from two threads at once;
 *   - errno is per thread;
 *   - the heap itself: its named errors, its RAM session's donation as its
 *     limit, and destroy giving every chunk back.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/heap.h"
#include "duet/string.h"
#include "duet/libc.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"
#include "errno.h"
#include "stdlib.h"
#include "sys/mman.h"

enum {
    LIBC_TEST_RAM = 1024 * 1024,
    HINT_AT = 0x500000,
    BLOCKS = 96,
    WORKER_STACK = 24 * 1024,
    WORKER_ROUNDS = 200,
};

struct libc_test;

struct worker {
    struct libc_test *test;
    unsigned seed;
    volatile bool done;
    volatile unsigned failures;
    volatile int errno_seen;
    volatile uint8_t *touch;      /* fault probe: what to access */
    bool touch_write;
    struct cpu_thread thread;
    void *stack;
};

struct libc_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    unsigned failures;
    struct worker workers[3];
};

static void say(struct libc_test *test, const char *what, const char *detail)
{
    char line[120];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, detail);
    log_write(test->env, test->log.cap, line);
}

static void expect(struct libc_test *test, bool holds, const char *what)
{
    if (!holds) {
        test->failures++;
        say(test, "FAILED: ", what);
    }
}

static void expect_errno(struct libc_test *test, int want, const char *what)
{
    if (errno == want)
        return;
    test->failures++;
    char line[120];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "FAILED: ");
    text_append(&text, what);
    text_append(&text, ": errno ");
    text_append(&text, errno_name(errno));
    text_append(&text, " instead of ");
    text_append(&text, errno_name(want));
    log_write(test->env, test->log.cap, line);
}

static uint8_t *window_at(struct libc_test *test, uint64_t offset)
{
    return (uint8_t *)test->env + offset;
}

static bool all_equal(const uint8_t *p, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != value)
            return false;
    return true;
}

static void check_mmap(struct libc_test *test)
{
    uint8_t *p = mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, p != MAP_FAILED && ((uintptr_t)p - (uintptr_t)test->env) % 4096 == 0,
           "mmap without an address");
    if (p == MAP_FAILED)
        return;
    expect(test, all_equal(p, 3 * 4096, 0), "new memory is not zeroed");
    for (size_t i = 0; i < 3 * 4096; i++)
        p[i] = 'a';

    uint8_t *hint = window_at(test, HINT_AT);
    uint8_t *h = mmap(hint, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, h == hint, "a free hint was not honoured");
    uint8_t *elsewhere = mmap(hint, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, elsewhere != MAP_FAILED && elsewhere != hint,
           "a taken hint did not give memory elsewhere");
    errno = 0;
    expect(test, mmap(hint, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
                      0) == MAP_FAILED, "MAP_FIXED_NOREPLACE over a mapping");
    expect_errno(test, EEXIST, "MAP_FIXED_NOREPLACE over a mapping");

    /* MAP_FIXED over the middle page of p. */
    uint8_t *q = mmap(p + 4096, 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    expect(test, q == p + 4096, "MAP_FIXED not where asked");
    expect(test, all_equal(q, 4096, 0), "MAP_FIXED did not replace the page");
    expect(test, all_equal(p, 4096, 'a') && all_equal(p + 8192, 4096, 'a'),
           "MAP_FIXED disturbed the pages around it");
    q[0] = 'b';
    expect(test, p[4096] == 'b', "the replacing page is not writable");

    /* munmap: a partial one keeps the rest; after a full one the hint fits. */
    expect(test, munmap(p + 8192, 4096) == 0, "munmap of the last page");
    expect(test, p[0] == 'a' && p[4096] == 'b', "partial munmap lost the rest");
    expect(test, munmap(p, 3 * 4096) == 0, "munmap of a range with a hole");
    expect(test, munmap(p, 4096) == 0, "munmap of nothing");
    uint8_t *again = mmap(p, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, again == p, "the range was not free after munmap");
    expect(test, again != MAP_FAILED && all_equal(again, 3 * 4096, 0),
           "memory mapped again is not zeroed");

    /* Errors by name. */
    errno = 0;
    expect(test, mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED,
           "mmap of 0 bytes");
    expect_errno(test, EINVAL, "mmap of 0 bytes");
    expect(test, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED, "mmap of a file");
    expect_errno(test, ENODEV, "mmap of a file");
    expect(test, mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED,
           "mmap neither private nor shared");
    expect_errno(test, EINVAL, "mmap neither private nor shared");
    expect(test, mmap(window_at(test, 4096), 4096, PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED,
           "MAP_FIXED over the boot area");
    expect_errno(test, ENOMEM, "MAP_FIXED over the boot area");
    expect(test, mmap(NULL, 4 * 1024 * 1024, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
                     MAP_FAILED, "more memory than the libc's session holds");
    expect_errno(test, ENOMEM, "more memory than the libc's session holds");
    expect(test, munmap(p + 1, 4096) == -1, "munmap of an unaligned address");
    expect_errno(test, EINVAL, "munmap of an unaligned address");
    expect(test, munmap(p, 0) == -1, "munmap of 0 bytes");
    expect_errno(test, EINVAL, "munmap of 0 bytes");

    uint8_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, ro != MAP_FAILED && all_equal(ro, 4096, 0), "PROT_READ memory reads zero");
    uint8_t *none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, none != MAP_FAILED, "a PROT_NONE reservation");
    uint8_t *beside = mmap(none, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(test, beside != none, "a hint into a reservation was honoured");
    test->workers[2].touch = ro;
    test->workers[2].touch_write = true;
    test->workers[1].touch = none;
    test->workers[1].touch_write = false;
    expect(test, munmap(h, 8192) == 0 && munmap(elsewhere, 4096) == 0 && munmap(again, 3 * 4096) == 0 &&
                     munmap(beside, 4096) == 0,
           "munmap of the rest");
    say(test, "mmap: ", "ok");
}

static uint8_t block_byte(unsigned block, size_t i)
{
    return (uint8_t)(block * 13u + i * 3u + 1u);
}

/* Blocks of many sizes, filled and checked, freed, grown, zeroed. */
static unsigned malloc_round(unsigned seed, unsigned count)
{
    uint8_t *blocks[BLOCKS];
    size_t sizes[BLOCKS];
    unsigned failures = 0;
    for (unsigned b = 0; b < count; b++) {
        sizes[b] = 1 + ((seed * 2654435761u + b * 40503u) % 3000u);
        blocks[b] = malloc(sizes[b]);
        failures += blocks[b] == NULL || ((uintptr_t)blocks[b] & 15u) != 0;
        if (blocks[b] == NULL)
            return failures;
        for (size_t i = 0; i < sizes[b]; i++)
            blocks[b][i] = block_byte(b + seed, i);
    }
    for (unsigned b = 0; b < count; b += 2) {
        free(blocks[b]);
        blocks[b] = NULL;
    }
    for (unsigned b = 1; b < count; b += 2) {
        size_t grown = sizes[b] * 2 + 100;
        uint8_t *p = realloc(blocks[b], grown);
        failures += p == NULL;
        if (p == NULL)
            continue;
        for (size_t i = 0; i < sizes[b]; i++)
            failures += p[i] != block_byte(b + seed, i);
        blocks[b] = p;
    }
    for (unsigned b = 0; b < count; b += 2) {
        blocks[b] = calloc(sizes[b], 3);
        failures += blocks[b] == NULL || !all_equal(blocks[b], sizes[b] * 3, 0);
    }
    for (unsigned b = 0; b < count; b++)
        free(blocks[b]);
    return failures;
}

void libc_test_worker(struct env *env, void *arg)
{
    struct worker *w = arg;
    if (w->touch != NULL) {
        /* A fault probe: never comes back. */
        if (w->touch_write)
            *w->touch = 1;
        else
            (void)*w->touch;
        w->done = true;
        return;
    }
    errno = 0;
    (void)munmap(NULL, 0);
    w->errno_seen = errno;
    for (unsigned round = 0; round < WORKER_ROUNDS / 20; round++)
        w->failures += malloc_round(w->seed + round, 20);
    w->done = true;
}

static void worker_start(struct libc_test *test, struct worker *w, unsigned seed)
{
    w->test = test;
    w->seed = seed;
    w->done = false;
    if (w->stack == NULL)
        w->stack = env_alloc(test->env, WORKER_STACK);
    DUET_ASSERT(w->stack != NULL);
    enum rpc_status status = cpu_thread_create(test->env, test->cpu.cap, &w->thread,
                                               libc_test_worker, w, w->stack, WORKER_STACK);
    expect(test, status == RPC_OK, "a worker thread");
}

static void check_malloc(struct libc_test *test)
{
    expect(test, malloc_round(1, BLOCKS) == 0, "malloc, realloc, calloc and free");
    void *zero = malloc(0);
    expect(test, zero != NULL, "malloc(0) is a pointer to free");
    free(zero);
    free(NULL);
    errno = 0;
    expect(test, malloc((size_t)1 << 40) == NULL, "malloc of more than there is");
    expect_errno(test, ENOMEM, "malloc of more than there is");
    expect(test, calloc(SIZE_MAX / 2, 4) == NULL, "calloc that overflows");
    expect_errno(test, ENOMEM, "calloc that overflows");

    /* Two threads allocate at once; errno stays each thread's own. */
    errno = EEXIST;
    worker_start(test, &test->workers[0], 100);
    struct worker *second = &test->workers[1];
    worker_start(test, second, 200);
    for (unsigned spin = 0; spin < 100000 && !(test->workers[0].done && second->done); spin++)
        sys_yield();
    expect(test, test->workers[0].done && second->done, "the malloc threads did not finish");
    expect(test, test->workers[0].failures == 0 && second->failures == 0,
           "blocks of two threads overlapped or lost their contents");
    expect(test, test->workers[0].errno_seen == EINVAL, "a thread's errno");
    expect_errno(test, EEXIST, "errno changed by another thread");
    cpu_thread_kill(test->env, test->cpu.cap, &test->workers[0].thread);
    cpu_thread_kill(test->env, test->cpu.cap, &second->thread);
    say(test, "malloc: ", "ok");
}

/* The heap under libc's malloc, on its own: named errors, quota, destroy. */
static void check_heap(struct libc_test *test)
{
    enum { NODES = 64 };
    struct ram_connection ram;
    struct region_map_cap space;
    if (ram_connection_open(test->env, "heap", 16 * 1024, &ram) != RPC_OK ||
        env_address_space(test->env, &space) != RPC_OK) {
        expect(test, false, "a RAM session for the heap");
        return;
    }
    struct range_node *nodes = env_alloc(test->env, NODES * sizeof *nodes);
    struct heap *heap = env_alloc(test->env, sizeof *heap);
    DUET_ASSERT(nodes != NULL && heap != NULL);
    heap_init(heap, test->env, ram.cap, space, nodes, NODES, 4096);
    void *p = NULL;
    expect(test, heap_alloc(heap, 0, &p) == HEAP_ERR_INVALID_ARGUMENT && p == NULL,
           "a heap block of 0 bytes");
    unsigned blocks = 0;
    enum heap_error error = HEAP_OK;
    void *first = NULL;
    while ((error = heap_alloc(heap, 1000, &p)) == HEAP_OK && blocks < 100) {
        if (blocks++ == 0)
            first = p;
        duet_memset(p, 0x5a, 1000);
    }
    expect(test, error == HEAP_ERR_OUT_OF_RAM && blocks >= 12 && blocks < 17,
           "the heap did not stop at its RAM session's donation");
    expect(test, duet_strcmp(heap_error_name(error), "HEAP_ERR_OUT_OF_RAM") == 0,
           "heap errors have names");
    size_t size = 0;
    expect(test, heap_size(heap, first, &size) == HEAP_OK && size >= 1000 && size < 1016,
           "a block's size");
    int on_the_stack = 0;
    expect(test, heap_free(heap, &on_the_stack) == HEAP_ERR_NOT_ALLOCATED,
           "freeing what the heap did not hand out");
    expect(test, heap_free(heap, (uint8_t *)first + 16) == HEAP_ERR_NOT_ALLOCATED,
           "freeing the inside of a block");
    expect(test, heap_free(heap, first) == HEAP_OK, "freeing a block");
    expect(test, heap_free(heap, first) == HEAP_ERR_NOT_ALLOCATED, "freeing a block twice");
    expect(test, heap_alloc(heap, 1000, &p) == HEAP_OK && p == first,
           "a freed block is not handed out again");
    heap_destroy(heap);
    uint64_t left = 0;
    expect(test, ram_avail(ram.cap, &left) == RPC_OK && left == 16 * 1024,
           "destroying the heap did not give its memory back");
    expect(test, ram_connection_close(test->env, &ram) == RPC_OK, "closing the heap's session");
    say(test, "heap: ", "ok");
}

static void check_faults(struct libc_test *test, volatile uint8_t *ro, volatile uint8_t *none)
{
    for (unsigned i = 1; i <= 2; i++) {
        struct worker *w = &test->workers[i];
        w->touch = i == 1 ? none : ro;
        w->touch_write = i == 2;
        worker_start(test, w, 0);
    }
    for (unsigned spin = 0; spin < 64; spin++)
        sys_yield();
    expect(test, !test->workers[1].done, "a read of PROT_NONE memory did not fault");
    expect(test, !test->workers[2].done, "a write to PROT_READ memory did not fault");
    say(test, "faults on PROT_NONE and PROT_READ: ", "stopped");
}

void libc_test_main(struct env *env)
{
    struct libc_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    if (log_connection_open(env, &test->log) != RPC_OK || cpu_connection_open(env, &test->cpu) != RPC_OK ||
        libc_init(env, LIBC_TEST_RAM) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    check_mmap(test);
    volatile uint8_t *ro = test->workers[2].touch, *none = test->workers[1].touch;
    test->workers[1].touch = test->workers[2].touch = NULL;
    check_malloc(test);
    check_heap(test);
    check_faults(test, ro, none);
    if (test->failures == 0)
        log_write(env, test->log.cap, "libc checks passed");
    parent_exit(env, test->failures == 0 ? 0 : 1);
}
