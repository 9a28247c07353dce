/*
 * core_rm.c - region maps, the pager, and managed dataspaces.
 *
 * Every PD core starts gets an address-space region map (its window);
 * RM sessions get empty ones. A map is a sorted array of regions, each a
 * RAM dataspace (by its kernel id) or another map (a managed dataspace).
 * Nothing is mapped when attaching: the kernel calls core (the pager, on
 * core's endpoint with BADGE_PAGER) on the first access, and core looks
 * the fault up through the maps, level by level:
 *   - a RAM region: map all of it that is visible at the faulting place
 *     (clipped by every level's region) and resume the thread;
 *   - nothing attached, or a write to a read-only region: the fault belongs
 *     to the innermost map reached. If it has a handler, the thread waits
 *     there (its saved reply queued FIFO) and the handler gets one signal;
 *     an attach covering the offset later resumes every waiter, which then
 *     faults again and is mapped. Without a handler core logs the fault
 *     and the thread is stopped.
 * Detaching unmaps the region wherever it is visible: in the PD of an
 * address space, or through every map that has this one attached.
 *
 * Cycles: attaching map M into map R is refused if R is M or lies inside
 * M at any depth, so the maps always form a forest. Lookups still stop at
 * REGION_MAP_DEPTH_MAX levels (Genode's answer to the same problem), which
 * bounds core's work for any structure a client can build.
 */
#include "core.h"

#include "duet/region_map.h"
#include "duet/string.h"
#include "duet/text.h"
#include "hal/event.h"

static uint32_t rm_index(const struct core *core, const struct core_rm *rm)
{
    return (uint32_t)(rm - core->rms);
}

void core_memory_init(struct core *core)
{
    struct env *env = core->env;
    range_allocator_init(&core->phys, core->phys_nodes, DUET_ARRAY_COUNT(core->phys_nodes));
    enum range_error error = range_allocator_add_range(&core->phys, 0, env->ram_bytes);
    DUET_ASSERT(error == RANGE_OK);
    enum sys_error sys = sys_pager_set(env->pd_factory, core->endpoint,
                                       badge_make(BADGE_PAGER, 0));
    DUET_ASSERT(sys == SYS_OK);
}

struct core_rm *core_rm_create(struct core *core, bool address_space, uint16_t pd_id,
                               cap_index_t pd_cap, uint64_t size,
                               struct quota_account *account)
{
    unsigned sessions = 0;
    for (size_t i = 0; i < CORE_RMS_MAX; i++)
        sessions += core->rms[i].in_use && !core->rms[i].address_space;
    if (!address_space && sessions == CORE_RM_SESSIONS_MAX)
        return NULL;   /* the rest is the address spaces' */
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *rm = &core->rms[i];
        if (rm->in_use)
            continue;
        duet_memset(rm, 0, sizeof *rm);
        rm->in_use = true;
        rm->address_space = address_space;
        rm->pd_id = pd_id;
        rm->pd_cap = pd_cap;
        rm->size = size;
        rm->account = account;
        if (address_space) {
            /* The PD session paid for a full table of regions. */
            rm->own_account.limit = REGION_MAP_REGIONS_MAX * REGION_MAP_REGION_COST;
            rm->account = &rm->own_account;
            /* The boot area is the PD's own memory, never detachable. */
            rm->regions[0] = (struct core_region){.start = 0, .size = WINDOW_BOOT_BYTES,
                                                  .boot = true};
            rm->region_count = 1;
        }
        return rm;
    }
    return NULL;
}

struct core_rm *core_address_space_create(struct core *core, uint16_t pd_id, cap_index_t pd_cap)
{
    struct core_rm *rm = core_rm_create(core, true, pd_id, pd_cap, WINDOW_BYTES, NULL);
    if (rm == NULL)
        return NULL;
    if (sys_cap_mint(core->endpoint, badge_make(BADGE_ADDRESS_SPACE, rm_index(core, rm)),
                     &rm->cap) != SYS_OK) {
        duet_memset(rm, 0, sizeof *rm);
        return NULL;
    }
    return rm;
}

struct core_rm *core_rm_of_pd(struct core *core, uint16_t pd_id)
{
    for (size_t i = 0; i < CORE_RMS_MAX; i++)
        if (core->rms[i].in_use && core->rms[i].address_space && core->rms[i].pd_id == pd_id)
            return &core->rms[i];
    return NULL;
}

/* ---- lookup --------------------------------------------------------------- */

static struct core_region *region_at(struct core_rm *rm, uint64_t offset)
{
    for (unsigned i = 0; i < rm->region_count; i++) {
        struct core_region *r = &rm->regions[i];
        if (offset >= r->start && offset - r->start < r->size)
            return r;
        if (r->start > offset)
            break;
    }
    return NULL;
}

/* Where a fault ends up. */
struct fault_lookup {
    struct core_rm *rm;          /* the innermost map reached            */
    uint64_t offset;             /* the fault's offset in that map       */
    const struct core_region *leaf;   /* the RAM region, if one was found */
    uint64_t lo, hi;             /* outer range the leaf is visible in   */
    int64_t delta;               /* outer = inner (in rm) + delta        */
    bool too_deep;
    bool writable;               /* every region on the way is writable  */
    struct core_rm *read_only_rm;   /* the innermost read-only region's map, */
    uint64_t read_only_offset;      /* and the fault's offset in it          */
};

static void fault_lookup(struct core *core, struct core_rm *outer, uint64_t offset,
                         struct fault_lookup *out)
{
    *out = (struct fault_lookup){.rm = outer, .offset = offset, .lo = 0, .hi = outer->size,
                                 .writable = true};
    for (unsigned depth = 0;; depth++) {
        const struct core_region *r = region_at(out->rm, out->offset);
        if (r == NULL || r->boot)
            return;
        /* A read-only attachment makes all below it read-only, however
         * the maps inside were attached: a write there is that map's fault. */
        if (!r->writable) {
            out->writable = false;
            out->read_only_rm = out->rm;
            out->read_only_offset = out->offset;
        }
        uint64_t r_lo = (uint64_t)((int64_t)r->start + out->delta);
        uint64_t r_hi = r_lo + r->size;
        out->lo = out->lo > r_lo ? out->lo : r_lo;
        out->hi = out->hi < r_hi ? out->hi : r_hi;
        if (r->ds != 0) {
            out->leaf = r;
            return;
        }
        if (depth + 1 >= REGION_MAP_DEPTH_MAX) {
            out->too_deep = true;
            return;
        }
        /* Into the nested map: its offset is r->offset + (x - r->start). */
        out->delta += (int64_t)r->start - (int64_t)r->offset;
        out->offset = r->offset + (out->offset - r->start);
        out->rm = &core->rms[r->rm - 1];
    }
}

/* ---- the pager ------------------------------------------------------------ */

static void fault_log(struct core *core, const char *what, uint64_t pd, uint64_t offset)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "core: ");
    text_append(&text, what);
    text_append(&text, " (pd ");
    text_append_u64(&text, pd);
    text_append(&text, ", offset ");
    text_append_hex(&text, offset);
    text_append(&text, "): thread stopped");
    core_console_line(core, NULL, line);
}

/* A thread that faults now waits for nothing else, so an entry of its id
 * still queued is a dead thread's whose slot was reused: its saved reply
 * must be stale. Answering a live one here would mean a fault delivered
 * twice (a fuzz oracle). */
static void faulters_purge(struct core *core, uint16_t thread)
{
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *rm = &core->rms[i];
        unsigned kept = 0;
        for (unsigned j = 0; rm->in_use && j < rm->faulter_count; j++) {
            struct core_faulter *f = &rm->faulters[j];
            if (f->thread != thread) {
                rm->faulters[kept++] = *f;
                continue;
            }
            struct ipc_message *m = ipc_buffer();
            *m = (struct ipc_message){.label = PAGER_STOP};
            enum sys_error sent = sys_reply_send(f->reply, m);
            DUET_ASSERT(sent != SYS_OK);
            sys_cap_delete(f->reply);
        }
        if (rm->in_use)
            rm->faulter_count = kept;
    }
}

/* Maps what a fault at `offset` of the PD's address space finds, if it
 * finds RAM that allows the access; *found tells what it found. */
static bool fault_map(struct core *core, struct core_rm *space, uint64_t offset, bool write,
                      struct fault_lookup *found)
{
    fault_lookup(core, space, offset, found);
    if (found->too_deep || found->leaf == NULL || (write && !found->writable))
        return false;
    const struct core_region *r = found->leaf;
    uint64_t leaf_start = (uint64_t)((int64_t)r->start + found->delta);
    uint64_t ds_offset = r->offset + (found->lo - leaf_start);
    return sys_map(core->env->pd_factory, space->pd_cap, r->ds, ds_offset, found->lo,
                   found->hi - found->lo, found->writable) == SYS_OK;
}

/* Drops waiting faulters whose thread is gone (its saved reply stale):
 * else they would be reported by REGION_MAP_FAULT and fill the queue. */
static void faulters_prune_stale(struct core_rm *rm)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < rm->faulter_count; i++) {
        enum cap_type type = CAP_TYPE_NONE;
        if (sys_cap_type(rm->faulters[i].reply, &type) != SYS_OK) {
            sys_cap_delete(rm->faulters[i].reply);
            continue;
        }
        rm->faulters[kept++] = rm->faulters[i];
    }
    rm->faulter_count = kept;
}

void core_page_fault(struct core *core, const struct ipc_message *request,
                     struct ipc_message *reply)
{
    reply->label = PAGER_STOP;
    if (request->label != PAGER_FAULT || request->word_count != 4)
        return;
    uint16_t pd_id = (uint16_t)request->word[0];
    uint64_t offset = request->word[2];
    bool write = request->word[3] != 0;
    struct core_rm *space = core_rm_of_pd(core, pd_id);
    if (space == NULL) {
        fault_log(core, "a page fault in a PD core does not page", pd_id, offset);
        return;
    }
    struct fault_lookup found;
    if (fault_map(core, space, offset, write, &found)) {
        reply->label = PAGER_RESUME;
        return;
    }
    if (found.too_deep) {
        fault_log(core, "giving up on unexpectedly deep memory-mapping structure", pd_id, offset);
        return;
    }
    if (found.leaf != NULL && !(write && !found.writable)) {
        fault_log(core, "a mapping the kernel refused", pd_id, offset);
        return;
    }
    /* A write below a read-only region is the fault of that region's map;
     * anything else of the innermost map reached. */
    bool write_denied = found.leaf != NULL && write && !found.writable;
    if (write_denied) {
        found.rm = found.read_only_rm;
        found.offset = found.read_only_offset;
    }
    struct core_rm *rm = found.rm;
    enum cap_type type = CAP_TYPE_NONE;
    if (rm->fault_handler != CAP_INDEX_INVALID && sys_cap_type(rm->fault_handler, &type) != SYS_OK) {
        /* Its signal context was dissolved: no handler any more. */
        sys_cap_delete(rm->fault_handler);
        rm->fault_handler = CAP_INDEX_INVALID;
    }
    if (rm->fault_handler == CAP_INDEX_INVALID) {
        fault_log(core, write_denied ? "a write to a read-only region, no fault handler"
                                     : "an unresolved page fault, no fault handler",
                  pd_id, offset);
        return;
    }
    faulters_prune_stale(rm);
    if (rm->faulter_count == CORE_RM_FAULTERS_MAX) {
        fault_log(core, "too many threads waiting on one region map", pd_id, offset);
        return;
    }
    uint16_t thread = (uint16_t)request->word[1];
    faulters_purge(core, thread);
    cap_index_t saved = CAP_INDEX_INVALID;
    if (sys_reply_save(&saved) != SYS_OK) {
        fault_log(core, "no room to keep a faulting thread waiting", pd_id, offset);
        return;
    }
    rm->faulters[rm->faulter_count++] = (struct core_faulter){
        .reply = saved, .offset = (uint32_t)(found.offset & ~(uint64_t)(PAGE_BYTES - 1u)),
        .space_offset = (uint32_t)offset, .write = write, .pd = pd_id, .thread = thread};
    core->reply_saved = true;
    hal_event(HAL_EVENT_RM_FAULT, rm_index(core, rm), found.offset, write, rm->faulter_count,
              NULL, 0);
    sys_signal_submit(rm->fault_handler, 1);
}

/* Answers the faulters of `rm` waiting in [lo, hi) (or all), in queue
 * order. Resumed ones get their page mapped first, so that their retry
 * does not fault a second time only to be mapped then. */
static unsigned faulters_answer(struct core *core, struct core_rm *rm, uint64_t lo, uint64_t hi,
                                bool all, uint64_t verdict)
{
    unsigned answered = 0, kept = 0;
    for (unsigned i = 0; i < rm->faulter_count; i++) {
        struct core_faulter f = rm->faulters[i];
        if (!all && !(f.offset >= lo && f.offset < hi)) {
            rm->faulters[kept++] = f;
            continue;
        }
        struct core_rm *space = verdict == PAGER_RESUME ? core_rm_of_pd(core, f.pd) : NULL;
        struct fault_lookup found;
        if (space != NULL)
            fault_map(core, space, f.space_offset, f.write, &found);
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = verdict};
        sys_reply_send(f.reply, m);   /* the thread may be gone: fine */
        sys_cap_delete(f.reply);
        answered++;
    }
    rm->faulter_count = kept;
    return answered;
}

/* After an attach anywhere: every waiting faulter whose access resolves
 * now (through whatever maps) is mapped and resumed, also one queued in a
 * map that has since been detached from the path (its handler attached
 * memory one level up instead). */
static unsigned faulters_resume_resolved(struct core *core)
{
    unsigned resumed = 0;
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *rm = &core->rms[i];
        unsigned kept = 0;
        for (unsigned j = 0; rm->in_use && j < rm->faulter_count; j++) {
            struct core_faulter f = rm->faulters[j];
            struct core_rm *space = core_rm_of_pd(core, f.pd);
            struct fault_lookup found;
            if (space == NULL || !fault_map(core, space, f.space_offset, f.write, &found)) {
                rm->faulters[kept++] = f;
                continue;
            }
            struct ipc_message *m = ipc_buffer();
            *m = (struct ipc_message){.label = PAGER_RESUME};
            sys_reply_send(f.reply, m);
            sys_cap_delete(f.reply);
            resumed++;
        }
        if (rm->in_use)
            rm->faulter_count = kept;
    }
    return resumed;
}

/* ---- flushing: unmap a range of a map wherever it is visible --------------- */

static void flush(struct core *core, struct core_rm *rm, uint64_t lo, uint64_t hi, unsigned depth)
{
    if (lo >= hi || depth > REGION_MAP_DEPTH_MAX)
        return;
    if (rm->address_space) {
        if (lo < WINDOW_BOOT_BYTES)
            lo = WINDOW_BOOT_BYTES;
        if (lo < hi)
            sys_unmap(core->env->pd_factory, rm->pd_cap, lo, hi - lo);
        return;
    }
    uint8_t self = (uint8_t)(rm_index(core, rm) + 1);
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *outer = &core->rms[i];
        if (!outer->in_use)
            continue;
        for (unsigned j = 0; j < outer->region_count; j++) {
            const struct core_region *r = &outer->regions[j];
            if (r->rm != self)
                continue;
            uint64_t a = lo > r->offset ? lo : r->offset;
            uint64_t b = hi < r->offset + r->size ? hi : r->offset + r->size;
            if (a < b)
                flush(core, outer, r->start + (a - r->offset), r->start + (b - r->offset),
                      depth + 1);
        }
    }
}

static void region_remove(struct core *core, struct core_rm *rm, unsigned index)
{
    struct core_region r = rm->regions[index];
    for (unsigned i = index; i + 1 < rm->region_count; i++)
        rm->regions[i] = rm->regions[i + 1];
    rm->region_count--;
    quota_give_back(rm->account, REGION_MAP_REGION_COST);
    flush(core, rm, r.start, r.start + r.size, 0);
}

void core_rm_forget_dataspace(struct core *core, uint32_t ds_id)
{
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *rm = &core->rms[i];
        for (unsigned j = 0; rm->in_use && j < rm->region_count;) {
            if (rm->regions[j].ds == ds_id)
                region_remove(core, rm, j);
            else
                j++;
        }
    }
}

void core_rm_destroy(struct core *core, struct core_rm *rm)
{
    uint8_t self = (uint8_t)(rm_index(core, rm) + 1);
    /* Out of every map it is attached to, then empty it. */
    for (size_t i = 0; i < CORE_RMS_MAX; i++) {
        struct core_rm *outer = &core->rms[i];
        for (unsigned j = 0; outer->in_use && j < outer->region_count;) {
            if (outer->regions[j].rm == self)
                region_remove(core, outer, j);
            else
                j++;
        }
    }
    while (rm->region_count > 0 && !rm->regions[rm->region_count - 1].boot)
        region_remove(core, rm, rm->region_count - 1);
    faulters_answer(core, rm, 0, 0, true, PAGER_STOP);
    for (unsigned i = 0; i < rm->managed_count; i++)
        sys_dataspace_destroy(core->env->pd_factory, rm->managed[i]);
    if (rm->fault_handler != CAP_INDEX_INVALID)
        sys_cap_delete(rm->fault_handler);
    if (rm->cap != CAP_INDEX_INVALID) {
        sys_cap_revoke(rm->cap);
        sys_cap_delete(rm->cap);
    }
    duet_memset(rm, 0, sizeof *rm);
}

/* ---- the region-map interface ----------------------------------------------- */

/* Is `inner` (at any depth) inside `outer`, or the same map? A map can be
 * attached many times in another (the maps form a DAG of shared maps), so
 * each map is visited once: the walk is linear in the maps and regions,
 * never in the paths, however a client arranges them. */
static bool rm_contains_walk(struct core *core, const struct core_rm *outer,
                             const struct core_rm *inner, uint64_t *visited)
{
    if (outer == inner)
        return true;
    uint32_t index = rm_index(core, outer);
    if (*visited & (UINT64_C(1) << index))
        return false;
    *visited |= UINT64_C(1) << index;
    for (unsigned i = 0; i < outer->region_count; i++)
        if (outer->regions[i].rm != 0 &&
            rm_contains_walk(core, &core->rms[outer->regions[i].rm - 1], inner, visited))
            return true;
    return false;
}

static bool rm_contains(struct core *core, const struct core_rm *outer, const struct core_rm *inner)
{
    DUET_STATIC_ASSERT(CORE_RMS_MAX <= 64, "a visited set of 64 bits");
    uint64_t visited = 0;
    return rm_contains_walk(core, outer, inner, &visited);
}

static bool range_free(const struct core_rm *rm, uint64_t at, uint64_t size)
{
    if (at > rm->size || size > rm->size - at)
        return false;
    for (unsigned i = 0; i < rm->region_count; i++) {
        const struct core_region *r = &rm->regions[i];
        if (at < (uint64_t)r->start + r->size && r->start < at + size)
            return false;
    }
    return true;
}

/* The lowest free place at the size's natural alignment (at most 1 MiB),
 * else at smaller ones down to a page. */
static bool place_find(const struct core_rm *rm, uint64_t size, uint64_t *out_at)
{
    uint64_t align = PAGE_BYTES;
    while (align < size && align < (UINT64_C(1) << 20))
        align <<= 1;
    for (; align >= PAGE_BYTES; align >>= 1) {
        /* Candidates: the map's start and the end of every region. */
        for (unsigned i = 0; i <= rm->region_count; i++) {
            uint64_t from = i == 0 ? 0 : (uint64_t)rm->regions[i - 1].start + rm->regions[i - 1].size;
            uint64_t at = (from + align - 1) & ~(align - 1);
            if (range_free(rm, at, size)) {
                *out_at = at;
                return true;
            }
        }
    }
    return false;
}

static enum rpc_status rm_perform_REGION_MAP_ATTACH(void *server, void *session,
                                                    const struct ipc_message *request,
                                                    struct ipc_message *reply)
{
    struct core *core = server;
    struct core_rm *rm = session;
    struct dataspace_info info;
    if (sys_dataspace_info(request->cap, &info) != SYS_OK)
        return RPC_ERR_INVALID_DATASPACE;
    uint64_t size = request->word[0], offset = request->word[1], at = request->word[2];
    uint64_t flags = request->word[3];
    bool writable = (flags & RM_ATTACH_WRITABLE) != 0;
    if ((flags & ~(RM_ATTACH_AT | RM_ATTACH_WRITABLE)) != 0)
        return RPC_ERR_INVALID_ARGUMENT;
    struct core_rm *nested = NULL;
    if (info.flags & DATASPACE_MANAGED) {
        if (info.imprint >= CORE_RMS_MAX || !core->rms[info.imprint].in_use)
            return RPC_ERR_INVALID_DATASPACE;
        nested = &core->rms[info.imprint];
        if (rm_contains(core, nested, rm))
            return RPC_ERR_CYCLE;
    }
    if (writable && (info.flags & DATASPACE_READ_ONLY))
        return RPC_ERR_INVALID_DATASPACE;
    if ((offset & (PAGE_BYTES - 1u)) != 0 || offset >= info.size)
        return RPC_ERR_REGION_CONFLICT;
    if (size == 0)
        size = info.size - offset;
    if (size > info.size - offset)   /* before rounding: a huge size would wrap */
        return RPC_ERR_REGION_CONFLICT;
    size = page_round_up(size);
    if (size > info.size - offset)
        return RPC_ERR_REGION_CONFLICT;
    if (flags & RM_ATTACH_AT) {
        if ((at & (PAGE_BYTES - 1u)) != 0)
            return RPC_ERR_INVALID_ARGUMENT;
        if (!range_free(rm, at, size))
            return RPC_ERR_REGION_CONFLICT;
    } else if (!place_find(rm, size, &at)) {
        return RPC_ERR_REGION_CONFLICT;
    }
    if (rm->region_count == REGION_MAP_REGIONS_MAX ||
        !quota_take(rm->account, REGION_MAP_REGION_COST))
        return RPC_ERR_OUT_OF_RAM;

    unsigned index = 0;
    while (index < rm->region_count && rm->regions[index].start < at)
        index++;
    for (unsigned i = rm->region_count; i > index; i--)
        rm->regions[i] = rm->regions[i - 1];
    rm->regions[index] = (struct core_region){
        .start = (uint32_t)at, .size = (uint32_t)size, .offset = (uint32_t)offset,
        .ds = nested ? 0 : (uint16_t)info.id,
        .rm = nested ? (uint8_t)(rm_index(core, nested) + 1) : 0, .writable = writable};
    rm->region_count++;
    /* The range was free, so nothing of it is mapped anywhere: the first
     * access faults and is mapped then. Wake whoever waits for it. */
    unsigned resumed = faulters_answer(core, rm, at, at + size, false, PAGER_RESUME);
    resumed += faulters_resume_resolved(core);
    hal_event(HAL_EVENT_RM_RESOLVE, rm_index(core, rm), at, size, resumed, NULL, 0);
    reply->word_count = 1;
    reply->word[0] = at;
    return RPC_OK;
}

static enum rpc_status rm_perform_REGION_MAP_DETACH(void *server, void *session,
                                                    const struct ipc_message *request,
                                                    struct ipc_message *reply)
{
    struct core_rm *rm = session;
    uint64_t at = request->word[0];
    for (unsigned i = 0; i < rm->region_count; i++) {
        const struct core_region *r = &rm->regions[i];
        if (at >= r->start && at - r->start < r->size) {
            if (r->boot)
                return RPC_ERR_DENIED;
            region_remove(server, rm, i);
            return RPC_OK;
        }
    }
    return RPC_ERR_OUT_OF_RANGE;
}

static enum rpc_status rm_perform_REGION_MAP_FAULT_HANDLER(void *server, void *session,
                                                           const struct ipc_message *request,
                                                           struct ipc_message *reply)
{
    struct core *core = server;
    struct core_rm *rm = session;
    if (rm->fault_handler != CAP_INDEX_INVALID)
        sys_cap_delete(rm->fault_handler);
    rm->fault_handler = request->cap;
    core->request_cap_kept = true;
    /* Faults that waited for a handler are news to the new one. */
    if (rm->faulter_count > 0)
        sys_signal_submit(rm->fault_handler, rm->faulter_count);
    return RPC_OK;
}

static enum rpc_status rm_perform_REGION_MAP_FAULT(void *server, void *session,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    struct core_rm *rm = session;
    faulters_prune_stale(rm);
    reply->word_count = 2;
    if (rm->faulter_count == 0)
        return RPC_OK;
    reply->word[0] = rm->faulters[0].write ? REGION_MAP_FAULT_WRITE : REGION_MAP_FAULT_READ;
    reply->word[1] = rm->faulters[0].offset;
    return RPC_OK;
}

static enum rpc_status rm_perform_REGION_MAP_DATASPACE(void *server, void *session,
                                                       const struct ipc_message *request,
                                                       struct ipc_message *reply)
{
    struct core *core = server;
    struct core_rm *rm = session;
    if (rm->address_space)
        return RPC_ERR_DENIED;   /* a window is no dataspace */
    if (rm->managed_count == CORE_RM_MANAGED_MAX)
        return RPC_ERR_OUT_OF_RESOURCES;
    cap_index_t cap = CAP_INDEX_INVALID;
    enum sys_error error = sys_dataspace_create(core->env->pd_factory, 0, rm->size,
                                                rm_index(core, rm), DATASPACE_MANAGED, &cap);
    if (error != SYS_OK)
        return RPC_ERR_OUT_OF_RESOURCES;
    struct dataspace_info info;
    sys_dataspace_info(cap, &info);
    rm->managed[rm->managed_count++] = info.id;
    DUET_ASSERT(core->reply_drop == CAP_INDEX_INVALID);
    reply->cap = cap;
    core->reply_drop = cap;   /* the client's copy is the only one kept */
    return RPC_OK;
}

#define RM_HANDLER(...) RPC_HANDLER(rm_perform, __VA_ARGS__)
static const struct rpc_handler rm_handlers[] = {REGION_MAP_RPCS(RM_HANDLER)};

void core_rm_dispatch(struct core *core, struct core_rm *rm, const struct ipc_message *message,
                      struct ipc_message *reply)
{
    rpc_dispatch(rm_handlers, DUET_ARRAY_COUNT(rm_handlers), core, rm, message, reply);
}
