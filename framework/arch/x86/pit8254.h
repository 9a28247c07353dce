/*
 * pit8254.h - channel 0 of the PC's 8254 timer, as a one-shot countdown.
 *
 * The timer service (framework/os/timer) drives the PIT through an
 * IO_PORT session for ports 0x40-0x43 and takes IRQ 0 through an IRQ
 * session. Mode 0 ("interrupt on terminal count"): OUT goes low when the
 * count is written and high when it reaches zero, which raises IRQ 0
 * once; then the counter keeps counting down from 0xFFFF. Reading the
 * status (read-back) tells whether zero was reached, which makes a count
 * read after it unambiguous for up to 65536 further ticks.
 */
#ifndef DUET_ARCH_X86_PIT8254_H
#define DUET_ARCH_X86_PIT8254_H

#include "duet/types.h"

enum {
    PIT_PORT_BASE = 0x40,
    PIT_PORT_COUNT = 4,
    PIT_IRQ_LINE = 0,
    PIT_COUNT_MAX = 0xFFFF,
};
#define PIT_INPUT_HZ UINT64_C(1193182)

/* Starts a countdown of `ticks` (1..PIT_COUNT_MAX) in mode 0. */
void pit_oneshot_start(uint16_t ticks);
/* Ticks since the countdown of `programmed` ticks started. */
uint64_t pit_oneshot_elapsed(uint16_t programmed);

/* Conversions; microseconds round down, ticks for a delay round up so a
 * countdown never ends before the delay is over. */
uint64_t pit_ticks_to_us(uint64_t ticks);
uint64_t pit_us_to_ticks_ceil(uint64_t us);

#endif
