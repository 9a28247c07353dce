/*
 * qemu_run.c - one scenario on the bare-metal image in QEMU, stored like a
 * sim run (duet/qemu_run.h, docs/QEMU.md).
 *
 * Call order inside qemu_run:
 *   prepare_*        scenario; work dir with the boot blob, the console
 *                    and trace files and the QMP socket; the devices' arguments (a machine
 *                    QEMU cannot have is refused before anything is
 *                    built); image (built if missing) and qemu binary;
 *                    the command line; the store
 *   run_start        spawn QEMU, then begin the run in the store
 *   run_loop         poll() on QMP, inotify (the console and trace files
 *                    grew) and QEMU's pidfd: console bytes -> echo +
 *                    judge; trace bytes -> decoder -> recorder (events)
 *                    or the protocol (controls); QMP bytes -> session;
 *                    QMP commands out; QEMU's exit; deadlines
 *   run_finish       drain what QEMU left in the sockets, judge, end the run
 *   run_cleanup      kill QEMU if alive, close, remove the work dir
 * A QMP refusal, a protocol breach (HELLO version, input requests out of
 * order) or the host timeout kills QEMU; the run is still judged and
 * stored, so nothing that happened is lost.
 */
#define _GNU_SOURCE
#include "duet/qemu_run.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duet/boot_blob_write.h"
#include "duet/qemu_devices.h"
#include "duet/qmp_session.h"
#include "duet/scenario.h"
#include "duet/sim.h"
#include "duet/trace_recorder.h"
#include "duet/trace_store.h"
#include "duet/trace_stream_decode.h"
#include "hal/event.h"
#include "qemu_image.h"
#include "qemu_judge.h"
#include "qemu_launch.h"

enum {
    RUN_RING_RECORDS = 16384,
    RUN_DEFAULT_TIMEOUT_S = 120,
    RUN_END_GRACE_MS = 10000,       /* END sent, QEMU still running: killed */
    RUN_POLL_TICK_MS = 10,          /* no pidfd or inotify to wake us       */
    RUN_READ_BYTES = 65536,
    RUN_QMP_JSON_MAX = 4096,
};

/* The console and the trace are files QEMU appends to (see qemu_launch.c
 * for why not sockets); QMP is a socket QEMU connects to. */
enum run_channel { CHANNEL_CONSOLE, CHANNEL_TRACE, CHANNEL_QMP, CHANNEL_COUNT };

struct run_state {
    const struct qemu_run_options *options;
    struct scenario *scenario;
    char *scenario_text;
    char source_dir[PATH_MAX];
    char image[PATH_MAX];
    char program[PATH_MAX];
    char work_dir[QEMU_PATH_MAX];
    char paths[CHANNEL_COUNT][QEMU_PATH_MAX];
    char blob_path[QEMU_PATH_MAX];
    char log_path[QEMU_PATH_MAX];
    struct qemu_argv argv;
    struct qemu_argv devices_argv;   /* the scenario's machine, checked first */
    int listen_fd[CHANNEL_COUNT];    /* QMP only                             */
    int conn_fd[CHANNEL_COUNT];      /* files: read ends; QMP: the connection */
    int inotify_fd;                  /* wakes the loop when a file grows     */
    pid_t pid;                       /* 0: not started or reaped             */
    int pidfd;
    int wait_status;
    bool reaped;
    struct timespec started, ended_at;
    uint64_t deadline_ms, end_deadline_ms;   /* monotonic; 0: none           */
    bool timed_out;

    struct trace_stream_decoder decoder;
    struct qmp_session qmp;
    struct qemu_judge judge;
    bool hello_seen;
    size_t inputs_requested;
    char runner_failure[QEMU_JUDGE_FAILURE_MAX];
    enum qemu_run_error runner_error;

    struct trace_store *store;
    int64_t run_id;
    struct trace_recorder recorder;
    struct trace_record *ring;
    enum trace_store_error store_error;
    uint8_t blob[BOOT_BLOB_BYTES_MAX];
    uint8_t read_buffer[RUN_READ_BYTES];
};

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

static uint64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static bool path_join(char *out, size_t out_len, const char *dir, const char *name)
{
    int n = snprintf(out, out_len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < out_len;
}

/* The first runner failure wins; QEMU is killed so that the run ends. */
static void runner_fail(struct run_state *run, enum qemu_run_error error, const char *message)
{
    if (run->runner_error == QEMU_RUN_OK) {
        run->runner_error = error;
        snprintf(run->runner_failure, sizeof run->runner_failure, "%s", message);
        fprintf(stderr, "duet: %s\n", message);
    }
    if (run->pid > 0 && !run->reaped)
        kill(run->pid, SIGKILL);
}

/* ---- preparing ------------------------------------------------------------ */

static enum qemu_run_error prepare_scenario(struct run_state *run, char *error, size_t error_len)
{
    size_t line = 0;
    run->scenario = malloc(sizeof *run->scenario);
    if (run->scenario == NULL) {
        snprintf(error, error_len, "out of host memory");
        return QEMU_RUN_ERR_SCENARIO;
    }
    enum scenario_error parse_error =
        scenario_load(run->options->scenario_path, run->scenario, &run->scenario_text, &line);
    if (parse_error != SCENARIO_OK) {
        free(run->scenario);
        run->scenario = NULL;
        if (line > 0)
            snprintf(error, error_len, "scenario %s line %zu: %s", run->options->scenario_path,
                     line, scenario_error_name(parse_error));
        else
            snprintf(error, error_len, "scenario %s: %s", run->options->scenario_path,
                     scenario_error_name(parse_error));
        return QEMU_RUN_ERR_SCENARIO;
    }
    return QEMU_RUN_OK;
}

static enum qemu_run_error prepare_image(struct run_state *run, char *error, size_t error_len)
{
    const struct qemu_run_options *o = run->options;
    bool have_source = o->source_dir != NULL
                           ? snprintf(run->source_dir, sizeof run->source_dir, "%s",
                                      o->source_dir) > 0
                           : qemu_image_source_dir(run->source_dir, sizeof run->source_dir);
    if (o->image_path != NULL) {
        snprintf(run->image, sizeof run->image, "%s", o->image_path);
    } else if (!have_source) {
        snprintf(error, error_len, "no --image given and no source tree found to build one in");
        return QEMU_RUN_ERR_IMAGE;
    } else if (!path_join(run->image, sizeof run->image, run->source_dir,
                          QEMU_IMAGE_RELATIVE_PATH)) {
        snprintf(error, error_len, "the image path is too long");
        return QEMU_RUN_ERR_IMAGE;
    }
    /* An image named on the command line is used as it is, never built. */
    if (!qemu_image_ensure(have_source ? run->source_dir : NULL, run->image,
                           o->image_path == NULL, error, error_len))
        return QEMU_RUN_ERR_IMAGE;
    const char *program = o->qemu_program != NULL ? o->qemu_program : "qemu-system-x86_64";
    if (!qemu_launch_find_program(program, run->program, sizeof run->program)) {
        snprintf(error, error_len, "%s is not installed (or not in PATH); on Debian: apt-get "
                 "install qemu-system-x86", program);
        return QEMU_RUN_ERR_NO_QEMU;
    }
    return QEMU_RUN_OK;
}

static bool write_file(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *file = fopen(path, "wb");
    if (file == NULL)
        return false;
    bool ok = fwrite(bytes, 1, len, file) == len;
    return fclose(file) == 0 && ok;
}

static enum qemu_run_error prepare_work_dir(struct run_state *run, char *error,
                                            size_t error_len)
{
    static const char *const channel_files[CHANNEL_COUNT] = {"console.txt", "trace.bin",
                                                             "qmp.sock"};
    if (!qemu_launch_work_dir_create(run->work_dir, sizeof run->work_dir, error, error_len))
        return QEMU_RUN_ERR_LAUNCH;
    bool ok = path_join(run->blob_path, sizeof run->blob_path, run->work_dir, "boot.blob") &&
              path_join(run->log_path, sizeof run->log_path, run->work_dir, "qemu.log");
    for (int c = 0; c < CHANNEL_COUNT; c++)
        ok = ok && path_join(run->paths[c], sizeof run->paths[c], run->work_dir, channel_files[c]);
    if (!ok) {
        snprintf(error, error_len, "the work directory's path is too long: %s", run->work_dir);
        return QEMU_RUN_ERR_LAUNCH;
    }
    size_t blob_size = 0;
    enum boot_blob_write_error blob_error =
        boot_blob_write(run->scenario, run->blob, sizeof run->blob, &blob_size);
    if (blob_error != BOOT_BLOB_WRITE_OK) {
        snprintf(error, error_len, "the scenario does not fit a boot blob: %s",
                 boot_blob_write_error_name(blob_error));
        return QEMU_RUN_ERR_SCENARIO;
    }
    if (!write_file(run->blob_path, run->blob, blob_size)) {
        snprintf(error, error_len, "cannot write %s: %s", run->blob_path, strerror(errno));
        return QEMU_RUN_ERR_LAUNCH;
    }
    /* The files exist before QEMU opens them, so they can be watched. */
    run->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    for (int c = CHANNEL_CONSOLE; c <= CHANNEL_TRACE; c++) {
        run->conn_fd[c] = open(run->paths[c], O_RDONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600);
        if (run->conn_fd[c] < 0) {
            snprintf(error, error_len, "cannot make %s: %s", run->paths[c], strerror(errno));
            return QEMU_RUN_ERR_LAUNCH;
        }
        if (run->inotify_fd >= 0 && inotify_add_watch(run->inotify_fd, run->paths[c],
                                                      IN_MODIFY) < 0) {
            close(run->inotify_fd);
            run->inotify_fd = -1;   /* the loop ticks instead */
        }
    }
    run->listen_fd[CHANNEL_QMP] = qemu_launch_listen(run->paths[CHANNEL_QMP], error, error_len);
    return run->listen_fd[CHANNEL_QMP] >= 0 ? QEMU_RUN_OK : QEMU_RUN_ERR_LAUNCH;
}

/* Before the image: a machine QEMU cannot have is refused without
 * building anything. */
static enum qemu_run_error prepare_devices(struct run_state *run, char *error, size_t error_len)
{
    char devices_error[256] = "";
    qemu_argv_init(&run->devices_argv);
    enum qemu_devices_error devices =
        qemu_devices_args(run->scenario, run->work_dir, &run->devices_argv, devices_error,
                          sizeof devices_error);
    if (devices != QEMU_DEVICES_OK) {
        snprintf(error, error_len, "scenario %s cannot be QEMU's machine: %s (%s)",
                 run->scenario->name, qemu_devices_error_name(devices), devices_error);
        return QEMU_RUN_ERR_DEVICES;
    }
    return QEMU_RUN_OK;
}

static enum qemu_run_error prepare_argv(struct run_state *run, char *error, size_t error_len)
{
    const struct qemu_run_options *o = run->options;
    struct qemu_launch_plan plan = {
        .qemu_program = run->program,
        .image_path = run->image,
        .blob_path = run->blob_path,
        .console_file = run->paths[CHANNEL_CONSOLE],
        .trace_file = run->paths[CHANNEL_TRACE],
        .qmp_socket = run->paths[CHANNEL_QMP],
        .gdb = o->gdb,
        .gdb_port = o->gdb_port,
    };
    qemu_argv_init(&run->argv);
    if (!qemu_launch_argv(&plan, &run->argv, error, error_len))
        return QEMU_RUN_ERR_LAUNCH;
    for (size_t i = 0; i < run->devices_argv.count; i++) {
        if (!qemu_argv_add(&run->argv, run->devices_argv.arg[i])) {
            snprintf(error, error_len, "QEMU's command line does not fit with the devices' "
                     "%zu arguments", run->devices_argv.count);
            return QEMU_RUN_ERR_DEVICES;
        }
    }
    return QEMU_RUN_OK;
}

static void store_kind_names(struct trace_store *store)
{
    static const struct trace_kind_name names[] = {
#define QEMU_RUN_KIND_NAME(name, number) {number, #name},
        DUET_EVENT_KINDS(QEMU_RUN_KIND_NAME)
#undef QEMU_RUN_KIND_NAME
    };
    trace_store_set_kind_names(store, names, sizeof names / sizeof names[0]);
}

static int events_to_store(void *ctx, const struct trace_record *records, size_t count)
{
    struct run_state *run = ctx;
    enum trace_store_error error =
        trace_store_append_events(run->store, run->run_id, records, count);
    if (error != TRACE_STORE_OK && run->store_error == TRACE_STORE_OK)
        run->store_error = error;
    return error != TRACE_STORE_OK;
}

static enum qemu_run_error prepare_store(struct run_state *run, char *error, size_t error_len)
{
    const char *path = run->options->store_path != NULL ? run->options->store_path : "duet.db";
    enum trace_store_error store_error = trace_store_open(&run->store, path);
    run->ring = malloc(RUN_RING_RECORDS * sizeof *run->ring);
    if (store_error != TRACE_STORE_OK || run->ring == NULL) {
        snprintf(error, error_len, "cannot use trace store %s: %s (%s)", path,
                 trace_store_error_name(store_error), trace_store_last_message(run->store));
        return QEMU_RUN_ERR_STORE;
    }
    store_kind_names(run->store);
    trace_recorder_init(&run->recorder, run->ring, RUN_RING_RECORDS, events_to_store, run);
    return QEMU_RUN_OK;
}

/* ---- starting ------------------------------------------------------------- */

static enum qemu_run_error run_start(struct run_state *run, char *error, size_t error_len)
{
    const struct qemu_run_options *o = run->options;
    if (o->gdb) {
        char symbols[PATH_MAX];
        qemu_image_symbols_path(run->image, symbols, sizeof symbols);
        /* The CPU starts in 32-bit mode: gdb is told the image's
         * architecture, and hardware breakpoints work (docs/BAREMETAL.md). */
        printf("duet: QEMU is stopped at its first instruction, waiting for gdb; attach with:\n"
               "  gdb %s -ex 'set architecture i386:x86-64' -ex 'target remote :%u'\n",
               symbols, o->gdb_port != 0 ? o->gdb_port : (unsigned)QEMU_DEFAULT_GDB_PORT);
        fflush(stdout);
    }
    clock_gettime(CLOCK_MONOTONIC, &run->started);
    run->pid = qemu_launch_spawn(&run->argv, run->log_path, error, error_len);
    if (run->pid < 0) {
        run->pid = 0;
        return QEMU_RUN_ERR_LAUNCH;
    }
    run->pidfd = (int)syscall(SYS_pidfd_open, run->pid, 0);
    unsigned timeout_s = o->timeout_s != 0 ? o->timeout_s : RUN_DEFAULT_TIMEOUT_S;
    run->deadline_ms = o->gdb ? 0 : now_ms() + (uint64_t)timeout_s * 1000;

    struct trace_run_info info = {
        .scenario = run->scenario->name,
        .scenario_text = run->scenario_text,
        .seed = 0,
        /* A scenario run's input is its disk image, as run_recipe has it. */
        .input = (uint8_t *)run->scenario->disk.image,
        .input_len = run->scenario->disk.image_len,
        .build = "baremetal",
        .platform = "qemu",
    };
    enum trace_store_error store_error = trace_store_run_begin(run->store, &info, &run->run_id);
    if (store_error != TRACE_STORE_OK) {
        snprintf(error, error_len, "cannot store the run: %s (%s)",
                 trace_store_error_name(store_error), trace_store_last_message(run->store));
        run->run_id = 0;
        return QEMU_RUN_ERR_STORE;
    }
    return QEMU_RUN_OK;
}

/* ---- the stream's control records ---------------------------------------- */

static void control_input_request(struct run_state *run, uint64_t index)
{
    char message[QEMU_JUDGE_FAILURE_MAX];
    size_t count = run->scenario->keyboard.input_count;
    if (index != run->inputs_requested || index >= count) {
        snprintf(message, sizeof message,
                 "trace stream: the guest asked for input %" PRIu64 ", expected %zu of %zu",
                 index, run->inputs_requested, count);
        runner_fail(run, QEMU_RUN_ERR_STREAM, message);
        return;
    }
    run->inputs_requested++;
    char json[RUN_QMP_JSON_MAX], devices_error[160] = "";
    enum qemu_devices_error error = qemu_devices_input_command(
        run->scenario, (size_t)index, json, sizeof json, devices_error, sizeof devices_error);
    if (error != QEMU_DEVICES_OK) {
        snprintf(message, sizeof message, "input %" PRIu64 ": %s (%s)", index,
                 qemu_devices_error_name(error), devices_error);
        runner_fail(run, QEMU_RUN_ERR_DEVICES, message);
        return;
    }
    if (!qmp_session_command(&run->qmp, json))
        runner_fail(run, QEMU_RUN_ERR_QMP, run->qmp.failure);
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
            runner_fail(run, QEMU_RUN_ERR_STREAM, message);
        }
        break;
    case TRACE_STREAM_INPUT_REQUEST:
        control_input_request(run, record->arg[0]);
        break;
    case TRACE_STREAM_END:
        qemu_judge_end(&run->judge, record->arg[0]);
        run->end_deadline_ms = now_ms() + RUN_END_GRACE_MS;
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
        runner_fail(run, QEMU_RUN_ERR_QMP, run->qmp.failure);
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
    uint64_t now = now_ms();
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
    uint64_t now = now_ms();
    uint64_t wait = run->pidfd >= 0 && run->inotify_fd >= 0 ? 1000 : RUN_POLL_TICK_MS;
    if (!run->timed_out)
        wait = wait_until(run->deadline_ms, now, wait);
    return (int)wait_until(run->end_deadline_ms, now, wait);
}

static void run_loop(struct run_state *run)
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
        qmp_flush(run);
        child_check(run);
        deadlines_check(run);
    }
}

/* ---- finishing ------------------------------------------------------------ */

/* QEMU is gone: what it wrote is in the sockets (or their accept queues). */
static void run_drain(struct run_state *run)
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
    run_drain(run);
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
    result->inputs_sent = run->qmp.commands_answered;
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

    enum qemu_run_error status = prepare_scenario(run, error, error_len);
    if (status == QEMU_RUN_OK) {
        qemu_judge_init(&run->judge, run->scenario->expect);
        status = prepare_work_dir(run, error, error_len);
    }
    if (status == QEMU_RUN_OK)
        status = prepare_devices(run, error, error_len);
    if (status == QEMU_RUN_OK)
        status = prepare_image(run, error, error_len);
    if (status == QEMU_RUN_OK)
        status = prepare_argv(run, error, error_len);
    if (status == QEMU_RUN_OK)
        status = prepare_store(run, error, error_len);
    if (status == QEMU_RUN_OK)
        status = run_start(run, error, error_len);
    if (status == QEMU_RUN_OK) {
        run_loop(run);
        status = run_finish(run, result, error, error_len);
        result->run_id = run->run_id;
    }
    run_cleanup(run);
    free(run);
    return status;
}
