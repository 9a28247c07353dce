/*
 * qemu_run.h - run a scenario on the bare-metal image in QEMU and store it.
 *
 * The host side of the QEMU build (docs/QEMU.md): build the image if
 * needed, write the scenario's boot blob (duet/boot_blob.h), start
 * qemu-system-x86_64 (TCG, -icount for determinism) with the scenario's
 * devices, feed keyboard input through QMP when the guest asks for it,
 * decode the trace stream (duet/trace_stream.h) into the trace store with
 * platform "qemu", and judge the outcome as the sim does (WORLD_END's
 * outcome, FAILURE, the scenario's expected console line on COM1).
 * Nothing here exits or aborts: every problem is a named error.
 */
#ifndef DUET_QEMU_RUN_H
#define DUET_QEMU_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qemu_run_error {
    QEMU_RUN_OK = 0,
    QEMU_RUN_ERR_SCENARIO,        /* the scenario does not parse              */
    QEMU_RUN_ERR_IMAGE,           /* no image and it cannot be built          */
    QEMU_RUN_ERR_DEVICES,         /* a device the QEMU machine cannot have    */
    QEMU_RUN_ERR_LAUNCH,          /* qemu-system-x86_64 did not start         */
    QEMU_RUN_ERR_TIMEOUT,         /* host time limit: QEMU was killed          */
    QEMU_RUN_ERR_STREAM,          /* the trace stream broke (checksum, truncation) */
    QEMU_RUN_ERR_STORE,           /* SQLite                                   */
    QEMU_RUN_ERR_QMP,             /* QMP refused a command                    */
    QEMU_RUN_ERR_NO_QEMU,         /* qemu-system-x86_64 is not installed      */
    QEMU_RUN_ERR_USAGE,           /* options the runner cannot take           */
    QEMU_RUN_ERROR_COUNT
};
const char *qemu_run_error_name(enum qemu_run_error error);

struct qemu_run_options {
    const char *scenario_path;
    const char *store_path;       /* the SQLite trace store (duet.db)          */
    const char *image_path;       /* NULL: build/baremetal/duet.elf32, built  */
    const char *source_dir;       /* NULL: found from the executable's path   */
    bool gdb;                     /* QEMU's gdb stub on, stopped at the start  */
    unsigned gdb_port;            /* 0: 1234                                  */
    unsigned timeout_s;           /* 0: 120                                   */
    bool quiet;                   /* no console echo on stdout                */
    const char *qemu_program;     /* NULL: qemu-system-x86_64 from PATH       */
    bool keep_work_dir;           /* leave the work dir (QEMU's log) in place */
};

struct qemu_run_result {
    int64_t run_id;               /* in the store                             */
    const char *outcome;          /* as the sim's: "pass", "fail", "hang",
                                     "no-success-line"; NULL if not stored   */
    char failure[192];
    uint64_t events;
    uint64_t hash;
    uint64_t boot_to_end_ns;      /* host time from QEMU's start to its exit  */
    uint64_t guest_end_ns;        /* the guest's clock at WORLD_END           */
    int qemu_exit_status;         /* exit status, or 128 + signal if killed   */
    uint64_t stream_errors;       /* trace stream episodes (each named)       */
    uint64_t stream_bytes;
    uint64_t inputs_sent;         /* QMP input commands QEMU accepted         */
    uint64_t console_bytes;
};

/* Runs one scenario. The run is stored (result->run_id != 0) whenever
 * QEMU started, whatever the error: a timeout is stored as "hang", a QMP
 * refusal, a broken stream or QEMU stopping early as "fail". */
enum qemu_run_error qemu_run(const struct qemu_run_options *options,
                             struct qemu_run_result *result, char *error, size_t error_len);

#endif
