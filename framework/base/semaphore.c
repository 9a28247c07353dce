/*
 * semaphore.c - counter, waiter queue and policy (duet/semaphore.h).
 *
 * A waiter lives on the stack of the thread that blocks and sleeps on
 * that thread's own blockade (in its utcb), as Genode's applicants sleep
 * on their thread's blockade. The waker dequeues it under the lock and
 * wakes the blockade after releasing the lock; a wake-up that comes
 * before the waiter sleeps is kept by the blockade, so none is lost.
 */
#include "duet/semaphore.h"

#include "duet/assert.h"
#include "duet/utcb.h"

struct semaphore_waiter {
    struct fifo_link link;
    struct blockade *blockade;   /* the waiting thread's */
    uint64_t ticket;
};

void semaphore_init(struct semaphore *semaphore, int64_t count, enum semaphore_policy policy)
{
    DUET_ASSERT(count >= 0);   /* a negative count would stand for waiters nobody queued */
    *semaphore = (struct semaphore){.count = count, .policy = policy};
    lock_init(&semaphore->meta);
    fifo_init(&semaphore->waiters);
}

static void meta_acquire(struct semaphore *semaphore)
{
    enum lock_error error = lock_acquire(&semaphore->meta);
    DUET_ASSERT(error == LOCK_OK);
}

static void meta_release(struct semaphore *semaphore)
{
    enum lock_error error = lock_release(&semaphore->meta);
    DUET_ASSERT(error == LOCK_OK);
}

static struct semaphore_waiter *waiter_take(struct semaphore *semaphore)
{
    struct fifo_link *chosen = NULL;
    switch (semaphore->policy) {
    case SEMAPHORE_FIFO:
        chosen = fifo_dequeue(&semaphore->waiters);
        break;
    case SEMAPHORE_LIFO: {
        struct list_link *last = list_last(&semaphore->waiters.queue);
        chosen = last == NULL ? NULL : (struct fifo_link *)last;
        if (chosen != NULL)
            fifo_remove(&semaphore->waiters, chosen);
        break;
    }
    }
    return FIFO_ELEMENT(chosen, struct semaphore_waiter, link);
}

void semaphore_up(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    if (++semaphore->count > 0) {
        meta_release(semaphore);
        return;
    }
    struct semaphore_waiter *waiter = waiter_take(semaphore);
    DUET_ASSERT(waiter != NULL);   /* count <= 0 after the up: someone waits */
    semaphore->woken++;
    DUET_ASSERT(semaphore->policy != SEMAPHORE_FIFO || waiter->ticket == semaphore->woken);
    meta_release(semaphore);
    blockade_wakeup(waiter->blockade);
}

uint64_t semaphore_down(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    if (--semaphore->count >= 0) {
        meta_release(semaphore);
        return 0;
    }
    struct semaphore_waiter waiter = {.blockade = &utcb_self()->blockade,
                                      .ticket = ++semaphore->tickets};
    fifo_enqueue(&semaphore->waiters, &waiter.link);
    meta_release(semaphore);
    blockade_block(waiter.blockade);
    return waiter.ticket;
}

bool semaphore_down_try(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    bool taken = semaphore->count > 0;
    if (taken)
        semaphore->count--;
    meta_release(semaphore);
    return taken;
}

uint64_t semaphore_woken(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    uint64_t woken = semaphore->woken;
    meta_release(semaphore);
    return woken;
}

size_t semaphore_waiting(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    size_t waiting = fifo_count(&semaphore->waiters);
    meta_release(semaphore);
    return waiting;
}

int64_t semaphore_count(struct semaphore *semaphore)
{
    meta_acquire(semaphore);
    int64_t count = semaphore->count;
    meta_release(semaphore);
    return count;
}
