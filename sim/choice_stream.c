/*
 * choice_stream.c - where every simulated choice comes from.
 *
 * Seed mode: a splitmix64 sequence (Steele, Lea, Flood 2014: a 64-bit
 * counter through a strong mixer; tiny, fast and well distributed) mapped
 * to [0, n) by multiply-high. Byte mode: the fuzzer's bytes, little-endian,
 * as few as the range needs (1 byte for n <= 256), reduced mod n; once the
 * bytes run out every choice is 0, the canonical choice, so short inputs
 * mean "run the default schedule".
 */
#include "sim_world.h"

#include <assert.h>

void choice_stream_init(struct choice_stream *stream, uint64_t seed, const uint8_t *bytes,
                        size_t bytes_len)
{
    *stream = (struct choice_stream){.state = seed, .bytes = bytes, .bytes_len = bytes_len};
}

static uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned bytes_for_range(uint64_t range)
{
    unsigned bytes = 1;
    for (uint64_t limit = 256; bytes < 8 && range > limit; limit <<= 8)
        bytes++;
    return bytes;
}

uint64_t choice_stream_next(struct choice_stream *stream, uint64_t range)
{
    assert(range >= 1);
    stream->count++;
    if (stream->bytes == NULL) {
        uint64_t x = splitmix64_next(&stream->state);
        return (uint64_t)(((unsigned __int128)x * range) >> 64);
    }
    unsigned need = bytes_for_range(range);
    if (stream->bytes_len - stream->bytes_used < need) {
        stream->bytes_used = stream->bytes_len;
        return 0;
    }
    uint64_t x = 0;
    for (unsigned i = 0; i < need; i++)
        x |= (uint64_t)stream->bytes[stream->bytes_used++] << (8 * i);
    return x % range;
}
