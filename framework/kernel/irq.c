/*
 * irq.c - interrupt lines as kernel objects.
 *
 * Core holds the IRQ-control capability and creates one IRQ object per
 * line it drives. A thread waits with sys_irq_wait, which unmasks the
 * line; delivery (kernel_entry_irq, called by the platform) masks it again
 * and wakes the waiter, or leaves the delivery pending if nobody waits.
 * Level-triggered lines therefore cannot storm: a line is delivered at most
 * once per wait.
 */
#include "kernel.h"

void sys_irq_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct cap_node *control = NULL;
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_IRQ_CONTROL,
                                         &control);
    uint64_t line = frame->arg[1];
    if (error == SYS_OK && line >= KERNEL_IRQS_MAX)
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error == SYS_OK && k->irqs[line].in_use)
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    k->irqs[line] = (struct irq){.in_use = true, .owner_pd = current_thread(k)->pd};
    frame_result(frame, SYS_OK, cap_create(k, pd, KOBJ_IRQ, (uint16_t)line, CAP_INDEX_INVALID));
}

void sys_irq_wait_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0], KOBJ_IRQ,
                                         &cap);
    if (error == SYS_OK && k->irqs[cap->object].waiter != 0)
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    struct irq *irq = &k->irqs[cap->object];
    DUET_ASSERT(irq->in_use);
    frame_result(frame, SYS_OK, 0);
    if (irq->pending) {
        irq->pending = false;
        return;
    }
    current_thread(k)->frame = frame;
    irq->waiter = k->current;
    sched_block(k, THREAD_IRQ, cap->object);
    hal_irq_unmask(cap->object);
}

void irq_destroy(struct kernel *k, unsigned line)
{
    struct irq *irq = &k->irqs[line];
    DUET_ASSERT(irq->in_use);
    if (irq->waiter != 0)
        thread_cancel_blocking(k, irq->waiter, SYS_ERR_STALE_CAP);
    DUET_ASSERT(irq->waiter == 0);
    hal_irq_mask(line);
    *irq = (struct irq){0};
    cap_revoke_object(k, KOBJ_IRQ, (uint16_t)line);
}

void sys_irq_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0], KOBJ_IRQ,
                                         &cap);
    /* Only the PD that made it (core): a session's holder must not pull
     * the object from under core's bookkeeping. */
    if (error == SYS_OK && k->irqs[cap->object].owner_pd != current_thread(k)->pd)
        error = SYS_ERR_DENIED;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    irq_destroy(k, cap->object);
    frame_result(frame, SYS_OK, 0);
}

void kernel_entry_irq(struct kernel *k, unsigned line)
{
    DUET_ASSERT(k->magic == KERNEL_MAGIC);
    DUET_ASSERT(line < KERNEL_IRQS_MAX);
    if (hal_irq_spurious(line)) {
        hal_event(HAL_EVENT_IRQ_SPURIOUS, line, 0, 0, 0, NULL, 0);
        return;
    }
    hal_irq_mask(line);
    hal_irq_eoi(line);
    struct irq *irq = &k->irqs[line];
    uint16_t waiter = irq->in_use ? irq->waiter : 0;
    hal_event(HAL_EVENT_IRQ_DELIVER, line, waiter, 0, 0, NULL, 0);
    if (!irq->in_use)
        return; /* nobody drives this line: it stays masked */
    if (waiter == 0) {
        irq->pending = true;
        return;
    }
    irq->waiter = 0;
    sched_make_ready(k, waiter);
}
