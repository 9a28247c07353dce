/*
 * test_uart16550.c - the UART model against the behaviour we promise.
 *
 * Each case drives the model through its port device on a fake host (a
 * virtual clock moved by hand, logs of IRQ levels, deadline requests and
 * sink bytes) and checks what a guest driver would see: reset values,
 * divisor programming, THRE/TEMT at exact virtual times for three rates
 * and with an owner that fires the deadline late,
 * FIFO fill and overflow (QEMU's "overwrite the oldest"), sink order and
 * times, THRE interrupt raise/clear rules, IIR priorities and the FIFO
 * character timeout, loopback, the receive path and overrun, wide and
 * out-of-range accesses, reset mid-transmission. Prints
 * "test_uart16550: ok" when all hold. Not here: random sequences
 * (test_uart16550_random_io.c).
 */
#include "duet/uart16550.h"

#include "fake_host.h"

static const char test_name[] = "test_uart16550";
#define T_CHECK(condition) CHECK(test_name, condition)
#define T_EQ(actual, expected) CHECK_EQ(test_name, actual, expected)

enum {
    CHAR_115200_8N1_NS = 86805,    /* 10 bits * 1e9 / 115200, rounded down */
    CHAR_9600_7E2_NS = 1145833,    /* 11 bits * 12 * 1e9 / 115200 */
    CHAR_9600_8N1_NS = 1041666,    /* 10 bits * 12 * 1e9 / 115200 */
    CHAR_9600_5N1_NS = 729166,     /* reset: divisor 12, LCR 0 (7 bits) */
    CHAR_DIVISOR0_8N1_NS = 2857142, /* 10 bits at 3500 baud */
    CHAR_38400_5N1_NS = 182291,    /* 7 bits * 3 * 1e9 / 115200 */
    START_NS = 1000,
};

struct fixture {
    struct fake_host fh;
    struct uart16550 uart;
};

static struct fixture fixture_storage;

static struct fixture *setup(void)
{
    struct fixture *fx = &fixture_storage;
    fake_host_init(&fx->fh, UART16550_COM1_IRQ_LINE);
    fx->fh.now_ns = START_NS;
    uart16550_init(&fx->uart, &fx->fh.host, UART16550_COM1_IRQ_LINE,
                   fake_sink, &fx->fh);
    fx->fh.dev = uart16550_port_device(&fx->uart, UART16550_COM1_PORT_BASE);
    T_EQ(fx->fh.irq_level, 0);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    return fx;
}

static void program_line(struct fixture *fx, uint16_t divisor, uint8_t lcr)
{
    fake_out8(&fx->fh, UART16550_LCR, UART16550_LCR_DLAB | lcr);
    fake_out8(&fx->fh, UART16550_RBR_THR, (uint8_t)(divisor & 0xFF));
    fake_out8(&fx->fh, UART16550_IER, (uint8_t)(divisor >> 8));
    fake_out8(&fx->fh, UART16550_LCR, lcr);
}

static uint8_t lsr(struct fixture *fx) { return fake_in8(&fx->fh, UART16550_LSR); }
static uint8_t iir(struct fixture *fx) { return fake_in8(&fx->fh, UART16550_IIR_FCR); }

static void check_ok(struct fixture *fx)
{
    const char *broken = uart16550_check(&fx->uart);
    if (broken) {
        fprintf(stderr, "%s: FAIL invariant %s\n", test_name, broken);
        exit(1);
    }
}

static void test_reset_values(void)
{
    struct fixture *fx = setup();
    T_EQ(lsr(fx), 0x60);
    T_EQ(iir(fx), 0x01);
    T_EQ(fake_in8(&fx->fh, UART16550_IER), 0);
    T_EQ(fake_in8(&fx->fh, UART16550_LCR), 0);
    T_EQ(fake_in8(&fx->fh, UART16550_MCR), UART16550_MCR_OUT2);
    T_EQ(fake_in8(&fx->fh, UART16550_MSR), 0xB0);
    T_EQ(fake_in8(&fx->fh, UART16550_SCR), 0);
    fake_out8(&fx->fh, UART16550_LCR, UART16550_LCR_DLAB);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 12);
    T_EQ(fake_in8(&fx->fh, UART16550_IER), 0);
    T_EQ(fx->uart.char_time_ns, CHAR_9600_5N1_NS);
    check_ok(fx);
}

static void test_divisor_latch(void)
{
    struct fixture *fx = setup();
    fake_out8(&fx->fh, UART16550_LCR, 0x83);
    fake_out8(&fx->fh, UART16550_RBR_THR, 0x01);
    fake_out8(&fx->fh, UART16550_IER, 0x00);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 0x01);
    T_EQ(fake_in8(&fx->fh, UART16550_IER), 0x00);
    T_EQ(fx->uart.stats.tx_written, 0);      /* DLL write is not THR */
    fake_out8(&fx->fh, UART16550_LCR, 0x03);
    T_EQ(fake_in8(&fx->fh, UART16550_IER), 0); /* IER untouched by DLM */
    T_EQ(fx->uart.char_time_ns, CHAR_115200_8N1_NS);
    /* A 16-bit access under DLAB covers DLL and DLM, low byte first. */
    fake_out8(&fx->fh, UART16550_LCR, 0x83);
    fake_out(&fx->fh, UART16550_RBR_THR, 2, 0x0102);
    T_EQ(fake_in(&fx->fh, UART16550_RBR_THR, 2), 0x0102);
    T_EQ(fx->uart.divisor, 0x0102);
    fake_out8(&fx->fh, UART16550_LCR, 0x03);
    T_EQ(fx->uart.char_time_ns, uart16550_char_time_ns(0x0102, 0x03));
    check_ok(fx);
}

static void test_char_times(void)
{
    T_EQ(uart16550_char_time_ns(1, 0x03), CHAR_115200_8N1_NS);
    T_EQ(uart16550_char_time_ns(12, 0x1E), CHAR_9600_7E2_NS);
    T_EQ(uart16550_char_time_ns(12, 0x03), CHAR_9600_8N1_NS);
    T_EQ(uart16550_char_time_ns(0, 0x03), CHAR_DIVISOR0_8N1_NS);
    T_EQ(uart16550_char_time_ns(3, 0x00), CHAR_38400_5N1_NS);
    T_EQ(uart16550_char_time_ns(1, 0x83), CHAR_115200_8N1_NS); /* DLAB, SBC */
    T_EQ(uart16550_char_time_ns(1, 0x43), CHAR_115200_8N1_NS);
}

/* 115200 8N1, no FIFO: THRE at once (the shift register takes the byte),
 * TEMT exactly one character later, also when nobody fires the deadline. */
static void test_tx_timing_115200(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    uint64_t t0 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'A');
    T_EQ(lsr(fx), 0x20);
    T_EQ(fx->fh.deadline_ns, t0 + CHAR_115200_8N1_NS);
    fake_set_now(&fx->fh, t0 + CHAR_115200_8N1_NS - 1);
    T_EQ(lsr(fx), 0x20);
    T_EQ(fx->fh.sink_count, 0);
    fake_set_now(&fx->fh, t0 + CHAR_115200_8N1_NS);   /* deadline not fired */
    T_EQ(lsr(fx), 0x60);
    T_EQ(fx->fh.sink_count, 1);
    T_EQ(fx->fh.sink_log[0].byte, 'A');
    T_EQ(fx->fh.sink_log[0].at_ns, t0 + CHAR_115200_8N1_NS);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);

    /* FIFO mode: three bytes leave back to back, one per character. */
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x07);
    uint64_t t1 = fx->fh.now_ns + 500;
    fake_run_until(&fx->fh, t1);
    for (const char *p = "xyz"; *p; p++) {
        fake_out8(&fx->fh, UART16550_RBR_THR, (uint8_t)*p);
    }
    T_EQ(lsr(fx), 0x00);
    fake_run_until(&fx->fh, t1 + CHAR_115200_8N1_NS - 1);
    T_EQ(fx->fh.sink_count, 1);
    fake_run_until(&fx->fh, t1 + CHAR_115200_8N1_NS);
    T_EQ(fx->fh.sink_count, 2);
    T_EQ(lsr(fx), 0x00);                              /* 'z' still queued */
    fake_run_until(&fx->fh, t1 + 2 * CHAR_115200_8N1_NS);
    T_EQ(lsr(fx), 0x20);
    fake_run_until(&fx->fh, t1 + 3 * CHAR_115200_8N1_NS);
    T_EQ(lsr(fx), 0x60);
    T_EQ(fx->fh.sink_count, 4);
    for (unsigned i = 0; i < 3; i++) {
        T_EQ(fx->fh.sink_log[1 + i].byte, "xyz"[i]);
        T_EQ(fx->fh.sink_log[1 + i].at_ns, t1 + (i + 1) * CHAR_115200_8N1_NS);
    }

    /* An owner that is late by many characters: the bytes still left back
     * to back, so at the next access the FIFO is empty and the line idle,
     * and the pending deadline fires late without effect. */
    uint64_t t2 = fx->fh.now_ns;
    for (const char *p = "uvw"; *p; p++) {
        fake_out8(&fx->fh, UART16550_RBR_THR, (uint8_t)*p);
    }
    fake_set_now(&fx->fh, t2 + 10 * CHAR_115200_8N1_NS);
    fake_out8(&fx->fh, UART16550_RBR_THR, '!');
    T_EQ(fx->uart.tx.count, 0);
    T_EQ(fx->fh.sink_count, 7);
    fake_run_until(&fx->fh, fx->fh.now_ns + CHAR_115200_8N1_NS);
    T_EQ(fx->fh.sink_count, 8);
    T_EQ(fx->fh.sink_log[7].byte, '!');
    T_EQ(fx->fh.sink_log[7].at_ns, t2 + 11 * CHAR_115200_8N1_NS);
    check_ok(fx);
}

/* 9600 7E2 (11-bit frames), holding register without FIFO; divisor 0. */
static void test_tx_timing_other_rates(void)
{
    struct fixture *fx = setup();
    program_line(fx, 12, 0x1E);
    uint64_t t0 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'a');
    fake_out8(&fx->fh, UART16550_RBR_THR, 'b');
    T_EQ(lsr(fx), 0x00);
    fake_run_until(&fx->fh, t0 + CHAR_9600_7E2_NS - 1);
    T_EQ(lsr(fx), 0x00);
    fake_run_until(&fx->fh, t0 + CHAR_9600_7E2_NS);
    T_EQ(lsr(fx), 0x20);
    fake_run_until(&fx->fh, t0 + 2 * CHAR_9600_7E2_NS - 1);
    T_EQ(lsr(fx), 0x20);
    fake_run_until(&fx->fh, t0 + 2 * CHAR_9600_7E2_NS);
    T_EQ(lsr(fx), 0x60);
    T_EQ(fx->fh.sink_count, 2);
    T_EQ(fx->fh.sink_log[1].byte, 'b');
    T_EQ(fx->fh.sink_log[1].at_ns, t0 + 2 * CHAR_9600_7E2_NS);

    program_line(fx, 0, 0x03);                       /* QEMU: ~3500 baud */
    uint64_t t1 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'c');
    fake_run_until(&fx->fh, t1 + CHAR_DIVISOR0_8N1_NS - 1);
    T_EQ(lsr(fx), 0x20);
    fake_run_until(&fx->fh, t1 + CHAR_DIVISOR0_8N1_NS);
    T_EQ(lsr(fx), 0x60);
    check_ok(fx);
}

/* The shift register holds one byte and the FIFO sixteen more; a THR write
 * into a full FIFO drops the oldest queued byte (QEMU serial_ioport_write:
 * "xmit overruns overwrite data"). Without FIFO the THR is overwritten. */
static void test_fifo_fill_and_overflow(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x07);
    uint64_t t0 = fx->fh.now_ns;
    for (unsigned i = 0; i < 17; i++) {
        fake_out8(&fx->fh, UART16550_RBR_THR, (uint8_t)i);
    }
    T_EQ(fx->uart.tx.count, 16);
    T_EQ(fx->uart.stats.tx_overwritten, 0);
    T_EQ(lsr(fx) & 0x60, 0);
    fake_out8(&fx->fh, UART16550_RBR_THR, 17);       /* the FIFO is full */
    T_EQ(fx->uart.tx.count, 16);
    T_EQ(fx->uart.stats.tx_overwritten, 1);
    fake_run_until(&fx->fh, t0 + 17 * CHAR_115200_8N1_NS);
    T_EQ(lsr(fx), 0x60);
    T_EQ(fx->fh.sink_count, 17);
    T_EQ(fx->fh.sink_log[0].byte, 0);
    for (unsigned i = 1; i < 17; i++) {
        T_EQ(fx->fh.sink_log[i].byte, i + 1);        /* byte 1 was dropped */
        T_EQ(fx->fh.sink_log[i].at_ns, t0 + (i + 1) * CHAR_115200_8N1_NS);
    }

    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x00);     /* holding register */
    uint64_t t1 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'a');
    fake_out8(&fx->fh, UART16550_RBR_THR, 'b');
    fake_out8(&fx->fh, UART16550_RBR_THR, 'c');      /* overwrites 'b' */
    fake_run_until(&fx->fh, t1 + 2 * CHAR_115200_8N1_NS);
    T_EQ(fx->fh.sink_count, 19);
    T_EQ(fx->fh.sink_log[17].byte, 'a');
    T_EQ(fx->fh.sink_log[18].byte, 'c');
    T_EQ(fx->uart.stats.tx_overwritten, 2);
    check_ok(fx);
}

static uint64_t irq_changes_since(struct fixture *fx, uint64_t mark)
{
    return fx->fh.irq_changes - mark;
}

static void test_thre_interrupt(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_THRI);  /* THRE is 1 */
    T_EQ(fx->fh.irq_level, 1);
    T_EQ(iir(fx), 0x02);                             /* acknowledges */
    T_EQ(fx->fh.irq_level, 0);
    T_EQ(iir(fx), 0x01);
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_THRI);  /* no change */
    T_EQ(fx->fh.irq_level, 0);
    fake_out8(&fx->fh, UART16550_IER, 0);
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_THRI);  /* re-armed */
    T_EQ(fx->fh.irq_level, 1);
    T_EQ(lsr(fx), 0x60);                            /* LSR does not ack */
    T_EQ(fx->fh.irq_level, 1);

    /* THR write while idle: low, then high again as the shift register
     * takes the byte, both at the same instant (QEMU's pulse). */
    uint64_t mark = fx->fh.irq_changes;
    uint64_t t0 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'p');
    T_EQ(irq_changes_since(fx, mark), 2);
    T_EQ(fx->fh.irq_log[mark].level, 0);
    T_EQ(fx->fh.irq_log[mark + 1].level, 1);
    T_EQ(fx->fh.irq_log[mark + 1].at_ns, t0);

    /* No MCR.OUT2 gating, as in QEMU. */
    fake_out8(&fx->fh, UART16550_MCR, 0);
    T_EQ(fx->fh.irq_level, 1);

    /* FIFO: the second byte waits, so THRE and the IRQ rise one char later. */
    fake_run_until(&fx->fh, t0 + CHAR_115200_8N1_NS);
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x07);
    T_EQ(iir(fx), 0xC2);
    uint64_t t1 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'q');
    fake_out8(&fx->fh, UART16550_RBR_THR, 'r');
    T_EQ(fx->fh.irq_level, 0);
    T_EQ(iir(fx), 0xC1);
    mark = fx->fh.irq_changes;
    fake_run_until(&fx->fh, t1 + CHAR_115200_8N1_NS);
    T_EQ(irq_changes_since(fx, mark), 1);
    T_EQ(fx->fh.irq_log[mark].at_ns, t1 + CHAR_115200_8N1_NS);
    T_EQ(iir(fx), 0xC2);
    T_EQ(lsr(fx), 0x20);                            /* 'r' still shifting */

    /* FCR.XFR empties the FIFO and makes THRE pending at once. */
    fake_out8(&fx->fh, UART16550_RBR_THR, 's');
    fake_out8(&fx->fh, UART16550_RBR_THR, 't');
    T_EQ(fx->fh.irq_level, 0);
    uint64_t flushed = fx->uart.stats.tx_flushed;
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x05);
    T_EQ(fx->uart.stats.tx_flushed - flushed, 2);
    T_EQ(fx->fh.irq_level, 1);
    T_EQ(lsr(fx), 0x20);
    check_ok(fx);
}

static void test_iir_priorities(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    fake_out8(&fx->fh, UART16550_IER, 0x0F);
    uart16550_receive(&fx->uart, 'a');
    uart16550_receive(&fx->uart, 'b');              /* overrun */
    T_EQ(iir(fx), 0x06);                            /* line status first */
    T_EQ(lsr(fx), 0x63);                            /* reading clears OE */
    T_EQ(iir(fx), 0x04);                            /* then data */
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'b');
    T_EQ(iir(fx), 0x02);                            /* then THRE */
    T_EQ(iir(fx), 0x01);
    T_EQ(fx->fh.irq_level, 0);

    /* FIFO, trigger 4: one byte gives no RDA, but the timeout after four
     * character times does (CTI); reading RBR clears it. */
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_RDI);
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x47);
    uint64_t t0 = fx->fh.now_ns;
    uart16550_receive(&fx->uart, 'c');
    T_EQ(iir(fx), 0xC1);
    fake_run_until(&fx->fh, t0 + 4 * CHAR_115200_8N1_NS - 1);
    T_EQ(fx->fh.irq_level, 0);
    fake_run_until(&fx->fh, t0 + 4 * CHAR_115200_8N1_NS);
    T_EQ(fx->fh.irq_level, 1);
    T_EQ(iir(fx), 0xCC);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'c');
    T_EQ(iir(fx), 0xC1);
    T_EQ(fx->fh.irq_level, 0);
    for (const char *p = "defg"; *p; p++) {
        uart16550_receive(&fx->uart, (uint8_t)*p);
    }
    T_EQ(iir(fx), 0xC4);                            /* at the trigger */
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'd');
    T_EQ(iir(fx), 0xC1);                            /* below it again */
    uint64_t t1 = fx->fh.now_ns;
    fake_run_until(&fx->fh, t1 + 4 * CHAR_115200_8N1_NS);
    T_EQ(iir(fx), 0xCC);                            /* re-armed by the read */

    /* The modem lines never change, so MSI never fires. */
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x00);    /* flushes the FIFO */
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_MSI);
    T_EQ(iir(fx), 0x01);
    check_ok(fx);
}

static void test_loopback(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    static const struct { uint8_t mcr, msr; } lines[] = {
        { 0x10, 0x00 }, { 0x11, 0x20 }, { 0x12, 0x10 }, { 0x14, 0x40 },
        { 0x18, 0x80 }, { 0x1F, 0xF0 },
    };
    for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        fake_out8(&fx->fh, UART16550_MCR, lines[i].mcr);
        T_EQ(fake_in8(&fx->fh, UART16550_MSR), lines[i].msr);
    }
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x07);
    fake_out8(&fx->fh, UART16550_IER, UART16550_IER_RDI);
    uint64_t t0 = fx->fh.now_ns;
    fake_out8(&fx->fh, UART16550_RBR_THR, 'L');
    fake_out8(&fx->fh, UART16550_RBR_THR, 'M');
    fake_run_until(&fx->fh, t0 + CHAR_115200_8N1_NS);
    T_EQ(fx->fh.irq_level, 1);                      /* RDA at trigger 1 */
    T_EQ(lsr(fx), 0x21);
    fake_run_until(&fx->fh, t0 + 2 * CHAR_115200_8N1_NS);
    T_EQ(fx->fh.sink_count, 0);                     /* nothing on the wire */
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'L');
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'M');
    T_EQ(lsr(fx), 0x60);
    T_EQ(fx->uart.stats.tx_looped, 2);
    fake_out8(&fx->fh, UART16550_MCR, 0x08);
    T_EQ(fake_in8(&fx->fh, UART16550_MSR), 0xB0);
    check_ok(fx);
}

static void test_receive_and_overrun(void)
{
    struct fixture *fx = setup();
    /* Non-FIFO: the newest byte wins, OE set, RBR keeps the last byte. */
    T_EQ(uart16550_can_receive(&fx->uart), 1);
    uart16550_receive(&fx->uart, 'x');
    T_EQ(uart16550_can_receive(&fx->uart), 0);
    uart16550_receive(&fx->uart, 'y');
    T_EQ(lsr(fx), 0x63);
    T_EQ(lsr(fx), 0x61);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'y');
    T_EQ(lsr(fx), 0x60);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'y');  /* stale, as QEMU */

    /* FIFO: the oldest sixteen stay, the seventeenth is lost. */
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x01);
    T_EQ(uart16550_can_receive(&fx->uart), 1);      /* trigger 1 */
    for (unsigned i = 0; i < 17; i++) {
        uart16550_receive(&fx->uart, (uint8_t)('A' + i));
    }
    T_EQ(uart16550_can_receive(&fx->uart), 0);
    T_EQ(fx->uart.stats.rx_overrun, 2);
    T_EQ(lsr(fx), 0x63);
    for (unsigned i = 0; i < 16; i++) {
        T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 'A' + i);
    }
    T_EQ(lsr(fx), 0x60);
    T_EQ(fake_in8(&fx->fh, UART16550_RBR_THR), 0);  /* empty FIFO reads 0 */

    fake_out8(&fx->fh, UART16550_IIR_FCR, 0xC1);    /* trigger 14 */
    T_EQ(uart16550_can_receive(&fx->uart), 14);
    uart16550_receive(&fx->uart, '1');
    T_EQ(uart16550_can_receive(&fx->uart), 13);
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0xC3);    /* RFR */
    T_EQ(lsr(fx), 0x60);
    check_ok(fx);
}

static void test_wide_and_outside_access(void)
{
    struct fixture *fx = setup();
    fake_out8(&fx->fh, UART16550_SCR, 0x5A);
    T_EQ(fake_in(&fx->fh, UART16550_LSR, 4), 0xFF5AB060u);
    T_EQ(fake_in(&fx->fh, 8, 1), 0xFF);
    fake_out(&fx->fh, UART16550_MSR, 4, 0x11223344u); /* MSR ignored, SCR=0x33 */
    T_EQ(fake_in8(&fx->fh, UART16550_SCR), 0x33);
    fake_out(&fx->fh, 9, 2, 0xFFFF);                  /* not ours: ignored */
    T_EQ(fake_in(&fx->fh, UART16550_LCR, 2), 0x0800);  /* LCR 0, MCR OUT2 */
    check_ok(fx);
}

static void test_reset_mid_transmission(void)
{
    struct fixture *fx = setup();
    program_line(fx, 1, 0x03);
    fake_out8(&fx->fh, UART16550_IIR_FCR, 0x07);
    fake_out8(&fx->fh, UART16550_IER, 0x0F);
    for (unsigned i = 0; i < 5; i++) {
        fake_out8(&fx->fh, UART16550_RBR_THR, (uint8_t)i);
    }
    uart16550_receive(&fx->uart, 'z');
    T_EQ(fx->fh.irq_level, 1);
    T_CHECK(fx->fh.deadline_ns != HW_DEADLINE_NONE);
    uart16550_reset(&fx->uart);
    T_EQ(fx->fh.irq_level, 0);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    fake_run_until(&fx->fh, fx->fh.now_ns + 100 * CHAR_9600_8N1_NS);
    T_EQ(fx->fh.sink_count, 0);
    T_EQ(lsr(fx), 0x60);
    T_EQ(iir(fx), 0x01);
    T_EQ(fake_in8(&fx->fh, UART16550_MCR), UART16550_MCR_OUT2);
    check_ok(fx);
}

int main(void)
{
    test_reset_values();
    test_divisor_latch();
    test_char_times();
    test_tx_timing_115200();
    test_tx_timing_other_rates();
    test_fifo_fill_and_overflow();
    test_thre_interrupt();
    test_iir_priorities();
    test_loopback();
    test_receive_and_overrun();
    test_wide_and_outside_access();
    test_reset_mid_transmission();
    printf("%s: ok\n", test_name);
    return 0;
}
