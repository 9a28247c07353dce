/*
 * world_pci.c - the PCI host bridge of every world (ports 0xCF8-0xCFF).
 *
 * Bus 0 is QEMU 7.2's pc machine started with -vga none -nic none
 * (hw_models/pci_host.c: 00.0 i440FX, 01.0 PIIX3 ISA bridge, 01.1 PIIX3
 * IDE, 01.3 PIIX4 ACPI), then the scenario's functions, with the bridges'
 * bus numbers set as firmware would (scenario_pci.c). Nothing of it is traced until the guest touches
 * the ports, so a world that never scans PCI runs exactly as before.
 *
 * Not here: machine reset through 0xCF9 (the sim has no reset of the
 * whole world; the model keeps the request pending and nothing takes it),
 * BAR mapping (no device model decodes a BAR yet).
 */
#include "sim_world.h"

#include "scenario_pci.h"

bool world_pci_attach(struct sim_world *world)
{
    size_t index = 0;
    /* A parsed scenario always builds; a programmatic one may not. */
    if (scenario_pci_build(world->config->scenario, &world->pci, &index) != SCENARIO_OK)
        return false;
    port_bus_attach(&world->bus, pci_host_port_device(&world->pci), -1);
    return true;
}
