/*
 * rm_test.c - region maps, RM faults and managed dataspaces
 * (scenarios/region_maps.scn, scenarios/rm_stress.scn).
 *
 * rm_test checks, in its own address space and in RM sessions:
 *   - an attach at a fixed address shows the dataspace (zeroed, then the
 *     pattern written through it); a second attach of the same dataspace
 *     shows what the first wrote, and the reverse;
 *   - conflicts at the boundaries of a region, of the map and of the
 *     dataspace, and on overlaps; detach errors;
 *   - quota: regions beyond an RM session's donation, memory beyond a RAM
 *     session's;
 *   - cycles: a map attached into itself, directly or through another;
 *   - faults in nested maps: a read fault and a write to a read-only
 *     region in the innermost map reach its handler exactly once, and the
 *     outer map's handler never; one attach resumes both threads waiting
 *     on the same page;
 *   - a faulter killed while it waits is forgotten, and the next fault
 *     in its map is the one reported;
 *   - a fault without a handler stops the thread, and everything else
 *     runs on.
 * rm_stress attaches, verifies and detaches 10,000 times.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"
#include "duet/signal_session.h"
#include "duet/string.h"
#include "duet/text.h"

enum {
    FIXED_AT = 0x100000,
    SECOND_AT = 0x200000,
    CONFLICT_AT = 0x300000,
    NESTED_AT = 0x400000,
    UNMAPPED_AT = 0x600000,
    OUTER_SIZE = 128 * 1024,
    INNER_SIZE = 64 * 1024,
    INNER_AT = 32 * 1024,         /* inner map's place in the outer one */
    FAULTER_STACK = 24 * 1024,
    IMPRINT_INNER = 1,
    IMPRINT_OUTER = 2,
    STRESS_ROUNDS = 10000,
};

struct faulter {
    struct rm_test *test;
    volatile uint8_t *address;
    bool write;
    volatile uint8_t seen;        /* what it read (or wrote) */
    volatile bool done;
    struct cpu_thread thread;
    void *stack;
};

struct rm_test {
    struct env *env;
    struct log_connection log;
    struct region_map_cap space;
    struct ram_connection ram;
    struct cpu_connection cpu;
    struct signal_connection signals;
    unsigned failures;
    struct faulter faulters[3];
};

static void say(struct rm_test *test, const char *what, uint64_t value)
{
    char buffer[120];
    struct text text;
    text_init(&text, buffer, sizeof buffer);
    text_append(&text, what);
    text_append_u64(&text, value);
    log_write(test->env, test->log.cap, buffer);
}

static void expect(struct rm_test *test, bool holds, const char *what)
{
    if (holds)
        return;
    test->failures++;
    say(test, what, 0);
}

static void expect_status(struct rm_test *test, enum rpc_status got, enum rpc_status want,
                          const char *what)
{
    if (got == want)
        return;
    char buffer[120];
    struct text text;
    text_init(&text, buffer, sizeof buffer);
    text_append(&text, what);
    text_append(&text, ": ");
    text_append(&text, rpc_status_name(got));
    text_append(&text, " instead of ");
    text_append(&text, rpc_status_name(want));
    log_write(test->env, test->log.cap, buffer);
    test->failures++;
}

static enum rpc_status attach_at(struct region_map_cap rm, struct dataspace_cap ds, uint64_t at,
                                 uint64_t size, uint64_t offset, bool writable)
{
    struct region_map_attach attr = {.size = size, .offset = offset, .at = at,
                                     .flags = RM_ATTACH_AT | (writable ? RM_ATTACH_WRITABLE : 0)};
    uint64_t where = 0;
    return region_map_attach(rm, ds, &attr, &where);
}

/* ---- attach, see, conflicts ------------------------------------------------- */

static void check_attach_and_see(struct rm_test *test)
{
    struct dataspace_cap ds;
    expect_status(test, ram_alloc(test->ram.cap, 16 * 1024, &ds), RPC_OK, "ram_alloc");
    expect(test, dataspace_size(ds) == 16 * 1024, "a dataspace of the wrong size");
    expect_status(test, attach_at(test->space, ds, FIXED_AT, 0, 0, true), RPC_OK, "attach fixed");
    uint8_t *first = env_local(test->env, FIXED_AT);
    bool zero = true;
    for (size_t i = 0; i < 16 * 1024; i++)
        zero = zero && first[i] == 0;
    expect(test, zero, "a new dataspace is not zeroed");
    for (size_t i = 0; i < 16 * 1024; i++)
        first[i] = (uint8_t)(i * 7u + 3u);

    /* A second attach, made after the first was used, shows its contents;
     * what is written through it shows through the first. */
    struct region_map_attach attr = {.flags = RM_ATTACH_WRITABLE};
    uint64_t second_at = 0;
    expect_status(test, region_map_attach(test->space, ds, &attr, &second_at), RPC_OK,
                  "attach anywhere");
    expect(test, second_at >= WINDOW_BOOT_BYTES && second_at % (16 * 1024) == 0,
           "automatic placement ignores the natural alignment");
    uint8_t *second = env_local(test->env, second_at);
    bool same = true;
    for (size_t i = 0; i < 16 * 1024; i++)
        same = same && second[i] == (uint8_t)(i * 7u + 3u);
    expect(test, same, "the second attach does not show the pattern");
    second[100] = 0xab;
    expect(test, first[100] == 0xab, "a write through one attach is not seen by the other");

    /* Part of it, read-only, at an offset. */
    expect_status(test, attach_at(test->space, ds, SECOND_AT, 4096, 8192, false), RPC_OK,
                  "attach part");
    const uint8_t *part = env_local(test->env, SECOND_AT);
    expect(test, part[5] == (uint8_t)((8192 + 5) * 7u + 3u), "offset attach shows the wrong page");
    expect_status(test, region_map_detach(test->space, SECOND_AT), RPC_OK, "detach part");
    expect_status(test, region_map_detach(test->space, second_at + 4096), RPC_OK,
                  "detach by an address inside");
    expect_status(test, region_map_detach(test->space, FIXED_AT), RPC_OK, "detach fixed");
    expect_status(test, ram_free(test->ram.cap, ds), RPC_OK, "ram_free");
    say(test, "attach and see: ok ", 1);
}

static void check_conflicts(struct rm_test *test)
{
    struct dataspace_cap ds;
    expect_status(test, ram_alloc(test->ram.cap, 16 * 1024, &ds), RPC_OK, "ram_alloc");
    struct region_map_cap space = test->space;
    expect_status(test, attach_at(space, ds, CONFLICT_AT, 0, 0, true), RPC_OK, "attach");
    expect_status(test, attach_at(space, ds, CONFLICT_AT + 8192, 0, 0, true),
                  RPC_ERR_REGION_CONFLICT, "overlap inside");
    expect_status(test, attach_at(space, ds, CONFLICT_AT - 4096, 8192, 0, true),
                  RPC_ERR_REGION_CONFLICT, "overlap at the start");
    expect_status(test, attach_at(space, ds, CONFLICT_AT + 12288, 8192, 0, true),
                  RPC_ERR_REGION_CONFLICT, "overlap at the end");
    expect_status(test, attach_at(space, ds, CONFLICT_AT - 16384, 0, 0, true), RPC_OK,
                  "adjacent below");
    expect_status(test, attach_at(space, ds, CONFLICT_AT + 16384, 0, 0, true), RPC_OK,
                  "adjacent above");
    expect_status(test, region_map_detach(space, CONFLICT_AT - 16384), RPC_OK, "detach below");
    expect_status(test, region_map_detach(space, CONFLICT_AT + 16384), RPC_OK, "detach above");
    expect_status(test, attach_at(space, ds, 0, 4096, 0, true), RPC_ERR_REGION_CONFLICT,
                  "the boot area");
    expect_status(test, attach_at(space, ds, WINDOW_BYTES - 4096, 0, 0, true),
                  RPC_ERR_REGION_CONFLICT, "past the end of the map");
    expect_status(test, attach_at(space, ds, WINDOW_BYTES, 4096, 0, true),
                  RPC_ERR_REGION_CONFLICT, "at the end of the map");
    expect_status(test, attach_at(space, ds, WINDOW_BYTES - 4096, 4096, 0, true), RPC_OK,
                  "the last page of the map");
    expect_status(test, region_map_detach(space, WINDOW_BYTES - 4096), RPC_OK, "detach last");
    expect_status(test, attach_at(space, ds, SECOND_AT, 0, 16384, true),
                  RPC_ERR_REGION_CONFLICT, "offset at the dataspace's end");
    expect_status(test, attach_at(space, ds, SECOND_AT, 16384, 4096, true),
                  RPC_ERR_REGION_CONFLICT, "more than the dataspace holds");
    expect_status(test, attach_at(space, ds, SECOND_AT, 0, 100, true), RPC_ERR_REGION_CONFLICT,
                  "an unaligned offset");
    expect_status(test, attach_at(space, ds, SECOND_AT + 100, 0, 0, true),
                  RPC_ERR_INVALID_ARGUMENT, "an unaligned address");
    expect_status(test, attach_at(space, ds, SECOND_AT, 100, 4096, true), RPC_OK,
                  "a size rounded up to a page");
    expect_status(test, attach_at(space, ds, SECOND_AT + 4096, 0, 12288, true), RPC_OK,
                  "the rest after an offset");
    expect_status(test, region_map_detach(space, SECOND_AT), RPC_OK, "detach rounded");
    expect_status(test, region_map_detach(space, SECOND_AT + 4096), RPC_OK, "detach rest");
    expect_status(test, region_map_detach(space, SECOND_AT), RPC_ERR_OUT_OF_RANGE,
                  "detach where nothing is");
    expect_status(test, region_map_detach(space, 4096), RPC_ERR_DENIED, "detach the boot area");
    struct dataspace_cap not_one = {test->env->parent};
    expect_status(test, region_map_attach(space, not_one, &(struct region_map_attach){0},
                                          &(uint64_t){0}),
                  RPC_ERR_WRONG_CAP_TYPE, "a capability that is no dataspace");
    expect_status(test, region_map_detach(space, CONFLICT_AT), RPC_OK, "detach");
    expect_status(test, ram_free(test->ram.cap, ds), RPC_OK, "ram_free");
    /* Freed: its capability is gone, a stale copy is no dataspace. */
    say(test, "conflicts: ok ", 1);
}

static void check_quota_and_cycles(struct rm_test *test)
{
    struct rm_connection small;
    expect_status(test, rm_connection_open(test->env, "small", 64 * 1024, 2, &small), RPC_OK,
                  "rm session");
    struct dataspace_cap ds;
    expect_status(test, ram_alloc(test->ram.cap, 4096, &ds), RPC_OK, "ram_alloc");
    expect_status(test, attach_at(small.cap, ds, 0, 0, 0, true), RPC_OK, "region 1");
    expect_status(test, attach_at(small.cap, ds, 8192, 0, 0, true), RPC_OK, "region 2");
    expect_status(test, attach_at(small.cap, ds, 16384, 0, 0, true), RPC_ERR_OUT_OF_RAM,
                  "a region beyond the donation");
    expect_status(test, region_map_detach(small.cap, 0), RPC_OK, "detach region 1");
    expect_status(test, attach_at(small.cap, ds, 16384, 0, 0, true), RPC_OK,
                  "a region after one was detached");

    struct ram_connection tight;
    expect_status(test, ram_connection_open(test->env, "tight", 8192, &tight), RPC_OK,
                  "ram session");
    struct dataspace_cap big, fits, more;
    expect_status(test, ram_alloc(tight.cap, 12288, &big), RPC_ERR_OUT_OF_RAM,
                  "more memory than donated");
    expect_status(test, ram_alloc(tight.cap, 8192, &fits), RPC_OK, "what was donated");
    expect_status(test, ram_alloc(tight.cap, 4096, &more), RPC_ERR_OUT_OF_RAM,
                  "a page beyond the donation");
    expect_status(test, ram_free(test->ram.cap, fits), RPC_ERR_INVALID_DATASPACE,
                  "freeing another session's dataspace");
    expect_status(test, ram_connection_close(test->env, &tight), RPC_OK, "close ram session");
    expect(test, dataspace_size(fits) == 0, "a dataspace outlived its session");

    /* Cycles: a in b is fine; b in a, or a in a, would loop. */
    struct rm_connection a, b;
    expect_status(test, rm_connection_open(test->env, "a", 64 * 1024, 4, &a), RPC_OK, "rm a");
    expect_status(test, rm_connection_open(test->env, "b", 64 * 1024, 4, &b), RPC_OK, "rm b");
    struct dataspace_cap a_ds, b_ds;
    expect_status(test, region_map_dataspace(a.cap, &a_ds), RPC_OK, "a's dataspace");
    expect_status(test, region_map_dataspace(b.cap, &b_ds), RPC_OK, "b's dataspace");
    expect_status(test, attach_at(b.cap, a_ds, 0, 32 * 1024, 0, true), RPC_OK, "a in b");
    expect_status(test, attach_at(a.cap, b_ds, 0, 32 * 1024, 0, true), RPC_ERR_CYCLE,
                  "b in a, with a in b");
    expect_status(test, attach_at(a.cap, a_ds, 0, 32 * 1024, 0, true), RPC_ERR_CYCLE,
                  "a in itself");
    expect_status(test, region_map_detach(small.cap, 16384), RPC_OK, "detach region 3");
    expect_status(test, attach_at(small.cap, b_ds, 32 * 1024, 32 * 1024, 0, true), RPC_OK,
                  "b in a third map");
    /* Shared maps make a DAG, not a tree: a twice in b, b in small. A map
     * that contains a through both paths is still refused as a cycle. */
    expect_status(test, attach_at(b.cap, a_ds, 32 * 1024, 32 * 1024, 0, true), RPC_OK,
                  "a in b a second time");
    struct dataspace_cap small_ds;
    expect_status(test, region_map_dataspace(small.cap, &small_ds), RPC_OK, "small's dataspace");
    expect_status(test, attach_at(a.cap, small_ds, 0, 32 * 1024, 0, true), RPC_ERR_CYCLE,
                  "small in a, with a twice in b and b in small");
    sys_cap_delete(small_ds.index);
    expect_status(test, attach_at(a.cap, (struct dataspace_cap){CAP_INDEX_INVALID}, 0, 4096, 0, true),
                  RPC_ERR_MISSING_CAP, "no dataspace at all");
    expect_status(test, region_map_dataspace(test->space, &(struct dataspace_cap){0}),
                  RPC_ERR_DENIED, "an address space as a dataspace");
    expect_status(test, rm_connection_close(test->env, &a), RPC_OK, "close a");
    /* Its managed dataspace went with it: the capability is stale, and the
     * kernel refuses to carry a stale capability at all. */
    expect(test, dataspace_size(a_ds) == 0, "a closed map's dataspace lives on");
    expect(test, attach_at(b.cap, a_ds, 0, 4096, 0, true) != RPC_OK,
           "a closed map's dataspace was attached");
    expect_status(test, rm_connection_close(test->env, &b), RPC_OK, "close b");
    expect_status(test, rm_connection_close(test->env, &small), RPC_OK, "close small");
    sys_cap_delete(a_ds.index);
    sys_cap_delete(b_ds.index);
    expect_status(test, ram_free(test->ram.cap, ds), RPC_OK, "ram_free");
    say(test, "quota and cycles: ok ", 1);
}

/* ---- faults ------------------------------------------------------------------ */

void rm_test_faulter(struct env *env, void *arg)
{
    struct faulter *f = arg;
    if (f->write) {
        *f->address = 0x5a;
        f->seen = 0x5a;
    } else {
        f->seen = *f->address;
    }
    f->done = true;
}

static void faulter_start(struct rm_test *test, struct faulter *f, uint64_t at, bool write)
{
    f->test = test;
    f->address = env_local(test->env, at);
    f->write = write;
    f->done = false;
    f->seen = 0;
    if (f->stack == NULL)
        f->stack = env_alloc(test->env, FAULTER_STACK);
    DUET_ASSERT(f->stack != NULL);
    expect_status(test, cpu_thread_create(test->env, test->cpu.cap, &f->thread, rm_test_faulter,
                                          f, f->stack, FAULTER_STACK),
                  RPC_OK, "faulter thread");
}

static struct signal wait_signal(struct rm_test *test)
{
    struct signal signal = {0};
    enum sys_error error = sys_signal_wait(test->signals.receiver, true, &signal);
    expect(test, error == SYS_OK, "waiting for a fault signal failed");
    return signal;
}

static void yield_a_while(void)
{
    for (unsigned i = 0; i < 64; i++)
        sys_yield();
}

static void check_nested_faults(struct rm_test *test)
{
    struct rm_connection outer, inner;
    expect_status(test, rm_connection_open(test->env, "outer", OUTER_SIZE, 4, &outer), RPC_OK,
                  "outer map");
    expect_status(test, rm_connection_open(test->env, "inner", INNER_SIZE, 4, &inner), RPC_OK,
                  "inner map");
    struct dataspace_cap outer_ds, inner_ds, page;
    expect_status(test, region_map_dataspace(outer.cap, &outer_ds), RPC_OK, "outer dataspace");
    expect_status(test, region_map_dataspace(inner.cap, &inner_ds), RPC_OK, "inner dataspace");
    expect_status(test, attach_at(outer.cap, inner_ds, INNER_AT, 0, 0, true), RPC_OK,
                  "inner in outer");
    expect_status(test, attach_at(test->space, outer_ds, NESTED_AT, 0, 0, true), RPC_OK,
                  "outer in the address space");
    cap_index_t inner_sigh = CAP_INDEX_INVALID, outer_sigh = CAP_INDEX_INVALID;
    expect_status(test, signal_context_alloc(test->env, &test->signals, IMPRINT_INNER, &inner_sigh),
                  RPC_OK, "inner context");
    expect_status(test, signal_context_alloc(test->env, &test->signals, IMPRINT_OUTER, &outer_sigh),
                  RPC_OK, "outer context");
    expect_status(test, region_map_fault_handler(inner.cap, inner_sigh), RPC_OK, "inner handler");
    expect_status(test, region_map_fault_handler(outer.cap, outer_sigh), RPC_OK, "outer handler");

    /* Two threads read the same unattached page of the inner map. */
    uint64_t page_at = NESTED_AT + INNER_AT + 4096;
    faulter_start(test, &test->faulters[0], page_at, false);
    faulter_start(test, &test->faulters[1], page_at + 8, false);
    struct signal first = wait_signal(test);
    yield_a_while();   /* let the second one fault too */
    enum region_map_fault_type type = REGION_MAP_FAULT_NONE;
    uint64_t offset = 0;
    expect_status(test, region_map_fault(inner.cap, &type, &offset), RPC_OK, "inner fault");
    expect(test, first.imprint == IMPRINT_INNER, "the fault went to the outer map's handler");
    expect(test, type == REGION_MAP_FAULT_READ && offset == 4096, "inner fault state wrong");
    expect(test, !test->faulters[0].done && !test->faulters[1].done, "a faulter ran on");
    expect_status(test, region_map_fault(outer.cap, &type, &offset), RPC_OK, "outer fault");
    expect(test, type == REGION_MAP_FAULT_NONE, "the outer map has a fault");

    /* One attach covering the page resumes both. */
    expect_status(test, ram_alloc(test->ram.cap, 4096, &page), RPC_OK, "page");
    expect_status(test, attach_at(test->space, page, FIXED_AT, 0, 0, true), RPC_OK, "page here");
    ((uint8_t *)env_local(test->env, FIXED_AT))[0] = 0x11;
    ((uint8_t *)env_local(test->env, FIXED_AT))[8] = 0x22;
    expect_status(test, attach_at(inner.cap, page, 4096, 0, 0, false), RPC_OK,
                  "page in inner, read-only");
    yield_a_while();
    expect(test, test->faulters[0].done && test->faulters[0].seen == 0x11,
           "the first faulter did not resume with the page");
    expect(test, test->faulters[1].done && test->faulters[1].seen == 0x22,
           "the second faulter did not resume with the page");
    /* One submit per fault: two in all, in one delivery or two (signals
     * count), and none from the outer map. */
    uint64_t counted = first.count;
    struct signal more;
    while (sys_signal_wait(test->signals.receiver, false, &more) == SYS_OK) {
        expect(test, more.imprint == IMPRINT_INNER, "a signal from the outer map");
        counted += more.count;
    }
    expect(test, counted == 2, "two faults were not signalled exactly twice");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[1].thread);

    /* A write to the read-only page: a write fault at the inner map. */
    faulter_start(test, &test->faulters[0], page_at, true);
    struct signal write_signal = wait_signal(test);
    expect_status(test, region_map_fault(inner.cap, &type, &offset), RPC_OK, "write fault");
    expect(test, write_signal.imprint == IMPRINT_INNER && type == REGION_MAP_FAULT_WRITE &&
                     offset == 4096,
           "the write to a read-only page was not a write fault at the inner map");
    expect_status(test, region_map_detach(inner.cap, 4096), RPC_OK, "detach read-only");
    expect_status(test, attach_at(inner.cap, page, 4096, 0, 0, true), RPC_OK, "attach writable");
    yield_a_while();
    expect(test, test->faulters[0].done, "the writer did not resume");
    expect(test, ((uint8_t *)env_local(test->env, FIXED_AT))[0] == 0x5a,
           "the write did not reach the dataspace");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);

    /* A faulter killed while it waits is forgotten: the next fault in the
     * same map is the one REGION_MAP_FAULT reports. */
    faulter_start(test, &test->faulters[0], NESTED_AT + INNER_AT + 8192, false);
    (void)wait_signal(test);
    faulter_start(test, &test->faulters[1], NESTED_AT + INNER_AT + 12288, true);
    (void)wait_signal(test);
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);   /* the older */
    expect_status(test, region_map_fault(inner.cap, &type, &offset), RPC_OK, "after a kill");
    expect(test, type == REGION_MAP_FAULT_WRITE && offset == 12288,
           "a killed thread's fault was reported");
    expect_status(test, attach_at(inner.cap, page, 12288, 0, 0, true), RPC_OK, "page for it");
    yield_a_while();
    expect(test, test->faulters[1].done, "the live faulter did not resume");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[1].thread);
    expect_status(test, region_map_detach(inner.cap, 12288), RPC_OK, "detach it again");

    /* A fault in the outer map, outside the inner one. */
    faulter_start(test, &test->faulters[0], NESTED_AT + 4096, false);
    struct signal outer_signal = wait_signal(test);
    expect_status(test, region_map_fault(outer.cap, &type, &offset), RPC_OK, "outer fault");
    expect(test, outer_signal.imprint == IMPRINT_OUTER && type == REGION_MAP_FAULT_READ &&
                     offset == 4096,
           "a fault outside the inner map did not go to the outer map");
    expect_status(test, attach_at(outer.cap, page, 4096, 0, 0, false), RPC_OK, "page in outer");
    yield_a_while();
    expect(test, test->faulters[0].done && test->faulters[0].seen == 0x5a,
           "the outer faulter did not resume with the page");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);

    /* Detaching the inner map makes its pages fault again, at the outer map. */
    expect_status(test, region_map_detach(outer.cap, INNER_AT), RPC_OK, "detach inner");
    faulter_start(test, &test->faulters[0], page_at, false);
    struct signal again = wait_signal(test);
    expect(test, again.imprint == IMPRINT_OUTER, "a detached map still answered");
    /* Closing the map it waits on stops it; the rest runs on. */
    expect_status(test, rm_connection_close(test->env, &outer), RPC_OK, "close outer");
    yield_a_while();
    expect(test, !test->faulters[0].done, "a thread of a closed map resumed");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);

    expect_status(test, rm_connection_close(test->env, &inner), RPC_OK, "close inner");
    expect_status(test, region_map_detach(test->space, FIXED_AT), RPC_OK, "detach page");
    expect_status(test, ram_free(test->ram.cap, page), RPC_OK, "free page");
    sys_cap_delete(outer_ds.index);
    sys_cap_delete(inner_ds.index);
    signal_context_free(test->env, &test->signals, &inner_sigh);
    signal_context_free(test->env, &test->signals, &outer_sigh);
    say(test, "nested faults: ok ", 1);
}

/* A read-only attachment of a managed dataspace makes everything inside it
 * read-only, however the regions inside were attached. */
static void check_read_only_nesting(struct rm_test *test)
{
    struct rm_connection inner;
    struct dataspace_cap inner_ds, page;
    expect_status(test, rm_connection_open(test->env, "ro", 16 * 1024, 2, &inner), RPC_OK,
                  "rm ro");
    expect_status(test, region_map_dataspace(inner.cap, &inner_ds), RPC_OK, "ro dataspace");
    expect_status(test, ram_alloc(test->ram.cap, 4096, &page), RPC_OK, "ro page");
    expect_status(test, attach_at(inner.cap, page, 0, 0, 0, true), RPC_OK, "writable inside");
    expect_status(test, attach_at(test->space, inner_ds, CONFLICT_AT, 0, 0, false), RPC_OK,
                  "read-only outside");
    faulter_start(test, &test->faulters[0], CONFLICT_AT, false);
    yield_a_while();
    expect(test, test->faulters[0].done && test->faulters[0].seen == 0,
           "a read through a read-only attachment failed");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);
    faulter_start(test, &test->faulters[0], CONFLICT_AT, true);
    yield_a_while();
    expect(test, !test->faulters[0].done, "a write through a read-only attachment went through");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[0].thread);
    expect_status(test, region_map_detach(test->space, CONFLICT_AT), RPC_OK, "detach ro");
    expect_status(test, rm_connection_close(test->env, &inner), RPC_OK, "close ro");
    expect_status(test, ram_free(test->ram.cap, page), RPC_OK, "free ro page");
    sys_cap_delete(inner_ds.index);
    say(test, "read-only nesting: ok ", 1);
}

static void check_fault_without_handler(struct rm_test *test)
{
    faulter_start(test, &test->faulters[2], UNMAPPED_AT, false);
    yield_a_while();
    expect(test, !test->faulters[2].done, "a fault without a handler was not stopped");
    cpu_thread_kill(test->env, test->cpu.cap, &test->faulters[2].thread);
    say(test, "fault without a handler: stopped ", 1);
}

static bool rm_test_start(struct env *env, struct rm_test *test, uint64_t ram_bytes)
{
    test->env = env;
    return log_connection_open(env, &test->log) == RPC_OK &&
           env_address_space(env, &test->space) == RPC_OK &&
           ram_connection_open(env, "rm_test", ram_bytes, &test->ram) == RPC_OK;
}

void rm_test_main(struct env *env)
{
    struct rm_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    if (!rm_test_start(env, test, 64 * 1024) || cpu_connection_open(env, &test->cpu) != RPC_OK ||
        signal_connection_open(env, &test->signals) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    check_attach_and_see(test);
    check_conflicts(test);
    check_quota_and_cycles(test);
    check_nested_faults(test);
    check_read_only_nesting(test);
    check_fault_without_handler(test);
    if (test->failures == 0)
        log_write(env, test->log.cap, "region map checks passed");
    else
        say(test, "region map checks failed: ", test->failures);
    parent_exit(env, test->failures == 0 ? 0 : 1);
}

void rm_stress_main(struct env *env)
{
    struct rm_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    if (!rm_test_start(env, test, 4096)) {
        parent_exit(env, 1);
        return;
    }
    struct dataspace_cap ds;
    expect_status(test, ram_alloc(test->ram.cap, 4096, &ds), RPC_OK, "ram_alloc");
    struct region_map_attach attr = {.flags = RM_ATTACH_WRITABLE};
    for (uint32_t round = 1; round <= STRESS_ROUNDS && test->failures == 0; round++) {
        uint64_t at = 0;
        expect_status(test, region_map_attach(test->space, ds, &attr, &at), RPC_OK, "attach");
        volatile uint32_t *word = env_local(env, at);
        expect(test, *word == round - 1, "a round saw another round's value");
        *word = round;
        expect(test, *word == round, "a write did not stick");
        expect_status(test, region_map_detach(test->space, at), RPC_OK, "detach");
    }
    if (test->failures == 0)
        say(test, "attach/verify rounds passed: ", STRESS_ROUNDS);
    parent_exit(env, test->failures == 0 ? 0 : 1);
}
