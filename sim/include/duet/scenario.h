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
 *     disk master SECTORS           optional: the primary IDE master, a disk of
 *                                   SECTORS 512-byte sectors (1..2048), zeroed
 *     fill FIRST COUNT PATTERN      sectors FIRST..FIRST+COUNT-1 of the disk
 *                                   get PATTERN: 0xNN (every byte NN), zero,
 *                                   or lba (each 32-bit little-endian word i
 *                                   of sector s holds s << 8 | i)
 *     sector LBA HEX                the sector's first bytes, as hex digit
 *                                   pairs without spaces (1..512 bytes)
 * The disk lines (fill, sector) come after "disk" and are applied in
 * their order; the image is described, never read from a file, so a
 * run's recipe (the scenario text and seed) is all a replay needs, and
 * writes during a run change the world's copy only (docs/BLOCK.md).
 * A "config" ROM is required: it is init's configuration.
 * Every problem is a named error with its line number; nothing is guessed.
 */
#ifndef DUET_SCENARIO_H
#define DUET_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

enum {
    SCENARIO_ROMS_MAX = 8,
    SCENARIO_ROM_BYTES_MAX = 4096,
    SCENARIO_TEXT_MAX = 64 * 1024,
    SCENARIO_NAME_MAX = 32,
    SCENARIO_EXPECT_MAX = 256,
    SCENARIO_DISK_SECTORS_MAX = 2048,      /* 1 MiB */
    SCENARIO_DISK_LINES_MAX = 64,
    SCENARIO_DISK_SECTOR_BYTES = 512,
};

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
    SCENARIO_ERR_BAD_DISK,         /* not "disk master N", or N is 0   */
    SCENARIO_ERR_DISK_TOO_LARGE,   /* more than SCENARIO_DISK_SECTORS_MAX */
    SCENARIO_ERR_NO_DISK,          /* fill or sector before "disk"   */
    SCENARIO_ERR_LBA_OUT_OF_RANGE, /* a sector past the disk's end   */
    SCENARIO_ERR_BAD_PATTERN,      /* fill: not 0xNN, zero or lba    */
    SCENARIO_ERR_BAD_HEX,          /* sector: odd length or a non-hex digit */
    SCENARIO_ERR_SECTOR_TOO_LARGE, /* sector: more than 512 bytes    */
    SCENARIO_ERR_TOO_MANY_DISK_LINES,
    SCENARIO_ERROR_COUNT
};

struct scenario_rom {
    char name[SCENARIO_NAME_MAX];
    uint8_t data[SCENARIO_ROM_BYTES_MAX];
    size_t size;
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
};

struct scenario {
    char name[SCENARIO_NAME_MAX];
    uint64_t budget_steps;               /* 0: the sim's default */
    char expect[SCENARIO_EXPECT_MAX];    /* "" : no success line  */
    size_t rom_count;
    struct scenario_rom roms[SCENARIO_ROMS_MAX];
    struct scenario_disk disk;
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
