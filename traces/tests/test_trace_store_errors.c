/*
 * test_trace_store_errors.c - part of test_trace_store: what the store does
 * with files and rows it must not trust.
 *
 *   bad files      garbage, foreign SQLite, other format, other version,
 *                  unopenable path, empty file
 *   no such run    every call that takes a run id
 *   corrupt rows   rows edited with the sqlite3 API read back as CORRUPT_ROW,
 *                  with everything before the bad row still readable
 */
#include <string.h>

#include "trace_store_fixture.h"

/* ---- bad files --------------------------------------------------------- */

static void check_open_fails(const char *path, enum trace_store_error expected)
{
    struct trace_store *store = (struct trace_store *)&store; /* must be overwritten */
    enum trace_store_error error = trace_store_open(&store, path);
    if (error != expected) {
        fprintf(stderr, "FAIL: open %s gave %s, expected %s (%s)\n", path,
                trace_store_error_name(error), trace_store_error_name(expected),
                trace_store_last_message(NULL));
        exit(1);
    }
    CHECK(store == NULL);
    CHECK(trace_store_last_message(NULL)[0] != '\0');
}

void test_bad_files(void)
{
    char path[PATH_MAX_BYTES];

    test_path("garbage.db", path);
    remove_database(path);
    uint8_t garbage[4096];
    uint64_t random = 99;
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)test_random_next(&random);
    write_file(path, garbage, sizeof garbage);
    check_open_fails(path, TRACE_STORE_ERR_NOT_A_STORE);
    write_file(path, "not a database\n", 15);
    check_open_fails(path, TRACE_STORE_ERR_NOT_A_STORE);

    test_path("foreign.db", path);
    remove_database(path);
    raw_sql(path, "CREATE TABLE recipes(name TEXT); INSERT INTO recipes VALUES('soup')");
    check_open_fails(path, TRACE_STORE_ERR_NOT_A_STORE);
    CHECK(raw_query_integer(path, "SELECT count(*) FROM sqlite_master") == 1); /* untouched */
    raw_sql(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                  "INSERT INTO meta VALUES('format', 'someone-else'), ('schema_version', '2')");
    check_open_fails(path, TRACE_STORE_ERR_NOT_A_STORE);
    raw_sql(path, "UPDATE meta SET value = 'duet-trace-store' WHERE key = 'format'");
    check_open_fails(path, TRACE_STORE_ERR_NOT_A_STORE); /* right meta, no tables */

    test_path("version.db", path);
    remove_database(path);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    trace_store_close(store);
    raw_sql(path, "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    check_open_fails(path, TRACE_STORE_ERR_VERSION);   /* the old hash: refused by name */
    raw_sql(path, "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    check_open_fails(path, TRACE_STORE_ERR_VERSION);
    raw_sql(path, "DELETE FROM meta WHERE key = 'schema_version'");
    check_open_fails(path, TRACE_STORE_ERR_VERSION);

    test_path("no_such_directory/store.db", path);
    check_open_fails(path, TRACE_STORE_ERR_OPEN);

    test_path("empty.db", path);
    remove_database(path);
    write_file(path, "", 0);
    CHECK_OK(trace_store_open(&store, path));
    trace_store_close(store);
    CHECK(raw_query_integer(path, "SELECT count(*) FROM meta") == 2);
    CHECK_OK(trace_store_open(&store, path)); /* and again, now validated */
    trace_store_close(store);
}

/* ---- no such run ------------------------------------------------------- */

void test_no_such_run(void)
{
    char path[PATH_MAX_BYTES];
    test_path("no_such_run.db", path);
    remove_database(path);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    const int64_t missing = 4242;

    struct trace_run_info info;
    struct trace_run_result result;
    CHECK(trace_store_run_load(store, missing, &info, &result) == TRACE_STORE_ERR_NO_SUCH_RUN);
    CHECK(info.scenario == NULL && result.outcome == NULL);
    CHECK(strstr(trace_store_last_message(store), "4242") != NULL);
    struct trace_event_cursor *cursor = NULL;
    CHECK(trace_store_events_open(store, missing, &cursor) == TRACE_STORE_ERR_NO_SUCH_RUN);
    CHECK(cursor == NULL);
    size_t count = 1;
    CHECK(trace_store_choices_load(store, missing, NULL, 0, &count) ==
          TRACE_STORE_ERR_NO_SUCH_RUN);
    CHECK(count == 0);
    struct trace_record record;
    make_expected_event(0, &record);
    CHECK(trace_store_append_events(store, missing, &record, 1) == TRACE_STORE_ERR_NO_SUCH_RUN);
    struct trace_choice choice = { .seq = 0, .range = 2, .value = 1 };
    CHECK(trace_store_append_choices(store, missing, &choice, 1) ==
          TRACE_STORE_ERR_NO_SUCH_RUN);
    struct trace_run_result end = { .outcome = "pass" };
    CHECK(trace_store_run_end(store, missing, &end) == TRACE_STORE_ERR_NO_SUCH_RUN);
    trace_store_close(store);
}

/* ---- corrupt rows ------------------------------------------------------ */

/* After `sql`, events before bad_seq read fine and event bad_seq is corrupt. */
static void check_corrupt_event(const char *path, const char *sql, uint64_t bad_seq)
{
    int64_t run_id = make_small_store(path);
    raw_sql(path, sql);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_event_cursor *cursor = NULL;
    CHECK_OK(trace_store_events_open(store, run_id, &cursor));
    struct trace_record record;
    for (uint64_t i = 0; i < bad_seq; i++)
        CHECK_OK(trace_store_events_next(cursor, &record));
    CHECK(trace_store_events_next(cursor, &record) == TRACE_STORE_ERR_CORRUPT_ROW);
    CHECK(trace_store_events_next(cursor, &record) == TRACE_STORE_ERR_CORRUPT_ROW);
    if (strstr(trace_store_last_message(store), "events row") == NULL) {
        fprintf(stderr, "FAIL: '%s' gave message '%s'\n", sql, trace_store_last_message(store));
        exit(1);
    }
    trace_store_events_close(cursor);
    trace_store_close(store);
}

static void check_corrupt_run(const char *path, const char *sql)
{
    int64_t run_id = make_small_store(path);
    raw_sql(path, sql);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_run_info info;
    struct trace_run_result result;
    enum trace_store_error error = trace_store_run_load(store, run_id, &info, &result);
    if (error != TRACE_STORE_ERR_CORRUPT_ROW) {
        fprintf(stderr, "FAIL: '%s' gave %s\n", sql, trace_store_error_name(error));
        exit(1);
    }
    CHECK(info.scenario == NULL && result.outcome == NULL); /* nothing half-loaded */
    trace_store_close(store);
}

static void check_corrupt_choices(const char *path, const char *sql)
{
    int64_t run_id = make_small_store(path);
    raw_sql(path, sql);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_choice choices[SMALL_RUN_CHOICES];
    size_t count = 99;
    CHECK(trace_store_choices_load(store, run_id, choices, SMALL_RUN_CHOICES, &count) ==
          TRACE_STORE_ERR_CORRUPT_ROW);
    CHECK(count == 0);
    trace_store_close(store);
}

void test_corrupt_rows(void)
{
    char path[PATH_MAX_BYTES];
    test_path("corrupt.db", path);

    check_corrupt_event(path, "UPDATE events SET blob = zeroblob(60) WHERE seq = 10", 10);
    check_corrupt_event(path, "UPDATE events SET blob = 'text' WHERE seq = 11", 11);
    check_corrupt_event(path, "UPDATE events SET kind = 70000 WHERE seq = 12", 12);
    check_corrupt_event(path, "UPDATE events SET pd = -1 WHERE seq = 13", 13);
    check_corrupt_event(path, "UPDATE events SET thread = 2.5 WHERE seq = 14", 14);
    check_corrupt_event(path, "UPDATE events SET a2 = 'seven' WHERE seq = 15", 15);
    check_corrupt_event(path, "DELETE FROM events WHERE seq = 16", 16);
    check_corrupt_event(path, "UPDATE events SET seq = 100 WHERE seq = 0", 0);
    check_corrupt_event(path, "UPDATE events SET time_ns = time_ns + 1 WHERE seq = 17", 17);
    check_corrupt_event(path, "UPDATE events SET hash = hash + 1 WHERE seq = 18", 18);

    check_corrupt_run(path, "UPDATE runs SET seed = 'abc'");
    check_corrupt_run(path, "UPDATE runs SET hash = '0xZZ'");
    check_corrupt_run(path, "UPDATE runs SET hash = '0x00000000000000000'");
    check_corrupt_run(path, "UPDATE runs SET event_count = -5");
    check_corrupt_run(path, "UPDATE runs SET input = 'not a blob'");
    check_corrupt_run(path, "UPDATE runs SET build = x'41'");

    check_corrupt_choices(path, "UPDATE choices SET value = range WHERE seq = 3");
    check_corrupt_choices(path, "DELETE FROM choices WHERE seq = 2");
    check_corrupt_choices(path, "UPDATE choices SET range = x'00' WHERE seq = 1");
}
