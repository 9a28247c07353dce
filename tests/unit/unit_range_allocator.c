/*
 * unit_range_allocator.c - the range allocator (framework/base/
 * range_allocator.c, duet/range_allocator.h) against a reference model.
 *
 * The model is the trivially correct one: a state per address (unmanaged,
 * free, allocated, and where each block starts) over a small window of the
 * 64-bit space, placed at 0, in the middle and at the very top (ending at
 * 2^64). It computes every call's expected outcome from the documented
 * contract: the error and its precedence, the best-fit address, and the
 * segment nodes a call needs. Thousands of random calls from fixed seeds
 * are compared with it one by one; after each, avail and nodes_used must
 * match and range_allocator_valid must hold. A refused call must leave
 * the allocator's bytes (its struct and its node array) exactly as they
 * were. Each error is also shown by a directed test, and the random runs
 * must have produced every error too.
 *
 * Arithmetic in the model is 128-bit, so it cannot share the allocator's
 * overflow mistakes.
 */
#include "duet/range_allocator.h"
#include "unit_check.h"

typedef unsigned __int128 u128;

#define TWO_TO_64 ((u128)1 << 64)

/* ---- the reference model ------------------------------------------- */

enum { MODEL_SIZE = 192, MODEL_NODES_MAX = 64 };
enum address_state { UNMANAGED = 0, FREE, ALLOCATED };

struct model {
    uint64_t base;                   /* the model covers [base, base + MODEL_SIZE) */
    uint8_t state[MODEL_SIZE];
    bool block_start[MODEL_SIZE];    /* for ALLOCATED addresses */
    size_t node_count;
    u128 managed_bytes;              /* inside the model's window: all of them */
};

struct outcome {
    enum range_error error;
    uint64_t addr;
};

static bool model_holds(const struct model *m, u128 addr)
{
    return addr >= m->base && addr < (u128)m->base + MODEL_SIZE;
}

static enum address_state model_state(const struct model *m, u128 addr)
{
    return model_holds(m, addr) ? m->state[addr - m->base] : UNMANAGED;
}

static bool model_block_start(const struct model *m, u128 addr)
{
    return model_state(m, addr) == ALLOCATED && m->block_start[addr - m->base];
}

/* Segments the allocator must have: maximal free runs plus blocks. */
static size_t model_segments(const struct model *m)
{
    size_t segments = 0;
    for (size_t i = 0; i < MODEL_SIZE; i++) {
        if (m->state[i] == FREE && (i == 0 || m->state[i - 1] != FREE))
            segments++;
        if (m->state[i] == ALLOCATED && m->block_start[i])
            segments++;
    }
    return segments;
}

static uint64_t model_avail(const struct model *m)
{
    uint64_t avail = 0;
    for (size_t i = 0; i < MODEL_SIZE; i++)
        avail += m->state[i] == FREE;
    return avail;
}

static size_t model_spare_nodes(const struct model *m)
{
    return m->node_count - model_segments(m);
}

/* The end of a block starting at `start` (inclusive). */
static u128 model_block_last(const struct model *m, u128 start)
{
    u128 last = start;
    while (model_state(m, last + 1) == ALLOCATED && !model_block_start(m, last + 1))
        last++;
    return last;
}

static void model_set(struct model *m, u128 base, u128 last, enum address_state state)
{
    for (u128 a = base; a <= last; a++) {
        m->state[a - m->base] = (uint8_t)state;
        m->block_start[a - m->base] = state == ALLOCATED && a == base;
    }
}

static bool model_range_invalid(uint64_t base, uint64_t size)
{
    return size == 0 || (u128)base + size > TWO_TO_64;
}

/* Whether any address of [base, last] is in `state`; only the part inside
 * the model's window is walked (everything outside is unmanaged). */
static bool model_range_has(const struct model *m, u128 base, u128 last,
                            enum address_state state)
{
    u128 window_last = (u128)m->base + MODEL_SIZE - 1;
    if (state == UNMANAGED && (base < m->base || last > window_last))
        return true;
    u128 first = base > m->base ? base : m->base;
    u128 end = last < window_last ? last : window_last;
    for (u128 a = first; a <= end; a++)
        if (m->state[a - m->base] == state)
            return true;
    return false;
}

static struct outcome model_add_range(struct model *m, uint64_t base, uint64_t size)
{
    if (model_range_invalid(base, size) || m->managed_bytes + size >= TWO_TO_64)
        return (struct outcome){.error = RANGE_ERR_INVALID_ARGUMENT};
    u128 last = (u128)base + size - 1;
    if (model_range_has(m, base, last, FREE) || model_range_has(m, base, last, ALLOCATED))
        return (struct outcome){.error = RANGE_ERR_ALREADY_MANAGED};
    bool merges = (base > 0 && model_state(m, (u128)base - 1) == FREE) ||
                  model_state(m, last + 1) == FREE;
    if (!merges && model_spare_nodes(m) == 0)
        return (struct outcome){.error = RANGE_ERR_OUT_OF_METADATA};
    model_set(m, base, last, FREE);
    m->managed_bytes += size;
    return (struct outcome){.error = RANGE_OK};
}

/* Decoding shared by alloc_addr and remove_range; *out_front / *out_back:
 * free space stays before / after the range. */
static enum range_error model_check_free(const struct model *m, uint64_t base, uint64_t size,
                                         bool *out_front, bool *out_back)
{
    if (model_range_invalid(base, size))
        return RANGE_ERR_INVALID_ARGUMENT;
    u128 last = (u128)base + size - 1;
    if (model_range_has(m, base, last, ALLOCATED))
        return RANGE_ERR_ALREADY_USED;
    if (model_range_has(m, base, last, UNMANAGED))
        return RANGE_ERR_OUT_OF_RANGE;
    *out_front = base > 0 && model_state(m, (u128)base - 1) == FREE;
    *out_back = model_state(m, last + 1) == FREE;
    return RANGE_OK;
}

static struct outcome model_alloc_addr(struct model *m, uint64_t size, uint64_t addr)
{
    bool front, back;
    enum range_error error = model_check_free(m, addr, size, &front, &back);
    if (error == RANGE_OK && (size_t)front + back > model_spare_nodes(m))
        error = RANGE_ERR_OUT_OF_METADATA;
    if (error == RANGE_OK)
        model_set(m, addr, (u128)addr + size - 1, ALLOCATED);
    return (struct outcome){error, addr};
}

static struct outcome model_remove_range(struct model *m, uint64_t base, uint64_t size)
{
    bool front, back;
    enum range_error error = model_check_free(m, base, size, &front, &back);
    if (error == RANGE_OK && front && back && model_spare_nodes(m) == 0)
        error = RANGE_ERR_OUT_OF_METADATA;
    if (error == RANGE_OK) {
        model_set(m, base, (u128)base + size - 1, UNMANAGED);
        m->managed_bytes -= size;
    }
    return (struct outcome){.error = error};
}

/* Best fit, as documented: the smallest free run that can hold the block
 * (lowest among equals), the lowest aligned address in it. */
static struct outcome model_alloc_aligned(struct model *m, uint64_t size, unsigned align_log2,
                                          struct range_window window)
{
    if (size == 0 || align_log2 > 63 || window.first > window.last)
        return (struct outcome){.error = RANGE_ERR_INVALID_ARGUMENT};
    u128 align = (u128)1 << align_log2;
    u128 best_size = 0, best_base = 0, best_run_first = 0, best_run_last = 0;
    for (size_t i = 0; i < MODEL_SIZE; i++) {
        if (m->state[i] != FREE || (i > 0 && m->state[i - 1] == FREE))
            continue;
        size_t end = i;
        while (end + 1 < MODEL_SIZE && m->state[end + 1] == FREE)
            end++;
        u128 run_first = (u128)m->base + i, run_last = (u128)m->base + end;
        u128 first = run_first > window.first ? run_first : window.first;
        u128 limit = run_last < window.last ? run_last : window.last;
        u128 aligned = (first + align - 1) / align * align;
        u128 run_size = run_last - run_first + 1;
        if (first <= limit && aligned + size - 1 <= limit &&
            (best_size == 0 || run_size < best_size)) {
            best_size = run_size;
            best_base = aligned;
            best_run_first = run_first;
            best_run_last = run_last;
        }
    }
    if (best_size == 0)
        return (struct outcome){.error = RANGE_ERR_NO_SPACE};
    u128 last = best_base + size - 1;
    size_t needed = (size_t)(best_base > best_run_first) + (size_t)(last < best_run_last);
    if (needed > model_spare_nodes(m))
        return (struct outcome){.error = RANGE_ERR_OUT_OF_METADATA};
    model_set(m, best_base, last, ALLOCATED);
    return (struct outcome){.error = RANGE_OK, .addr = (uint64_t)best_base};
}

static struct outcome model_free(struct model *m, uint64_t addr)
{
    if (!model_block_start(m, addr))
        return (struct outcome){.error = RANGE_ERR_NOT_ALLOCATED};
    model_set(m, addr, model_block_last(m, addr), FREE);
    return (struct outcome){.error = RANGE_OK};
}

/* ---- the allocator under test, with a byte snapshot ------------------ */

struct subject {
    struct range_allocator alloc;
    struct range_node nodes[MODEL_NODES_MAX];
};

struct snapshot {
    struct range_allocator alloc;
    struct range_node nodes[MODEL_NODES_MAX];
};

static void subject_init(struct subject *s, struct model *m, uint64_t model_base,
                         size_t node_count)
{
    memset(s, 0x5a, sizeof *s);   /* the allocator must not rely on zeroed nodes */
    range_allocator_init(&s->alloc, s->nodes, node_count);
    *m = (struct model){.base = model_base, .node_count = node_count};
}

static void snapshot_take(const struct subject *s, struct snapshot *out)
{
    memcpy(&out->alloc, &s->alloc, sizeof out->alloc);
    memcpy(out->nodes, s->nodes, sizeof out->nodes);
}

static bool snapshot_same(const struct subject *s, const struct snapshot *snap)
{
    return memcmp(&snap->alloc, &s->alloc, sizeof snap->alloc) == 0 &&
           memcmp(snap->nodes, s->nodes, sizeof snap->nodes) == 0;
}

/* After any call: the allocator agrees with the model in every query. */
static void check_agreement(const struct subject *s, const struct model *m, const char *what)
{
    UNIT_CHECK(range_allocator_valid(&s->alloc), "%s: range_allocator_valid", what);
    UNIT_CHECK_U64(range_allocator_avail(&s->alloc), model_avail(m), what);
    UNIT_CHECK_U64(range_allocator_nodes_used(&s->alloc), model_segments(m), what);
}

static void check_block_sizes(const struct subject *s, const struct model *m)
{
    for (size_t i = 0; i < MODEL_SIZE; i++) {
        uint64_t addr = m->base + i, size = 0;
        enum range_error error = range_allocator_block_size(&s->alloc, addr, &size);
        if (model_block_start(m, addr)) {
            UNIT_CHECK(error == RANGE_OK, "block_size at a block start: %s",
                       range_error_name(error));
            UNIT_CHECK_U64(size, model_block_last(m, addr) - addr + 1, "block_size");
        } else {
            UNIT_CHECK(error == RANGE_ERR_NOT_ALLOCATED,
                       "block_size where no block starts (offset %zu): %s", i,
                       range_error_name(error));
        }
    }
}

/* ---- random operations ----------------------------------------------- */

struct random_run {
    struct subject subject;
    struct model model;
    uint64_t prng;
    unsigned long errors_seen[RANGE_ERROR_COUNT];
    unsigned long zero_results;
};

/* An address near the model's window: mostly inside, sometimes just
 * outside on either side (wrapping around 0 or 2^64 where it lies). */
static uint64_t random_addr(struct random_run *run)
{
    uint64_t offset = unit_prng_below(&run->prng, MODEL_SIZE + 16);
    return run->model.base + offset - 8;
}

static uint64_t random_size(struct random_run *run)
{
    switch (unit_prng_below(&run->prng, 16)) {
    case 0:
        return 0;
    case 1:
        return UINT64_MAX - unit_prng_below(&run->prng, 2);
    case 2:
        return 1 + unit_prng_below(&run->prng, MODEL_SIZE);
    default:
        return 1 + unit_prng_below(&run->prng, 12);
    }
}

static struct range_window random_window(struct random_run *run)
{
    if (unit_prng_below(&run->prng, 3) == 0)
        return RANGE_WINDOW_ANY;
    return (struct range_window){.first = random_addr(run), .last = random_addr(run)};
}

/* A random address of the model in `state`, or `otherwise` if it finds none. */
static uint64_t random_address_in_state(struct random_run *run, enum address_state state,
                                        uint64_t otherwise)
{
    for (size_t tries = 0; tries < MODEL_SIZE; tries++) {
        size_t offset = unit_prng_below(&run->prng, MODEL_SIZE);
        if (run->model.state[offset] == state)
            return run->model.base + offset;
    }
    return otherwise;
}

static uint64_t random_block_start(struct random_run *run, uint64_t otherwise)
{
    for (size_t tries = 0; tries < MODEL_SIZE; tries++) {
        uint64_t addr = run->model.base + unit_prng_below(&run->prng, MODEL_SIZE);
        if (model_block_start(&run->model, addr))
            return addr;
    }
    return otherwise;
}

/* One call as made on the allocator and on the model. */
struct call {
    const char *name;
    enum range_error got, expected;
    uint64_t addr, expected_addr;   /* where the allocator placed a block */
    uint64_t size;
    bool placed;                    /* alloc, alloc_aligned: the allocator chose addr */
    unsigned align_log2;
    struct range_window window;
};

static void random_call(struct random_run *run, struct call *call)
{
    struct range_allocator *alloc = &run->subject.alloc;
    struct model *m = &run->model;
    uint64_t size = random_size(run);
    uint64_t addr = random_addr(run);
    *call = (struct call){.size = size, .window = RANGE_WINDOW_ANY};
    unsigned kind = (unsigned)unit_prng_below(&run->prng, 10);
    if ((kind == 2 || kind == 6) && unit_prng_below(&run->prng, 2) == 0)
        addr = random_address_in_state(run, FREE, addr);   /* likelier to succeed */
    if (kind >= 7 && unit_prng_below(&run->prng, 4) != 0)
        addr = random_block_start(run, addr);
    switch (kind) {
    case 0:
    case 1: {   /* add_range: inside the model's window, so the model can see it */
        uint64_t offset = unit_prng_below(&run->prng, MODEL_SIZE);
        uint64_t room = MODEL_SIZE - offset;
        call->size = 1 + unit_prng_below(&run->prng, room < 24 ? room : 24);
        call->name = "add_range";
        call->got = range_allocator_add_range(alloc, m->base + offset, call->size);
        call->expected = model_add_range(m, m->base + offset, call->size).error;
        break;
    }
    case 2:
        call->name = "remove_range";
        call->got = range_allocator_remove_range(alloc, addr, size);
        call->expected = model_remove_range(m, addr, size).error;
        break;
    case 3:
    case 4:
    case 5: {
        bool aligned = unit_prng_below(&run->prng, 2) == 0;
        if (aligned) {
            call->align_log2 = (unsigned)unit_prng_below(&run->prng, 8);
            if (unit_prng_below(&run->prng, 16) == 0)
                call->align_log2 = 62 + (unsigned)unit_prng_below(&run->prng, 3);   /* 62..64 */
            call->window = random_window(run);
        }
        call->name = aligned ? "alloc_aligned" : "alloc";
        call->placed = true;
        call->got = aligned ? range_allocator_alloc_aligned(alloc, size, call->align_log2,
                                                            call->window, &call->addr)
                            : range_allocator_alloc(alloc, size, &call->addr);
        struct outcome expected = model_alloc_aligned(m, size, call->align_log2, call->window);
        call->expected = expected.error;
        call->expected_addr = expected.addr;
        break;
    }
    case 6:
        call->name = "alloc_addr";
        call->addr = call->expected_addr = addr;
        call->got = range_allocator_alloc_addr(alloc, size, addr);
        call->expected = model_alloc_addr(m, size, addr).error;
        break;
    default:   /* free: usually of a block start, to keep the space moving */
        call->name = "free";
        call->addr = call->expected_addr = addr;
        call->got = range_allocator_free(alloc, addr);
        call->expected = model_free(m, addr).error;
        break;
    }
}

/* One random call, checked; false once the allocator and model disagree
 * (their states differ from then on, so the run stops). */
static bool random_step(struct random_run *run, size_t step)
{
    struct snapshot before;
    snapshot_take(&run->subject, &before);
    struct model model_before = run->model;
    struct call call;
    random_call(run, &call);
    bool agree = UNIT_CHECK(call.got == call.expected &&
                                (call.got != RANGE_OK || call.addr == call.expected_addr),
                            "step %zu (model base 0x%llx): %s(size 0x%llx): got %s at 0x%llx, "
                            "model says %s at 0x%llx",
                            step, (unsigned long long)run->model.base, call.name,
                            (unsigned long long)call.size, range_error_name(call.got),
                            (unsigned long long)call.addr, range_error_name(call.expected),
                            (unsigned long long)call.expected_addr);
    if (!agree)
        return false;
    run->errors_seen[call.got]++;
    if (call.got != RANGE_OK)
        UNIT_CHECK(snapshot_same(&run->subject, &before),
                   "step %zu: refused %s (%s) changed the allocator", step, call.name,
                   range_error_name(call.got));
    if (call.got == RANGE_OK && call.placed) {
        u128 last = (u128)call.addr + call.size - 1;
        run->zero_results += call.addr == 0;
        UNIT_CHECK(!model_range_has(&model_before, call.addr, last, ALLOCATED) &&
                       !model_range_has(&model_before, call.addr, last, UNMANAGED),
                   "step %zu: %s placed a block over space that was not free", step, call.name);
        UNIT_CHECK(call.addr % ((u128)1 << call.align_log2) == 0 &&
                       call.addr >= call.window.first && last <= call.window.last,
                   "step %zu: %s placed a block off its alignment or window", step, call.name);
    }
    check_agreement(&run->subject, &run->model, call.name);
    return true;
}

static void test_random(uint64_t model_base, size_t node_count, uint64_t seed, size_t steps,
                        unsigned long errors_seen[RANGE_ERROR_COUNT],
                        unsigned long *zero_results)
{
    static struct random_run run;
    subject_init(&run.subject, &run.model, model_base, node_count);
    run.prng = seed;
    memset(run.errors_seen, 0, sizeof run.errors_seen);
    run.zero_results = 0;
    for (size_t step = 0; step < steps; step++) {
        if (!random_step(&run, step))
            return;
        if (step % 64 == 0)
            check_block_sizes(&run.subject, &run.model);
    }
    check_block_sizes(&run.subject, &run.model);
    for (size_t e = 0; e < RANGE_ERROR_COUNT; e++)
        errors_seen[e] += run.errors_seen[e];
    *zero_results += run.zero_results;
}

/* ---- directed tests -------------------------------------------------- */

#define CHECK_ERROR(call, expected)                                                        \
    do {                                                                                   \
        enum range_error error_ = (call);                                                  \
        UNIT_CHECK(error_ == (expected), "%s: got %s, expected %s", #call,                 \
                   range_error_name(error_), range_error_name(expected));                  \
    } while (0)

static void test_error_names(void)
{
    for (int e = 0; e < RANGE_ERROR_COUNT; e++) {
        const char *name = range_error_name((enum range_error)e);
        UNIT_CHECK(name != NULL && strncmp(name, "RANGE_", 6) == 0 &&
                       strcmp(name, "RANGE_ERR_UNKNOWN") != 0,
                   "error %d has a name", e);
        for (int other = 0; other < e; other++)
            UNIT_CHECK(strcmp(name, range_error_name((enum range_error)other)) != 0,
                       "errors %d and %d have distinct names", e, other);
    }
    UNIT_CHECK_STR(range_error_name(RANGE_ERROR_COUNT), "RANGE_ERR_UNKNOWN", "past the end");
    UNIT_CHECK_STR(range_error_name((enum range_error)-1), "RANGE_ERR_UNKNOWN", "negative");
}

static void test_address_zero(void)
{
    static struct subject s;
    struct model m;
    uint64_t addr = 1;
    subject_init(&s, &m, 0, 8);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, 4096), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 16, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 0, "the first block of a range at 0 is at 0");
    CHECK_ERROR(range_allocator_free(&s.alloc, 0), RANGE_OK);
    addr = 1;
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 4096, 63, RANGE_WINDOW_ANY, &addr),
                RANGE_OK);
    UNIT_CHECK_U64(addr, 0, "0 is aligned to 2^63");
    uint64_t size = 0;
    CHECK_ERROR(range_allocator_block_size(&s.alloc, 0, &size), RANGE_OK);
    UNIT_CHECK_U64(size, 4096, "block_size at 0");
    CHECK_ERROR(range_allocator_free(&s.alloc, 0), RANGE_OK);
    CHECK_ERROR(range_allocator_free(&s.alloc, 0), RANGE_ERR_NOT_ALLOCATED);

    /* Best fit picks the small range at 0 over a large one, then the large
     * one's exact fit over the rest of the large one. */
    subject_init(&s, &m, 0, 8);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 1000, 1000), RANGE_OK);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, 10), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 8, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 0, "best fit: the 10-byte range at 0");
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 8, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 1000, "best fit: 2 bytes left at 8 are too few");
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 2, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 8, "best fit: the 2 bytes at 8 exactly");
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 0, (struct range_window){0, 0},
                                              &addr), RANGE_ERR_NO_SPACE);
    CHECK_ERROR(range_allocator_free(&s.alloc, 0), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 0, (struct range_window){0, 0},
                                              &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 0, "a window of just address 0");
    UNIT_CHECK(range_allocator_valid(&s.alloc), "valid after the address-0 tests");
}

static void test_top_of_space(void)
{
    static struct subject s;
    struct model m;
    const uint64_t top_page = UINT64_MAX - 4095;   /* 2^64 - 4096 */
    uint64_t addr = 0, size = 0;
    subject_init(&s, &m, 0, 8);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, top_page, 4096), RANGE_OK);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, top_page, 4097), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, UINT64_MAX, 2), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, UINT64_MAX, 1), RANGE_ERR_ALREADY_MANAGED);
    UNIT_CHECK_U64(range_allocator_avail(&s.alloc), 4096, "a range ending at 2^64");
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 4096, 12, RANGE_WINDOW_ANY, &addr),
                RANGE_OK);
    UNIT_CHECK_U64(addr, top_page, "the top page, page aligned");
    CHECK_ERROR(range_allocator_block_size(&s.alloc, top_page, &size), RANGE_OK);
    UNIT_CHECK_U64(size, 4096, "block_size of the top page");
    CHECK_ERROR(range_allocator_free(&s.alloc, top_page), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 1, UINT64_MAX), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 2, UINT64_MAX), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 2, 0,
                                              (struct range_window){UINT64_MAX - 1, UINT64_MAX},
                                              &addr), RANGE_ERR_NO_SPACE);
    CHECK_ERROR(range_allocator_free(&s.alloc, UINT64_MAX), RANGE_OK);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 2, 0,
                                              (struct range_window){UINT64_MAX - 1, UINT64_MAX},
                                              &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, UINT64_MAX - 1, "the last two bytes, in a window ending at 2^64");
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 63,
                                              (struct range_window){top_page, UINT64_MAX},
                                              &addr), RANGE_ERR_NO_SPACE);
    /* A range below merges with the top one: one free segment before the block. */
    CHECK_ERROR(range_allocator_add_range(&s.alloc, top_page - 4096, 4096), RANGE_OK);
    UNIT_CHECK_U64(range_allocator_nodes_used(&s.alloc), 2, "merged below the top");
    CHECK_ERROR(range_allocator_free(&s.alloc, UINT64_MAX - 1), RANGE_OK);
    UNIT_CHECK_U64(range_allocator_nodes_used(&s.alloc), 1, "coalesced up to 2^64");
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, UINT64_MAX, 1), RANGE_OK);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, UINT64_MAX, 1), RANGE_ERR_OUT_OF_RANGE);
    UNIT_CHECK(range_allocator_valid(&s.alloc), "valid after the top-of-space tests");

    /* The whole space but its last byte: avail is 2^64 - 1, and the last
     * byte cannot be added (2^64 managed bytes would not fit a uint64_t). */
    subject_init(&s, &m, 0, 8);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, UINT64_MAX), RANGE_OK);
    UNIT_CHECK_U64(range_allocator_avail(&s.alloc), UINT64_MAX, "all but the last byte");
    CHECK_ERROR(range_allocator_add_range(&s.alloc, UINT64_MAX, 1), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, UINT64_MAX, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 0, "all of it at 0");
    CHECK_ERROR(range_allocator_block_size(&s.alloc, 0, &size), RANGE_OK);
    UNIT_CHECK_U64(size, UINT64_MAX, "block_size of all of it");
    CHECK_ERROR(range_allocator_free(&s.alloc, 0), RANGE_OK);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 1, UINT64_MAX - 1), RANGE_OK);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, UINT64_MAX, 1), RANGE_OK);
    UNIT_CHECK_U64(range_allocator_avail(&s.alloc), 2, "0 and 2^64 - 1");
    UNIT_CHECK_U64(range_allocator_nodes_used(&s.alloc), 2, "not adjacent across 2^64");
    UNIT_CHECK(range_allocator_valid(&s.alloc), "valid after the whole-space tests");
}

/* Every error, from every call that can return it. */
static void test_errors(void)
{
    static struct subject s;
    struct model m;
    uint64_t addr = 0, size = 0;
    subject_init(&s, &m, 0, 4);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 100, 100), RANGE_OK);   /* [100, 199] */

    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, 0), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 100, 0), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 100, UINT64_MAX),
                RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 0, &addr), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 64, RANGE_WINDOW_ANY, &addr),
                RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 0, (struct range_window){150, 149},
                                              &addr), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 0, 100), RANGE_ERR_INVALID_ARGUMENT);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 2, UINT64_MAX), RANGE_ERR_INVALID_ARGUMENT);

    CHECK_ERROR(range_allocator_add_range(&s.alloc, 150, 1), RANGE_ERR_ALREADY_MANAGED);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 50, 51), RANGE_ERR_ALREADY_MANAGED);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 199, 10), RANGE_ERR_ALREADY_MANAGED);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, 1000), RANGE_ERR_ALREADY_MANAGED);

    CHECK_ERROR(range_allocator_alloc(&s.alloc, 101, &addr), RANGE_ERR_NO_SPACE);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 8, RANGE_WINDOW_ANY, &addr),
                RANGE_ERR_NO_SPACE);   /* no multiple of 256 in [100, 199] */
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 10, 0, (struct range_window){195, 500},
                                              &addr), RANGE_ERR_NO_SPACE);

    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 10, 95), RANGE_ERR_OUT_OF_RANGE);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 10, 195), RANGE_ERR_OUT_OF_RANGE);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 0, 10), RANGE_ERR_OUT_OF_RANGE);

    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 10, 120), RANGE_OK);   /* [120, 129] */
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 1, 129), RANGE_ERR_ALREADY_USED);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 10, 115), RANGE_ERR_ALREADY_USED);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 200, 50), RANGE_ERR_ALREADY_USED);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 125, 1), RANGE_ERR_ALREADY_USED);

    CHECK_ERROR(range_allocator_free(&s.alloc, 121), RANGE_ERR_NOT_ALLOCATED);   /* inside */
    CHECK_ERROR(range_allocator_free(&s.alloc, 100), RANGE_ERR_NOT_ALLOCATED);   /* free */
    CHECK_ERROR(range_allocator_free(&s.alloc, 5), RANGE_ERR_NOT_ALLOCATED);     /* unmanaged */
    CHECK_ERROR(range_allocator_block_size(&s.alloc, 121, &size), RANGE_ERR_NOT_ALLOCATED);
    CHECK_ERROR(range_allocator_free(&s.alloc, 120), RANGE_OK);
    CHECK_ERROR(range_allocator_free(&s.alloc, 120), RANGE_ERR_NOT_ALLOCATED);   /* twice */

    /* Metadata: 4 nodes. [100,199] free uses one; carving the middle of
     * it takes two more, a second middle carve would need two again. */
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 10, 120), RANGE_OK);
    UNIT_CHECK_U64(range_allocator_nodes_used(&s.alloc), 3, "free, block, free");
    struct snapshot before;
    snapshot_take(&s, &before);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 2, 150), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_alloc_aligned(&s.alloc, 1, 0, (struct range_window){160, 170},
                                              &addr), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 300, 10), RANGE_OK);    /* the 4th node */
    snapshot_take(&s, &before);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 400, 10), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 150, 10), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 5, &addr), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_alloc_addr(&s.alloc, 5, 100), RANGE_ERR_OUT_OF_METADATA);
    UNIT_CHECK(snapshot_same(&s, &before), "refusals for metadata changed nothing");
    /* What needs no node still works: an exact fit, a merge, an edge removal. */
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 10, &addr), RANGE_OK);
    UNIT_CHECK_U64(addr, 300, "the exact fit needs no node");
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 200, 5), RANGE_OK);          /* merges */
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 200, 5), RANGE_OK);       /* an edge */
    CHECK_ERROR(range_allocator_free(&s.alloc, 300), RANGE_OK);
    CHECK_ERROR(range_allocator_remove_range(&s.alloc, 300, 10), RANGE_OK);      /* gives one */
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 400, 10), RANGE_OK);
    UNIT_CHECK(range_allocator_valid(&s.alloc), "valid after the error tests");

    /* No nodes at all: nothing can be added. */
    subject_init(&s, &m, 0, 0);
    CHECK_ERROR(range_allocator_add_range(&s.alloc, 0, 1), RANGE_ERR_OUT_OF_METADATA);
    CHECK_ERROR(range_allocator_alloc(&s.alloc, 1, &addr), RANGE_ERR_NO_SPACE);
    UNIT_CHECK(range_allocator_valid(&s.alloc), "valid with no nodes");
}

int main(void)
{
    static const uint64_t model_bases[] = {0, UINT64_C(0x8000000000000000) - 64,
                                           (uint64_t)(TWO_TO_64 - MODEL_SIZE)};
    static const size_t node_counts[] = {3, 12, MODEL_NODES_MAX};
    static const uint64_t seeds[] = {1, 42, 0xc0ffee};
    unsigned long errors_seen[RANGE_ERROR_COUNT] = {0};
    unsigned long zero_results = 0;

    test_error_names();
    test_address_zero();
    test_top_of_space();
    test_errors();
    for (size_t b = 0; b < DUET_ARRAY_COUNT(model_bases); b++)
        for (size_t n = 0; n < DUET_ARRAY_COUNT(node_counts); n++)
            for (size_t s = 0; s < DUET_ARRAY_COUNT(seeds); s++)
                test_random(model_bases[b], node_counts[n], seeds[s] + b * 7 + n, 3000,
                            errors_seen, &zero_results);

    for (size_t e = 0; e < RANGE_ERROR_COUNT; e++)
        UNIT_CHECK(errors_seen[e] > 0, "the random runs produced %s",
                   range_error_name((enum range_error)e));
    UNIT_CHECK(zero_results > 0, "the random runs allocated address 0");
    return unit_finish("unit_range_allocator");
}
