/*
 * pci_config_port.c - configuration mechanism #1 (see pci_config_port.h).
 *
 * CONFIG_ADDRESS takes a dword: enable bit 31, bus 23:16, device 15:11,
 * function 10:8, the register's dword 7:2. The data port of a byte or word
 * inside that dword is 0xCFC plus the byte offset, so no access ever
 * reads or writes more of the dword than asked: a read-modify-write of the
 * whole dword would clear write-1-to-clear status bits behind the
 * caller's back.
 */
#include "pci_config_port.h"

#include "duet/assert.h"
#include "duet/pci_config_space.h"
#include "hal/port_io.h"

enum {
    CONFIG_ADDRESS_PORT = PCI_CONFIG_PORT_BASE,
    CONFIG_DATA_PORT = PCI_CONFIG_PORT_BASE + 4,
    REGISTER_MASK = 0xFC,
};
#define CONFIG_ADDRESS_ENABLE UINT32_C(0x80000000)

bool pci_config_access_valid(unsigned offset, unsigned width)
{
    return (width == 1 || width == 2 || width == 4) && offset % width == 0 &&
           offset < PCI_CONFIG_BYTES;
}

static uint16_t select_register(uint64_t bdf, unsigned offset, unsigned width)
{
    DUET_ASSERT(bdf <= PCI_BDF_MAX);
    DUET_ASSERT(pci_config_access_valid(offset, width));
    hal_out32(CONFIG_ADDRESS_PORT,
              CONFIG_ADDRESS_ENABLE | (uint32_t)bdf << 8 | (offset & REGISTER_MASK));
    return (uint16_t)(CONFIG_DATA_PORT + (offset & 3));
}

uint32_t pci_config_port_read(uint64_t bdf, unsigned offset, unsigned width)
{
    uint16_t port = select_register(bdf, offset, width);
    switch (width) {
    case 1: return hal_in8(port);
    case 2: return hal_in16(port);
    default: return hal_in32(port);
    }
}

void pci_config_port_write(uint64_t bdf, unsigned offset, unsigned width, uint32_t value)
{
    DUET_ASSERT(width == 4 || (value >> (8 * width)) == 0);
    uint16_t port = select_register(bdf, offset, width);
    switch (width) {
    case 1: hal_out8(port, (uint8_t)value); break;
    case 2: hal_out16(port, (uint16_t)value); break;
    default: hal_out32(port, value); break;
    }
}
