/*
 * qemu_keys.c - scenario keyboard inputs as QMP input-send-event commands
 * (qemu_devices.h, docs/QEMU_DEVICES.md).
 *
 * A key input is its key's QKeyCode name (QEMU's qapi/ui.json); QEMU's
 * PS/2 keyboard then sends that key's scan codes in its current set,
 * which the test qemu_devices_live holds against the sim's keyboard
 * model for every key, with translation on and off. Raw bytes become key
 * events only when they are whole keys' make or break codes in set 2,
 * since QEMU has no way to queue arbitrary bytes; anything else (a fake
 * shift, half a sequence) is refused by name, never approximated.
 */
#include "duet/qemu_devices.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "duet/ps2.h"

static const char *const qcodes[PS2_KEY_COUNT] = {
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
    [PS2_KEY_ENTER] = "ret", [PS2_KEY_ESCAPE] = "esc", [PS2_KEY_BACKSPACE] = "backspace",
    [PS2_KEY_TAB] = "tab", [PS2_KEY_SPACE] = "spc", [PS2_KEY_CAPS_LOCK] = "caps_lock",
    [PS2_KEY_LEFT_SHIFT] = "shift", [PS2_KEY_RIGHT_SHIFT] = "shift_r",
    [PS2_KEY_LEFT_CTRL] = "ctrl", [PS2_KEY_RIGHT_CTRL] = "ctrl_r",
    [PS2_KEY_LEFT_ALT] = "alt", [PS2_KEY_RIGHT_ALT] = "alt_r",
    [PS2_KEY_F1] = "f1", [PS2_KEY_F2] = "f2", [PS2_KEY_F3] = "f3", [PS2_KEY_F4] = "f4",
    [PS2_KEY_F5] = "f5", [PS2_KEY_F6] = "f6", [PS2_KEY_F7] = "f7", [PS2_KEY_F8] = "f8",
    [PS2_KEY_F9] = "f9", [PS2_KEY_F10] = "f10", [PS2_KEY_F11] = "f11", [PS2_KEY_F12] = "f12",
    [PS2_KEY_UP] = "up", [PS2_KEY_DOWN] = "down", [PS2_KEY_LEFT] = "left",
    [PS2_KEY_RIGHT] = "right", [PS2_KEY_HOME] = "home", [PS2_KEY_END] = "end",
    [PS2_KEY_PAGE_UP] = "pgup", [PS2_KEY_PAGE_DOWN] = "pgdn", [PS2_KEY_INSERT] = "insert",
    [PS2_KEY_DELETE] = "delete", [PS2_KEY_PAUSE] = "pause",
};

const char *qemu_devices_key_qcode(unsigned key)
{
    return key < PS2_KEY_COUNT ? qcodes[key] : NULL;
}

uint8_t qemu_devices_i8042_config(const struct scenario *scenario)
{
    bool off = scenario != NULL && scenario->keyboard.translation_off;
    return off ? QEMU_DEVICES_I8042_CONFIG_UNTRANSLATED : QEMU_DEVICES_I8042_CONFIG_SEABIOS;
}

/* Pause's make code in set 2 (it has no break code). */
static const uint8_t pause_set2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};

enum { PREFIX_E0 = 0xE0, PREFIX_BREAK = 0xF0, EVENTS_MAX = SCENARIO_SCANCODES_MAX };

struct key_event {
    uint8_t key;
    bool down;
};

/* The key whose set-2 code is `code` (0xE0xx for E0 keys), or PS2_KEY_COUNT. */
static unsigned key_of_set2(uint16_t code)
{
    for (unsigned key = 0; key < PS2_KEY_COUNT; key++) {
        /* Pause's table entry is its set-3 style code; its set-2 bytes are special. */
        if (key != PS2_KEY_PAUSE && ps2_key_codes((enum ps2_key)key).set2 == code)
            return key;
    }
    return PS2_KEY_COUNT;
}

/* Splits set-2 bytes into whole keys' make and break codes; false names
 * the offset where no whole key starts. */
static bool decode_set2(const uint8_t *bytes, size_t count, struct key_event *events,
                        size_t *event_count, size_t *bad_offset)
{
    size_t at = 0;
    *event_count = 0;
    while (at < count) {
        if (count - at >= sizeof pause_set2 && memcmp(bytes + at, pause_set2, sizeof pause_set2) == 0) {
            events[(*event_count)++] = (struct key_event){PS2_KEY_PAUSE, true};
            at += sizeof pause_set2;
            continue;
        }
        size_t start = at;
        uint16_t prefix = 0;
        bool down = true;
        if (at < count && bytes[at] == PREFIX_E0) {
            prefix = 0xE000;
            at++;
        }
        if (at < count && bytes[at] == PREFIX_BREAK) {
            down = false;
            at++;
        }
        unsigned key = at < count ? key_of_set2((uint16_t)(prefix | bytes[at])) : PS2_KEY_COUNT;
        if (key == PS2_KEY_COUNT) {
            *bad_offset = start;
            return false;
        }
        at++;
        events[(*event_count)++] = (struct key_event){(uint8_t)key, down};
    }
    return true;
}

static enum qemu_devices_error input_fail(enum qemu_devices_error code, char *error,
                                          size_t error_len, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static enum qemu_devices_error input_fail(enum qemu_devices_error code, char *error,
                                          size_t error_len, const char *format, ...)
{
    if (error != NULL && error_len > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, error_len, format, args);
        va_end(args);
    }
    return code;
}

/* Appends to json[*used]; false when it does not fit. */
static bool append(char *json, size_t json_len, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static bool append(char *json, size_t json_len, size_t *used, const char *format, ...)
{
    if (*used >= json_len)
        return false;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(json + *used, json_len - *used, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= json_len - *used)
        return false;
    *used += (size_t)n;
    return true;
}

enum qemu_devices_error qemu_devices_input_command(const struct scenario *scenario, size_t index,
                                                   char *json, size_t json_len, char *error,
                                                   size_t error_len)
{
    if (error != NULL && error_len > 0)
        error[0] = '\0';
    if (scenario == NULL || json == NULL || json_len == 0)
        return input_fail(QEMU_DEVICES_ERR_BAD_ARGUMENT, error, error_len,
                          "qemu_devices_input_command: no scenario or no output buffer");
    json[0] = '\0';
    const struct scenario_keyboard *keyboard = &scenario->keyboard;
    if (keyboard->input_count > SCENARIO_INPUTS_MAX)
        return input_fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                          "keyboard: %zu inputs, at most %d", keyboard->input_count,
                          SCENARIO_INPUTS_MAX);
    if (index >= keyboard->input_count)
        return input_fail(QEMU_DEVICES_ERR_BAD_ARGUMENT, error, error_len,
                          "keyboard input %zu: the scenario has %zu", index,
                          keyboard->input_count);
    const struct scenario_input *input = &keyboard->inputs[index];
    struct key_event events[EVENTS_MAX];
    size_t event_count = 0;
    if (input->kind == SCENARIO_INPUT_KEY) {
        if (input->key >= PS2_KEY_COUNT || input->press > 1)
            return input_fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                              "keyboard input %zu: key %u, press %u", index, input->key,
                              input->press);
        events[event_count++] = (struct key_event){input->key, input->press == 1};
    } else if (input->kind == SCENARIO_INPUT_SCANCODES) {
        if (input->byte_count == 0 || input->byte_count > SCENARIO_SCANCODES_MAX)
            return input_fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                              "keyboard input %zu: %u scan-code bytes", index,
                              input->byte_count);
        size_t bad_offset = 0;
        if (!decode_set2(input->bytes, input->byte_count, events, &event_count, &bad_offset)) {
            char hex[3 * SCENARIO_SCANCODES_MAX + 1] = "";
            for (size_t i = 0; i < input->byte_count; i++)   /* "xx" then " xx" each */
                snprintf(hex + (i ? 3 * i - 1 : 0), sizeof hex - (i ? 3 * i - 1 : 0), "%s%02x",
                         i ? " " : "", input->bytes[i]);
            return input_fail(QEMU_DEVICES_ERR_INPUT_UNSUPPORTED, error, error_len,
                              "scancodes %llu %s: byte %zu (%02x) starts no whole key's make or "
                              "break code in set 2; QEMU's keyboard sends only whole keys",
                              (unsigned long long)input->time_us, hex, bad_offset,
                              input->bytes[bad_offset]);
        }
    } else {
        return input_fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                          "keyboard input %zu: kind %u", index, input->kind);
    }
    size_t used = 0;
    bool fits = append(json, json_len, &used,
                       "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[");
    for (size_t i = 0; i < event_count && fits; i++)
        fits = append(json, json_len, &used,
                      "%s{\"type\":\"key\",\"data\":{\"down\":%s,\"key\":{\"type\":\"qcode\","
                      "\"data\":\"%s\"}}}",
                      i ? "," : "", events[i].down ? "true" : "false", qcodes[events[i].key]);
    fits = fits && append(json, json_len, &used, "]}}");
    if (!fits) {
        json[0] = '\0';
        return input_fail(QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL, error, error_len,
                          "keyboard input %zu: the QMP command needs more than %zu bytes", index,
                          json_len);
    }
    return QEMU_DEVICES_OK;
}
