/*
 * kernel.c - kernel creation, boot, and the system-call dispatcher.
 *
 * kernel_create places struct kernel in memory the platform owns (the sim
 * keeps it in its world arena, so a world can be reset by restoring it).
 * kernel_run starts core, the first component, in PD 1 with the PD-factory
 * and IRQ-control capabilities, and switches to it. Every system call
 * enters through kernel_entry_syscall: one table keyed by the call number,
 * then the scheduling point.
 */
#include "kernel.h"

#include "duet/string.h"
#include "hal/irq.h"
#include "hal/memory.h"
#include "hal/world.h"
#include "kernel/kernel_platform.h"

size_t kernel_state_size(void)
{
    return sizeof(struct kernel);
}

struct kernel *kernel_create(void *memory, size_t size)
{
    DUET_ASSERT(memory != NULL && size >= sizeof(struct kernel));
    DUET_ASSERT(((uintptr_t)memory & 15u) == 0);
    struct kernel *k = memory;
    /* Everything but the PDs' page entries (pd_create zeroes a PD's) and
     * the capability nodes (node_alloc zeroes one the first time it hands
     * it out): most of the kernel's size, and a world is made per fuzz exec. */
    uint8_t *bytes = memory;
    size_t at = 0;
    for (size_t i = 0; i <= KERNEL_PDS_MAX; i++) {
        size_t pages = (size_t)((uint8_t *)k->pds[i].pages - bytes);
        duet_memset(bytes + at, 0, pages - at);
        at = pages + sizeof k->pds[i].pages;
    }
    size_t nodes = (size_t)((uint8_t *)k->cap_nodes - bytes);
    DUET_ASSERT(nodes >= at);
    duet_memset(bytes + at, 0, nodes - at);
    at = nodes + sizeof k->cap_nodes;
    duet_memset(bytes + at, 0, sizeof *k - at);
    k->cap_nodes[0] = (struct cap_node){0};   /* "no node", read as such */
    k->magic = KERNEL_MAGIC;
    return k;
}

enum {
    CORE_SLOT_PD_FACTORY = CAP_SLOT_FIRST_FREE,
    CORE_SLOT_IRQ_CONTROL,
    CORE_SLOT_IO_PORTS,
};

void kernel_run(struct kernel *k, struct hal_context *boot_context)
{
    DUET_ASSERT(k->magic == KERNEL_MAGIC && k->current == 0);
    k->boot_context = boot_context;
    size_t components = 0;
    size_t modules = 0;
    hal_boot_components(&components);
    hal_boot_modules(&modules);
    hal_event(HAL_EVENT_BOOT, components, modules, 0, 0, NULL, 0);
    hal_irq_init();

    enum sys_error error = SYS_OK;
    uint16_t core = pd_create(k, KERNEL_CORE_NAME, 0, &error);
    if (core != KERNEL_CORE_PD)
        hal_panic(__func__, "cannot start core: no component named \"core\" or no memory");
    struct pd *pd = &k->pds[core];
    cap_create(k, pd, KOBJ_PD_FACTORY, 0, CORE_SLOT_PD_FACTORY);
    cap_create(k, pd, KOBJ_IRQ_CONTROL, 0, CORE_SLOT_IRQ_CONTROL);
    cap_index_t io = cap_create(k, pd, KOBJ_IO_PORT, 0, CORE_SLOT_IO_PORTS);
    k->cap_nodes[pd->caps[io].node].badge = KERNEL_IO_PORTS;   /* all of them */
    pd->env->parent = CAP_INDEX_INVALID;
    pd->env->pd_factory = CORE_SLOT_PD_FACTORY;
    pd->env->irq_control = CORE_SLOT_IRQ_CONTROL;
    pd->env->io_ports = CORE_SLOT_IO_PORTS;
    pd->env->ram_bytes = hal_ram_bytes();

    uint16_t first = queue_pop(k, &k->ready);
    DUET_ASSERT(first != 0);
    k->current = first;
    hal_event(HAL_EVENT_THREAD_SWITCH, 0, first, 1, 0, NULL, 0);
    hal_context_switch(boot_context, &thread_of(k, first)->context);
    /* The platform switches back here only when the world has ended. */
}

void kernel_entry_syscall(struct kernel *k, struct syscall_frame *frame)
{
    DUET_ASSERT(k->magic == KERNEL_MAGIC);
    DUET_ASSERT(current_thread(k)->state == THREAD_READY);
    k->entries++;
    /* The kernel writes the results through the frame: one outside the
     * caller's window is the caller's fault, and it cannot be told so. */
    if (!pd_boot_contains(current_pd(k), frame, sizeof *frame))   /* no host address traced */
        kernel_entry_fault(k, KERNEL_FAULT_BAD_FRAME, 0, "a system call's frame outside its window");
    hal_event(HAL_EVENT_KERNEL_ENTRY, frame->number, 0, 0, 0, NULL, 0);
    frame_result(frame, SYS_OK, 0);

    switch (frame->number) {
    case SYSCALL_CALL:            sys_call_perform(k, frame); break;
    case SYSCALL_REPLY_WAIT:      sys_reply_wait_perform(k, frame); break;
    case SYSCALL_ENDPOINT_CREATE: sys_endpoint_create_perform(k, frame); break;
    case SYSCALL_CAP_MINT:        sys_cap_mint_perform(k, frame); break;
    case SYSCALL_CAP_DELETE:      sys_cap_delete_perform(k, frame); break;
    case SYSCALL_PD_CREATE:       sys_pd_create_perform(k, frame); break;
    case SYSCALL_IRQ_CREATE:      sys_irq_create_perform(k, frame); break;
    case SYSCALL_IRQ_WAIT:        sys_irq_wait_perform(k, frame); break;
    case SYSCALL_YIELD:           break;
    case SYSCALL_THREAD_EXIT:     sys_thread_exit_perform(k); break;
    case SYSCALL_CAP_REVOKE:      sys_cap_revoke_perform(k, frame); break;
    case SYSCALL_PD_DESTROY:      sys_pd_destroy_perform(k, frame); break;
    case SYSCALL_IO_PORT_NARROW:  sys_io_port_narrow_perform(k, frame); break;
    case SYSCALL_THREAD_CREATE:   sys_thread_create_perform(k, frame); break;
    case SYSCALL_THREAD_DESTROY:  sys_thread_destroy_perform(k, frame); break;
    case SYSCALL_SIGNAL_RECEIVER_CREATE:  sys_signal_receiver_create_perform(k, frame); break;
    case SYSCALL_SIGNAL_RECEIVER_DESTROY: sys_signal_receiver_destroy_perform(k, frame); break;
    case SYSCALL_SIGNAL_CONTEXT_CREATE:   sys_signal_context_create_perform(k, frame); break;
    case SYSCALL_SIGNAL_CONTEXT_DESTROY:  sys_signal_context_destroy_perform(k, frame); break;
    case SYSCALL_SIGNAL_SUBMIT:   sys_signal_submit_perform(k, frame); break;
    case SYSCALL_SIGNAL_WAIT:     sys_signal_wait_perform(k, frame); break;
    case SYSCALL_FUTEX_WAIT:      sys_futex_wait_perform(k, frame); break;
    case SYSCALL_FUTEX_WAKE:      sys_futex_wake_perform(k, frame); break;
    case SYSCALL_IRQ_DESTROY:     sys_irq_destroy_perform(k, frame); break;
    case SYSCALL_REPLY_SAVE:      sys_reply_save_perform(k, frame); break;
    case SYSCALL_REPLY_SEND:      sys_reply_send_perform(k, frame); break;
    case SYSCALL_DATASPACE_CREATE:  sys_dataspace_create_perform(k, frame); break;
    case SYSCALL_DATASPACE_DESTROY: sys_dataspace_destroy_perform(k, frame); break;
    case SYSCALL_DATASPACE_INFO:  sys_dataspace_info_perform(k, frame); break;
    case SYSCALL_MAP:             sys_map_perform(k, frame); break;
    case SYSCALL_UNMAP:           sys_unmap_perform(k, frame); break;
    case SYSCALL_PAGER_SET:       sys_pager_set_perform(k, frame); break;
    case SYSCALL_CAP_TYPE:        sys_cap_type_perform(k, frame); break;
    default:                      frame_result(frame, SYS_ERR_INVALID_SYSCALL, 0); break;
    }
    if (current_thread(k)->state == THREAD_READY && frame->result[0] != SYS_OK)
        hal_event(HAL_EVENT_SYSCALL_ERROR, frame->number, frame->result[0], 0, 0, NULL, 0);
    sched_schedule(k, frame->number == SYSCALL_YIELD);
    DUET_ASSERT(current_thread(k)->state == THREAD_READY);
}

void kernel_entry_fault(struct kernel *k, enum kernel_fault fault, uint64_t address,
                        const char *what)
{
    DUET_ASSERT(k->magic == KERNEL_MAGIC);
    struct thread *t = current_thread(k);
    DUET_ASSERT(t->state == THREAD_READY);
    hal_event(HAL_EVENT_FAULT, fault, address, t->pd, 0, what, duet_strlen(what));
    t->state = THREAD_FAULTED;
    thread_stop_serving(k, k->current);
    sched_schedule(k, false);
    hal_panic(__func__, "a faulted thread was scheduled again");
}

unsigned kernel_live_thread_count(const struct kernel *k)
{
    unsigned live = 0;
    for (unsigned id = 1; id <= KERNEL_THREADS_MAX; id++)
        if (k->threads[id].state != THREAD_FREE && k->threads[id].state != THREAD_EXITED &&
            k->threads[id].state != THREAD_FAULTED)
            live++;
    return live;
}

uint64_t kernel_entry_count(const struct kernel *k)
{
    return k->entries;
}
