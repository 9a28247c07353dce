/*
 * uart16550_check.c - the UART model's invariants as one checker.
 *
 * uart16550_check() returns NULL when every invariant numbered at the top
 * of uart16550.c holds, else a fixed string naming the first broken one.
 * The model runs it at the end of every entry (and asserts); tests and fuzz
 * oracles run it between steps. It only reads the struct and the model's
 * side-effect-free peeks; it never calls the host.
 */
#include "duet/uart16550.h"

static unsigned queue_capacity(const struct uart16550 *uart)
{
    return (uart->fcr & UART16550_FCR_FE) ? UART16550_FIFO_BYTES : 1;
}

static const char *check_queues(const struct uart16550 *uart)
{
    unsigned capacity = queue_capacity(uart);
    if (uart->tx.count > capacity) return "1: tx count above capacity";
    if (uart->rx.count > capacity) return "1: rx count above capacity";
    if (uart->tx.head >= UART16550_FIFO_BYTES) return "1: tx head outside ring";
    if (uart->rx.head >= UART16550_FIFO_BYTES) return "1: rx head outside ring";
    return 0;
}

static const char *check_lsr(const struct uart16550 *uart)
{
    uint8_t lsr = uart16550_lsr_peek(uart);
    bool thre = (lsr & UART16550_LSR_THRE) != 0;
    bool temt = (lsr & UART16550_LSR_TEMT) != 0;
    uint8_t known = UART16550_LSR_DR | UART16550_LSR_OE | UART16550_LSR_THRE |
                    UART16550_LSR_TEMT;
    if (thre != (uart->tx.count == 0)) return "2: LSR.THRE != tx empty";
    if (temt != (thre && !uart->shifting)) return "2: LSR.TEMT != idle";
    if (((lsr & UART16550_LSR_DR) != 0) != (uart->rx.count > 0)) {
        return "2: LSR.DR != rx non-empty";
    }
    if (lsr & ~known) return "2: LSR has a bit the model never sets";
    return 0;
}

static const char *check_time(const struct uart16550 *uart)
{
    bool rx_armed = uart->rx_timeout_at_ns != (uint64_t)HW_DEADLINE_NONE;
    if (uart->shifting && uart->shift_done_at_ns <= uart->now_ns) {
        return "3: a finished byte is still shifting";
    }
    if (rx_armed && uart->rx_timeout_at_ns <= uart->now_ns) {
        return "3: a due rx timeout was not handled";
    }
    if (uart->tx.count > 0 && !uart->shifting) {
        return "4: transmitter idle with bytes queued";
    }
    uint64_t next_ns = uart->rx_timeout_at_ns;
    if (uart->shifting && uart->shift_done_at_ns < next_ns) {
        next_ns = uart->shift_done_at_ns;
    }
    if (uart->deadline_requested_ns != next_ns) {
        return "8: requested deadline is not the next event";
    }
    return 0;
}

static const char *check_interrupts(const struct uart16550 *uart)
{
    bool fifo = (uart->fcr & UART16550_FCR_FE) != 0;
    bool rx_armed = uart->rx_timeout_at_ns != (uint64_t)HW_DEADLINE_NONE;
    if (uart->thr_pending && uart->tx.count > 0) {
        return "5: THRE interrupt pending while THR holds data";
    }
    if (uart->timeout_pending && !(fifo && uart->rx.count > 0)) {
        return "6: character timeout pending without FIFO data";
    }
    if (rx_armed && !fifo) return "6: rx timeout armed in non-FIFO mode";
    bool pending = !(uart16550_iir_peek(uart) & UART16550_IIR_NO_INT);
    if (uart->irq_level != pending) return "7: IRQ level != IIR pending";
    return 0;
}

static const char *check_conservation(const struct uart16550 *uart)
{
    const struct uart16550_stats *stats = &uart->stats;
    uint64_t accounted = stats->tx_sent + stats->tx_looped +
                         stats->tx_overwritten + stats->tx_flushed +
                         uart->tx.count + (uart->shifting ? 1 : 0);
    if (stats->tx_written != accounted) return "9: transmit bytes not conserved";
    if (stats->rx_overrun > stats->rx_received) return "9: more overruns than bytes";
    return 0;
}

static const char *check_registers(const struct uart16550 *uart)
{
    if (uart->ier & ~UART16550_IER_MASK) return "10: IER has bits above 3";
    if (uart->mcr & ~UART16550_MCR_MASK) return "10: MCR has bits above 4";
    if (uart->fcr & ~UART16550_FCR_STICKY) return "10: FCR keeps a self-clearing bit";
    if (uart->lsr_errors & ~UART16550_LSR_OE) return "10: LSR error other than OE";
    if (uart->char_time_ns != uart16550_char_time_ns(uart->divisor, uart->lcr)) {
        return "10: char_time_ns stale for divisor/LCR";
    }
    return 0;
}

const char *uart16550_check(const struct uart16550 *uart)
{
    const char *broken = check_queues(uart);
    if (!broken) broken = check_lsr(uart);
    if (!broken) broken = check_time(uart);
    if (!broken) broken = check_interrupts(uart);
    if (!broken) broken = check_conservation(uart);
    if (!broken) broken = check_registers(uart);
    return broken;
}
