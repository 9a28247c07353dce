/*
 * scancode_decoder.h - keyboard bytes to key events, for scan-code sets 1
 * and 2, through one state machine (scancode_decoder.c).
 *
 * The decoder is pure: no ports, no sessions, no allocation; the driver
 * (ps2_driver.c) feeds it every byte that is not a reply to one of its
 * commands, and a test or fuzz oracle can run it alone. Key codes are
 * those of duet/input_session.h (set 1 make codes, INPUT_KEY_EXTENDED,
 * INPUT_KEY_PAUSE) in both sets.
 */
#ifndef DUET_PS2_SCANCODE_DECODER_H
#define DUET_PS2_SCANCODE_DECODER_H

#include "duet/types.h"

enum {
    SCANCODE_SET_1 = 1,
    SCANCODE_SET_2 = 2,
    SCANCODE_EVENTS_PER_BYTE_MAX = 2,    /* Pause: press and release */
    SCANCODE_PREFIX_EXTENDED = 0xE0,
    SCANCODE_PREFIX_PAUSE = 0xE1,
    SCANCODE_PREFIX_BREAK = 0xF0,        /* set 2 */
    SCANCODE_SET1_BREAK_BIT = 0x80,
};

/* The states (scancode_decoder.c draws the diagram). */
enum scancode_state {
    SCANCODE_IDLE,
    SCANCODE_EXTENDED,                   /* after E0 */
    SCANCODE_BREAK,                      /* after F0 (set 2) */
    SCANCODE_EXTENDED_BREAK,             /* after E0 F0 (set 2) */
    SCANCODE_PAUSE,                      /* inside E1 ..., pause_matched bytes in */
};

struct scancode_decoder {
    uint8_t set;                         /* SCANCODE_SET_1 or _2 */
    uint8_t state;                       /* enum scancode_state */
    uint8_t pause_matched;               /* bytes of the Pause sequence seen */
    uint8_t last_malformed;              /* the byte that broke the last sequence */
    uint64_t bytes;                      /* fed */
    uint64_t events;                     /* produced */
    uint64_t malformed;                  /* sequences refused */
    uint64_t fake_shifts;                /* E0-prefixed shifts dropped */
};

struct scancode_events {
    unsigned count;
    uint16_t code[SCANCODE_EVENTS_PER_BYTE_MAX];
    bool press[SCANCODE_EVENTS_PER_BYTE_MAX];
};

void scancode_decoder_init(struct scancode_decoder *decoder, unsigned set);

/* One byte in; *out the events it completes (0..2), oldest first. A byte
 * that cannot continue the sequence under way counts that sequence as
 * malformed and then starts anew, so one bad byte loses at most the
 * sequence it broke. */
void scancode_decoder_feed(struct scancode_decoder *decoder, uint8_t byte,
                           struct scancode_events *out);

/* The set-1 make code of a set-2 code, 0 if the byte is no set-2 key code.
 * Exposed for tests, which hold it against the controller's translation. */
uint8_t scancode_set2_to_set1(uint8_t code);

#endif
