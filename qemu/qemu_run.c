/*
 * qemu_run.c - one scenario on the bare-metal image in QEMU, stored like a
 * sim run (duet/qemu_run.h, docs/QEMU.md).
 *
 * Call order inside qemu_run (the state: qemu_run_state.h):
 *   qemu_run_prepare   qemu_run_prepare.c: every check before QEMU runs
 *   qemu_run_start     spawn QEMU, then begin the run in the store
 *   qemu_run_loop      qemu_run_loop.c: until QEMU is reaped
 *   run_finish         drain what QEMU left, judge (qemu_judge.c), end the
 *                      run in the store, fill the result
 *   run_cleanup        kill QEMU if alive, close, remove the work dir
 * A QMP refusal, a protocol breach (HELLO version, input requests out of
 * order) or the host timeout kills QEMU; the run is still judged and
 * stored, so nothing that happened is lost.
 */
#include "qemu_run_state.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *qemu_run_error_name(enum qemu_run_error error)
{
    static const char *const names[QEMU_RUN_ERROR_COUNT] = {
        [QEMU_RUN_OK] = "QEMU_RUN_OK",
        [QEMU_RUN_ERR_SCENARIO] = "QEMU_RUN_ERR_SCENARIO",
        [QEMU_RUN_ERR_IMAGE] = "QEMU_RUN_ERR_IMAGE",
        [QEMU_RUN_ERR_DEVICES] = "QEMU_RUN_ERR_DEVICES",
        [QEMU_RUN_ERR_LAUNCH] = "QEMU_RUN_ERR_LAUNCH",
        [QEMU_RUN_ERR_TIMEOUT] = "QEMU_RUN_ERR_TIMEOUT",
        [QEMU_RUN_ERR_STREAM] = "QEMU_RUN_ERR_STREAM",
        [QEMU_RUN_ERR_STORE] = "QEMU_RUN_ERR_STORE",
        [QEMU_RUN_ERR_QMP] = "QEMU_RUN_ERR_QMP",
        [QEMU_RUN_ERR_NO_QEMU] = "QEMU_RUN_ERR_NO_QEMU",
        [QEMU_RUN_ERR_USAGE] = "QEMU_RUN_ERR_USAGE",
    };
    return (unsigned)error < QEMU_RUN_ERROR_COUNT ? names[error] : "QEMU_RUN_ERR_UNKNOWN";
}

uint64_t qemu_run_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* The first runner failure wins; QEMU is killed so that the run ends. */
void qemu_run_fail(struct run_state *run, enum qemu_run_error error, const char *message)
{
    if (run->runner_error == QEMU_RUN_OK) {
        run->runner_error = error;
        snprintf(run->runner_failure, sizeof run->runner_failure, "%s", message);
        fprintf(stderr, "duet: %s\n", message);
    }
    if (run->pid > 0 && !run->reaped)
        kill(run->pid, SIGKILL);
}
static void run_ending(struct run_state *run, struct qemu_run_ending *ending, char *summary,
                       size_t summary_len, char *launch_failure, size_t launch_failure_len)
{
    const struct trace_stream_decoder *d = &run->decoder;
    snprintf(summary, summary_len,
             "%" PRIu64 " error(s), the first %s at byte %" PRIu64 "; %" PRIu64 " bytes skipped",
             d->errors, trace_stream_decode_error_name(d->first_error), d->first_error_offset,
             d->bytes_skipped);
    *ending = (struct qemu_run_ending){
        .timed_out = run->timed_out,
        .timeout_s = run->options->timeout_s != 0 ? run->options->timeout_s
                                                  : RUN_DEFAULT_TIMEOUT_S,
        .runner_failure = run->runner_error != QEMU_RUN_OK ? run->runner_failure : NULL,
        .exited = WIFEXITED(run->wait_status),
        .exit_status = WIFEXITED(run->wait_status) ? WEXITSTATUS(run->wait_status) : 0,
        .signal = WIFSIGNALED(run->wait_status) ? WTERMSIG(run->wait_status) : 0,
        .stream_errors = d->errors,
        .stream_summary = summary,
    };
    /* A QEMU that wrote no trace byte and complained in its log did not
     * start the machine (a bad -device, an image it cannot load): its own
     * last words say why. */
    char last[160];
    qemu_launch_last_line(run->log_path, last, sizeof last);
    if (d->offset == 0 && !run->timed_out && ending->runner_failure == NULL &&
        last[0] != '\0') {
        snprintf(launch_failure, launch_failure_len, "QEMU did not start the machine: %s", last);
        ending->runner_failure = launch_failure;
        run->runner_error = QEMU_RUN_ERR_LAUNCH;
    }
}

static enum qemu_run_error run_finish(struct run_state *run, struct qemu_run_result *result,
                                      char *error, size_t error_len)
{
    qemu_run_drain(run);
    struct qemu_run_ending ending;
    char summary[160], launch_failure[QEMU_JUDGE_FAILURE_MAX];
    run_ending(run, &ending, summary, sizeof summary, launch_failure, sizeof launch_failure);
    struct qemu_verdict verdict;
    qemu_judge_verdict(&run->judge, &ending, &verdict);
    trace_recorder_flush(&run->recorder);

    char signature[QEMU_JUDGE_FAILURE_MAX + 32];
    snprintf(signature, sizeof signature, "%s: %s", verdict.outcome, verdict.failure);
    struct trace_run_result stored = {
        .outcome = (char *)verdict.outcome,
        .failure_signature = verdict.passed ? NULL : signature,
        .failure_message = verdict.passed ? NULL : signature,
        .event_count = run->recorder.next_seq,
        .hash = run->recorder.hash,
    };
    enum trace_store_error store_error = trace_store_run_end(run->store, run->run_id, &stored);
    if (run->store_error == TRACE_STORE_OK)
        run->store_error = store_error;

    uint64_t elapsed_ns =
        (uint64_t)(run->ended_at.tv_sec - run->started.tv_sec) * 1000000000u +
        (uint64_t)(run->ended_at.tv_nsec - run->started.tv_nsec);
    result->outcome = verdict.outcome;
    snprintf(result->failure, sizeof result->failure, "%s", verdict.failure);
    result->events = run->recorder.next_seq;
    result->hash = run->recorder.hash;
    result->boot_to_end_ns = elapsed_ns;
    result->guest_end_ns = run->judge.world_end_time_ns;
    result->qemu_exit_status = ending.exited ? ending.exit_status : 128 + ending.signal;
    result->stream_errors = run->decoder.errors;
    result->stream_bytes = run->decoder.offset;
    result->inputs_sent = run->inputs_given;
    result->console_bytes = run->judge.console_bytes;

    if (run->runner_error != QEMU_RUN_OK) {
        snprintf(error, error_len, "%s", ending.runner_failure);
        return run->runner_error;
    }
    if (run->timed_out && !run->judge.end_seen) {
        snprintf(error, error_len, "%s", verdict.failure);
        return QEMU_RUN_ERR_TIMEOUT;
    }
    if (run->decoder.errors > 0) {
        snprintf(error, error_len, "trace stream: %s", summary);
        return QEMU_RUN_ERR_STREAM;
    }
    if (run->store_error != TRACE_STORE_OK) {
        snprintf(error, error_len, "the store failed: %s (%s)",
                 trace_store_error_name(run->store_error), trace_store_last_message(run->store));
        return QEMU_RUN_ERR_STORE;
    }
    return QEMU_RUN_OK;
}

static void run_cleanup(struct run_state *run)
{
    if (run->pid > 0 && !run->reaped) {
        kill(run->pid, SIGKILL);
        while (waitpid(run->pid, &run->wait_status, 0) < 0 && errno == EINTR) {
        }
    }
    if (run->sigint_saved)
        sigaction(SIGINT, &run->sigint_before, NULL);
    if (run->pidfd >= 0)
        close(run->pidfd);
    if (run->inotify_fd >= 0)
        close(run->inotify_fd);
    for (int c = 0; c < CHANNEL_COUNT; c++) {
        if (run->listen_fd[c] >= 0)
            close(run->listen_fd[c]);
        if (run->conn_fd[c] >= 0)
            close(run->conn_fd[c]);
    }
    if (run->work_dir[0] != '\0') {
        if (run->options->keep_work_dir)
            fprintf(stderr, "duet: QEMU's work directory is kept: %s\n", run->work_dir);
        else
            qemu_launch_work_dir_remove(run->work_dir);
    }
    trace_store_close(run->store);
    free(run->ring);
    free(run->scenario_text);
    if (run->scenario != NULL)
        scenario_release(run->scenario);
    free(run->scenario);
}

enum qemu_run_error qemu_run(const struct qemu_run_options *options,
                             struct qemu_run_result *result, char *error, size_t error_len)
{
    assert(options != NULL && result != NULL && error != NULL && error_len > 0);
    memset(result, 0, sizeof *result);
    error[0] = '\0';
    if (options->scenario_path == NULL || (options->gdb_port > 65535)) {
        snprintf(error, error_len, "qemu_run needs a scenario path (and a gdb port below 65536)");
        return QEMU_RUN_ERR_USAGE;
    }
    struct run_state *run = calloc(1, sizeof *run);
    if (run == NULL) {
        snprintf(error, error_len, "out of host memory");
        return QEMU_RUN_ERR_LAUNCH;
    }
    run->options = options;
    run->pidfd = -1;
    run->inotify_fd = -1;
    for (int c = 0; c < CHANNEL_COUNT; c++)
        run->listen_fd[c] = run->conn_fd[c] = -1;
    trace_stream_decoder_init(&run->decoder);
    qmp_session_init(&run->qmp);

    enum qemu_run_error status = qemu_run_prepare(run, error, error_len);
    if (status == QEMU_RUN_OK)
        status = qemu_run_start(run, error, error_len);
    if (status == QEMU_RUN_OK) {
        qemu_run_loop(run);
        status = run_finish(run, result, error, error_len);
        result->run_id = run->run_id;
    }
    run_cleanup(run);
    free(run);
    return status;
}
