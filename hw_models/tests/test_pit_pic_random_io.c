/*
 * test_pit_pic_random_io.c - random port traffic at the PIT and the PIC
 * pair, wired as on a PC, against their invariants.
 *
 * The test is the machine: its hw_bus_host routes the PIT's IRQ 0 into
 * i8259_set_irq (repeats included) and records the PIC's INTR pin, and
 * it runs the PIT's deadline. From a seed, a small PRNG (splitmix64) picks
 * each step: a read or write at any PIT, PIC or ELCR port (mostly bytes,
 * sometimes words and dwords running past a device's end), biased towards
 * plausible commands (control words with small counts, read-back and latch
 * commands, ICW sequences, EOIs, OCW3s, masks), an input line change, an
 * interrupt acknowledge, a time advance that fires the PIT deadline on
 * time, a jump that fires none (a late owner), a gate change, or a rare
 * reset of either model. After every step it checks, from outside:
 *   - i8254_check() and i8259_check();
 *   - the INTR pin the machine was told == i8259_intr_level();
 *   - the PIT deadline the machine holds == the one the PIT asked for, and
 *     it lies in the future;
 *   - each PIC input the machine drove reads back in the chip's input
 *     latch (last_irr) unless the chip forgot it since (ICW1, reset);
 * and at each access, against a reference written here from QEMU's rules:
 *   - a live PIT count byte, a latched status byte (OUT, access, mode,
 *     BCD of the last control word), bytes past a device read 0xFF;
 *   - IMR reads back the last OCW1 (or 0 after ICW1/reset);
 *   - INTA returns the vector the reference priority resolver predicts,
 *     base + 7 when spurious, and leaves ISR alone when spurious on the
 *     master.
 * Finally the seeds together must have reached the interesting paths, and
 * one seed run twice must give the same event hash. Prints
 * "test_pit_pic_random_io: ok". Run it under ASan/UBSan too.
 * Usage: test_pit_pic_random_io [first_seed [seed_count [steps]]].
 */
#include "duet/i8254.h"
#include "duet/i8259.h"

#include <string.h>

#include "fake_host.h"
#include "test_rng.h"

static const char test_name[] = "test_pit_pic_random_io";

enum {
    SEED_COUNT = 16,
    STEPS_PER_SEED = 100000,
    INTR_LINE = 16,
    DEVICE_COUNT = 4,
};

enum { DEV_PIT, DEV_MASTER, DEV_SLAVE, DEV_ELCR };

struct machine {
    struct hw_bus_host host;
    struct i8254 pit;
    struct i8259 pic;
    struct hw_port_device devices[DEVICE_COUNT];
    uint64_t now_ns;
    uint64_t pit_deadline_ns;
    int pit_line;                    /* last level the PIT drove */
    int intr;                        /* INTR pin as told */
    int line_level[I8259_LINES];     /* levels the machine drove */
    uint16_t forgotten;              /* inputs a chip forgot (ICW1, reset) */
    uint8_t imr_written[I8259_CHIPS];
    uint8_t pit_control_bits[I8254_CHANNELS]; /* access, mode, BCD (6 bits) */
    uint8_t status_expected[I8254_CHANNELS];
    bool status_known[I8254_CHANNELS];  /* false if latched mid wide write */
    uint64_t event_hash;
};

struct run {
    struct machine machine;
    uint64_t rng_state;
    uint64_t seed;
    uint64_t step;
};

static struct run run_storage;

/* What all seeds together exercised; main insists on each. */
struct coverage {
    uint64_t pit_rises_by_mode[8];
    uint64_t status_reads, latched_count_reads, live_count_checks;
    uint64_t spurious_master, spurious_slave, slave_vectors;
    uint64_t level_acks, auto_eoi_acks, poll_acks, truncated_replays;
};

static struct coverage coverage;

static struct run *current_run;

static void fail(const char *what)
{
    const struct run *run = current_run;
    fprintf(stderr, "%s: FAIL seed %llu step %llu: %s\n", test_name,
            (unsigned long long)run->seed, (unsigned long long)run->step, what);
    fprintf(stderr, "reproduce: %s %llu 1\n", test_name,
            (unsigned long long)run->seed);
    exit(1);
}

#define RUN_CHECK(condition) \
    do { if (!(condition)) fail(#condition); } while (0)

static void hash_mix(struct machine *m, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        m->event_hash ^= (value >> (8 * i)) & 0xFF;
        m->event_hash *= 0x100000001B3ull;
    }
}

/* ---- the machine: host callbacks ------------------------------------ */

static void machine_irq_set(void *owner, unsigned line, int level)
{
    struct machine *m = owner;
    RUN_CHECK(level == 0 || level == 1);
    if (line == INTR_LINE) {
        RUN_CHECK(level != m->intr);          /* the PIC reports changes */
        m->intr = level;
        hash_mix(m, m->now_ns * 4 + 2 + (uint64_t)level);
        return;
    }
    RUN_CHECK(line == I8254_IRQ_LINE);
    if (level && !m->pit_line) {
        coverage.pit_rises_by_mode[m->pit.transition_mode & 7]++;
    }
    m->pit_line = level;
    m->line_level[0] = level;
    m->forgotten &= (uint16_t)~1u;
    hash_mix(m, m->now_ns * 4 + (uint64_t)level);
    i8259_set_irq(&m->pic, 0, level);
}

static uint64_t machine_now_ns(void *owner)
{
    struct machine *m = owner;
    return m->now_ns;
}

static void machine_deadline_set(void *owner, void *model, uint64_t at_ns)
{
    struct machine *m = owner;
    RUN_CHECK(model == &m->pit);
    RUN_CHECK(at_ns == (uint64_t)HW_DEADLINE_NONE || at_ns > m->now_ns);
    m->pit_deadline_ns = at_ns;
}

static void machine_init(struct machine *m)
{
    memset(m, 0, sizeof *m);
    m->host = (struct hw_bus_host){ .owner = m, .irq_set = machine_irq_set,
                                    .now_ns = machine_now_ns,
                                    .deadline_set = machine_deadline_set };
    m->now_ns = 1000;
    m->event_hash = 0xCBF29CE484222325ull;
    m->intr = -1;                             /* init reports the pin */
    i8259_init(&m->pic, &m->host, INTR_LINE);
    i8254_init(&m->pit, &m->host, I8254_IRQ_LINE);
    m->devices[DEV_PIT] = i8254_port_device(&m->pit, I8254_PORT_BASE);
    m->devices[DEV_MASTER] = i8259_master_port_device(&m->pic);
    m->devices[DEV_SLAVE] = i8259_slave_port_device(&m->pic);
    m->devices[DEV_ELCR] = i8259_elcr_port_device(&m->pic);
    m->pit_deadline_ns = m->devices[DEV_PIT].deadline_pending(&m->pit);
    for (unsigned ch = 0; ch < I8254_CHANNELS; ch++) {
        m->pit_control_bits[ch] = 3 << 1;     /* power-on: mode 3, access 0 */
    }
}

/* Fire the PIT deadline at its own time until target_ns, then set now. */
static void machine_run_until(struct machine *m, uint64_t target_ns)
{
    RUN_CHECK(target_ns >= m->now_ns);
    for (unsigned fired = 0; m->pit_deadline_ns <= target_ns; fired++) {
        RUN_CHECK(fired < 100000);
        if (m->pit_deadline_ns > m->now_ns) {
            m->now_ns = m->pit_deadline_ns;
        }
        m->pit_deadline_ns = HW_DEADLINE_NONE;
        m->devices[DEV_PIT].deadline(&m->pit);
    }
    m->now_ns = target_ns;
}

/* ---- reference rules (QEMU's, written out again) --------------------- */

static uint64_t ref_ticks(const struct i8254_channel *channel, uint64_t now_ns)
{
    unsigned __int128 product =
        (unsigned __int128)(now_ns - channel->count_load_ns) * 1193182u;
    return (uint64_t)(product / 1000000000u);
}

static uint32_t ref_count(const struct i8254_channel *channel, uint64_t now_ns)
{
    uint64_t ticks = ref_ticks(channel, now_ns);
    uint64_t count = channel->count;
    if (channel->mode == 0 || channel->mode == 1 || channel->mode == 4 ||
        channel->mode == 5) {
        return (uint32_t)((count + 0x10000 - ticks % 0x10000) % 0x10000);
    }
    if (channel->mode == 3) {
        return (uint32_t)(count - (2 * ticks) % count);
    }
    return (uint32_t)(count - ticks % count);
}

static int ref_out(const struct i8254_channel *channel, uint64_t now_ns)
{
    uint64_t ticks = ref_ticks(channel, now_ns);
    uint64_t count = channel->count;
    switch (channel->mode) {
    case 1: return ticks < count;
    case 2: return ticks > 0 && ticks % count == 0;
    case 3: return 2 * (ticks % count) < count + (count & 1);
    case 4: case 5: return ticks == count;
    default: return ticks >= count;
    }
}

/* The input a chip signals: the first unmasked request going round from
 * priority_add, if nothing at or before it (in that order) is in service. */
static int ref_pending(const struct i8259_chip *chip)
{
    uint8_t in_service = chip->isr;
    if (chip->special_mask) in_service &= (uint8_t)~chip->imr;
    if (chip->master && chip->special_fully_nested_mode) {
        in_service &= (uint8_t)~0x04u;
    }
    for (unsigned step = 0; step < 8; step++) {
        unsigned input = (chip->priority_add + step) & 7;
        if (in_service & (1u << input)) return -1;
        if (chip->irr & (uint8_t)~chip->imr & (1u << input)) return (int)input;
    }
    return -1;
}

/* ---- PRNG ------------------------------------------------------------ */

static uint64_t rng_next(struct run *run)
{
    return test_rng_next(&run->rng_state);
}

static unsigned rng_below(struct run *run, unsigned bound)
{
    return test_rng_below(&run->rng_state, bound);
}

static unsigned random_width(struct run *run)
{
    static const unsigned widths[3] = { 1, 2, 4 };
    return rng_below(run, 8) == 0 ? widths[rng_below(run, 3)] : 1;
}

/* ---- PIT traffic ------------------------------------------------------ */

static uint8_t random_pit_control(struct run *run)
{
    static const uint8_t modes[6] = { 0, 2, 3, 2, 3, 0 };
    uint8_t value = (uint8_t)rng_next(run);
    switch (rng_below(run, 8)) {
    case 0: return (uint8_t)(0xC0 | (value & 0x3E));           /* read-back */
    case 1: return (uint8_t)(rng_below(run, 3) << 6);          /* latch */
    case 2: case 3: case 4:                                    /* channel 0 */
        return (uint8_t)(((1 + rng_below(run, 3)) << 4) |
                         (modes[rng_below(run, 6)] << 1));
    case 5: return (uint8_t)(value & 0x3F);                    /* ch 0, any */
    default: return value;
    }
}

/* Mostly small counts so that OUT changes often. */
static uint8_t random_pit_data(struct run *run, const struct i8254_channel *ch)
{
    bool high_byte = ch->write_state == I8254_RW_MSB ||
                     ch->write_state == I8254_RW_WORD1;
    if (!high_byte || rng_below(run, 8) == 0) {
        return (uint8_t)rng_next(run);
    }
    return (uint8_t)rng_below(run, 3);
}

/* `exact`: the control byte came alone, so the channels are as they are
 * now when it is executed (a wide write may load a count first). */
static void note_pit_control(struct machine *m, uint8_t value, bool exact)
{
    unsigned channel = value >> 6;
    if (channel == 3) {
        for (unsigned ch = 0; ch < I8254_CHANNELS; ch++) {
            const struct i8254_channel *c = &m->pit.channels[ch];
            if ((value & (2u << ch)) && !(value & 0x10) && !c->status_latched) {
                m->status_expected[ch] = (uint8_t)(
                    (ref_out(c, m->now_ns) ? 0x80 : 0) | m->pit_control_bits[ch]);
                m->status_known[ch] = exact;
            }
        }
    } else if (value & 0x30) {
        m->pit_control_bits[channel] = value & 0x3F;
    }
}

/* Check one byte read from a counter against the reference; `before` is
 * the channel as it was before the read. */
static void check_counter_byte(struct machine *m, unsigned ch,
                               const struct i8254_channel *before, uint8_t byte)
{
    if (before->status_latched) {
        coverage.status_reads++;
        RUN_CHECK(!m->status_known[ch] || byte == m->status_expected[ch]);
        return;
    }
    if (before->count_latched) {
        coverage.latched_count_reads++;
        return;
    }
    uint32_t count = ref_count(before, m->now_ns);
    bool high = before->read_state == I8254_RW_MSB ||
                before->read_state == I8254_RW_WORD1;
    RUN_CHECK(byte == (uint8_t)(high ? count >> 8 : count));
    coverage.live_count_checks++;
}

static void step_pit_write(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned offset = rng_below(run, I8254_PORT_COUNT);
    unsigned width = random_width(run);
    uint32_t value = (uint32_t)rng_next(run);
    if (width == 1 && offset == I8254_CONTROL_OFFSET) {
        value = random_pit_control(run);
    } else if (width == 1) {
        value = random_pit_data(run, &m->pit.channels[offset]);
    }
    for (unsigned i = 0; i < width; i++) {   /* the control byte, if any */
        if (offset + i == I8254_CONTROL_OFFSET) {
            note_pit_control(m, (uint8_t)(value >> (8 * i)), width == 1);
        }
    }
    m->devices[DEV_PIT].write(&m->pit, (uint16_t)offset, width, value);
}

static void step_pit_read(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned offset = rng_below(run, I8254_PORT_COUNT);
    unsigned width = random_width(run);
    struct i8254_channel before = { 0 };
    if (offset < I8254_CHANNELS) {
        before = m->pit.channels[offset];
    }
    uint32_t value = m->devices[DEV_PIT].read(&m->pit, (uint16_t)offset, width);
    hash_mix(m, value);
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (offset + i >= I8254_PORT_COUNT) RUN_CHECK(byte == 0xFF);
        if (offset + i == I8254_CONTROL_OFFSET) RUN_CHECK(byte == 0);
    }
    if (width == 1 && offset < I8254_CHANNELS) {
        check_counter_byte(m, offset, &before, (uint8_t)value);
    }
}

/* ---- PIC traffic ------------------------------------------------------ */

static uint8_t random_pic_command(struct run *run)
{
    static const uint8_t icw1[5] = { 0x11, 0x13, 0x10, 0x12, 0x19 };
    static const uint8_t ocw3[6] = { 0x0A, 0x0B, 0x0C, 0x68, 0x48, 0x08 };
    unsigned level = rng_below(run, 8);
    switch (rng_below(run, 16)) {
    case 0: return icw1[rng_below(run, 5)];
    case 1: case 2: case 3: case 4: case 5: return 0x20;        /* EOI */
    case 6: return (uint8_t)(0x60 | level);
    case 7: return (uint8_t)(0xE0 | level);
    case 8: return (uint8_t)(0xC0 | level);
    case 9: return rng_below(run, 2) ? 0xA0 : 0x80;
    case 10: return rng_below(run, 2) ? 0x00 : 0x40;
    case 11: case 12: case 13: return ocw3[rng_below(run, 6)];
    default: return (uint8_t)rng_next(run);
    }
}

static uint8_t random_pic_data(struct run *run, const struct i8259_chip *chip,
                               bool master)
{
    static const uint8_t icw4[5] = { 0x01, 0x03, 0x11, 0x13, 0x00 };
    switch (chip->init_state) {
    case 1: return master ? 0x20 : 0x28;                      /* ICW2 */
    case 2: return master ? 0x04 : 0x02;                      /* ICW3 */
    case 3: return icw4[rng_below(run, 5)];                   /* ICW4 */
    default:
        return (uint8_t)(rng_next(run) & rng_next(run));      /* OCW1 */
    }
}

/* Track what the guest's bytes do to IMR and the input latches, before
 * the access: an ICW1 at offset 0 makes the byte for offset 1 an ICW2. */
static void note_pic_bytes(struct machine *m, unsigned index, unsigned offset,
                           unsigned width, uint32_t value)
{
    bool initializing = m->pic.chips[index].init_state != 0;
    for (unsigned i = 0; i < width && offset + i < I8259_PORT_COUNT; i++) {
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (offset + i == 0 && (byte & I8259_ICW1)) {
            m->imr_written[index] = 0;
            m->forgotten |= (uint16_t)(0xFFu << (8 * index));
            initializing = true;
        } else if (offset + i == 1 && !initializing) {
            m->imr_written[index] = byte;
        }
    }
}

static void pic_write(struct machine *m, unsigned index, unsigned offset,
                      unsigned width, uint32_t value)
{
    struct hw_port_device *dev = &m->devices[DEV_MASTER + index];
    note_pic_bytes(m, index, offset, width, value);
    dev->write(dev->model, (uint16_t)offset, width, value);
}

static void step_pic_write(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned index = rng_below(run, I8259_CHIPS);
    unsigned offset = rng_below(run, 2);
    unsigned width = random_width(run);
    if (rng_below(run, 16) == 0) {                            /* ELCR */
        uint32_t value = (uint32_t)(rng_next(run) & rng_next(run));
        m->devices[DEV_ELCR].write(&m->pic, (uint16_t)offset, width, value);
        return;
    }
    if (width > 1) {
        pic_write(m, index, offset, width, (uint32_t)rng_next(run));
        return;
    }
    const struct i8259_chip *chip = &m->pic.chips[index];
    uint8_t value = offset == 0 ? random_pic_command(run)
                                : random_pic_data(run, chip, index == 0);
    pic_write(m, index, offset, 1, value);
}

/* A whole PC initialization, with random ICW4 options. */
static void step_pic_init(struct run *run)
{
    struct machine *m = &run->machine;
    static const uint8_t icw4[4] = { 0x01, 0x03, 0x11, 0x13 };
    const uint8_t master_bytes[4] = { 0x11, 0x20, 0x04, icw4[rng_below(run, 4)] };
    const uint8_t slave_bytes[4] = { 0x11, 0x28, 0x02, icw4[rng_below(run, 2)] };
    for (unsigned i = 0; i < 4; i++) {
        pic_write(m, 0, i == 0 ? 0 : 1, 1, master_bytes[i]);
    }
    for (unsigned i = 0; i < 4; i++) {
        pic_write(m, 1, i == 0 ? 0 : 1, 1, slave_bytes[i]);
    }
}

static void step_pic_read(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned which = rng_below(run, 3);
    unsigned offset = rng_below(run, 2);
    unsigned width = random_width(run);
    struct hw_port_device *dev = &m->devices[DEV_MASTER + which];
    bool poll = which < I8259_CHIPS && m->pic.chips[which].poll;
    uint64_t poll_acks = m->pic.stats.poll_acks;
    uint32_t value = dev->read(dev->model, (uint16_t)offset, width);
    hash_mix(m, value);
    for (unsigned i = 0; i < width; i++) {
        if (offset + i >= 2) RUN_CHECK(((value >> (8 * i)) & 0xFF) == 0xFF);
    }
    if (which < I8259_CHIPS && width == 1 && offset == 1 && !poll) {
        RUN_CHECK(value == m->imr_written[which]);
    }
    if (poll && width == 1) {
        bool acked = m->pic.stats.poll_acks != poll_acks;
        RUN_CHECK(acked ? (value & 0xF8) == 0x80 : value == 0);
        coverage.poll_acks += acked;
    }
}

/* ---- lines and INTA --------------------------------------------------- */

static void step_line(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned line = 1 + rng_below(run, I8259_LINES - 1);
    if (line == I8259_CASCADE_LINE) {
        line = 9;
    }
    int level = rng_below(run, 4) == 0 ? m->line_level[line]
                                       : !m->line_level[line];
    m->line_level[line] = level;
    m->forgotten &= (uint16_t)~(1u << line);
    i8259_set_irq(&m->pic, line, level);
}

static void step_inta(struct run *run)
{
    struct machine *m = &run->machine;
    if (!m->intr && rng_below(run, 8) != 0) {
        return;                      /* a CPU acknowledges only on INTR */
    }
    struct i8259_chip master = m->pic.chips[I8259_MASTER];
    struct i8259_chip slave = m->pic.chips[I8259_SLAVE];
    int input = ref_pending(&master);
    int slave_input = input == 2 ? ref_pending(&slave) : -1;
    unsigned expected = input < 0 ? master.irq_base + 7u
                        : input != 2 ? master.irq_base + (unsigned)input
                        : slave.irq_base + (slave_input < 0 ? 7u : (unsigned)slave_input);
    uint8_t vector = i8259_acknowledge(&m->pic);
    hash_mix(m, vector);
    RUN_CHECK(vector == expected);
    if (input < 0) {
        coverage.spurious_master++;
        RUN_CHECK(m->pic.chips[I8259_MASTER].isr == master.isr);
        return;
    }
    coverage.spurious_slave += input == 2 && slave_input < 0;
    coverage.slave_vectors += input == 2 && slave_input >= 0;
    coverage.auto_eoi_acks += master.auto_eoi;
    coverage.level_acks += input != 2 && (master.elcr >> input) & 1;
}

/* ---- time, gate, reset ------------------------------------------------ */

static uint64_t random_delta_ns(struct run *run)
{
    uint64_t period_ns = (uint64_t)run->machine.pit.channels[0].count * 839;
    switch (rng_below(run, 4)) {
    case 0: return rng_below(run, 3);
    case 1: return rng_below(run, 2000);
    default: return rng_next(run) % (3 * period_ns + 1);
    }
}

static void step_time(struct run *run, bool late)
{
    struct machine *m = &run->machine;
    uint64_t target_ns = m->now_ns + random_delta_ns(run);
    if (late) {
        m->now_ns = target_ns;       /* fires nothing: the next entry replays */
    } else {
        machine_run_until(m, target_ns);
    }
}

static void step_reset(struct run *run)
{
    struct machine *m = &run->machine;
    if (rng_below(run, 2) == 0) {
        i8254_reset(&m->pit);
        for (unsigned ch = 0; ch < I8254_CHANNELS; ch++) {
            m->pit_control_bits[ch] = (uint8_t)((m->pit_control_bits[ch] & 0x31) | 0x06);
        }
    } else {
        i8259_reset(&m->pic);
        memset(m->imr_written, 0, sizeof m->imr_written);
        m->forgotten = 0xFFFF;
    }
}

static void step(struct run *run)
{
    unsigned choice = rng_below(run, 1000);
    if (choice < 160) step_pit_write(run);
    else if (choice < 300) step_pit_read(run);
    else if (choice < 470) step_pic_write(run);
    else if (choice < 560) step_pic_read(run);
    else if (choice < 680) step_line(run);
    else if (choice < 780) step_inta(run);
    else if (choice < 920) step_time(run, false);
    else if (choice < 960) step_time(run, true);
    else if (choice < 975) step_pic_init(run);
    else if (choice < 995) i8254_set_gate(&run->machine.pit, rng_below(run, 3),
                                          rng_below(run, 2));
    else step_reset(run);
}

/* ---- checks after every step ----------------------------------------- */

static void check_state(struct run *run)
{
    struct machine *m = &run->machine;
    const char *broken = i8254_check(&m->pit);
    if (broken) fail(broken);
    broken = i8259_check(&m->pic);
    if (broken) fail(broken);
    RUN_CHECK(m->intr == (i8259_intr_level(&m->pic) ? 1 : 0));
    RUN_CHECK(m->pit_deadline_ns == m->pit.deadline_requested_ns);
    RUN_CHECK(m->pit_line == (m->pit.irq_level ? 1 : 0));
    for (unsigned line = 0; line < I8259_LINES; line++) {
        if (line == I8259_CASCADE_LINE || (m->forgotten & (1u << line))) {
            continue;
        }
        const struct i8259_chip *chip = &m->pic.chips[line / 8];
        RUN_CHECK(((chip->last_irr >> (line % 8)) & 1) == (unsigned)m->line_level[line]);
    }
}

static uint64_t run_seed(uint64_t seed, uint64_t steps)
{
    struct run *run = &run_storage;
    memset(run, 0, sizeof *run);
    current_run = run;
    run->seed = seed;
    run->rng_state = seed;
    machine_init(&run->machine);
    check_state(run);
    for (run->step = 0; run->step < steps; run->step++) {
        step(run);
        check_state(run);
    }
    coverage.truncated_replays += run->machine.pit.stats.replay_truncated;
    return run->machine.event_hash ^ run->machine.pit.stats.timer_updates;
}

static void check_coverage(uint64_t steps)
{
    if (steps < STEPS_PER_SEED) {
        return;                      /* short reproduction runs */
    }
    CHECK(test_name, coverage.pit_rises_by_mode[0] > 0);
    CHECK(test_name, coverage.pit_rises_by_mode[2] > 0);
    CHECK(test_name, coverage.pit_rises_by_mode[3] > 0);
    CHECK(test_name, coverage.status_reads > 0);
    CHECK(test_name, coverage.latched_count_reads > 0);
    CHECK(test_name, coverage.live_count_checks > 0);
    CHECK(test_name, coverage.spurious_master > 0);
    CHECK(test_name, coverage.spurious_slave > 0);
    CHECK(test_name, coverage.slave_vectors > 0);
    CHECK(test_name, coverage.level_acks > 0);
    CHECK(test_name, coverage.auto_eoi_acks > 0);
    CHECK(test_name, coverage.poll_acks > 0);
}

static uint64_t parse_or(const char *text, uint64_t fallback)
{
    return text ? strtoull(text, 0, 0) : fallback;
}

static void print_summary(uint64_t first_seed, uint64_t seed_count, uint64_t steps)
{
    printf("%llu seeds x %llu steps from seed %llu: PIT rises mode0 %llu "
           "mode2 %llu mode3 %llu, status reads %llu, latched reads %llu, "
           "live checks %llu; INTA spurious master %llu slave %llu, slave "
           "vectors %llu, level %llu, auto-EOI %llu, poll acks %llu; "
           "truncated replays %llu\n",
           (unsigned long long)seed_count, (unsigned long long)steps,
           (unsigned long long)first_seed,
           (unsigned long long)coverage.pit_rises_by_mode[0],
           (unsigned long long)coverage.pit_rises_by_mode[2],
           (unsigned long long)coverage.pit_rises_by_mode[3],
           (unsigned long long)coverage.status_reads,
           (unsigned long long)coverage.latched_count_reads,
           (unsigned long long)coverage.live_count_checks,
           (unsigned long long)coverage.spurious_master,
           (unsigned long long)coverage.spurious_slave,
           (unsigned long long)coverage.slave_vectors,
           (unsigned long long)coverage.level_acks,
           (unsigned long long)coverage.auto_eoi_acks,
           (unsigned long long)coverage.poll_acks,
           (unsigned long long)coverage.truncated_replays);
}

int main(int argc, char **argv)
{
    uint64_t first_seed = parse_or(argc > 1 ? argv[1] : 0, 1);
    uint64_t seed_count = parse_or(argc > 2 ? argv[2] : 0, SEED_COUNT);
    uint64_t steps = parse_or(argc > 3 ? argv[3] : 0, STEPS_PER_SEED);
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
