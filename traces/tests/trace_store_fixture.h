/*
 * trace_store_fixture.h - shared by the trace store tests (one program:
 * test_trace_store.c, test_trace_store_errors.c, trace_store_fixture.c).
 *
 * Every test run is made of the same deterministic data: event i is
 * make_event(i) (seq set by the recorder, or make_expected_event(i) with
 * seq = i), choice i is make_choice(i), so a run read back can be checked
 * without keeping what was written.
 */
#ifndef DUET_TRACES_TRACE_STORE_FIXTURE_H
#define DUET_TRACES_TRACE_STORE_FIXTURE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/trace_record.h"
#include "duet/trace_store.h"
#include "test_check.h"

#ifndef TRACE_TEST_DIR
#error "TRACE_TEST_DIR must name a writable directory for the test databases"
#endif

enum {
    PATH_MAX_BYTES = 1024,
    FIXTURE_BATCH_MAX = 1000,     /* events per append_events_direct */
    SMALL_RUN_EVENTS = 50,
    SMALL_RUN_CHOICES = 8,
};

#define CHECK_OK(call) CHECK((call) == TRACE_STORE_OK)

extern const uint8_t ROUND_TRIP_INPUT[10];

/* Files: a path in TRACE_TEST_DIR; a database with its -wal and -shm. */
void test_path(const char *name, char out[PATH_MAX_BYTES]);
void remove_database(const char *path);
void write_file(const char *path, const void *bytes, size_t len);

/* Plain SQLite on the file, behind the store's back. */
void raw_sql(const char *path, const char *sql);
int64_t raw_query_integer(const char *path, const char *sql);

/* The deterministic data. */
void make_event(uint64_t index, struct trace_record *out);
void make_expected_event(uint64_t index, struct trace_record *out);
void make_choice(uint64_t index, struct trace_choice *out);
struct trace_run_info make_info(const char *scenario);

/* Appends events first .. first+count-1 (count <= FIXTURE_BATCH_MAX) as one batch. */
void append_events_direct(struct trace_store *store, int64_t run_id, uint64_t first,
                          size_t count);

/* Reads the run's events, checks each against make_expected_event and that
 * the cursor ends after expected_count; returns the recomputed final hash. */
uint64_t check_events(struct trace_store *store, int64_t run_id, uint64_t expected_count);

/* A fresh store at path with one finished run of SMALL_RUN_EVENTS events
 * and SMALL_RUN_CHOICES choices; returns the run id. */
int64_t make_small_store(const char *path);

/* The groups in test_trace_store_errors.c. */
void test_bad_files(void);
void test_no_such_run(void);
void test_corrupt_rows(void);

#endif
