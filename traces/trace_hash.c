/*
 * trace_hash.c - the rolling hash over a run's records (trace_hash.h).
 *
 * One step folds one record into the running hash:
 *   hash_{n+1} = trace_hash_step(hash_n, &record_n), hash_0 = TRACE_HASH_SEED.
 * The record is read as the 13 little-endian 64-bit words its 104 bytes
 * make on a little-endian host. The words are built from the fields with
 * shifts, not by reinterpreting memory, so the value is the same on every
 * host and in every build, and does not depend on how the compiler lays
 * out the struct.
 *
 * Each word goes through a multiply-rotate round (the multiply carries low
 * input bits upward, the rotate brings high bits back down for the next
 * multiply), and the state gets a xorshift-multiply finish so that one
 * flipped input bit flips about half of the output bits. Every round is a
 * bijection of the state for a fixed word, so the previous hash is never
 * lost, only mixed.
 *
 * Not a cryptographic hash: it finds divergence, it does not resist forgery.
 * Not here: where hashes are kept (trace_recorder.c, trace_store_write.c).
 */
#include "duet/trace_hash.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum {
    HASH_RECORD_WORDS = 13,
    HASH_BLOB_WORDS = TRACE_RECORD_BLOB_MAX / 8,
    HASH_ROUND_ROTATE_BITS = 29,
};

_Static_assert(sizeof(struct trace_record) == HASH_RECORD_WORDS * 8,
               "the hash reads every byte of the record as whole words");
_Static_assert(TRACE_RECORD_BLOB_MAX % 8 == 0, "the blob is a whole number of words");
_Static_assert(3 + TRACE_RECORD_ARGS + HASH_BLOB_WORDS == HASH_RECORD_WORDS,
               "seq, time_ns, the packed ids, the args and the blob are all the words");

/* Odd 64-bit constants with well-spread bits (fractional parts of the golden
 * ratio, sqrt(2) and sqrt(3)); odd so that multiplying by them is a bijection. */
static const uint64_t HASH_MULTIPLIER_GOLDEN = UINT64_C(0x9e3779b97f4a7c15);
static const uint64_t HASH_MULTIPLIER_SQRT2 = UINT64_C(0x6a09e667f3bcc909);
static const uint64_t HASH_MULTIPLIER_SQRT3 = UINT64_C(0xbb67ae8584caa73b);

static uint64_t rotate_left(uint64_t value, unsigned bits)
{
    assert(bits > 0 && bits < 64);
    return (value << bits) | (value >> (64 - bits));
}

/* Little-endian word from 8 bytes, the same on every host. */
static uint64_t word_from_bytes(const uint8_t bytes[8])
{
    uint64_t word = 0;
    for (unsigned i = 0; i < 8; i++)
        word |= (uint64_t)bytes[i] << (8 * i);
    return word;
}

/* The four 16-bit fields as the one word they occupy in the record. */
static uint64_t word_from_ids(const struct trace_record *record)
{
    return (uint64_t)record->kind | (uint64_t)record->pd << 16 |
           (uint64_t)record->thread << 32 | (uint64_t)record->blob_len << 48;
}

static uint64_t hash_round(uint64_t state, uint64_t word)
{
    state ^= word * HASH_MULTIPLIER_SQRT3;
    return rotate_left(state, HASH_ROUND_ROTATE_BITS) * HASH_MULTIPLIER_GOLDEN;
}

static uint64_t hash_finish(uint64_t state)
{
    state ^= state >> 32;
    state *= HASH_MULTIPLIER_SQRT2;
    state ^= state >> 29;
    state *= HASH_MULTIPLIER_SQRT3;
    state ^= state >> 32;
    return state;
}

uint64_t trace_hash_step(uint64_t hash, const struct trace_record *record)
{
    assert(record != NULL);
    assert(record->blob_len <= TRACE_RECORD_BLOB_MAX);

    /* Word order is the field order; the static asserts above check that
     * these are all 13 words. */
    uint64_t state = hash;
    state = hash_round(state, record->seq);
    state = hash_round(state, record->time_ns);
    state = hash_round(state, word_from_ids(record));
    for (unsigned i = 0; i < TRACE_RECORD_ARGS; i++)
        state = hash_round(state, record->arg[i]);
    for (unsigned i = 0; i < HASH_BLOB_WORDS; i++)
        state = hash_round(state, word_from_bytes(&record->blob[8 * i]));
    return hash_finish(state);
}

void trace_hash_format(uint64_t hash, char out[19])
{
    assert(out != NULL);
    int written = snprintf(out, 19, "0x%016" PRIx64, hash);
    (void)written;
    assert(written == 18 && strlen(out) == 18);
}
