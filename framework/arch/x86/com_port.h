/*
 * com_port.h - the 16550 UART driver core uses for its console (COM1).
 *
 * Programs the UART only through port I/O, so the same code drives QEMU's
 * serial device and the sim's model (hw_models/uart16550.c). Transmission
 * is paced by the transmit FIFO: when it is full the driver waits for the
 * THR-empty interrupt if it has an IRQ capability, else it polls LSR.
 */
#ifndef DUET_ARCH_X86_COM_PORT_H
#define DUET_ARCH_X86_COM_PORT_H

#include "duet/syscall.h"
#include "duet/types.h"

enum {
    COM1_PORT_BASE = 0x3f8,
    COM1_IRQ_LINE = 4,
    COM_PORT_FIFO_BYTES = 16,
};

struct com_port {
    uint16_t base;
    cap_index_t irq;          /* 0: poll */
};

void com_port_init(struct com_port *port, uint16_t base);
void com_port_use_irq(struct com_port *port, cap_index_t irq);
void com_port_write(struct com_port *port, const char *bytes, size_t len);

#endif
