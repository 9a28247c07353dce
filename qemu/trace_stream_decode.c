/*
 * trace_stream_decode.c - the serial trace stream's decoder (and, for
 * tests, its encoder), exactly per duet/trace_stream.h (version 2:
 * varints, an argument mask, time deltas).
 *
 * State (struct trace_stream_decoder):
 *   pending    a window of stream bytes; invariant: empty, or
 *              pending[0] == TRACE_STREAM_SYNC once pending_decode has
 *              looked at it (a leftover not starting with a sync byte is
 *              skipped as garbage). Bytes are taken in bulk, so a record
 *              and what follows it may share the window.
 *   resyncing  set by the error that lost sync (counted once), cleared by
 *              the next record that checks *and* is followed by a sync
 *              byte (or by the end of the line): an 8-bit check alone
 *              would take one false candidate in 256 inside the bytes
 *              being skipped; the look-ahead makes it one in ~65536.
 *   ended      set by END; everything after it is one AFTER_END error.
 *   closed     set by finish: a candidate short of bytes is truncated
 *              instead of waited for, and needs no look-ahead.
 * record_parse is pure: it answers OK (with the record's length), NEED
 * MORE, or the first error, from the window alone; each record is parsed
 * once per chunk that arrives while it is incomplete.
 * The encoder is the reference the tests hold the decoder against; the
 * guest's own writer is framework/platform/baremetal/trace_uart.c.
 */
#include "duet/trace_stream_decode.h"

#include <assert.h>
#include <string.h>

enum { VARINT_BYTES_MAX = TRACE_STREAM_VARINT_MAX, ARG_MASK_VALID = 0x0f };
_Static_assert(TRACE_STREAM_BLOB_MAX <= TRACE_RECORD_BLOB_MAX, "a stream blob fits a record");
_Static_assert(TRACE_STREAM_DECODE_WINDOW > TRACE_STREAM_RECORD_MAX + VARINT_BYTES_MAX + 1,
               "the longest record (a padded blob_len too) and its look-ahead byte fit");

static const char *const error_names[TRACE_STREAM_DECODE_ERROR_COUNT] = {
    [TRACE_STREAM_DECODE_OK] = "TRACE_STREAM_DECODE_OK",
    [TRACE_STREAM_ERR_GARBAGE] = "TRACE_STREAM_ERR_GARBAGE",
    [TRACE_STREAM_ERR_VARINT] = "TRACE_STREAM_ERR_VARINT",
    [TRACE_STREAM_ERR_FIELD_RANGE] = "TRACE_STREAM_ERR_FIELD_RANGE",
    [TRACE_STREAM_ERR_ARG_MASK] = "TRACE_STREAM_ERR_ARG_MASK",
    [TRACE_STREAM_ERR_BLOB_LENGTH] = "TRACE_STREAM_ERR_BLOB_LENGTH",
    [TRACE_STREAM_ERR_CHECKSUM] = "TRACE_STREAM_ERR_CHECKSUM",
    [TRACE_STREAM_ERR_UNKNOWN_CONTROL] = "TRACE_STREAM_ERR_UNKNOWN_CONTROL",
    [TRACE_STREAM_ERR_AFTER_END] = "TRACE_STREAM_ERR_AFTER_END",
    [TRACE_STREAM_ERR_TRUNCATED] = "TRACE_STREAM_ERR_TRUNCATED",
};

const char *trace_stream_decode_error_name(enum trace_stream_decode_error error)
{
    return (unsigned)error < TRACE_STREAM_DECODE_ERROR_COUNT ? error_names[error]
                                                             : "TRACE_STREAM_ERR_UNKNOWN";
}

/* ---- parsing one record from the window ----------------------------------- */

enum parse_status { PARSE_OK, PARSE_NEED_MORE, PARSE_ERROR };

struct parse_cursor {
    const uint8_t *bytes;
    size_t len;
    size_t at;
    enum parse_status status;           /* PARSE_OK while all went well */
    enum trace_stream_decode_error error;
};

static void parse_fail(struct parse_cursor *c, enum trace_stream_decode_error error)
{
    if (c->status == PARSE_OK) {
        c->status = PARSE_ERROR;
        c->error = error;
    }
}

static uint8_t parse_u8(struct parse_cursor *c)
{
    if (c->status != PARSE_OK)
        return 0;
    if (c->at >= c->len) {
        c->status = PARSE_NEED_MORE;
        return 0;
    }
    return c->bytes[c->at++];
}

/* Unsigned LEB128, at most 10 bytes, at most 64 bits. */
static uint64_t parse_varint(struct parse_cursor *c)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < VARINT_BYTES_MAX && c->status == PARSE_OK; i++) {
        uint8_t byte = parse_u8(c);
        if (c->status != PARSE_OK)
            return 0;
        if (i == VARINT_BYTES_MAX - 1 && byte > 1) {
            parse_fail(c, TRACE_STREAM_ERR_VARINT);   /* bit 64 or a continuation */
            return 0;
        }
        value |= (uint64_t)(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0)
            return value;
    }
    parse_fail(c, TRACE_STREAM_ERR_VARINT);
    return 0;
}

static uint16_t parse_u16_varint(struct parse_cursor *c)
{
    uint64_t value = parse_varint(c);
    if (value > UINT16_MAX)
        parse_fail(c, TRACE_STREAM_ERR_FIELD_RANGE);
    return (uint16_t)value;
}

/* Parses the record at bytes[0] (a sync byte): on PARSE_OK `out` holds it
 * (time_ns = the delta) and *out_len its length; on PARSE_ERROR
 * *out_error is the first thing wrong. */
static enum parse_status record_parse(const uint8_t *bytes, size_t len,
                                      struct trace_record *out, size_t *out_len,
                                      enum trace_stream_decode_error *out_error)
{
    assert(len >= 1 && bytes[0] == TRACE_STREAM_SYNC);
    struct parse_cursor c = {.bytes = bytes, .len = len, .at = 1, .status = PARSE_OK};
    memset(out, 0, sizeof *out);
    out->kind = parse_u16_varint(&c);
    out->pd = parse_u16_varint(&c);
    out->thread = parse_u16_varint(&c);
    out->time_ns = parse_varint(&c);
    uint8_t mask = parse_u8(&c);
    if ((mask & ~ARG_MASK_VALID) != 0)
        parse_fail(&c, TRACE_STREAM_ERR_ARG_MASK);
    for (int i = 0; i < TRACE_RECORD_ARGS; i++)
        if (mask & (1u << i))
            out->arg[i] = parse_varint(&c);
    uint64_t blob_len = parse_varint(&c);
    if (blob_len > TRACE_STREAM_BLOB_MAX)
        parse_fail(&c, TRACE_STREAM_ERR_BLOB_LENGTH);
    if (c.status == PARSE_OK && c.len - c.at < blob_len + 1)
        c.status = PARSE_NEED_MORE;
    if (c.status == PARSE_OK) {
        out->blob_len = (uint16_t)blob_len;
        memcpy(out->blob, bytes + c.at, blob_len);
        c.at += blob_len;
        uint8_t sum = 0;
        for (size_t i = 1; i < c.at; i++)
            sum = (uint8_t)(sum + bytes[i]);
        if (bytes[c.at] != (sum ^ TRACE_STREAM_CHECK_XOR))
            parse_fail(&c, TRACE_STREAM_ERR_CHECKSUM);
        c.at++;
    }
    *out_len = c.at;
    *out_error = c.error;
    return c.status;
}

/* ---- the window ----------------------------------------------------------- */

void trace_stream_decoder_init(struct trace_stream_decoder *decoder)
{
    memset(decoder, 0, sizeof *decoder);
}

/* Counts an error and fills the item. */
static bool error_report(struct trace_stream_decoder *decoder,
                         enum trace_stream_decode_error error, uint64_t offset,
                         struct trace_stream_item *out_item)
{
    assert(error != TRACE_STREAM_DECODE_OK && error < TRACE_STREAM_DECODE_ERROR_COUNT);
    if (decoder->errors == 0) {
        decoder->first_error = error;
        decoder->first_error_offset = offset;
    }
    decoder->error_count[error]++;
    decoder->errors++;
    memset(out_item, 0, sizeof *out_item);
    out_item->kind = TRACE_STREAM_ITEM_ERROR;
    out_item->error = error;
    out_item->offset = offset;
    return true;
}

/* Drops pending[0] and everything up to the next sync byte in the window;
 * the error is reported (true) unless an episode is already counted. */
static bool pending_drop(struct trace_stream_decoder *decoder,
                         enum trace_stream_decode_error error,
                         struct trace_stream_item *out_item)
{
    assert(decoder->pending_len > 0);
    uint64_t offset = decoder->offset - decoder->pending_len;
    size_t drop = 1;
    while (drop < decoder->pending_len && decoder->pending[drop] != TRACE_STREAM_SYNC)
        drop++;
    memmove(decoder->pending, decoder->pending + drop, decoder->pending_len - drop);
    decoder->pending_len -= drop;
    decoder->bytes_skipped += drop;
    bool report = !decoder->resyncing;
    decoder->resyncing = true;
    return report && error_report(decoder, error, offset, out_item);
}

static bool control_known(uint16_t kind)
{
    return kind == TRACE_STREAM_HELLO || kind == TRACE_STREAM_INPUT_REQUEST ||
           kind == TRACE_STREAM_FAILURE_TEXT || kind == TRACE_STREAM_END;
}

/* A record that checks: out of the window, into an item. */
static enum trace_stream_item_kind pending_accept(struct trace_stream_decoder *decoder,
                                                  const struct trace_record *record,
                                                  size_t record_len,
                                                  struct trace_stream_item *out_item)
{
    assert(record_len <= decoder->pending_len);
    uint64_t record_offset = decoder->offset - decoder->pending_len;
    memmove(decoder->pending, decoder->pending + record_len, decoder->pending_len - record_len);
    decoder->pending_len -= record_len;
    decoder->resyncing = false;
    decoder->time_ns += record->time_ns;   /* the record carries its delta */

    memset(out_item, 0, sizeof *out_item);
    out_item->record = *record;
    out_item->record.time_ns = decoder->time_ns;
    out_item->offset = record_offset;
    if (record->kind < TRACE_STREAM_CONTROL_FIRST) {
        decoder->events++;
        out_item->kind = TRACE_STREAM_ITEM_EVENT;
        return out_item->kind;
    }
    if (!control_known(record->kind)) {
        /* The record checks, so sync is not lost: one error, no episode. */
        error_report(decoder, TRACE_STREAM_ERR_UNKNOWN_CONTROL, record_offset, out_item);
        return TRACE_STREAM_ITEM_ERROR;
    }
    decoder->controls++;
    if (record->kind == TRACE_STREAM_END)
        decoder->ended = true;
    out_item->kind = TRACE_STREAM_ITEM_CONTROL;
    return out_item->kind;
}

/* Bytes in the window after END. */
static enum trace_stream_item_kind pending_after_end(struct trace_stream_decoder *decoder,
                                                     struct trace_stream_item *out_item)
{
    uint64_t offset = decoder->offset - decoder->pending_len;
    decoder->bytes_skipped += decoder->pending_len;
    decoder->pending_len = 0;
    if (decoder->error_count[TRACE_STREAM_ERR_AFTER_END] == 0 &&
        error_report(decoder, TRACE_STREAM_ERR_AFTER_END, offset, out_item))
        return TRACE_STREAM_ITEM_ERROR;
    return TRACE_STREAM_ITEM_NONE;
}

/* Decodes from the window: an item, or NONE when it needs more bytes (or,
 * closed, when it is empty). */
static enum trace_stream_item_kind pending_decode(struct trace_stream_decoder *decoder,
                                                  struct trace_stream_item *out_item)
{
    /* Every round accepts, returns, or drops at least one byte. */
    for (size_t round = 0; round <= TRACE_STREAM_DECODE_WINDOW; round++) {
        if (decoder->pending_len == 0)
            return TRACE_STREAM_ITEM_NONE;
        if (decoder->ended)
            return pending_after_end(decoder, out_item);
        if (decoder->pending[0] != TRACE_STREAM_SYNC) {
            if (pending_drop(decoder, TRACE_STREAM_ERR_GARBAGE, out_item))
                return TRACE_STREAM_ITEM_ERROR;
            continue;
        }
        struct trace_record record;
        size_t record_len = 0;
        enum trace_stream_decode_error error = TRACE_STREAM_DECODE_OK;
        enum parse_status status =
            record_parse(decoder->pending, decoder->pending_len, &record, &record_len, &error);
        if (status == PARSE_NEED_MORE && !decoder->closed) {
            assert(decoder->pending_len < sizeof decoder->pending);
            return TRACE_STREAM_ITEM_NONE;
        }
        if (status == PARSE_NEED_MORE)
            error = TRACE_STREAM_ERR_TRUNCATED;
        if (status == PARSE_OK && decoder->resyncing) {
            /* Look-ahead: a true record is followed by the next one's sync. */
            if (decoder->pending_len == record_len && !decoder->closed)
                return TRACE_STREAM_ITEM_NONE;
            if (decoder->pending_len > record_len &&
                decoder->pending[record_len] != TRACE_STREAM_SYNC) {
                status = PARSE_ERROR;
                error = TRACE_STREAM_ERR_CHECKSUM;
            }
        }
        if (status == PARSE_OK)
            return pending_accept(decoder, &record, record_len, out_item);
        if (pending_drop(decoder, error, out_item))
            return TRACE_STREAM_ITEM_ERROR;
    }
    assert(!"pending_decode made no progress");
    return TRACE_STREAM_ITEM_NONE;
}

/* Takes input bytes into the window (*out_taken >= 1): garbage before a
 * sync byte is skipped without being buffered. */
static enum trace_stream_item_kind bytes_take(struct trace_stream_decoder *decoder,
                                              const uint8_t *bytes, size_t len,
                                              size_t *out_taken,
                                              struct trace_stream_item *out_item)
{
    assert(len > 0 && decoder->pending_len < sizeof decoder->pending);
    if (decoder->pending_len == 0 && !decoder->ended) {
        size_t garbage = 0;
        while (garbage < len && bytes[garbage] != TRACE_STREAM_SYNC)
            garbage++;
        if (garbage > 0) {
            uint64_t offset = decoder->offset;
            *out_taken = garbage;
            decoder->offset += garbage;
            decoder->bytes_skipped += garbage;
            bool report = !decoder->resyncing;
            decoder->resyncing = true;
            if (report && error_report(decoder, TRACE_STREAM_ERR_GARBAGE, offset, out_item))
                return TRACE_STREAM_ITEM_ERROR;
            return TRACE_STREAM_ITEM_NONE;
        }
    }
    size_t room = sizeof decoder->pending - decoder->pending_len;
    size_t take = room < len ? room : len;
    memcpy(decoder->pending + decoder->pending_len, bytes, take);
    decoder->pending_len += take;
    decoder->offset += take;
    *out_taken = take;
    return TRACE_STREAM_ITEM_NONE;
}

enum trace_stream_item_kind trace_stream_decode(struct trace_stream_decoder *decoder,
                                                const uint8_t *bytes, size_t len,
                                                size_t *out_consumed,
                                                struct trace_stream_item *out_item)
{
    assert(decoder != NULL && out_consumed != NULL && out_item != NULL);
    assert(bytes != NULL || len == 0);
    assert(!decoder->closed);
    size_t used = 0;
    /* Each round either returns or takes at least one byte. */
    for (;;) {
        enum trace_stream_item_kind kind = pending_decode(decoder, out_item);
        if (kind == TRACE_STREAM_ITEM_NONE && used < len) {
            size_t taken = 0;
            kind = bytes_take(decoder, bytes + used, len - used, &taken, out_item);
            assert(taken >= 1 && taken <= len - used);
            used += taken;
            if (kind == TRACE_STREAM_ITEM_NONE)
                continue;
        }
        *out_consumed = used;
        return kind;
    }
}

enum trace_stream_item_kind trace_stream_decode_finish(struct trace_stream_decoder *decoder,
                                                       struct trace_stream_item *out_item)
{
    assert(decoder != NULL && out_item != NULL);
    decoder->closed = true;
    return pending_decode(decoder, out_item);
}

/* ---- the reference encoder ------------------------------------------------ */

struct encode_cursor {
    uint8_t *out;
    size_t len;
    size_t at;
    bool full;
};

static void put_u8(struct encode_cursor *c, uint8_t byte)
{
    if (c->at < c->len)
        c->out[c->at++] = byte;
    else
        c->full = true;
}

static void put_varint(struct encode_cursor *c, uint64_t value)
{
    while (value >= 0x80) {
        put_u8(c, (uint8_t)(value | 0x80));
        value >>= 7;
    }
    put_u8(c, (uint8_t)value);
}

size_t trace_stream_encode(struct trace_stream_encoder *encoder, uint16_t kind, uint16_t pd,
                           uint16_t thread, uint64_t time_ns, const uint64_t arg[4],
                           const void *blob, size_t blob_len, uint8_t *out, size_t out_len)
{
    assert(encoder != NULL && out != NULL);
    if (blob_len > TRACE_STREAM_BLOB_MAX)
        return 0;
    struct encode_cursor c = {.out = out, .len = out_len};
    put_u8(&c, TRACE_STREAM_SYNC);
    put_varint(&c, kind);
    put_varint(&c, pd);
    put_varint(&c, thread);
    put_varint(&c, time_ns - encoder->last_time_ns);
    uint8_t mask = 0;
    for (int i = 0; i < 4; i++)
        mask |= (uint8_t)((arg != NULL && arg[i] != 0) << i);
    put_u8(&c, mask);
    for (int i = 0; i < 4; i++)
        if (mask & (1u << i))
            put_varint(&c, arg[i]);
    put_varint(&c, blob_len);
    for (size_t i = 0; i < blob_len; i++)
        put_u8(&c, ((const uint8_t *)blob)[i]);
    uint8_t sum = 0;
    for (size_t i = 1; i < c.at; i++)
        sum = (uint8_t)(sum + out[i]);
    put_u8(&c, sum ^ TRACE_STREAM_CHECK_XOR);
    if (c.full)
        return 0;
    encoder->last_time_ns = time_ns;
    return c.at;
}
