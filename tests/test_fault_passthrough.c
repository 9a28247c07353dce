/*
 * test_fault_passthrough.c - the sim's SIGSEGV handler takes page faults
 * in windows and nothing else: a real crash of the tool is still reported.
 *
 * A child process makes a sim, runs a world that takes page faults (the
 * rm fuzz target's first seed, so the sim's handler has been busy), and
 * then writes through a wild pointer outside every window. It must die of
 * it as if the sim were not there: killed by SIGSEGV in a plain build, or
 * with AddressSanitizer's SEGV report (and a failing exit) under ASan. A
 * world that took no page fault, or a child that survives the wild write,
 * fails the test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duet/fuzz_target.h"
#include "duet/trace_recorder.h"
#include "hal/event.h"

enum { RING_RECORDS = 4096 };

static struct trace_record ring[RING_RECORDS];
static struct fuzz_run run;
static unsigned page_faults;

static int count_page_faults(void *ctx, const struct trace_record *records, size_t count)
{
    (void)ctx;
    for (size_t i = 0; i < count; i++)
        page_faults += records[i].kind == HAL_EVENT_PAGE_FAULT;
    return 0;
}

static void child(const char *seed_path)
{
    FILE *f = fopen(seed_path, "rb");
    if (f == NULL)
        exit(10);
    static uint8_t input[FUZZ_INPUT_MAX];
    size_t size = fread(input, 1, sizeof input, f);
    fclose(f);
    const struct fuzz_target *target = fuzz_target_find("rm");
    struct sim *sim = sim_create();
    if (target == NULL || sim == NULL)
        exit(11);
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, ring, RING_RECORDS, count_page_faults, NULL);
    struct sim_config observers = {.recorder = &recorder};
    struct sim_result result;
    const char *verdict = NULL;
    target->prepare(input, size, &run);
    fuzz_target_execute(sim, target, &run, &observers, &result, &verdict);
    trace_recorder_flush(&recorder);
    if (verdict != NULL || page_faults == 0)
        exit(12);
    fprintf(stderr, "child: the world took %u page faults; now a wild write\n", page_faults);
    volatile int *wild = (volatile int *)(uintptr_t)0x10;
    *wild = 1;
    exit(13);   /* survived: the handler swallowed a real crash */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_fault_passthrough SEED\n");
        return 2;
    }
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        child(argv[1]);
    }
    close(pipe_fds[1]);
    char report[16384];
    size_t used = 0;
    for (ssize_t n; (n = read(pipe_fds[0], report + used, sizeof report - 1 - used)) > 0;)
        used += (size_t)n;
    report[used] = '\0';
    int status = 0;
    waitpid(pid, &status, 0);
    bool took_faults = strstr(report, "page faults; now a wild write") != NULL;
    bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
    bool asan_report = WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
                       strstr(report, "AddressSanitizer: SEGV") != NULL;
    if (!took_faults || !(killed || asan_report)) {
        fprintf(stderr, "%s", report);
        fprintf(stderr, "test_fault_passthrough: FAILED (faults seen %d, status 0x%x)\n",
                took_faults, status);
        return 1;
    }
    printf("test_fault_passthrough: ok (the wild write was %s)\n",
           killed ? "killed by SIGSEGV" : "reported by AddressSanitizer");
    return 0;
}
