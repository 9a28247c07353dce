/*
 * pit8254.c - channel 0 one-shot countdowns (pit8254.h).
 */
#include "pit8254.h"

#include "hal/port_io.h"

enum {
    PIT_CHANNEL0 = PIT_PORT_BASE,
    PIT_COMMAND = PIT_PORT_BASE + 3,
    /* Control word: channel 0, low byte then high byte, mode 0, binary. */
    PIT_CONTROL_CH0_LOHI_MODE0 = 0x30,
    /* Read-back latching count and status of channel 0 at once: a status
     * latched apart from the count could say "not yet" of a count that
     * has already wrapped (a review finding: the clock went backwards). */
    PIT_READBACK_COUNT_STATUS_CH0 = 0xC2,
    PIT_STATUS_OUT = 0x80,
};

void pit_oneshot_start(uint16_t ticks)
{
    hal_out8(PIT_COMMAND, PIT_CONTROL_CH0_LOHI_MODE0);
    hal_out8(PIT_CHANNEL0, (uint8_t)(ticks & 0xFF));
    hal_out8(PIT_CHANNEL0, (uint8_t)(ticks >> 8));
}

uint64_t pit_oneshot_elapsed(uint16_t programmed)
{
    hal_out8(PIT_COMMAND, PIT_READBACK_COUNT_STATUS_CH0);
    bool expired = (hal_in8(PIT_CHANNEL0) & PIT_STATUS_OUT) != 0;   /* the status first */
    uint16_t count = hal_in8(PIT_CHANNEL0);
    count = (uint16_t)(count | (uint16_t)hal_in8(PIT_CHANNEL0) << 8);
    if (!expired)
        return count <= programmed ? (uint64_t)(programmed - count) : 0;
    /* Past zero the counter wraps to 0xFFFF and counts on. */
    return (uint64_t)programmed + (uint16_t)(0u - count);
}

uint64_t pit_ticks_to_us(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * 1000000u) / PIT_INPUT_HZ);
}

uint64_t pit_us_to_ticks_ceil(uint64_t us)
{
    unsigned __int128 ticks = ((unsigned __int128)us * PIT_INPUT_HZ + 999999u) / 1000000u;
    return ticks > UINT64_MAX ? UINT64_MAX : (uint64_t)ticks;   /* saturates */
}
