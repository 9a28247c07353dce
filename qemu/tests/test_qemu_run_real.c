/*
 * test_qemu_run_real.c - qemu_run with the real qemu-system-x86_64 and
 * the test guest (mini_guest/): the command line QEMU really accepts, the
 * boot blob arriving as multiboot module 0, COM1 as the console, COM2
 * present, COM3 as the trace stream, isa-debug-exit's status, and the run
 * stored and judged; twice, with the same trace. Then an image QEMU
 * cannot load, which must be a named launch failure, still stored.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "duet/qemu_run.h"
#include "test_check.h"

static const char *const db_path = QEMU_TEST_DIR "/test_qemu_run_real.db";

int main(void)
{
    unlink(db_path);
    struct qemu_run_options options = {
        .scenario_path = MINI_GUEST_SCENARIO,
        .store_path = db_path,
        .image_path = MINI_GUEST_IMAGE,
        .timeout_s = 60,
        .quiet = true,
    };
    struct qemu_run_result first, second;
    char error[512] = "";
    enum qemu_run_error status = qemu_run(&options, &first, error, sizeof error);
    if (status != QEMU_RUN_OK)
        fprintf(stderr, "qemu_run: %s: %s\n", qemu_run_error_name(status), error);
    CHECK(status == QEMU_RUN_OK);
    CHECK(strcmp(first.outcome, "pass") == 0 && first.failure[0] == '\0');
    CHECK(first.events == 2 && first.qemu_exit_status == 3 && first.stream_errors == 0);
    CHECK(first.console_bytes > 0 && first.run_id > 0);
    CHECK(qemu_run(&options, &second, error, sizeof error) == QEMU_RUN_OK);
    CHECK(second.hash == first.hash && second.run_id == first.run_id + 1);
    printf("mini guest: %llu events, %.3f s boot to end\n", (unsigned long long)first.events,
           (double)first.boot_to_end_ns / 1e9);

    options.image_path = MINI_GUEST_SCENARIO;   /* not an image QEMU can load */
    status = qemu_run(&options, &first, error, sizeof error);
    CHECK(status == QEMU_RUN_ERR_LAUNCH && strstr(error, "QEMU did not start the machine"));
    CHECK(first.run_id > 0 && strcmp(first.outcome, "fail") == 0);
    printf("test_qemu_run_real: ok\n");
    return 0;
}
