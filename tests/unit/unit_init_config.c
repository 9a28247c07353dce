/*
 * unit_init_config.c - init's strict config parser
 * (framework/os/init/init_config.c, init_config.h).
 *
 * init reads its configuration from the "config" ROM, which a scenario
 * author (or a fuzzer) writes, so the parser must accept every harmless
 * layout (comments, blank lines, CRLF, trailing spaces, a comment right
 * after a name, no final newline) and refuse everything else with the
 * named error and the 1-based line the header promises. Every input is
 * passed as a heap block of exactly `length` bytes with no terminating
 * NUL (the parser takes a length), so ASan reports any read past it; a
 * seeded property test runs thousands of generated configs the same way.
 *
 * Build: init_config.c and string.c are compiled into this program with
 * hal_stub.c; framework/os/init is on the include path for init_config.h.
 */
#include <stdlib.h>

#include "init_config.h"
#include "unit_check.h"

enum { SHOWN_MAX = 512 };

struct parse_result {
    enum init_config_error error;
    size_t line;
    struct init_config config;
};

static struct parse_result parse_exact(const char *text, size_t length)
{
    char *copy = malloc(length == 0 ? 1 : length);
    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(copy, text, length);
    struct parse_result result;
    result.line = 12345;
    result.error = init_config_parse(copy, length, &result.config, &result.line);
    free(copy);
    return result;
}

static void expect_children(const char *text, const char *const *names, size_t count)
{
    char shown[SHOWN_MAX];
    unit_escape(text, strlen(text), shown, sizeof shown);
    struct parse_result r = parse_exact(text, strlen(text));
    if (!UNIT_CHECK(r.error == INIT_CONFIG_OK, "parse(\"%s\"): got %s at line %zu, expected OK",
                    shown, init_config_error_name(r.error), r.line))
        return;
    UNIT_CHECK(r.line == 0, "parse(\"%s\"): OK but line %zu, expected 0", shown, r.line);
    UNIT_CHECK(r.config.child_count == count, "parse(\"%s\"): %zu children, expected %zu",
               shown, r.config.child_count, count);
    for (size_t i = 0; i < count && i < r.config.child_count; i++)
        UNIT_CHECK(strcmp(r.config.child_name[i], names[i]) == 0,
                   "parse(\"%s\"): child %zu is \"%s\", expected \"%s\"", shown, i,
                   r.config.child_name[i], names[i]);
}

static void expect_error_n(const char *text, size_t length, enum init_config_error expected,
                           size_t expected_line)
{
    char shown[SHOWN_MAX];
    unit_escape(text, length, shown, sizeof shown);
    struct parse_result r = parse_exact(text, length);
    UNIT_CHECK(r.error == expected && r.line == expected_line,
               "parse(\"%s\"): got %s at line %zu, expected %s at line %zu", shown,
               init_config_error_name(r.error), r.line, init_config_error_name(expected),
               expected_line);
}

static void expect_error(const char *text, enum init_config_error expected, size_t line)
{
    expect_error_n(text, strlen(text), expected, line);
}

/* ---- valid configs ---------------------------------------------------- */

static void test_routes_valid(void)
{
    struct parse_result r = parse_exact("route ECHO srv  # later\nstart cli\nstart srv\n"
                                        "route LOG_2 cli\n", 60);
    UNIT_CHECK(r.error == INIT_CONFIG_OK && r.config.route_count == 2 &&
                   strcmp(r.config.routes[0].service, "ECHO") == 0 &&
                   r.config.routes[0].child == 1 && r.config.routes[1].child == 0,
               "routes: got %s, %zu routes", init_config_error_name(r.error),
               r.config.route_count);
}

static void test_valid(void)
{
    test_routes_valid();
    {
        struct parse_result q = parse_exact("start a caps=3 ram=8K\nstart b\n", 30);
        UNIT_CHECK(q.error == INIT_CONFIG_OK && q.config.child_ram[0] == 8192 &&
                       q.config.child_caps[0] == 3 &&
                       q.config.child_ram[1] == INIT_CHILD_RAM_DEFAULT &&
                       q.config.child_caps[1] == INIT_CHILD_CAPS_DEFAULT,
                   "quota options: got %s", init_config_error_name(q.error));
    }
    expect_children("", NULL, 0);
    expect_children("\n\n\n", NULL, 0);
    expect_children("# only a comment\n", NULL, 0);
    expect_children("start hello\n", (const char *[]){"hello"}, 1);
    expect_children("start hello", (const char *[]){"hello"}, 1);   /* no final newline */
    expect_children("# init's configuration\n"
                    "\n"
                    "start hello\n"
                    "   # an indented comment\n"
                    "start rom_reader\n",
                    (const char *[]){"hello", "rom_reader"}, 2);
    expect_children("start a\r\nstart b\r\n", (const char *[]){"a", "b"}, 2);    /* CRLF */
    expect_children("\r\n# c\r\nstart a\r\n\r\n", (const char *[]){"a"}, 1);
    expect_children("start a   \nstart b \r\n", (const char *[]){"a", "b"}, 2);  /* trailing */
    expect_children("start a # the first\nstart b#tight\n", (const char *[]){"a", "b"}, 2);
    expect_children("   start    a\n", (const char *[]){"a"}, 1);
    expect_children("start 0_9z\n", (const char *[]){"0_9z"}, 1);
}

static void test_limits(void)
{
    char name[COMPONENT_NAME_MAX + 1];
    char text[128];
    memset(name, 'n', COMPONENT_NAME_MAX - 1);
    name[COMPONENT_NAME_MAX - 1] = '\0';
    snprintf(text, sizeof text, "start %s\n", name);
    expect_children(text, (const char *[]){name}, 1);          /* 31 characters: fits */

    memset(name, 'n', COMPONENT_NAME_MAX);
    name[COMPONENT_NAME_MAX] = '\0';
    snprintf(text, sizeof text, "# long\nstart %s\n", name);
    expect_error(text, INIT_CONFIG_ERR_BAD_NAME, 2);            /* 32 characters: too long */

    expect_children("start c0\nstart c1\nstart c2\nstart c3\n"
                    "start c4\nstart c5\nstart c6\nstart c7\n",
                    (const char *[]){"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"},
                    INIT_CHILDREN_MAX);
    expect_error("# nine\nstart c0\nstart c1\nstart c2\nstart c3\n"
                 "start c4\nstart c5\nstart c6\nstart c7\nstart c8\n",
                 INIT_CONFIG_ERR_TOO_MANY_CHILDREN, 10);

    /* The length bounds the text: what lies beyond it is never parsed. */
    struct parse_result r = parse_exact("start a\nstart B", 8);
    UNIT_CHECK(r.error == INIT_CONFIG_OK && r.config.child_count == 1,
               "parse honours length: got %s with %zu children", init_config_error_name(r.error),
               r.config.child_count);
}

/* ---- named errors with their lines ------------------------------------ */

static void test_errors(void)
{
    expect_error("\n\nstop hello\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 3);
    expect_error("starthello\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 1);
    expect_error("start a\nStart b\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 2);
    expect_error("start a\r\n\tstart b\r\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 2);
    expect_error("star\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 1);
    expect_error("start\tb\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 1);
    expect_error("start a\n\t\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 2); /* only spaces are blank */

    expect_error("start\n", INIT_CONFIG_ERR_MISSING_NAME, 1);
    expect_error("# x\nstart   \n", INIT_CONFIG_ERR_MISSING_NAME, 2);
    expect_error("start a\nstart\r\n", INIT_CONFIG_ERR_MISSING_NAME, 2);
    expect_error("start a\nstart", INIT_CONFIG_ERR_MISSING_NAME, 2);

    expect_error("start Hello\n", INIT_CONFIG_ERR_BAD_NAME, 1);
    expect_error("\nstart -x\n", INIT_CONFIG_ERR_BAD_NAME, 2);
    expect_error("start .\n", INIT_CONFIG_ERR_BAD_NAME, 1);

    /* Routes: a service in capitals, a child the config starts (anywhere). */
    expect_error("route ECHO\n", INIT_CONFIG_ERR_MISSING_NAME, 1);
    expect_error("route echo srv\nstart srv\n", INIT_CONFIG_ERR_BAD_SERVICE, 1);
    expect_error("route ECHO_SERVICE_TOO_LONG srv\n", INIT_CONFIG_ERR_BAD_SERVICE, 1);
    expect_error("route E-CHO srv\n", INIT_CONFIG_ERR_BAD_SERVICE, 1);
    expect_error("start srv\nroute ECHO nobody\n", INIT_CONFIG_ERR_UNKNOWN_CHILD, 2);
    expect_error("start srv\nroute ECHO srv\nroute ECHO srv\n",
                 INIT_CONFIG_ERR_DUPLICATE_ROUTE, 3);
    expect_error("start srv\nroute ECHO srv extra\n", INIT_CONFIG_ERR_TRAILING_TEXT, 2);
    expect_error("start s\nroute A s\nroute B s\nroute C s\nroute D s\nroute E s\n"
                 "route F s\nroute G s\nroute H s\nroute I s\nroute J s\nroute K s\n"
                 "route L s\nroute M s\nroute N s\nroute O s\nroute P s\nroute Q s\n",
                 INIT_CONFIG_ERR_TOO_MANY_ROUTES, 18);   /* INIT_ROUTES_MAX = 16 */
    expect_error("router ECHO srv\n", INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE, 1);
    {
        struct parse_result p = parse_exact("route IO_PORT parent\n", 21);
        UNIT_CHECK(p.error == INIT_CONFIG_OK && p.config.route_count == 1 &&
                       p.config.routes[0].child == INIT_ROUTE_TO_PARENT,
                   "route to parent: got %s", init_config_error_name(p.error));
    }

    /* A second word is an option: ram=SIZE or caps=COUNT. */
    expect_error("start a b\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 1);
    expect_error("start a\nstart b c # d\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 2);
    expect_error("start a pd_factory\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 1);
    expect_error("start a caps=1 caps=2\n", INIT_CONFIG_ERR_DUPLICATE_OPTION, 1);
    expect_error("start a ram=1K x\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 1);
    expect_error("start a manual manual\n", INIT_CONFIG_ERR_DUPLICATE_OPTION, 1);
    expect_error("start a control ram=1K control\n", INIT_CONFIG_ERR_DUPLICATE_OPTION, 1);
    {
        struct parse_result m = parse_exact("start a manual control\nstart b\n", 31);
        UNIT_CHECK(m.error == INIT_CONFIG_OK && m.config.child_manual[0] &&
                       m.config.child_control[0] && !m.config.child_manual[1] &&
                       !m.config.child_control[1],
                   "manual/control: got %s", init_config_error_name(m.error));
    }
    /* Quota options. */
    expect_error("start a ram=\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 1);
    expect_error("start a ram=lots\n", INIT_CONFIG_ERR_BAD_QUOTA, 1);
    expect_error("start a ram=4G\n", INIT_CONFIG_ERR_BAD_QUOTA, 1);
    expect_error("start a caps=-1\n", INIT_CONFIG_ERR_BAD_QUOTA, 1);
    expect_error("start a ram=4K ram=8K\n", INIT_CONFIG_ERR_DUPLICATE_OPTION, 1);
    expect_error("start a RAM=4K\n", INIT_CONFIG_ERR_UNKNOWN_OPTION, 1);
    expect_error("start a\t\n", INIT_CONFIG_ERR_TRAILING_TEXT, 1);
    expect_error("start aB\n", INIT_CONFIG_ERR_TRAILING_TEXT, 1);

    expect_error("start a\nstart b\n\nstart a\n", INIT_CONFIG_ERR_DUPLICATE_CHILD, 4);
    expect_error("start a\r\nstart a # again\r\n", INIT_CONFIG_ERR_DUPLICATE_CHILD, 2);
}

/* The header promises the 1-based line of the problem on every error. */
static void test_not_text(void)
{
    expect_error_n("start a\nstart b\0\n", 16, INIT_CONFIG_ERR_NOT_TEXT, 2);    /* NUL  */
    expect_error("start a\n\x01\n", INIT_CONFIG_ERR_NOT_TEXT, 2);               /* 0x01 */
    expect_error("# \x7f\n", INIT_CONFIG_ERR_NOT_TEXT, 1);                       /* DEL  */
    expect_error("\n\n# caf\xc3\xa9\n", INIT_CONFIG_ERR_NOT_TEXT, 3);            /* >= 0x80 */
}

/* ---- property: random configs ---------------------------------------- */

/* Lines in the parser's sense: '\n'-separated, a last unterminated one counts. */
static size_t count_lines(const char *text, size_t length)
{
    size_t lines = 0;
    for (size_t i = 0; i < length; i++)
        lines += text[i] == '\n';
    return lines + (length > 0 && text[length - 1] != '\n');
}

static bool is_valid_child_name(const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length >= COMPONENT_NAME_MAX)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_'))
            return false;
    return true;
}

/*
 * Thousands of configs of text bytes only, built from directive-like
 * lines plus random edits: the verdict is always a named error; on error
 * the line lies within the text; on success every child name is valid
 * and distinct and there are at most INIT_CHILDREN_MAX of them.
 */
static void test_random_configs(void)
{
    static const char *const pieces[] = {
        "start a", "start b", "start c", "start hello", "start rom_reader", "start Hello",
        "start", "start a b", "# comment", "", "   ", "stop x", "start d # c", "start e#c",
        "  start f  ", "start nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "starts g"};
    static const char text_bytes[] = " #\t\r\nazAZ09_-";
    enum { CONFIGS = 3000 };
    uint64_t state = 0x1217;
    unsigned accepted = 0;
    for (unsigned n = 0; n < CONFIGS; n++) {
        char text[1024];
        size_t length = 0;
        size_t line_count = unit_prng_below(&state, 14);
        for (size_t l = 0; l < line_count; l++) {
            const char *piece = pieces[unit_prng_below(&state, sizeof pieces / sizeof pieces[0])];
            const char *end = unit_prng_below(&state, 4) == 0 ? "\r\n" : "\n";
            length += (size_t)snprintf(text + length, sizeof text - length, "%s%s", piece, end);
        }
        if (length > 0 && unit_prng_below(&state, 4) == 0)
            length--;                                   /* no final newline */
        for (size_t e = unit_prng_below(&state, 3); e > 0 && length > 0; e--)
            text[unit_prng_below(&state, length)] =
                text_bytes[unit_prng_below(&state, sizeof text_bytes - 1)];

        char shown[SHOWN_MAX];
        unit_escape(text, length, shown, sizeof shown);
        struct parse_result r = parse_exact(text, length);
        UNIT_CHECK(r.error >= INIT_CONFIG_OK && r.error < INIT_CONFIG_ERROR_COUNT &&
                       r.error != INIT_CONFIG_ERR_NOT_TEXT,
                   "random #%u: error %d for a text of text bytes \"%s\"", n, (int)r.error,
                   shown);
        if (r.error != INIT_CONFIG_OK) {
            UNIT_CHECK(r.line >= 1 && r.line <= count_lines(text, length),
                       "random #%u: %s at line %zu of %zu in \"%s\"", n,
                       init_config_error_name(r.error), r.line, count_lines(text, length),
                       shown);
            continue;
        }
        accepted++;
        bool names_valid = r.config.child_count <= INIT_CHILDREN_MAX;
        for (size_t i = 0; i < r.config.child_count && names_valid; i++) {
            names_valid = is_valid_child_name(r.config.child_name[i]);
            for (size_t j = 0; j < i; j++)
                names_valid = names_valid &&
                              strcmp(r.config.child_name[i], r.config.child_name[j]) != 0;
        }
        UNIT_CHECK(names_valid && r.line == 0,
                   "random #%u: accepted with an invalid, duplicate or excess child in \"%s\"",
                   n, shown);
    }
    UNIT_CHECK(accepted > CONFIGS / 10 && accepted < CONFIGS * 9 / 10,
               "random configs: %u of %d accepted; the generator should reach both verdicts",
               accepted, CONFIGS);
}

static void test_error_names(void)
{
    static const char *const names[INIT_CONFIG_ERROR_COUNT] = {
        "INIT_CONFIG_OK",
        "INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE",
        "INIT_CONFIG_ERR_MISSING_NAME",
        "INIT_CONFIG_ERR_BAD_NAME",
        "INIT_CONFIG_ERR_TRAILING_TEXT",
        "INIT_CONFIG_ERR_DUPLICATE_CHILD",
        "INIT_CONFIG_ERR_TOO_MANY_CHILDREN",
        "INIT_CONFIG_ERR_NOT_TEXT",
        "INIT_CONFIG_ERR_UNKNOWN_OPTION",
        "INIT_CONFIG_ERR_BAD_SERVICE",
        "INIT_CONFIG_ERR_DUPLICATE_ROUTE",
        "INIT_CONFIG_ERR_TOO_MANY_ROUTES",
        "INIT_CONFIG_ERR_UNKNOWN_CHILD",
        "INIT_CONFIG_ERR_BAD_QUOTA",
        "INIT_CONFIG_ERR_DUPLICATE_OPTION",
    };
    for (int e = 0; e < INIT_CONFIG_ERROR_COUNT; e++)
        UNIT_CHECK_STR(init_config_error_name((enum init_config_error)e), names[e],
                       "init_config_error_name");
    UNIT_CHECK_STR(init_config_error_name(INIT_CONFIG_ERROR_COUNT), "INIT_CONFIG_ERR_UNKNOWN",
                   "init_config_error_name(count)");
    UNIT_CHECK_STR(init_config_error_name((enum init_config_error)-1), "INIT_CONFIG_ERR_UNKNOWN",
                   "init_config_error_name(-1)");
}

int main(void)
{
    test_valid();
    test_limits();
    test_errors();
    test_not_text();
    test_random_configs();
    test_error_names();
    return unit_finish("unit_init_config");
}
