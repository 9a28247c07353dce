/*
 * unit_session_args.c - the strict session-argument grammar
 * (framework/base/session_args.c, duet/session_args.h).
 *
 * Servers run this parser on text a client chose, so it is a trust
 * boundary: every valid form must parse to exactly the pairs written,
 * every malformed one must be refused with its named error, and an error
 * must leave the output struct empty so a caller that forgets to check
 * cannot act on half a parse. The table tests pin each grammar rule and
 * limit (at and one past the limit); the property test feeds thousands of
 * seeded random strings, each in a heap block of exactly strlen+1 bytes so
 * ASan catches any read past the NUL, and compares every verdict with a
 * separately written reference recognizer of the grammar in the header.
 *
 * Build: session_args.c and string.c are compiled into this program with
 * hal_stub.c (hal_panic prints and exits 1); nothing else is needed, so
 * the test does not link the simulator.
 */
#include <stdlib.h>

#include "duet/session_args.h"
#include "unit_check.h"

/* ---- helpers ---------------------------------------------------------- */

static const struct session_args empty_args;

enum { SHOWN_MAX = 1024 };   /* room for an input text with every byte escaped */

/* Parses a heap copy of exactly strlen(text)+1 bytes into *out, which is
 * first filled with garbage so "left empty" is something the parser did. */
static enum session_args_error parse_exact(const char *text, struct session_args *out)
{
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(copy, text, size);
    memset(out, 0xa5, sizeof *out);
    enum session_args_error error = session_args_parse(copy, out);
    free(copy);
    return error;
}

static void expect_error(const char *text, enum session_args_error expected)
{
    struct session_args args;
    char shown[SHOWN_MAX];
    unit_escape(text, strlen(text), shown, sizeof shown);
    enum session_args_error error = parse_exact(text, &args);
    UNIT_CHECK(error == expected, "parse(\"%s\"): got %s, expected %s", shown,
               session_args_error_name(error), session_args_error_name(expected));
    UNIT_CHECK(memcmp(&args, &empty_args, sizeof args) == 0,
               "parse(\"%s\") returned %s but left the output non-empty (count %zu)", shown,
               session_args_error_name(error), args.count);
}

struct expected_pair {
    const char *key;
    const char *value;
};

static void expect_pairs(const char *text, const struct expected_pair *pairs, size_t count)
{
    struct session_args args;
    char shown[SHOWN_MAX];
    const char *text_shown = unit_escape(text, strlen(text), shown, sizeof shown);
    enum session_args_error error = parse_exact(text, &args);
    if (!UNIT_CHECK(error == SESSION_ARGS_OK, "parse(\"%s\"): got %s, expected OK", text_shown,
                    session_args_error_name(error)))
        return;
    UNIT_CHECK(args.count == count, "parse(\"%s\"): %zu pairs, expected %zu", text_shown,
               args.count, count);
    for (size_t i = 0; i < count && i < args.count; i++) {
        UNIT_CHECK(strcmp(args.arg[i].key, pairs[i].key) == 0,
                   "parse(\"%s\") pair %zu key \"%s\", expected \"%s\"", text_shown, i,
                   args.arg[i].key, pairs[i].key);
        UNIT_CHECK(strcmp(args.arg[i].value, pairs[i].value) == 0,
                   "parse(\"%s\") pair %zu value \"%s\", expected \"%s\"", text_shown, i,
                   args.arg[i].value, pairs[i].value);
        const char *found = session_args_find(&args, pairs[i].key);
        UNIT_CHECK(found != NULL && strcmp(found, pairs[i].value) == 0,
                   "find(\"%s\") in \"%s\" disagrees with pair %zu", pairs[i].key, text_shown, i);
    }
}

/* A string of `length` copies of `c`, in a caller buffer of size > length. */
static const char *repeat(char *buffer, char c, size_t length)
{
    memset(buffer, c, length);
    buffer[length] = '\0';
    return buffer;
}

/* ---- valid inputs ----------------------------------------------------- */

static void test_valid_inputs(void)
{
    expect_pairs("", NULL, 0);
    expect_pairs("ram_quota=4K", (struct expected_pair[]){{"ram_quota", "4K"}}, 1);
    expect_pairs("filename=config, ram_quota=4K",
                 (struct expected_pair[]){{"filename", "config"}, {"ram_quota", "4K"}}, 2);
    expect_pairs("label=\"init -> hello\", ram_quota=4K",
                 (struct expected_pair[]){{"label", "init -> hello"}, {"ram_quota", "4K"}}, 2);
    expect_pairs("a=1,b=2", (struct expected_pair[]){{"a", "1"}, {"b", "2"}}, 2);
    expect_pairs("a=1,   b=2,c=3",
                 (struct expected_pair[]){{"a", "1"}, {"b", "2"}, {"c", "3"}}, 3);
    expect_pairs("a=\"\"", (struct expected_pair[]){{"a", ""}}, 1);
    expect_pairs("v=Az09_.+-", (struct expected_pair[]){{"v", "Az09_.+-"}}, 1);
    expect_pairs("_k9=1", (struct expected_pair[]){{"_k9", "1"}}, 1);
    expect_pairs("_=x", (struct expected_pair[]){{"_", "x"}}, 1);
    /* Inside quotes: separators, '=', spaces and bytes >= 0x80 are plain value bytes. */
    expect_pairs("label=\"a=b, c\",x=1",
                 (struct expected_pair[]){{"label", "a=b, c"}, {"x", "1"}}, 2);
    expect_pairs("name=\"caf\xc3\xa9\"", (struct expected_pair[]){{"name", "caf\xc3\xa9"}}, 1);
    expect_pairs("a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8",
                 (struct expected_pair[]){{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"},
                                          {"e", "5"}, {"f", "6"}, {"g", "7"}, {"h", "8"}},
                 SESSION_ARGS_MAX);
}

/* Keys, values and the whole text at exactly their maximum length. */
static void test_exact_limits(void)
{
    char key[SESSION_ARG_KEY_MAX];
    char value[SESSION_ARG_VALUE_MAX];
    char text[SESSION_ARGS_TEXT_MAX + 8];
    repeat(key, 'k', SESSION_ARG_KEY_MAX - 1);
    repeat(value, 'v', SESSION_ARG_VALUE_MAX - 1);

    snprintf(text, sizeof text, "%s=%s", key, value);
    expect_pairs(text, (struct expected_pair[]){{key, value}}, 1);
    snprintf(text, sizeof text, "%s=\"%s\"", key, value);
    expect_pairs(text, (struct expected_pair[]){{key, value}}, 1);

    /* The longest text allowed: one maximal pair, then a pair that fills
     * the text to SESSION_ARGS_TEXT_MAX - 1 bytes. */
    char value3[SESSION_ARGS_TEXT_MAX];
    size_t first = (SESSION_ARG_KEY_MAX - 1) + 1 + (SESSION_ARG_VALUE_MAX - 1);
    size_t rest = SESSION_ARGS_TEXT_MAX - 1 - first - 3;   /* ",c=" */
    repeat(value3, 'w', rest);
    snprintf(text, sizeof text, "%s=%s,c=%s", key, value, value3);
    UNIT_CHECK_U64(strlen(text), SESSION_ARGS_TEXT_MAX - 1, "length of the longest valid text");
    expect_pairs(text, (struct expected_pair[]){{key, value}, {"c", value3}}, 2);
}

/* ---- named errors ----------------------------------------------------- */

static void test_syntax_errors(void)
{
    static const char *const malformed[] = {
        "ram_quota",           /* missing '='                         */
        "ram_quota4K",         /* missing '='                         */
        "ram-quota=4K",        /* '-' is not a key character          */
        "ram.quota=4K",        /* '.' is not a key character          */
        "Ram=1",               /* uppercase key                       */
        "RAM=1",               /* uppercase key                       */
        "rAm=1",               /* uppercase inside a key              */
        "1a=1",                /* key starting with a digit           */
        "=1",                  /* empty key                           */
        "a=",                  /* empty bare value                    */
        "a=\"abc",             /* unterminated quote                  */
        "a=\"",                /* unterminated quote, nothing inside  */
        "a=\"a\\\"b\"",        /* backslash inside quotes             */
        "a=\"a\\nb\"",         /* backslash inside quotes             */
        "a=\"a\tb\"",          /* control byte (tab) inside quotes    */
        "a=\"a\nb\"",          /* control byte (newline) inside quotes */
        "a=\"a\x01" "b\"",     /* control byte 0x01 inside quotes     */
        "a=\"a\x1f" "b\"",     /* control byte 0x1f inside quotes     */
        "a=\"a\x7f" "b\"",     /* DEL inside quotes                   */
        "a=1,",                /* trailing comma                      */
        "a=1, ",               /* trailing comma and space            */
        "a=1,,b=2",            /* double comma                        */
        "a=1, ,b=2",           /* double comma with a space between   */
        "a =1",                /* space before '='                    */
        "a= 1",                /* space after '='                     */
        "a=\"x\"y",            /* junk after a quoted value           */
        "a=\"x\" ,b=1",        /* space after a quoted value          */
        "a=\"x\"\"y\"",        /* two quoted values                   */
        "a=1 b=2",             /* missing comma                       */
        "a=1 ,b=2",            /* space before a comma                */
        "a=1;b=2",             /* wrong separator                     */
        " a=1",                /* leading space                       */
        "a=1 ",                /* trailing space                      */
        ",a=1",                /* leading comma                       */
        "a=$",                 /* '$' is not a bare value character   */
        "a=x y",               /* space inside a bare value           */
        "a=\xc3\xa9",          /* non-ASCII bare value                */
        "\xc3\xa9=1",          /* non-ASCII key                       */
        "a=1,\tb=2",           /* tab is not a separator space        */
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        expect_error(malformed[i], SESSION_ARGS_ERR_SYNTAX);
}

static void test_duplicate_key(void)
{
    expect_error("a=1,a=2", SESSION_ARGS_ERR_DUPLICATE_KEY);
    expect_error("a=1, b=2, a=\"x\"", SESSION_ARGS_ERR_DUPLICATE_KEY);
    expect_error("ram_quota=4K, ram_quota=4K", SESSION_ARGS_ERR_DUPLICATE_KEY);
}

static void test_too_long(void)
{
    char key[SESSION_ARG_KEY_MAX + 1];
    char value[SESSION_ARG_VALUE_MAX + 1];
    char text[2 * SESSION_ARGS_TEXT_MAX];
    repeat(key, 'k', SESSION_ARG_KEY_MAX);
    repeat(value, 'v', SESSION_ARG_VALUE_MAX);

    snprintf(text, sizeof text, "%s=1", key);
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);
    snprintf(text, sizeof text, "a=%s", value);
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);
    snprintf(text, sizeof text, "a=\"%s\"", value);
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);
    snprintf(text, sizeof text, "a=1, b=%s", value);   /* the second pair overflows */
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);

    /* The longest valid text of test_exact_limits plus one value byte. */
    char key_max[SESSION_ARG_KEY_MAX];
    char value_max[SESSION_ARG_VALUE_MAX], value3[SESSION_ARGS_TEXT_MAX];
    repeat(key_max, 'k', SESSION_ARG_KEY_MAX - 1);
    repeat(value_max, 'v', SESSION_ARG_VALUE_MAX - 1);
    size_t first = (SESSION_ARG_KEY_MAX - 1) + 1 + (SESSION_ARG_VALUE_MAX - 1);
    repeat(value3, 'w', SESSION_ARGS_TEXT_MAX - first - 3);
    snprintf(text, sizeof text, "%s=%s,c=%s", key_max, value_max, value3);
    UNIT_CHECK_U64(strlen(text), SESSION_ARGS_TEXT_MAX, "length of the first too-long text");
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);

    /* A long text is refused for its length before its bytes are judged. */
    repeat(text, '!', SESSION_ARGS_TEXT_MAX + 20);
    expect_error(text, SESSION_ARGS_ERR_TOO_LONG);
}

static void test_too_many(void)
{
    expect_error("a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9", SESSION_ARGS_ERR_TOO_MANY);
    expect_error("a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=\"nine\"",
                 SESSION_ARGS_ERR_TOO_MANY);
}

static void test_find_and_names(void)
{
    struct session_args args;
    UNIT_CHECK(parse_exact("ram_quota=4K, label=x", &args) == SESSION_ARGS_OK,
               "parse for find");
    UNIT_CHECK(session_args_find(&args, "ram") == NULL, "find: a key prefix is not a key");
    UNIT_CHECK(session_args_find(&args, "ram_quota_x") == NULL, "find: a longer key");
    UNIT_CHECK(session_args_find(&args, "missing") == NULL, "find: absent key");
    UNIT_CHECK(session_args_find(&args, "") == NULL, "find: empty key");
    UNIT_CHECK(session_args_find(&empty_args, "a") == NULL, "find in empty args");

    static const char *const names[SESSION_ARGS_ERROR_COUNT] = {
        "SESSION_ARGS_OK", "SESSION_ARGS_ERR_SYNTAX", "SESSION_ARGS_ERR_DUPLICATE_KEY",
        "SESSION_ARGS_ERR_TOO_LONG", "SESSION_ARGS_ERR_TOO_MANY"};
    for (int e = 0; e < SESSION_ARGS_ERROR_COUNT; e++)
        UNIT_CHECK_STR(session_args_error_name((enum session_args_error)e), names[e],
                       "session_args_error_name");
    static const int out_of_range[] = {SESSION_ARGS_ERROR_COUNT, SESSION_ARGS_ERROR_COUNT + 1,
                                       1000, -1};
    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++)
        UNIT_CHECK_STR(session_args_error_name((enum session_args_error)out_of_range[i]),
                       "SESSION_ARGS_ERR_UNKNOWN", "session_args_error_name(out of range)");
}

/* ---- property test against a reference recognizer --------------------- */

/*
 * The reference model: the header's grammar and limits, written as
 * directly as possible (find the pieces, then judge them), independent of
 * the scanner under test. Returns true and fills `model` iff the text is
 * valid; the error *kind* is not modelled, only valid vs invalid.
 */
static bool reference_is_key(const char *s, size_t n)
{
    if (n == 0 || n >= SESSION_ARG_KEY_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool reference_is_bare(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '+' || c == '-';
}

static bool reference_is_quoted_byte(unsigned char c)
{
    return c != '"' && c != '\\' && c >= 0x20 && c != 0x7f;
}

static bool reference_parse(const char *text, struct session_args *model)
{
    memset(model, 0, sizeof *model);
    size_t length = strlen(text);
    if (length >= SESSION_ARGS_TEXT_MAX)
        return false;
    size_t i = 0;
    while (i < length) {
        if (model->count > 0) {               /* "," " "* before every later pair */
            if (text[i] != ',')
                return false;
            i++;
            while (i < length && text[i] == ' ')
                i++;
        }
        size_t key_begin = i;
        while (i < length && text[i] != '=')
            i++;
        if (i == length || !reference_is_key(text + key_begin, i - key_begin))
            return false;
        size_t key_length = i - key_begin;
        i++;                                  /* '=' */
        size_t value_begin, value_length;
        if (i < length && text[i] == '"') {
            value_begin = ++i;
            while (i < length && reference_is_quoted_byte((unsigned char)text[i]))
                i++;
            if (i == length || text[i] != '"')
                return false;
            value_length = i - value_begin;
            i++;
        } else {
            value_begin = i;
            while (i < length && reference_is_bare((unsigned char)text[i]))
                i++;
            value_length = i - value_begin;
            if (value_length == 0)
                return false;
        }
        if (value_length >= SESSION_ARG_VALUE_MAX || model->count == SESSION_ARGS_MAX)
            return false;
        struct session_arg *arg = &model->arg[model->count];
        memcpy(arg->key, text + key_begin, key_length);
        memcpy(arg->value, text + value_begin, value_length);
        for (size_t k = 0; k < model->count; k++)
            if (strcmp(model->arg[k].key, arg->key) == 0)
                return false;
        model->count++;
    }
    return true;
}

static void append(char *buffer, size_t size, size_t *length, const char *piece)
{
    size_t n = strlen(piece);
    if (*length + n >= size)
        n = size - 1 - *length;
    memcpy(buffer + *length, piece, n);
    *length += n;
    buffer[*length] = '\0';
}

/* One of `good` most of the time, else one of `bad`. */
static const char *pick(uint64_t *state, const char *const *good, size_t good_count,
                        const char *const *bad, size_t bad_count)
{
    if (unit_prng_below(state, 10) != 0)
        return good[unit_prng_below(state, good_count)];
    return bad[unit_prng_below(state, bad_count)];
}

#define PICK(state, good, bad)                                                              \
    pick(state, good, sizeof good / sizeof good[0], bad, sizeof bad / sizeof bad[0])

/* Mostly grammatical text built from tokens, then sometimes a few byte edits. */
static void generate_tokens(uint64_t *state, char *buffer, size_t size)
{
    static const char *const good_keys[] = {"a", "b", "ram_quota", "label", "_x9",
                                            "kkkkkkkkkkkkkkk"};
    static const char *const bad_keys[] = {"kkkkkkkkkkkkkkkk", "A", "9a", "", "a-b", "a b"};
    static const char *const good_values[] = {
        "1", "4K", "x.y+z-", "\"init -> hello\"", "\"\"", "\"a=b, c\"", "\"\xc3\xa9\"",
        "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"};    /* 47 bytes: fits */
    static const char *const bad_values[] = {
        "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv",   /* 48 bytes: too long */
        "\"unterminated", "\"back\\slash\"", "", "$", "\"tab\t\""};
    static const char *const good_separators[] = {",", ", ", ",   "};
    static const char *const bad_separators[] = {",,", " ,", ";", "", " "};
    static const char edits[] = " \"\\=,\t\x01\x7f\x80" "Az9_";
    size_t length = 0;
    buffer[0] = '\0';
    size_t pairs = unit_prng_below(state, SESSION_ARGS_MAX + 3);
    for (size_t p = 0; p < pairs; p++) {
        if (p > 0)
            append(buffer, size, &length, PICK(state, good_separators, bad_separators));
        char unique_key[8];
        snprintf(unique_key, sizeof unique_key, "k%zu", p);
        bool use_unique_key = unit_prng_below(state, 2) != 0;
        append(buffer, size, &length,
               use_unique_key ? unique_key : PICK(state, good_keys, bad_keys));
        append(buffer, size, &length, unit_prng_below(state, 32) != 0 ? "=" : "");
        append(buffer, size, &length, PICK(state, good_values, bad_values));
    }
    size_t edit_count = unit_prng_below(state, 3) == 0 ? 1 + unit_prng_below(state, 3) : 0;
    for (size_t e = edit_count; e > 0 && length > 0; e--) {
        size_t at = unit_prng_below(state, length);
        bool from_edits = unit_prng_below(state, 2) != 0;
        buffer[at] = from_edits ? edits[unit_prng_below(state, sizeof edits - 1)]
                                : (char)(unit_prng_below(state, 255) + 1);
    }
}

/* Arbitrary non-NUL bytes; the NUL is added by the caller. */
static void generate_bytes(uint64_t *state, char *buffer, size_t size)
{
    size_t length = unit_prng_below(state, size);
    for (size_t i = 0; i < length; i++)
        buffer[i] = (char)(unit_prng_below(state, 255) + 1);
    buffer[length] = '\0';
}

static bool args_equal(const struct session_args *a, const struct session_args *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->arg[i].key, b->arg[i].key) != 0 ||
            strcmp(a->arg[i].value, b->arg[i].value) != 0)
            return false;
    return true;
}

static void check_one_random_text(const char *text, uint64_t seed, unsigned index)
{
    struct session_args args, model;
    char shown[SHOWN_MAX];
    const char *text_shown = unit_escape(text, strlen(text), shown, sizeof shown);
    enum session_args_error error = parse_exact(text, &args);
    bool model_valid = reference_parse(text, &model);
    UNIT_CHECK(error >= SESSION_ARGS_OK && error < SESSION_ARGS_ERROR_COUNT,
               "seed %" PRIu64 " #%u: error %d is not a named error", seed, index, (int)error);
    UNIT_CHECK((error == SESSION_ARGS_OK) == model_valid,
               "seed %" PRIu64 " #%u: parser says %s, reference says %s for \"%s\"", seed, index,
               session_args_error_name(error), model_valid ? "valid" : "invalid", text_shown);
    if (error == SESSION_ARGS_OK && model_valid)
        UNIT_CHECK(args_equal(&args, &model),
                   "seed %" PRIu64 " #%u: parsed pairs differ from the reference for \"%s\"",
                   seed, index, text_shown);
    if (error != SESSION_ARGS_OK)
        UNIT_CHECK(memcmp(&args, &empty_args, sizeof args) == 0,
                   "seed %" PRIu64 " #%u: %s left the output non-empty for \"%s\"", seed, index,
                   session_args_error_name(error), text_shown);
}

enum { RANDOM_TEXTS = 4000 };

static void test_random_texts(void)
{
    static const uint64_t seeds[] = {1, 2, 0xd0e7};
    unsigned accepted = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        uint64_t state = seeds[s];
        for (unsigned i = 0; i < RANDOM_TEXTS; i++) {
            char text[SESSION_ARGS_TEXT_MAX + 40];
            if (i % 2 == 0)
                generate_tokens(&state, text, sizeof text);
            else
                generate_bytes(&state, text, sizeof text);
            struct session_args model;
            accepted += reference_parse(text, &model);
            check_one_random_text(text, seeds[s], i);
        }
    }
    /* The generator must reach both verdicts, or the property says little. */
    UNIT_CHECK(accepted > RANDOM_TEXTS / 10, "only %u random texts were valid", accepted);
    UNIT_CHECK(accepted < RANDOM_TEXTS * 2, "%u random texts were valid: too few invalid",
               accepted);
}

int main(void)
{
    test_valid_inputs();
    test_exact_limits();
    test_syntax_errors();
    test_duplicate_key();
    test_too_long();
    test_too_many();
    test_find_and_names();
    test_random_texts();
    return unit_finish("unit_session_args");
}
