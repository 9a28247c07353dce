/*
 * crosscheck.c - comparing two stored runs facet by facet.
 *
 * Each run becomes a view (crosscheck_view.c): per facet, streams of text
 * items named platform-independently. The views' streams are sorted by
 * name and merged; streams of one name are compared item by item, and a
 * stream only one run has disagrees at its first item. The first
 * disagreement kept is that of the first facet in enum order, then of the
 * first stream name, so the report is the same however it is run.
 */
#include "duet/crosscheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck_view.h"
#include "hal/event.h"

/* The kinds whose per-thread order is the program's (docs/CROSSCHECK.md,
 * "Validation"): what the thread did or was answered, in the same order
 * under every seed of every scenario. Others were measured and left out:
 * IPC_CALL, SYSCALL_ERROR, THREAD_EXIT, FAULT (racy scenarios take either
 * path), PAGE_FAULT (threads sharing memory race to touch a page first),
 * KERNEL_ENTRY, PORT_*, FUTEX_WAKE (polls and retries), and whatever core
 * does while serving others (MAP, THREAD_CREATE, ...: core's order is its
 * clients' interleaving). IRQ_DELIVER agreed across every seed too, but
 * only because the sim's device models keep the same timing under every
 * seed: QEMU's UART, for one, sends at once, so core's console driver
 * never waits for its interrupt there (the first QEMU cross-check). How
 * often a driver waits for its device is the hardware's timing. */
#define KIND_BIT(kind) (UINT64_C(1) << HAL_EVENT_##kind)
const uint64_t CROSSCHECK_THREAD_KINDS_DEFAULT = KIND_BIT(SIGNAL_SUBMIT) | KIND_BIT(RPC_ERROR);

const char *crosscheck_error_name(enum crosscheck_error error)
{
    static const char *const names[CROSSCHECK_ERROR_COUNT] = {
        [CROSSCHECK_OK] = "CROSSCHECK_OK",
        [CROSSCHECK_ERR_NO_SUCH_RUN] = "CROSSCHECK_ERR_NO_SUCH_RUN",
        [CROSSCHECK_ERR_INCOMPLETE_RUN] = "CROSSCHECK_ERR_INCOMPLETE_RUN",
        [CROSSCHECK_ERR_EVENTS_MISSING] = "CROSSCHECK_ERR_EVENTS_MISSING",
        [CROSSCHECK_ERR_DIFFERENT_SCENARIOS] = "CROSSCHECK_ERR_DIFFERENT_SCENARIOS",
        [CROSSCHECK_ERR_STORE] = "CROSSCHECK_ERR_STORE",
        [CROSSCHECK_ERR_OUT_OF_MEMORY] = "CROSSCHECK_ERR_OUT_OF_MEMORY",
    };
    return (unsigned)error < CROSSCHECK_ERROR_COUNT ? names[error] : "CROSSCHECK_ERR_UNKNOWN";
}

const char *crosscheck_facet_name(enum crosscheck_facet facet)
{
    static const char *const names[CROSSCHECK_FACET_COUNT] = {
        [CROSSCHECK_FACET_OUTCOME] = "outcome",
        [CROSSCHECK_FACET_KEYS] = "keys",
        [CROSSCHECK_FACET_PCI] = "pci",
        [CROSSCHECK_FACET_BLOCKS] = "blocks",
        [CROSSCHECK_FACET_SIGNALS] = "signals",
        [CROSSCHECK_FACET_LOG] = "log",
        [CROSSCHECK_FACET_THREADS] = "threads",
    };
    return (unsigned)facet < CROSSCHECK_FACET_COUNT ? names[facet] : "?";
}

static void copy_text(char *out, size_t out_size, const char *text)
{
    snprintf(out, out_size, "%s", text ? text : "");
}

/* Loads what identifies a run and checks that its events can be compared. */
static enum crosscheck_error run_summary_load(struct trace_store *store, int64_t run_id,
                                              struct crosscheck_run_summary *summary,
                                              struct trace_run_result *out_result,
                                              char *error, size_t error_len)
{
    struct trace_run_info info;
    enum trace_store_error store_error = trace_store_run_load(store, run_id, &info, out_result);
    if (store_error == TRACE_STORE_ERR_NO_SUCH_RUN) {
        snprintf(error, error_len, "the store has no run %" PRId64, run_id);
        return CROSSCHECK_ERR_NO_SUCH_RUN;
    }
    if (store_error != TRACE_STORE_OK) {
        snprintf(error, error_len, "cannot load run %" PRId64 ": %s (%s)", run_id,
                 trace_store_error_name(store_error), trace_store_last_message(store));
        return CROSSCHECK_ERR_STORE;
    }
    summary->run_id = run_id;
    copy_text(summary->scenario, sizeof summary->scenario, info.scenario);
    copy_text(summary->platform, sizeof summary->platform, info.platform);
    copy_text(summary->build, sizeof summary->build, info.build);
    copy_text(summary->outcome, sizeof summary->outcome, out_result->outcome);
    copy_text(summary->failure, sizeof summary->failure, out_result->failure_message);
    summary->seed = info.seed;
    trace_run_info_free(&info);
    if (strcmp(summary->outcome, "incomplete") == 0) {
        snprintf(error, error_len,
                 "run %" PRId64 " is incomplete (begun, never ended): only a prefix is stored",
                 run_id);
        trace_run_result_free(out_result);
        return CROSSCHECK_ERR_INCOMPLETE_RUN;
    }
    return CROSSCHECK_OK;
}

static void note_difference(struct crosscheck_report *report, enum crosscheck_facet facet,
                            const struct crosscheck_stream *a, const struct crosscheck_stream *b,
                            size_t index)
{
    if (report->have_difference)
        return;
    report->have_difference = true;
    struct crosscheck_difference *d = &report->first;
    d->facet = facet;
    copy_text(d->stream, sizeof d->stream, a ? a->name : b->name);
    d->index = index;
    d->missing_a = a == NULL || index >= a->count;
    d->missing_b = b == NULL || index >= b->count;
    copy_text(d->value_a, sizeof d->value_a,
              a == NULL ? "(this run has no such stream)" : d->missing_a ? "" : a->items[index]);
    copy_text(d->value_b, sizeof d->value_b,
              b == NULL ? "(this run has no such stream)" : d->missing_b ? "" : b->items[index]);
    /* The items before agree, so either side's are the context. */
    const struct crosscheck_stream *known = a ? a : b;
    size_t first = index > CROSSCHECK_CONTEXT_ITEMS ? index - CROSSCHECK_CONTEXT_ITEMS : 0;
    d->context_count = 0;
    for (size_t i = first; i < index && i < known->count; i++)
        copy_text(d->context[d->context_count++], CROSSCHECK_TEXT_MAX, known->items[i]);
}

/* Compares the streams of one name; returns true if they agree. */
static bool streams_compare(struct crosscheck_report *report, enum crosscheck_facet facet,
                            const struct crosscheck_stream *a, const struct crosscheck_stream *b)
{
    size_t count_a = a ? a->count : 0, count_b = b ? b->count : 0;
    size_t common = count_a < count_b ? count_a : count_b;
    size_t index = 0;
    while (index < common && strcmp(a->items[index], b->items[index]) == 0)
        index++;
    if (a != NULL && b != NULL && index == common && count_a == count_b)
        return true;
    note_difference(report, facet, a, b, index);
    return false;
}

static void facet_compare(struct crosscheck_report *report, enum crosscheck_facet facet,
                          const struct crosscheck_view *view_a,
                          const struct crosscheck_view *view_b)
{
    const struct crosscheck_stream_set *a = &view_a->facets[facet], *b = &view_b->facets[facet];
    struct crosscheck_facet_counts *counts = &report->facets[facet];
    counts->visible_a = a->count > 0;
    counts->visible_b = b->count > 0;
    size_t i = 0, j = 0;
    while (i < a->count || j < b->count) {
        int order = i == a->count   ? 1
                    : j == b->count ? -1
                                    : strcmp(a->streams[i].name, b->streams[j].name);
        const struct crosscheck_stream *sa = order <= 0 ? &a->streams[i++] : NULL;
        const struct crosscheck_stream *sb = order >= 0 ? &b->streams[j++] : NULL;
        /* Port I/O may be absent from one platform's trace: what is read
         * from it is then not visible there, which is no disagreement. */
        bool port_based = (sa && sa->needs_port_events) || (sb && sb->needs_port_events);
        if (port_based && (!view_a->has_port_events || !view_b->has_port_events))
            continue;
        counts->streams++;
        counts->items_a += sa ? sa->count : 0;
        counts->items_b += sb ? sb->count : 0;
        if (!streams_compare(report, facet, sa, sb)) {
            counts->disagreeing_streams++;
            if (counts->differing_shown < CROSSCHECK_NAMES_SHOWN)
                copy_text(counts->differing[counts->differing_shown++], CROSSCHECK_TEXT_MAX,
                          sa ? sa->name : sb->name);
        }
    }
}

enum crosscheck_error crosscheck_runs(struct trace_store *store, int64_t run_a, int64_t run_b,
                                      const struct crosscheck_options *options,
                                      struct crosscheck_report *report)
{
    memset(report, 0, sizeof *report);
    uint64_t thread_kinds = options && options->thread_kinds ? options->thread_kinds
                                                             : CROSSCHECK_THREAD_KINDS_DEFAULT;
    struct trace_run_result result_a, result_b;
    enum crosscheck_error error =
        run_summary_load(store, run_a, &report->a, &result_a, report->error, sizeof report->error);
    if (error != CROSSCHECK_OK)
        return error;
    error = run_summary_load(store, run_b, &report->b, &result_b, report->error,
                             sizeof report->error);
    if (error != CROSSCHECK_OK) {
        trace_run_result_free(&result_a);
        return error;
    }
    uint64_t recorded_a = result_a.event_count, recorded_b = result_b.event_count;
    trace_run_result_free(&result_a);
    trace_run_result_free(&result_b);
    if (strcmp(report->a.scenario, report->b.scenario) != 0) {
        snprintf(report->error, sizeof report->error,
                 "run %" PRId64 " is of scenario %s, run %" PRId64 " of %s: nothing to compare",
                 run_a, report->a.scenario, run_b, report->b.scenario);
        return CROSSCHECK_ERR_DIFFERENT_SCENARIOS;
    }

    struct crosscheck_view *views = calloc(2, sizeof *views);
    if (views == NULL) {
        snprintf(report->error, sizeof report->error, "out of host memory");
        return CROSSCHECK_ERR_OUT_OF_MEMORY;
    }
    error = crosscheck_view_build(store, run_a, report->a.outcome, thread_kinds, &views[0],
                                  &report->a.events, report->error, sizeof report->error);
    if (error == CROSSCHECK_OK)
        error = crosscheck_view_build(store, run_b, report->b.outcome, thread_kinds, &views[1],
                                      &report->b.events, report->error, sizeof report->error);
    if (error == CROSSCHECK_OK) {
        /* A run kept without (all) its events would look like a program
         * that stopped early. */
        const struct crosscheck_run_summary *short_run =
            report->a.events != recorded_a ? &report->a
            : report->b.events != recorded_b ? &report->b : NULL;
        if (short_run != NULL) {
            snprintf(report->error, sizeof report->error,
                     "run %" PRId64 " has %" PRIu64 " of its %" PRIu64 " events stored",
                     short_run->run_id, short_run->events,
                     short_run == &report->a ? recorded_a : recorded_b);
            error = CROSSCHECK_ERR_EVENTS_MISSING;
        }
    }
    if (error == CROSSCHECK_OK) {
        crosscheck_view_sort(&views[0]);
        crosscheck_view_sort(&views[1]);
        for (unsigned f = 0; f < CROSSCHECK_FACET_COUNT; f++)
            facet_compare(report, (enum crosscheck_facet)f, &views[0], &views[1]);
        report->agree = !report->have_difference;
    }
    crosscheck_view_free(&views[0]);
    crosscheck_view_free(&views[1]);
    free(views);
    return error;
}

static void print_run(FILE *out, const char *which, const struct crosscheck_run_summary *run)
{
    fprintf(out, "  %s: run %" PRId64 ", platform %s, build %s", which, run->run_id,
            run->platform, run->build);
    if (strcmp(run->platform, "sim") == 0)
        fprintf(out, ", seed %" PRIu64, run->seed);
    fprintf(out, ", %s, %" PRIu64 " events\n", run->outcome, run->events);
    if (run->failure[0] != '\0')
        fprintf(out, "     %s\n", run->failure);
}

void crosscheck_print(const struct crosscheck_report *report, FILE *out)
{
    fprintf(out, "duet: crosscheck of scenario %s: %s\n", report->a.scenario,
            report->agree ? "the runs AGREE" : "the runs DISAGREE");
    print_run(out, "A", &report->a);
    print_run(out, "B", &report->b);
    for (unsigned f = 0; f < CROSSCHECK_FACET_COUNT; f++) {
        const struct crosscheck_facet_counts *c = &report->facets[f];
        fprintf(out, "  %-8s %4" PRIu64 " stream%s, %6" PRIu64 " / %6" PRIu64 " items: ",
                crosscheck_facet_name((enum crosscheck_facet)f), c->streams,
                c->streams == 1 ? " " : "s", c->items_a, c->items_b);
        if (c->disagreeing_streams > 0) {
            fprintf(out, "%" PRIu64 " stream%s DIFFER:", c->disagreeing_streams,
                    c->disagreeing_streams == 1 ? "" : "s");
            for (unsigned i = 0; i < c->differing_shown; i++)
                fprintf(out, "%s \"%s\"", i ? "," : "", c->differing[i]);
            fprintf(out, "%s\n", c->disagreeing_streams > c->differing_shown ? ", ..." : "");
        }
        else if (c->streams == 0)
            fprintf(out, "not in these runs\n");
        else
            fprintf(out, "agree\n");
    }
    if (!report->have_difference)
        return;
    const struct crosscheck_difference *d = &report->first;
    fprintf(out, "first disagreement: facet %s, %s, item %" PRIu64 "\n",
            crosscheck_facet_name(d->facet), d->stream, d->index);
    if (d->context_count > 0)
        fprintf(out, "  before it, both runs:\n");
    for (unsigned i = 0; i < d->context_count; i++)
        fprintf(out, "    [%" PRIu64 "] %s\n", d->index - d->context_count + i, d->context[i]);
    const char *ended = "(nothing: the stream ends here)";
    fprintf(out, "  A (run %" PRId64 "): %s\n", report->a.run_id,
            d->missing_a && d->value_a[0] == '\0' ? ended : d->value_a);
    fprintf(out, "  B (run %" PRId64 "): %s\n", report->b.run_id,
            d->missing_b && d->value_b[0] == '\0' ? ended : d->value_b);
}
