/*
 * pci_scan.h - enumeration of the PCI buses and sizing of BARs, for the
 * PCI bus driver (pci_driver.c), over configuration mechanism #1
 * (framework/arch/x86/pci_config_port.h).
 *
 * pci_scan_run visits bus 0 and then every bus a PCI-PCI bridge names as
 * its secondary bus, each bus once; on a bus every device whose function 0
 * answers (vendor not 0xFFFF), and functions 1-7 only if function 0's
 * header type has the multifunction bit. There is no vendor filter. Every
 * BAR is sized (write all ones, read back, restore) with the function's
 * I/O and memory decoding off meanwhile. The table ends sorted by BDF, so
 * the order clients see does not depend on the scan's order.
 *
 * Bus numbers are the firmware's: a bridge whose secondary bus register is
 * 0 (not configured) or names a bus seen already is listed but not
 * followed (counted in the stats). Not here: assigning bus numbers or BAR
 * addresses, expansion ROM BARs, CardBus bridges' BARs.
 */
#ifndef DUET_OS_PCI_SCAN_H
#define DUET_OS_PCI_SCAN_H

#include "duet/pci_config_space.h"

enum {
    PCI_SCAN_DEVICES_MAX = 64,       /* functions kept; more are counted, not kept */
};

struct pci_bar_info {
    uint8_t kind;                    /* enum pci_bar_kind */
    bool prefetchable;
    uint64_t size;                   /* bytes */
};

struct pci_device_info {
    uint16_t bdf;
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint8_t header_type;             /* with the multifunction bit */
    uint32_t class_code;             /* class << 16 | subclass << 8 | prog-if */
    uint8_t secondary_bus;           /* bridges: as the scan found it; else 0 */
    struct pci_bar_info bars[PCI_BARS_MAX];
};

struct pci_scan_stats {
    uint64_t buses_scanned;
    uint64_t functions_dropped;      /* found with the table full */
    uint64_t bridges_unconfigured;   /* secondary bus 0 */
    uint64_t bridges_revisiting;     /* secondary bus seen already (a loop) */
};

struct pci_scan {
    struct pci_device_info devices[PCI_SCAN_DEVICES_MAX];
    size_t device_count;
    struct pci_scan_stats stats;
};

void pci_scan_run(struct pci_scan *scan);

/* The index of bdf in the table, or -1. */
int pci_scan_find(const struct pci_scan *scan, uint64_t bdf);

#endif
