/*
 * dde_kit/pci.h - PCI configuration space (Genode's dde_kit/pci.h).
 *
 * Configuration mechanism #1 through an IO_PORT session for 0xCF8-0xCFF,
 * opened at the first access. Self-contained on purpose: the PCI bus
 * driver (framework/os/pci, another branch) will serve a PCI session; the
 * kit can move onto it then without changing this interface.
 *
 * Addresses: bus 0..255, device 0..31, function 0..7, register 0..255
 * (dwords aligned to 4, words to 2). A bad address or alignment is
 * DDE_KIT_PCI_BAD_ADDRESS and touches no port. Where no function answers,
 * reads give all ones, as on hardware.
 *
 * first_device/next_device walk bus 0..DDE_KIT_PCI_BUS_LAST by vendor ID
 * (0xFFFF: none), all functions of multi-function devices, no filter.
 */
#ifndef DUET_DDE_KIT_PCI_H
#define DUET_DDE_KIT_PCI_H

#include "dde_kit/dde_kit.h"

enum {
    DDE_KIT_PCI_CONFIG_ADDRESS = 0xCF8,
    DDE_KIT_PCI_CONFIG_DATA = 0xCFC,
    DDE_KIT_PCI_PORT_COUNT = 8,
    DDE_KIT_PCI_BUS_LAST = 255,
};

enum dde_kit_pci_status {
    DDE_KIT_PCI_OK = 0,
    DDE_KIT_PCI_BAD_ADDRESS,
    DDE_KIT_PCI_NO_ACCESS,       /* the IO_PORT session was refused */
    DDE_KIT_PCI_NO_DEVICE,       /* first/next: no (further) device */
};

enum dde_kit_pci_status dde_kit_pci_readl(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint32_t *out);
enum dde_kit_pci_status dde_kit_pci_readw(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint16_t *out);
enum dde_kit_pci_status dde_kit_pci_readb(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint8_t *out);
enum dde_kit_pci_status dde_kit_pci_writel(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint32_t value);
enum dde_kit_pci_status dde_kit_pci_writew(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint16_t value);
enum dde_kit_pci_status dde_kit_pci_writeb(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint8_t value);

struct dde_kit_pci_device {
    unsigned bus, dev, fn;
};

enum dde_kit_pci_status dde_kit_pci_first_device(struct dde_kit *kit,
                                                 struct dde_kit_pci_device *out);
/* The device after *at (in bus, device, function order), into *at. */
enum dde_kit_pci_status dde_kit_pci_next_device(struct dde_kit *kit,
                                                struct dde_kit_pci_device *at);
const char *dde_kit_pci_status_name(enum dde_kit_pci_status status);

#endif
