/*
 * hw_bus.h - what a device model may know about the machine it sits in.
 *
 * Device models in hw_models/ are deterministic state machines. They see
 * only this interface: port reads and writes arrive as calls from the bus,
 * and a model reaches back out only through `struct hw_bus_host` to raise
 * or lower one of its IRQ lines, read the virtual time, and ask for a
 * callback at a later virtual time (one pending deadline per model).
 *
 * Rules every model keeps:
 *  1. No host I/O, no wall clock, no randomness, no malloc: all state sits in
 *     the model's own struct, which the owner (the sim) places in its world.
 *  2. Any port access sequence is legal input: a model never asserts on the
 *     guest's behaviour, it answers like the hardware (often with 0xff).
 *  3. Time moves only through hw_bus_host.now_ns; a model's deadline callback
 *     is run by the owner when virtual time reaches it.
 *  4. A model's init may arm a deadline (the PIT counts from power-on), but
 *     it does not pass it to deadline_set: the model is not on the bus yet.
 *     The bus reads the armed deadline through hw_port_device's
 *     deadline_pending when it attaches the device; from then on the model
 *     reports every change through deadline_set.
 *
 * Not here: the port-range routing and IRQ line state (sim/port_bus.c,
 * sim/irq_lines.c), which implement hw_bus_host.
 */
#ifndef DUET_HW_BUS_H
#define DUET_HW_BUS_H

#include <stdint.h>

#define HW_DEADLINE_NONE UINT64_MAX

/* Services the owner of a model provides to it. `owner` is opaque to the model. */
struct hw_bus_host {
    void *owner;
    void (*irq_set)(void *owner, unsigned line, int level);
    uint64_t (*now_ns)(void *owner);
    /* Ask for model's `deadline` callback at absolute virtual time `at_ns`;
     * HW_DEADLINE_NONE cancels. Replaces any earlier request of the model. */
    void (*deadline_set)(void *owner, void *model, uint64_t at_ns);
};

/* One model instance as the bus sees it: port accesses of width 1, 2 or 4. */
struct hw_port_device {
    const char *name;
    uint16_t port_base;
    uint16_t port_count;
    void *model;
    uint32_t (*read)(void *model, uint16_t offset, unsigned width);
    void (*write)(void *model, uint16_t offset, unsigned width, uint32_t value);
    void (*deadline)(void *model);   /* may be NULL if the model never sets one */
    /* The deadline the model has armed, HW_DEADLINE_NONE if none (rule 4).
     * Added after the first models: NULL, as in a device initialized without
     * it, means HW_DEADLINE_NONE, so older models and buses keep working. */
    uint64_t (*deadline_pending)(const void *model);
};

#endif
