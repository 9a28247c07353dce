/*
 * scenario_keyboard.c - decodes the keyboard lines of a scenario file
 * ("i8042", "key", "type", "scancodes"; grammar in duet/scenario.h) into
 * the scenario's timed inputs, which sim/keyboard_input.c plays into the
 * keyboard model.
 *
 * Decode, then append: a line is checked whole (time, names, text, byte
 * count, order, room) before any input of it is stored, so a refused line
 * leaves the scenario as it was. Not here: what the inputs do (the
 * keyboard model, hw_models/ps2.c).
 */
#include "scenario_keyboard.h"

#include <string.h>

#include "duet/ps2.h"

/* Names of "key" lines, by enum ps2_key (lowercase, words joined by '_'). */
static const char *const key_names[PS2_KEY_COUNT] = {
    [PS2_KEY_A] = "a", [PS2_KEY_B] = "b", [PS2_KEY_C] = "c", [PS2_KEY_D] = "d",
    [PS2_KEY_E] = "e", [PS2_KEY_F] = "f", [PS2_KEY_G] = "g", [PS2_KEY_H] = "h",
    [PS2_KEY_I] = "i", [PS2_KEY_J] = "j", [PS2_KEY_K] = "k", [PS2_KEY_L] = "l",
    [PS2_KEY_M] = "m", [PS2_KEY_N] = "n", [PS2_KEY_O] = "o", [PS2_KEY_P] = "p",
    [PS2_KEY_Q] = "q", [PS2_KEY_R] = "r", [PS2_KEY_S] = "s", [PS2_KEY_T] = "t",
    [PS2_KEY_U] = "u", [PS2_KEY_V] = "v", [PS2_KEY_W] = "w", [PS2_KEY_X] = "x",
    [PS2_KEY_Y] = "y", [PS2_KEY_Z] = "z",
    [PS2_KEY_0] = "0", [PS2_KEY_1] = "1", [PS2_KEY_2] = "2", [PS2_KEY_3] = "3",
    [PS2_KEY_4] = "4", [PS2_KEY_5] = "5", [PS2_KEY_6] = "6", [PS2_KEY_7] = "7",
    [PS2_KEY_8] = "8", [PS2_KEY_9] = "9",
    [PS2_KEY_ENTER] = "enter", [PS2_KEY_ESCAPE] = "escape",
    [PS2_KEY_BACKSPACE] = "backspace", [PS2_KEY_TAB] = "tab", [PS2_KEY_SPACE] = "space",
    [PS2_KEY_CAPS_LOCK] = "caps_lock",
    [PS2_KEY_LEFT_SHIFT] = "left_shift", [PS2_KEY_RIGHT_SHIFT] = "right_shift",
    [PS2_KEY_LEFT_CTRL] = "left_ctrl", [PS2_KEY_RIGHT_CTRL] = "right_ctrl",
    [PS2_KEY_LEFT_ALT] = "left_alt", [PS2_KEY_RIGHT_ALT] = "right_alt",
    [PS2_KEY_F1] = "f1", [PS2_KEY_F2] = "f2", [PS2_KEY_F3] = "f3", [PS2_KEY_F4] = "f4",
    [PS2_KEY_F5] = "f5", [PS2_KEY_F6] = "f6", [PS2_KEY_F7] = "f7", [PS2_KEY_F8] = "f8",
    [PS2_KEY_F9] = "f9", [PS2_KEY_F10] = "f10", [PS2_KEY_F11] = "f11",
    [PS2_KEY_F12] = "f12",
    [PS2_KEY_UP] = "up", [PS2_KEY_DOWN] = "down", [PS2_KEY_LEFT] = "left",
    [PS2_KEY_RIGHT] = "right", [PS2_KEY_HOME] = "home", [PS2_KEY_END] = "end",
    [PS2_KEY_PAGE_UP] = "page_up", [PS2_KEY_PAGE_DOWN] = "page_down",
    [PS2_KEY_INSERT] = "insert", [PS2_KEY_DELETE] = "delete", [PS2_KEY_PAUSE] = "pause",
};

/* The longest line "type" accepts: each capital takes four inputs. */
enum { TYPE_INPUTS_PER_CHARACTER_MAX = 4 };

const char *scenario_key_name(unsigned key)
{
    return key < PS2_KEY_COUNT ? key_names[key] : NULL;
}

struct field {
    const char *text;
    size_t length;
};

static bool field_is(struct field field, const char *word)
{
    return field.length == strlen(word) && memcmp(field.text, word, field.length) == 0;
}

/* Splits off the first space-separated field of *rest. */
static struct field field_next(struct field *rest)
{
    size_t i = 0;
    while (i < rest->length && rest->text[i] != ' ')
        i++;
    struct field first = {rest->text, i};
    while (i < rest->length && rest->text[i] == ' ')
        i++;
    *rest = (struct field){rest->text + i, rest->length - i};
    return first;
}

static enum scenario_error time_decode(struct field field, uint64_t *out_us)
{
    if (field.length == 0 || field.length > 13)
        return SCENARIO_ERR_BAD_NUMBER;
    uint64_t us = 0;
    for (size_t i = 0; i < field.length; i++) {
        if (field.text[i] < '0' || field.text[i] > '9')
            return SCENARIO_ERR_BAD_NUMBER;
        us = us * 10 + (uint64_t)(field.text[i] - '0');
    }
    if (us > SCENARIO_INPUT_TIME_US_MAX)
        return SCENARIO_ERR_BAD_NUMBER;
    *out_us = us;
    return SCENARIO_OK;
}

static bool key_decode(struct field field, uint8_t *out_key)
{
    for (unsigned key = 0; key < PS2_KEY_COUNT; key++) {
        if (key_names[key] != NULL && field_is(field, key_names[key])) {
            *out_key = (uint8_t)key;
            return true;
        }
    }
    return false;
}

/* The key that types `c`, and whether it needs shift; false: untypeable. */
static bool character_key(char c, uint8_t *out_key, bool *out_shift)
{
    *out_shift = c >= 'A' && c <= 'Z';
    if (c >= 'a' && c <= 'z')
        *out_key = (uint8_t)(PS2_KEY_A + (c - 'a'));
    else if (c >= 'A' && c <= 'Z')
        *out_key = (uint8_t)(PS2_KEY_A + (c - 'A'));
    else if (c >= '0' && c <= '9')
        *out_key = (uint8_t)(PS2_KEY_0 + (c - '0'));
    else if (c == ' ')
        *out_key = PS2_KEY_SPACE;
    else
        return false;
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The inputs one line decodes to, before they are appended. */
struct line_inputs {
    size_t count;
    struct scenario_input inputs[SCENARIO_TYPE_TEXT_MAX * TYPE_INPUTS_PER_CHARACTER_MAX];
};

static void key_input(struct line_inputs *out, uint64_t time_us, uint8_t key, bool press)
{
    out->inputs[out->count++] = (struct scenario_input){
        .time_us = time_us, .kind = SCENARIO_INPUT_KEY, .key = key, .press = press};
}

static enum scenario_error key_line(struct field rest, uint64_t time_us, struct line_inputs *out)
{
    uint8_t key = 0;
    if (!key_decode(field_next(&rest), &key))
        return SCENARIO_ERR_BAD_KEY;
    struct field action = field_next(&rest);
    if (rest.length != 0 || !(field_is(action, "press") || field_is(action, "release")))
        return SCENARIO_ERR_BAD_KEY_ACTION;
    key_input(out, time_us, key, field_is(action, "press"));
    return SCENARIO_OK;
}

static enum scenario_error type_line(struct field rest, uint64_t time_us, struct line_inputs *out)
{
    if (rest.length < 2 || rest.text[0] != '"' || rest.text[rest.length - 1] != '"')
        return SCENARIO_ERR_BAD_QUOTE;
    size_t length = rest.length - 2;
    if (length == 0 || length > SCENARIO_TYPE_TEXT_MAX)
        return SCENARIO_ERR_BAD_QUOTE;
    for (size_t i = 0; i < length; i++) {
        uint8_t key = 0;
        bool shift = false;
        if (!character_key(rest.text[1 + i], &key, &shift))
            return SCENARIO_ERR_BAD_KEY;
        uint64_t at = time_us + i * SCENARIO_TYPE_SPACING_US;
        if (shift)
            key_input(out, at, PS2_KEY_LEFT_SHIFT, true);
        key_input(out, at, key, true);
        key_input(out, at + SCENARIO_TYPE_HOLD_US, key, false);
        if (shift)
            key_input(out, at + SCENARIO_TYPE_HOLD_US, PS2_KEY_LEFT_SHIFT, false);
    }
    return SCENARIO_OK;
}

static enum scenario_error scancodes_line(struct field rest, uint64_t time_us,
                                          struct line_inputs *out)
{
    struct scenario_input input = {.time_us = time_us, .kind = SCENARIO_INPUT_SCANCODES};
    while (rest.length > 0) {
        struct field byte = field_next(&rest);
        if (input.byte_count == SCENARIO_SCANCODES_MAX || byte.length != 2 ||
            hex_digit(byte.text[0]) < 0 || hex_digit(byte.text[1]) < 0)
            return SCENARIO_ERR_BAD_SCANCODE;
        input.bytes[input.byte_count++] =
            (uint8_t)(hex_digit(byte.text[0]) << 4 | hex_digit(byte.text[1]));
    }
    if (input.byte_count == 0)
        return SCENARIO_ERR_BAD_SCANCODE;
    out->inputs[out->count++] = input;
    return SCENARIO_OK;
}

static enum scenario_error option_line(struct scenario_keyboard *keyboard, struct field rest)
{
    if (keyboard->translation_given)
        return SCENARIO_ERR_DUPLICATE;
    struct field what = field_next(&rest);
    struct field setting = field_next(&rest);
    if (!field_is(what, "translation") || rest.length != 0 ||
        !(field_is(setting, "on") || field_is(setting, "off")))
        return SCENARIO_ERR_BAD_OPTION;
    keyboard->translation_given = 1;
    keyboard->translation_off = field_is(setting, "off");
    return SCENARIO_OK;
}

bool scenario_keyboard_keyword(const char *keyword, size_t keyword_length)
{
    struct field field = {keyword, keyword_length};
    return field_is(field, "i8042") || field_is(field, "key") || field_is(field, "type") ||
           field_is(field, "scancodes");
}

enum scenario_error scenario_keyboard_line(struct scenario_keyboard *keyboard,
                                           const char *keyword, size_t keyword_length,
                                           const char *value, size_t value_length)
{
    struct field name = {keyword, keyword_length};
    struct field rest = {value, value_length};
    if (field_is(name, "i8042"))
        return option_line(keyboard, rest);
    uint64_t time_us = 0;
    enum scenario_error error = time_decode(field_next(&rest), &time_us);
    if (error != SCENARIO_OK)
        return error;
    /* ~6 KiB: a scenario is parsed on the host's stack, never a fiber's. */
    struct line_inputs decoded;
    decoded.count = 0;
    if (field_is(name, "key"))
        error = key_line(rest, time_us, &decoded);
    else if (field_is(name, "type"))
        error = type_line(rest, time_us, &decoded);
    else
        error = scancodes_line(rest, time_us, &decoded);
    if (error != SCENARIO_OK)
        return error;
    size_t count = keyboard->input_count;
    if (count > 0 && time_us < keyboard->inputs[count - 1].time_us)
        return SCENARIO_ERR_INPUT_ORDER;
    if (decoded.count > SCENARIO_INPUTS_MAX - count)
        return SCENARIO_ERR_TOO_MANY_INPUTS;
    memcpy(keyboard->inputs + count, decoded.inputs, decoded.count * sizeof decoded.inputs[0]);
    keyboard->input_count = count + decoded.count;
    return SCENARIO_OK;
}
