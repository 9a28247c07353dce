/*
 * blockade.h - one thread blocks until another wakes it.
 *
 * A blockade starts blocked. blockade_block returns once blockade_wakeup
 * has been called, at once if it was called before (a wake-up is never
 * lost, and several before a block count as one). The waiting thread
 * sleeps in the kernel (a futex), it does not spin. Both threads must be
 * in the same component.
 */
#ifndef DUET_BLOCKADE_H
#define DUET_BLOCKADE_H

#include "duet/types.h"

struct blockade {
    uint32_t woken;              /* 1: a wake-up waits to be taken */
};

static inline void blockade_init(struct blockade *blockade)
{
    blockade->woken = 0;
}

void blockade_block(struct blockade *blockade);
void blockade_wakeup(struct blockade *blockade);

#endif
