/*
 * bench_store.c - trace events into SQLite: the store's API vs raw inserts,
 * and end-to-end recording of the demo scenario.
 *
 * 1. Store: trace_store_open on a fresh file in a temp directory,
 *    run_begin, trace_store_append_events in batches of 4,096 records
 *    (one transaction each, as the recorder's sink does), run_end.
 *    Timed from run_begin to run_end; open and close (whose final WAL
 *    checkpoint copies the data into the main file) are not.
 * 2. Baseline: the same records, bound column for column into an
 *    equivalent events table (same columns, PRIMARY KEY(run_id, seq)
 *    WITHOUT ROWID) with one prepared INSERT, WAL and synchronous=NORMAL,
 *    BEGIN IMMEDIATE ... COMMIT per 4,096 rows. No foreign key, no record
 *    checks, no hash chain: that difference is what the ratio shows.
 * 3. End to end: record_run (what `duet run` does) of scenarios/demo.scn
 *    into one store, a run per seed; events per second of wall time.
 *
 * The records are synthetic but shaped like a real trace (see
 * store_records_fill): the kinds of an RPC round trip, small ids, a LOG
 * record with a 40-byte blob every 16th. Not measured: reading back.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "duet/replay.h"
#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"
#include "duet/trace_store.h"

enum {
    STORE_BATCH_RECORDS = 4096,
    STORE_BATCHES = 256,                /* 1,048,576 records */
    STORE_PATH_MAX = 512,
    E2E_RUNS = 30,
    E2E_RING_RECORDS = 16384,
};

static const char RAW_SCHEMA_SQL[] =
    "CREATE TABLE events(run_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " time_ns INTEGER NOT NULL, kind INTEGER NOT NULL, pd INTEGER NOT NULL,"
    " thread INTEGER NOT NULL, a0 INTEGER NOT NULL, a1 INTEGER NOT NULL,"
    " a2 INTEGER NOT NULL, a3 INTEGER NOT NULL, blob BLOB, hash INTEGER NOT NULL,"
    " PRIMARY KEY(run_id, seq)) WITHOUT ROWID";
static const char RAW_INSERT_SQL[] =
    "INSERT INTO events(run_id, seq, time_ns, kind, pd, thread, a0, a1, a2, a3, blob, hash)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* ---- synthetic records -------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* One batch; seq and time are set per batch by store_records_number. */
static void store_records_fill(struct trace_record *records, size_t count)
{
    static const uint16_t round_trip_kinds[] = {3, 4, 5, 2, 3, 6, 2};
    static const char log_text[] = "[init -> rpc_bench] a line of forty bytes";
    uint64_t state = 42;
    for (size_t i = 0; i < count; i++) {
        struct trace_record *r = &records[i];
        bool is_log = i % 16 == 15;
        uint16_t kind = is_log ? 14 : round_trip_kinds[i % 7];
        trace_record_init(r, 0, kind, (uint16_t)(2 + i % 3), (uint16_t)(2 + i % 3));
        for (int a = 0; a < TRACE_RECORD_ARGS; a++)
            r->arg[a] = splitmix64(&state) % 512;
        if (is_log)
            trace_record_set_blob(r, log_text, 40);
    }
}

static void store_records_number(struct trace_record *records, size_t count, uint64_t first)
{
    for (size_t i = 0; i < count; i++) {
        records[i].seq = first + i;
        records[i].time_ns = (first + i) * 100;
    }
}

static void temp_files_remove(const char *path)
{
    char side[STORE_PATH_MAX + 8];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* ---- 1. through the store -------------------------------------------------- */

static double store_api_rows_per_s(const char *path, struct trace_record *records)
{
    struct trace_store *store = NULL;
    if (trace_store_open(&store, path) != TRACE_STORE_OK)
        bench_die("trace_store_open %s: %s", path, trace_store_last_message(NULL));
    struct trace_run_info info = {.scenario = "bench_store", .build = DUET_BUILD_NAME,
                                  .platform = "sim"};
    uint64_t hash = TRACE_HASH_SEED;
    int64_t run_id = 0;
    uint64_t start_ns = bench_now_ns();
    enum trace_store_error error = trace_store_run_begin(store, &info, &run_id);
    for (uint64_t b = 0; b < STORE_BATCHES && error == TRACE_STORE_OK; b++) {
        store_records_number(records, STORE_BATCH_RECORDS, b * STORE_BATCH_RECORDS);
        for (size_t i = 0; i < STORE_BATCH_RECORDS; i++)
            hash = trace_hash_step(hash, &records[i]);
        error = trace_store_append_events(store, run_id, records, STORE_BATCH_RECORDS);
    }
    struct trace_run_result result = {.outcome = "pass",
                                      .event_count = STORE_BATCHES * STORE_BATCH_RECORDS,
                                      .hash = hash};
    if (error == TRACE_STORE_OK)
        error = trace_store_run_end(store, run_id, &result);
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    if (error != TRACE_STORE_OK)
        bench_die("the store failed: %s (%s)", trace_store_error_name(error),
                  trace_store_last_message(store));
    trace_store_close(store);
    temp_files_remove(path);
    return (double)result.event_count * 1e9 / (double)elapsed_ns;
}

/* ---- 2. the baseline: raw prepared inserts ----------------------------------- */

static void raw_exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        bench_die("sqlite3 \"%s\": %s", sql, sqlite3_errmsg(db));
}

static void raw_insert(sqlite3 *db, sqlite3_stmt *insert, const struct trace_record *r)
{
    sqlite3_bind_int64(insert, 1, 1);
    sqlite3_bind_int64(insert, 2, (int64_t)r->seq);
    sqlite3_bind_int64(insert, 3, (int64_t)r->time_ns);
    sqlite3_bind_int64(insert, 4, r->kind);
    sqlite3_bind_int64(insert, 5, r->pd);
    sqlite3_bind_int64(insert, 6, r->thread);
    for (int a = 0; a < TRACE_RECORD_ARGS; a++)
        sqlite3_bind_int64(insert, 7 + a, (int64_t)r->arg[a]);
    if (r->blob_len == 0)
        sqlite3_bind_null(insert, 11);
    else
        sqlite3_bind_blob(insert, 11, r->blob, r->blob_len, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 12, (int64_t)(r->seq * UINT64_C(0x9e3779b97f4a7c15)));
    if (sqlite3_step(insert) != SQLITE_DONE)
        bench_die("raw insert: %s", sqlite3_errmsg(db));
    sqlite3_reset(insert);
}

static double raw_rows_per_s(const char *path, struct trace_record *records)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *insert = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        bench_die("sqlite3_open_v2 %s", path);
    raw_exec(db, "PRAGMA journal_mode=WAL");
    raw_exec(db, "PRAGMA synchronous=NORMAL");
    raw_exec(db, RAW_SCHEMA_SQL);
    if (sqlite3_prepare_v2(db, RAW_INSERT_SQL, -1, &insert, NULL) != SQLITE_OK)
        bench_die("prepare: %s", sqlite3_errmsg(db));
    uint64_t start_ns = bench_now_ns();
    for (uint64_t b = 0; b < STORE_BATCHES; b++) {
        store_records_number(records, STORE_BATCH_RECORDS, b * STORE_BATCH_RECORDS);
        raw_exec(db, "BEGIN IMMEDIATE");
        for (size_t i = 0; i < STORE_BATCH_RECORDS; i++)
            raw_insert(db, insert, &records[i]);
        raw_exec(db, "COMMIT");
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    temp_files_remove(path);
    return (double)STORE_BATCHES * STORE_BATCH_RECORDS * 1e9 / (double)elapsed_ns;
}

/* ---- 3. end to end: record_run of the demo scenario -------------------------- */

static char *demo_text_load(size_t *out_length)
{
    struct scenario scenario;
    char *text = NULL;
    size_t line = 0;
    enum scenario_error error = scenario_load(DUET_SOURCE_DIR "/scenarios/demo.scn", &scenario,
                                              &text, &line);
    if (error != SCENARIO_OK)
        bench_die("scenarios/demo.scn line %zu: %s", line, scenario_error_name(error));
    *out_length = strlen(text);
    return text;
}

/* Events/s of each recorded run; also the events and wall time of a run. */
static void e2e_measure(const char *path, double *out_events_per_s, double *out_run_ms,
                        uint64_t *out_events)
{
    size_t length = 0;
    char *text = demo_text_load(&length);
    struct trace_store *store = NULL;
    struct sim *sim = sim_create();
    if (sim == NULL || trace_store_open(&store, path) != TRACE_STORE_OK)
        bench_die("cannot set up the end-to-end recording in %s", path);
    double samples_per_s[E2E_RUNS];
    double samples_ms[E2E_RUNS];
    for (int run = 0; run < E2E_RUNS; run++) {
        struct run_recipe recipe = {.scenario_text = text, .scenario_text_len = length,
                                    .seed = (uint64_t)run};
        struct record_request request = {.recipe = &recipe, .scenario_name = "demo"};
        struct record_report report;
        uint64_t start_ns = bench_now_ns();
        bool ok = record_run(store, sim, &request, &report);
        uint64_t elapsed_ns = bench_now_ns() - start_ns;
        if (!ok || report.result.outcome != SIM_PASS)
            bench_die("recording the demo failed: %s", report.error);
        samples_per_s[run] = (double)report.result.events * 1e9 / (double)elapsed_ns;
        samples_ms[run] = (double)elapsed_ns / 1e6;
        *out_events = report.result.events;
    }
    *out_events_per_s = bench_median(samples_per_s, E2E_RUNS);
    *out_run_ms = bench_median(samples_ms, E2E_RUNS);
    trace_store_close(store);
    sim_destroy(sim);
    temp_files_remove(path);
    free(text);
}

/* The same demo run with a ring recorder and no store, for context. */
static double demo_ring_run_us(void)
{
    size_t length = 0;
    char *text = demo_text_load(&length);
    struct scenario *scenario = malloc(sizeof *scenario);
    struct trace_record *ring = malloc(E2E_RING_RECORDS * sizeof *ring);
    struct sim *sim = sim_create();
    size_t line = 0;
    if (scenario == NULL || ring == NULL || sim == NULL ||
        scenario_parse(text, length, scenario, &line) != SCENARIO_OK)
        bench_die("cannot set up the demo ring run");
    double samples_us[E2E_RUNS];
    for (int run = 0; run < E2E_RUNS; run++) {
        struct trace_recorder recorder;
        trace_recorder_init(&recorder, ring, E2E_RING_RECORDS, NULL, NULL);
        struct sim_config config = {.scenario = scenario, .seed = (uint64_t)run,
                                    .recorder = &recorder};
        struct sim_result result;
        uint64_t start_ns = bench_now_ns();
        sim_run(sim, &config, &result);
        samples_us[run] = (double)(bench_now_ns() - start_ns) / 1e3;
    }
    sim_destroy(sim);
    free(ring);
    free(scenario);
    free(text);
    return bench_median(samples_us, E2E_RUNS);
}

void bench_store_run(const char *temp_dir)
{
    char path[STORE_PATH_MAX];
    struct trace_record *records = malloc(STORE_BATCH_RECORDS * sizeof *records);
    if (records == NULL)
        bench_die("no memory for the store benchmark's records");
    store_records_fill(records, STORE_BATCH_RECORDS);

    double store_samples_per_s[BENCH_REPEATS_SLOW];
    double raw_samples_per_s[BENCH_REPEATS_SLOW];
    for (int r = 0; r < BENCH_REPEATS_SLOW; r++) {
        snprintf(path, sizeof path, "%s/store_%d.db", temp_dir, r);
        store_samples_per_s[r] = store_api_rows_per_s(path, records);
        snprintf(path, sizeof path, "%s/raw_%d.db", temp_dir, r);
        raw_samples_per_s[r] = raw_rows_per_s(path, records);
    }
    double raw_per_s = bench_median(raw_samples_per_s, BENCH_REPEATS_SLOW);
    bench_report("trace events into SQLite, store API", bench_median(store_samples_per_s,
                 BENCH_REPEATS_SLOW), "rows/s", raw_per_s);
    bench_note("%d records in batches of %d, medians of %d; baseline: raw prepared INSERT, "
               "same table shape, WAL, synchronous=NORMAL", STORE_BATCHES * STORE_BATCH_RECORDS,
               STORE_BATCH_RECORDS, BENCH_REPEATS_SLOW);
    free(records);

    double events_per_s = 0.0, run_ms = 0.0;
    uint64_t events = 0;
    snprintf(path, sizeof path, "%s/e2e.db", temp_dir);
    e2e_measure(path, &events_per_s, &run_ms, &events);
    bench_report("demo recorded end to end (record_run)", events_per_s, "events/s", raw_per_s);
    bench_note("%" PRIu64 " events per demo run, %.2f ms per recorded run (median of %d seeds); "
               "baseline: the raw insert rate above", events, run_ms, E2E_RUNS);
    bench_note("the same demo run with a ring recorder and no store: %.1f us",
               demo_ring_run_us());
}
