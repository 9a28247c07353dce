/*
 * pd_destroy.c - taking a protection domain apart, and cancel-blocking.
 *
 * Order (each step leaves the kernel's invariants intact):
 *   1. every thread of the PD leaves the queue it is on; a server waiting
 *      for its reply forgets it; a caller it owes a reply is woken with
 *      SYS_ERR_SERVER_EXITED; the thread slot is freed;
 *   2. every endpoint of the PD is destroyed: threads of other PDs blocked
 *      sending to it are woken with SYS_ERR_SERVER_EXITED; every
 *      capability naming it goes stale;
 *   3. its IRQs are masked and freed;
 *   4. its capability slots are emptied (which frees nodes, C2) and every
 *      capability naming the PD itself goes stale;
 *   5. its window goes back to the platform.
 * The thread that asks is never one of the PD's (a PD cannot destroy
 * itself), so the kernel keeps running on the caller's context.
 */
#include "kernel.h"

#include "duet/string.h"

#include "hal/memory.h"
#include "hal/world.h"

static void queue_leave(struct kernel *k, struct thread_queue *q, uint16_t id)
{
    bool removed = queue_remove(k, q, id);
    DUET_ASSERT(removed);
}

void thread_cancel_blocking(struct kernel *k, uint16_t id, enum sys_error error)
{
    struct thread *t = thread_of(k, id);
    DUET_ASSERT(t->state == THREAD_SEND || t->state == THREAD_REPLY ||
                t->state == THREAD_RECEIVE || t->state == THREAD_IRQ ||
                t->state == THREAD_SIGNAL || t->state == THREAD_FUTEX);
    if (t->state == THREAD_REPLY && t->reply_saved)
        reply_forget(k, id);
    if (t->state == THREAD_SEND)
        queue_leave(k, &k->endpoints[t->blocked_on].senders, id);
    if (t->state == THREAD_RECEIVE)
        queue_leave(k, &k->endpoints[t->blocked_on].receivers, id);
    if (t->state == THREAD_IRQ)
        k->irqs[t->blocked_on].waiter = 0;
    if (t->state == THREAD_SIGNAL)
        queue_leave(k, &k->receivers[t->blocked_on].waiters, id);
    if (t->state == THREAD_FUTEX)
        queue_leave(k, &k->futex_waiters, id);
    frame_result(t->frame, error, 0);
    sched_make_ready(k, id);
}

/* Step 1 for one thread (also how sys_thread_destroy ends one). */
bool thread_release(struct kernel *k, uint16_t id)
{
    struct thread *t = thread_of(k, id);
    bool cancelled = false;
    switch (t->state) {
    case THREAD_READY:
        queue_leave(k, &k->ready, id);
        break;
    case THREAD_SEND:
        queue_leave(k, &k->endpoints[t->blocked_on].senders, id);
        break;
    case THREAD_RECEIVE:
        queue_leave(k, &k->endpoints[t->blocked_on].receivers, id);
        break;
    case THREAD_REPLY: {
        if (t->reply_saved) {
            reply_forget(k, id);   /* the saved reply's capabilities go stale */
            break;
        }
        struct thread *server = thread_of(k, t->blocked_on);
        DUET_ASSERT(server->reply_to == id);
        server->reply_to = 0;   /* its reply will find nobody (NO_REPLY_PENDING) */
        break;
    }
    case THREAD_IRQ:
        k->irqs[t->blocked_on].waiter = 0;
        break;
    case THREAD_SIGNAL:
        queue_leave(k, &k->receivers[t->blocked_on].waiters, id);
        break;
    case THREAD_FUTEX:
        queue_leave(k, &k->futex_waiters, id);
        break;
    case THREAD_FAULTED:   /* stopped, on no queue */
    default:
        break;
    }
    if (t->reply_to != 0 && thread_of(k, t->reply_to)->state == THREAD_REPLY) {
        thread_cancel_blocking(k, t->reply_to, SYS_ERR_SERVER_EXITED);
        cancelled = true;
    }
    *t = (struct thread){.state = THREAD_FREE};
    cap_revoke_object(k, KOBJ_THREAD, id);
    return cancelled;
}

/* Step 2 for one endpoint. Returns how many blocked senders it woke. */
static unsigned endpoint_destroy(struct kernel *k, uint16_t id)
{
    struct endpoint *ep = &k->endpoints[id];
    unsigned woken = 0;
    for (uint16_t sender; (sender = ep->senders.head) != 0; woken++)
        thread_cancel_blocking(k, sender, SYS_ERR_SERVER_EXITED);
    /* A PD given an unbadged copy may be waiting on it too. */
    for (uint16_t receiver; (receiver = ep->receivers.head) != 0; woken++)
        thread_cancel_blocking(k, receiver, SYS_ERR_SERVER_EXITED);
    *ep = (struct endpoint){0};
    cap_revoke_object(k, KOBJ_ENDPOINT, id);
    return woken;
}

static unsigned pd_release_endpoints(struct kernel *k, uint16_t pd_id)
{
    unsigned woken = 0;
    for (uint16_t id = 1; id <= KERNEL_ENDPOINTS_MAX; id++)
        if (k->endpoints[id].in_use && k->endpoints[id].owner_pd == pd_id)
            woken += endpoint_destroy(k, id);
    return woken;
}

void thread_stop_serving(struct kernel *k, uint16_t id)
{
    struct thread *t = thread_of(k, id);
    if (t->reply_to != 0) {
        thread_cancel_blocking(k, t->reply_to, SYS_ERR_SERVER_EXITED);
        t->reply_to = 0;
    }
    pd_endpoints_release_if_unserved(k, t->pd);
}

unsigned pd_endpoints_release_if_unserved(struct kernel *k, uint16_t pd_id)
{
    for (uint16_t other = 1; other <= KERNEL_THREADS_MAX; other++) {
        const struct thread *sibling = &k->threads[other];
        if (sibling->pd == pd_id && sibling->state != THREAD_FREE &&
            sibling->state != THREAD_EXITED && sibling->state != THREAD_FAULTED)
            return 0;   /* someone in the PD may still serve */
    }
    return pd_release_endpoints(k, pd_id);
}

static void pd_destroy(struct kernel *k, uint16_t pd_id)
{
    struct pd *pd = &k->pds[pd_id];
    unsigned threads = 0, cancelled = 0;
    for (uint16_t id = 1; id <= KERNEL_THREADS_MAX; id++) {
        struct thread *t = &k->threads[id];
        if (t->state == THREAD_FREE || t->pd != pd_id)
            continue;
        cancelled += thread_release(k, id);
        threads++;
    }
    cancelled += pd_release_endpoints(k, pd_id);
    for (unsigned line = 0; line < KERNEL_IRQS_MAX; line++) {
        if (k->irqs[line].in_use && k->irqs[line].owner_pd == pd_id) {
            cancelled += k->irqs[line].waiter != 0;   /* another PD's waiter */
            irq_destroy(k, line);
        }
    }
    for (cap_index_t index = 1; index < CAP_SPACE_SLOTS; index++)
        cap_slot_clear(k, pd, index);
    cap_revoke_object(k, KOBJ_PD, pd_id);
    hal_event(HAL_EVENT_PD_DESTROY, pd_id, threads, cancelled, 0, NULL, 0);
    hal_window_destroy(pd->window, KERNEL_WINDOW_SIZE);
    duet_memset(pd, 0, sizeof *pd);   /* large: its page entries */
}

void sys_pd_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0], KOBJ_PD,
                                         &cap);
    if (error == SYS_OK && ((cap->badge & PD_RIGHT_DESTROY) == 0 ||
                            cap->object == current_thread(k)->pd || cap->object == KERNEL_CORE_PD))
        error = SYS_ERR_DENIED;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    DUET_ASSERT(k->pds[cap->object].in_use);
    pd_destroy(k, cap->object);
    frame_result(frame, SYS_OK, 0);
}
