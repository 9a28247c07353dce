/*
 * mman.c - anonymous mmap and munmap on region maps (sys/mman.h).
 *
 * Every mapping is an attachment in the component's address space (its
 * region map at core): RAM for readable memory, the reservation map's
 * managed dataspace for PROT_NONE, whose pages nothing ever resolves. A
 * hint is tried with RM_ATTACH_AT first; core answers
 * RPC_ERR_REGION_CONFLICT when the range is taken, and then core picks.
 */
#include "duet/assert.h"
#include "errno.h"
#include "libc_internal.h"
#include "sys/mman.h"

#define LIBC_MAP_FLAGS (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE)

static bool range_in_window(uint64_t at, uint64_t size)
{
    return at >= WINDOW_BOOT_BYTES && at <= WINDOW_BYTES && size <= WINDOW_BYTES - at;
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

static struct dataspace_cap mapping_ds(const struct libc *libc, const struct libc_mapping *m)
{
    return m->ds == LIBC_RESERVE ? libc->reserve_ds : libc->dataspaces[m->ds].ds;
}

static struct libc_mapping *mapping_free_slot(struct libc *libc)
{
    for (unsigned i = 0; i < LIBC_MAPPINGS_MAX; i++)
        if (!libc->mappings[i].in_use)
            return &libc->mappings[i];
    return NULL;
}

static enum rpc_status piece_attach(struct libc *libc, const struct libc_mapping *m)
{
    struct region_map_attach attr = {
        .size = m->size, .offset = m->offset, .at = m->at,
        .flags = RM_ATTACH_AT | (m->writable ? RM_ATTACH_WRITABLE : 0)};
    uint64_t at = 0;
    return region_map_attach(libc->space, mapping_ds(libc, m), &attr, &at);
}

static void dataspace_release(struct libc *libc, uint8_t index)
{
    if (index == LIBC_RESERVE)
        return;
    struct libc_dataspace *ds = &libc->dataspaces[index];
    DUET_ASSERT(ds->pieces > 0);
    if (--ds->pieces > 0)
        return;
    ram_free(libc->ram.cap, ds->ds);
    ds->ds.index = CAP_INDEX_INVALID;
}

static unsigned free_slots(const struct libc *libc)
{
    unsigned count = 0;
    for (unsigned i = 0; i < LIBC_MAPPINGS_MAX; i++)
        count += !libc->mappings[i].in_use;
    return count;
}

/* How many mapping slots unmapping [at, at + size) needs: one more for
 * each mapping it cuts in two. */
static unsigned slots_needed(const struct libc *libc, uint64_t at, uint64_t size)
{
    unsigned needed = 0;
    for (unsigned i = 0; i < LIBC_MAPPINGS_MAX; i++) {
        const struct libc_mapping *m = &libc->mappings[i];
        needed += m->in_use && m->at < at && m->at + m->size > at + size;
    }
    return needed;
}

/* Removes [at, at + size) from every mapping; what is left of a mapping
 * stays mapped (its pieces re-attached where they were). */
/* Cuts [at, at + size) out of one mapping: detaches it and attaches what
 * is left before and after the range. If the address space cannot take a
 * piece (its regions are used up by others' attachments), the whole
 * mapping is put back as it was and false returned: ENOMEM, nothing lost. */
static bool mapping_cut(struct libc *libc, struct libc_mapping *m, uint64_t at, uint64_t size)
{
    uint64_t end = at + size;
    struct libc_mapping whole = *m;
    enum rpc_status status = region_map_detach(libc->space, whole.at);
    DUET_ASSERT(status == RPC_OK);
    m->in_use = false;
    struct libc_mapping *made[2] = {NULL, NULL};
    unsigned pieces = 0;
    bool ok = true;
    if (whole.at < at) {   /* the part before the range */
        *m = whole;
        m->size = at - whole.at;
        ok = piece_attach(libc, m) == RPC_OK;
        if (ok)
            made[pieces++] = m;
        else
            m->in_use = false;
    }
    if (ok && whole.at + whole.size > end) {   /* the part after it */
        struct libc_mapping *after = pieces == 0 ? m : mapping_free_slot(libc);
        DUET_ASSERT(after != NULL);   /* slots_needed checked */
        *after = whole;
        after->at = end;
        after->size = whole.at + whole.size - end;
        after->offset = whole.offset + (end - whole.at);
        ok = piece_attach(libc, after) == RPC_OK;
        if (ok)
            made[pieces++] = after;
        else
            after->in_use = false;
    }
    if (!ok) {
        for (unsigned i = 0; i < pieces; i++) {
            region_map_detach(libc->space, made[i]->at);
            made[i]->in_use = false;
        }
        *m = whole;
        status = piece_attach(libc, m);
        DUET_ASSERT(status == RPC_OK);   /* its range was just its own */
        return false;
    }
    if (whole.ds != LIBC_RESERVE) {
        libc->dataspaces[whole.ds].pieces += pieces;
        dataspace_release(libc, whole.ds);
    }
    return true;
}

/* Removes [at, at + size) from every mapping; what is left of a mapping
 * stays mapped. False if a cut failed (see mapping_cut): the mappings
 * cut before it are gone, that one and those after are intact. */
static bool range_unmap(struct libc *libc, uint64_t at, uint64_t size)
{
    for (unsigned i = 0; i < LIBC_MAPPINGS_MAX; i++) {
        struct libc_mapping *m = &libc->mappings[i];
        if (m->in_use && overlaps(m->at, m->size, at, size) && !mapping_cut(libc, m, at, size))
            return false;
    }
    return true;
}

/* Memory the libc holds that a MAP_FIXED must not replace: the heap's. */
static bool range_holds_foreign(const struct libc *libc, uint64_t at, uint64_t size)
{
    for (unsigned i = 0; i < libc->heap.chunk_count; i++)
        if (overlaps(libc->heap.chunks[i].at, libc->heap.chunks[i].size, at, size))
            return true;
    return false;
}

static int anonymous_new(struct libc *libc, uint64_t size, int prot, struct libc_mapping *out)
{
    *out = (struct libc_mapping){.in_use = true, .size = size,
                                 .writable = (prot & PROT_WRITE) != 0, .ds = LIBC_RESERVE};
    if (prot == PROT_NONE) {
        out->writable = false;
        return 0;
    }
    for (uint8_t i = 0; i < LIBC_DATASPACES_MAX; i++) {
        struct libc_dataspace *ds = &libc->dataspaces[i];
        if (ds->ds.index != CAP_INDEX_INVALID)
            continue;
        if (ram_alloc(libc->ram.cap, size, &ds->ds) != RPC_OK) {
            ds->ds.index = CAP_INDEX_INVALID;
            return ENOMEM;
        }
        ds->pieces = 1;
        out->ds = i;
        return 0;
    }
    return ENOMEM;
}

static void *mmap_locked(struct libc *libc, void *addr, size_t length, int prot, int flags,
                         off_t offset)
{
    int kind = flags & (MAP_SHARED | MAP_PRIVATE);
    if (length == 0 || (flags & ~LIBC_MAP_FLAGS) != 0 ||
        (kind != MAP_SHARED && kind != MAP_PRIVATE) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
        offset < 0 || offset % PAGE_BYTES != 0 || length > WINDOW_BYTES) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (!(flags & MAP_ANONYMOUS)) {
        errno = ENODEV;   /* no files here */
        return MAP_FAILED;
    }
    uint64_t size = page_round_up(length);
    bool exact = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
    uint64_t at = addr == NULL ? 0 : (uint64_t)((uint8_t *)addr - (uint8_t *)libc->env);
    if (exact && (at % PAGE_BYTES != 0 || (uintptr_t)addr < (uintptr_t)libc->env)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (exact && (!range_in_window(at, size) || range_holds_foreign(libc, at, size))) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE)) {
        /* Room for the new mapping and for a mapping cut in two. On a later
         * failure (no memory) what was there is gone, as Linux allows. */
        if (free_slots(libc) < 1 + slots_needed(libc, at, size)) {
            errno = ENOMEM;
            return MAP_FAILED;
        }
        if (!range_unmap(libc, at, size)) {
            errno = ENOMEM;
            return MAP_FAILED;
        }
    }
    struct libc_mapping *slot = mapping_free_slot(libc);
    if (slot == NULL) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    struct libc_mapping mapping;
    int error = anonymous_new(libc, size, prot, &mapping);
    if (error != 0) {
        errno = error;
        return MAP_FAILED;
    }
    /* Where: exactly (FIXED, NOREPLACE), the hint if free, else anywhere. */
    enum rpc_status status = RPC_ERR_REGION_CONFLICT;
    bool hinted = addr != NULL && (uintptr_t)addr >= (uintptr_t)libc->env;
    uint64_t hint = at & ~(uint64_t)(PAGE_BYTES - 1);
    if (exact || (hinted && range_in_window(hint, size))) {
        mapping.at = exact ? at : hint;
        status = piece_attach(libc, &mapping);
    }
    if (status == RPC_ERR_REGION_CONFLICT && !exact) {
        struct region_map_attach attr = {.size = size,
                                         .flags = mapping.writable ? RM_ATTACH_WRITABLE : 0};
        status = region_map_attach(libc->space, mapping_ds(libc, &mapping), &attr, &mapping.at);
    }
    if (status != RPC_OK) {
        if (mapping.ds != LIBC_RESERVE)
            dataspace_release(libc, mapping.ds);
        errno = status == RPC_ERR_REGION_CONFLICT && (flags & MAP_FIXED_NOREPLACE) ? EEXIST : ENOMEM;
        return MAP_FAILED;
    }
    *slot = mapping;
    return env_local(libc->env, mapping.at);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    (void)fd;   /* anonymous: ignored, as Linux does */
    struct libc *libc = libc_self();
    enum lock_error locked = lock_acquire(&libc->lock);
    DUET_ASSERT(locked == LOCK_OK);
    void *result = mmap_locked(libc, addr, length, prot, flags, offset);
    lock_release(&libc->lock);
    return result;
}

int munmap(void *addr, size_t length)
{
    struct libc *libc = libc_self();
    uint64_t at = (uint64_t)((uint8_t *)addr - (uint8_t *)libc->env);
    uint64_t size = length > WINDOW_BYTES ? 0 : page_round_up(length);   /* no wrap */
    if (length == 0 || size == 0 || (uintptr_t)addr < (uintptr_t)libc->env ||
        at % PAGE_BYTES != 0 || !range_in_window(at, size)) {
        errno = EINVAL;
        return -1;
    }
    enum lock_error locked = lock_acquire(&libc->lock);
    DUET_ASSERT(locked == LOCK_OK);
    int result = 0;
    if (free_slots(libc) < slots_needed(libc, at, size)) {
        errno = ENOMEM;   /* as Linux, when a split needs a mapping it cannot have */
        result = -1;
    } else if (!range_unmap(libc, at, size)) {
        errno = ENOMEM;   /* as Linux, when a split needs a mapping it cannot have */
        result = -1;
    }
    lock_release(&libc->lock);
    return result;
}
