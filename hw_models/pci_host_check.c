/*
 * pci_host_check.c - the PCI host model's invariants as one checker.
 *
 * pci_host_check() returns NULL when every invariant numbered at the top of
 * pci_host.c holds, else a fixed string naming the first broken one. The
 * model runs it at the end of every entry that changes state (and asserts);
 * tests and fuzz oracles run it between steps. It only reads the struct and
 * the pure descriptor decoder and layout; its cost is one layout per
 * function.
 */
#include "duet/pci_host.h"

static const char *check_counts(const struct pci_host *pci)
{
    if (pci->bus_count < 1 || pci->bus_count > PCI_HOST_BUSES_MAX) {
        return "1: bus_count outside 1 .. PCI_HOST_BUSES_MAX";
    }
    if (pci->function_count > PCI_HOST_FUNCTIONS_MAX) {
        return "1: function_count above PCI_HOST_FUNCTIONS_MAX";
    }
    if (pci->reset_control & ~PCI_HOST_RCR_SYSTEM_RESET) {
        return "1: RCR holds a bit other than bit 1";
    }
    if (pci->reset_pending && pci->stats.reset_requests == 0) {
        return "1: reset pending without a request";
    }
    return 0;
}

static const char *check_placement(const struct pci_host *pci, unsigned id)
{
    const struct pci_host_function *fn = &pci->functions[id];
    if (pci_host_desc_check(&fn->desc) != 0) return "2: invalid descriptor";
    if (fn->bus_id >= pci->bus_count) return "2: function on a missing bus";
    if (pci_host_function_at(pci, fn->bus_id, fn->devfn >> 3, fn->devfn & 7) !=
        (int)id) {
        return "2: two functions at one bus and devfn";
    }
    int first = pci_host_function_at(pci, fn->bus_id, fn->devfn >> 3, 0);
    if ((fn->devfn & 7) != 0 && first >= 0 &&
        !pci->functions[first].desc.multifunction) {
        return "3: a single-function device has another function";
    }
    bool bridge = fn->desc.header_type == PCI_HOST_HEADER_BRIDGE;
    if (bridge) {
        unsigned bus_id = fn->secondary_bus_id;
        if (bus_id < 1 || bus_id >= pci->bus_count ||
            pci->buses[bus_id].bridge_function_id != id) {
            return "4: a bridge without its own secondary bus";
        }
    } else if (fn->secondary_bus_id != 0) {
        return "4: an endpoint with a secondary bus";
    }
    return 0;
}

static const char *check_buses(const struct pci_host *pci)
{
    for (unsigned bus_id = 1; bus_id < pci->bus_count; bus_id++) {
        const struct pci_host_bus *bus = &pci->buses[bus_id];
        if (bus->bridge_function_id >= pci->function_count) {
            return "4: bus behind a missing function";
        }
        const struct pci_host_function *bridge =
            &pci->functions[bus->bridge_function_id];
        if (bridge->desc.header_type != PCI_HOST_HEADER_BRIDGE ||
            bridge->secondary_bus_id != bus_id) {
            return "4: bus not the secondary bus of its bridge";
        }
        if (bus->parent_bus_id != bridge->bus_id || bus->parent_bus_id >= bus_id) {
            return "4: bus parent is not its bridge's bus with a lower id";
        }
    }
    return 0;
}

static const char *check_config(const struct pci_host_function *fn)
{
    struct pci_host_config_layout layout;
    pci_host_config_layout(&fn->desc, &layout);
    for (unsigned at = 0; at < PCI_HOST_CONFIG_BYTES; at++) {
        uint8_t changeable = layout.write_mask[at] | layout.clear_mask[at];
        if (layout.write_mask[at] & layout.clear_mask[at]) {
            return "5: a bit both writable and write-1-to-clear";
        }
        if ((fn->config[at] ^ layout.power_on[at]) & (uint8_t)~changeable) {
            return "5: a read-only bit left its power-on value";
        }
    }
    return 0;
}

const char *pci_host_check(const struct pci_host *pci)
{
    const char *broken = check_counts(pci);
    if (!broken) broken = check_buses(pci);
    for (unsigned id = 0; !broken && id < pci->function_count; id++) {
        broken = check_placement(pci, id);
        if (!broken) broken = check_config(&pci->functions[id]);
    }
    return broken;
}
