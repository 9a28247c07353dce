/*
 * pci_host.c - PCI configuration mechanism #1 and the configuration spaces
 * behind it, as a deterministic model.
 *
 * Behaviour follows QEMU 7.2 (QEMU's function names in brackets) as its TCG
 * interpreter executes `in`/`out`; interface in duet/pci_host.h, the full
 * account with what is not modelled in docs/HW_MODELS.md. Not here: BAR and
 * bridge-window mapping, INTx routing, PCI Express, hotplug (the owner's or
 * other models' business).
 *
 * Ports [port_decode]. QEMU's pc machine has three regions here: the
 * CONFIG_ADDRESS register at 0xCF8-0xCFB, the PIIX3 reset control register
 * (RCR) laid over 0xCF9 with a higher priority, and CONFIG_DATA at
 * 0xCFC-0xCFF. TCG hands an access whole to the region of its first byte,
 * and the memory core rejects one whose offset in that region is not a
 * multiple of its width (reads 0, writes dropped); the RCR region starts at
 * offset 0, so every access there is aligned and split into bytes:
 *
 *   0xCF8, 0xCFA, 0xCFB  read: CONFIG_ADDRESS's low bytes, whatever the offset
 *                        write: only a dword at 0xCF8 stores [QEMU
 *                        pci_host_config_read/_write]
 *   0xCF9                read: RCR in every byte; write: each byte in turn,
 *                        bit 2 requests a reset (not stored), else RCR = bit 1
 *   0xCFC-0xCFF          with bit 31 set: the function the address selects,
 *                        register (address | offset) & 0xFF, at most up to
 *                        byte 255; with bit 31 clear or nothing there: reads
 *                        all ones, writes ignored [QEMU pci_host_data_*,
 *                        pci_data_*]
 *
 * Routing [route_bus, QEMU pci_find_bus_nr]: bus number 0 is the root bus.
 * Otherwise, starting at the root, the children of a bus are tried from the
 * most recently added: a bridge whose secondary bus register equals the
 * number is the answer (whatever its subordinate register says); one whose
 * [secondary, subordinate] range holds it, unless its secondary bus is held
 * in reset, is descended into; no such child: nothing there.
 *
 * Configuration bytes [function_write, QEMU pci_default_write_config]:
 * every byte has a power-on value, a write mask and a write-1-to-clear mask
 * derived from the function's descriptor alone (pci_host_config_layout).
 * A bridge whose bridge control bus-reset bit goes from 0 to 1 puts every
 * function behind it back to power-on [bus_reset, pci_bridge_write_config].
 *
 * Invariants (pci_host_check, after every entry):
 *  1. 1 <= bus_count <= PCI_HOST_BUSES_MAX, function_count <=
 *     PCI_HOST_FUNCTIONS_MAX; RCR holds no bit but bit 1; a reset is pending
 *     only after a request.
 *  2. Every function's descriptor passes pci_host_desc_check, its bus
 *     exists, and no other function has its bus and devfn.
 *  3. QEMU's multifunction rule: a device whose function 0 lacks the
 *     multifunction bit has no other function.
 *  4. Bus b >= 1 is the secondary bus of exactly one bridge, whose
 *     secondary_bus_id is b; its parent is that bridge's bus and a lower id.
 *     Endpoints have secondary_bus_id 0.
 *  5. Bits that are neither writable nor write-1-to-clear hold their
 *     power-on value (IDs, class, header type, pin, BAR type bits, read-only
 *     presets); no bit is both writable and write-1-to-clear.
 */
#include "duet/pci_host.h"

#include <string.h>

#include "hw_assert.h"

_Static_assert(PCI_HOST_FUNCTIONS_MAX <= UINT8_MAX, "ids fit in uint8_t");
_Static_assert(PCI_HOST_BUSES_MAX <= UINT8_MAX, "ids fit in uint8_t");
_Static_assert(PCI_HOST_PRESETS_MAX <= UINT8_MAX, "preset_count is a uint8_t");
_Static_assert((PCI_HOST_STATUS_DESCRIBABLE & PCI_HOST_STATUS_WRITE_CLEAR) == 0,
               "describable status bits are read-only");
_Static_assert((PCI_HOST_BRIDGE_CONTROL_WRITABLE &
                PCI_HOST_BRIDGE_CONTROL_WRITE_CLEAR) == 0,
               "a bit is writable or write-1-to-clear, not both");

enum {
    QEMU_SUBSYSTEM_VENDOR = 0x1AF4,  /* every QEMU function without its own */
    QEMU_SUBSYSTEM = 0x1100,
    BRIDGE_BARS = 2,
    BRIDGE_PREFETCH_64BIT = 0x01,    /* prefetchable base/limit type bits */
    BRIDGE_WINDOW_WRITABLE = 0xFFF0, /* memory and prefetchable base/limit */
    BRIDGE_IO_WRITABLE = 0xF0,       /* 16-bit I/O base/limit */
    MAX_INTERRUPT_PIN = 4,
    MIN_IO_BAR = 4, MAX_IO_BAR = 0x10000,
    MIN_MEMORY_BAR = 16, MIN_ROM = 2048,
};

/* ---- little-endian bytes -------------------------------------------- */

static uint32_t width_mask(unsigned width)
{
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    return width == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
}

static uint64_t load_le(const uint8_t *bytes, unsigned count)
{
    HW_ASSERT(count <= 8);
    uint64_t value = 0;
    for (unsigned i = 0; i < count; i++) {
        value |= (uint64_t)bytes[i] << (8 * i);
    }
    return value;
}

static bool is_power_of_two(uint64_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

/* ---- descriptors (pure) ---------------------------------------------- */

static const char *bar_problem(const struct pci_host_bar_desc *bars,
                               unsigned index, unsigned bar_limit)
{
    const struct pci_host_bar_desc *bar = &bars[index];
    if (bar->kind == PCI_HOST_BAR_NONE) {
        return bar->size || bar->prefetchable ? "unused BAR with a size" : 0;
    }
    if (index >= bar_limit) return "a bridge has only BAR0 and BAR1";
    if (!is_power_of_two(bar->size)) return "BAR size not a power of two";
    switch (bar->kind) {
    case PCI_HOST_BAR_KIND_IO:
        if (bar->prefetchable) return "I/O BAR marked prefetchable";
        if (bar->size < MIN_IO_BAR || bar->size > MAX_IO_BAR) {
            return "I/O BAR size outside 4 .. 64 KiB";
        }
        return 0;
    case PCI_HOST_BAR_KIND_MEM32:
        if (bar->size < MIN_MEMORY_BAR || bar->size > (UINT64_C(1) << 31)) {
            return "32-bit BAR size outside 16 .. 2 GiB";
        }
        return 0;
    case PCI_HOST_BAR_KIND_MEM64:
        if (bar->size < MIN_MEMORY_BAR) return "64-bit BAR size below 16";
        if (index + 1 >= bar_limit) return "64-bit BAR in the last slot";
        if (bars[index + 1].kind != PCI_HOST_BAR_NONE || bars[index + 1].size ||
            bars[index + 1].prefetchable) {
            return "64-bit BAR's upper slot is in use";
        }
        return 0;
    default:
        return "unknown BAR kind";
    }
}

static const char *presets_problem(const struct pci_host_function_desc *desc)
{
    if (desc->preset_count > PCI_HOST_PRESETS_MAX) return "too many presets";
    for (unsigned i = 0; i < desc->preset_count; i++) {
        if (desc->presets[i].offset < PCI_HOST_DEVICE_SPECIFIC) {
            return "preset inside the standard header";
        }
        for (unsigned j = 0; j < i; j++) {
            if (desc->presets[j].offset == desc->presets[i].offset) {
                return "two presets for one byte";
            }
        }
    }
    return 0;
}

const char *pci_host_desc_check(const struct pci_host_function_desc *desc)
{
    HW_ASSERT(desc != 0);
    bool bridge = desc->header_type == PCI_HOST_HEADER_BRIDGE;
    if (desc->vendor_id == 0xFFFF) return "vendor id 0xFFFF reads as no device";
    if (desc->class_code > 0xFFFFFF) return "class code wider than 24 bits";
    if (!bridge && desc->header_type != PCI_HOST_HEADER_ENDPOINT) {
        return "header type neither 0 (endpoint) nor 1 (bridge)";
    }
    if (desc->interrupt_pin > MAX_INTERRUPT_PIN) return "interrupt pin above 4";
    if (desc->status & ~PCI_HOST_STATUS_DESCRIBABLE) {
        return "status bits the model owns";
    }
    if (bridge && (desc->subsystem_vendor_id || desc->subsystem_id)) {
        return "a bridge header has no subsystem ids";
    }
    unsigned bar_limit = bridge ? BRIDGE_BARS : PCI_HOST_BARS;
    for (unsigned i = 0; i < PCI_HOST_BARS; i++) {
        const char *problem = bar_problem(desc->bars, i, bar_limit);
        if (problem) return problem;
        if (desc->bars[i].kind == PCI_HOST_BAR_KIND_MEM64) i++;
    }
    if (desc->rom_size != 0 &&
        (!is_power_of_two(desc->rom_size) || desc->rom_size < MIN_ROM ||
         desc->rom_size > (UINT32_C(1) << 31))) {
        return "ROM size not a power of two in 2 KiB .. 2 GiB";
    }
    if (desc->capabilities_pointer != 0 &&
        (desc->capabilities_pointer < PCI_HOST_DEVICE_SPECIFIC ||
         (desc->capabilities_pointer & 3) != 0)) {
        return "capabilities pointer not a dword at 0x40 or above";
    }
    return presets_problem(desc);
}

/* ---- the configuration layout (pure) --------------------------------- */

static void layout_field(struct pci_host_config_layout *layout, unsigned offset,
                         unsigned bytes, uint32_t power_on, uint32_t write_mask,
                         uint32_t clear_mask)
{
    HW_ASSERT(bytes <= 4 && offset + bytes <= PCI_HOST_CONFIG_BYTES);
    HW_ASSERT((write_mask & clear_mask) == 0);
    for (unsigned i = 0; i < bytes; i++) {
        layout->power_on[offset + i] = (uint8_t)(power_on >> (8 * i));
        layout->write_mask[offset + i] = (uint8_t)(write_mask >> (8 * i));
        layout->clear_mask[offset + i] = (uint8_t)(clear_mask >> (8 * i));
    }
}

/* A BAR's size decides its write mask: the address bits above the size
 * [pci_register_bar]; its type bits are read-only. */
static void layout_bars(const struct pci_host_function_desc *desc,
                        struct pci_host_config_layout *layout)
{
    for (unsigned i = 0; i < PCI_HOST_BARS; i++) {
        const struct pci_host_bar_desc *bar = &desc->bars[i];
        unsigned offset = PCI_HOST_BAR0 + 4 * i;
        uint64_t address_mask = ~(bar->size - 1);
        uint32_t type = bar->prefetchable ? PCI_HOST_BAR_PREFETCH : 0;
        switch (bar->kind) {
        case PCI_HOST_BAR_KIND_IO:
            layout_field(layout, offset, 4, PCI_HOST_BAR_IO,
                         (uint32_t)address_mask, 0);
            break;
        case PCI_HOST_BAR_KIND_MEM32:
            layout_field(layout, offset, 4, type, (uint32_t)address_mask, 0);
            break;
        case PCI_HOST_BAR_KIND_MEM64:
            layout_field(layout, offset, 4, type | PCI_HOST_BAR_MEM64,
                         (uint32_t)address_mask, 0);
            layout_field(layout, offset + 4, 4, 0,
                         (uint32_t)(address_mask >> 32), 0);
            i++;
            break;
        default:
            break;
        }
    }
    if (desc->rom_size != 0) {
        unsigned offset = desc->header_type == PCI_HOST_HEADER_BRIDGE
                              ? PCI_HOST_BRIDGE_ROM_ADDRESS : PCI_HOST_ROM_ADDRESS;
        layout_field(layout, offset, 4, 0,
                     ~(desc->rom_size - 1) | PCI_HOST_ROM_ENABLE, 0);
    }
}

/* Type 1 header [pci_bridge_initfn, pci_init_mask_bridge]: bus numbers and
 * 16-bit I/O, memory and 64-bit prefetchable windows, all writable. */
static void layout_bridge(const struct pci_host_function_desc *desc,
                          struct pci_host_config_layout *layout)
{
    const uint32_t window = (uint32_t)BRIDGE_WINDOW_WRITABLE << 16 |
                            BRIDGE_WINDOW_WRITABLE;
    const uint32_t prefetch_type = (uint32_t)BRIDGE_PREFETCH_64BIT << 16 |
                                   BRIDGE_PREFETCH_64BIT;
    layout_field(layout, PCI_HOST_PRIMARY_BUS, 4, 0, UINT32_MAX, 0);
    layout_field(layout, PCI_HOST_IO_BASE, 2, 0,
                 (uint32_t)BRIDGE_IO_WRITABLE << 8 | BRIDGE_IO_WRITABLE, 0);
    layout_field(layout, PCI_HOST_SECONDARY_STATUS, 2, desc->status, 0,
                 PCI_HOST_STATUS_WRITE_CLEAR);
    layout_field(layout, PCI_HOST_MEMORY_BASE, 4, 0, window, 0);
    layout_field(layout, PCI_HOST_PREFETCH_BASE, 4, prefetch_type, window, 0);
    layout_field(layout, PCI_HOST_PREFETCH_BASE_UPPER, 4, 0, UINT32_MAX, 0);
    layout_field(layout, PCI_HOST_PREFETCH_LIMIT_UPPER, 4, 0, UINT32_MAX, 0);
    layout_field(layout, PCI_HOST_BRIDGE_CONTROL, 2, 0,
                 PCI_HOST_BRIDGE_CONTROL_WRITABLE,
                 PCI_HOST_BRIDGE_CONTROL_WRITE_CLEAR);
}

void pci_host_config_layout(const struct pci_host_function_desc *desc,
                            struct pci_host_config_layout *layout)
{
    HW_ASSERT(desc != 0 && layout != 0);
    HW_ASSERT_DETAIL(pci_host_desc_check(desc) == 0, pci_host_desc_check(desc));
    bool bridge = desc->header_type == PCI_HOST_HEADER_BRIDGE;
    memset(layout, 0, sizeof *layout);
    uint16_t status = desc->status;
    if (desc->capabilities_pointer != 0) status |= PCI_HOST_STATUS_CAP_LIST;
    uint8_t header_type = desc->header_type;
    if (desc->multifunction) header_type |= PCI_HOST_HEADER_MULTIFUNCTION;

    layout_field(layout, PCI_HOST_VENDOR_ID, 2, desc->vendor_id, 0, 0);
    layout_field(layout, PCI_HOST_DEVICE_ID, 2, desc->device_id, 0, 0);
    layout_field(layout, PCI_HOST_COMMAND, 2, 0, PCI_HOST_COMMAND_WRITABLE, 0);
    layout_field(layout, PCI_HOST_STATUS, 2, status, 0,
                 PCI_HOST_STATUS_WRITE_CLEAR);
    layout_field(layout, PCI_HOST_REVISION_ID, 1, desc->revision, 0, 0);
    layout_field(layout, PCI_HOST_CLASS_PROG, 3, desc->class_code, 0, 0);
    layout_field(layout, PCI_HOST_CACHE_LINE_SIZE, 1, 0, 0xFF, 0);
    layout_field(layout, PCI_HOST_HEADER_TYPE, 1, header_type, 0, 0);
    layout_bars(desc, layout);
    if (bridge) {
        layout_bridge(desc, layout);
    } else {
        layout_field(layout, PCI_HOST_SUBSYSTEM_VENDOR_ID, 2,
                     desc->subsystem_vendor_id, 0, 0);
        layout_field(layout, PCI_HOST_SUBSYSTEM_ID, 2, desc->subsystem_id, 0, 0);
    }
    layout_field(layout, PCI_HOST_CAPABILITIES_POINTER, 1,
                 desc->capabilities_pointer, 0, 0);
    layout_field(layout, PCI_HOST_INTERRUPT_LINE, 1, 0, 0xFF, 0);
    layout_field(layout, PCI_HOST_INTERRUPT_PIN, 1, desc->interrupt_pin, 0, 0);

    /* Device-specific bytes: power-on 0 and writable [pci_init_wmask],
     * unless a preset says otherwise. */
    memset(layout->write_mask + PCI_HOST_DEVICE_SPECIFIC, 0xFF,
           PCI_HOST_CONFIG_BYTES - PCI_HOST_DEVICE_SPECIFIC);
    for (unsigned i = 0; i < desc->preset_count; i++) {
        const struct pci_host_preset *preset = &desc->presets[i];
        layout->power_on[preset->offset] = preset->value;
        layout->write_mask[preset->offset] = preset->write_mask;
    }
}

/* ---- the board: bus 0 of QEMU 7.2's pc machine, before firmware ------- */

static const struct pci_host_function_desc i440fx_host_bridge = {
    .vendor_id = 0x8086, .device_id = 0x1237, .class_code = 0x060000,
    .revision = 0x02,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .preset_count = 2,
    .presets = {
        { 0x57, 0x10, 0xFF },        /* RAM size / 8 MiB, for old coreboot: 128 MiB */
        { 0x72, 0x02, 0xFF },        /* SMRAM */
    },
};

static const struct pci_host_function_desc piix3_isa_bridge = {
    .vendor_id = 0x8086, .device_id = 0x7000, .class_code = 0x060100,
    .multifunction = true, .status = PCI_HOST_STATUS_DEVSEL_MEDIUM,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .preset_count = 13,
    .presets = {                     /* piix3_reset's chipset registers */
        { 0x4C, 0x4D, 0xFF }, { 0x4E, 0x03, 0xFF },
        { 0x60, 0x80, 0xFF }, { 0x61, 0x80, 0xFF },   /* PIRQA-D: disabled */
        { 0x62, 0x80, 0xFF }, { 0x63, 0x80, 0xFF },
        { 0x69, 0x02, 0xFF }, { 0x70, 0x80, 0xFF },
        { 0x76, 0x0C, 0xFF }, { 0x77, 0x0C, 0xFF },
        { 0x78, 0x02, 0xFF }, { 0xA0, 0x08, 0xFF },
        { 0xA8, 0x0F, 0xFF },
    },
};

static const struct pci_host_function_desc piix3_ide = {
    .vendor_id = 0x8086, .device_id = 0x7010,
    .class_code = 0x010180,          /* IDE, legacy mode, bus master capable */
    .status = PCI_HOST_STATUS_DEVSEL_MEDIUM | PCI_HOST_STATUS_FAST_BACK,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .bars = { [4] = { .kind = PCI_HOST_BAR_KIND_IO, .size = 16 } },  /* BMIBA */
};

static const struct pci_host_function_desc piix4_acpi = {
    .vendor_id = 0x8086, .device_id = 0x7113, .class_code = 0x068000,
    .revision = 0x03, .interrupt_pin = 1,
    .status = PCI_HOST_STATUS_DEVSEL_MEDIUM | PCI_HOST_STATUS_FAST_BACK,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .preset_count = 7,
    .presets = {
        { 0x40, 0x01, 0xFF },        /* PM base: I/O space bit */
        { 0x5F, 0x90, 0xFF }, { 0x63, 0x60, 0xFF }, { 0x67, 0x08, 0xFF },
        { 0x90, 0x01, 0xFF }, { 0x91, 0xB1, 0xFF },   /* SMBus base 0xB100 */
        { 0xD2, 0x09, 0xFF },        /* SMBus host configuration */
    },
};

static const struct pci_host_function_desc std_vga = {
    .vendor_id = 0x1234, .device_id = 0x1111, .class_code = 0x030000,
    .revision = 0x02,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .bars = {
        [0] = { .kind = PCI_HOST_BAR_KIND_MEM32, .prefetchable = true,
                .size = 16u << 20 },                  /* VRAM */
        [2] = { .kind = PCI_HOST_BAR_KIND_MEM32, .size = 4096 },  /* MMIO */
    },
    .rom_size = 64u << 10,
};

static const struct pci_host_function_desc e1000 = {
    .vendor_id = 0x8086, .device_id = 0x100E, .class_code = 0x020000,
    .revision = 0x03, .interrupt_pin = 1,
    .subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR, .subsystem_id = QEMU_SUBSYSTEM,
    .bars = {
        [0] = { .kind = PCI_HOST_BAR_KIND_MEM32, .size = 128u << 10 },
        [1] = { .kind = PCI_HOST_BAR_KIND_IO, .size = 64 },
    },
    .rom_size = 256u << 10,
};

struct pci_host_function_desc pci_host_qemu_bridge_desc(uint8_t chassis_nr)
{
    struct pci_host_function_desc desc = {
        .vendor_id = 0x1B36, .device_id = 0x0001, .class_code = 0x060400,
        .header_type = PCI_HOST_HEADER_BRIDGE,
        .status = PCI_HOST_STATUS_66MHZ | PCI_HOST_STATUS_FAST_BACK,
        .capabilities_pointer = 0x40,
        .preset_count = 4,
        .presets = {                 /* slot identification capability */
            { 0x40, 0x04, 0x00 }, { 0x41, 0x00, 0x00 },  /* id, next: none */
            { 0x42, 0x20, 0x00 },    /* first slot in the chassis */
            { 0x43, chassis_nr, 0xFF },
        },
    };
    HW_ASSERT(pci_host_desc_check(&desc) == 0);
    HW_ASSERT(desc.preset_count <= PCI_HOST_PRESETS_MAX);
    return desc;
}

/* ---- topology -------------------------------------------------------- */

int pci_host_function_at(const struct pci_host *pci, unsigned bus_id,
                         unsigned device, unsigned function)
{
    HW_ASSERT(pci != 0 && pci->function_count <= PCI_HOST_FUNCTIONS_MAX);
    if (device >= PCI_HOST_DEVICES_PER_BUS ||
        function >= PCI_HOST_FUNCTIONS_PER_DEVICE) {
        return -1;
    }
    unsigned devfn = device << 3 | function;
    for (unsigned id = 0; id < pci->function_count; id++) {
        const struct pci_host_function *fn = &pci->functions[id];
        if (fn->bus_id == bus_id && fn->devfn == devfn) {
            return (int)id;
        }
    }
    return -1;
}

static bool is_bridge(const struct pci_host_function *fn)
{
    return fn->desc.header_type == PCI_HOST_HEADER_BRIDGE;
}

static const uint8_t *bridge_of_bus(const struct pci_host *pci, unsigned bus_id)
{
    HW_ASSERT(bus_id >= 1 && bus_id < pci->bus_count);
    const struct pci_host_function *bridge =
        &pci->functions[pci->buses[bus_id].bridge_function_id];
    HW_ASSERT(is_bridge(bridge));
    return bridge->config;
}

/* QEMU pci_secondary_bus_in_range. */
static bool secondary_in_range(const uint8_t *bridge, uint8_t bus_number)
{
    uint16_t control = (uint16_t)load_le(bridge + PCI_HOST_BRIDGE_CONTROL, 2);
    return !(control & PCI_HOST_BRIDGE_CONTROL_BUS_RESET) &&
           bridge[PCI_HOST_SECONDARY_BUS] <= bus_number &&
           bus_number <= bridge[PCI_HOST_SUBORDINATE_BUS];
}

/* QEMU pci_find_bus_nr from the root: the bus id that bus_number reaches,
 * or -1. Each step descends one level, so bus_count steps bound the walk. */
static int route_bus(const struct pci_host *pci, uint8_t bus_number)
{
    if (bus_number == 0) {
        return PCI_HOST_ROOT_BUS_ID;
    }
    unsigned current = PCI_HOST_ROOT_BUS_ID;
    for (unsigned depth = 0; depth < pci->bus_count; depth++) {
        int next = -1;
        for (unsigned bus_id = pci->bus_count - 1; bus_id >= 1; bus_id--) {
            if (pci->buses[bus_id].parent_bus_id != current) continue;
            const uint8_t *bridge = bridge_of_bus(pci, bus_id);
            if (bridge[PCI_HOST_SECONDARY_BUS] == bus_number) return (int)bus_id;
            if (secondary_in_range(bridge, bus_number)) {
                next = (int)bus_id;
                break;
            }
        }
        if (next < 0) {
            return -1;
        }
        HW_ASSERT((unsigned)next > current);     /* children have higher ids */
        current = (unsigned)next;
    }
    HW_ASSERT(!"route_bus: deeper than the bus tree");
    return -1;
}

int pci_host_route(const struct pci_host *pci, uint8_t bus_number, uint8_t devfn)
{
    HW_ASSERT(pci != 0 && pci->bus_count >= 1);
    int bus_id = route_bus(pci, bus_number);
    if (bus_id < 0) {
        return -1;
    }
    return pci_host_function_at(pci, (unsigned)bus_id, devfn >> 3, devfn & 7);
}

/* Is bus_id the bus ancestor, or a bus behind it? */
static bool bus_is_behind(const struct pci_host *pci, unsigned bus_id,
                          unsigned ancestor)
{
    for (unsigned steps = 0; steps < PCI_HOST_BUSES_MAX; steps++) {
        if (bus_id == ancestor) return true;
        if (bus_id == PCI_HOST_ROOT_BUS_ID) return false;
        HW_ASSERT(pci->buses[bus_id].parent_bus_id < bus_id);
        bus_id = pci->buses[bus_id].parent_bus_id;
    }
    HW_ASSERT(!"bus_is_behind: bus tree deeper than its bus count");
    return false;
}

/* ---- configuration space --------------------------------------------- */

static void function_power_on(struct pci_host_function *fn)
{
    struct pci_host_config_layout layout;
    pci_host_config_layout(&fn->desc, &layout);
    memcpy(fn->config, layout.power_on, sizeof fn->config);
    HW_ASSERT(fn->config[PCI_HOST_VENDOR_ID] == (uint8_t)fn->desc.vendor_id);
}

/* Secondary bus reset [qbus_reset_all of the bridge's bus]: every function
 * behind the bridge, bridges behind it included, back to power-on. */
static void bus_reset(struct pci_host *pci, unsigned bus_id)
{
    HW_ASSERT(bus_id >= 1 && bus_id < pci->bus_count);
    for (unsigned id = 0; id < pci->function_count; id++) {
        if (bus_is_behind(pci, pci->functions[id].bus_id, bus_id)) {
            function_power_on(&pci->functions[id]);
        }
    }
    pci->stats.bus_resets++;
}

static uint32_t function_read(const struct pci_host_function *fn,
                              unsigned offset, unsigned count)
{
    HW_ASSERT(count <= 4 && offset + count <= PCI_HOST_CONFIG_BYTES);
    return (uint32_t)load_le(fn->config + offset, count);
}

/* QEMU pci_default_write_config, then pci_bridge_write_config's reset. */
static void function_write(struct pci_host *pci, unsigned id, unsigned offset,
                           unsigned count, uint32_t value)
{
    struct pci_host_function *fn = &pci->functions[id];
    HW_ASSERT(id < pci->function_count);
    HW_ASSERT(count <= 4 && offset + count <= PCI_HOST_CONFIG_BYTES);
    struct pci_host_config_layout layout;
    pci_host_config_layout(&fn->desc, &layout);
    uint16_t control_before =
        (uint16_t)load_le(fn->config + PCI_HOST_BRIDGE_CONTROL, 2);
    for (unsigned i = 0; i < count; i++) {
        unsigned at = offset + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        uint8_t kept = fn->config[at] & (uint8_t)~layout.write_mask[at];
        uint8_t stored = kept | (byte & layout.write_mask[at]);
        fn->config[at] = stored & (uint8_t)~(byte & layout.clear_mask[at]);
    }
    uint16_t control_after =
        (uint16_t)load_le(fn->config + PCI_HOST_BRIDGE_CONTROL, 2);
    if (is_bridge(fn) &&
        (~control_before & control_after & PCI_HOST_BRIDGE_CONTROL_BUS_RESET)) {
        bus_reset(pci, fn->secondary_bus_id);
    }
}

/* ---- entries --------------------------------------------------------- */

static void entry_begin(const struct pci_host *pci)
{
    HW_ASSERT(pci != 0);
    HW_ASSERT_DETAIL(pci->bus_count >= 1, "pci_host_init was not called");
}

static void entry_end(const struct pci_host *pci)
{
    const char *broken = pci_host_check(pci);
    HW_ASSERT_DETAIL(broken == 0, broken);
}

/* ---- the ports ------------------------------------------------------- */

enum port_target {
    PORT_OUTSIDE,                    /* past 0xCFF: 0xFF bytes, writes ignored */
    PORT_MISALIGNED,                 /* rejected by QEMU's memory core */
    PORT_ADDRESS,                    /* CONFIG_ADDRESS */
    PORT_RESET_CONTROL,              /* RCR */
    PORT_DATA,                       /* CONFIG_DATA */
};

/* The region the access's first byte falls in decides (see the top). */
static enum port_target port_decode(unsigned offset, unsigned width)
{
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    if (offset >= PCI_HOST_PORT_COUNT) {
        return PORT_OUTSIDE;
    }
    if (offset == PCI_HOST_RESET_CONTROL_OFFSET) {
        return PORT_RESET_CONTROL;
    }
    if ((offset & 3) % width != 0) {
        return PORT_MISALIGNED;
    }
    return offset < PCI_HOST_DATA_OFFSET ? PORT_ADDRESS : PORT_DATA;
}

/* The function CONFIG_ADDRESS selects for data offset 0..3, and the
 * register; -1 if bit 31 is clear or nothing answers. */
static int data_target(const struct pci_host *pci, unsigned data_offset,
                       unsigned *register_out)
{
    HW_ASSERT(data_offset < 4);
    if (!(pci->config_address & PCI_HOST_ADDRESS_ENABLE)) {
        return -1;
    }
    uint32_t address = pci->config_address | data_offset;
    *register_out = address & 0xFF;
    return pci_host_route(pci, (uint8_t)(address >> PCI_HOST_ADDRESS_BUS_SHIFT),
                          (uint8_t)(address >> PCI_HOST_ADDRESS_FUNCTION_SHIFT));
}

static uint32_t data_read(struct pci_host *pci, unsigned data_offset,
                          unsigned width)
{
    unsigned reg = 0;
    int id = data_target(pci, data_offset, &reg);
    if (id < 0) {
        pci->stats.data_unclaimed++;
        return UINT32_MAX;
    }
    unsigned count = width < PCI_HOST_CONFIG_BYTES - reg
                         ? width : PCI_HOST_CONFIG_BYTES - reg;
    pci->stats.data_reads++;
    return function_read(&pci->functions[id], reg, count);
}

static void data_write(struct pci_host *pci, unsigned data_offset,
                       unsigned width, uint32_t value)
{
    unsigned reg = 0;
    int id = data_target(pci, data_offset, &reg);
    if (id < 0) {
        pci->stats.data_unclaimed++;
        return;
    }
    unsigned count = width < PCI_HOST_CONFIG_BYTES - reg
                         ? width : PCI_HOST_CONFIG_BYTES - reg;
    pci->stats.data_writes++;
    function_write(pci, (unsigned)id, reg, count, value);
}

/* RCR [rcr_write]: the bytes of a wide write arrive low first. */
static void reset_control_write(struct pci_host *pci, unsigned width,
                                uint32_t value)
{
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (byte & PCI_HOST_RCR_RESET_CPU) {
            pci->stats.reset_requests++;
            pci->reset_pending = true;
        } else {
            pci->reset_control = byte & PCI_HOST_RCR_SYSTEM_RESET;
        }
    }
    HW_ASSERT((pci->reset_control & ~PCI_HOST_RCR_SYSTEM_RESET) == 0);
}

static uint32_t port_read(void *model, uint16_t offset, unsigned width)
{
    struct pci_host *pci = model;
    entry_begin(pci);
    uint32_t value;
    switch (port_decode(offset, width)) {
    case PORT_OUTSIDE:
        value = UINT32_MAX;
        break;
    case PORT_MISALIGNED:
        pci->stats.misaligned++;
        value = 0;
        break;
    case PORT_ADDRESS:
        value = pci->config_address;     /* low bytes, whatever the offset */
        break;
    case PORT_RESET_CONTROL:
        value = pci->reset_control * UINT32_C(0x01010101);
        break;
    default:                             /* PORT_DATA */
        value = data_read(pci, offset & 3, width);
        break;
    }
    entry_end(pci);
    return value & width_mask(width);
}

static void port_write(void *model, uint16_t offset, unsigned width,
                       uint32_t value)
{
    struct pci_host *pci = model;
    entry_begin(pci);
    switch (port_decode(offset, width)) {
    case PORT_OUTSIDE:
        break;
    case PORT_MISALIGNED:
        pci->stats.misaligned++;
        break;
    case PORT_ADDRESS:
        if (offset == 0 && width == 4) {
            pci->config_address = value;
            pci->stats.address_writes++;
        } else {
            pci->stats.address_ignored++;
        }
        break;
    case PORT_RESET_CONTROL:
        reset_control_write(pci, width, value);
        break;
    default:                             /* PORT_DATA */
        data_write(pci, offset & 3, width, value & width_mask(width));
        break;
    }
    entry_end(pci);
}

struct hw_port_device pci_host_port_device(struct pci_host *pci)
{
    entry_begin(pci);
    return (struct hw_port_device){
        .name = "pci-host", .port_base = PCI_HOST_PORT_BASE,
        .port_count = PCI_HOST_PORT_COUNT, .model = pci,
        .read = port_read, .write = port_write,
    };
}

/* ---- owner entries --------------------------------------------------- */

/* Field by field into zeroed storage, so padding the caller left in its
 * descriptor never reaches the model's bytes (snapshots compare equal). */
static void desc_copy(struct pci_host_function_desc *to,
                      const struct pci_host_function_desc *from)
{
    HW_ASSERT(from->preset_count <= PCI_HOST_PRESETS_MAX);
    memset(to, 0, sizeof *to);
    to->vendor_id = from->vendor_id;
    to->device_id = from->device_id;
    to->class_code = from->class_code;
    to->revision = from->revision;
    to->header_type = from->header_type;
    to->multifunction = from->multifunction;
    to->interrupt_pin = from->interrupt_pin;
    to->status = from->status;
    to->subsystem_vendor_id = from->subsystem_vendor_id;
    to->subsystem_id = from->subsystem_id;
    for (unsigned i = 0; i < PCI_HOST_BARS; i++) {
        to->bars[i].kind = from->bars[i].kind;
        to->bars[i].prefetchable = from->bars[i].prefetchable;
        to->bars[i].size = from->bars[i].size;
    }
    to->rom_size = from->rom_size;
    to->capabilities_pointer = from->capabilities_pointer;
    to->preset_count = from->preset_count;
    memcpy(to->presets, from->presets, sizeof to->presets);
    HW_ASSERT(pci_host_desc_check(to) == 0);
}

/* Decode half of pci_host_add_function: no side effects. */
static enum pci_host_error add_decode(const struct pci_host *pci, unsigned bus_id,
                                      unsigned device, unsigned function,
                                      const struct pci_host_function_desc *desc)
{
    if (pci_host_desc_check(desc) != 0) return PCI_HOST_ERROR_BAD_DESCRIPTOR;
    if (device >= PCI_HOST_DEVICES_PER_BUS ||
        function >= PCI_HOST_FUNCTIONS_PER_DEVICE) {
        return PCI_HOST_ERROR_BAD_ADDRESS;
    }
    if (bus_id >= pci->bus_count) return PCI_HOST_ERROR_NO_SUCH_BUS;
    if (pci_host_function_at(pci, bus_id, device, function) >= 0) {
        return PCI_HOST_ERROR_OCCUPIED;
    }
    /* QEMU pci_init_multifunction. */
    if (function != 0) {
        int first = pci_host_function_at(pci, bus_id, device, 0);
        if (first >= 0 && !pci->functions[first].desc.multifunction) {
            return PCI_HOST_ERROR_SINGLE_FUNCTION;
        }
    } else if (!desc->multifunction) {
        for (unsigned other = 1; other < PCI_HOST_FUNCTIONS_PER_DEVICE; other++) {
            if (pci_host_function_at(pci, bus_id, device, other) >= 0) {
                return PCI_HOST_ERROR_SINGLE_FUNCTION;
            }
        }
    }
    if (pci->function_count >= PCI_HOST_FUNCTIONS_MAX) {
        return PCI_HOST_ERROR_FUNCTIONS_FULL;
    }
    if (desc->header_type == PCI_HOST_HEADER_BRIDGE &&
        pci->bus_count >= PCI_HOST_BUSES_MAX) {
        return PCI_HOST_ERROR_BUSES_FULL;
    }
    return PCI_HOST_OK;
}

enum pci_host_error pci_host_add_function(struct pci_host *pci, unsigned bus_id,
                                          unsigned device, unsigned function,
                                          const struct pci_host_function_desc *desc,
                                          unsigned *function_id_out)
{
    entry_begin(pci);
    HW_ASSERT(desc != 0);
    enum pci_host_error error = add_decode(pci, bus_id, device, function, desc);
    if (error != PCI_HOST_OK) {
        return error;
    }
    unsigned id = pci->function_count++;
    struct pci_host_function *fn = &pci->functions[id];
    memset(fn, 0, sizeof *fn);
    fn->bus_id = (uint8_t)bus_id;
    fn->devfn = (uint8_t)(device << 3 | function);
    desc_copy(&fn->desc, desc);
    if (is_bridge(fn)) {
        unsigned secondary = pci->bus_count++;
        pci->buses[secondary] = (struct pci_host_bus){
            .bridge_function_id = (uint8_t)id, .parent_bus_id = (uint8_t)bus_id,
        };
        fn->secondary_bus_id = (uint8_t)secondary;
    }
    function_power_on(fn);
    if (function_id_out != 0) {
        *function_id_out = id;
    }
    entry_end(pci);
    return PCI_HOST_OK;
}

const char *pci_host_error_name(enum pci_host_error error)
{
    switch (error) {
    case PCI_HOST_OK: return "PCI_HOST_OK";
    case PCI_HOST_ERROR_FUNCTIONS_FULL: return "PCI_HOST_ERROR_FUNCTIONS_FULL";
    case PCI_HOST_ERROR_BUSES_FULL: return "PCI_HOST_ERROR_BUSES_FULL";
    case PCI_HOST_ERROR_NO_SUCH_BUS: return "PCI_HOST_ERROR_NO_SUCH_BUS";
    case PCI_HOST_ERROR_BAD_ADDRESS: return "PCI_HOST_ERROR_BAD_ADDRESS";
    case PCI_HOST_ERROR_OCCUPIED: return "PCI_HOST_ERROR_OCCUPIED";
    case PCI_HOST_ERROR_SINGLE_FUNCTION: return "PCI_HOST_ERROR_SINGLE_FUNCTION";
    case PCI_HOST_ERROR_BAD_DESCRIPTOR: return "PCI_HOST_ERROR_BAD_DESCRIPTOR";
    }
    return "PCI_HOST_ERROR_UNKNOWN";
}

static void add_board_function(struct pci_host *pci, unsigned device,
                               unsigned function,
                               const struct pci_host_function_desc *desc)
{
    enum pci_host_error error =
        pci_host_add_function(pci, PCI_HOST_ROOT_BUS_ID, device, function, desc, 0);
    HW_ASSERT_DETAIL(error == PCI_HOST_OK, pci_host_error_name(error));
}

void pci_host_init(struct pci_host *pci, unsigned board)
{
    HW_ASSERT(pci != 0);
    HW_ASSERT_DETAIL((board & ~(unsigned)PCI_HOST_BOARD_QEMU_DEFAULT) == 0,
                     "unknown PCI_HOST_BOARD_* flag");
    memset(pci, 0, sizeof *pci);         /* padding too: snapshots compare */
    pci->bus_count = 1;                  /* the root bus */
    add_board_function(pci, 0, 0, &i440fx_host_bridge);
    add_board_function(pci, 1, 0, &piix3_isa_bridge);
    add_board_function(pci, 1, 1, &piix3_ide);
    add_board_function(pci, 1, 3, &piix4_acpi);
    unsigned next_device = 2;            /* QEMU: the first free slot */
    if (board & PCI_HOST_BOARD_VGA) {
        add_board_function(pci, next_device++, 0, &std_vga);
    }
    if (board & PCI_HOST_BOARD_E1000) {
        add_board_function(pci, next_device++, 0, &e1000);
    }
    entry_end(pci);
}

void pci_host_reset(struct pci_host *pci)
{
    entry_begin(pci);
    for (unsigned id = 0; id < pci->function_count; id++) {
        function_power_on(&pci->functions[id]);
    }
    pci->reset_control = 0;
    pci->reset_pending = false;
    entry_end(pci);
}

unsigned pci_host_bridge_bus_id(const struct pci_host *pci, unsigned function_id)
{
    entry_begin(pci);
    HW_ASSERT(function_id < pci->function_count);
    HW_ASSERT_DETAIL(is_bridge(&pci->functions[function_id]), "not a bridge");
    return pci->functions[function_id].secondary_bus_id;
}

uint32_t pci_host_config_read(const struct pci_host *pci, unsigned function_id,
                              unsigned offset, unsigned width)
{
    entry_begin(pci);
    HW_ASSERT(function_id < pci->function_count);
    HW_ASSERT((width == 1 || width == 2 || width == 4) &&
              offset + width <= PCI_HOST_CONFIG_BYTES);
    return function_read(&pci->functions[function_id], offset, width);
}

void pci_host_config_write(struct pci_host *pci, unsigned function_id,
                           unsigned offset, unsigned width, uint32_t value)
{
    entry_begin(pci);
    HW_ASSERT(function_id < pci->function_count);
    HW_ASSERT((width == 1 || width == 2 || width == 4) &&
              offset + width <= PCI_HOST_CONFIG_BYTES);
    function_write(pci, function_id, offset, width, value & width_mask(width));
    entry_end(pci);
}

void pci_host_raise_status(struct pci_host *pci, unsigned function_id,
                           uint16_t bits)
{
    entry_begin(pci);
    HW_ASSERT(function_id < pci->function_count);
    HW_ASSERT_DETAIL((bits & ~PCI_HOST_STATUS_WRITE_CLEAR) == 0,
                     "only write-1-to-clear status bits can be raised");
    uint8_t *status = pci->functions[function_id].config + PCI_HOST_STATUS;
    status[0] |= (uint8_t)bits;
    status[1] |= (uint8_t)(bits >> 8);
    entry_end(pci);
}

bool pci_host_take_reset_request(struct pci_host *pci)
{
    entry_begin(pci);
    bool pending = pci->reset_pending;
    pci->reset_pending = false;
    entry_end(pci);
    return pending;
}

/* QEMU pci_bar_address with the pc machine's rules (address 0 unmapped, no
 * wrap, a 32-bit BAR may not reach 0xFFFFFFFF). */
static bool bar_address_valid(uint64_t address, uint64_t size, bool wide)
{
    uint64_t last = address + size - 1;
    if (last <= address || address == 0 || last == UINT64_MAX) {
        return false;
    }
    return wide || last < UINT32_MAX;
}

bool pci_host_bar_address(const struct pci_host *pci, unsigned function_id,
                          unsigned bar, uint64_t *address_out)
{
    entry_begin(pci);
    HW_ASSERT(function_id < pci->function_count && bar <= PCI_HOST_ROM_BAR);
    const struct pci_host_function *fn = &pci->functions[function_id];
    uint16_t command = (uint16_t)load_le(fn->config + PCI_HOST_COMMAND, 2);
    uint64_t size, address;
    bool wide = false;
    if (bar == PCI_HOST_ROM_BAR) {
        unsigned offset = is_bridge(fn) ? PCI_HOST_BRIDGE_ROM_ADDRESS
                                        : PCI_HOST_ROM_ADDRESS;
        size = fn->desc.rom_size;
        address = load_le(fn->config + offset, 4);
        if (size == 0 || !(command & PCI_HOST_COMMAND_MEMORY) ||
            !(address & PCI_HOST_ROM_ENABLE)) {
            return false;
        }
    } else {
        const struct pci_host_bar_desc *desc = &fn->desc.bars[bar];
        bool io = desc->kind == PCI_HOST_BAR_KIND_IO;
        uint16_t enable = io ? PCI_HOST_COMMAND_IO : PCI_HOST_COMMAND_MEMORY;
        wide = desc->kind == PCI_HOST_BAR_KIND_MEM64;
        size = desc->size;
        address = load_le(fn->config + PCI_HOST_BAR0 + 4 * bar, wide ? 8 : 4);
        if (desc->kind == PCI_HOST_BAR_NONE || !(command & enable)) {
            return false;
        }
    }
    address &= ~(size - 1);
    if (!bar_address_valid(address, size, wide)) {
        return false;
    }
    if (address_out != 0) {
        *address_out = address;
    }
    return true;
}
