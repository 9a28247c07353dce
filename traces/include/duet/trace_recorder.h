/*
 * trace_recorder.h - the in-memory side of tracing: number, hash, buffer.
 *
 * Call order:
 *   trace_recorder_init(rec, ring, capacity, sink, sink_ctx)
 *   trace_recorder_append(rec, &record)   ... once per event
 *   trace_recorder_flush(rec)             at the end of a run (to the sink)
 *
 * The recorder assigns `seq`, folds every record into the rolling hash
 * (trace_hash.h) and keeps it in a fixed ring buffer. When the ring is full:
 *   - with a sink, the oldest `capacity` records are handed to the sink in
 *     one batch (the SQLite store writes them in one transaction), so
 *     nothing is lost;
 *   - without a sink (fuzzing), the oldest record is overwritten: the ring
 *     keeps the last `capacity` events for a crash report, and only the hash
 *     and count cover the whole run.
 * The recorder never allocates; the caller owns the ring storage.
 */
#ifndef DUET_TRACE_RECORDER_H
#define DUET_TRACE_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "duet/trace_record.h"

/* Receives records oldest first; returns 0 on success, nonzero on error
 * (the recorder then remembers the error and stops calling the sink). */
typedef int (*trace_sink_fn)(void *sink_ctx, const struct trace_record *records,
                             size_t count);

struct trace_recorder {
    struct trace_record *ring;
    size_t capacity;
    size_t head;            /* index of the oldest buffered record */
    size_t count;           /* records currently buffered          */
    uint64_t next_seq;      /* seq of the next appended record     */
    uint64_t hash;          /* rolling hash over all appended      */
    trace_sink_fn sink;     /* NULL: overwrite (ring mode)         */
    void *sink_ctx;
    int sink_error;         /* first nonzero sink return, sticky   */
};

void trace_recorder_init(struct trace_recorder *rec, struct trace_record *ring,
                         size_t capacity, trace_sink_fn sink, void *sink_ctx);

/* Sets record->seq, then hashes and buffers a copy. */
void trace_recorder_append(struct trace_recorder *rec, struct trace_record *record);

/* Hands every buffered record to the sink (no-op without one). Returns the
 * sticky sink error, 0 if none. */
int trace_recorder_flush(struct trace_recorder *rec);

/* Copies up to `max` of the most recent records, oldest first, into `out`;
 * returns how many. For crash reports. */
size_t trace_recorder_last(const struct trace_recorder *rec,
                           struct trace_record *out, size_t max);

/* Zeroes a record and fills the producer fields (seq is set on append). */
void trace_record_init(struct trace_record *record, uint64_t time_ns, uint16_t kind,
                       uint16_t pd, uint16_t thread);

/* Copies up to TRACE_RECORD_BLOB_MAX bytes into the blob; returns bytes kept. */
size_t trace_record_set_blob(struct trace_record *record, const void *bytes, size_t len);

#endif
