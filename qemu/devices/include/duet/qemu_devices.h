/*
 * qemu_devices.h - a scenario's machine, as QEMU command-line arguments and
 * QMP input commands (docs/QEMU.md).
 *
 * The sim builds the scenario's devices from hw_models/; in QEMU the same
 * devices must exist as QEMU's own: the scenario's PCI functions and
 * bridges as -device options at the same bus:device.function with the
 * same ids, class and BARs; the IDE master as a raw image file written
 * from the scenario's disk lines; the keyboard's inputs as QMP commands.
 * A scenario asking for what QEMU cannot give is a named error, never a
 * silently different machine.
 */
#ifndef DUET_QEMU_DEVICES_H
#define DUET_QEMU_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "duet/scenario.h"

enum qemu_devices_error {
    QEMU_DEVICES_OK = 0,
    QEMU_DEVICES_ERR_PCI_UNSUPPORTED,   /* no QEMU device has these ids/class/BARs */
    QEMU_DEVICES_ERR_DISK_WRITE,        /* the disk image file cannot be written   */
    QEMU_DEVICES_ERR_INPUT_UNSUPPORTED, /* raw bytes no key of QEMU's produces     */
    QEMU_DEVICES_ERR_TOO_MANY_ARGS,
    QEMU_DEVICES_ERROR_COUNT
};
const char *qemu_devices_error_name(enum qemu_devices_error error);

enum { QEMU_ARGV_MAX = 128, QEMU_ARG_BYTES = 16384 };

/* An argument vector with its own string storage. */
struct qemu_argv {
    size_t count;
    const char *arg[QEMU_ARGV_MAX + 1];    /* NULL-terminated */
    char storage[QEMU_ARG_BYTES];
    size_t storage_used;
};
void qemu_argv_init(struct qemu_argv *argv);
/* false when full (then the vector is unchanged). */
bool qemu_argv_add(struct qemu_argv *argv, const char *arg);

/* Appends the arguments for the scenario's PCI functions, bridges and
 * disk (written as work_dir/disk.img). */
enum qemu_devices_error qemu_devices_args(const struct scenario *scenario, const char *work_dir,
                                          struct qemu_argv *argv, char *error, size_t error_len);

/* The QMP command (one JSON object, no newline) that makes QEMU's keyboard
 * produce input `index` of the scenario. */
enum qemu_devices_error qemu_devices_input_command(const struct scenario *scenario, size_t index,
                                                   char *json, size_t json_len, char *error,
                                                   size_t error_len);

#endif
