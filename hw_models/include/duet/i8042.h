/*
 * i8042.h - the PC keyboard controller (8042) with a PS/2 keyboard and a
 * PS/2 mouse, as one deterministic device model.
 *
 * The controller follows QEMU 7.2's hw/input/pckbd.c as configured for the
 * pc machine (extended state on, keyboard throttle off), the devices QEMU's
 * hw/input/ps2.c (duet/ps2.h). docs/HW_MODELS.md describes the behaviour
 * and where it differs from QEMU.
 *
 * Wiring for the owner (the sim):
 *   i8042_init(&kbc, &host, I8042_KBD_IRQ_LINE, I8042_MOUSE_IRQ_LINE);
 *   attach i8042_data_port_device(&kbc) (port 0x60) and
 *   i8042_command_port_device(&kbc) (port 0x64) to the bus;
 *   route host->irq_set(owner, line, level) for both lines to the PIC,
 *   every call, repeats included;
 *   press keys with i8042_key (or raw bytes with i8042_keyboard_scancodes),
 *   move the mouse with i8042_mouse_input;
 *   after a port write, i8042_reset_requested() says whether the guest
 *   asked for a machine reset (command FE, a pulse of output port bit 0,
 *   or an output port write with bit 0 clear): the owner resets the machine,
 *   this model included (i8042_reset); i8042_a20_level() is the A20 gate.
 * Only irq_set is used of the host (no time, no deadlines). The host's
 * callback must not call back into this model (it asserts so).
 *
 * All state is in struct i8042 (no allocation), declared here so the owner
 * can embed it and snapshot it by copying. Read its fields in tests and
 * oracles, write them never.
 */
#ifndef DUET_I8042_H
#define DUET_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"
#include "duet/ps2.h"

enum {
    I8042_DATA_PORT = 0x60,
    I8042_COMMAND_PORT = 0x64,       /* read: status; write: command */
    I8042_PORT_COUNT = 1,            /* each port is its own 1-byte device */
    I8042_KBD_IRQ_LINE = 1,
    I8042_MOUSE_IRQ_LINE = 12,
};

/* Status register bits (port 0x64 reads). */
enum {
    I8042_STATUS_OBF = 0x01,         /* output buffer full */
    I8042_STATUS_IBF = 0x02,         /* input buffer full: never set */
    I8042_STATUS_SYS = 0x04,         /* set by the self-test command */
    I8042_STATUS_A2 = 0x08,          /* last write a command: always set */
    I8042_STATUS_UNLOCKED = 0x10,    /* keylock open: always set */
    I8042_STATUS_AUX_OBF = 0x20,     /* the byte is the mouse's */
    I8042_STATUS_TIMEOUT = 0x40,     /* never set */
    I8042_STATUS_PARITY = 0x80,      /* never set */
};

/* Controller configuration ("mode") byte, commands 0x20 / 0x60. */
enum {
    I8042_MODE_KBD_INT = 0x01,       /* keyboard bytes raise IRQ 1 */
    I8042_MODE_MOUSE_INT = 0x02,     /* mouse bytes raise IRQ 12 */
    I8042_MODE_SYS = 0x04,           /* stored, no effect (as QEMU) */
    I8042_MODE_NO_KEYLOCK = 0x08,
    I8042_MODE_DISABLE_KBD = 0x10,   /* keyboard clock off */
    I8042_MODE_DISABLE_MOUSE = 0x20, /* mouse clock off */
    I8042_MODE_XLATE = 0x40,         /* translate set 2 to set 1 */
    I8042_MODE_RESET = I8042_MODE_KBD_INT | I8042_MODE_MOUSE_INT,
};

/* Output port bits (commands 0xD0 / 0xD1). */
enum {
    I8042_OUTPORT_RESET = 0x01,      /* 0 = CPU held in reset */
    I8042_OUTPORT_A20 = 0x02,
    I8042_OUTPORT_OBF = 0x10,
    I8042_OUTPORT_AUX_OBF = 0x20,
    I8042_OUTPORT_ONES = 0xCC,       /* QEMU's default for the unused bits */
    I8042_OUTPORT_POWER_ON = 0xCF,
};

/* Controller commands (port 0x64 writes). */
enum {
    I8042_CMD_READ_MODE = 0x20, I8042_CMD_WRITE_MODE = 0x60,
    I8042_CMD_MOUSE_DISABLE = 0xA7, I8042_CMD_MOUSE_ENABLE = 0xA8,
    I8042_CMD_TEST_MOUSE = 0xA9, I8042_CMD_SELF_TEST = 0xAA,
    I8042_CMD_TEST_KBD = 0xAB, I8042_CMD_KBD_DISABLE = 0xAD,
    I8042_CMD_KBD_ENABLE = 0xAE, I8042_CMD_READ_INPUT_PORT = 0xC0,
    I8042_CMD_READ_OUTPUT_PORT = 0xD0, I8042_CMD_WRITE_OUTPUT_PORT = 0xD1,
    I8042_CMD_WRITE_KBD_OBUF = 0xD2, I8042_CMD_WRITE_MOUSE_OBUF = 0xD3,
    I8042_CMD_WRITE_MOUSE = 0xD4, I8042_CMD_DISABLE_A20 = 0xDD,
    I8042_CMD_ENABLE_A20 = 0xDF, I8042_CMD_PULSE_BASE = 0xF0,
    I8042_CMD_RESET = 0xFE, I8042_CMD_NO_OP = 0xFF,

    I8042_SELF_TEST_OK = 0x55, I8042_INTERFACE_TEST_OK = 0x00,
    I8042_INPUT_PORT_VALUE = 0x80,
};

/* Who feeds the output buffer (QEMU KBD_OBSRC_*). */
enum {
    I8042_SOURCE_KBD = 0x01, I8042_SOURCE_MOUSE = 0x02, I8042_SOURCE_CTRL = 0x04,
};

/* Data waiting for the output buffer (QEMU KBD_PENDING_*). The device bits
 * line up with the mode byte's disable bits, which hide them. */
enum {
    I8042_PENDING_CTRL_KBD = 0x04,   /* a controller reply, as keyboard data */
    I8042_PENDING_CTRL_AUX = 0x08,   /* a controller reply, as mouse data (D3) */
    I8042_PENDING_KBD = I8042_MODE_DISABLE_KBD,
    I8042_PENDING_AUX = I8042_MODE_DISABLE_MOUSE,
};

/* Counters since init; tests and fuzz oracles read them. */
struct i8042_line_stats {
    uint64_t calls;                  /* irq_set calls, repeats included */
    uint64_t rises;
    uint64_t falls;
};

struct i8042_stats {
    struct i8042_line_stats kbd_line, mouse_line;
    uint64_t data_reads, data_writes, status_reads, commands;
    uint64_t unknown_commands;       /* ignored, as QEMU (which logs them) */
    uint64_t reset_requests;
    uint64_t a20_changes;
};

struct i8042 {
    /* Wiring, fixed by i8042_init. */
    const struct hw_bus_host *host;
    unsigned kbd_irq_line;
    unsigned mouse_irq_line;

    /* The controller, as QEMU's KBDState. */
    uint8_t status;
    uint8_t mode;
    uint8_t outport;
    uint8_t write_cmd;               /* command awaiting its data byte, or 0 */
    uint8_t pending;                 /* I8042_PENDING_* */
    uint8_t source;                  /* I8042_SOURCE_* behind OBF */
    uint8_t output_byte;             /* the byte last read from port 0x60 */
    uint8_t controller_byte;         /* a controller reply waiting */

    /* Lines and outputs as last driven. */
    bool kbd_irq_level;
    bool mouse_irq_level;
    bool irq_deferred;               /* AD changed IRQ 1's formula, not the line */
    bool a20_level;
    bool reset_requested;            /* until i8042_reset */

    bool in_entry;                   /* guards against calls from the host */
    struct ps2_keyboard keyboard;
    struct ps2_mouse mouse;
    struct i8042_stats stats;
};

/* Wire the model and power it on: QEMU's zeroed device, then the device
 * resets; IRQ 1 and 12 low (the host is told), A20 on. */
void i8042_init(struct i8042 *kbc, const struct hw_bus_host *host,
                unsigned kbd_irq_line, unsigned mouse_irq_line);

/* Machine reset (QEMU kbd_reset and the PS/2 device resets): mode 0x03,
 * status 0x18, output port 0xCF, queues empty, lines low, translation off,
 * the reset request cleared. A command awaiting its data byte still awaits
 * it, as in QEMU. */
void i8042_reset(struct i8042 *kbc);

/* The bus views: port 0x60 (data) and port 0x64 (status / command), one
 * byte each; bytes of a wide access past the port read 0xFF and ignore
 * writes. No deadlines. */
struct hw_port_device i8042_data_port_device(struct i8042 *kbc);
struct hw_port_device i8042_command_port_device(struct i8042 *kbc);

/* A key goes down or up (duet/ps2.h: ps2_keyboard_key). */
void i8042_key(struct i8042 *kbc, enum ps2_key key, bool down);

/* Raw key bytes in the keyboard's current scan-code set, e.g. E0 F0 75 for
 * "cursor up released" in set 2 (duet/ps2.h: ps2_keyboard_scancodes). */
void i8042_keyboard_scancodes(struct i8042 *kbc, const uint8_t *bytes,
                              unsigned count);

/* Mouse motion, wheel and buttons, then a sync (ps2_mouse_input). */
void i8042_mouse_input(struct i8042 *kbc, const struct ps2_mouse_input *input);

/* Outputs the owner acts on. */
bool i8042_reset_requested(const struct i8042 *kbc);
bool i8042_a20_level(const struct i8042 *kbc);

/* What port 0x64 would read, without side effects. */
uint8_t i8042_status_peek(const struct i8042 *kbc);

/* The output buffer bytes waiting behind the controller (QEMU
 * kbd_pending): pending data not hidden by a disabled interface. */
uint8_t i8042_visible_pending(const struct i8042 *kbc);

/* The model's invariants (numbered in i8042.c, the devices' in ps2.c).
 * Returns NULL when all hold, else a static string naming the first broken
 * one. */
const char *i8042_check(const struct i8042 *kbc);

#endif
