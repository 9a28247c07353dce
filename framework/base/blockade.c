/*
 * blockade.c - a futex word that is 1 while a wake-up is pending.
 */
#include "duet/blockade.h"

#include "duet/assert.h"
#include "duet/syscall.h"

void blockade_block(struct blockade *blockade)
{
    /* Take the wake-up if there is one; else sleep while the word is 0.
     * A wake-up between the exchange and the wait changes the word, so
     * the kernel does not block us (SYS_ERR_WOULD_BLOCK) and we loop. */
    while (__atomic_exchange_n(&blockade->woken, 0, __ATOMIC_ACQUIRE) == 0) {
        enum sys_error error = sys_futex_wait(&blockade->woken, 0);
        /* Anything else means the word is not in the window: we would spin. */
        DUET_ASSERT(error == SYS_OK || error == SYS_ERR_WOULD_BLOCK);
    }
}

void blockade_wakeup(struct blockade *blockade)
{
    __atomic_store_n(&blockade->woken, 1, __ATOMIC_RELEASE);
    sys_futex_wake(&blockade->woken, 1, NULL);
}
