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
 * The 13 words and the previous hash are mixed in seven independent pairs:
 * each pair, keyed by its position, is multiplied to 128 bits and folded
 * (the low and high halves xored), the pairs are xored together, and two
 * more multiply-folds finish it, the previous hash entering once more, so
 * that one flipped input bit flips about half of the output bits. The
 * pairs do not depend on each other, so their multiplies overlap in the
 * CPU: the first version of this hash was a serial chain of 13 dependent
 * multiplies and cost 21 ns per event, half of an RPC round trip
 * (docs/PERFORMANCE.md).
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
};

_Static_assert(sizeof(struct trace_record) == HASH_RECORD_WORDS * 8,
               "the hash reads every byte of the record as whole words");
_Static_assert(TRACE_RECORD_BLOB_MAX % 8 == 0, "the blob is a whole number of words");
_Static_assert(3 + TRACE_RECORD_ARGS + HASH_BLOB_WORDS == HASH_RECORD_WORDS,
               "seq, time_ns, the packed ids, the args and the blob are all the words");

/* Odd 64-bit constants with well-spread bits, one per input word position
 * (and two for the finish), so that equal words in different fields mix
 * differently. Any fixed odd constants would do; these are the first
 * sixteen of a splitmix64 sequence from 0, written out so that they are
 * part of the format. */
static const uint64_t HASH_KEY[16] = {
    UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f5), UINT64_C(0x06c45d188009454f),
    UINT64_C(0xf88bb8a8724c81ed), UINT64_C(0x1b39896a51a8749b), UINT64_C(0x53cb9f0c747ea2eb),
    UINT64_C(0x2c829abe1f4532e1), UINT64_C(0xc584133ac916ab3d), UINT64_C(0x3ee5789041c98ac3),
    UINT64_C(0xf3b8488c368cb0a7), UINT64_C(0x657eecdd3cb13d09), UINT64_C(0xc2d326e0055bdef7),
    UINT64_C(0x8621a03fe0bbdb7b), UINT64_C(0x8e1f7555983aa92f), UINT64_C(0xb54e0f1600cc4d19),
    UINT64_C(0x84bb3f97971d80ab),
};

/* Multiply to 128 bits and fold: every output bit depends on every bit of
 * both factors. */
static uint64_t multiply_fold(uint64_t a, uint64_t b)
{
    unsigned __int128 product = (unsigned __int128)a * b;
    return (uint64_t)product ^ (uint64_t)(product >> 64);
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

uint64_t trace_hash_step(uint64_t hash, const struct trace_record *record)
{
    assert(record != NULL);
    assert(record->blob_len <= TRACE_RECORD_BLOB_MAX);

    /* The record's 13 words in field order, then the previous hash: 14
     * words, mixed in 7 independent pairs (no pair waits for another, so
     * the multiplies overlap), folded, and finished with two more. */
    uint64_t word[HASH_RECORD_WORDS + 1];
    word[0] = record->seq;
    word[1] = record->time_ns;
    word[2] = word_from_ids(record);
    for (unsigned i = 0; i < TRACE_RECORD_ARGS; i++)
        word[3 + i] = record->arg[i];
    for (unsigned i = 0; i < HASH_BLOB_WORDS; i++)
        word[3 + TRACE_RECORD_ARGS + i] = word_from_bytes(&record->blob[8 * i]);
    word[HASH_RECORD_WORDS] = hash;

    uint64_t folded = 0;
    for (unsigned pair = 0; pair < (HASH_RECORD_WORDS + 1) / 2; pair++)
        folded ^= multiply_fold(word[2 * pair] ^ HASH_KEY[2 * pair],
                                word[2 * pair + 1] ^ HASH_KEY[2 * pair + 1]);
    return multiply_fold(folded ^ HASH_KEY[14], multiply_fold(folded, HASH_KEY[15]) ^ hash);
}

void trace_hash_format(uint64_t hash, char out[19])
{
    assert(out != NULL);
    int written = snprintf(out, 19, "0x%016" PRIx64, hash);
    (void)written;
    assert(written == 18 && strlen(out) == 18);
}
