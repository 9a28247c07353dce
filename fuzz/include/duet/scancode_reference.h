/*
 * scancode_reference.h - a reference decoder of scan-code sets 1 and 2,
 * the oracle for the PS/2 driver's state machine
 * (framework/os/ps2/scancode_decoder.c): the ps2 fuzz target and
 * tests/unit/unit_scancode_decoder.c hold the driver against it.
 *
 * It is written the other way round from the driver: no states, a list of
 * the well-formed sequences, matched whole at each position of the stream
 * (scancode_reference.c). Both follow the same contract:
 *   - well-formed sequences: set 1 [E0] code, Pause E1 1D 45 E1 9D C5;
 *     set 2 [E0] [F0] code, Pause E1 14 77 E1 F0 14 F0 77; a code is any
 *     byte but 00, 80, FF, E0, E1 (set 1), or 01..7F, 83, 84 (set 2);
 *   - key codes are set-1 make codes (set 2 through the controller's
 *     translation), +0x100 after E0, 0x200 for Pause (press and release);
 *     E0 2A / E0 36 (the fake shifts) yield nothing;
 *   - where no sequence matches, the longest partial match (at least one
 *     byte) is one malformed sequence and decoding resumes after it;
 *   - a partial match cut off by the end of the stream is neither an event
 *     nor malformed (the driver is still waiting for its rest).
 */
#ifndef DUET_SCANCODE_REFERENCE_H
#define DUET_SCANCODE_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reference_event {
    uint16_t code;
    bool press;
};

struct reference_result {
    size_t event_count;              /* events found (may exceed the array) */
    uint64_t malformed;
    size_t tail_bytes;               /* an unfinished sequence at the end */
};

/* Decodes `count` bytes of `set` (1 or 2); stores at most `events_max`
 * events. */
void scancode_reference_decode(unsigned set, const uint8_t *bytes, size_t count,
                               struct reference_event *events, size_t events_max,
                               struct reference_result *out);

#endif
