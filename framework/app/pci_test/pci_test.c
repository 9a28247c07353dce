/*
 * pci_test.c - the PCI bus driver seen from a client (scenarios/pci.scn).
 *
 *   1. The device list: walk every device with PCI_FIRST/NEXT_DEVICE and
 *      log one line each, in a fixed format,
 *          BB:DD.F VVVV:DDDD class CCCCCC [multifunction] [secondary NN]
 *                  [barI KIND 0xSIZE ...]      KIND: io mem mem64 pmem pmem64
 *      and check the lines, in order and in number, against the
 *      "pci_expected" ROM: what the scenario says it declared.
 *   2. Configuration space: an ID write is ignored (read-only), the
 *      interrupt line register keeps what was written, a programmed I/O
 *      BAR reads back through PCI_BAR_INFO with its size unchanged.
 *   3. Errors: each bad request gets its named error (see
 *      duet/pci_session.h), and a second session is denied the devices it
 *      was not given.
 * Any failure stops the component on an assertion; success is one line.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/pci_session.h"
#include "duet/rom_session.h"
#include "duet/string.h"
#include "duet/text.h"

enum {
    EXPECTED_BYTES_MAX = 2048,
    LINE_MAX = 160,
    IDE_BDF = 0x0009,                /* 00:01.1, PIIX3 IDE: on every bus 0 */
    IDE_BUS_MASTER_BAR = 4,
    INTEL_VENDOR_ID = 0x8086,
    IO_BAR_PROGRAMMED = 0xC000,
    INTERRUPT_LINE_WRITTEN = 0x0E,
    NO_SUCH_BDF = 0xFFFF,            /* bus 255, 31.7: nothing there */
};

struct pci_test {
    struct env *env;
    struct log_connection log;
    struct pci_connection pci;
    uint8_t expected[EXPECTED_BYTES_MAX];
    size_t expected_length;
    size_t expected_at;              /* where the next expected line starts */
    uint64_t bridge;                 /* a bridge found in the walk, or PCI_DEVICE_NONE */
};

static void say(struct pci_test *test, const char *line)
{
    DUET_ASSERT(log_write(test->env, test->log.cap, line) == RPC_OK);
}

/* `digits` lowercase hex digits, zero-padded: the fixed-width fields. */
static void append_hex_digits(struct text *text, uint64_t value, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    DUET_ASSERT(digits >= 1 && digits <= 16);
    for (unsigned i = digits; i > 0; i--)
        text_append_bytes(text, &hex[(value >> (4 * (i - 1))) & 0xF], 1);
}

static const char *bar_kind_name(const struct pci_bar_description *bar)
{
    switch (bar->kind) {
    case PCI_BAR_IO: return "io";
    case PCI_BAR_MEMORY32: return bar->prefetchable ? "pmem" : "mem";
    case PCI_BAR_MEMORY64: return bar->prefetchable ? "pmem64" : "mem64";
    default: return NULL;
    }
}

static void describe_device(struct pci_test *test, uint64_t bdf, struct text *text)
{
    struct pci_device_description device;
    DUET_ASSERT(pci_device_info(test->env, test->pci.cap, bdf, &device) == RPC_OK);
    append_hex_digits(text, pci_bdf_bus(bdf), 2);
    text_append(text, ":");
    append_hex_digits(text, pci_bdf_device(bdf), 2);
    text_append(text, ".");
    append_hex_digits(text, pci_bdf_function(bdf), 1);
    text_append(text, " ");
    append_hex_digits(text, device.vendor_id, 4);
    text_append(text, ":");
    append_hex_digits(text, device.device_id, 4);
    text_append(text, " class ");
    append_hex_digits(text, device.class_code, 6);
    if (device.header_type & PCI_HEADER_MULTIFUNCTION)
        text_append(text, " multifunction");
    if ((device.header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE) {
        text_append(text, " secondary ");
        append_hex_digits(text, device.secondary_bus, 2);
        if (test->bridge == PCI_DEVICE_NONE)
            test->bridge = bdf;
    }
    for (uint64_t bar = 0; bar < PCI_BARS_MAX; bar++) {
        struct pci_bar_description info;
        DUET_ASSERT(pci_bar_info(test->env, test->pci.cap, bdf, bar, &info) == RPC_OK);
        const char *kind = bar_kind_name(&info);
        if (kind == NULL)
            continue;
        text_append(text, " bar");
        text_append_u64(text, bar);
        text_append(text, " ");
        text_append(text, kind);
        text_append(text, " ");
        text_append_hex(text, info.size);
    }
    DUET_ASSERT(!text->truncated);
}

/* The next line of the expected list, or false at its end. */
static bool expected_next(struct pci_test *test, char *line, size_t size)
{
    if (test->expected_at >= test->expected_length)
        return false;
    size_t length = 0;
    while (test->expected_at < test->expected_length &&
           test->expected[test->expected_at] != '\n') {
        DUET_ASSERT(length + 1 < size);
        line[length++] = (char)test->expected[test->expected_at++];
    }
    test->expected_at++;   /* the newline */
    line[length] = '\0';
    return true;
}

static void check_device_list(struct pci_test *test)
{
    uint64_t count = 0;
    uint64_t bdf = PCI_DEVICE_NONE;
    DUET_ASSERT(pci_first_device(test->env, test->pci.cap, &bdf) == RPC_OK);
    while (bdf != PCI_DEVICE_NONE) {
        char line[LINE_MAX];
        struct text text;
        text_init(&text, line, sizeof line);
        describe_device(test, bdf, &text);
        say(test, line);
        char expected[LINE_MAX];
        if (!expected_next(test, expected, sizeof expected)) {
            say(test, "not in the expected list");
            DUET_ASSERT(!"a device beyond the expected list");
        }
        if (duet_strcmp(line, expected) != 0) {
            say(test, "expected instead:");
            say(test, expected);
            DUET_ASSERT(!"the device list differs from the expected one");
        }
        count++;
        uint64_t next = PCI_DEVICE_NONE;
        DUET_ASSERT(pci_next_device(test->env, test->pci.cap, bdf, &next) == RPC_OK);
        DUET_ASSERT(next == PCI_DEVICE_NONE || next > bdf);   /* ascending BDF */
        bdf = next;
    }
    char missing[LINE_MAX];
    if (expected_next(test, missing, sizeof missing)) {
        say(test, "expected but not found:");
        say(test, missing);
        DUET_ASSERT(!"a device of the expected list is missing");
    }
    char line[LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "devices: ");
    text_append_u64(&text, count);
    say(test, line);
}

static uint32_t config_read(struct pci_test *test, uint64_t bdf, uint64_t offset, uint64_t width)
{
    uint32_t value = 0;
    DUET_ASSERT(pci_config_read(test->env, test->pci.cap, bdf, offset, width, &value) == RPC_OK);
    return value;
}

static void check_config_space(struct pci_test *test)
{
    struct pci_session_cap pci = test->pci.cap;
    /* IDs are read-only. */
    DUET_ASSERT(pci_config_write(test->env, pci, IDE_BDF, PCI_CONFIG_VENDOR_ID, 2, 0) == RPC_OK);
    DUET_ASSERT(config_read(test, IDE_BDF, PCI_CONFIG_VENDOR_ID, 2) == INTEL_VENDOR_ID);
    /* The interrupt line is the driver's scratch byte: kept, seen in the dword too. */
    DUET_ASSERT(pci_config_write(test->env, pci, IDE_BDF, PCI_CONFIG_INTERRUPT_LINE, 1,
                                 INTERRUPT_LINE_WRITTEN) == RPC_OK);
    DUET_ASSERT(config_read(test, IDE_BDF, PCI_CONFIG_INTERRUPT_LINE, 1) ==
                INTERRUPT_LINE_WRITTEN);
    DUET_ASSERT((config_read(test, IDE_BDF, PCI_CONFIG_INTERRUPT_LINE, 4) & 0xFF) ==
                INTERRUPT_LINE_WRITTEN);
    /* A programmed BAR: sizing kept what was there (0 in the sim's world,
     * firmware's address in QEMU), the address written is read back, and
     * the old one goes back, so no other device's ports are shadowed. */
    unsigned bar_offset = PCI_CONFIG_BAR0 + 4 * IDE_BUS_MASTER_BAR;
    uint32_t firmware_bar = config_read(test, IDE_BDF, bar_offset, 4);
    DUET_ASSERT((firmware_bar & 1u) == PCI_BAR_SPACE_IO);
    DUET_ASSERT(pci_config_write(test->env, pci, IDE_BDF, bar_offset, 4, IO_BAR_PROGRAMMED) ==
                RPC_OK);
    struct pci_bar_description bar;
    DUET_ASSERT(pci_bar_info(test->env, pci, IDE_BDF, IDE_BUS_MASTER_BAR, &bar) == RPC_OK);
    DUET_ASSERT(bar.kind == PCI_BAR_IO && bar.size == 16 && bar.address == IO_BAR_PROGRAMMED);
    DUET_ASSERT(pci_config_write(test->env, pci, IDE_BDF, bar_offset, 4, firmware_bar) == RPC_OK);
    say(test, "configuration space: read-only IDs, interrupt line, BAR4 at 0xc000");
}

static void expect_status(struct pci_test *test, enum rpc_status got, enum rpc_status want,
                          const char *what)
{
    if (got == want)
        return;
    say(test, what);
    say(test, rpc_status_name(got));
    DUET_ASSERT(!"a bad request did not get its named error");
}

static void check_errors(struct pci_test *test)
{
    struct env *env = test->env;
    struct pci_session_cap pci = test->pci.cap;
    uint32_t value = 0;
    struct pci_bar_description bar;
    struct pci_device_description device;
    uint64_t next = 0;
    expect_status(test, pci_device_info(env, pci, NO_SUCH_BDF, &device),
                  RPC_ERR_INVALID_ARGUMENT, "no such device");
    expect_status(test, pci_device_info(env, pci, PCI_BDF_MAX + 1, &device),
                  RPC_ERR_INVALID_ARGUMENT, "BDF beyond 16 bits");
    expect_status(test, pci_next_device(env, pci, NO_SUCH_BDF, &next),
                  RPC_ERR_INVALID_ARGUMENT, "next after no device");
    expect_status(test, pci_config_read(env, pci, IDE_BDF, PCI_CONFIG_BYTES, 1, &value),
                  RPC_ERR_OUT_OF_RANGE, "offset 256");
    expect_status(test, pci_config_read(env, pci, IDE_BDF, 0, 3, &value),
                  RPC_ERR_INVALID_ARGUMENT, "width 3");
    expect_status(test, pci_config_read(env, pci, IDE_BDF, 0, 0, &value),
                  RPC_ERR_INVALID_ARGUMENT, "width 0");
    expect_status(test, pci_config_read(env, pci, IDE_BDF, 2, 4, &value),
                  RPC_ERR_INVALID_ARGUMENT, "misaligned dword");
    expect_status(test, pci_config_write(env, pci, IDE_BDF, PCI_CONFIG_INTERRUPT_LINE, 1, 0x100),
                  RPC_ERR_INVALID_ARGUMENT, "value wider than the width");
    expect_status(test, pci_config_write(env, pci, IDE_BDF, PCI_CONFIG_BYTES - 2, 4, 0),
                  RPC_ERR_INVALID_ARGUMENT, "write across the end");
    expect_status(test, pci_bar_info(env, pci, IDE_BDF, PCI_BARS_MAX, &bar),
                  RPC_ERR_OUT_OF_RANGE, "BAR 6");
    if (test->bridge != PCI_DEVICE_NONE)
        expect_status(test, pci_config_write(env, pci, test->bridge, PCI_CONFIG_SECONDARY_BUS,
                                             1, 7),
                      RPC_ERR_DENIED, "a bridge's secondary bus number");
    /* A second session was given nothing yet. */
    struct pci_connection other;
    DUET_ASSERT(pci_connection_open(env, &other) == RPC_OK);
    expect_status(test, pci_device_info(env, other.cap, IDE_BDF, &device), RPC_ERR_DENIED,
                  "a device not given to the session");
    expect_status(test, pci_next_device(env, other.cap, IDE_BDF, &next), RPC_ERR_DENIED,
                  "next after a device not given");
    expect_status(test, pci_config_read(env, other.cap, IDE_BDF, 0, 2, &value), RPC_ERR_DENIED,
                  "config read of a device not given");
    DUET_ASSERT(pci_first_device(env, other.cap, &next) == RPC_OK && next == 0);
    DUET_ASSERT(pci_device_info(env, other.cap, 0, &device) == RPC_OK &&
                device.vendor_id == INTEL_VENDOR_ID);
    DUET_ASSERT(pci_connection_close(env, &other) == RPC_OK);
    say(test, "bad requests: named errors");
}

static void read_expected(struct pci_test *test)
{
    struct rom_connection rom;
    DUET_ASSERT(rom_connection_open(test->env, "pci_expected", &rom) == RPC_OK);
    DUET_ASSERT(rom_read_all(test->env, rom.cap, test->expected, sizeof test->expected,
                             &test->expected_length) == RPC_OK);
    DUET_ASSERT(rom_connection_close(test->env, &rom) == RPC_OK);
}

void pci_test_main(struct env *env)
{
    struct pci_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    test->bridge = PCI_DEVICE_NONE;
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    read_expected(test);
    DUET_ASSERT(pci_connection_open(env, &test->pci) == RPC_OK);
    check_device_list(test);
    check_config_space(test);
    check_errors(test);
    DUET_ASSERT(pci_connection_close(env, &test->pci) == RPC_OK);
    say(test, "pci checks passed");
}
