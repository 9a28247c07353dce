/*
 * unit_scancode_decoder.c - the PS/2 driver's scan-code state machine
 * (framework/os/ps2/scancode_decoder.c) against what it must decode.
 *
 *   1. Its set 2 -> set 1 table equals the controller model's translation
 *      (hw_models/ps2.c) on every set-2 key code, and is 0 elsewhere.
 *   2. Every key the keyboard model knows, pressed and released, in set 2
 *      and in set 1 (the model's own bytes), decodes to one press and one
 *      release of the same code in both sets; Pause to a press and a
 *      release of INPUT_KEY_PAUSE.
 *   3. Hand-picked malformed streams: the count, and what survives.
 *   4. Reference model: 20 000 seeded random streams per set, biased
 *      towards prefixes and Pause bytes, decode to exactly the events and
 *      malformed count of the reference decoder (fuzz/scancode_reference.c),
 *      fed whole and byte by byte alike.
 */
#include <stdlib.h>

#include "duet/input_session.h"
#include "duet/ps2.h"
#include "duet/scancode_reference.h"
#include "scancode_decoder.h"
#include "unit_check.h"

enum { STREAMS = 20000, STREAM_BYTES_MAX = 48, EVENTS_MAX = 2 * STREAM_BYTES_MAX };

struct decoded {
    size_t count;
    uint16_t code[EVENTS_MAX];
    bool press[EVENTS_MAX];
};

static void decode(unsigned set, const uint8_t *bytes, size_t length, struct decoded *out,
                   struct scancode_decoder *decoder)
{
    scancode_decoder_init(decoder, set);
    out->count = 0;
    for (size_t i = 0; i < length; i++) {
        struct scancode_events events;
        scancode_decoder_feed(decoder, bytes[i], &events);
        for (unsigned e = 0; e < events.count && out->count < EVENTS_MAX; e++) {
            out->code[out->count] = events.code[e];
            out->press[out->count] = events.press[e];
            out->count++;
        }
    }
}

static void test_translation_table(void)
{
    for (unsigned byte = 0; byte < 256; byte++) {
        bool key = (byte >= 1 && byte <= 0x7F) || byte == 0x83 || byte == 0x84;
        uint8_t expected = key ? ps2_translate((uint8_t)byte) : 0;
        UNIT_CHECK(scancode_set2_to_set1((uint8_t)byte) == expected,
                   "set 2 code 0x%02x: 0x%02x, the controller translates to 0x%02x", byte,
                   scancode_set2_to_set1((uint8_t)byte), expected);
    }
}

/* The model's bytes for a key in `set`, as ps2.c sends them. */
static size_t key_bytes(enum ps2_key key, unsigned set, bool press, uint8_t *out)
{
    struct ps2_key_codes codes = ps2_key_codes(key);
    uint16_t code = set == 1 ? codes.set1 : codes.set2;
    size_t n = 0;
    if (code >> 8)
        out[n++] = (uint8_t)(code >> 8);
    if (set == 2 && !press)
        out[n++] = 0xF0;
    out[n++] = (uint8_t)((code & 0xFF) | (set == 1 && !press ? 0x80 : 0));
    return n;
}

static void test_every_key(void)
{
    for (unsigned key = 0; key < PS2_KEY_COUNT; key++) {
        uint16_t expected = 0;
        for (unsigned set = 1; set <= 2; set++) {
            uint8_t bytes[16];
            size_t n = 0;
            if (key == PS2_KEY_PAUSE) {
                static const uint8_t pause1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
                static const uint8_t pause2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
                n = set == 1 ? sizeof pause1 : sizeof pause2;
                memcpy(bytes, set == 1 ? pause1 : pause2, n);
            } else {
                n = key_bytes(key, set, true, bytes);
                n += key_bytes(key, set, false, bytes + n);
            }
            struct decoded d;
            struct scancode_decoder decoder;
            decode(set, bytes, n, &d, &decoder);
            if (!UNIT_CHECK(d.count == 2 && d.press[0] && !d.press[1] && d.code[0] == d.code[1],
                            "key %u set %u: %zu events", key, set, d.count))
                continue;
            UNIT_CHECK(decoder.malformed == 0 && decoder.state == SCANCODE_IDLE,
                       "key %u set %u: clean", key, set);
            if (set == 1)
                expected = d.code[0];
            UNIT_CHECK(d.code[0] == expected, "key %u: set 2 code 0x%x, set 1 code 0x%x", key,
                       d.code[0], expected);
        }
        if (key == PS2_KEY_PAUSE)
            UNIT_CHECK(expected == INPUT_KEY_PAUSE, "Pause is INPUT_KEY_PAUSE");
        if (key == PS2_KEY_UP)
            UNIT_CHECK(expected == INPUT_KEY_UP, "Up is INPUT_KEY_UP");
        if (key == PS2_KEY_CAPS_LOCK)
            UNIT_CHECK(expected == INPUT_KEY_CAPS_LOCK, "Caps Lock is INPUT_KEY_CAPS_LOCK");
    }
}

static void expect_stream(unsigned set, const uint8_t *bytes, size_t length, size_t events,
                          uint64_t malformed, const char *what)
{
    struct decoded d;
    struct scancode_decoder decoder;
    decode(set, bytes, length, &d, &decoder);
    UNIT_CHECK(d.count == events && decoder.malformed == malformed,
               "%s: %zu events, %llu malformed; expected %zu, %llu", what, d.count,
               (unsigned long long)decoder.malformed, events, (unsigned long long)malformed);
}

static void test_malformed(void)
{
    static const uint8_t double_e0[] = {0xE0, 0xE0, 0x1C};
    expect_stream(1, double_e0, 3, 1, 1, "set 1: E0 E0 1C is one bad E0, then keypad Enter");
    static const uint8_t zero[] = {0x00, 0x1E, 0xFF};
    expect_stream(1, zero, 3, 1, 2, "set 1: 00 and FF around an A");
    static const uint8_t break_break[] = {0xF0, 0xF0, 0x1C};
    expect_stream(2, break_break, 3, 1, 1, "set 2: F0 F0 1C");
    static const uint8_t broken_pause[] = {0xE1, 0x14, 0x1C, 0xF0, 0x1C};
    expect_stream(2, broken_pause, 5, 2, 1, "set 2: E1 14 then A press, release");
    static const uint8_t ack[] = {0xFA};
    expect_stream(2, ack, 1, 0, 1, "set 2: a stray ACK");
    expect_stream(1, ack, 1, 1, 0, "set 1: FA is the release of 0x7A");
    static const uint8_t fake[] = {0xE0, 0x12, 0xE0, 0x7C, 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    expect_stream(2, fake, sizeof fake, 2, 0, "set 2: Print Screen in fake shifts");
    static const uint8_t tail[] = {0xE0, 0xF0};
    expect_stream(2, tail, 2, 0, 0, "set 2: an unfinished E0 F0");
}

static uint64_t rng_next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static uint8_t random_byte(unsigned set, uint64_t *rng)
{
    static const uint8_t interesting[] = {0xE0, 0xE1, 0xF0, 0x14, 0x77, 0x1D, 0x45, 0x9D,
                                          0xC5, 0x12, 0x59, 0x2A, 0x36, 0xAA, 0xB6, 0x00,
                                          0xFF, 0x80, 0xFA, 0x83, 0x84, 0x85, 0x1C};
    uint64_t r = rng_next(rng);
    (void)set;
    return r % 3 == 0 ? (uint8_t)(r >> 8) : interesting[(r >> 8) % sizeof interesting];
}

static void test_against_reference(void)
{
    uint64_t rng = 0x9E3779B97F4A7C15u;
    for (unsigned set = 1; set <= 2; set++) {
        for (unsigned stream = 0; stream < STREAMS; stream++) {
            uint8_t bytes[STREAM_BYTES_MAX];
            size_t length = 1 + rng_next(&rng) % STREAM_BYTES_MAX;
            for (size_t i = 0; i < length; i++)
                bytes[i] = random_byte(set, &rng);
            struct reference_event expected[EVENTS_MAX];
            struct reference_result reference;
            scancode_reference_decode(set, bytes, length, expected, EVENTS_MAX, &reference);
            struct decoded d;
            struct scancode_decoder decoder;
            decode(set, bytes, length, &d, &decoder);
            bool same = d.count == reference.event_count && decoder.malformed == reference.malformed &&
                        (reference.tail_bytes == 0) == (decoder.state == SCANCODE_IDLE);
            for (size_t e = 0; same && e < d.count; e++)
                same = d.code[e] == expected[e].code && d.press[e] == expected[e].press;
            char shown[STREAM_BYTES_MAX * 3 + 1];
            for (size_t i = 0; i < length; i++)
                snprintf(shown + 3 * i, 4, "%02x ", bytes[i]);
            if (!UNIT_CHECK(same, "set %u stream %s: %zu events %llu malformed, reference %zu "
                                  "events %llu malformed tail %zu",
                            set, shown, d.count, (unsigned long long)decoder.malformed,
                            reference.event_count, (unsigned long long)reference.malformed,
                            reference.tail_bytes))
                return;
        }
    }
}

int main(void)
{
    test_translation_table();
    test_every_key();
    test_malformed();
    test_against_reference();
    return unit_finish("unit_scancode_decoder");
}
