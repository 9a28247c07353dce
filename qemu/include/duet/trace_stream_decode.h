/*
 * trace_stream_decode.h - turning the bare-metal image's serial trace
 * (duet/trace_stream.h, version 2) back into records, a chunk of bytes at
 * a time.
 *
 * Call order:
 *   trace_stream_decoder_init(&decoder)
 *   trace_stream_decode(&decoder, bytes, len, &consumed, &item)   repeatedly:
 *       each call consumes bytes until one item is complete (returned) or
 *       the bytes run out (TRACE_STREAM_ITEM_NONE); call again with the
 *       rest (bytes + consumed) until it answers NONE.
 *   trace_stream_decode_finish(&decoder, &item)   when the line is closed,
 *       until it answers NONE: what is left is decoded without waiting
 *       for more; a record cut short is TRACE_STREAM_ERR_TRUNCATED.
 *
 * Items are events (kinds below 0xff00, for the trace recorder), control
 * records (HELLO, INPUT_REQUEST, END: for the runner, never stored) and
 * errors. Times are absolute: the decoder adds up the deltas of every
 * record that checks (controls too, as the guest counts them).
 * Losing sync is one error per episode: the error that lost it is
 * counted and returned once, then bytes are skipped (counted in
 * bytes_skipped) up to the next TRACE_STREAM_SYNC whose whole record
 * checks and is followed by another sync byte (or the end of the line);
 * candidates that fail while resyncing are part of the same episode.
 * A record lost also loses its time delta: times after an error are early
 * by it, one more reason a run with stream errors is not a pass.
 * Nothing here allocates or does I/O.
 */
#ifndef DUET_TRACE_STREAM_DECODE_H
#define DUET_TRACE_STREAM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/trace_record.h"
#include "duet/trace_stream.h"

enum trace_stream_decode_error {
    TRACE_STREAM_DECODE_OK = 0,
    TRACE_STREAM_ERR_GARBAGE,         /* bytes that do not start with a sync byte   */
    TRACE_STREAM_ERR_VARINT,          /* longer than 10 bytes or above 64 bits      */
    TRACE_STREAM_ERR_FIELD_RANGE,     /* kind, pd or thread above 16 bits           */
    TRACE_STREAM_ERR_ARG_MASK,        /* bits 4-7 of the argument mask set          */
    TRACE_STREAM_ERR_BLOB_LENGTH,     /* blob_len above TRACE_STREAM_BLOB_MAX       */
    TRACE_STREAM_ERR_CHECKSUM,        /* the check byte does not match              */
    TRACE_STREAM_ERR_UNKNOWN_CONTROL, /* a kind >= 0xff00 that is not a control    */
    TRACE_STREAM_ERR_AFTER_END,       /* bytes after the END record                 */
    TRACE_STREAM_ERR_TRUNCATED,       /* the line closed inside a record            */
    TRACE_STREAM_DECODE_ERROR_COUNT
};
const char *trace_stream_decode_error_name(enum trace_stream_decode_error error);

enum trace_stream_item_kind {
    TRACE_STREAM_ITEM_NONE = 0,       /* need more bytes                            */
    TRACE_STREAM_ITEM_EVENT,          /* record: an event (seq 0, set by recorder)  */
    TRACE_STREAM_ITEM_CONTROL,        /* record.kind is an enum trace_stream_control */
    TRACE_STREAM_ITEM_ERROR,          /* error, at stream offset `offset`           */
};

struct trace_stream_item {
    enum trace_stream_item_kind kind;
    struct trace_record record;       /* EVENT, CONTROL                             */
    enum trace_stream_decode_error error;   /* ERROR                                */
    uint64_t offset;                  /* stream offset of the record / the error    */
};

enum {
    TRACE_STREAM_CONTROL_FIRST = 0xff00,
    /* Room for the longest record (padded varints included) and the
     * bytes taken after it in one go. */
    TRACE_STREAM_DECODE_WINDOW = 2 * TRACE_STREAM_RECORD_MAX + 16,
};

struct trace_stream_decoder {
    uint8_t pending[TRACE_STREAM_DECODE_WINDOW];   /* the candidate and after */
    size_t pending_len;
    uint64_t offset;                  /* stream bytes consumed so far               */
    uint64_t time_ns;                 /* the last record's time (sum of deltas)     */
    bool resyncing;                   /* inside an error episode                    */
    bool ended;                       /* END was decoded                            */
    bool closed;                      /* trace_stream_decode_finish was called      */
    uint64_t events;
    uint64_t controls;
    uint64_t bytes_skipped;
    uint64_t error_count[TRACE_STREAM_DECODE_ERROR_COUNT];
    uint64_t errors;                  /* sum of error_count                         */
    enum trace_stream_decode_error first_error;
    uint64_t first_error_offset;
};

void trace_stream_decoder_init(struct trace_stream_decoder *decoder);

/* Consumes up to `len` bytes (*out_consumed tells how many) and returns the
 * first item completed, or TRACE_STREAM_ITEM_NONE once all are consumed. */
enum trace_stream_item_kind trace_stream_decode(struct trace_stream_decoder *decoder,
                                                const uint8_t *bytes, size_t len,
                                                size_t *out_consumed,
                                                struct trace_stream_item *out_item);

/* The line is closed: decodes what is left; call until NONE. */
enum trace_stream_item_kind trace_stream_decode_finish(struct trace_stream_decoder *decoder,
                                                       struct trace_stream_item *out_item);

/* The reference encoder (for tests and tools), as the guest writes:
 * times as deltas from the encoder's previous record. Returns the bytes
 * written, 0 if `out_len` is too small or blob_len too long. */
struct trace_stream_encoder {
    uint64_t last_time_ns;
};
size_t trace_stream_encode(struct trace_stream_encoder *encoder, uint16_t kind, uint16_t pd,
                           uint16_t thread, uint64_t time_ns, const uint64_t arg[4],
                           const void *blob, size_t blob_len, uint8_t *out, size_t out_len);

#endif
