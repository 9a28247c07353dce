/*
 * signal.c - signal receivers and contexts (semantics in duet/syscall.h).
 *
 * A receiver holds two FIFO queues: threads waiting for a signal and
 * contexts that are pending. Whenever a context becomes pending while a
 * thread waits, the thread takes it at once, so the queues are never both
 * non-empty (S1). A context's count is positive exactly while it is queued
 * (S2): delivery takes the whole count, submitting to a pending context
 * only adds to it.
 *
 * Delivering writes the imprint and the count into the waiter's frame
 * (result[1], result[2]); a waiter that takes a pending signal at once
 * gets them the same way.
 */
#include "kernel.h"

static struct signal_receiver *receiver_of(struct kernel *k, uint16_t id)
{
    DUET_ASSERT(id >= 1 && id <= KERNEL_SIGNAL_RECEIVERS_MAX && k->receivers[id].in_use);
    return &k->receivers[id];
}

static struct signal_context *context_of(struct kernel *k, uint16_t id)
{
    DUET_ASSERT(id >= 1 && id <= KERNEL_SIGNAL_CONTEXTS_MAX && k->contexts[id].in_use);
    return &k->contexts[id];
}

static void signal_result(struct syscall_frame *frame, const struct signal_context *context,
                          uint64_t count)
{
    frame->result[0] = SYS_OK;
    frame->result[1] = context->imprint;
    frame->result[2] = count;
}

/* Takes the context's whole count for `thread`, whose frame gets it. */
static void deliver(struct kernel *k, uint16_t context_id, uint16_t thread)
{
    struct signal_context *context = context_of(k, context_id);
    uint64_t count = context->count;
    DUET_ASSERT(count > 0);
    context->count = 0;
    signal_result(thread_of(k, thread)->frame, context, count);
    hal_event(HAL_EVENT_SIGNAL_DELIVER, context_id, count, thread, 0, NULL, 0);
}

static void pending_push(struct kernel *k, struct signal_receiver *receiver, uint16_t id)
{
    context_of(k, id)->pending_next = 0;
    if (receiver->pending_tail == 0)
        receiver->pending_head = id;
    else
        context_of(k, receiver->pending_tail)->pending_next = id;
    receiver->pending_tail = id;
}

static uint16_t pending_pop(struct kernel *k, struct signal_receiver *receiver)
{
    uint16_t id = receiver->pending_head;
    if (id == 0)
        return 0;
    receiver->pending_head = context_of(k, id)->pending_next;
    if (receiver->pending_head == 0)
        receiver->pending_tail = 0;
    context_of(k, id)->pending_next = 0;
    return id;
}

static void pending_remove(struct kernel *k, struct signal_receiver *receiver, uint16_t id)
{
    uint16_t previous = 0;
    for (uint16_t at = receiver->pending_head; at != 0; at = context_of(k, at)->pending_next) {
        if (at != id) {
            previous = at;
            continue;
        }
        uint16_t next = context_of(k, at)->pending_next;
        if (previous == 0)
            receiver->pending_head = next;
        else
            context_of(k, previous)->pending_next = next;
        if (receiver->pending_tail == id)
            receiver->pending_tail = previous;
        return;
    }
    DUET_ASSERT(!"a pending context is on its receiver's queue (S2)");
}

/* Looks up a receiver capability; `manage`: it must carry SIGNAL_RIGHT_MANAGE. */
static enum sys_error receiver_lookup(struct kernel *k, cap_index_t index, bool manage,
                                      uint16_t *out_id)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), index, KOBJ_SIGNAL_RECEIVER, &cap);
    if (error == SYS_OK && manage && (cap->badge & SIGNAL_RIGHT_MANAGE) == 0)
        error = SYS_ERR_DENIED;
    *out_id = error == SYS_OK ? cap->object : 0;
    return error;
}

void sys_signal_receiver_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct cap_node *factory = NULL;
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_PD_FACTORY,
                                         &factory);
    uint16_t id = 1;
    while (id <= KERNEL_SIGNAL_RECEIVERS_MAX && k->receivers[id].in_use)
        id++;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error == SYS_OK && (id > KERNEL_SIGNAL_RECEIVERS_MAX || !cap_nodes_available(k, 1)))
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    k->receivers[id] = (struct signal_receiver){.in_use = true};
    cap_index_t cap = cap_create(k, pd, KOBJ_SIGNAL_RECEIVER, id, CAP_INDEX_INVALID);
    k->cap_nodes[pd->caps[cap].node].badge = SIGNAL_RIGHT_MANAGE;
    frame_result(frame, SYS_OK, cap);
}

static void context_destroy(struct kernel *k, uint16_t id)
{
    struct signal_context *context = context_of(k, id);
    if (context->count > 0)
        pending_remove(k, receiver_of(k, context->receiver), id);
    *context = (struct signal_context){0};
    cap_revoke_object(k, KOBJ_SIGNAL_CONTEXT, id);
}

void sys_signal_receiver_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint16_t id = 0;
    enum sys_error error = receiver_lookup(k, (cap_index_t)frame->arg[0], true, &id);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    for (uint16_t c = 1; c <= KERNEL_SIGNAL_CONTEXTS_MAX; c++)
        if (k->contexts[c].in_use && k->contexts[c].receiver == id)
            context_destroy(k, c);
    struct signal_receiver *receiver = receiver_of(k, id);
    for (uint16_t waiter; (waiter = receiver->waiters.head) != 0;)
        thread_cancel_blocking(k, waiter, SYS_ERR_STALE_CAP);
    *receiver = (struct signal_receiver){0};
    cap_revoke_object(k, KOBJ_SIGNAL_RECEIVER, id);
    frame_result(frame, SYS_OK, 0);
}

void sys_signal_context_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    uint16_t receiver = 0;
    enum sys_error error = receiver_lookup(k, (cap_index_t)frame->arg[0], true, &receiver);
    uint16_t id = 1;
    while (id <= KERNEL_SIGNAL_CONTEXTS_MAX && k->contexts[id].in_use)
        id++;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error == SYS_OK && (id > KERNEL_SIGNAL_CONTEXTS_MAX || !cap_nodes_available(k, 1)))
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    k->contexts[id] = (struct signal_context){.in_use = true, .receiver = receiver,
                                              .imprint = frame->arg[1]};
    frame_result(frame, SYS_OK, cap_create(k, pd, KOBJ_SIGNAL_CONTEXT, id, CAP_INDEX_INVALID));
}

void sys_signal_context_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint16_t receiver = 0;
    struct cap_node *context = NULL;
    enum sys_error error = receiver_lookup(k, (cap_index_t)frame->arg[0], true, &receiver);
    if (error == SYS_OK)
        error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[1], KOBJ_SIGNAL_CONTEXT,
                              &context);
    if (error == SYS_OK && context_of(k, context->object)->receiver != receiver)
        error = SYS_ERR_DENIED;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    context_destroy(k, context->object);
    frame_result(frame, SYS_OK, 0);
}

void sys_signal_submit_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0],
                                         KOBJ_SIGNAL_CONTEXT, &cap);
    uint64_t count = frame->arg[1];
    if (error == SYS_OK &&
        (count == 0 || count > UINT64_MAX - context_of(k, cap->object)->count))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    uint16_t id = cap->object;
    struct signal_context *context = context_of(k, id);
    struct signal_receiver *receiver = receiver_of(k, context->receiver);
    bool was_pending = context->count > 0;
    context->count += count;
    hal_event(HAL_EVENT_SIGNAL_SUBMIT, id, count, context->count, 0, NULL, 0);
    frame_result(frame, SYS_OK, 0);
    if (was_pending)
        return;   /* queued already: the count grows where it waits */
    uint16_t waiter = queue_pop(k, &receiver->waiters);
    if (waiter == 0) {
        pending_push(k, receiver, id);
        return;
    }
    deliver(k, id, waiter);
    sched_make_ready(k, waiter);
}

void sys_signal_wait_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint16_t id = 0;
    enum sys_error error = receiver_lookup(k, (cap_index_t)frame->arg[0], false, &id);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    struct signal_receiver *receiver = receiver_of(k, id);
    struct thread *t = current_thread(k);
    t->frame = frame;
    uint16_t context = pending_pop(k, receiver);
    if (context != 0) {
        deliver(k, context, k->current);
        return;
    }
    if (frame->arg[1] == 0) {
        frame_result(frame, SYS_ERR_WOULD_BLOCK, 0);
        return;
    }
    sched_block(k, THREAD_SIGNAL, id);
    queue_push(k, &receiver->waiters, k->current);
}
