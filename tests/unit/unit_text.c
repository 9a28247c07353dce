/*
 * unit_text.c - the bounded text builder (framework/base/text.c,
 * duet/text.h).
 *
 * Log lines and messages are built with it everywhere in the framework,
 * often from values a client chose, so its one promise matters: it never
 * writes past its buffer, always leaves a NUL-terminated string, and says
 * (truncated) when it had to cut. Every buffer here is a heap block of
 * exactly the capacity given to text_init, so ASan reports a write of the
 * terminator one byte too far. Number formatting is checked at 0, 1 and
 * UINT64_MAX in decimal and hex, with and without room to spare.
 *
 * Build: text.c and string.c are compiled into this program. It defines
 * its own hal_panic (instead of hal_stub.c) so that the precondition
 * text_init(size 0) can be shown to panic: when armed, hal_panic jumps
 * back to the test; otherwise it prints and exits 1.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "duet/text.h"
#include "hal/world.h"
#include "unit_check.h"

static jmp_buf panic_return;
static bool panic_armed;

void hal_panic(const char *function, const char *reason)
{
    if (panic_armed) {
        panic_armed = false;
        longjmp(panic_return, 1);
    }
    fprintf(stderr, "FAIL: hal_panic in %s: %s\n", function, reason);
    exit(1);
}

/* A text over a heap buffer of exactly `size` bytes; free with text_free. */
static struct text text_new(size_t size)
{
    char *buffer = malloc(size);
    if (buffer == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(buffer, 'X', size);
    struct text text;
    text_init(&text, buffer, size);
    return text;
}

static void text_free(struct text *text) { free(text->data); }

/* The text holds exactly `expected` (and its NUL), truncated or not as said. */
static void expect_text(const struct text *text, const char *expected, bool truncated,
                        const char *what)
{
    UNIT_CHECK_STR(text->data, expected, what);
    UNIT_CHECK_U64(text->length, strlen(expected), what);
    UNIT_CHECK(text->length < text->size, "%s: length %zu not below size %zu", what,
               text->length, text->size);
    UNIT_CHECK(text->data[text->length] == '\0', "%s: no NUL at data[length]", what);
    UNIT_CHECK(text->truncated == truncated, "%s: truncated is %d, expected %d", what,
               text->truncated, truncated);
}

static void test_init(void)
{
    struct text text = text_new(4);
    expect_text(&text, "", false, "fresh text");
    text_free(&text);

    char one;
    panic_armed = true;
    if (setjmp(panic_return) == 0) {
        text_init(&text, &one, 0);
        panic_armed = false;
        UNIT_CHECK(false, "text_init with size 0 did not panic");
    } else {
        UNIT_CHECK(true, "text_init with size 0 panics");
    }
}

static void test_truncation_at_capacity(void)
{
    struct text text = text_new(8);   /* room for 7 characters */
    text_append(&text, "abcdefg");
    expect_text(&text, "abcdefg", false, "7 characters into capacity 8");
    text_append(&text, "");
    expect_text(&text, "abcdefg", false, "appending nothing when full");
    text_append(&text, "h");
    expect_text(&text, "abcdefg", true, "one character past capacity");
    text_append(&text, "");
    expect_text(&text, "abcdefg", true, "truncation is sticky");
    text_free(&text);

    text = text_new(8);
    text_append(&text, "abcdefgh");
    expect_text(&text, "abcdefg", true, "8 characters into capacity 8");
    text_free(&text);

    text = text_new(8);
    text_append(&text, "abc");
    text_append(&text, "defg");
    expect_text(&text, "abcdefg", false, "two appends filling capacity exactly");
    text_free(&text);

    text = text_new(8);
    text_append(&text, "abcde");
    text_append(&text, "fghij");
    expect_text(&text, "abcdefg", true, "second append cut to the room left");
    text_free(&text);

    text = text_new(1);               /* room for the NUL only */
    text_append(&text, "");
    expect_text(&text, "", false, "capacity 1, empty append");
    text_append(&text, "x");
    expect_text(&text, "", true, "capacity 1, one character");
    text_free(&text);

    text = text_new(6);
    text_append_bytes(&text, "ab\0cd", 5);   /* bytes, not a string: NUL copied as is */
    UNIT_CHECK(text.length == 5 && memcmp(text.data, "ab\0cd", 6) == 0,
               "append_bytes copies exactly len bytes and terminates");
    text_append_bytes(&text, "z", 0);
    UNIT_CHECK(!text.truncated, "append_bytes of 0 bytes when full does not truncate");
    text_append_bytes(&text, "z", 1);
    UNIT_CHECK(text.truncated && text.length == 5, "append_bytes past capacity truncates");
    text_free(&text);
}

struct number_case {
    uint64_t value;
    const char *decimal;
    const char *hex;
};

static void test_numbers(void)
{
    static const struct number_case cases[] = {
        {0, "0", "0x0"},
        {1, "1", "0x1"},
        {10, "10", "0xa"},
        {255, "255", "0xff"},
        {UINT64_MAX, "18446744073709551615", "0xffffffffffffffff"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct number_case *c = &cases[i];
        char what[80];

        /* Exactly enough room. */
        struct text text = text_new(strlen(c->decimal) + 1);
        text_append_u64(&text, c->value);
        snprintf(what, sizeof what, "u64 %s in an exact buffer", c->decimal);
        expect_text(&text, c->decimal, false, what);
        text_free(&text);

        text = text_new(strlen(c->hex) + 1);
        text_append_hex(&text, c->value);
        snprintf(what, sizeof what, "hex %s in an exact buffer", c->hex);
        expect_text(&text, c->hex, false, what);
        text_free(&text);

        /* One byte short: the leading characters survive, the flag is set. */
        char cut[32];
        text = text_new(strlen(c->decimal));
        text_append_u64(&text, c->value);
        snprintf(cut, sizeof cut, "%.*s", (int)strlen(c->decimal) - 1, c->decimal);
        snprintf(what, sizeof what, "u64 %s one byte short", c->decimal);
        expect_text(&text, cut, true, what);
        text_free(&text);

        text = text_new(strlen(c->hex));
        text_append_hex(&text, c->value);
        snprintf(cut, sizeof cut, "%.*s", (int)strlen(c->hex) - 1, c->hex);
        snprintf(what, sizeof what, "hex %s one byte short", c->hex);
        expect_text(&text, cut, true, what);
        text_free(&text);
    }

    struct text text = text_new(64);
    text_append(&text, "pd ");
    text_append_u64(&text, 42);
    text_append(&text, " at ");
    text_append_hex(&text, 0x1000);
    expect_text(&text, "pd 42 at 0x1000", false, "a mixed line");
    text_free(&text);
}

int main(void)
{
    test_init();
    test_truncation_at_capacity();
    test_numbers();
    return unit_finish("unit_text");
}
