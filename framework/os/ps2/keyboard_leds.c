/*
 * keyboard_leds.c - lock keys and their LEDs (keyboard_leds.h).
 *
 *   IDLE --a lock key toggles wanted != shown--> send ED, AWAIT_COMMAND_ACK
 *   AWAIT_COMMAND_ACK --FA--> send the mask, AWAIT_MASK_ACK
 *   AWAIT_MASK_ACK --FA--> shown = the mask; if wanted changed meanwhile,
 *                          send ED again, else IDLE
 *   either await --FE--> send the same byte again, at most
 *                        KEYBOARD_LEDS_RESENDS_MAX times, then give up
 *                        (failure counted, IDLE; the next toggle retries)
 *   any other byte --> not taken (it is key data)
 *
 * Toggles during a command are not lost: the command under way finishes
 * and the next one carries the newest state. There is no timeout (the
 * driver has no timer): a keyboard that never answers leaves the LEDs as
 * they were, and its next FA is taken as the answer.
 */
#include "keyboard_leds.h"

#include "duet/assert.h"
#include "duet/input_session.h"
#include "i8042_controller.h"

static const struct leds_output nothing = {false, 0};

void keyboard_leds_init(struct keyboard_leds *leds)
{
    DUET_ASSERT(leds != NULL);
    *leds = (struct keyboard_leds){.phase = LEDS_IDLE};
}

static uint8_t lock_of(uint16_t code)
{
    switch (code) {
    case INPUT_KEY_CAPS_LOCK: return INPUT_LED_CAPS_LOCK;
    case INPUT_KEY_NUM_LOCK: return INPUT_LED_NUM_LOCK;
    case INPUT_KEY_SCROLL_LOCK: return INPUT_LED_SCROLL_LOCK;
    default: return 0;
    }
}

static struct leds_output command_start(struct keyboard_leds *leds)
{
    leds->phase = LEDS_AWAIT_COMMAND_ACK;
    leds->sending = leds->wanted;
    leds->resends = 0;
    return (struct leds_output){true, KEYBOARD_CMD_SET_LEDS};
}

struct leds_output keyboard_leds_key(struct keyboard_leds *leds, uint16_t code, bool press)
{
    DUET_ASSERT(leds != NULL && leds->phase <= LEDS_AWAIT_MASK_ACK);
    uint8_t lock = lock_of(code);
    if (!press || lock == 0)
        return nothing;
    leds->wanted ^= lock;
    if (leds->phase != LEDS_IDLE)
        return nothing;   /* the command under way ends by starting the next */
    return command_start(leds);
}

struct leds_output keyboard_leds_reply(struct keyboard_leds *leds, uint8_t byte,
                                       bool *out_taken)
{
    DUET_ASSERT(leds != NULL && out_taken != NULL);
    *out_taken = false;
    if (leds->phase == LEDS_IDLE || (byte != KEYBOARD_ACK && byte != KEYBOARD_RESEND))
        return nothing;
    *out_taken = true;
    bool command = leds->phase == LEDS_AWAIT_COMMAND_ACK;
    if (byte == KEYBOARD_RESEND) {
        if (++leds->resends > KEYBOARD_LEDS_RESENDS_MAX) {
            leds->failures++;
            leds->phase = LEDS_IDLE;
            return nothing;
        }
        return (struct leds_output){true, command ? KEYBOARD_CMD_SET_LEDS : leds->sending};
    }
    leds->resends = 0;
    if (command) {
        leds->phase = LEDS_AWAIT_MASK_ACK;
        return (struct leds_output){true, leds->sending};
    }
    leds->shown = leds->sending;
    leds->commands++;
    leds->phase = LEDS_IDLE;
    return leds->wanted != leds->shown ? command_start(leds) : nothing;
}
