/*
 * disk.c - the scenario's disk as the IDE master on the primary channel.
 *
 * A world whose scenario has a "disk" line gets the IDE model
 * (hw_models/ide.c) at 0x1F0-0x1F7 and 0x3F6 driving ISA line 14; worlds
 * without one get no IDE controller at all (the ports float, reading all
 * ones). The image is rendered from the scenario's description into
 * memory of the world's arena, so it is reset with every world, and
 * writes during a run reach that copy only: no file is ever read or
 * written, and the run's recipe (scenario text and seed) reproduces it.
 *
 * Requests take IDE_DISK_COMMAND_LATENCY_NS of virtual time, so a driver
 * sees BSY and waits for IRQ 14 as it must on a real disk; the choice
 * stream still decides when the CPU takes that interrupt (world.c).
 */
#include "sim_world.h"

enum {
    IDE_DISK_COMMAND_LATENCY_NS = 20000,   /* 20 us per sector or flush */
    IDE_DISK_RESET_LATENCY_NS = 2000,      /* SRST to the reset */
};

bool sim_disk_attach(struct sim_world *world)
{
    const struct scenario_disk *disk = &world->config->scenario->disk;
    if (disk->sectors == 0)
        return true;
    size_t bytes = (size_t)disk->sectors * SCENARIO_DISK_SECTOR_BYTES;
    world->disk_image = sim_world_alloc(world, bytes);
    if (world->disk_image == NULL)
        return false;
    world->disk_image_bytes = bytes;
    scenario_disk_render(disk, world->disk_image, bytes);
    const struct ide_config config = {
        .command_latency_ns = IDE_DISK_COMMAND_LATENCY_NS,
        .reset_latency_ns = IDE_DISK_RESET_LATENCY_NS,
    };
    ide_init(&world->ide, &world->host, IDE_PRIMARY_IRQ_LINE, world->disk_image, bytes, &config);
    port_bus_attach(&world->bus, ide_command_port_device(&world->ide), IDE_PRIMARY_IRQ_LINE);
    port_bus_attach(&world->bus, ide_control_port_device(&world->ide), IDE_PRIMARY_IRQ_LINE);
    return true;
}
