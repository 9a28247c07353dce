/*
 * lock.c - the kit's locks and semaphores (dde_kit/lock.h) on the
 * framework's lock and FIFO semaphore; misuse is a named failure.
 */
#include "dde_kit/lock.h"

#include "duet/assert.h"

void dde_kit_lock_init(struct dde_kit_lock *lock)
{
    lock_init(&lock->lock);
}

void dde_kit_lock_lock(struct dde_kit_lock *lock)
{
    enum lock_error error = lock_acquire(&lock->lock);
    if (error != LOCK_OK)
        hal_panic("dde_kit_lock_lock", lock_error_name(error));
}

void dde_kit_lock_unlock(struct dde_kit_lock *lock)
{
    enum lock_error error = lock_release(&lock->lock);
    if (error != LOCK_OK)
        hal_panic("dde_kit_lock_unlock", lock_error_name(error));
}

void dde_kit_sem_init(struct dde_kit_sem *sem, int value)
{
    DUET_ASSERT(value >= 0);
    semaphore_init(&sem->semaphore, value, SEMAPHORE_FIFO);
}

void dde_kit_sem_down(struct dde_kit_sem *sem)
{
    semaphore_down(&sem->semaphore);
}

int dde_kit_sem_down_try(struct dde_kit_sem *sem)
{
    return semaphore_down_try(&sem->semaphore) ? 0 : -1;
}

void dde_kit_sem_up(struct dde_kit_sem *sem)
{
    semaphore_up(&sem->semaphore);
}
