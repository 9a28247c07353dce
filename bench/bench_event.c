/*
 * bench_event.c - one trace event into the ring recorder, the unit cost
 * behind every kernel entry, IPC step and port access of a simulated run.
 *
 * Measured: what sim/world.c's hal_event does per event in ring mode (no
 * sink, as in fuzzing and in the RPC benchmark): trace_record_init on a
 * stack record, four arguments, trace_recorder_append (sequence number,
 * copy into the ring, rolling hash). Baseline: the same record built and
 * copied into a ring slot without the hash and the recorder's bookkeeping.
 * A third line times trace_hash_step alone on the same record.
 *
 * Not measured: the sink (bench_store.c) and hal_event's own lookup of the
 * running world.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"

enum {
    EVENT_RING_RECORDS = 4096,       /* a power of two, as the fuzz driver's */
    EVENT_COUNT = 4000000,
};

static void event_fill(struct trace_record *record, uint64_t i)
{
    trace_record_init(record, i * 100, 3, 2, 2);
    record->arg[0] = i & 7;
    record->arg[1] = 0x300;
    record->arg[2] = UINT64_C(0x100000001);
    record->arg[3] = 0;
}

static double recorder_event_ns(struct trace_record *ring)
{
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, ring, EVENT_RING_RECORDS, NULL, NULL);
    uint64_t start_ns = bench_now_ns();
    for (uint64_t i = 0; i < EVENT_COUNT; i++) {
        struct trace_record record;
        event_fill(&record, i);
        trace_recorder_append(&recorder, &record);
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    if (recorder.next_seq != EVENT_COUNT)
        bench_die("the recorder lost events");
    return (double)elapsed_ns / EVENT_COUNT;
}

static double copy_event_ns(struct trace_record *ring)
{
    uint64_t start_ns = bench_now_ns();
    for (uint64_t i = 0; i < EVENT_COUNT; i++) {
        struct trace_record record;
        event_fill(&record, i);
        record.seq = i;
        ring[i & (EVENT_RING_RECORDS - 1)] = record;
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    if (ring[(EVENT_COUNT - 1) & (EVENT_RING_RECORDS - 1)].seq != EVENT_COUNT - 1)
        bench_die("the baseline ring lost events");
    return (double)elapsed_ns / EVENT_COUNT;
}

static double hash_event_ns(void)
{
    struct trace_record record;
    event_fill(&record, 1);
    uint64_t hash = TRACE_HASH_SEED;
    uint64_t start_ns = bench_now_ns();
    for (uint64_t i = 0; i < EVENT_COUNT; i++) {
        record.seq = i;
        hash = trace_hash_step(hash, &record);
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    volatile uint64_t hash_kept = hash;    /* the chain must be computed */
    (void)hash_kept;
    return (double)elapsed_ns / EVENT_COUNT;
}

void bench_event_run(void)
{
    struct trace_record *ring = calloc(EVENT_RING_RECORDS, sizeof *ring);
    if (ring == NULL)
        bench_die("no memory for the event benchmark's ring");
    double recorder_ns[BENCH_REPEATS], copy_ns[BENCH_REPEATS], hash_ns[BENCH_REPEATS];
    for (int r = 0; r < BENCH_REPEATS; r++) {
        recorder_ns[r] = recorder_event_ns(ring);
        copy_ns[r] = copy_event_ns(ring);
        hash_ns[r] = hash_event_ns();
    }
    double copy_median_ns = bench_median(copy_ns, BENCH_REPEATS);
    bench_report("trace event into the ring recorder", bench_median(recorder_ns, BENCH_REPEATS),
                 "ns", copy_median_ns);
    bench_report("  of which trace_hash_step alone", bench_median(hash_ns, BENCH_REPEATS), "ns",
                 copy_median_ns);
    bench_note("baseline: build the 104-byte record and copy it into a ring slot, no hash; "
               "%d events, %d-record ring", EVENT_COUNT, EVENT_RING_RECORDS);
    free(ring);
}
