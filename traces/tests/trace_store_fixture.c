/*
 * trace_store_fixture.c - what the trace store tests share: paths in the
 * build directory, raw SQL on a database file, the deterministic events,
 * choices and run info every test run is made of, and reading a run back
 * against them.
 */
#include <string.h>
#include <unistd.h>

#include "duet/trace_hash.h"
#include "duet/trace_recorder.h" /* trace_record_init, trace_record_set_blob */
#include "trace_store_fixture.h"

void test_path(const char *name, char out[PATH_MAX_BYTES])
{
    int written = snprintf(out, PATH_MAX_BYTES, "%s/%s", TRACE_TEST_DIR, name);
    CHECK(written > 0 && written < PATH_MAX_BYTES);
}

/* Removes a database and its WAL and shared-memory files. */
void remove_database(const char *path)
{
    char side_file[PATH_MAX_BYTES + 8];
    unlink(path);
    snprintf(side_file, sizeof side_file, "%s-wal", path);
    unlink(side_file);
    snprintf(side_file, sizeof side_file, "%s-shm", path);
    unlink(side_file);
}

void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *file = fopen(path, "wb");
    CHECK(file != NULL);
    CHECK(fwrite(bytes, 1, len, file) == len);
    CHECK(fclose(file) == 0);
}

/* Runs SQL on the file directly, as a user with the sqlite3 shell would. */
void raw_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fprintf(stderr, "FAIL: raw sql '%s': %s\n", sql, message ? message : "?");
        exit(1);
    }
    CHECK(sqlite3_close(db) == SQLITE_OK);
}

/* The single integer a query returns. */
int64_t raw_query_integer(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, sql, -1, &statement, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(statement) == SQLITE_ROW);
    int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    CHECK(sqlite3_close(db) == SQLITE_OK);
    return value;
}

/* Event i of every test run: all fields vary, including uint64 values above
 * INT64_MAX and blobs of every length. seq is left to the recorder. */
void make_event(uint64_t index, struct trace_record *out)
{
    trace_record_init(out, index * 1000 + index % 7, (uint16_t)(1 + index % 21),
                      (uint16_t)(index % 5), (uint16_t)(index % 13 == 0 ? 65535 : index % 13));
    out->arg[0] = index;
    out->arg[1] = index * UINT64_C(0x9e3779b97f4a7c15);
    out->arg[2] = UINT64_MAX - index;
    out->arg[3] = UINT64_C(0x8000000000000000) + index;
    uint8_t blob[TRACE_RECORD_BLOB_MAX];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (uint8_t)(index + i * 31);
    trace_record_set_blob(out, blob, index % (TRACE_RECORD_BLOB_MAX + 1));
}

void make_expected_event(uint64_t index, struct trace_record *out)
{
    make_event(index, out);
    out->seq = index;
}

void make_choice(uint64_t index, struct trace_choice *out)
{
    out->seq = index;
    out->range = index % 3 == 0 ? UINT64_MAX : 2 + index % 9;
    out->value = index % 3 == 0 ? UINT64_MAX - 1 - index : index % out->range;
}

const uint8_t ROUND_TRIP_INPUT[10] = { 0, 1, 2, 0xff, 0, 'd', 'u', 'e', 't', 0 };

struct trace_run_info make_info(const char *scenario)
{
    struct trace_run_info info = {
        .scenario = (char *)scenario,
        .scenario_text = "world {\n  pd init\n}\n",
        .target = NULL,
        .seed = UINT64_C(0xfedcba9876543210), /* above INT64_MAX */
        .input = (uint8_t *)ROUND_TRIP_INPUT,
        .input_len = sizeof ROUND_TRIP_INPUT,
        .build = "sim",
        .platform = "sim",
    };
    return info;
}

void append_events_direct(struct trace_store *store, int64_t run_id, uint64_t first,
                                 size_t count)
{
    static struct trace_record batch[FIXTURE_BATCH_MAX];
    CHECK(count <= FIXTURE_BATCH_MAX);
    for (size_t i = 0; i < count; i++)
        make_expected_event(first + i, &batch[i]);
    CHECK_OK(trace_store_append_events(store, run_id, batch, count));
}

/* Reads a run's events and checks them against make_event and the hash
 * chain; returns the final hash. */
uint64_t check_events(struct trace_store *store, int64_t run_id, uint64_t expected_count)
{
    struct trace_event_cursor *cursor = NULL;
    CHECK_OK(trace_store_events_open(store, run_id, &cursor));
    uint64_t hash = TRACE_HASH_SEED;
    struct trace_record got, expected;
    for (uint64_t i = 0; i < expected_count; i++) {
        CHECK_OK(trace_store_events_next(cursor, &got));
        make_expected_event(i, &expected);
        CHECK(memcmp(&got, &expected, sizeof got) == 0);
        hash = trace_hash_step(hash, &got);
    }
    CHECK(trace_store_events_next(cursor, &got) == TRACE_STORE_ERR_END);
    CHECK(trace_store_events_next(cursor, &got) == TRACE_STORE_ERR_END);
    trace_store_events_close(cursor);
    return hash;
}

/* A fresh store with one finished run of SMALL_RUN_EVENTS events and
 * SMALL_RUN_CHOICES choices; returns the run id. */
int64_t make_small_store(const char *path)
{
    remove_database(path);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_run_info info = make_info("small");
    int64_t run_id = 0;
    CHECK_OK(trace_store_run_begin(store, &info, &run_id));
    append_events_direct(store, run_id, 0, SMALL_RUN_EVENTS);
    struct trace_choice choices[SMALL_RUN_CHOICES];
    for (uint64_t i = 0; i < SMALL_RUN_CHOICES; i++)
        make_choice(i, &choices[i]);
    CHECK_OK(trace_store_append_choices(store, run_id, choices, SMALL_RUN_CHOICES));
    struct trace_run_result result = { .outcome = "pass", .event_count = SMALL_RUN_EVENTS };
    CHECK_OK(trace_store_run_end(store, run_id, &result));
    trace_store_close(store);
    return run_id;
}
