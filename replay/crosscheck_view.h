/*
 * crosscheck_view.h - one run as the cross-check sees it (internal).
 *
 * A view is, per facet, a set of named streams of printable items. It is
 * built in one pass over a run's events (crosscheck_view.c) and compared
 * with another run's view stream by stream (crosscheck.c). Items are text
 * so that a difference prints as it was compared.
 */
#ifndef DUET_CROSSCHECK_VIEW_H
#define DUET_CROSSCHECK_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "duet/crosscheck.h"

struct crosscheck_stream {
    char *name;
    char **items;
    size_t count, capacity;
    /* Only comparable with a run that has port I/O events at all: the
     * bare-metal trace may leave them out. */
    bool needs_port_events;
    /* Compared as a sorted list: the items' order is scheduling. */
    bool sorted;
    /* ... and repeats count once: how often is scheduling too. */
    bool distinct;
};

struct crosscheck_stream_set {
    struct crosscheck_stream *streams;
    size_t count, capacity;
};

struct crosscheck_view {
    struct crosscheck_stream_set facets[CROSSCHECK_FACET_COUNT];
    bool has_port_events;
    bool out_of_memory;
};

/* Reads every event of run_id into *view (zeroed first). `outcome` is the
 * run's stored outcome. Errors are store errors, with a message in error. */
enum crosscheck_error crosscheck_view_build(struct trace_store *store, int64_t run_id,
                                            const char *outcome, uint64_t thread_kinds,
                                            struct crosscheck_view *view, uint64_t *out_events,
                                            char *error, size_t error_len);
void crosscheck_view_free(struct crosscheck_view *view);

/* Sorts each facet's streams by name (for the merge in crosscheck.c). */
void crosscheck_view_sort(struct crosscheck_view *view);

#endif
