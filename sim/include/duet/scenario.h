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
 *     disk master SECTORS           optional: the primary IDE master, a disk of
 *                                   SECTORS 512-byte sectors (1..2048), zeroed
 *     fill FIRST COUNT PATTERN      sectors FIRST..FIRST+COUNT-1 of the disk
 *                                   get PATTERN: 0xNN (every byte NN), zero,
 *                                   or lba (each 32-bit little-endian word i
 *                                   of sector s holds s << 8 | i)
 *     sector LBA HEX                the sector's first bytes, as hex digit
 *                                   pairs without spaces (1..512 bytes)
 *     disk_image PATH               the disk's first bytes from a file (at
 *                                   most the disk's size), relative to the
 *                                   scenario's directory
 * The disk lines come after "disk"; the image file goes first, then the
 * fill and sector lines in their order. The file is read when a run is
 * recorded and its bytes are stored with the run (its input), so a replay
 * needs neither the file nor its old contents; writes during a run change
 * the world's copy only (docs/BLOCK.md).
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
    SCENARIO_DISK_SECTORS_MAX = 2048,      /* 1 MiB */
    SCENARIO_DISK_LINES_MAX = 64,
    SCENARIO_DISK_SECTOR_BYTES = 512,
    SCENARIO_DISK_PATH_MAX = 256,
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
    SCENARIO_ERR_BAD_DISK,         /* not "disk master N", or N is 0   */
    SCENARIO_ERR_DISK_TOO_LARGE,   /* more than SCENARIO_DISK_SECTORS_MAX */
    SCENARIO_ERR_NO_DISK,          /* fill or sector before "disk"   */
    SCENARIO_ERR_LBA_OUT_OF_RANGE, /* a sector past the disk's end   */
    SCENARIO_ERR_BAD_PATTERN,      /* fill: not 0xNN, zero or lba    */
    SCENARIO_ERR_BAD_HEX,          /* sector: odd length or a non-hex digit */
    SCENARIO_ERR_SECTOR_TOO_LARGE, /* sector: more than 512 bytes    */
    SCENARIO_ERR_TOO_MANY_DISK_LINES,
    SCENARIO_ERR_DISK_IMAGE_UNREADABLE, /* disk_image: the file cannot be read */
    SCENARIO_ERR_DISK_IMAGE_TOO_LARGE,  /* disk_image: more than the disk holds */
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

enum scenario_disk_line_kind {
    SCENARIO_DISK_FILL_BYTE = 1,     /* count sectors of `byte`          */
    SCENARIO_DISK_FILL_LBA,          /* count sectors of the lba pattern */
    SCENARIO_DISK_SECTOR,            /* `length` bytes at the sector's start */
};

struct scenario_disk_line {
    uint8_t kind;                    /* enum scenario_disk_line_kind */
    uint8_t byte;
    uint16_t length;
    uint32_t lba;
    uint32_t count;
    uint8_t bytes[SCENARIO_DISK_SECTOR_BYTES];
};

/* The primary master's image as the scenario describes it. */
struct scenario_disk {
    uint32_t sectors;                /* 0: no disk in this world */
    size_t line_count;
    struct scenario_disk_line lines[SCENARIO_DISK_LINES_MAX];
    char image_path[SCENARIO_DISK_PATH_MAX];   /* disk_image: "" none  */
    size_t image_line;               /* where disk_image stood         */
    /* The image's bytes, which come from outside the text: read by
     * scenario_load (owned: scenario_release), or a stored run's input
     * (replay). NULL without a disk_image line. */
    const uint8_t *image;
    size_t image_len;
    bool image_owned;
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
    struct scenario_disk disk;
};

/* Parses text (not necessarily NUL-terminated). On error *out_line is the
 * 1-based line of the problem: for an unterminated ROM the "rom" line that
 * opened it; 0 if the error is about the whole text (too large, no name,
 * no config). */
enum scenario_error scenario_parse(const char *text, size_t length, struct scenario *out,
                                   size_t *out_line);
/* Reads and parses a file; *out_text receives a malloc'd copy of the text
 * (for storing with the run), or NULL on error. A disk_image file is read
 * too (relative to the scenario's directory) into out->disk.image, which
 * scenario_release frees; its errors name the disk_image line. */
enum scenario_error scenario_load(const char *path, struct scenario *out, char **out_text,
                                  size_t *out_line);
const char *scenario_error_name(enum scenario_error error);
/* Frees what scenario_load read besides the text (a disk image). */
void scenario_release(struct scenario *scenario);

/* The key names of "key" lines, by enum ps2_key; NULL past the last. */
const char *scenario_key_name(unsigned key);

/* Adds (or replaces) a ROM programmatically, e.g. a fuzz target's input.
 * Returns SCENARIO_ERR_TOO_MANY_ROMS / _ROM_TOO_LARGE on overflow. */
enum scenario_error scenario_set_rom(struct scenario *scenario, const char *name,
                                     const void *data, size_t size);

/* Programmatic disks, e.g. a fuzz target's input: a disk of `sectors`
 * (SCENARIO_ERR_BAD_DISK for 0, _DISK_TOO_LARGE), then `size` bytes of
 * image from sector 0 on (cut to the disk; sector lines, so
 * _TOO_MANY_DISK_LINES when they do not fit). */
enum scenario_error scenario_set_disk(struct scenario *scenario, uint32_t sectors,
                                      const void *image, size_t size);
/* Renders the disk into image[0, disk->sectors * 512): zeroes, then the
 * lines in order. image_bytes must be exactly that size (asserted). */
void scenario_disk_render(const struct scenario_disk *disk, uint8_t *image, size_t image_bytes);
/* The byte at `offset` of sector `lba` under the lba fill pattern. */
uint8_t scenario_disk_lba_pattern_byte(uint32_t lba, size_t offset);

#endif
