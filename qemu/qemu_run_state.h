/*
 * qemu_run_state.h - one QEMU run's state, shared by the runner's three
 * files (private to qemu/):
 *   qemu_run_prepare.c   everything before QEMU runs, and starting it
 *   qemu_run_loop.c      the poll loop: trace, console, QMP, deadlines
 *   qemu_run.c           qemu_run itself: judging, storing, cleaning up
 * Call order: qemu_run_prepare, qemu_run_start, qemu_run_loop,
 * qemu_run_drain, then qemu_run.c judges and ends the run.
 */
#ifndef DUET_QEMU_RUN_STATE_H
#define DUET_QEMU_RUN_STATE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "duet/boot_blob_write.h"
#include "duet/qemu_devices.h"
#include "duet/qemu_run.h"
#include "duet/qmp_session.h"
#include "duet/scenario.h"
#include "duet/trace_recorder.h"
#include "duet/trace_store.h"
#include "duet/trace_stream_decode.h"
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
    bool sigint_saved;               /* SIGINT ignored while QEMU runs       */
    struct sigaction sigint_before;

    struct trace_stream_decoder decoder;
    struct qmp_session qmp;
    struct qemu_judge judge;
    bool hello_seen;
    size_t inputs_requested;
    /* An input asked for and not yet sent: the runner first waits, asking
     * QMP, until the guest's CPU is halted (it halts right after asking). */
    bool input_pending;
    size_t input_pending_index;
    unsigned halt_answer_due;        /* commands_answered when the query is in */
    unsigned halt_queries;
    size_t inputs_given;             /* input and NMI queued to QMP          */
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

/* Host milliseconds, monotonic. */
uint64_t qemu_run_now_ms(void);

/* A runner failure (QMP refusal, protocol breach): the first one wins and
 * QEMU is killed so that the run ends; it is still judged and stored. */
void qemu_run_fail(struct run_state *run, enum qemu_run_error error, const char *message);

/* Scenario, work dir, devices, image, command line, store: every check
 * before anything runs. */
enum qemu_run_error qemu_run_prepare(struct run_state *run, char *error, size_t error_len);
/* Spawns QEMU, then begins the run in the store. */
enum qemu_run_error qemu_run_start(struct run_state *run, char *error, size_t error_len);
/* Until QEMU is reaped. */
void qemu_run_loop(struct run_state *run);
/* QEMU is gone: reads what is left, closes the decoder. */
void qemu_run_drain(struct run_state *run);

#endif
