/*
 * test_pci_host.c - the PCI host model against the behaviour we promise
 * (QEMU 7.2's pc machine under TCG).
 *
 * Each case drives the model through its port device (0xCF8-0xCFF) on a
 * fake host, or through its owner entries, and checks what a guest or the
 * owner sees: CONFIG_ADDRESS decoding and its non-dword accesses, the reset
 * control register at 0xCF9, CONFIG_DATA widths and offsets, bit 31 clear,
 * absent buses/devices/functions, the default bus 0 (IDs, classes,
 * multifunction bit, IDE BAR4 sizing, VGA and e1000), BAR sizing for I/O,
 * 32-bit, 64-bit and ROM BARs, read-only fields, command and status
 * (write-1-to-clear), bridges (a scan that follows them, routing, secondary
 * bus reset), the owner's API and its errors, reset, BAR addresses.
 * Expected values were read from qemu-system-x86_64 7.2 (qtest before
 * firmware, and a TCG guest for the port decoding). Prints
 * "test_pci_host: ok". Not here: random sequences
 * (test_pci_host_random_io.c).
 */
#include "duet/pci_host.h"

#include <string.h>

#include "fake_host.h"

static const char test_name[] = "test_pci_host";
#define T_CHECK(condition) CHECK(test_name, condition)
#define T_EQ(actual, expected) CHECK_EQ(test_name, actual, expected)

enum { ADDRESS_PORT = 0xCF8, RCR_PORT = 0xCF9, DATA_PORT = 0xCFC };

struct fixture {
    struct fake_host fh;
    struct pci_host pci;
};

static struct fixture fixture_storage;

static void check_ok(const struct fixture *fx)
{
    const char *broken = pci_host_check(&fx->pci);
    if (broken) {
        fprintf(stderr, "%s: FAIL pci_host_check: %s\n", test_name, broken);
        exit(1);
    }
}

static struct fixture *setup(unsigned board)
{
    struct fixture *fx = &fixture_storage;
    fake_host_init(&fx->fh, 0);
    pci_host_init(&fx->pci, board);
    fake_host_attach(&fx->fh, pci_host_port_device(&fx->pci));
    check_ok(fx);
    return fx;
}

static uint32_t in(struct fixture *fx, uint16_t port, unsigned width)
{
    T_CHECK(port >= PCI_HOST_PORT_BASE);
    uint32_t value = fake_in(&fx->fh, (uint16_t)(port - PCI_HOST_PORT_BASE), width);
    check_ok(fx);
    return value;
}

static void out(struct fixture *fx, uint16_t port, unsigned width, uint32_t value)
{
    T_CHECK(port >= PCI_HOST_PORT_BASE);
    fake_out(&fx->fh, (uint16_t)(port - PCI_HOST_PORT_BASE), width, value);
    check_ok(fx);
}

static uint32_t address(unsigned bus, unsigned device, unsigned function,
                        unsigned reg)
{
    return PCI_HOST_ADDRESS_ENABLE | bus << 16 | device << 11 | function << 8 | reg;
}

/* A dword, word or byte of configuration space through the ports. */
static uint32_t cfg_read(struct fixture *fx, unsigned bus, unsigned device,
                         unsigned function, unsigned reg, unsigned width)
{
    out(fx, ADDRESS_PORT, 4, address(bus, device, function, reg & 0xFC));
    return in(fx, (uint16_t)(DATA_PORT + (reg & 3)), width);
}

static void cfg_write(struct fixture *fx, unsigned bus, unsigned device,
                      unsigned function, unsigned reg, unsigned width,
                      uint32_t value)
{
    out(fx, ADDRESS_PORT, 4, address(bus, device, function, reg & 0xFC));
    out(fx, (uint16_t)(DATA_PORT + (reg & 3)), width, value);
}

/* BAR sizing as a guest does it: all ones, read back, restore. */
static uint32_t bar_size_mask(struct fixture *fx, unsigned bus, unsigned device,
                              unsigned function, unsigned reg)
{
    uint32_t saved = cfg_read(fx, bus, device, function, reg, 4);
    cfg_write(fx, bus, device, function, reg, 4, UINT32_MAX);
    uint32_t mask = cfg_read(fx, bus, device, function, reg, 4);
    cfg_write(fx, bus, device, function, reg, 4, saved);
    T_EQ(cfg_read(fx, bus, device, function, reg, 4), saved);
    return mask;
}

/* ---- mechanism #1 --------------------------------------------------- */

static void test_port_device(void)
{
    struct fixture *fx = setup(0);
    T_EQ(fx->fh.dev.port_base, 0xCF8);
    T_EQ(fx->fh.dev.port_count, 8);
    T_CHECK(fx->fh.dev.deadline == 0 && fx->fh.dev.deadline_pending == 0);
    T_CHECK(strcmp(fx->fh.dev.name, "pci-host") == 0);
    T_EQ(in(fx, ADDRESS_PORT, 4), 0);       /* power-on CONFIG_ADDRESS */
    T_EQ(fx->fh.irq_calls, 0);
}

static void test_address_decoding(void)
{
    struct fixture *fx = setup(0);
    out(fx, ADDRESS_PORT, 4, 0x80000000);
    T_EQ(in(fx, DATA_PORT, 4), 0x12378086);
    T_EQ(in(fx, ADDRESS_PORT, 4), 0x80000000);
    /* device 1 function 1, register 8: class and revision of the IDE */
    out(fx, ADDRESS_PORT, 4, 0x80000908);
    T_EQ(in(fx, DATA_PORT, 4), 0x01018000);
    /* bits 30:24 are kept but select nothing */
    out(fx, ADDRESS_PORT, 4, 0xFF000000);
    T_EQ(in(fx, ADDRESS_PORT, 4), 0xFF000000);
    T_EQ(in(fx, DATA_PORT, 4), 0x12378086);
    /* bits 1:0 are ORed into the register: byte 3 of 00.0 is 0x12 */
    out(fx, ADDRESS_PORT, 4, 0x80000003);
    T_EQ(in(fx, DATA_PORT, 1), 0x12);
    T_EQ(in(fx, 0xCFE, 2), 0x0012);         /* (3 | 2) = 3: bytes 3, 4 */
    T_EQ(in(fx, DATA_PORT, 4), 0x00000012); /* bytes 3..6 */
    T_EQ(fx->pci.stats.address_writes, 4);
}

/* QEMU's CONFIG_ADDRESS only takes a dword at 0xCF8; reads of any width
 * give its low bytes, wherever they start; misaligned ones read 0. */
static void test_address_non_dword(void)
{
    struct fixture *fx = setup(0);
    out(fx, ADDRESS_PORT, 4, 0x80000C10);
    out(fx, ADDRESS_PORT, 2, 0x1234);
    out(fx, ADDRESS_PORT, 1, 0x55);
    out(fx, 0xCFA, 2, 0x8000);
    out(fx, 0xCFB, 1, 0x00);
    out(fx, 0xCFA, 4, 0x80000008);          /* misaligned: dropped */
    T_EQ(in(fx, ADDRESS_PORT, 4), 0x80000C10);
    T_EQ(fx->pci.stats.address_ignored, 4);
    T_EQ(fx->pci.stats.misaligned, 1);
    T_EQ(in(fx, ADDRESS_PORT, 1), 0x10);
    T_EQ(in(fx, ADDRESS_PORT, 2), 0x0C10);
    T_EQ(in(fx, 0xCFA, 1), 0x10);           /* low byte, not byte 2 */
    T_EQ(in(fx, 0xCFA, 2), 0x0C10);
    T_EQ(in(fx, 0xCFB, 1), 0x10);
    T_EQ(in(fx, 0xCFA, 4), 0);              /* misaligned */
    T_EQ(in(fx, 0xCFB, 2), 0);
    T_EQ(in(fx, 0xCFB, 4), 0);
}

/* The PIIX3 RCR at 0xCF9 takes every access whose first byte is there. */
static void test_reset_control(void)
{
    struct fixture *fx = setup(0);
    out(fx, ADDRESS_PORT, 4, 0x80000000);
    T_EQ(in(fx, RCR_PORT, 1), 0);
    out(fx, RCR_PORT, 1, 0x02);
    T_EQ(in(fx, RCR_PORT, 1), 0x02);
    T_EQ(in(fx, RCR_PORT, 2), 0x0202);
    T_EQ(in(fx, RCR_PORT, 4), 0x02020202);
    T_EQ(in(fx, ADDRESS_PORT, 4), 0x80000000);   /* untouched */
    out(fx, RCR_PORT, 1, 0x0B);             /* only bit 1 is kept */
    T_EQ(in(fx, RCR_PORT, 1), 0x02);
    out(fx, RCR_PORT, 1, 0x01);
    T_EQ(in(fx, RCR_PORT, 1), 0x00);
    out(fx, RCR_PORT, 2, 0x0200);           /* bytes low first: 00, then 02 */
    T_EQ(in(fx, RCR_PORT, 1), 0x02);
    out(fx, RCR_PORT, 4, 0x00000002);       /* 02, then 00 00 00 */
    T_EQ(in(fx, RCR_PORT, 1), 0x00);
    out(fx, RCR_PORT, 1, 0x02);
    out(fx, ADDRESS_PORT, 2, 0xFFFF);       /* goes to CONFIG_ADDRESS: ignored */
    out(fx, ADDRESS_PORT, 4, 0x80000000);   /* does not touch the RCR */
    T_EQ(in(fx, RCR_PORT, 1), 0x02);
    T_CHECK(!pci_host_take_reset_request(&fx->pci));

    out(fx, RCR_PORT, 1, 0x06);             /* reset request, RCR unchanged */
    T_EQ(in(fx, RCR_PORT, 1), 0x02);
    T_CHECK(pci_host_take_reset_request(&fx->pci));
    T_CHECK(!pci_host_take_reset_request(&fx->pci));
    out(fx, RCR_PORT, 4, 0x00000004);       /* request, then 3 zero bytes */
    T_EQ(in(fx, RCR_PORT, 1), 0x00);
    T_CHECK(pci_host_take_reset_request(&fx->pci));
    T_EQ(fx->pci.stats.reset_requests, 2);
    pci_host_reset(&fx->pci);
    T_EQ(in(fx, RCR_PORT, 1), 0x00);
}

static void test_data_widths(void)
{
    struct fixture *fx = setup(0);
    out(fx, ADDRESS_PORT, 4, 0x80000000);
    T_EQ(in(fx, 0xCFC, 1), 0x86);
    T_EQ(in(fx, 0xCFD, 1), 0x80);
    T_EQ(in(fx, 0xCFE, 1), 0x37);
    T_EQ(in(fx, 0xCFF, 1), 0x12);
    T_EQ(in(fx, 0xCFC, 2), 0x8086);
    T_EQ(in(fx, 0xCFE, 2), 0x1237);
    T_EQ(in(fx, 0xCFC, 4), 0x12378086);
    uint64_t misaligned = fx->pci.stats.misaligned;
    T_EQ(in(fx, 0xCFD, 2), 0);              /* misaligned: 0, not all ones */
    T_EQ(in(fx, 0xCFF, 2), 0);
    T_EQ(in(fx, 0xCFD, 4), 0);
    T_EQ(in(fx, 0xCFE, 4), 0);
    T_EQ(in(fx, 0xCFF, 4), 0);
    T_EQ(fx->pci.stats.misaligned, misaligned + 5);

    /* Writes at each byte and word of a dword of the host bridge's
     * device-specific area (0xFC, fully writable). */
    cfg_write(fx, 0, 0, 0, 0xFC, 4, 0xAABBCCDD);
    T_EQ(cfg_read(fx, 0, 0, 0, 0xFC, 4), 0xAABBCCDD);
    cfg_write(fx, 0, 0, 0, 0xFD, 1, 0x11);
    cfg_write(fx, 0, 0, 0, 0xFE, 2, 0x3322);
    T_EQ(cfg_read(fx, 0, 0, 0, 0xFC, 4), 0x332211DD);
    out(fx, 0xCFD, 2, 0xFFFF);              /* misaligned: dropped */
    out(fx, 0xCFE, 4, 0xFFFFFFFF);
    T_EQ(cfg_read(fx, 0, 0, 0, 0xFC, 4), 0x332211DD);
    /* An access is cut at byte 255: a dword at 0xFE reads 2 bytes. */
    out(fx, ADDRESS_PORT, 4, 0x800000FE);
    T_EQ(in(fx, DATA_PORT, 4), 0x00003322);
    T_EQ(in(fx, DATA_PORT, 2), 0x3322);
    T_EQ(in(fx, 0xCFD, 1), 0x33);           /* 0xFE | 1 = 0xFF */
    out(fx, ADDRESS_PORT, 4, 0x800000FD);
    T_EQ(in(fx, DATA_PORT, 4), 0x00332211);
    out(fx, DATA_PORT, 4, 0x99887766);      /* 3 bytes land */
    T_EQ(cfg_read(fx, 0, 0, 0, 0xFC, 4), 0x887766DD);
}

static void test_disabled_and_absent(void)
{
    struct fixture *fx = setup(0);
    cfg_write(fx, 0, 1, 1, PCI_HOST_INTERRUPT_LINE, 1, 0x0E);
    out(fx, ADDRESS_PORT, 4, 0x00000000 | (1 << 11) | (1 << 8) | 0x3C);
    T_EQ(in(fx, DATA_PORT, 4), 0xFFFFFFFF); /* bit 31 clear */
    T_EQ(in(fx, DATA_PORT, 2), 0xFFFF);
    T_EQ(in(fx, 0xCFF, 1), 0xFF);
    out(fx, DATA_PORT, 4, 0);               /* ignored */
    out(fx, 0xCFC, 1, 0);
    out(fx, ADDRESS_PORT, 4, 0x7F000000);
    T_EQ(in(fx, DATA_PORT, 4), 0xFFFFFFFF);
    T_EQ(cfg_read(fx, 0, 1, 1, PCI_HOST_INTERRUPT_LINE, 1), 0x0E);

    static const unsigned absent[][3] = {
        { 0, 4, 0 },                        /* empty slot */
        { 0, 1, 2 },                        /* missing function of 01 */
        { 0, 1, 7 }, { 0, 0, 1 },           /* 00.0 is single-function */
        { 1, 0, 0 }, { 255, 31, 7 },        /* no such bus */
    };
    for (unsigned i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        const unsigned *a = absent[i];
        T_EQ(cfg_read(fx, a[0], a[1], a[2], 0, 4), 0xFFFFFFFF);
        T_EQ(cfg_read(fx, a[0], a[1], a[2], 0x3C, 2), 0xFFFF);
        T_EQ(cfg_read(fx, a[0], a[1], a[2], 0x0E, 1), 0xFF);
        cfg_write(fx, a[0], a[1], a[2], 0x3C, 4, 0);   /* ignored */
    }
    T_EQ(cfg_read(fx, 0, 2, 0, 0, 4), 0xFFFFFFFF);     /* no VGA asked */
    T_CHECK(fx->pci.stats.data_unclaimed >= 5 + 4 * 6);
}

/* ---- the default bus ------------------------------------------------ */

struct expected_function {
    unsigned device, function;
    uint32_t ids, class_revision, header_dword, status_command, subsystem;
    uint32_t interrupt;                     /* dword 0x3C */
};

static void test_default_bus(void)
{
    struct fixture *fx = setup(PCI_HOST_BOARD_QEMU_DEFAULT);
    static const struct expected_function expected[] = {
        { 0, 0, 0x12378086, 0x06000002, 0x00000000, 0x00000000, 0x11001AF4, 0 },
        { 1, 0, 0x70008086, 0x06010000, 0x00800000, 0x02000000, 0x11001AF4, 0 },
        { 1, 1, 0x70108086, 0x01018000, 0x00000000, 0x02800000, 0x11001AF4, 0 },
        { 1, 3, 0x71138086, 0x06800003, 0x00000000, 0x02800000, 0x11001AF4, 0x100 },
        { 2, 0, 0x11111234, 0x03000002, 0x00000000, 0x00000000, 0x11001AF4, 0 },
        { 3, 0, 0x100E8086, 0x02000003, 0x00000000, 0x00000000, 0x11001AF4, 0x100 },
    };
    for (unsigned i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct expected_function *e = &expected[i];
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x00, 4), e->ids);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x04, 4), e->status_command);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x08, 4), e->class_revision);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x0C, 4), e->header_dword);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x2C, 4), e->subsystem);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x34, 4), 0);
        T_EQ(cfg_read(fx, 0, e->device, e->function, 0x3C, 4), e->interrupt);
    }
    T_EQ(fx->pci.function_count, 6);
    /* Multifunction bit on 01.0 only; header type byte through a byte read. */
    T_EQ(cfg_read(fx, 0, 1, 0, PCI_HOST_HEADER_TYPE, 1), 0x80);
    T_EQ(cfg_read(fx, 0, 1, 1, PCI_HOST_HEADER_TYPE, 1), 0x00);
    T_EQ(cfg_read(fx, 0, 0, 0, PCI_HOST_HEADER_TYPE, 1), 0x00);
    /* Chipset registers as QEMU's realize/reset leave them. */
    T_EQ(cfg_read(fx, 0, 0, 0, 0x54, 4), 0x10000000);     /* RAM size */
    T_EQ(cfg_read(fx, 0, 0, 0, 0x70, 4), 0x00020000);     /* SMRAM */
    T_EQ(cfg_read(fx, 0, 0, 0, 0x58, 4), 0);              /* PAM off */
    T_EQ(cfg_read(fx, 0, 1, 0, 0x60, 4), 0x80808080);     /* PIRQ routing */
    T_EQ(cfg_read(fx, 0, 1, 0, 0x4C, 4), 0x0003004D);
    T_EQ(cfg_read(fx, 0, 1, 3, 0x40, 4), 0x00000001);     /* PM base */
    T_EQ(cfg_read(fx, 0, 1, 3, 0x90, 4), 0x0000B101);     /* SMBus base */

    /* IDE: BAR0-3 absent (legacy mode), BAR4 16 bytes of I/O. */
    for (unsigned bar = 0; bar < 4; bar++) {
        T_EQ(bar_size_mask(fx, 0, 1, 1, 0x10 + 4 * bar), 0);
    }
    T_EQ(cfg_read(fx, 0, 1, 1, 0x20, 4), 0x00000001);
    T_EQ(bar_size_mask(fx, 0, 1, 1, 0x20), 0xFFFFFFF1);
    T_EQ(bar_size_mask(fx, 0, 1, 1, 0x24), 0);
    /* VGA: 16 MiB prefetchable VRAM, 4 KiB MMIO, 64 KiB ROM. */
    T_EQ(bar_size_mask(fx, 0, 2, 0, 0x10), 0xFF000008);
    T_EQ(bar_size_mask(fx, 0, 2, 0, 0x14), 0);
    T_EQ(bar_size_mask(fx, 0, 2, 0, 0x18), 0xFFFFF000);
    T_EQ(bar_size_mask(fx, 0, 2, 0, 0x30), 0xFFFF0001);
    /* e1000: 128 KiB MMIO, 64 bytes of I/O, 256 KiB ROM. */
    T_EQ(bar_size_mask(fx, 0, 3, 0, 0x10), 0xFFFE0000);
    T_EQ(bar_size_mask(fx, 0, 3, 0, 0x14), 0xFFFFFFC1);
    T_EQ(bar_size_mask(fx, 0, 3, 0, 0x30), 0xFFFC0001);
}

static void test_board_flags(void)
{
    struct fixture *fx = setup(PCI_HOST_BOARD_E1000);   /* no VGA: e1000 at 02 */
    T_EQ(cfg_read(fx, 0, 2, 0, 0, 4), 0x100E8086);
    T_EQ(cfg_read(fx, 0, 3, 0, 0, 4), 0xFFFFFFFF);
    fx = setup(PCI_HOST_BOARD_VGA);
    T_EQ(cfg_read(fx, 0, 2, 0, 0, 4), 0x11111234);
    T_EQ(cfg_read(fx, 0, 3, 0, 0, 4), 0xFFFFFFFF);
    T_EQ(fx->pci.function_count, 5);
    T_EQ(pci_host_function_at(&fx->pci, 0, 1, 1), 2);    /* the IDE's id */
}

/* ---- one function's header ------------------------------------------ */

static struct pci_host_function_desc test_device_desc(void)
{
    return (struct pci_host_function_desc){
        .vendor_id = 0x1AF4, .device_id = 0xBEEF, .class_code = 0xFF0001,
        .revision = 0x42, .interrupt_pin = 2,
        .status = PCI_HOST_STATUS_DEVSEL_MEDIUM,
        .subsystem_vendor_id = 0x1234, .subsystem_id = 0x5678,
        .bars = {
            [0] = { .kind = PCI_HOST_BAR_KIND_IO, .size = 256 },
            [1] = { .kind = PCI_HOST_BAR_KIND_MEM32, .size = 4096 },
            [2] = { .kind = PCI_HOST_BAR_KIND_MEM64, .prefetchable = true,
                    .size = UINT64_C(1) << 33 },
            [4] = { .kind = PCI_HOST_BAR_KIND_IO, .size = 4 },
        },
        .rom_size = 32u << 10,
        .capabilities_pointer = 0x50,
        .preset_count = 3,
        .presets = { { 0x50, 0x09, 0x00 }, { 0x51, 0x00, 0x00 },
                     { 0x52, 0xA5, 0x0F } },
    };
}

static unsigned add_test_device(struct fixture *fx, unsigned bus_id,
                                unsigned device, unsigned function)
{
    struct pci_host_function_desc desc = test_device_desc();
    unsigned id = 99;
    enum pci_host_error error =
        pci_host_add_function(&fx->pci, bus_id, device, function, &desc, &id);
    T_EQ(error, PCI_HOST_OK);
    T_CHECK(id < fx->pci.function_count);
    check_ok(fx);
    return id;
}

static void test_bar_sizing(void)
{
    struct fixture *fx = setup(0);
    add_test_device(fx, PCI_HOST_ROOT_BUS_ID, 5, 0);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x10, 4), 0x00000001);
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x10), 0xFFFFFF01);   /* I/O, 256 */
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x14), 0xFFFFF000);   /* memory, 4 KiB */
    T_EQ(cfg_read(fx, 0, 5, 0, 0x18, 4), 0x0000000C);     /* 64-bit, prefetch */
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x18), 0x0000000C);   /* 8 GiB: low all 0 */
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x1C), 0xFFFFFFFE);
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x20), 0xFFFFFFFD);   /* I/O, 4 bytes */
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x24), 0);            /* unused */
    T_EQ(bar_size_mask(fx, 0, 5, 0, 0x30), 0xFFFF8001);   /* ROM, 32 KiB */
    /* Bytewise programming keeps the type bits. */
    cfg_write(fx, 0, 5, 0, 0x10, 1, 0xFF);
    cfg_write(fx, 0, 5, 0, 0x11, 1, 0xC0);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x10, 4), 0x0000C001);
    cfg_write(fx, 0, 5, 0, 0x14, 2, 0x1234);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x14, 4), 0x00001000);
    cfg_write(fx, 0, 5, 0, 0x18, 4, 0);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x18, 4), 0x0000000C);
}

static void test_read_only_fields(void)
{
    struct fixture *fx = setup(0);
    add_test_device(fx, PCI_HOST_ROOT_BUS_ID, 5, 0);
    static const unsigned read_only[] = {
        0x00, 0x08, 0x28, 0x2C, 0x34,       /* IDs, class/rev, CIS, subsystem, cap */
    };
    for (unsigned i = 0; i < sizeof read_only / sizeof read_only[0]; i++) {
        unsigned reg = read_only[i];
        uint32_t before = cfg_read(fx, 0, 5, 0, reg, 4);
        cfg_write(fx, 0, 5, 0, reg, 4, UINT32_MAX);
        T_EQ(cfg_read(fx, 0, 5, 0, reg, 4), before);
        cfg_write(fx, 0, 5, 0, reg, 4, 0);
        T_EQ(cfg_read(fx, 0, 5, 0, reg, 4), before);
    }
    T_EQ(cfg_read(fx, 0, 5, 0, 0x00, 4), 0xBEEF1AF4);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x08, 4), 0xFF000142);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x2C, 4), 0x56781234);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x34, 4), 0x50);
    /* 0x0C: cache line writable; latency timer, header type, BIST not. */
    cfg_write(fx, 0, 5, 0, 0x0C, 4, UINT32_MAX);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x0C, 4), 0x000000FF);
    cfg_write(fx, 0, 5, 0, PCI_HOST_HEADER_TYPE, 1, 0x81);
    T_EQ(cfg_read(fx, 0, 5, 0, PCI_HOST_HEADER_TYPE, 1), 0x00);
    /* 0x3C: line writable, pin (INTB) and min/max not. */
    cfg_write(fx, 0, 5, 0, 0x3C, 4, UINT32_MAX);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x3C, 4), 0x000002FF);
    cfg_write(fx, 0, 5, 0, 0x3C, 4, 0x0000010B);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x3C, 4), 0x0000020B);
    /* Presets: a read-only capability header, a half-writable byte, and
     * writable device-specific bytes elsewhere. */
    T_EQ(cfg_read(fx, 0, 5, 0, 0x50, 4), 0x00A50009);
    cfg_write(fx, 0, 5, 0, 0x50, 4, UINT32_MAX);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x50, 4), 0xFFAF0009);
    cfg_write(fx, 0, 5, 0, 0x50, 4, 0);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x50, 4), 0x00A00009);
    cfg_write(fx, 0, 5, 0, 0x40, 4, 0x01020304);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x40, 4), 0x01020304);
}

static void test_command_status(void)
{
    struct fixture *fx = setup(0);
    unsigned id = add_test_device(fx, PCI_HOST_ROOT_BUS_ID, 5, 0);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x04, 4), 0x02100000);     /* DEVSEL, caps */
    cfg_write(fx, 0, 5, 0, 0x04, 2, 0xFFFF);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x04, 2), 0x0507);
    cfg_write(fx, 0, 5, 0, 0x04, 1, 0x00);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x04, 2), 0x0500);
    cfg_write(fx, 0, 5, 0, 0x05, 1, 0x00);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x04, 2), 0x0000);
    /* Status: read-only bits stay, error bits clear where 1 is written. */
    cfg_write(fx, 0, 5, 0, 0x06, 2, 0xFFFF);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x06, 2), 0x0210);
    pci_host_raise_status(&fx->pci, id, 0x8000 | 0x2000 | 0x0100);
    check_ok(fx);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x06, 2), 0xA310);
    cfg_write(fx, 0, 5, 0, 0x06, 2, 0x0000);              /* 0s change nothing */
    T_EQ(cfg_read(fx, 0, 5, 0, 0x06, 2), 0xA310);
    cfg_write(fx, 0, 5, 0, 0x07, 1, 0x20);                /* clear one bit */
    T_EQ(cfg_read(fx, 0, 5, 0, 0x06, 2), 0x8310);
    /* A dword write sets the command and clears status bits at once. */
    cfg_write(fx, 0, 5, 0, 0x04, 4, 0x81000003);
    T_EQ(cfg_read(fx, 0, 5, 0, 0x04, 4), 0x02100003);
}

/* ---- bridges -------------------------------------------------------- */

struct scan_result {
    unsigned count;
    int ids[PCI_HOST_FUNCTIONS_MAX];
    unsigned next_bus;
};

static void scan_bus(struct fixture *fx, unsigned bus, struct scan_result *found);

/* What firmware does with a bridge: give it the next bus number, scan
 * behind it, then close its range at the last bus found. */
static void scan_bridge(struct fixture *fx, unsigned bus, unsigned device,
                        unsigned function, struct scan_result *found)
{
    unsigned secondary = ++found->next_bus;
    cfg_write(fx, bus, device, function, PCI_HOST_PRIMARY_BUS, 4,
              0xFF << 16 | secondary << 8 | bus);
    scan_bus(fx, secondary, found);
    cfg_write(fx, bus, device, function, PCI_HOST_SUBORDINATE_BUS, 1,
              found->next_bus);
}

static void scan_bus(struct fixture *fx, unsigned bus, struct scan_result *found)
{
    T_CHECK(bus < 256);
    for (unsigned device = 0; device < 32; device++) {
        unsigned functions = 1;
        for (unsigned function = 0; function < functions; function++) {
            if (cfg_read(fx, bus, device, function, 0, 2) == 0xFFFF) continue;
            uint8_t header = (uint8_t)cfg_read(fx, bus, device, function,
                                               PCI_HOST_HEADER_TYPE, 1);
            if (function == 0 && (header & PCI_HOST_HEADER_MULTIFUNCTION)) {
                functions = 8;
            }
            T_CHECK(found->count < PCI_HOST_FUNCTIONS_MAX);
            found->ids[found->count++] = pci_host_route(
                &fx->pci, (uint8_t)bus, (uint8_t)(device << 3 | function));
            if ((header & 0x7F) == PCI_HOST_HEADER_BRIDGE) {
                T_EQ(cfg_read(fx, bus, device, function, 0x08, 4) >> 16, 0x0604);
                scan_bridge(fx, bus, device, function, found);
            }
        }
    }
}

static unsigned add_bridge(struct fixture *fx, unsigned bus_id, unsigned device,
                           uint8_t chassis)
{
    struct pci_host_function_desc desc = pci_host_qemu_bridge_desc(chassis);
    unsigned id = 0;
    T_EQ(pci_host_add_function(&fx->pci, bus_id, device, 0, &desc, &id),
         PCI_HOST_OK);
    check_ok(fx);
    return id;
}

/* QEMU's pci-bridge header, read back on qemu-system-x86_64 7.2. */
static void test_bridge_header(void)
{
    struct fixture *fx = setup(0);
    add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 5, 1);
    static const uint32_t power_on[][2] = {
        { 0x00, 0x00011B36 }, { 0x04, 0x00B00000 }, { 0x08, 0x06040000 },
        { 0x0C, 0x00010000 }, { 0x18, 0 }, { 0x1C, 0x00A00000 },
        { 0x20, 0 }, { 0x24, 0x00010001 }, { 0x34, 0x40 }, { 0x3C, 0 },
        { 0x40, 0x01200004 },
    };
    static const uint32_t after_ones[][2] = {
        { 0x04, 0x00B00507 }, { 0x0C, 0x000100FF }, { 0x10, 0 }, { 0x18, 0xFFFFFFFF },
        { 0x1C, 0x00A0F0F0 }, { 0x20, 0xFFF0FFF0 }, { 0x24, 0xFFF1FFF1 },
        { 0x28, 0xFFFFFFFF }, { 0x2C, 0xFFFFFFFF }, { 0x30, 0 }, { 0x38, 0 },
        { 0x3C, 0x0BFF00FF }, { 0x40, 0xFF200004 },
    };
    for (unsigned i = 0; i < sizeof power_on / sizeof power_on[0]; i++) {
        T_EQ(cfg_read(fx, 0, 5, 0, power_on[i][0], 4), power_on[i][1]);
    }
    for (unsigned i = 0; i < sizeof after_ones / sizeof after_ones[0]; i++) {
        cfg_write(fx, 0, 5, 0, after_ones[i][0], 4, UINT32_MAX);
        T_EQ(cfg_read(fx, 0, 5, 0, after_ones[i][0], 4), after_ones[i][1]);
    }
}

static void test_bridge_scan(void)
{
    struct fixture *fx = setup(PCI_HOST_BOARD_VGA);
    unsigned bridge = add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 5, 1);
    unsigned behind = pci_host_bridge_bus_id(&fx->pci, bridge);
    unsigned device = add_test_device(fx, behind, 1, 0);
    unsigned nested = add_bridge(fx, behind, 3, 2);
    unsigned deeper = add_test_device(fx, pci_host_bridge_bus_id(&fx->pci, nested),
                                      4, 0);
    unsigned second = add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 6, 3);
    unsigned last = add_test_device(fx, pci_host_bridge_bus_id(&fx->pci, second),
                                    0, 0);
    /* Before firmware, bridges forward nothing: only bus 0 answers. */
    T_EQ(cfg_read(fx, 1, 1, 0, 0, 4), 0xFFFFFFFF);
    T_EQ(pci_host_route(&fx->pci, 1, 1 << 3), -1);

    struct scan_result found = { 0 };
    scan_bus(fx, 0, &found);
    T_EQ(found.count, fx->pci.function_count);
    T_EQ(found.next_bus, 3);                /* buses 1, 2 (nested), 3 */
    bool seen[PCI_HOST_FUNCTIONS_MAX] = { false };
    for (unsigned i = 0; i < found.count; i++) {
        T_CHECK(found.ids[i] >= 0 && !seen[found.ids[i]]);
        seen[found.ids[i]] = true;
    }
    T_EQ(pci_host_route(&fx->pci, 1, 1 << 3), (int)device);
    T_EQ(pci_host_route(&fx->pci, 2, 4 << 3), (int)deeper);
    T_EQ(pci_host_route(&fx->pci, 3, 0), (int)last);
    T_EQ(cfg_read(fx, 0, 5, 0, PCI_HOST_PRIMARY_BUS, 4), 0x00020100);
    T_EQ(cfg_read(fx, 1, 3, 0, PCI_HOST_PRIMARY_BUS, 4), 0x00020201);
    T_EQ(cfg_read(fx, 0, 6, 0, PCI_HOST_PRIMARY_BUS, 4), 0x00030300);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xBEEF1AF4);
    /* The device's header through its bridge is the same as on bus 0. */
    T_EQ(bar_size_mask(fx, 1, 1, 0, 0x10), 0xFFFFFF01);

    /* Bus 2 lies behind bus 1: it answers only while bridge 00:05.0's
     * range holds it. The exact secondary number answers regardless. */
    cfg_write(fx, 0, 5, 0, PCI_HOST_SUBORDINATE_BUS, 1, 1);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xFFFFFFFF);
    cfg_write(fx, 0, 5, 0, PCI_HOST_SUBORDINATE_BUS, 1, 0);
    T_EQ(cfg_read(fx, 1, 1, 0, 0, 4), 0xBEEF1AF4);
    cfg_write(fx, 0, 5, 0, PCI_HOST_SUBORDINATE_BUS, 1, 2);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xBEEF1AF4);
}

/* Overlapping ranges: QEMU tries the most recently added bridge first. */
static void test_bridge_overlap(void)
{
    struct fixture *fx = setup(0);
    unsigned first = add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 5, 1);
    unsigned second = add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 6, 2);
    unsigned a = add_test_device(fx, pci_host_bridge_bus_id(&fx->pci, first), 1, 0);
    unsigned b = add_test_device(fx, pci_host_bridge_bus_id(&fx->pci, second), 2, 0);
    cfg_write(fx, 0, 5, 0, PCI_HOST_PRIMARY_BUS, 4, 0x00050100);  /* 1..5 */
    cfg_write(fx, 0, 6, 0, PCI_HOST_PRIMARY_BUS, 4, 0x00050300);  /* 3..5 */
    T_EQ(pci_host_route(&fx->pci, 1, 1 << 3), (int)a);
    T_EQ(pci_host_route(&fx->pci, 3, 2 << 3), (int)b);
    T_EQ(cfg_read(fx, 3, 2, 0, 0, 4), 0xBEEF1AF4);
    /* A range holding the number but no bus there: nothing answers. */
    T_EQ(cfg_read(fx, 4, 2, 0, 0, 4), 0xFFFFFFFF);
    /* The first bridge's range holds 3 too, but the second one is tried
     * first; once it stops claiming 3, the first one is descended into. */
    cfg_write(fx, 0, 6, 0, PCI_HOST_SECONDARY_BUS, 1, 4);
    T_EQ(pci_host_route(&fx->pci, 3, 2 << 3), -1);
    T_EQ(pci_host_route(&fx->pci, 4, 2 << 3), (int)b);
}

/* Bridge control bit 6: forwarding past the secondary bus stops, and its
 * 0 -> 1 edge resets everything behind the bridge. */
static void test_secondary_bus_reset(void)
{
    struct fixture *fx = setup(0);
    unsigned bridge = add_bridge(fx, PCI_HOST_ROOT_BUS_ID, 5, 1);
    unsigned behind = pci_host_bridge_bus_id(&fx->pci, bridge);
    unsigned device = add_test_device(fx, behind, 1, 0);
    unsigned nested = add_bridge(fx, behind, 3, 2);
    add_test_device(fx, pci_host_bridge_bus_id(&fx->pci, nested), 4, 0);
    cfg_write(fx, 0, 5, 0, PCI_HOST_PRIMARY_BUS, 4, 0x00020100);
    cfg_write(fx, 1, 3, 0, PCI_HOST_PRIMARY_BUS, 4, 0x00020201);
    cfg_write(fx, 1, 1, 0, 0x04, 2, 0x0003);
    cfg_write(fx, 1, 1, 0, 0x3C, 1, 0x0B);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xBEEF1AF4);
    uint64_t resets = fx->pci.stats.bus_resets;

    cfg_write(fx, 0, 5, 0, PCI_HOST_BRIDGE_CONTROL, 2, 0x0040);
    T_EQ(fx->pci.stats.bus_resets, resets + 1);
    T_EQ(cfg_read(fx, 0, 5, 0, PCI_HOST_PRIMARY_BUS, 4), 0x00020100);  /* kept */
    T_EQ(cfg_read(fx, 1, 1, 0, 0x04, 2), 0);       /* reset, still reachable */
    T_EQ(cfg_read(fx, 1, 1, 0, 0x3C, 1), 0);
    T_EQ(pci_host_config_read(&fx->pci, nested, PCI_HOST_PRIMARY_BUS, 4), 0);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xFFFFFFFF);
    /* Held in reset: no new edge, the range forwards nothing. */
    cfg_write(fx, 1, 3, 0, PCI_HOST_PRIMARY_BUS, 4, 0x00020201);
    cfg_write(fx, 0, 5, 0, PCI_HOST_BRIDGE_CONTROL, 2, 0x0040);
    T_EQ(fx->pci.stats.bus_resets, resets + 1);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xFFFFFFFF);
    cfg_write(fx, 0, 5, 0, PCI_HOST_BRIDGE_CONTROL, 2, 0x0000);
    T_EQ(cfg_read(fx, 2, 4, 0, 0, 4), 0xBEEF1AF4);
    T_EQ(pci_host_route(&fx->pci, 1, 1 << 3), (int)device);
}

/* ---- the owner's API ------------------------------------------------ */

static void test_add_errors(void)
{
    struct fixture *fx = setup(0);
    struct pci_host_function_desc desc = test_device_desc();
    static struct pci_host before;
    memcpy(&before, &fx->pci, sizeof before);
    unsigned id = 77;
    T_EQ(pci_host_add_function(&fx->pci, 0, 32, 0, &desc, &id),
         PCI_HOST_ERROR_BAD_ADDRESS);
    T_EQ(pci_host_add_function(&fx->pci, 0, 5, 8, &desc, &id),
         PCI_HOST_ERROR_BAD_ADDRESS);
    T_EQ(pci_host_add_function(&fx->pci, 1, 5, 0, &desc, &id),
         PCI_HOST_ERROR_NO_SUCH_BUS);
    T_EQ(pci_host_add_function(&fx->pci, 0, 1, 1, &desc, &id),
         PCI_HOST_ERROR_OCCUPIED);
    T_EQ(pci_host_add_function(&fx->pci, 0, 0, 2, &desc, &id),   /* 00.0 single */
         PCI_HOST_ERROR_SINGLE_FUNCTION);
    T_EQ(id, 77);
    T_CHECK(memcmp(&before, &fx->pci, sizeof before) == 0);
    T_CHECK(strcmp(pci_host_error_name(PCI_HOST_ERROR_OCCUPIED),
                   "PCI_HOST_ERROR_OCCUPIED") == 0);

    /* A function without function 0 is allowed (QEMU too); function 0 then
     * needs the multifunction bit. */
    T_EQ(pci_host_add_function(&fx->pci, 0, 7, 2, &desc, &id), PCI_HOST_OK);
    T_EQ(cfg_read(fx, 0, 7, 2, 0, 4), 0xBEEF1AF4);
    T_EQ(pci_host_add_function(&fx->pci, 0, 7, 0, &desc, &id),
         PCI_HOST_ERROR_SINGLE_FUNCTION);
    desc.multifunction = true;
    T_EQ(pci_host_add_function(&fx->pci, 0, 7, 0, &desc, &id), PCI_HOST_OK);
    T_EQ(cfg_read(fx, 0, 7, 0, PCI_HOST_HEADER_TYPE, 1), 0x80);
    T_EQ(cfg_read(fx, 0, 7, 2, PCI_HOST_HEADER_TYPE, 1), 0x00);
    check_ok(fx);
}

struct bad_descriptor {
    const char *problem_start;
    void (*spoil)(struct pci_host_function_desc *desc);
};

static void spoil_vendor(struct pci_host_function_desc *d) { d->vendor_id = 0xFFFF; }
static void spoil_class(struct pci_host_function_desc *d) { d->class_code = 1u << 24; }
static void spoil_header(struct pci_host_function_desc *d) { d->header_type = 2; }
static void spoil_pin(struct pci_host_function_desc *d) { d->interrupt_pin = 5; }
static void spoil_status(struct pci_host_function_desc *d) { d->status = 0x0010; }
static void spoil_bar_size(struct pci_host_function_desc *d) { d->bars[1].size = 3000; }
static void spoil_io_small(struct pci_host_function_desc *d) { d->bars[4].size = 2; }
static void spoil_bar_kind(struct pci_host_function_desc *d)
{
    d->bars[5] = (struct pci_host_bar_desc){ .kind = 9, .size = 16 };
}
static void spoil_upper(struct pci_host_function_desc *d)
{
    d->bars[3] = (struct pci_host_bar_desc){ .kind = PCI_HOST_BAR_KIND_IO, .size = 4 };
}
static void spoil_last64(struct pci_host_function_desc *d)
{
    d->bars[5] = (struct pci_host_bar_desc){ .kind = PCI_HOST_BAR_KIND_MEM64, .size = 16 };
}
static void spoil_rom(struct pci_host_function_desc *d) { d->rom_size = 1024; }
static void spoil_cap(struct pci_host_function_desc *d) { d->capabilities_pointer = 0x3C; }
static void spoil_preset(struct pci_host_function_desc *d) { d->presets[0].offset = 0x3C; }
static void spoil_twice(struct pci_host_function_desc *d) { d->presets[1].offset = 0x50; }
static void spoil_count(struct pci_host_function_desc *d) { d->preset_count = 17; }
static void spoil_bridge_bar(struct pci_host_function_desc *d)
{
    d->header_type = PCI_HOST_HEADER_BRIDGE;
    d->subsystem_vendor_id = d->subsystem_id = 0;
}
static void spoil_bridge_subsystem(struct pci_host_function_desc *d)
{
    d->header_type = PCI_HOST_HEADER_BRIDGE;
    memset(d->bars, 0, sizeof d->bars);
}

static void test_bad_descriptors(void)
{
    struct fixture *fx = setup(0);
    static const struct bad_descriptor cases[] = {
        { "vendor id", spoil_vendor }, { "class code", spoil_class },
        { "header type", spoil_header }, { "interrupt pin", spoil_pin },
        { "status bits", spoil_status }, { "BAR size not", spoil_bar_size },
        { "I/O BAR size", spoil_io_small }, { "unknown BAR", spoil_bar_kind },
        { "64-bit BAR's upper", spoil_upper }, { "64-bit BAR in the last", spoil_last64 },
        { "ROM size", spoil_rom }, { "capabilities pointer", spoil_cap },
        { "preset inside", spoil_preset }, { "two presets", spoil_twice },
        { "too many", spoil_count }, { "a bridge has only", spoil_bridge_bar },
        { "a bridge header", spoil_bridge_subsystem },
    };
    struct pci_host_function_desc good = test_device_desc();
    T_CHECK(pci_host_desc_check(&good) == 0);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pci_host_function_desc desc = test_device_desc();
        cases[i].spoil(&desc);
        const char *problem = pci_host_desc_check(&desc);
        if (problem == 0 || strncmp(problem, cases[i].problem_start,
                                    strlen(cases[i].problem_start)) != 0) {
            fprintf(stderr, "%s: FAIL case %u: got \"%s\", expected \"%s...\"\n",
                    test_name, i, problem ? problem : "(none)",
                    cases[i].problem_start);
            exit(1);
        }
        T_EQ(pci_host_add_function(&fx->pci, 0, 9, 0, &desc, 0),
             PCI_HOST_ERROR_BAD_DESCRIPTOR);
    }
    T_EQ(fx->pci.function_count, 4);
}

static void test_limits(void)
{
    struct fixture *fx = setup(0);
    struct pci_host_function_desc bridge = pci_host_qemu_bridge_desc(0);
    unsigned added_bridges = 0;
    for (unsigned device = 10; device < 32; device++) {
        enum pci_host_error error =
            pci_host_add_function(&fx->pci, 0, device, 0, &bridge, 0);
        if (error == PCI_HOST_ERROR_BUSES_FULL) break;
        T_EQ(error, PCI_HOST_OK);
        added_bridges++;
    }
    T_EQ(added_bridges, PCI_HOST_BUSES_MAX - 1);
    T_EQ(fx->pci.bus_count, PCI_HOST_BUSES_MAX);
    struct pci_host_function_desc desc = test_device_desc();
    desc.multifunction = true;
    unsigned added = 0;
    for (unsigned slot = 0; slot < 8 * 8; slot++) {
        enum pci_host_error error = pci_host_add_function(
            &fx->pci, 1 + slot / 8, slot % 8, 0, &desc, 0);
        if (error == PCI_HOST_ERROR_FUNCTIONS_FULL) break;
        T_EQ(error, PCI_HOST_OK);
        added++;
    }
    T_EQ(fx->pci.function_count, PCI_HOST_FUNCTIONS_MAX);
    T_EQ(added, PCI_HOST_FUNCTIONS_MAX - 4 - (PCI_HOST_BUSES_MAX - 1));
    T_EQ(pci_host_add_function(&fx->pci, 0, 31, 7, &desc, 0),
         PCI_HOST_ERROR_FUNCTIONS_FULL);
    check_ok(fx);
}

static void test_owner_config_and_reset(void)
{
    struct fixture *fx = setup(0);
    unsigned ide = (unsigned)pci_host_function_at(&fx->pci, 0, 1, 1);
    pci_host_config_write(&fx->pci, ide, 0x20, 4, 0xFFFFFFFF);
    T_EQ(pci_host_config_read(&fx->pci, ide, 0x20, 4), 0xFFFFFFF1);
    pci_host_config_write(&fx->pci, ide, 0x20, 4, 0xC000);
    pci_host_config_write(&fx->pci, ide, 0x04, 2, 0x0001);
    T_EQ(cfg_read(fx, 0, 1, 1, 0x20, 4), 0x0000C001);
    uint64_t address = 0;
    T_CHECK(pci_host_bar_address(&fx->pci, ide, 4, &address));
    T_EQ(address, 0xC000);
    T_CHECK(!pci_host_bar_address(&fx->pci, ide, 0, &address));
    pci_host_config_write(&fx->pci, ide, 0x04, 2, 0x0002);   /* memory only */
    T_CHECK(!pci_host_bar_address(&fx->pci, ide, 4, &address));

    cfg_write(fx, 0, 1, 0, 0x60, 1, 0x0B);              /* PIRQA -> IRQ 11 */
    out(fx, ADDRESS_PORT, 4, 0x80000A00);
    out(fx, RCR_PORT, 1, 0x02);
    pci_host_reset(&fx->pci);
    check_ok(fx);
    T_EQ(in(fx, ADDRESS_PORT, 4), 0x80000A00);          /* kept, as QEMU */
    T_EQ(in(fx, RCR_PORT, 1), 0);
    T_EQ(cfg_read(fx, 0, 1, 1, 0x20, 4), 0x00000001);
    T_EQ(cfg_read(fx, 0, 1, 1, 0x04, 2), 0);
    T_EQ(cfg_read(fx, 0, 1, 0, 0x60, 4), 0x80808080);
}

static void test_bar_addresses(void)
{
    struct fixture *fx = setup(0);
    unsigned id = add_test_device(fx, PCI_HOST_ROOT_BUS_ID, 5, 0);
    uint64_t address = 0;
    pci_host_config_write(&fx->pci, id, 0x04, 2, 0x0003);
    T_CHECK(!pci_host_bar_address(&fx->pci, id, 0, &address));     /* at 0 */
    pci_host_config_write(&fx->pci, id, 0x10, 4, 0x0000E0FF);
    T_CHECK(pci_host_bar_address(&fx->pci, id, 0, &address));
    T_EQ(address, 0xE000);
    pci_host_config_write(&fx->pci, id, 0x14, 4, 0xFFFFF000);      /* reaches 4G-1 */
    T_CHECK(!pci_host_bar_address(&fx->pci, id, 1, &address));
    pci_host_config_write(&fx->pci, id, 0x14, 4, 0xFEBF0000);
    T_CHECK(pci_host_bar_address(&fx->pci, id, 1, &address));
    T_EQ(address, 0xFEBF0000);
    pci_host_config_write(&fx->pci, id, 0x18, 4, 0);
    pci_host_config_write(&fx->pci, id, 0x1C, 4, 0x4);             /* 16 GiB */
    T_CHECK(pci_host_bar_address(&fx->pci, id, 2, &address));
    T_EQ(address, UINT64_C(0x400000000));
    T_CHECK(!pci_host_bar_address(&fx->pci, id, 3, &address));     /* upper half */
    pci_host_config_write(&fx->pci, id, 0x30, 4, 0xFEB00000);
    T_CHECK(!pci_host_bar_address(&fx->pci, id, PCI_HOST_ROM_BAR, &address));
    pci_host_config_write(&fx->pci, id, 0x30, 4, 0xFEB00001);
    T_CHECK(pci_host_bar_address(&fx->pci, id, PCI_HOST_ROM_BAR, &address));
    T_EQ(address, 0xFEB00000);
    T_CHECK(!pci_host_bar_address(&fx->pci, id, 5, &address));     /* unused */
}

/* Offsets past the 8 ports (a bus that passes them anyway) read 0xFF. */
static void test_outside(void)
{
    struct fixture *fx = setup(0);
    T_EQ(fake_in(&fx->fh, 8, 1), 0xFF);
    T_EQ(fake_in(&fx->fh, 12, 4), 0xFFFFFFFF);
    fake_out(&fx->fh, 9, 2, 0);
    check_ok(fx);
}

int main(void)
{
    test_port_device();
    test_address_decoding();
    test_address_non_dword();
    test_reset_control();
    test_data_widths();
    test_disabled_and_absent();
    test_default_bus();
    test_board_flags();
    test_bar_sizing();
    test_read_only_fields();
    test_command_status();
    test_bridge_header();
    test_bridge_scan();
    test_bridge_overlap();
    test_secondary_bus_reset();
    test_add_errors();
    test_bad_descriptors();
    test_limits();
    test_owner_config_and_reset();
    test_bar_addresses();
    test_outside();
    printf("%s: ok\n", test_name);
    return 0;
}
