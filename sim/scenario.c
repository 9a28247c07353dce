/*
 * scenario.c - the strict scenario-file parser (duet/scenario.h).
 *
 * A line scanner: each line is a keyword line, or part of an open "rom"
 * block. Nothing is skipped silently: unknown keywords, missing values,
 * duplicates and oversize content are named errors with a line number.
 * Disk lines describe the IDE master's image (rendered by
 * scenario_disk_render when a world is built).
 * The result is a self-contained struct (ROM bytes copied in), so a
 * scenario can be run many times and stored text can be parsed again for
 * replay.
 */
#include "duet/scenario.h"
#include "scenario_keyboard.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_pci.h"

static const char *const error_names[SCENARIO_ERROR_COUNT] = {
    [SCENARIO_OK] = "SCENARIO_OK",
    [SCENARIO_ERR_UNREADABLE] = "SCENARIO_ERR_UNREADABLE",
    [SCENARIO_ERR_TOO_LARGE] = "SCENARIO_ERR_TOO_LARGE",
    [SCENARIO_ERR_NOT_TEXT] = "SCENARIO_ERR_NOT_TEXT",
    [SCENARIO_ERR_UNKNOWN_KEYWORD] = "SCENARIO_ERR_UNKNOWN_KEYWORD",
    [SCENARIO_ERR_MISSING_VALUE] = "SCENARIO_ERR_MISSING_VALUE",
    [SCENARIO_ERR_BAD_NAME] = "SCENARIO_ERR_BAD_NAME",
    [SCENARIO_ERR_BAD_NUMBER] = "SCENARIO_ERR_BAD_NUMBER",
    [SCENARIO_ERR_DUPLICATE] = "SCENARIO_ERR_DUPLICATE",
    [SCENARIO_ERR_UNTERMINATED_ROM] = "SCENARIO_ERR_UNTERMINATED_ROM",
    [SCENARIO_ERR_TOO_MANY_ROMS] = "SCENARIO_ERR_TOO_MANY_ROMS",
    [SCENARIO_ERR_ROM_TOO_LARGE] = "SCENARIO_ERR_ROM_TOO_LARGE",
    [SCENARIO_ERR_MISSING_NAME] = "SCENARIO_ERR_MISSING_NAME",
    [SCENARIO_ERR_MISSING_CONFIG] = "SCENARIO_ERR_MISSING_CONFIG",
    [SCENARIO_ERR_BAD_KEY] = "SCENARIO_ERR_BAD_KEY",
    [SCENARIO_ERR_BAD_KEY_ACTION] = "SCENARIO_ERR_BAD_KEY_ACTION",
    [SCENARIO_ERR_BAD_QUOTE] = "SCENARIO_ERR_BAD_QUOTE",
    [SCENARIO_ERR_BAD_SCANCODE] = "SCENARIO_ERR_BAD_SCANCODE",
    [SCENARIO_ERR_INPUT_ORDER] = "SCENARIO_ERR_INPUT_ORDER",
    [SCENARIO_ERR_TOO_MANY_INPUTS] = "SCENARIO_ERR_TOO_MANY_INPUTS",
    [SCENARIO_ERR_BAD_OPTION] = "SCENARIO_ERR_BAD_OPTION",
    [SCENARIO_ERR_PCI_BAD_ADDRESS] = "SCENARIO_ERR_PCI_BAD_ADDRESS",
    [SCENARIO_ERR_PCI_BAD_ID] = "SCENARIO_ERR_PCI_BAD_ID",
    [SCENARIO_ERR_PCI_BAD_OPTION] = "SCENARIO_ERR_PCI_BAD_OPTION",
    [SCENARIO_ERR_PCI_BAD_BAR] = "SCENARIO_ERR_PCI_BAD_BAR",
    [SCENARIO_ERR_PCI_DUPLICATE] = "SCENARIO_ERR_PCI_DUPLICATE",
    [SCENARIO_ERR_PCI_SLOT_TAKEN] = "SCENARIO_ERR_PCI_SLOT_TAKEN",
    [SCENARIO_ERR_PCI_NO_SUCH_BUS] = "SCENARIO_ERR_PCI_NO_SUCH_BUS",
    [SCENARIO_ERR_PCI_BAD_BUS_NUMBER] = "SCENARIO_ERR_PCI_BAD_BUS_NUMBER",
    [SCENARIO_ERR_PCI_MULTIFUNCTION] = "SCENARIO_ERR_PCI_MULTIFUNCTION",
    [SCENARIO_ERR_PCI_TOO_MANY] = "SCENARIO_ERR_PCI_TOO_MANY",
    [SCENARIO_ERR_BAD_DISK] = "SCENARIO_ERR_BAD_DISK",
    [SCENARIO_ERR_DISK_TOO_LARGE] = "SCENARIO_ERR_DISK_TOO_LARGE",
    [SCENARIO_ERR_NO_DISK] = "SCENARIO_ERR_NO_DISK",
    [SCENARIO_ERR_LBA_OUT_OF_RANGE] = "SCENARIO_ERR_LBA_OUT_OF_RANGE",
    [SCENARIO_ERR_BAD_PATTERN] = "SCENARIO_ERR_BAD_PATTERN",
    [SCENARIO_ERR_BAD_HEX] = "SCENARIO_ERR_BAD_HEX",
    [SCENARIO_ERR_SECTOR_TOO_LARGE] = "SCENARIO_ERR_SECTOR_TOO_LARGE",
    [SCENARIO_ERR_TOO_MANY_DISK_LINES] = "SCENARIO_ERR_TOO_MANY_DISK_LINES",
    [SCENARIO_ERR_DISK_IMAGE_UNREADABLE] = "SCENARIO_ERR_DISK_IMAGE_UNREADABLE",
    [SCENARIO_ERR_DISK_IMAGE_TOO_LARGE] = "SCENARIO_ERR_DISK_IMAGE_TOO_LARGE",
};

const char *scenario_error_name(enum scenario_error error)
{
    return (unsigned)error < SCENARIO_ERROR_COUNT ? error_names[error] : "SCENARIO_ERR_UNKNOWN";
}

struct line {
    const char *text;
    size_t length;
};

static bool name_valid(const char *s, size_t length)
{
    if (length == 0 || length >= SCENARIO_NAME_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Splits "keyword value..." at the first space. */
static void split_keyword(struct line line, struct line *keyword, struct line *value)
{
    size_t i = 0;
    while (i < line.length && line.text[i] != ' ')
        i++;
    *keyword = (struct line){line.text, i};
    while (i < line.length && line.text[i] == ' ')
        i++;
    *value = (struct line){line.text + i, line.length - i};
}

static bool keyword_is(struct line keyword, const char *word)
{
    return keyword.length == strlen(word) && memcmp(keyword.text, word, keyword.length) == 0;
}

static enum scenario_error parse_number(struct line value, uint64_t *out)
{
    if (value.length == 0 || value.length > 19)
        return SCENARIO_ERR_BAD_NUMBER;
    uint64_t n = 0;
    for (size_t i = 0; i < value.length; i++) {
        if (value.text[i] < '0' || value.text[i] > '9')
            return SCENARIO_ERR_BAD_NUMBER;
        n = n * 10 + (uint64_t)(value.text[i] - '0');
    }
    *out = n;
    return SCENARIO_OK;
}

static struct scenario_rom *rom_find(struct scenario *scenario, const char *name)
{
    for (size_t i = 0; i < scenario->rom_count; i++)
        if (strcmp(scenario->roms[i].name, name) == 0)
            return &scenario->roms[i];
    return NULL;
}

enum scenario_error scenario_set_rom(struct scenario *scenario, const char *name,
                                     const void *data, size_t size)
{
    if (size > SCENARIO_ROM_BYTES_MAX)
        return SCENARIO_ERR_ROM_TOO_LARGE;
    if (!name_valid(name, strlen(name)))
        return SCENARIO_ERR_BAD_NAME;
    struct scenario_rom *rom = rom_find(scenario, name);
    if (rom == NULL) {
        if (scenario->rom_count == SCENARIO_ROMS_MAX)
            return SCENARIO_ERR_TOO_MANY_ROMS;
        rom = &scenario->roms[scenario->rom_count++];
        snprintf(rom->name, sizeof rom->name, "%s", name);
    }
    if (size > 0)
        memcpy(rom->data, data, size);
    rom->size = size;
    return SCENARIO_OK;
}

/* ---- the disk ("disk", "fill", "sector" lines) --------------------------- */

/* The next space-separated word of *rest, advancing it past the word and
 * the spaces after it. */
static struct line next_word(struct line *rest)
{
    size_t i = 0;
    while (i < rest->length && rest->text[i] != ' ')
        i++;
    struct line word = {rest->text, i};
    while (i < rest->length && rest->text[i] == ' ')
        i++;
    *rest = (struct line){rest->text + i, rest->length - i};
    return word;
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

static enum scenario_error disk_add_line(struct scenario_disk *disk,
                                         struct scenario_disk_line **out)
{
    if (disk->sectors == 0)
        return SCENARIO_ERR_NO_DISK;
    if (disk->line_count == SCENARIO_DISK_LINES_MAX)
        return SCENARIO_ERR_TOO_MANY_DISK_LINES;
    *out = &disk->lines[disk->line_count++];
    memset(*out, 0, sizeof **out);
    return SCENARIO_OK;
}

/* disk master SECTORS */
static enum scenario_error disk_parse_disk(struct scenario_disk *disk, struct line value)
{
    if (disk->sectors != 0)
        return SCENARIO_ERR_DUPLICATE;
    struct line drive = next_word(&value);
    struct line count = next_word(&value);
    uint64_t sectors = 0;
    if (!keyword_is(drive, "master") || value.length != 0)
        return SCENARIO_ERR_BAD_DISK;
    if (parse_number(count, &sectors) != SCENARIO_OK)
        return SCENARIO_ERR_BAD_NUMBER;
    if (sectors == 0)
        return SCENARIO_ERR_BAD_DISK;
    if (sectors > SCENARIO_DISK_SECTORS_MAX)
        return SCENARIO_ERR_DISK_TOO_LARGE;
    disk->sectors = (uint32_t)sectors;
    return SCENARIO_OK;
}

/* fill FIRST COUNT PATTERN */
static enum scenario_error disk_parse_fill(struct scenario_disk *disk, struct line value)
{
    if (disk->sectors == 0)
        return SCENARIO_ERR_NO_DISK;
    uint64_t first = 0, count = 0;
    struct line first_word = next_word(&value);
    struct line count_word = next_word(&value);
    struct line pattern = next_word(&value);
    if (parse_number(first_word, &first) != SCENARIO_OK ||
        parse_number(count_word, &count) != SCENARIO_OK || count == 0)
        return SCENARIO_ERR_BAD_NUMBER;
    if (first >= disk->sectors || count > disk->sectors - first)
        return SCENARIO_ERR_LBA_OUT_OF_RANGE;
    uint8_t kind = 0, byte = 0;
    if (keyword_is(pattern, "zero")) {
        kind = SCENARIO_DISK_FILL_BYTE;
    } else if (keyword_is(pattern, "lba")) {
        kind = SCENARIO_DISK_FILL_LBA;
    } else if (pattern.length == 4 && pattern.text[0] == '0' && pattern.text[1] == 'x' &&
               hex_digit(pattern.text[2]) >= 0 && hex_digit(pattern.text[3]) >= 0) {
        kind = SCENARIO_DISK_FILL_BYTE;
        byte = (uint8_t)(hex_digit(pattern.text[2]) << 4 | hex_digit(pattern.text[3]));
    } else {
        return SCENARIO_ERR_BAD_PATTERN;
    }
    if (value.length != 0)
        return SCENARIO_ERR_BAD_PATTERN;   /* a word after the pattern */
    struct scenario_disk_line *line = NULL;
    enum scenario_error error = disk_add_line(disk, &line);
    if (error != SCENARIO_OK)
        return error;
    line->kind = kind;
    line->byte = byte;
    line->lba = (uint32_t)first;
    line->count = (uint32_t)count;
    return SCENARIO_OK;
}

/* sector LBA HEX */
static enum scenario_error disk_parse_sector(struct scenario_disk *disk, struct line value)
{
    if (disk->sectors == 0)
        return SCENARIO_ERR_NO_DISK;
    uint64_t lba = 0;
    struct line lba_word = next_word(&value);
    struct line hex = next_word(&value);
    if (parse_number(lba_word, &lba) != SCENARIO_OK)
        return SCENARIO_ERR_BAD_NUMBER;
    if (lba >= disk->sectors)
        return SCENARIO_ERR_LBA_OUT_OF_RANGE;
    if (hex.length == 0)
        return SCENARIO_ERR_MISSING_VALUE;
    if (value.length != 0 || hex.length % 2 != 0)
        return SCENARIO_ERR_BAD_HEX;
    if (hex.length / 2 > SCENARIO_DISK_SECTOR_BYTES)
        return SCENARIO_ERR_SECTOR_TOO_LARGE;
    for (size_t i = 0; i < hex.length; i++)
        if (hex_digit(hex.text[i]) < 0)
            return SCENARIO_ERR_BAD_HEX;
    struct scenario_disk_line *line = NULL;
    enum scenario_error error = disk_add_line(disk, &line);
    if (error != SCENARIO_OK)
        return error;
    line->kind = SCENARIO_DISK_SECTOR;
    line->lba = (uint32_t)lba;
    line->count = 1;
    line->length = (uint16_t)(hex.length / 2);
    for (size_t i = 0; i < line->length; i++)
        line->bytes[i] = (uint8_t)(hex_digit(hex.text[2 * i]) << 4 | hex_digit(hex.text[2 * i + 1]));
    return SCENARIO_OK;
}

/* disk_image PATH: remembered; scenario_load reads the file. */
static enum scenario_error disk_parse_image(struct scenario_disk *disk, struct line value)
{
    if (disk->sectors == 0)
        return SCENARIO_ERR_NO_DISK;
    if (disk->image_path[0] != '\0')
        return SCENARIO_ERR_DUPLICATE;
    if (value.length >= sizeof disk->image_path)
        return SCENARIO_ERR_BAD_DISK;
    memcpy(disk->image_path, value.text, value.length);
    disk->image_path[value.length] = '\0';
    return SCENARIO_OK;
}

static enum scenario_error scenario_disk_parse_line(struct scenario_disk *disk,
                                                    struct line keyword, struct line value)
{
    if (keyword_is(keyword, "disk"))
        return disk_parse_disk(disk, value);
    if (keyword_is(keyword, "disk_image"))
        return disk_parse_image(disk, value);
    if (keyword_is(keyword, "fill"))
        return disk_parse_fill(disk, value);
    return disk_parse_sector(disk, value);
}

enum scenario_error scenario_set_disk(struct scenario *scenario, uint32_t sectors,
                                      const void *image, size_t size)
{
    struct scenario_disk *disk = &scenario->disk;
    if (sectors == 0)
        return SCENARIO_ERR_BAD_DISK;
    if (sectors > SCENARIO_DISK_SECTORS_MAX)
        return SCENARIO_ERR_DISK_TOO_LARGE;
    memset(disk, 0, sizeof *disk);
    disk->sectors = sectors;
    const uint8_t *bytes = image;
    if ((uint64_t)size > (uint64_t)sectors * SCENARIO_DISK_SECTOR_BYTES)
        size = (size_t)sectors * SCENARIO_DISK_SECTOR_BYTES;
    for (uint32_t lba = 0; (size_t)lba * SCENARIO_DISK_SECTOR_BYTES < size; lba++) {
        struct scenario_disk_line *line = NULL;
        enum scenario_error error = disk_add_line(disk, &line);
        if (error != SCENARIO_OK)
            return error;
        size_t at = (size_t)lba * SCENARIO_DISK_SECTOR_BYTES;
        size_t length = size - at < SCENARIO_DISK_SECTOR_BYTES ? size - at
                                                               : SCENARIO_DISK_SECTOR_BYTES;
        *line = (struct scenario_disk_line){.kind = SCENARIO_DISK_SECTOR, .lba = lba,
                                            .count = 1, .length = (uint16_t)length};
        memcpy(line->bytes, bytes + at, length);
    }
    return SCENARIO_OK;
}

uint8_t scenario_disk_lba_pattern_byte(uint32_t lba, size_t offset)
{
    uint32_t word = lba << 8 | (uint32_t)(offset / 4);
    return (uint8_t)(word >> (8 * (offset % 4)));
}

void scenario_disk_render(const struct scenario_disk *disk, uint8_t *image, size_t image_bytes)
{
    assert(image_bytes == (size_t)disk->sectors * SCENARIO_DISK_SECTOR_BYTES);
    memset(image, 0, image_bytes);
    if (disk->image != NULL)
        memcpy(image, disk->image, disk->image_len < image_bytes ? disk->image_len : image_bytes);
    for (size_t i = 0; i < disk->line_count; i++) {
        const struct scenario_disk_line *line = &disk->lines[i];
        assert(line->lba < disk->sectors && line->count <= disk->sectors - line->lba);
        uint8_t *at = image + (size_t)line->lba * SCENARIO_DISK_SECTOR_BYTES;
        size_t bytes = (size_t)line->count * SCENARIO_DISK_SECTOR_BYTES;
        if (line->kind == SCENARIO_DISK_FILL_BYTE)
            memset(at, line->byte, bytes);
        else if (line->kind == SCENARIO_DISK_SECTOR)
            memcpy(at, line->bytes, line->length);
        else
            for (size_t offset = 0; offset < bytes; offset++)
                at[offset] = scenario_disk_lba_pattern_byte(
                    line->lba + (uint32_t)(offset / SCENARIO_DISK_SECTOR_BYTES),
                    offset % SCENARIO_DISK_SECTOR_BYTES);
    }
}

struct parser {
    struct scenario *out;
    struct scenario_rom *open_rom;   /* inside "rom NAME" ... "end" */
    size_t open_rom_line;            /* where that block began      */
    bool have_budget;
    bool have_expect;
    size_t line;                     /* the line being parsed         */
};

static enum scenario_error parse_keyword_line(struct parser *p, struct line line)
{
    struct line keyword, value;
    split_keyword(line, &keyword, &value);
    if (scenario_keyboard_keyword(keyword.text, keyword.length))
        return value.length == 0 ? SCENARIO_ERR_MISSING_VALUE
                                 : scenario_keyboard_line(&p->out->keyboard, keyword.text,
                                                          keyword.length, value.text,
                                                          value.length);
    bool pci = keyword_is(keyword, "pci"), pci_bridge = keyword_is(keyword, "pci_bridge");
    bool disk_keyword = keyword_is(keyword, "disk") || keyword_is(keyword, "fill") ||
                        keyword_is(keyword, "sector") || keyword_is(keyword, "disk_image");
    if (!keyword_is(keyword, "name") && !keyword_is(keyword, "budget") &&
        !keyword_is(keyword, "expect") && !keyword_is(keyword, "rom") && !pci && !pci_bridge &&
        !disk_keyword)
        return SCENARIO_ERR_UNKNOWN_KEYWORD;
    if (value.length == 0)
        return SCENARIO_ERR_MISSING_VALUE;
    struct scenario *out = p->out;
    if (pci || pci_bridge)
        return scenario_pci_parse(out, value.text, value.length, pci_bridge);
    if (keyword_is(keyword, "disk_image"))
        out->disk.image_line = p->line;
    if (disk_keyword)
        return scenario_disk_parse_line(&out->disk, keyword, value);
    if (keyword_is(keyword, "name")) {
        if (out->name[0] != '\0')
            return SCENARIO_ERR_DUPLICATE;
        if (!name_valid(value.text, value.length))
            return SCENARIO_ERR_BAD_NAME;
        memcpy(out->name, value.text, value.length);
        return SCENARIO_OK;
    }
    if (keyword_is(keyword, "budget")) {
        if (p->have_budget)
            return SCENARIO_ERR_DUPLICATE;
        p->have_budget = true;
        enum scenario_error error = parse_number(value, &out->budget_steps);
        return error == SCENARIO_OK && out->budget_steps == 0 ? SCENARIO_ERR_BAD_NUMBER : error;
    }
    if (keyword_is(keyword, "expect")) {
        if (p->have_expect)
            return SCENARIO_ERR_DUPLICATE;
        if (value.length >= SCENARIO_EXPECT_MAX)
            return SCENARIO_ERR_TOO_LARGE;
        p->have_expect = true;
        memcpy(out->expect, value.text, value.length);
        return SCENARIO_OK;
    }
    /* rom NAME */
    char name[SCENARIO_NAME_MAX];
    if (!name_valid(value.text, value.length))
        return SCENARIO_ERR_BAD_NAME;
    memcpy(name, value.text, value.length);
    name[value.length] = '\0';
    if (rom_find(out, name) != NULL)
        return SCENARIO_ERR_DUPLICATE;
    enum scenario_error error = scenario_set_rom(out, name, NULL, 0);
    if (error == SCENARIO_OK)
        p->open_rom = rom_find(out, name);
    return error;
}

static enum scenario_error parse_rom_line(struct parser *p, struct line line)
{
    if (line.length == 3 && memcmp(line.text, "end", 3) == 0) {
        p->open_rom = NULL;
        return SCENARIO_OK;
    }
    struct scenario_rom *rom = p->open_rom;
    if (rom->size + line.length + 1 > SCENARIO_ROM_BYTES_MAX)
        return SCENARIO_ERR_ROM_TOO_LARGE;
    memcpy(rom->data + rom->size, line.text, line.length);
    rom->size += line.length;
    rom->data[rom->size++] = '\n';
    return SCENARIO_OK;
}

/* Every byte must be printable ASCII, tab, CR or LF; *out_line says where not. */
static enum scenario_error check_text(const char *text, size_t length, size_t *out_line)
{
    if (length > SCENARIO_TEXT_MAX)
        return SCENARIO_ERR_TOO_LARGE;
    size_t line = 1;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0 || c == 0x7f || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
            *out_line = line;
            return SCENARIO_ERR_NOT_TEXT;
        }
        line += c == '\n';
    }
    return SCENARIO_OK;
}

enum scenario_error scenario_parse(const char *text, size_t length, struct scenario *out,
                                   size_t *out_line)
{
    memset(out, 0, sizeof *out);
    *out_line = 0;
    enum scenario_error error = check_text(text, length, out_line);
    if (error != SCENARIO_OK)
        return error;
    struct parser p = {.out = out};
    size_t number = 0;
    for (size_t at = 0; at < length;) {
        size_t end = at;
        while (end < length && text[end] != '\n')
            end++;
        struct line line = {text + at, end - at};
        if (line.length > 0 && line.text[line.length - 1] == '\r')
            line.length--;
        number++;
        p.line = number;
        at = end + 1;
        if (p.open_rom != NULL)
            error = parse_rom_line(&p, line);
        else if (line.length == 0 || line.text[0] == '#')
            continue;
        else
            error = parse_keyword_line(&p, line);
        if (error == SCENARIO_OK && p.open_rom != NULL && p.open_rom_line == 0)
            p.open_rom_line = number;
        if (p.open_rom == NULL)
            p.open_rom_line = 0;
        if (error != SCENARIO_OK) {
            *out_line = number;
            return error;
        }
    }
    if (p.open_rom != NULL) {
        *out_line = p.open_rom_line;   /* the "rom NAME" line left open */
        return SCENARIO_ERR_UNTERMINATED_ROM;
    }
    *out_line = 0;
    if (out->name[0] == '\0')
        return SCENARIO_ERR_MISSING_NAME;
    if (rom_find(out, "config") == NULL)
        return SCENARIO_ERR_MISSING_CONFIG;
    return SCENARIO_OK;
}

/* Reads the disk_image file, relative to the scenario file's directory,
 * into disk->image (at most the disk's size). */
static enum scenario_error disk_image_read(const char *scenario_path, struct scenario_disk *disk)
{
    char path[2 * SCENARIO_DISK_PATH_MAX];
    const char *slash = strrchr(scenario_path, '/');
    int dir_length = disk->image_path[0] == '/' || slash == NULL ? 0
                                                                : (int)(slash - scenario_path + 1);
    if (snprintf(path, sizeof path, "%.*s%s", dir_length, scenario_path, disk->image_path) >=
        (int)sizeof path)
        return SCENARIO_ERR_DISK_IMAGE_UNREADABLE;
    size_t limit = (size_t)disk->sectors * SCENARIO_DISK_SECTOR_BYTES;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return SCENARIO_ERR_DISK_IMAGE_UNREADABLE;
    uint8_t *bytes = malloc(limit + 1);
    size_t length = bytes == NULL ? 0 : fread(bytes, 1, limit + 1, file);
    bool read_error = bytes == NULL || ferror(file);
    fclose(file);
    if (read_error || length > limit) {
        free(bytes);
        return read_error ? SCENARIO_ERR_DISK_IMAGE_UNREADABLE : SCENARIO_ERR_DISK_IMAGE_TOO_LARGE;
    }
    disk->image = bytes;
    disk->image_len = length;
    disk->image_owned = true;
    return SCENARIO_OK;
}

enum scenario_error scenario_load(const char *path, struct scenario *out, char **out_text,
                                  size_t *out_line)
{
    *out_text = NULL;
    *out_line = 0;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return SCENARIO_ERR_UNREADABLE;
    char *text = malloc(SCENARIO_TEXT_MAX + 2);
    size_t length = text == NULL ? 0 : fread(text, 1, SCENARIO_TEXT_MAX + 1, file);
    bool read_error = text == NULL || ferror(file);
    fclose(file);
    if (read_error) {
        free(text);
        return SCENARIO_ERR_UNREADABLE;
    }
    if (length > SCENARIO_TEXT_MAX) {
        free(text);
        return SCENARIO_ERR_TOO_LARGE;
    }
    text[length] = '\0';
    enum scenario_error error = scenario_parse(text, length, out, out_line);
    if (error == SCENARIO_OK && out->disk.image_path[0] != '\0') {
        error = disk_image_read(path, &out->disk);
        if (error != SCENARIO_OK)
            *out_line = out->disk.image_line;
    }
    if (error != SCENARIO_OK) {
        free(text);
        return error;
    }
    *out_text = text;
    return SCENARIO_OK;
}

void scenario_release(struct scenario *scenario)
{
    if (scenario->disk.image_owned)
        free((void *)scenario->disk.image);
    scenario->disk.image = NULL;
    scenario->disk.image_len = 0;
    scenario->disk.image_owned = false;
}
