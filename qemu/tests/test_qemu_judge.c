/*
 * test_qemu_judge.c - judging QEMU runs as the sim judges its own: made-up
 * runs for every verdict (pass, no success line, fail with the FAILURE
 * blob, the guest's hang, the host timeout, QEMU dying, no END, END and
 * WORLD_END disagreeing, unknown outcome codes, runner failures, a broken
 * trace stream) and the console line rule.
 */
#include <stdio.h>
#include <string.h>

#include "duet/sim.h"
#include "hal/event.h"
#include "qemu_judge.h"
#include "test_check.h"

static struct qemu_judge judge;
static const struct qemu_run_ending clean_exit = {.exited = true, .exit_status = 1};

static void console(const char *text)
{
    qemu_judge_console(&judge, (const uint8_t *)text, strlen(text));
}

static void event(uint16_t kind, uint64_t a0, const char *blob)
{
    struct trace_record record;
    trace_record_init(&record, 5000, kind, 1, 2);
    record.arg[0] = a0;
    if (blob != NULL)
        trace_record_set_blob(&record, blob, strlen(blob));
    qemu_judge_event(&judge, &record);
}

static void world_end(uint64_t outcome)
{
    event(HAL_EVENT_WORLD_END, outcome, NULL);
    qemu_judge_end(&judge, outcome);
}

static void check_verdict(const struct qemu_run_ending *ending, const char *outcome,
                          const char *failure_part)
{
    struct qemu_verdict verdict;
    qemu_judge_verdict(&judge, ending, &verdict);
    if (strcmp(verdict.outcome, outcome) != 0 || strstr(verdict.failure, failure_part) == NULL)
        fprintf(stderr, "verdict %s: %s\n", verdict.outcome, verdict.failure);
    CHECK(strcmp(verdict.outcome, outcome) == 0);
    CHECK(strstr(verdict.failure, failure_part) != NULL);
    CHECK(verdict.passed == (strcmp(outcome, "pass") == 0));
}

static void test_pass_and_success_line(void)
{
    qemu_judge_init(&judge, "[init] all 2 children exited");
    console("[init] all 2 children");
    console(" exited\n");
    world_end(SIM_PASS);
    check_verdict(&clean_exit, "pass", "");
    CHECK(judge.world_end_time_ns == 5000 && judge.console_bytes == 29);

    /* CRLF consoles match too. */
    qemu_judge_init(&judge, "done");
    console("x\r\ndone\r\n");
    world_end(SIM_PASS);
    check_verdict(&clean_exit, "pass", "");

    /* Part of a line, a longer line, or no newline: no match. */
    const char *misses[] = {"[init] all 2 children exited.\n", "xx[init] all 2 children exited\n",
                            "[init] all 2 children exited"};
    for (size_t i = 0; i < 3; i++) {
        qemu_judge_init(&judge, "[init] all 2 children exited");
        console(misses[i]);
        world_end(SIM_PASS);
        check_verdict(&clean_exit, "no-success-line", "");
    }
    /* No expect line: a quiet pass is a pass. */
    qemu_judge_init(&judge, "");
    world_end(SIM_PASS);
    check_verdict(&clean_exit, "pass", "");
    /* A line longer than the buffer never matches, even if its tail would. */
    qemu_judge_init(&judge, "ok");
    for (int i = 0; i < QEMU_JUDGE_LINE_MAX; i++)
        console("y");
    console("ok\n");
    world_end(SIM_PASS);
    check_verdict(&clean_exit, "no-success-line", "");
}

static void test_guest_failures(void)
{
    qemu_judge_init(&judge, "ok");
    console("ok\n");
    event(HAL_EVENT_FAILURE, SIM_FAIL, "kernel_panic: no memory");
    world_end(SIM_FAIL);
    check_verdict(&clean_exit, "fail", "kernel_panic: no memory");

    qemu_judge_init(&judge, "");
    event(HAL_EVENT_FAILURE, SIM_HANG, "step budget exhausted");
    world_end(SIM_HANG);
    check_verdict(&clean_exit, "hang", "step budget exhausted");

    qemu_judge_init(&judge, "");
    world_end(SIM_FAIL);
    check_verdict(&clean_exit, "fail", "no FAILURE event");

    qemu_judge_init(&judge, "");
    world_end(9);
    check_verdict(&clean_exit, "fail", "outcome code 9");
}

/* A reason longer than an event's blob comes whole in FAILURE_TEXT chunks. */
static void failure_text(uint64_t chunk, uint64_t total, const char *part)
{
    struct trace_record record;
    trace_record_init(&record, 5000, TRACE_STREAM_FAILURE_TEXT, 0, 0);
    record.arg[0] = chunk;
    record.arg[1] = total;
    trace_record_set_blob(&record, part, strlen(part));
    qemu_judge_failure_text(&judge, &record);
}

static void test_long_failure(void)
{
    static const char reason[] =
        "check_config_space: assertion failed: config_read(test, IDE_BDF, 0x20, 4) == 1";
    char first[49];
    memcpy(first, reason, 48);
    first[48] = '\0';
    qemu_judge_init(&judge, "");
    failure_text(0, strlen(reason), first);
    failure_text(1, strlen(reason), reason + 48);
    event(HAL_EVENT_FAILURE, SIM_FAIL, first);
    world_end(SIM_FAIL);
    check_verdict(&clean_exit, "fail", reason);

    /* Chunks out of order are dropped: the event's 48 bytes stand. */
    qemu_judge_init(&judge, "");
    failure_text(1, strlen(reason), reason + 48);
    event(HAL_EVENT_FAILURE, SIM_FAIL, first);
    world_end(SIM_FAIL);
    check_verdict(&clean_exit, "fail", first);
    struct qemu_verdict verdict;
    qemu_judge_verdict(&judge, &clean_exit, &verdict);
    CHECK(strcmp(verdict.failure, first) == 0);
}

static void test_machine_failures(void)
{
    struct qemu_run_ending timeout = {.timed_out = true, .timeout_s = 7, .signal = 9};
    qemu_judge_init(&judge, "");
    console("booting\n");
    check_verdict(&timeout, "hang", "host timeout: QEMU killed after 7 s");

    qemu_judge_init(&judge, "");
    check_verdict(&clean_exit, "fail", "QEMU exited with status 1 before the guest's WORLD_END");

    struct qemu_run_ending killed = {.exited = false, .signal = 11};
    qemu_judge_init(&judge, "");
    check_verdict(&killed, "fail", "killed by signal 11");

    qemu_judge_init(&judge, "");
    event(HAL_EVENT_WORLD_END, SIM_PASS, NULL);
    check_verdict(&clean_exit, "fail", "without the trace stream's END record");

    qemu_judge_init(&judge, "");
    event(HAL_EVENT_WORLD_END, SIM_PASS, NULL);
    qemu_judge_end(&judge, SIM_FAIL);
    check_verdict(&clean_exit, "fail", "END says outcome 2, WORLD_END says 0");

    struct qemu_run_ending qmp = clean_exit;
    qmp.runner_failure = "QMP refused a command: GenericError: bad key";
    qemu_judge_init(&judge, "");
    world_end(SIM_PASS);
    check_verdict(&qmp, "fail", "QMP refused a command");

    /* The guest ended and then QEMU hung: the guest's verdict stands. */
    struct qemu_run_ending late = timeout;
    qemu_judge_init(&judge, "");
    world_end(SIM_PASS);
    check_verdict(&late, "pass", "");

    struct qemu_run_ending broken = clean_exit;
    broken.stream_errors = 2;
    broken.stream_summary = "2 error(s), the first TRACE_STREAM_ERR_CHECKSUM at byte 9";
    qemu_judge_init(&judge, "");
    world_end(SIM_PASS);
    check_verdict(&broken, "fail", "trace stream lost records: 2 error(s)");
    /* A failure of the guest's own is kept, not hidden by the stream's. */
    qemu_judge_init(&judge, "");
    event(HAL_EVENT_FAILURE, SIM_FAIL, "assert");
    world_end(SIM_FAIL);
    check_verdict(&broken, "fail", "assert");
}

int main(void)
{
    test_pass_and_success_line();
    test_guest_failures();
    test_long_failure();
    test_machine_failures();
    printf("test_qemu_judge: ok\n");
    return 0;
}
