/*
 * trace_store.h - runs, their events, choices and inputs, and failures, in
 * SQLite (the system's libsqlite3). The schema is documented in
 * docs/TRACE_STORE.md and created by trace_store_open.
 *
 * Call order for recording a run:
 *   trace_store_open(&store, path)          creates or validates the schema
 *   trace_store_run_begin(store, &info, &run_id)
 *   trace_store_append_events(...)         any number of batches (recorder sink)
 *   trace_store_append_choices(...)        any number of batches
 *   trace_store_run_end(store, run_id, &result)
 *   trace_store_close(store)
 * Reading back:
 *   trace_store_run_load(store, run_id, &info, &result)   (frees with _run_info_free)
 *   trace_store_events_open(store, run_id, &cursor); _events_next ...; _events_close
 *
 * Every batch is one transaction with prepared statements; the database is
 * in WAL mode with synchronous=NORMAL, so a process killed mid-run leaves a
 * valid database (the run simply has outcome 'incomplete').
 * Errors are named (enum trace_store_error, trace_store_error_name) and the
 * SQLite message is kept in trace_store_last_message(); nothing here exits
 * or aborts on bad input, including a file that is not a Duet store.
 */
#ifndef DUET_TRACE_STORE_H
#define DUET_TRACE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "duet/trace_record.h"

enum trace_store_error {
    TRACE_STORE_OK = 0,
    TRACE_STORE_ERR_OPEN,          /* cannot open or create the file       */
    TRACE_STORE_ERR_NOT_A_STORE,   /* file is not SQLite or not our schema */
    TRACE_STORE_ERR_VERSION,       /* schema version we do not understand  */
    TRACE_STORE_ERR_NO_SUCH_RUN,
    TRACE_STORE_ERR_IO,            /* SQLite failed while reading/writing  */
    TRACE_STORE_ERR_CORRUPT_ROW,   /* a row breaks the schema's invariants */
    TRACE_STORE_ERR_END,           /* cursor: no more events (not an error) */
};

const char *trace_store_error_name(enum trace_store_error error);

struct trace_store;          /* opaque */
struct trace_event_cursor;   /* opaque */

/* What identifies a run and lets it be re-executed. Strings are UTF-8. */
struct trace_run_info {
    char *scenario;          /* scenario name, or fuzz target name        */
    char *scenario_text;     /* full scenario file text, NULL for targets */
    char *target;            /* fuzz target name, NULL for scenarios      */
    uint64_t seed;           /* choice-stream seed (0 when input-driven)  */
    uint8_t *input;          /* fuzzer input bytes, NULL if none          */
    size_t input_len;
    char *build;             /* "sim", "asan", "fuzz", "afl", "bench"     */
    char *platform;          /* "sim" (later "qemu")                      */
};

struct trace_run_result {
    char *outcome;           /* "pass", "fail", "hang", "incomplete", ...  */
    char *failure_signature; /* NULL unless failed; dedup key in failures */
    char *failure_message;   /* NULL unless failed                        */
    uint64_t event_count;
    uint64_t hash;           /* final rolling hash                        */
};

struct trace_choice {
    uint64_t seq;            /* index in the run's choice stream */
    uint64_t range;          /* the n of hal_choice(n)           */
    uint64_t value;          /* the answer, in [0, range)        */
};

enum trace_store_error trace_store_open(struct trace_store **out_store, const char *path);
void trace_store_close(struct trace_store *store);
const char *trace_store_last_message(const struct trace_store *store);

/* Optional: names for event kinds, stored in table event_kinds for readers.
 * The plural form writes them all in one transaction. */
struct trace_kind_name {
    unsigned kind;
    const char *name;
};
enum trace_store_error trace_store_set_kind_name(struct trace_store *store, unsigned kind,
                                                 const char *name);
enum trace_store_error trace_store_set_kind_names(struct trace_store *store,
                                                  const struct trace_kind_name *names,
                                                  size_t count);

enum trace_store_error trace_store_run_begin(struct trace_store *store,
                                             const struct trace_run_info *info,
                                             int64_t *out_run_id);
enum trace_store_error trace_store_append_events(struct trace_store *store, int64_t run_id,
                                                 const struct trace_record *records,
                                                 size_t count);
enum trace_store_error trace_store_append_choices(struct trace_store *store, int64_t run_id,
                                                  const struct trace_choice *choices,
                                                  size_t count);
/* Stores the result; if it failed, also upserts the failures row (count+1). */
enum trace_store_error trace_store_run_end(struct trace_store *store, int64_t run_id,
                                           const struct trace_run_result *result);

/* Loads a run; strings and input are malloc'd, free with the _free calls. */
enum trace_store_error trace_store_run_load(struct trace_store *store, int64_t run_id,
                                            struct trace_run_info *out_info,
                                            struct trace_run_result *out_result);
void trace_run_info_free(struct trace_run_info *info);
void trace_run_result_free(struct trace_run_result *result);

/* Events of a run in seq order. */
enum trace_store_error trace_store_events_open(struct trace_store *store, int64_t run_id,
                                               struct trace_event_cursor **out_cursor);
/* TRACE_STORE_OK with *out filled, TRACE_STORE_ERR_END after the last one. */
enum trace_store_error trace_store_events_next(struct trace_event_cursor *cursor,
                                               struct trace_record *out);
void trace_store_events_close(struct trace_event_cursor *cursor);

/* Choices of a run in seq order, into a caller array; *out_count = total
 * stored (may exceed max, then only max are copied). */
enum trace_store_error trace_store_choices_load(struct trace_store *store, int64_t run_id,
                                                struct trace_choice *out, size_t max,
                                                size_t *out_count);

#endif
