/*
 * dde_kit/lock.h - locks and semaphores (Genode's dde_kit/lock.h and
 * dde_kit/semaphore.h) on the framework's futex lock and FIFO semaphore.
 *
 * The objects are the caller's (Genode allocates them behind a pointer);
 * they must not live on a stack: their words are futex words, and a
 * sanitizer may move stack frames out of the component's window.
 * Misuse (unlocking a lock one does not hold, locking it twice) ends the
 * world with the lock's named error.
 */
#ifndef DUET_DDE_KIT_LOCK_H
#define DUET_DDE_KIT_LOCK_H

#include "duet/lock.h"
#include "duet/semaphore.h"

struct dde_kit_lock {
    struct lock lock;
};

struct dde_kit_sem {
    struct semaphore semaphore;
};

void dde_kit_lock_init(struct dde_kit_lock *lock);
void dde_kit_lock_lock(struct dde_kit_lock *lock);
void dde_kit_lock_unlock(struct dde_kit_lock *lock);

/* value >= 0; wake-ups in FIFO order. */
void dde_kit_sem_init(struct dde_kit_sem *sem, int value);
void dde_kit_sem_down(struct dde_kit_sem *sem);
/* 0 if a unit was taken, -1 if it would block (Genode's convention). */
int dde_kit_sem_down_try(struct dde_kit_sem *sem);
void dde_kit_sem_up(struct dde_kit_sem *sem);

#endif
