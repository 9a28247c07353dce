/*
 * test_replay.c - replay confirms a stored run and finds the first divergence.
 *
 * Records the demo scenario into a fresh store, replays it (must match),
 * then edits the stored inputs behind the tool's back the way a stale or
 * tampered database would look, and checks each is reported precisely:
 *   - another seed: the first differing event is a CHOICE;
 *   - the stored trace cut short: the replay runs past the stored end;
 *   - an unparsable stored scenario: a named scenario error, no run.
 */
#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/replay.h"
#include "hal/event.h"

static int checks;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        checks++;                                                                    \
        if (!(cond)) {                                                               \
            fprintf(stderr, "test_replay: %s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char text[SCENARIO_TEXT_MAX + 1];
    size_t n = fread(text, 1, SCENARIO_TEXT_MAX, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void sql(const char *db_path, const char *statement)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(db_path, &db) == SQLITE_OK);
    char *message = NULL;
    int rc = sqlite3_exec(db, statement, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql: %s\n", message);
    CHECK(rc == SQLITE_OK);
    sqlite3_close(db);
}

static struct replay_report replay(const char *db_path, struct sim *sim, bool *ok)
{
    struct trace_store *store = NULL;
    CHECK(trace_store_open(&store, db_path) == TRACE_STORE_OK);
    struct replay_report report;
    *ok = replay_run(store, sim, 1, &report);
    trace_store_close(store);
    return report;
}

int main(void)
{
    char db_path[512];
    snprintf(db_path, sizeof db_path, "%s/test_replay.db", DUET_TEST_DIR);
    remove(db_path);
    struct sim *sim = sim_create();
    CHECK(sim != NULL);

    const char *text = read_text(DUET_DEMO_SCENARIO);
    struct run_recipe recipe = {.scenario_text = text, .scenario_text_len = strlen(text),
                                .seed = 7};
    struct record_request request = {.recipe = &recipe, .scenario_name = "demo"};
    struct record_report recorded;
    struct trace_store *store = NULL;
    CHECK(trace_store_open(&store, db_path) == TRACE_STORE_OK);
    CHECK(record_run(store, sim, &request, &recorded));
    trace_store_close(store);
    CHECK(recorded.run_id == 1 && recorded.result.outcome == SIM_PASS);
    CHECK(recorded.result.events > 1000);

    bool ok = false;
    struct replay_report report = replay(db_path, sim, &ok);
    CHECK(ok && report.matched && !report.diverged);
    CHECK(report.events == recorded.result.events);
    CHECK(report.replayed_hash == recorded.result.hash);

    sql(db_path, "UPDATE runs SET seed = 8 WHERE id = 1");
    report = replay(db_path, sim, &ok);
    CHECK(ok && !report.matched && report.diverged);
    CHECK(report.expected.kind == HAL_EVENT_CHOICE && report.actual.kind == HAL_EVENT_CHOICE);
    CHECK(report.expected.seq == report.actual.seq && report.events == report.expected.seq);
    CHECK(report.expected.arg[1] != report.actual.arg[1]);

    sql(db_path, "UPDATE runs SET seed = 7 WHERE id = 1");
    sql(db_path, "DELETE FROM events WHERE run_id = 1 AND seq >= 1000");
    report = replay(db_path, sim, &ok);
    CHECK(ok && !report.matched && report.diverged && report.expected_missing);
    CHECK(report.events == 1000 && report.actual.seq == 1000);

    sql(db_path, "UPDATE runs SET scenario_text = 'name demo' || char(10) || 'oops' WHERE id = 1");
    report = replay(db_path, sim, &ok);
    CHECK(!ok && strstr(report.error, "SCENARIO_ERR_UNKNOWN_KEYWORD") != NULL);

    sim_destroy(sim);
    printf("test_replay: ok (%d checks)\n", checks);
    return 0;
}
