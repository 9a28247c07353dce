/*
 * lock.h - a blocking mutual-exclusion lock.
 *
 * A thread that finds the lock taken sleeps in the kernel (a futex) until
 * the holder releases it; nobody spins. The word has three states: free,
 * taken, and taken with sleepers, so that a release wakes somebody only
 * when somebody sleeps (the classic futex mutex).
 *
 * As Genode's Mutex does, the lock knows its owner (the thread's utcb):
 * acquiring a lock one holds already is refused as LOCK_ERR_DEADLOCK
 * instead of hanging, and a release by a thread that does not hold it is
 * refused as LOCK_ERR_NOT_OWNER.
 *
 * Fairness: a release wakes the sleeper that went to sleep first, but a
 * thread that arrives before the woken one runs may take the lock first.
 * Where the order of wake-ups matters, use a semaphore (duet/semaphore.h),
 * whose wake-up policy is explicit.
 */
#ifndef DUET_LOCK_H
#define DUET_LOCK_H

#include "duet/types.h"

enum lock_error {
    LOCK_OK = 0,
    LOCK_ERR_DEADLOCK,           /* the caller holds the lock already */
    LOCK_ERR_NOT_OWNER,          /* released by a thread not holding it */
};

const char *lock_error_name(enum lock_error error);

struct lock {
    uint32_t word;               /* 0 free, 1 taken, 2 taken and sleepers */
    const void *owner;           /* the holder's utcb, NULL when free */
};

static inline void lock_init(struct lock *lock)
{
    *lock = (struct lock){0};
}

enum lock_error lock_acquire(struct lock *lock);
enum lock_error lock_release(struct lock *lock);

#endif
