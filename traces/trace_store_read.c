/*
 * trace_store_read.c - reading runs back: the runs row, events through a
 * cursor, the choice stream.
 *
 * Call order:
 *   trace_store_run_load      one runs row into malloc'd info and result
 *                             (trace_run_info_free, trace_run_result_free)
 *   trace_store_events_open   a cursor over one run's events in seq order;
 *   trace_store_events_next   OK per event, then ERR_END (or an error, sticky);
 *   trace_store_events_close  before trace_store_close
 *   trace_store_choices_load  the choice stream into a caller array
 *
 * A trace database is a trust boundary: it may have been edited by hand or
 * written by another version. Every row is decoded before anything is
 * returned: column types, integer ranges, blob and text sizes, seq without
 * gaps from 0, and for events the stored hash against the chain recomputed
 * from the records. Any mismatch is TRACE_STORE_ERR_CORRUPT_ROW with the
 * table, row and column in trace_store_last_message; nothing here asserts
 * on what the database holds.
 *
 * Not here: writing (trace_store_write.c), opening (trace_store.c).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "duet/trace_hash.h"
#include "trace_store_internal.h"

/* Decodes the columns of one row, remembering the first problem so that a
 * whole row can be read with straight-line code and checked once. */
struct row_reader {
    struct trace_store *store;
    sqlite3_stmt *statement;
    const char *table;
    int64_t row_key;                 /* run id, or seq within the run */
    enum trace_store_error error;
};

static void row_fail(struct row_reader *row, const char *column, const char *problem)
{
    if (row->error != TRACE_STORE_OK)
        return;
    row->error = store_fail(row->store, TRACE_STORE_ERR_CORRUPT_ROW, "%s row %lld, %s: %s",
                            row->table, (long long)row->row_key, column, problem);
}

static int64_t row_integer(struct row_reader *row, int column, const char *name, int64_t min,
                           int64_t max)
{
    assert(min <= max);
    if (row->error != TRACE_STORE_OK)
        return min;
    if (sqlite3_column_type(row->statement, column) != SQLITE_INTEGER) {
        row_fail(row, name, "not an integer");
        return min;
    }
    int64_t value = sqlite3_column_int64(row->statement, column);
    if (value < min || value > max) {
        row_fail(row, name, "out of range");
        return min;
    }
    return value;
}

/* Any 64-bit pattern: the column holds a uint64 stored as int64. */
static uint64_t row_uint64(struct row_reader *row, int column, const char *name)
{
    return store_uint64_from_int64(row_integer(row, column, name, INT64_MIN, INT64_MAX));
}

/* A malloc'd copy of a TEXT column, NULL for SQL NULL (if nullable). */
static char *row_text(struct row_reader *row, int column, const char *name, int nullable,
                      size_t bytes_max)
{
    if (row->error != TRACE_STORE_OK)
        return NULL;
    int type = sqlite3_column_type(row->statement, column);
    if (type == SQLITE_NULL && nullable)
        return NULL;
    if (type != SQLITE_TEXT) {
        row_fail(row, name, nullable ? "not text or NULL" : "not text");
        return NULL;
    }
    const unsigned char *text = sqlite3_column_text(row->statement, column);
    size_t bytes = (size_t)sqlite3_column_bytes(row->statement, column);
    if (bytes > bytes_max) {
        row_fail(row, name, "too long");
        return NULL;
    }
    char *copy = malloc(bytes + 1);
    if (text == NULL || copy == NULL) {
        free(copy);
        row->error = store_fail(row->store, TRACE_STORE_ERR_IO, "%s: out of memory", name);
        return NULL;
    }
    memcpy(copy, text, bytes);
    copy[bytes] = '\0';
    return copy;
}

/* Checks a BLOB column and points at its bytes (valid until the next step);
 * returns 0 for SQL NULL or a problem, 1 for a blob (possibly empty). */
static int row_blob_view(struct row_reader *row, int column, const char *name,
                         size_t bytes_max, const void **out_bytes, size_t *out_length)
{
    *out_bytes = NULL;
    *out_length = 0;
    if (row->error != TRACE_STORE_OK)
        return 0;
    int type = sqlite3_column_type(row->statement, column);
    if (type == SQLITE_NULL)
        return 0;
    if (type != SQLITE_BLOB) {
        row_fail(row, name, "not a blob or NULL");
        return 0;
    }
    const void *bytes = sqlite3_column_blob(row->statement, column);
    size_t length = (size_t)sqlite3_column_bytes(row->statement, column);
    if (length > bytes_max) {
        row_fail(row, name, "too long");
        return 0;
    }
    *out_bytes = bytes;
    *out_length = length;
    return 1;
}

/* A malloc'd copy of a BLOB column (at least 1 byte allocated, so that an
 * empty blob is a non-NULL pointer with length 0); NULL for SQL NULL. */
static uint8_t *row_blob_copy(struct row_reader *row, int column, const char *name,
                              size_t bytes_max, size_t *out_length)
{
    const void *bytes = NULL;
    size_t length = 0;
    *out_length = 0;
    if (!row_blob_view(row, column, name, bytes_max, &bytes, &length))
        return NULL;
    uint8_t *copy = malloc(length > 0 ? length : 1);
    if (copy == NULL) {
        row->error = store_fail(row->store, TRACE_STORE_ERR_IO, "%s: out of memory", name);
        return NULL;
    }
    if (length > 0)
        memcpy(copy, bytes, length);
    *out_length = length;
    return copy;
}

/* "0x" and 16 lowercase hex digits, as trace_hash_format writes it. */
static int hash_parse(const char *text, uint64_t *out_hash)
{
    if (strlen(text) != 18 || text[0] != '0' || text[1] != 'x')
        return 0;
    uint64_t hash = 0;
    for (int i = 2; i < 18; i++) {
        char digit = text[i];
        unsigned value;
        if (digit >= '0' && digit <= '9')
            value = (unsigned)(digit - '0');
        else if (digit >= 'a' && digit <= 'f')
            value = (unsigned)(digit - 'a' + 10);
        else
            return 0;
        hash = hash << 4 | value;
    }
    *out_hash = hash;
    return 1;
}

/* ---- runs -------------------------------------------------------------- */

void trace_run_info_free(struct trace_run_info *info)
{
    if (info == NULL)
        return;
    free(info->scenario);
    free(info->scenario_text);
    free(info->target);
    free(info->input);
    free(info->build);
    free(info->platform);
    memset(info, 0, sizeof *info);
}

void trace_run_result_free(struct trace_run_result *result)
{
    if (result == NULL)
        return;
    free(result->outcome);
    free(result->failure_signature);
    free(result->failure_message);
    memset(result, 0, sizeof *result);
}

/* Columns in the order of the run_select statement. */
static void run_row_decode(struct row_reader *row, struct trace_run_info *info,
                           struct trace_run_result *result)
{
    info->scenario = row_text(row, 0, "scenario", 0, TRACE_STORE_NAME_MAX);
    info->scenario_text = row_text(row, 1, "scenario_text", 1, TRACE_STORE_TEXT_MAX);
    info->target = row_text(row, 2, "target", 1, TRACE_STORE_NAME_MAX);
    info->seed = row_uint64(row, 3, "seed");
    info->input = row_blob_copy(row, 4, "input", TRACE_STORE_TEXT_MAX, &info->input_len);
    info->build = row_text(row, 5, "build", 0, TRACE_STORE_NAME_MAX);
    info->platform = row_text(row, 6, "platform", 0, TRACE_STORE_NAME_MAX);
    result->outcome = row_text(row, 7, "outcome", 0, TRACE_STORE_NAME_MAX);
    result->failure_signature = row_text(row, 8, "failure_signature", 1, TRACE_STORE_NAME_MAX);
    result->failure_message = row_text(row, 9, "failure_message", 1, TRACE_STORE_TEXT_MAX);
    result->event_count = (uint64_t)row_integer(row, 10, "event_count", 0, INT64_MAX);

    /* NULL until run_end: an incomplete run has no final hash (0 here). */
    char *hash_text = row_text(row, 11, "hash", 1, 18);
    if (hash_text != NULL && !hash_parse(hash_text, &result->hash))
        row_fail(row, "hash", "not 0x and 16 lowercase hex digits");
    free(hash_text);
}

enum trace_store_error trace_store_run_load(struct trace_store *store, int64_t run_id,
                                            struct trace_run_info *out_info,
                                            struct trace_run_result *out_result)
{
    assert(store != NULL && out_info != NULL && out_result != NULL);
    memset(out_info, 0, sizeof *out_info);
    memset(out_result, 0, sizeof *out_result);

    sqlite3_stmt *statement = store->statements.run_select;
    sqlite3_bind_int64(statement, 1, run_id);
    struct row_reader row = {
        .store = store, .statement = statement, .table = "runs", .row_key = run_id,
    };
    int step = sqlite3_step(statement);
    if (step == SQLITE_ROW)
        run_row_decode(&row, out_info, out_result);
    else if (step == SQLITE_DONE)
        row.error = store_fail(store, TRACE_STORE_ERR_NO_SUCH_RUN, "no run with id %lld",
                               (long long)run_id);
    else
        row.error = store_fail_sqlite(store, TRACE_STORE_ERR_IO, "read run");
    sqlite3_reset(statement);

    if (row.error != TRACE_STORE_OK) {
        trace_run_info_free(out_info);
        trace_run_result_free(out_result);
        return row.error;
    }
    assert(out_info->scenario != NULL && out_info->build != NULL && out_result->outcome != NULL);
    store_message_clear(store);
    return TRACE_STORE_OK;
}

/* ---- events ------------------------------------------------------------ */

struct trace_event_cursor {
    struct trace_store *store;
    sqlite3_stmt *statement;
    int64_t run_id;
    uint64_t next_seq;
    uint64_t hash;                   /* chain after event next_seq - 1 */
    enum trace_store_error state;    /* OK while reading; END or an error, sticky */
};

static const char EVENT_SELECT_SQL[] =
    "SELECT seq, time_ns, kind, pd, thread, a0, a1, a2, a3, blob, hash"
    " FROM events WHERE run_id = ?1 ORDER BY seq";

enum trace_store_error trace_store_events_open(struct trace_store *store, int64_t run_id,
                                               struct trace_event_cursor **out_cursor)
{
    assert(store != NULL && out_cursor != NULL);
    *out_cursor = NULL;

    enum trace_store_error error = store_run_check_exists(store, run_id);
    if (error != TRACE_STORE_OK)
        return error;
    struct trace_event_cursor *cursor = calloc(1, sizeof *cursor);
    if (cursor == NULL)
        return store_fail(store, TRACE_STORE_ERR_IO, "cursor: out of memory");
    if (sqlite3_prepare_v2(store->db, EVENT_SELECT_SQL, -1, &cursor->statement, NULL) !=
        SQLITE_OK) {
        error = store_fail_sqlite(store, TRACE_STORE_ERR_IO, "prepare event cursor");
        sqlite3_finalize(cursor->statement);
        free(cursor);
        return error;
    }
    sqlite3_bind_int64(cursor->statement, 1, run_id);
    cursor->store = store;
    cursor->run_id = run_id;
    cursor->next_seq = 0;
    cursor->hash = TRACE_HASH_SEED;
    cursor->state = TRACE_STORE_OK;
    store->cursors_open++;
    store_message_clear(store);
    *out_cursor = cursor;
    return TRACE_STORE_OK;
}

/* Columns in the order of EVENT_SELECT_SQL; *out_stored_hash is the hash
 * column, checked by the caller against the recomputed chain. */
static void event_row_decode(struct row_reader *row, uint64_t expected_seq,
                             struct trace_record *out, uint64_t *out_stored_hash)
{
    memset(out, 0, sizeof *out);
    int64_t seq = row_integer(row, 0, "seq", 0, INT64_MAX);
    if (row->error == TRACE_STORE_OK && (uint64_t)seq != expected_seq)
        row_fail(row, "seq", "a gap or a repeat in the sequence");
    out->seq = (uint64_t)seq;
    out->time_ns = row_uint64(row, 1, "time_ns");
    out->kind = (uint16_t)row_integer(row, 2, "kind", 0, UINT16_MAX);
    out->pd = (uint16_t)row_integer(row, 3, "pd", 0, UINT16_MAX);
    out->thread = (uint16_t)row_integer(row, 4, "thread", 0, UINT16_MAX);
    static const char *const arg_names[TRACE_RECORD_ARGS] = { "a0", "a1", "a2", "a3" };
    for (int i = 0; i < TRACE_RECORD_ARGS; i++)
        out->arg[i] = row_uint64(row, 5 + i, arg_names[i]);

    const void *blob = NULL;
    size_t blob_len = 0;
    if (row_blob_view(row, 9, "blob", TRACE_RECORD_BLOB_MAX, &blob, &blob_len) && blob_len > 0)
        memcpy(out->blob, blob, blob_len);
    out->blob_len = (uint16_t)blob_len;
    *out_stored_hash = row_uint64(row, 10, "hash");
}

enum trace_store_error trace_store_events_next(struct trace_event_cursor *cursor,
                                               struct trace_record *out)
{
    assert(cursor != NULL && out != NULL);
    if (cursor->state != TRACE_STORE_OK)
        return cursor->state;

    struct row_reader row = {
        .store = cursor->store, .statement = cursor->statement, .table = "events",
        .row_key = store_int64_from_uint64(cursor->next_seq),
    };
    int step = sqlite3_step(cursor->statement);
    if (step == SQLITE_DONE) {
        cursor->state = TRACE_STORE_ERR_END;
        return cursor->state;
    }
    if (step != SQLITE_ROW) {
        cursor->state = store_fail_sqlite(cursor->store, TRACE_STORE_ERR_IO, "read event");
        return cursor->state;
    }

    uint64_t stored_hash = 0;
    event_row_decode(&row, cursor->next_seq, out, &stored_hash);
    uint64_t hash = row.error == TRACE_STORE_OK ? trace_hash_step(cursor->hash, out) : 0;
    if (row.error == TRACE_STORE_OK && hash != stored_hash)
        row_fail(&row, "hash", "does not match the chain recomputed from the records");
    if (row.error != TRACE_STORE_OK) {
        memset(out, 0, sizeof *out);
        cursor->state = row.error;
        return cursor->state;
    }
    assert(out->seq == cursor->next_seq && out->blob_len <= TRACE_RECORD_BLOB_MAX);
    cursor->hash = hash;
    cursor->next_seq++;
    return TRACE_STORE_OK;
}

void trace_store_events_close(struct trace_event_cursor *cursor)
{
    if (cursor == NULL)
        return;
    assert(cursor->store->cursors_open > 0);
    sqlite3_finalize(cursor->statement);
    cursor->store->cursors_open--;
    free(cursor);
}

/* ---- choices ----------------------------------------------------------- */

static void choice_row_decode(struct row_reader *row, uint64_t expected_seq,
                              struct trace_choice *out)
{
    int64_t seq = row_integer(row, 0, "seq", 0, INT64_MAX);
    if (row->error == TRACE_STORE_OK && (uint64_t)seq != expected_seq)
        row_fail(row, "seq", "a gap or a repeat in the sequence");
    out->seq = (uint64_t)seq;
    out->range = row_uint64(row, 1, "range");
    out->value = row_uint64(row, 2, "value");
    if (row->error == TRACE_STORE_OK && out->value >= out->range)
        row_fail(row, "value", "not below range");
}

/* Every row is decoded, also those past max, so that *out_count is only
 * reported for a stream that is whole. */
static enum trace_store_error choices_read(struct trace_store *store, int64_t run_id,
                                           struct trace_choice *out, size_t max,
                                           size_t *out_count)
{
    sqlite3_stmt *statement = store->statements.choice_select;
    sqlite3_bind_int64(statement, 1, run_id);
    struct row_reader row = { .store = store, .statement = statement, .table = "choices" };
    size_t count = 0;
    int step = SQLITE_DONE;
    while (row.error == TRACE_STORE_OK && (step = sqlite3_step(statement)) == SQLITE_ROW) {
        struct trace_choice choice;
        row.row_key = (int64_t)count;
        choice_row_decode(&row, count, &choice);
        if (row.error == TRACE_STORE_OK && count < max)
            out[count] = choice;
        count++;
    }
    if (row.error == TRACE_STORE_OK && step != SQLITE_DONE)
        row.error = store_fail_sqlite(store, TRACE_STORE_ERR_IO, "read choices");
    sqlite3_reset(statement);
    if (row.error == TRACE_STORE_OK)
        *out_count = count;
    return row.error;
}

enum trace_store_error trace_store_choices_load(struct trace_store *store, int64_t run_id,
                                                struct trace_choice *out, size_t max,
                                                size_t *out_count)
{
    assert(store != NULL && out_count != NULL);
    assert(out != NULL || max == 0);
    *out_count = 0;

    enum trace_store_error error = store_run_check_exists(store, run_id);
    if (error == TRACE_STORE_OK)
        error = choices_read(store, run_id, out, max, out_count);
    if (error == TRACE_STORE_OK)
        store_message_clear(store);
    return error;
}
