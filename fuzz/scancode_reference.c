/*
 * scancode_reference.c - the reference decoder (duet/scancode_reference.h):
 * at each position, try every well-formed sequence of the set whole; the
 * one that matches (the list is prefix-free, so at most one) gives its
 * events. Key codes of set 2 come from the controller model's translation
 * table (hw_models/ps2.c), not from the driver's copy of it.
 */
#include "duet/scancode_reference.h"

#include <assert.h>

#include "duet/ps2.h"

enum { ANY_CODE = 0x100, PATTERN_MAX = 8 };

/* A sequence: bytes, or ANY_CODE for "a key code of the set". */
struct pattern {
    unsigned length;
    uint16_t element[PATTERN_MAX];
    enum { PLAIN, BREAK, EXTENDED, EXTENDED_BREAK, PAUSE } meaning;
};

static const struct pattern set1_patterns[] = {
    {1, {ANY_CODE}, PLAIN},
    {2, {0xE0, ANY_CODE}, EXTENDED},
    {6, {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}, PAUSE},
};

static const struct pattern set2_patterns[] = {
    {1, {ANY_CODE}, PLAIN},
    {2, {0xF0, ANY_CODE}, BREAK},
    {2, {0xE0, ANY_CODE}, EXTENDED},
    {3, {0xE0, 0xF0, ANY_CODE}, EXTENDED_BREAK},
    {8, {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77}, PAUSE},
};

static bool is_code(unsigned set, uint8_t byte)
{
    if (set == 1)
        return byte != 0x00 && byte != 0x80 && byte != 0xFF && byte != 0xE0 && byte != 0xE1;
    return (byte >= 0x01 && byte <= 0x7F) || byte == 0x83 || byte == 0x84;
}

/* How many leading elements of `p` match bytes[0..count). */
static unsigned match_length(unsigned set, const struct pattern *p, const uint8_t *bytes,
                             size_t count)
{
    unsigned m = 0;
    while (m < p->length && m < count &&
           (p->element[m] == ANY_CODE ? is_code(set, bytes[m]) : p->element[m] == bytes[m]))
        m++;
    return m;
}

static void add(struct reference_event *events, size_t events_max,
                struct reference_result *out, uint16_t code, bool press)
{
    if (out->event_count < events_max)
        events[out->event_count] = (struct reference_event){code, press};
    out->event_count++;
}

static void emit(unsigned set, const struct pattern *p, const uint8_t *bytes,
                 struct reference_event *events, size_t events_max,
                 struct reference_result *out)
{
    if (p->meaning == PAUSE) {
        add(events, events_max, out, 0x200, true);
        add(events, events_max, out, 0x200, false);
        return;
    }
    uint8_t byte = bytes[p->length - 1];
    uint8_t code = set == 1 ? byte & 0x7F : ps2_translate(byte);
    bool release = (set == 1 && (byte & 0x80)) || p->meaning == BREAK ||
                   p->meaning == EXTENDED_BREAK;
    bool extended = p->meaning == EXTENDED || p->meaning == EXTENDED_BREAK;
    if (extended && (code == 0x2A || code == 0x36))
        return;   /* a fake shift */
    add(events, events_max, out, (uint16_t)(code | (extended ? 0x100 : 0)), !release);
}

void scancode_reference_decode(unsigned set, const uint8_t *bytes, size_t count,
                               struct reference_event *events, size_t events_max,
                               struct reference_result *out)
{
    assert(set == 1 || set == 2);
    const struct pattern *patterns = set == 1 ? set1_patterns : set2_patterns;
    size_t pattern_count = set == 1 ? sizeof set1_patterns / sizeof set1_patterns[0]
                                    : sizeof set2_patterns / sizeof set2_patterns[0];
    *out = (struct reference_result){0};
    size_t at = 0;
    while (at < count) {
        const struct pattern *whole = NULL;
        unsigned longest = 0;
        bool cut_off = false;
        for (size_t i = 0; i < pattern_count; i++) {
            unsigned m = match_length(set, &patterns[i], bytes + at, count - at);
            if (m == patterns[i].length) {
                assert(whole == NULL && "the sequences are prefix-free");
                whole = &patterns[i];
            } else if (at + m == count) {
                cut_off = true;   /* would go on, but the stream ends */
            }
            if (m > longest)
                longest = m;
        }
        if (whole != NULL) {
            emit(set, whole, bytes + at, events, events_max, out);
            at += whole->length;
        } else if (cut_off && longest > 0) {
            out->tail_bytes = count - at;
            return;
        } else {
            out->malformed++;
            at += longest > 0 ? longest : 1;
        }
    }
}
