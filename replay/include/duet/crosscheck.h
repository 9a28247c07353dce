/*
 * crosscheck.h - do two stored runs of one scenario show the same program?
 *
 * The cross-check compares a run in the sim with a run of the same
 * scenario on bare metal in QEMU (or any two stored runs) by what must
 * agree whatever the platform, the interleaving or the interrupt timing:
 * each facet below is a projection of a run's events onto named streams
 * of items, chosen so that every seed of the sim gives the same items
 * (docs/CROSSCHECK.md lists the events behind each facet and how that was
 * validated). Kernel ids (threads, PDs, sessions, signal contexts) are
 * slots that differ between runs, so streams are named by what the ids
 * stand for: a component's label, "PD name / n-th thread created in it".
 *
 * Call order:
 *   crosscheck_runs(store, run_a, run_b, &options_or_NULL, &report)
 *   crosscheck_print(&report, stdout)
 * Nothing here exits or asserts on what a store contains: every problem
 * is a named error, with the details in report.error.
 */
#ifndef DUET_CROSSCHECK_H
#define DUET_CROSSCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "duet/trace_store.h"

enum crosscheck_error {
    CROSSCHECK_OK = 0,
    CROSSCHECK_ERR_NO_SUCH_RUN,        /* a run id the store does not have        */
    CROSSCHECK_ERR_INCOMPLETE_RUN,     /* outcome 'incomplete': a prefix only     */
    CROSSCHECK_ERR_EVENTS_MISSING,     /* fewer event rows than the run recorded  */
    CROSSCHECK_ERR_DIFFERENT_SCENARIOS,/* the runs are not of one scenario         */
    CROSSCHECK_ERR_STORE,              /* reading failed: corrupt row, SQLite      */
    CROSSCHECK_ERR_OUT_OF_MEMORY,
    CROSSCHECK_ERROR_COUNT
};
const char *crosscheck_error_name(enum crosscheck_error error);

/* In the order they are checked: the first disagreement reported is the
 * first facet's, so the specific facets (keys, PCI, blocks) name a
 * difference before the general ones (all LOG lines, thread order). */
enum crosscheck_facet {
    CROSSCHECK_FACET_OUTCOME,   /* pass / fail / hang / ...                    */
    CROSSCHECK_FACET_KEYS,      /* input_test's decoded keys                   */
    CROSSCHECK_FACET_PCI,       /* the PCI driver's and pci_test's findings    */
    CROSSCHECK_FACET_BLOCKS,    /* block contents: ATA data words, block logs  */
    CROSSCHECK_FACET_SIGNALS,   /* per signal context: submitted, delivered    */
    CROSSCHECK_FACET_LOG,       /* every LOG line, per component, in order     */
    CROSSCHECK_FACET_THREADS,   /* per thread: the order of its own events     */
    CROSSCHECK_FACET_COUNT
};
const char *crosscheck_facet_name(enum crosscheck_facet facet);

enum {
    CROSSCHECK_TEXT_MAX = 200,     /* one item or stream name as printed      */
    CROSSCHECK_CONTEXT_ITEMS = 4,  /* agreeing items shown before a difference */
    CROSSCHECK_NAMES_SHOWN = 4,    /* differing streams named per facet       */
};

struct crosscheck_options {
    /* Event kinds (bit = kind number, kinds below 64) whose per-thread
     * order the THREADS facet compares. 0: CROSSCHECK_THREAD_KINDS_DEFAULT. */
    uint64_t thread_kinds;
};

/* The kinds whose per-thread order held across every seed of every
 * scenario (docs/CROSSCHECK.md, "Validation"). Defined in crosscheck.c. */
extern const uint64_t CROSSCHECK_THREAD_KINDS_DEFAULT;

struct crosscheck_facet_counts {
    uint64_t streams;              /* streams of the facet in either run       */
    uint64_t items_a, items_b;     /* items in all streams, per run            */
    uint64_t disagreeing_streams;  /* streams that differ (or exist once)      */
    bool visible_a, visible_b;     /* the run has the events the facet reads   */
    unsigned differing_shown;      /* the first differing streams' names      */
    char differing[CROSSCHECK_NAMES_SHOWN][CROSSCHECK_TEXT_MAX];
};

struct crosscheck_difference {
    enum crosscheck_facet facet;
    char stream[CROSSCHECK_TEXT_MAX];          /* component, thread, context  */
    uint64_t index;                            /* item index in that stream   */
    bool missing_a, missing_b;                 /* that side's stream ends here */
    char value_a[CROSSCHECK_TEXT_MAX];         /* "" when missing, or "(this run
                                                  has no such stream)"          */
    char value_b[CROSSCHECK_TEXT_MAX];
    unsigned context_count;                    /* agreeing items just before  */
    char context[CROSSCHECK_CONTEXT_ITEMS][CROSSCHECK_TEXT_MAX];
};

struct crosscheck_run_summary {
    int64_t run_id;
    char scenario[64];
    char platform[32];
    char build[32];
    char outcome[32];
    char failure[CROSSCHECK_TEXT_MAX];         /* the failure message, "" if none */
    uint64_t seed;
    uint64_t events;
};

struct crosscheck_report {
    struct crosscheck_run_summary a, b;
    bool agree;                                /* no facet disagrees          */
    struct crosscheck_facet_counts facets[CROSSCHECK_FACET_COUNT];
    bool have_difference;
    struct crosscheck_difference first;        /* by facet order, then stream name */
    char error[256];                           /* set when the result is an error */
};

/* Compares two stored runs of one scenario. CROSSCHECK_OK means the
 * comparison was made: report->agree says how it came out. */
enum crosscheck_error crosscheck_runs(struct trace_store *store, int64_t run_a, int64_t run_b,
                                      const struct crosscheck_options *options,
                                      struct crosscheck_report *report);

/* The verdict, the counts per facet and the first disagreement with its
 * context, for people. */
void crosscheck_print(const struct crosscheck_report *report, FILE *out);

#endif
