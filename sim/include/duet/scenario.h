/*
 * scenario.h - scenario files: what a world boots with and what success is.
 *
 * Format (line based, strict; '#' at the start of a line is a comment):
 *     name NAME                     required, [a-z0-9_]+
 *     budget STEPS                  optional, kernel entries + port accesses
 *     expect TEXT...                optional: the exact console line of success
 *     rom MODULE                    a boot module; the lines up to a line
 *     ...                           reading exactly "end" are its content
 *     end                           (each line keeps its newline)
 *     pci BB:DD.F VVVV:DDDD class=0xCCSSPP [rev=0xRR] [barN=KIND:SIZE ...]
 *         [multifunction]           a PCI function (see below)
 *     pci_bridge BB:DD.F secondary=N [multifunction]
 *                                   a PCI-PCI bridge (QEMU's pci-bridge)
 * A "config" ROM is required: it is init's configuration.
 *
 * Keyboard input (sim/scenario_keyboard.c; docs/INPUT.md). TIME_US is
 * virtual microseconds since the world began, at most
 * SCENARIO_INPUT_TIME_US_MAX; input lines must not go back in time (equal
 * times are fed in file order):
 *     i8042 translation on|off      optional; on (the default) is the
 *                                   config byte SeaBIOS leaves: 0x61
 *     key TIME_US NAME press|release   one key; NAME as in
 *                                   scenario_key_name (a, 0, enter,
 *                                   left_shift, caps_lock, up, pause, ...)
 *     type TIME_US "TEXT"           1..64 of a-z A-Z 0-9 and space: each character
 *                                   is pressed at TIME_US + i * 20 ms and
 *                                   released 10 ms later; a capital is
 *                                   wrapped in left_shift press/release
 *     scancodes TIME_US HEX...      1..8 raw bytes in the keyboard's
 *                                   current set, e.g. "e0 f0 75"
 * The keyboard model (hw_models/ps2.c) sends each key's scan codes in its
 * current set, translated to set 1 by the controller while translation is
 * on.
 * PCI (sim/scenario_pci.c, docs/PCI.md): every world has QEMU pc's bus 0
 * (00:00.0 i440FX, 00:01.0/.1/.3 PIIX3 ISA, IDE, ACPI); pci lines add
 * functions in order. BB:DD.F is hex (bus 00-ff, device 00-1f, function
 * 0-7); VVVV:DDDD the vendor and device ids in hex (vendor not ffff);
 * class 6 hex digits; rev 2. A BAR: N 0-5, KIND io, mem, mem64, pmem or
 * pmem64 (p: prefetchable; 64: takes BAR N+1 too), SIZE in bytes (decimal
 * or 0x hex), a power of two (io 4..64K, mem 16..2G, mem64 up to 2^63).
 * Bus numbers are the ones firmware would give: a bus other than 0 must
 * be the secondary bus of a bridge declared on an earlier line; a
 * bridge's secondary bus is above the bus it sits on, unused, and bus
 * ranges nest as a depth-first numbering leaves them. Function 0 of a
 * device comes first, and has "multifunction" if others follow.
 * Every problem is a named error with its line number; nothing is guessed.
 */
#ifndef DUET_SCENARIO_H
#define DUET_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "duet/pci_host.h"

enum {
    SCENARIO_ROMS_MAX = 8,
    SCENARIO_ROM_BYTES_MAX = 4096,
    SCENARIO_TEXT_MAX = 64 * 1024,
    SCENARIO_NAME_MAX = 32,
    SCENARIO_EXPECT_MAX = 256,
    SCENARIO_INPUTS_MAX = 1024,
    SCENARIO_SCANCODES_MAX = 8,
    SCENARIO_TYPE_TEXT_MAX = 64,         /* characters of one "type" line */
    SCENARIO_TYPE_SPACING_US = 20000,    /* one typed character to the next */
    SCENARIO_TYPE_HOLD_US = 10000,       /* a typed key's press to its release */
    SCENARIO_PCI_FUNCTIONS_MAX = PCI_HOST_FUNCTIONS_MAX - 4,   /* bus 0 has 4 */
};
#define SCENARIO_INPUT_TIME_US_MAX UINT64_C(1000000000000)   /* ~11.6 days */

enum scenario_error {
    SCENARIO_OK = 0,
    SCENARIO_ERR_UNREADABLE,       /* cannot read the file           */
    SCENARIO_ERR_TOO_LARGE,
    SCENARIO_ERR_NOT_TEXT,         /* NUL or non-ASCII control bytes */
    SCENARIO_ERR_UNKNOWN_KEYWORD,
    SCENARIO_ERR_MISSING_VALUE,
    SCENARIO_ERR_BAD_NAME,
    SCENARIO_ERR_BAD_NUMBER,
    SCENARIO_ERR_DUPLICATE,        /* keyword or ROM given twice     */
    SCENARIO_ERR_UNTERMINATED_ROM, /* no "end" line                  */
    SCENARIO_ERR_TOO_MANY_ROMS,
    SCENARIO_ERR_ROM_TOO_LARGE,
    SCENARIO_ERR_MISSING_NAME,
    SCENARIO_ERR_MISSING_CONFIG,
    SCENARIO_ERR_BAD_KEY,          /* unknown key name, or untypeable character */
    SCENARIO_ERR_BAD_KEY_ACTION,   /* neither "press" nor "release"  */
    SCENARIO_ERR_BAD_QUOTE,        /* type text not in "double quotes" */
    SCENARIO_ERR_BAD_SCANCODE,     /* not 1..8 two-digit hex bytes   */
    SCENARIO_ERR_INPUT_ORDER,      /* input earlier than the one before */
    SCENARIO_ERR_TOO_MANY_INPUTS,
    SCENARIO_ERR_BAD_OPTION,       /* i8042 line other than translation on|off */
    SCENARIO_ERR_PCI_BAD_ADDRESS,  /* not BB:DD.F, device > 1f, function > 7 */
    SCENARIO_ERR_PCI_BAD_ID,       /* not VVVV:DDDD, or vendor ffff  */
    SCENARIO_ERR_PCI_BAD_OPTION,   /* unknown, repeated or malformed */
    SCENARIO_ERR_PCI_BAD_BAR,      /* index, kind or size refused    */
    SCENARIO_ERR_PCI_DUPLICATE,    /* that function was given before */
    SCENARIO_ERR_PCI_SLOT_TAKEN,   /* bus 0 devices 0 and 1: board's */
    SCENARIO_ERR_PCI_NO_SUCH_BUS,  /* no earlier bridge's secondary  */
    SCENARIO_ERR_PCI_BAD_BUS_NUMBER, /* a bridge's secondary bus     */
    SCENARIO_ERR_PCI_MULTIFUNCTION, /* function 0 missing or single  */
    SCENARIO_ERR_PCI_TOO_MANY,     /* functions or bridges           */
    SCENARIO_ERROR_COUNT
};

struct scenario_rom {
    char name[SCENARIO_NAME_MAX];
    uint8_t data[SCENARIO_ROM_BYTES_MAX];
    size_t size;
};

/* One keyboard input at a virtual time: a named key (enum ps2_key of
 * duet/ps2.h) going down or up, or raw bytes. */
enum scenario_input_kind { SCENARIO_INPUT_KEY, SCENARIO_INPUT_SCANCODES };

struct scenario_input {
    uint64_t time_us;
    uint8_t kind;                        /* enum scenario_input_kind */
    uint8_t key;                         /* enum ps2_key (KEY)       */
    uint8_t press;                       /* 1 press, 0 release (KEY) */
    uint8_t byte_count;                  /* 1..8 (SCANCODES)         */
    uint8_t bytes[SCENARIO_SCANCODES_MAX];
};

struct scenario_keyboard {
    uint8_t translation_off;             /* "i8042 translation off"  */
    uint8_t translation_given;           /* the i8042 line was there */
    size_t input_count;
    struct scenario_input inputs[SCENARIO_INPUTS_MAX];
};

/* One function of a scenario's PCI list, as the model takes it. */
struct scenario_pci_function {
    uint8_t bus;                         /* bus number, as the guest sees it */
    uint8_t device;
    uint8_t function;
    uint8_t secondary_bus;               /* bridges: the bus behind; else 0 */
    struct pci_host_function_desc desc;
};

struct scenario {
    char name[SCENARIO_NAME_MAX];
    uint64_t budget_steps;               /* 0: the sim's default */
    char expect[SCENARIO_EXPECT_MAX];    /* "" : no success line  */
    size_t rom_count;
    struct scenario_rom roms[SCENARIO_ROMS_MAX];
    struct scenario_keyboard keyboard;
    size_t pci_count;
    struct scenario_pci_function pci[SCENARIO_PCI_FUNCTIONS_MAX];
};

/* Parses text (not necessarily NUL-terminated). On error *out_line is the
 * 1-based line of the problem: for an unterminated ROM the "rom" line that
 * opened it; 0 if the error is about the whole text (too large, no name,
 * no config). */
enum scenario_error scenario_parse(const char *text, size_t length, struct scenario *out,
                                   size_t *out_line);
/* Reads and parses a file; *out_text receives a malloc'd copy of the text
 * (for storing with the run), or NULL on error. */
enum scenario_error scenario_load(const char *path, struct scenario *out, char **out_text,
                                  size_t *out_line);
const char *scenario_error_name(enum scenario_error error);

/* The key names of "key" lines, by enum ps2_key; NULL past the last. */
const char *scenario_key_name(unsigned key);

/* Adds (or replaces) a ROM programmatically, e.g. a fuzz target's input.
 * Returns SCENARIO_ERR_TOO_MANY_ROMS / _ROM_TOO_LARGE on overflow. */
enum scenario_error scenario_set_rom(struct scenario *scenario, const char *name,
                                     const void *data, size_t size);

#endif
