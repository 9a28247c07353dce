/*
 * i8042_controller.h - the PC keyboard controller as the PS/2 driver
 * programs it: port 0x60 (data) and 0x64 (status / command) through two
 * IO_PORT sessions, nothing else (i8042_controller.c). The same code runs
 * in the sim and on bare metal.
 */
#ifndef DUET_PS2_I8042_CONTROLLER_H
#define DUET_PS2_I8042_CONTROLLER_H

#include "duet/io_port_session.h"

enum {
    I8042_CONTROLLER_DATA_PORT = 0x60,
    I8042_CONTROLLER_COMMAND_PORT = 0x64,
    I8042_CONTROLLER_KEYBOARD_IRQ = 1,

    I8042_STATUS_OUTPUT_FULL = 0x01,     /* a byte waits at 0x60 */
    I8042_STATUS_INPUT_FULL = 0x02,      /* the controller has not taken our byte */
    I8042_STATUS_AUX_DATA = 0x20,        /* the waiting byte is the mouse's */

    I8042_CONFIG_KEYBOARD_IRQ = 0x01,
    I8042_CONFIG_MOUSE_IRQ = 0x02,
    I8042_CONFIG_KEYBOARD_OFF = 0x10,
    I8042_CONFIG_MOUSE_OFF = 0x20,
    I8042_CONFIG_TRANSLATION = 0x40,

    KEYBOARD_ACK = 0xFA,
    KEYBOARD_RESEND = 0xFE,
    KEYBOARD_CMD_SET_LEDS = 0xED,
    KEYBOARD_CMD_SCANCODE_SET = 0xF0,
};

/* What init found wrong; I8042_OK when the controller is ready. */
enum i8042_error {
    I8042_OK,
    I8042_ERR_NO_CONTROLLER,             /* the output buffer never empties */
    I8042_ERR_TIMEOUT,                   /* no byte / input buffer stuck */
    I8042_ERR_SELF_TEST,                 /* AA did not answer 55 */
    I8042_ERR_KEYBOARD_TEST,             /* AB did not answer 00 */
    I8042_ERR_NO_ACK,                    /* the keyboard refused a command */
    I8042_ERR_SCANCODE_SET,              /* the keyboard speaks neither set 1 nor 2 */
    I8042_ERROR_COUNT
};

struct i8042_controller {
    struct io_port_connection data;
    struct io_port_connection command;
    uint8_t config;                      /* as written back by init */
    uint8_t scancode_set;                /* what the driver gets: 1 or 2 */
    bool translation;
    uint64_t discarded;                  /* bytes thrown away while waiting for replies */
};

/* Opens the two IO_PORT sessions; RPC status of the first that failed. */
enum rpc_status i8042_controller_open(struct env *env, struct i8042_controller *controller);

/* The init sequence (i8042_controller.c lists it). On success the
 * keyboard's interrupt is on and scancode_set / translation are known. */
enum i8042_error i8042_controller_init(struct i8042_controller *controller);
const char *i8042_error_name(enum i8042_error error);

/* Takes the waiting byte, if any: false when the output buffer is empty.
 * *out_aux tells a mouse byte. */
bool i8042_controller_read(struct i8042_controller *controller, uint8_t *out_byte,
                           bool *out_aux);

/* Sends a byte to the keyboard (waits, bounded, for the input buffer);
 * false if the controller never took it. */
bool i8042_controller_keyboard_write(struct i8042_controller *controller, uint8_t byte);

#endif
