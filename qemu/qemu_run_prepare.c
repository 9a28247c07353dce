/*
 * qemu_run_prepare.c - everything a QEMU run needs before QEMU starts, and
 * starting it (qemu_run_state.h).
 *
 * Order, cheapest refusal first: the scenario; the work dir with the boot
 * blob, the console and trace files and the QMP socket; the devices'
 * arguments (a machine QEMU cannot have is refused before anything is
 * built); the image (built if missing) and the qemu binary; the command
 * line; the store. qemu_run_start then spawns QEMU and begins the run in
 * the store, so a run row exists exactly when QEMU ran.
 */
#define _GNU_SOURCE
#include "qemu_run_state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "duet/sim.h"
#include "hal/event.h"
#include "qemu_image.h"

static bool path_join(char *out, size_t out_len, const char *dir, const char *name)
{
    int n = snprintf(out, out_len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < out_len;
}

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
        .disk = run->scenario->disk.sectors > 0,
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

enum qemu_run_error qemu_run_start(struct run_state *run, char *error, size_t error_len)
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
    /* Ctrl-C reaches QEMU (same process group), which stops; the runner
     * stays to judge and store the run ("killed by signal 2") and to
     * remove the work dir. qemu_run_cleanup puts the old action back. */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    run->sigint_saved = sigaction(SIGINT, &ignore, &run->sigint_before) == 0;
    clock_gettime(CLOCK_MONOTONIC, &run->started);
    run->pid = qemu_launch_spawn(&run->argv, run->log_path, error, error_len);
    if (run->pid < 0) {
        run->pid = 0;
        return QEMU_RUN_ERR_LAUNCH;
    }
    run->pidfd = (int)syscall(SYS_pidfd_open, run->pid, 0);
    unsigned timeout_s = o->timeout_s != 0 ? o->timeout_s : RUN_DEFAULT_TIMEOUT_S;
    run->deadline_ms = o->gdb ? 0 : qemu_run_now_ms() + (uint64_t)timeout_s * 1000;

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

enum qemu_run_error qemu_run_prepare(struct run_state *run, char *error, size_t error_len)
{
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
    return status;
}
