/*
 * trace_recorder.c - number, hash and buffer records in a caller-owned ring.
 *
 * Call order: trace_recorder_init, then trace_recorder_append once per
 * event, then trace_recorder_flush at the end of the run. trace_recorder_last
 * may be called at any time (crash reports).
 *
 * Invariants (checked by recorder_check after every state change):
 *   1. count <= capacity and head < capacity.
 *   2. ring[(head + i) % capacity].seq == next_seq - count + i: the buffer
 *      holds the most recent `count` records, oldest at head, in seq order.
 *   3. While the sink is live (set and no error yet) head == 0: the sink
 *      always takes the whole buffer, so the ring never wraps and one batch
 *      is one contiguous array.
 *   4. hash covers all next_seq records ever appended, buffered or not.
 *
 * States:
 *   sink live   --append on full ring--> recorder_drain_to_sink (batch out)
 *   sink live   --sink returns nonzero--> sink dead (sink_error set, sticky)
 *   sink dead or no sink --append on full ring--> overwrite oldest (ring mode)
 * A dead sink keeps the batch it refused, so the last records are still
 * there for a crash report.
 *
 * Not here: the hash function (trace_hash.c), the SQLite sink
 * (trace_store_write.c). The recorder never allocates.
 */
#include "duet/trace_recorder.h"

#include <assert.h>
#include <string.h>

#include "duet/trace_hash.h"
#include "trace_record_check.h"

/* 16M records of 104 B is 1.7 GB of ring: anything larger is a mistake. */
enum { TRACE_RECORDER_CAPACITY_MAX = 1 << 24 };

static int recorder_sink_is_live(const struct trace_recorder *rec)
{
    return rec->sink != NULL && rec->sink_error == 0;
}

static size_t recorder_slot(const struct trace_recorder *rec, size_t offset_from_oldest)
{
    assert(offset_from_oldest < rec->capacity);
    return (rec->head + offset_from_oldest) % rec->capacity;
}

/* Invariants 1-3; the seq check looks at the oldest and newest records only,
 * which keeps append O(1) and still catches a wrong head or count. */
static void recorder_check(const struct trace_recorder *rec)
{
    assert(rec->ring != NULL);
    assert(rec->capacity > 0 && rec->capacity <= TRACE_RECORDER_CAPACITY_MAX);
    assert(rec->count <= rec->capacity);
    assert(rec->head < rec->capacity);
    assert(rec->count <= rec->next_seq);
    assert(!recorder_sink_is_live(rec) || rec->head == 0);
    if (rec->count > 0) {
        assert(rec->ring[rec->head].seq == rec->next_seq - rec->count);
        assert(rec->ring[recorder_slot(rec, rec->count - 1)].seq == rec->next_seq - 1);
    }
}

void trace_recorder_init(struct trace_recorder *rec, struct trace_record *ring,
                         size_t capacity, trace_sink_fn sink, void *sink_ctx)
{
    assert(rec != NULL);
    assert(ring != NULL);
    assert(capacity > 0 && capacity <= TRACE_RECORDER_CAPACITY_MAX);

    rec->ring = ring;
    rec->capacity = capacity;
    rec->head = 0;
    rec->count = 0;
    rec->next_seq = 0;
    rec->hash = TRACE_HASH_SEED;
    rec->sink = sink;
    rec->sink_ctx = sink_ctx;
    rec->sink_error = 0;
    recorder_check(rec);
}

/* Hands the whole buffer to the sink. On success the buffer is empty; on
 * failure the error sticks and the records stay for trace_recorder_last. */
static void recorder_drain_to_sink(struct trace_recorder *rec)
{
    assert(recorder_sink_is_live(rec));
    assert(rec->head == 0);
    if (rec->count == 0)
        return;

    int error = rec->sink(rec->sink_ctx, rec->ring, rec->count);
    if (error != 0)
        rec->sink_error = error;
    else
        rec->count = 0;
    recorder_check(rec);
}

void trace_recorder_append(struct trace_recorder *rec, struct trace_record *record)
{
    assert(rec != NULL && record != NULL);
    assert(record->blob_len <= TRACE_RECORD_BLOB_MAX);
    assert(trace_record_blob_padding_is_zero(record));
    assert(rec->next_seq < UINT64_MAX);

    record->seq = rec->next_seq;
    if (rec->count == rec->capacity && recorder_sink_is_live(rec))
        recorder_drain_to_sink(rec);

    if (rec->count < rec->capacity) {
        rec->ring[recorder_slot(rec, rec->count)] = *record;
        rec->count++;
    } else {
        /* Ring mode (or a dead sink): the oldest record makes room. */
        rec->ring[rec->head] = *record;
        rec->head = (rec->head + 1) % rec->capacity;
    }
    rec->next_seq++;
    rec->hash = trace_hash_step(rec->hash, record);
    recorder_check(rec);
    assert(rec->ring[recorder_slot(rec, rec->count - 1)].seq == record->seq);
}

int trace_recorder_flush(struct trace_recorder *rec)
{
    assert(rec != NULL);
    recorder_check(rec);

    if (recorder_sink_is_live(rec))
        recorder_drain_to_sink(rec);

    assert(!recorder_sink_is_live(rec) || rec->count == 0);
    return rec->sink_error;
}

size_t trace_recorder_last(const struct trace_recorder *rec, struct trace_record *out,
                           size_t max)
{
    assert(rec != NULL);
    assert(out != NULL || max == 0);
    recorder_check(rec);

    size_t copied = rec->count < max ? rec->count : max;
    size_t skipped = rec->count - copied;
    for (size_t i = 0; i < copied; i++)
        out[i] = rec->ring[recorder_slot(rec, skipped + i)];

    assert(copied == 0 || out[copied - 1].seq == rec->next_seq - 1);
    return copied;
}

void trace_record_init(struct trace_record *record, uint64_t time_ns, uint16_t kind,
                       uint16_t pd, uint16_t thread)
{
    assert(record != NULL);

    memset(record, 0, sizeof *record);
    record->time_ns = time_ns;
    record->kind = kind;
    record->pd = pd;
    record->thread = thread;
    assert(record->blob_len == 0 && trace_record_blob_padding_is_zero(record));
}

size_t trace_record_set_blob(struct trace_record *record, const void *bytes, size_t len)
{
    assert(record != NULL);
    assert(bytes != NULL || len == 0);

    size_t kept = len < TRACE_RECORD_BLOB_MAX ? len : TRACE_RECORD_BLOB_MAX;
    /* Zero the whole blob first: a shorter blob must not leave old bytes in
     * the padding, which the hash covers. */
    memset(record->blob, 0, sizeof record->blob);
    if (kept > 0)
        memcpy(record->blob, bytes, kept);
    record->blob_len = (uint16_t)kept;

    assert(trace_record_blob_padding_is_zero(record));
    return kept;
}
