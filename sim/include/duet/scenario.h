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
    SCENARIO_ERROR_COUNT
};

struct scenario_rom {
    char name[SCENARIO_NAME_MAX];
    uint8_t data[SCENARIO_ROM_BYTES_MAX];
    size_t size;
};

struct scenario {
    char name[SCENARIO_NAME_MAX];
    uint64_t budget_steps;               /* 0: the sim's default */
    char expect[SCENARIO_EXPECT_MAX];    /* "" : no success line  */
    size_t rom_count;
    struct scenario_rom roms[SCENARIO_ROMS_MAX];
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

#endif
