/*
 * trace_stream_decode.c - the serial trace stream's decoder (and, for
 * tests, its encoder), exactly per duet/trace_stream.h.
 *
 * State (struct trace_stream_decoder):
 *   pending    the bytes of the record being assembled; invariant: empty,
 *              or pending[0] == TRACE_STREAM_SYNC and pending_len is at
 *              most what the record needs (the header, then the header's
 *              blob_len + the check byte, + 1 while resyncing): bytes are
 *              taken only as needed, so a record never swallows the next
 *              one's start.
 *   resyncing  set by the error that lost sync (counted once), cleared by
 *              the next record that checks *and* is followed by a sync
 *              byte (or by the end of the stream): an 8-bit check alone
 *              would take one false candidate in 256 inside the bytes
 *              being skipped; the look-ahead makes it one in ~65536.
 *   ended      set by END; everything after it is one AFTER_END error.
 * The encoder is the reference the tests hold the decoder against; the
 * guest's own encoder lives in framework/platform/baremetal/.
 */
#include "duet/trace_stream_decode.h"

#include <assert.h>
#include <string.h>

/* Offsets inside one record. */
enum {
    FIELD_KIND = 1,
    FIELD_PD = 3,
    FIELD_THREAD = 5,
    FIELD_TIME = 7,
    FIELD_ARGS = 15,
    FIELD_BLOB_LEN = 47,
    FIELD_BLOB = 48,
};
_Static_assert(FIELD_BLOB == TRACE_STREAM_HEADER_BYTES, "the header ends where the blob starts");
_Static_assert(TRACE_STREAM_BLOB_MAX <= TRACE_RECORD_BLOB_MAX, "a stream blob fits a record");

static const char *const error_names[TRACE_STREAM_DECODE_ERROR_COUNT] = {
    [TRACE_STREAM_DECODE_OK] = "TRACE_STREAM_DECODE_OK",
    [TRACE_STREAM_ERR_GARBAGE] = "TRACE_STREAM_ERR_GARBAGE",
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

static uint16_t load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t load_u64(const uint8_t *p)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = value << 8 | p[i];
    return value;
}

static void store_u16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
}

static void store_u64(uint8_t *p, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

/* The check byte over record[1 .. end). */
static uint8_t stream_check(const uint8_t *record, size_t end)
{
    uint8_t sum = 0;
    for (size_t i = FIELD_KIND; i < end; i++)
        sum = (uint8_t)(sum + record[i]);
    return sum ^ TRACE_STREAM_CHECK_XOR;
}

void trace_stream_decoder_init(struct trace_stream_decoder *decoder)
{
    memset(decoder, 0, sizeof *decoder);
}

/* Counts an error and fills the item; false (nothing to report) while an
 * episode is already counted. */
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

/* pending[0] is not a sync byte: drops up to the next one. Reports
 * garbage unless resyncing. */
static bool pending_skip_garbage(struct trace_stream_decoder *decoder,
                                 struct trace_stream_item *out_item)
{
    uint64_t offset = decoder->offset - decoder->pending_len;
    size_t drop = 1;
    while (drop < decoder->pending_len && decoder->pending[drop] != TRACE_STREAM_SYNC)
        drop++;
    memmove(decoder->pending, decoder->pending + drop, decoder->pending_len - drop);
    decoder->pending_len -= drop;
    decoder->bytes_skipped += drop;
    bool report = !decoder->resyncing;
    decoder->resyncing = true;
    return report && error_report(decoder, TRACE_STREAM_ERR_GARBAGE, offset, out_item);
}

/* The pending candidate is bad: drop its sync byte and everything up to
 * the next sync byte inside it. Reports the error unless resyncing. */
static bool pending_reject(struct trace_stream_decoder *decoder,
                           enum trace_stream_decode_error error,
                           struct trace_stream_item *out_item)
{
    assert(decoder->pending_len > 0 && decoder->pending[0] == TRACE_STREAM_SYNC);
    uint64_t record_offset = decoder->offset - decoder->pending_len;
    size_t drop = 1;
    while (drop < decoder->pending_len && decoder->pending[drop] != TRACE_STREAM_SYNC)
        drop++;
    memmove(decoder->pending, decoder->pending + drop, decoder->pending_len - drop);
    decoder->pending_len -= drop;
    decoder->bytes_skipped += drop;
    bool report = !decoder->resyncing;
    decoder->resyncing = true;
    return report && error_report(decoder, error, record_offset, out_item);
}

static bool control_known(uint16_t kind)
{
    return kind == TRACE_STREAM_HELLO || kind == TRACE_STREAM_INPUT_REQUEST ||
           kind == TRACE_STREAM_END;
}

/* A whole record that checks: turn it into an item and empty `pending`. */
static enum trace_stream_item_kind pending_accept(struct trace_stream_decoder *decoder,
                                                  struct trace_stream_item *out_item)
{
    const uint8_t *p = decoder->pending;
    uint8_t blob_len = p[FIELD_BLOB_LEN];
    size_t total = TRACE_STREAM_HEADER_BYTES + blob_len + 1;
    assert(decoder->pending_len >= total);
    uint64_t record_offset = decoder->offset - decoder->pending_len;
    memset(out_item, 0, sizeof *out_item);
    struct trace_record *record = &out_item->record;
    record->kind = load_u16(p + FIELD_KIND);
    record->pd = load_u16(p + FIELD_PD);
    record->thread = load_u16(p + FIELD_THREAD);
    record->time_ns = load_u64(p + FIELD_TIME);
    for (int i = 0; i < 4; i++)
        record->arg[i] = load_u64(p + FIELD_ARGS + 8 * i);
    record->blob_len = blob_len;
    memcpy(record->blob, p + FIELD_BLOB, blob_len);
    out_item->offset = record_offset;
    /* The look-ahead sync byte, if taken, starts the next record; after a
     * reject more may be left (pending_decode sorts it out). */
    memmove(decoder->pending, decoder->pending + total, decoder->pending_len - total);
    decoder->pending_len -= total;
    decoder->resyncing = false;

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

/* Looks at `pending`: a finished item, or NONE when more bytes are needed
 * (then pending_len is below what the candidate needs). */
static enum trace_stream_item_kind pending_decode(struct trace_stream_decoder *decoder,
                                                  struct trace_stream_item *out_item)
{
    if (decoder->ended && decoder->pending_len > 0) {
        /* A look-ahead byte taken before END was seen. */
        uint64_t offset = decoder->offset - decoder->pending_len;
        decoder->bytes_skipped += decoder->pending_len;
        decoder->pending_len = 0;
        if (decoder->error_count[TRACE_STREAM_ERR_AFTER_END] == 0 &&
            error_report(decoder, TRACE_STREAM_ERR_AFTER_END, offset, out_item))
            return TRACE_STREAM_ITEM_ERROR;
        return TRACE_STREAM_ITEM_NONE;
    }
    for (size_t limit = 0; limit <= TRACE_STREAM_RECORD_MAX + 1; limit++) {
        if (decoder->pending_len > 0 && decoder->pending[0] != TRACE_STREAM_SYNC) {
            /* Left over behind a record accepted out of a rejected one's
             * bytes: skipped up to the next sync byte, as on the line. */
            if (pending_skip_garbage(decoder, out_item))
                return TRACE_STREAM_ITEM_ERROR;
            continue;
        }
        if (decoder->pending_len < TRACE_STREAM_HEADER_BYTES)
            return TRACE_STREAM_ITEM_NONE;
        uint8_t blob_len = decoder->pending[FIELD_BLOB_LEN];
        if (blob_len > TRACE_STREAM_BLOB_MAX) {
            if (pending_reject(decoder, TRACE_STREAM_ERR_BLOB_LENGTH, out_item))
                return TRACE_STREAM_ITEM_ERROR;
            continue;
        }
        size_t total = TRACE_STREAM_HEADER_BYTES + blob_len + 1;
        /* After a reject, `pending` may hold more than this candidate. */
        size_t wanted = total + (decoder->resyncing ? 1 : 0);
        if (decoder->pending_len < wanted)
            return TRACE_STREAM_ITEM_NONE;
        bool checks = decoder->pending[total - 1] == stream_check(decoder->pending, total - 1);
        if (checks && decoder->resyncing)
            checks = decoder->pending[total] == TRACE_STREAM_SYNC;
        if (!checks) {
            if (pending_reject(decoder, TRACE_STREAM_ERR_CHECKSUM, out_item))
                return TRACE_STREAM_ITEM_ERROR;
            continue;
        }
        return pending_accept(decoder, out_item);
    }
    /* Every reject drops at least one byte: the loop cannot get here. */
    assert(!"pending_decode made no progress");
    return TRACE_STREAM_ITEM_NONE;
}

/* Takes input bytes into the decoder; *out_taken >= 1 when len >= 1. May
 * report garbage or bytes after END. */
static enum trace_stream_item_kind bytes_take(struct trace_stream_decoder *decoder,
                                              const uint8_t *bytes, size_t len,
                                              size_t *out_taken,
                                              struct trace_stream_item *out_item)
{
    assert(len > 0);
    if (decoder->ended) {
        uint64_t offset = decoder->offset;
        *out_taken = len;
        decoder->offset += len;
        decoder->bytes_skipped += len;
        if (decoder->error_count[TRACE_STREAM_ERR_AFTER_END] == 0 &&
            error_report(decoder, TRACE_STREAM_ERR_AFTER_END, offset, out_item))
            return TRACE_STREAM_ITEM_ERROR;
        return TRACE_STREAM_ITEM_NONE;
    }
    if (decoder->pending_len == 0) {
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
    size_t need;
    if (decoder->pending_len < TRACE_STREAM_HEADER_BYTES)
        need = TRACE_STREAM_HEADER_BYTES - decoder->pending_len;
    else
        need = TRACE_STREAM_HEADER_BYTES + decoder->pending[FIELD_BLOB_LEN] + 1 +
               (decoder->resyncing ? 1 : 0) - decoder->pending_len;
    assert(need > 0 && decoder->pending_len + need <= sizeof decoder->pending);
    size_t take = need < len ? need : len;
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
    if (decoder->pending_len == 0 || decoder->ended)
        return pending_decode(decoder, out_item);
    /* While resyncing, the end of the line is as good a confirmation as a
     * following sync byte. */
    const uint8_t *p = decoder->pending;
    if (decoder->resyncing && decoder->pending_len >= TRACE_STREAM_HEADER_BYTES &&
        p[FIELD_BLOB_LEN] <= TRACE_STREAM_BLOB_MAX) {
        size_t total = TRACE_STREAM_HEADER_BYTES + p[FIELD_BLOB_LEN] + 1;
        if (decoder->pending_len == total && p[total - 1] == stream_check(p, total - 1))
            return pending_accept(decoder, out_item);
    }
    uint64_t record_offset = decoder->offset - decoder->pending_len;
    decoder->bytes_skipped += decoder->pending_len;
    decoder->pending_len = 0;
    if (decoder->resyncing)
        return TRACE_STREAM_ITEM_NONE;   /* part of the episode already counted */
    decoder->resyncing = true;
    error_report(decoder, TRACE_STREAM_ERR_TRUNCATED, record_offset, out_item);
    return TRACE_STREAM_ITEM_ERROR;
}

size_t trace_stream_encode(uint16_t kind, uint16_t pd, uint16_t thread, uint64_t time_ns,
                           const uint64_t arg[4], const void *blob, size_t blob_len,
                           uint8_t *out, size_t out_len)
{
    size_t total = TRACE_STREAM_HEADER_BYTES + blob_len + 1;
    if (blob_len > TRACE_STREAM_BLOB_MAX || out_len < total)
        return 0;
    out[0] = TRACE_STREAM_SYNC;
    store_u16(out + FIELD_KIND, kind);
    store_u16(out + FIELD_PD, pd);
    store_u16(out + FIELD_THREAD, thread);
    store_u64(out + FIELD_TIME, time_ns);
    for (int i = 0; i < 4; i++)
        store_u64(out + FIELD_ARGS + 8 * i, arg != NULL ? arg[i] : 0);
    out[FIELD_BLOB_LEN] = (uint8_t)blob_len;
    if (blob_len > 0)
        memcpy(out + FIELD_BLOB, blob, blob_len);
    out[total - 1] = stream_check(out, total - 1);
    return total;
}
