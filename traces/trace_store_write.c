/*
 * trace_store_write.c - recording a run: begin, event and choice batches, end.
 *
 * Call order per run:
 *   trace_store_run_begin       inserts the runs row, outcome 'incomplete'
 *   trace_store_append_events   any number of batches, seq 0, 1, 2, ... in order
 *   trace_store_append_choices  any number of batches, seq 0, 1, 2, ... in order
 *   trace_store_run_end         outcome, signature, count, final hash; upserts
 *                               the failures row when a signature is given
 * Each call is one transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any
 * error), so a batch is either all in the database or not at all, and a
 * process killed between calls leaves a run that is simply 'incomplete'.
 *
 * The events table keeps the rolling hash after every event. The hash is
 * computed here, from the previous event of the same run, so batches chain
 * without reading back: store->append remembers where the run being
 * appended stands. Another run, or a failed batch, makes it look the last
 * event up again.
 *
 * What callers pass is checked before it is written: a record whose seq is
 * not the next one, whose blob_len is over TRACE_RECORD_BLOB_MAX or whose
 * blob padding is not zero could not be read back as the same record, so
 * the batch is refused with TRACE_STORE_ERR_CORRUPT_ROW. So is a choice
 * whose value is not below its range.
 *
 * Not here: opening, transactions helpers (trace_store.c), reading
 * (trace_store_read.c).
 */
#include <assert.h>
#include <string.h>

#include "duet/trace_hash.h"
#include "trace_record_check.h"
#include "trace_store_internal.h"

static void bind_text_or_null(sqlite3_stmt *statement, int index, const char *text)
{
    assert(text == NULL || strlen(text) <= TRACE_STORE_TEXT_MAX);
    if (text == NULL)
        sqlite3_bind_null(statement, index);
    else
        sqlite3_bind_text(statement, index, text, -1, SQLITE_STATIC);
}

/* Used only in assertions, hence the attribute for NDEBUG builds. */
__attribute__((unused)) static int name_is_valid(const char *name)
{
    return name != NULL && name[0] != '\0' && strlen(name) <= TRACE_STORE_NAME_MAX;
}

/* ---- runs -------------------------------------------------------------- */

enum trace_store_error trace_store_run_begin(struct trace_store *store,
                                             const struct trace_run_info *info,
                                             int64_t *out_run_id)
{
    assert(store != NULL && info != NULL && out_run_id != NULL);
    assert(name_is_valid(info->scenario));
    assert(name_is_valid(info->build) && name_is_valid(info->platform));
    assert(info->target == NULL || name_is_valid(info->target));
    assert(info->input != NULL || info->input_len == 0);
    assert(info->input_len <= TRACE_STORE_TEXT_MAX);
    *out_run_id = 0;

    sqlite3_stmt *statement = store->statements.run_insert;
    sqlite3_bind_text(statement, 1, info->scenario, -1, SQLITE_STATIC);
    bind_text_or_null(statement, 2, info->scenario_text);
    bind_text_or_null(statement, 3, info->target);
    sqlite3_bind_int64(statement, 4, store_int64_from_uint64(info->seed));
    /* A present but empty input is a zero-length blob, not NULL: fuzzers do
     * run the empty input, and replay must tell it from "no input". */
    if (info->input == NULL)
        sqlite3_bind_null(statement, 5);
    else
        sqlite3_bind_blob(statement, 5, info->input, (int)info->input_len, SQLITE_STATIC);
    sqlite3_bind_text(statement, 6, info->build, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 7, info->platform, -1, SQLITE_STATIC);

    int step = sqlite3_step(statement);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "insert run");

    *out_run_id = sqlite3_last_insert_rowid(store->db);
    assert(*out_run_id > 0);
    store->append = (struct trace_store_append_state){
        .valid = 1, .run_id = *out_run_id, .next_seq = 0, .hash = TRACE_HASH_SEED,
    };
    store_message_clear(store);
    return TRACE_STORE_OK;
}

static enum trace_store_error run_end_perform(struct trace_store *store, int64_t run_id,
                                              const struct trace_run_result *result)
{
    char hash_text[19];
    trace_hash_format(result->hash, hash_text);

    sqlite3_stmt *update = store->statements.run_update_end;
    sqlite3_bind_int64(update, 1, run_id);
    sqlite3_bind_text(update, 2, result->outcome, -1, SQLITE_STATIC);
    bind_text_or_null(update, 3, result->failure_signature);
    bind_text_or_null(update, 4, result->failure_message);
    sqlite3_bind_int64(update, 5, (int64_t)result->event_count);
    sqlite3_bind_text(update, 6, hash_text, -1, SQLITE_STATIC);
    int step = sqlite3_step(update);
    sqlite3_reset(update);
    sqlite3_clear_bindings(update);
    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "update run");
    if (sqlite3_changes(store->db) == 0)
        return store_fail(store, TRACE_STORE_ERR_NO_SUCH_RUN, "no run with id %lld",
                          (long long)run_id);
    if (result->failure_signature == NULL)
        return TRACE_STORE_OK;

    sqlite3_stmt *upsert = store->statements.failure_upsert;
    sqlite3_bind_text(upsert, 1, result->failure_signature, -1, SQLITE_STATIC);
    sqlite3_bind_int64(upsert, 2, run_id);
    bind_text_or_null(upsert, 3, result->failure_message);
    step = sqlite3_step(upsert);
    sqlite3_reset(upsert);
    sqlite3_clear_bindings(upsert);
    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "upsert failure");
    return TRACE_STORE_OK;
}

enum trace_store_error trace_store_run_end(struct trace_store *store, int64_t run_id,
                                           const struct trace_run_result *result)
{
    assert(store != NULL && result != NULL);
    assert(name_is_valid(result->outcome));
    assert(result->failure_signature == NULL || name_is_valid(result->failure_signature));
    assert(result->event_count <= (uint64_t)INT64_MAX);

    enum trace_store_error error = store_transaction_begin(store);
    if (error != TRACE_STORE_OK)
        return error;
    error = run_end_perform(store, run_id, result);
    if (error != TRACE_STORE_OK) {
        store_transaction_rollback(store);
        return error;
    }
    error = store_transaction_commit(store);
    if (error != TRACE_STORE_OK)
        return error;

    if (store->append.run_id == run_id)
        store->append.valid = 0; /* the run is over; nothing more chains on it */
    store_message_clear(store);
    return TRACE_STORE_OK;
}

/* ---- events ------------------------------------------------------------ */

/* Makes store->append describe run_id: from memory if it already does,
 * else from the run's last stored event (or the start of the chain). */
static enum trace_store_error append_state_load(struct trace_store *store, int64_t run_id)
{
    if (store->append.valid && store->append.run_id == run_id)
        return TRACE_STORE_OK;

    store->append.valid = 0;
    enum trace_store_error error = store_run_check_exists(store, run_id);
    if (error != TRACE_STORE_OK)
        return error;

    struct trace_store_append_state state = {
        .valid = 1, .run_id = run_id, .next_seq = 0, .hash = TRACE_HASH_SEED,
    };
    sqlite3_stmt *statement = store->statements.event_select_last;
    sqlite3_bind_int64(statement, 1, run_id);
    int step = sqlite3_step(statement);
    int types_ok = step != SQLITE_ROW ||
                   (sqlite3_column_type(statement, 0) == SQLITE_INTEGER &&
                    sqlite3_column_type(statement, 1) == SQLITE_INTEGER);
    int64_t last_seq = step == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
    if (step == SQLITE_ROW)
        state.hash = store_uint64_from_int64(sqlite3_column_int64(statement, 1));
    sqlite3_reset(statement);

    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "read the run's last event");
    if (!types_ok || last_seq < -1 || last_seq == INT64_MAX)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: last event has a bad seq or hash", (long long)run_id);
    state.next_seq = (uint64_t)(last_seq + 1);
    store->append = state;
    return TRACE_STORE_OK;
}

/* Decode: would this record read back as itself, in its place? */
static enum trace_store_error event_check(struct trace_store *store, int64_t run_id,
                                          const struct trace_record *record,
                                          uint64_t expected_seq)
{
    if (record->seq != expected_seq)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: event seq %llu where %llu comes next", (long long)run_id,
                          (unsigned long long)record->seq, (unsigned long long)expected_seq);
    if (record->seq > (uint64_t)INT64_MAX)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW, "event seq over INT64_MAX");
    if (record->blob_len > TRACE_RECORD_BLOB_MAX || !trace_record_blob_padding_is_zero(record))
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: event %llu has blob_len %u or nonzero blob padding",
                          (long long)run_id, (unsigned long long)record->seq,
                          (unsigned)record->blob_len);
    return TRACE_STORE_OK;
}

/* Perform: one row; hash_after is the chain after this record. */
static enum trace_store_error event_insert(struct trace_store *store, int64_t run_id,
                                           const struct trace_record *record,
                                           uint64_t hash_after)
{
    sqlite3_stmt *statement = store->statements.event_insert;
    sqlite3_bind_int64(statement, 1, run_id);
    sqlite3_bind_int64(statement, 2, (int64_t)record->seq);
    sqlite3_bind_int64(statement, 3, store_int64_from_uint64(record->time_ns));
    sqlite3_bind_int64(statement, 4, record->kind);
    sqlite3_bind_int64(statement, 5, record->pd);
    sqlite3_bind_int64(statement, 6, record->thread);
    for (int i = 0; i < TRACE_RECORD_ARGS; i++)
        sqlite3_bind_int64(statement, 7 + i, store_int64_from_uint64(record->arg[i]));
    if (record->blob_len == 0)
        sqlite3_bind_null(statement, 11);
    else
        sqlite3_bind_blob(statement, 11, record->blob, record->blob_len, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 12, store_int64_from_uint64(hash_after));

    int step = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "insert event");
    return TRACE_STORE_OK;
}

/* The batch inside its transaction; commits store->append only on success. */
static enum trace_store_error events_append_perform(struct trace_store *store, int64_t run_id,
                                                    const struct trace_record *records,
                                                    size_t count)
{
    enum trace_store_error error = append_state_load(store, run_id);
    if (error != TRACE_STORE_OK)
        return error;

    uint64_t next_seq = store->append.next_seq;
    uint64_t hash = store->append.hash;
    for (size_t i = 0; i < count; i++) {
        error = event_check(store, run_id, &records[i], next_seq);
        if (error != TRACE_STORE_OK)
            return error;
        hash = trace_hash_step(hash, &records[i]);
        error = event_insert(store, run_id, &records[i], hash);
        if (error != TRACE_STORE_OK)
            return error;
        next_seq++;
    }
    assert(next_seq == store->append.next_seq + count);
    store->append.next_seq = next_seq;
    store->append.hash = hash;
    return TRACE_STORE_OK;
}

enum trace_store_error trace_store_append_events(struct trace_store *store, int64_t run_id,
                                                 const struct trace_record *records,
                                                 size_t count)
{
    assert(store != NULL);
    assert(records != NULL || count == 0);
    assert(count <= TRACE_STORE_BATCH_MAX);

    enum trace_store_error error = store_transaction_begin(store);
    if (error != TRACE_STORE_OK)
        return error;
    error = events_append_perform(store, run_id, records, count);
    if (error == TRACE_STORE_OK)
        error = store_transaction_commit(store);
    else
        store_transaction_rollback(store);

    if (error != TRACE_STORE_OK) {
        /* Nothing of the batch is stored: forget the chain position and
         * look it up again next time. */
        store->append.valid = 0;
        return error;
    }
    assert(store->append.valid && store->append.run_id == run_id);
    store_message_clear(store);
    return TRACE_STORE_OK;
}

/* ---- choices ----------------------------------------------------------- */

static enum trace_store_error choices_next_seq(struct trace_store *store, int64_t run_id,
                                               uint64_t *out_next_seq)
{
    sqlite3_stmt *statement = store->statements.choice_select_next_seq;
    sqlite3_bind_int64(statement, 1, run_id);
    int step = sqlite3_step(statement);
    int type = step == SQLITE_ROW ? sqlite3_column_type(statement, 0) : SQLITE_NULL;
    int64_t next_seq = step == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
    sqlite3_reset(statement);

    if (step != SQLITE_ROW)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "read the run's last choice");
    if (type != SQLITE_INTEGER || next_seq < 0)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: last choice has a bad seq", (long long)run_id);
    *out_next_seq = (uint64_t)next_seq;
    return TRACE_STORE_OK;
}

static enum trace_store_error choice_insert(struct trace_store *store, int64_t run_id,
                                            const struct trace_choice *choice,
                                            uint64_t expected_seq)
{
    if (choice->seq != expected_seq || choice->seq > (uint64_t)INT64_MAX)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: choice seq %llu where %llu comes next", (long long)run_id,
                          (unsigned long long)choice->seq, (unsigned long long)expected_seq);
    if (choice->value >= choice->range)
        return store_fail(store, TRACE_STORE_ERR_CORRUPT_ROW,
                          "run %lld: choice %llu has value %llu, not below range %llu",
                          (long long)run_id, (unsigned long long)choice->seq,
                          (unsigned long long)choice->value, (unsigned long long)choice->range);

    sqlite3_stmt *statement = store->statements.choice_insert;
    sqlite3_bind_int64(statement, 1, run_id);
    sqlite3_bind_int64(statement, 2, (int64_t)choice->seq);
    sqlite3_bind_int64(statement, 3, store_int64_from_uint64(choice->range));
    sqlite3_bind_int64(statement, 4, store_int64_from_uint64(choice->value));
    int step = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (step != SQLITE_DONE)
        return store_fail_sqlite(store, TRACE_STORE_ERR_IO, "insert choice");
    return TRACE_STORE_OK;
}

static enum trace_store_error choices_append_perform(struct trace_store *store, int64_t run_id,
                                                     const struct trace_choice *choices,
                                                     size_t count)
{
    enum trace_store_error error = store_run_check_exists(store, run_id);
    uint64_t next_seq = 0;
    if (error == TRACE_STORE_OK)
        error = choices_next_seq(store, run_id, &next_seq);
    for (size_t i = 0; i < count && error == TRACE_STORE_OK; i++)
        error = choice_insert(store, run_id, &choices[i], next_seq + i);
    return error;
}

enum trace_store_error trace_store_append_choices(struct trace_store *store, int64_t run_id,
                                                  const struct trace_choice *choices,
                                                  size_t count)
{
    assert(store != NULL);
    assert(choices != NULL || count == 0);
    assert(count <= TRACE_STORE_BATCH_MAX);

    enum trace_store_error error = store_transaction_begin(store);
    if (error != TRACE_STORE_OK)
        return error;
    error = choices_append_perform(store, run_id, choices, count);
    if (error != TRACE_STORE_OK) {
        store_transaction_rollback(store);
        return error;
    }
    error = store_transaction_commit(store);
    if (error == TRACE_STORE_OK)
        store_message_clear(store);
    return error;
}
