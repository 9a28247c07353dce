/*
 * pci.c - PCI configuration space through mechanism #1 (dde_kit/pci.h).
 *
 * An access writes the address dword (enable bit 31, bus, device,
 * function, the register's dword) to 0xCF8 and moves the data through
 * 0xCFC + (register & 3). The address and the data access are one step
 * under the kit's PCI lock, so two threads cannot interleave them.
 */
#include "dde_kit/pci.h"

#include "dde_kit_state.h"
#include "duet/assert.h"
#include "hal/port_io.h"

enum { PCI_ENABLE = 1u << 31, PCI_VENDOR_NONE = 0xFFFF, PCI_HEADER_TYPE = 0x0E };

static const char *const status_names[] = {
    [DDE_KIT_PCI_OK] = "DDE_KIT_PCI_OK",
    [DDE_KIT_PCI_BAD_ADDRESS] = "DDE_KIT_PCI_BAD_ADDRESS",
    [DDE_KIT_PCI_NO_ACCESS] = "DDE_KIT_PCI_NO_ACCESS",
    [DDE_KIT_PCI_NO_DEVICE] = "DDE_KIT_PCI_NO_DEVICE",
};

const char *dde_kit_pci_status_name(enum dde_kit_pci_status status)
{
    return (unsigned)status < DUET_ARRAY_COUNT(status_names) ? status_names[status]
                                                             : "DDE_KIT_PCI_UNKNOWN";
}

/* Decode: the address is valid and the ports are ours. */
static enum dde_kit_pci_status pci_decode(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, unsigned width)
{
    if (bus > 255 || dev > 31 || fn > 7 || reg > 255 || reg % width != 0)
        return DDE_KIT_PCI_BAD_ADDRESS;
    dde_kit_lock_lock(&kit->pci_lock);   /* the first access of two threads opens once */
    if (!kit->pci_open)
        kit->pci_open = io_port_connection_open(kit->env, DDE_KIT_PCI_CONFIG_ADDRESS,
                                                DDE_KIT_PCI_PORT_COUNT, &kit->pci) == RPC_OK;
    bool open = kit->pci_open;
    dde_kit_lock_unlock(&kit->pci_lock);
    return open ? DDE_KIT_PCI_OK : DDE_KIT_PCI_NO_ACCESS;
}

static void pci_select(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    hal_out32(DDE_KIT_PCI_CONFIG_ADDRESS,
              PCI_ENABLE | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC));
}

static enum dde_kit_pci_status pci_read(struct dde_kit *kit, unsigned bus, unsigned dev,
                                        unsigned fn, unsigned reg, unsigned width,
                                        uint32_t *out)
{
    enum dde_kit_pci_status status = pci_decode(kit, bus, dev, fn, reg, width);
    *out = width == 4 ? 0xFFFFFFFFu : width == 2 ? 0xFFFFu : 0xFFu;
    if (status != DDE_KIT_PCI_OK)
        return status;
    uint16_t data = (uint16_t)(DDE_KIT_PCI_CONFIG_DATA + (reg & 3));
    dde_kit_lock_lock(&kit->pci_lock);   /* one PCI step at a time */
    pci_select(bus, dev, fn, reg);
    *out = width == 4 ? hal_in32(data) : width == 2 ? hal_in16(data) : hal_in8(data);
    dde_kit_lock_unlock(&kit->pci_lock);
    return DDE_KIT_PCI_OK;
}

static enum dde_kit_pci_status pci_write(struct dde_kit *kit, unsigned bus, unsigned dev,
                                         unsigned fn, unsigned reg, unsigned width,
                                         uint32_t value)
{
    enum dde_kit_pci_status status = pci_decode(kit, bus, dev, fn, reg, width);
    if (status != DDE_KIT_PCI_OK)
        return status;
    uint16_t data = (uint16_t)(DDE_KIT_PCI_CONFIG_DATA + (reg & 3));
    dde_kit_lock_lock(&kit->pci_lock);
    pci_select(bus, dev, fn, reg);
    if (width == 4)
        hal_out32(data, value);
    else if (width == 2)
        hal_out16(data, (uint16_t)value);
    else
        hal_out8(data, (uint8_t)value);
    dde_kit_lock_unlock(&kit->pci_lock);
    return DDE_KIT_PCI_OK;
}

enum dde_kit_pci_status dde_kit_pci_readl(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint32_t *out)
{
    return pci_read(kit, bus, dev, fn, reg, 4, out);
}

enum dde_kit_pci_status dde_kit_pci_readw(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint16_t *out)
{
    uint32_t value = 0;
    enum dde_kit_pci_status status = pci_read(kit, bus, dev, fn, reg, 2, &value);
    *out = (uint16_t)value;
    return status;
}

enum dde_kit_pci_status dde_kit_pci_readb(struct dde_kit *kit, unsigned bus, unsigned dev,
                                          unsigned fn, unsigned reg, uint8_t *out)
{
    uint32_t value = 0;
    enum dde_kit_pci_status status = pci_read(kit, bus, dev, fn, reg, 1, &value);
    *out = (uint8_t)value;
    return status;
}

enum dde_kit_pci_status dde_kit_pci_writel(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint32_t value)
{
    return pci_write(kit, bus, dev, fn, reg, 4, value);
}

enum dde_kit_pci_status dde_kit_pci_writew(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint16_t value)
{
    return pci_write(kit, bus, dev, fn, reg, 2, value);
}

enum dde_kit_pci_status dde_kit_pci_writeb(struct dde_kit *kit, unsigned bus, unsigned dev,
                                           unsigned fn, unsigned reg, uint8_t value)
{
    return pci_write(kit, bus, dev, fn, reg, 1, value);
}

/* From *at (inclusive), the first function whose vendor ID answers. */
static enum dde_kit_pci_status pci_scan_from(struct dde_kit *kit, struct dde_kit_pci_device *at)
{
    for (unsigned bus = at->bus, dev = at->dev, fn = at->fn; bus <= DDE_KIT_PCI_BUS_LAST;) {
        uint16_t vendor = PCI_VENDOR_NONE;
        enum dde_kit_pci_status status = dde_kit_pci_readw(kit, bus, dev, fn, 0, &vendor);
        if (status != DDE_KIT_PCI_OK)
            return status;
        if (vendor != PCI_VENDOR_NONE) {
            *at = (struct dde_kit_pci_device){bus, dev, fn};
            return DDE_KIT_PCI_OK;
        }
        /* An empty function 0 means an empty slot; an empty function
         * 1-7 (reached only in a multi-function device) the next one. */
        if (fn > 0 && fn < 7) {
            fn++;
        } else {
            fn = 0;
            if (++dev == 32) {
                dev = 0;
                bus++;
            }
        }
    }
    return DDE_KIT_PCI_NO_DEVICE;
}

enum dde_kit_pci_status dde_kit_pci_first_device(struct dde_kit *kit,
                                                 struct dde_kit_pci_device *out)
{
    *out = (struct dde_kit_pci_device){0, 0, 0};
    return pci_scan_from(kit, out);
}

enum dde_kit_pci_status dde_kit_pci_next_device(struct dde_kit *kit,
                                                struct dde_kit_pci_device *at)
{
    struct dde_kit_pci_device next = *at;
    /* After a function 0: its siblings only if it is multi-function. */
    uint8_t header = 0;
    bool multi = next.fn > 0 || (dde_kit_pci_readb(kit, next.bus, next.dev, 0, PCI_HEADER_TYPE,
                                                   &header) == DDE_KIT_PCI_OK &&
                                 (header & 0x80));
    if (multi && next.fn < 7) {
        next.fn++;
    } else {
        next.fn = 0;
        if (++next.dev == 32) {
            next.dev = 0;
            if (++next.bus > DDE_KIT_PCI_BUS_LAST)
                return DDE_KIT_PCI_NO_DEVICE;
        }
    }
    enum dde_kit_pci_status status = pci_scan_from(kit, &next);
    if (status == DDE_KIT_PCI_OK)
        *at = next;
    return status;
}
