/*
 * target_ps2.c - fuzz target "ps2": arbitrary scan-code streams, at times
 * the input chooses, from the keyboard model to the PS/2 driver
 * (framework/os/ps2), whose events ps2_fuzz_client checks.
 *
 * Input layout as the other targets': bytes 0-1 (little-endian) = length
 * L of the program (at most PS2_TARGET_PROGRAM_MAX), the next L bytes =
 * the program, every byte after that = the choice stream (the schedule,
 * and when each interrupt is taken). Program: byte 0 bit 0 = translation
 * off (the firmware's config byte 0x21 instead of 0x61); then chunks of
 * [gap] [n] and 1 + n % 8 raw bytes (fewer at the end), chunk k arriving
 * 1 ms + gap * 250 us after chunk k-1, the first at 50 ms + gap * 250 us
 * (the driver is up by then). The bytes go into the keyboard as a key's
 * bytes would (scenario "scancodes" inputs), through the controller's
 * translation when it is on. The spacing keeps the keyboard's 16-byte
 * queue from overflowing while the driver is alive; a lost byte fails the
 * byte count below. Any byte string decodes.
 *
 * Oracles: the driver never fails an assertion, and the world comes to
 * rest within the budget with the client's success line (no hang, no
 * lost wake-up). The bytes the driver sees (translation applied here as
 * the model applies it) are decoded by the reference decoder
 * (fuzz/scancode_reference.c); unless a lock key is pressed (then the
 * driver's LED commands mix the keyboard's ACKs into the stream), the
 * client checks that the driver's events, its malformed-sequence count
 * and its byte count are exactly the reference's (ps2_fuzz_client.c).
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"
#include "duet/ps2.h"
#include "duet/scancode_reference.h"

void ps2_fuzz_client_main(struct env *env);

enum {
    PS2_TARGET_PROGRAM_MAX = 1024,
    PS2_TARGET_BUDGET_STEPS = 4000000,
    PS2_TARGET_START_US = 50000,
    PS2_TARGET_SPACING_US = 1000,
    PS2_TARGET_GAP_UNIT_US = 250,
    PS2_TARGET_END_MARGIN_US = 20000,
    PS2_TARGET_CHUNK_BYTES_MAX = 8,
    PS2_EXPECTED_PRESS = 0x8000,         /* ps2_fuzz_client.c */
    PS2_EXPECTED_HEADER_BYTES = 20,
};

_Static_assert(PS2_TARGET_CHUNK_BYTES_MAX <= SCENARIO_SCANCODES_MAX, "a chunk is one input");
_Static_assert(PS2_EXPECTED_HEADER_BYTES + 2 * PS2_TARGET_PROGRAM_MAX <= SCENARIO_ROM_BYTES_MAX,
               "every event of the longest stream fits the expected ROM");

static const struct component_info ps2_components[] = {
    {.name = "ps2_fuzz_client", .main = ps2_fuzz_client_main},
};

static const char ps2_config[] = "start timer ram=32K caps=16\n"
                                 "start ps2 ram=32K caps=24\n"
                                 "start ps2_fuzz_client ram=64K caps=24\n"
                                 "route IO_PORT parent\n"
                                 "route IRQ parent\n"
                                 "route CPU parent\n"
                                 "route SIGNAL parent\n"
                                 "route TIMER timer\n"
                                 "route INPUT ps2\n";

/* The stream as the driver reads it: the controller's translation, as the
 * keyboard model applies it (hw_models/ps2.c keyboard_put). */
static size_t visible_bytes(const struct scenario_keyboard *keyboard, uint8_t *out)
{
    bool translate = !keyboard->translation_off, high_bit = false;
    size_t count = 0;
    for (size_t i = 0; i < keyboard->input_count; i++) {
        const struct scenario_input *input = &keyboard->inputs[i];
        for (unsigned b = 0; b < input->byte_count; b++) {
            uint8_t byte = input->bytes[b];
            if (!translate) {
                out[count++] = byte;
            } else if (byte == 0xF0) {
                high_bit = true;
            } else {
                out[count++] = (uint8_t)(ps2_translate(byte) | (high_bit ? 0x80 : 0));
                high_bit = false;
            }
        }
    }
    return count;
}

static void put_u32(uint8_t *at, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++)
        at[i] = (uint8_t)(value >> (8 * i));
}

static bool lock_pressed(const struct reference_event *events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (events[i].press &&
            (events[i].code == 0x3A || events[i].code == 0x45 || events[i].code == 0x46))
            return true;
    return false;
}

/* The client's ROM "expected" (layout in ps2_fuzz_client.c). */
static void expected_make(struct fuzz_run *out, uint64_t end_us)
{
    const struct scenario_keyboard *keyboard = &out->scenario.keyboard;
    uint8_t stream[PS2_TARGET_PROGRAM_MAX];
    size_t length = visible_bytes(keyboard, stream);
    struct reference_event events[PS2_TARGET_PROGRAM_MAX];
    struct reference_result result;
    scancode_reference_decode(keyboard->translation_off ? 2 : 1, stream, length, events,
                              PS2_TARGET_PROGRAM_MAX, &result);
    size_t count = result.event_count < PS2_TARGET_PROGRAM_MAX ? result.event_count
                                                               : PS2_TARGET_PROGRAM_MAX;
    uint8_t rom[PS2_EXPECTED_HEADER_BYTES + 2 * PS2_TARGET_PROGRAM_MAX];
    put_u32(rom, !lock_pressed(events, count));
    put_u32(rom + 4, (uint32_t)result.malformed);
    put_u32(rom + 8, (uint32_t)length);
    put_u32(rom + 12, (uint32_t)end_us);
    put_u32(rom + 16, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        uint16_t word = (uint16_t)(events[i].code | (events[i].press ? PS2_EXPECTED_PRESS : 0));
        rom[PS2_EXPECTED_HEADER_BYTES + 2 * i] = (uint8_t)word;
        rom[PS2_EXPECTED_HEADER_BYTES + 2 * i + 1] = (uint8_t)(word >> 8);
    }
    scenario_set_rom(&out->scenario, "expected", rom, PS2_EXPECTED_HEADER_BYTES + 2 * count);
}

/* The program's chunks as the scenario's timed inputs; returns the time
 * of the last (0 if none). */
static uint64_t chunks_decode(const uint8_t *program, size_t length,
                              struct scenario_keyboard *keyboard)
{
    uint64_t time_us = PS2_TARGET_START_US - PS2_TARGET_SPACING_US, last_us = 0;
    size_t at = 1;
    while (at + 2 < length && keyboard->input_count < SCENARIO_INPUTS_MAX) {
        unsigned gap = program[at], wanted = 1 + program[at + 1] % PS2_TARGET_CHUNK_BYTES_MAX;
        at += 2;
        unsigned n = length - at < wanted ? (unsigned)(length - at) : wanted;
        time_us += PS2_TARGET_SPACING_US + (uint64_t)gap * PS2_TARGET_GAP_UNIT_US;
        struct scenario_input *input = &keyboard->inputs[keyboard->input_count++];
        *input = (struct scenario_input){.time_us = time_us, .kind = SCENARIO_INPUT_SCANCODES,
                                         .byte_count = (uint8_t)n};
        memcpy(input->bytes, program + at, n);
        at += n;
        last_us = time_us;
    }
    return last_us;
}

static void ps2_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_ps2");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> ps2_fuzz_client] ps2 oracles held");
    out->scenario.budget_steps = PS2_TARGET_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", ps2_config, sizeof ps2_config - 1);

    const uint8_t *program = NULL;
    size_t program_len = 0;
    fuzz_input_split(data, size, PS2_TARGET_PROGRAM_MAX, &program, &program_len, out);
    struct scenario_keyboard *keyboard = &out->scenario.keyboard;
    keyboard->translation_off = program_len > 0 && (program[0] & 1);
    keyboard->translation_given = 1;
    uint64_t last_us = chunks_decode(program, program_len, keyboard);
    expected_make(out, (last_us > 0 ? last_us : PS2_TARGET_START_US) + PS2_TARGET_END_MARGIN_US);
    out->components = ps2_components;
    out->component_count = sizeof ps2_components / sizeof ps2_components[0];
}

/* The oracles are the client's assertions and its success line. */
static const char *ps2_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_ps2 = {
    .name = "ps2",
    .summary = "scan-code byte streams at chosen times into the PS/2 driver, "
               "checked against a reference decoder",
    .prepare = ps2_prepare,
    .check = ps2_check,
};
