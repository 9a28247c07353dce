/*
 * futex.c - waiting on a word of the window, and waking its waiters.
 *
 * The kernel runs without preemption, so comparing the word and blocking
 * happen as one step: a waker that changed the word before FUTEX_WAIT
 * makes the wait return SYS_ERR_WOULD_BLOCK, one that changes it after
 * finds the waiter queued. All waiters of all PDs share one FIFO queue,
 * keyed by (PD, window offset): waking walks it in the order the threads
 * began to wait, which is what a FIFO lock or semaphore needs, and the
 * number of threads bounds the walk.
 */
#include "kernel.h"

/* The word's window offset, or false if it is no aligned word of the window. */
static bool futex_offset(const struct pd *pd, uint64_t address, uint32_t *out_offset)
{
    const void *word = (const void *)(uintptr_t)address;
    if ((address & 3u) != 0 || !pd_user_readable(pd, word, sizeof(uint32_t)))
        return false;
    *out_offset = (uint32_t)(address - (uintptr_t)pd->window);
    return true;
}

void sys_futex_wait_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint32_t offset = 0;
    if (!futex_offset(current_pd(k), frame->arg[0], &offset)) {
        frame_result(frame, SYS_ERR_INVALID_ARGUMENT, 0);
        return;
    }
    const uint32_t *word = (const uint32_t *)(uintptr_t)frame->arg[0];
    if (*word != (uint32_t)frame->arg[1]) {
        frame_result(frame, SYS_ERR_WOULD_BLOCK, 0);
        return;
    }
    struct thread *t = current_thread(k);
    t->frame = frame;
    t->futex_offset = offset;
    frame_result(frame, SYS_OK, 0);
    sched_block(k, THREAD_FUTEX, 0);
    queue_push(k, &k->futex_waiters, k->current);
}

void sys_futex_wake_perform(struct kernel *k, struct syscall_frame *frame)
{
    uint32_t offset = 0;
    if (!futex_offset(current_pd(k), frame->arg[0], &offset)) {
        frame_result(frame, SYS_ERR_INVALID_ARGUMENT, 0);
        return;
    }
    uint16_t pd = current_thread(k)->pd;
    uint64_t wanted = frame->arg[1];
    uint32_t woken = 0;
    uint16_t at = k->futex_waiters.head;
    while (at != 0 && woken < wanted) {
        struct thread *t = thread_of(k, at);
        uint16_t next = t->queue_next;
        if (t->pd == pd && t->futex_offset == offset) {
            queue_remove(k, &k->futex_waiters, at);
            sched_make_ready(k, at);
            woken++;
        }
        at = next;
    }
    /* Not the word's offset: a word on a stack sits elsewhere in another
     * build (sanitizer frames are larger), and traces must agree. */
    hal_event(HAL_EVENT_FUTEX_WAKE, wanted, woken, 0, 0, NULL, 0);
    frame_result(frame, SYS_OK, woken);
}
