/*
 * port_bus.c - the sim's x86 port-I/O bus (hal/port_io.h) and model deadlines.
 *
 * Devices claim port ranges; an access goes to the device whose range holds
 * the port, with the offset inside the range. A port nobody decodes reads
 * all ones and ignores writes, as on a PC. Every access costs virtual time,
 * first runs any device deadline that has come due, and is traced.
 *
 * Port I/O is privileged: a PD may access a port only while it holds an
 * I/O-port capability covering it (the kernel decides,
 * kernel_port_allowed). Any other access is the sim's #GP: the thread
 * faults (kernel_entry_fault) and stops, the rest of the world runs on.
 */
#include "sim_world.h"

#include <assert.h>
#include <stdio.h>

#include "hal/event.h"
#include "hal/port_io.h"

void port_bus_attach(struct port_bus *bus, struct hw_port_device device, int irq_line)
{
    assert(bus->count < SIM_PORT_DEVICES_MAX);
    for (size_t i = 0; i < bus->count; i++) {
        const struct hw_port_device *other = &bus->slots[i].device;
        bool disjoint = device.port_base + device.port_count <= other->port_base ||
                        other->port_base + other->port_count <= device.port_base;
        assert(disjoint);
        (void)disjoint; /* NDEBUG builds */
    }
    /* A model that counts from power-on (the PIT) has a deadline already
     * (hw_bus.h rule 4). */
    uint64_t deadline = device.deadline_pending != NULL ? device.deadline_pending(device.model)
                                                        : HW_DEADLINE_NONE;
    bus->slots[bus->count++] = (struct port_slot){device, deadline, irq_line};
}

void port_bus_deadline_set(struct port_bus *bus, void *model, uint64_t at_ns)
{
    for (size_t i = 0; i < bus->count; i++) {
        if (bus->slots[i].device.model == model) {
            bus->slots[i].deadline_ns = at_ns;
            return;
        }
    }
    /* A model resets (cancelling its deadline) before it is attached. */
    assert(at_ns == HW_DEADLINE_NONE && "deadline_set from a model not on the bus");
}

uint64_t port_bus_next_deadline(const struct port_bus *bus, uint32_t lines)
{
    uint64_t next = HW_DEADLINE_NONE;
    for (size_t i = 0; i < bus->count; i++) {
        const struct port_slot *slot = &bus->slots[i];
        bool counts = slot->irq_line < 0 || (lines & (UINT32_C(1) << slot->irq_line)) != 0;
        if (counts && slot->deadline_ns < next)
            next = slot->deadline_ns;
    }
    return next;
}

/* Runs every deadline at or before now, earliest first (ties: bus order). */
void port_bus_run_due(struct sim_world *world)
{
    struct port_bus *bus = &world->bus;
    for (unsigned round = 0;; round++) {
        struct port_slot *due = NULL;
        for (size_t i = 0; i < bus->count; i++) {
            struct port_slot *slot = &bus->slots[i];
            if (slot->deadline_ns <= world->now_ns &&
                (due == NULL || slot->deadline_ns < due->deadline_ns))
                due = slot;
        }
        if (due == NULL)
            return;
        if (round == SIM_DEADLINE_STORM_MAX && world->ended)
            return; /* draining after the end: just stop */
        if (round == SIM_DEADLINE_STORM_MAX)
            sim_world_finish(world, SIM_FAIL, "device deadline storm: a model keeps "
                                              "asking for callbacks in the past");
        due->deadline_ns = HW_DEADLINE_NONE;
        if (due->device.deadline != NULL)
            due->device.deadline(due->device.model);
    }
}

static struct port_slot *port_lookup(struct port_bus *bus, uint16_t port)
{
    for (size_t i = 0; i < bus->count; i++) {
        struct port_slot *slot = &bus->slots[i];
        if (port >= slot->device.port_base &&
            port - slot->device.port_base < slot->device.port_count)
            return slot;
    }
    return NULL;
}

static void port_access_check(struct sim_world *world, uint16_t port, unsigned width)
{
    if (kernel_port_allowed(world->kernel, world->current->pd, port, width))
        return;
    char what[96];
    snprintf(what, sizeof what, "port I/O to 0x%x from pd %u, which has no I/O rights", port,
             world->current->pd);
    kernel_entry_fault(world->kernel, KERNEL_FAULT_IO_PORT, port, what);
}

static uint32_t port_read(uint16_t port, unsigned width, bool kernel)
{
    struct sim_world *world = sim_world_current;
    if (!kernel)
        port_access_check(world, port, width);
    sim_world_step(world);
    world->now_ns += SIM_PORT_ACCESS_NS;
    port_bus_run_due(world);
    struct port_slot *slot = port_lookup(&world->bus, port);
    uint32_t all_ones = width == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
    uint32_t value = slot == NULL ? all_ones
                   : slot->device.read(slot->device.model,
                                       (uint16_t)(port - slot->device.port_base), width) &
                         all_ones;
    hal_event(HAL_EVENT_PORT_IN, port, width, value, 0, NULL, 0);
    return value;
}

static void port_write(uint16_t port, unsigned width, uint32_t value, bool kernel)
{
    struct sim_world *world = sim_world_current;
    if (!kernel)
        port_access_check(world, port, width);
    sim_world_step(world);
    world->now_ns += SIM_PORT_ACCESS_NS;
    port_bus_run_due(world);
    hal_event(HAL_EVENT_PORT_OUT, port, width, value, 0, NULL, 0);
    struct port_slot *slot = port_lookup(&world->bus, port);
    if (slot != NULL)
        slot->device.write(slot->device.model, (uint16_t)(port - slot->device.port_base),
                           width, value);
}

uint8_t hal_in8(uint16_t port) { return (uint8_t)port_read(port, 1, false); }
uint16_t hal_in16(uint16_t port) { return (uint16_t)port_read(port, 2, false); }
uint32_t hal_in32(uint16_t port) { return port_read(port, 4, false); }
void hal_out8(uint16_t port, uint8_t value) { port_write(port, 1, value, false); }
void hal_out16(uint16_t port, uint16_t value) { port_write(port, 2, value, false); }
void hal_out32(uint16_t port, uint32_t value) { port_write(port, 4, value, false); }
uint8_t hal_kernel_in8(uint16_t port) { return (uint8_t)port_read(port, 1, true); }
void hal_kernel_out8(uint16_t port, uint8_t value) { port_write(port, 1, value, true); }
