/*
 * thread.c - threads beyond a PD's first: create, exit, destroy.
 *
 * Creating a thread takes the PD-factory capability (core's; components
 * get threads through CPU sessions, which account for them) and a
 * capability to the PD the thread goes into. Everything the new thread
 * starts with is checked against that PD before anything changes:
 *   - its stack and utcb lie in the PD's window, since the thread runs on
 *     the one and the kernel makes the other its thread pointer;
 *   - its entry is one the image lists for the PD's component
 *     (component_info.threads). In the sim a thread's entry is a host
 *     function, so an arbitrary number there would jump anywhere; here
 *     it can only be code the image vouches for.
 * The entry and argument are kept in the thread's context, memory the
 * kernel owns, so the thread starts with exactly what was checked.
 *
 * A thread that exits or is destroyed leaves its slot free for reuse,
 * and every capability naming it goes stale. A faulted thread keeps its
 * slot until it is destroyed, or its PD is.
 */
#include "kernel.h"

#include "hal/world.h"

uint16_t thread_slot_free(const struct kernel *k)
{
    for (uint16_t id = 1; id <= KERNEL_THREADS_MAX; id++) {
        uint8_t state = k->threads[id].state;
        if (state == THREAD_FREE || (state == THREAD_EXITED && id != k->current))
            return id;
    }
    return 0;
}

static bool entry_listed(const struct component_info *component, uint64_t entry)
{
    if (component == NULL || component->threads == NULL)
        return false;
    for (const component_thread_fn *at = component->threads; *at != NULL; at++)
        if ((uint64_t)(uintptr_t)*at == entry)
            return true;
    return false;
}

/* message words: entry, arg, stack, stack size, utcb (struct thread_create_args). */
static enum sys_error create_decode(struct kernel *k, struct syscall_frame *frame,
                                    struct pd **out_target, struct thread_create_args *out)
{
    struct pd *caller = current_pd(k);
    struct cap_node *factory = NULL, *target = NULL;
    enum sys_error error = cspace_lookup(k, caller, (cap_index_t)frame->arg[0], KOBJ_PD_FACTORY,
                                         &factory);
    if (error == SYS_OK)
        error = cspace_lookup(k, caller, (cap_index_t)frame->arg[1], KOBJ_PD, &target);
    if (error != SYS_OK)
        return error;
    const struct ipc_message *m = frame->message;
    if (!pd_boot_contains(caller, m, sizeof *m) || m->word_count != 5)
        return SYS_ERR_INVALID_ARGUMENT;
    *out = (struct thread_create_args){m->word[0], m->word[1], m->word[2], m->word[3], m->word[4]};
    struct pd *pd = &k->pds[target->object];
    DUET_ASSERT(pd->in_use);
    if (out->stack_size < THREAD_STACK_MIN || out->stack_size > KERNEL_BOOT_SIZE ||
        !pd_boot_contains(pd, (const void *)(uintptr_t)out->stack, (size_t)out->stack_size) ||
        !pd_boot_contains(pd, (const void *)(uintptr_t)out->utcb, sizeof(struct utcb)) ||
        (out->utcb & 7u) != 0)
        return SYS_ERR_INVALID_ARGUMENT;
    if (!entry_listed(pd->component, out->entry))
        return SYS_ERR_DENIED;
    if (!cspace_has_room(k, caller))
        return SYS_ERR_CAP_SPACE_FULL;
    if (thread_slot_free(k) == 0 || !cap_nodes_available(k, 1))
        return SYS_ERR_OUT_OF_RESOURCES;
    *out_target = pd;
    return SYS_OK;
}

void sys_thread_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = NULL;
    struct thread_create_args args;
    enum sys_error error = create_decode(k, frame, &pd, &args);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    uint16_t pd_id = (uint16_t)(pd - k->pds);
    uint16_t id = thread_slot_free(k);
    struct thread *t = thread_of(k, id);
    *t = (struct thread){.state = THREAD_NEW, .pd = pd_id};
    hal_context_init(&t->context, (void *)(uintptr_t)args.stack, (size_t)args.stack_size,
                     thread_start, (void *)(uintptr_t)args.entry, (void *)(uintptr_t)args.arg,
                     pd_id, id);
    t->context.thread_pointer = (void *)(uintptr_t)args.utcb;
    hal_event(HAL_EVENT_THREAD_CREATE, id, pd_id, 0, 0, NULL, 0);
    sched_make_ready(k, id);
    frame_result(frame, SYS_OK, cap_create(k, current_pd(k), KOBJ_THREAD, id, CAP_INDEX_INVALID));
}

void sys_thread_exit_perform(struct kernel *k)
{
    struct thread *t = current_thread(k);
    DUET_ASSERT(t->state == THREAD_READY);
    hal_event(HAL_EVENT_THREAD_EXIT, k->current, t->pd, 0, 0, NULL, 0);
    t->state = THREAD_EXITED;
    cap_revoke_object(k, KOBJ_THREAD, k->current);
    /* Whoever waits on this thread or its PD gets an error, not a hang. */
    thread_stop_serving(k, k->current);
}

void sys_thread_destroy_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0],
                                         KOBJ_THREAD, &cap);
    if (error == SYS_OK && cap->object == k->current)
        error = SYS_ERR_DENIED;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    uint16_t id = cap->object;
    uint16_t pd_id = thread_of(k, id)->pd;
    /* An exited thread's capabilities are stale already, so this one lives. */
    DUET_ASSERT(thread_of(k, id)->state != THREAD_FREE && thread_of(k, id)->state != THREAD_EXITED);
    unsigned woken = thread_release(k, id) ? 1u : 0u;
    woken += pd_endpoints_release_if_unserved(k, pd_id);
    hal_event(HAL_EVENT_THREAD_DESTROY, id, pd_id, woken, 0, NULL, 0);
    frame_result(frame, SYS_OK, 0);
}
