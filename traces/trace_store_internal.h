/*
 * trace_store_internal.h - what the three trace_store_*.c files share: the
 * store struct, limits, error helpers and the uint64 <-> int64 casts.
 *
 *   trace_store.c        open (schema create/validate), close, messages, kind names
 *   trace_store_write.c  run_begin, append_events, append_choices, run_end
 *   trace_store_read.c   run_load, the event cursor, choices_load
 *
 * Private to traces/: nothing outside includes this.
 */
#ifndef DUET_TRACE_STORE_INTERNAL_H
#define DUET_TRACE_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "duet/trace_store.h"

enum {
    /* 2: the per-event hash column is the paired multiply-fold hash. */
    TRACE_STORE_SCHEMA_VERSION = 2,
    TRACE_STORE_BUSY_TIMEOUT_MS = 5000,
    TRACE_STORE_MESSAGE_MAX = 512,
    /* Short strings: scenario, target, build, platform, outcome,
     * failure signature, kind names. */
    TRACE_STORE_NAME_MAX = 4096,
    /* Long values: scenario text, failure message, fuzzer input. */
    TRACE_STORE_TEXT_MAX = 16 * 1024 * 1024,
    /* Records or choices in one append call (one transaction). */
    TRACE_STORE_BATCH_MAX = 1 << 24,
};

#define TRACE_STORE_FORMAT "duet-trace-store"

/* The statements every write and run_load use, prepared once at open and
 * reset/rebound per row. Cursors prepare their own: several may be open. */
struct trace_store_statements {
    sqlite3_stmt *run_insert;
    sqlite3_stmt *run_exists;
    sqlite3_stmt *run_select;
    sqlite3_stmt *run_update_end;
    sqlite3_stmt *event_insert;
    sqlite3_stmt *event_select_last;
    sqlite3_stmt *choice_insert;
    sqlite3_stmt *choice_select_next_seq;
    sqlite3_stmt *choice_select;
    sqlite3_stmt *failure_upsert;
    sqlite3_stmt *kind_name_upsert;
};

/* Where the event chain of the run being appended stands, so that batches
 * need no read-back. Valid only for run_id; any other run is looked up. */
struct trace_store_append_state {
    int valid;
    int64_t run_id;
    uint64_t next_seq;
    uint64_t hash;        /* rolling hash after event next_seq - 1 */
};

struct trace_store {
    sqlite3 *db;
    struct trace_store_statements statements;
    struct trace_store_append_state append;
    unsigned cursors_open;
    char message[TRACE_STORE_MESSAGE_MAX];
};

/* Records a formatted message and returns `error`, for `return store_fail(...)`. */
enum trace_store_error store_fail(struct trace_store *store, enum trace_store_error error,
                                  const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Records "<what>: <sqlite's message>" and returns `error`. */
enum trace_store_error store_fail_sqlite(struct trace_store *store,
                                         enum trace_store_error error, const char *what);

/* Clears the message after a success. */
void store_message_clear(struct trace_store *store);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; commit rolls back itself on failure. */
enum trace_store_error store_transaction_begin(struct trace_store *store);
enum trace_store_error store_transaction_commit(struct trace_store *store);
void store_transaction_rollback(struct trace_store *store);

/* OK if the run exists, NO_SUCH_RUN if not, IO if SQLite failed. */
enum trace_store_error store_run_check_exists(struct trace_store *store, int64_t run_id);

/* SQLite has signed 64-bit integers only; uint64 values are stored as the
 * int64 with the same bits and come back exactly. Written out rather than
 * cast so that no conversion is implementation-defined. */
static inline int64_t store_int64_from_uint64(uint64_t value)
{
    if (value <= (uint64_t)INT64_MAX)
        return (int64_t)value;
    return -(int64_t)(UINT64_MAX - value) - 1;
}

static inline uint64_t store_uint64_from_int64(int64_t value)
{
    return (uint64_t)value; /* modulo 2^64, defined by C */
}

#endif
