/*
 * com_port.c - 16550 UART console driver over port I/O (see com_port.h).
 *
 * Register facts (the 16550A data sheet, and QEMU's serial model):
 *   +0 THR (write) / divisor low with LCR.DLAB   +1 IER / divisor high
 *   +2 FCR (write) / IIR (read)   +3 LCR   +4 MCR   +5 LSR (bit 5: THR empty)
 * 115200 baud is divisor 1 of the 1.8432 MHz clock.
 */
#include "com_port.h"

#include "duet/assert.h"
#include "hal/port_io.h"

enum {
    REG_DATA = 0, REG_IER = 1, REG_FCR_IIR = 2, REG_LCR = 3, REG_MCR = 4, REG_LSR = 5,
    LCR_DLAB = 0x80, LCR_8N1 = 0x03,
    FCR_ENABLE_AND_CLEAR = 0x07,
    MCR_DTR_RTS_OUT2 = 0x0b,
    IER_THR_EMPTY = 0x02,
    LSR_THR_EMPTY = 0x20,
    DIVISOR_115200 = 1,
};

void com_port_init(struct com_port *port, uint16_t base)
{
    *port = (struct com_port){.base = base};
    hal_out8(base + REG_IER, 0);
    hal_out8(base + REG_LCR, LCR_DLAB);
    hal_out8(base + REG_DATA, DIVISOR_115200 & 0xff);
    hal_out8(base + REG_IER, DIVISOR_115200 >> 8);
    hal_out8(base + REG_LCR, LCR_8N1);
    hal_out8(base + REG_FCR_IIR, FCR_ENABLE_AND_CLEAR);
    hal_out8(base + REG_MCR, MCR_DTR_RTS_OUT2);
}

void com_port_use_irq(struct com_port *port, cap_index_t irq)
{
    port->irq = irq;
}

/* Returns when the transmit FIFO is empty. */
static void wait_for_fifo_empty(struct com_port *port)
{
    if ((hal_in8(port->base + REG_LSR) & LSR_THR_EMPTY) != 0)
        return;
    if (port->irq == CAP_INDEX_INVALID) {
        while ((hal_in8(port->base + REG_LSR) & LSR_THR_EMPTY) == 0)
            ;
        return;
    }
    hal_out8(port->base + REG_IER, IER_THR_EMPTY);
    while ((hal_in8(port->base + REG_LSR) & LSR_THR_EMPTY) == 0) {
        enum sys_error error = sys_irq_wait(port->irq);
        DUET_ASSERT(error == SYS_OK);
        (void)hal_in8(port->base + REG_FCR_IIR); /* reading IIR acknowledges THRE */
    }
    hal_out8(port->base + REG_IER, 0);
}

void com_port_write(struct com_port *port, const char *bytes, size_t len)
{
    DUET_ASSERT(port->base != 0);
    size_t sent = 0;
    while (sent < len) {
        wait_for_fifo_empty(port);
        size_t burst = len - sent < COM_PORT_FIFO_BYTES ? len - sent : COM_PORT_FIFO_BYTES;
        for (size_t i = 0; i < burst; i++)
            hal_out8(port->base + REG_DATA, (uint8_t)bytes[sent + i]);
        sent += burst;
    }
}
