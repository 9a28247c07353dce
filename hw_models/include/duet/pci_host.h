/*
 * pci_host.h - the PC's PCI host bridge (configuration mechanism #1) and
 * the configuration spaces of the functions behind it, as one
 * deterministic device model.
 *
 * Ports 0xCF8-0xCFF: CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC-0xCFF,
 * and, at 0xCF9, the PIIX3 reset control register that QEMU's pc machine
 * lays over the address port. Behaviour follows QEMU 7.2 (hw/pci/pci_host.c,
 * hw/pci/pci.c, hw/pci/pci_bridge.c, hw/pci-host/i440fx.c, hw/isa/piix3.c)
 * as its TCG interpreter runs it; docs/HW_MODELS.md lists what is modelled
 * and where we differ.
 *
 * Call order for the owner (the sim):
 *   pci_host_init(&pci, PCI_HOST_BOARD_VGA);      bus 0 as QEMU's pc builds it
 *   pci_host_add_function(&pci, bus_id, device, function, &desc, &id)
 *       for each device of the scenario (bus_id 0 is the root bus; a bridge's
 *       secondary bus is pci_host_bridge_bus_id(&pci, bridge_id));
 *   dev = pci_host_port_device(&pci);              plug into the bus
 *   ... the guest scans and programs configuration space through the ports;
 *   pci_host_take_reset_request(&pci) after port writes: the guest asked
 *   for a machine reset through 0xCF9;  pci_host_reset(&pci) on reset.
 * The model uses no IRQ line, no time and no deadlines, and needs no
 * hw_bus_host. It never maps BARs anywhere: pci_host_bar_address() tells the
 * owner where QEMU would map one (for device models that decode it).
 *
 * All state is in struct pci_host (no allocation), declared here so the
 * owner can embed it and snapshot it by copying. Read its fields in tests
 * and oracles, write them never. Not here: interrupt routing (PIIX3 PIRQ
 * registers are stored, not acted on), memory and I/O mapping of BARs and
 * bridge windows, PCI Express (extended configuration space), hotplug.
 */
#ifndef DUET_PCI_HOST_H
#define DUET_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"

enum {
    PCI_HOST_PORT_BASE = 0xCF8,
    PCI_HOST_PORT_COUNT = 8,         /* 0: CONFIG_ADDRESS, 1: RCR, 4-7: DATA */
    PCI_HOST_DATA_OFFSET = 4,
    PCI_HOST_RESET_CONTROL_OFFSET = 1,

    PCI_HOST_CONFIG_BYTES = 256,     /* conventional PCI configuration space */
    PCI_HOST_DEVICES_PER_BUS = 32,
    PCI_HOST_FUNCTIONS_PER_DEVICE = 8,
    PCI_HOST_BARS = 6,               /* a bridge has only the first 2 */
    PCI_HOST_ROM_BAR = 6,            /* pci_host_bar_address's index for the ROM */
    PCI_HOST_PRESETS_MAX = 16,       /* device-specific bytes per function */

    /* Limits of one model instance; pci_host_add_function says when full. */
    PCI_HOST_FUNCTIONS_MAX = 32,
    PCI_HOST_BUSES_MAX = 8,          /* the root bus and 7 bridges */
    PCI_HOST_ROOT_BUS_ID = 0,
};

/* CONFIG_ADDRESS fields (bits 30:24 and 1:0 are kept but do not select;
 * bits 1:0 are ORed into the register offset, as QEMU does). */
#define PCI_HOST_ADDRESS_ENABLE UINT32_C(0x80000000)
enum {
    PCI_HOST_ADDRESS_BUS_SHIFT = 16,
    PCI_HOST_ADDRESS_DEVICE_SHIFT = 11,
    PCI_HOST_ADDRESS_FUNCTION_SHIFT = 8,
    PCI_HOST_ADDRESS_REGISTER_MASK = 0xFC,
};

/* Reset control register at 0xCF9 (PIIX3 RCR). */
enum {
    PCI_HOST_RCR_SYSTEM_RESET = 0x02,  /* kept: hard vs soft, unused by QEMU */
    PCI_HOST_RCR_RESET_CPU = 0x04,     /* write 1: reset request, not stored */
};

/* Standard configuration header offsets and bits the model gives meaning. */
enum {
    PCI_HOST_VENDOR_ID = 0x00, PCI_HOST_DEVICE_ID = 0x02,
    PCI_HOST_COMMAND = 0x04, PCI_HOST_STATUS = 0x06,
    PCI_HOST_REVISION_ID = 0x08, PCI_HOST_CLASS_PROG = 0x09,
    PCI_HOST_CACHE_LINE_SIZE = 0x0C, PCI_HOST_LATENCY_TIMER = 0x0D,
    PCI_HOST_HEADER_TYPE = 0x0E,
    PCI_HOST_BAR0 = 0x10,
    PCI_HOST_SUBSYSTEM_VENDOR_ID = 0x2C, PCI_HOST_SUBSYSTEM_ID = 0x2E,
    PCI_HOST_ROM_ADDRESS = 0x30,
    PCI_HOST_CAPABILITIES_POINTER = 0x34,
    PCI_HOST_INTERRUPT_LINE = 0x3C, PCI_HOST_INTERRUPT_PIN = 0x3D,
    PCI_HOST_DEVICE_SPECIFIC = 0x40,

    /* Type 1 (PCI-PCI bridge) header. */
    PCI_HOST_PRIMARY_BUS = 0x18, PCI_HOST_SECONDARY_BUS = 0x19,
    PCI_HOST_SUBORDINATE_BUS = 0x1A, PCI_HOST_SECONDARY_LATENCY = 0x1B,
    PCI_HOST_IO_BASE = 0x1C, PCI_HOST_IO_LIMIT = 0x1D,
    PCI_HOST_SECONDARY_STATUS = 0x1E,
    PCI_HOST_MEMORY_BASE = 0x20, PCI_HOST_PREFETCH_BASE = 0x24,
    PCI_HOST_PREFETCH_BASE_UPPER = 0x28, PCI_HOST_PREFETCH_LIMIT_UPPER = 0x2C,
    PCI_HOST_BRIDGE_ROM_ADDRESS = 0x38,
    PCI_HOST_BRIDGE_CONTROL = 0x3E,

    PCI_HOST_HEADER_ENDPOINT = 0x00,
    PCI_HOST_HEADER_BRIDGE = 0x01,
    PCI_HOST_HEADER_MULTIFUNCTION = 0x80,

    PCI_HOST_COMMAND_IO = 0x0001, PCI_HOST_COMMAND_MEMORY = 0x0002,
    PCI_HOST_COMMAND_MASTER = 0x0004, PCI_HOST_COMMAND_SERR = 0x0100,
    PCI_HOST_COMMAND_INTX_DISABLE = 0x0400,
    PCI_HOST_COMMAND_WRITABLE = 0x0507,    /* QEMU's wmask for every function */

    PCI_HOST_STATUS_CAP_LIST = 0x0010, PCI_HOST_STATUS_66MHZ = 0x0020,
    PCI_HOST_STATUS_FAST_BACK = 0x0080, PCI_HOST_STATUS_DEVSEL_MEDIUM = 0x0200,
    PCI_HOST_STATUS_DEVSEL_MASK = 0x0600,
    /* Error bits, write 1 to clear (QEMU's w1cmask); only the owner sets them. */
    PCI_HOST_STATUS_WRITE_CLEAR = 0xF900,
    /* Read-only bits a descriptor may give (the rest the model owns). */
    PCI_HOST_STATUS_DESCRIBABLE = 0x06A0,

    PCI_HOST_BAR_IO = 0x01, PCI_HOST_BAR_MEM64 = 0x04,
    PCI_HOST_BAR_PREFETCH = 0x08,
    PCI_HOST_ROM_ENABLE = 0x01,

    PCI_HOST_BRIDGE_CONTROL_BUS_RESET = 0x0040,
    PCI_HOST_BRIDGE_CONTROL_WRITABLE = 0x0BFF,
    PCI_HOST_BRIDGE_CONTROL_WRITE_CLEAR = 0x0400,
};

/* Board: what pci_host_init puts on bus 0 besides the fixed i440FX/PIIX
 * functions 00.0, 01.0, 01.1, 01.3. Devices take the next free slot from 2,
 * as in QEMU. Plain `qemu-system-x86_64 -machine pc` builds both. */
enum {
    PCI_HOST_BOARD_VGA = 1u << 0,    /* -vga std: 1234:1111 */
    PCI_HOST_BOARD_E1000 = 1u << 1,  /* the default NIC: 8086:100e */
    PCI_HOST_BOARD_QEMU_DEFAULT = PCI_HOST_BOARD_VGA | PCI_HOST_BOARD_E1000,
};

enum pci_host_bar_kind {
    PCI_HOST_BAR_NONE = 0,
    PCI_HOST_BAR_KIND_IO,            /* size 4 .. 64 KiB */
    PCI_HOST_BAR_KIND_MEM32,         /* size 16 .. 2 GiB */
    PCI_HOST_BAR_KIND_MEM64,         /* size 16 .. 2^63; takes the next slot too */
};

struct pci_host_bar_desc {
    uint8_t kind;                    /* enum pci_host_bar_kind */
    bool prefetchable;               /* memory BARs only */
    uint64_t size;                   /* bytes, a power of two */
};

/* A device-specific byte (offset 0x40-0xFF) that is not QEMU's default
 * (power-on 0, fully writable): its power-on value and its write mask.
 * Capabilities are built from presets (their header bytes read-only). */
struct pci_host_preset {
    uint8_t offset;
    uint8_t value;
    uint8_t write_mask;
};

/* One function as the owner describes it; checked by pci_host_desc_check. */
struct pci_host_function_desc {
    uint16_t vendor_id;              /* not 0xFFFF (a scan would miss it) */
    uint16_t device_id;
    uint32_t class_code;             /* 24 bits: class, subclass, prog-if */
    uint8_t revision;
    uint8_t header_type;             /* PCI_HOST_HEADER_ENDPOINT or _BRIDGE */
    bool multifunction;              /* header type bit 7 */
    uint8_t interrupt_pin;           /* 0 none, 1..4 INTA..INTD */
    uint16_t status;                 /* PCI_HOST_STATUS_DESCRIBABLE bits only;
                                        a bridge's secondary status too */
    uint16_t subsystem_vendor_id;    /* endpoints only (a bridge: 0) */
    uint16_t subsystem_id;
    struct pci_host_bar_desc bars[PCI_HOST_BARS];
    uint32_t rom_size;               /* 0: no ROM BAR; else 2 KiB .. 2 GiB */
    uint8_t capabilities_pointer;    /* 0: none; else dword-aligned >= 0x40 */
    uint8_t preset_count;
    struct pci_host_preset presets[PCI_HOST_PRESETS_MAX];
};

enum pci_host_error {
    PCI_HOST_OK = 0,
    PCI_HOST_ERROR_FUNCTIONS_FULL,   /* PCI_HOST_FUNCTIONS_MAX in use */
    PCI_HOST_ERROR_BUSES_FULL,       /* a bridge needs a bus; none left */
    PCI_HOST_ERROR_NO_SUCH_BUS,      /* bus_id names no bus */
    PCI_HOST_ERROR_BAD_ADDRESS,      /* device > 31 or function > 7 */
    PCI_HOST_ERROR_OCCUPIED,         /* that function exists already */
    PCI_HOST_ERROR_SINGLE_FUNCTION,  /* QEMU's rule: function 0 without the
                                        multifunction bit and another function
                                        of the same device */
    PCI_HOST_ERROR_BAD_DESCRIPTOR,   /* pci_host_desc_check names why */
};

/* The power-on value and write masks of every configuration byte of a
 * function, derived from its descriptor alone (the layout is declared once,
 * in pci_host_config_layout). A write stores (old & ~write_mask) |
 * (value & write_mask), then clears the bits of value & clear_mask. */
struct pci_host_config_layout {
    uint8_t power_on[PCI_HOST_CONFIG_BYTES];
    uint8_t write_mask[PCI_HOST_CONFIG_BYTES];
    uint8_t clear_mask[PCI_HOST_CONFIG_BYTES];   /* write 1 to clear */
};

struct pci_host_function {
    uint8_t bus_id;                  /* the bus it sits on (index in buses) */
    uint8_t devfn;                   /* device << 3 | function */
    uint8_t secondary_bus_id;        /* bridges: the bus behind; else 0 */
    struct pci_host_function_desc desc;
    uint8_t config[PCI_HOST_CONFIG_BYTES];
};

/* Bus 0 is the root; every other bus is the secondary bus of one bridge,
 * and its bus number is that bridge's secondary bus register. */
struct pci_host_bus {
    uint8_t bridge_function_id;      /* non-root buses */
    uint8_t parent_bus_id;           /* non-root buses; always a lower id */
};

/* Counters since init; tests and fuzz oracles read them. */
struct pci_host_stats {
    uint64_t address_writes;         /* dword writes to CONFIG_ADDRESS */
    uint64_t address_ignored;        /* other writes there (QEMU drops them) */
    uint64_t data_reads;             /* CONFIG_DATA reads that reached a function */
    uint64_t data_writes;            /* ... writes that reached a function */
    uint64_t data_unclaimed;         /* CONFIG_DATA accesses with bit 31 clear
                                        or nothing there (reads all ones) */
    uint64_t misaligned;             /* accesses QEMU's memory core rejects */
    uint64_t reset_requests;         /* RCR writes with PCI_HOST_RCR_RESET_CPU */
    uint64_t bus_resets;             /* secondary bus resets (bridge control) */
};

struct pci_host {
    uint32_t config_address;         /* CONFIG_ADDRESS as last written */
    uint8_t reset_control;           /* RCR: PCI_HOST_RCR_SYSTEM_RESET or 0 */
    bool reset_pending;              /* a reset request not yet taken */
    uint8_t bus_count;               /* buses[0 .. bus_count) exist */
    uint8_t function_count;          /* functions[0 .. function_count) exist */
    struct pci_host_bus buses[PCI_HOST_BUSES_MAX];
    struct pci_host_function functions[PCI_HOST_FUNCTIONS_MAX];
    struct pci_host_stats stats;
};

/* Power on with bus 0 as QEMU 7.2's pc machine builds it (before firmware
 * runs): 00.0 i440FX host bridge, 01.0 PIIX3 ISA bridge (multifunction),
 * 01.1 PIIX3 IDE, 01.3 PIIX4 ACPI, then the PCI_HOST_BOARD_* devices.
 * Function ids 0..3 are those four, in that order. */
void pci_host_init(struct pci_host *pci, unsigned board);

/* Machine reset: every function back to its power-on configuration, RCR 0,
 * no reset pending. CONFIG_ADDRESS keeps its value, as in QEMU. */
void pci_host_reset(struct pci_host *pci);

/* The bus view: 8 ports at 0xCF8, byte/word/dword access. No deadlines. */
struct hw_port_device pci_host_port_device(struct pci_host *pci);

/* Decode a descriptor: NULL if pci_host_add_function would take it, else
 * a static string naming the first problem. Pure. */
const char *pci_host_desc_check(const struct pci_host_function_desc *desc);

/* Add a function at device/function of bus bus_id, in its power-on state.
 * On PCI_HOST_OK, *function_id_out (if not NULL) is its id; a bridge also
 * gets a new bus. Any other result changes nothing. */
enum pci_host_error pci_host_add_function(struct pci_host *pci, unsigned bus_id,
                                          unsigned device, unsigned function,
                                          const struct pci_host_function_desc *desc,
                                          unsigned *function_id_out);

/* A printable name for an error ("PCI_HOST_ERROR_OCCUPIED", ...). */
const char *pci_host_error_name(enum pci_host_error error);

/* QEMU's pci-bridge (1b36:0001) with shpc=off,msi=off: its slot-ID
 * capability at 0x40 carries chassis_nr. */
struct pci_host_function_desc pci_host_qemu_bridge_desc(uint8_t chassis_nr);

/* The bus behind bridge function_id (asserts that it is a bridge). */
unsigned pci_host_bridge_bus_id(const struct pci_host *pci, unsigned function_id);

/* The function at device/function of bus bus_id, or -1. */
int pci_host_function_at(const struct pci_host *pci, unsigned bus_id,
                         unsigned device, unsigned function);

/* The function a configuration cycle to bus_number/devfn reaches now
 * through the bridges' bus number registers (QEMU pci_find_device), or -1. */
int pci_host_route(const struct pci_host *pci, uint8_t bus_number, uint8_t devfn);

/* The owner's own configuration accesses (what firmware would do), with the
 * guest's masks and side effects. offset + width <= 256, width 1, 2 or 4. */
uint32_t pci_host_config_read(const struct pci_host *pci, unsigned function_id,
                              unsigned offset, unsigned width);
void pci_host_config_write(struct pci_host *pci, unsigned function_id,
                           unsigned offset, unsigned width, uint32_t value);

/* A device signals an error: set write-1-to-clear status bits (only
 * PCI_HOST_STATUS_WRITE_CLEAR bits). */
void pci_host_raise_status(struct pci_host *pci, unsigned function_id,
                           uint16_t bits);

/* Where QEMU would map BAR bar (0..5, or PCI_HOST_ROM_BAR) of a function
 * now (QEMU pci_bar_address on the pc machine): true and *address_out if
 * decoding is on and the address is valid, false if unmapped. Bridge
 * windows on the way are not consulted; I/O above 0xFFFF is unreachable. */
bool pci_host_bar_address(const struct pci_host *pci, unsigned function_id,
                          unsigned bar, uint64_t *address_out);

/* True once per guest reset request (RCR bit 2); the owner then resets. */
bool pci_host_take_reset_request(struct pci_host *pci);

/* Fill *layout from desc (which must pass pci_host_desc_check). Pure. */
void pci_host_config_layout(const struct pci_host_function_desc *desc,
                            struct pci_host_config_layout *layout);

/* The model's invariants (numbered in pci_host.c). Returns NULL when all
 * hold, else a static string naming the first broken one. */
const char *pci_host_check(const struct pci_host *pci);

#endif
