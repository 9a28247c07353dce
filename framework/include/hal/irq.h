/*
 * hal/irq.h - interrupt lines as the kernel sees them.
 *
 * Lines are level-triggered. The platform delivers an asserted, unmasked
 * line by calling kernel_entry_irq() at a kernel entry (the sim) or from
 * its interrupt vector (bare metal). The kernel masks a line when it
 * delivers it and unmasks it when the handling thread waits again, so a
 * line that stays asserted is delivered again only after that.
 */
#ifndef DUET_HAL_IRQ_H
#define DUET_HAL_IRQ_H

#include "duet/types.h"

enum { HAL_IRQ_LINES = 16 };

void hal_irq_mask(unsigned line);
void hal_irq_unmask(unsigned line);

#endif
