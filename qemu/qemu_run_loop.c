/*
 * qemu_run_loop.c - a QEMU run while it runs (qemu_run_state.h).
 *
 * poll() waits on the QMP socket, inotify (the console or trace file
 * grew) and QEMU's pidfd, with the host deadlines as its timeout; each
 * round then reads both files to their current end (a read at the end
 * costs less than asking whether there is more): console bytes are echoed
 * and judged; trace bytes go through the decoder to the recorder (events)
 * or to the protocol (controls: HELLO's version, INPUT_REQUEST in order,
 * END); QMP bytes feed the session, whose commands are written when the
 * socket takes them. The loop ends when QEMU is reaped; qemu_run_drain
 * then reads what it left.
 */
#define _GNU_SOURCE
#include "qemu_run_state.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the stream's control records ---------------------------------------- */

enum { HALT_QUERIES_MAX = 100000 };
static const char halt_query[] =
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info registers\"}}";

static void halt_query_send(struct run_state *run)
{
    run->halt_queries++;
    if (!qmp_session_command(&run->qmp, halt_query)) {
        qemu_run_fail(run, QEMU_RUN_ERR_QMP, run->qmp.failure);
        return;
    }
    run->halt_answer_due = run->qmp.commands_sent;
}

/* The guest asked for input `index` and halts (interrupts off) until the
 * host's NMI. Sending only once its CPU is halted makes where the input
 * and the NMI arrive independent of the host's speed: had they come
 * while the guest still wrote its request, it would skip its halt, a few
 * instructions earlier, and under -icount its clock would differ. */
static void control_input_request(struct run_state *run, uint64_t index)
{
    char message[QEMU_JUDGE_FAILURE_MAX];
    size_t count = run->scenario->keyboard.input_count;
    if (index != run->inputs_requested || index >= count || run->input_pending) {
        snprintf(message, sizeof message,
                 "trace stream: the guest asked for input %" PRIu64 ", expected %zu of %zu",
                 index, run->inputs_requested, count);
        qemu_run_fail(run, QEMU_RUN_ERR_STREAM, message);
        return;
    }
    run->inputs_requested++;
    run->input_pending = true;
    run->input_pending_index = (size_t)index;
    run->halt_queries = 0;
    halt_query_send(run);
}

/* Called after QMP's answers are read: once the halt query is answered,
 * send the input and the NMI if the CPU is halted, else ask again. */
static void input_step(struct run_state *run)
{
    if (!run->input_pending || run->qmp.state == QMP_SESSION_FAILED ||
        run->qmp.commands_answered < run->halt_answer_due)
        return;
    if (strstr(run->qmp.last_return, "HLT=1") == NULL) {
        if (run->halt_queries >= HALT_QUERIES_MAX) {
            qemu_run_fail(run, QEMU_RUN_ERR_QMP,
                          "the guest asked for input but its CPU never halted");
            run->input_pending = false;
            return;
        }
        halt_query_send(run);
        return;
    }
    run->input_pending = false;
    char message[QEMU_JUDGE_FAILURE_MAX];
    size_t index = run->input_pending_index;
    char json[RUN_QMP_JSON_MAX], devices_error[160] = "";
    enum qemu_devices_error error = qemu_devices_input_command(
        run->scenario, index, json, sizeof json, devices_error, sizeof devices_error);
    if (error != QEMU_DEVICES_OK) {
        snprintf(message, sizeof message, "input %zu: %s (%s)", index,
                 qemu_devices_error_name(error), devices_error);
        qemu_run_fail(run, QEMU_RUN_ERR_DEVICES, message);
        return;
    }
    /* Then an NMI: the guest counts an input as given when the NMI comes,
     * since some inputs (a Pause release) make no scan code, no interrupt. */
    if (!qmp_session_command(&run->qmp, json) ||
        !qmp_session_command(&run->qmp, "{\"execute\":\"inject-nmi\"}")) {
        qemu_run_fail(run, QEMU_RUN_ERR_QMP, run->qmp.failure);
        return;
    }
    run->inputs_given++;
}

static void trace_control(struct run_state *run, const struct trace_record *record)
{
    char message[QEMU_JUDGE_FAILURE_MAX];
    switch (record->kind) {
    case TRACE_STREAM_HELLO:
        run->hello_seen = true;
        if (record->arg[0] != TRACE_STREAM_VERSION) {
            snprintf(message, sizeof message,
                     "trace stream: the image speaks version %" PRIu64 ", this runner %d",
                     record->arg[0], (int)TRACE_STREAM_VERSION);
            qemu_run_fail(run, QEMU_RUN_ERR_STREAM, message);
        }
        break;
    case TRACE_STREAM_INPUT_REQUEST:
        control_input_request(run, record->arg[0]);
        break;
    case TRACE_STREAM_FAILURE_TEXT:
        qemu_judge_failure_text(&run->judge, record);
        break;
    case TRACE_STREAM_END:
        qemu_judge_end(&run->judge, record->arg[0]);
        run->end_deadline_ms = qemu_run_now_ms() + RUN_END_GRACE_MS;
        break;
    }
}

static void trace_item(struct run_state *run, const struct trace_stream_item *item)
{
    if (item->kind == TRACE_STREAM_ITEM_EVENT) {
        struct trace_record record = item->record;
        qemu_judge_event(&run->judge, &record);
        trace_recorder_append(&run->recorder, &record);
    } else if (item->kind == TRACE_STREAM_ITEM_CONTROL) {
        trace_control(run, &item->record);
    } else if (item->kind == TRACE_STREAM_ITEM_ERROR) {
        fprintf(stderr, "duet: trace stream: %s at byte %" PRIu64 "\n",
                trace_stream_decode_error_name(item->error), item->offset);
    }
}

static void trace_bytes(struct run_state *run, const uint8_t *bytes, size_t len)
{
    size_t used = 0;
    /* The decoder answers NONE once every byte is used and no whole record
     * is pending; a record pending after a resync may come out without new
     * bytes, so the bound allows for a buffer's worth of those. */
    for (size_t round = 0; round < 2 * (len + TRACE_STREAM_RECORD_MAX); round++) {
        size_t consumed = 0;
        struct trace_stream_item item;
        enum trace_stream_item_kind kind =
            trace_stream_decode(&run->decoder, bytes + used, len - used, &consumed, &item);
        used += consumed;
        if (kind == TRACE_STREAM_ITEM_NONE)
            break;
        trace_item(run, &item);
    }
    assert(used == len);
}

/* ---- the loop ------------------------------------------------------------- */

static void qmp_flush(struct run_state *run)
{
    int fd = run->conn_fd[CHANNEL_QMP];
    size_t len = 0;
    const char *bytes = qmp_session_outgoing(&run->qmp, &len);
    if (fd < 0 || len == 0)
        return;
    ssize_t sent = send(fd, bytes, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0)
        qmp_session_sent(&run->qmp, (size_t)sent);
}

static void channel_bytes(struct run_state *run, int channel, const uint8_t *bytes, size_t len)
{
    if (channel == CHANNEL_CONSOLE) {
        qemu_judge_console(&run->judge, bytes, len);
        if (!run->options->quiet) {
            fwrite(bytes, 1, len, stdout);
            fflush(stdout);
        }
    } else if (channel == CHANNEL_TRACE) {
        trace_bytes(run, bytes, len);
    } else if (!qmp_session_feed(&run->qmp, (const char *)bytes, len)) {
        qemu_run_fail(run, QEMU_RUN_ERR_QMP, run->qmp.failure);
    }
}

/* Reads what is there: a file up to its current end (true if there may
 * be more than one call's worth), the QMP socket until EAGAIN (closed at
 * EOF). */
static bool channel_read(struct run_state *run, int channel)
{
    int fd = run->conn_fd[channel];
    for (int reads = 0; fd >= 0 && reads < 64; reads++) {
        ssize_t got = read(fd, run->read_buffer, sizeof run->read_buffer);
        if (got > 0) {
            channel_bytes(run, channel, run->read_buffer, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (channel != CHANNEL_QMP || (got < 0 && errno == EAGAIN))
            return false;
        close(fd);
        run->conn_fd[channel] = -1;
        return false;
    }
    return fd >= 0;
}

/* Empties the inotify queue; what changed is read from the files anyway. */
static void inotify_drain(struct run_state *run)
{
    char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (int reads = 0; reads < 64 && read(run->inotify_fd, events, sizeof events) > 0;
         reads++) {
    }
}

static void channel_accept(struct run_state *run, int channel)
{
    int fd = accept4(run->listen_fd[channel], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    close(run->listen_fd[channel]);
    run->listen_fd[channel] = -1;
    run->conn_fd[channel] = fd;
}

static void child_check(struct run_state *run)
{
    if (run->pid <= 0 || run->reaped)
        return;
    pid_t got = waitpid(run->pid, &run->wait_status, WNOHANG);
    if (got == run->pid) {
        run->reaped = true;
        clock_gettime(CLOCK_MONOTONIC, &run->ended_at);
    }
}

static void deadlines_check(struct run_state *run)
{
    uint64_t now = qemu_run_now_ms();
    if (run->deadline_ms != 0 && now >= run->deadline_ms && !run->judge.end_seen &&
        !run->timed_out) {
        run->timed_out = true;
        fprintf(stderr, "duet: host timeout: killing QEMU\n");
        kill(run->pid, SIGKILL);
    }
    if (run->end_deadline_ms != 0 && now >= run->end_deadline_ms) {
        fprintf(stderr, "duet: the guest sent END but QEMU did not exit: killing it\n");
        run->end_deadline_ms = 0;
        kill(run->pid, SIGKILL);
    }
}

/* Milliseconds until `deadline_ms` (0: none), at most `wait_ms`. */
static uint64_t wait_until(uint64_t deadline_ms, uint64_t now, uint64_t wait_ms)
{
    if (deadline_ms == 0)
        return wait_ms;
    if (deadline_ms <= now)
        return 0;
    return deadline_ms - now < wait_ms ? deadline_ms - now : wait_ms;
}

static int poll_timeout_ms(const struct run_state *run)
{
    uint64_t now = qemu_run_now_ms();
    uint64_t wait = run->pidfd >= 0 && run->inotify_fd >= 0 ? 1000 : RUN_POLL_TICK_MS;
    if (!run->timed_out)
        wait = wait_until(run->deadline_ms, now, wait);
    return (int)wait_until(run->end_deadline_ms, now, wait);
}

void qemu_run_loop(struct run_state *run)
{
    while (!run->reaped) {
        struct pollfd fds[4];
        nfds_t count = 0;
        size_t qmp_pending = 0;
        qmp_session_outgoing(&run->qmp, &qmp_pending);
        if (run->listen_fd[CHANNEL_QMP] >= 0)
            fds[count++] = (struct pollfd){.fd = run->listen_fd[CHANNEL_QMP], .events = POLLIN};
        if (run->conn_fd[CHANNEL_QMP] >= 0)
            fds[count++] = (struct pollfd){.fd = run->conn_fd[CHANNEL_QMP],
                                           .events = POLLIN | (qmp_pending ? POLLOUT : 0)};
        if (run->inotify_fd >= 0)
            fds[count++] = (struct pollfd){.fd = run->inotify_fd, .events = POLLIN};
        if (run->pidfd >= 0)
            fds[count++] = (struct pollfd){.fd = run->pidfd, .events = POLLIN};
        poll(fds, count, poll_timeout_ms(run));
        if (run->inotify_fd >= 0)
            inotify_drain(run);
        if (run->listen_fd[CHANNEL_QMP] >= 0)
            channel_accept(run, CHANNEL_QMP);
        /* Reading a file at its end costs one read(): cheaper than asking. */
        channel_read(run, CHANNEL_CONSOLE);
        channel_read(run, CHANNEL_TRACE);
        channel_read(run, CHANNEL_QMP);
        input_step(run);
        qmp_flush(run);
        child_check(run);
        deadlines_check(run);
    }
}

/* QEMU is gone: what it wrote is in the sockets (or their accept queues). */
void qemu_run_drain(struct run_state *run)
{
    if (run->listen_fd[CHANNEL_QMP] >= 0)
        channel_accept(run, CHANNEL_QMP);
    /* QEMU is gone, so the files have their final size: read to the end
     * (bounded: 4096 calls of up to 4 MiB). */
    for (int c = 0; c < CHANNEL_COUNT; c++)
        for (int rounds = 0; rounds < 4096 && channel_read(run, c); rounds++) {
        }
    /* The line is closed: a record cut short, or one that waited for a
     * look-ahead byte. A few rounds at most. */
    struct trace_stream_item item;
    for (int round = 0; round < 4; round++) {
        if (trace_stream_decode_finish(&run->decoder, &item) == TRACE_STREAM_ITEM_NONE)
            break;
        trace_item(run, &item);
    }
}
