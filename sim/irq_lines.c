/*
 * irq_lines.c - the sim's interrupt lines (hal/irq.h).
 *
 * Models drive line levels (hw_bus_host.irq_set); the kernel masks and
 * unmasks. A line that is asserted and unmasked is delivered to the kernel
 * (kernel_entry_irq) at the next kernel entry or idle, lowest line first;
 * the kernel masks it on delivery, so each line is delivered at most once
 * until the kernel asks for it again.
 */
#include "sim_world.h"

#include <assert.h>

#include "hal/event.h"

void irq_lines_set(struct sim_world *world, unsigned line, int level)
{
    assert(line < HAL_IRQ_LINES);
    uint32_t bit = UINT32_C(1) << line;
    bool was = (world->irqs.level & bit) != 0;
    if (level)
        world->irqs.level |= bit;
    else
        world->irqs.level &= ~bit;
    if (level && !was)
        hal_event(HAL_EVENT_IRQ_RAISE, line, 0, 0, 0, NULL, 0);
}

bool irq_lines_deliver(struct sim_world *world)
{
    bool delivered = false;
    for (unsigned line = 0; line < HAL_IRQ_LINES; line++) {
        uint32_t bit = UINT32_C(1) << line;
        if ((world->irqs.level & bit) == 0 || (world->irqs.masked & bit) != 0)
            continue;
        kernel_entry_irq(world->kernel, line);
        assert((world->irqs.masked & bit) != 0);
        delivered = true;
    }
    return delivered;
}

void hal_irq_mask(unsigned line)
{
    assert(line < HAL_IRQ_LINES);
    sim_world_current->irqs.masked |= UINT32_C(1) << line;
}

void hal_irq_unmask(unsigned line)
{
    assert(line < HAL_IRQ_LINES);
    sim_world_current->irqs.masked &= ~(UINT32_C(1) << line);
}
