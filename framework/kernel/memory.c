/*
 * memory.c - dataspaces, the pages of windows, and page faults.
 *
 * The kernel knows memory only as dataspaces (ranges of the platform's
 * physical memory, or managed dataspaces that stand for a region map and
 * have none) and as the page entries of each window. Policy (which
 * dataspace appears where, what a fault means) is core's: core creates
 * dataspaces, maps and unmaps pages (all with the PD-factory capability),
 * and is the pager every page fault goes to. The kernel keeps the page
 * entries so that it knows what it may touch for a PD, and so that
 * destroying a dataspace takes it out of every window.
 *
 * A page fault is a call to the pager that the kernel makes for the
 * faulting thread, with a frame and message in the thread's kernel
 * struct: core sees an ordinary request, can answer it at once or save
 * the reply (a thread waiting for a region-map fault handler), and its
 * answer resumes or stops the thread.
 */
#include "kernel.h"

#include "duet/string.h"
#include "hal/memory.h"
#include "kernel/kernel_platform.h"

static bool page_aligned(uint64_t value)
{
    return (value & (PAGE_BYTES - 1u)) == 0;
}

/* [offset, offset + size) is page aligned, non-empty and lies in the part
 * of the window above the boot area. */
static bool window_range_valid(uint64_t offset, uint64_t size)
{
    return page_aligned(offset) && page_aligned(size) && size > 0 &&
           offset >= KERNEL_BOOT_SIZE && offset <= KERNEL_WINDOW_SIZE &&
           size <= KERNEL_WINDOW_SIZE - offset;
}

bool kernel_running_pd_writable(const struct kernel *k, const void *p, size_t size)
{
    const struct pd *pd = &k->pds[k->threads[k->current].pd];
    uintptr_t start = (uintptr_t)pd->window, at = (uintptr_t)p;
    if (!pd_user_readable(pd, p, size))
        return false;
    uint64_t first = at - start, last = first + size - 1;
    for (uint64_t page = first / PAGE_BYTES; page <= last / PAGE_BYTES; page++)
        if (page * PAGE_BYTES >= KERNEL_BOOT_SIZE && !pd->pages[page].writable)
            return false;
    return true;
}

bool kernel_running_pd_readable(const struct kernel *k, const void *p, size_t size)
{
    return pd_user_readable(&k->pds[k->threads[k->current].pd], p, size);
}

bool pd_user_readable(const struct pd *pd, const void *p, size_t size)
{
    uintptr_t start = (uintptr_t)pd->window, at = (uintptr_t)p;
    if (p == NULL || size == 0 || at < start || size > KERNEL_WINDOW_SIZE ||
        at - start > KERNEL_WINDOW_SIZE - size)
        return false;
    uint64_t first = at - start, last = first + (size > 0 ? size - 1 : 0);
    for (uint64_t page = first / PAGE_BYTES; page <= last / PAGE_BYTES; page++)
        if (page * PAGE_BYTES >= KERNEL_BOOT_SIZE && pd->pages[page].ds == 0)
            return false;
    return true;
}

/* Unmaps the pages [first, first + count) of a window, traced as one
 * range per run of mapped pages, and tells the platform. */
static void pages_unmap(struct pd *pd, uint16_t pd_id, uint64_t first, uint64_t count,
                        uint16_t only_ds)
{
    uint64_t run = 0;
    for (uint64_t page = first; page <= first + count; page++) {
        bool hit = page < first + count && pd->pages[page].ds != 0 &&
                   (only_ds == 0 || pd->pages[page].ds == only_ds);
        if (hit) {
            pd->pages[page] = (struct page_entry){0};
            run++;
            continue;
        }
        if (run > 0) {
            uint64_t start = (page - run) * PAGE_BYTES;
            hal_unmap(pd->window, start, run * PAGE_BYTES);
            hal_event(HAL_EVENT_UNMAP, pd_id, start, run * PAGE_BYTES, 0, NULL, 0);
            run = 0;
        }
    }
}

static enum sys_error factory_check(struct kernel *k, uint64_t index)
{
    struct cap_node *factory = NULL;
    return cspace_lookup(k, current_pd(k), (cap_index_t)index, KOBJ_PD_FACTORY, &factory);
}

void sys_dataspace_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *caller = current_pd(k);
    uint64_t phys = frame->arg[1], size = frame->arg[2];
    uint32_t imprint = (uint32_t)frame->arg[3], flags = (uint32_t)(frame->arg[3] >> 32);
    bool managed = (flags & DATASPACE_MANAGED) != 0;
    enum sys_error error = factory_check(k, frame->arg[0]);
    if (error == SYS_OK &&
        ((flags & ~(DATASPACE_MANAGED | DATASPACE_READ_ONLY)) != 0 || !page_aligned(size) ||
         size == 0 || size > KERNEL_WINDOW_SIZE || !page_aligned(phys) ||
         (managed ? phys != 0 : phys > hal_ram_bytes() || size > hal_ram_bytes() - phys)))
        error = SYS_ERR_INVALID_ARGUMENT;
    uint16_t id = 0;
    for (uint16_t i = 1; error == SYS_OK && i <= KERNEL_DATASPACES_MAX && id == 0; i++)
        if (!k->dataspaces[i].in_use)
            id = i;
    if (error == SYS_OK && id == 0)
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error == SYS_OK && !cspace_has_room(k, caller))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    k->dataspaces[id] = (struct dataspace){.in_use = true, .flags = flags, .imprint = imprint,
                                           .phys = managed ? 0 : phys, .size = size};
    if (!managed)
        hal_ram_clear(phys, size);
    hal_event(HAL_EVENT_DATASPACE_CREATE, id, size, flags, imprint, NULL, 0);
    frame_result(frame, SYS_OK, cap_create(k, caller, KOBJ_DATASPACE, id, CAP_INDEX_INVALID));
}

void sys_dataspace_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint64_t id = frame->arg[1];
    enum sys_error error = factory_check(k, frame->arg[0]);
    if (error == SYS_OK && (id == 0 || id > KERNEL_DATASPACES_MAX || !k->dataspaces[id].in_use))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    for (uint16_t pd_id = 1; pd_id <= KERNEL_PDS_MAX; pd_id++)
        if (k->pds[pd_id].in_use)
            pages_unmap(&k->pds[pd_id], pd_id, KERNEL_BOOT_SIZE / PAGE_BYTES,
                        KERNEL_WINDOW_PAGES - KERNEL_BOOT_SIZE / PAGE_BYTES, (uint16_t)id);
    k->dataspaces[id] = (struct dataspace){0};
    cap_revoke_object(k, KOBJ_DATASPACE, (uint16_t)id);
    hal_event(HAL_EVENT_DATASPACE_DESTROY, id, 0, 0, 0, NULL, 0);
    frame_result(frame, SYS_OK, 0);
}

void sys_dataspace_info_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0],
                                         KOBJ_DATASPACE, &cap);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    const struct dataspace *ds = &k->dataspaces[cap->object];
    DUET_ASSERT(ds->in_use);
    frame_result(frame, SYS_OK, ds->size);
    frame->result[2] = (uint64_t)cap->object | (uint64_t)(ds->flags & 0xffffu) << 16 |
                       (uint64_t)ds->imprint << 32;
}

static enum sys_error pd_target(struct kernel *k, uint64_t index, struct pd **out_pd,
                                uint16_t *out_id)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)index, KOBJ_PD, &cap);
    if (error != SYS_OK)
        return error;
    DUET_ASSERT(k->pds[cap->object].in_use);
    *out_pd = &k->pds[cap->object];
    *out_id = cap->object;
    return SYS_OK;
}

void sys_map_perform(struct kernel *k, struct syscall_frame *frame)
{
    const struct ipc_message *m = frame->message;
    struct pd *pd = NULL;
    uint16_t pd_id = 0;
    enum sys_error error = factory_check(k, frame->arg[0]);
    if (error == SYS_OK)
        error = pd_target(k, frame->arg[1], &pd, &pd_id);
    if (error == SYS_OK && (!pd_boot_contains(current_pd(k), m, sizeof *m) || m->word_count != 5))
        error = SYS_ERR_INVALID_ARGUMENT;
    uint64_t ds_id = 0, ds_offset = 0, offset = 0, size = 0;
    bool writable = false;
    if (error == SYS_OK) {
        ds_id = m->word[0];
        ds_offset = m->word[1];
        offset = m->word[2];
        size = m->word[3];
        writable = m->word[4] != 0;
        const struct dataspace *ds = ds_id >= 1 && ds_id <= KERNEL_DATASPACES_MAX
                                         ? &k->dataspaces[ds_id] : NULL;
        if (ds == NULL || !ds->in_use || (ds->flags & DATASPACE_MANAGED) != 0 ||
            (writable && (ds->flags & DATASPACE_READ_ONLY) != 0) ||
            !window_range_valid(offset, size) || !page_aligned(ds_offset) ||
            ds_offset > ds->size || size > ds->size - ds_offset)
            error = SYS_ERR_INVALID_ARGUMENT;
    }
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    const struct dataspace *ds = &k->dataspaces[ds_id];
    for (uint64_t i = 0; i < size / PAGE_BYTES; i++)
        pd->pages[offset / PAGE_BYTES + i] = (struct page_entry){
            .ds = (uint16_t)ds_id, .writable = writable,
            .page = (uint16_t)(ds_offset / PAGE_BYTES + i)};
    hal_map(pd->window, offset, ds->phys + ds_offset, size, writable);
    hal_event(HAL_EVENT_MAP, pd_id, offset, size, ds_id | (uint64_t)writable << 32, NULL, 0);
    frame_result(frame, SYS_OK, 0);
}

void sys_unmap_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = NULL;
    uint16_t pd_id = 0;
    uint64_t offset = frame->arg[2], size = frame->arg[3];
    enum sys_error error = factory_check(k, frame->arg[0]);
    if (error == SYS_OK)
        error = pd_target(k, frame->arg[1], &pd, &pd_id);
    if (error == SYS_OK && !window_range_valid(offset, size))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error == SYS_OK)
        pages_unmap(pd, pd_id, offset / PAGE_BYTES, size / PAGE_BYTES, 0);
    frame_result(frame, error, 0);
}

void sys_pager_set_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *endpoint = NULL;
    enum sys_error error = factory_check(k, frame->arg[0]);
    if (error == SYS_OK)
        error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[1], KOBJ_ENDPOINT,
                              &endpoint);
    if (error == SYS_OK && endpoint->badge != 0)
        error = SYS_ERR_DENIED;
    if (error == SYS_OK) {
        k->pager_endpoint = endpoint->object;
        k->pager_badge = frame->arg[2];
    }
    frame_result(frame, error, 0);
}

void kernel_entry_page_fault(struct kernel *k, const void *address, bool write)
{
    DUET_ASSERT(k->magic == KERNEL_MAGIC);
    struct thread *t = current_thread(k);
    DUET_ASSERT(t->state == THREAD_READY);
    struct pd *pd = current_pd(k);
    k->entries++;
    uintptr_t start = (uintptr_t)pd->window, at = (uintptr_t)address;
    if (at < start || at - start >= KERNEL_WINDOW_SIZE)   /* no host address traced */
        kernel_entry_fault(k, KERNEL_FAULT_PAGE, 0, "an access outside its window");
    uint64_t offset = at - start;
    hal_event(HAL_EVENT_PAGE_FAULT, offset, write, t->pd, 0, NULL, 0);
    /* Nobody pages core, and a fault in the boot area cannot be resolved. */
    if (k->pager_endpoint == 0 || !k->endpoints[k->pager_endpoint].in_use ||
        t->pd == KERNEL_CORE_PD || offset < KERNEL_BOOT_SIZE)
        kernel_entry_fault(k, KERNEL_FAULT_PAGE, offset, "a page fault nobody resolves");

    t->fault_message = (struct ipc_message){
        .label = PAGER_FAULT, .word_count = 4,
        .word = {t->pd, k->current, offset & ~(uint64_t)(PAGE_BYTES - 1u), write ? 1u : 0u}};
    t->fault_frame = (struct syscall_frame){.number = SYSCALL_CALL};
    t->frame = &t->fault_frame;
    t->message = &t->fault_message;
    ipc_call_endpoint(k, k->pager_endpoint, k->pager_badge, (struct cap_slot){0, 0});
    sched_schedule(k, false);
    /* Resumed: by the pager's answer, or because the call failed. */
    DUET_ASSERT(current_thread(k) == t && t->state == THREAD_READY);
    if (t->fault_frame.result[0] != SYS_OK || t->fault_message.label != PAGER_RESUME)
        kernel_entry_fault(k, KERNEL_FAULT_PAGE, offset, "an unresolved page fault");
}
