/*
 * rm_bench_component.c - the components of the region-map benchmark
 * (bench_rm.c): RM faults resolved by a handler, faults core resolves on
 * its own, and attach + detach alone.
 *
 * Every one starts with LOG and the "rounds" ROM (bench_component_setup),
 * its address space (env_address_space), a RAM session and one RAM page,
 * and ends by logging "<name>: N round trips" (bench_component_done).
 *
 * "rm_bench", the fault round trip. Setup: an RM session of RM_BENCH_MAP
 * bytes attached (as its managed dataspace) at RM_BENCH_MANAGED_AT, a
 * SIGNAL session whose context is the map's fault handler, and a handler
 * thread (rm_bench_fault_handler) made through a CPU session. A round:
 *   main:    reads the word at the map's page 0: nothing is attached
 *            there, so the thread faults and core queues it at the map
 *            and signals the handler
 *   handler: wait(receiver) -> 1; REGION_MAP_FAULT -> a read at 0;
 *            attaches the RAM page at 0, which resumes main; waits again
 *   main:    retries the read, faults again (attaching maps nothing), and
 *            core maps the page from the region; checks it sees the
 *            previous round's value, writes the next; detaches the page
 *            from the map (core unmaps it in the address space), so the
 *            next round faults again
 * The handler resolves exactly N faults and returns from its entry; at
 * the end main kills it (gone by then, or about to be), as signal_bench
 * does with its partner.
 *
 * "rm_bench_resolved", a fault core resolves: a round attaches the page
 * at RM_BENCH_PAGE_AT in the own address space, reads it (the first touch
 * faults; core maps it and resumes), writes the next value, detaches.
 *
 * "rm_bench_attach", attach + detach: a round attaches the page at
 * RM_BENCH_PAGE_AT and detaches it, without touching it.
 *
 * Every value read is checked against the previous round's (the page is
 * the same dataspace throughout), every fault against where it happened.
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench_component.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/parent.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"
#include "duet/signal_session.h"

enum {
    RM_BENCH_PAGE_AT = 0x100000,        /* the page, in the own address space   */
    RM_BENCH_MANAGED_AT = 0x200000,     /* the RM session's map, likewise       */
    RM_BENCH_MAP_BYTES = 16 * PAGE_BYTES,
    RM_BENCH_MAP_REGIONS = 2,
    RM_BENCH_STACK_BYTES = 16 * 1024,
    RM_BENCH_IMPRINT = 1,
};

DUET_STATIC_ASSERT(RM_BENCH_PAGE_AT >= WINDOW_BOOT_BYTES &&
                       RM_BENCH_PAGE_AT + PAGE_BYTES <= RM_BENCH_MANAGED_AT &&
                       RM_BENCH_MANAGED_AT + RM_BENCH_MAP_BYTES <= WINDOW_BYTES,
                   "the page and the map lie apart, above the boot area, in the window");

struct rm_bench {
    struct bench_component base;
    struct region_map_cap space;          /* the own address space            */
    struct ram_connection ram;
    struct dataspace_cap page;            /* one RAM page, attached each round */
    /* The fault round trip only: */
    struct rm_connection rm;              /* the map the faults happen in      */
    struct dataspace_cap managed;         /* rm, attached at RM_BENCH_MANAGED_AT */
    struct signal_connection faults;      /* the handler's receiver            */
    cap_index_t fault_context;            /* rm's fault handler                */
    struct cpu_connection cpu;
    struct cpu_thread handler;
    void *stack;
};

static enum rpc_status rm_bench_attach_at(struct region_map_cap rm, struct dataspace_cap ds,
                                          uint64_t at)
{
    struct region_map_attach attr = {.at = at, .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t where = 0;
    enum rpc_status status = region_map_attach(rm, ds, &attr, &where);
    DUET_ASSERT(status != RPC_OK || where == at);
    return status;
}

/* Reads the page's word (the access that faults), checks it holds the
 * previous round's value, and writes this round's. */
static void rm_bench_touch(volatile uint64_t *word, uint64_t round)
{
    uint64_t seen = *word;
    DUET_ASSERT(seen == round);
    *word = round + 1;
}

/* What all three do first: LOG, rounds, address space, RAM and its page. */
static bool rm_bench_setup_page(struct rm_bench *bench, struct env *env)
{
    DUET_ASSERT(bench != NULL && env != NULL);
    return bench_component_setup(&bench->base, env) &&
           env_address_space(env, &bench->space) == RPC_OK &&
           ram_connection_open(env, "rm_bench", PAGE_BYTES, &bench->ram) == RPC_OK &&
           ram_alloc(bench->ram.cap, PAGE_BYTES, &bench->page) == RPC_OK;
}

static struct rm_bench *rm_bench_create(struct env *env)
{
    struct rm_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    if (!rm_bench_setup_page(bench, env)) {
        parent_exit(env, 1);
        return NULL;
    }
    return bench;
}

/* ---- the fault round trip ------------------------------------------------- */

void rm_bench_fault_handler(struct env *env, void *arg)
{
    struct rm_bench *bench = arg;
    DUET_ASSERT(bench != NULL && bench->base.env == env);
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        struct signal signal = {0};
        enum sys_error error = sys_signal_wait(bench->faults.receiver, true, &signal);
        DUET_ASSERT(error == SYS_OK);
        DUET_ASSERT(signal.imprint == RM_BENCH_IMPRINT && signal.count == 1);
        enum region_map_fault_type type = REGION_MAP_FAULT_NONE;
        uint64_t offset = UINT64_MAX;
        enum rpc_status status = region_map_fault(bench->rm.cap, &type, &offset);
        DUET_ASSERT(status == RPC_OK && type == REGION_MAP_FAULT_READ && offset == 0);
        status = rm_bench_attach_at(bench->rm.cap, bench->page, offset);
        DUET_ASSERT(status == RPC_OK);
    }
}

static bool rm_bench_setup_faults(struct rm_bench *bench, struct env *env)
{
    if (rm_connection_open(env, "rm_bench", RM_BENCH_MAP_BYTES, RM_BENCH_MAP_REGIONS,
                           &bench->rm) != RPC_OK ||
        region_map_dataspace(bench->rm.cap, &bench->managed) != RPC_OK ||
        rm_bench_attach_at(bench->space, bench->managed, RM_BENCH_MANAGED_AT) != RPC_OK ||
        signal_connection_open(env, &bench->faults) != RPC_OK ||
        signal_context_alloc(env, &bench->faults, RM_BENCH_IMPRINT, &bench->fault_context) !=
            RPC_OK ||
        region_map_fault_handler(bench->rm.cap, bench->fault_context) != RPC_OK ||
        cpu_connection_open(env, &bench->cpu) != RPC_OK)
        return false;
    bench->stack = env_alloc(env, RM_BENCH_STACK_BYTES);
    return bench->stack != NULL &&
           cpu_thread_create(env, bench->cpu.cap, &bench->handler, rm_bench_fault_handler,
                             bench, bench->stack, RM_BENCH_STACK_BYTES) == RPC_OK;
}

void rm_bench_main(struct env *env)
{
    struct rm_bench *bench = rm_bench_create(env);
    if (bench == NULL)
        return;
    if (!rm_bench_setup_faults(bench, env)) {
        parent_exit(env, 1);
        return;
    }
    volatile uint64_t *word = env_local(env, RM_BENCH_MANAGED_AT);
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        rm_bench_touch(word, round);
        enum rpc_status status = region_map_detach(bench->rm.cap, 0);
        DUET_ASSERT(status == RPC_OK);
    }
    enum rpc_status status = cpu_thread_kill(env, bench->cpu.cap, &bench->handler);
    DUET_ASSERT(status == RPC_OK);
    bench_component_done(&bench->base, RM_BENCH_COMPONENT);
}

/* ---- faults core resolves, and attach + detach ----------------------------- */

void rm_bench_resolved_main(struct env *env)
{
    struct rm_bench *bench = rm_bench_create(env);
    if (bench == NULL)
        return;
    volatile uint64_t *word = env_local(env, RM_BENCH_PAGE_AT);
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        enum rpc_status status = rm_bench_attach_at(bench->space, bench->page, RM_BENCH_PAGE_AT);
        DUET_ASSERT(status == RPC_OK);
        rm_bench_touch(word, round);
        status = region_map_detach(bench->space, RM_BENCH_PAGE_AT);
        DUET_ASSERT(status == RPC_OK);
    }
    bench_component_done(&bench->base, RM_BENCH_RESOLVED_COMPONENT);
}

void rm_bench_attach_main(struct env *env)
{
    struct rm_bench *bench = rm_bench_create(env);
    if (bench == NULL)
        return;
    for (uint64_t round = 0; round < bench->base.rounds; round++) {
        enum rpc_status status = rm_bench_attach_at(bench->space, bench->page, RM_BENCH_PAGE_AT);
        DUET_ASSERT(status == RPC_OK);
        status = region_map_detach(bench->space, RM_BENCH_PAGE_AT);
        DUET_ASSERT(status == RPC_OK);
    }
    bench_component_done(&bench->base, RM_BENCH_ATTACH_COMPONENT);
}
