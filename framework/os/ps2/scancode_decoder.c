/*
 * scancode_decoder.c - one state machine for scan-code sets 1 and 2
 * (scancode_decoder.h).
 *
 * Each byte is first classified for the active set into a token: a key
 * code (as a set-1 make code, so both sets yield the same codes), an E0
 * prefix, an E1 prefix, a set-2 break prefix F0, or an invalid byte.
 *
 *   set 1: E0, E1 prefixes; 00, 80, FF invalid (error / overrun bytes);
 *          any other byte is key (byte & 7F), a release if bit 7 is set.
 *   set 2: E0, E1, F0 prefixes; 01..7F, 83, 84 key codes (mapped to set 1
 *          with the i8042's translation table); anything else invalid.
 *
 * The machine then runs on tokens, so the sets differ only in where a
 * release comes from (the byte's bit 7, or the F0 state):
 *
 *   IDLE --code--> event (press, or release if bit 7)      [idle_step]
 *   IDLE --E0--> EXTENDED     IDLE --F0--> BREAK     IDLE --E1--> PAUSE
 *   EXTENDED --code--> extended event; fake shift dropped  [extended_step]
 *   EXTENDED --F0--> EXTENDED_BREAK
 *   BREAK --code--> release                                [break_step]
 *   EXTENDED_BREAK --code--> extended release; fake shift dropped
 *   PAUSE --next byte of E1 1D 45 E1 9D C5 (set 1) / E1 14 77 E1 F0 14
 *           F0 77 (set 2)--> PAUSE, and after the last: Pause press and
 *           release, IDLE                                  [pause_step]
 *   IDLE --invalid--> malformed, IDLE (byte dropped)
 *   any other state --any other token--> malformed, IDLE, and the byte is
 *           decoded again from IDLE                         [decoder_reset]
 *
 * Fake shifts are the E0 2A / E0 36 pairs (set 2: E0 12 / E0 59) a
 * keyboard wraps around some extended keys; they carry nothing and are
 * dropped (counted). Typematic repeats are passed on as further presses.
 *
 * Invariants: set is 1 or 2; pause_matched > 0 exactly in PAUSE and
 * below the sequence's length; BREAK states only in set 2.
 */
#include "scancode_decoder.h"

#include "duet/assert.h"
#include "duet/input_session.h"

enum token_kind { TOKEN_CODE, TOKEN_EXTENDED, TOKEN_PAUSE, TOKEN_BREAK, TOKEN_INVALID };

struct token {
    enum token_kind kind;
    uint8_t code;                        /* TOKEN_CODE: set-1 make code */
    bool release;                        /* TOKEN_CODE in set 1: bit 7  */
};

enum { SET1_FAKE_LEFT_SHIFT = 0x2A, SET1_FAKE_RIGHT_SHIFT = 0x36 };

static const uint8_t pause_set1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
static const uint8_t pause_set2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};

/* The i8042's translation of set-2 codes 00..7F (0: not a key). */
static const uint8_t set2_to_set1_low[128] = {
    /* 00 */ 0x00, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58,
             0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
    /* 10 */ 0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A,
             0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
    /* 20 */ 0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C,
             0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
    /* 30 */ 0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E,
             0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
    /* 40 */ 0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60,
             0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
    /* 50 */ 0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E,
             0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
    /* 60 */ 0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B,
             0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
    /* 70 */ 0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45,
             0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
};

uint8_t scancode_set2_to_set1(uint8_t code)
{
    if (code < 0x80)
        return set2_to_set1_low[code];
    return code == 0x83 ? 0x41 : code == 0x84 ? 0x54 : 0;   /* F7, Alt+SysRq */
}

static struct token token_of(unsigned set, uint8_t byte)
{
    if (byte == SCANCODE_PREFIX_EXTENDED)
        return (struct token){TOKEN_EXTENDED, 0, false};
    if (byte == SCANCODE_PREFIX_PAUSE)
        return (struct token){TOKEN_PAUSE, 0, false};
    if (set == SCANCODE_SET_1) {
        uint8_t code = byte & (uint8_t)~SCANCODE_SET1_BREAK_BIT;
        return code == 0 || byte == 0xFF
                   ? (struct token){TOKEN_INVALID, 0, false}
                   : (struct token){TOKEN_CODE, code, (byte & SCANCODE_SET1_BREAK_BIT) != 0};
    }
    if (byte == SCANCODE_PREFIX_BREAK)
        return (struct token){TOKEN_BREAK, 0, false};
    uint8_t code = scancode_set2_to_set1(byte);
    return code == 0 ? (struct token){TOKEN_INVALID, 0, false}
                     : (struct token){TOKEN_CODE, code, false};
}

static void event_add(struct scancode_decoder *decoder, struct scancode_events *out,
                      uint16_t code, bool press)
{
    DUET_ASSERT(out->count < SCANCODE_EVENTS_PER_BYTE_MAX);
    out->code[out->count] = code;
    out->press[out->count] = press;
    out->count++;
    decoder->events++;
}

static void decoder_reset(struct scancode_decoder *decoder)
{
    decoder->state = SCANCODE_IDLE;
    decoder->pause_matched = 0;
}

static void malformed(struct scancode_decoder *decoder, uint8_t byte)
{
    decoder->malformed++;
    decoder->last_malformed = byte;
    decoder_reset(decoder);
}

static void idle_step(struct scancode_decoder *decoder, struct token token, uint8_t byte,
                      struct scancode_events *out)
{
    switch (token.kind) {
    case TOKEN_CODE:
        event_add(decoder, out, token.code, !token.release);
        return;
    case TOKEN_EXTENDED:
        decoder->state = SCANCODE_EXTENDED;
        return;
    case TOKEN_BREAK:
        decoder->state = SCANCODE_BREAK;
        return;
    case TOKEN_PAUSE:
        decoder->state = SCANCODE_PAUSE;
        decoder->pause_matched = 1;
        return;
    case TOKEN_INVALID:
        malformed(decoder, byte);
        return;
    }
}

/* A key code after E0 (and F0 in set 2): the extended key, or a fake shift. */
static void extended_step(struct scancode_decoder *decoder, struct token token, bool release,
                          struct scancode_events *out)
{
    decoder_reset(decoder);
    if (token.code == SET1_FAKE_LEFT_SHIFT || token.code == SET1_FAKE_RIGHT_SHIFT) {
        decoder->fake_shifts++;
        return;
    }
    event_add(decoder, out, (uint16_t)(INPUT_KEY_EXTENDED | token.code), !release);
}

/* Returns false when the byte breaks the sequence (to be decoded again). */
static bool pause_step(struct scancode_decoder *decoder, uint8_t byte,
                       struct scancode_events *out)
{
    const uint8_t *sequence = decoder->set == SCANCODE_SET_1 ? pause_set1 : pause_set2;
    unsigned length = decoder->set == SCANCODE_SET_1 ? sizeof pause_set1 : sizeof pause_set2;
    DUET_ASSERT(decoder->pause_matched > 0 && decoder->pause_matched < length);
    if (byte != sequence[decoder->pause_matched])
        return false;
    if (++decoder->pause_matched < length)
        return true;
    decoder_reset(decoder);
    event_add(decoder, out, INPUT_KEY_PAUSE, true);
    event_add(decoder, out, INPUT_KEY_PAUSE, false);
    return true;
}

/* One step; false when the byte broke a sequence and must be decoded again. */
static bool decoder_step(struct scancode_decoder *decoder, uint8_t byte,
                         struct scancode_events *out)
{
    struct token token = token_of(decoder->set, byte);
    switch ((enum scancode_state)decoder->state) {
    case SCANCODE_IDLE:
        idle_step(decoder, token, byte, out);
        return true;
    case SCANCODE_EXTENDED:
        if (token.kind == TOKEN_CODE) {
            extended_step(decoder, token, token.release, out);
            return true;
        }
        if (token.kind == TOKEN_BREAK) {
            decoder->state = SCANCODE_EXTENDED_BREAK;
            return true;
        }
        return false;
    case SCANCODE_BREAK:
        if (token.kind != TOKEN_CODE)
            return false;
        decoder_reset(decoder);
        event_add(decoder, out, token.code, false);
        return true;
    case SCANCODE_EXTENDED_BREAK:
        if (token.kind != TOKEN_CODE)
            return false;
        extended_step(decoder, token, true, out);
        return true;
    case SCANCODE_PAUSE:
        return pause_step(decoder, byte, out);
    }
    DUET_ASSERT(!"scancode decoder in an unknown state");
    return true;
}

void scancode_decoder_init(struct scancode_decoder *decoder, unsigned set)
{
    DUET_ASSERT(decoder != NULL);
    DUET_ASSERT(set == SCANCODE_SET_1 || set == SCANCODE_SET_2);
    *decoder = (struct scancode_decoder){.set = (uint8_t)set, .state = SCANCODE_IDLE};
}

void scancode_decoder_feed(struct scancode_decoder *decoder, uint8_t byte,
                           struct scancode_events *out)
{
    DUET_ASSERT(decoder != NULL && out != NULL);
    DUET_ASSERT(decoder->set == SCANCODE_SET_1 || decoder->set == SCANCODE_SET_2);
    out->count = 0;
    decoder->bytes++;
    if (!decoder_step(decoder, byte, out)) {
        malformed(decoder, byte);
        /* From IDLE every byte is taken: the second step always finishes. */
        bool taken = decoder_step(decoder, byte, out);
        DUET_ASSERT(taken);
    }
    DUET_ASSERT((decoder->state == SCANCODE_PAUSE) == (decoder->pause_matched > 0));
    DUET_ASSERT(decoder->set == SCANCODE_SET_2 || (decoder->state != SCANCODE_BREAK &&
                                                   decoder->state != SCANCODE_EXTENDED_BREAK));
}
