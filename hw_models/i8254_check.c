/*
 * i8254_check.c - the PIT model's invariants as one checker.
 *
 * i8254_check() returns NULL when every invariant numbered at the top of
 * i8254.c holds, else a fixed string naming the first broken one. The
 * model runs it at the end of every entry (and asserts); tests and fuzz
 * oracles run it between steps. It only reads the struct and the pure
 * channel formulas; it never calls the host.
 */
#include "duet/i8254.h"

static bool byte_pointer_fits(uint8_t rw_mode, uint8_t state)
{
    switch (rw_mode) {
    case 0: return state == I8254_RW_NONE;
    case I8254_RW_LSB: return state == I8254_RW_LSB;
    case I8254_RW_MSB: return state == I8254_RW_MSB;
    default: return state == I8254_RW_WORD0 || state == I8254_RW_WORD1;
    }
}

static const char *check_channel(const struct i8254 *pit,
                                 const struct i8254_channel *channel)
{
    if (channel->count < 1 || channel->count > I8254_COUNT_MAX) {
        return "1: count outside 1..65536";
    }
    if (channel->mode > 7) return "1: mode above 7";
    if (channel->rw_mode > 3) return "1: access mode above 3";
    if (channel->count_latched > I8254_RW_WORD0) return "1: bad count latch state";
    if (channel->count_load_ns > pit->now_ns) return "1: count loaded in the future";
    if (!byte_pointer_fits(channel->rw_mode, channel->read_state)) {
        return "2: read byte pointer does not fit the access mode";
    }
    if (!byte_pointer_fits(channel->rw_mode, channel->write_state)) {
        return "2: write byte pointer does not fit the access mode";
    }
    if (channel->status_latched && (channel->status & 0x40)) {
        return "3: latched status has the null-count bit";
    }
    return 0;
}

static const char *check_timer(const struct i8254 *pit)
{
    struct i8254_channel evaluated = pit->channels[0];
    evaluated.mode = pit->transition_mode;
    uint64_t next_ns = pit->next_transition_ns;
    if (next_ns != HW_DEADLINE_NONE && next_ns <= pit->now_ns) {
        return "4: a due transition was not evaluated";
    }
    if (pit->transition_from_ns > pit->now_ns ||
        pit->transition_from_ns < evaluated.count_load_ns) {
        return "4: last evaluation outside load..now";
    }
    if (next_ns != i8254_channel_next_transition_ns(&evaluated,
                                                    pit->transition_from_ns)) {
        return "4: next transition is not the one the formula gives";
    }
    if (pit->irq_synced &&
        pit->irq_level != i8254_channel_out(&evaluated, pit->transition_from_ns)) {
        return "5: IRQ level is not OUT at the last evaluation";
    }
    if (pit->deadline_requested_ns != next_ns) {
        return "6: requested deadline is not the next transition";
    }
    if (pit->stats.irq_rises != pit->stats.irq_falls + (pit->irq_level ? 1 : 0)) {
        return "7: IRQ rises and falls do not add up to the level";
    }
    return 0;
}

const char *i8254_check(const struct i8254 *pit)
{
    for (unsigned index = 0; index < I8254_CHANNELS; index++) {
        const char *broken = check_channel(pit, &pit->channels[index]);
        if (broken) {
            return broken;
        }
    }
    return check_timer(pit);
}
