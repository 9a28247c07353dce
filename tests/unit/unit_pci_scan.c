/*
 * unit_pci_scan.c - the PCI bus driver's scan (framework/os/pci/pci_scan.c)
 * over configuration mechanism #1 (framework/arch/x86/pci_config_port.c),
 * against the host bridge model (hw_models/pci_host.c) as the reference.
 *
 * The HAL's port functions are routed straight to the model, so the
 * driver's code runs unchanged. Checked:
 *   - the board's bus 0 is found exactly, in BDF order, with its BAR;
 *   - topologies behind bridges (nested, an empty bus), BARs of every kind
 *     (I/O, 32-bit, 64-bit, prefetchable) sized exactly;
 *   - functions 1-7 only behind a multifunction function 0; a function
 *     without function 0 and a bus no bridge leads to are not found;
 *   - an unconfigured bridge (secondary bus 0) and two bridges naming the
 *     same bus are listed but not followed twice: the scan ends;
 *   - the scan leaves every configuration byte of every function as it
 *     found it (BARs and command restored), and no BAR ever holds all ones
 *     while its function decodes I/O or memory.
 *
 * Build: the framework sources compiled in, with hal_stub.c; links
 * duet_hw_models.
 */
#include <stdlib.h>

#include "duet/pci_host.h"
#include "hal/port_io.h"
#include "pci_scan.h"
#include "unit_check.h"

/* The model the HAL's ports reach, and what the port hook saw. */
static struct pci_host *model;
static struct hw_port_device model_ports;
static unsigned sizing_while_decoding;

static uint32_t port_read(uint16_t port, unsigned width)
{
    if (port < PCI_HOST_PORT_BASE || port >= PCI_HOST_PORT_BASE + PCI_HOST_PORT_COUNT)
        return UINT32_MAX;
    return model_ports.read(model, (uint16_t)(port - PCI_HOST_PORT_BASE), width);
}

/* Before a write of all ones to a BAR: its function must not decode. */
static void check_not_decoding(uint16_t port, unsigned width, uint32_t value)
{
    uint32_t address = model->config_address;
    unsigned reg = address & 0xFC;
    if (port != PCI_HOST_PORT_BASE + PCI_HOST_DATA_OFFSET || width != 4 ||
        value != UINT32_MAX || reg < PCI_HOST_BAR0 || reg > PCI_HOST_BAR0 + 20)
        return;
    int id = pci_host_route(model, (uint8_t)(address >> 16), (uint8_t)(address >> 8));
    if (id < 0)
        return;
    uint32_t command = pci_host_config_read(model, (unsigned)id, PCI_HOST_COMMAND, 2);
    if ((command & (PCI_HOST_COMMAND_IO | PCI_HOST_COMMAND_MEMORY)) != 0)
        sizing_while_decoding++;
}

static void port_write(uint16_t port, unsigned width, uint32_t value)
{
    if (port < PCI_HOST_PORT_BASE || port >= PCI_HOST_PORT_BASE + PCI_HOST_PORT_COUNT)
        return;
    check_not_decoding(port, width, value);
    model_ports.write(model, (uint16_t)(port - PCI_HOST_PORT_BASE), width, value);
}

uint8_t hal_in8(uint16_t port) { return (uint8_t)port_read(port, 1); }
uint16_t hal_in16(uint16_t port) { return (uint16_t)port_read(port, 2); }
uint32_t hal_in32(uint16_t port) { return port_read(port, 4); }
void hal_out8(uint16_t port, uint8_t value) { port_write(port, 1, value); }
void hal_out16(uint16_t port, uint16_t value) { port_write(port, 2, value); }
void hal_out32(uint16_t port, uint32_t value) { port_write(port, 4, value); }

static void model_use(struct pci_host *pci)
{
    model = pci;
    model_ports = pci_host_port_device(pci);
    sizing_while_decoding = 0;
}

/* Scans, and checks that no configuration byte changed. */
static struct pci_scan *scan_checked(struct pci_host *pci, const char *what)
{
    struct pci_host *before = malloc(sizeof *before);
    struct pci_scan *scan = malloc(sizeof *scan);
    if (before == NULL || scan == NULL)
        exit(2);
    model_use(pci);
    *before = *pci;
    pci_scan_run(scan);
    bool same = true;
    for (unsigned id = 0; id < pci->function_count; id++)
        same = same && memcmp(before->functions[id].config, pci->functions[id].config,
                              PCI_HOST_CONFIG_BYTES) == 0;
    UNIT_CHECK(same, "%s: every configuration byte as before the scan", what);
    UNIT_CHECK(sizing_while_decoding == 0, "%s: %u BARs sized while decoding", what,
               sizing_while_decoding);
    UNIT_CHECK(pci_host_check(pci) == NULL, "%s: model invariants", what);
    free(before);
    return scan;
}

static const struct pci_device_info *found(const struct pci_scan *scan, unsigned bus,
                                           unsigned device, unsigned function)
{
    int index = pci_scan_find(scan, pci_bdf(bus, device, function));
    return index < 0 ? NULL : &scan->devices[index];
}

static void test_board(void)
{
    struct pci_host *pci = malloc(sizeof *pci);
    pci_host_init(pci, 0);
    struct pci_scan *scan = scan_checked(pci, "board");
    static const struct { uint16_t bdf, vendor, device; uint32_t class_code; } board[] = {
        {0x00, 0x8086, 0x1237, 0x060000}, {0x08, 0x8086, 0x7000, 0x060100},
        {0x09, 0x8086, 0x7010, 0x010180}, {0x0B, 0x8086, 0x7113, 0x068000},
    };
    UNIT_CHECK_U64(scan->device_count, 4, "board: functions");
    for (size_t i = 0; i < 4 && i < scan->device_count; i++)
        UNIT_CHECK(scan->devices[i].bdf == board[i].bdf &&
                       scan->devices[i].vendor_id == board[i].vendor &&
                       scan->devices[i].device_id == board[i].device &&
                       scan->devices[i].class_code == board[i].class_code,
                   "board: function %zu", i);
    const struct pci_device_info *ide = found(scan, 0, 1, 1);
    UNIT_CHECK(ide != NULL && ide->bars[4].kind == PCI_BAR_IO && ide->bars[4].size == 16 &&
                   ide->bars[0].kind == PCI_BAR_NONE,
               "board: IDE BAR4 16 bytes of I/O");
    UNIT_CHECK_U64(scan->stats.buses_scanned, 1, "board: buses");
    free(scan);

    /* With the default board extras, BARs programmed and decoding on. */
    pci_host_init(pci, PCI_HOST_BOARD_QEMU_DEFAULT);
    pci_host_config_write(pci, 2, PCI_HOST_BAR0 + 16, 4, 0xC001);
    pci_host_config_write(pci, 2, PCI_HOST_COMMAND, 2, PCI_HOST_COMMAND_IO);
    pci_host_config_write(pci, 4, PCI_HOST_BAR0, 4, 0xFD000008);
    pci_host_config_write(pci, 4, PCI_HOST_COMMAND, 2, PCI_HOST_COMMAND_MEMORY);
    scan = scan_checked(pci, "qemu default, programmed");
    const struct pci_device_info *vga = found(scan, 0, 2, 0);
    UNIT_CHECK(vga != NULL && vga->bars[0].kind == PCI_BAR_MEMORY32 && vga->bars[0].prefetchable &&
                   vga->bars[0].size == 16u << 20 && vga->bars[2].size == 4096,
               "VGA: 16 MiB prefetchable, 4 KiB");
    const struct pci_device_info *nic = found(scan, 0, 3, 0);
    UNIT_CHECK(nic != NULL && nic->bars[0].size == 128u << 10 && nic->bars[1].kind == PCI_BAR_IO &&
                   nic->bars[1].size == 64,
               "e1000: 128 KiB, 64 bytes of I/O");
    free(scan);
    free(pci);
}

static unsigned add(struct pci_host *pci, unsigned bus_id, unsigned device, unsigned function,
                    const struct pci_host_function_desc *desc)
{
    unsigned id = 0;
    enum pci_host_error error = pci_host_add_function(pci, bus_id, device, function, desc, &id);
    UNIT_CHECK(error == PCI_HOST_OK, "add %u/%02x.%u: %s", bus_id, device, function,
               pci_host_error_name(error));
    return id;
}

static void bus_numbers(struct pci_host *pci, unsigned bridge, unsigned primary,
                        unsigned secondary, unsigned subordinate)
{
    pci_host_config_write(pci, bridge, PCI_HOST_PRIMARY_BUS, 1, primary);
    pci_host_config_write(pci, bridge, PCI_HOST_SECONDARY_BUS, 1, secondary);
    pci_host_config_write(pci, bridge, PCI_HOST_SUBORDINATE_BUS, 1, subordinate);
}

static void test_topology(void)
{
    struct pci_host *pci = malloc(sizeof *pci);
    pci_host_init(pci, 0);
    struct pci_host_function_desc wide = {
        .vendor_id = 0x1B36, .device_id = 0x0010, .class_code = 0x010802, .multifunction = true,
        .bars = {[0] = {.kind = PCI_HOST_BAR_KIND_MEM64, .size = UINT64_C(1) << 40},
                 [2] = {.kind = PCI_HOST_BAR_KIND_MEM64, .prefetchable = true, .size = 16},
                 [4] = {.kind = PCI_HOST_BAR_KIND_IO, .size = 4},
                 [5] = {.kind = PCI_HOST_BAR_KIND_MEM32, .size = UINT64_C(1) << 31}}};
    struct pci_host_function_desc plain = {.vendor_id = 0x1234, .device_id = 0x0001,
                                           .class_code = 0xFF0000};
    add(pci, 0, 3, 0, &wide);
    add(pci, 0, 3, 5, &plain);                      /* behind a multifunction 0 */
    add(pci, 0, 9, 3, &plain);                      /* no function 0: not found */
    struct pci_host_function_desc bridge_desc = pci_host_qemu_bridge_desc(1);
    /* Routing tries the most recent bridge first, so the one naming bus 1
     * as well comes first and a, added later, is the one that leads there. */
    unsigned d = add(pci, 0, 7, 0, &bridge_desc);   /* names bus 1 as well */
    unsigned a = add(pci, 0, 5, 0, &bridge_desc);
    unsigned b = add(pci, pci_host_bridge_bus_id(pci, a), 1, 0, &bridge_desc);
    unsigned c = add(pci, 0, 6, 0, &bridge_desc);   /* unconfigured */
    unsigned e = add(pci, 0, 8, 0, &bridge_desc);   /* names bus 0: a loop */
    add(pci, pci_host_bridge_bus_id(pci, b), 0x1f, 0, &plain);
    add(pci, pci_host_bridge_bus_id(pci, c), 0, 0, &plain);   /* unreachable */
    bus_numbers(pci, a, 0, 1, 2);
    bus_numbers(pci, b, 1, 2, 2);
    bus_numbers(pci, d, 0, 1, 1);
    bus_numbers(pci, e, 0, 0, 0);
    (void)c;
    struct pci_scan *scan = scan_checked(pci, "topology");
    const struct pci_device_info *w = found(scan, 0, 3, 0);
    UNIT_CHECK(w != NULL && w->bars[0].kind == PCI_BAR_MEMORY64 &&
                   w->bars[0].size == UINT64_C(1) << 40 && w->bars[1].kind == PCI_BAR_NONE,
               "64-bit BAR of 1 TiB, upper half listed as none");
    UNIT_CHECK(w != NULL && w->bars[2].kind == PCI_BAR_MEMORY64 && w->bars[2].prefetchable &&
                   w->bars[2].size == 16 && w->bars[4].kind == PCI_BAR_IO &&
                   w->bars[4].size == 4 && w->bars[5].kind == PCI_BAR_MEMORY32 &&
                   w->bars[5].size == UINT64_C(1) << 31,
               "smallest and largest BARs");
    UNIT_CHECK(found(scan, 0, 3, 5) != NULL, "function 5 of a multifunction device");
    UNIT_CHECK(found(scan, 0, 9, 3) == NULL, "no function 0: device not there");
    UNIT_CHECK(found(scan, 2, 0x1f, 0) != NULL, "behind two bridges");
    UNIT_CHECK(found(scan, 0, 6, 0) != NULL && found(scan, 0, 6, 0)->secondary_bus == 0,
               "the unconfigured bridge is listed");
    UNIT_CHECK_U64(scan->stats.bridges_unconfigured, 2, "bridges with secondary 0");
    UNIT_CHECK_U64(scan->stats.bridges_revisiting, 1, "bridges naming a bus seen already");
    UNIT_CHECK_U64(scan->stats.buses_scanned, 3, "buses 0, 1, 2");
    for (size_t i = 1; i < scan->device_count; i++)
        UNIT_CHECK(scan->devices[i - 1].bdf < scan->devices[i].bdf, "ascending BDF at %zu", i);
    UNIT_CHECK_U64(scan->device_count, 4 + 2 + 5 + 1, "functions found");
    free(scan);
    free(pci);
}

int main(void)
{
    test_board();
    test_topology();
    return unit_finish("unit_pci_scan");
}
