/*
 * unit_choice_stream.c - where every simulated choice comes from
 * (sim/choice_stream.c, declared in the sim-internal sim/sim_world.h).
 *
 * Replay and determinism rest on this stream: in seed mode the same seed
 * must give the same sequence and different seeds different ones, every
 * value must lie in [0, n) for small, odd and huge n, and the values must
 * be spread evenly enough that fault injection and scheduling explore
 * (a chi-square check, bound stated below). In byte mode (fuzzer input)
 * the stream consumes exactly as many little-endian bytes as the range
 * needs (1 for n <= 256, 2 for n <= 65536, ... 8), and once the bytes run
 * out every draw is 0, the canonical choice, without reading past the end:
 * the bytes are a heap block of exactly their length, so ASan would report
 * an overread.
 *
 * Build: links duet_sim (only choice_stream.o is pulled in) with sim/ on
 * the include path for the internal header.
 */
#include <stdlib.h>

#include "sim_world.h"
#include "unit_check.h"

static const uint64_t ranges[] = {2, 3, 7, 256, 257, (UINT64_C(1) << 32) + 1, UINT64_MAX};
enum { RANGE_COUNT = sizeof ranges / sizeof ranges[0] };

/* ---- seed mode -------------------------------------------------------- */

static void test_seed_mode_in_range(void)
{
    for (size_t r = 0; r < RANGE_COUNT; r++) {
        uint64_t n = ranges[r];
        struct choice_stream stream;
        choice_stream_init(&stream, 7 + r, NULL, 0);
        enum { DRAWS = 20000 };
        bool in_range = true;
        bool seen[257] = {false};
        uint64_t largest = 0;
        for (unsigned i = 0; i < DRAWS; i++) {
            uint64_t value = choice_stream_next(&stream, n);
            in_range = in_range && value < n;
            if (n <= 257 && value < n)
                seen[value] = true;
            if (value > largest)
                largest = value;
        }
        UNIT_CHECK(in_range, "seed mode: a value outside [0, %" PRIu64 ")", n);
        UNIT_CHECK_U64(stream.count, DRAWS, "seed mode: count of draws");
        if (n <= 257) {
            size_t distinct = 0;
            for (size_t v = 0; v < n; v++)
                distinct += seen[v];
            UNIT_CHECK(distinct == n, "seed mode: only %zu of the %" PRIu64
                       " values of [0, n) in %d draws", distinct, n, DRAWS);
        } else {
            /* The top half of a huge range is reached: all 64 bits are used. */
            UNIT_CHECK(largest >= n / 2, "seed mode: n = %" PRIu64 ", largest value %" PRIu64
                       " never reached the top half", n, largest);
        }
    }

    struct choice_stream one;
    choice_stream_init(&one, 99, NULL, 0);
    bool zero = true;
    for (int i = 0; i < 100; i++)
        zero = zero && choice_stream_next(&one, 1) == 0;
    UNIT_CHECK(zero, "seed mode: n = 1 always gives 0");
}

static void test_seed_mode_reproducible(void)
{
    static const uint64_t seeds[] = {0, 1, 0xdeadbeef, UINT64_MAX};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        struct choice_stream a, b;
        choice_stream_init(&a, seeds[s], NULL, 0);
        choice_stream_init(&b, seeds[s], NULL, 0);
        bool same = true;
        for (unsigned i = 0; i < 5000; i++) {
            uint64_t n = ranges[i % RANGE_COUNT];
            same = same && choice_stream_next(&a, n) == choice_stream_next(&b, n);
        }
        UNIT_CHECK(same, "seed %" PRIu64 ": two streams with the same seed diverged", seeds[s]);
    }

    static const uint64_t pairs[][2] = {{0, 1}, {1, 2}, {12345, 12346}, {0, UINT64_MAX}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        for (size_t r = 0; r < RANGE_COUNT; r++) {
            struct choice_stream a, b;
            choice_stream_init(&a, pairs[p][0], NULL, 0);
            choice_stream_init(&b, pairs[p][1], NULL, 0);
            unsigned differences = 0;
            for (unsigned i = 0; i < 64; i++)
                differences +=
                    choice_stream_next(&a, ranges[r]) != choice_stream_next(&b, ranges[r]);
            UNIT_CHECK(differences > 0, "seeds %" PRIu64 " and %" PRIu64
                       " give the same 64 draws for n = %" PRIu64, pairs[p][0], pairs[p][1],
                       ranges[r]);
        }
    }

    /* The documented generator is splitmix64 mapped by multiply-high. Its
     * first output for seed 0 is 0xe220a8397b1dcdaf; for n = 2^64 - 1 the
     * multiply-high of x >= 1 is x - 1. Pinned: every stored replay
     * depends on this exact sequence. */
    struct choice_stream zero;
    choice_stream_init(&zero, 0, NULL, 0);
    UNIT_CHECK_U64(choice_stream_next(&zero, UINT64_MAX), UINT64_C(0xe220a8397b1dcdae),
                   "seed 0, first draw for n = 2^64 - 1 (splitmix64 known answer)");
}

/*
 * Uniformity for n = 6 over 60000 draws (expected 10000 per value):
 * Pearson's chi-square with 5 degrees of freedom must lie in
 * (0.210, 20.515), the two 0.1% tails: below means suspiciously regular
 * (e.g. cycling), above means biased. The seeds are fixed, so the outcome
 * is deterministic; a correct generator fails a seed with odds ~0.2%.
 */
static void test_seed_mode_uniform(void)
{
    enum { SIDES = 6, DRAWS = 60000 };
    static const double chi_square_low = 0.210, chi_square_high = 20.515;
    static const uint64_t seeds[] = {1, 2, 42};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        struct choice_stream stream;
        choice_stream_init(&stream, seeds[s], NULL, 0);
        unsigned counts[SIDES] = {0};
        for (unsigned i = 0; i < DRAWS; i++) {
            uint64_t value = choice_stream_next(&stream, SIDES);
            if (value < SIDES)
                counts[value]++;
        }
        double expected = (double)DRAWS / SIDES, chi_square = 0;
        for (unsigned v = 0; v < SIDES; v++)
            chi_square += (counts[v] - expected) * (counts[v] - expected) / expected;
        UNIT_CHECK(chi_square > chi_square_low && chi_square < chi_square_high,
                   "seed %" PRIu64 ": chi-square %.3f for n = 6 outside (%.3f, %.3f); counts "
                   "%u %u %u %u %u %u", seeds[s], chi_square, chi_square_low, chi_square_high,
                   counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
    }
}

/* ---- byte mode -------------------------------------------------------- */

/* A heap copy of exactly `length` bytes (at least 1 allocated, so a
 * zero-length input is still byte mode, not NULL = seed mode). */
static void *checked_malloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static uint8_t *bytes_exact(const uint8_t *bytes, size_t length)
{
    uint8_t *copy = checked_malloc(length == 0 ? 1 : length);
    if (length > 0)
        memcpy(copy, bytes, length);
    return copy;
}

struct width_case {
    uint64_t range;
    size_t bytes;
};

static void test_byte_mode_widths(void)
{
    static const struct width_case cases[] = {
        {1, 1},
        {2, 1},
        {256, 1},
        {257, 2},
        {65536, 2},
        {65537, 3},
        {UINT64_C(1) << 24, 3},
        {(UINT64_C(1) << 24) + 1, 4},
        {UINT64_C(1) << 32, 4},
        {(UINT64_C(1) << 32) + 1, 5},
        {UINT64_C(1) << 56, 7},
        {(UINT64_C(1) << 56) + 1, 8},
        {UINT64_MAX, 8},
    };
    static const uint8_t input[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct width_case *c = &cases[i];
        uint8_t *bytes = bytes_exact(input, c->bytes);   /* exactly what it needs */
        struct choice_stream stream;
        choice_stream_init(&stream, 0, bytes, c->bytes);
        uint64_t little_endian = 0;
        for (size_t b = 0; b < c->bytes; b++)
            little_endian |= (uint64_t)input[b] << (8 * b);
        uint64_t value = choice_stream_next(&stream, c->range);
        char what[96];
        snprintf(what, sizeof what, "byte mode, n = %" PRIu64 ": bytes consumed", c->range);
        UNIT_CHECK_U64(stream.bytes_used, c->bytes, what);
        snprintf(what, sizeof what, "byte mode, n = %" PRIu64 ": value", c->range);
        UNIT_CHECK_U64(value, little_endian % c->range, what);
        snprintf(what, sizeof what, "byte mode, n = %" PRIu64 ": next draw, bytes spent",
                 c->range);
        UNIT_CHECK_U64(choice_stream_next(&stream, c->range), 0, what);
        free(bytes);
    }
}

static void test_byte_mode_sequence(void)
{
    static const uint8_t input[] = {0x05, 0x34, 0x12, 0xff, 200};
    uint8_t *bytes = bytes_exact(input, sizeof input);
    struct choice_stream s;
    choice_stream_init(&s, 12345, bytes, sizeof input);   /* the seed is ignored */
    UNIT_CHECK_U64(choice_stream_next(&s, 256), 0x05, "byte mode: one byte for n = 256");
    UNIT_CHECK_U64(s.bytes_used, 1, "byte mode: after a 1-byte draw");
    UNIT_CHECK_U64(choice_stream_next(&s, 65536), 0x1234, "byte mode: little-endian 2 bytes");
    UNIT_CHECK_U64(s.bytes_used, 3, "byte mode: after a 2-byte draw");
    UNIT_CHECK_U64(choice_stream_next(&s, 7), 0xff % 7, "byte mode: reduced mod n");
    UNIT_CHECK_U64(choice_stream_next(&s, 256), 200, "byte mode: last byte");
    UNIT_CHECK_U64(s.bytes_used, sizeof input, "byte mode: all bytes used");
    bool all_zero = true;
    for (unsigned i = 0; i < 1000; i++)
        all_zero = all_zero && choice_stream_next(&s, ranges[i % RANGE_COUNT]) == 0;
    UNIT_CHECK(all_zero, "byte mode: every draw after the bytes run out is 0");
    UNIT_CHECK_U64(s.bytes_used, sizeof input, "byte mode: bytes_used stays at the end");
    UNIT_CHECK_U64(s.count, 1004, "byte mode: every draw counts, spent or not");
    free(bytes);

    /* A draw that needs more bytes than remain gives 0 and ends the bytes:
     * the lone byte left is not used by a later, smaller draw either. */
    static const uint8_t three[] = {0x10, 0x20, 0x30};
    bytes = bytes_exact(three, sizeof three);
    choice_stream_init(&s, 0, bytes, sizeof three);
    UNIT_CHECK_U64(choice_stream_next(&s, 65536), 0x2010, "partial: first 2-byte draw");
    UNIT_CHECK_U64(choice_stream_next(&s, 65536), 0, "partial: 1 byte left, 2 needed");
    UNIT_CHECK_U64(s.bytes_used, sizeof three, "partial: the stream is spent");
    UNIT_CHECK_U64(choice_stream_next(&s, 256), 0, "partial: later 1-byte draw gives 0");
    free(bytes);

    bytes = bytes_exact(NULL, 0);
    choice_stream_init(&s, 0, bytes, 0);
    all_zero = true;
    for (unsigned i = 0; i < 100; i++)
        all_zero = all_zero && choice_stream_next(&s, ranges[i % RANGE_COUNT]) == 0;
    UNIT_CHECK(all_zero, "byte mode with no bytes: every draw is 0");
    UNIT_CHECK_U64(s.bytes_used, 0, "byte mode with no bytes: nothing used");
    free(bytes);

    /* Random fuzzer bytes: every value in range, never past the end. */
    enum { RANDOM_BYTES = 4099 };
    uint8_t *random = checked_malloc(RANDOM_BYTES);
    struct choice_stream source;
    choice_stream_init(&source, 2024, NULL, 0);
    for (size_t i = 0; i < RANDOM_BYTES; i++)
        random[i] = (uint8_t)choice_stream_next(&source, 256);
    choice_stream_init(&s, 0, random, RANDOM_BYTES);
    bool in_range = true;
    for (unsigned i = 0; i < 3000; i++) {
        uint64_t n = ranges[i % RANGE_COUNT];
        in_range = in_range && choice_stream_next(&s, n) < n;
    }
    UNIT_CHECK(in_range, "byte mode: random bytes give values in [0, n)");
    UNIT_CHECK_U64(s.bytes_used, RANDOM_BYTES, "byte mode: random bytes all used");
    free(random);
}

int main(void)
{
    test_seed_mode_in_range();
    test_seed_mode_reproducible();
    test_seed_mode_uniform();
    test_byte_mode_widths();
    test_byte_mode_sequence();
    return unit_finish("unit_choice_stream");
}
