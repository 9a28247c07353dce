/*
 * i8254.c - the PC's interval timer (8254 PIT) as a deterministic model.
 *
 * Behaviour follows QEMU 7.2's hw/timer/i8254.c and i8254_common.c (QEMU's
 * function names in brackets below); interface in duet/i8254.h. Not here:
 * port 0x61 and the speaker, the HPET legacy-replacement switch that
 * silences IRQ 0 in QEMU, BCD counting (the bit is kept and reported, never
 * used, as in QEMU), port routing and IRQ lines (sim/).
 *
 * Counting. A channel holds its reload value `count` (1..65536) and the
 * virtual time it was loaded. The number of input-clock ticks since then is
 * ticks = floor((t - load) * 1193182 / 1e9) [i8254_ticks_in_ns], and from
 * it alone come the count a guest reads [i8254_channel_count, QEMU
 * pit_get_count], the OUT pin [i8254_channel_out, pit_get_out] and the time
 * of OUT's next change [i8254_channel_next_transition_ns,
 * pit_get_next_transition_time]. Modes 6 and 7 are kept as written, as in
 * QEMU: they count like mode 2 and drive OUT like mode 0.
 *
 * IRQ 0. Only channel 0 has a timer [channel0_evaluate, QEMU
 * pit_irq_timer_update]: each evaluation at time T sets the line to OUT(T)
 * and schedules the next evaluation at the transition time computed from T.
 * QEMU evaluates at the scheduled time, not at the time its timer callback
 * happens to run, and the scheduled time comes from rounding tick counts
 * down to whole nanoseconds; so OUT is often evaluated one tick early, found
 * unchanged, and re-evaluated 1 ns later (QEMU's "next <= now, so now + 1").
 * The model keeps all of that, so the line changes at QEMU's nanosecond.
 *
 *   load count (data port) -------------> evaluate at now   [count_load]
 *   gate rising edge, modes 1/2/3/5 ----> reload at now, evaluate
 *   scheduled time T reached -----------> evaluate at T     [pit_advance]
 *   control word (mode change) ---------> nothing; OUT follows the new mode
 *                                         at the next evaluation (QEMU
 *                                         leaves this open, too)
 *   reset ------------------------------> reload all, schedule from now,
 *                                         line untouched    [i8254_reset]
 *
 * Every entry (port access, deadline, set_gate, reset) first replays the
 * evaluations that fell due up to host->now_ns, each at its own time, then
 * does its work, then requests the next scheduled time as its deadline and
 * checks the invariants. An owner that is more than REPLAY_STEPS_MAX
 * evaluations late gets one evaluation at now instead of the rest
 * (stats.replay_truncated counts it); QEMU would replay them all.
 *
 * Reading and writing (QEMU pit_ioport_read / pit_ioport_write): a latched
 * status byte is read first, then a latched count, else the live count in
 * the channel's access mode (lo/hi/lo-then-hi, flipping its byte pointer on
 * each lo-then-hi read). A data write loads the count at once in lo or hi
 * mode and at the second byte in lo-then-hi mode. Control word: channel 3
 * is the read-back command; access 0 is the counter latch command; else it
 * sets access mode, mode and BCD, and resets the byte pointers. A second
 * latch (count or status) before the first was read is ignored.
 *
 * Invariants (i8254_check, after every entry; channel 0 "as evaluated" is
 * channel 0 with its mode replaced by transition_mode):
 *  1. Every channel: 1 <= count <= 65536; mode <= 7; rw_mode <= 3;
 *     count_latched <= 3; count_load_ns <= now_ns.
 *  2. Byte pointers follow rw_mode: both 0 while rw_mode is 0, equal to
 *     rw_mode for lo or hi, WORD0 or WORD1 for lo-then-hi.
 *  3. A latched status has bit 6 (null count) clear.
 *  4. Channel 0's next transition lies ahead (HW_DEADLINE_NONE or >
 *     now_ns) and is the one channel 0 as evaluated gives at
 *     transition_from_ns, with count_load_ns <= transition_from_ns <= now_ns.
 *  5. irq_synced implies irq_level == OUT of channel 0 as evaluated at
 *     transition_from_ns.
 *  6. deadline_requested_ns == next_transition_ns.
 *  7. The line started low and every change was counted:
 *     stats.irq_rises == stats.irq_falls + irq_level.
 */
#include "duet/i8254.h"

#include "hw_assert.h"

enum {
    NS_PER_S = 1000000000,
    REPLAY_STEPS_MAX = 1 << 16,
};

_Static_assert(I8254_COUNT_MAX - 1 == UINT16_MAX, "a count is 16 bits, 0 = 65536");
_Static_assert(I8254_CHANNELS == I8254_CONTROL_OFFSET, "control word follows the counters");

/* ---- time and tick arithmetic ---------------------------------------- */

/* value * mul / div, rounded down, computed without overflow; a result
 * beyond 64 bits saturates (only for times past the year 2500). */
static uint64_t mul_div_u64(uint64_t value, uint32_t mul, uint32_t div)
{
    HW_ASSERT(div != 0);
    unsigned __int128 result = (unsigned __int128)value * mul / div;
    return result > UINT64_MAX ? UINT64_MAX : (uint64_t)result;
}

/* at + delta, or HW_DEADLINE_NONE ("never") if that is not representable. */
static uint64_t time_add_ns(uint64_t at_ns, uint64_t delta_ns)
{
    if (delta_ns >= (uint64_t)HW_DEADLINE_NONE - at_ns) {
        return HW_DEADLINE_NONE;
    }
    return at_ns + delta_ns;
}

uint64_t i8254_ticks_in_ns(uint64_t elapsed_ns)
{
    return mul_div_u64(elapsed_ns, I8254_INPUT_HZ, NS_PER_S);
}

static uint64_t channel_ticks(const struct i8254_channel *channel, uint64_t at_ns)
{
    HW_ASSERT(at_ns >= channel->count_load_ns);
    HW_ASSERT(channel->count >= 1 && channel->count <= I8254_COUNT_MAX);
    return i8254_ticks_in_ns(at_ns - channel->count_load_ns);
}

/* ---- the pure channel formulas (QEMU pit_get_count, pit_get_out,
 * pit_get_next_transition_time) ----------------------------------------- */

uint32_t i8254_channel_count(const struct i8254_channel *channel, uint64_t at_ns)
{
    uint64_t ticks = channel_ticks(channel, at_ns);
    uint64_t count = channel->count;
    switch (channel->mode) {
    case 0: case 1: case 4: case 5:
        return (uint32_t)((count - ticks) & 0xFFFF);  /* runs on past zero */
    case 3:
        /* Counts down by two per tick over the whole period; QEMU's
         * approximation, exact for even counts only. */
        return (uint32_t)(count - (2 * ticks) % count);
    default:                                          /* 2, 6, 7 */
        return (uint32_t)(count - ticks % count);
    }
}

bool i8254_channel_out(const struct i8254_channel *channel, uint64_t at_ns)
{
    uint64_t ticks = channel_ticks(channel, at_ns);
    uint64_t count = channel->count;
    switch (channel->mode) {
    case 1:
        return ticks < count;
    case 2:                       /* high once per period, low at the load */
        return ticks != 0 && ticks % count == 0;
    case 3:                       /* high for the first (count + 1) / 2 ticks */
        return ticks % count < (count + 1) / 2;
    case 4: case 5:               /* high for exactly the terminal tick */
        return ticks == count;
    default:                      /* 0, 6, 7: high from terminal count on */
        return ticks >= count;
    }
}

/* The tick at which OUT is next evaluated, UINT64_MAX if never. */
static uint64_t next_transition_tick(const struct i8254_channel *channel,
                                     uint64_t ticks)
{
    uint64_t count = channel->count;
    uint64_t period_start = ticks - ticks % count;
    switch (channel->mode) {
    case 2:
        if (ticks == period_start && ticks != 0) {
            return period_start + count;
        }
        return period_start + count + 1;
    case 3: {
        uint64_t half = (count + 1) / 2;
        return ticks - period_start < half ? period_start + half
                                           : period_start + count;
    }
    case 4: case 5:
        if (ticks <= count) {
            return ticks < count ? count : count + 1;
        }
        return UINT64_MAX;
    default:                      /* 0, 1, 6, 7: one change, at the count */
        return ticks < count ? count : UINT64_MAX;
    }
}

uint64_t i8254_channel_next_transition_ns(const struct i8254_channel *channel,
                                          uint64_t at_ns)
{
    uint64_t tick = next_transition_tick(channel, channel_ticks(channel, at_ns));
    if (tick == UINT64_MAX) {
        return HW_DEADLINE_NONE;
    }
    uint64_t next_ns = time_add_ns(channel->count_load_ns,
                                   mul_div_u64(tick, NS_PER_S, I8254_INPUT_HZ));
    if (next_ns <= at_ns) {
        next_ns = time_add_ns(at_ns, 1);   /* rounded down into the past */
    }
    HW_ASSERT(next_ns > at_ns);
    return next_ns;
}

/* ---- channel 0's IRQ timer ------------------------------------------- */

/* Every evaluation drives the line, repeating an unchanged level, as
 * QEMU's qemu_set_irq call does: an 8259 that has just forgotten its input
 * levels (ICW1) takes a repeated high as a new edge. */
static void irq_drive(struct i8254 *pit, bool level)
{
    if (level != pit->irq_level) {
        pit->irq_level = level;
        if (level) {
            pit->stats.irq_rises++;
        } else {
            pit->stats.irq_falls++;
        }
    }
    pit->host->irq_set(pit->host->owner, pit->irq_line, level ? 1 : 0);
}

/* QEMU pit_irq_timer_update for channel 0, evaluated at at_ns. */
static void channel0_evaluate(struct i8254 *pit, uint64_t at_ns)
{
    const struct i8254_channel *channel = &pit->channels[0];
    uint64_t next_ns = i8254_channel_next_transition_ns(channel, at_ns);
    bool out = i8254_channel_out(channel, at_ns);
    pit->next_transition_ns = next_ns;
    pit->transition_from_ns = at_ns;
    pit->transition_mode = channel->mode;
    pit->irq_synced = true;
    pit->stats.timer_updates++;
    irq_drive(pit, out);
    HW_ASSERT(pit->irq_level == out);
}

/* Channels 1 and 2 have no IRQ timer in QEMU: their OUT is only computed
 * when read (status byte, i8254_out_peek). */
static void channel_evaluate(struct i8254 *pit, unsigned index, uint64_t at_ns)
{
    HW_ASSERT(index < I8254_CHANNELS);
    if (index == 0) {
        channel0_evaluate(pit, at_ns);
    }
}

/* Replay every evaluation due at or before now_ns, each at its own time. */
static void pit_advance(struct i8254 *pit, uint64_t now_ns)
{
    for (unsigned step = 0; step < REPLAY_STEPS_MAX; step++) {
        uint64_t due_ns = pit->next_transition_ns;
        if (due_ns == HW_DEADLINE_NONE || due_ns > now_ns) {
            return;
        }
        channel0_evaluate(pit, due_ns);
    }
    pit->stats.replay_truncated++;
    channel0_evaluate(pit, now_ns);
    HW_ASSERT(pit->next_transition_ns > now_ns);
}

/* ---- entries --------------------------------------------------------- */

static void entry_begin(struct i8254 *pit)
{
    HW_ASSERT(pit->host != 0);
    HW_ASSERT_DETAIL(!pit->in_entry, "re-entered from a host callback");
    pit->in_entry = true;
    uint64_t now_ns = pit->host->now_ns(pit->host->owner);
    HW_ASSERT_DETAIL(now_ns >= pit->now_ns, "virtual time went backwards");
    pit->now_ns = now_ns;
    pit_advance(pit, now_ns);
}

static void entry_end(struct i8254 *pit)
{
    if (pit->deadline_requested_ns != pit->next_transition_ns) {
        pit->deadline_requested_ns = pit->next_transition_ns;
        pit->host->deadline_set(pit->host->owner, pit, pit->next_transition_ns);
    }
    const char *broken = i8254_check(pit);
    HW_ASSERT_DETAIL(broken == 0, broken);
    pit->in_entry = false;
}

/* ---- reads ----------------------------------------------------------- */

static uint8_t latched_count_read(struct i8254_channel *channel)
{
    uint16_t latched = channel->latched_count;
    switch (channel->count_latched) {
    case I8254_RW_MSB:
        channel->count_latched = 0;
        return (uint8_t)(latched >> 8);
    case I8254_RW_WORD0:
        channel->count_latched = I8254_RW_MSB;   /* high byte next */
        return (uint8_t)(latched & 0xFF);
    default:                                     /* LSB */
        channel->count_latched = 0;
        return (uint8_t)(latched & 0xFF);
    }
}

static uint8_t live_count_read(struct i8254_channel *channel, uint64_t now_ns)
{
    uint32_t count = i8254_channel_count(channel, now_ns);
    uint8_t low = (uint8_t)(count & 0xFF);
    uint8_t high = (uint8_t)((count >> 8) & 0xFF);
    switch (channel->read_state) {
    case I8254_RW_MSB:
        return high;
    case I8254_RW_WORD0:
        channel->read_state = I8254_RW_WORD1;
        return low;
    case I8254_RW_WORD1:
        channel->read_state = I8254_RW_WORD0;
        return high;
    default:                                     /* LSB, or never programmed */
        return low;
    }
}

static uint8_t reg_read(struct i8254 *pit, unsigned offset)
{
    if (offset == I8254_CONTROL_OFFSET) {
        return 0;                                /* write-only; QEMU reads 0 */
    }
    if (offset >= I8254_CHANNELS) {
        return 0xFF;                             /* past the 4 ports */
    }
    struct i8254_channel *channel = &pit->channels[offset];
    if (channel->status_latched) {
        channel->status_latched = false;
        return channel->status;
    }
    if (channel->count_latched) {
        return latched_count_read(channel);
    }
    return live_count_read(channel, pit->now_ns);
}

/* ---- writes ---------------------------------------------------------- */

/* Counter latch [QEMU pit_latch_count]: the count as it reads now, read
 * back in the access mode current at latch time. With access mode 0 (never
 * programmed) the latch reads as not taken, as in QEMU. */
static void count_latch(struct i8254_channel *channel, uint64_t now_ns)
{
    if (channel->count_latched) {
        return;
    }
    channel->latched_count = (uint16_t)i8254_channel_count(channel, now_ns);
    channel->count_latched = channel->rw_mode;
}

static void status_latch(struct i8254_channel *channel, uint64_t now_ns)
{
    if (channel->status_latched) {
        return;
    }
    uint8_t out = i8254_channel_out(channel, now_ns) ? I8254_STATUS_OUT : 0;
    channel->status = (uint8_t)(out | (channel->rw_mode << 4) |
                                (channel->mode << 1) | (channel->bcd ? 1 : 0));
    channel->status_latched = true;
}

/* Read-back: bits 3:1 select channels 2..0; a clear bit 5 latches their
 * counts, a clear bit 4 their status. */
static void readback_command(struct i8254 *pit, uint8_t value)
{
    for (unsigned index = 0; index < I8254_CHANNELS; index++) {
        if (!(value & (2u << index))) {
            continue;
        }
        struct i8254_channel *channel = &pit->channels[index];
        if (!(value & I8254_READBACK_NO_COUNT)) {
            count_latch(channel, pit->now_ns);
        }
        if (!(value & I8254_READBACK_NO_STATUS)) {
            status_latch(channel, pit->now_ns);
        }
    }
}

static void control_write(struct i8254 *pit, uint8_t value)
{
    unsigned index = value >> I8254_CW_CHANNEL_SHIFT;
    if (index == I8254_CHANNELS) {
        readback_command(pit, value);
        return;
    }
    struct i8254_channel *channel = &pit->channels[index];
    uint8_t access = (value >> I8254_CW_ACCESS_SHIFT) & 3;
    if (access == 0) {
        count_latch(channel, pit->now_ns);
        return;
    }
    channel->rw_mode = access;
    channel->read_state = access;
    channel->write_state = access;
    channel->mode = (value >> I8254_CW_MODE_SHIFT) & 7;
    channel->bcd = (value & I8254_CW_BCD) != 0;
    /* Like QEMU, no evaluation: OUT and the timer keep the old schedule. */
}

/* QEMU pit_load_count: 0 means 65536; counting restarts now. */
static void count_load(struct i8254 *pit, unsigned index, uint32_t value)
{
    HW_ASSERT(value <= UINT16_MAX);
    struct i8254_channel *channel = &pit->channels[index];
    channel->count = value == 0 ? I8254_COUNT_MAX : value;
    channel->count_load_ns = pit->now_ns;
    channel_evaluate(pit, index, pit->now_ns);
}

static void counter_write(struct i8254 *pit, unsigned index, uint8_t value)
{
    struct i8254_channel *channel = &pit->channels[index];
    switch (channel->write_state) {
    case I8254_RW_MSB:
        count_load(pit, index, (uint32_t)value << 8);
        return;
    case I8254_RW_WORD0:
        channel->write_latch = value;
        channel->write_state = I8254_RW_WORD1;
        return;
    case I8254_RW_WORD1:
        channel->write_state = I8254_RW_WORD0;
        count_load(pit, index, channel->write_latch | ((uint32_t)value << 8));
        return;
    default:                                     /* LSB, or never programmed */
        count_load(pit, index, value);
        return;
    }
}

static void reg_write(struct i8254 *pit, unsigned offset, uint8_t value)
{
    if (offset == I8254_CONTROL_OFFSET) {
        control_write(pit, value);
    } else if (offset < I8254_CHANNELS) {
        counter_write(pit, offset, value);
    }                                            /* past the 4 ports: ignored */
}

/* ---- the bus view ---------------------------------------------------- */

/* Wide accesses are split into byte accesses at rising offsets, low byte
 * first, as QEMU's memory core does for the PIT (impl 1..1). */
static uint32_t pit_port_read(void *model, uint16_t offset, unsigned width)
{
    struct i8254 *pit = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pit);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        value |= (uint32_t)reg_read(pit, (unsigned)offset + i) << (8 * i);
    }
    entry_end(pit);
    return value;
}

static void pit_port_write(void *model, uint16_t offset, unsigned width,
                           uint32_t value)
{
    struct i8254 *pit = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pit);
    for (unsigned i = 0; i < width; i++) {
        reg_write(pit, (unsigned)offset + i, (uint8_t)(value >> (8 * i)));
    }
    entry_end(pit);
}

static void pit_deadline(void *model)
{
    struct i8254 *pit = model;
    pit->deadline_requested_ns = HW_DEADLINE_NONE;   /* the request is used */
    entry_begin(pit);
    entry_end(pit);
}

static uint64_t pit_deadline_pending(const void *model)
{
    const struct i8254 *pit = model;
    return pit->deadline_requested_ns;
}

struct hw_port_device i8254_port_device(struct i8254 *pit, uint16_t port_base)
{
    HW_ASSERT(pit != 0 && pit->host != 0);
    HW_ASSERT(port_base <= UINT16_MAX - (I8254_PORT_COUNT - 1));
    return (struct hw_port_device){
        .name = "i8254",
        .port_base = port_base,
        .port_count = I8254_PORT_COUNT,
        .model = pit,
        .read = pit_port_read,
        .write = pit_port_write,
        .deadline = pit_deadline,
        .deadline_pending = pit_deadline_pending,
    };
}

/* ---- owner entries --------------------------------------------------- */

/* QEMU pit_reset_common + pit_reset: the timer is re-armed from now, the
 * line is not driven. */
static void reset_channels(struct i8254 *pit)
{
    for (unsigned index = 0; index < I8254_CHANNELS; index++) {
        struct i8254_channel *channel = &pit->channels[index];
        channel->mode = 3;
        channel->gate = index != 2;
        channel->count_load_ns = pit->now_ns;
        channel->count = I8254_COUNT_MAX;
    }
    pit->next_transition_ns =
        i8254_channel_next_transition_ns(&pit->channels[0], pit->now_ns);
    pit->transition_from_ns = pit->now_ns;
    pit->transition_mode = pit->channels[0].mode;
    pit->irq_synced = false;
    HW_ASSERT(pit->next_transition_ns > pit->now_ns);
}

void i8254_init(struct i8254 *pit, const struct hw_bus_host *host,
                unsigned irq_line)
{
    HW_ASSERT(pit != 0 && host != 0);
    HW_ASSERT(host->irq_set != 0 && host->now_ns != 0 &&
              host->deadline_set != 0);
    *pit = (struct i8254){ .host = host, .irq_line = irq_line,
                           .now_ns = host->now_ns(host->owner) };
    host->irq_set(host->owner, irq_line, 0);
    reset_channels(pit);
    /* Armed, not reported: the bus takes it from deadline_pending. */
    pit->deadline_requested_ns = pit->next_transition_ns;
    const char *broken = i8254_check(pit);
    HW_ASSERT_DETAIL(broken == 0, broken);
}

void i8254_reset(struct i8254 *pit)
{
    HW_ASSERT(pit != 0);
    entry_begin(pit);
    reset_channels(pit);
    entry_end(pit);
}

void i8254_set_gate(struct i8254 *pit, unsigned channel_index, bool level)
{
    HW_ASSERT(pit != 0 && channel_index < I8254_CHANNELS);
    entry_begin(pit);
    struct i8254_channel *channel = &pit->channels[channel_index];
    bool rising = !channel->gate && level;
    switch (channel->mode) {
    case 1: case 2: case 3: case 5:
        if (rising) {                    /* QEMU pit_set_channel_gate */
            channel->count_load_ns = pit->now_ns;
            channel_evaluate(pit, channel_index, pit->now_ns);
        }
        break;
    default:                             /* 0, 4: QEMU keeps counting */
        break;
    }
    channel->gate = level;
    entry_end(pit);
}

bool i8254_out_peek(const struct i8254 *pit, unsigned channel_index)
{
    HW_ASSERT(pit != 0 && channel_index < I8254_CHANNELS);
    return i8254_channel_out(&pit->channels[channel_index], pit->now_ns);
}
