/*
 * qemu_devices.h - a scenario's machine, as QEMU command-line arguments and
 * QMP input commands (docs/QEMU_DEVICES.md; docs/QEMU.md for the runner).
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
#include <stdint.h>

#include "duet/pci_host.h"
#include "duet/scenario.h"

/* The machine the arguments extend: QEMU's pc without its default VGA and
 * NIC, which is the sim's bus 0 (docs/PCI.md). The runner starts QEMU
 * with these first, then qemu_devices_args's arguments. */
#define QEMU_DEVICES_BASE_MACHINE "-machine", "pc", "-vga", "none", "-nic", "none"

enum qemu_devices_error {
    QEMU_DEVICES_OK = 0,
    QEMU_DEVICES_ERR_PCI_UNSUPPORTED,   /* no QEMU device has these ids/class/BARs */
    QEMU_DEVICES_ERR_DISK_WRITE,        /* the disk image file cannot be written   */
    QEMU_DEVICES_ERR_INPUT_UNSUPPORTED, /* raw bytes no key of QEMU's produces     */
    QEMU_DEVICES_ERR_TOO_MANY_ARGS,     /* argv slots or string storage full      */
    QEMU_DEVICES_ERR_PCI_BUS_NUMBERING, /* bus numbers SeaBIOS would not give     */
    QEMU_DEVICES_ERR_BAD_SCENARIO,      /* a struct the parser cannot have made   */
    QEMU_DEVICES_ERR_BAD_ARGUMENT,      /* NULL, input index out of range, path too long */
    QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL,  /* the JSON does not fit json_len          */
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
 * produce input `index` of the scenario: an input-send-event with one key
 * event, or several for a SCANCODES input made of whole keys. Raw bytes
 * are read in scan-code set 2, the set the keyboard is in after reset and
 * the one the PS/2 driver selects (the controller's translation, if on,
 * applies to QEMU's bytes as to the model's). */
enum qemu_devices_error qemu_devices_input_command(const struct scenario *scenario, size_t index,
                                                   char *json, size_t json_len, char *error,
                                                   size_t error_len);

/* The i8042 configuration byte the scenario's firmware leaves: 0x61, what
 * SeaBIOS leaves in QEMU (translation on), or 0x21 for "i8042 translation
 * off". QEMU has no option for it and the PS/2 driver keeps the
 * translation it finds, so for 0x21 the bare-metal boot code must write
 * it (0x60 to port 0x64, then the byte to port 0x60) before the driver
 * starts, as the sim's world does before it starts. NULL: 0x61. */
enum { QEMU_DEVICES_I8042_CONFIG_SEABIOS = 0x61, QEMU_DEVICES_I8042_CONFIG_UNTRANSLATED = 0x21 };
uint8_t qemu_devices_i8042_config(const struct scenario *scenario);

/* A QEMU 7.2 PCI device, as its configuration space reads before firmware
 * runs (measured with qtest, docs/QEMU_DEVICES.md). A scenario "pci" line
 * is this device when ids, class, revision and all six BARs are equal. */
struct qemu_pci_model {
    const char *driver;                  /* the -device name               */
    bool needs_serial;                   /* nvme: serial=... is required   */
    uint16_t vendor_id;
    uint16_t device_id;
    uint32_t class_code;                 /* class, subclass, prog-if       */
    uint8_t revision;
    struct pci_host_bar_desc bars[PCI_HOST_BARS];
};
/* The table, index 0 .. count-1; NULL past the end. */
size_t qemu_devices_pci_model_count(void);
const struct qemu_pci_model *qemu_devices_pci_model(size_t index);
/* The QEMU device a scenario's endpoint descriptor is, or NULL. */
const struct qemu_pci_model *qemu_devices_pci_match(const struct pci_host_function_desc *desc);

/* QEMU's QKeyCode name ("a", "ret", "shift_r", "pause", ...) for an
 * enum ps2_key; NULL past the last key. */
const char *qemu_devices_key_qcode(unsigned key);

#endif
