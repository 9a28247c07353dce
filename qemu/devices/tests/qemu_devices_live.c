/*
 * qemu_devices_live.c - qemu_devices.h held against the real
 * qemu-system-x86_64: what the arguments build and what the QMP commands
 * send must be what the scenario says and what the sim's models do.
 *
 * QEMU runs with -S (the CPU never starts, so no firmware: the tests
 * program what SeaBIOS would where it matters), its qtest protocol on
 * stdin/stdout and QMP on a unix socket in WORK_DIR. Checks:
 *  1. every row of the PCI table, all at once on bus 0 (in batches of the
 *     scenario's function limit): ids, class, revision, header type and
 *     every BAR sized by writing all ones;
 *  2. pci.scn: its bridges' bus registers programmed as firmware
 *     would, then every bus scanned: exactly the board's four functions
 *     and the scenario's, each as declared;
 *  3. SeaBIOS's bus numbering: the same machine booted with firmware
 *     (TCG, no qtest), and "info pci" over QMP shows the scenario's bus
 *     numbers;
 *  4. ata.scn's disk: IDENTIFY word for word as the sim's IDE model
 *     (hw_models/ide.c) builds it for the same image, and every sector
 *     read back with READ SECTORS; a world without a disk has no master;
 *  5. every key of enum ps2_key, pressed and released through the QMP
 *     command qemu_devices_input_command makes, with translation off and
 *     on, gives the bytes the sim's keyboard model (hw_models/ps2.c) gives;
 *     also Pause with Ctrl held and the raw inputs that convert.
 *
 * Usage: qemu_devices_live SCENARIO_DIR WORK_DIR. Exit 0 with
 * "qemu_devices_live: ok", 1 naming each failure, 77 when
 * qemu-system-x86_64 is not installed.
 */
#include "duet/qemu_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duet/ide.h"
#include "duet/ps2.h"

static int failures;
static unsigned checks;

#define CHECK(condition, ...)                                                                   \
    do {                                                                                        \
        checks++;                                                                               \
        if (!(condition)) {                                                                     \
            failures++;                                                                         \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                     \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fputc('\n', stderr);                                                                \
        }                                                                                       \
    } while (0)

static const char *scenario_dir;
static const char *work_dir;

static void die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "qemu_devices_live: ");
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* ---- one QEMU process: qtest on pipes, QMP on a socket ------------------------------ */

struct qemu {
    pid_t pid;
    FILE *qtest_in;      /* our commands */
    FILE *qtest_out;     /* its replies  */
    FILE *qmp;           /* NULL without QMP */
    char socket_path[512];
};

static const char *const base_args[] = {"qemu-system-x86_64", QEMU_DEVICES_BASE_MACHINE,
                                        "-display", "none", "-monitor", "none",
                                        "-serial", "none", "-parallel", "none"};

/* How a test machine runs. This QEMU has no qtest accelerator (Debian
 * builds only tcg and kvm), so with -qtest the CPU still runs SeaBIOS. */
enum qemu_mode {
    QEMU_STOPPED,     /* -S: the CPU never starts; qtest alone touches the devices */
    QEMU_FIRMWARE,    /* SeaBIOS runs; QMP only */
    QEMU_RUNNING,     /* SeaBIOS runs (input needs a running VM) and qtest too */
};

static void qemu_start(struct qemu *q, const struct qemu_argv *devices, enum qemu_mode mode)
{
    static unsigned instance;
    memset(q, 0, sizeof *q);
    snprintf(q->socket_path, sizeof q->socket_path, "%s/qmp%u.sock", work_dir, instance++);
    unlink(q->socket_path);
    char qmp_option[600];
    snprintf(qmp_option, sizeof qmp_option, "unix:%s,server=on,wait=off", q->socket_path);

    const char *argv[QEMU_ARGV_MAX + 32];
    size_t n = 0;
    for (size_t i = 0; i < sizeof base_args / sizeof base_args[0]; i++)
        argv[n++] = base_args[i];
    argv[n++] = "-accel";
    argv[n++] = "tcg";
    if (mode == QEMU_STOPPED)
        argv[n++] = "-S";
    if (mode != QEMU_FIRMWARE) {
        argv[n++] = "-qtest";
        argv[n++] = "stdio";
    }
    argv[n++] = "-qmp";
    argv[n++] = qmp_option;
    for (size_t i = 0; i < devices->count; i++)
        argv[n++] = devices->arg[i];
    argv[n] = NULL;

    int to_qemu[2], from_qemu[2];
    if (pipe(to_qemu) != 0 || pipe(from_qemu) != 0)
        die("pipe: %s", strerror(errno));
    char log_path[600];
    snprintf(log_path, sizeof log_path, "%s/qemu%u.log", work_dir, instance - 1);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);    /* never outlive the test */
        dup2(to_qemu[0], 0);
        dup2(from_qemu[1], 1);
        int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (log >= 0)
            dup2(log, 2);
        close(to_qemu[1]);
        close(from_qemu[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(to_qemu[0]);
    close(from_qemu[1]);
    q->pid = pid;
    q->qtest_in = fdopen(to_qemu[1], "w");
    q->qtest_out = fdopen(from_qemu[0], "r");
    if (q->qtest_in == NULL || q->qtest_out == NULL)
        die("fdopen: %s", strerror(errno));
}

static void qemu_stop(struct qemu *q)
{
    if (q->qmp != NULL)
        fclose(q->qmp);
    fclose(q->qtest_in);
    fclose(q->qtest_out);
    kill(q->pid, SIGKILL);
    waitpid(q->pid, NULL, 0);
    unlink(q->socket_path);
}

/* One qtest command; the value of its "OK [value]" reply. */
static unsigned long long qtest(struct qemu *q, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(q->qtest_in, format, args);
    va_end(args);
    fputc('\n', q->qtest_in);
    fflush(q->qtest_in);
    char line[512];
    while (fgets(line, sizeof line, q->qtest_out) != NULL) {
        if (strncmp(line, "OK", 2) == 0)
            return strtoull(line + 2, NULL, 0);
        if (strncmp(line, "FAIL", 4) == 0)
            die("qtest refused a command: %s", line);
        /* asynchronous "IRQ ..." lines: not asked for, skipped */
    }
    die("QEMU ended (see %s/qemu*.log)", work_dir);
    return 0;
}

static uint8_t inb(struct qemu *q, unsigned port) { return (uint8_t)qtest(q, "inb 0x%x", port); }
static uint16_t inw(struct qemu *q, unsigned port) { return (uint16_t)qtest(q, "inw 0x%x", port); }
static void outb(struct qemu *q, unsigned port, unsigned v) { qtest(q, "outb 0x%x 0x%x", port, v); }

/* Reads one line of QMP; false at EOF. */
static bool qmp_line(struct qemu *q, char *line, size_t size)
{
    return fgets(line, (int)size, q->qmp) != NULL;
}

/* Connects once QEMU listens (with qtest: it does once qtest answers). */
static void qmp_connect(struct qemu *q)
{
    int fd = -1;
    for (int attempt = 0; attempt < 200 && fd < 0; attempt++) {
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        snprintf(address.sun_path, sizeof address.sun_path, "%s", q->socket_path);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
            close(fd);
            fd = -1;
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
    }
    if (fd < 0)
        die("QMP socket %s: %s", q->socket_path, strerror(errno));
    q->qmp = fdopen(fd, "r+");
    char line[4096];
    if (q->qmp == NULL || !qmp_line(q, line, sizeof line) || strstr(line, "\"QMP\"") == NULL)
        die("no QMP greeting");
}

/* Sends one command; the reply line (events skipped) in reply. */
static void qmp(struct qemu *q, const char *command, char *reply, size_t reply_size)
{
    fprintf(q->qmp, "%s\n", command);
    fflush(q->qmp);
    while (qmp_line(q, reply, reply_size)) {
        if (strstr(reply, "\"return\"") != NULL || strstr(reply, "\"error\"") != NULL)
            return;
    }
    die("QMP ended after %s", command);
}

static void qmp_ok(struct qemu *q, const char *command)
{
    char reply[4096];
    qmp(q, command, reply, sizeof reply);
    CHECK(strncmp(reply, "{\"return\": {}}", 14) == 0, "QMP %s: %s", command, reply);
}

/* ---- PCI configuration space over qtest --------------------------------------------- */

static uint32_t config_read(struct qemu *q, unsigned bus, unsigned devfn, unsigned offset)
{
    qtest(q, "outl 0xcf8 0x%x", 0x80000000u | bus << 16 | devfn << 8 | (offset & 0xFC));
    return (uint32_t)qtest(q, "inl 0xcfc");
}

static void config_write(struct qemu *q, unsigned bus, unsigned devfn, unsigned offset,
                         uint32_t value)
{
    qtest(q, "outl 0xcf8 0x%x", 0x80000000u | bus << 16 | devfn << 8 | (offset & 0xFC));
    qtest(q, "outl 0xcfc 0x%x", value);
}

/* Sizes BAR `bar` as the driver does (all ones, read, restore). */
static struct pci_host_bar_desc bar_probe(struct qemu *q, unsigned bus, unsigned devfn,
                                          unsigned bar)
{
    struct pci_host_bar_desc desc = {PCI_HOST_BAR_NONE, false, 0};
    unsigned offset = 0x10 + 4 * bar;
    uint32_t old = config_read(q, bus, devfn, offset);
    config_write(q, bus, devfn, offset, 0xFFFFFFFFu);
    uint32_t low = config_read(q, bus, devfn, offset);
    config_write(q, bus, devfn, offset, old);
    if (low == 0)
        return desc;
    if (low & 1) {
        uint32_t mask = low & ~3u;
        if ((mask & 0xFFFF0000u) == 0)
            mask |= 0xFFFF0000u;   /* decodes 16 bits */
        desc.kind = PCI_HOST_BAR_KIND_IO;
        desc.size = (uint32_t)(~mask + 1);
        return desc;
    }
    desc.prefetchable = (low & 8) != 0;
    if (((low >> 1) & 3) == 2 && bar < 5) {
        uint32_t old_high = config_read(q, bus, devfn, offset + 4);
        config_write(q, bus, devfn, offset + 4, 0xFFFFFFFFu);
        uint32_t high = config_read(q, bus, devfn, offset + 4);
        config_write(q, bus, devfn, offset + 4, old_high);
        uint64_t mask = (uint64_t)high << 32 | (low & ~0xFu);
        desc.kind = PCI_HOST_BAR_KIND_MEM64;
        desc.size = ~mask + 1;
    } else {
        desc.kind = PCI_HOST_BAR_KIND_MEM32;
        desc.size = (uint32_t)(~(low & ~0xFu) + 1);
    }
    return desc;
}

/* Checks the function at bus:devfn is what `f` declares. */
static void check_function(struct qemu *q, const struct scenario_pci_function *f, const char *what)
{
    unsigned devfn = (unsigned)f->device << 3 | f->function;
    uint32_t ids = config_read(q, f->bus, devfn, 0);
    uint32_t class_revision = config_read(q, f->bus, devfn, 8);
    uint8_t header = (uint8_t)(config_read(q, f->bus, devfn, 0x0C) >> 16);
    const struct pci_host_function_desc *d = &f->desc;
    CHECK(ids == ((uint32_t)d->device_id << 16 | d->vendor_id), "%s %02x:%02x.%x: ids %08x", what,
          f->bus, f->device, f->function, ids);
    CHECK(class_revision >> 8 == d->class_code && (class_revision & 0xFF) == d->revision,
          "%s %02x:%02x.%x: class/revision %08x, expected %06x %02x", what, f->bus, f->device,
          f->function, class_revision, (unsigned)d->class_code, d->revision);
    uint8_t expected_header = (uint8_t)(d->header_type | (d->multifunction ? 0x80 : 0));
    CHECK(header == expected_header, "%s %02x:%02x.%x: header type %02x, expected %02x", what,
          f->bus, f->device, f->function, header, expected_header);
    if (d->header_type != PCI_HOST_HEADER_ENDPOINT)
        return;
    for (unsigned bar = 0; bar < PCI_HOST_BARS; bar++) {
        if (bar > 0 && d->bars[bar - 1].kind == PCI_HOST_BAR_KIND_MEM64)
            continue;   /* the upper half */
        struct pci_host_bar_desc got = bar_probe(q, f->bus, devfn, bar);
        const struct pci_host_bar_desc *want = &d->bars[bar];
        bool same = got.kind == want->kind &&
                    (got.kind == PCI_HOST_BAR_NONE ||
                     (got.size == want->size &&
                      (got.kind == PCI_HOST_BAR_KIND_IO || got.prefetchable == want->prefetchable)));
        CHECK(same, "%s %02x:%02x.%x BAR %u: kind %u%s size 0x%llx, expected kind %u%s 0x%llx",
              what, f->bus, f->device, f->function, bar, got.kind, got.prefetchable ? "p" : "",
              (unsigned long long)got.size, want->kind, want->prefetchable ? "p" : "",
              (unsigned long long)want->size);
    }
}

static enum qemu_devices_error devices_of(const struct scenario *s, struct qemu_argv *argv)
{
    char error[512];
    qemu_argv_init(argv);
    enum qemu_devices_error e = qemu_devices_args(s, work_dir, argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_OK, "%s: %s %s", s->name, qemu_devices_error_name(e), error);
    return e;
}

static struct scenario *scenario_new(void)
{
    struct scenario *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("out of memory");
    return s;
}

static struct scenario *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", scenario_dir, name);
    struct scenario *s = scenario_new();
    char *text = NULL;
    size_t line = 0;
    enum scenario_error e = scenario_load(path, s, &text, &line);
    if (e != SCENARIO_OK)
        die("%s: %s at line %zu", path, scenario_error_name(e), line);
    free(text);
    return s;
}

static void scenario_free(struct scenario *s)
{
    scenario_release(s);
    free(s);
}

/* 1. Every table row on bus 0, from 00:03.0 on. */
static void test_pci_table(void)
{
    static struct qemu_argv argv;
    size_t count = qemu_devices_pci_model_count();
    for (size_t first = 0; first < count; first += SCENARIO_PCI_FUNCTIONS_MAX) {
        struct scenario *s = scenario_new();
        snprintf(s->name, sizeof s->name, "table_rows_%zu", first);
        for (size_t i = first; i < count && s->pci_count < SCENARIO_PCI_FUNCTIONS_MAX; i++) {
            const struct qemu_pci_model *m = qemu_devices_pci_model(i);
            struct scenario_pci_function *f = &s->pci[s->pci_count++];
            f->device = (uint8_t)(3 + (i - first));
            f->desc.vendor_id = m->vendor_id;
            f->desc.device_id = m->device_id;
            f->desc.class_code = m->class_code;
            f->desc.revision = m->revision;
            f->desc.header_type = PCI_HOST_HEADER_ENDPOINT;
            memcpy(f->desc.bars, m->bars, sizeof f->desc.bars);
        }
        if (devices_of(s, &argv) == QEMU_DEVICES_OK) {
            struct qemu q;
            qemu_start(&q, &argv, QEMU_STOPPED);
            for (size_t i = 0; i < s->pci_count; i++)
                check_function(&q, &s->pci[i], qemu_devices_pci_model(first + i)->driver);
            qemu_stop(&q);
        }
        scenario_free(s);
    }
}

/* The highest bus behind the bridge to `bus` (depth-first numbering). */
static unsigned subordinate_of(const struct scenario *s, unsigned bus)
{
    unsigned highest = bus;
    for (size_t i = 0; i < s->pci_count; i++)
        if (s->pci[i].secondary_bus != 0 && s->pci[i].bus == bus) {
            unsigned below = subordinate_of(s, s->pci[i].secondary_bus);
            highest = below > highest ? below : highest;
        }
    return highest;
}

/* 2. pci.scn with its buses numbered as firmware would. */
static void test_pci_scenario(void)
{
    static struct qemu_argv argv;
    struct scenario *s = load("pci.scn");
    if (devices_of(s, &argv) != QEMU_DEVICES_OK) {
        scenario_free(s);
        return;
    }
    struct qemu q;
    qemu_start(&q, &argv, QEMU_STOPPED);
    /* Bridges in file order: a bridge's own bus is numbered before it. */
    for (size_t i = 0; i < s->pci_count; i++) {
        const struct scenario_pci_function *f = &s->pci[i];
        if (f->secondary_bus == 0)
            continue;
        uint32_t numbers = f->bus | (uint32_t)f->secondary_bus << 8 |
                           subordinate_of(s, f->secondary_bus) << 16;
        config_write(&q, f->bus, (unsigned)f->device << 3 | f->function, 0x18, numbers);
    }
    for (size_t i = 0; i < s->pci_count; i++)
        check_function(&q, &s->pci[i], "pci.scn");
    /* Nothing else answers on buses 0-3 but the board's four. */
    unsigned found = 0;
    for (unsigned bus = 0; bus <= 3; bus++)
        for (unsigned devfn = 0; devfn < 256; devfn++) {
            uint32_t ids = config_read(&q, bus, devfn, 0);
            if ((ids & 0xFFFF) == 0xFFFF)
                continue;
            found++;
            bool declared = bus == 0 && (devfn == 0 || devfn == 8 || devfn == 9 || devfn == 11);
            for (size_t i = 0; i < s->pci_count && !declared; i++)
                declared = s->pci[i].bus == bus &&
                           ((unsigned)s->pci[i].device << 3 | s->pci[i].function) == devfn;
            CHECK(declared, "pci.scn: %02x:%02x.%x %08x is not in the scenario", bus,
                  devfn >> 3, devfn & 7, ids);
        }
    CHECK(found == 4 + s->pci_count, "pci.scn: %u functions, expected %zu", found,
          4 + s->pci_count);
    qemu_stop(&q);
    scenario_free(s);
}

/* 3. SeaBIOS numbers the buses as the scenario does: boot with firmware
 * and read "info pci" until the bridges have their numbers. */
static void test_seabios_numbering(void)
{
    static struct qemu_argv argv;
    struct scenario *s = load("pci.scn");
    if (devices_of(s, &argv) != QEMU_DEVICES_OK) {
        scenario_free(s);
        return;
    }
    struct qemu q;
    qemu_start(&q, &argv, QEMU_FIRMWARE);
    qmp_connect(&q);
    qmp_ok(&q, "{\"execute\":\"qmp_capabilities\"}");
    static char reply[65536];
    bool numbered = false;
    for (int attempt = 0; attempt < 200 && !numbered; attempt++) {
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
        qmp(&q, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":"
                "\"info pci\"}}", reply, sizeof reply);
        /* The last bridge SeaBIOS numbers is 00:06.0, to bus 3. */
        numbered = strstr(reply, "secondary bus 3.") != NULL;
    }
    CHECK(numbered, "SeaBIOS did not number the buses within 10 s");
    /* Each scenario function at its bus number: "Bus  2, device  31, function 0:" and its ids. */
    for (size_t i = 0; i < s->pci_count && numbered; i++) {
        const struct scenario_pci_function *f = &s->pci[i];
        char where[80], ids[40];
        snprintf(where, sizeof where, "Bus %2u, device %3u, function %u:", f->bus, f->device,
                 f->function);
        snprintf(ids, sizeof ids, "PCI device %04x:%04x", f->desc.vendor_id, f->desc.device_id);
        const char *at = strstr(reply, where);
        const char *next = at != NULL ? strstr(at + 1, "Bus ") : NULL;
        const char *id_at = at != NULL ? strstr(at, ids) : NULL;
        CHECK(at != NULL && id_at != NULL && (next == NULL || id_at < next),
              "SeaBIOS: no %s at %02x:%02x.%x", ids, f->bus, f->device, f->function);
        if (f->secondary_bus != 0 && at != NULL) {
            char secondary[40];
            snprintf(secondary, sizeof secondary, "secondary bus %u.", f->secondary_bus);
            const char *sec_at = strstr(at, secondary);
            CHECK(sec_at != NULL && (next == NULL || sec_at < next),
                  "SeaBIOS: bridge %02x:%02x.%x is not to bus %u", f->bus, f->device, f->function,
                  f->secondary_bus);
        }
    }
    qemu_stop(&q);
    scenario_free(s);
}

/* ---- the disk ------------------------------------------------------------------------ */

struct model_host {
    uint64_t now;
};
static void host_irq(void *owner, unsigned line, int level) { (void)owner, (void)line, (void)level; }
static uint64_t host_now(void *owner) { return ((struct model_host *)owner)->now; }
static void host_deadline(void *owner, void *model, uint64_t at) { (void)owner, (void)model, (void)at; }

/* The sim's IDE model's IDENTIFY block for the same image. */
static void model_identify(uint8_t *image, size_t bytes, uint16_t words[256])
{
    static struct ide ide;
    static struct model_host owner;
    static const struct hw_bus_host host = {&owner, host_irq, host_now, host_deadline};
    ide_init(&ide, &host, 14, image, bytes, NULL);
    struct hw_port_device command = ide_command_port_device(&ide);
    command.write(command.model, 6, 1, 0xA0);
    command.write(command.model, 7, 1, 0xEC);
    for (unsigned i = 0; i < 256; i++)
        words[i] = (uint16_t)command.read(command.model, 0, 2);
}

/* Waits out BSY (QEMU's block I/O completes in its main loop, which runs
 * between qtest commands); the status. */
static uint8_t ide_wait(struct qemu *q)
{
    uint8_t status = inb(q, 0x1F7);
    for (int poll = 0; poll < 10000 && (status & 0x80); poll++)
        status = inb(q, 0x1F7);
    return status;
}

static void test_disk(void)
{
    static struct qemu_argv argv;
    struct scenario *s = load("ata.scn");
    if (devices_of(s, &argv) != QEMU_DEVICES_OK) {
        scenario_free(s);
        return;
    }
    size_t bytes = (size_t)s->disk.sectors * 512;
    uint8_t *image = malloc(bytes);
    if (image == NULL)
        die("out of memory");
    scenario_disk_render(&s->disk, image, bytes);
    uint16_t model_words[256];
    model_identify(image, bytes, model_words);

    struct qemu q;
    qemu_start(&q, &argv, QEMU_STOPPED);
    outb(&q, 0x1F6, 0xA0);
    outb(&q, 0x1F7, 0xEC);
    uint8_t status = ide_wait(&q);
    CHECK((status & 0x89) == 0x08, "IDENTIFY: status %02x", status);
    unsigned differ = 0;
    for (unsigned i = 0; i < 256; i++) {
        uint16_t word = inw(&q, 0x1F0);
        if (word != model_words[i] && differ++ < 8)
            CHECK(false, "IDENTIFY word %u: QEMU %04x, model %04x", i, word, model_words[i]);
    }
    CHECK(differ == 0, "IDENTIFY: %u words differ from the model's", differ);
    /* What the driver takes: LBA28 capacity 64, LBA supported. */
    CHECK(model_words[60] == 64 && model_words[61] == 0 && (model_words[49] & 0x200),
          "capacity words");
    /* Every sector, one READ SECTORS each (LBA28). */
    unsigned bad_sectors = 0;
    for (unsigned lba = 0; lba < s->disk.sectors; lba++) {
        outb(&q, 0x1F6, 0xE0);
        outb(&q, 0x1F2, 1);
        outb(&q, 0x1F3, lba);
        outb(&q, 0x1F4, 0);
        outb(&q, 0x1F5, 0);
        outb(&q, 0x1F7, 0x20);
        status = ide_wait(&q);
        bool same = (status & 0x89) == 0x08;
        for (unsigned i = 0; i < 256 && same; i++) {
            uint16_t word = inw(&q, 0x1F0);
            same = word == (image[lba * 512 + 2 * i] | image[lba * 512 + 2 * i + 1] << 8);
        }
        bad_sectors += !same;
    }
    CHECK(bad_sectors == 0, "%u sectors read back differently (or with an error)", bad_sectors);
    qemu_stop(&q);
    free(image);
    scenario_free(s);

    /* No disk: nobody at the primary master (status 0, as the model's absent drive). */
    s = load("keyboard.scn");
    if (devices_of(s, &argv) == QEMU_DEVICES_OK) {
        qemu_start(&q, &argv, QEMU_STOPPED);
        outb(&q, 0x1F6, 0xA0);
        CHECK(inb(&q, 0x1F7) == 0x00, "no disk: primary master status not 0");
        qemu_stop(&q);
    }
    scenario_free(s);
}

/* ---- keys ----------------------------------------------------------------------------- */

static void model_line(void *ctx, bool level) { (void)ctx, (void)level; }

/* The bytes the sim's keyboard model queues for `key` going down or up. */
static size_t model_bytes(struct ps2_keyboard *kbd, unsigned key, bool down, uint8_t *out)
{
    ps2_keyboard_key(kbd, (enum ps2_key)key, down);
    size_t n = 0;
    while (kbd->port.queue.count > 0 && n < 32)
        out[n++] = ps2_read(&kbd->port);
    return n;
}

static size_t qemu_drain(struct qemu *q, uint8_t *out)
{
    size_t n = 0;
    while (n < 32 && (inb(q, 0x64) & 1))
        out[n++] = inb(q, 0x60);
    return n;
}

static void hex_of(const uint8_t *bytes, size_t n, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < out_len; i++)
        used += (size_t)snprintf(out + used, out_len - used, "%s%02x", i ? " " : "", bytes[i]);
}

/* A scenario of one key input, turned into the QMP command under test. */
static void send_key(struct qemu *q, unsigned key, bool down)
{
    static struct scenario s;
    char json[512], error[256];
    s.keyboard.input_count = 1;
    s.keyboard.inputs[0] = (struct scenario_input){.kind = SCENARIO_INPUT_KEY, .key = (uint8_t)key,
                                                    .press = down};
    enum qemu_devices_error e = qemu_devices_input_command(&s, 0, json, sizeof json, error,
                                                           sizeof error);
    CHECK(e == QEMU_DEVICES_OK, "key %u: %s", key, error);
    qmp_ok(q, json);
}

static void compare_key(struct qemu *q, struct ps2_keyboard *kbd, unsigned key, bool down,
                        const char *mode)
{
    uint8_t want[32], got[32];
    size_t want_n = model_bytes(kbd, key, down, want);
    send_key(q, key, down);
    size_t got_n = qemu_drain(q, got);
    char want_hex[128], got_hex[128];
    hex_of(want, want_n, want_hex, sizeof want_hex);
    hex_of(got, got_n, got_hex, sizeof got_hex);
    CHECK(want_n == got_n && memcmp(want, got, want_n) == 0,
          "%s %s (%s) %s: QEMU sends \"%s\", the model \"%s\"", mode, scenario_key_name(key),
          qemu_devices_key_qcode(key), down ? "press" : "release", got_hex, want_hex);
    if (getenv("QEMU_DEVICES_LIVE_VERBOSE") != NULL)
        printf("%-12s %-11s %-9s %-7s %s\n", mode, scenario_key_name(key),
               qemu_devices_key_qcode(key), down ? "press" : "release", got_hex);
}

/* Raw set-2 inputs that are whole keys come out as those bytes
 * (translated when translation is on), as the model queues them. */
static void compare_raw_inputs(struct qemu *q, struct ps2_keyboard *kbd, const char *mode)
{
    static const uint8_t raw[][8] = {{0xE0, 0x6C, 0xE0, 0xF0, 0x6C},
                                     {0x1C, 0xF0, 0x1C, 0x59, 0xE0, 0x11, 0xF0, 0x59},
                                     {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77},
                                     {0xE0, 0xF0, 0x11}};
    static const uint8_t raw_count[] = {5, 8, 8, 3};
    static struct scenario s;
    s.keyboard.input_count = 1;
    for (size_t i = 0; i < sizeof raw_count / sizeof raw_count[0]; i++) {
        s.keyboard.inputs[0] = (struct scenario_input){.kind = SCENARIO_INPUT_SCANCODES,
                                                        .byte_count = raw_count[i]};
        memcpy(s.keyboard.inputs[0].bytes, raw[i], raw_count[i]);
        char json[1024], error[256];
        enum qemu_devices_error e =
            qemu_devices_input_command(&s, 0, json, sizeof json, error, sizeof error);
        CHECK(e == QEMU_DEVICES_OK, "raw input %zu: %s", i, error);
        if (e != QEMU_DEVICES_OK)
            continue;
        uint8_t want[32], got[32];
        ps2_keyboard_scancodes(kbd, raw[i], raw_count[i]);
        size_t want_n = 0;
        while (kbd->port.queue.count > 0 && want_n < 32)
            want[want_n++] = ps2_read(&kbd->port);
        qmp_ok(q, json);
        size_t got_n = qemu_drain(q, got);
        char want_hex[128], got_hex[128];
        hex_of(want, want_n, want_hex, sizeof want_hex);
        hex_of(got, got_n, got_hex, sizeof got_hex);
        CHECK(want_n == got_n && memcmp(want, got, want_n) == 0,
              "%s raw input %zu: QEMU sends \"%s\", the model \"%s\"", mode, i, got_hex, want_hex);
    }
}

/* Waits until the CPU halts in the boot sector's "cli; hlt" (EIP past the hlt, 0x7C02):
 * SeaBIOS is done with the i8042 and, interrupts off, never reads it. */
static bool wait_halted_in_boot_sector(struct qemu *q)
{
    static char reply[16384];
    for (int attempt = 0; attempt < 400; attempt++) {
        qmp(q, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":"
               "\"info registers\"}}", reply, sizeof reply);
        if (strstr(reply, "EIP=00007c02") != NULL && strstr(reply, "HLT=1") != NULL)
            return true;
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    return false;
}

static void test_keys(void)
{
    /* A boot disk whose boot sector is "cli; hlt; jmp hlt": the machine
     * boots through SeaBIOS, which leaves the i8042 as a guest finds it,
     * and then nothing reads the controller but the test. */
    char boot_path[600], drive[700];
    snprintf(boot_path, sizeof boot_path, "%s/halt_boot_sector.img", work_dir);
    uint8_t sector[512] = {0xFA, 0xF4, 0xEB, 0xFD};
    sector[510] = 0x55;
    sector[511] = 0xAA;
    FILE *file = fopen(boot_path, "wb");
    if (file == NULL || fwrite(sector, 1, sizeof sector, file) != sizeof sector || fclose(file) != 0)
        die("cannot write %s", boot_path);
    snprintf(drive, sizeof drive, "file=%s,format=raw,if=ide,index=0,media=disk", boot_path);
    static struct qemu_argv boot;
    qemu_argv_init(&boot);
    qemu_argv_add(&boot, "-drive");
    qemu_argv_add(&boot, drive);
    struct qemu q;
    qemu_start(&q, &boot, QEMU_RUNNING);
    inb(&q, 0x64);                      /* qtest answers: QEMU is up, QMP listens */
    qmp_connect(&q);
    qmp_ok(&q, "{\"execute\":\"qmp_capabilities\"}");
    bool halted = wait_halted_in_boot_sector(&q);
    CHECK(halted, "the machine did not reach its boot sector within 8 s");
    if (!halted) {
        qemu_stop(&q);
        return;
    }
    /* What SeaBIOS leaves: config byte 0x61 (translation on). */
    outb(&q, 0x64, 0x20);
    uint8_t config = inb(&q, 0x60);
    CHECK(config == QEMU_DEVICES_I8042_CONFIG_SEABIOS, "i8042 config byte after SeaBIOS: %02x, expected 61", config);
    static struct ps2_keyboard kbd;
    ps2_keyboard_init(&kbd, model_line, NULL);
    for (int translated = 1; translated >= 0; translated--) {
        const char *mode = translated ? "translated" : "set 2";
        /* SeaBIOS's byte first; then 0x21, translation off, as the driver
         * of an "i8042 translation off" world finds it. */
        outb(&q, 0x64, 0x60);
        outb(&q, 0x60, translated ? QEMU_DEVICES_I8042_CONFIG_SEABIOS
                                  : QEMU_DEVICES_I8042_CONFIG_UNTRANSLATED);
        ps2_keyboard_set_translation(&kbd, translated);
        uint8_t junk[32];
        qemu_drain(&q, junk);
        for (unsigned key = 0; key < PS2_KEY_COUNT; key++) {
            compare_key(&q, &kbd, key, true, mode);
            compare_key(&q, &kbd, key, false, mode);
        }
        /* Pause with Ctrl held: QEMU and the model send E0 7E (E0 46). */
        compare_key(&q, &kbd, PS2_KEY_LEFT_CTRL, true, mode);
        compare_key(&q, &kbd, PS2_KEY_PAUSE, true, mode);
        compare_key(&q, &kbd, PS2_KEY_PAUSE, false, mode);
        compare_key(&q, &kbd, PS2_KEY_LEFT_CTRL, false, mode);
        compare_raw_inputs(&q, &kbd, mode);
    }
    qemu_stop(&q);
}

static bool qemu_installed(void)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        return false;
    char copy[4096], candidate[4200];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *dir = strtok(copy, ":"); dir != NULL; dir = strtok(NULL, ":")) {
        snprintf(candidate, sizeof candidate, "%s/qemu-system-x86_64", dir);
        if (access(candidate, X_OK) == 0)
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: qemu_devices_live SCENARIO_DIR WORK_DIR\n");
        return 2;
    }
    if (!qemu_installed()) {
        printf("qemu_devices_live: skipped, no qemu-system-x86_64\n");
        return 77;
    }
    scenario_dir = argv[1];
    work_dir = argv[2];
    signal(SIGPIPE, SIG_IGN);       /* a QEMU that died is reported, not a silent exit */
    alarm(55);                      /* a hung QEMU ends the test (ctest's limit is 60 s) */
    test_pci_table();
    test_pci_scenario();
    test_seabios_numbering();
    test_disk();
    test_keys();
    if (failures != 0) {
        fprintf(stderr, "qemu_devices_live: %d of %u checks failed\n", failures, checks);
        return 1;
    }
    printf("qemu_devices_live: ok (%u checks, %zu PCI devices, %d keys)\n", checks,
           qemu_devices_pci_model_count(), PS2_KEY_COUNT);
    return 0;
}
