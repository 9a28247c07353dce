/*
 * test_trace_recorder.c - the recorder against a trivially correct model:
 * an array of every record ever appended. Ring mode must keep the model's
 * tail, sink mode must hand over the model exactly (full batches, nothing
 * lost, seq in order), the hash must equal a plain loop over the model, and
 * a sink error must stick.
 */
#include <string.h>

#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"
#include "test_check.h"

enum {
    MODEL_RECORDS_MAX = 5000,
    RING_CAPACITY_MAX = 64,
    SINK_BATCHES_MAX = 5000,
};

/* Everything appended so far, in order: the reference. */
struct model {
    struct trace_record records[MODEL_RECORDS_MAX];
    size_t count;
};

/* What a sink saw. */
struct sink_log {
    struct trace_record records[MODEL_RECORDS_MAX];
    size_t count;
    size_t batch_sizes[SINK_BATCHES_MAX];
    size_t batches;
    size_t fail_on_batch;   /* 1-based batch that returns an error; 0: never */
};

static int sink_collect(void *sink_ctx, const struct trace_record *records, size_t count)
{
    struct sink_log *log = sink_ctx;
    CHECK(count > 0);
    CHECK(log->batches < SINK_BATCHES_MAX);
    CHECK(log->count + count <= MODEL_RECORDS_MAX);
    log->batches++;
    if (log->batches == log->fail_on_batch)
        return 7;
    memcpy(&log->records[log->count], records, count * sizeof records[0]);
    log->count += count;
    log->batch_sizes[log->batches - 1] = count;
    return 0;
}

/* A record whose fields all depend on the random stream. */
static void random_record(uint64_t *random, struct trace_record *out)
{
    uint64_t bits = test_random_next(random);
    trace_record_init(out, test_random_next(random), (uint16_t)bits, (uint16_t)(bits >> 16),
                      (uint16_t)(bits >> 32));
    for (int i = 0; i < TRACE_RECORD_ARGS; i++)
        out->arg[i] = test_random_next(random);
    uint8_t blob[TRACE_RECORD_BLOB_MAX + 8];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (uint8_t)test_random_next(random);
    trace_record_set_blob(out, blob, (size_t)(bits >> 48) % sizeof blob);
    out->seq = UINT64_C(0xdeadbeef); /* the recorder must overwrite it */
}

static void append_random(struct trace_recorder *rec, struct model *model, uint64_t *random)
{
    CHECK(model->count < MODEL_RECORDS_MAX);
    struct trace_record record;
    random_record(random, &record);
    trace_recorder_append(rec, &record);
    CHECK(record.seq == model->count);
    model->records[model->count++] = record;
}

static uint64_t model_hash(const struct model *model)
{
    uint64_t hash = TRACE_HASH_SEED;
    for (size_t i = 0; i < model->count; i++)
        hash = trace_hash_step(hash, &model->records[i]);
    return hash;
}

static int records_equal(const struct trace_record *a, const struct trace_record *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof a[0]) == 0;
}

/* trace_recorder_last for every max gives exactly the model's tail. */
static void check_tail(const struct trace_recorder *rec, const struct model *model,
                       size_t expected_buffered)
{
    static struct trace_record out[RING_CAPACITY_MAX + 2];
    for (size_t max = 0; max <= rec->capacity + 1; max++) {
        size_t copied = trace_recorder_last(rec, out, max);
        size_t expected = max < expected_buffered ? max : expected_buffered;
        CHECK(copied == expected);
        CHECK(records_equal(out, &model->records[model->count - copied], copied));
    }
}

static void test_ring_mode(uint64_t *random)
{
    static struct trace_record ring[RING_CAPACITY_MAX];
    static struct model model;
    for (int round = 0; round < 200; round++) {
        size_t capacity = 1 + test_random_next(random) % RING_CAPACITY_MAX;
        size_t appends = test_random_next(random) % (4 * capacity + 3);
        struct trace_recorder rec;
        trace_recorder_init(&rec, ring, capacity, NULL, NULL);
        model.count = 0;
        for (size_t i = 0; i < appends; i++)
            append_random(&rec, &model, random);

        CHECK(rec.next_seq == appends);
        CHECK(rec.hash == model_hash(&model));
        size_t buffered = appends < capacity ? appends : capacity;
        CHECK(rec.count == buffered);
        check_tail(&rec, &model, buffered);
        CHECK(trace_recorder_flush(&rec) == 0); /* no sink: keeps everything */
        check_tail(&rec, &model, buffered);
    }
}

static void test_sink_mode(uint64_t *random)
{
    static struct trace_record ring[RING_CAPACITY_MAX];
    static struct model model;
    static struct sink_log log;
    for (int round = 0; round < 200; round++) {
        size_t capacity = 1 + test_random_next(random) % RING_CAPACITY_MAX;
        size_t appends = test_random_next(random) % (20 * capacity + 3);
        struct trace_recorder rec;
        memset(&log, 0, sizeof log);
        trace_recorder_init(&rec, ring, capacity, sink_collect, &log);
        model.count = 0;
        for (size_t i = 0; i < appends; i++) {
            append_random(&rec, &model, random);
            /* Full batches only, and only once the ring overflows. */
            CHECK(log.count == (i / capacity) * capacity);
        }
        CHECK(trace_recorder_flush(&rec) == 0);
        CHECK(rec.count == 0);

        CHECK(log.count == appends);
        CHECK(records_equal(log.records, model.records, appends));
        for (size_t i = 0; i < log.count; i++)
            CHECK(log.records[i].seq == i);
        for (size_t batch = 0; batch + 1 < log.batches; batch++)
            CHECK(log.batch_sizes[batch] == capacity);
        CHECK(rec.hash == model_hash(&model));
        CHECK(trace_recorder_flush(&rec) == 0); /* nothing left: no call */
        CHECK(log.count == appends);
    }
}

/* The third batch fails: the sink is never called again, the error comes
 * back from every flush, and the recorder falls back to ring mode. */
static void test_sink_error_is_sticky(uint64_t *random)
{
    enum { CAPACITY = 10, APPENDS = 95 };
    static struct trace_record ring[CAPACITY];
    static struct model model;
    static struct sink_log log;
    memset(&log, 0, sizeof log);
    log.fail_on_batch = 3;
    model.count = 0;
    struct trace_recorder rec;
    trace_recorder_init(&rec, ring, CAPACITY, sink_collect, &log);

    for (int i = 0; i < APPENDS; i++)
        append_random(&rec, &model, random);
    CHECK(log.batches == 3);
    CHECK(log.count == 2 * CAPACITY);
    CHECK(rec.sink_error == 7);
    CHECK(trace_recorder_flush(&rec) == 7);
    CHECK(trace_recorder_flush(&rec) == 7);
    CHECK(log.batches == 3);

    CHECK(rec.next_seq == APPENDS);
    CHECK(rec.hash == model_hash(&model));
    CHECK(rec.count == CAPACITY);
    check_tail(&rec, &model, CAPACITY);
}

static void test_record_helpers(void)
{
    struct trace_record record;
    trace_record_init(&record, 99, 14, 2, 3);
    CHECK(record.time_ns == 99 && record.kind == 14 && record.pd == 2 && record.thread == 3);
    CHECK(record.seq == 0 && record.blob_len == 0 && record.arg[3] == 0);

    char long_text[TRACE_RECORD_BLOB_MAX + 10];
    memset(long_text, 'x', sizeof long_text);
    CHECK(trace_record_set_blob(&record, long_text, sizeof long_text) == TRACE_RECORD_BLOB_MAX);
    CHECK(record.blob_len == TRACE_RECORD_BLOB_MAX);
    CHECK(trace_record_set_blob(&record, "abc", 3) == 3);
    CHECK(record.blob_len == 3 && memcmp(record.blob, "abc", 3) == 0);
    for (int i = 3; i < TRACE_RECORD_BLOB_MAX; i++)
        CHECK(record.blob[i] == 0); /* the old long blob is gone from the padding */
    CHECK(trace_record_set_blob(&record, NULL, 0) == 0 && record.blob[0] == 0);
}

int main(void)
{
    uint64_t random = 20240601;
    test_record_helpers();
    test_ring_mode(&random);
    test_sink_mode(&random);
    test_sink_error_is_sticky(&random);
    printf("test_trace_recorder: ok\n");
    return 0;
}
