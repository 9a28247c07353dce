/*
 * i8042_controller.c - programming the keyboard controller (i8042_controller.h).
 *
 * Init, in the order Genode's driver uses (GENODE_FACTS.md, PS/2):
 *   1. flush: read port 0x60 while the status says a byte waits, at most
 *      FLUSH_BYTES_MAX times; a buffer that never empties (a bus that reads
 *      FF) is no controller.
 *   2. disable both devices (AD, A7) and flush again, so that key bytes
 *      cannot mix with the replies below.
 *   3. read the config byte (20).
 *   4. self-tests: AA must answer 55, AB (keyboard interface) 00. The mouse
 *      test (A9) is left out: this driver does not drive the mouse.
 *   5. write the config back (60) with the keyboard interrupt and clock on
 *      and the mouse's interrupt and clock off; translation stays as the
 *      firmware left it, and decides the scan-code set:
 *   6. enable the keyboard (AE).
 *   7. translation on: the controller turns the keyboard's set 2 into set 1
 *      and nothing is sent. Translation off: the keyboard is told to use
 *      set 2 (F0 02, two ACKs). If it refuses, it is asked which set it
 *      speaks (F0 00: ACK, set) and that one is used if it is 1 or 2.
 *   8. LEDs off (ED 00, two ACKs), so that the driver's idea of them is
 *      the keyboard's.
 * Every wait is a bounded poll of the status port (no timer: a port access
 * takes about a microsecond on every PC, and the bounds are generous).
 * Bytes that are not the awaited reply while waiting for a keyboard ACK
 * (a key pressed during init) are discarded and counted.
 */
#include "i8042_controller.h"

#include "duet/assert.h"

enum {
    FLUSH_BYTES_MAX = 32,
    POLLS_MAX = 10000,
    ACK_WAIT_BYTES_MAX = 16,             /* other bytes skipped while awaiting an ACK */
    CMD_READ_CONFIG = 0x20, CMD_WRITE_CONFIG = 0x60,
    CMD_MOUSE_DISABLE = 0xA7, CMD_SELF_TEST = 0xAA, CMD_KEYBOARD_TEST = 0xAB,
    CMD_KEYBOARD_DISABLE = 0xAD, CMD_KEYBOARD_ENABLE = 0xAE,
    SELF_TEST_PASSED = 0x55, KEYBOARD_TEST_PASSED = 0x00,
    SCANCODE_SET_QUERY = 0x00, SCANCODE_SET_2 = 0x02,
};

static const char *const error_names[I8042_ERROR_COUNT] = {
    [I8042_OK] = "I8042_OK",
    [I8042_ERR_NO_CONTROLLER] = "I8042_ERR_NO_CONTROLLER",
    [I8042_ERR_TIMEOUT] = "I8042_ERR_TIMEOUT",
    [I8042_ERR_SELF_TEST] = "I8042_ERR_SELF_TEST",
    [I8042_ERR_KEYBOARD_TEST] = "I8042_ERR_KEYBOARD_TEST",
    [I8042_ERR_NO_ACK] = "I8042_ERR_NO_ACK",
    [I8042_ERR_SCANCODE_SET] = "I8042_ERR_SCANCODE_SET",
};

const char *i8042_error_name(enum i8042_error error)
{
    return (unsigned)error < I8042_ERROR_COUNT ? error_names[error] : "I8042_ERR_UNKNOWN";
}

enum rpc_status i8042_controller_open(struct env *env, struct i8042_controller *controller)
{
    *controller = (struct i8042_controller){0};
    enum rpc_status status =
        io_port_connection_open(env, I8042_CONTROLLER_DATA_PORT, 1, &controller->data);
    if (status != RPC_OK)
        return status;
    return io_port_connection_open(env, I8042_CONTROLLER_COMMAND_PORT, 1, &controller->command);
}

static uint8_t status_read(struct i8042_controller *c)
{
    return io_port_in8(&c->command, I8042_CONTROLLER_COMMAND_PORT);
}

/* Waits until the controller took the last byte written. */
static bool input_wait(struct i8042_controller *c)
{
    for (unsigned poll = 0; poll < POLLS_MAX; poll++)
        if ((status_read(c) & I8042_STATUS_INPUT_FULL) == 0)
            return true;
    return false;
}

static bool command_write(struct i8042_controller *c, uint8_t command)
{
    if (!input_wait(c))
        return false;
    io_port_out8(&c->command, I8042_CONTROLLER_COMMAND_PORT, command);
    return true;
}

static bool data_write(struct i8042_controller *c, uint8_t byte)
{
    if (!input_wait(c))
        return false;
    io_port_out8(&c->data, I8042_CONTROLLER_DATA_PORT, byte);
    return true;
}

/* Waits for a byte and takes it. */
static bool output_wait(struct i8042_controller *c, uint8_t *out_byte)
{
    for (unsigned poll = 0; poll < POLLS_MAX; poll++) {
        if (status_read(c) & I8042_STATUS_OUTPUT_FULL) {
            *out_byte = io_port_in8(&c->data, I8042_CONTROLLER_DATA_PORT);
            return true;
        }
    }
    return false;
}

static bool flush(struct i8042_controller *c)
{
    for (unsigned i = 0; i < FLUSH_BYTES_MAX; i++) {
        if ((status_read(c) & I8042_STATUS_OUTPUT_FULL) == 0)
            return true;
        (void)io_port_in8(&c->data, I8042_CONTROLLER_DATA_PORT);
    }
    return (status_read(c) & I8042_STATUS_OUTPUT_FULL) == 0;
}

/* A controller command with a one-byte answer. */
static enum i8042_error command_answer(struct i8042_controller *c, uint8_t command,
                                       uint8_t *out_answer)
{
    if (!command_write(c, command) || !output_wait(c, out_answer))
        return I8042_ERR_TIMEOUT;
    return I8042_OK;
}

/* Sends a byte to the keyboard and waits for its ACK; other bytes that
 * come first are discarded (bounded). */
static enum i8042_error keyboard_acked(struct i8042_controller *c, uint8_t byte)
{
    if (!data_write(c, byte))
        return I8042_ERR_TIMEOUT;
    for (unsigned skipped = 0; skipped < ACK_WAIT_BYTES_MAX; skipped++) {
        uint8_t reply = 0;
        if (!output_wait(c, &reply))
            return I8042_ERR_TIMEOUT;
        if (reply == KEYBOARD_ACK)
            return I8042_OK;
        if (reply == KEYBOARD_RESEND)
            return I8042_ERR_NO_ACK;
        c->discarded++;
    }
    return I8042_ERR_NO_ACK;
}

static enum i8042_error controller_test(struct i8042_controller *c)
{
    uint8_t answer = 0;
    enum i8042_error error = command_answer(c, CMD_SELF_TEST, &answer);
    if (error != I8042_OK)
        return error;
    if (answer != SELF_TEST_PASSED)
        return I8042_ERR_SELF_TEST;
    error = command_answer(c, CMD_KEYBOARD_TEST, &answer);
    if (error != I8042_OK)
        return error;
    return answer == KEYBOARD_TEST_PASSED ? I8042_OK : I8042_ERR_KEYBOARD_TEST;
}

/* Step 7 without translation: set 2, or the set the keyboard reports. */
static enum i8042_error scancode_set_choose(struct i8042_controller *c)
{
    if (keyboard_acked(c, KEYBOARD_CMD_SCANCODE_SET) == I8042_OK &&
        keyboard_acked(c, SCANCODE_SET_2) == I8042_OK) {
        c->scancode_set = 2;
        return I8042_OK;
    }
    uint8_t set = 0;
    enum i8042_error error = keyboard_acked(c, KEYBOARD_CMD_SCANCODE_SET);
    if (error == I8042_OK)
        error = keyboard_acked(c, SCANCODE_SET_QUERY);
    if (error == I8042_OK && !output_wait(c, &set))
        error = I8042_ERR_TIMEOUT;
    if (error != I8042_OK)
        return error;
    if (set != 1 && set != 2)
        return I8042_ERR_SCANCODE_SET;
    c->scancode_set = set;
    return I8042_OK;
}

enum i8042_error i8042_controller_init(struct i8042_controller *c)
{
    DUET_ASSERT(c != NULL);
    if (!flush(c))
        return I8042_ERR_NO_CONTROLLER;
    if (!command_write(c, CMD_KEYBOARD_DISABLE) || !command_write(c, CMD_MOUSE_DISABLE))
        return I8042_ERR_TIMEOUT;
    if (!flush(c))
        return I8042_ERR_NO_CONTROLLER;
    uint8_t config = 0;
    enum i8042_error error = command_answer(c, CMD_READ_CONFIG, &config);
    if (error == I8042_OK)
        error = controller_test(c);
    if (error != I8042_OK)
        return error;
    config |= I8042_CONFIG_KEYBOARD_IRQ | I8042_CONFIG_MOUSE_OFF;
    config &= (uint8_t)~(I8042_CONFIG_MOUSE_IRQ | I8042_CONFIG_KEYBOARD_OFF);
    if (!command_write(c, CMD_WRITE_CONFIG) || !data_write(c, config) ||
        !command_write(c, CMD_KEYBOARD_ENABLE))
        return I8042_ERR_TIMEOUT;
    c->config = config;
    c->translation = (config & I8042_CONFIG_TRANSLATION) != 0;
    c->scancode_set = 1;
    if (!c->translation && (error = scancode_set_choose(c)) != I8042_OK)
        return error;
    error = keyboard_acked(c, KEYBOARD_CMD_SET_LEDS);
    if (error == I8042_OK)
        error = keyboard_acked(c, 0);
    DUET_ASSERT(error != I8042_OK || c->scancode_set == 1 || c->scancode_set == 2);
    return error;
}

bool i8042_controller_read(struct i8042_controller *c, uint8_t *out_byte, bool *out_aux)
{
    uint8_t status = status_read(c);
    if ((status & I8042_STATUS_OUTPUT_FULL) == 0)
        return false;
    *out_aux = (status & I8042_STATUS_AUX_DATA) != 0;
    *out_byte = io_port_in8(&c->data, I8042_CONTROLLER_DATA_PORT);
    return true;
}

bool i8042_controller_keyboard_write(struct i8042_controller *c, uint8_t byte)
{
    return data_write(c, byte);
}
