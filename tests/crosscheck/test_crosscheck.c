/*
 * test_crosscheck.c - the cross-check's comparison on synthetic traces.
 *
 * Each case writes runs into a fresh store with the trace store's own API:
 * a small world (core, init, input_test, a two-thread worker, pci_test,
 * block_test with an ATA read) whose events look like the framework's
 * (hal/event.h). The same world with other kernel ids and another
 * interleaving must agree; each deliberate difference must be reported in
 * the facet, stream and item where it was made; bad input is a named
 * error. Prints "test_crosscheck: ok (N checks)".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duet/crosscheck.h"
#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"
#include "duet/trace_store.h"
#include "hal/event.h"
#include "unit_check.h"

enum mutation {
    SAME,                 /* the same program                                  */
    LOG_TEXT,             /* a worker line says something else                 */
    LOG_DROPPED,          /* the worker's last line is missing                 */
    LOG_OWN_ORDER,        /* one thread writes its two lines the other way round */
    KEY,                  /* input_test decoded another key                    */
    PCI,                  /* pci_test found another device                     */
    BLOCK_WORD,           /* one word of the sector read differs               */
    SIGNAL_TOTAL,         /* one signal fewer delivered                        */
    RPC_ERROR_ELSEWHERE,  /* core refuses another thread's request             */
    OUTCOME,              /* the run failed                                    */
};

struct world {
    struct trace_record records[2048];
    size_t count;
    unsigned ids;         /* added to every kernel id: another platform's slots */
    bool reorder;         /* another interleaving of the worker's two threads  */
    bool coalesce;        /* the two signals delivered as one count of 2       */
    bool no_port_events;  /* a trace without port I/O (bare metal may omit it) */
    enum mutation mutation;
};

static void event(struct world *w, enum hal_event_kind kind, unsigned pd, unsigned thread,
                  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, const char *blob)
{
    struct trace_record *r = &w->records[w->count];
    trace_record_init(r, 1000 * w->count, (uint16_t)kind, (uint16_t)pd, (uint16_t)thread);
    r->seq = w->count++;
    r->arg[0] = a0, r->arg[1] = a1, r->arg[2] = a2, r->arg[3] = a3;
    if (blob != NULL) {
        size_t length = strlen(blob);
        r->blob_len = (uint16_t)(length < TRACE_RECORD_BLOB_MAX ? length : TRACE_RECORD_BLOB_MAX);
        memcpy(r->blob, blob, r->blob_len);
    }
}

/* Ids as one platform numbers them. */
enum { CORE = 1, INIT = 2, INPUT = 3, WORKER = 4, PCI_TEST = 5, BLOCK = 6 };
static unsigned pd_id(const struct world *w, unsigned pd) { return pd + w->ids; }
static unsigned thread_id(const struct world *w, unsigned n) { return 10 + n + w->ids; }
static unsigned slot(const struct world *w, unsigned n) { return 1 + n + w->ids; }

/* Core writes a client's line as chunks, then replies to the writer. */
static void log_line(struct world *w, unsigned session, unsigned writer, const char *line)
{
    size_t length = strlen(line), at = 0, chunk = 0;
    do {
        char part[TRACE_RECORD_BLOB_MAX + 1] = "";
        size_t n = length - at < TRACE_RECORD_BLOB_MAX ? length - at : TRACE_RECORD_BLOB_MAX;
        memcpy(part, line + at, n);
        event(w, HAL_EVENT_LOG, pd_id(w, CORE), thread_id(w, 0), session, length, chunk++, 0,
              part);
        at += n;
    } while (at < length);
    if (session != 0)
        event(w, HAL_EVENT_IPC_REPLY, pd_id(w, CORE), thread_id(w, 0), writer, 256, 0, 0, NULL);
}

static void create(struct world *w, unsigned pd, const char *name, unsigned first_thread,
                   unsigned threads)
{
    event(w, HAL_EVENT_PD_CREATE, pd_id(w, CORE), thread_id(w, 0), pd_id(w, pd), pd_id(w, INIT),
          0x800000, 0, name);
    for (unsigned i = 0; i < threads; i++)
        event(w, HAL_EVENT_THREAD_CREATE, pd_id(w, CORE), thread_id(w, 0),
              thread_id(w, first_thread + i), pd_id(w, pd), 0, 0, NULL);
}

static void world_build(struct world *w)
{
    const unsigned core_t = 0, init_t = 1, input_t = 2, w0 = 3, w1 = 4, pci_t = 5, block_t = 6;
    event(w, HAL_EVENT_BOOT, 0, 0, 6, 1, 0, 0, NULL);
    event(w, HAL_EVENT_PD_CREATE, 0, 0, pd_id(w, CORE), 0, 0x800000, 0, "core");
    event(w, HAL_EVENT_THREAD_CREATE, 0, 0, thread_id(w, core_t), pd_id(w, CORE), 0, 0, NULL);
    log_line(w, 0, 0, "core: Duet kernel and core are up");
    create(w, INIT, "init", init_t, 1);
    create(w, INPUT, "input_test", input_t, 1);
    create(w, WORKER, "worker", w0, 2);
    create(w, PCI_TEST, "pci_test", pci_t, 1);
    create(w, BLOCK, "block_test", block_t, 1);
    const char *labels[] = {"init", "init -> input_test", "init -> worker",
                            "init -> pci_test", "init -> block_test"};
    for (unsigned i = 0; i < 5; i++)
        event(w, HAL_EVENT_SESSION_OPEN, pd_id(w, CORE), thread_id(w, core_t), slot(w, i), 1, 0,
              0, labels[i]);

    log_line(w, slot(w, 1), thread_id(w, input_t), "waiting for keys");
    log_line(w, slot(w, 1), thread_id(w, input_t),
             w->mutation == KEY ? "key 0x1f press" : "key 0x1e press");
    log_line(w, slot(w, 1), thread_id(w, input_t), "key 0x1e release");

    /* The worker's threads write through one session; their lines
     * interleave as scheduled, each thread's own in program order. */
    const char *first0 = w->mutation == LOG_OWN_ORDER ? "w0 second" : "w0 first";
    const char *second0 = w->mutation == LOG_OWN_ORDER ? "w0 first" : "w0 second";
    const char *long_line = w->mutation == LOG_TEXT
        ? "a line longer than one chunk of forty-eight bytes, written in TWO chunks"
        : "a line longer than one chunk of forty-eight bytes, written in two chunks";
    if (!w->reorder) {
        log_line(w, slot(w, 2), thread_id(w, w0), first0);
        log_line(w, slot(w, 2), thread_id(w, w1), long_line);
        log_line(w, slot(w, 2), thread_id(w, w0), second0);
    } else {
        log_line(w, slot(w, 2), thread_id(w, w1), long_line);
        log_line(w, slot(w, 2), thread_id(w, w0), first0);
        log_line(w, slot(w, 2), thread_id(w, w0), second0);
    }
    if (w->mutation != LOG_DROPPED)
        log_line(w, slot(w, 2), thread_id(w, w1), "w1 done");

    log_line(w, slot(w, 3), thread_id(w, pci_t), "00:00.0 8086:1237 class 060000");
    log_line(w, slot(w, 3), thread_id(w, pci_t),
             w->mutation == PCI ? "00:01.0 8086:7000 class 060100"
                                : "00:01.0 8086:7010 class 060100");

    /* Core refuses one request: the refusal is its requester's event. */
    event(w, HAL_EVENT_RPC_ERROR, pd_id(w, CORE), thread_id(w, core_t), 7, 3, 0, 0, NULL);
    event(w, HAL_EVENT_IPC_REPLY, pd_id(w, CORE), thread_id(w, core_t),
          thread_id(w, w->mutation == RPC_ERROR_ELSEWHERE ? w1 : w0), 7, 0, 0, NULL);

    /* The worker's thread 0 signals input_test twice. */
    unsigned context = 40 + w->ids;
    event(w, HAL_EVENT_SIGNAL_SUBMIT, pd_id(w, WORKER), thread_id(w, w0), context, 1, 1, 0, NULL);
    if (!w->coalesce)
        event(w, HAL_EVENT_SIGNAL_DELIVER, pd_id(w, WORKER), thread_id(w, w0), context, 1,
              thread_id(w, input_t), 0, NULL);
    event(w, HAL_EVENT_SIGNAL_SUBMIT, pd_id(w, WORKER), thread_id(w, w0), context, 1, 1, 0, NULL);
    if (w->mutation != SIGNAL_TOTAL)
        event(w, HAL_EVENT_SIGNAL_DELIVER, pd_id(w, INPUT), thread_id(w, input_t), context,
              w->coalesce ? 2 : 1, thread_id(w, input_t), 0, NULL);

    /* block_test's driver reads LBA 5 through the ATA data register. */
    if (!w->no_port_events) {
        const uint64_t setup[][2] = {{0x1f2, 1}, {0x1f3, 5}, {0x1f4, 0}, {0x1f5, 0},
                                     {0x1f6, 0xe0}, {0x1f7, 0x20}};
        for (size_t i = 0; i < 6; i++)
            event(w, HAL_EVENT_PORT_OUT, pd_id(w, BLOCK), thread_id(w, block_t), setup[i][0], 1,
                  setup[i][1], 0, NULL);
        event(w, HAL_EVENT_IRQ_DELIVER, pd_id(w, BLOCK), thread_id(w, block_t), 14,
              thread_id(w, block_t), 0, 0, NULL);
        for (unsigned i = 0; i < 256; i++)
            event(w, HAL_EVENT_PORT_IN, pd_id(w, BLOCK), thread_id(w, block_t), 0x1f0, 2,
                  w->mutation == BLOCK_WORD && i == 100 ? 0xbad : (i << 8 | i), 0, NULL);
    } else {
        event(w, HAL_EVENT_IRQ_DELIVER, pd_id(w, BLOCK), thread_id(w, block_t), 14,
              thread_id(w, block_t), 0, 0, NULL);
    }
    log_line(w, slot(w, 4), thread_id(w, block_t), "block checks passed");
    event(w, HAL_EVENT_WORLD_END, 0, 0, 0, 100, 0, 0, NULL);
}

static struct trace_store *store;

/* Stores a run; event_count_extra > 0 makes its row claim more events
 * than it has, finished false leaves it incomplete. */
static int64_t store_run(const char *scenario, const char *platform, struct world *w,
                         uint64_t event_count_extra, bool finished)
{
    w->count = 0;
    world_build(w);
    struct trace_run_info info = {.scenario = (char *)scenario, .seed = 3, .build = "sim",
                                  .platform = (char *)platform};
    int64_t run_id = 0;
    UNIT_CHECK(trace_store_run_begin(store, &info, &run_id) == TRACE_STORE_OK, "run_begin");
    UNIT_CHECK(trace_store_append_events(store, run_id, w->records, w->count) == TRACE_STORE_OK,
               "append_events: %s", trace_store_last_message(store));
    uint64_t hash = TRACE_HASH_SEED;
    for (size_t i = 0; i < w->count; i++)
        hash = trace_hash_step(hash, &w->records[i]);
    bool failed = w->mutation == OUTCOME;
    struct trace_run_result result = {.outcome = failed ? "fail" : "pass",
                                      .failure_signature = failed ? "fail: synthetic" : NULL,
                                      .failure_message = failed ? "fail: synthetic" : NULL,
                                      .event_count = w->count + event_count_extra,
                                      .hash = hash};
    if (finished)
        UNIT_CHECK(trace_store_run_end(store, run_id, &result) == TRACE_STORE_OK, "run_end");
    return run_id;
}

static int64_t run_of(struct world params)
{
    struct world *w = malloc(sizeof *w);
    *w = params;
    int64_t id = store_run("synthetic", "sim", w, 0, true);
    free(w);
    return id;
}

static void check_agree(int64_t a, int64_t b, const char *what)
{
    struct crosscheck_report report;
    enum crosscheck_error error = crosscheck_runs(store, a, b, NULL, &report);
    UNIT_CHECK(error == CROSSCHECK_OK, "%s: %s %s", what, crosscheck_error_name(error),
               report.error);
    if (!UNIT_CHECK(report.agree, "%s: should agree", what))
        crosscheck_print(&report, stdout);
}

static void check_differ(int64_t a, int64_t b, enum crosscheck_facet facet, const char *stream,
                         uint64_t index, const char *value_a, const char *value_b)
{
    struct crosscheck_report report;
    enum crosscheck_error error = crosscheck_runs(store, a, b, NULL, &report);
    UNIT_CHECK(error == CROSSCHECK_OK, "%s", crosscheck_error_name(error));
    UNIT_CHECK(!report.agree && report.have_difference, "%s should differ", stream);
    UNIT_CHECK_STR(crosscheck_facet_name(report.first.facet), crosscheck_facet_name(facet),
                   "facet of the first difference");
    UNIT_CHECK_STR(report.first.stream, stream, "stream of the first difference");
    UNIT_CHECK_U64(report.first.index, index, "item index");
    UNIT_CHECK_STR(report.first.missing_a && !report.first.value_a[0] ? "(missing)"
                                                                      : report.first.value_a,
                   value_a, "A's item");
    UNIT_CHECK_STR(report.first.missing_b && !report.first.value_b[0] ? "(missing)"
                                                                      : report.first.value_b,
                   value_b, "B's item");
    UNIT_CHECK(report.facets[facet].disagreeing_streams >= 1, "counted as differing");
    /* The context is the agreeing items just before the difference. */
    UNIT_CHECK(report.first.context_count == (index < CROSSCHECK_CONTEXT_ITEMS
                                                  ? index : CROSSCHECK_CONTEXT_ITEMS),
               "context items: %u", report.first.context_count);
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    crosscheck_print(&report, out);
    fclose(out);
    UNIT_CHECK(strstr(text, "the runs DISAGREE") && strstr(text, "first disagreement"),
               "printed: %s", text);
    free(text);
}

int main(void)
{
    char path[] = "/tmp/test_crosscheck_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);   /* an absent file becomes a new store */
    UNIT_CHECK(trace_store_open(&store, path) == TRACE_STORE_OK, "open %s", path);

    int64_t base = run_of((struct world){0});
    /* Another platform's ids, another interleaving, coalesced signals. */
    check_agree(base, base, "a run with itself");
    check_agree(base, run_of((struct world){.ids = 17}), "other kernel ids");
    check_agree(base, run_of((struct world){.reorder = true}), "other interleaving");
    check_agree(base, run_of((struct world){.coalesce = true}), "coalesced signals");
    check_agree(base, run_of((struct world){.no_port_events = true}), "no port events at all");

    const char *worker0 = "init -> worker, written by worker / thread 0";
    const char *worker1 = "init -> worker, written by worker / thread 1";
    check_differ(base, run_of((struct world){.ids = 5, .mutation = LOG_TEXT}),
                 CROSSCHECK_FACET_LOG, worker1, 0,
                 "a line longer than one chunk of forty-eight bytes, written in two chunks",
                 "a line longer than one chunk of forty-eight bytes, written in TWO chunks");
    check_differ(base, run_of((struct world){.mutation = LOG_DROPPED}), CROSSCHECK_FACET_LOG,
                 worker1, 1, "w1 done", "(missing)");
    check_differ(base, run_of((struct world){.reorder = true, .mutation = LOG_OWN_ORDER}),
                 CROSSCHECK_FACET_LOG, worker0, 0, "w0 first", "w0 second");
    check_differ(base, run_of((struct world){.ids = 3, .mutation = KEY}), CROSSCHECK_FACET_KEYS,
                 "init -> input_test, written by input_test / thread 0", 1, "key 0x1e press",
                 "key 0x1f press");
    check_differ(base, run_of((struct world){.mutation = PCI}), CROSSCHECK_FACET_PCI,
                 "init -> pci_test, written by pci_test / thread 0", 1,
                 "00:01.0 8086:7010 class 060100", "00:01.0 8086:7000 class 060100");
    struct crosscheck_report report;
    int64_t block = run_of((struct world){.mutation = BLOCK_WORD});
    UNIT_CHECK(crosscheck_runs(store, base, block, NULL, &report) == CROSSCHECK_OK, "blocks");
    UNIT_CHECK(!report.agree && report.first.facet == CROSSCHECK_FACET_BLOCKS &&
                   strcmp(report.first.stream, "ATA primary channel data") == 0 &&
                   strncmp(report.first.value_a, "read master lba 5: 00 00 01 01 02 02", 36) == 0,
               "a changed word of LBA 5: %s / %s", report.first.stream, report.first.value_a);
    check_differ(base, run_of((struct world){.mutation = SIGNAL_TOTAL}),
                 CROSSCHECK_FACET_SIGNALS, "delivered to input_test / thread 0", 0,
                 "a context: 2 submitted, 2 delivered", "a context: 2 submitted, 1 delivered");
    check_differ(base, run_of((struct world){.mutation = RPC_ERROR_ELSEWHERE}),
                 CROSSCHECK_FACET_THREADS, "worker / thread 0", 0, "RPC_ERROR opcode 7 status 3",
                 "SIGNAL_SUBMIT count 1");
    check_differ(base, run_of((struct world){.mutation = OUTCOME}), CROSSCHECK_FACET_OUTCOME,
                 "run", 0, "pass", "fail");

    /* Options: kinds chosen by the caller. */
    struct crosscheck_options only_irqs = {.thread_kinds = UINT64_C(1) << HAL_EVENT_IRQ_DELIVER};
    UNIT_CHECK(crosscheck_runs(store, base, base, &only_irqs, &report) == CROSSCHECK_OK &&
                   report.agree && report.facets[CROSSCHECK_FACET_THREADS].items_a == 1,
               "IRQ_DELIVER only: %" PRIu64 " items",
               report.facets[CROSSCHECK_FACET_THREADS].items_a);

    /* Bad input: named errors, never a crash. */
    UNIT_CHECK(crosscheck_runs(store, base, 9999, NULL, &report) == CROSSCHECK_ERR_NO_SUCH_RUN,
               "no such run");
    struct world *w = calloc(1, sizeof *w);
    int64_t other = store_run("another_scenario", "sim", w, 0, true);
    UNIT_CHECK(crosscheck_runs(store, base, other, NULL, &report) ==
                   CROSSCHECK_ERR_DIFFERENT_SCENARIOS, "different scenarios");
    int64_t unfinished = store_run("synthetic", "qemu", w, 0, false);
    UNIT_CHECK(crosscheck_runs(store, unfinished, base, NULL, &report) ==
                   CROSSCHECK_ERR_INCOMPLETE_RUN, "incomplete run");
    int64_t short_run = store_run("synthetic", "qemu", w, 5, true);
    UNIT_CHECK(crosscheck_runs(store, base, short_run, NULL, &report) ==
                   CROSSCHECK_ERR_EVENTS_MISSING, "events missing: %s", report.error);
    UNIT_CHECK(strcmp(crosscheck_error_name(CROSSCHECK_ERROR_COUNT), "CROSSCHECK_ERR_UNKNOWN") == 0,
               "unknown error name");

    /* Events no producer would write: chunks without a start, lines cut
     * off, sessions and threads never opened or created, ids past every
     * table. They read as visible oddities, and a run agrees with itself. */
    w->count = 0;
    event(w, HAL_EVENT_LOG, 1, 1, 3, 10, 2, 0, "tail only");
    event(w, HAL_EVENT_LOG, 1, 1, 3, 200, 0, 0, "a start");
    event(w, HAL_EVENT_LOG, 1, 1, 3, 200, 7, 0, "a jump");
    event(w, HAL_EVENT_LOG, 1, 1, UINT64_MAX, 5, 0, 0, "far");
    event(w, HAL_EVENT_THREAD_CREATE, 1, 1, UINT64_MAX, UINT64_MAX, 0, 0, NULL);
    event(w, HAL_EVENT_SIGNAL_DELIVER, 1, 1, UINT64_MAX, 1, UINT64_MAX, 0, NULL);
    event(w, HAL_EVENT_SIGNAL_SUBMIT, 1, 65535, 7, UINT64_MAX, 0, 0, NULL);
    event(w, HAL_EVENT_SIGNAL_SUBMIT, 1, 65535, 7, UINT64_MAX, 0, 0, NULL);
    event(w, HAL_EVENT_PORT_IN, 1, 1, 0x1f0, 2, 1, 0, NULL);
    event(w, HAL_EVENT_PORT_OUT, 1, 1, 0x1f7, 1, 0x30, 0, NULL);
    event(w, HAL_EVENT_PORT_OUT, 1, 1, 0x1f0, 2, 1, 0, NULL);
    event(w, HAL_EVENT_RPC_ERROR, 1, 1, 1, 1, 0, 0, NULL);
    event(w, HAL_EVENT_IPC_REPLY, 1, 1, 0, 1, 0, 0, NULL);
    event(w, 999, 1, 1, 0, 0, 0, 0, NULL);
    struct trace_run_info info = {.scenario = "odd", .build = "sim", .platform = "sim"};
    int64_t odd = 0;
    trace_store_run_begin(store, &info, &odd);
    trace_store_append_events(store, odd, w->records, w->count);
    struct trace_run_result result = {.outcome = "pass", .event_count = w->count};
    trace_store_run_end(store, odd, &result);
    struct crosscheck_options every_kind = {.thread_kinds = ~UINT64_C(0)};
    UNIT_CHECK(crosscheck_runs(store, odd, odd, &every_kind, &report) == CROSSCHECK_OK &&
                   report.agree, "odd events: %s", report.error);
    UNIT_CHECK(report.facets[CROSSCHECK_FACET_LOG].items_a >= 3, "odd lines kept: %" PRIu64,
               report.facets[CROSSCHECK_FACET_LOG].items_a);
    free(w);

    trace_store_close(store);
    char wal[64];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return unit_finish("test_crosscheck");
}
