/*
 * test_trace_store.c - the SQLite trace store end to end (with
 * test_trace_store_errors.c and trace_store_fixture.c, one program).
 *
 *   round trip     100k events through the recorder's sink in batches, with
 *                  a close and reopen in the middle of the run; choices;
 *                  input blob; everything read back equal, in order, with
 *                  the stored hash column equal to the trace_hash_step chain
 *   failures       the failures table counts and keeps first/last run
 *   bad appends    wrong seq, bad blob, bad choice: refused, nothing stored
 *   killed writer  a child killed mid-run leaves a valid database whose run
 *                  is 'incomplete' and holds whole batches only
 *   errors         test_trace_store_errors.c
 *
 * Databases live in TRACE_TEST_DIR (the build directory).
 */
#define _POSIX_C_SOURCE 200809L /* fork, kill, nanosleep under -std=c11 */

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"
#include "trace_store_fixture.h"

enum {
    ROUND_TRIP_EVENTS = 100000,
    ROUND_TRIP_CHOICES = 3000,
    RING_CAPACITY = 4096,
    KILLED_WRITER_BATCHES_MAX = 100000,
};

/* The recorder's sink, writing to one run of a store. */
struct store_sink {
    struct trace_store *store;
    int64_t run_id;
    size_t batches;
};

static int store_sink_write(void *sink_ctx, const struct trace_record *records, size_t count)
{
    struct store_sink *sink = sink_ctx;
    enum trace_store_error error =
        trace_store_append_events(sink->store, sink->run_id, records, count);
    if (error != TRACE_STORE_OK) {
        fprintf(stderr, "sink: %s: %s\n", trace_store_error_name(error),
                trace_store_last_message(sink->store));
        return 1;
    }
    sink->batches++;
    return 0;
}

/* The stored hash column, read with plain SQL, is the chain over the records. */
static void check_hash_column(const char *path, int64_t run_id, uint64_t expected_count)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, "SELECT seq, hash FROM events WHERE run_id = ? ORDER BY seq",
                             -1, &statement, NULL) == SQLITE_OK);
    sqlite3_bind_int64(statement, 1, run_id);
    uint64_t hash = TRACE_HASH_SEED;
    uint64_t index = 0;
    while (sqlite3_step(statement) == SQLITE_ROW) {
        struct trace_record record;
        make_expected_event(index, &record);
        hash = trace_hash_step(hash, &record);
        CHECK(sqlite3_column_int64(statement, 0) == (int64_t)index);
        CHECK((uint64_t)sqlite3_column_int64(statement, 1) == hash);
        index++;
    }
    CHECK(index == expected_count);
    sqlite3_finalize(statement);
    CHECK(sqlite3_close(db) == SQLITE_OK);
}
/* ---- round trip -------------------------------------------------------- */

/* Records the run's events through a recorder whose sink is the store,
 * closing and reopening the store halfway so that the second half chains
 * from the hash stored in the database rather than the one in memory. */
static uint64_t record_round_trip_events(struct trace_store **store, const char *path,
                                         int64_t run_id)
{
    static struct trace_record ring[RING_CAPACITY];
    struct store_sink sink = { .store = *store, .run_id = run_id };
    struct trace_recorder rec;
    trace_recorder_init(&rec, ring, RING_CAPACITY, store_sink_write, &sink);

    for (uint64_t i = 0; i < ROUND_TRIP_EVENTS; i++) {
        if (i == ROUND_TRIP_EVENTS / 2) {
            CHECK(trace_recorder_flush(&rec) == 0);
            trace_store_close(*store);
            CHECK_OK(trace_store_open(store, path));
            sink.store = *store;
        }
        struct trace_record record;
        make_event(i, &record);
        trace_recorder_append(&rec, &record);
        CHECK(record.seq == i);
    }
    CHECK(trace_recorder_flush(&rec) == 0);
    CHECK(rec.next_seq == ROUND_TRIP_EVENTS);
    CHECK(sink.batches >= ROUND_TRIP_EVENTS / RING_CAPACITY);
    return rec.hash;
}

static void record_round_trip_choices(struct trace_store *store, int64_t run_id)
{
    static struct trace_choice choices[ROUND_TRIP_CHOICES];
    for (uint64_t i = 0; i < ROUND_TRIP_CHOICES; i++)
        make_choice(i, &choices[i]);
    size_t first_batch = ROUND_TRIP_CHOICES / 3;
    CHECK_OK(trace_store_append_choices(store, run_id, choices, first_batch));
    CHECK_OK(trace_store_append_choices(store, run_id, NULL, 0));
    CHECK_OK(trace_store_append_choices(store, run_id, &choices[first_batch],
                                        ROUND_TRIP_CHOICES - first_batch));
}

static void check_round_trip_run(struct trace_store *store, int64_t run_id, uint64_t hash)
{
    struct trace_run_info info;
    struct trace_run_result result;
    struct trace_run_info expected = make_info("round_trip");
    CHECK_OK(trace_store_run_load(store, run_id, &info, &result));
    CHECK(strcmp(info.scenario, "round_trip") == 0);
    CHECK(strcmp(info.scenario_text, expected.scenario_text) == 0);
    CHECK(info.target == NULL);
    CHECK(info.seed == expected.seed);
    CHECK(info.input_len == sizeof ROUND_TRIP_INPUT);
    CHECK(memcmp(info.input, ROUND_TRIP_INPUT, sizeof ROUND_TRIP_INPUT) == 0);
    CHECK(strcmp(info.build, "sim") == 0 && strcmp(info.platform, "sim") == 0);
    CHECK(strcmp(result.outcome, "pass") == 0);
    CHECK(result.failure_signature == NULL && result.failure_message == NULL);
    CHECK(result.event_count == ROUND_TRIP_EVENTS);
    CHECK(result.hash == hash);
    trace_run_info_free(&info);
    trace_run_result_free(&result);
    CHECK(info.scenario == NULL && result.outcome == NULL);
}

static void check_round_trip_choices(struct trace_store *store, int64_t run_id)
{
    static struct trace_choice got[ROUND_TRIP_CHOICES];
    size_t count = 0;
    CHECK_OK(trace_store_choices_load(store, run_id, got, 10, &count));
    CHECK(count == ROUND_TRIP_CHOICES);
    CHECK_OK(trace_store_choices_load(store, run_id, NULL, 0, &count));
    CHECK(count == ROUND_TRIP_CHOICES);
    CHECK_OK(trace_store_choices_load(store, run_id, got, ROUND_TRIP_CHOICES, &count));
    CHECK(count == ROUND_TRIP_CHOICES);
    for (uint64_t i = 0; i < ROUND_TRIP_CHOICES; i++) {
        struct trace_choice expected;
        make_choice(i, &expected);
        CHECK(got[i].seq == i && got[i].range == expected.range &&
              got[i].value == expected.value);
    }
}

static void test_round_trip(void)
{
    char path[PATH_MAX_BYTES];
    test_path("round_trip.db", path);
    remove_database(path);

    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    CHECK_OK(trace_store_set_kind_name(store, 4, "IPC_CALL"));
    CHECK_OK(trace_store_set_kind_name(store, 4, "IPC_CALL")); /* idempotent */
    CHECK_OK(trace_store_set_kind_name(store, 14, "LOG"));

    struct trace_run_info info = make_info("round_trip");
    int64_t run_id = 0;
    CHECK_OK(trace_store_run_begin(store, &info, &run_id));
    CHECK(run_id > 0);
    uint64_t hash = record_round_trip_events(&store, path, run_id);
    record_round_trip_choices(store, run_id);
    struct trace_run_result result = {
        .outcome = "pass", .event_count = ROUND_TRIP_EVENTS, .hash = hash,
    };
    CHECK_OK(trace_store_run_end(store, run_id, &result));
    trace_store_close(store);

    CHECK_OK(trace_store_open(&store, path));
    check_round_trip_run(store, run_id, hash);
    CHECK(check_events(store, run_id, ROUND_TRIP_EVENTS) == hash);
    check_round_trip_choices(store, run_id);
    trace_store_close(store);

    check_hash_column(path, run_id, ROUND_TRIP_EVENTS);
    CHECK(raw_query_integer(path, "SELECT count(*) FROM events_readable"
                                  " WHERE kind_name = 'IPC_CALL'") > 0);
    CHECK(raw_query_integer(path, "SELECT count(*) FROM event_kinds") == 2);
}

/* ---- failures ---------------------------------------------------------- */

static int64_t run_with_outcome(struct trace_store *store, const char *outcome,
                                const char *signature, const char *message)
{
    struct trace_run_info info = make_info("failures");
    info.input = NULL;
    info.input_len = 0;
    info.target = "fuzz_ipc";
    int64_t run_id = 0;
    CHECK_OK(trace_store_run_begin(store, &info, &run_id));
    struct trace_run_result result = {
        .outcome = (char *)outcome,
        .failure_signature = (char *)signature,
        .failure_message = (char *)message,
        .event_count = 0,
        .hash = TRACE_HASH_SEED,
    };
    CHECK_OK(trace_store_run_end(store, run_id, &result));
    return run_id;
}

static void test_failures(void)
{
    char path[PATH_MAX_BYTES];
    test_path("failures.db", path);
    remove_database(path);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));

    int64_t first = run_with_outcome(store, "fail", "lost_wakeup@sem.c:40", "first message");
    run_with_outcome(store, "pass", NULL, NULL);
    run_with_outcome(store, "fail", "quota@pd.c:12", "quota");
    run_with_outcome(store, "fail", "lost_wakeup@sem.c:40", "second message");
    int64_t last = run_with_outcome(store, "hang", "lost_wakeup@sem.c:40", NULL);

    struct trace_run_info info;
    struct trace_run_result result;
    CHECK_OK(trace_store_run_load(store, last, &info, &result));
    CHECK(strcmp(result.outcome, "hang") == 0 && result.failure_message == NULL);
    CHECK(strcmp(info.target, "fuzz_ipc") == 0 && info.input == NULL && info.input_len == 0);
    CHECK(result.hash == TRACE_HASH_SEED);
    trace_run_info_free(&info);
    trace_run_result_free(&result);
    trace_store_close(store);

    CHECK(raw_query_integer(path, "SELECT count(*) FROM failures") == 2);
    CHECK(raw_query_integer(path, "SELECT count FROM failures"
                                  " WHERE signature = 'lost_wakeup@sem.c:40'") == 3);
    CHECK(raw_query_integer(path, "SELECT first_run_id FROM failures"
                                  " WHERE signature = 'lost_wakeup@sem.c:40'") == first);
    CHECK(raw_query_integer(path, "SELECT last_run_id FROM failures"
                                  " WHERE signature = 'lost_wakeup@sem.c:40'") == last);
    CHECK(raw_query_integer(path, "SELECT message = 'first message' FROM failures"
                                  " WHERE signature = 'lost_wakeup@sem.c:40'") == 1);
    CHECK(raw_query_integer(path, "SELECT count FROM failures"
                                  " WHERE signature = 'quota@pd.c:12'") == 1);
}

/* ---- bad appends ------------------------------------------------------- */

static void test_bad_appends(void)
{
    char path[PATH_MAX_BYTES];
    test_path("bad_appends.db", path);
    remove_database(path);
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_run_info info = make_info("bad_appends");
    int64_t run_id = 0;
    CHECK_OK(trace_store_run_begin(store, &info, &run_id));

    struct trace_record batch[10];
    for (int i = 0; i < 10; i++)
        make_expected_event((uint64_t)i, &batch[i]);
    batch[5].seq = 6;
    CHECK(trace_store_append_events(store, run_id, batch, 10) == TRACE_STORE_ERR_CORRUPT_ROW);
    CHECK(strstr(trace_store_last_message(store), "seq") != NULL);
    batch[5].seq = 5;
    batch[7].blob[TRACE_RECORD_BLOB_MAX - 1] = 1; /* nonzero padding */
    CHECK(trace_store_append_events(store, run_id, batch, 10) == TRACE_STORE_ERR_CORRUPT_ROW);
    CHECK(raw_query_integer(path, "SELECT count(*) FROM events") == 0); /* rolled back */
    make_expected_event(7, &batch[7]);
    CHECK_OK(trace_store_append_events(store, run_id, batch, 10));
    CHECK(trace_store_last_message(store)[0] == '\0');
    CHECK(trace_store_append_events(store, run_id, batch, 1) == TRACE_STORE_ERR_CORRUPT_ROW);

    struct trace_choice choice = { .seq = 0, .range = 4, .value = 4 };
    CHECK(trace_store_append_choices(store, run_id, &choice, 1) == TRACE_STORE_ERR_CORRUPT_ROW);
    choice.value = 3;
    choice.seq = 1;
    CHECK(trace_store_append_choices(store, run_id, &choice, 1) == TRACE_STORE_ERR_CORRUPT_ROW);
    choice.seq = 0;
    CHECK_OK(trace_store_append_choices(store, run_id, &choice, 1));

    CHECK(check_events(store, run_id, 10) != TRACE_HASH_SEED);
    trace_store_close(store);
}
/* ---- killed writer ----------------------------------------------------- */

/* The child records batches of one run until it is killed; it tells the
 * parent through the pipe once the first batch is committed. */
static void killed_writer_child(const char *path, int ready_fd)
{
    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_run_info info = make_info("killed");
    int64_t run_id = 0;
    CHECK_OK(trace_store_run_begin(store, &info, &run_id));
    for (uint64_t batch = 0; batch < KILLED_WRITER_BATCHES_MAX; batch++) {
        append_events_direct(store, run_id, batch * FIXTURE_BATCH_MAX, FIXTURE_BATCH_MAX);
        if (batch == 0)
            CHECK(write(ready_fd, "r", 1) == 1);
    }
    _exit(2); /* not reached in time: the parent kills us first */
}

static void test_killed_writer(void)
{
    char path[PATH_MAX_BYTES];
    test_path("killed.db", path);
    remove_database(path);

    int pipe_fds[2];
    CHECK(pipe(pipe_fds) == 0);
    fflush(NULL);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        close(pipe_fds[0]);
        killed_writer_child(path, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    char ready = 0;
    CHECK(read(pipe_fds[0], &ready, 1) == 1 && ready == 'r');
    struct timespec pause = { .tv_sec = 0, .tv_nsec = 30 * 1000 * 1000 };
    nanosleep(&pause, NULL); /* let it get somewhere in the middle of a batch */
    CHECK(kill(child, SIGKILL) == 0);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(pipe_fds[0]);

    struct trace_store *store = NULL;
    CHECK_OK(trace_store_open(&store, path));
    struct trace_run_info info;
    struct trace_run_result result;
    CHECK_OK(trace_store_run_load(store, 1, &info, &result));
    CHECK(strcmp(result.outcome, "incomplete") == 0);
    CHECK(result.event_count == 0 && result.hash == 0 && result.failure_signature == NULL);
    trace_run_info_free(&info);
    trace_run_result_free(&result);

    int64_t stored = raw_query_integer(path, "SELECT count(*) FROM events");
    CHECK(stored >= FIXTURE_BATCH_MAX && stored % FIXTURE_BATCH_MAX == 0);
    check_events(store, 1, (uint64_t)stored);

    /* The store takes new runs, and more events for the killed one. */
    append_events_direct(store, 1, (uint64_t)stored, FIXTURE_BATCH_MAX);
    check_events(store, 1, (uint64_t)stored + FIXTURE_BATCH_MAX);
    int64_t run_id = 0;
    struct trace_run_info next = make_info("after_kill");
    CHECK_OK(trace_store_run_begin(store, &next, &run_id));
    CHECK(run_id == 2);
    trace_store_close(store);
}

int main(void)
{
    test_round_trip();
    test_failures();
    test_bad_appends();
    test_bad_files();
    test_no_such_run();
    test_corrupt_rows();
    test_killed_writer();
    printf("test_trace_store: ok\n");
    return 0;
}
