/*
 * lock.c - the futex mutex of duet/lock.h.
 */
#include "duet/lock.h"

#include "duet/utcb.h"

enum { LOCK_FREE = 0, LOCK_TAKEN = 1, LOCK_CONTENDED = 2 };

const char *lock_error_name(enum lock_error error)
{
    switch (error) {
    case LOCK_OK:            return "LOCK_OK";
    case LOCK_ERR_DEADLOCK:  return "LOCK_ERR_DEADLOCK";
    case LOCK_ERR_NOT_OWNER: return "LOCK_ERR_NOT_OWNER";
    }
    return "LOCK_ERR_UNKNOWN";
}

enum lock_error lock_acquire(struct lock *lock)
{
    const void *self = utcb_self();
    if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == self)
        return LOCK_ERR_DEADLOCK;
    uint32_t seen = LOCK_FREE;
    if (!__atomic_compare_exchange_n(&lock->word, &seen, LOCK_TAKEN, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED)) {
        /* Taken: mark it contended, and sleep until a release frees it.
         * Whoever takes it from here on marks it contended too, since it
         * cannot know whether others still sleep. */
        if (seen != LOCK_CONTENDED)
            seen = __atomic_exchange_n(&lock->word, LOCK_CONTENDED, __ATOMIC_ACQUIRE);
        while (seen != LOCK_FREE) {
            sys_futex_wait(&lock->word, LOCK_CONTENDED);
            seen = __atomic_exchange_n(&lock->word, LOCK_CONTENDED, __ATOMIC_ACQUIRE);
        }
    }
    __atomic_store_n(&lock->owner, self, __ATOMIC_RELAXED);
    return LOCK_OK;
}

enum lock_error lock_release(struct lock *lock)
{
    if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != utcb_self())
        return LOCK_ERR_NOT_OWNER;
    __atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
    if (__atomic_exchange_n(&lock->word, LOCK_FREE, __ATOMIC_RELEASE) == LOCK_CONTENDED)
        sys_futex_wake(&lock->word, 1, NULL);
    return LOCK_OK;
}
