/*
 * uart16550.c - a 16550A UART (the PC's COM port) as a deterministic model.
 *
 * The register behaviour follows QEMU 7.2's hw/char/serial.c (function names
 * in brackets below) so one guest driver runs on both; timing is added: the
 * transmitter shifts one frame per char_time_ns of virtual time, where QEMU
 * hands every byte to its chardev at once. Interface: duet/uart16550.h.
 * Not here: port routing and IRQ lines (sim/), the console behind the sink,
 * a modem (the MSR lines are constant, as in QEMU with a file or stdio
 * chardev), break and parity/framing errors (never produced).
 *
 * Every entry (port read/write, deadline, receive, can_receive) first brings
 * the model up to host->now_ns by replaying the events that fell due since
 * the last entry, in time order [uart_advance], then does its work, then
 * re-requests its one deadline (the earliest pending event) and checks the
 * invariants. So LSR is exact at every read even if the owner fires the
 * deadline late, and the IRQ line changes at the same points QEMU's
 * serial_update_irq() calls would change it (including QEMU's low-high
 * pulse on a THR write while THRE interrupts are enabled).
 *
 * Transmitter (c = char_time_ns, T = the event's virtual time):
 *
 *   idle --THR write--> shifting(byte), tx empty, THRE edge   [tx_thr_write]
 *   shifting --THR write--> byte queued in tx (if full, the
 *       oldest queued byte is dropped: QEMU serial_ioport_write)  [tx_thr_write]
 *   shifting --T reaches shift_done_at_ns--> byte to the sink,
 *       or to the receiver in loopback                            [tx_finish]
 *       then tx non-empty: shifting(next, done = T + c)           [tx_start_next]
 *            tx empty: idle (TEMT)
 *   FCR.XFR: tx emptied, THRE interrupt pending; the byte being
 *       shifted still finishes                                    [fcr_write]
 *
 * Receiver: a byte arrives [rx_accept]: FIFO mode keeps the oldest 16 and
 * sets OE on overflow, non-FIFO mode keeps the newest and sets OE if DR was
 * set (QEMU recv_fifo_put / serial_receive1). In FIFO mode each arrival and
 * each RBR read that leaves bytes behind (re)arms the character timeout at
 * T + 4c; when it falls due with bytes waiting, the CTI interrupt is
 * pending until RBR is read or the FIFO reset [rx_timeout_fire].
 *
 * Invariants (uart16550_check, after every entry; "cap" is 16 with FCR.FE
 * set and 1 without):
 *  1. tx.count <= cap and rx.count <= cap; ring heads index the ring.
 *  2. LSR.THRE == (tx.count == 0); LSR.TEMT == THRE && !shifting;
 *     LSR.DR == (rx.count > 0); LSR has no bits but DR, OE, THRE, TEMT.
 *  3. Pending events lie in the future: shifting implies
 *     shift_done_at_ns > now_ns; an armed rx timeout is > now_ns.
 *  4. The transmitter never idles with bytes waiting: tx.count > 0
 *     implies shifting.
 *  5. thr_pending implies THRE.
 *  6. timeout_pending implies FCR.FE and rx.count > 0; an armed rx
 *     timeout implies FCR.FE.
 *  7. irq_level (what the host was told last) == IIR "interrupt pending".
 *  8. deadline_requested_ns == the earlier of shift_done_at_ns (if
 *     shifting) and rx_timeout_at_ns.
 *  9. Bytes are conserved: stats.tx_written == sent + looped + overwritten
 *     + flushed + tx.count + shifting.
 * 10. Registers hold only their implemented bits (IER 4, MCR 5, FCR the
 *     sticky 0xC9, lsr_errors OE); char_time_ns is the frame time for
 *     divisor and LCR (uart16550_char_time_ns).
 */
#include "duet/uart16550.h"

#include "hw_assert.h"

enum {
    NS_PER_S = 1000000000,
    RX_TIMEOUT_CHARS = 4,          /* QEMU: 4 character times */
    RESET_DIVISOR = 12,            /* 9600 baud */
    ADVANCE_STEPS_MAX = 4 * (UART16550_FIFO_BYTES + 1),
};

_Static_assert(UART16550_FIFO_BYTES <= UINT8_MAX, "fifo count fits a byte");
_Static_assert(UART16550_PORT_COUNT == 8, "the 16550 decodes 3 address bits");

/* ---- small pure helpers ---------------------------------------------- */

/* at + delta, saturating just below HW_DEADLINE_NONE ("never"). */
static uint64_t time_add_ns(uint64_t at_ns, uint64_t delta_ns)
{
    uint64_t limit_ns = (uint64_t)HW_DEADLINE_NONE - 1;
    if (at_ns >= limit_ns || delta_ns >= limit_ns - at_ns) {
        return limit_ns;
    }
    return at_ns + delta_ns;
}

static uint64_t time_min_ns(uint64_t a_ns, uint64_t b_ns)
{
    return a_ns < b_ns ? a_ns : b_ns;
}

/* Start + data + parity + stop bits; 2 stop bits whenever LCR.STB is set,
 * as QEMU's serial_update_parameters counts them (also for 5-bit words). */
static unsigned frame_bits(uint8_t lcr)
{
    unsigned bits = 1 + 5 + (lcr & UART16550_LCR_WLS_MASK);
    bits += (lcr & UART16550_LCR_STB) ? 2 : 1;
    bits += (lcr & UART16550_LCR_PEN) ? 1 : 0;
    return bits;
}

uint64_t uart16550_char_time_ns(uint16_t divisor, uint8_t lcr)
{
    uint64_t bits_ns = (uint64_t)frame_bits(lcr) * NS_PER_S;
    if (divisor == 0) {
        return bits_ns / UART16550_DIVISOR_ZERO_BAUD;
    }
    return bits_ns * divisor / UART16550_BAUD_BASE;
}

/* The RDA threshold in FIFO mode, FCR[7:6] (QEMU recv_fifo_itl). */
static unsigned rx_trigger_bytes(const struct uart16550 *uart)
{
    static const uint8_t trigger_bytes[4] = { 1, 4, 8, 14 };
    return trigger_bytes[(uart->fcr & UART16550_FCR_ITL_MASK) >> 6];
}

static bool fifo_enabled(const struct uart16550 *uart)
{
    return (uart->fcr & UART16550_FCR_FE) != 0;
}

static unsigned queue_capacity(const struct uart16550 *uart)
{
    return fifo_enabled(uart) ? UART16550_FIFO_BYTES : 1;
}

/* ---- the byte rings ------------------------------------------------- */

static void fifo_push(struct uart16550_fifo *fifo, uint8_t byte)
{
    HW_ASSERT(fifo->count < UART16550_FIFO_BYTES);
    unsigned tail = (fifo->head + fifo->count) % UART16550_FIFO_BYTES;
    fifo->bytes[tail] = byte;
    fifo->count++;
}

static uint8_t fifo_pop(struct uart16550_fifo *fifo)
{
    HW_ASSERT(fifo->count > 0);
    HW_ASSERT(fifo->head < UART16550_FIFO_BYTES);
    uint8_t byte = fifo->bytes[fifo->head];
    fifo->head = (uint8_t)((fifo->head + 1) % UART16550_FIFO_BYTES);
    fifo->count--;
    return byte;
}

static void fifo_clear(struct uart16550_fifo *fifo)
{
    fifo->head = 0;
    fifo->count = 0;
}

/* ---- derived registers ---------------------------------------------- */

uint8_t uart16550_lsr_peek(const struct uart16550 *uart)
{
    uint8_t lsr = uart->lsr_errors;
    if (uart->rx.count > 0) {
        lsr |= UART16550_LSR_DR;
    }
    if (uart->tx.count == 0) {
        lsr |= UART16550_LSR_THRE;
        if (!uart->shifting) {
            lsr |= UART16550_LSR_TEMT;
        }
    }
    return lsr;
}

/* QEMU serial_update_irq's priority encoder. The modem-status source is
 * left out: the MSR delta bits never set (see msr_read). */
static uint8_t iir_id(const struct uart16550 *uart)
{
    uint8_t ier = uart->ier;
    if ((ier & UART16550_IER_RLSI) &&
        (uart16550_lsr_peek(uart) & UART16550_LSR_INT_ANY)) {
        return UART16550_IIR_RLSI;
    }
    if ((ier & UART16550_IER_RDI) && uart->timeout_pending) {
        return UART16550_IIR_CTI;
    }
    if ((ier & UART16550_IER_RDI) && uart->rx.count > 0 &&
        (!fifo_enabled(uart) || uart->rx.count >= rx_trigger_bytes(uart))) {
        return UART16550_IIR_RDI;
    }
    if ((ier & UART16550_IER_THRI) && uart->thr_pending) {
        return UART16550_IIR_THRI;
    }
    return UART16550_IIR_NO_INT;
}

uint8_t uart16550_iir_peek(const struct uart16550 *uart)
{
    uint8_t fifo_bits = fifo_enabled(uart) ? UART16550_IIR_FIFO_ENABLED : 0;
    return (uint8_t)(iir_id(uart) | fifo_bits);
}

/* ---- outputs to the host -------------------------------------------- */

/* Drive the IRQ line from the priority encoder; the host sees changes only.
 * No MCR.OUT2 gating: QEMU's serial_update_irq has none. */
static void irq_update(struct uart16550 *uart)
{
    bool level = iir_id(uart) != UART16550_IIR_NO_INT;
    if (level == uart->irq_level) {
        return;
    }
    uart->irq_level = level;
    uart->host->irq_set(uart->host->owner, uart->irq_line, level ? 1 : 0);
}

static uint64_t next_event_ns(const struct uart16550 *uart)
{
    uint64_t tx_at_ns = uart->shifting ? uart->shift_done_at_ns
                                       : (uint64_t)HW_DEADLINE_NONE;
    return time_min_ns(tx_at_ns, uart->rx_timeout_at_ns);
}

static void deadline_update(struct uart16550 *uart)
{
    uint64_t at_ns = next_event_ns(uart);
    if (at_ns == uart->deadline_requested_ns) {
        return;
    }
    uart->deadline_requested_ns = at_ns;
    uart->host->deadline_set(uart->host->owner, uart, at_ns);
}

/* ---- receiver ------------------------------------------------------- */

static void rx_timeout_arm(struct uart16550 *uart, uint64_t from_ns)
{
    HW_ASSERT(fifo_enabled(uart));
    uart->rx_timeout_at_ns =
        time_add_ns(from_ns, RX_TIMEOUT_CHARS * uart->char_time_ns);
}

static void rx_overrun(struct uart16550 *uart)
{
    uart->lsr_errors |= UART16550_LSR_OE;
    uart->stats.rx_overrun++;
}

/* A byte arrives at `at_ns` (QEMU serial_receive1). */
static void rx_accept(struct uart16550 *uart, uint8_t byte, uint64_t at_ns)
{
    uart->stats.rx_received++;
    if (fifo_enabled(uart)) {
        if (uart->rx.count == UART16550_FIFO_BYTES) {
            rx_overrun(uart);          /* the FIFO keeps its older bytes */
        } else {
            fifo_push(&uart->rx, byte);
        }
        rx_timeout_arm(uart, at_ns);
    } else {
        if (uart->rx.count == 1) {
            rx_overrun(uart);          /* the unread byte is replaced */
            fifo_pop(&uart->rx);
        }
        fifo_push(&uart->rx, byte);
        uart->rbr = byte;
    }
    irq_update(uart);
    HW_ASSERT(uart->rx.count > 0);
}

/* QEMU fifo_timeout_int. */
static void rx_timeout_fire(struct uart16550 *uart)
{
    HW_ASSERT(fifo_enabled(uart));
    uart->rx_timeout_at_ns = HW_DEADLINE_NONE;
    if (uart->rx.count > 0) {
        uart->timeout_pending = true;
        irq_update(uart);
    }
}

/* ---- transmitter ---------------------------------------------------- */

/* Move the next queued byte into the shift register at `start_ns`; when that
 * empties the holding side, THRE rises and the THRE interrupt is pending
 * (QEMU serial_xmit: "THRE && !thr_ipending"). */
static void tx_start_next(struct uart16550 *uart, uint64_t start_ns)
{
    HW_ASSERT(!uart->shifting);
    if (uart->tx.count == 0) {
        return;
    }
    uart->shift_byte = fifo_pop(&uart->tx);
    uart->shifting = true;
    uart->shift_done_at_ns = time_add_ns(start_ns, uart->char_time_ns);
    if (uart->tx.count == 0 && !uart->thr_pending) {
        uart->thr_pending = true;
        irq_update(uart);
    }
}

/* The byte in the shift register has left the wire at shift_done_at_ns. */
static void tx_finish(struct uart16550 *uart)
{
    HW_ASSERT(uart->shifting);
    uint64_t done_ns = uart->shift_done_at_ns;
    uint8_t byte = uart->shift_byte;
    uart->shifting = false;
    if (uart->mcr & UART16550_MCR_LOOP) {
        uart->stats.tx_looped++;
        rx_accept(uart, byte, done_ns);
    } else {
        uart->stats.tx_sent++;
        uart->tx_byte(uart->sink_ctx, byte);
    }
    tx_start_next(uart, done_ns);
}

static void tx_thr_write(struct uart16550 *uart, uint8_t byte)
{
    uart->stats.tx_written++;
    if (uart->tx.count == queue_capacity(uart)) {
        fifo_pop(&uart->tx);           /* QEMU: overruns overwrite data */
        uart->stats.tx_overwritten++;
    }
    fifo_push(&uart->tx, byte);
    uart->thr_pending = false;
    irq_update(uart);
    if (!uart->shifting) {
        tx_start_next(uart, uart->now_ns);
    }
    HW_ASSERT(uart->shifting);
}

/* ---- time ------------------------------------------------------------ */

/* Replay every event due at or before now_ns, earliest first (a transmit
 * completion before a timeout due at the same instant). */
static void uart_advance(struct uart16550 *uart, uint64_t now_ns)
{
    for (unsigned step = 0; step < ADVANCE_STEPS_MAX; step++) {
        uint64_t rx_at_ns = uart->rx_timeout_at_ns;
        if (uart->shifting && uart->shift_done_at_ns <= now_ns &&
            uart->shift_done_at_ns <= rx_at_ns) {
            tx_finish(uart);
        } else if (rx_at_ns <= now_ns) {
            rx_timeout_fire(uart);
        } else {
            return;
        }
    }
    HW_ASSERT_DETAIL(false, "more events due than the FIFOs can hold");
}

static void entry_begin(struct uart16550 *uart)
{
    HW_ASSERT(uart->host != 0);
    HW_ASSERT_DETAIL(!uart->in_entry, "re-entered from a host callback");
    uart->in_entry = true;
    uint64_t now_ns = uart->host->now_ns(uart->host->owner);
    HW_ASSERT_DETAIL(now_ns >= uart->now_ns, "virtual time went backwards");
    uart->now_ns = now_ns;
    uart_advance(uart, now_ns);
}

static void entry_end(struct uart16550 *uart)
{
    deadline_update(uart);
    const char *broken = uart16550_check(uart);
    HW_ASSERT_DETAIL(broken == 0, broken);
    uart->in_entry = false;
}

/* ---- register reads ------------------------------------------------- */

/* QEMU serial_ioport_read, offset 0 without DLAB. */
static uint8_t rbr_read(struct uart16550 *uart)
{
    uint8_t value;
    if (fifo_enabled(uart)) {
        value = uart->rx.count > 0 ? fifo_pop(&uart->rx) : 0;
        if (uart->rx.count > 0) {
            rx_timeout_arm(uart, uart->now_ns);
        } else {
            uart->rx_timeout_at_ns = HW_DEADLINE_NONE; /* would find none */
        }
        uart->timeout_pending = false;
    } else {
        value = uart->rbr;             /* stale byte if DR is clear */
        if (uart->rx.count > 0) {
            fifo_pop(&uart->rx);
        }
    }
    irq_update(uart);
    HW_ASSERT(!uart->timeout_pending);
    return value;
}

/* Reading IIR while it reports THRE acknowledges that interrupt. */
static uint8_t iir_read(struct uart16550 *uart)
{
    uint8_t value = uart16550_iir_peek(uart);
    if ((value & UART16550_IIR_ID_MASK) == UART16550_IIR_THRI) {
        uart->thr_pending = false;
        irq_update(uart);
    }
    return value;
}

/* Reading LSR clears the overrun error. */
static uint8_t lsr_read(struct uart16550 *uart)
{
    uint8_t value = uart16550_lsr_peek(uart);
    if (uart->lsr_errors & UART16550_LSR_OE) {
        uart->lsr_errors = 0;
        irq_update(uart);
    }
    return value;
}

/* Outside loopback: DCD, DSR, CTS asserted and never changing, which is
 * what QEMU shows with a chardev that has no modem lines (file, stdio,
 * socket). In loopback the outputs feed the inputs: OUT2->DCD, OUT1->RI,
 * DTR->DSR, RTS->CTS; no delta bits either way. */
static uint8_t msr_read(const struct uart16550 *uart)
{
    uint8_t mcr = uart->mcr;
    if (!(mcr & UART16550_MCR_LOOP)) {
        return UART16550_MSR_DCD | UART16550_MSR_DSR | UART16550_MSR_CTS;
    }
    uint8_t msr = 0;
    msr |= (mcr & UART16550_MCR_OUT2) ? UART16550_MSR_DCD : 0;
    msr |= (mcr & UART16550_MCR_OUT1) ? UART16550_MSR_RI : 0;
    msr |= (mcr & UART16550_MCR_DTR) ? UART16550_MSR_DSR : 0;
    msr |= (mcr & UART16550_MCR_RTS) ? UART16550_MSR_CTS : 0;
    return msr;
}

static uint8_t reg_read(struct uart16550 *uart, unsigned offset)
{
    bool dlab = (uart->lcr & UART16550_LCR_DLAB) != 0;
    switch (offset) {
    case UART16550_RBR_THR:
        return dlab ? (uint8_t)(uart->divisor & 0xFF) : rbr_read(uart);
    case UART16550_IER:
        return dlab ? (uint8_t)(uart->divisor >> 8) : uart->ier;
    case UART16550_IIR_FCR: return iir_read(uart);
    case UART16550_LCR: return uart->lcr;
    case UART16550_MCR: return uart->mcr;
    case UART16550_LSR: return lsr_read(uart);
    case UART16550_MSR: return msr_read(uart);
    case UART16550_SCR: return uart->scr;
    default: return 0xFF;              /* past the 8 ports: not ours */
    }
}

/* ---- register writes ------------------------------------------------ */

static void divisor_write(struct uart16550 *uart, unsigned byte_index,
                          uint8_t value)
{
    HW_ASSERT(byte_index < 2);
    unsigned shift = 8 * byte_index;
    uart->divisor = (uint16_t)((uart->divisor & ~(0xFFu << shift)) |
                               ((unsigned)value << shift));
    uart->char_time_ns = uart16550_char_time_ns(uart->divisor, uart->lcr);
}

/* Enabling THRI while THRE is set makes the THRE interrupt pending again,
 * disabling it drops it; only a change of the bit resamples (QEMU). */
static void ier_write(struct uart16550 *uart, uint8_t value)
{
    uint8_t changed = (uint8_t)((uart->ier ^ value) & UART16550_IER_MASK);
    uart->ier = value & UART16550_IER_MASK;
    if (changed & UART16550_IER_THRI) {
        uart->thr_pending = (uart->ier & UART16550_IER_THRI) &&
                            uart->tx.count == 0;
    }
    if (changed) {
        irq_update(uart);
    }
}

/* QEMU serial_ioport_write case 2 and serial_write_fcr: a change of FE
 * resets both FIFOs; XFR makes THRE and its interrupt pending. */
static void fcr_write(struct uart16550 *uart, uint8_t value)
{
    if ((value ^ uart->fcr) & UART16550_FCR_FE) {
        value |= UART16550_FCR_XFR | UART16550_FCR_RFR;
    }
    if (value & UART16550_FCR_RFR) {
        fifo_clear(&uart->rx);
        uart->timeout_pending = false;
        uart->rx_timeout_at_ns = HW_DEADLINE_NONE;
    }
    if (value & UART16550_FCR_XFR) {
        uart->stats.tx_flushed += uart->tx.count;
        fifo_clear(&uart->tx);
        uart->thr_pending = true;
    }
    uart->fcr = value & UART16550_FCR_STICKY;
    irq_update(uart);
    HW_ASSERT(uart->tx.count <= queue_capacity(uart));
}

static void lcr_write(struct uart16550 *uart, uint8_t value)
{
    uart->lcr = value;                 /* SBC (break) is kept, not acted on */
    uart->char_time_ns = uart16550_char_time_ns(uart->divisor, uart->lcr);
}

static void reg_write(struct uart16550 *uart, unsigned offset, uint8_t value)
{
    bool dlab = (uart->lcr & UART16550_LCR_DLAB) != 0;
    switch (offset) {
    case UART16550_RBR_THR:
        if (dlab) {
            divisor_write(uart, 0, value);
        } else {
            tx_thr_write(uart, value);
        }
        return;
    case UART16550_IER:
        if (dlab) {
            divisor_write(uart, 1, value);
        } else {
            ier_write(uart, value);
        }
        return;
    case UART16550_IIR_FCR: fcr_write(uart, value); return;
    case UART16550_LCR: lcr_write(uart, value); return;
    case UART16550_MCR: uart->mcr = value & UART16550_MCR_MASK; return;
    case UART16550_SCR: uart->scr = value; return;
    default: return;                   /* LSR, MSR: read-only; past 8 ports */
    }
}

/* ---- the bus view --------------------------------------------------- */

/* A wide access is split into byte accesses at rising offsets, low byte
 * first, as QEMU's memory core does for serial_io_ops (impl 1..1). */
static uint32_t uart_port_read(void *model, uint16_t offset, unsigned width)
{
    struct uart16550 *uart = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(uart);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        value |= (uint32_t)reg_read(uart, (unsigned)offset + i) << (8 * i);
    }
    entry_end(uart);
    return value;
}

static void uart_port_write(void *model, uint16_t offset, unsigned width,
                            uint32_t value)
{
    struct uart16550 *uart = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(uart);
    for (unsigned i = 0; i < width; i++) {
        reg_write(uart, (unsigned)offset + i, (uint8_t)(value >> (8 * i)));
    }
    entry_end(uart);
}

static void uart_deadline(void *model)
{
    struct uart16550 *uart = model;
    uart->deadline_requested_ns = HW_DEADLINE_NONE;  /* the request is used */
    entry_begin(uart);
    entry_end(uart);
}

struct hw_port_device uart16550_port_device(struct uart16550 *uart,
                                            uint16_t port_base)
{
    HW_ASSERT(uart != 0 && uart->host != 0);
    HW_ASSERT(port_base <= UINT16_MAX - (UART16550_PORT_COUNT - 1));
    return (struct hw_port_device){
        .name = "uart16550",
        .port_base = port_base,
        .port_count = UART16550_PORT_COUNT,
        .model = uart,
        .read = uart_port_read,
        .write = uart_port_write,
        .deadline = uart_deadline,
    };
}

/* ---- owner entries -------------------------------------------------- */

void uart16550_init(struct uart16550 *uart, const struct hw_bus_host *host,
                    unsigned irq_line, uart16550_tx_byte_fn *tx_byte,
                    void *sink_ctx)
{
    HW_ASSERT(uart != 0 && host != 0 && tx_byte != 0);
    HW_ASSERT(host->irq_set != 0 && host->now_ns != 0 &&
              host->deadline_set != 0);
    *uart = (struct uart16550){ .host = host, .irq_line = irq_line,
                                .tx_byte = tx_byte, .sink_ctx = sink_ctx };
    uart16550_reset(uart);
}

/* QEMU serial_reset, except that FCR is cleared too (see HW_MODELS.md). */
void uart16550_reset(struct uart16550 *uart)
{
    HW_ASSERT(uart != 0 && uart->host != 0);
    HW_ASSERT_DETAIL(!uart->in_entry, "reset from a host callback");
    const struct hw_bus_host *host = uart->host;
    unsigned irq_line = uart->irq_line;
    uart16550_tx_byte_fn *tx_byte = uart->tx_byte;
    void *sink_ctx = uart->sink_ctx;
    *uart = (struct uart16550){
        .host = host, .irq_line = irq_line,
        .tx_byte = tx_byte, .sink_ctx = sink_ctx,
        .divisor = RESET_DIVISOR, .mcr = UART16550_MCR_OUT2,
        .char_time_ns = uart16550_char_time_ns(RESET_DIVISOR, 0),
        .rx_timeout_at_ns = HW_DEADLINE_NONE,
        .now_ns = host->now_ns(host->owner),
        .deadline_requested_ns = HW_DEADLINE_NONE,
    };
    host->irq_set(host->owner, irq_line, 0);
    host->deadline_set(host->owner, uart, HW_DEADLINE_NONE);
    const char *broken = uart16550_check(uart);
    HW_ASSERT_DETAIL(broken == 0, broken);
}

void uart16550_receive(struct uart16550 *uart, uint8_t byte)
{
    entry_begin(uart);
    rx_accept(uart, byte, uart->now_ns);
    entry_end(uart);
}

/* QEMU serial_can_receive: in FIFO mode up to the trigger level (none while
 * the FIFO holds exactly that many), then one at a time; else 1 if RBR is
 * free. */
unsigned uart16550_can_receive(struct uart16550 *uart)
{
    entry_begin(uart);
    unsigned count = uart->rx.count;
    unsigned room;
    if (!fifo_enabled(uart)) {
        room = count == 0 ? 1 : 0;
    } else if (count >= UART16550_FIFO_BYTES) {
        room = 0;
    } else {
        unsigned trigger = rx_trigger_bytes(uart);
        room = count <= trigger ? trigger - count : 1;
    }
    entry_end(uart);
    return room;
}
