/*
 * test_i8042.c - the keyboard controller and its PS/2 devices against the
 * behaviour we promise (QEMU 7.2).
 *
 * Each case drives the model through its two port devices (0x60, 0x64) and
 * its owner entries (keys, mouse input, reset) on a small host that keeps
 * both IRQ lines, and checks what a guest sees: power-on state, every
 * controller command's reply and status bits, the mode byte (interrupt
 * enables, interface disables, XLATE), key bytes in sets 1, 2 and 3 with
 * translation on and off, the keyboard's commands and their replies ahead
 * of waiting input, queue overflow, output-buffer priority between
 * controller, keyboard and mouse, D1-D4, the mouse's commands and packets,
 * A20 and reset requests, reset, wide accesses. Prints "test_i8042: ok".
 * Not here: random sequences (test_i8042_random_io.c).
 */
#include "duet/i8042.h"

#include <string.h>

#include "fake_host.h"

static const char test_name[] = "test_i8042";
#define T_CHECK(condition) CHECK(test_name, condition)
#define T_EQ(actual, expected) CHECK_EQ(test_name, actual, expected)

enum { LINES = 16, KBD = I8042_KBD_IRQ_LINE, MOUSE = I8042_MOUSE_IRQ_LINE };

struct fixture {
    struct hw_bus_host host;
    struct i8042 kbc;
    struct hw_port_device data, command;
    int level[LINES];
    uint64_t rises[LINES];
    uint64_t calls[LINES];
};

static struct fixture fixture_storage;

static void host_irq_set(void *owner, unsigned line, int level)
{
    struct fixture *fx = owner;
    T_CHECK(line == KBD || line == MOUSE);
    T_CHECK(level == 0 || level == 1);
    fx->calls[line]++;
    if (level && !fx->level[line]) fx->rises[line]++;
    fx->level[line] = level;
}

static uint64_t host_now_ns(void *owner) { return 0; }

static void check_ok(const struct fixture *fx)
{
    const char *broken = i8042_check(&fx->kbc);
    if (broken) {
        fprintf(stderr, "%s: FAIL invariant: %s\n", test_name, broken);
        exit(1);
    }
}

static struct fixture *setup(void)
{
    struct fixture *fx = &fixture_storage;
    memset(fx, 0, sizeof *fx);
    fx->host = (struct hw_bus_host){ .owner = fx, .irq_set = host_irq_set,
                                     .now_ns = host_now_ns };
    fx->level[KBD] = fx->level[MOUSE] = -1;   /* init must report both */
    i8042_init(&fx->kbc, &fx->host, KBD, MOUSE);
    fx->data = i8042_data_port_device(&fx->kbc);
    fx->command = i8042_command_port_device(&fx->kbc);
    T_EQ(fx->level[KBD], 0);
    T_EQ(fx->level[MOUSE], 0);
    check_ok(fx);
    return fx;
}

static void out_cmd(struct fixture *fx, uint8_t value)
{
    fx->command.write(fx->command.model, 0, 1, value);
    check_ok(fx);
}

static void out_data(struct fixture *fx, uint8_t value)
{
    fx->data.write(fx->data.model, 0, 1, value);
    check_ok(fx);
}

static uint8_t in_status(struct fixture *fx)
{
    return (uint8_t)fx->command.read(fx->command.model, 0, 1);
}

static uint8_t in_data(struct fixture *fx)
{
    uint8_t value = (uint8_t)fx->data.read(fx->data.model, 0, 1);
    check_ok(fx);
    return value;
}

/* Read `count` bytes, each with OBF set and AUX_OBF as `aux` says, then
 * require the buffer empty. */
static void expect_bytes_aux(struct fixture *fx, const uint8_t *bytes,
                             unsigned count, int aux, int line)
{
    for (unsigned i = 0; i < count; i++) {
        uint8_t status = in_status(fx);
        if (!(status & I8042_STATUS_OBF) ||
            (aux >= 0 && ((status & I8042_STATUS_AUX_OBF) != 0) != aux)) {
            fprintf(stderr, "%s: FAIL line %d: byte %u: status 0x%02x\n",
                    test_name, line, i, status);
            exit(1);
        }
        uint8_t got = in_data(fx);
        if (got != bytes[i]) {
            fprintf(stderr, "%s: FAIL line %d: byte %u: got 0x%02x, "
                    "expected 0x%02x\n", test_name, line, i, got, bytes[i]);
            exit(1);
        }
    }
    if (in_status(fx) & I8042_STATUS_OBF) {
        fprintf(stderr, "%s: FAIL line %d: more than %u bytes (next 0x%02x)\n",
                test_name, line, count, in_data(fx));
        exit(1);
    }
}

#define EXPECT(fx, aux, ...)                                                  \
    do {                                                                      \
        static const uint8_t expected_[] = { __VA_ARGS__ };                   \
        expect_bytes_aux((fx), expected_, sizeof expected_, (aux), __LINE__); \
    } while (0)
#define EXPECT_KBD(fx, ...) EXPECT(fx, 0, __VA_ARGS__)
#define EXPECT_AUX(fx, ...) EXPECT(fx, 1, __VA_ARGS__)
#define EXPECT_NONE(fx) T_EQ(in_status(fx) & I8042_STATUS_OBF, 0)

static void write_mode(struct fixture *fx, uint8_t mode)
{
    out_cmd(fx, I8042_CMD_WRITE_MODE);
    out_data(fx, mode);
}

static void mouse_write(struct fixture *fx, uint8_t byte)
{
    out_cmd(fx, I8042_CMD_WRITE_MOUSE);
    out_data(fx, byte);
}

static void key(struct fixture *fx, enum ps2_key k, bool down)
{
    i8042_key(&fx->kbc, k, down);
    check_ok(fx);
}

static void mouse_move(struct fixture *fx, int32_t dx, int32_t dy, uint8_t buttons)
{
    struct ps2_mouse_input input = { .dx = dx, .dy = dy, .buttons = buttons };
    i8042_mouse_input(&fx->kbc, &input);
    check_ok(fx);
}

/* ---- controller ------------------------------------------------------ */

static void test_power_on(void)
{
    struct fixture *fx = setup();
    T_EQ(in_status(fx), 0x18);
    T_EQ(in_data(fx), 0x00);             /* nothing read yet */
    out_cmd(fx, I8042_CMD_READ_MODE);
    T_EQ(in_status(fx), 0x19);
    EXPECT_KBD(fx, 0x03);
    out_cmd(fx, I8042_CMD_READ_OUTPUT_PORT);
    EXPECT_KBD(fx, 0xCF);
    T_CHECK(i8042_a20_level(&fx->kbc));
    T_CHECK(!i8042_reset_requested(&fx->kbc));
    T_EQ(fx->kbc.keyboard.scancode_set, 2);
    T_EQ(fx->kbc.keyboard.translate, 0);
    T_EQ(fx->kbc.mouse.sample_rate, 0);  /* QEMU's device reset: 0, not 100 */
    T_EQ(in_data(fx), 0xCF);             /* OBF clear: the last byte again */
}

static void test_controller_commands(void)
{
    struct fixture *fx = setup();
    out_cmd(fx, I8042_CMD_SELF_TEST);
    T_EQ(in_status(fx), 0x1D);           /* SYS now set */
    EXPECT_KBD(fx, 0x55);
    T_EQ(in_status(fx), 0x1C);
    out_cmd(fx, I8042_CMD_TEST_KBD);
    EXPECT_KBD(fx, 0x00);
    out_cmd(fx, I8042_CMD_TEST_MOUSE);
    EXPECT_KBD(fx, 0x00);                /* as keyboard data, QEMU does so */
    out_cmd(fx, I8042_CMD_READ_INPUT_PORT);
    EXPECT_KBD(fx, 0x80);
    write_mode(fx, 0x47);
    out_cmd(fx, I8042_CMD_READ_MODE);
    EXPECT_KBD(fx, 0x47);
    T_EQ(fx->kbc.keyboard.translate, 1);
    uint64_t unknown = fx->kbc.stats.unknown_commands;
    out_cmd(fx, 0xA1);                   /* version: ignored by QEMU */
    out_cmd(fx, 0x21);                   /* RAM byte 1: ignored */
    EXPECT_NONE(fx);
    T_EQ(fx->kbc.stats.unknown_commands, unknown + 2);
    /* A command does not cancel one awaiting its byte; the newest
     * controller reply replaces an unread one. */
    out_cmd(fx, I8042_CMD_WRITE_KBD_OBUF);
    out_cmd(fx, I8042_CMD_READ_MODE);
    out_data(fx, 0x77);
    EXPECT_KBD(fx, 0x77);
    T_EQ(in_status(fx), 0x1C);
}

static void test_mode_byte_and_irqs(void)
{
    struct fixture *fx = setup();
    out_cmd(fx, I8042_CMD_WRITE_KBD_OBUF);
    out_data(fx, 0x42);
    T_EQ(in_status(fx), 0x19);
    T_EQ(fx->level[KBD], 1);
    T_EQ(fx->level[MOUSE], 0);
    T_EQ(in_data(fx), 0x42);
    T_EQ(fx->level[KBD], 0);
    out_cmd(fx, I8042_CMD_WRITE_MOUSE_OBUF);
    out_data(fx, 0x43);
    T_EQ(in_status(fx), 0x39);
    T_EQ(fx->level[KBD], 0);
    T_EQ(fx->level[MOUSE], 1);
    EXPECT_AUX(fx, 0x43);
    T_EQ(fx->level[MOUSE], 0);

    write_mode(fx, 0x00);                /* no interrupts */
    out_cmd(fx, I8042_CMD_WRITE_KBD_OBUF);
    out_data(fx, 0x44);
    T_EQ(in_status(fx) & I8042_STATUS_OBF, 1);
    T_EQ(fx->level[KBD], 0);
    write_mode(fx, I8042_MODE_KBD_INT);  /* the mode write drives the line */
    T_EQ(fx->level[KBD], 1);
    EXPECT_KBD(fx, 0x44);
    out_cmd(fx, I8042_CMD_WRITE_MOUSE_OBUF);
    out_data(fx, 0x45);
    T_EQ(fx->level[MOUSE], 0);           /* mouse interrupt off */
    write_mode(fx, I8042_MODE_RESET);
    T_EQ(fx->level[MOUSE], 1);
    EXPECT_AUX(fx, 0x45);
    T_EQ(fx->level[KBD] | fx->level[MOUSE], 0);
}

static void test_output_port(void)
{
    struct fixture *fx = setup();
    out_cmd(fx, I8042_CMD_WRITE_OUTPUT_PORT);
    out_data(fx, 0xCD);                  /* A20 off, CPU running */
    T_CHECK(!i8042_a20_level(&fx->kbc));
    T_CHECK(!i8042_reset_requested(&fx->kbc));
    out_cmd(fx, I8042_CMD_READ_OUTPUT_PORT);
    EXPECT_KBD(fx, 0xCD);
    out_cmd(fx, I8042_CMD_ENABLE_A20);
    T_CHECK(i8042_a20_level(&fx->kbc));
    out_cmd(fx, I8042_CMD_READ_OUTPUT_PORT);
    EXPECT_KBD(fx, 0xCF);
    out_cmd(fx, I8042_CMD_DISABLE_A20);
    T_CHECK(!i8042_a20_level(&fx->kbc));
    /* The output port reports OBF as it stands when the command runs. */
    key(fx, PS2_KEY_A, true);
    out_cmd(fx, I8042_CMD_READ_OUTPUT_PORT);
    EXPECT_KBD(fx, 0x1C, 0xDD);
    out_cmd(fx, 0xF1);                   /* pulse nothing: bit 0 is set */
    out_cmd(fx, I8042_CMD_NO_OP);
    T_CHECK(!i8042_reset_requested(&fx->kbc));
    out_cmd(fx, 0xF0);                   /* pulse bit 0: reset */
    T_CHECK(i8042_reset_requested(&fx->kbc));
    i8042_reset(&fx->kbc);
    T_CHECK(!i8042_reset_requested(&fx->kbc));
    T_CHECK(i8042_a20_level(&fx->kbc));
    out_cmd(fx, I8042_CMD_RESET);
    T_CHECK(i8042_reset_requested(&fx->kbc));
    i8042_reset(&fx->kbc);
    out_cmd(fx, I8042_CMD_WRITE_OUTPUT_PORT);
    out_data(fx, 0xCE);                  /* bit 0 clear: reset */
    T_CHECK(i8042_reset_requested(&fx->kbc));
    T_EQ(fx->kbc.stats.reset_requests, 3);
}

/* ---- keyboard bytes -------------------------------------------------- */

static void test_translation_off(void)
{
    struct fixture *fx = setup();
    key(fx, PS2_KEY_A, true);
    T_EQ(fx->level[KBD], 1);
    EXPECT_KBD(fx, 0x1C);
    key(fx, PS2_KEY_A, false);
    EXPECT_KBD(fx, 0xF0, 0x1C);
    key(fx, PS2_KEY_UP, true);
    key(fx, PS2_KEY_UP, false);
    EXPECT_KBD(fx, 0xE0, 0x75, 0xE0, 0xF0, 0x75);
    key(fx, PS2_KEY_RIGHT_CTRL, true);
    EXPECT_KBD(fx, 0xE0, 0x14);
    key(fx, PS2_KEY_PAUSE, true);        /* Ctrl held: the Break form */
    key(fx, PS2_KEY_PAUSE, false);
    EXPECT_KBD(fx, 0xE0, 0x7E, 0xE0, 0xF0, 0x7E);
    key(fx, PS2_KEY_RIGHT_CTRL, false);
    EXPECT_KBD(fx, 0xE0, 0xF0, 0x14);
    key(fx, PS2_KEY_PAUSE, true);
    key(fx, PS2_KEY_PAUSE, false);       /* no break code */
    EXPECT_KBD(fx, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
    static const uint8_t raw[] = { 0xE0, 0xF0, 0x6B };
    i8042_keyboard_scancodes(&fx->kbc, raw, sizeof raw);
    EXPECT_KBD(fx, 0xE0, 0xF0, 0x6B);
}

static void test_translation_on(void)
{
    struct fixture *fx = setup();
    write_mode(fx, 0x43);                /* XLATE, both interrupts */
    key(fx, PS2_KEY_A, true);
    key(fx, PS2_KEY_A, false);
    EXPECT_KBD(fx, 0x1E, 0x9E);
    key(fx, PS2_KEY_UP, true);
    key(fx, PS2_KEY_UP, false);
    EXPECT_KBD(fx, 0xE0, 0x48, 0xE0, 0xC8);
    key(fx, PS2_KEY_F7, true);           /* set 2 0x83, above the low table */
    key(fx, PS2_KEY_F7, false);
    EXPECT_KBD(fx, 0x41, 0xC1);
    key(fx, PS2_KEY_PAUSE, true);
    EXPECT_KBD(fx, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
    static const uint8_t raw[] = { 0xE0, 0xF0, 0x75 };
    i8042_keyboard_scancodes(&fx->kbc, raw, sizeof raw);
    EXPECT_KBD(fx, 0xE0, 0xC8);
    /* Translation applies when a byte is queued, not when it is read. */
    key(fx, PS2_KEY_B, true);
    write_mode(fx, 0x03);
    key(fx, PS2_KEY_B, false);
    EXPECT_KBD(fx, 0x30, 0xF0, 0x32);
    /* Every named key but Pause (an E1 sequence): set 1 is the
     * translation of set 2. */
    for (unsigned k = 0; k < PS2_KEY_PAUSE; k++) {
        struct ps2_key_codes codes = ps2_key_codes((enum ps2_key)k);
        T_EQ(codes.set1 >> 8, codes.set2 >> 8);
        T_EQ(codes.set1 & 0xFF, ps2_translate((uint8_t)codes.set2));
    }
}

static void test_scancode_sets(void)
{
    struct fixture *fx = setup();
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x00);
    EXPECT_KBD(fx, 0xFA, 0x02);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    out_data(fx, 0x01);                  /* replaces the unread FA */
    EXPECT_KBD(fx, 0xFA);
    key(fx, PS2_KEY_A, true);
    key(fx, PS2_KEY_A, false);
    key(fx, PS2_KEY_DOWN, true);
    key(fx, PS2_KEY_DOWN, false);
    EXPECT_KBD(fx, 0x1E, 0x9E, 0xE0, 0x50, 0xE0, 0xD0);
    key(fx, PS2_KEY_PAUSE, true);
    EXPECT_KBD(fx, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x00);
    EXPECT_KBD(fx, 0xFA, 0x01);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x03);
    EXPECT_KBD(fx, 0xFA);
    key(fx, PS2_KEY_LEFT_CTRL, true);
    key(fx, PS2_KEY_LEFT_CTRL, false);
    key(fx, PS2_KEY_PAUSE, true);        /* set 3: an ordinary key */
    key(fx, PS2_KEY_PAUSE, false);
    EXPECT_KBD(fx, 0x11, 0xF0, 0x11, 0x62, 0xF0, 0x62);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x04);
    EXPECT_KBD(fx, 0xFE);
    T_EQ(fx->kbc.keyboard.scancode_set, 3);
    write_mode(fx, 0x43);                /* XLATE: the set is translated */
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x00);
    EXPECT_KBD(fx, 0xFA, 0x3F);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    out_data(fx, 0x02);
    out_data(fx, PS2_KBD_CMD_SCANCODE);
    out_data(fx, 0x00);
    EXPECT_KBD(fx, 0xFA, 0x41);
}

/* ---- keyboard commands ----------------------------------------------- */

static void test_keyboard_commands(void)
{
    struct fixture *fx = setup();
    out_data(fx, PS2_KBD_CMD_RESET);
    EXPECT_KBD(fx, 0xFA, 0xAA);
    out_data(fx, PS2_KBD_CMD_GET_ID);
    EXPECT_KBD(fx, 0xFA, 0xAB, 0x83);
    write_mode(fx, 0x43);
    out_data(fx, PS2_KBD_CMD_GET_ID);
    EXPECT_KBD(fx, 0xFA, 0xAB, 0x41);
    write_mode(fx, 0x03);
    out_data(fx, PS2_KBD_CMD_ECHO);
    EXPECT_KBD(fx, 0xEE);
    out_data(fx, PS2_KBD_CMD_SET_LEDS);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x07);
    EXPECT_KBD(fx, 0xFA);
    T_EQ(fx->kbc.keyboard.ledstate, 7);
    out_data(fx, PS2_KBD_CMD_SET_RATE);
    out_data(fx, 0x20);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, PS2_KBD_CMD_SET_MAKE_BREAK);
    out_data(fx, 0x1C);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x00);
    EXPECT_KBD(fx, 0xFA);
    out_data(fx, 0x05);
    EXPECT_KBD(fx, 0xFE);
    out_data(fx, 0xE5);                  /* unknown */
    EXPECT_KBD(fx, 0xFE);
    out_data(fx, PS2_KBD_CMD_SET_TYPEMATIC);
    EXPECT_KBD(fx, 0xFA);

    out_data(fx, PS2_KBD_CMD_RESET_DISABLE);
    EXPECT_KBD(fx, 0xFA);
    T_EQ(fx->kbc.keyboard.ledstate, 0);
    key(fx, PS2_KEY_A, true);            /* scanning off: ignored */
    EXPECT_NONE(fx);
    out_data(fx, PS2_KBD_CMD_ENABLE);
    EXPECT_KBD(fx, 0xFA);
    key(fx, PS2_KEY_A, true);
    EXPECT_KBD(fx, 0x1C);
    out_data(fx, PS2_KBD_CMD_RESET_DISABLE);
    out_data(fx, PS2_KBD_CMD_RESET_ENABLE);
    EXPECT_KBD(fx, 0xFA);
    key(fx, PS2_KEY_A, false);
    EXPECT_KBD(fx, 0xF0, 0x1C);
}

static void test_replies_ahead_of_input(void)
{
    struct fixture *fx = setup();
    key(fx, PS2_KEY_A, true);
    key(fx, PS2_KEY_B, true);
    out_data(fx, PS2_KBD_CMD_ECHO);
    EXPECT_KBD(fx, 0xEE, 0x1C, 0x32);
    key(fx, PS2_KEY_A, true);
    out_data(fx, PS2_KBD_CMD_GET_ID);
    T_EQ(in_data(fx), 0xFA);
    out_data(fx, PS2_KBD_CMD_ECHO);      /* drops the unread AB 83 */
    EXPECT_KBD(fx, 0xEE, 0x1C);
    key(fx, PS2_KEY_C, true);
    out_data(fx, PS2_KBD_CMD_RESET);     /* the reset loses waiting input */
    EXPECT_KBD(fx, 0xFA, 0xAA);
}

static void test_keyboard_overflow(void)
{
    struct fixture *fx = setup();
    for (unsigned i = 0; i < 20; i++) {
        key(fx, PS2_KEY_Q, true);        /* one byte each: 0x15 */
    }
    T_EQ(fx->kbc.keyboard.port.queue.count, PS2_QUEUE_BYTES);
    T_EQ(fx->kbc.keyboard.port.stats.dropped_full, 4);
    out_data(fx, PS2_KBD_CMD_GET_ID);    /* replies fit in front anyway */
    T_EQ(fx->kbc.keyboard.port.queue.count, PS2_QUEUE_BYTES + 3);
    key(fx, PS2_KEY_UP, true);           /* E0 and 75 dropped one by one */
    T_EQ(fx->kbc.keyboard.port.stats.dropped_full, 6);
    uint8_t expected[PS2_QUEUE_BYTES + 3] = { 0xFA, 0xAB, 0x83 };
    for (unsigned i = 3; i < sizeof expected; i++) expected[i] = 0x15;
    expect_bytes_aux(fx, expected, sizeof expected, 0, __LINE__);
    /* A sequence cut by a full queue loses its tail only. */
    for (unsigned i = 0; i < PS2_QUEUE_BYTES - 1; i++) key(fx, PS2_KEY_Q, true);
    key(fx, PS2_KEY_UP, false);          /* E0 fits, F0 75 do not */
    T_EQ(fx->kbc.keyboard.port.queue.count, PS2_QUEUE_BYTES);
    for (unsigned i = 0; i < PS2_QUEUE_BYTES - 1; i++) T_EQ(in_data(fx), 0x15);
    EXPECT_KBD(fx, 0xE0);
}

/* ---- output buffer priority ------------------------------------------ */

static void mouse_enable(struct fixture *fx)
{
    mouse_write(fx, PS2_MOUSE_CMD_ENABLE);
    EXPECT_AUX(fx, 0xFA);
}

static void test_priority(void)
{
    struct fixture *fx = setup();
    mouse_enable(fx);
    mouse_move(fx, 1, -2, 0);            /* 08 01 02 */
    key(fx, PS2_KEY_A, true);
    key(fx, PS2_KEY_B, true);
    /* The mouse was first; then the sources take turns. */
    uint8_t status = in_status(fx);
    T_EQ(status & 0x21, 0x21);
    T_EQ(fx->level[MOUSE], 1);
    T_EQ(in_data(fx), 0x08);
    T_EQ(in_status(fx) & 0x21, 0x01);
    T_EQ(fx->level[KBD], 1);
    T_EQ(fx->level[MOUSE], 0);
    T_EQ(in_data(fx), 0x1C);
    T_EQ(in_status(fx) & 0x21, 0x21);
    T_EQ(in_data(fx), 0x01);
    T_EQ(in_data(fx), 0x32);
    EXPECT_AUX(fx, 0x02);

    /* A controller reply waits behind the byte in the buffer, then goes
     * before the rest of the keyboard's bytes. */
    key(fx, PS2_KEY_A, true);
    key(fx, PS2_KEY_B, true);
    out_cmd(fx, I8042_CMD_WRITE_KBD_OBUF);
    out_data(fx, 0x99);
    EXPECT_KBD(fx, 0x1C, 0x99, 0x32);
    /* With both waiting and the buffer empty, the keyboard goes first. */
    out_cmd(fx, I8042_CMD_KBD_DISABLE);
    out_cmd(fx, I8042_CMD_MOUSE_DISABLE);
    key(fx, PS2_KEY_C, true);
    mouse_move(fx, 0, 0, PS2_MOUSE_BUTTON_LEFT);
    EXPECT_NONE(fx);
    write_mode(fx, I8042_MODE_RESET);    /* both interfaces on at once */
    EXPECT(fx, -1, 0x21, 0x09, 0x00, 0x00);
    /* A D3 byte reads as mouse data and raises IRQ 12. */
    out_cmd(fx, I8042_CMD_WRITE_MOUSE_OBUF);
    out_data(fx, 0x5A);
    T_EQ(fx->level[MOUSE], 1);
    EXPECT_AUX(fx, 0x5A);
}

static void test_interface_disable(void)
{
    struct fixture *fx = setup();
    out_cmd(fx, I8042_CMD_KBD_DISABLE);
    key(fx, PS2_KEY_A, true);
    EXPECT_NONE(fx);
    T_EQ(fx->level[KBD], 0);
    out_cmd(fx, I8042_CMD_KBD_ENABLE);
    T_EQ(fx->level[KBD], 1);
    EXPECT_KBD(fx, 0x1C);
    /* AD with a keyboard byte in the buffer: QEMU leaves IRQ 1 high. */
    key(fx, PS2_KEY_A, true);
    T_EQ(fx->level[KBD], 1);
    out_cmd(fx, I8042_CMD_KBD_DISABLE);
    T_EQ(fx->level[KBD], 1);
    T_CHECK(fx->kbc.irq_deferred);
    T_EQ(in_data(fx), 0x1C);             /* the byte is still readable */
    T_EQ(fx->level[KBD], 0);
    /* A byte to the keyboard turns its interface back on. */
    out_data(fx, PS2_KBD_CMD_ECHO);
    T_EQ(fx->kbc.mode & I8042_MODE_DISABLE_KBD, 0);
    T_EQ(fx->level[KBD], 1);
    EXPECT_KBD(fx, 0xEE);
    /* The mouse: A7 hides its data, A8 and D4 show it again. */
    mouse_enable(fx);
    out_cmd(fx, I8042_CMD_MOUSE_DISABLE);
    mouse_move(fx, 3, 0, 0);
    EXPECT_NONE(fx);
    out_cmd(fx, I8042_CMD_MOUSE_ENABLE);
    EXPECT_AUX(fx, 0x08, 0x03, 0x00);
    out_cmd(fx, I8042_CMD_MOUSE_DISABLE);
    mouse_write(fx, PS2_MOUSE_CMD_GET_TYPE);
    EXPECT_AUX(fx, 0xFA, 0x00);
}

/* ---- mouse ----------------------------------------------------------- */

static void test_mouse_commands(void)
{
    struct fixture *fx = setup();
    mouse_write(fx, PS2_MOUSE_CMD_RESET);
    EXPECT_AUX(fx, 0xFA, 0xAA, 0x00);
    mouse_write(fx, PS2_MOUSE_CMD_GET_TYPE);
    EXPECT_AUX(fx, 0xFA, 0x00);
    mouse_write(fx, PS2_MOUSE_CMD_GET_STATUS);
    EXPECT_AUX(fx, 0xFA, 0x00, 0x02, 0x64);
    mouse_move(fx, 5, 5, 0);             /* reporting off: ignored */
    EXPECT_NONE(fx);
    mouse_write(fx, PS2_MOUSE_CMD_SET_SAMPLE);
    mouse_write(fx, 40);
    mouse_write(fx, PS2_MOUSE_CMD_SET_RES);
    mouse_write(fx, 3);
    mouse_write(fx, PS2_MOUSE_CMD_SET_SCALE21);
    mouse_write(fx, PS2_MOUSE_CMD_ENABLE);
    EXPECT_AUX(fx, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA);
    mouse_write(fx, PS2_MOUSE_CMD_GET_STATUS);
    EXPECT_AUX(fx, 0xFA, 0x30, 0x03, 40);
    mouse_write(fx, PS2_MOUSE_CMD_SET_DEFAULT);
    mouse_write(fx, PS2_MOUSE_CMD_GET_STATUS);
    EXPECT_AUX(fx, 0xFA, 0xFA, 0x00, 0x02, 0x64);
    mouse_write(fx, 0x42);               /* unknown: no answer at all */
    EXPECT_NONE(fx);
    mouse_write(fx, PS2_MOUSE_CMD_SET_WRAP);
    mouse_write(fx, 0x42);               /* echoed */
    mouse_write(fx, PS2_MOUSE_CMD_ENABLE);
    mouse_write(fx, PS2_MOUSE_CMD_RESET_WRAP);
    EXPECT_AUX(fx, 0xFA, 0x42, 0xF4, 0xFA);
    T_EQ(fx->kbc.mouse.status & PS2_MOUSE_STATUS_ENABLED, 0);
    /* Remote mode: input accumulates, EB polls one packet. */
    mouse_write(fx, PS2_MOUSE_CMD_ENABLE);
    mouse_write(fx, PS2_MOUSE_CMD_SET_REMOTE);
    EXPECT_AUX(fx, 0xFA, 0xFA);
    mouse_move(fx, 2, 0, 0);
    mouse_move(fx, 3, 0, PS2_MOUSE_BUTTON_RIGHT);
    EXPECT_NONE(fx);
    mouse_write(fx, PS2_MOUSE_CMD_POLL);
    EXPECT_AUX(fx, 0xFA, 0x0A, 0x05, 0x00);
}

static void test_mouse_packets(void)
{
    struct fixture *fx = setup();
    mouse_enable(fx);
    mouse_move(fx, 5, 3, PS2_MOUSE_BUTTON_LEFT);  /* dy down 3 = -3 */
    T_EQ(fx->level[MOUSE], 1);
    EXPECT_AUX(fx, 0x29, 0x05, 0xFD);
    mouse_move(fx, -1, -1, PS2_MOUSE_BUTTON_MIDDLE);
    EXPECT_AUX(fx, 0x1C, 0xFF, 0x01);
    mouse_move(fx, 300, 0, 0);           /* split into +-127 packets */
    EXPECT_AUX(fx, 0x08, 127, 0x00, 0x08, 127, 0x00, 0x08, 46, 0x00);
    /* A full queue holds 5 packets; the rest of the motion waits. */
    for (unsigned i = 0; i < 6; i++) mouse_move(fx, 1, 0, 0);
    T_EQ(fx->kbc.mouse.port.queue.count, 15);
    T_EQ(fx->kbc.mouse.dx, 1);
    for (unsigned i = 0; i < 15; i++) in_data(fx);
    mouse_move(fx, 1, 0, 0);
    EXPECT_AUX(fx, 0x08, 0x02, 0x00);
    /* The IntelliMouse knock: 200, 100, 80 -> type 3, 4-byte packets. */
    static const uint8_t knock[] = { 200, 100, 80 };
    for (unsigned i = 0; i < 3; i++) {
        mouse_write(fx, PS2_MOUSE_CMD_SET_SAMPLE);
        mouse_write(fx, knock[i]);
        EXPECT_AUX(fx, 0xFA, 0xFA);
    }
    mouse_write(fx, PS2_MOUSE_CMD_GET_TYPE);
    EXPECT_AUX(fx, 0xFA, 0x03);
    struct ps2_mouse_input wheel = { .dz = -2 };
    i8042_mouse_input(&fx->kbc, &wheel);
    EXPECT_AUX(fx, 0x08, 0x00, 0x00, 0xFE);
    mouse_write(fx, PS2_MOUSE_CMD_RESET);
    EXPECT_AUX(fx, 0xFA, 0xAA, 0x00);
}

/* ---- reset and wide access ------------------------------------------- */

static void test_reset(void)
{
    struct fixture *fx = setup();
    write_mode(fx, 0x47);
    mouse_enable(fx);
    out_cmd(fx, I8042_CMD_SELF_TEST);
    key(fx, PS2_KEY_A, true);
    mouse_move(fx, 1, 1, 0);
    out_cmd(fx, I8042_CMD_WRITE_MOUSE_OBUF);  /* awaits its byte across reset */
    T_EQ(fx->level[KBD] | fx->level[MOUSE], 1);
    i8042_reset(&fx->kbc);
    check_ok(fx);
    T_EQ(in_status(fx), 0x18);
    T_EQ(fx->level[KBD] | fx->level[MOUSE], 0);
    T_EQ(fx->kbc.mode, I8042_MODE_RESET);
    T_EQ(fx->kbc.keyboard.translate, 0);
    T_EQ(fx->kbc.keyboard.port.queue.count + fx->kbc.mouse.port.queue.count, 0);
    T_EQ(fx->kbc.mouse.status, 0);
    out_data(fx, 0x66);
    EXPECT_AUX(fx, 0x66);
}

static void test_wide_access(void)
{
    struct fixture *fx = setup();
    T_EQ(fx->command.read(fx->command.model, 0, 4), 0xFFFFFF18);
    fx->command.write(fx->command.model, 0, 2, 0xAAD2);  /* D2; AA outside */
    fx->data.write(fx->data.model, 0, 4, 0x12345678);
    T_EQ(fx->data.read(fx->data.model, 0, 2), 0xFF78);
    EXPECT_NONE(fx);
    check_ok(fx);
}

int main(void)
{
    test_power_on();
    test_controller_commands();
    test_mode_byte_and_irqs();
    test_output_port();
    test_translation_off();
    test_translation_on();
    test_scancode_sets();
    test_keyboard_commands();
    test_replies_ahead_of_input();
    test_keyboard_overflow();
    test_priority();
    test_interface_disable();
    test_mouse_commands();
    test_mouse_packets();
    test_reset();
    test_wide_access();
    printf("%s: ok\n", test_name);
    return 0;
}
