/*
 * rm_fuzzer.c - region maps driven by the fuzzer's bytes, under oracles
 * (fuzz target "rm", target_rm.c).
 *
 * The component keeps up to RMF_MAPS RM sessions (each attached in its own
 * address space at RMF_BASE + k * RMF_SLOT, each with a fault handler),
 * up to RMF_DATASPACES RAM dataspaces, and RMF_ACCESSORS threads that touch
 * memory through the maps when told to. The program (ROM "program") is a
 * sequence of 3-byte operations {op, a, b}:
 *     0 open map a%4 (size 16K..64K from b)   1 close map a%4
 *     2 allocate dataspace a%6 (1..4 pages)   3 free dataspace a%6
 *     4 attach dataspace b%6 in map a%4 at page (b>>3)%16, writable if a&0x80
 *     5 attach map b%4 into map a%4 at page (b>>2)%16 (nesting; maybe a cycle)
 *     6 detach in map a%4 at page b%16
 *     7 accessor a%2 reads (writes if a&0x80) page (b>>2)%16 of map b%4
 *     8 resolve the faults signalled so far
 * The main thread is the fault handler of every map: it resolves a fault
 * by attaching one writable page there (after detaching a read-only
 * region in the way).
 *
 * Oracles (assertions; they end the world as failed):
 *   - every attach and detach answers what a model of the maps predicts:
 *     RPC_ERR_CYCLE exactly when the attach would make a map contain
 *     itself, RPC_ERR_REGION_CONFLICT on overlaps and outside the map,
 *     RPC_ERR_OUT_OF_RAM beyond a session's regions, RPC_ERR_OUT_OF_RANGE
 *     for a detach where nothing is;
 *   - no fault is lost: at the end, resolving faults lets every accessor
 *     finish within a bound (a lost fault leaves one blocked forever);
 *   - no fault is delivered twice: core asserts that a thread waits in at
 *     most one fault queue, once;
 *   - core reaches quiescence within the target's step budget.
 * The success line is "rm oracles held".
 */
#include "duet/assert.h"
#include "duet/blockade.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"
#include "duet/rom_session.h"
#include "duet/signal_session.h"

enum {
    RMF_PROGRAM_MAX = 1024,
    RMF_MAPS = 4,
    RMF_DATASPACES = 6,
    RMF_ACCESSORS = 2,
    RMF_REGIONS = 8,                  /* each session's donation */
    RMF_BASE = 0x100000,
    RMF_SLOT = 64 * 1024,
    RMF_NEST_BYTES = 16 * 1024,
    RMF_STACK = 20 * 1024,
    RMF_SETTLE_ROUNDS = 2000,
    RMF_FILLER = -1,
};

struct rmf_region {
    uint32_t start, size;
    int8_t ds;                        /* dataspace index, RMF_FILLER, or -2: a map */
    int8_t map;                       /* map index if ds == -2 */
};

struct rmf_map {
    bool open;
    uint32_t size;
    struct rm_connection rm;
    struct dataspace_cap managed;
    struct rmf_region regions[RMF_REGIONS];
    unsigned count;
};

struct rm_fuzzer;

struct rmf_accessor {
    struct rm_fuzzer *fuzzer;
    struct cpu_thread thread;
    struct blockade go;
    volatile uint8_t *address;
    bool write;
    volatile bool busy;
    void *stack;
};

struct rm_fuzzer {
    struct env *env;
    struct log_connection log;
    struct region_map_cap space;
    struct ram_connection ram;
    struct cpu_connection cpu;
    struct signal_connection signals;
    cap_index_t contexts[RMF_MAPS];
    struct rmf_map maps[RMF_MAPS];
    struct dataspace_cap ds[RMF_DATASPACES];
    uint32_t ds_size[RMF_DATASPACES];
    struct dataspace_cap filler;
    struct rmf_accessor accessors[RMF_ACCESSORS];
    uint8_t program[RMF_PROGRAM_MAX];
    size_t length;
};

/* ---- the model --------------------------------------------------------------- */

static bool map_contains(const struct rm_fuzzer *f, unsigned outer, unsigned inner, unsigned depth)
{
    if (outer == inner)
        return true;
    DUET_ASSERT(depth <= RMF_MAPS);   /* the model is a forest too */
    const struct rmf_map *m = &f->maps[outer];
    for (unsigned i = 0; i < m->count; i++)
        if (m->regions[i].ds == -2 && map_contains(f, (unsigned)m->regions[i].map, inner, depth + 1))
            return true;
    return false;
}

static enum rpc_status predict_place(const struct rmf_map *m, uint32_t at, uint32_t size)
{
    if (at > m->size || size > m->size - at)
        return RPC_ERR_REGION_CONFLICT;
    for (unsigned i = 0; i < m->count; i++)
        if (at < m->regions[i].start + m->regions[i].size && m->regions[i].start < at + size)
            return RPC_ERR_REGION_CONFLICT;
    return m->count == RMF_REGIONS ? RPC_ERR_OUT_OF_RAM : RPC_OK;
}

static void model_add(struct rmf_map *m, struct rmf_region region)
{
    DUET_ASSERT(m->count < RMF_REGIONS);
    m->regions[m->count++] = region;
}

static void model_remove_at(struct rmf_map *m, unsigned index)
{
    m->regions[index] = m->regions[--m->count];
}

/* Drops every region for which `gone` holds (a freed dataspace, a closed map). */
static void model_forget(struct rm_fuzzer *f, int8_t ds, int8_t map)
{
    for (unsigned k = 0; k < RMF_MAPS; k++)
        for (unsigned i = 0; i < f->maps[k].count;) {
            const struct rmf_region *r = &f->maps[k].regions[i];
            if ((ds != -2 && r->ds == ds) || (ds == -2 && r->ds == -2 && r->map == map))
                model_remove_at(&f->maps[k], i);
            else
                i++;
        }
}

static int region_at(const struct rmf_map *m, uint32_t offset)
{
    for (unsigned i = 0; i < m->count; i++)
        if (offset >= m->regions[i].start && offset - m->regions[i].start < m->regions[i].size)
            return (int)i;
    return -1;
}

/* ---- accessors --------------------------------------------------------------- */

void rm_fuzzer_accessor(struct env *env, void *arg)
{
    struct rmf_accessor *a = arg;
    for (;;) {
        blockade_block(&a->go);
        if (a->write)
            *a->address = 0x77;
        else
            (void)*a->address;
        a->busy = false;
    }
}

static bool accessors_idle(const struct rm_fuzzer *f)
{
    for (unsigned i = 0; i < RMF_ACCESSORS; i++)
        if (f->accessors[i].busy)
            return false;
    return true;
}

/* ---- faults ------------------------------------------------------------------- */

static void fault_resolve(struct rm_fuzzer *f, unsigned k)
{
    struct rmf_map *m = &f->maps[k];
    if (!m->open)
        return;
    enum region_map_fault_type type = REGION_MAP_FAULT_NONE;
    uint64_t offset = 0;
    DUET_ASSERT(region_map_fault(m->rm.cap, &type, &offset) == RPC_OK);
    if (type == REGION_MAP_FAULT_NONE)
        return;   /* resolved meanwhile by an attach: a spurious signal */
    DUET_ASSERT(offset < m->size && offset % PAGE_BYTES == 0);
    int in_the_way = region_at(m, (uint32_t)offset);
    if (in_the_way >= 0) {
        /* Only a read-only RAM region can be in the way of a fault here. */
        DUET_ASSERT(type == REGION_MAP_FAULT_WRITE && m->regions[in_the_way].ds != -2);
        DUET_ASSERT(region_map_detach(m->rm.cap, offset) == RPC_OK);
        model_remove_at(m, (unsigned)in_the_way);
    }
    /* Out of regions: make room (the fault lies in none of them). */
    if (m->count == RMF_REGIONS) {
        DUET_ASSERT(region_map_detach(m->rm.cap, m->regions[0].start) == RPC_OK);
        model_remove_at(m, 0);
    }
    struct region_map_attach attr = {.at = offset, .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t at = 0;
    enum rpc_status status = region_map_attach(m->rm.cap, f->filler, &attr, &at);
    DUET_ASSERT(status == RPC_OK && predict_place(m, (uint32_t)offset, PAGE_BYTES) == RPC_OK);
    model_add(m, (struct rmf_region){(uint32_t)offset, PAGE_BYTES, RMF_FILLER, 0});
}

static void faults_resolve(struct rm_fuzzer *f)
{
    struct signal signal;
    while (sys_signal_wait(f->signals.receiver, false, &signal) == SYS_OK) {
        DUET_ASSERT(signal.imprint < RMF_MAPS && signal.count >= 1);
        for (uint64_t i = 0; i < signal.count; i++)
            fault_resolve(f, (unsigned)signal.imprint);
    }
}

/* No fault is lost: resolving what is signalled lets every accessor finish. */
static void settle(struct rm_fuzzer *f)
{
    for (unsigned round = 0; round < RMF_SETTLE_ROUNDS && !accessors_idle(f); round++) {
        faults_resolve(f);
        sys_yield();
    }
    DUET_ASSERT(accessors_idle(f));
}

/* ---- operations ----------------------------------------------------------------- */

static void op_open(struct rm_fuzzer *f, unsigned k, uint8_t b)
{
    struct rmf_map *m = &f->maps[k];
    if (m->open)
        return;
    m->size = (uint32_t)(16 * 1024 * (1 + b % 4));
    DUET_ASSERT(rm_connection_open(f->env, "map", m->size, RMF_REGIONS, &m->rm) == RPC_OK);
    DUET_ASSERT(region_map_dataspace(m->rm.cap, &m->managed) == RPC_OK);
    DUET_ASSERT(region_map_fault_handler(m->rm.cap, f->contexts[k]) == RPC_OK);
    struct region_map_attach attr = {.at = RMF_BASE + k * RMF_SLOT,
                                     .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t at = 0;
    DUET_ASSERT(region_map_attach(f->space, m->managed, &attr, &at) == RPC_OK);
    m->open = true;
    m->count = 0;
}

static void op_close(struct rm_fuzzer *f, unsigned k)
{
    struct rmf_map *m = &f->maps[k];
    if (!m->open)
        return;
    settle(f);   /* a thread waiting on the map would be stopped with it */
    /* The handler capability went to core; the context stays ours. */
    DUET_ASSERT(rm_connection_close(f->env, &m->rm) == RPC_OK);
    DUET_ASSERT(dataspace_size(m->managed) == 0);   /* gone with its map */
    sys_cap_delete(m->managed.index);
    m->open = false;
    model_forget(f, -2, (int8_t)k);
    /* Its place in the address space was detached by core. */
    DUET_ASSERT(region_map_detach(f->space, RMF_BASE + k * RMF_SLOT) == RPC_ERR_OUT_OF_RANGE);
}

static void op_alloc(struct rm_fuzzer *f, unsigned j, uint8_t b)
{
    if (f->ds[j].index != CAP_INDEX_INVALID)
        return;
    f->ds_size[j] = (uint32_t)(PAGE_BYTES * (1 + b % 4));
    DUET_ASSERT(ram_alloc(f->ram.cap, f->ds_size[j], &f->ds[j]) == RPC_OK);
}

static void op_free(struct rm_fuzzer *f, unsigned j)
{
    if (f->ds[j].index == CAP_INDEX_INVALID)
        return;
    DUET_ASSERT(ram_free(f->ram.cap, f->ds[j]) == RPC_OK);
    f->ds[j].index = CAP_INDEX_INVALID;
    model_forget(f, (int8_t)j, 0);
}

static void op_attach(struct rm_fuzzer *f, unsigned k, unsigned j, uint32_t at, bool writable)
{
    struct rmf_map *m = &f->maps[k];
    if (!m->open || f->ds[j].index == CAP_INDEX_INVALID)
        return;
    struct region_map_attach attr = {.at = at,
                                     .flags = RM_ATTACH_AT | (writable ? RM_ATTACH_WRITABLE : 0)};
    uint64_t where = 0;
    enum rpc_status status = region_map_attach(m->rm.cap, f->ds[j], &attr, &where);
    DUET_ASSERT(status == predict_place(m, at, f->ds_size[j]));
    if (status == RPC_OK)
        model_add(m, (struct rmf_region){at, f->ds_size[j], (int8_t)j, 0});
}

static void op_nest(struct rm_fuzzer *f, unsigned k, unsigned inner, uint32_t at)
{
    struct rmf_map *m = &f->maps[k];
    if (!m->open || !f->maps[inner].open)
        return;
    uint32_t size = f->maps[inner].size < RMF_NEST_BYTES ? f->maps[inner].size : RMF_NEST_BYTES;
    struct region_map_attach attr = {.size = size, .at = at,
                                     .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t where = 0;
    enum rpc_status status = region_map_attach(m->rm.cap, f->maps[inner].managed, &attr, &where);
    enum rpc_status expected = map_contains(f, inner, k, 0) ? RPC_ERR_CYCLE
                                                             : predict_place(m, at, size);
    DUET_ASSERT(status == expected);
    if (status == RPC_OK)
        model_add(m, (struct rmf_region){at, size, -2, (int8_t)inner});
}

static void op_detach(struct rm_fuzzer *f, unsigned k, uint32_t at)
{
    struct rmf_map *m = &f->maps[k];
    if (!m->open)
        return;
    int index = region_at(m, at);
    enum rpc_status status = region_map_detach(m->rm.cap, at);
    DUET_ASSERT(status == (index >= 0 ? RPC_OK : RPC_ERR_OUT_OF_RANGE));
    if (index >= 0)
        model_remove_at(m, (unsigned)index);
}

static void op_access(struct rm_fuzzer *f, unsigned t, unsigned k, uint32_t page, bool write)
{
    struct rmf_accessor *a = &f->accessors[t];
    const struct rmf_map *m = &f->maps[k];
    if (a->busy || !m->open || page * PAGE_BYTES >= m->size)
        return;
    a->address = env_local(f->env, RMF_BASE + k * RMF_SLOT + page * PAGE_BYTES);
    a->write = write;
    a->busy = true;
    blockade_wakeup(&a->go);
}

static void run(struct rm_fuzzer *f)
{
    for (size_t at = 0; at + 3 <= f->length; at += 3) {
        uint8_t op = f->program[at] % 9, a = f->program[at + 1], b = f->program[at + 2];
        switch (op) {
        case 0: op_open(f, a % RMF_MAPS, b); break;
        case 1: op_close(f, a % RMF_MAPS); break;
        case 2: op_alloc(f, a % RMF_DATASPACES, b); break;
        case 3: op_free(f, a % RMF_DATASPACES); break;
        case 4: op_attach(f, a % RMF_MAPS, b % RMF_DATASPACES, (uint32_t)((b >> 3) % 16) * PAGE_BYTES,
                          (a & 0x80) != 0);
                break;
        case 5: op_nest(f, a % RMF_MAPS, b % RMF_MAPS, (uint32_t)((b >> 2) % 16) * PAGE_BYTES); break;
        case 6: op_detach(f, a % RMF_MAPS, (uint32_t)(b % 16) * PAGE_BYTES); break;
        case 7: op_access(f, a % RMF_ACCESSORS, b % RMF_MAPS, (uint32_t)((b >> 2) % 16),
                          (a & 0x80) != 0);
                break;
        default: faults_resolve(f); break;
        }
    }
    settle(f);
}

static void start(struct rm_fuzzer *f)
{
    struct env *env = f->env;
    struct rom_connection rom;
    DUET_ASSERT(rom_connection_open(env, "program", &rom) == RPC_OK);
    DUET_ASSERT(rom_read_all(env, rom.cap, f->program, sizeof f->program, &f->length) == RPC_OK);
    DUET_ASSERT(rom_connection_close(env, &rom) == RPC_OK);
    DUET_ASSERT(log_connection_open(env, &f->log) == RPC_OK);
    DUET_ASSERT(env_address_space(env, &f->space) == RPC_OK);
    DUET_ASSERT(ram_connection_open(env, "rm_fuzzer", (RMF_DATASPACES * 4 + 1) * PAGE_BYTES,
                                    &f->ram) == RPC_OK);
    DUET_ASSERT(ram_alloc(f->ram.cap, PAGE_BYTES, &f->filler) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &f->cpu) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &f->signals) == RPC_OK);
    for (unsigned k = 0; k < RMF_MAPS; k++)
        DUET_ASSERT(signal_context_alloc(env, &f->signals, k, &f->contexts[k]) == RPC_OK);
    for (unsigned j = 0; j < RMF_DATASPACES; j++)
        f->ds[j].index = CAP_INDEX_INVALID;
    for (unsigned t = 0; t < RMF_ACCESSORS; t++) {
        struct rmf_accessor *a = &f->accessors[t];
        a->fuzzer = f;
        blockade_init(&a->go);
        a->stack = env_alloc(env, RMF_STACK);
        DUET_ASSERT(a->stack != NULL);
        DUET_ASSERT(cpu_thread_create(env, f->cpu.cap, &a->thread, rm_fuzzer_accessor, a,
                                      a->stack, RMF_STACK) == RPC_OK);
    }
}

void rm_fuzzer_main(struct env *env)
{
    struct rm_fuzzer *f = env_alloc(env, sizeof *f);
    DUET_ASSERT(f != NULL);
    f->env = env;
    start(f);
    run(f);
    for (unsigned k = 0; k < RMF_MAPS; k++)
        op_close(f, k);
    log_write(env, f->log.cap, "rm oracles held");
    parent_exit(env, 0);
}
