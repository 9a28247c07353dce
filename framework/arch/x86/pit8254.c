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
    PIT_CONTROL_CH0_LATCH = 0x00,
    /* Read-back: don't latch the count, latch the status, channel 0. */
    PIT_READBACK_STATUS_CH0 = 0xE2,
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
    hal_out8(PIT_COMMAND, PIT_READBACK_STATUS_CH0);
    bool expired = (hal_in8(PIT_CHANNEL0) & PIT_STATUS_OUT) != 0;
    hal_out8(PIT_COMMAND, PIT_CONTROL_CH0_LATCH);
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
    unsigned __int128 scaled = (unsigned __int128)us * PIT_INPUT_HZ;
    return (uint64_t)((scaled + 999999u) / 1000000u);
}
