/*
 * trace_store.c - opening and closing a trace store: schema, pragmas,
 * prepared statements, error names and messages, event kind names.
 *
 * trace_store_open runs these steps in order and stops at the first error:
 *   1. store_connect            sqlite3_open_v2, busy timeout
 *   2. store_schema_create_if_empty
 *                               counting sqlite_master is the first read, so a
 *                               file that is not SQLite fails here (NOT_A_STORE);
 *                               an empty database gets the version-1 schema
 *   3. store_schema_validate    meta says format 'duet-trace-store' (else
 *                               NOT_A_STORE) and schema_version '2' (else VERSION)
 *   4. store_pragmas_set        WAL, synchronous=NORMAL, foreign_keys=ON
 *   5. store_statements_prepare every statement writes use, prepared once;
 *                               a table or column missing means NOT_A_STORE
 * Nothing is written to a non-empty file before step 3 has accepted it, so
 * opening someone else's database by mistake leaves it untouched.
 *
 * If open fails there is no store to ask, so the message is kept per thread
 * and trace_store_last_message(NULL) returns it.
 *
 * Not here: writing runs (trace_store_write.c), reading them
 * (trace_store_read.c). The schema is documented in docs/TRACE_STORE.md.
 */
#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_store_internal.h"

static const char SCHEMA_SQL[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
    "INSERT INTO meta(key, value) VALUES('format', '" TRACE_STORE_FORMAT "'),\n"
    "                                    ('schema_version', '2');\n"
    "CREATE TABLE runs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scenario TEXT NOT NULL,\n"
    "  scenario_text TEXT,\n"
    "  target TEXT,\n"
    "  seed INTEGER NOT NULL,\n"
    "  input BLOB,\n"
    "  build TEXT NOT NULL,\n"
    "  platform TEXT NOT NULL,\n"
    "  outcome TEXT NOT NULL DEFAULT 'incomplete',\n"
    "  failure_signature TEXT,\n"
    "  failure_message TEXT,\n"
    "  event_count INTEGER NOT NULL DEFAULT 0,\n"
    "  hash TEXT,\n"
    "  created_at TEXT);\n"
    "CREATE INDEX runs_by_failure_signature ON runs(failure_signature)\n"
    "  WHERE failure_signature IS NOT NULL;\n"
    "CREATE TABLE events(\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  time_ns INTEGER NOT NULL,\n"
    "  kind INTEGER NOT NULL,\n"
    "  pd INTEGER NOT NULL,\n"
    "  thread INTEGER NOT NULL,\n"
    "  a0 INTEGER NOT NULL, a1 INTEGER NOT NULL,\n"
    "  a2 INTEGER NOT NULL, a3 INTEGER NOT NULL,\n"
    "  blob BLOB,\n"
    "  hash INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run_id, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE choices(\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  range INTEGER NOT NULL,\n"
    "  value INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run_id, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE failures(\n"
    "  signature TEXT PRIMARY KEY,\n"
    "  first_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,\n"
    "  last_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,\n"
    "  count INTEGER NOT NULL,\n"
    "  message TEXT);\n"
    "CREATE TABLE event_kinds(kind INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE VIEW events_readable AS\n"
    "  SELECT e.run_id, e.seq, e.time_ns, e.kind,\n"
    "         coalesce(k.name, 'kind_' || e.kind) AS kind_name,\n"
    "         e.pd, e.thread, e.a0, e.a1, e.a2, e.a3,\n"
    "         e.blob, hex(e.blob) AS blob_hex,\n"
    "         printf('0x%016x', e.hash) AS hash\n"
    "  FROM events AS e LEFT JOIN event_kinds AS k ON k.kind = e.kind;\n";

struct statement_source {
    size_t offset;           /* of the sqlite3_stmt * in trace_store_statements */
    const char *sql;
};

#define STATEMENT(field, sql) { offsetof(struct trace_store_statements, field), sql }

static const struct statement_source STATEMENT_SOURCES[] = {
    STATEMENT(run_insert,
              "INSERT INTO runs(scenario, scenario_text, target, seed, input, build,"
              " platform, outcome, event_count, created_at)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'incomplete', 0,"
              " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
    STATEMENT(run_exists, "SELECT 1 FROM runs WHERE id = ?1"),
    STATEMENT(run_select,
              "SELECT scenario, scenario_text, target, seed, input, build, platform,"
              " outcome, failure_signature, failure_message, event_count, hash"
              " FROM runs WHERE id = ?1"),
    STATEMENT(run_update_end,
              "UPDATE runs SET outcome = ?2, failure_signature = ?3, failure_message = ?4,"
              " event_count = ?5, hash = ?6 WHERE id = ?1"),
    STATEMENT(event_insert,
              "INSERT INTO events(run_id, seq, time_ns, kind, pd, thread, a0, a1, a2, a3,"
              " blob, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
    STATEMENT(event_select_last,
              "SELECT seq, hash FROM events WHERE run_id = ?1 ORDER BY seq DESC LIMIT 1"),
    STATEMENT(choice_insert,
              "INSERT INTO choices(run_id, seq, range, value) VALUES(?1, ?2, ?3, ?4)"),
    STATEMENT(choice_select_next_seq,
              "SELECT coalesce(max(seq) + 1, 0) FROM choices WHERE run_id = ?1"),
    STATEMENT(choice_select,
              "SELECT seq, range, value FROM choices WHERE run_id = ?1 ORDER BY seq"),
    STATEMENT(failure_upsert,
              "INSERT INTO failures(signature, first_run_id, last_run_id, count, message)"
              " VALUES(?1, ?2, ?2, 1, ?3)"
              " ON CONFLICT(signature) DO UPDATE SET last_run_id = excluded.last_run_id,"
              " count = count + 1"),
    STATEMENT(kind_name_upsert,
              "INSERT INTO event_kinds(kind, name) VALUES(?1, ?2)"
              " ON CONFLICT(kind) DO UPDATE SET name = excluded.name"),
};

enum { STATEMENT_COUNT = sizeof STATEMENT_SOURCES / sizeof STATEMENT_SOURCES[0] };

_Static_assert(STATEMENT_COUNT * sizeof(sqlite3_stmt *) == sizeof(struct trace_store_statements),
               "every prepared statement has its SQL in STATEMENT_SOURCES");

/* The message of the last failed trace_store_open on this thread. */
static _Thread_local char open_failure_message[TRACE_STORE_MESSAGE_MAX];

static sqlite3_stmt **statement_slot(struct trace_store *store, size_t index)
{
    assert(index < STATEMENT_COUNT);
    return (sqlite3_stmt **)((char *)&store->statements + STATEMENT_SOURCES[index].offset);
}

/* ---- messages --------------------------------------------------------- */

enum trace_store_error store_fail(struct trace_store *store, enum trace_store_error error,
                                  const char *format, ...)
{
    assert(store != NULL && format != NULL);
    assert(error != TRACE_STORE_OK && error != TRACE_STORE_ERR_END);

    va_list args;
    va_start(args, format);
    vsnprintf(store->message, sizeof store->message, format, args);
    va_end(args);
    return error;
}

enum trace_store_error store_fail_sqlite(struct trace_store *store,
                                         enum trace_store_error error, const char *what)
{
    assert(store != NULL && what != NULL);
    const char *sqlite_message = store->db != NULL ? sqlite3_errmsg(store->db) : "no database";
    return store_fail(store, error, "%s: %s", what, sqlite_message);
}

void store_message_clear(struct trace_store *store)
{
    assert(store != NULL);
    store->message[0] = '\0';
}

const char *trace_store_last_message(const struct trace_store *store)
{
    if (store == NULL)
        return open_failure_message;
    return store->message;
}

const char *trace_store_error_name(enum trace_store_error error)
{
    switch (error) {
    case TRACE_STORE_OK: return "TRACE_STORE_OK";
    case TRACE_STORE_ERR_OPEN: return "TRACE_STORE_ERR_OPEN";
    case TRACE_STORE_ERR_NOT_A_STORE: return "TRACE_STORE_ERR_NOT_A_STORE";
    case TRACE_STORE_ERR_VERSION: return "TRACE_STORE_ERR_VERSION";
    case TRACE_STORE_ERR_NO_SUCH_RUN: return "TRACE_STORE_ERR_NO_SUCH_RUN";
    case TRACE_STORE_ERR_IO: return "TRACE_STORE_ERR_IO";
    case TRACE_STORE_ERR_CORRUPT_ROW: return "TRACE_STORE_ERR_CORRUPT_ROW";
    case TRACE_STORE_ERR_END: return "TRACE_STORE_ERR_END";
    }
    return "TRACE_STORE_ERR_UNKNOWN";
}

/* ---- transactions ----------------------------------------------------- */

enum trace_store_error store_transaction_begin(struct trace_store *store)
{
    assert(store != NULL && store->db != NULL);
    assert(sqlite3_get_autocommit(store->db)); /* no transaction is ever left open */

    if (sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "begin transaction");
    return TRACE_STORE_OK;
}

enum trace_store_error store_transaction_commit(struct trace_store *store)
{
    assert(store != NULL && store->db != NULL);
    assert(!sqlite3_get_autocommit(store->db));

    if (sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        enum trace_store_error error =
            store_fail_sqlite(store, TRACE_STORE_ERR_IO, "commit transaction");
        store_transaction_rollback(store);
        return error;
    }
    assert(sqlite3_get_autocommit(store->db));
    return TRACE_STORE_OK;
}

void store_transaction_rollback(struct trace_store *store)
{
    assert(store != NULL && store->db != NULL);
    /* SQLite may already have rolled back on its own (e.g. after SQLITE_FULL). */
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    assert(sqlite3_get_autocommit(store->db));
}

enum trace_store_error store_run_check_exists(struct trace_store *store, int64_t run_id)
{
    assert(store != NULL);
    sqlite3_stmt *statement = store->statements.run_exists;
    sqlite3_bind_int64(statement, 1, run_id);
    int step = sqlite3_step(statement);
    sqlite3_reset(statement);

    if (step == SQLITE_ROW)
        return TRACE_STORE_OK;
    if (step == SQLITE_DONE)
        return store_fail(store, TRACE_STORE_ERR_NO_SUCH_RUN, "no run with id %lld",
                          (long long)run_id);
    return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "look up run");
}

/* ---- open: steps 1-5 -------------------------------------------------- */

static enum trace_store_error store_connect(struct trace_store *store, const char *path)
{
    assert(store != NULL && store->db == NULL && path != NULL);

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &store->db, flags, NULL) != SQLITE_OK)
        return store_fail_sqlite(store, TRACE_STORE_ERR_OPEN, path);
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, TRACE_STORE_BUSY_TIMEOUT_MS);
    return TRACE_STORE_OK;
}

/* The first read of the file: SQLITE_NOTADB here means "not SQLite at all". */
static enum trace_store_error store_count_schema_objects(struct trace_store *store,
                                                         int64_t *out_count)
{
    assert(store != NULL && out_count != NULL);
    sqlite3_stmt *statement = NULL;
    int status = sqlite3_prepare_v2(store->db, "SELECT count(*) FROM sqlite_master", -1,
                                    &statement, NULL);
    if (status == SQLITE_OK) {
        status = sqlite3_step(statement);
        if (status == SQLITE_ROW)
            *out_count = sqlite3_column_int64(statement, 0);
    }
    enum trace_store_error error = TRACE_STORE_OK;
    if (status != SQLITE_ROW) {
        int not_sqlite = (sqlite3_errcode(store->db) & 0xff) == SQLITE_NOTADB;
        error = store_fail_sqlite(store, not_sqlite ? TRACE_STORE_ERR_NOT_A_STORE
                                                    : TRACE_STORE_ERR_IO,
                                  "read the database schema");
    }
    sqlite3_finalize(statement);
    return error;
}

/* Counts again inside the write transaction: two processes creating the same
 * new store must not both create the schema. */
static enum trace_store_error store_schema_create_if_empty(struct trace_store *store)
{
    int64_t objects = 0;
    enum trace_store_error error = store_count_schema_objects(store, &objects);
    if (error != TRACE_STORE_OK || objects > 0)
        return error;

    error = store_transaction_begin(store);
    if (error == TRACE_STORE_OK)
        error = store_count_schema_objects(store, &objects);
    if (error == TRACE_STORE_OK && objects == 0 &&
        sqlite3_exec(store->db, SCHEMA_SQL, NULL, NULL, NULL) != SQLITE_OK)
        error = store_fail_sqlite(store, TRACE_STORE_ERR_IO, "create the schema");
    if (error != TRACE_STORE_OK) {
        store_transaction_rollback(store);
        return error;
    }
    return store_transaction_commit(store);
}

/* Reads meta.value for `key` into out (NUL-terminated, truncated to size).
 * *out_found = 0 when there is no such row. */
static enum trace_store_error store_meta_read(struct trace_store *store, const char *key,
                                              char *out, size_t size, int *out_found)
{
    assert(store != NULL && key != NULL && out != NULL && size > 0 && out_found != NULL);
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(store->db, "SELECT value FROM meta WHERE key = ?1", -1,
                           &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return store_fail_sqlite(store, TRACE_STORE_ERR_NOT_A_STORE, "not a Duet trace store");
    }
    sqlite3_bind_text(statement, 1, key, -1, SQLITE_STATIC);

    enum trace_store_error error = TRACE_STORE_OK;
    int step = sqlite3_step(statement);
    *out_found = step == SQLITE_ROW;
    out[0] = '\0';
    if (step == SQLITE_ROW && sqlite3_column_type(statement, 0) != SQLITE_NULL)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(statement, 0));
    else if (step != SQLITE_ROW && step != SQLITE_DONE)
        error = store_fail_sqlite(store, TRACE_STORE_ERR_IO, "read meta");
    sqlite3_finalize(statement);
    return error;
}

static enum trace_store_error store_schema_validate(struct trace_store *store)
{
    char value[64];
    int found = 0;

    enum trace_store_error error = store_meta_read(store, "format", value, sizeof value, &found);
    if (error != TRACE_STORE_OK)
        return error;
    if (!found || strcmp(value, TRACE_STORE_FORMAT) != 0)
        return store_fail(store, TRACE_STORE_ERR_NOT_A_STORE,
                          "meta format is '%s', not '" TRACE_STORE_FORMAT "'",
                          found ? value : "(missing)");

    error = store_meta_read(store, "schema_version", value, sizeof value, &found);
    if (error != TRACE_STORE_OK)
        return error;
    if (!found || strcmp(value, "2") != 0)
        return store_fail(store, TRACE_STORE_ERR_VERSION,
                          "schema_version is '%s'; this build reads version %d",
                          found ? value : "(missing)", TRACE_STORE_SCHEMA_VERSION);
    return TRACE_STORE_OK;
}

/* WAL + synchronous=NORMAL: a commit is one append to the WAL without fsync,
 * and a killed process never leaves the database invalid (power loss may
 * drop the last commits, never corrupt). journal_mode answers with the mode
 * it got; an in-memory database stays "memory", which is fine. */
static enum trace_store_error store_pragmas_set(struct trace_store *store)
{
    sqlite3_stmt *statement = NULL;
    char mode[16] = "";
    if (sqlite3_prepare_v2(store->db, "PRAGMA journal_mode=WAL", -1, &statement, NULL) ==
            SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
        return store_fail(store, TRACE_STORE_ERR_IO, "journal_mode=WAL refused (got '%s'): %s",
                          mode, sqlite3_errmsg(store->db));

    if (sqlite3_exec(store->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL,
                     NULL, NULL) != SQLITE_OK)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "set pragmas");
    return TRACE_STORE_OK;
}

/* meta said version 1, so a statement that does not prepare means the
 * tables are not what version 1 has. */
static enum trace_store_error store_statements_prepare(struct trace_store *store)
{
    for (size_t i = 0; i < STATEMENT_COUNT; i++) {
        sqlite3_stmt **slot = statement_slot(store, i);
        assert(*slot == NULL);
        if (sqlite3_prepare_v3(store->db, STATEMENT_SOURCES[i].sql, -1,
                               SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
            return store_fail_sqlite(store, TRACE_STORE_ERR_NOT_A_STORE,
                                     "tables do not match schema version 1");
    }
    return TRACE_STORE_OK;
}

static void store_destroy(struct trace_store *store)
{
    assert(store != NULL);
    assert(store->cursors_open == 0);
    for (size_t i = 0; i < STATEMENT_COUNT; i++) {
        sqlite3_stmt **slot = statement_slot(store, i);
        sqlite3_finalize(*slot); /* NULL is a no-op */
        *slot = NULL;
    }
    if (store->db != NULL) {
        int status = sqlite3_close_v2(store->db);
        assert(status == SQLITE_OK);
        (void)status;
    }
    free(store);
}

enum trace_store_error trace_store_open(struct trace_store **out_store, const char *path)
{
    assert(out_store != NULL && path != NULL);
    *out_store = NULL;
    open_failure_message[0] = '\0';

    struct trace_store *store = calloc(1, sizeof *store);
    if (store == NULL) {
        snprintf(open_failure_message, sizeof open_failure_message, "out of memory");
        return TRACE_STORE_ERR_OPEN;
    }

    enum trace_store_error error = store_connect(store, path);
    if (error == TRACE_STORE_OK)
        error = store_schema_create_if_empty(store);
    if (error == TRACE_STORE_OK)
        error = store_schema_validate(store);
    if (error == TRACE_STORE_OK)
        error = store_pragmas_set(store);
    if (error == TRACE_STORE_OK)
        error = store_statements_prepare(store);

    if (error != TRACE_STORE_OK) {
        snprintf(open_failure_message, sizeof open_failure_message, "%s", store->message);
        store_destroy(store);
        return error;
    }
    store_message_clear(store);
    *out_store = store;
    return TRACE_STORE_OK;
}

void trace_store_close(struct trace_store *store)
{
    if (store == NULL)
        return;
    assert(sqlite3_get_autocommit(store->db)); /* every call ends its transaction */
    store_destroy(store);
}

/* ---- event kind names -------------------------------------------------- */

enum trace_store_error trace_store_set_kind_names(struct trace_store *store,
                                                  const struct trace_kind_name *names,
                                                  size_t count)
{
    assert(store != NULL && (names != NULL || count == 0));
    enum trace_store_error error = store_transaction_begin(store);
    for (size_t i = 0; error == TRACE_STORE_OK && i < count; i++)
        error = trace_store_set_kind_name(store, names[i].kind, names[i].name);
    if (error != TRACE_STORE_OK) {
        store_transaction_rollback(store);
        return error;
    }
    return store_transaction_commit(store);
}

enum trace_store_error trace_store_set_kind_name(struct trace_store *store, unsigned kind,
                                                 const char *name)
{
    assert(store != NULL && name != NULL);
    assert(kind <= UINT16_MAX);
    assert(strlen(name) > 0 && strlen(name) <= TRACE_STORE_NAME_MAX);

    sqlite3_stmt *statement = store->statements.kind_name_upsert;
    sqlite3_bind_int64(statement, 1, kind);
    sqlite3_bind_text(statement, 2, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(statement);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);

    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "set event kind name");
    store_message_clear(store);
    return TRACE_STORE_OK;
}
