/*
 * uart16550.h - a 16550A UART (PC COM port) as a deterministic device model.
 *
 * The model follows QEMU 7.2's hw/char/serial.c register by register, so a
 * guest driver that works on QEMU's COM1 works here, and adds what QEMU
 * leaves out: the transmitter takes one character time per byte of virtual
 * time, so LSR.THRE/TEMT and the THRE interrupt arrive when the hardware
 * would raise them. docs/HW_MODELS.md lists every place we differ from QEMU.
 *
 * Call order for the owner (the sim):
 *   uart16550_init(&u, &host, UART16550_COM1_IRQ_LINE, sink, ctx);
 *   dev = uart16550_port_device(&u, UART16550_COM1_PORT_BASE);   plug into bus
 *   ... the bus calls dev.read / dev.write, the owner calls dev.deadline when
 *   virtual time reaches the time last passed to host->deadline_set, and
 *   uart16550_receive() to feed input bytes (uart16550_can_receive() tells how
 *   many QEMU's chardev layer would hand over right now);
 *   uart16550_reset(&u) on machine reset.
 *
 * All state is in struct uart16550 (no allocation); the struct is declared
 * here so the owner can embed it in its world and snapshot it by copying.
 * Its fields are the model's own: read them in tests and oracles, write them
 * never. Not here: port routing and IRQ line state (sim/).
 */
#ifndef DUET_UART16550_H
#define DUET_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"

enum {
    UART16550_COM1_PORT_BASE = 0x3F8,
    UART16550_COM1_IRQ_LINE = 4,
    UART16550_PORT_COUNT = 8,
    UART16550_FIFO_BYTES = 16,
    UART16550_BAUD_BASE = 115200,     /* 1.8432 MHz crystal / 16 */
    UART16550_DIVISOR_ZERO_BAUD = 3500, /* what QEMU assumes for divisor 0 */
};

/* Register offsets (DLAB = LCR bit 7 turns offsets 0/1 into DLL/DLM). */
enum uart16550_reg {
    UART16550_RBR_THR = 0, UART16550_IER = 1, UART16550_IIR_FCR = 2,
    UART16550_LCR = 3, UART16550_MCR = 4, UART16550_LSR = 5,
    UART16550_MSR = 6, UART16550_SCR = 7,
};

/* Register bits, named as in the 16550A data sheet. */
enum {
    UART16550_IER_RDI = 0x01, UART16550_IER_THRI = 0x02,
    UART16550_IER_RLSI = 0x04, UART16550_IER_MSI = 0x08,
    UART16550_IER_MASK = 0x0F,

    UART16550_IIR_NO_INT = 0x01, UART16550_IIR_ID_MASK = 0x0F,
    UART16550_IIR_MSI = 0x00, UART16550_IIR_THRI = 0x02,
    UART16550_IIR_RDI = 0x04, UART16550_IIR_RLSI = 0x06,
    UART16550_IIR_CTI = 0x0C, UART16550_IIR_FIFO_ENABLED = 0xC0,

    UART16550_FCR_FE = 0x01, UART16550_FCR_RFR = 0x02,
    UART16550_FCR_XFR = 0x04, UART16550_FCR_DMS = 0x08,
    UART16550_FCR_ITL_MASK = 0xC0, UART16550_FCR_STICKY = 0xC9,

    UART16550_LCR_WLS_MASK = 0x03, UART16550_LCR_STB = 0x04,
    UART16550_LCR_PEN = 0x08, UART16550_LCR_EPS = 0x10,
    UART16550_LCR_SBC = 0x40, UART16550_LCR_DLAB = 0x80,

    UART16550_MCR_DTR = 0x01, UART16550_MCR_RTS = 0x02,
    UART16550_MCR_OUT1 = 0x04, UART16550_MCR_OUT2 = 0x08,
    UART16550_MCR_LOOP = 0x10, UART16550_MCR_MASK = 0x1F,

    UART16550_LSR_DR = 0x01, UART16550_LSR_OE = 0x02,
    UART16550_LSR_PE = 0x04, UART16550_LSR_FE = 0x08,
    UART16550_LSR_BI = 0x10, UART16550_LSR_THRE = 0x20,
    UART16550_LSR_TEMT = 0x40, UART16550_LSR_INT_ANY = 0x1E,

    UART16550_MSR_DCTS = 0x01, UART16550_MSR_DDSR = 0x02,
    UART16550_MSR_TERI = 0x04, UART16550_MSR_DDCD = 0x08,
    UART16550_MSR_CTS = 0x10, UART16550_MSR_DSR = 0x20,
    UART16550_MSR_RI = 0x40, UART16550_MSR_DCD = 0x80,
};

/* Where a transmitted byte goes once its last stop bit has left the wire.
 * Like the host callbacks, it must not call back into the model (the model
 * asserts that it is not re-entered). */
typedef void uart16550_tx_byte_fn(void *sink_ctx, uint8_t byte);

/* A bounded byte ring; `count` of `bytes` starting at `head` are queued. */
struct uart16550_fifo {
    uint8_t bytes[UART16550_FIFO_BYTES];
    uint8_t head;
    uint8_t count;
};

/* Byte accounting, zeroed by reset. The model keeps
 * tx_written == tx_sent + tx_looped + tx_overwritten + tx_flushed
 *               + (bytes queued) + (byte shifting). */
struct uart16550_stats {
    uint64_t tx_written;      /* THR writes */
    uint64_t tx_sent;         /* handed to the sink */
    uint64_t tx_looped;       /* fed back to the receiver (MCR.LOOP) */
    uint64_t tx_overwritten;  /* lost to a THR write into a full FIFO/THR */
    uint64_t tx_flushed;      /* lost to FCR.XFR (or a FIFO enable change) */
    uint64_t rx_received;     /* bytes offered to the receiver */
    uint64_t rx_overrun;      /* of those, lost to overrun (LSR.OE) */
};

struct uart16550 {
    /* Wiring, fixed by uart16550_init. */
    const struct hw_bus_host *host;
    unsigned irq_line;
    uart16550_tx_byte_fn *tx_byte;
    void *sink_ctx;

    /* Registers as the guest programmed them. */
    uint16_t divisor;
    uint8_t ier, lcr, mcr, scr;
    uint8_t fcr;                 /* sticky bits only (UART16550_FCR_STICKY) */
    uint8_t lsr_errors;          /* LSR.OE; cleared by reading LSR */
    uint8_t rbr;                 /* last byte received in non-FIFO mode */
    uint64_t char_time_ns;       /* uart16550_char_time_ns(divisor, lcr) */

    /* Transmitter: holding register/FIFO, then the shift register. */
    struct uart16550_fifo tx;
    bool shifting;
    uint8_t shift_byte;
    uint64_t shift_done_at_ns;

    /* Receiver: RBR/FIFO and the character timeout (CTI). */
    struct uart16550_fifo rx;
    bool timeout_pending;
    uint64_t rx_timeout_at_ns;   /* HW_DEADLINE_NONE when disarmed */

    /* Interrupt and time bookkeeping. */
    bool thr_pending;            /* QEMU's thr_ipending */
    bool irq_level;              /* level last passed to host->irq_set */
    uint64_t now_ns;             /* virtual time of the latest entry */
    uint64_t deadline_requested_ns;
    bool in_entry;               /* guards against calls from the sink */

    struct uart16550_stats stats;
};

/* Wire the model and reset it (lowers the IRQ line, cancels the deadline). */
void uart16550_init(struct uart16550 *uart, const struct hw_bus_host *host,
                    unsigned irq_line, uart16550_tx_byte_fn *tx_byte,
                    void *sink_ctx);

/* Power-on / machine reset: registers to their reset values, FIFOs empty,
 * 9600 8N1, MCR.OUT2 set, the byte being shifted dropped, stats zeroed. */
void uart16550_reset(struct uart16550 *uart);

/* The bus view: 8 ports at port_base, byte/word/dword access, deadline. */
struct hw_port_device uart16550_port_device(struct uart16550 *uart,
                                            uint16_t port_base);

/* An input byte arrives on the serial line now (LSR.OE if there is no room). */
void uart16550_receive(struct uart16550 *uart, uint8_t byte);

/* How many bytes QEMU's serial_can_receive would accept now (0 = hold back).
 * An owner that respects it sees QEMU's flow control and no overruns. */
unsigned uart16550_can_receive(struct uart16550 *uart);

/* Side-effect-free views of the state as last brought up to date (by any
 * entry above or a port access): what LSR / IIR would read. */
uint8_t uart16550_lsr_peek(const struct uart16550 *uart);
uint8_t uart16550_iir_peek(const struct uart16550 *uart);

/* One frame (start, data, parity, stop bits) at BAUD_BASE / divisor, in ns
 * rounded down; divisor 0 counts as 3500 baud, as QEMU does. */
uint64_t uart16550_char_time_ns(uint16_t divisor, uint8_t lcr);

/* The model's invariants (numbered in uart16550.c). Returns NULL when all
 * hold, else a static string naming the first broken one. */
const char *uart16550_check(const struct uart16550 *uart);

#endif
