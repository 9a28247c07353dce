/*
 * keyboard_leds.h - the lock keys' LEDs: which lock a key press toggles
 * and the ED command that shows it, as a small state machine that never
 * waits (keyboard_leds.c). The driver hands it every byte from the
 * keyboard first; while a command is under way it takes the keyboard's
 * ACK (FA) and RESEND (FE) replies, everything else goes to the decoder.
 */
#ifndef DUET_PS2_KEYBOARD_LEDS_H
#define DUET_PS2_KEYBOARD_LEDS_H

#include "duet/types.h"

enum keyboard_leds_phase {
    LEDS_IDLE,
    LEDS_AWAIT_COMMAND_ACK,              /* ED sent */
    LEDS_AWAIT_MASK_ACK,                 /* the mask sent */
};

enum { KEYBOARD_LEDS_RESENDS_MAX = 3 };

struct keyboard_leds {
    uint8_t wanted;                      /* INPUT_LED_* the lock keys say */
    uint8_t shown;                       /* what the keyboard acknowledged */
    uint8_t sending;                     /* the mask of the command under way */
    uint8_t phase;                       /* enum keyboard_leds_phase */
    uint8_t resends;                     /* of the byte under way */
    uint64_t commands;                   /* completed */
    uint64_t failures;                   /* given up after KEYBOARD_LEDS_RESENDS_MAX */
};

/* The byte to send, if any, after an action. */
struct leds_output {
    bool send;
    uint8_t byte;
};

void keyboard_leds_init(struct keyboard_leds *leds);

/* A decoded key event; a lock key's press toggles its LED. Returns the
 * command's first byte when one is to start now. */
struct leds_output keyboard_leds_key(struct keyboard_leds *leds, uint16_t code, bool press);

/* A byte from the keyboard: *out_taken says whether it was a reply to
 * the command under way (the driver must not decode it then). */
struct leds_output keyboard_leds_reply(struct keyboard_leds *leds, uint8_t byte,
                                       bool *out_taken);

#endif
