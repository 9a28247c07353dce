/*
 * pci_config_space.h - the layout of a PCI function's configuration
 * header (PCI Local Bus 3.0, chapter 6), declared once for the PCI bus
 * driver (framework/os/pci) and its clients, which read and write
 * configuration space through the PCI session (duet/pci_session.h).
 *
 * A device is named by its BDF: bus << 8 | device << 3 | function, as
 * "BB:DD.F" prints it. Not here: capabilities lists, extended (PCIe)
 * configuration space.
 */
#ifndef DUET_PCI_CONFIG_SPACE_H
#define DUET_PCI_CONFIG_SPACE_H

#include "duet/types.h"

enum {
    PCI_BUSES = 256,
    PCI_DEVICES_PER_BUS = 32,
    PCI_FUNCTIONS_PER_DEVICE = 8,
    PCI_CONFIG_BYTES = 256,          /* conventional configuration space */
    PCI_BARS_MAX = 6,                /* type 0 header; a bridge has 2 */
    PCI_BRIDGE_BARS = 2,

    PCI_BDF_BUS_SHIFT = 8,
    PCI_BDF_DEVICE_SHIFT = 3,
    PCI_BDF_FUNCTION_MASK = 0x7,
    PCI_BDF_MAX = 0xFFFF,

    PCI_VENDOR_NONE = 0xFFFF,        /* what an empty slot reads */
};

/* Configuration header offsets. */
enum {
    PCI_CONFIG_VENDOR_ID = 0x00, PCI_CONFIG_DEVICE_ID = 0x02,
    PCI_CONFIG_COMMAND = 0x04, PCI_CONFIG_STATUS = 0x06,
    PCI_CONFIG_REVISION_ID = 0x08, PCI_CONFIG_CLASS_PROG = 0x09,
    PCI_CONFIG_HEADER_TYPE = 0x0E,
    PCI_CONFIG_BAR0 = 0x10,
    PCI_CONFIG_INTERRUPT_LINE = 0x3C, PCI_CONFIG_INTERRUPT_PIN = 0x3D,
    /* Type 1 (PCI-PCI bridge) header. */
    PCI_CONFIG_PRIMARY_BUS = 0x18, PCI_CONFIG_SECONDARY_BUS = 0x19,
    PCI_CONFIG_SUBORDINATE_BUS = 0x1A,
};

/* Header type and command bits. */
enum {
    PCI_HEADER_TYPE_MASK = 0x7F,
    PCI_HEADER_MULTIFUNCTION = 0x80,
    PCI_HEADER_ENDPOINT = 0x00,
    PCI_HEADER_BRIDGE = 0x01,
    PCI_COMMAND_IO = 0x0001,
    PCI_COMMAND_MEMORY = 0x0002,
};

/* BAR register bits. */
enum {
    PCI_BAR_SPACE_IO = 0x1,
    PCI_BAR_MEMORY_TYPE_MASK = 0x6,
    PCI_BAR_MEMORY_TYPE_64 = 0x4,
    PCI_BAR_PREFETCHABLE = 0x8,
};
#define PCI_BAR_IO_ADDRESS_MASK UINT32_C(0xFFFFFFFC)
#define PCI_BAR_MEMORY_ADDRESS_MASK UINT32_C(0xFFFFFFF0)

/* What a BAR decodes, as the bus driver sized it. */
enum pci_bar_kind {
    PCI_BAR_NONE = 0,                /* not implemented, or a 64-bit BAR's upper half */
    PCI_BAR_IO = 1,
    PCI_BAR_MEMORY32 = 2,
    PCI_BAR_MEMORY64 = 3,
};

static inline uint64_t pci_bdf(unsigned bus, unsigned device, unsigned function)
{
    return (uint64_t)bus << PCI_BDF_BUS_SHIFT | (uint64_t)device << PCI_BDF_DEVICE_SHIFT |
           function;
}
static inline unsigned pci_bdf_bus(uint64_t bdf) { return (unsigned)(bdf >> PCI_BDF_BUS_SHIFT) & 0xFF; }
static inline unsigned pci_bdf_device(uint64_t bdf) { return (unsigned)(bdf >> PCI_BDF_DEVICE_SHIFT) & 0x1F; }
static inline unsigned pci_bdf_function(uint64_t bdf) { return (unsigned)bdf & PCI_BDF_FUNCTION_MASK; }

#endif
