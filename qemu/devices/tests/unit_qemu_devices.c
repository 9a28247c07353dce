/*
 * unit_qemu_devices.c - qemu_devices.h without QEMU: the arguments for
 * every PCI table row and the shipped scenarios, the bus-numbering and
 * struct checks, the disk image bytes, the qcode table and the QMP
 * commands, and every named error.
 *
 * Usage: unit_qemu_devices SCENARIO_DIR WORK_DIR. Prints
 * "unit_qemu_devices: ok" and exits 0, or names each failed check.
 */
#include "duet/qemu_devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static struct scenario *scenario_new(void)
{
    struct scenario *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return s;
}

/* A scenario from text (plus the config ROM every scenario needs). */
static struct scenario *parse(const char *body)
{
    char text[4096];
    snprintf(text, sizeof text, "name t\n%s\nrom config\nend\n", body);
    struct scenario *s = scenario_new();
    size_t line = 0;
    enum scenario_error e = scenario_parse(text, strlen(text), s, &line);
    CHECK(e == SCENARIO_OK, "parse: %s at line %zu of\n%s", scenario_error_name(e), line, text);
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
    CHECK(e == SCENARIO_OK, "load %s: %s at line %zu", path, scenario_error_name(e), line);
    free(text);
    return s;
}

static void scenario_free(struct scenario *s)
{
    scenario_release(s);
    free(s);
}

static char error[512];

static enum qemu_devices_error args_of(const struct scenario *s, struct qemu_argv *argv)
{
    qemu_argv_init(argv);
    return qemu_devices_args(s, work_dir, argv, error, sizeof error);
}

static void check_args(const struct qemu_argv *argv, const char *const *expected, size_t count,
                       const char *what)
{
    CHECK(argv->count == count, "%s: %zu arguments, expected %zu", what, argv->count, count);
    for (size_t i = 0; i < count && i < argv->count; i++)
        CHECK(strcmp(argv->arg[i], expected[i]) == 0, "%s: argument %zu is \"%s\", expected \"%s\"",
              what, i, argv->arg[i], expected[i]);
    CHECK(argv->arg[argv->count] == NULL, "%s: not NULL-terminated", what);
}

/* ---- errors and argv ------------------------------------------------------------- */

static void test_error_names(void)
{
    for (unsigned e = 0; e < QEMU_DEVICES_ERROR_COUNT; e++) {
        const char *name = qemu_devices_error_name((enum qemu_devices_error)e);
        CHECK(name != NULL && strncmp(name, "QEMU_DEVICES_", 13) == 0, "error %u has no name", e);
        for (unsigned f = 0; f < e; f++)
            CHECK(strcmp(name, qemu_devices_error_name((enum qemu_devices_error)f)) != 0,
                  "errors %u and %u share a name", f, e);
    }
    CHECK(strcmp(qemu_devices_error_name(QEMU_DEVICES_ERROR_COUNT), "QEMU_DEVICES_ERR_UNKNOWN") == 0,
          "an unknown error is named UNKNOWN");
}

static void test_argv_limits(void)
{
    static struct qemu_argv argv;
    qemu_argv_init(&argv);
    for (unsigned i = 0; i < QEMU_ARGV_MAX; i++)
        CHECK(qemu_argv_add(&argv, "x"), "argument %u fits", i);
    CHECK(!qemu_argv_add(&argv, "y"), "argument %d does not fit", QEMU_ARGV_MAX);
    CHECK(argv.count == QEMU_ARGV_MAX && argv.arg[QEMU_ARGV_MAX] == NULL, "full vector unchanged");
    CHECK(!qemu_argv_add(NULL, "x") && !qemu_argv_add(&argv, NULL), "NULLs refused");

    static char big[QEMU_ARG_BYTES];
    memset(big, 'a', sizeof big - 1);
    qemu_argv_init(&argv);
    CHECK(qemu_argv_add(&argv, big), "a string of exactly the storage fits");
    CHECK(!qemu_argv_add(&argv, ""), "then not even an empty one");
    CHECK(argv.count == 1, "storage full leaves the vector as it was");

    /* A full vector makes qemu_devices_args fail by name and leaves it unchanged. */
    struct scenario *s = load("pci.scn");
    qemu_argv_init(&argv);
    for (unsigned i = 0; i < QEMU_ARGV_MAX - 3; i++)
        qemu_argv_add(&argv, "x");
    size_t used = argv.storage_used;
    enum qemu_devices_error e = qemu_devices_args(s, work_dir, &argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_TOO_MANY_ARGS, "full argv: %s", qemu_devices_error_name(e));
    CHECK(argv.count == QEMU_ARGV_MAX - 3 && argv.storage_used == used &&
              argv.arg[argv.count] == NULL,
          "a failed call leaves the vector as it was");
    CHECK(qemu_devices_args(NULL, work_dir, &argv, error, sizeof error) ==
              QEMU_DEVICES_ERR_BAD_ARGUMENT, "no scenario");
    CHECK(qemu_devices_args(s, work_dir, NULL, error, sizeof error) == QEMU_DEVICES_ERR_BAD_ARGUMENT,
          "no argv");
    CHECK(qemu_devices_args(s, work_dir, &argv, NULL, 0) == QEMU_DEVICES_ERR_TOO_MANY_ARGS,
          "no error buffer is fine");
    scenario_free(s);
}

/* ---- PCI -------------------------------------------------------------------------- */

/* A scenario line that is exactly model `m`. */
static void line_of_model(const struct qemu_pci_model *m, char *out, size_t out_len)
{
    static const char *const kinds[] = {"", "io", "mem", "mem64"};
    int n = snprintf(out, out_len, "pci 00:03.0 %04x:%04x class=0x%06x rev=0x%02x", m->vendor_id,
                     m->device_id, (unsigned)m->class_code, m->revision);
    for (unsigned i = 0; i < PCI_HOST_BARS; i++) {
        const struct pci_host_bar_desc *bar = &m->bars[i];
        if (bar->kind == PCI_HOST_BAR_NONE)
            continue;
        n += snprintf(out + n, out_len - (size_t)n, " bar%u=%s%s:0x%llx", i,
                      bar->prefetchable ? "p" : "", kinds[bar->kind],
                      (unsigned long long)bar->size);
    }
}

static void test_every_model(void)
{
    static struct qemu_argv argv;
    size_t count = qemu_devices_pci_model_count();
    CHECK(count >= 30, "the table has %zu rows", count);
    CHECK(qemu_devices_pci_model(count) == NULL, "past the end is NULL");
    for (size_t i = 0; i < count; i++) {
        const struct qemu_pci_model *m = qemu_devices_pci_model(i);
        for (size_t j = 0; j < i; j++) {
            const struct qemu_pci_model *other = qemu_devices_pci_model(j);
            CHECK(strcmp(m->driver, other->driver) != 0, "%s twice", m->driver);
            CHECK(!(m->vendor_id == other->vendor_id && m->device_id == other->device_id &&
                    m->class_code == other->class_code && m->revision == other->revision),
                  "%s and %s cannot be told apart", m->driver, other->driver);
        }
        char line[256], expected[128];
        line_of_model(m, line, sizeof line);
        struct scenario *s = parse(line);
        CHECK(qemu_devices_pci_match(&s->pci[0].desc) == m, "%s: the line matches", m->driver);
        enum qemu_devices_error e = args_of(s, &argv);
        CHECK(e == QEMU_DEVICES_OK, "%s: %s %s", m->driver, qemu_devices_error_name(e), error);
        snprintf(expected, sizeof expected, "%s,bus=pci.0,addr=03.0%s", m->driver,
                 m->needs_serial ? ",serial=duet00030" : "");
        const char *want[] = {"-device", expected};
        check_args(&argv, want, 2, m->driver);

        /* One field off is no QEMU device (or another row, never this one). */
        struct pci_host_function_desc off = s->pci[0].desc;
        off.revision ^= 0x40;
        CHECK(qemu_devices_pci_match(&off) == NULL, "%s: another revision", m->driver);
        off = s->pci[0].desc;
        off.class_code ^= 0x000001;
        CHECK(qemu_devices_pci_match(&off) == NULL, "%s: another class", m->driver);
        for (unsigned bar = 0; bar < PCI_HOST_BARS; bar++) {
            off = s->pci[0].desc;
            if (off.bars[bar].kind == PCI_HOST_BAR_NONE) {
                off.bars[bar] = (struct pci_host_bar_desc){PCI_HOST_BAR_KIND_IO, false, 16};
                if (bar > 0 && off.bars[bar - 1].kind == PCI_HOST_BAR_KIND_MEM64)
                    continue;   /* the upper half of a 64-bit BAR cannot be given */
            } else {
                off.bars[bar].size *= 2;
            }
            CHECK(qemu_devices_pci_match(&off) != m, "%s: BAR %u changed", m->driver, bar);
            off = s->pci[0].desc;
            if (off.bars[bar].kind == PCI_HOST_BAR_KIND_MEM32 ||
                off.bars[bar].kind == PCI_HOST_BAR_KIND_MEM64) {
                off.bars[bar].prefetchable = !off.bars[bar].prefetchable;
                CHECK(qemu_devices_pci_match(&off) != m, "%s: BAR %u prefetchable changed",
                      m->driver, bar);
            }
        }
        scenario_free(s);
    }
    CHECK(qemu_devices_pci_match(NULL) == NULL, "NULL matches nothing");
}

static void test_qemu_pci_scenario(void)
{
    static struct qemu_argv argv;
    struct scenario *s = load("pci.scn");
    enum qemu_devices_error e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_OK, "pci.scn: %s %s", qemu_devices_error_name(e), error);
    const char *want[] = {
        "-device", "ich9-ahci,bus=pci.0,addr=03.0,multifunction=on",
        "-device", "ich9-usb-uhci1,bus=pci.0,addr=03.3",
        "-device", "e1000,bus=pci.0,addr=04.0",
        "-device", "pci-bridge,id=pci_bus_1,bus=pci.0,addr=05.0,chassis_nr=1,shpc=off,msi=off",
        "-device", "virtio-net-pci-transitional,bus=pci_bus_1,addr=00.0",
        "-device", "pci-bridge,id=pci_bus_2,bus=pci_bus_1,addr=01.0,chassis_nr=2,shpc=off,msi=off",
        "-device", "nvme,bus=pci_bus_2,addr=00.0,serial=duet02000",
        "-device", "edu,bus=pci_bus_2,addr=1f.0",
        "-device", "pci-bridge,id=pci_bus_3,bus=pci.0,addr=06.0,chassis_nr=3,shpc=off,msi=off",
    };
    check_args(&argv, want, sizeof want / sizeof want[0], "pci.scn");
    scenario_free(s);
}

static void test_pci_scenario_unsupported(void)
{
    static struct qemu_argv argv;
    /* The sim's first pci.scn, before it was made of QEMU's devices. */
    struct scenario *s = parse(
        "pci 00:03.0 8086:2922 class=0x010601 rev=0x02 bar4=io:32 bar5=mem:0x1000 multifunction\n"
        "pci 00:03.3 8086:2930 class=0x0c0500 bar4=io:64\n"
        "pci 00:04.0 8086:100e class=0x020000 rev=0x03 bar0=mem:0x20000 bar1=io:64\n"
        "pci_bridge 00:05.0 secondary=1\n"
        "pci 01:00.0 1af4:1000 class=0x020000 bar0=io:32 bar1=mem:4096 bar4=pmem64:0x4000\n"
        "pci_bridge 01:01.0 secondary=2\n"
        "pci 02:00.0 1b36:0010 class=0x010802 bar0=mem64:0x4000\n"
        "pci 02:1f.0 1234:5678 class=0xff0000 bar2=pmem:0x100000\n"
        "pci_bridge 00:06.0 secondary=3\n");
    enum qemu_devices_error e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_ERR_PCI_UNSUPPORTED, "synthetic devices: %s",
          qemu_devices_error_name(e));
    CHECK(strstr(error, "00:03.3 8086:2930 class 0c0500") != NULL, "names the SMBus line: %s",
          error);
    CHECK(argv.count == 0, "nothing added");
    /* The other unsupported lines, one at a time. */
    s->pci[1] = s->pci[0];   /* drop 00:03.3 by repeating a supported line... */
    s->pci[1].function = 3;
    s->pci[1].desc.multifunction = false;
    s->pci[1].desc.vendor_id = 0x8086;
    s->pci[1].desc.device_id = 0x2934;
    s->pci[1].desc.class_code = 0x0C0300;
    s->pci[1].desc.revision = 0x03;
    memset(s->pci[1].desc.bars, 0, sizeof s->pci[1].desc.bars);
    s->pci[1].desc.bars[4] = (struct pci_host_bar_desc){PCI_HOST_BAR_KIND_IO, false, 32};
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_ERR_PCI_UNSUPPORTED && strstr(error, "02:00.0 1b36:0010") != NULL &&
              strstr(error, "QEMU's nvme is 1b36:0010 class 010802 rev 02 bar0 mem64 0x4000"),
          "pci.scn's nvme (revision 00): %s %s", qemu_devices_error_name(e), error);
    for (size_t i = 0; i < s->pci_count; i++)
        if (s->pci[i].desc.vendor_id == 0x1B36 && s->pci[i].desc.device_id == 0x0010)
            s->pci[i].desc.revision = 0x02;
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_ERR_PCI_UNSUPPORTED &&
              strstr(error, "pci 02:1f.0 1234:5678 class ff0000 rev 00 bar2 pmem 0x100000: no QEMU "
                            "7.2 device") != NULL,
          "pci.scn's 1234:5678: %s %s", qemu_devices_error_name(e), error);
    scenario_free(s);
}

static void test_pci_numbering(void)
{
    static struct qemu_argv argv;
    /* Declared out of slot order, but numbered as SeaBIOS will: fine. */
    struct scenario *s = parse("pci_bridge 00:06.0 secondary=2\npci_bridge 00:05.0 secondary=1\n"
                               "pci 01:00.0 8086:100e class=0x020000 rev=0x03 bar0=mem:0x20000 "
                               "bar1=io:64");
    enum qemu_devices_error e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_OK, "slot-order numbering: %s %s", qemu_devices_error_name(e), error);
    scenario_free(s);
    /* In file order, not slot order: SeaBIOS gives 00:05.0 bus 1. */
    s = parse("pci_bridge 00:06.0 secondary=1\npci_bridge 00:05.0 secondary=2");
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_ERR_PCI_BUS_NUMBERING &&
              strstr(error, "pci_bridge 00:05.0 secondary=2") != NULL &&
              strstr(error, "gives this bridge bus 1") != NULL,
          "file-order numbering: %s %s", qemu_devices_error_name(e), error);
    scenario_free(s);
    /* A bridge that is not QEMU's pci-bridge. */
    s = parse("pci_bridge 00:05.0 secondary=1");
    s->pci[0].desc.device_id = 0x0002;
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_ERR_PCI_UNSUPPORTED && strstr(error, "1b36:0001"),
          "another bridge: %s %s", qemu_devices_error_name(e), error);
    scenario_free(s);
    /* Multifunction bridges keep their flag. */
    s = parse("pci_bridge 00:05.0 secondary=1 multifunction\npci 00:05.1 8086:100e "
              "class=0x020000 rev=0x03 bar0=mem:0x20000 bar1=io:64");
    e = args_of(s, &argv);
    const char *want[] = {
        "-device",
        "pci-bridge,id=pci_bus_1,bus=pci.0,addr=05.0,chassis_nr=1,shpc=off,msi=off,multifunction=on",
        "-device", "e1000,bus=pci.0,addr=05.1"};
    CHECK(e == QEMU_DEVICES_OK, "multifunction bridge: %s", error);
    check_args(&argv, want, 4, "multifunction bridge");
    scenario_free(s);
}

static void test_pci_bad_structs(void)
{
    static struct qemu_argv argv;
    struct scenario *s = load("pci.scn");
    struct scenario *copy = scenario_new();
    enum qemu_devices_error e;

    *copy = *s;
    copy->pci_count = SCENARIO_PCI_FUNCTIONS_MAX + 1;
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "too many functions: %s", qemu_devices_error_name(e));

    *copy = *s;
    copy->pci[2].device = 32;
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "device 32: %s", qemu_devices_error_name(e));

    *copy = *s;
    copy->pci[2].function = 8;
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "function 8: %s", qemu_devices_error_name(e));

    *copy = *s;
    copy->pci[3].secondary_bus = 0;          /* 00:05.0, a bridge to nowhere */
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "bridge without a bus: %s",
          qemu_devices_error_name(e));

    *copy = *s;
    copy->pci[4].bus = 9;                    /* 01:00.0 on a bus no bridge has */
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "no such bus: %s", qemu_devices_error_name(e));

    /* Two bridges behind each other on their own: a loop SeaBIOS never reaches. */
    memset(copy, 0, sizeof *copy);
    copy->pci_count = 2;
    copy->pci[0] = s->pci[3];
    copy->pci[0].bus = 2;
    copy->pci[0].secondary_bus = 1;
    copy->pci[1] = s->pci[3];
    copy->pci[1].bus = 1;
    copy->pci[1].secondary_bus = 2;
    e = args_of(copy, &argv);
    CHECK(e == QEMU_DEVICES_ERR_BAD_SCENARIO, "bridge loop: %s %s", qemu_devices_error_name(e),
          error);
    free(copy);
    scenario_free(s);
}

/* ---- the disk -------------------------------------------------------------------- */

static bool file_equals(const char *path, const uint8_t *bytes, size_t length)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    uint8_t *got = malloc(length + 1);
    size_t n = got != NULL ? fread(got, 1, length + 1, f) : 0;
    fclose(f);
    bool equal = got != NULL && n == length && memcmp(got, bytes, length) == 0;
    free(got);
    return equal;
}

static void test_disk(void)
{
    static struct qemu_argv argv;
    char path[600], drive[700];
    snprintf(path, sizeof path, "%s/disk.img", work_dir);
    remove(path);

    struct scenario *s = load("ata.scn");
    enum qemu_devices_error e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_OK, "ata.scn: %s %s", qemu_devices_error_name(e), error);
    snprintf(drive, sizeof drive, "if=none,id=duet_disk,file=%s,format=raw", path);
    const char *want[] = {"-drive", drive, "-device", "ide-hd,drive=duet_disk,bus=ide.0,unit=0"};
    check_args(&argv, want, 4, "ata.scn");
    static uint8_t image[64 * 512];
    scenario_disk_render(&s->disk, image, sizeof image);
    CHECK(file_equals(path, image, sizeof image), "disk.img is the rendered disk");
    /* The bytes themselves: the lba pattern, sector 1's label over it. */
    CHECK(image[0] == 0 && image[4] == 1 && image[512 * 5 + 4] == 1 && image[512 * 5 + 5] == 5,
          "lba pattern");
    CHECK(memcmp(image + 512, "duet disk image", 15) == 0, "sector 1 label");
    CHECK(image[512 + 16] == scenario_disk_lba_pattern_byte(1, 16), "label is only 15 bytes");
    scenario_free(s);

    s = load("ata_image.scn");
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_OK, "ata_image.scn: %s %s", qemu_devices_error_name(e), error);
    CHECK(s->disk.image != NULL && file_equals(path, s->disk.image, s->disk.image_len) ==
                                       (s->disk.image_len == 64 * 512),
          "ata_image.scn: the image file's bytes");
    scenario_free(s);

    /* The other disk scenarios: the same 64-sector disk as ata.scn. */
    static const char *const same_disk[] = {"ata_polled.scn", "ata_read_only.scn"};
    for (size_t i = 0; i < 2; i++) {
        s = load(same_disk[i]);
        e = args_of(s, &argv);
        CHECK(e == QEMU_DEVICES_OK && argv.count == 4 && file_equals(path, image, sizeof image),
              "%s: %s %s", same_disk[i], qemu_devices_error_name(e), error);
        scenario_free(s);
    }

    /* No disk: no drive. */
    s = load("keyboard.scn");
    e = args_of(s, &argv);
    CHECK(e == QEMU_DEVICES_OK && argv.count == 0, "no disk, no arguments: %s %zu",
          qemu_devices_error_name(e), argv.count);
    scenario_free(s);

    /* A comma in the directory is doubled for QEMU's option parser. */
    char comma_dir[600];
    snprintf(comma_dir, sizeof comma_dir, "%s/a,b", work_dir);
    mkdir(comma_dir, 0700);
    s = parse("disk master 1\nfill 0 1 0xab");
    qemu_argv_init(&argv);
    e = qemu_devices_args(s, comma_dir, &argv, error, sizeof error);
    snprintf(drive, sizeof drive, "if=none,id=duet_disk,file=%s/a,,b/disk.img,format=raw", work_dir);
    CHECK(e == QEMU_DEVICES_OK && argv.count == 4 && strcmp(argv.arg[1], drive) == 0,
          "comma in path: %s %s", qemu_devices_error_name(e), argv.count ? argv.arg[1] : "");
    uint8_t one[512];
    memset(one, 0xAB, sizeof one);
    snprintf(path, sizeof path, "%s/disk.img", comma_dir);
    CHECK(file_equals(path, one, sizeof one), "1-sector 0xab disk");

    /* Named errors. */
    qemu_argv_init(&argv);
    e = qemu_devices_args(s, "/nonexistent/duet", &argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_DISK_WRITE && argv.count == 0 && strstr(error, "/nonexistent"),
          "unwritable dir: %s %s", qemu_devices_error_name(e), error);
    e = qemu_devices_args(s, NULL, &argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "no work dir: %s", qemu_devices_error_name(e));
    e = qemu_devices_args(s, "", &argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "empty work dir: %s", qemu_devices_error_name(e));
    static char long_dir[5000];
    memset(long_dir, 'd', sizeof long_dir - 1);
    e = qemu_devices_args(s, long_dir, &argv, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "long work dir: %s", qemu_devices_error_name(e));

    struct scenario *bad = scenario_new();
    *bad = *s;
    bad->disk.sectors = SCENARIO_DISK_SECTORS_MAX + 1;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "too many sectors");
    *bad = *s;
    bad->disk.lines[0].count = 2;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "line past the end");
    *bad = *s;
    bad->disk.lines[0].lba = 1;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "line starts past the end");
    *bad = *s;
    bad->disk.lines[0].kind = 9;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "unknown line kind");
    *bad = *s;
    bad->disk.line_count = SCENARIO_DISK_LINES_MAX + 1;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "too many lines");
    *bad = *s;
    bad->disk.image = NULL;
    bad->disk.image_len = 10;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "image length without bytes");
    *bad = *s;
    bad->disk.lines[0].kind = SCENARIO_DISK_SECTOR;
    bad->disk.lines[0].length = 513;
    CHECK(args_of(bad, &argv) == QEMU_DEVICES_ERR_BAD_SCENARIO, "sector line of 513 bytes");
    free(bad);
    scenario_free(s);
}

/* ---- keys and QMP commands --------------------------------------------------------- */

static void test_qcodes(void)
{
    for (unsigned key = 0; key < PS2_KEY_COUNT; key++) {
        const char *qcode = qemu_devices_key_qcode(key);
        CHECK(qcode != NULL && qcode[0] != '\0', "key %u (%s) has a qcode", key,
              scenario_key_name(key));
        for (unsigned other = 0; other < key && qcode != NULL; other++)
            CHECK(strcmp(qcode, qemu_devices_key_qcode(other)) != 0, "keys %u and %u share %s",
                  other, key, qcode);
    }
    CHECK(qemu_devices_key_qcode(PS2_KEY_COUNT) == NULL, "past the last key");
    struct { unsigned key; const char *qcode; } spot[] = {
        {PS2_KEY_A, "a"}, {PS2_KEY_0, "0"}, {PS2_KEY_ENTER, "ret"}, {PS2_KEY_SPACE, "spc"},
        {PS2_KEY_LEFT_SHIFT, "shift"}, {PS2_KEY_RIGHT_SHIFT, "shift_r"},
        {PS2_KEY_RIGHT_CTRL, "ctrl_r"}, {PS2_KEY_RIGHT_ALT, "alt_r"},
        {PS2_KEY_CAPS_LOCK, "caps_lock"}, {PS2_KEY_PAGE_UP, "pgup"}, {PS2_KEY_PAUSE, "pause"},
        {PS2_KEY_ESCAPE, "esc"}, {PS2_KEY_F12, "f12"},
    };
    for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++)
        CHECK(strcmp(qemu_devices_key_qcode(spot[i].key), spot[i].qcode) == 0, "%s is %s",
              scenario_key_name(spot[i].key), spot[i].qcode);
}

#define EVENT(down, qcode)                                                                      \
    "{\"type\":\"key\",\"data\":{\"down\":" down ",\"key\":{\"type\":\"qcode\",\"data\":\"" qcode \
    "\"}}}"
#define COMMAND(events) "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[" events "]}}"

static void check_command(const struct scenario *s, size_t index, const char *expected)
{
    char json[1024];
    enum qemu_devices_error e =
        qemu_devices_input_command(s, index, json, sizeof json, error, sizeof error);
    CHECK(e == QEMU_DEVICES_OK && strcmp(json, expected) == 0, "input %zu: %s %s\n got %s\nwant %s",
          index, qemu_devices_error_name(e), error, json, expected);
}

static void test_input_commands(void)
{
    char json[1024];
    struct scenario *s = load("keyboard.scn");
    /* type 100000 "Hello World": shift down, h down, h up, shift up, e down ... */
    check_command(s, 0, COMMAND(EVENT("true", "shift")));
    check_command(s, 1, COMMAND(EVENT("true", "h")));
    check_command(s, 2, COMMAND(EVENT("false", "h")));
    check_command(s, 3, COMMAND(EVENT("false", "shift")));
    for (size_t i = 0; i < s->keyboard.input_count; i++) {
        enum qemu_devices_error e =
            qemu_devices_input_command(s, i, json, sizeof json, error, sizeof error);
        CHECK(e == QEMU_DEVICES_OK, "keyboard.scn input %zu: %s %s", i, qemu_devices_error_name(e),
              error);
    }
    check_command(s, s->keyboard.input_count - 2, COMMAND(EVENT("true", "pause")));
    check_command(s, s->keyboard.input_count - 1, COMMAND(EVENT("false", "pause")));

    enum qemu_devices_error e = qemu_devices_input_command(s, s->keyboard.input_count, json,
                                                           sizeof json, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "index past the inputs: %s",
          qemu_devices_error_name(e));
    e = qemu_devices_input_command(NULL, 0, json, sizeof json, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "no scenario");
    e = qemu_devices_input_command(s, 0, NULL, 0, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_BAD_ARGUMENT, "no buffer");
    e = qemu_devices_input_command(s, 0, json, 40, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL && json[0] == '\0', "small buffer: %s",
          qemu_devices_error_name(e));
    size_t exact = strlen(COMMAND(EVENT("true", "shift")));
    e = qemu_devices_input_command(s, 0, json, exact, error, sizeof error);
    CHECK(e == QEMU_DEVICES_ERR_OUTPUT_TOO_SMALL, "no room for the NUL");
    e = qemu_devices_input_command(s, 0, json, exact + 1, error, sizeof error);
    CHECK(e == QEMU_DEVICES_OK, "exactly enough room");

    struct scenario *bad = scenario_new();
    *bad = *s;
    bad->keyboard.inputs[0].key = PS2_KEY_COUNT;
    CHECK(qemu_devices_input_command(bad, 0, json, sizeof json, error, sizeof error) ==
              QEMU_DEVICES_ERR_BAD_SCENARIO, "key out of range");
    *bad = *s;
    bad->keyboard.inputs[0].kind = 7;
    CHECK(qemu_devices_input_command(bad, 0, json, sizeof json, error, sizeof error) ==
              QEMU_DEVICES_ERR_BAD_SCENARIO, "unknown kind");
    *bad = *s;
    bad->keyboard.inputs[0].kind = SCENARIO_INPUT_SCANCODES;
    bad->keyboard.inputs[0].byte_count = 9;
    CHECK(qemu_devices_input_command(bad, 0, json, sizeof json, error, sizeof error) ==
              QEMU_DEVICES_ERR_BAD_SCENARIO, "9 scan-code bytes");
    *bad = *s;
    bad->keyboard.input_count = SCENARIO_INPUTS_MAX + 1;
    CHECK(qemu_devices_input_command(bad, 0, json, sizeof json, error, sizeof error) ==
              QEMU_DEVICES_ERR_BAD_SCENARIO, "too many inputs");
    free(bad);
    scenario_free(s);

    /* A raw Home wrapped in fake shifts is no whole key. */
    s = parse("i8042 translation off\n"
              "scancodes 800000 e0 12 e0 6c\n"
              "scancodes 810000 e0 f0 6c e0 f0 12\n");
    size_t refused = 0;
    for (size_t i = 0; i < s->keyboard.input_count; i++) {
        e = qemu_devices_input_command(s, i, json, sizeof json, error, sizeof error);
        if (s->keyboard.inputs[i].kind == SCENARIO_INPUT_SCANCODES) {
            refused++;
            CHECK(e == QEMU_DEVICES_ERR_INPUT_UNSUPPORTED, "set 2 raw input %zu: %s", i,
                  qemu_devices_error_name(e));
        } else {
            CHECK(e == QEMU_DEVICES_OK, "set 2 input %zu: %s", i, qemu_devices_error_name(e));
        }
    }
    CHECK(refused == 2, "two raw inputs");
    for (size_t i = 0; i < s->keyboard.input_count; i++)
        if (s->keyboard.inputs[i].kind == SCENARIO_INPUT_SCANCODES) {
            qemu_devices_input_command(s, i, json, sizeof json, error, sizeof error);
            CHECK(strstr(error, "scancodes 800000 e0 12 e0 6c: byte 0 (e0)") != NULL,
                  "names the line and byte: %s", error);
            break;
        }
    scenario_free(s);

    /* Whole keys in raw bytes become their events. */
    s = parse("i8042 translation off\n"
              "scancodes 1 e0 f0 6c\n"
              "scancodes 2 1c f0 1c 59 e0 11\n"
              "scancodes 3 e1 14 77 e1 f0 14 f0 77\n"
              "scancodes 4 83 f0 83\n"
              "scancodes 5 e0 12\n"
              "scancodes 6 e0\n"
              "scancodes 7 1c f0\n"
              "scancodes 8 e1 14 77\n"
              "scancodes 9 e0 7e e0 f0 7e\n"
              "scancodes 10 e0 1c\n");
    check_command(s, 0, COMMAND(EVENT("false", "home")));
    check_command(s, 1, COMMAND(EVENT("true", "a") "," EVENT("false", "a") ","
                                    EVENT("true", "shift_r") "," EVENT("true", "alt_r")));
    check_command(s, 2, COMMAND(EVENT("true", "pause")));
    check_command(s, 3, COMMAND(EVENT("true", "f7") "," EVENT("false", "f7")));
    for (size_t i = 4; i < s->keyboard.input_count; i++) {
        e = qemu_devices_input_command(s, i, json, sizeof json, error, sizeof error);
        CHECK(e == QEMU_DEVICES_ERR_INPUT_UNSUPPORTED && json[0] == '\0',
              "raw input %zu is no whole key: %s", i, qemu_devices_error_name(e));
    }
    scenario_free(s);

    /* The config byte the boot code must leave. */
    CHECK(qemu_devices_i8042_config(NULL) == 0x61, "no scenario: SeaBIOS's byte");
    s = load("keyboard.scn");
    CHECK(qemu_devices_i8042_config(s) == 0x61, "keyboard.scn: translation on");
    scenario_free(s);
    s = load("keyboard_set2.scn");
    CHECK(qemu_devices_i8042_config(s) == 0x21, "keyboard_set2.scn: translation off");
    scenario_free(s);

    /* keyboard_set2.scn converts whole. */
    s = load("keyboard_set2.scn");
    for (size_t i = 0; i < s->keyboard.input_count; i++) {
        e = qemu_devices_input_command(s, i, json, sizeof json, error, sizeof error);
        CHECK(e == QEMU_DEVICES_OK, "keyboard_set2.scn input %zu: %s %s", i,
              qemu_devices_error_name(e), error);
    }
    scenario_free(s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: unit_qemu_devices SCENARIO_DIR WORK_DIR\n");
        return 2;
    }
    scenario_dir = argv[1];
    work_dir = argv[2];
    test_error_names();
    test_argv_limits();
    test_every_model();
    test_qemu_pci_scenario();
    test_pci_scenario_unsupported();
    test_pci_numbering();
    test_pci_bad_structs();
    test_disk();
    test_qcodes();
    test_input_commands();
    if (failures != 0) {
        fprintf(stderr, "unit_qemu_devices: %d of %u checks failed\n", failures, checks);
        return 1;
    }
    printf("unit_qemu_devices: ok (%u checks)\n", checks);
    return 0;
}
