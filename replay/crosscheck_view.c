/*
 * crosscheck_view.c - projecting a run's events onto the cross-check's
 * facets (docs/CROSSCHECK.md says which events feed which facet).
 *
 * Kernel ids are slots: the n-th PD or thread may get another id on
 * another platform or after another interleaving, and ids are reused. So
 * the pass keeps, per id, what it stands for *now*:
 *   PD id      -> "name" or "name#k" (the k-th PD of that name, from 0),
 *                 from PD_CREATE (blob = name);
 *   thread id  -> "PD / thread n" (the n-th thread created in that PD),
 *                 from THREAD_CREATE (new thread, pd);
 *   session    -> the client's label ("init -> hello"), from SESSION_OPEN
 *                 (slot, service; blob = label), the latest one of the slot.
 * Everything read from the store is untrusted: ids out of range, chunks
 * out of order and unknown kinds become visible items or are skipped,
 * never an out-of-bounds access.
 */
#include "crosscheck_builder.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../framework/arch/x86/pic8259.h"
#include "hal/event.h"

/* ---- streams -------------------------------------------------------------- */

char *view_text_copy(struct view_builder *b, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        b->view->out_of_memory = true;
    return copy;
}

struct crosscheck_stream *view_stream_find(struct view_builder *b, enum crosscheck_facet facet,
                                             const char *name)
{
    struct crosscheck_stream_set *set = &b->view->facets[facet];
    /* Streams are few per facet (components, threads): a linear search at
     * the rare lookups by name; per-event paths cache the index. */
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->streams[i].name, name) == 0)
            return &set->streams[i];
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? 2 * set->capacity : 16;
        void *grown = realloc(set->streams, capacity * sizeof *set->streams);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return NULL;
        }
        set->streams = grown;
        set->capacity = capacity;
    }
    struct crosscheck_stream *stream = &set->streams[set->count];
    *stream = (struct crosscheck_stream){.name = view_text_copy(b, name)};
    if (stream->name == NULL)
        return NULL;
    set->count++;
    return stream;
}

void view_stream_add(struct view_builder *b, struct crosscheck_stream *stream, const char *item)
{
    if (stream == NULL)
        return;
    if (stream->count == stream->capacity) {
        size_t capacity = stream->capacity ? 2 * stream->capacity : 16;
        void *grown = realloc(stream->items, capacity * sizeof *stream->items);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return;
        }
        stream->items = grown;
        stream->capacity = capacity;
    }
    char *copy = view_text_copy(b, item);
    if (copy != NULL)
        stream->items[stream->count++] = copy;
}

void view_stream_addf(struct view_builder *b, struct crosscheck_stream *stream,
                        const char *format, ...)
{
    char item[CROSSCHECK_TEXT_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(item, sizeof item, format, args);
    va_end(args);
    view_stream_add(b, stream, item);
}

/* A name that lives until the view is built (ids are reused meanwhile). */
const char *view_pool_name(struct view_builder *b, const char *format, ...)
{
    char name[CROSSCHECK_TEXT_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(name, sizeof name, format, args);
    va_end(args);
    if (b->pool_count == b->pool_capacity) {
        size_t capacity = b->pool_capacity ? 2 * b->pool_capacity : 64;
        void *grown = realloc(b->pool, capacity * sizeof *b->pool);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return "?";
        }
        b->pool = grown;
        b->pool_capacity = capacity;
    }
    char *copy = view_text_copy(b, name);
    if (copy == NULL)
        return "?";
    b->pool[b->pool_count++] = copy;
    return copy;
}

/* ---- identities ----------------------------------------------------------- */

/* The blob as text: printable ASCII kept, anything else as '?'. */
void view_blob_text(const struct trace_record *r, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < r->blob_len && i < TRACE_RECORD_BLOB_MAX && n + 1 < out_size; i++) {
        uint8_t c = r->blob[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
}

const char *view_thread_name(struct view_builder *b, uint64_t thread)
{
    if (thread == 0)
        return "(kernel)";
    if (thread >= VIEW_IDS)
        return view_pool_name(b, "(thread id %" PRIu64 " out of range)", thread);
    if (b->threads[thread].name == NULL)
        b->threads[thread].name = view_pool_name(b, "(thread %" PRIu64 ", never created)", thread);
    return b->threads[thread].name;
}

static void on_pd_create(struct view_builder *b, const struct trace_record *r)
{
    uint64_t pd = r->arg[0];
    if (pd == 0 || pd >= VIEW_IDS)
        return;
    char name[TRACE_RECORD_BLOB_MAX + 1];
    view_blob_text(r, name, sizeof name);
    struct name_count *known = NULL;
    for (size_t i = 0; i < b->pd_name_count && known == NULL; i++)
        if (strcmp(b->pd_names[i].name, name) == 0)
            known = &b->pd_names[i];
    if (known == NULL) {
        if (b->pd_name_count == b->pd_name_capacity) {
            size_t capacity = b->pd_name_capacity ? 2 * b->pd_name_capacity : 32;
            void *grown = realloc(b->pd_names, capacity * sizeof *b->pd_names);
            if (grown == NULL) {
                b->view->out_of_memory = true;
                return;
            }
            b->pd_names = grown;
            b->pd_name_capacity = capacity;
        }
        known = &b->pd_names[b->pd_name_count++];
        *known = (struct name_count){.name = view_pool_name(b, "%s", name)};
    }
    b->pds[pd].name = known->count == 0 ? known->name
                                        : view_pool_name(b, "%s#%u", name, known->count);
    b->pds[pd].threads_created = 0;
    b->pds[pd].drives_devices = false;
    known->count++;
}

static void on_thread_create(struct view_builder *b, const struct trace_record *r)
{
    uint64_t thread = r->arg[0], pd = r->arg[1];
    if (thread == 0 || thread >= VIEW_IDS)
        return;
    const char *pd_name = pd < VIEW_IDS && b->pds[pd].name != NULL ? b->pds[pd].name : NULL;
    unsigned n = pd < VIEW_IDS ? b->pds[pd].threads_created++ : 0;
    b->threads[thread].name = pd_name != NULL
                                  ? view_pool_name(b, "%s / thread %u", pd_name, n)
                                  : view_pool_name(b, "(pd %" PRIu64 ") / thread %u", pd, n);
    b->threads[thread].stream = 0;
}

static void on_session_open(struct view_builder *b, const struct trace_record *r)
{
    if (r->arg[0] >= VIEW_SESSIONS)
        return;
    char label[TRACE_RECORD_BLOB_MAX + 1];
    view_blob_text(r, label, sizeof label);
    b->sessions[r->arg[0]].label = view_pool_name(b, "%s", label);
}

/* ---- the pass ------------------------------------------------------------- */

static void on_event(struct view_builder *b, const struct trace_record *r)
{
    b->running_thread = r->thread;
    switch (r->kind) {
    case HAL_EVENT_PD_CREATE:
        on_pd_create(b, r);
        break;
    case HAL_EVENT_THREAD_CREATE:
        on_thread_create(b, r);
        break;
    case HAL_EVENT_SESSION_OPEN:
        on_session_open(b, r);
        break;
    case HAL_EVENT_LOG:
        view_on_log(b, r);
        break;
    case HAL_EVENT_PORT_IN:
    case HAL_EVENT_PORT_OUT:
        view_on_port(b, r, r->kind == HAL_EVENT_PORT_OUT);
        /* The interrupt controllers' ports are the kernel's, touched on
         * behalf of whichever thread runs: no PD's device. */
        if (!pic_ports_overlap((uint32_t)r->arg[0], (uint32_t)r->arg[1]))
            b->pds[r->pd].drives_devices = true;
        break;
    case HAL_EVENT_SIGNAL_SUBMIT:
    case HAL_EVENT_SIGNAL_DELIVER:
        view_on_signal(b, r, r->kind == HAL_EVENT_SIGNAL_DELIVER);
        break;
    case HAL_EVENT_IPC_REPLY:
        if (b->pending_count > 0 && r->arg[0] != 0)
            view_pending_flush(b, r->thread, r->arg[0]);
        break;
    default:
        break;
    }
    if (r->kind < 64 && (b->thread_kinds >> r->kind & 1))
        view_on_thread_event(b, r);
}

static void builder_free(struct view_builder *b)
{
    if (b->sessions != NULL)
        for (size_t i = 0; i < VIEW_SESSIONS; i++)
            free(b->sessions[i].line);
    free(b->out_of_range.line);
    for (size_t i = 0; i < b->pending_count; i++)
        free(b->pending[i].item);
    free(b->pending);
    for (size_t i = 0; i < b->pool_count; i++)
        free(b->pool[i]);
    free(b->pool);
    free(b->pd_names);
    free(b->pds);
    free(b->threads);
    free(b->sessions);
    free(b->contexts);
}

enum crosscheck_error crosscheck_view_build(struct trace_store *store, int64_t run_id,
                                            const char *outcome, uint64_t thread_kinds,
                                            struct crosscheck_view *view, uint64_t *out_events,
                                            char *error, size_t error_len)
{
    memset(view, 0, sizeof *view);
    *out_events = 0;
    struct view_builder b = {
        .view = view,
        .thread_kinds = thread_kinds,
        .pds = calloc(VIEW_IDS, sizeof(struct pd_slot)),
        .threads = calloc(VIEW_IDS, sizeof(struct thread_slot)),
        .sessions = calloc(VIEW_SESSIONS, sizeof(struct session_slot)),
        .contexts = calloc(VIEW_CONTEXTS, sizeof(struct context_slot)),
        .ata = {.command = -1},
    };
    if (b.pds == NULL || b.threads == NULL || b.sessions == NULL || b.contexts == NULL) {
        builder_free(&b);
        snprintf(error, error_len, "out of host memory");
        return CROSSCHECK_ERR_OUT_OF_MEMORY;
    }
    view_stream_add(&b, view_stream_find(&b, CROSSCHECK_FACET_OUTCOME, "run"), outcome);

    struct trace_event_cursor *cursor = NULL;
    enum trace_store_error store_error = trace_store_events_open(store, run_id, &cursor);
    struct trace_record record;
    while (store_error == TRACE_STORE_OK &&
           (store_error = trace_store_events_next(cursor, &record)) == TRACE_STORE_OK) {
        on_event(&b, &record);
        ++*out_events;
    }
    if (cursor != NULL)
        trace_store_events_close(cursor);
    /* Lines still being assembled when the run ended. */
    for (size_t i = 0; i < VIEW_SESSIONS; i++)
        if (b.sessions[i].line != NULL)
            view_line_finish(&b, &b.sessions[i], "(line unfinished at the end) ");
    view_pending_flush(&b, 0, 0);
    view_signals_finish(&b);
    builder_free(&b);
    if (store_error != TRACE_STORE_ERR_END) {
        snprintf(error, error_len, "reading the events of run %" PRId64 ": %s (%s)", run_id,
                 trace_store_error_name(store_error), trace_store_last_message(store));
        return CROSSCHECK_ERR_STORE;
    }
    if (view->out_of_memory) {
        snprintf(error, error_len, "out of host memory");
        return CROSSCHECK_ERR_OUT_OF_MEMORY;
    }
    return CROSSCHECK_OK;
}

void crosscheck_view_free(struct crosscheck_view *view)
{
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++) {
        struct crosscheck_stream_set *set = &view->facets[f];
        for (size_t i = 0; i < set->count; i++) {
            for (size_t j = 0; j < set->streams[i].count; j++)
                free(set->streams[i].items[j]);
            free(set->streams[i].items);
            free(set->streams[i].name);
        }
        free(set->streams);
    }
    memset(view, 0, sizeof *view);
}

static int compare_streams(const void *x, const void *y)
{
    return strcmp(((const struct crosscheck_stream *)x)->name,
                  ((const struct crosscheck_stream *)y)->name);
}

static void stream_sort(struct crosscheck_stream *stream)
{
    if (stream->count < 2)
        return;
    qsort(stream->items, stream->count, sizeof(char *), view_compare_items);
    if (!stream->distinct)
        return;
    size_t kept = 1;
    for (size_t i = 1; i < stream->count; i++) {
        if (strcmp(stream->items[i], stream->items[kept - 1]) == 0)
            free(stream->items[i]);
        else
            stream->items[kept++] = stream->items[i];
    }
    stream->count = kept;
}

void crosscheck_view_sort(struct crosscheck_view *view)
{
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++)
        for (size_t i = 0; i < view->facets[f].count; i++)
            if (view->facets[f].streams[i].sorted)
                stream_sort(&view->facets[f].streams[i]);
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++)
        if (view->facets[f].count > 1)   /* qsort wants an array, even of none */
            qsort(view->facets[f].streams, view->facets[f].count,
                  sizeof(struct crosscheck_stream), compare_streams);
}

