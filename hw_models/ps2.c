/*
 * ps2.c - the PS/2 keyboard and mouse behind the i8042, as deterministic
 * models.
 *
 * Behaviour follows QEMU 7.2's hw/input/ps2.c (QEMU's function names in
 * brackets); interface in duet/ps2.h. Not here: the controller
 * (i8042.c), typematic repeat (QEMU has none either: F3 is acknowledged
 * and ignored), the LED output to a host UI, Print Screen and its
 * modifier-dependent sequences, and the wakeup requests QEMU sends to a
 * suspended machine.
 *
 * The queue [QEMU PS2Queue]. A 256-byte ring of which input (key bytes,
 * mouse packets) and mouse replies may fill 16 bytes: a byte or a group
 * (a mouse packet, a reply like FA AA 00) that does not fit is dropped
 * whole [queue_put; ps2_queue*]. Keyboard command replies are different
 * [reply_put; ps2_cqueue_*]: they go in *front* of the waiting input, so
 * the guest reads the reply to its command first, and a new command first
 * discards replies not yet read [replies_discard; ps2_cqueue_reset]. At
 * most 3 replies are waiting, so the keyboard's queue holds at most 19.
 * The device's line is high while bytes wait: every queued group raises
 * it, and every read lowers it and raises it again if bytes remain
 * [ps2_read], each change told to the controller (repeats included), as
 * QEMU's qemu_set_irq calls are. Reading an empty queue returns the byte
 * before the read position and changes nothing.
 *
 * The keyboard [ps2_keyboard_key; ps2_keyboard_event]: while scanning is
 * on, a key sends its bytes in the current set: set 1 [E0] code, break
 * code | 0x80; set 2 [E0] code, break [E0] F0 code; set 3 code, break F0
 * code. Pause sends a make-only E1 sequence (E0 7E / E0 46 with Ctrl
 * held). Each byte passes through the controller's translation when XLATE
 * is on [keyboard_put; ps2_put_keycode]: 0xF0 is swallowed and sets bit 7
 * of the next translated byte. Commands [ps2_keyboard_write]:
 *
 *   FF reset -> FA AA (queue emptied, set 2, LEDs off, scanning on)
 *   F6/F5 reset and enable/disable scanning -> FA; F4 enable -> FA
 *   F2 identify -> FA AB 83 (FA AB 41 with XLATE on)
 *   EE echo -> EE; FA -> FA; 00 -> FA; 05 -> FE
 *   F0/ED/F3/FC -> FA, then their byte -> FA (F0: 0 reports the set as
 *       FA n, translated with XLATE on; 1..3 select it; else FE)
 *   anything else -> FE
 *
 * The mouse [ps2_mouse_input; ps2_mouse_event, ps2_mouse_sync]: input is
 * ignored unless reporting is on; deltas accumulate, and in stream mode
 * the sync sends 3-byte packets (4 for the IntelliMouse types) of at most
 * +-127 each until nothing is left or the queue is full [mouse_send_packet].
 * Commands [ps2_mouse_write] answer FA (FF: FA AA 00, F2: FA type, E9: FA
 * status resolution rate, EB: FA and a packet); unknown commands get no
 * answer at all; in wrap mode every byte but EC and FF is echoed. The
 * sample-rate knock 200,100,80 makes it an IntelliMouse (type 3),
 * 200,200,80 an IntelliMouse Explorer (type 4).
 *
 * Invariants (ps2_keyboard_check, ps2_mouse_check in i8042_check.c):
 *  1. Ring indices are in the ring; write_index == read_index + count.
 *  2. Input and mouse replies fill at most 16 bytes; keyboard replies at
 *     most 3 more, only at the front (reply_end - read_index <= count);
 *     the mouse never has replies at the front.
 *  3. The line is high exactly while the queue holds bytes.
 *  4. Bytes are conserved: queued == read + discarded + count.
 *  5. Keyboard: scancode set 1..3; write_cmd none or F0/ED/F3/FC.
 *     Mouse: write_cmd none or E8/F3; type 0, 3 or 4; knock state <= 3;
 *     status and buttons only their bits; deltas within +-2^30.
 */
#include "duet/ps2.h"

#include "hw_assert.h"

enum {
    BUFFER_MASK = PS2_BUFFER_BYTES - 1,
    PREFIX_E0 = 0xE0, PREFIX_E1 = 0xE1, PREFIX_BREAK = 0xF0,
    BREAK_BIT_SET1 = 0x80,
    KEY_BYTES_MAX = 8,               /* Pause in set 2 */
    PACKET_BYTES_MAX = 4,
    PACKET_ALWAYS_SET = 0x08,
    PACKET_X_NEGATIVE = 0x10, PACKET_Y_NEGATIVE = 0x20,

    MOD_CTRL_L = 0x01, MOD_SHIFT_L = 0x02, MOD_ALT_L = 0x04,
    MOD_CTRL_R = 0x08, MOD_SHIFT_R = 0x10, MOD_ALT_R = 0x20,

    MOUSE_DEFAULT_SAMPLE_RATE = 100, MOUSE_DEFAULT_RESOLUTION = 2,
};

_Static_assert((PS2_BUFFER_BYTES & BUFFER_MASK) == 0, "ring size a power of 2");
_Static_assert(PS2_QUEUE_BYTES + PS2_REPLY_BYTES_MAX < PS2_BUFFER_BYTES,
               "the ring never wraps onto itself");

/* ---- translation and key codes (facts, not code, from QEMU 7.2) ------ */

/* The i8042's set 2 -> set 1 translation for 0x00..0x7F; above that every
 * byte maps to itself except 0x83 (F7) and 0x84 (SysRq). */
static const uint8_t translate_low[128] = {
    /* 00 */ 0xFF, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58,
             0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
    /* 10 */ 0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A,
             0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
    /* 20 */ 0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C,
             0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
    /* 30 */ 0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E,
             0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
    /* 40 */ 0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60,
             0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
    /* 50 */ 0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E,
             0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
    /* 60 */ 0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B,
             0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
    /* 70 */ 0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45,
             0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2_translate(uint8_t byte)
{
    if (byte < 0x80) {
        return translate_low[byte];
    }
    if (byte == 0x83) {
        return 0x41;
    }
    return byte == 0x84 ? 0x54 : byte;
}

/* Sets 1, 2, 3 per key, from QEMU's keymaps (keycodemapdb). */
static const struct ps2_key_codes key_table[PS2_KEY_COUNT] = {
    [PS2_KEY_A] = { 0x1E, 0x1C, 0x1C }, [PS2_KEY_B] = { 0x30, 0x32, 0x32 },
    [PS2_KEY_C] = { 0x2E, 0x21, 0x21 }, [PS2_KEY_D] = { 0x20, 0x23, 0x23 },
    [PS2_KEY_E] = { 0x12, 0x24, 0x24 }, [PS2_KEY_F] = { 0x21, 0x2B, 0x2B },
    [PS2_KEY_G] = { 0x22, 0x34, 0x34 }, [PS2_KEY_H] = { 0x23, 0x33, 0x33 },
    [PS2_KEY_I] = { 0x17, 0x43, 0x43 }, [PS2_KEY_J] = { 0x24, 0x3B, 0x3B },
    [PS2_KEY_K] = { 0x25, 0x42, 0x42 }, [PS2_KEY_L] = { 0x26, 0x4B, 0x4B },
    [PS2_KEY_M] = { 0x32, 0x3A, 0x3A }, [PS2_KEY_N] = { 0x31, 0x31, 0x31 },
    [PS2_KEY_O] = { 0x18, 0x44, 0x44 }, [PS2_KEY_P] = { 0x19, 0x4D, 0x4D },
    [PS2_KEY_Q] = { 0x10, 0x15, 0x15 }, [PS2_KEY_R] = { 0x13, 0x2D, 0x2D },
    [PS2_KEY_S] = { 0x1F, 0x1B, 0x1B }, [PS2_KEY_T] = { 0x14, 0x2C, 0x2C },
    [PS2_KEY_U] = { 0x16, 0x3C, 0x3C }, [PS2_KEY_V] = { 0x2F, 0x2A, 0x2A },
    [PS2_KEY_W] = { 0x11, 0x1D, 0x1D }, [PS2_KEY_X] = { 0x2D, 0x22, 0x22 },
    [PS2_KEY_Y] = { 0x15, 0x35, 0x35 }, [PS2_KEY_Z] = { 0x2C, 0x1A, 0x1A },
    [PS2_KEY_0] = { 0x0B, 0x45, 0x45 }, [PS2_KEY_1] = { 0x02, 0x16, 0x16 },
    [PS2_KEY_2] = { 0x03, 0x1E, 0x1E }, [PS2_KEY_3] = { 0x04, 0x26, 0x26 },
    [PS2_KEY_4] = { 0x05, 0x25, 0x25 }, [PS2_KEY_5] = { 0x06, 0x2E, 0x2E },
    [PS2_KEY_6] = { 0x07, 0x36, 0x36 }, [PS2_KEY_7] = { 0x08, 0x3D, 0x3D },
    [PS2_KEY_8] = { 0x09, 0x3E, 0x3E }, [PS2_KEY_9] = { 0x0A, 0x46, 0x46 },
    [PS2_KEY_ENTER] = { 0x1C, 0x5A, 0x5A },
    [PS2_KEY_ESCAPE] = { 0x01, 0x76, 0x08 },
    [PS2_KEY_BACKSPACE] = { 0x0E, 0x66, 0x66 },
    [PS2_KEY_TAB] = { 0x0F, 0x0D, 0x0D },
    [PS2_KEY_SPACE] = { 0x39, 0x29, 0x29 },
    [PS2_KEY_CAPS_LOCK] = { 0x3A, 0x58, 0x14 },
    [PS2_KEY_LEFT_SHIFT] = { 0x2A, 0x12, 0x12 },
    [PS2_KEY_RIGHT_SHIFT] = { 0x36, 0x59, 0x59 },
    [PS2_KEY_LEFT_CTRL] = { 0x1D, 0x14, 0x11 },
    [PS2_KEY_RIGHT_CTRL] = { 0xE01D, 0xE014, 0x58 },
    [PS2_KEY_LEFT_ALT] = { 0x38, 0x11, 0x19 },
    [PS2_KEY_RIGHT_ALT] = { 0xE038, 0xE011, 0x39 },
    [PS2_KEY_F1] = { 0x3B, 0x05, 0x07 }, [PS2_KEY_F2] = { 0x3C, 0x06, 0x0F },
    [PS2_KEY_F3] = { 0x3D, 0x04, 0x17 }, [PS2_KEY_F4] = { 0x3E, 0x0C, 0x1F },
    [PS2_KEY_F5] = { 0x3F, 0x03, 0x27 }, [PS2_KEY_F6] = { 0x40, 0x0B, 0x2F },
    [PS2_KEY_F7] = { 0x41, 0x83, 0x37 }, [PS2_KEY_F8] = { 0x42, 0x0A, 0x3F },
    [PS2_KEY_F9] = { 0x43, 0x01, 0x47 }, [PS2_KEY_F10] = { 0x44, 0x09, 0x4F },
    [PS2_KEY_F11] = { 0x57, 0x78, 0x56 }, [PS2_KEY_F12] = { 0x58, 0x07, 0x5E },
    [PS2_KEY_UP] = { 0xE048, 0xE075, 0x63 },
    [PS2_KEY_DOWN] = { 0xE050, 0xE072, 0x60 },
    [PS2_KEY_LEFT] = { 0xE04B, 0xE06B, 0x61 },
    [PS2_KEY_RIGHT] = { 0xE04D, 0xE074, 0x6A },
    [PS2_KEY_HOME] = { 0xE047, 0xE06C, 0x6E },
    [PS2_KEY_END] = { 0xE04F, 0xE069, 0x65 },
    [PS2_KEY_PAGE_UP] = { 0xE049, 0xE07D, 0x6F },
    [PS2_KEY_PAGE_DOWN] = { 0xE051, 0xE07A, 0x6D },
    [PS2_KEY_INSERT] = { 0xE052, 0xE070, 0x67 },
    [PS2_KEY_DELETE] = { 0xE053, 0xE071, 0x64 },
    [PS2_KEY_PAUSE] = { 0xE046, 0xE077, 0x62 },  /* set 3 only; 1, 2 special */
};

struct ps2_key_codes ps2_key_codes(enum ps2_key key)
{
    HW_ASSERT((unsigned)key < PS2_KEY_COUNT);
    HW_ASSERT(key_table[key].set2 != 0);
    return key_table[key];
}

/* ---- the queue and the line ----------------------------------------- */

static void line_drive(struct ps2_port *port, bool level)
{
    port->line_level = level;
    port->line(port->line_ctx, level);
}

/* QEMU ps2_reset_queue: the ring's contents stay (an empty read sees them). */
static void queue_reset(struct ps2_port *port)
{
    struct ps2_queue *queue = &port->queue;
    port->stats.discarded += queue->count;
    queue->read_index = 0;
    queue->write_index = 0;
    queue->reply_end = -1;
    queue->count = 0;
}

static bool queue_has_room(const struct ps2_port *port, unsigned bytes)
{
    return port->queue.count + bytes <= PS2_QUEUE_BYTES;
}

/* QEMU ps2_queue / ps2_queue_2..4: all the bytes or none, then the line. */
static void queue_put(struct ps2_port *port, const uint8_t *bytes, unsigned size)
{
    HW_ASSERT(size >= 1 && size <= PACKET_BYTES_MAX);
    struct ps2_queue *queue = &port->queue;
    if (!queue_has_room(port, size)) {
        port->stats.dropped_full += size;
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        queue->data[queue->write_index] = bytes[i];
        queue->write_index = (queue->write_index + 1) & BUFFER_MASK;
    }
    queue->count += size;
    port->stats.queued += size;
    line_drive(port, true);
    HW_ASSERT(queue->count <= PS2_QUEUE_BYTES + PS2_REPLY_BYTES_MAX);
}

static void queue_put_byte(struct ps2_port *port, uint8_t byte)
{
    queue_put(port, &byte, 1);
}

/* QEMU ps2_cqueue_reset: replies the guest has not read are dropped. */
static void replies_discard(struct ps2_port *port)
{
    struct ps2_queue *queue = &port->queue;
    if (queue->reply_end < 0) {
        return;
    }
    unsigned replies = ((unsigned)queue->reply_end - queue->read_index) & BUFFER_MASK;
    HW_ASSERT(replies <= queue->count);
    queue->count -= replies;
    port->stats.discarded += replies;
    queue->read_index = (uint16_t)queue->reply_end;
    queue->reply_end = -1;
}

/* QEMU ps2_cqueue_1..3: replies go in front of the waiting input. Only
 * called after replies_discard or a queue reset. */
static void reply_put(struct ps2_port *port, const uint8_t *bytes, unsigned size)
{
    struct ps2_queue *queue = &port->queue;
    HW_ASSERT(size >= 1 && size <= PS2_REPLY_BYTES_MAX);
    HW_ASSERT(queue->reply_end < 0);
    queue->read_index = (queue->read_index - size) & BUFFER_MASK;
    for (unsigned i = 0; i < size; i++) {
        queue->data[(queue->read_index + i) & BUFFER_MASK] = bytes[i];
    }
    queue->reply_end = (int16_t)((queue->read_index + size) & BUFFER_MASK);
    queue->count += size;
    port->stats.queued += size;
    line_drive(port, true);
}

static void reply_put_byte(struct ps2_port *port, uint8_t byte)
{
    reply_put(port, &byte, 1);
}

/* QEMU ps2_read_data. */
uint8_t ps2_read(struct ps2_port *port)
{
    HW_ASSERT(port != 0 && port->line != 0);
    struct ps2_queue *queue = &port->queue;
    if (queue->count == 0) {
        return queue->data[(queue->read_index - 1) & BUFFER_MASK];
    }
    uint8_t byte = queue->data[queue->read_index];
    queue->read_index = (queue->read_index + 1) & BUFFER_MASK;
    queue->count--;
    port->stats.read++;
    if (queue->reply_end == queue->read_index) {
        queue->reply_end = -1;           /* the last reply was read */
    }
    line_drive(port, false);
    if (queue->count > 0) {
        line_drive(port, true);
    }
    return byte;
}

/* QEMU ps2_reset (the part both devices share). */
static void port_reset(struct ps2_port *port)
{
    port->write_cmd = PS2_NO_COMMAND;
    queue_reset(port);
    line_drive(port, false);
}

/* ---- keyboard ------------------------------------------------------- */

/* QEMU ps2_put_keycode: one byte of a key event, through translation. */
static void keyboard_put(struct ps2_keyboard *kbd, uint8_t byte)
{
    if (!kbd->translate) {
        queue_put_byte(&kbd->port, byte);
    } else if (byte == PREFIX_BREAK) {
        kbd->need_high_bit = true;
    } else if (kbd->need_high_bit) {
        kbd->need_high_bit = false;
        queue_put_byte(&kbd->port, ps2_translate(byte) | BREAK_BIT_SET1);
    } else {
        queue_put_byte(&kbd->port, ps2_translate(byte));
    }
}

static uint8_t modifier_bit(enum ps2_key key)
{
    switch (key) {
    case PS2_KEY_LEFT_CTRL: return MOD_CTRL_L;
    case PS2_KEY_RIGHT_CTRL: return MOD_CTRL_R;
    case PS2_KEY_LEFT_SHIFT: return MOD_SHIFT_L;
    case PS2_KEY_RIGHT_SHIFT: return MOD_SHIFT_R;
    case PS2_KEY_LEFT_ALT: return MOD_ALT_L;
    case PS2_KEY_RIGHT_ALT: return MOD_ALT_R;
    default: return 0;
    }
}

/* Pause in sets 1 and 2: bytes for the press, none for the release. */
static unsigned pause_bytes(const struct ps2_keyboard *kbd, bool down,
                            uint8_t bytes[KEY_BYTES_MAX])
{
    static const uint8_t set1[] = { 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 };
    static const uint8_t set1_ctrl[] = { 0xE0, 0x46, 0xE0, 0xC6 };
    static const uint8_t set2[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14,
                                    0xF0, 0x77 };
    static const uint8_t set2_ctrl[] = { 0xE0, 0x7E, 0xE0, 0xF0, 0x7E };
    if (!down) {
        return 0;
    }
    bool ctrl = (kbd->modifiers & (MOD_CTRL_L | MOD_CTRL_R)) != 0;
    const uint8_t *source;
    unsigned size;
    if (kbd->scancode_set == 1) {
        source = ctrl ? set1_ctrl : set1;
        size = ctrl ? sizeof set1_ctrl : sizeof set1;
    } else {
        source = ctrl ? set2_ctrl : set2;
        size = ctrl ? sizeof set2_ctrl : sizeof set2;
    }
    HW_ASSERT(size <= KEY_BYTES_MAX);
    for (unsigned i = 0; i < size; i++) {
        bytes[i] = source[i];
    }
    return size;
}

/* The bytes a key event sends in the current set (before translation). */
static unsigned key_bytes(const struct ps2_keyboard *kbd, enum ps2_key key,
                          bool down, uint8_t bytes[KEY_BYTES_MAX])
{
    struct ps2_key_codes codes = key_table[key];
    unsigned size = 0;
    if (key == PS2_KEY_PAUSE && kbd->scancode_set != 3) {
        return pause_bytes(kbd, down, bytes);
    }
    if (kbd->scancode_set == 1) {
        if (codes.set1 >> 8) bytes[size++] = (uint8_t)(codes.set1 >> 8);
        bytes[size++] = (uint8_t)(codes.set1 | (down ? 0 : BREAK_BIT_SET1));
    } else if (kbd->scancode_set == 2) {
        if (codes.set2 >> 8) bytes[size++] = (uint8_t)(codes.set2 >> 8);
        if (!down) bytes[size++] = PREFIX_BREAK;
        bytes[size++] = (uint8_t)codes.set2;
    } else {
        if (!down) bytes[size++] = PREFIX_BREAK;
        bytes[size++] = (uint8_t)codes.set3;
    }
    HW_ASSERT(size >= 1 && size <= 3);
    return size;
}

void ps2_keyboard_key(struct ps2_keyboard *kbd, enum ps2_key key, bool down)
{
    HW_ASSERT(kbd != 0 && (unsigned)key < PS2_KEY_COUNT);
    if (!kbd->scan_enabled) {            /* keeps the stream consistent */
        kbd->port.stats.ignored_events++;
        return;
    }
    uint8_t modifier = modifier_bit(key);
    if (down) {
        kbd->modifiers |= modifier;
    } else {
        kbd->modifiers &= (uint8_t)~modifier;
    }
    uint8_t bytes[KEY_BYTES_MAX];
    unsigned size = key_bytes(kbd, key, down, bytes);
    for (unsigned i = 0; i < size; i++) {
        keyboard_put(kbd, bytes[i]);
    }
}

void ps2_keyboard_scancodes(struct ps2_keyboard *kbd, const uint8_t *bytes,
                            unsigned count)
{
    HW_ASSERT(kbd != 0 && (bytes != 0 || count == 0));
    if (!kbd->scan_enabled) {
        kbd->port.stats.ignored_events++;
        return;
    }
    for (unsigned i = 0; i < count; i++) {
        keyboard_put(kbd, bytes[i]);
    }
}

void ps2_keyboard_set_translation(struct ps2_keyboard *kbd, bool translate)
{
    HW_ASSERT(kbd != 0);
    kbd->translate = translate;
}

/* QEMU ps2_reset_keyboard (FF, F5, F6): input waiting is lost. */
static void keyboard_soft_reset(struct ps2_keyboard *kbd)
{
    kbd->scan_enabled = true;
    kbd->scancode_set = 2;
    queue_reset(&kbd->port);
    kbd->ledstate = 0;
}

/* A command byte (no command awaiting its argument). */
static void keyboard_command(struct ps2_keyboard *kbd, uint8_t byte)
{
    struct ps2_port *port = &kbd->port;
    switch (byte) {
    case 0x00:
    case PS2_KBD_CMD_SET_TYPEMATIC:
        reply_put_byte(port, PS2_KBD_REPLY_ACK);
        return;
    case PS2_KBD_CMD_GET_ID: {
        uint8_t id[3] = { PS2_KBD_REPLY_ACK, PS2_KBD_REPLY_ID,
                          kbd->translate ? PS2_KBD_ID_TRANSLATED
                                         : PS2_KBD_ID_UNTRANSLATED };
        reply_put(port, id, 3);
        return;
    }
    case PS2_KBD_CMD_ECHO:
        reply_put_byte(port, PS2_KBD_CMD_ECHO);
        return;
    case PS2_KBD_CMD_ENABLE:
        kbd->scan_enabled = true;
        reply_put_byte(port, PS2_KBD_REPLY_ACK);
        return;
    case PS2_KBD_CMD_SCANCODE:
    case PS2_KBD_CMD_SET_LEDS:
    case PS2_KBD_CMD_SET_RATE:
    case PS2_KBD_CMD_SET_MAKE_BREAK:
        port->write_cmd = byte;
        reply_put_byte(port, PS2_KBD_REPLY_ACK);
        return;
    case PS2_KBD_CMD_RESET_DISABLE:
    case PS2_KBD_CMD_RESET_ENABLE:
        keyboard_soft_reset(kbd);
        kbd->scan_enabled = byte == PS2_KBD_CMD_RESET_ENABLE;
        reply_put_byte(port, PS2_KBD_REPLY_ACK);
        return;
    case PS2_KBD_CMD_RESET: {
        uint8_t reply[2] = { PS2_KBD_REPLY_ACK, PS2_KBD_REPLY_POR };
        keyboard_soft_reset(kbd);
        reply_put(port, reply, 2);
        return;
    }
    default:                             /* includes 0x05 */
        reply_put_byte(port, PS2_KBD_REPLY_RESEND);
        return;
    }
}

/* The byte after F0 / ED / F3 / FC. */
static void keyboard_argument(struct ps2_keyboard *kbd, uint8_t byte)
{
    struct ps2_port *port = &kbd->port;
    int16_t command = port->write_cmd;
    port->write_cmd = PS2_NO_COMMAND;
    if (command == PS2_KBD_CMD_SCANCODE) {
        if (byte == 0) {
            uint8_t set = kbd->scancode_set;
            uint8_t reply[2] = { PS2_KBD_REPLY_ACK,
                                 kbd->translate ? ps2_translate(set) : set };
            reply_put(port, reply, 2);
            return;
        }
        if (byte <= 3) {
            kbd->scancode_set = byte;
            reply_put_byte(port, PS2_KBD_REPLY_ACK);
        } else {
            reply_put_byte(port, PS2_KBD_REPLY_RESEND);
        }
        return;
    }
    if (command == PS2_KBD_CMD_SET_LEDS) {
        kbd->ledstate = byte;
    }
    reply_put_byte(port, PS2_KBD_REPLY_ACK);  /* ED, F3, FC */
}

void ps2_keyboard_write(struct ps2_keyboard *kbd, uint8_t byte)
{
    HW_ASSERT(kbd != 0);
    replies_discard(&kbd->port);
    if (kbd->port.write_cmd == PS2_NO_COMMAND) {
        keyboard_command(kbd, byte);
    } else {
        keyboard_argument(kbd, byte);
    }
    HW_ASSERT(kbd->port.queue.reply_end >= 0);  /* every byte is answered */
}

void ps2_keyboard_reset(struct ps2_keyboard *kbd)
{
    HW_ASSERT(kbd != 0 && kbd->port.line != 0);
    port_reset(&kbd->port);
    kbd->scan_enabled = true;
    kbd->translate = false;
    kbd->scancode_set = 2;
    kbd->modifiers = 0;
}

void ps2_keyboard_init(struct ps2_keyboard *kbd, ps2_line_fn *line, void *line_ctx)
{
    HW_ASSERT(kbd != 0 && line != 0);
    *kbd = (struct ps2_keyboard){ .port = { .line = line, .line_ctx = line_ctx } };
    ps2_keyboard_reset(kbd);
}

/* ---- mouse ---------------------------------------------------------- */

static int32_t clamp_i32(int64_t value, int32_t limit)
{
    if (value > limit) return limit;
    if (value < -(int64_t)limit) return -limit;
    return (int32_t)value;
}

/* The 4th byte of the IntelliMouse packets; updates the wheel deltas. */
static uint8_t packet_wheel_byte(struct ps2_mouse *mouse)
{
    if (mouse->type == PS2_MOUSE_TYPE_IMPS2) {
        int32_t dz = clamp_i32(mouse->dz, 127);
        mouse->dz -= dz;
        mouse->dw = 0;
        return (uint8_t)dz;
    }
    if (mouse->dw != 0) {                /* Explorer: horizontal wheel */
        int32_t dw = clamp_i32(mouse->dw, 31);
        mouse->dw -= dw;
        return (uint8_t)((dw & 0x3F) | 0x40);
    }
    int32_t dz = clamp_i32(mouse->dz, 7);
    mouse->dz -= dz;
    return (uint8_t)((dz & 0x0F) | ((mouse->buttons & 0x18) << 1));
}

/* QEMU ps2_mouse_send_packet: false (and nothing sent) without room. */
static bool mouse_send_packet(struct ps2_mouse *mouse)
{
    unsigned size = mouse->type != PS2_MOUSE_TYPE_PS2 ? 4 : 3;
    if (!queue_has_room(&mouse->port, size)) {
        return false;
    }
    int32_t dx = clamp_i32(mouse->dx, 127);
    int32_t dy = clamp_i32(mouse->dy, 127);
    uint8_t packet[PACKET_BYTES_MAX];
    packet[0] = (uint8_t)(PACKET_ALWAYS_SET | (dx < 0 ? PACKET_X_NEGATIVE : 0) |
                          (dy < 0 ? PACKET_Y_NEGATIVE : 0) | (mouse->buttons & 0x07));
    packet[1] = (uint8_t)dx;
    packet[2] = (uint8_t)dy;
    if (size == 4) {
        packet[3] = packet_wheel_byte(mouse);
    } else {
        mouse->dz = 0;                   /* no wheel: its motion is lost */
        mouse->dw = 0;
    }
    queue_put(&mouse->port, packet, size);
    mouse->dx -= dx;
    mouse->dy -= dy;
    return true;
}

void ps2_mouse_input(struct ps2_mouse *mouse, const struct ps2_mouse_input *input)
{
    HW_ASSERT(mouse != 0 && input != 0);
    if (!(mouse->status & PS2_MOUSE_STATUS_ENABLED)) {
        mouse->port.stats.ignored_events++;
        return;
    }
    mouse->dx = clamp_i32((int64_t)mouse->dx + input->dx, PS2_MOUSE_DELTA_MAX);
    mouse->dy = clamp_i32((int64_t)mouse->dy - input->dy, PS2_MOUSE_DELTA_MAX);
    mouse->dz = clamp_i32((int64_t)mouse->dz + input->dz, PS2_MOUSE_DELTA_MAX);
    mouse->dw = clamp_i32((int64_t)mouse->dw + input->dw, PS2_MOUSE_DELTA_MAX);
    mouse->buttons = input->buttons & PS2_MOUSE_BUTTONS_MASK;
    if (mouse->status & PS2_MOUSE_STATUS_REMOTE) {
        return;                          /* the guest polls (EB) */
    }
    /* At least one packet, more while deltas remain and there is room. */
    for (unsigned packets = 0; mouse_send_packet(mouse); packets++) {
        HW_ASSERT(packets < PS2_QUEUE_BYTES);
        if (mouse->dx == 0 && mouse->dy == 0 && mouse->dz == 0 && mouse->dw == 0) {
            break;
        }
    }
}

/* The byte after F3: the rate, and the IntelliMouse knock. */
static void mouse_sample_rate(struct ps2_mouse *mouse, uint8_t rate)
{
    mouse->sample_rate = rate;
    switch (mouse->detect_state) {
    case 1:
        mouse->detect_state = rate == 100 ? 2 : rate == 200 ? 3 : 0;
        break;
    case 2:
    case 3:
        if (rate == 80) {
            mouse->type = mouse->detect_state == 2 ? PS2_MOUSE_TYPE_IMPS2
                                                   : PS2_MOUSE_TYPE_IMEX;
        }
        mouse->detect_state = 0;
        break;
    default:
        if (rate == 200) {
            mouse->detect_state = 1;
        }
        break;
    }
}

static void mouse_defaults(struct ps2_mouse *mouse)
{
    mouse->sample_rate = MOUSE_DEFAULT_SAMPLE_RATE;
    mouse->resolution = MOUSE_DEFAULT_RESOLUTION;
    mouse->status = 0;
}

/* A command byte (no command awaiting its argument, wrap mode handled). */
static void mouse_command(struct ps2_mouse *mouse, uint8_t byte)
{
    struct ps2_port *port = &mouse->port;
    switch (byte) {
    case PS2_MOUSE_CMD_SET_SCALE11: mouse->status &= (uint8_t)~PS2_MOUSE_STATUS_SCALE21; break;
    case PS2_MOUSE_CMD_SET_SCALE21: mouse->status |= PS2_MOUSE_STATUS_SCALE21; break;
    case PS2_MOUSE_CMD_SET_STREAM: mouse->status &= (uint8_t)~PS2_MOUSE_STATUS_REMOTE; break;
    case PS2_MOUSE_CMD_SET_REMOTE: mouse->status |= PS2_MOUSE_STATUS_REMOTE; break;
    case PS2_MOUSE_CMD_ENABLE: mouse->status |= PS2_MOUSE_STATUS_ENABLED; break;
    case PS2_MOUSE_CMD_DISABLE: mouse->status &= (uint8_t)~PS2_MOUSE_STATUS_ENABLED; break;
    case PS2_MOUSE_CMD_SET_WRAP: mouse->wrap = true; break;
    case PS2_MOUSE_CMD_SET_DEFAULT: mouse_defaults(mouse); break;
    case PS2_MOUSE_CMD_SET_RES:
    case PS2_MOUSE_CMD_SET_SAMPLE:
        port->write_cmd = byte;
        break;
    case PS2_MOUSE_CMD_GET_TYPE: {
        uint8_t reply[2] = { PS2_MOUSE_ACK, mouse->type };
        queue_put(port, reply, 2);
        return;
    }
    case PS2_MOUSE_CMD_GET_STATUS: {
        uint8_t reply[4] = { PS2_MOUSE_ACK, mouse->status, mouse->resolution,
                             mouse->sample_rate };
        queue_put(port, reply, 4);
        return;
    }
    case PS2_MOUSE_CMD_POLL:
        queue_put_byte(port, PS2_MOUSE_ACK);
        mouse_send_packet(mouse);
        return;
    case PS2_MOUSE_CMD_RESET: {
        uint8_t reply[3] = { PS2_MOUSE_ACK, PS2_KBD_REPLY_POR, 0 };
        mouse_defaults(mouse);
        mouse->type = PS2_MOUSE_TYPE_PS2;
        queue_reset(port);
        queue_put(port, reply, 3);
        return;
    }
    default:                             /* unknown: no answer at all */
        return;
    }
    queue_put_byte(port, PS2_MOUSE_ACK);
}

void ps2_mouse_write(struct ps2_mouse *mouse, uint8_t byte)
{
    HW_ASSERT(mouse != 0);
    struct ps2_port *port = &mouse->port;
    if (port->write_cmd == PS2_MOUSE_CMD_SET_SAMPLE) {
        mouse_sample_rate(mouse, byte);
        port->write_cmd = PS2_NO_COMMAND;
        queue_put_byte(port, PS2_MOUSE_ACK);
        return;
    }
    if (port->write_cmd == PS2_MOUSE_CMD_SET_RES) {
        mouse->resolution = byte;
        port->write_cmd = PS2_NO_COMMAND;
        queue_put_byte(port, PS2_MOUSE_ACK);
        return;
    }
    if (mouse->wrap && byte == PS2_MOUSE_CMD_RESET_WRAP) {
        mouse->wrap = false;
        queue_put_byte(port, PS2_MOUSE_ACK);
        return;
    }
    if (mouse->wrap && byte != PS2_MOUSE_CMD_RESET) {
        queue_put_byte(port, byte);      /* echo */
        return;
    }
    mouse_command(mouse, byte);
}

void ps2_mouse_reset(struct ps2_mouse *mouse)
{
    HW_ASSERT(mouse != 0 && mouse->port.line != 0);
    port_reset(&mouse->port);
    mouse->status = 0;
    mouse->resolution = 0;               /* QEMU: 0, not FF's defaults */
    mouse->sample_rate = 0;
    mouse->wrap = false;
    mouse->type = PS2_MOUSE_TYPE_PS2;
    mouse->detect_state = 0;
    mouse->dx = mouse->dy = mouse->dz = mouse->dw = 0;
    mouse->buttons = 0;
}

void ps2_mouse_init(struct ps2_mouse *mouse, ps2_line_fn *line, void *line_ctx)
{
    HW_ASSERT(mouse != 0 && line != 0);
    *mouse = (struct ps2_mouse){ .port = { .line = line, .line_ctx = line_ctx } };
    ps2_mouse_reset(mouse);
}
