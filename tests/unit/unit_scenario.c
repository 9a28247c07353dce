/*
 * unit_scenario.c - the scenario file grammar (sim/scenario.c,
 * sim/include/duet/scenario.h).
 *
 * A scenario file is what a world boots with and what a stored run is
 * replayed from, so it must parse to exactly what it says: the shipped
 * scenarios/demo.scn parses and each ROM holds exactly the lines between
 * "rom NAME" and "end", each with its newline; every malformed file is
 * refused with its named error and the line of the problem (0 when the
 * problem is not on a line). Texts go in as heap blocks of exactly
 * `length` bytes without a NUL, so ASan reports any read past the end.
 * scenario_set_rom, the programmatic way in (fuzz inputs), is checked at
 * its limits. scenario_load is checked on the demo, a missing path, a
 * directory and an oversized file written to this test's build directory.
 * A seeded property test parses thousands of generated texts and checks
 * that every accepted one survives being written back and parsed again.
 *
 * Build: links duet_sim (only scenario.o is pulled in; it needs libc only).
 */
#include <stdlib.h>
#include <unistd.h>

#include "duet/scenario.h"
#include "unit_check.h"

enum { SHOWN_MAX = 512 };

static const struct scenario empty_scenario;

static void *checked_malloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* The scenario is large (~33 KiB); results live on the heap. */
struct parse_result {
    enum scenario_error error;
    size_t line;
    struct scenario scenario;
};

static struct parse_result *parse_exact(const char *text, size_t length)
{
    char *copy = checked_malloc(length);
    memcpy(copy, text, length);
    struct parse_result *r = checked_malloc(sizeof *r);
    r->line = 12345;
    r->error = scenario_parse(copy, length, &r->scenario, &r->line);
    free(copy);
    return r;
}

static void expect_error_n(const char *text, size_t length, enum scenario_error expected,
                           size_t expected_line, const char *what)
{
    char shown[SHOWN_MAX];
    unit_escape(text, length, shown, sizeof shown);
    struct parse_result *r = parse_exact(text, length);
    UNIT_CHECK(r->error == expected && r->line == expected_line,
               "%s: parse(\"%s\"): got %s at line %zu, expected %s at line %zu", what, shown,
               scenario_error_name(r->error), r->line, scenario_error_name(expected),
               expected_line);
    free(r);
}

static void expect_error(const char *text, enum scenario_error expected, size_t line,
                         const char *what)
{
    expect_error_n(text, strlen(text), expected, line, what);
}

/* Parses text that must be valid; the caller frees the result. */
static struct parse_result *expect_valid_n(const char *text, size_t length, const char *what)
{
    char shown[SHOWN_MAX];
    unit_escape(text, length, shown, sizeof shown);
    struct parse_result *r = parse_exact(text, length);
    UNIT_CHECK(r->error == SCENARIO_OK && r->line == 0,
               "%s: parse(\"%s\"): got %s at line %zu, expected OK at line 0", what, shown,
               scenario_error_name(r->error), r->line);
    return r;
}

static struct parse_result *expect_valid(const char *text, const char *what)
{
    return expect_valid_n(text, strlen(text), what);
}

static const struct scenario_rom *rom_named(const struct scenario *s, const char *name)
{
    for (size_t i = 0; i < s->rom_count; i++)
        if (strcmp(s->roms[i].name, name) == 0)
            return &s->roms[i];
    return NULL;
}

static void expect_rom(const struct scenario *s, const char *name, const void *data,
                       size_t size, const char *what)
{
    const struct scenario_rom *rom = rom_named(s, name);
    if (!UNIT_CHECK(rom != NULL, "%s: no ROM \"%s\"", what, name))
        return;
    char got[SHOWN_MAX], expected[SHOWN_MAX];
    UNIT_CHECK(rom->size == size && memcmp(rom->data, data, size) == 0,
               "%s: ROM \"%s\" holds \"%s\" (%zu bytes), expected \"%s\" (%zu bytes)", what,
               name, unit_escape(rom->data, rom->size, got, sizeof got), rom->size,
               unit_escape(data, size, expected, sizeof expected), size);
}

/* ---- the shipped demo ------------------------------------------------- */

static char *read_file(const char *path, size_t *out_length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *text = checked_malloc(SCENARIO_TEXT_MAX + 1);
    *out_length = fread(text, 1, SCENARIO_TEXT_MAX + 1, file);
    fclose(file);
    return text;
}

/*
 * An independent reading of the ROM blocks of a scenario text: each
 * "rom NAME" line outside a block opens one, its content is every
 * following line, newline kept, up to a line reading exactly "end".
 * Checks that the parser holds exactly those bytes for each ROM, in order.
 */
static void check_roms_match_text(const struct scenario *s, const char *text, size_t length)
{
    size_t rom_index = 0;
    const char *open_name = NULL;
    size_t open_name_length = 0;
    char *content = checked_malloc(length);
    size_t content_length = 0;
    for (size_t at = 0; at < length;) {
        const char *line = text + at;
        const char *newline = memchr(line, '\n', length - at);
        size_t line_length = newline == NULL ? length - at : (size_t)(newline - line);
        at += line_length + 1;
        if (line_length > 0 && line[line_length - 1] == '\r')
            line_length--;
        if (open_name == NULL) {
            if (line_length > 4 && memcmp(line, "rom ", 4) == 0) {
                open_name = line + 4;
                open_name_length = line_length - 4;
                content_length = 0;
            }
        } else if (line_length == 3 && memcmp(line, "end", 3) == 0) {
            char name[SCENARIO_NAME_MAX + 1];
            snprintf(name, sizeof name, "%.*s", (int)open_name_length, open_name);
            UNIT_CHECK(rom_index < s->rom_count &&
                           strcmp(s->roms[rom_index].name, name) == 0,
                       "demo: ROM %zu should be \"%s\"", rom_index, name);
            expect_rom(s, name, content, content_length, "demo");
            rom_index++;
            open_name = NULL;
        } else {
            memcpy(content + content_length, line, line_length);
            content_length += line_length;
            content[content_length++] = '\n';
        }
    }
    UNIT_CHECK(rom_index == s->rom_count && rom_index >= 1,
               "demo: the text has %zu ROM blocks, the parse %zu", rom_index, s->rom_count);
    free(content);
}

static void test_demo(void)
{
    struct scenario *s = checked_malloc(sizeof *s);
    char *loaded = NULL;
    size_t line = 12345;
    enum scenario_error error = scenario_load(DUET_UNIT_DEMO_SCENARIO, s, &loaded, &line);
    if (!UNIT_CHECK(error == SCENARIO_OK && line == 0 && loaded != NULL,
                    "scenario_load(%s): got %s at line %zu", DUET_UNIT_DEMO_SCENARIO,
                    scenario_error_name(error), line)) {
        free(s);
        return;
    }
    size_t length = 0;
    char *text = read_file(DUET_UNIT_DEMO_SCENARIO, &length);
    UNIT_CHECK(text != NULL && strlen(loaded) == length && memcmp(loaded, text, length) == 0,
               "scenario_load's text copy equals the file's bytes");
    UNIT_CHECK_STR(s->name, "demo", "demo: name");
    UNIT_CHECK(s->budget_steps > 0, "demo: a budget is given");
    UNIT_CHECK(s->expect[0] != '\0', "demo: a success line is given");
    UNIT_CHECK(rom_named(s, "config") != NULL, "demo: has a config ROM");
    if (text != NULL)
        check_roms_match_text(s, text, length);
    free(text);
    free(loaded);
    free(s);
}

/* ---- valid files ------------------------------------------------------ */

static void test_valid(void)
{
    static const char file[] = "# a comment\r\n"
                               "name t1\r\n"
                               "budget 5\n"
                               "expect hello  world\n"
                               "\n"
                               "rom config\n"
                               "start a\r\n"
                               "\n"
                               "# kept: inside a ROM a comment is content\n"
                               "  end\n"
                               "end \n"
                               "end\n"
                               "rom empty\n"
                               "end\n"
                               "rom last\n"
                               "x\n"
                               "end";                       /* no final newline */
    struct parse_result *r = expect_valid(file, "mixed file");
    UNIT_CHECK_STR(r->scenario.name, "t1", "mixed file: name");
    UNIT_CHECK_U64(r->scenario.budget_steps, 5, "mixed file: budget");
    UNIT_CHECK_STR(r->scenario.expect, "hello  world", "mixed file: expect");
    UNIT_CHECK_U64(r->scenario.rom_count, 3, "mixed file: ROM count");
    static const char config[] = "start a\n\n# kept: inside a ROM a comment is content\n"
                                 "  end\nend \n";
    expect_rom(&r->scenario, "config", config, sizeof config - 1, "mixed file");
    expect_rom(&r->scenario, "empty", "", 0, "mixed file");
    expect_rom(&r->scenario, "last", "x\n", 2, "mixed file");
    free(r);

    r = expect_valid("name    x\nrom config\nend\n", "spaces before a value");
    UNIT_CHECK_STR(r->scenario.name, "x", "spaces before a value: name");
    UNIT_CHECK_U64(r->scenario.budget_steps, 0, "no budget: 0");
    UNIT_CHECK_STR(r->scenario.expect, "", "no expect: empty");
    free(r);

    r = expect_valid("name x\nbudget 9999999999999999999\nrom config\nend\n", "19 digits");
    UNIT_CHECK_U64(r->scenario.budget_steps, UINT64_C(9999999999999999999), "19-digit budget");
    free(r);

    r = expect_valid("rom config\nend\nname x\n", "name after the ROMs");
    free(r);
}

static void test_valid_limits(void)
{
    char text[1024];
    char name[SCENARIO_NAME_MAX + 1];
    memset(name, 'n', SCENARIO_NAME_MAX - 1);
    name[SCENARIO_NAME_MAX - 1] = '\0';
    snprintf(text, sizeof text, "name %s\nrom %s\nend\nrom config\nend\n", name, name);
    struct parse_result *r = expect_valid(text, "31-character names");
    UNIT_CHECK_STR(r->scenario.name, name, "31-character name");
    free(r);

    char expect[SCENARIO_EXPECT_MAX];
    memset(expect, 'e', SCENARIO_EXPECT_MAX - 1);
    expect[SCENARIO_EXPECT_MAX - 1] = '\0';
    snprintf(text, sizeof text, "name x\nexpect %s\nrom config\nend\n", expect);
    r = expect_valid(text, "255-character expect");
    UNIT_CHECK_STR(r->scenario.expect, expect, "255-character expect");
    free(r);

    /* Eight ROMs. */
    static const char eight[] = "name x\nrom config\nend\nrom r1\nend\nrom r2\nend\nrom r3\nend\n"
                                "rom r4\nend\nrom r5\nend\nrom r6\nend\nrom r7\nend\n";
    r = expect_valid(eight, "eight ROMs");
    UNIT_CHECK_U64(r->scenario.rom_count, SCENARIO_ROMS_MAX, "eight ROMs: count");
    free(r);

    /* A ROM of exactly SCENARIO_ROM_BYTES_MAX bytes: 64 lines of 63 + '\n'. */
    size_t big_size = 64 + SCENARIO_ROM_BYTES_MAX + 64;
    char *big = checked_malloc(big_size);
    char *rom = checked_malloc(SCENARIO_ROM_BYTES_MAX);
    for (size_t i = 0; i < SCENARIO_ROM_BYTES_MAX; i++)
        rom[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
    size_t n = (size_t)snprintf(big, big_size, "name x\nrom config\n");
    memcpy(big + n, rom, SCENARIO_ROM_BYTES_MAX);
    n += SCENARIO_ROM_BYTES_MAX;
    n += (size_t)snprintf(big + n, big_size - n, "end\n");
    r = expect_valid_n(big, n, "a ROM of exactly 4096 bytes");
    expect_rom(&r->scenario, "config", rom, SCENARIO_ROM_BYTES_MAX, "4096-byte ROM");
    free(r);
    free(rom);
    free(big);

    /* A text of exactly SCENARIO_TEXT_MAX bytes, padded with comment lines. */
    char *whole = checked_malloc(SCENARIO_TEXT_MAX);
    static const char head[] = "name x\nrom config\nend\n";
    memcpy(whole, head, sizeof head - 1);
    memset(whole + sizeof head - 1, '#', SCENARIO_TEXT_MAX - (sizeof head - 1));
    for (size_t i = 100; i < SCENARIO_TEXT_MAX; i += 100)
        whole[i] = '\n';
    r = expect_valid_n(whole, SCENARIO_TEXT_MAX, "a text of exactly 64 KiB");
    free(r);
    free(whole);
}

/* ---- named errors with their lines ------------------------------------ */

static void test_keyword_errors(void)
{
    expect_error("name x\nfoo bar\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 2, "unknown keyword");
    expect_error("Name x\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 1, "keywords are lowercase");
    expect_error(" name x\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 1, "leading space");
    expect_error("name\tx\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 1, "tab is not a separator");
    expect_error("name x\n\nend\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 3, "end outside a ROM");
    expect_error("name x\n #not a comment\n", SCENARIO_ERR_UNKNOWN_KEYWORD, 2,
                 "comment not at the start of its line");

    expect_error("name\n", SCENARIO_ERR_MISSING_VALUE, 1, "name without a value");
    expect_error("name x\nbudget \n", SCENARIO_ERR_MISSING_VALUE, 2, "budget, only a space");
    expect_error("name x\r\nexpect\r\n", SCENARIO_ERR_MISSING_VALUE, 2, "expect, CRLF");
    expect_error("name x\n# c\nrom\n", SCENARIO_ERR_MISSING_VALUE, 3, "rom without a name");

    char text[256];
    char name[SCENARIO_NAME_MAX + 1];
    memset(name, 'n', SCENARIO_NAME_MAX);
    name[SCENARIO_NAME_MAX] = '\0';
    expect_error("name Demo\n", SCENARIO_ERR_BAD_NAME, 1, "uppercase name");
    expect_error("name de-mo\n", SCENARIO_ERR_BAD_NAME, 1, "'-' in a name");
    expect_error("name a b\n", SCENARIO_ERR_BAD_NAME, 1, "space in a name");
    expect_error("name x \n", SCENARIO_ERR_BAD_NAME, 1, "trailing space after a name");
    snprintf(text, sizeof text, "\nname %s\n", name);
    expect_error(text, SCENARIO_ERR_BAD_NAME, 2, "32-character name");
    expect_error("name x\nrom con fig\nend\n", SCENARIO_ERR_BAD_NAME, 2, "space in a ROM name");
    expect_error("name x\nrom Config\nend\n", SCENARIO_ERR_BAD_NAME, 2, "uppercase ROM name");
    snprintf(text, sizeof text, "name x\nrom %s\nend\n", name);
    expect_error(text, SCENARIO_ERR_BAD_NAME, 2, "32-character ROM name");

    expect_error("name x\nbudget 0\n", SCENARIO_ERR_BAD_NUMBER, 2, "budget 0");
    expect_error("name x\nbudget 12x\n", SCENARIO_ERR_BAD_NUMBER, 2, "non-digit in budget");
    expect_error("budget -1\n", SCENARIO_ERR_BAD_NUMBER, 1, "negative budget");
    expect_error("budget 1 000\n", SCENARIO_ERR_BAD_NUMBER, 1, "space inside budget");
    expect_error("budget 0x10\n", SCENARIO_ERR_BAD_NUMBER, 1, "hex budget");
    expect_error("\n\nbudget 12345678901234567890\n", SCENARIO_ERR_BAD_NUMBER, 3,
                 "20-digit budget");
    expect_error("budget 00000000000000000001\n", SCENARIO_ERR_BAD_NUMBER, 1,
                 "20 digits with leading zeros");
    expect_error("budget 18446744073709551616\n", SCENARIO_ERR_BAD_NUMBER, 1,
                 "2^64 as budget");

    expect_error("name x\nname y\n", SCENARIO_ERR_DUPLICATE, 2, "name twice");
    expect_error("name x\n\nname x\n", SCENARIO_ERR_DUPLICATE, 3, "the same name twice");
    expect_error("name x\nrom config\nend\nrom config\nend\n", SCENARIO_ERR_DUPLICATE, 4,
                 "rom twice");
    expect_error("budget 5\nname x\nbudget 5\n", SCENARIO_ERR_DUPLICATE, 3, "budget twice");
    expect_error("expect a\nexpect b\n", SCENARIO_ERR_DUPLICATE, 2, "expect twice");

    char expect[SCENARIO_EXPECT_MAX + 1];
    memset(expect, 'e', SCENARIO_EXPECT_MAX);
    expect[SCENARIO_EXPECT_MAX] = '\0';
    char long_expect[SCENARIO_EXPECT_MAX + 64];
    snprintf(long_expect, sizeof long_expect, "name x\nexpect %s\n", expect);
    expect_error(long_expect, SCENARIO_ERR_TOO_LARGE, 2, "256-character expect");
}

static void test_rom_errors(void)
{
    /* An unterminated block is reported at the "rom" line that opened it. */
    expect_error("name x\nrom config\nstart a\n", SCENARIO_ERR_UNTERMINATED_ROM, 2,
                 "no end line");
    expect_error("name x\nrom config\nstart a\nend ", SCENARIO_ERR_UNTERMINATED_ROM, 2,
                 "\"end \" does not close a ROM");
    expect_error("name x\nrom config\n", SCENARIO_ERR_UNTERMINATED_ROM, 2,
                 "ROM opened on the last line");

    static const char nine[] = "name x\nrom config\nend\nrom r1\nend\nrom r2\nend\nrom r3\nend\n"
                               "rom r4\nend\nrom r5\nend\nrom r6\nend\nrom r7\nend\nrom r8\nend\n";
    expect_error(nine, SCENARIO_ERR_TOO_MANY_ROMS, 18, "nine ROMs");

    /* 4096 bytes fill the ROM; the next line (1 byte + newline) overflows. */
    size_t size = 64 + SCENARIO_ROM_BYTES_MAX + 64;
    char *text = checked_malloc(size);
    size_t n = (size_t)snprintf(text, size, "name x\nrom config\n");
    for (size_t line = 0; line < SCENARIO_ROM_BYTES_MAX / 64; line++) {
        memset(text + n, 'r', 63);
        text[n + 63] = '\n';
        n += 64;
    }
    n += (size_t)snprintf(text + n, size - n, "z\nend\n");
    expect_error_n(text, n, SCENARIO_ERR_ROM_TOO_LARGE, 2 + 64 + 1, "a ROM of 4098 bytes");
    /* One long line: overflow reported on that line. */
    n = (size_t)snprintf(text, size, "name x\nrom config\n");
    memset(text + n, 'r', SCENARIO_ROM_BYTES_MAX);
    n += SCENARIO_ROM_BYTES_MAX;
    n += (size_t)snprintf(text + n, size - n, "\nend\n");
    expect_error_n(text, n, SCENARIO_ERR_ROM_TOO_LARGE, 3, "a 4096-byte line + its newline");
    free(text);
}

static void test_file_errors(void)
{
    expect_error("rom config\nend\n", SCENARIO_ERR_MISSING_NAME, 0, "no name");
    expect_error("", SCENARIO_ERR_MISSING_NAME, 0, "empty text");
    expect_error("name x\n", SCENARIO_ERR_MISSING_CONFIG, 0, "no config ROM");
    expect_error("name x\nrom other\nend\n", SCENARIO_ERR_MISSING_CONFIG, 0, "other ROM only");

    /* NOT_TEXT names the line holding the first bad byte. */
    static const char with_nul[] = "name x\nrom config\nst\0rt a\nend\n";
    expect_error_n(with_nul, sizeof with_nul - 1, SCENARIO_ERR_NOT_TEXT, 3, "a NUL byte");
    expect_error("name x\n\x01\n", SCENARIO_ERR_NOT_TEXT, 2, "a 0x01 byte");
    expect_error("name x\n# \x7f\n", SCENARIO_ERR_NOT_TEXT, 2, "a DEL byte");
    expect_error("name x\n# \x1b[0m\n", SCENARIO_ERR_NOT_TEXT, 2, "an escape sequence");
    struct parse_result *r = expect_valid("name x\n# caf\xc3\xa9\trésumé\nrom config\nend\n",
                                          "UTF-8 and tab in a comment are text");
    free(r);

    char *big = checked_malloc(SCENARIO_TEXT_MAX + 1);
    memset(big, '#', SCENARIO_TEXT_MAX + 1);
    expect_error_n(big, SCENARIO_TEXT_MAX + 1, SCENARIO_ERR_TOO_LARGE, 0, "64 KiB + 1 byte");
    free(big);
}

/* ---- scenario_load ---------------------------------------------------- */

static void expect_load_error(const char *path, enum scenario_error expected, const char *what)
{
    struct scenario *s = checked_malloc(sizeof *s);
    char *text = (char *)"not touched";
    size_t line = 12345;
    enum scenario_error error = scenario_load(path, s, &text, &line);
    UNIT_CHECK(error == expected, "%s: scenario_load(%s): got %s, expected %s", what, path,
               scenario_error_name(error), scenario_error_name(expected));
    UNIT_CHECK(text == NULL, "%s: *out_text is NULL on error", what);
    UNIT_CHECK(line == 0, "%s: line %zu, expected 0", what, line);
    free(s);
}

static void test_load(void)
{
    expect_load_error(DUET_UNIT_SCRATCH_DIR "/no/such/file.scn", SCENARIO_ERR_UNREADABLE,
                      "missing path");
    expect_load_error(DUET_UNIT_SCRATCH_DIR, SCENARIO_ERR_UNREADABLE, "a directory");

    char path[] = DUET_UNIT_SCRATCH_DIR "/unit_scenario_XXXXXX";
    int fd = mkstemp(path);
    if (!UNIT_CHECK(fd >= 0, "mkstemp in %s", DUET_UNIT_SCRATCH_DIR))
        return;
    FILE *file = fdopen(fd, "wb");
    static const char head[] = "name x\nrom config\nend\n";
    fwrite(head, 1, sizeof head - 1, file);
    for (size_t i = sizeof head - 1; i < SCENARIO_TEXT_MAX + 1; i++)
        fputc(i % 80 == 79 ? '\n' : '#', file);
    fclose(file);
    expect_load_error(path, SCENARIO_ERR_TOO_LARGE, "a file of 64 KiB + 1 byte");
    unlink(path);
}

/* ---- scenario_set_rom ------------------------------------------------- */

static void test_set_rom(void)
{
    struct scenario *s = checked_malloc(sizeof *s);
    *s = empty_scenario;
    uint8_t *data = checked_malloc(SCENARIO_ROM_BYTES_MAX + 1);
    memset(data, 'd', SCENARIO_ROM_BYTES_MAX + 1);

    UNIT_CHECK(scenario_set_rom(s, "config", data, SCENARIO_ROM_BYTES_MAX) == SCENARIO_OK,
               "set_rom: 4096 bytes fit");
    expect_rom(s, "config", data, SCENARIO_ROM_BYTES_MAX, "set_rom");
    UNIT_CHECK(scenario_set_rom(s, "other", data, SCENARIO_ROM_BYTES_MAX + 1) ==
                   SCENARIO_ERR_ROM_TOO_LARGE,
               "set_rom: 4097 bytes are too large");
    UNIT_CHECK_U64(s->rom_count, 1, "set_rom: a refused ROM is not added");
    UNIT_CHECK(scenario_set_rom(s, "config", data, SCENARIO_ROM_BYTES_MAX + 1) ==
                   SCENARIO_ERR_ROM_TOO_LARGE,
               "set_rom: too large replacement");
    expect_rom(s, "config", data, SCENARIO_ROM_BYTES_MAX, "refused replacement keeps the ROM");

    UNIT_CHECK(scenario_set_rom(s, "config", "new\n", 4) == SCENARIO_OK, "set_rom: replace");
    UNIT_CHECK_U64(s->rom_count, 1, "set_rom: replacing does not add");
    expect_rom(s, "config", "new\n", 4, "replaced ROM");
    UNIT_CHECK(scenario_set_rom(s, "config", NULL, 0) == SCENARIO_OK, "set_rom: empty");
    expect_rom(s, "config", "", 0, "emptied ROM");

    char name[SCENARIO_NAME_MAX + 1];
    memset(name, 'n', SCENARIO_NAME_MAX);
    name[SCENARIO_NAME_MAX] = '\0';
    UNIT_CHECK(scenario_set_rom(s, name, "x", 1) == SCENARIO_ERR_BAD_NAME,
               "set_rom: 32-character name");
    name[SCENARIO_NAME_MAX - 1] = '\0';
    UNIT_CHECK(scenario_set_rom(s, name, "x", 1) == SCENARIO_OK, "set_rom: 31-character name");
    UNIT_CHECK(scenario_set_rom(s, "", "x", 1) == SCENARIO_ERR_BAD_NAME, "set_rom: empty name");
    UNIT_CHECK(scenario_set_rom(s, "Bad", "x", 1) == SCENARIO_ERR_BAD_NAME,
               "set_rom: uppercase name");
    UNIT_CHECK(scenario_set_rom(s, "a/b", "x", 1) == SCENARIO_ERR_BAD_NAME,
               "set_rom: '/' in a name");
    UNIT_CHECK_U64(s->rom_count, 2, "set_rom: refused names are not added");

    for (unsigned i = 2; i < SCENARIO_ROMS_MAX; i++) {
        char extra[16];
        snprintf(extra, sizeof extra, "extra%u", i);
        UNIT_CHECK(scenario_set_rom(s, extra, "e", 1) == SCENARIO_OK, "set_rom: ROM %u", i);
    }
    UNIT_CHECK_U64(s->rom_count, SCENARIO_ROMS_MAX, "set_rom: full");
    UNIT_CHECK(scenario_set_rom(s, "ninth", "x", 1) == SCENARIO_ERR_TOO_MANY_ROMS,
               "set_rom: a ninth ROM");
    UNIT_CHECK_U64(s->rom_count, SCENARIO_ROMS_MAX, "set_rom: still eight");
    UNIT_CHECK(scenario_set_rom(s, "config", "again\n", 6) == SCENARIO_OK,
               "set_rom: replacing works when full");
    expect_rom(s, "config", "again\n", 6, "replaced when full");
    free(data);
    free(s);
}

/* ---- property: random scenario texts --------------------------------- */

/* Lines in the parser's sense: '\n'-separated, a last unterminated one counts. */
static size_t count_lines(const char *text, size_t length)
{
    size_t lines = 0;
    for (size_t i = 0; i < length; i++)
        lines += text[i] == '\n';
    return lines + (length > 0 && text[length - 1] != '\n');
}

/* Writes a parsed scenario back as text; returns its length. */
static size_t scenario_write(const struct scenario *s, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "name %s\n", s->name);
    if (s->budget_steps != 0)
        n += (size_t)snprintf(out + n, size - n, "budget %" PRIu64 "\n", s->budget_steps);
    if (s->expect[0] != '\0')
        n += (size_t)snprintf(out + n, size - n, "expect %s\n", s->expect);
    for (size_t i = 0; i < s->rom_count; i++) {
        n += (size_t)snprintf(out + n, size - n, "rom %s\n", s->roms[i].name);
        memcpy(out + n, s->roms[i].data, s->roms[i].size);
        n += s->roms[i].size;
        n += (size_t)snprintf(out + n, size - n, "end\n");
    }
    return n;
}

static bool scenarios_equal(const struct scenario *a, const struct scenario *b)
{
    if (strcmp(a->name, b->name) != 0 || a->budget_steps != b->budget_steps ||
        strcmp(a->expect, b->expect) != 0 || a->rom_count != b->rom_count)
        return false;
    for (size_t i = 0; i < a->rom_count; i++)
        if (strcmp(a->roms[i].name, b->roms[i].name) != 0 ||
            a->roms[i].size != b->roms[i].size ||
            memcmp(a->roms[i].data, b->roms[i].data, a->roms[i].size) != 0)
            return false;
    return true;
}

/* Most texts get the skeleton of a valid file around random lines. */
static size_t generate_scenario(uint64_t *state, char *text, size_t size)
{
    static const char *const pieces[] = {
        "name x", "name Bad", "budget 12", "budget 0", "budget", "expect hello  world",
        "rom config", "rom message", "rom r1", "rom", "end", "end ", "start a", "# c", "",
        "  indented", "junk", "expect", "Duet: one framework", "name y"};
    static const char text_bytes[] = " #\t\r\naz09_-";
    size_t n = 0;
    bool skeleton = unit_prng_below(state, 4) != 0;
    if (skeleton)
        n += (size_t)snprintf(text, size, "name s%zu\n", unit_prng_below(state, 100));
    size_t lines = unit_prng_below(state, 7);
    for (size_t l = 0; l < lines; l++) {
        const char *piece = pieces[unit_prng_below(state, sizeof pieces / sizeof pieces[0])];
        const char *end = unit_prng_below(state, 4) == 0 ? "\r\n" : "\n";
        n += (size_t)snprintf(text + n, size - n, "%s%s", piece, end);
    }
    if (skeleton)
        n += (size_t)snprintf(text + n, size - n, "rom config\nstart a\nend\n");
    if (n > 0 && unit_prng_below(state, 4) == 0)
        n--;                                            /* no final newline */
    for (size_t e = unit_prng_below(state, 3) == 0; e > 0 && n > 0; e--)
        text[unit_prng_below(state, n)] =
            text_bytes[unit_prng_below(state, sizeof text_bytes - 1)];
    return n;
}

/*
 * Thousands of generated texts (text bytes only): the verdict is a named
 * error; errors about a line name a line of the text, the others line 0;
 * an accepted scenario has a valid name and a config ROM, and writing it
 * back as text and parsing that again gives the same scenario.
 */
static void test_random_texts(void)
{
    enum { TEXTS = 3000, TEXT_MAX = 1024 };
    uint64_t state = 0x5c4e;
    unsigned accepted = 0;
    char *written = checked_malloc(2 * TEXT_MAX);
    for (unsigned t = 0; t < TEXTS; t++) {
        char text[TEXT_MAX];
        size_t length = generate_scenario(&state, text, sizeof text);
        char shown[SHOWN_MAX];
        unit_escape(text, length, shown, sizeof shown);
        struct parse_result *r = parse_exact(text, length);
        enum scenario_error error = r->error;
        bool whole_text_error = error == SCENARIO_ERR_MISSING_NAME ||
                                error == SCENARIO_ERR_MISSING_CONFIG;
        UNIT_CHECK(error >= SCENARIO_OK && error < SCENARIO_ERROR_COUNT &&
                       error != SCENARIO_ERR_NOT_TEXT && error != SCENARIO_ERR_UNREADABLE,
                   "random #%u: error %d for \"%s\"", t, (int)error, shown);
        if (error == SCENARIO_OK || whole_text_error)
            UNIT_CHECK(r->line == 0, "random #%u: %s at line %zu, expected 0 for \"%s\"", t,
                       scenario_error_name(error), r->line, shown);
        else
            UNIT_CHECK(r->line >= 1 && r->line <= count_lines(text, length),
                       "random #%u: %s at line %zu of %zu in \"%s\"", t,
                       scenario_error_name(error), r->line, count_lines(text, length), shown);
        if (error == SCENARIO_OK) {
            accepted++;
            UNIT_CHECK(r->scenario.name[0] != '\0' && rom_named(&r->scenario, "config") != NULL,
                       "random #%u: accepted without a name or config ROM: \"%s\"", t, shown);
            size_t written_length = scenario_write(&r->scenario, written, 2 * TEXT_MAX);
            struct parse_result *again = parse_exact(written, written_length);
            UNIT_CHECK(again->error == SCENARIO_OK &&
                           scenarios_equal(&r->scenario, &again->scenario),
                       "random #%u: written back and parsed again, it differs (%s): \"%s\"", t,
                       scenario_error_name(again->error), shown);
            free(again);
        }
        free(r);
    }
    free(written);
    UNIT_CHECK(accepted > TEXTS / 10 && accepted < TEXTS * 9 / 10,
               "random texts: %u of %d accepted; the generator should reach both verdicts",
               accepted, TEXTS);
}

/* ---- the disk ------------------------------------------------------------ */

static void test_disk(void)
{
    static const char file[] = "name d\nrom config\nend\n"
                               "disk master 8\n"
                               "fill 0 8 lba\n"
                               "fill 2 2 0xa5\n"
                               "fill 3 1 zero\n"
                               "sector 5 00ff10Ab\n";
    struct parse_result *r = expect_valid(file, "disk file");
    const struct scenario_disk *disk = &r->scenario.disk;
    UNIT_CHECK_U64(disk->sectors, 8, "disk: sectors");
    UNIT_CHECK_U64(disk->line_count, 4, "disk: lines");
    size_t bytes = 8 * SCENARIO_DISK_SECTOR_BYTES;
    uint8_t *image = checked_malloc(bytes);
    scenario_disk_render(disk, image, bytes);
    /* lba pattern: word i of sector s is s << 8 | i, little-endian. */
    UNIT_CHECK_U64(image[0], 0, "lba pattern: sector 0 word 0");
    UNIT_CHECK_U64(image[4], 1, "lba pattern: sector 0 word 1 low byte");
    UNIT_CHECK_U64(image[512 + 4 * 7 + 0], 7, "lba pattern: sector 1 word 7, byte 0");
    UNIT_CHECK_U64(image[512 + 4 * 7 + 1], 1, "lba pattern: sector 1 word 7, byte 1");
    UNIT_CHECK_U64(image[2 * 512 + 17], 0xa5, "fill 0xa5");
    UNIT_CHECK_U64(image[3 * 512 + 100], 0, "fill zero after 0xa5");
    UNIT_CHECK_U64(image[4 * 512 + 4 * 3], 3, "lba pattern: sector 4 untouched by later lines");
    UNIT_CHECK_U64(image[4 * 512 + 4 * 3 + 1], 4, "lba pattern: sector 4 high byte");
    UNIT_CHECK_U64(image[5 * 512 + 0], 0x00, "sector bytes 0");
    UNIT_CHECK_U64(image[5 * 512 + 1], 0xff, "sector bytes 1");
    UNIT_CHECK_U64(image[5 * 512 + 3], 0xab, "sector bytes: upper-case hex");
    UNIT_CHECK_U64(image[5 * 512 + 4], scenario_disk_lba_pattern_byte(5, 4),
                   "sector: the bytes after the given ones keep the fill");
    free(image);
    free(r);

    r = expect_valid("name d\nrom config\nend\n", "no disk");
    UNIT_CHECK_U64(r->scenario.disk.sectors, 0, "no disk line: no disk");
    free(r);

    /* 512 bytes of hex fill a sector; the largest disk is accepted. */
    size_t size = 4096;
    char *text = checked_malloc(size);
    size_t n = (size_t)snprintf(text, size, "name d\nrom config\nend\ndisk master %d\nsector %d ",
                                SCENARIO_DISK_SECTORS_MAX, SCENARIO_DISK_SECTORS_MAX - 1);
    memset(text + n, 'f', 2 * SCENARIO_DISK_SECTOR_BYTES);
    n += 2 * SCENARIO_DISK_SECTOR_BYTES;
    text[n++] = '\n';
    r = expect_valid_n(text, n, "a full sector at the last LBA of the largest disk");
    UNIT_CHECK_U64(r->scenario.disk.lines[0].length, 512, "full sector: length");
    free(r);
    /* One byte more is too much. */
    n--;
    text[n++] = 'f';
    text[n++] = 'f';
    text[n++] = '\n';
    expect_error_n(text, n, SCENARIO_ERR_SECTOR_TOO_LARGE, 5, "513 bytes of sector");
    free(text);
}

static void test_disk_errors(void)
{
    expect_error("name d\ndisk slave 8\n", SCENARIO_ERR_BAD_DISK, 2, "slave disk");
    expect_error("name d\ndisk master 0\n", SCENARIO_ERR_BAD_DISK, 2, "0 sectors");
    expect_error("name d\ndisk master 8 9\n", SCENARIO_ERR_BAD_DISK, 2, "word after size");
    expect_error("name d\ndisk master\n", SCENARIO_ERR_BAD_NUMBER, 2, "no size");
    expect_error("name d\ndisk master 8x\n", SCENARIO_ERR_BAD_NUMBER, 2, "bad size");
    expect_error("name d\ndisk master 2049\n", SCENARIO_ERR_DISK_TOO_LARGE, 2, "2049 sectors");
    expect_error("name d\ndisk master 8\ndisk master 8\n", SCENARIO_ERR_DUPLICATE, 3,
                 "two disks");
    expect_error("name d\nfill 0 1 zero\ndisk master 8\n", SCENARIO_ERR_NO_DISK, 2,
                 "fill before disk");
    expect_error("name d\nsector 0 00\n", SCENARIO_ERR_NO_DISK, 2, "sector without disk");
    expect_error("name d\ndisk master 8\nfill 0 9 zero\n", SCENARIO_ERR_LBA_OUT_OF_RANGE, 3,
                 "fill past the end");
    expect_error("name d\ndisk master 8\nfill 8 1 zero\n", SCENARIO_ERR_LBA_OUT_OF_RANGE, 3,
                 "fill at the end");
    expect_error("name d\ndisk master 8\nfill 1 0 zero\n", SCENARIO_ERR_BAD_NUMBER, 3,
                 "fill of 0 sectors");
    expect_error("name d\ndisk master 8\nfill 0 1 0xg0\n", SCENARIO_ERR_BAD_PATTERN, 3,
                 "bad hex byte pattern");
    expect_error("name d\ndisk master 8\nfill 0 1 ones\n", SCENARIO_ERR_BAD_PATTERN, 3,
                 "unknown pattern");
    expect_error("name d\ndisk master 8\nfill 0 1 zero x\n", SCENARIO_ERR_BAD_PATTERN, 3,
                 "word after pattern");
    expect_error("name d\ndisk master 8\nfill 0 1\n", SCENARIO_ERR_BAD_PATTERN, 3,
                 "no pattern");
    expect_error("name d\ndisk master 8\nsector 8 00\n", SCENARIO_ERR_LBA_OUT_OF_RANGE, 3,
                 "sector past the end");
    expect_error("name d\ndisk master 8\nsector 99999999999999999999 00\n",
                 SCENARIO_ERR_BAD_NUMBER, 3, "20-digit LBA");
    expect_error("name d\ndisk master 8\nsector 1 0\n", SCENARIO_ERR_BAD_HEX, 3, "odd hex");
    expect_error("name d\ndisk master 8\nsector 1 0z\n", SCENARIO_ERR_BAD_HEX, 3, "non-hex");
    expect_error("name d\ndisk master 8\nsector 1 00 11\n", SCENARIO_ERR_BAD_HEX, 3,
                 "space in hex");
    expect_error("name d\ndisk master 8\nsector 1\n", SCENARIO_ERR_MISSING_VALUE, 3,
                 "sector without bytes");

    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "name d\ndisk master 8\n");
    for (int i = 0; i <= SCENARIO_DISK_LINES_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "fill 0 1 zero\n");
    expect_error_n(text, n, SCENARIO_ERR_TOO_MANY_DISK_LINES, 3 + SCENARIO_DISK_LINES_MAX,
                   "65 disk lines");
}

static void test_set_disk(void)
{
    struct scenario *s = checked_malloc(sizeof *s);
    memset(s, 0, sizeof *s);
    UNIT_CHECK(scenario_set_disk(s, 0, NULL, 0) == SCENARIO_ERR_BAD_DISK, "set_disk: 0");
    UNIT_CHECK(scenario_set_disk(s, SCENARIO_DISK_SECTORS_MAX + 1, NULL, 0) ==
                   SCENARIO_ERR_DISK_TOO_LARGE, "set_disk: too large");
    uint8_t bytes[700];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 7 + 1);
    UNIT_CHECK(scenario_set_disk(s, 3, bytes, sizeof bytes) == SCENARIO_OK, "set_disk: 3");
    uint8_t image[3 * 512];
    scenario_disk_render(&s->disk, image, sizeof image);
    UNIT_CHECK(memcmp(image, bytes, sizeof bytes) == 0, "set_disk: image bytes");
    UNIT_CHECK_U64(image[sizeof bytes], 0, "set_disk: rest zero");
    /* Bytes beyond the disk are cut. */
    UNIT_CHECK(scenario_set_disk(s, 1, bytes, sizeof bytes) == SCENARIO_OK, "set_disk: cut");
    UNIT_CHECK_U64(s->disk.line_count, 1, "set_disk: cut to one sector");
    free(s);
}

static void test_error_names(void)
{
    static const char *const names[SCENARIO_ERROR_COUNT] = {
        "SCENARIO_OK",
        "SCENARIO_ERR_UNREADABLE",
        "SCENARIO_ERR_TOO_LARGE",
        "SCENARIO_ERR_NOT_TEXT",
        "SCENARIO_ERR_UNKNOWN_KEYWORD",
        "SCENARIO_ERR_MISSING_VALUE",
        "SCENARIO_ERR_BAD_NAME",
        "SCENARIO_ERR_BAD_NUMBER",
        "SCENARIO_ERR_DUPLICATE",
        "SCENARIO_ERR_UNTERMINATED_ROM",
        "SCENARIO_ERR_TOO_MANY_ROMS",
        "SCENARIO_ERR_ROM_TOO_LARGE",
        "SCENARIO_ERR_MISSING_NAME",
        "SCENARIO_ERR_MISSING_CONFIG",
        "SCENARIO_ERR_BAD_KEY",
        "SCENARIO_ERR_BAD_KEY_ACTION",
        "SCENARIO_ERR_BAD_QUOTE",
        "SCENARIO_ERR_BAD_SCANCODE",
        "SCENARIO_ERR_INPUT_ORDER",
        "SCENARIO_ERR_TOO_MANY_INPUTS",
        "SCENARIO_ERR_BAD_OPTION",
        "SCENARIO_ERR_PCI_BAD_ADDRESS",
        "SCENARIO_ERR_PCI_BAD_ID",
        "SCENARIO_ERR_PCI_BAD_OPTION",
        "SCENARIO_ERR_PCI_BAD_BAR",
        "SCENARIO_ERR_PCI_DUPLICATE",
        "SCENARIO_ERR_PCI_SLOT_TAKEN",
        "SCENARIO_ERR_PCI_NO_SUCH_BUS",
        "SCENARIO_ERR_PCI_BAD_BUS_NUMBER",
        "SCENARIO_ERR_PCI_MULTIFUNCTION",
        "SCENARIO_ERR_PCI_TOO_MANY",
        "SCENARIO_ERR_BAD_DISK",
        "SCENARIO_ERR_DISK_TOO_LARGE",
        "SCENARIO_ERR_NO_DISK",
        "SCENARIO_ERR_LBA_OUT_OF_RANGE",
        "SCENARIO_ERR_BAD_PATTERN",
        "SCENARIO_ERR_BAD_HEX",
        "SCENARIO_ERR_SECTOR_TOO_LARGE",
        "SCENARIO_ERR_TOO_MANY_DISK_LINES",
        "SCENARIO_ERR_DISK_IMAGE_UNREADABLE",
        "SCENARIO_ERR_DISK_IMAGE_TOO_LARGE",
    };
    for (int e = 0; e < SCENARIO_ERROR_COUNT; e++)
        UNIT_CHECK_STR(scenario_error_name((enum scenario_error)e), names[e],
                       "scenario_error_name");
    UNIT_CHECK_STR(scenario_error_name(SCENARIO_ERROR_COUNT), "SCENARIO_ERR_UNKNOWN",
                   "scenario_error_name(count)");
    UNIT_CHECK_STR(scenario_error_name((enum scenario_error)-1), "SCENARIO_ERR_UNKNOWN",
                   "scenario_error_name(-1)");
}

/* Keyboard lines (sim/scenario_keyboard.c): what they decode to, and every
 * malformed one refused by name at its line, leaving nothing behind. */
#define KEYBOARD_HEAD "name k\nrom config\nend\n"

static void expect_input(const struct scenario_input *input, uint64_t time_us, unsigned key,
                         bool press, const char *what)
{
    UNIT_CHECK(input->kind == SCENARIO_INPUT_KEY && input->time_us == time_us &&
                   input->key == key && input->press == press,
               "%s: input at %llu us key %u press %u, expected at %llu key %u press %u", what,
               (unsigned long long)input->time_us, input->key, input->press,
               (unsigned long long)time_us, key, press);
}

static void test_keyboard_valid(void)
{
    struct parse_result *r = expect_valid(KEYBOARD_HEAD, "no keyboard lines");
    UNIT_CHECK(r->scenario.keyboard.input_count == 0 && !r->scenario.keyboard.translation_off,
               "default: no inputs, translation on");
    free(r);
    r = expect_valid(KEYBOARD_HEAD "i8042 translation off\nkey 5 up press\n"
                                   "key 5 up release\ntype 100 \"aB 1\"\n"
                                   "scancodes 200000 e0 F0 75\n",
                     "every keyboard line");
    const struct scenario_keyboard *k = &r->scenario.keyboard;
    UNIT_CHECK(k->translation_off && k->translation_given, "translation off");
    UNIT_CHECK_U64(k->input_count, 2 + 10 + 1, "inputs: 2 keys, 4 characters, 1 raw");
    /* key names are the enum's (duet/ps2.h): a=0, b=1, 1=27, up=60, left_shift=42 */
    expect_input(&k->inputs[0], 5, 60, true, "up press");
    expect_input(&k->inputs[1], 5, 60, false, "up release");
    expect_input(&k->inputs[2], 100, 0, true, "a press");
    expect_input(&k->inputs[3], 10100, 0, false, "a release after the hold");
    expect_input(&k->inputs[4], 20100, 42, true, "shift before B");
    expect_input(&k->inputs[5], 20100, 1, true, "B press");
    expect_input(&k->inputs[6], 30100, 1, false, "B release");
    expect_input(&k->inputs[7], 30100, 42, false, "shift after B");
    expect_input(&k->inputs[8], 40100, 40, true, "space");
    expect_input(&k->inputs[10], 60100, 27, true, "1");
    const struct scenario_input *raw = &k->inputs[12];
    UNIT_CHECK(raw->kind == SCENARIO_INPUT_SCANCODES && raw->time_us == 200000 &&
                   raw->byte_count == 3 && raw->bytes[0] == 0xe0 && raw->bytes[1] == 0xf0 &&
                   raw->bytes[2] == 0x75,
               "scancodes e0 F0 75");
    free(r);
    UNIT_CHECK_STR(scenario_key_name(0), "a", "first key name");
    UNIT_CHECK(scenario_key_name(1000) == NULL, "no name past the last key");
}

static void test_keyboard_errors(void)
{
    expect_error(KEYBOARD_HEAD "key\n", SCENARIO_ERR_MISSING_VALUE, 4, "key without a value");
    expect_error(KEYBOARD_HEAD "key 1x a press\n", SCENARIO_ERR_BAD_NUMBER, 4, "bad time");
    expect_error(KEYBOARD_HEAD "key 1000000000001 a press\n", SCENARIO_ERR_BAD_NUMBER, 4,
                 "time past the limit");
    expect_error(KEYBOARD_HEAD "key 1 ctrl press\n", SCENARIO_ERR_BAD_KEY, 4, "unknown key");
    expect_error(KEYBOARD_HEAD "key 1 A press\n", SCENARIO_ERR_BAD_KEY, 4, "names are lowercase");
    expect_error(KEYBOARD_HEAD "key 1 a\n", SCENARIO_ERR_BAD_KEY_ACTION, 4, "no action");
    expect_error(KEYBOARD_HEAD "key 1 a hold\n", SCENARIO_ERR_BAD_KEY_ACTION, 4, "bad action");
    expect_error(KEYBOARD_HEAD "key 1 a press now\n", SCENARIO_ERR_BAD_KEY_ACTION, 4,
                 "words after the action");
    expect_error(KEYBOARD_HEAD "type 1 abc\n", SCENARIO_ERR_BAD_QUOTE, 4, "unquoted text");
    expect_error(KEYBOARD_HEAD "type 1 \"\"\n", SCENARIO_ERR_BAD_QUOTE, 4, "empty text");
    expect_error(KEYBOARD_HEAD "type 1 \"a\n", SCENARIO_ERR_BAD_QUOTE, 4, "open quote");
    expect_error(KEYBOARD_HEAD "type 1 \"a!\"\n", SCENARIO_ERR_BAD_KEY, 4, "untypeable '!'");
    expect_error(KEYBOARD_HEAD "type 1 \"0123456789012345678901234567890123456789"
                               "01234567890123456789012345\"\n",
                 SCENARIO_ERR_BAD_QUOTE, 4, "65 characters");
    expect_error(KEYBOARD_HEAD "scancodes 1 e\n", SCENARIO_ERR_BAD_SCANCODE, 4, "one digit");
    expect_error(KEYBOARD_HEAD "scancodes 1 0x12\n", SCENARIO_ERR_BAD_SCANCODE, 4, "0x form");
    expect_error(KEYBOARD_HEAD "scancodes 1 g0\n", SCENARIO_ERR_BAD_SCANCODE, 4, "not hex");
    expect_error(KEYBOARD_HEAD "scancodes 1\n", SCENARIO_ERR_BAD_SCANCODE, 4, "no bytes");
    expect_error(KEYBOARD_HEAD "scancodes 1 1 2 3 4 5 6 7 8 9\n", SCENARIO_ERR_BAD_SCANCODE, 4,
                 "single digits");
    expect_error(KEYBOARD_HEAD "scancodes 1 01 02 03 04 05 06 07 08 09\n",
                 SCENARIO_ERR_BAD_SCANCODE, 4, "nine bytes");
    expect_error(KEYBOARD_HEAD "key 10 a press\nkey 9 a release\n", SCENARIO_ERR_INPUT_ORDER,
                 5, "back in time");
    expect_error(KEYBOARD_HEAD "type 10 \"ab\"\nkey 20009 a press\n",
                 SCENARIO_ERR_INPUT_ORDER, 5, "before the typed text ends");
    expect_error(KEYBOARD_HEAD "i8042 translation maybe\n", SCENARIO_ERR_BAD_OPTION, 4,
                 "translation maybe");
    expect_error(KEYBOARD_HEAD "i8042 xlate off\n", SCENARIO_ERR_BAD_OPTION, 4, "xlate");
    expect_error(KEYBOARD_HEAD "i8042 translation on\ni8042 translation off\n",
                 SCENARIO_ERR_DUPLICATE, 5, "two i8042 lines");
    /* 16 lines of 64 capitals are 4096 inputs: the 5th line does not fit. */
    char *text = checked_malloc(8192);
    size_t length = (size_t)snprintf(text, 8192, KEYBOARD_HEAD);
    for (int line = 0; line < 5; line++) {
        length += (size_t)snprintf(text + length, 8192 - length, "type %d \"", line * 2000000);
        for (int c = 0; c < 64; c++)
            text[length++] = 'A';
        length += (size_t)snprintf(text + length, 8192 - length, "\"\n");
    }
    expect_error_n(text, length, SCENARIO_ERR_TOO_MANY_INPUTS, 8, "1025th input");
    free(text);
}

int main(void)
{
    test_keyboard_valid();
    test_keyboard_errors();
    test_demo();
    test_valid();
    test_valid_limits();
    test_keyword_errors();
    test_rom_errors();
    test_file_errors();
    test_load();
    test_set_rom();
    test_disk();
    test_disk_errors();
    test_set_disk();
    test_random_texts();
    test_error_names();
    return unit_finish("unit_scenario");
}
