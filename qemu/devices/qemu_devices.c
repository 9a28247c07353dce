/*
 * qemu_devices.c - a scenario's PCI functions, bridges and disk as QEMU
 * command-line arguments (qemu_devices.h, docs/QEMU_DEVICES.md).
 *
 * Nothing is approximated: a function is given to QEMU only as a device
 * whose configuration space has the line's ids, class, revision and BARs
 * (qemu_pci_models.c), at the line's bus, device and function; bus
 * numbers are checked to be the ones SeaBIOS will assign, since the guest
 * sees firmware's numbers and the scenario's expected device list names
 * buses by number. The structs are checked before use: the parser's
 * guarantees cannot be assumed of a struct built by hand, and the disk
 * renderer asserts them.
 */
#include "duet/qemu_devices.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    PCI_DEVICE_MAX = 31,
    PCI_FUNCTION_MAX = 7,
    PCI_BRIDGE_VENDOR = 0x1B36,          /* QEMU's pci-bridge */
    PCI_BRIDGE_DEVICE = 0x0001,
    OPTION_BYTES = 256,                  /* one -device or -drive value */
    PATH_BYTES = 4096,
};

static const char *const error_names[QEMU_DEVICES_ERROR_COUNT] = {
    [QEMU_DEVICES_OK] = "QEMU_DEVICES_OK",
    [QEMU_DEVICES_ERR_PCI_UNSUPPORTED] = "QEMU_DEVICES_ERR_PCI_UNSUPPORTED",
    [QEMU_DEVICES_ERR_DISK_WRITE] = "QEMU_DEVICES_ERR_DISK_WRITE",
    [QEMU_DEVICES_ERR_INPUT_UNSUPPORTED] = "QEMU_DEVICES_ERR_INPUT_UNSUPPORTED",
    [QEMU_DEVICES_ERR_TOO_MANY_ARGS] = "QEMU_DEVICES_ERR_TOO_MANY_ARGS",
    [QEMU_DEVICES_ERR_PCI_BUS_NUMBERING] = "QEMU_DEVICES_ERR_PCI_BUS_NUMBERING",
    [QEMU_DEVICES_ERR_BAD_SCENARIO] = "QEMU_DEVICES_ERR_BAD_SCENARIO",
    [QEMU_DEVICES_ERR_BAD_ARGUMENT] = "QEMU_DEVICES_ERR_BAD_ARGUMENT",
    [QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL] = "QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL",
};

const char *qemu_devices_error_name(enum qemu_devices_error error)
{
    if ((unsigned)error >= QEMU_DEVICES_ERROR_COUNT)
        return "QEMU_DEVICES_ERR_UNKNOWN";
    return error_names[error];
}

/* Formats the message into error (when given) and returns `code`. */
__attribute__((format(printf, 4, 5))) static enum qemu_devices_error
fail(enum qemu_devices_error code, char *error, size_t error_len, const char *format, ...)
{
    if (error != NULL && error_len > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, error_len, format, args);
        va_end(args);
    }
    return code;
}

/* ---- argument vectors ------------------------------------------------------- */

void qemu_argv_init(struct qemu_argv *argv)
{
    if (argv == NULL)
        return;
    argv->count = 0;
    argv->arg[0] = NULL;
    argv->storage_used = 0;
}

bool qemu_argv_add(struct qemu_argv *argv, const char *arg)
{
    if (argv == NULL || arg == NULL || argv->count >= QEMU_ARGV_MAX ||
        argv->storage_used > QEMU_ARG_BYTES)
        return false;
    size_t length = strlen(arg) + 1;
    if (length > QEMU_ARG_BYTES - argv->storage_used)
        return false;
    char *copy = argv->storage + argv->storage_used;
    memcpy(copy, arg, length);
    argv->storage_used += length;
    argv->arg[argv->count++] = copy;
    argv->arg[argv->count] = NULL;
    return true;
}

/* ---- PCI ---------------------------------------------------------------------- */

static void bar_text(const struct pci_host_bar_desc *bars, char *out, size_t out_len)
{
    static const char *const kinds[] = {"none", "io", "mem", "mem64"};
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < PCI_HOST_BARS && used < out_len; i++) {
        const struct pci_host_bar_desc *bar = &bars[i];
        if (bar->kind == PCI_HOST_BAR_NONE || bar->kind > PCI_HOST_BAR_KIND_MEM64)
            continue;
        int n = snprintf(out + used, out_len - used, " bar%u %s%s 0x%llx", i,
                         bar->kind != PCI_HOST_BAR_KIND_IO && bar->prefetchable ? "p" : "",
                         kinds[bar->kind], (unsigned long long)bar->size);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* The line as the error names it: "02:1f.0 1234:5678 class ff0000 rev 00 bar2 pmem 0x100000". */
static void function_text(const struct scenario_pci_function *f, char *out, size_t out_len)
{
    char bars[160];
    bar_text(f->desc.bars, bars, sizeof bars);
    snprintf(out, out_len, "%02x:%02x.%x %04x:%04x class %06x rev %02x%s", f->bus, f->device,
             f->function, f->desc.vendor_id, f->desc.device_id, (unsigned)f->desc.class_code,
             f->desc.revision, bars);
}

static bool function_is_bridge(const struct scenario_pci_function *f)
{
    return f->desc.header_type == PCI_HOST_HEADER_BRIDGE;
}

/* What the parser guarantees and this file relies on. */
static enum qemu_devices_error pci_check_struct(const struct scenario *scenario, char *error,
                                                size_t error_len)
{
    if (scenario->pci_count > SCENARIO_PCI_FUNCTIONS_MAX)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "pci: %zu functions, at most %d", scenario->pci_count,
                    SCENARIO_PCI_FUNCTIONS_MAX);
    for (size_t i = 0; i < scenario->pci_count; i++) {
        const struct scenario_pci_function *f = &scenario->pci[i];
        if (f->device > PCI_DEVICE_MAX || f->function > PCI_FUNCTION_MAX)
            return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                        "pci function %zu: device %u function %u out of range", i, f->device,
                        f->function);
        if (function_is_bridge(f) != (f->secondary_bus != 0))
            return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                        "pci function %zu: a bridge needs a secondary bus, an endpoint none", i);
        if (f->bus == 0)
            continue;
        bool bus_exists = false;
        for (size_t j = 0; j < scenario->pci_count && !bus_exists; j++)
            bus_exists = j != i && scenario->pci[j].secondary_bus == f->bus;
        if (!bus_exists)
            return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                        "pci function %zu: no bridge has bus %02x behind it", i, f->bus);
    }
    return QEMU_DEVICES_OK;
}

/* SeaBIOS numbers buses depth first: on each bus, bridges in ascending
 * device.function order, each gets the next number, then its subtree
 * (pci_bios_init_bus_rec). Checks the scenario's numbers are those;
 * `counter` is the last number given. `depth` bounds a hand-made loop. */
static enum qemu_devices_error pci_check_numbering(const struct scenario *scenario, uint8_t bus,
                                                   unsigned *counter, unsigned depth,
                                                   char *error, size_t error_len)
{
    if (depth > SCENARIO_PCI_FUNCTIONS_MAX)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "pci: bridges form a loop through bus %02x", bus);
    unsigned previous_devfn = 0;
    bool first = true;
    for (;;) {
        /* the next bridge on this bus in devfn order */
        const struct scenario_pci_function *next = NULL;
        for (size_t i = 0; i < scenario->pci_count; i++) {
            const struct scenario_pci_function *f = &scenario->pci[i];
            unsigned devfn = (unsigned)f->device << 3 | f->function;
            if (f->bus != bus || !function_is_bridge(f) || (!first && devfn <= previous_devfn))
                continue;
            if (next == NULL || devfn < ((unsigned)next->device << 3 | next->function))
                next = f;
        }
        if (next == NULL)
            return QEMU_DEVICES_OK;
        first = false;
        previous_devfn = (unsigned)next->device << 3 | next->function;
        unsigned expected = ++*counter;
        if (expected != next->secondary_bus)
            return fail(QEMU_DEVICES_ERR_PCI_BUS_NUMBERING, error, error_len,
                        "pci_bridge %02x:%02x.%x secondary=%u: SeaBIOS numbers buses depth first "
                        "in slot order and gives this bridge bus %u",
                        next->bus, next->device, next->function, next->secondary_bus, expected);
        enum qemu_devices_error result = pci_check_numbering(scenario, next->secondary_bus, counter,
                                                             depth + 1, error, error_len);
        if (result != QEMU_DEVICES_OK)
            return result;
    }
}

/* QEMU's parent bus for a function on scenario bus `bus`. */
static void bus_name(uint8_t bus, char *out, size_t out_len)
{
    if (bus == 0)
        snprintf(out, out_len, "pci.0");
    else
        snprintf(out, out_len, "pci_bus_%u", bus);
}

static enum qemu_devices_error add_device(struct qemu_argv *argv, const char *value, char *error,
                                          size_t error_len)
{
    if (!qemu_argv_add(argv, "-device") || !qemu_argv_add(argv, value))
        return fail(QEMU_DEVICES_ERR_TOO_MANY_ARGS, error, error_len,
                    "QEMU arguments: no room for -device %s", value);
    return QEMU_DEVICES_OK;
}

/* The text of a model's configuration, for "QEMU's X is ..." hints. */
static void model_text(const struct qemu_pci_model *model, char *out, size_t out_len)
{
    char bars[160];
    bar_text(model->bars, bars, sizeof bars);
    snprintf(out, out_len, "%04x:%04x class %06x rev %02x%s", model->vendor_id, model->device_id,
             (unsigned)model->class_code, model->revision, bars);
}

static enum qemu_devices_error pci_function_args(const struct scenario_pci_function *f,
                                                 struct qemu_argv *argv, char *error,
                                                 size_t error_len)
{
    char parent[32], option[OPTION_BYTES];
    bus_name(f->bus, parent, sizeof parent);
    const char *multifunction = f->desc.multifunction ? ",multifunction=on" : "";
    if (function_is_bridge(f)) {
        if (f->desc.vendor_id != PCI_BRIDGE_VENDOR || f->desc.device_id != PCI_BRIDGE_DEVICE)
            return fail(QEMU_DEVICES_ERR_PCI_UNSUPPORTED, error, error_len,
                        "pci_bridge %02x:%02x.%x %04x:%04x: QEMU's pci-bridge is 1b36:0001",
                        f->bus, f->device, f->function, f->desc.vendor_id, f->desc.device_id);
        /* chassis_nr must be unique, and the sim gives the slot-ID capability
         * the secondary bus as its chassis number; shpc and msi off leave the
         * capability list the sim models. */
        snprintf(option, sizeof option,
                 "pci-bridge,id=pci_bus_%u,bus=%s,addr=%02x.%x,chassis_nr=%u,shpc=off,msi=off%s",
                 f->secondary_bus, parent, f->device, f->function, f->secondary_bus,
                 multifunction);
        return add_device(argv, option, error, error_len);
    }
    const struct qemu_pci_model *model = qemu_devices_pci_match(&f->desc);
    if (model == NULL) {
        char line[256], hint[256] = "";
        function_text(f, line, sizeof line);
        for (size_t i = 0; i < qemu_devices_pci_model_count(); i++) {
            const struct qemu_pci_model *same_ids = qemu_devices_pci_model(i);
            if (same_ids->vendor_id == f->desc.vendor_id &&
                same_ids->device_id == f->desc.device_id) {
                char text[200];
                model_text(same_ids, text, sizeof text);
                snprintf(hint, sizeof hint, " (QEMU's %s is %s)", same_ids->driver, text);
                break;
            }
        }
        return fail(QEMU_DEVICES_ERR_PCI_UNSUPPORTED, error, error_len,
                    "pci %s: no QEMU 7.2 device has these ids, class, revision and BARs%s", line,
                    hint);
    }
    char serial[40] = "";
    if (model->needs_serial)
        snprintf(serial, sizeof serial, ",serial=duet%02x%02x%x", f->bus, f->device, f->function);
    snprintf(option, sizeof option, "%s,bus=%s,addr=%02x.%x%s%s", model->driver, parent, f->device,
             f->function, multifunction, serial);
    return add_device(argv, option, error, error_len);
}

static enum qemu_devices_error pci_args(const struct scenario *scenario, struct qemu_argv *argv,
                                        char *error, size_t error_len)
{
    enum qemu_devices_error result = pci_check_struct(scenario, error, error_len);
    if (result != QEMU_DEVICES_OK)
        return result;
    unsigned counter = 0;
    result = pci_check_numbering(scenario, 0, &counter, 0, error, error_len);
    if (result != QEMU_DEVICES_OK)
        return result;
    /* Every bridge must be reached from bus 0 (each visit numbers one; a
     * bridge visited twice got a number it does not have), or it sits on a
     * bus nobody numbers. */
    unsigned bridges = 0;
    for (size_t i = 0; i < scenario->pci_count; i++)
        bridges += function_is_bridge(&scenario->pci[i]);
    if (counter != bridges)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "pci: %u bridges, %u of them reachable from bus 0", bridges, counter);
    /* File order: function 0 of a device before its others, bridges before
     * what sits behind them, as QEMU needs them. */
    for (size_t i = 0; i < scenario->pci_count; i++) {
        result = pci_function_args(&scenario->pci[i], argv, error, error_len);
        if (result != QEMU_DEVICES_OK)
            return result;
    }
    return QEMU_DEVICES_OK;
}

/* ---- the disk ----------------------------------------------------------------- */

static enum qemu_devices_error disk_check_struct(const struct scenario_disk *disk, char *error,
                                                 size_t error_len)
{
    if (disk->sectors > SCENARIO_DISK_SECTORS_MAX)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "disk: %u sectors, at most %d", disk->sectors, SCENARIO_DISK_SECTORS_MAX);
    if (disk->line_count > SCENARIO_DISK_LINES_MAX)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "disk: %zu lines, at most %d", disk->line_count, SCENARIO_DISK_LINES_MAX);
    if (disk->image == NULL && disk->image_len != 0)
        return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                    "disk: image length %zu without bytes", disk->image_len);
    for (size_t i = 0; i < disk->line_count; i++) {
        const struct scenario_disk_line *line = &disk->lines[i];
        bool kind_known = line->kind == SCENARIO_DISK_FILL_BYTE ||
                          line->kind == SCENARIO_DISK_FILL_LBA || line->kind == SCENARIO_DISK_SECTOR;
        if (!kind_known || line->lba >= disk->sectors || line->count > disk->sectors - line->lba ||
            line->length > SCENARIO_DISK_SECTOR_BYTES)
            return fail(QEMU_DEVICES_ERR_BAD_SCENARIO, error, error_len,
                        "disk line %zu: kind %u, sectors %u+%u, length %u do not fit a disk of %u "
                        "sectors", i, line->kind, line->lba, line->count, line->length,
                        disk->sectors);
    }
    return QEMU_DEVICES_OK;
}

static enum qemu_devices_error disk_write(const struct scenario_disk *disk, const char *path,
                                          char *error, size_t error_len)
{
    size_t bytes = (size_t)disk->sectors * SCENARIO_DISK_SECTOR_BYTES;
    uint8_t *image = malloc(bytes);
    if (image == NULL)
        return fail(QEMU_DEVICES_ERR_DISK_WRITE, error, error_len,
                    "disk image %s: no memory for %zu bytes", path, bytes);
    scenario_disk_render(disk, image, bytes);
    FILE *file = fopen(path, "wb");
    bool written = file != NULL && fwrite(image, 1, bytes, file) == bytes;
    bool closed = file != NULL && fclose(file) == 0;
    free(image);
    if (!written || !closed)
        return fail(QEMU_DEVICES_ERR_DISK_WRITE, error, error_len,
                    "disk image %s: cannot write %zu bytes", path, bytes);
    return QEMU_DEVICES_OK;
}

/* QEMU splits option values at commas; a comma in a file name is doubled. */
static bool escape_commas(const char *text, char *out, size_t out_len)
{
    size_t used = 0;
    for (const char *c = text; *c != '\0'; c++) {
        size_t need = *c == ',' ? 2 : 1;
        if (used + need >= out_len)
            return false;
        out[used++] = *c;
        if (*c == ',')
            out[used++] = ',';
    }
    out[used] = '\0';
    return true;
}

static enum qemu_devices_error disk_args(const struct scenario *scenario, const char *work_dir,
                                         struct qemu_argv *argv, char *error, size_t error_len)
{
    const struct scenario_disk *disk = &scenario->disk;
    enum qemu_devices_error result = disk_check_struct(disk, error, error_len);
    if (result != QEMU_DEVICES_OK || disk->sectors == 0)
        return result;     /* no disk: no drive; pc's only default is a CD-ROM on ide.1 */
    char path[PATH_BYTES], escaped[2 * PATH_BYTES], drive[2 * PATH_BYTES + 64];
    if (work_dir == NULL || work_dir[0] == '\0' ||
        (size_t)snprintf(path, sizeof path, "%s/disk.img", work_dir) >= sizeof path ||
        !escape_commas(path, escaped, sizeof escaped))
        return fail(QEMU_DEVICES_ERR_BAD_ARGUMENT, error, error_len,
                    "disk: the work directory is missing or its path too long");
    result = disk_write(disk, path, error, error_len);
    if (result != QEMU_DEVICES_OK)
        return result;
    /* A drive without a bus, then the disk on the primary master: the ATA
     * driver probes ide.0 unit 0; a runner recording with rr can wrap the
     * drive "duet_disk" in a blkreplay one. */
    snprintf(drive, sizeof drive, "if=none,id=duet_disk,file=%s,format=raw", escaped);
    if (!qemu_argv_add(argv, "-drive") || !qemu_argv_add(argv, drive) ||
        !qemu_argv_add(argv, "-device") ||
        !qemu_argv_add(argv, "ide-hd,drive=duet_disk,bus=ide.0,unit=0"))
        return fail(QEMU_DEVICES_ERR_TOO_MANY_ARGS, error, error_len,
                    "QEMU arguments: no room for the disk");
    return QEMU_DEVICES_OK;
}

enum qemu_devices_error qemu_devices_args(const struct scenario *scenario, const char *work_dir,
                                          struct qemu_argv *argv, char *error, size_t error_len)
{
    if (error != NULL && error_len > 0)
        error[0] = '\0';
    if (scenario == NULL || argv == NULL || argv->count > QEMU_ARGV_MAX ||
        argv->storage_used > QEMU_ARG_BYTES)
        return fail(QEMU_DEVICES_ERR_BAD_ARGUMENT, error, error_len,
                    "qemu_devices_args: no scenario or no valid argument vector");
    /* On error the vector is left as it came. */
    size_t count = argv->count, storage_used = argv->storage_used;
    enum qemu_devices_error result = pci_args(scenario, argv, error, error_len);
    if (result == QEMU_DEVICES_OK)
        result = disk_args(scenario, work_dir, argv, error, error_len);
    if (result != QEMU_DEVICES_OK) {
        argv->count = count;
        argv->storage_used = storage_used;
        argv->arg[count] = NULL;
    }
    return result;
}
