/*
 * test_i8254.c - the PIT model against the behaviour we promise (QEMU 7.2).
 *
 * Each case drives the model through its port device on a fake host and
 * checks what a guest and the 8259 would see: IRQ 0 edges at exact virtual
 * nanoseconds in modes 0, 1, 2, 3, 4 and after power-on, live counts in
 * every mode and access mode, reload value 0, the counter latch command,
 * the read-back command and its status byte, modes 6/7 and channels 1/2,
 * the gate input, reset, wide accesses, and an owner that fires deadlines
 * late. Prints "test_i8254: ok". Not here: random sequences
 * (test_pit_pic_random_io.c).
 *
 * Expected times are derived independently of the model from QEMU's
 * rounding, with t the nanoseconds since the count was loaded:
 *   ticks(t)  = floor(t * 1193182 / 1e9)
 *   tick_ns(K)  = the first t with ticks(t) >= K  = ceil(K * 1e9 / 1193182)
 *   sched_ns(K) = floor(K * 1e9 / 1193182) = tick_ns(K) - 1 (K * 1e9 /
 *                 1193182 is never whole for K < 596591)
 * QEMU schedules OUT's next change for tick K at sched_ns(K), where only
 * K - 1 ticks have passed. Where OUT has not changed yet, it re-evaluates
 * 1 ns later (tick_ns(K)), so edges in modes 0, 1, 3, 4 fall on tick_ns;
 * in mode 2 the scheduled tick is the one after the change, so its edges
 * fall on sched_ns (see the mode 2 case).
 */
#include "duet/i8254.h"

#include "fake_host.h"

static const char test_name[] = "test_i8254";
#define T_CHECK(condition) CHECK(test_name, condition)
#define T_EQ(actual, expected) CHECK_EQ(test_name, actual, expected)

enum {
    START_NS = 1000,
    CONTROL = I8254_CONTROL_OFFSET,
    CW_CH0 = 0x00, CW_CH1 = 0x40, CW_CH2 = 0x80,
    CW_LATCH = 0x00, CW_LSB = 0x10, CW_MSB = 0x20, CW_LSB_MSB = 0x30,
};

#define CW_MODE(mode) ((mode) << 1)

static uint64_t tick_ns(uint64_t ticks)
{
    return (ticks * 1000000000ull + I8254_INPUT_HZ - 1) / I8254_INPUT_HZ;
}

static uint64_t sched_ns(uint64_t ticks)
{
    return ticks * 1000000000ull / I8254_INPUT_HZ;
}

struct fixture {
    struct fake_host fh;
    struct i8254 pit;
};

static struct fixture fixtures[2];

static struct fixture *setup_at(unsigned which, uint64_t start_ns)
{
    struct fixture *fx = &fixtures[which];
    fake_host_init(&fx->fh, I8254_IRQ_LINE);
    fx->fh.now_ns = start_ns;
    i8254_init(&fx->pit, &fx->fh.host, I8254_IRQ_LINE);
    fake_host_attach(&fx->fh, i8254_port_device(&fx->pit, I8254_PORT_BASE));
    T_EQ(fx->fh.irq_level, 0);
    return fx;
}

static struct fixture *setup(void) { return setup_at(0, START_NS); }

static void check_ok(const struct fixture *fx)
{
    const char *broken = i8254_check(&fx->pit);
    if (broken) {
        fprintf(stderr, "%s: FAIL invariant %s\n", test_name, broken);
        exit(1);
    }
}

static void control(struct fixture *fx, uint8_t value)
{
    fake_out8(&fx->fh, CONTROL, value);
}

/* Program channel `ch` for lo-then-hi access in `mode` and load `count`;
 * returns the load time. */
static uint64_t program(struct fixture *fx, unsigned ch, unsigned mode,
                        uint16_t count)
{
    control(fx, (uint8_t)((ch << 6) | CW_LSB_MSB | CW_MODE(mode)));
    fake_out8(&fx->fh, (uint16_t)ch, (uint8_t)(count & 0xFF));
    fake_out8(&fx->fh, (uint16_t)ch, (uint8_t)(count >> 8));
    return fx->fh.now_ns;
}

static unsigned read16(struct fixture *fx, unsigned ch)
{
    unsigned low = fake_in8(&fx->fh, (uint16_t)ch);
    unsigned high = fake_in8(&fx->fh, (uint16_t)ch);
    return low | (high << 8);
}

static void expect_change(const struct fixture *fx, uint64_t index,
                          uint64_t at_ns, int level)
{
    T_CHECK(index < fx->fh.irq_changes);
    const struct fake_irq_event *event = &fx->fh.irq_log[index];
    if (event->at_ns != at_ns || event->level != level) {
        fprintf(stderr, "%s: FAIL IRQ change %llu: level %d at %llu ns, "
                "expected level %d at %llu ns\n", test_name,
                (unsigned long long)index, event->level,
                (unsigned long long)event->at_ns, level,
                (unsigned long long)at_ns);
        exit(1);
    }
}

/* ---- power-on ------------------------------------------------------- */

/* QEMU: mode 3, count 65536, line low and not driven until the first
 * evaluation, one tick before the half period, which finds OUT high: a
 * 1 ns pulse, then the square wave proper. */
static void test_power_on(void)
{
    struct fixture *fx = setup();
    T_EQ(fx->fh.deadline_ns, START_NS + sched_ns(32768));
    T_EQ(fx->fh.irq_calls, 1);                    /* init's "low" */
    control(fx, 0xC0 | 0x20 | 0x0E);              /* status of 0, 1, 2 */
    T_EQ(fake_in8(&fx->fh, 0), 0x86);             /* OUT, access 0, mode 3 */
    T_EQ(fake_in8(&fx->fh, 1), 0x86);
    T_EQ(fake_in8(&fx->fh, 2), 0x86);
    fake_run_until(&fx->fh, START_NS + sched_ns(32768) - 1);
    T_EQ(fx->fh.irq_changes, 0);
    fake_run_until(&fx->fh, START_NS + tick_ns(65536));
    T_EQ(fx->fh.irq_changes, 3);
    expect_change(fx, 0, START_NS + sched_ns(32768), 1);
    expect_change(fx, 1, START_NS + tick_ns(32768), 0);
    expect_change(fx, 2, START_NS + tick_ns(65536), 1);
    fake_run_until(&fx->fh, START_NS + tick_ns(65536 + 32768));
    expect_change(fx, 3, START_NS + tick_ns(65536 + 32768), 0);
    check_ok(fx);
}

/* ---- IRQ timing per mode -------------------------------------------- */

static void test_mode0(void)
{
    struct fixture *fx = setup();
    fake_set_now(&fx->fh, START_NS + 5000);
    const unsigned n = 1000;
    uint64_t load_ns = program(fx, 0, 0, n);
    T_EQ(fx->fh.deadline_ns, load_ns + sched_ns(n));
    fake_run_until(&fx->fh, load_ns + tick_ns(500));
    T_EQ(read16(fx, 0), n - 500);
    fake_run_until(&fx->fh, load_ns + tick_ns(n) - 1);
    T_EQ(fx->fh.irq_level, 0);
    fake_run_until(&fx->fh, load_ns + tick_ns(n));
    T_EQ(fx->fh.irq_changes, 1);
    expect_change(fx, 0, load_ns + tick_ns(n), 1);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);   /* no further change */
    fake_run_until(&fx->fh, load_ns + tick_ns(n + 5));
    T_EQ(read16(fx, 0), 0xFFFB);                  /* counts on past zero */

    /* QEMU loads at the second byte: the first leaves OUT high. */
    fake_out8(&fx->fh, 0, 0x10);
    T_EQ(fx->fh.irq_level, 1);
    fake_out8(&fx->fh, 0, 0x00);
    T_EQ(fx->fh.irq_level, 0);
    expect_change(fx, 1, fx->fh.now_ns, 0);
    T_EQ(fx->fh.deadline_ns, fx->fh.now_ns + sched_ns(16));
    check_ok(fx);
}

/* Mode 2: after the load OUT is low; QEMU evaluates it at sched_ns(k n + 1)
 * (finding tick k n: high) and at sched_ns((k + 1) n) (finding the tick
 * before: low), so the line is low for one tick per period and its edges
 * sit on sched_ns. */
static void test_mode2(void)
{
    struct fixture *fx = setup();
    fake_set_now(&fx->fh, START_NS + 7777);
    const unsigned n = 100;
    uint64_t load_ns = program(fx, 0, 2, n);
    T_EQ(fx->fh.irq_level, 0);
    fake_run_until(&fx->fh, load_ns + tick_ns(30));
    T_EQ(read16(fx, 0), 70);
    fake_run_until(&fx->fh, load_ns + tick_ns(n));
    T_EQ(read16(fx, 0), 100);                     /* reloaded */
    control(fx, 0xE2);                            /* status of channel 0 */
    T_EQ(fake_in8(&fx->fh, 0), 0x80 | 0x34);      /* OUT is high ... */
    T_EQ(fx->fh.irq_level, 0);                    /* ... the line not yet */
    fake_run_until(&fx->fh, load_ns + tick_ns(n + 30));
    T_EQ(read16(fx, 0), 70);
    fake_run_until(&fx->fh, load_ns + sched_ns(6 * n + 1));
    T_EQ(fx->fh.irq_changes, 11);
    for (unsigned k = 1; k <= 5; k++) {
        expect_change(fx, 2 * (k - 1), load_ns + sched_ns(k * n + 1), 1);
        expect_change(fx, 2 * k - 1, load_ns + sched_ns((k + 1) * n), 0);
    }
    expect_change(fx, 10, load_ns + sched_ns(6 * n + 1), 1);
    check_ok(fx);
}

/* Mode 3: high for (n + 1) / 2 ticks, low for the rest, edges on tick_ns;
 * the count runs down by 2 per tick. */
static void check_square_wave(unsigned n)
{
    struct fixture *fx = setup();
    fake_set_now(&fx->fh, START_NS + 123);
    unsigned half = (n + 1) / 2;
    uint64_t load_ns = program(fx, 0, 3, (uint16_t)n);
    T_EQ(fx->fh.irq_level, 1);
    expect_change(fx, 0, load_ns, 1);
    fake_run_until(&fx->fh, load_ns + tick_ns(4 * n));
    T_EQ(fx->fh.irq_changes, 1 + 2 * 4);
    for (unsigned k = 0; k < 4; k++) {
        expect_change(fx, 1 + 2 * k, load_ns + tick_ns(k * n + half), 0);
        expect_change(fx, 2 + 2 * k, load_ns + tick_ns((k + 1) * n), 1);
    }
    fake_run_until(&fx->fh, load_ns + tick_ns(4 * n + 100));
    T_EQ(read16(fx, 0), n - 200 % n);
    check_ok(fx);
}

static void test_mode3(void)
{
    check_square_wave(1000);
    check_square_wave(1001);                      /* odd: one tick more high */
    check_square_wave(2);
}

/* Mode 1: OUT high from the load to the terminal count; modes 4 and 5: a
 * one-tick pulse at the terminal count; then no more deadlines. */
static void test_modes_1_4_5(void)
{
    struct fixture *fx = setup();
    const unsigned n = 50;
    uint64_t load_ns = program(fx, 0, 1, n);
    expect_change(fx, 0, load_ns, 1);
    fake_run_until(&fx->fh, load_ns + tick_ns(2 * n));
    expect_change(fx, 1, load_ns + tick_ns(n), 0);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    for (unsigned mode = 4; mode <= 5; mode++) {
        uint64_t first = fx->fh.irq_changes;
        load_ns = program(fx, 0, mode, n);
        T_EQ(fx->fh.irq_level, 0);
        fake_run_until(&fx->fh, load_ns + tick_ns(3 * n));
        T_EQ(fx->fh.irq_changes, first + 2);
        expect_change(fx, first, load_ns + tick_ns(n), 1);
        expect_change(fx, first + 1, load_ns + tick_ns(n + 1), 0);
        T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
        T_EQ(read16(fx, 0), (n - 3 * n) & 0xFFFF);
    }
    check_ok(fx);
}

/* Modes 6 and 7 are stored as written (status shows them); QEMU counts
 * them like mode 2 and drives OUT like mode 0. */
static void test_modes_6_7(void)
{
    struct fixture *fx = setup();
    const unsigned n = 40;
    uint64_t load_ns = program(fx, 0, 6, n);
    fake_run_until(&fx->fh, load_ns + tick_ns(n + 5));
    expect_change(fx, 0, load_ns + tick_ns(n), 1);
    T_EQ(read16(fx, 0), n - 5);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    control(fx, 0xE2);
    T_EQ(fake_in8(&fx->fh, 0), 0x80 | 0x30 | (6 << 1));
    control(fx, CW_CH0 | CW_LSB_MSB | CW_MODE(7));
    control(fx, 0xE2);
    T_EQ(fake_in8(&fx->fh, 0), 0x80 | 0x30 | (7 << 1));
    check_ok(fx);
}

/* ---- access modes, reload 0 ----------------------------------------- */

static void test_access_modes(void)
{
    struct fixture *fx = setup();
    control(fx, CW_CH0 | CW_LSB | CW_MODE(2));
    fake_out8(&fx->fh, 0, 200);                   /* loads at once */
    uint64_t load_ns = fx->fh.now_ns;
    T_EQ(fx->pit.channels[0].count, 200);
    T_EQ(fx->fh.deadline_ns, load_ns + sched_ns(201));
    fake_run_until(&fx->fh, load_ns + tick_ns(50));
    T_EQ(fake_in8(&fx->fh, 0), 150);
    T_EQ(fake_in8(&fx->fh, 0), 150);              /* no byte pointer */

    control(fx, CW_CH0 | CW_MSB | CW_MODE(2));
    fake_out8(&fx->fh, 0, 0x02);                  /* count 0x200 */
    load_ns = fx->fh.now_ns;
    T_EQ(fx->pit.channels[0].count, 0x200);
    fake_run_until(&fx->fh, load_ns + tick_ns(0x101));
    T_EQ(fake_in8(&fx->fh, 0), 0x00);             /* 0x0FF: high byte */
    T_EQ(fake_in8(&fx->fh, 0), 0x00);

    load_ns = program(fx, 0, 2, 0x1234);
    fake_run_until(&fx->fh, load_ns + tick_ns(0x34));
    T_EQ(fake_in8(&fx->fh, 0), 0x00);             /* 0x1200: low, */
    T_EQ(fake_in8(&fx->fh, 0), 0x12);             /* then high, */
    T_EQ(fake_in8(&fx->fh, 0), 0x00);             /* then low again */
    control(fx, CW_CH0 | CW_LSB_MSB | CW_MODE(2)); /* resets the pointer */
    T_EQ(read16(fx, 0), 0x1200);
    check_ok(fx);
}

static void test_reload_zero(void)
{
    struct fixture *fx = setup();
    uint64_t load_ns = program(fx, 0, 2, 0);
    T_EQ(fx->pit.channels[0].count, 65536);
    T_EQ(read16(fx, 0), 0);                       /* 65536 reads as 0 */
    T_EQ(fx->fh.deadline_ns, load_ns + sched_ns(65537));
    fake_run_until(&fx->fh, load_ns + tick_ns(1));
    T_EQ(read16(fx, 0), 0xFFFF);
    fake_run_until(&fx->fh, load_ns + sched_ns(65537));
    expect_change(fx, 0, load_ns + sched_ns(65537), 1);

    control(fx, CW_CH0 | CW_LSB | CW_MODE(2));
    fake_out8(&fx->fh, 0, 0);
    T_EQ(fx->pit.channels[0].count, 65536);
    control(fx, CW_CH0 | CW_MSB | CW_MODE(2));
    fake_out8(&fx->fh, 0, 0);
    T_EQ(fx->pit.channels[0].count, 65536);
    fake_out8(&fx->fh, 0, 1);
    T_EQ(fx->pit.channels[0].count, 256);
    T_EQ(fx->fh.deadline_ns, fx->fh.now_ns + sched_ns(257));
    check_ok(fx);
}

/* ---- latches -------------------------------------------------------- */

static void test_counter_latch(void)
{
    struct fixture *fx = setup();
    uint64_t load_ns = program(fx, 0, 2, 1000);
    fake_run_until(&fx->fh, load_ns + tick_ns(100));
    control(fx, CW_CH0 | CW_LATCH);
    fake_run_until(&fx->fh, load_ns + tick_ns(300));
    control(fx, CW_CH0 | CW_LATCH);               /* ignored: still latched */
    T_EQ(read16(fx, 0), 900);
    T_EQ(read16(fx, 0), 700);                     /* live again */

    /* QEMU: reading the latch does not move the live byte pointer. */
    T_EQ(fake_in8(&fx->fh, 0), 700 & 0xFF);       /* pointer now at high */
    control(fx, CW_CH0 | CW_LATCH);
    T_EQ(read16(fx, 0), 700);
    T_EQ(fake_in8(&fx->fh, 0), 700 >> 8);         /* the live high byte */

    control(fx, CW_CH0 | CW_LSB | CW_MODE(2));
    fake_out8(&fx->fh, 0, 0xF0);
    load_ns = fx->fh.now_ns;
    fake_run_until(&fx->fh, load_ns + tick_ns(16));
    control(fx, CW_CH0 | CW_LATCH);
    fake_run_until(&fx->fh, load_ns + tick_ns(32));
    T_EQ(fake_in8(&fx->fh, 0), 0xE0);             /* one byte ends the latch */
    T_EQ(fake_in8(&fx->fh, 0), 0xD0);

    control(fx, CW_CH0 | CW_MSB | CW_MODE(0));
    fake_out8(&fx->fh, 0, 0x30);                  /* count 0x3000 */
    load_ns = fx->fh.now_ns;
    fake_run_until(&fx->fh, load_ns + tick_ns(0x200));
    control(fx, CW_CH0 | CW_LATCH);
    fake_run_until(&fx->fh, load_ns + tick_ns(0x400));
    T_EQ(fake_in8(&fx->fh, 0), 0x2E);             /* high byte of 0x2E00 */
    T_EQ(fake_in8(&fx->fh, 0), 0x2C);

    /* Channel 1 was never programmed (access mode 0): QEMU takes no latch
     * and reads the live low byte. Mode 3, 65536: 65536 - 2 * ticks. */
    fake_run_until(&fx->fh, START_NS + tick_ns(65536 + 100));
    control(fx, CW_CH1 | CW_LATCH);
    T_EQ(fx->pit.channels[1].count_latched, 0);
    T_EQ(fake_in8(&fx->fh, 1), (65536 - 2 * (65536 + 100) % 65536) & 0xFF);
    check_ok(fx);
}

static void test_read_back(void)
{
    struct fixture *fx = setup();
    uint64_t load_ns = program(fx, 0, 2, 1000);
    fake_run_until(&fx->fh, load_ns + tick_ns(10));
    control(fx, 0xC2);                            /* count and status, ch 0 */
    fake_run_until(&fx->fh, load_ns + tick_ns(20));
    T_EQ(fake_in8(&fx->fh, 0), 0x34);             /* status first: OUT low */
    T_EQ(read16(fx, 0), 990);                     /* then the latched count */
    T_EQ(read16(fx, 0), 980);                     /* then live */

    control(fx, 0xE2);                            /* status only */
    fake_run_until(&fx->fh, load_ns + tick_ns(1000));
    control(fx, 0xE2);                            /* ignored: still latched */
    T_EQ(fake_in8(&fx->fh, 0), 0x34);             /* OUT as at the first */
    control(fx, 0xE2);
    T_EQ(fake_in8(&fx->fh, 0), 0xB4);             /* OUT high at tick 1000 */
    T_EQ(read16(fx, 0), 1000);

    control(fx, 0xD2);                            /* count only */
    fake_run_until(&fx->fh, load_ns + tick_ns(1010));
    T_EQ(read16(fx, 0), 1000);

    /* All three channels; 1 and 2 still in power-on state (access 0). */
    control(fx, CW_CH1 | CW_LSB_MSB | CW_MODE(3) | 1);   /* BCD kept */
    control(fx, 0xC0 | 0x0E);
    T_EQ(fake_in8(&fx->fh, 0), 0x34);
    T_EQ(fake_in8(&fx->fh, 1) & 0x7F, 0x37);      /* access 3, mode 3, BCD */
    T_EQ(fake_in8(&fx->fh, 2) & 0x7F, 0x06);      /* access 0, mode 3 */
    T_EQ(read16(fx, 0), 1000 - 10);               /* ch 0's latched count */

    /* A half-written count (lo of lo/hi) never sets bit 6 (null count). */
    fake_out8(&fx->fh, 0, 0x55);
    control(fx, 0xE2);
    T_EQ(fake_in8(&fx->fh, 0) & 0x40, 0);

    control(fx, 0xC0);                            /* no channel selected */
    control(fx, 0xF0);
    for (unsigned ch = 0; ch < I8254_CHANNELS; ch++) {
        T_EQ(fx->pit.channels[ch].status_latched, 0);
    }
    check_ok(fx);
}

/* ---- channels 1 and 2, gate ------------------------------------------ */

static void test_channels_1_2_and_gate(void)
{
    struct fixture *fx = setup();
    uint64_t calls = fx->fh.irq_calls;
    uint64_t deadline_ns = fx->fh.deadline_ns;
    for (unsigned mode = 0; mode < 8; mode++) {
        program(fx, 1, mode, (uint16_t)(mode * 7));
        program(fx, 2, mode, (uint16_t)(1000 + mode));
        fake_set_now(&fx->fh, fx->fh.now_ns + 100000);
        (void)read16(fx, 1);
        (void)read16(fx, 2);
    }
    T_EQ(fx->fh.irq_calls, calls);                /* no IRQ from 1 or 2 */
    T_EQ(fx->fh.deadline_ns, deadline_ns);        /* nor deadlines */
    fake_run_until(&fx->fh, fx->fh.now_ns);       /* catch up channel 0 */

    uint64_t load_ns = program(fx, 2, 2, 100);
    T_EQ(fx->pit.channels[2].gate, 0);            /* channel 2 gate is low */
    fake_run_until(&fx->fh, load_ns + tick_ns(30));
    T_EQ(read16(fx, 2), 70);                      /* QEMU counts anyway */
    i8254_set_gate(&fx->pit, 2, true);            /* rising edge: restart */
    uint64_t gate_ns = fx->fh.now_ns;
    T_EQ(read16(fx, 2), 100);
    fake_run_until(&fx->fh, gate_ns + tick_ns(10));
    T_EQ(read16(fx, 2), 90);
    T_EQ(i8254_out_peek(&fx->pit, 2), 0);
    i8254_set_gate(&fx->pit, 2, true);            /* no edge: nothing */
    T_EQ(read16(fx, 2), 90);

    load_ns = program(fx, 0, 2, 100);             /* channel 0 restarts its IRQ */
    fake_run_until(&fx->fh, load_ns + tick_ns(40));
    i8254_set_gate(&fx->pit, 0, false);
    i8254_set_gate(&fx->pit, 0, true);
    T_EQ(fx->fh.deadline_ns, fx->fh.now_ns + sched_ns(101));
    program(fx, 0, 0, 100);
    fake_run_until(&fx->fh, fx->fh.now_ns + tick_ns(40));
    i8254_set_gate(&fx->pit, 0, false);
    i8254_set_gate(&fx->pit, 0, true);            /* mode 0: keeps counting */
    T_EQ(read16(fx, 0), 60);
    check_ok(fx);
}

/* ---- reset, control quirks, wide accesses --------------------------- */

static void test_reset(void)
{
    struct fixture *fx = setup();
    uint64_t load_ns = program(fx, 0, 2, 100);
    fake_run_until(&fx->fh, load_ns + sched_ns(101));
    T_EQ(fx->fh.irq_level, 1);
    control(fx, CW_CH0 | CW_LATCH);
    uint16_t latched = fx->pit.channels[0].latched_count;
    fake_set_now(&fx->fh, fx->fh.now_ns + 10);
    i8254_reset(&fx->pit);
    uint64_t reset_ns = fx->fh.now_ns;
    T_EQ(fx->fh.irq_level, 1);                    /* reset leaves the line */
    T_EQ(fx->pit.channels[0].count, 65536);
    T_EQ(fx->fh.deadline_ns, reset_ns + sched_ns(32768));
    T_EQ(read16(fx, 0), latched);                 /* the latch survives */
    control(fx, 0xE2);
    T_EQ(fake_in8(&fx->fh, 0), 0x80 | 0x30 | 0x06); /* access mode kept */
    fake_run_until(&fx->fh, reset_ns + tick_ns(32768));
    T_EQ(fx->fh.irq_level, 0);
    check_ok(fx);
}

/* QEMU does not re-evaluate OUT on a control word: the line and the
 * schedule stay until the next evaluation, which uses the new mode. */
static void test_mode_change_without_load(void)
{
    struct fixture *fx = setup();
    uint64_t load_ns = program(fx, 0, 2, 100);
    fake_run_until(&fx->fh, load_ns + tick_ns(50));
    uint64_t calls = fx->fh.irq_calls;
    uint64_t deadline_ns = fx->fh.deadline_ns;
    control(fx, CW_CH0 | CW_LSB_MSB | CW_MODE(0));
    T_EQ(fx->fh.irq_calls, calls);
    T_EQ(fx->fh.deadline_ns, deadline_ns);
    fake_run_until(&fx->fh, deadline_ns);
    T_EQ(fx->fh.irq_level, 1);                    /* mode 0: 101 >= 100 */
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    check_ok(fx);
}

static void test_control_port_and_wide_access(void)
{
    struct fixture *fx = setup();
    T_EQ(fake_in8(&fx->fh, CONTROL), 0);          /* write-only, reads 0 */
    T_EQ(fake_in(&fx->fh, CONTROL, 2), 0xFF00);   /* past the device: 0xFF */
    T_EQ(fake_in(&fx->fh, CONTROL, 4), 0xFFFFFF00);
    control(fx, CW_CH0 | CW_LSB | CW_MODE(2));
    control(fx, CW_CH1 | CW_LSB | CW_MODE(2));
    fake_out(&fx->fh, 0, 2, 0x2211);              /* byte to each channel */
    T_EQ(fx->pit.channels[0].count, 0x11);
    T_EQ(fx->pit.channels[1].count, 0x22);
    fake_out(&fx->fh, 2, 4, 0x5555B433);          /* ch 2, control, 2 past */
    T_EQ(fx->pit.channels[2].count, 0x33);        /* ch 2 was access 0: LSB */
    T_EQ(fx->pit.channels[2].mode, 2);            /* control word 0xB4 */
    T_EQ(fx->pit.channels[2].rw_mode, 3);
    uint32_t all = fake_in(&fx->fh, 0, 4);
    T_EQ(all & 0xFF, 0x11);
    T_EQ((all >> 8) & 0xFF, 0x22);
    T_EQ(all >> 24, 0);
    check_ok(fx);
}

/* ---- a late owner ---------------------------------------------------- */

/* Firing deadlines late changes when the host hears of the edges, never
 * the model's state: compare with an owner that fires on time. */
static void test_late_owner(void)
{
    struct fixture *on_time = setup_at(0, START_NS);
    struct fixture *late = setup_at(1, START_NS);
    uint64_t load_ns = program(on_time, 0, 2, 100);
    T_EQ(program(late, 0, 2, 100), load_ns);
    uint64_t target_ns = load_ns + tick_ns(2000) + 17;
    fake_run_until(&on_time->fh, target_ns);
    fake_set_now(&late->fh, target_ns);
    T_EQ(read16(late, 0), read16(on_time, 0));
    T_EQ(late->fh.irq_changes, on_time->fh.irq_changes);
    T_EQ(late->fh.irq_level, on_time->fh.irq_level);
    T_EQ(late->pit.next_transition_ns, on_time->pit.next_transition_ns);
    T_EQ(late->pit.stats.timer_updates, on_time->pit.stats.timer_updates);
    T_EQ(late->fh.deadline_ns, on_time->fh.deadline_ns);
    T_EQ(late->fh.irq_log[0].at_ns, target_ns);   /* heard late */
    T_EQ(late->pit.stats.replay_truncated, 0);

    /* Far too late (count 2, a second of transitions): one evaluation now. */
    program(late, 0, 2, 2);
    fake_set_now(&late->fh, late->fh.now_ns + 1000000000ull);
    (void)fake_in8(&late->fh, CONTROL);
    T_EQ(late->pit.stats.replay_truncated, 1);
    T_CHECK(late->fh.deadline_ns > late->fh.now_ns);
    check_ok(late);
    check_ok(on_time);
}

int main(void)
{
    test_power_on();
    test_mode0();
    test_mode2();
    test_mode3();
    test_modes_1_4_5();
    test_modes_6_7();
    test_access_modes();
    test_reload_zero();
    test_counter_latch();
    test_read_back();
    test_channels_1_2_and_gate();
    test_reset();
    test_mode_change_without_load();
    test_control_port_and_wide_access();
    test_late_owner();
    printf("%s: ok\n", test_name);
    return 0;
}
