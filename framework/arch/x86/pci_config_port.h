/*
 * pci_config_port.h - PCI configuration mechanism #1: configuration space
 * through CONFIG_ADDRESS (0xCF8) and CONFIG_DATA (0xCFC-0xCFF).
 *
 * The caller holds an IO_PORT session for PCI_CONFIG_PORT_BASE ..
 * + PCI_CONFIG_PORT_COUNT (the PCI bus driver, framework/os/pci), and is
 * the only one touching these ports: an access is an address write and a
 * data access, which must not interleave with another's. Widths 1, 2 and 4
 * at naturally aligned offsets below 256 (asserted: the driver decodes
 * every client's request before it comes here). Reading a function that is
 * not there gives all ones.
 */
#ifndef DUET_ARCH_X86_PCI_CONFIG_PORT_H
#define DUET_ARCH_X86_PCI_CONFIG_PORT_H

#include "duet/types.h"

enum {
    PCI_CONFIG_PORT_BASE = 0xCF8,
    PCI_CONFIG_PORT_COUNT = 8,       /* CONFIG_ADDRESS, (0xCF9: reset), CONFIG_DATA */
};

/* True for a width and offset that pci_config_port_read/_write take. */
bool pci_config_access_valid(unsigned offset, unsigned width);

uint32_t pci_config_port_read(uint64_t bdf, unsigned offset, unsigned width);
void pci_config_port_write(uint64_t bdf, unsigned offset, unsigned width, uint32_t value);

#endif
