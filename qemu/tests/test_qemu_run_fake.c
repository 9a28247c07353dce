/*
 * test_qemu_run_fake.c - qemu_run end to end against fake_qemu (a stand-in
 * that speaks QEMU's sockets): every verdict is stored as the sim stores
 * its runs (platform "qemu", build "baremetal", the scenario's text, the
 * events in order with the recorder's hash), and every way the host side
 * can go wrong is a named error with the run still stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duet/qemu_run.h"
#include "duet/trace_hash.h"
#include "duet/trace_store.h"
#include "hal/event.h"
#include "test_check.h"

static const char *const db_path = QEMU_TEST_DIR "/test_qemu_run_fake.db";

static struct qemu_run_options options_for(const char *mode)
{
    setenv("FAKE_QEMU_MODE", mode, 1);
    return (struct qemu_run_options){
        .scenario_path = DUET_SOURCE_DIR "/scenarios/demo.scn",
        .store_path = db_path,
        /* Any existing file: the fake does not boot it. */
        .image_path = FAKE_QEMU_PATH,
        .qemu_program = FAKE_QEMU_PATH,
        .timeout_s = 20,
        .quiet = true,
    };
}

static enum qemu_run_error run(const char *mode, struct qemu_run_result *result,
                               char *error, size_t error_len)
{
    struct qemu_run_options options = options_for(mode);
    if (strcmp(mode, "hang") == 0 || strcmp(mode, "input") == 0)
        options.timeout_s = 1;
    enum qemu_run_error status = qemu_run(&options, result, error, error_len);
    fprintf(stderr, "mode %-8s -> %s, run %lld, %s%s%s\n", mode, qemu_run_error_name(status),
            (long long)result->run_id, result->outcome ? result->outcome : "(not stored)",
            result->failure[0] ? ": " : "", result->failure);
    return status;
}

/* The stored run matches the result, and is a QEMU run. */
static void check_stored(const struct qemu_run_result *result, const char *outcome)
{
    struct trace_store *store = NULL;
    CHECK(trace_store_open(&store, db_path) == TRACE_STORE_OK);
    struct trace_run_info info;
    struct trace_run_result stored;
    CHECK(trace_store_run_load(store, result->run_id, &info, &stored) == TRACE_STORE_OK);
    CHECK(strcmp(info.platform, "qemu") == 0 && strcmp(info.build, "baremetal") == 0);
    CHECK(strcmp(info.scenario, "demo") == 0);
    CHECK(info.scenario_text != NULL && strstr(info.scenario_text, "name demo") != NULL);
    CHECK(strcmp(stored.outcome, outcome) == 0);
    CHECK(stored.event_count == result->events && stored.hash == result->hash);
    if (strcmp(outcome, "pass") == 0)
        CHECK(stored.failure_signature == NULL);
    else
        CHECK(stored.failure_signature != NULL &&
              strstr(stored.failure_signature, result->failure) != NULL);
    /* The events come back in order, numbered from 0. */
    struct trace_event_cursor *cursor = NULL;
    CHECK(trace_store_events_open(store, result->run_id, &cursor) == TRACE_STORE_OK);
    struct trace_record record;
    uint64_t count = 0;
    while (trace_store_events_next(cursor, &record) == TRACE_STORE_OK) {
        CHECK(record.seq == count);
        CHECK(record.kind < 0xff00);   /* control records are never stored */
        count++;
    }
    CHECK(count == result->events);
    trace_store_events_close(cursor);
    trace_run_info_free(&info);
    trace_run_result_free(&stored);
    trace_store_close(store);
}

static void test_verdicts(void)
{
    char error[512];
    struct qemu_run_result result;
    CHECK(run("pass", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(strcmp(result.outcome, "pass") == 0 && result.run_id > 0);
    CHECK(result.events == 3 && result.qemu_exit_status == 3);
    CHECK(result.guest_end_ns == 1000 + 4 * 250 && result.boot_to_end_ns > 0);
    CHECK(result.stream_errors == 0 && result.console_bytes == 40);
    check_stored(&result, "pass");
    uint64_t pass_hash = result.hash;
    /* Same guest, same trace: the hash is the recorder's, run to run. */
    CHECK(run("pass", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(result.hash == pass_hash);

    CHECK(run("no_line", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(strcmp(result.outcome, "no-success-line") == 0);
    check_stored(&result, "no-success-line");

    CHECK(run("fail", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(strcmp(result.outcome, "fail") == 0 && strcmp(result.failure, "kernel: boom") == 0);
    CHECK(result.events == 4);
    check_stored(&result, "fail");

    CHECK(run("die", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(strcmp(result.outcome, "fail") == 0);
    CHECK(strstr(result.failure, "QEMU exited with status 0 before the guest's WORLD_END"));
    check_stored(&result, "fail");
}

static void test_errors_still_stored(void)
{
    char error[512];
    struct qemu_run_result result;
    CHECK(run("hang", &result, error, sizeof error) == QEMU_RUN_ERR_TIMEOUT);
    CHECK(strcmp(result.outcome, "hang") == 0 && strstr(error, "host timeout") != NULL);
    CHECK(result.qemu_exit_status == 128 + 9);
    check_stored(&result, "hang");

    CHECK(run("corrupt", &result, error, sizeof error) == QEMU_RUN_ERR_STREAM);
    CHECK(strcmp(result.outcome, "fail") == 0 && result.stream_errors == 1);
    CHECK(strstr(error, "TRACE_STREAM_ERR_CHECKSUM") != NULL);
    CHECK(result.events == 2);   /* the LOG record is lost, and said so */
    check_stored(&result, "fail");

    CHECK(run("version", &result, error, sizeof error) == QEMU_RUN_ERR_STREAM);
    CHECK(strstr(error, "version 99") != NULL);
    check_stored(&result, "fail");

    CHECK(run("input", &result, error, sizeof error) == QEMU_RUN_ERR_STREAM);
    CHECK(strstr(error, "asked for input 0, expected 0 of 0") != NULL);
    check_stored(&result, "fail");

    CHECK(run("bad_arg", &result, error, sizeof error) == QEMU_RUN_ERR_LAUNCH);
    CHECK(strstr(error, "'nosuch' is not a valid device model name") != NULL);
    check_stored(&result, "fail");

    CHECK(run("linger", &result, error, sizeof error) == QEMU_RUN_OK);
    CHECK(strcmp(result.outcome, "pass") == 0 && result.qemu_exit_status == 128 + 9);
}

/* Keyboard input through QMP: each request answered by its command. */
static void test_inputs(void)
{
    static const char text[] = "name keys\nexpect keys done\nkey 1000 a press\n"
                               "key 2000 a release\ntype 3000 \"aB\"\nrom config\nend\n";
    const char *path = QEMU_TEST_DIR "/keys.scn";
    FILE *file = fopen(path, "w");
    CHECK(file != NULL && fwrite(text, 1, sizeof text - 1, file) == sizeof text - 1);
    CHECK(fclose(file) == 0);
    char error[512];
    struct qemu_run_result result;
    struct qemu_run_options options = options_for("keys");
    options.scenario_path = path;
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_OK);
    /* a press, a release, "aB": 1 + 1 + 6 inputs (each character pressed
     * and released, B wrapped in left shift), each sent after the CPU was
     * seen halted, each with its NMI */
    if (strcmp(result.outcome, "pass") != 0 || result.inputs_sent != 8)
        fprintf(stderr, "keys: %s, %llu inputs sent, %s\n", result.outcome,
                (unsigned long long)result.inputs_sent, result.failure);
    CHECK(strcmp(result.outcome, "pass") == 0 && result.inputs_sent == 8);

    options = options_for("qmp_error");
    options.scenario_path = path;
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_QMP);
    CHECK(strstr(error, "QMP refused a command: GenericError: VM not running") != NULL);
    CHECK(strcmp(result.outcome, "fail") == 0 && result.run_id > 0);
    CHECK(result.qemu_exit_status == 128 + 9);
}

static void test_refused_before_running(void)
{
    char error[512];
    struct qemu_run_result result;
    struct qemu_run_options options = options_for("pass");
    options.qemu_program = "/nonexistent/qemu-system-x86_64";
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_NO_QEMU);
    CHECK(result.run_id == 0 && result.outcome == NULL);

    options = options_for("pass");
    options.image_path = QEMU_TEST_DIR "/no-such-image.elf32";
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_IMAGE);
    CHECK(strstr(error, "no bare-metal image") != NULL);

    options = options_for("pass");
    options.scenario_path = QEMU_TEST_DIR "/no-such.scn";
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_SCENARIO);
    CHECK(strstr(error, "SCENARIO_ERR_UNREADABLE") != NULL);

    options = options_for("pass");
    options.store_path = QEMU_TEST_DIR;   /* a directory, not a database */
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_STORE);

    /* A PCI function no QEMU device is: refused before anything runs. */
    static const char synthetic[] = "name synthetic\npci 00:03.0 1234:5678 class=0x0c0500 "
                                    "bar0=io:64\nrom config\nend\n";
    const char *path = QEMU_TEST_DIR "/synthetic_pci.scn";
    FILE *file = fopen(path, "w");
    CHECK(file != NULL && fwrite(synthetic, 1, sizeof synthetic - 1, file) ==
                              sizeof synthetic - 1);
    CHECK(fclose(file) == 0);
    options = options_for("pass");
    options.scenario_path = path;
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_DEVICES);
    CHECK(strstr(error, "QEMU_DEVICES_ERR_PCI_UNSUPPORTED") != NULL && result.run_id == 0);
    options = options_for("pass");
    options.scenario_path = NULL;
    CHECK(qemu_run(&options, &result, error, sizeof error) == QEMU_RUN_ERR_USAGE);
}

int main(void)
{
    unlink(db_path);
    test_verdicts();
    test_errors_still_stored();
    test_inputs();
    test_refused_before_running();
    printf("test_qemu_run_fake: ok\n");
    return 0;
}
