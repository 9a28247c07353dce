/*
 * hal/idle.h - what the kernel does when no thread can run.
 *
 * hal_idle waits for the next interrupt and lets the platform deliver it
 * (through kernel_entry_irq) before returning true. In the sim "waiting"
 * means jumping virtual time to the next device deadline. It returns false
 * when nothing can ever happen again (no deadline pending): the world is
 * quiescent and the kernel ends it with hal_world_end.
 */
#ifndef DUET_HAL_IDLE_H
#define DUET_HAL_IDLE_H

#include "duet/types.h"

bool hal_idle(void);

#endif
