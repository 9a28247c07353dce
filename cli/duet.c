/*
 * duet.c - the `duet` command: run scenarios, replay stored runs, turn fuzz
 * inputs into stored runs.
 *
 *   duet run SCENARIO [--seed N] [--db FILE] [--quiet]
 *   duet replay --db FILE --run ID
 *   duet replay --target NAME --input FILE [--db FILE]
 *   duet sweep SCENARIO [--seeds N] [--from S] [--twice]
 *   duet events --db FILE --run ID [--from SEQ] [--count N] [--kind NAME]
 *   duet minimize --target NAME --input FILE [--out FILE]
 *   duet targets
 *   duet crosscheck SCENARIO [--db FILE] [--sim-seeds N] [--thread-kinds K,...] [--quiet]
 *   duet crosscheck --runs A B [--db FILE] [--thread-kinds K,...]
 *   duet qemu SCENARIO [--db FILE] [--gdb] [--timeout S] [--image PATH] [--quiet]
 *
 * Exit status: 0 the run passed / the replay matched; 1 the run did not
 * pass (its outcome is stored) or the replay diverged; 2 bad usage or bad
 * input (named on stderr). The tool never crashes because a world did.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/crosscheck.h"
#include "duet/fuzz_target.h"
#include "duet/minimize.h"
#include "duet/qemu_run.h"
#include "duet/replay.h"
#include "duet/trace_hash.h"
#include "duet/trace_recorder.h"
#include "duet/trace_store.h"
#include "hal/event.h"

enum { EXIT_PASS = 0, EXIT_NOT_PASSED = 1, EXIT_USAGE = 2 };

static const char usage[] =
    "usage:\n"
    "  duet run SCENARIO [--seed N] [--db FILE] [--quiet]\n"
    "  duet replay --db FILE --run ID\n"
    "  duet replay --target NAME --input FILE [--db FILE]\n"
    "  duet sweep SCENARIO [--seeds N] [--from S] [--twice]\n"
    "  duet events --db FILE --run ID [--from SEQ] [--count N] [--kind NAME]\n"
    "  duet minimize --target NAME --input FILE [--out FILE]\n"
    "  duet targets\n"
    "  duet crosscheck SCENARIO [--db FILE] [--sim-seeds N] [--thread-kinds K,...] [--quiet]\n"
    "  duet crosscheck --runs A B [--db FILE] [--thread-kinds K,...]\n"
    "  duet qemu SCENARIO [--db FILE] [--gdb] [--timeout S] [--image PATH] [--quiet]\n";

struct options {
    const char *program;            /* argv[0], for printing runnable commands */
    const char *scenario;
    const char *db;
    const char *target;
    const char *input;
    uint64_t seed;
    uint64_t seeds;
    uint64_t from;
    uint64_t count;
    const char *kind;
    const char *out;
    bool twice;
    int64_t run_id;
    bool have_run_id;
    bool quiet;
};

static int usage_error(const char *what)
{
    fprintf(stderr, "duet: %s\n%s", what, usage);
    return EXIT_USAGE;
}

static bool parse_u64(const char *text, uint64_t *out)
{
    if (text == NULL || text[0] == '\0' || text[0] == '-')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0')
        return false;
    *out = value;
    return true;
}

/* Parses argv[first..]; returns 0 or an exit status. */
static int parse_options(int argc, char **argv, int first, struct options *o)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "--twice") == 0) {
            *(arg[2] == 'q' ? &o->quiet : &o->twice) = true;
            continue;
        }
        if (arg[0] != '-') {
            if (o->scenario != NULL)
                return usage_error("more than one scenario given");
            o->scenario = arg;
            continue;
        }
        if (value == NULL)
            return usage_error("an option is missing its value");
        i++;
        uint64_t number = 0;
        if (strcmp(arg, "--seed") == 0) {
            if (!parse_u64(value, &o->seed))
                return usage_error("--seed takes a number");
        } else if (strcmp(arg, "--run") == 0) {
            if (!parse_u64(value, &number) || number == 0 || number > INT64_MAX)
                return usage_error("--run takes a run id (a positive number)");
            o->run_id = (int64_t)number;
            o->have_run_id = true;
        } else if (strcmp(arg, "--seeds") == 0) {
            if (!parse_u64(value, &o->seeds) || o->seeds == 0 || o->seeds > 1000000)
                return usage_error("--seeds takes a count from 1 to 1000000");
        } else if (strcmp(arg, "--from") == 0) {
            if (!parse_u64(value, &o->from))
                return usage_error("--from takes a number");
        } else if (strcmp(arg, "--count") == 0) {
            if (!parse_u64(value, &o->count) || o->count == 0)
                return usage_error("--count takes a positive number");
        } else if (strcmp(arg, "--kind") == 0) {
            o->kind = value;
        } else if (strcmp(arg, "--out") == 0) {
            o->out = value;
        } else if (strcmp(arg, "--db") == 0) {
            o->db = value;
        } else if (strcmp(arg, "--target") == 0) {
            o->target = value;
        } else if (strcmp(arg, "--input") == 0) {
            o->input = value;
        } else {
            return usage_error("unknown option");
        }
    }
    return 0;
}

static void console_echo(void *ctx, uint8_t byte)
{
    (void)ctx;
    putchar(byte);
}

static struct trace_store *store_open_or_report(const char *path)
{
    struct trace_store *store = NULL;
    enum trace_store_error error = trace_store_open(&store, path);
    if (error != TRACE_STORE_OK) {
        fprintf(stderr, "duet: cannot use trace store %s: %s (%s)\n", path,
                trace_store_error_name(error), trace_store_last_message(NULL));
        return NULL;
    }
    return store;
}

static void print_summary(const struct options *o, const char *what,
                          const struct record_report *report, const char *db)
{
    const struct sim_result *r = &report->result;
    char hash[19];
    trace_hash_format(r->hash, hash);
    printf("duet: run %" PRId64 " (%s): %s%s%s\n", report->run_id, what,
           report->verdict ? "oracle violated" : sim_outcome_name(r->outcome),
           r->failure[0] || report->verdict ? ": " : "",
           report->verdict ? report->verdict : r->failure);
    printf("  %" PRIu64 " events, %" PRIu64 " choices, %" PRIu64 " steps, %.3f ms virtual time, "
           "trace hash %s\n",
           r->events, r->choices, r->steps, (double)r->time_ns / 1e6, hash);
    if (r->faults > 0)
        printf("  %" PRIu64 " thread%s stopped by a fault; the first: %s\n", r->faults,
               r->faults == 1 ? "" : "s", r->first_fault);
    printf("  stored in %s\n  replay it: %s replay --db %s --run %" PRId64 "\n", db, o->program,
           db, report->run_id);
}

static int command_run(const struct options *o)
{
    if (o->scenario == NULL)
        return usage_error("run needs a scenario file");
    const char *db = o->db ? o->db : "duet.db";
    struct scenario *scenario = malloc(sizeof *scenario);
    char *text = NULL;
    size_t line = 0;
    enum scenario_error error = scenario == NULL ? SCENARIO_ERR_UNREADABLE
                                : scenario_load(o->scenario, scenario, &text, &line);
    if (error != SCENARIO_OK) {
        fprintf(stderr, "duet: scenario %s", o->scenario);
        if (line > 0)
            fprintf(stderr, " line %zu", line);
        fprintf(stderr, ": %s\n", scenario_error_name(error));
        free(scenario);
        return EXIT_USAGE;
    }
    struct trace_store *store = store_open_or_report(db);
    struct sim *sim = store ? sim_create() : NULL;
    int status = EXIT_USAGE;
    if (sim != NULL) {
        struct run_recipe recipe = {.scenario_text = text, .scenario_text_len = strlen(text),
                                    .seed = o->seed, .input = scenario->disk.image,
                                    .input_len = scenario->disk.image_len};
        struct record_request request = {.recipe = &recipe, .scenario_name = scenario->name,
                                         .on_console = o->quiet ? NULL : console_echo};
        struct record_report report;
        bool ok = record_run(store, sim, &request, &report);
        fflush(stdout);
        if (!ok) {
            fprintf(stderr, "duet: %s\n", report.error);
        } else {
            char what[96];
            snprintf(what, sizeof what, "scenario %s, seed %" PRIu64, scenario->name, o->seed);
            print_summary(o, what, &report, db);
            status = report.result.outcome == SIM_PASS ? EXIT_PASS : EXIT_NOT_PASSED;
        }
    }
    sim_destroy(sim);
    trace_store_close(store);
    free(text);
    scenario_release(scenario);
    free(scenario);
    return status;
}

/* One run in ring mode (no store): what determinism checks compare. */
static void sweep_one(struct sim *sim, const struct scenario *scenario, uint64_t seed,
                      struct trace_record *ring, size_t ring_records, struct sim_result *result)
{
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, ring, ring_records, NULL, NULL);
    struct sim_config config = {.scenario = scenario, .seed = seed, .recorder = &recorder};
    sim_run(sim, &config, result);
}

/* Runs seeds [from, from+seeds), optionally twice each, printing one line
 * per seed: "seed S OUTCOME HASH". Exit 1 if any run did not pass or the
 * two runs of a seed differ. The lines are comparable across builds. */
static int command_sweep(const struct options *o)
{
    if (o->scenario == NULL)
        return usage_error("sweep needs a scenario file");
    enum { SWEEP_RING_RECORDS = 1024 };
    struct scenario *scenario = malloc(sizeof *scenario);
    struct trace_record *ring = malloc(SWEEP_RING_RECORDS * sizeof *ring);
    char *text = NULL;
    size_t line = 0;
    enum scenario_error error = scenario == NULL || ring == NULL
                                    ? SCENARIO_ERR_UNREADABLE
                                    : scenario_load(o->scenario, scenario, &text, &line);
    struct sim *sim = error == SCENARIO_OK ? sim_create() : NULL;
    if (sim == NULL) {
        fprintf(stderr, "duet: scenario %s line %zu: %s\n", o->scenario, line,
                scenario_error_name(error));
        free(scenario);
        free(ring);
        return EXIT_USAGE;
    }
    uint64_t count = o->seeds ? o->seeds : 100;
    uint64_t passed = 0, differing = 0;
    for (uint64_t seed = o->from; seed < o->from + count; seed++) {
        struct sim_result first, second;
        sweep_one(sim, scenario, seed, ring, SWEEP_RING_RECORDS, &first);
        bool same = true;
        if (o->twice) {
            sweep_one(sim, scenario, seed, ring, SWEEP_RING_RECORDS, &second);
            same = first.hash == second.hash && first.events == second.events &&
                   first.outcome == second.outcome;
        }
        char hash[19];
        trace_hash_format(first.hash, hash);
        printf("seed %" PRIu64 " %s %s %" PRIu64 " events%s%s\n", seed,
               sim_outcome_name(first.outcome), hash, first.events,
               same ? "" : " NOT DETERMINISTIC", first.failure);
        passed += first.outcome == SIM_PASS;
        differing += !same;
    }
    printf("sweep %s: %" PRIu64 " seeds%s, %" PRIu64 " passed, %" PRIu64 " not passed, %" PRIu64
           " not deterministic\n",
           scenario->name, count, o->twice ? " (each run twice)" : "", passed, count - passed,
           differing);
    sim_destroy(sim);
    free(text);
    free(ring);
    scenario_release(scenario);
    free(scenario);
    return passed == count && differing == 0 ? EXIT_PASS : EXIT_NOT_PASSED;
}

static bool kind_by_name(const char *name, unsigned *out_kind)
{
    for (unsigned kind = 0; kind <= UINT16_MAX; kind++) {
        const char *known = hal_event_kind_name(kind);
        if (known != NULL && strcmp(known, name) == 0) {
            *out_kind = kind;
            return true;
        }
        if (kind > 1000)
            break;   /* the list is short and dense; no need to walk 64K */
    }
    return false;
}

/* Prints a stored run's events, one per line, from --from (a seq), at most
 * --count of them (default 50), optionally only one --kind. */
static int command_events(const struct options *o)
{
    if (o->db == NULL || !o->have_run_id)
        return usage_error("events needs --db FILE and --run ID");
    unsigned kind = 0;
    if (o->kind != NULL && !kind_by_name(o->kind, &kind)) {
        fprintf(stderr, "duet: no event kind named \"%s\" (e.g. IPC_CALL, LOG, FAULT)\n", o->kind);
        return EXIT_USAGE;
    }
    struct trace_store *store = store_open_or_report(o->db);
    if (store == NULL)
        return EXIT_USAGE;
    struct trace_event_cursor *cursor = NULL;
    enum trace_store_error error = trace_store_events_open(store, o->run_id, &cursor);
    uint64_t limit = o->count ? o->count : 50, printed = 0;
    struct trace_record record;
    while (error == TRACE_STORE_OK && printed < limit &&
           (error = trace_store_events_next(cursor, &record)) == TRACE_STORE_OK) {
        if (record.seq < o->from || (o->kind != NULL && record.kind != kind))
            continue;
        char line[320];
        trace_record_describe(&record, line, sizeof line);
        printf("%s\n", line);
        printed++;
    }
    if (cursor != NULL)
        trace_store_events_close(cursor);
    int status = EXIT_PASS;
    if (error != TRACE_STORE_OK && error != TRACE_STORE_ERR_END) {
        fprintf(stderr, "duet: events of run %" PRId64 ": %s (%s)\n", o->run_id,
                trace_store_error_name(error), trace_store_last_message(store));
        status = EXIT_USAGE;
    }
    trace_store_close(store);
    return status;
}

static uint8_t *read_file(const char *path, size_t max, size_t *out_len)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    uint8_t *bytes = malloc(max + 1);
    size_t length = bytes ? fread(bytes, 1, max + 1, file) : 0;
    bool bad = bytes == NULL || ferror(file) || length > max;
    fclose(file);
    if (bad) {
        free(bytes);
        return NULL;
    }
    *out_len = length;
    return bytes;
}

/* Shrinks a failing input while its failure signature holds and writes it
 * next to the original (FILE.min) or to --out. */
static int command_minimize(const struct options *o)
{
    enum { MINIMIZE_RUNS_MAX = 20000 };
    const struct fuzz_target *target = o->target ? fuzz_target_find(o->target) : NULL;
    if (o->target == NULL || o->input == NULL)
        return usage_error("minimize needs --target NAME and --input FILE");
    if (target == NULL) {
        fprintf(stderr, "duet: no fuzz target named \"%s\" (see: duet targets)\n", o->target);
        return EXIT_USAGE;
    }
    size_t length = 0;
    uint8_t *input = read_file(o->input, FUZZ_INPUT_MAX, &length);
    struct minimize_report *report = malloc(sizeof *report);
    struct sim *sim = input && report ? sim_create() : NULL;
    if (sim == NULL) {
        fprintf(stderr, "duet: cannot read input %s (missing, unreadable or over %d bytes)\n",
                o->input, FUZZ_INPUT_MAX);
        free(input);
        free(report);
        return EXIT_USAGE;
    }
    minimize_input(sim, target, input, length, MINIMIZE_RUNS_MAX, report);
    int status = EXIT_PASS;
    if (!report->failed_at_all) {
        printf("duet: %s does not fail target %s: nothing to minimize\n", o->input, o->target);
        status = EXIT_NOT_PASSED;
    } else {
        char out_path[4096];
        snprintf(out_path, sizeof out_path, "%s%s", o->out ? o->out : o->input,
                 o->out ? "" : ".min");
        FILE *file = fopen(out_path, "wb");
        bool written = file != NULL &&
                       fwrite(report->input, 1, report->input_len, file) == report->input_len;
        if (file != NULL && fclose(file) != 0)
            written = false;
        if (!written) {
            fprintf(stderr, "duet: cannot write %s\n", out_path);
            status = EXIT_USAGE;
        } else {
            printf("duet: minimized %zu -> %zu bytes in %u runs, failure kept: %s\n",
                   report->original_len, report->input_len, report->runs, report->signature);
            printf("  written to %s\n  store and replay it: %s replay --target %s --input %s "
                   "--db crash.db\n", out_path, o->program, o->target, out_path);
        }
    }
    sim_destroy(sim);
    free(report);
    free(input);
    return status;
}

static int command_replay_target(const struct options *o)
{
    if (o->input == NULL)
        return usage_error("replay --target needs --input FILE");
    if (fuzz_target_find(o->target) == NULL) {
        fprintf(stderr, "duet: no fuzz target named \"%s\" (see: duet targets)\n", o->target);
        return EXIT_USAGE;
    }
    size_t length = 0;
    uint8_t *input = read_file(o->input, FUZZ_INPUT_MAX, &length);
    if (input == NULL) {
        fprintf(stderr, "duet: cannot read input %s (missing, unreadable or over %d bytes)\n",
                o->input, FUZZ_INPUT_MAX);
        return EXIT_USAGE;
    }
    const char *db = o->db ? o->db : "duet.db";
    struct trace_store *store = store_open_or_report(db);
    struct sim *sim = store ? sim_create() : NULL;
    int status = EXIT_USAGE;
    if (sim != NULL) {
        struct run_recipe recipe = {.target = o->target, .input = input, .input_len = length};
        struct record_request request = {.recipe = &recipe, .scenario_name = o->target};
        struct record_report report;
        if (!record_run(store, sim, &request, &report)) {
            fprintf(stderr, "duet: %s\n", report.error);
        } else {
            char what[256];
            snprintf(what, sizeof what, "target %s, input %s (%zu bytes)", o->target, o->input,
                     length);
            print_summary(o, what, &report, db);
            status = report.verdict == NULL ? EXIT_PASS : EXIT_NOT_PASSED;
        }
    }
    sim_destroy(sim);
    trace_store_close(store);
    free(input);
    return status;
}

static void print_divergence(const struct replay_report *report)
{
    char line[320];
    printf("duet: replay DIVERGED after %" PRIu64 " matching events\n", report->events);
    if (report->expected_missing) {
        printf("  stored:   (the stored run ends here)\n");
    } else {
        trace_record_describe(&report->expected, line, sizeof line);
        printf("  stored:   %s\n", line);
    }
    if (report->actual_missing) {
        printf("  replayed: (the replay ended here)\n");
    } else {
        trace_record_describe(&report->actual, line, sizeof line);
        printf("  replayed: %s\n", line);
    }
}

static int command_replay_run(const struct options *o)
{
    if (o->db == NULL || !o->have_run_id)
        return usage_error("replay needs --db FILE and --run ID (or --target and --input)");
    struct trace_store *store = store_open_or_report(o->db);
    struct sim *sim = store ? sim_create() : NULL;
    int status = EXIT_USAGE;
    if (sim != NULL) {
        struct replay_report report;
        if (!replay_run(store, sim, o->run_id, &report)) {
            fprintf(stderr, "duet: replay of run %" PRId64 ": %s\n", o->run_id, report.error);
        } else if (report.matched) {
            char hash[19];
            trace_hash_format(report.replayed_hash, hash);
            printf("duet: replay of run %" PRId64 " matched: %" PRIu64
                   " events, trace hash %s (outcome %s)\n",
                   o->run_id, report.events, hash, sim_outcome_name(report.result.outcome));
            status = EXIT_PASS;
        } else {
            if (report.diverged)
                print_divergence(&report);
            char stored[19], replayed[19];
            trace_hash_format(report.stored_hash, stored);
            trace_hash_format(report.replayed_hash, replayed);
            printf("duet: replay of run %" PRId64 " did not match: stored hash %s, replayed %s\n",
                   o->run_id, stored, replayed);
            printf("  (the run was recorded by a '%s' build; a replay also diverges when the "
                   "framework changed since)\n", report.recorded_build);
            status = EXIT_NOT_PASSED;
        }
    }
    sim_destroy(sim);
    trace_store_close(store);
    return status;
}

/* ---- duet crosscheck ------------------------------------------------------
 * Compares a scenario's canonical sim run (every choice 0, as bare metal
 * answers) with its QEMU run, or N seeded sim runs (--sim-seeds: the
 * comparison's own check), or two stored runs (--runs). docs/CROSSCHECK.md. */

#ifdef DUET_HAVE_QEMU
#include "duet/qemu_run.h"
#endif

struct crosscheck_cli {
    const char *scenario;
    const char *db;
    int64_t run_a, run_b;
    bool have_runs;
    uint64_t sim_seeds;
    struct crosscheck_options options;
    bool quiet;
};

static int crosscheck_parse_kinds(const char *list, uint64_t *out_mask)
{
    char copy[1024];
    if (snprintf(copy, sizeof copy, "%s", list) >= (int)sizeof copy)
        return usage_error("--thread-kinds: the list is too long");
    *out_mask = 0;
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        unsigned kind = 0;
        if (!kind_by_name(name, &kind) || kind >= 64) {
            fprintf(stderr, "duet: --thread-kinds: no event kind named \"%s\"\n", name);
            return EXIT_USAGE;
        }
        *out_mask |= UINT64_C(1) << kind;
    }
    return *out_mask == 0 ? usage_error("--thread-kinds takes kind names, e.g. IPC_CALL,FAULT")
                          : 0;
}

static int crosscheck_parse(int argc, char **argv, struct crosscheck_cli *c)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        uint64_t a = 0, b = 0;
        if (strcmp(arg, "--quiet") == 0) {
            c->quiet = true;
        } else if (arg[0] != '-') {
            if (c->scenario != NULL)
                return usage_error("crosscheck takes one scenario");
            c->scenario = arg;
        } else if (strcmp(arg, "--runs") == 0) {
            if (i + 2 >= argc || !parse_u64(argv[i + 1], &a) || !parse_u64(argv[i + 2], &b) ||
                a == 0 || b == 0 || a > INT64_MAX || b > INT64_MAX)
                return usage_error("--runs takes two run ids (positive numbers)");
            c->run_a = (int64_t)a;
            c->run_b = (int64_t)b;
            c->have_runs = true;
            i += 2;
        } else if (strcmp(arg, "--db") != 0 && strcmp(arg, "--sim-seeds") != 0 &&
                   strcmp(arg, "--thread-kinds") != 0) {
            return usage_error("unknown crosscheck option");
        } else if (!has_value) {
            return usage_error("an option is missing its value");
        } else if (strcmp(arg, "--db") == 0) {
            c->db = argv[++i];
        } else if (strcmp(arg, "--sim-seeds") == 0) {
            if (!parse_u64(argv[++i], &c->sim_seeds) || c->sim_seeds == 0 ||
                c->sim_seeds > 100000)
                return usage_error("--sim-seeds takes a count from 1 to 100000");
        } else if (strcmp(arg, "--thread-kinds") == 0) {
            int status = crosscheck_parse_kinds(argv[++i], &c->options.thread_kinds);
            if (status != 0)
                return status;
        }
    }
    if (c->have_runs == (c->scenario != NULL))
        return usage_error("crosscheck needs a scenario or --runs A B (not both)");
    if (c->have_runs && c->sim_seeds > 0)
        return usage_error("--sim-seeds goes with a scenario, not with --runs");
    return 0;
}

/* Compares two stored runs and prints the report; an exit status. */
static int crosscheck_compare(struct trace_store *store, int64_t a, int64_t b,
                              const struct crosscheck_cli *c, bool brief)
{
    struct crosscheck_report *report = malloc(sizeof *report);
    if (report == NULL) {
        fprintf(stderr, "duet: out of host memory\n");
        return EXIT_USAGE;
    }
    enum crosscheck_error error = crosscheck_runs(store, a, b, &c->options, report);
    int status = EXIT_USAGE;
    if (error != CROSSCHECK_OK) {
        fprintf(stderr, "duet: crosscheck of runs %" PRId64 " and %" PRId64 ": %s: %s\n", a, b,
                crosscheck_error_name(error), report->error);
    } else {
        if (brief && report->agree)
            printf("duet: runs %" PRId64 " and %" PRId64 " agree\n", a, b);
        else
            crosscheck_print(report, stdout);
        status = report->agree ? EXIT_PASS : EXIT_NOT_PASSED;
    }
    free(report);
    return status;
}

/* Records one run of the scenario: canonical choices, or a seed. */
static bool crosscheck_record(struct trace_store *store, struct sim *sim,
                              const struct scenario *scenario, const char *text, bool canonical,
                              uint64_t seed, bool quiet, int64_t *out_run_id)
{
    struct run_recipe recipe = {.scenario_text = text, .scenario_text_len = strlen(text),
                                .seed = seed, .input = scenario->disk.image,
                                .input_len = scenario->disk.image_len,
                                .canonical_choices = canonical};
    struct record_request request = {.recipe = &recipe, .scenario_name = scenario->name,
                                     .on_console = quiet ? NULL : console_echo};
    struct record_report report;
    bool ok = record_run(store, sim, &request, &report);
    fflush(stdout);
    if (!ok)
        fprintf(stderr, "duet: recording %s: %s\n", scenario->name, report.error);
    *out_run_id = report.run_id;
    return ok;
}

static int crosscheck_scenario(const struct crosscheck_cli *c, const char *db)
{
#ifndef DUET_HAVE_QEMU
    if (c->sim_seeds == 0) {
        fprintf(stderr, "duet: crosscheck: QEMU support is not built (CROSSCHECK_NO_QEMU: the "
                        "duet_qemu library was not part of this build); compare stored runs "
                        "with --runs A B, or the sim with itself with --sim-seeds N\n");
        return EXIT_USAGE;
    }
#endif
    struct scenario *scenario = malloc(sizeof *scenario);
    char *text = NULL;
    size_t line = 0;
    enum scenario_error scenario_error = scenario == NULL ? SCENARIO_ERR_UNREADABLE
                                         : scenario_load(c->scenario, scenario, &text, &line);
    if (scenario_error != SCENARIO_OK) {
        fprintf(stderr, "duet: scenario %s line %zu: %s\n", c->scenario, line,
                scenario_error_name(scenario_error));
        free(scenario);
        return EXIT_USAGE;
    }
    struct trace_store *store = store_open_or_report(db);
    struct sim *sim = store ? sim_create() : NULL;
    int64_t canonical = 0;
    int status = EXIT_USAGE;
    if (sim != NULL &&
        crosscheck_record(store, sim, scenario, text, true, 0, c->quiet, &canonical)) {
        printf("duet: canonical sim run %" PRId64 " stored in %s\n", canonical, db);
        status = EXIT_PASS;
        uint64_t agreed = 0;
        for (uint64_t seed = 0; seed < c->sim_seeds && status != EXIT_USAGE; seed++) {
            int64_t seeded = 0;
            if (!crosscheck_record(store, sim, scenario, text, false, seed, true, &seeded)) {
                status = EXIT_USAGE;
                break;
            }
            int one = crosscheck_compare(store, canonical, seeded, c, true);
            agreed += one == EXIT_PASS;
            if (one != EXIT_PASS)
                status = one;
        }
        if (c->sim_seeds > 0)
            printf("duet: crosscheck %s: canonical vs %" PRIu64 " seeds: %" PRIu64
                   " agree, %" PRIu64 " disagree\n",
                   scenario->name, c->sim_seeds, agreed, c->sim_seeds - agreed);
    }
#ifdef DUET_HAVE_QEMU
    if (status == EXIT_PASS && c->sim_seeds == 0) {
        /* qemu_run opens the store itself: ours is closed meanwhile. */
        trace_store_close(store);
        store = NULL;
        struct qemu_run_options options = {.scenario_path = c->scenario, .store_path = db,
                                           .quiet = c->quiet};
        struct qemu_run_result result;
        char error[256] = "";
        enum qemu_run_error qemu_error = qemu_run(&options, &result, error, sizeof error);
        if (qemu_error != QEMU_RUN_OK) {
            fprintf(stderr, "duet: crosscheck: the QEMU run failed: %s: %s\n",
                    qemu_run_error_name(qemu_error), error);
            status = EXIT_USAGE;
        } else {
            printf("duet: QEMU run %" PRId64 " stored in %s\n", result.run_id, db);
            store = store_open_or_report(db);
            status = store ? crosscheck_compare(store, canonical, result.run_id, c, false)
                           : EXIT_USAGE;
        }
    }
#endif
    sim_destroy(sim);
    trace_store_close(store);
    free(text);
    scenario_release(scenario);
    free(scenario);
    return status;
}

static int command_crosscheck(int argc, char **argv)
{
    struct crosscheck_cli c = {0};
    int status = crosscheck_parse(argc, argv, &c);
    if (status != 0)
        return status;
    const char *db = c.db ? c.db : "duet.db";
    if (!c.have_runs)
        return crosscheck_scenario(&c, db);
    struct trace_store *store = store_open_or_report(db);
    if (store == NULL)
        return EXIT_USAGE;
    status = crosscheck_compare(store, c.run_a, c.run_b, &c, false);
    trace_store_close(store);
    return status;
}

/* `duet qemu`: the scenario on the bare-metal image in QEMU (docs/QEMU.md).
 * Its options are its own, so it parses argv itself. */
static int command_qemu(int argc, char **argv)
{
    struct qemu_run_options options = {.store_path = "duet.db"};
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t number = 0;
        if (strcmp(arg, "--gdb") == 0) {
            options.gdb = true;
        } else if (strcmp(arg, "--quiet") == 0) {
            options.quiet = true;
        } else if (arg[0] != '-') {
            if (options.scenario_path != NULL)
                return usage_error("more than one scenario given");
            options.scenario_path = arg;
        } else if (value == NULL) {
            return usage_error("an option is missing its value");
        } else if (strcmp(arg, "--db") == 0) {
            options.store_path = argv[++i];
        } else if (strcmp(arg, "--image") == 0) {
            options.image_path = argv[++i];
        } else if (strcmp(arg, "--timeout") == 0) {
            if (!parse_u64(value, &number) || number == 0 || number > 86400)
                return usage_error("--timeout takes seconds, from 1 to 86400");
            options.timeout_s = (unsigned)number;
            i++;
        } else {
            return usage_error("unknown option for qemu");
        }
    }
    if (options.scenario_path == NULL)
        return usage_error("qemu needs a scenario file");
    struct qemu_run_result result;
    char error[512];
    enum qemu_run_error status = qemu_run(&options, &result, error, sizeof error);
    fflush(stdout);
    if (status != QEMU_RUN_OK)
        fprintf(stderr, "duet: %s: %s\n", qemu_run_error_name(status), error);
    if (result.run_id == 0)
        return EXIT_USAGE;   /* nothing ran: bad input, no image, no QEMU */
    char hash[19];
    trace_hash_format(result.hash, hash);
    printf("duet: run %" PRId64 " (scenario %s, qemu): %s%s%s\n", result.run_id,
           options.scenario_path, result.outcome, result.failure[0] ? ": " : "", result.failure);
    printf("  %" PRIu64 " events, %.3f ms guest time, %.3f s boot to end, trace hash %s\n",
           result.events, (double)result.guest_end_ns / 1e6,
           (double)result.boot_to_end_ns / 1e9, hash);
    printf("  QEMU exit status %d, %" PRIu64 " trace bytes (%" PRIu64 " stream errors), "
           "%" PRIu64 " inputs sent\n",
           result.qemu_exit_status, result.stream_bytes, result.stream_errors,
           result.inputs_sent);
    printf("  stored in %s\n  its events: %s events --db %s --run %" PRId64 "\n",
           options.store_path, argv[0], options.store_path, result.run_id);
    return status == QEMU_RUN_OK && strcmp(result.outcome, "pass") == 0 ? EXIT_PASS
                                                                         : EXIT_NOT_PASSED;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("no command given");
    if (strcmp(argv[1], "crosscheck") == 0)   /* its own options (--runs takes two) */
        return command_crosscheck(argc, argv);
    if (strcmp(argv[1], "qemu") == 0)
        return command_qemu(argc, argv);
    struct options o = {.program = argv[0]};
    int status = parse_options(argc, argv, 2, &o);
    if (status != 0)
        return status;
    const char *command = argv[1];
    if (strcmp(command, "run") == 0)
        return command_run(&o);
    if (strcmp(command, "replay") == 0)
        return o.target ? command_replay_target(&o) : command_replay_run(&o);
    if (strcmp(command, "sweep") == 0)
        return command_sweep(&o);
    if (strcmp(command, "events") == 0)
        return command_events(&o);
    if (strcmp(command, "minimize") == 0)
        return command_minimize(&o);
    if (strcmp(command, "targets") == 0) {
        size_t count = 0;
        const struct fuzz_target *const *targets = fuzz_target_list(&count);
        for (size_t i = 0; i < count; i++)
            printf("%-12s %s\n", targets[i]->name, targets[i]->summary);
        return EXIT_PASS;
    }
    return usage_error("unknown command");
}
