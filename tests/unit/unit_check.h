/*
 * unit_check.h - the few checking helpers every unit test here shares.
 *
 * A unit test is a plain host C program. Each check counts; a failing
 * check prints file:line, what was checked and the actual vs expected
 * values, and the test goes on so one run reports every failure. At the
 * end unit_finish prints exactly "<test name>: ok (<N> checks)" and
 * returns 0, or prints how many checks failed and returns 1. Printing is
 * capped (UNIT_FAILURES_PRINTED_MAX) so a property test that fails on
 * thousands of inputs still gives a readable log; the count stays exact.
 *
 * Also here: unit_escape, to print inputs with control bytes readably, and
 * a seeded PRNG for property tests (same seed, same inputs, every run).
 *
 * Header-only and test-only: the counters are per test program.
 */
#ifndef DUET_UNIT_CHECK_H
#define DUET_UNIT_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef UNIT_FAILURES_PRINTED_MAX
#define UNIT_FAILURES_PRINTED_MAX 40
#endif

struct unit_tally {
    unsigned long checks;
    unsigned long failures;
};

static struct unit_tally unit_tally;

/* Records one check; on failure prints the location and a formatted reason. */
static inline bool unit_check_at(bool passed, const char *file, int line,
                                 const char *format, ...) __attribute__((format(printf, 4, 5)));

static inline bool unit_check_at(bool passed, const char *file, int line,
                                 const char *format, ...)
{
    unit_tally.checks++;
    if (passed)
        return true;
    unit_tally.failures++;
    if (unit_tally.failures <= UNIT_FAILURES_PRINTED_MAX) {
        va_list args;
        va_start(args, format);
        fprintf(stderr, "%s:%d: FAIL: ", file, line);
        vfprintf(stderr, format, args);
        fputc('\n', stderr);
        va_end(args);
    } else if (unit_tally.failures == UNIT_FAILURES_PRINTED_MAX + 1) {
        fprintf(stderr, "(further failures are counted, not printed)\n");
    }
    return false;
}

/* UNIT_CHECK(condition, "printf format", args...): the reason is required. */
#define UNIT_CHECK(condition, ...) unit_check_at((condition), __FILE__, __LINE__, __VA_ARGS__)

#define UNIT_CHECK_U64(actual, expected, what)                                              \
    unit_check_u64_at((uint64_t)(actual), (uint64_t)(expected), (what), __FILE__, __LINE__)

#define UNIT_CHECK_STR(actual, expected, what)                                              \
    unit_check_str_at((actual), (expected), (what), __FILE__, __LINE__)

static inline bool unit_check_u64_at(uint64_t actual, uint64_t expected, const char *what,
                                     const char *file, int line)
{
    return unit_check_at(actual == expected, file, line,
                         "%s: got %" PRIu64 " (0x%" PRIx64 "), expected %" PRIu64 " (0x%" PRIx64
                         ")",
                         what, actual, actual, expected, expected);
}

static inline bool unit_check_str_at(const char *actual, const char *expected,
                                     const char *what, const char *file, int line)
{
    bool same = actual != NULL && strcmp(actual, expected) == 0;
    return unit_check_at(same, file, line, "%s: got \"%s\", expected \"%s\"", what,
                         actual == NULL ? "(NULL)" : actual, expected);
}

/* Writes bytes [text, text+length) into out[size] as a C-style literal body
 * (\t, \n, \", \\, \xNN for other non-printables); cuts with "..." if needed. */
static inline const char *unit_escape(const void *text, size_t length, char *out, size_t size)
{
    const unsigned char *bytes = text;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < length; i++) {
        char piece[8];
        unsigned char c = bytes[i];
        if (c == '\t')
            snprintf(piece, sizeof piece, "\\t");
        else if (c == '\n')
            snprintf(piece, sizeof piece, "\\n");
        else if (c == '\r')
            snprintf(piece, sizeof piece, "\\r");
        else if (c == '"' || c == '\\')
            snprintf(piece, sizeof piece, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            snprintf(piece, sizeof piece, "\\x%02x", c);
        else
            snprintf(piece, sizeof piece, "%c", c);
        size_t n = strlen(piece);
        if (used + n + 4 > size) {
            snprintf(out + used, size - used, "...");
            break;
        }
        memcpy(out + used, piece, n + 1);
        used += n;
    }
    return out;
}

/* splitmix64: the seeded, reproducible source of property-test inputs. */
static inline uint64_t unit_prng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A value in [0, n), n >= 1 (modulo bias is irrelevant for test inputs). */
static inline size_t unit_prng_below(uint64_t *state, size_t n)
{
    return (size_t)(unit_prng_next(state) % n);
}

/* Prints the one result line; the return value is main's exit status. */
static inline int unit_finish(const char *test_name)
{
    if (unit_tally.checks == 0) {
        fprintf(stderr, "%s: FAILED (no checks ran)\n", test_name);
        return 1;
    }
    if (unit_tally.failures != 0) {
        fprintf(stderr, "%s: FAILED (%lu of %lu checks failed)\n", test_name,
                unit_tally.failures, unit_tally.checks);
        return 1;
    }
    printf("%s: ok (%lu checks)\n", test_name, unit_tally.checks);
    return 0;
}

#endif
