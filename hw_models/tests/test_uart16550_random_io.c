/*
 * test_uart16550_random_io.c - random port traffic against the UART's
 * invariants.
 *
 * From a seed, a small PRNG (splitmix64) picks each step: a read or write
 * at any offset 0..9 (offsets past 7 are outside the device, so are the
 * upper bytes of wide accesses near the end) with width 1, 2 or 4, a time
 * advance that fires deadlines on time, a time jump that fires none (a late
 * owner), a received byte (with or without QEMU's flow control), or a rare
 * reset. After every step it checks, from outside the model:
 *   - uart16550_check() (the model's numbered invariants);
 *   - FIFO counts within 16 and within the mode's capacity;
 *   - LSR.DR/THRE/TEMT match the queues and the shift register;
 *   - the host's IRQ level equals IIR "interrupt pending";
 *   - the host's pending deadline equals what the model asked for;
 *   - THR writes the test predicted == the model's count, sink bytes ==
 *     the model's count, and the sink saw a subsequence of the THR bytes in
 *     order, never stamped later than "now";
 * and finally that the seeds together reached the interesting paths (TX
 * overwrite and flush, loopback, RX overrun, every IIR source the model
 * can report) and that one seed run twice gives the same event hash.
 * Prints "test_uart16550_random_io: ok". Run it under ASan/UBSan too.
 * Usage: test_uart16550_random_io [first_seed [seed_count [steps]]].
 */
#include "duet/uart16550.h"

#include <string.h>

#include "fake_host.h"
#include "test_rng.h"

static const char test_name[] = "test_uart16550_random_io";

enum {
    SEED_COUNT = 8,
    STEPS_PER_SEED = 50000,
    WRITTEN_LOG_MAX = STEPS_PER_SEED + 16, /* one THR byte per step at most */
    OFFSET_SPAN = 10,               /* 8 registers + 2 ports past the end */
};

struct run {
    struct fake_host fh;
    struct uart16550 uart;
    uint64_t rng_state;
    uint64_t seed;
    uint64_t step;
    uint64_t thr_writes_expected;   /* since the last reset */
    uint64_t sink_base;             /* fh.sink_count at the last reset */
    uint64_t sink_checked;          /* sink bytes matched so far */
    uint64_t written_count;
    uint8_t written[WRITTEN_LOG_MAX];
    uint64_t written_cursor;        /* subsequence match position */
    uint64_t last_sink_ns;
};

static struct run run_storage;

/* What all seeds together exercised; main insists on each. */
struct coverage {
    uint64_t tx_overwritten, tx_flushed, tx_looped, rx_overrun;
    uint64_t divisor_zero_steps;
    uint64_t iir_seen[16];              /* by IIR id, from guest reads */
};

static struct coverage coverage;

static void coverage_add_stats(const struct uart16550_stats *stats)
{
    coverage.tx_overwritten += stats->tx_overwritten;
    coverage.tx_flushed += stats->tx_flushed;
    coverage.tx_looped += stats->tx_looped;
    coverage.rx_overrun += stats->rx_overrun;
}

static uint64_t rng_next(struct run *run)
{
    return test_rng_next(&run->rng_state);
}

static unsigned rng_below(struct run *run, unsigned bound)
{
    return test_rng_below(&run->rng_state, bound);
}

static void fail(const struct run *run, const char *what)
{
    fprintf(stderr, "%s: FAIL seed %llu step %llu: %s\n", test_name,
            (unsigned long long)run->seed, (unsigned long long)run->step, what);
    fprintf(stderr, "reproduce: %s %llu 1\n", test_name,
            (unsigned long long)run->seed);
    exit(1);
}

#define RUN_CHECK(run, condition) \
    do { if (!(condition)) fail((run), #condition); } while (0)

/* ---- the sink side: record THR bytes, match sink bytes -------------- */

static void note_thr_write(struct run *run, uint8_t byte)
{
    run->thr_writes_expected++;
    RUN_CHECK(run, run->written_count < WRITTEN_LOG_MAX);
    run->written[run->written_count++] = byte;
}

/* Every sink byte must appear in the THR log after the previous match. */
static void match_sink_bytes(struct run *run)
{
    uint64_t logged = run->fh.sink_count < FAKE_LOG_MAX ? run->fh.sink_count
                                                        : FAKE_LOG_MAX;
    for (; run->sink_checked < logged; run->sink_checked++) {
        const struct fake_sink_byte *out = &run->fh.sink_log[run->sink_checked];
        RUN_CHECK(run, out->at_ns <= run->fh.now_ns);
        RUN_CHECK(run, out->at_ns >= run->last_sink_ns);
        run->last_sink_ns = out->at_ns;
        while (run->written_cursor < run->written_count &&
               run->written[run->written_cursor] != out->byte) {
            run->written_cursor++;
        }
        RUN_CHECK(run, run->written_cursor < run->written_count);
        run->written_cursor++;
    }
}

/* ---- steps ---------------------------------------------------------- */

static unsigned random_width(struct run *run)
{
    static const unsigned widths[3] = { 1, 2, 4 };
    return widths[rng_below(run, 3)];
}

/* Mostly plausible values so the interesting states are reached: DLAB
 * usually off, small divisors, FIFO on more often than not. */
static uint32_t random_value(struct run *run, unsigned offset)
{
    uint32_t value = (uint32_t)rng_next(run);
    bool dlab = (run->uart.lcr & UART16550_LCR_DLAB) != 0;
    if (offset == UART16550_LCR && rng_below(run, 4) != 0) {
        value &= ~(uint32_t)UART16550_LCR_DLAB;
    }
    if (dlab && offset == UART16550_RBR_THR && rng_below(run, 8) != 0) {
        value = (value & ~0xFFFFu) | rng_below(run, 4);   /* 0 too */
    }
    if (dlab && offset == UART16550_IER && rng_below(run, 8) != 0) {
        value &= ~0xFFu;
    }
    if (offset == UART16550_IIR_FCR && rng_below(run, 3) != 0) {
        value |= UART16550_FCR_FE;
    }
    return value;
}

static void step_write(struct run *run)
{
    unsigned offset = rng_below(run, OFFSET_SPAN);
    unsigned width = random_width(run);
    uint32_t value = random_value(run, offset);
    /* Offset 0 comes before LCR in any access, so DLAB now decides. */
    if (offset == UART16550_RBR_THR && !(run->uart.lcr & UART16550_LCR_DLAB)) {
        note_thr_write(run, (uint8_t)value);
    }
    fake_out(&run->fh, (uint16_t)offset, width, value);
}

static void step_read(struct run *run)
{
    unsigned offset = rng_below(run, OFFSET_SPAN);
    unsigned width = random_width(run);
    uint32_t value = fake_in(&run->fh, (uint16_t)offset, width);
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (offset + i >= UART16550_PORT_COUNT) {
            RUN_CHECK(run, byte == 0xFF);
        }
        if (offset + i == UART16550_IIR_FCR) {
            coverage.iir_seen[byte & UART16550_IIR_ID_MASK]++;
        }
    }
}

/* Advance by up to a few character times at the current rate. */
static uint64_t random_delta_ns(struct run *run)
{
    uint64_t char_ns = run->uart.char_time_ns;
    switch (rng_below(run, 4)) {
    case 0: return rng_below(run, 3);
    case 1: return char_ns - 1 + rng_below(run, 3);
    default: return rng_next(run) % (3 * char_ns + 1);
    }
}

static void step_receive(struct run *run)
{
    uint8_t byte = (uint8_t)rng_next(run);
    if (rng_below(run, 2) == 0 && uart16550_can_receive(&run->uart) == 0) {
        return;                         /* QEMU's chardev would hold it */
    }
    uart16550_receive(&run->uart, byte);
}

static void step_reset(struct run *run)
{
    coverage_add_stats(&run->uart.stats);
    uart16550_reset(&run->uart);
    run->thr_writes_expected = 0;
    match_sink_bytes(run);
    run->sink_base = run->fh.sink_count;
}

static void step(struct run *run)
{
    unsigned choice = rng_below(run, 1000);
    if (choice < 420) {
        step_write(run);
    } else if (choice < 700) {
        step_read(run);
    } else if (choice < 850) {
        fake_run_until(&run->fh, run->fh.now_ns + random_delta_ns(run));
    } else if (choice < 900) {
        fake_set_now(&run->fh, run->fh.now_ns + random_delta_ns(run));
    } else if (choice < 999) {
        step_receive(run);
    } else {
        step_reset(run);
    }
}

/* ---- the checks after every step ------------------------------------ */

static void check_state(struct run *run)
{
    const struct uart16550 *uart = &run->uart;
    const char *broken = uart16550_check(uart);
    if (broken) fail(run, broken);

    unsigned capacity = (uart->fcr & UART16550_FCR_FE) ? UART16550_FIFO_BYTES : 1;
    RUN_CHECK(run, uart->tx.count <= capacity);
    RUN_CHECK(run, uart->rx.count <= capacity);

    uint8_t lsr = uart16550_lsr_peek(uart);
    RUN_CHECK(run, ((lsr & UART16550_LSR_DR) != 0) == (uart->rx.count > 0));
    RUN_CHECK(run, ((lsr & UART16550_LSR_THRE) != 0) == (uart->tx.count == 0));
    RUN_CHECK(run, ((lsr & UART16550_LSR_TEMT) != 0) ==
                       (uart->tx.count == 0 && !uart->shifting));

    bool pending = !(uart16550_iir_peek(uart) & UART16550_IIR_NO_INT);
    RUN_CHECK(run, run->fh.irq_level == (pending ? 1 : 0));
    RUN_CHECK(run, run->fh.deadline_ns == uart->deadline_requested_ns);

    RUN_CHECK(run, uart->stats.tx_written == run->thr_writes_expected);
    RUN_CHECK(run, uart->stats.tx_sent == run->fh.sink_count - run->sink_base);
    match_sink_bytes(run);
}

static uint64_t run_seed(uint64_t seed, uint64_t steps)
{
    struct run *run = &run_storage;
    memset(run, 0, sizeof *run);
    run->seed = seed;
    run->rng_state = seed;
    fake_host_init(&run->fh, UART16550_COM1_IRQ_LINE);
    uart16550_init(&run->uart, &run->fh.host, UART16550_COM1_IRQ_LINE,
                   fake_sink, &run->fh);
    run->fh.dev = uart16550_port_device(&run->uart, UART16550_COM1_PORT_BASE);
    check_state(run);
    for (run->step = 0; run->step < steps; run->step++) {
        step(run);
        check_state(run);
        coverage.divisor_zero_steps += run->uart.divisor == 0;
    }
    coverage_add_stats(&run->uart.stats);
    /* Drain: firing the deadlines empties the transmitter (bytes shifting
     * keep the rate they started with) and the model stops asking. */
    for (unsigned fired = 0; run->fh.deadline_ns != HW_DEADLINE_NONE; fired++) {
        RUN_CHECK(run, fired < 2 * (UART16550_FIFO_BYTES + 2));
        fake_run_until(&run->fh, run->fh.deadline_ns > run->fh.now_ns
                                     ? run->fh.deadline_ns : run->fh.now_ns);
    }
    uint8_t lsr = fake_in(&run->fh, UART16550_LSR, 1) & 0xFF;
    RUN_CHECK(run, lsr & UART16550_LSR_TEMT);
    check_state(run);
    return run->fh.event_hash ^ (run->fh.sink_count << 1) ^ run->fh.irq_changes;
}

static void check_coverage(uint64_t steps)
{
    if (steps < STEPS_PER_SEED) {
        return;                         /* short reproduction runs */
    }
    static const uint8_t iir_ids[] = { UART16550_IIR_NO_INT, UART16550_IIR_THRI,
                                       UART16550_IIR_RDI, UART16550_IIR_RLSI,
                                       UART16550_IIR_CTI };
    CHECK(test_name, coverage.tx_overwritten > 0);
    CHECK(test_name, coverage.tx_flushed > 0);
    CHECK(test_name, coverage.tx_looped > 0);
    CHECK(test_name, coverage.rx_overrun > 0);
    CHECK(test_name, coverage.divisor_zero_steps > 0);
    for (unsigned i = 0; i < sizeof iir_ids; i++) {
        if (coverage.iir_seen[iir_ids[i]] == 0) {
            fprintf(stderr, "%s: FAIL no guest read saw IIR id 0x%x\n",
                    test_name, iir_ids[i]);
            exit(1);
        }
    }
}

static uint64_t parse_or(const char *text, uint64_t fallback)
{
    return text ? strtoull(text, 0, 0) : fallback;
}

static void print_summary(uint64_t first_seed, uint64_t seed_count,
                          uint64_t steps)
{
    printf("%llu seeds x %llu steps from seed %llu: "
           "tx overwritten %llu flushed %llu looped %llu, rx overrun %llu, "
           "IIR reads: none %llu THRE %llu RDA %llu RLS %llu CTI %llu\n",
           (unsigned long long)seed_count, (unsigned long long)steps,
           (unsigned long long)first_seed,
           (unsigned long long)coverage.tx_overwritten,
           (unsigned long long)coverage.tx_flushed,
           (unsigned long long)coverage.tx_looped,
           (unsigned long long)coverage.rx_overrun,
           (unsigned long long)coverage.iir_seen[UART16550_IIR_NO_INT],
           (unsigned long long)coverage.iir_seen[UART16550_IIR_THRI],
           (unsigned long long)coverage.iir_seen[UART16550_IIR_RDI],
           (unsigned long long)coverage.iir_seen[UART16550_IIR_RLSI],
           (unsigned long long)coverage.iir_seen[UART16550_IIR_CTI]);
}

int main(int argc, char **argv)
{
    uint64_t first_seed = parse_or(argc > 1 ? argv[1] : 0, 1);
    uint64_t seed_count = parse_or(argc > 2 ? argv[2] : 0, SEED_COUNT);
    uint64_t steps = parse_or(argc > 3 ? argv[3] : 0, STEPS_PER_SEED);
    if (steps > STEPS_PER_SEED) {
        fprintf(stderr, "%s: at most %d steps\n", test_name, STEPS_PER_SEED);
        return 2;
    }
    for (uint64_t seed = first_seed; seed < first_seed + seed_count; seed++) {
        run_seed(seed, steps);
    }
    print_summary(first_seed, seed_count, steps);
    check_coverage(steps);
    uint64_t first_hash = run_seed(first_seed, steps);
    uint64_t second_hash = run_seed(first_seed, steps);
    if (first_hash != second_hash) {
        fprintf(stderr, "%s: FAIL seed %llu is not deterministic\n", test_name,
                (unsigned long long)first_seed);
        return 1;
    }
    printf("%s: ok\n", test_name);
    return 0;
}
