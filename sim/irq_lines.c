/*
 * irq_lines.c - the sim's interrupt path: ISA lines into the 8259 model,
 * its INTR pin into the kernel.
 *
 * Models drive ISA lines (hw_bus_host.irq_set), which go to the PIC model
 * as they would on a PC board; the PIC drives the CPU's INTR pin through
 * the same host callback on SIM_INTR_LINE. At every kernel entry and idle
 * the sim plays the CPU with interrupts enabled: while INTR is high it
 * runs the acknowledge cycle (i8259_acknowledge gives the vector) and
 * hands the vector's line to the kernel (kernel_entry_irq), whose PIC code
 * (framework/arch/x86/pic8259.c) masks it and sends the EOI through port
 * I/O, exactly as on bare metal. The masking that matters for idling is
 * the PIC's own: only a device whose line is unmasked can wake a thread.
 */
#include "sim_world.h"

#include <assert.h>

#include "../framework/arch/x86/pic8259.h"
#include "hal/event.h"

void irq_lines_set(struct sim_world *world, unsigned line, int level)
{
    if (line == SIM_INTR_LINE) {
        world->irqs.intr = level != 0;
        return;
    }
    assert(line < HAL_IRQ_LINES && line != PIC_CASCADE_LINE);
    uint32_t bit = UINT32_C(1) << line;
    bool was = (world->irqs.level & bit) != 0;
    if (level)
        world->irqs.level |= bit;
    else
        world->irqs.level &= ~bit;
    if (level && !was)
        hal_event(HAL_EVENT_IRQ_RAISE, line, 0, 0, 0, NULL, 0);
    /* Every call goes on, repeated levels included: the PIC decides what
     * an edge is (after an ICW1, a repeated high is a new one). */
    i8259_set_irq(&world->pic, line, level);
}

bool irq_lines_deliver(struct sim_world *world)
{
    /* Each real delivery masks its line, so INTR drops within 16 rounds;
     * the bound only keeps a broken model from looping the sim. */
    enum { DELIVERIES_MAX = 2 * HAL_IRQ_LINES };
    bool delivered = false;
    world->irq_deferred = 0;   /* a new interrupt may again be put off in full */
    for (unsigned round = 0; round < DELIVERIES_MAX && world->irqs.intr; round++) {
        unsigned vector = i8259_acknowledge(&world->pic);
        unsigned line = 0;
        /* The kernel programs the PIC before any thread runs, and only it
         * can reach its ports: any other vector is a broken invariant. */
        if (!pic_vector_line(vector, &line))
            sim_world_finish(world, SIM_FAIL, "the PIC answered a vector outside its range");
        kernel_entry_irq(world->kernel, line);
        delivered = true;
    }
    return delivered;
}

uint32_t irq_lines_live(const struct sim_world *world)
{
    const struct i8259_chip *master = &world->pic.chips[I8259_MASTER];
    const struct i8259_chip *slave = &world->pic.chips[I8259_SLAVE];
    uint32_t live = (uint32_t)(uint8_t)~master->imr;
    if ((master->imr & (1u << PIC_CASCADE_LINE)) == 0)
        live |= (uint32_t)(uint8_t)~slave->imr << 8;
    return live;
}
