/*
 * pic8259.c - hal/irq.h on the 8259A pair (see pic8259.h).
 *
 * Initialization: ICW1 (edge-triggered, cascade, ICW4 follows), ICW2
 * (vector base), ICW3 (master: slave on input 2; slave: its cascade
 * identity 2), ICW4 (8086 mode, normal EOI); then every line masked but
 * the cascade input, which only passes what the slave's own mask lets
 * through. Masks are read back from the chip (OCW1 reads the IMR) rather
 * than shadowed, because the kernel keeps no state here.
 *
 * Spurious interrupts: a line that drops before the CPU acknowledges it
 * makes the chip answer with its lowest-priority input (7) while that
 * input's in-service bit is clear. Such a delivery is no interrupt and
 * gets no EOI, except that a spurious 15 came through the master's
 * cascade input, which is in service and must be ended.
 */
#include "pic8259.h"
#include "reserved_ports.h"

#include "hal/irq.h"
#include "hal/port_io.h"

enum {
    ICW1_INIT = 0x10,
    ICW1_ICW4 = 0x01,
    ICW4_8086 = 0x01,
    OCW2_EOI = 0x20,
    OCW3_READ_ISR = 0x0B,
    OCW3_READ_IRR = 0x0A,
    SPURIOUS_INPUT = 7,
};

bool hal_port_reserved(uint16_t port, unsigned width)
{
    return reserved_ports_overlap(port, width);
}

void hal_irq_init(void)
{
    hal_kernel_out8(PIC_MASTER_COMMAND, ICW1_INIT | ICW1_ICW4);
    hal_kernel_out8(PIC_SLAVE_COMMAND, ICW1_INIT | ICW1_ICW4);
    hal_kernel_out8(PIC_MASTER_DATA, PIC_VECTOR_BASE);
    hal_kernel_out8(PIC_SLAVE_DATA, PIC_VECTOR_BASE + 8);
    hal_kernel_out8(PIC_MASTER_DATA, 1u << PIC_CASCADE_LINE);
    hal_kernel_out8(PIC_SLAVE_DATA, PIC_CASCADE_LINE);
    hal_kernel_out8(PIC_MASTER_DATA, ICW4_8086);
    hal_kernel_out8(PIC_SLAVE_DATA, ICW4_8086);
    hal_kernel_out8(PIC_MASTER_DATA, (uint8_t)~(1u << PIC_CASCADE_LINE));
    hal_kernel_out8(PIC_SLAVE_DATA, 0xFF);
}

static uint16_t mask_port(unsigned line)
{
    return line < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA;
}

void hal_irq_mask(unsigned line)
{
    if (line >= PIC_LINES || line == PIC_CASCADE_LINE)
        return;
    uint16_t port = mask_port(line);
    hal_kernel_out8(port, (uint8_t)(hal_kernel_in8(port) | (1u << (line % 8))));
}

void hal_irq_unmask(unsigned line)
{
    if (line >= PIC_LINES || line == PIC_CASCADE_LINE)
        return;
    uint16_t port = mask_port(line);
    hal_kernel_out8(port, (uint8_t)(hal_kernel_in8(port) & ~(1u << (line % 8))));
}

void hal_irq_eoi(unsigned line)
{
    if (line >= 8)
        hal_kernel_out8(PIC_SLAVE_COMMAND, OCW2_EOI);
    hal_kernel_out8(PIC_MASTER_COMMAND, OCW2_EOI);
}

bool hal_irq_spurious(unsigned line)
{
    if (line % 8 != SPURIOUS_INPUT)
        return false;
    uint16_t command = line < 8 ? PIC_MASTER_COMMAND : PIC_SLAVE_COMMAND;
    hal_kernel_out8(command, OCW3_READ_ISR);
    bool in_service = (hal_kernel_in8(command) & (1u << SPURIOUS_INPUT)) != 0;
    hal_kernel_out8(command, OCW3_READ_IRR);   /* back to the reset default */
    if (in_service)
        return false;
    if (line >= 8)
        hal_kernel_out8(PIC_MASTER_COMMAND, OCW2_EOI);   /* the cascade was in service */
    return true;
}
