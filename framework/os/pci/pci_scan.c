/*
 * pci_scan.c - PCI enumeration and BAR sizing (see pci_scan.h).
 *
 * Breadth first over buses: a FIFO of bus numbers, seeded with 0, fed by
 * the bridges found, each bus entering it once (a bitmap of the 256 bus
 * numbers), so even bridges that point in a loop end the scan after at
 * most 256 buses. Per function: identify, size the BARs, note a bridge's
 * secondary bus. The leaves (identify, size) are pure functions of
 * configuration reads and writes.
 *
 * BAR sizing, per BAR: save, write all ones, read the mask back, restore.
 * I/O BARs: bits 1:0 are flags; a BAR that decodes only 16 address bits
 * reads its upper half as 0, which still means "all of these bits".
 * Memory BARs: bits 3:0 are flags; type 64 takes the next BAR as its upper
 * half, sized the same way and then listed as PCI_BAR_NONE.
 */
#include "pci_scan.h"

#include "../../arch/x86/pci_config_port.h"
#include "duet/assert.h"
#include "duet/string.h"

enum {
    BAR_BYTES = 4,
    IO_UPPER_HALF = 0xFFFF0000u,
};

struct bus_queue {
    uint8_t buses[PCI_BUSES];
    size_t head, tail;               /* tail - head queued; each bus enters once */
    uint64_t seen[PCI_BUSES / 64];
};

static bool bus_queue_push(struct bus_queue *queue, unsigned bus)
{
    DUET_ASSERT(bus < PCI_BUSES);
    uint64_t bit = UINT64_C(1) << (bus % 64);
    if (queue->seen[bus / 64] & bit)
        return false;
    queue->seen[bus / 64] |= bit;
    DUET_ASSERT(queue->tail < PCI_BUSES);   /* each of 256 buses at most once */
    queue->buses[queue->tail++] = (uint8_t)bus;
    return true;
}

static uint32_t read32(uint64_t bdf, unsigned offset)
{
    return pci_config_port_read(bdf, offset, 4);
}

static void write32(uint64_t bdf, unsigned offset, uint32_t value)
{
    pci_config_port_write(bdf, offset, 4, value);
}

/* The mask a register reads back after all ones were written; restored. */
static uint32_t register_mask(uint64_t bdf, unsigned offset)
{
    uint32_t saved = read32(bdf, offset);
    write32(bdf, offset, UINT32_MAX);
    uint32_t mask = read32(bdf, offset);
    write32(bdf, offset, saved);
    return mask;
}

/* Sizes BAR `bar`; returns how many BAR slots it took (2 for 64-bit). */
static unsigned bar_size(uint64_t bdf, unsigned bar, unsigned bar_count,
                         struct pci_bar_info *out)
{
    unsigned offset = PCI_CONFIG_BAR0 + bar * BAR_BYTES;
    uint32_t mask = register_mask(bdf, offset);
    *out = (struct pci_bar_info){.kind = PCI_BAR_NONE};
    if (mask == 0)
        return 1;                                   /* not implemented */
    if (mask & PCI_BAR_SPACE_IO) {
        uint32_t address_bits = mask & PCI_BAR_IO_ADDRESS_MASK;
        if ((address_bits & IO_UPPER_HALF) == 0)
            address_bits |= IO_UPPER_HALF;
        *out = (struct pci_bar_info){.kind = PCI_BAR_IO,
                                     .size = (uint32_t)(~address_bits + 1)};
        return 1;
    }
    bool prefetchable = (mask & PCI_BAR_PREFETCHABLE) != 0;
    uint64_t address_bits = mask & PCI_BAR_MEMORY_ADDRESS_MASK;
    if ((mask & PCI_BAR_MEMORY_TYPE_MASK) != PCI_BAR_MEMORY_TYPE_64) {
        if (address_bits != 0)
            *out = (struct pci_bar_info){.kind = PCI_BAR_MEMORY32, .prefetchable = prefetchable,
                                         .size = (uint32_t)(~(uint32_t)address_bits + 1)};
        return 1;
    }
    if (bar + 1 >= bar_count)
        return 1;                                   /* a 64-bit BAR without its upper half */
    address_bits |= (uint64_t)register_mask(bdf, offset + BAR_BYTES) << 32;
    if (address_bits != 0)
        *out = (struct pci_bar_info){.kind = PCI_BAR_MEMORY64, .prefetchable = prefetchable,
                                     .size = ~address_bits + 1};
    return 2;
}

static unsigned bar_count_of(uint8_t header_type)
{
    switch (header_type & PCI_HEADER_TYPE_MASK) {
    case PCI_HEADER_ENDPOINT: return PCI_BARS_MAX;
    case PCI_HEADER_BRIDGE: return PCI_BRIDGE_BARS;
    default: return 0;                              /* CardBus and unknown layouts */
    }
}

/* All BARs, with I/O and memory decoding off meanwhile: a BAR holding all
 * ones for a moment must not claim addresses on the bus. */
static void bars_size(uint64_t bdf, struct pci_device_info *device)
{
    unsigned count = bar_count_of(device->header_type);
    if (count == 0)
        return;
    uint32_t command = pci_config_port_read(bdf, PCI_CONFIG_COMMAND, 2);
    uint32_t decoding = command & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    if (decoding != 0)
        pci_config_port_write(bdf, PCI_CONFIG_COMMAND, 2, command & ~decoding);
    for (unsigned bar = 0; bar < count;)
        bar += bar_size(bdf, bar, count, &device->bars[bar]);
    if (decoding != 0)
        pci_config_port_write(bdf, PCI_CONFIG_COMMAND, 2, command);
}

static void identify(uint64_t bdf, uint16_t vendor_id, struct pci_device_info *out)
{
    uint32_t class_revision = read32(bdf, PCI_CONFIG_REVISION_ID);
    *out = (struct pci_device_info){
        .bdf = (uint16_t)bdf,
        .vendor_id = vendor_id,
        .device_id = (uint16_t)pci_config_port_read(bdf, PCI_CONFIG_DEVICE_ID, 2),
        .revision = (uint8_t)class_revision,
        .class_code = class_revision >> 8,
        .header_type = (uint8_t)pci_config_port_read(bdf, PCI_CONFIG_HEADER_TYPE, 1),
    };
    if ((out->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE)
        out->secondary_bus = (uint8_t)pci_config_port_read(bdf, PCI_CONFIG_SECONDARY_BUS, 1);
}

static void scan_function(struct pci_scan *scan, struct bus_queue *queue, uint64_t bdf,
                          uint16_t vendor_id)
{
    if (scan->device_count == PCI_SCAN_DEVICES_MAX) {
        scan->stats.functions_dropped++;
        return;
    }
    struct pci_device_info *device = &scan->devices[scan->device_count++];
    identify(bdf, vendor_id, device);
    bars_size(bdf, device);
    if ((device->header_type & PCI_HEADER_TYPE_MASK) != PCI_HEADER_BRIDGE)
        return;
    if (device->secondary_bus == 0)
        scan->stats.bridges_unconfigured++;
    else if (!bus_queue_push(queue, device->secondary_bus))
        scan->stats.bridges_revisiting++;
}

static void scan_bus(struct pci_scan *scan, struct bus_queue *queue, unsigned bus)
{
    for (unsigned device = 0; device < PCI_DEVICES_PER_BUS; device++) {
        uint64_t first = pci_bdf(bus, device, 0);
        uint16_t vendor_id = (uint16_t)pci_config_port_read(first, PCI_CONFIG_VENDOR_ID, 2);
        if (vendor_id == PCI_VENDOR_NONE)
            continue;
        uint8_t header_type = (uint8_t)pci_config_port_read(first, PCI_CONFIG_HEADER_TYPE, 1);
        unsigned functions = (header_type & PCI_HEADER_MULTIFUNCTION) ? PCI_FUNCTIONS_PER_DEVICE : 1;
        scan_function(scan, queue, first, vendor_id);
        for (unsigned function = 1; function < functions; function++) {
            uint64_t bdf = pci_bdf(bus, device, function);
            vendor_id = (uint16_t)pci_config_port_read(bdf, PCI_CONFIG_VENDOR_ID, 2);
            if (vendor_id != PCI_VENDOR_NONE)
                scan_function(scan, queue, bdf, vendor_id);
        }
    }
    scan->stats.buses_scanned++;
}

/* Insertion sort by BDF: at most PCI_SCAN_DEVICES_MAX entries. */
static void sort_by_bdf(struct pci_scan *scan)
{
    for (size_t i = 1; i < scan->device_count; i++) {
        struct pci_device_info moving = scan->devices[i];
        size_t j = i;
        for (; j > 0 && scan->devices[j - 1].bdf > moving.bdf; j--)
            scan->devices[j] = scan->devices[j - 1];
        scan->devices[j] = moving;
    }
}

void pci_scan_run(struct pci_scan *scan)
{
    DUET_ASSERT(scan != NULL);
    duet_memset(scan, 0, sizeof *scan);   /* ~10 KiB: not through the stack */
    struct bus_queue queue = {0};
    bus_queue_push(&queue, 0);
    while (queue.head < queue.tail)
        scan_bus(scan, &queue, queue.buses[queue.head++]);
    sort_by_bdf(scan);
    DUET_ASSERT(scan->stats.buses_scanned == queue.tail && queue.tail <= PCI_BUSES);
    for (size_t i = 1; i < scan->device_count; i++)
        DUET_ASSERT(scan->devices[i - 1].bdf < scan->devices[i].bdf);
}

int pci_scan_find(const struct pci_scan *scan, uint64_t bdf)
{
    for (size_t i = 0; i < scan->device_count; i++)
        if (scan->devices[i].bdf == bdf)
            return (int)i;
    return -1;
}
