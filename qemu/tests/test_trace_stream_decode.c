/*
 * test_trace_stream_decode.c - the trace stream decoder (version 2) against
 * streams built with the reference encoder: whole and in chunks of every
 * size, garbage before the first sync, corrupted records (checksum, blob
 * length, argument mask, sync byte, varints, field ranges), truncation,
 * unknown controls, bytes after END, random corruption (bounded by what an
 * 8-bit check can promise) and random bytes (never a crash, the counts
 * always add up).
 */
#include <stdio.h>
#include <string.h>

#include "duet/trace_stream_decode.h"
#include "test_check.h"

enum { STREAM_MAX = 1 << 16, ITEMS_MAX = 1024 };

struct decoded {
    size_t count;
    struct trace_stream_item items[ITEMS_MAX];
};

/* Feeds `bytes` in chunks of `chunk` (0: random sizes from `seed`). */
static void decode_all(const uint8_t *bytes, size_t len, size_t chunk, uint64_t seed,
                       bool finish, struct trace_stream_decoder *decoder, struct decoded *out)
{
    trace_stream_decoder_init(decoder);
    out->count = 0;
    size_t at = 0;
    while (at < len) {
        size_t take = chunk != 0 ? chunk : 1 + test_random_next(&seed) % 97;
        if (take > len - at)
            take = len - at;
        size_t used = 0;
        for (;;) {
            size_t consumed = 0;
            struct trace_stream_item item;
            enum trace_stream_item_kind kind =
                trace_stream_decode(decoder, bytes + at + used, take - used, &consumed, &item);
            CHECK(consumed <= take - used);
            used += consumed;
            if (kind == TRACE_STREAM_ITEM_NONE)
                break;
            CHECK(out->count < ITEMS_MAX);
            out->items[out->count++] = item;
        }
        CHECK(used == take);
        at += take;
    }
    struct trace_stream_item item;
    for (int round = 0; finish && round < 4; round++) {
        if (trace_stream_decode_finish(decoder, &item) == TRACE_STREAM_ITEM_NONE)
            break;
        CHECK(out->count < ITEMS_MAX);
        out->items[out->count++] = item;
    }
    if (finish)
        CHECK(trace_stream_decode_finish(decoder, &item) == TRACE_STREAM_ITEM_NONE);
    CHECK(decoder->offset == len);
}

struct stream {
    struct trace_stream_encoder encoder;
    uint8_t bytes[STREAM_MAX];
    size_t len;
    size_t record_start[ITEMS_MAX];
    uint64_t times[ITEMS_MAX];
    size_t records;
};

/* Where a record's blob_len byte is (blobs here are at most 48 bytes:
 * one varint byte). */
static size_t blob_len_offset(const struct stream *s, size_t index, size_t blob_len)
{
    size_t end = index + 1 < s->records ? s->record_start[index + 1] : s->len;
    return end - s->record_start[index] - 1 - blob_len - 1;
}

static void stream_add(struct stream *s, uint16_t kind, uint64_t a0, const char *blob)
{
    uint64_t args[4] = {a0, a0 * 3, ~a0, 0x0102030405060708u};
    size_t blob_len = blob != NULL ? strlen(blob) : 0;
    s->record_start[s->records++] = s->len;
    /* Times only grow: 1000 ns per record, plus a0 so that they differ. */
    uint64_t time_ns = s->encoder.last_time_ns + 1000 + a0 % 1000;
    size_t n = trace_stream_encode(&s->encoder, kind, (uint16_t)(a0 & 7), (uint16_t)(a0 % 11),
                                   time_ns, args, blob, blob_len, s->bytes + s->len,
                                   sizeof s->bytes - s->len);
    CHECK(n > blob_len + 7 && n <= TRACE_STREAM_RECORD_MAX);
    s->times[s->records - 1] = time_ns;
    s->len += n;
}

static void check_record(const struct trace_stream_item *item, enum trace_stream_item_kind kind,
                         uint16_t record_kind, uint64_t a0, uint64_t time_ns)
{
    CHECK(item->kind == kind);
    CHECK(item->record.kind == record_kind);
    CHECK(item->record.arg[0] == a0 && item->record.arg[1] == a0 * 3);
    CHECK(item->record.arg[2] == ~a0 && item->record.arg[3] == 0x0102030405060708u);
    CHECK(item->record.time_ns == time_ns);
    CHECK(item->record.pd == (a0 & 7) && item->record.thread == a0 % 11);
    CHECK(item->record.seq == 0);
}

/* HELLO, 49 events with blobs of 0..48 bytes, an input request, END. */
static void stream_typical(struct stream *s)
{
    memset(s, 0, sizeof *s);
    char blob[TRACE_STREAM_BLOB_MAX + 1];
    stream_add(s, TRACE_STREAM_HELLO, TRACE_STREAM_VERSION, NULL);
    for (unsigned i = 0; i <= TRACE_STREAM_BLOB_MAX; i++) {
        memset(blob, 'a' + (int)(i % 26), i);
        blob[i] = '\0';
        stream_add(s, (uint16_t)(1 + i % 35), i, blob);
    }
    stream_add(s, TRACE_STREAM_INPUT_REQUEST, 0, NULL);
    stream_add(s, 21, 0, NULL);
    stream_add(s, TRACE_STREAM_END, 0, NULL);
}

static void check_typical(const struct stream *s, const struct decoded *d)
{
    CHECK(d->count == 53);
    check_record(&d->items[0], TRACE_STREAM_ITEM_CONTROL, TRACE_STREAM_HELLO,
                 TRACE_STREAM_VERSION, s->times[0]);
    for (unsigned i = 0; i <= TRACE_STREAM_BLOB_MAX; i++) {
        const struct trace_stream_item *item = &d->items[1 + i];
        check_record(item, TRACE_STREAM_ITEM_EVENT, (uint16_t)(1 + i % 35), i, s->times[1 + i]);
        CHECK(item->record.blob_len == i);
        for (unsigned b = 0; b < i; b++)
            CHECK(item->record.blob[b] == 'a' + i % 26);
        for (unsigned b = i; b < TRACE_RECORD_BLOB_MAX; b++)
            CHECK(item->record.blob[b] == 0);
    }
    check_record(&d->items[50], TRACE_STREAM_ITEM_CONTROL, TRACE_STREAM_INPUT_REQUEST, 0,
                 s->times[50]);
    check_record(&d->items[51], TRACE_STREAM_ITEM_EVENT, 21, 0, s->times[51]);
    check_record(&d->items[52], TRACE_STREAM_ITEM_CONTROL, TRACE_STREAM_END, 0, s->times[52]);
}

static struct stream stream;
static struct decoded decoded;
static struct trace_stream_decoder decoder;

static void test_whole_and_chunked(void)
{
    stream_typical(&stream);
    size_t chunks[] = {0, 1, 2, 3, 7, 47, 48, 49, 97, 4096};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        decode_all(stream.bytes, stream.len, chunks[c], 42 + c, true, &decoder, &decoded);
        check_typical(&stream, &decoded);
        CHECK(decoder.errors == 0 && decoder.bytes_skipped == 0);
        CHECK(decoder.events == 50 && decoder.controls == 3 && decoder.ended);
        for (size_t i = 0; i < decoded.count; i++)
            CHECK(decoded.items[i].offset == stream.record_start[i]);
    }
}

static void test_garbage_first(void)
{
    static uint8_t bytes[STREAM_MAX];
    /* SeaBIOS-like noise, a lone sync byte and a stray 0xd5 in text. */
    const char noise[] = "booting...\r\n\xd5zz\xd5";
    memcpy(bytes, noise, sizeof noise - 1);
    stream_typical(&stream);
    memcpy(bytes + sizeof noise - 1, stream.bytes, stream.len);
    size_t len = sizeof noise - 1 + stream.len;
    for (size_t chunk = 0; chunk < 5; chunk++) {
        decode_all(bytes, len, chunk, 7, true, &decoder, &decoded);
        CHECK(decoded.count == 54);
        CHECK(decoded.items[0].kind == TRACE_STREAM_ITEM_ERROR);
        CHECK(decoded.items[0].error == TRACE_STREAM_ERR_GARBAGE);
        CHECK(decoded.items[0].offset == 0);
        CHECK(decoder.errors == 1 && decoder.error_count[TRACE_STREAM_ERR_GARBAGE] == 1);
        CHECK(decoder.bytes_skipped == sizeof noise - 1);
        CHECK(decoder.first_error == TRACE_STREAM_ERR_GARBAGE);
        struct decoded rest = decoded;
        memmove(rest.items, rest.items + 1, 53 * sizeof rest.items[0]);
        rest.count = 53;
        check_typical(&stream, &rest);
    }
}

/* Corrupts byte `offset` of record `index`; the record is lost, the rest
 * survive, one error of `expected`. */
static void check_one_corruption(size_t index, size_t offset, uint8_t value,
                                 enum trace_stream_decode_error expected)
{
    stream_typical(&stream);
    size_t at = stream.record_start[index] + offset;
    CHECK(stream.bytes[at] != value);
    stream.bytes[at] = value;
    uint8_t corrupted_bytes[STREAM_MAX];
    memcpy(corrupted_bytes, stream.bytes, stream.len);
    for (size_t chunk = 0; chunk < 3; chunk++) {
        decode_all(corrupted_bytes, stream.len, chunk, 99, true, &decoder, &decoded);
        CHECK(decoder.errors == 1);
        CHECK(decoder.error_count[expected] == 1);
        CHECK(decoded.count == 53);   /* 52 records and the error */
        size_t item = 0;
        for (size_t r = 0; r < stream.records; r++) {
            if (r == index) {
                CHECK(decoded.items[item].kind == TRACE_STREAM_ITEM_ERROR);
                CHECK(decoded.items[item].error == expected);
                CHECK(decoded.items[item].offset == stream.record_start[r]);
                item++;
                continue;
            }
            CHECK(decoded.items[item].kind != TRACE_STREAM_ITEM_ERROR);
            CHECK(decoded.items[item].offset == stream.record_start[r]);
            item++;
        }
        CHECK(decoder.bytes_skipped == stream.record_start[index + 1] - stream.record_start[index]);
    }
}

/* Hand-made records the encoder never writes. */
static void check_malformed(const uint8_t *bytes, size_t len,
                            enum trace_stream_decode_error expected)
{
    memset(&stream, 0, sizeof stream);
    memcpy(stream.bytes, bytes, len);
    stream.len = len;
    stream.records = 1;
    stream_add(&stream, 14, 5, "after");
    decode_all(stream.bytes, stream.len, 0, 3, true, &decoder, &decoded);
    CHECK(decoded.count == 2 && decoder.errors == 1 && decoder.error_count[expected] == 1);
    CHECK(decoded.items[0].kind == TRACE_STREAM_ITEM_ERROR && decoded.items[0].offset == 0);
    CHECK(decoded.items[1].kind == TRACE_STREAM_ITEM_EVENT);
    CHECK(decoded.items[1].offset == len && decoded.items[1].record.kind == 14);
}

static void test_corruption(void)
{
    /* The record before END: END, the last bytes, still comes out (at the
     * line's close, for want of a following sync byte). */
    stream_typical(&stream);
    check_one_corruption(51, stream.record_start[52] - stream.record_start[51] - 1, 0x42,
                         TRACE_STREAM_ERR_CHECKSUM);                        /* its check  */
    stream_typical(&stream);
    size_t record = 10;   /* event 9: a 9-byte blob */
    check_one_corruption(record, blob_len_offset(&stream, record, 9) + 3, 'Z',
                         TRACE_STREAM_ERR_CHECKSUM);                        /* the blob    */
    stream_typical(&stream);
    check_one_corruption(record, blob_len_offset(&stream, record, 9), 0x70,
                         TRACE_STREAM_ERR_BLOB_LENGTH);                     /* blob_len    */
    stream_typical(&stream);
    check_one_corruption(record, blob_len_offset(&stream, record, 9), 3,
                         TRACE_STREAM_ERR_CHECKSUM);                        /* shorter     */
    check_one_corruption(record, 6, 0x1f, TRACE_STREAM_ERR_ARG_MASK);      /* the mask    */
    check_one_corruption(3, 0, 0x00, TRACE_STREAM_ERR_GARBAGE);            /* the sync    */

    /* kind 0x1fffff: three varint bytes, above 16 bits. */
    const uint8_t wide_kind[] = {TRACE_STREAM_SYNC, 0xff, 0xff, 0x7f, 1, 1, 1, 0, 0, 0};
    check_malformed(wide_kind, sizeof wide_kind, TRACE_STREAM_ERR_FIELD_RANGE);
    /* A time delta of eleven varint bytes. */
    uint8_t long_varint[20] = {TRACE_STREAM_SYNC, 1, 1, 1};
    memset(long_varint + 4, 0x80, 11);
    check_malformed(long_varint, 15, TRACE_STREAM_ERR_VARINT);
    /* Ten bytes, the last above 1: more than 64 bits. */
    long_varint[13] = 0x02;
    check_malformed(long_varint, 14, TRACE_STREAM_ERR_VARINT);
}

static void test_truncation(void)
{
    stream_typical(&stream);
    size_t cut = stream.record_start[10] + 30;
    decode_all(stream.bytes, cut, 0, 5, false, &decoder, &decoded);
    CHECK(decoded.count == 10 && decoder.errors == 0);
    struct trace_stream_item item;
    CHECK(trace_stream_decode_finish(&decoder, &item) == TRACE_STREAM_ITEM_ERROR);
    CHECK(item.error == TRACE_STREAM_ERR_TRUNCATED && item.offset == stream.record_start[10]);
    CHECK(decoder.errors == 1 && decoder.bytes_skipped == 30);
    CHECK(trace_stream_decode_finish(&decoder, &item) == TRACE_STREAM_ITEM_NONE);
    /* Cut at a record boundary: nothing to report. */
    decode_all(stream.bytes, stream.record_start[10], 0, 5, true, &decoder, &decoded);
    CHECK(decoded.count == 10 && decoder.errors == 0);
}

static void test_unknown_control_and_after_end(void)
{
    memset(&stream, 0, sizeof stream);
    stream_add(&stream, TRACE_STREAM_HELLO, 1, NULL);
    stream_add(&stream, 0xff10, 4, NULL);
    stream_add(&stream, 14, 5, "line");
    stream_add(&stream, TRACE_STREAM_END, 0, NULL);
    const char tail[] = "after";
    memcpy(stream.bytes + stream.len, tail, 5);
    decode_all(stream.bytes, stream.len + 5, 3, 0, true, &decoder, &decoded);
    CHECK(decoded.count == 5);
    CHECK(decoded.items[1].kind == TRACE_STREAM_ITEM_ERROR);
    CHECK(decoded.items[1].error == TRACE_STREAM_ERR_UNKNOWN_CONTROL);
    check_record(&decoded.items[2], TRACE_STREAM_ITEM_EVENT, 14, 5, stream.times[2]);
    CHECK(decoded.items[4].kind == TRACE_STREAM_ITEM_ERROR);
    CHECK(decoded.items[4].error == TRACE_STREAM_ERR_AFTER_END);
    CHECK(decoded.items[4].offset == stream.len);
    CHECK(decoder.errors == 2 && decoder.bytes_skipped == 5);
}

/* Many records with seeded random payloads, some corrupted in one byte
 * anywhere after the sync. Every record that comes out is a true one at
 * its true offset, except when the 8-bit check is fooled: a corrupted
 * varint or blob_len on a stream in sync moves the check byte, which then
 * matches once in 256 (the look-ahead guards only candidates met while
 * resyncing). Those false records are bounded here, and each may hide at
 * most the few true records its claimed length covers. */
static void test_random_corruption(void)
{
    uint64_t seed = 2026;
    size_t corruptions = 0, false_records = 0, hidden = 0;
    for (int round = 0; round < 200; round++) {
        memset(&stream, 0, sizeof stream);
        bool corrupted[400] = {false};
        size_t records = 200 + test_random_next(&seed) % 200;
        for (size_t r = 0; r < records; r++) {
            char blob[TRACE_STREAM_BLOB_MAX + 1];
            size_t blob_len = test_random_next(&seed) % (TRACE_STREAM_BLOB_MAX + 1);
            for (size_t b = 0; b < blob_len; b++)
                blob[b] = (char)('!' + test_random_next(&seed) % 90);
            blob[blob_len] = '\0';
            stream_add(&stream, (uint16_t)(1 + r % 35), test_random_next(&seed) >> 20, blob);
        }
        for (size_t r = 1; r + 1 < records; r += 2 + test_random_next(&seed) % 9) {
            size_t len = stream.record_start[r + 1] - stream.record_start[r];
            size_t at = stream.record_start[r] + 1 + test_random_next(&seed) % (len - 1);
            uint8_t flip = (uint8_t)(1 + test_random_next(&seed) % 255);
            if ((stream.bytes[at] ^ flip) == TRACE_STREAM_SYNC)
                flip = flip == 0x80 ? 0x01 : flip ^ 0x80;   /* never 0: a real change */
            stream.bytes[at] ^= flip;
            corrupted[r] = true;
            corruptions++;
        }
        decode_all(stream.bytes, stream.len, 0, seed, true, &decoder, &decoded);
        size_t r = 0, true_records = 0;
        for (size_t i = 0; i < decoded.count; i++) {
            if (decoded.items[i].kind == TRACE_STREAM_ITEM_ERROR)
                continue;
            while (r < records && stream.record_start[r] < decoded.items[i].offset) {
                hidden += !corrupted[r];
                r++;
            }
            if (r < records && stream.record_start[r] == decoded.items[i].offset &&
                !corrupted[r]) {
                true_records++;
                r++;
                continue;
            }
            false_records++;
        }
        for (; r < records; r++)
            hidden += !corrupted[r];
        CHECK(decoder.events == true_records + (decoder.events - true_records));
        CHECK(decoder.errors >= 1);
    }
    fprintf(stderr, "random corruption: %zu corrupted records, %zu false records decoded, "
                    "%zu true records hidden by them\n", corruptions, false_records, hidden);
    CHECK(false_records * 64 <= corruptions);
    CHECK(hidden <= 3 * false_records);
}

static void test_random_bytes(void)
{
    uint64_t seed = 77;
    static uint8_t bytes[STREAM_MAX];
    for (int round = 0; round < 200; round++) {
        size_t len = test_random_next(&seed) % sizeof bytes;
        for (size_t i = 0; i < len; i++) {
            uint64_t r = test_random_next(&seed);
            bytes[i] = r % 5 == 0 ? TRACE_STREAM_SYNC : (uint8_t)(r >> 8);
        }
        struct decoded *d = &decoded;
        decode_all(bytes, len, 0, seed, true, &decoder, d);
        uint64_t errors = 0;
        for (int e = 0; e < TRACE_STREAM_DECODE_ERROR_COUNT; e++)
            errors += decoder.error_count[e];
        CHECK(errors == decoder.errors);
        CHECK(decoder.pending_len == 0);
        CHECK(decoder.bytes_skipped <= len);
    }
}

int main(void)
{
    CHECK(strcmp(trace_stream_decode_error_name(TRACE_STREAM_ERR_CHECKSUM),
                 "TRACE_STREAM_ERR_CHECKSUM") == 0);
    CHECK(strcmp(trace_stream_decode_error_name(99), "TRACE_STREAM_ERR_UNKNOWN") == 0);
    uint8_t small[8];
    struct trace_stream_encoder encoder = {0};
    uint64_t args[4] = {1, 2, 3, 4};
    CHECK(trace_stream_encode(&encoder, 1, 0, 0, 0, args, NULL, 0, small, sizeof small) == 0);
    CHECK(trace_stream_encode(&encoder, 1, 0, 0, 0, NULL, "x", 49, small, sizeof small) == 0);
    CHECK(trace_stream_encode(&encoder, 1, 0, 0, 5, NULL, NULL, 0, small, sizeof small) == 8);
    CHECK(encoder.last_time_ns == 5);
    /* sync, kind 1, pd 0, thread 0, delta 5, mask 0, blob_len 0, check */
    const uint8_t minimal[8] = {TRACE_STREAM_SYNC, 1, 0, 0, 5, 0, 0, (1 + 5) ^ 0x5a};
    CHECK(memcmp(small, minimal, 8) == 0);
    test_whole_and_chunked();
    test_garbage_first();
    test_corruption();
    test_truncation();
    test_unknown_control_and_after_end();
    test_random_corruption();
    test_random_bytes();
    printf("test_trace_stream_decode: ok\n");
    return 0;
}
