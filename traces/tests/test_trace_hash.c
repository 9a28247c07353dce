/*
 * test_trace_hash.c - the rolling hash: pinned values (the same in every
 * build and on every host), every input bit matters, good avalanche, order
 * matters, and the text format.
 */
#include <stddef.h>
#include <string.h>

#include "duet/trace_hash.h"
#include "test_check.h"

/* A record with every field in use. */
static struct trace_record sample_record(void)
{
    struct trace_record record;
    memset(&record, 0, sizeof record);
    record.seq = 41;
    record.time_ns = UINT64_C(1234567890123);
    record.kind = 4;
    record.pd = 3;
    record.thread = 7;
    record.arg[0] = 1;
    record.arg[1] = UINT64_MAX;
    record.arg[2] = UINT64_C(0x8000000000000000);
    record.arg[3] = 0;
    record.blob_len = 11;
    memcpy(record.blob, "hello world", 11);
    return record;
}

static int bits_set(uint64_t value)
{
    int count = 0;
    for (; value != 0; value &= value - 1)
        count++;
    return count;
}

/* Values printed by this implementation once and pinned: a change here
 * invalidates every stored trace, so it must be deliberate. (Re-pinned
 * once, deliberately, when the serial 13-round hash was replaced by the
 * paired multiply-fold, 21 ns -> see docs/PERFORMANCE.md.) */
static void test_pinned_values(void)
{
    struct trace_record zero;
    memset(&zero, 0, sizeof zero);
    struct trace_record sample = sample_record();

    uint64_t zero_hash = trace_hash_step(TRACE_HASH_SEED, &zero);
    uint64_t sample_hash = trace_hash_step(TRACE_HASH_SEED, &sample);
    uint64_t chain_hash = trace_hash_step(sample_hash, &zero);
    if (getenv("TRACE_HASH_PRINT") != NULL)
        printf("zero 0x%016llx sample 0x%016llx chain 0x%016llx\n",
               (unsigned long long)zero_hash, (unsigned long long)sample_hash,
               (unsigned long long)chain_hash);
    CHECK(zero_hash == UINT64_C(0x3ab034dcd79e4364));
    CHECK(sample_hash == UINT64_C(0x73eff3e280660471));
    CHECK(chain_hash == UINT64_C(0x378dd6bb7dd6eba5));
}

/* Flips one bit of the record at a time (blob_len excepted: it is tried
 * with every other legal value) and checks the hash changes, and that on
 * average about half the output bits flip. */
static void test_every_bit_matters(void)
{
    const struct trace_record base = sample_record();
    const uint64_t base_hash = trace_hash_step(TRACE_HASH_SEED, &base);
    unsigned char base_bytes[sizeof base];
    memcpy(base_bytes, &base, sizeof base);
    const size_t blob_len_offset = offsetof(struct trace_record, blob_len);

    long flipped_bits_total = 0;
    int trials = 0;
    for (size_t byte = 0; byte < sizeof base; byte++) {
        if (byte == blob_len_offset || byte == blob_len_offset + 1)
            continue;
        for (int bit = 0; bit < 8; bit++) {
            unsigned char bytes[sizeof base];
            memcpy(bytes, base_bytes, sizeof bytes);
            bytes[byte] ^= (unsigned char)(1u << bit);
            struct trace_record changed;
            memcpy(&changed, bytes, sizeof changed);
            uint64_t hash = trace_hash_step(TRACE_HASH_SEED, &changed);
            CHECK(hash != base_hash);
            flipped_bits_total += bits_set(hash ^ base_hash);
            trials++;
        }
    }
    for (uint16_t blob_len = 0; blob_len <= TRACE_RECORD_BLOB_MAX; blob_len++) {
        struct trace_record changed = base;
        changed.blob_len = blob_len;
        CHECK((trace_hash_step(TRACE_HASH_SEED, &changed) == base_hash) ==
              (blob_len == base.blob_len));
    }
    CHECK(trials == (int)(sizeof base - 2) * 8);
    double mean = (double)flipped_bits_total / trials;
    CHECK(mean > 30.0 && mean < 34.0);
}

/* The previous hash matters, and so does the order of records. */
static void test_chain(void)
{
    struct trace_record first = sample_record();
    struct trace_record second = sample_record();
    second.seq = 42;

    CHECK(trace_hash_step(1, &first) != trace_hash_step(2, &first));
    uint64_t in_order = trace_hash_step(trace_hash_step(TRACE_HASH_SEED, &first), &second);
    uint64_t swapped = trace_hash_step(trace_hash_step(TRACE_HASH_SEED, &second), &first);
    CHECK(in_order != swapped);

    /* Low-entropy inputs (counters) still give distinct, well-spread hashes. */
    uint64_t hash = TRACE_HASH_SEED;
    uint64_t previous = hash;
    long bits_total = 0;
    struct trace_record counter;
    memset(&counter, 0, sizeof counter);
    for (uint64_t seq = 0; seq < 10000; seq++) {
        counter.seq = seq;
        hash = trace_hash_step(hash, &counter);
        CHECK(hash != previous);
        bits_total += bits_set(hash);
        previous = hash;
    }
    double mean_bits_set = (double)bits_total / 10000;
    CHECK(mean_bits_set > 31.0 && mean_bits_set < 33.0);
}

static void test_format(void)
{
    char text[19];
    trace_hash_format(UINT64_C(0x0123456789abcdef), text);
    CHECK(strcmp(text, "0x0123456789abcdef") == 0);
    trace_hash_format(0, text);
    CHECK(strcmp(text, "0x0000000000000000") == 0);
    trace_hash_format(UINT64_MAX, text);
    CHECK(strcmp(text, "0xffffffffffffffff") == 0);
}

int main(void)
{
    test_pinned_values();
    test_every_bit_matters();
    test_chain();
    test_format();
    printf("test_trace_hash: ok\n");
    return 0;
}
