/*
 * keyboard_input.h - the PC's keyboard controller in the sim (sim-internal):
 * the i8042 model with its PS/2 keyboard and mouse on ports 0x60/0x64 and
 * IRQ 1 / IRQ 12, and the scenario's typist, who plays the scenario's
 * keyboard inputs into the model at their virtual times.
 */
#ifndef DUET_KEYBOARD_INPUT_H
#define DUET_KEYBOARD_INPUT_H

#include <stddef.h>

#include "duet/hw_bus.h"
#include "duet/i8042.h"
#include "duet/scenario.h"

enum {
    KEYBOARD_DATA_PORT = 0x60,
    KEYBOARD_COMMAND_PORT = 0x64,
    KEYBOARD_IRQ = 1,
    MOUSE_IRQ = 12,
    /* The config byte SeaBIOS leaves on QEMU: keyboard interrupt on, mouse
     * clock off, translation on. */
    KEYBOARD_SEABIOS_MODE = 0x61,
};

/* The typist's model pointer is the struct, the controller's is `kbc`:
 * they must differ (the bus finds a device's deadline by its model), so
 * kbc is not the first member. */
struct keyboard_input {
    const struct hw_bus_host *host;
    const struct scenario_keyboard *script;
    size_t next_input;                  /* the first input not played yet */
    struct i8042 kbc;
};

struct port_bus;

/* Powers the controller on, programs it as the firmware would (the
 * scenario may turn translation off), and attaches the controller's two
 * ports and the typist (a device without ports whose deadline is the next
 * input, on IRQ 1's line so that idling jumps to it while the keyboard's
 * interrupt can reach the CPU). */
void keyboard_input_attach(struct keyboard_input *input, struct port_bus *bus,
                           const struct hw_bus_host *host,
                           const struct scenario_keyboard *script);

#endif
