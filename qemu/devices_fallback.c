/*
 * devices_fallback.c - TEMPORARY stand-in for qemu/devices/ (another
 * branch writes the real one against duet/qemu_devices.h).
 *
 * Built only while qemu/devices/CMakeLists.txt does not exist (see
 * qemu/CMakeLists.txt); delete this file and its CMake branch once the
 * devices library is merged. It gives QEMU's pc machine with nothing
 * added, so it refuses every scenario that needs more: PCI lines, a disk,
 * keyboard input, or the i8042's translation switched off.
 */
#include "duet/qemu_devices.h"

#include <stdio.h>
#include <string.h>

const char *qemu_devices_error_name(enum qemu_devices_error error)
{
    switch (error) {
    case QEMU_DEVICES_OK: return "QEMU_DEVICES_OK";
    case QEMU_DEVICES_ERR_PCI_UNSUPPORTED: return "QEMU_DEVICES_ERR_PCI_UNSUPPORTED";
    case QEMU_DEVICES_ERR_DISK_WRITE: return "QEMU_DEVICES_ERR_DISK_WRITE";
    case QEMU_DEVICES_ERR_INPUT_UNSUPPORTED: return "QEMU_DEVICES_ERR_INPUT_UNSUPPORTED";
    case QEMU_DEVICES_ERR_TOO_MANY_ARGS: return "QEMU_DEVICES_ERR_TOO_MANY_ARGS";
    case QEMU_DEVICES_ERROR_COUNT: break;
    }
    return "QEMU_DEVICES_ERR_UNKNOWN";
}

void qemu_argv_init(struct qemu_argv *argv)
{
    memset(argv, 0, sizeof *argv);
}

bool qemu_argv_add(struct qemu_argv *argv, const char *arg)
{
    size_t len = strlen(arg) + 1;
    if (argv->count >= QEMU_ARGV_MAX || len > sizeof argv->storage - argv->storage_used)
        return false;
    char *copy = argv->storage + argv->storage_used;
    memcpy(copy, arg, len);
    argv->storage_used += len;
    argv->arg[argv->count++] = copy;
    argv->arg[argv->count] = NULL;
    return true;
}

enum qemu_devices_error qemu_devices_args(const struct scenario *scenario, const char *work_dir,
                                          struct qemu_argv *argv, char *error, size_t error_len)
{
    (void)work_dir;
    (void)argv;
    if (scenario->pci_count > 0) {
        snprintf(error, error_len, "the fallback machine has no PCI lines (qemu/devices/ "
                                   "is not built)");
        return QEMU_DEVICES_ERR_PCI_UNSUPPORTED;
    }
    if (scenario->disk.sectors > 0) {
        snprintf(error, error_len, "the fallback machine has no disk (qemu/devices/ is not "
                                   "built)");
        return QEMU_DEVICES_ERR_DISK_WRITE;
    }
    if (scenario->keyboard.input_count > 0 || scenario->keyboard.translation_off) {
        snprintf(error, error_len, "the fallback machine has no keyboard input (qemu/devices/ "
                                   "is not built)");
        return QEMU_DEVICES_ERR_INPUT_UNSUPPORTED;
    }
    return QEMU_DEVICES_OK;
}

enum qemu_devices_error qemu_devices_input_command(const struct scenario *scenario, size_t index,
                                                   char *json, size_t json_len, char *error,
                                                   size_t error_len)
{
    (void)scenario;
    if (json_len > 0)
        json[0] = '\0';
    snprintf(error, error_len, "input %zu: the fallback machine has no keyboard input", index);
    return QEMU_DEVICES_ERR_INPUT_UNSUPPORTED;
}
