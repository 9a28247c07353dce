/*
 * qemu_launch.h - the host-side plumbing of one QEMU run: its command
 * line, its private work directory, the unix sockets QEMU connects to,
 * and starting and ending the process. Used by qemu_run.c only (and the
 * argv test); every failure is a message, never an exit.
 *
 * The console (COM1) and the trace (COM3) are files QEMU writes and the
 * runner reads as they grow: a file never pushes back, so the guest never
 * waits on the host and its -icount timing stays its own. A unix socket
 * does push back (QEMU's UART writes one byte per send, and a stream
 * socket's buffer fills after a few hundred such sends), and a guest
 * polling a full transmitter ran a different number of instructions on
 * every run. QMP is a socket, with QEMU as the *client* (server=off): the
 * runner listens before QEMU starts, so there is no race to connect.
 */
#ifndef DUET_QEMU_LAUNCH_H
#define DUET_QEMU_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "duet/qemu_devices.h"

enum { QEMU_PATH_MAX = 512, QEMU_DEFAULT_GDB_PORT = 1234 };

struct qemu_launch_plan {
    const char *qemu_program;       /* a path, or a name looked up in PATH   */
    const char *image_path;         /* -kernel: the multiboot ELF32          */
    const char *blob_path;          /* -initrd: multiboot module 0           */
    const char *console_file;       /* COM1                                  */
    const char *trace_file;         /* COM3, TRACE_STREAM_PORT               */
    const char *qmp_socket;
    bool gdb;
    unsigned gdb_port;
    /* A disk: QEMU completes its requests on host threads, so while the
     * guest waits for one its virtual clock must run with the host's
     * (sleep=on); with sleep=off it would jump to the next timer deadline
     * and the driver's timeout would fire before the disk answers. Runs
     * with a disk are therefore not repeatable bit for bit. */
    bool disk;
};

/* Appends the whole command line but the devices' part; false when a
 * path cannot be given to QEMU (a comma in the module path) or it does not
 * fit, with `error` saying which. */
bool qemu_launch_argv(const struct qemu_launch_plan *plan, struct qemu_argv *argv, char *error,
                      size_t error_len);

/* Finds `program` (a path, or a name in PATH) that can be executed. */
bool qemu_launch_find_program(const char *program, char *out_path, size_t out_len);

/* A private directory under $TMPDIR (or /tmp); removed with everything in
 * it (one level deep) by qemu_launch_work_dir_remove. */
bool qemu_launch_work_dir_create(char *out_dir, size_t out_len, char *error, size_t error_len);
void qemu_launch_work_dir_remove(const char *dir);

/* A listening, non-blocking unix socket at `path`; -1 and `error` if not. */
int qemu_launch_listen(const char *path, char *error, size_t error_len);

/* Starts argv (argv->arg[0] is the program path) with stdin /dev/null and
 * stdout+stderr into `log_path`; -1 and `error` when exec fails. */
pid_t qemu_launch_spawn(const struct qemu_argv *argv, const char *log_path, char *error,
                        size_t error_len);

/* The last non-empty line of a file (QEMU's complaint), "" if none. */
void qemu_launch_last_line(const char *path, char *out, size_t out_len);

#endif
