/*
 * ps2.h - a PS/2 keyboard and a PS/2 mouse as deterministic device models.
 *
 * The two devices sit behind the i8042 controller (duet/i8042.h), which
 * embeds one of each; they follow QEMU 7.2's hw/input/ps2.c. Each device
 * has a byte queue towards the controller and one output "line" that is
 * high while the queue holds bytes (QEMU's PS/2 IRQ, which only the
 * controller sees). The controller passes bytes the guest writes with
 * ps2_keyboard_write / ps2_mouse_write, takes bytes with ps2_read, and is
 * told of line changes through the ps2_line_fn it gave at init.
 *
 * The owner (the sim) does not call these directly: it presses keys and
 * moves the mouse through the i8042 entries, which check the controller's
 * invariants around each call. docs/HW_MODELS.md describes the behaviour
 * and where it differs from QEMU.
 *
 * All state is in the structs below (no allocation, no globals); read their
 * fields in tests and oracles, write them never.
 */
#ifndef DUET_PS2_H
#define DUET_PS2_H

#include <stdbool.h>
#include <stdint.h>

enum {
    PS2_BUFFER_BYTES = 256,      /* the ring (QEMU PS2_BUFFER_SIZE) */
    PS2_QUEUE_BYTES = 16,        /* what input and mouse replies may fill */
    PS2_REPLY_BYTES_MAX = 3,     /* keyboard command replies ahead of input */
    PS2_NO_COMMAND = -1,         /* write_cmd: the next byte is a command */
};

/* Keyboard commands and replies. */
enum {
    PS2_KBD_CMD_SET_LEDS = 0xED, PS2_KBD_CMD_ECHO = 0xEE,
    PS2_KBD_CMD_SCANCODE = 0xF0, PS2_KBD_CMD_GET_ID = 0xF2,
    PS2_KBD_CMD_SET_RATE = 0xF3, PS2_KBD_CMD_ENABLE = 0xF4,
    PS2_KBD_CMD_RESET_DISABLE = 0xF5, PS2_KBD_CMD_RESET_ENABLE = 0xF6,
    PS2_KBD_CMD_SET_TYPEMATIC = 0xFA, PS2_KBD_CMD_SET_MAKE_BREAK = 0xFC,
    PS2_KBD_CMD_RESET = 0xFF,

    PS2_KBD_REPLY_POR = 0xAA, PS2_KBD_REPLY_ID = 0xAB,
    PS2_KBD_REPLY_ACK = 0xFA, PS2_KBD_REPLY_RESEND = 0xFE,
    PS2_KBD_ID_UNTRANSLATED = 0x83, PS2_KBD_ID_TRANSLATED = 0x41,
};

/* Mouse commands, reply, status bits and buttons. */
enum {
    PS2_MOUSE_CMD_SET_SCALE11 = 0xE6, PS2_MOUSE_CMD_SET_SCALE21 = 0xE7,
    PS2_MOUSE_CMD_SET_RES = 0xE8, PS2_MOUSE_CMD_GET_STATUS = 0xE9,
    PS2_MOUSE_CMD_SET_STREAM = 0xEA, PS2_MOUSE_CMD_POLL = 0xEB,
    PS2_MOUSE_CMD_RESET_WRAP = 0xEC, PS2_MOUSE_CMD_SET_WRAP = 0xEE,
    PS2_MOUSE_CMD_SET_REMOTE = 0xF0, PS2_MOUSE_CMD_GET_TYPE = 0xF2,
    PS2_MOUSE_CMD_SET_SAMPLE = 0xF3, PS2_MOUSE_CMD_ENABLE = 0xF4,
    PS2_MOUSE_CMD_DISABLE = 0xF5, PS2_MOUSE_CMD_SET_DEFAULT = 0xF6,
    PS2_MOUSE_CMD_RESET = 0xFF,
    PS2_MOUSE_ACK = 0xFA,

    PS2_MOUSE_STATUS_SCALE21 = 0x10, PS2_MOUSE_STATUS_ENABLED = 0x20,
    PS2_MOUSE_STATUS_REMOTE = 0x40,

    PS2_MOUSE_BUTTON_LEFT = 0x01, PS2_MOUSE_BUTTON_RIGHT = 0x02,
    PS2_MOUSE_BUTTON_MIDDLE = 0x04, PS2_MOUSE_BUTTON_SIDE = 0x08,
    PS2_MOUSE_BUTTON_EXTRA = 0x10, PS2_MOUSE_BUTTONS_MASK = 0x1F,

    PS2_MOUSE_TYPE_PS2 = 0, PS2_MOUSE_TYPE_IMPS2 = 3, PS2_MOUSE_TYPE_IMEX = 4,
    PS2_MOUSE_DELTA_MAX = 1 << 30,   /* accumulated deltas saturate here */
};

/* Keys the owner can press by name. Each has its QEMU scan codes in sets
 * 1, 2 and 3 (ps2_key_codes); any other key can be sent as raw bytes with
 * i8042_keyboard_scancodes. */
enum ps2_key {
    PS2_KEY_A, PS2_KEY_B, PS2_KEY_C, PS2_KEY_D, PS2_KEY_E, PS2_KEY_F,
    PS2_KEY_G, PS2_KEY_H, PS2_KEY_I, PS2_KEY_J, PS2_KEY_K, PS2_KEY_L,
    PS2_KEY_M, PS2_KEY_N, PS2_KEY_O, PS2_KEY_P, PS2_KEY_Q, PS2_KEY_R,
    PS2_KEY_S, PS2_KEY_T, PS2_KEY_U, PS2_KEY_V, PS2_KEY_W, PS2_KEY_X,
    PS2_KEY_Y, PS2_KEY_Z,
    PS2_KEY_0, PS2_KEY_1, PS2_KEY_2, PS2_KEY_3, PS2_KEY_4, PS2_KEY_5,
    PS2_KEY_6, PS2_KEY_7, PS2_KEY_8, PS2_KEY_9,
    PS2_KEY_ENTER, PS2_KEY_ESCAPE, PS2_KEY_BACKSPACE, PS2_KEY_TAB,
    PS2_KEY_SPACE, PS2_KEY_CAPS_LOCK,
    PS2_KEY_LEFT_SHIFT, PS2_KEY_RIGHT_SHIFT, PS2_KEY_LEFT_CTRL,
    PS2_KEY_RIGHT_CTRL, PS2_KEY_LEFT_ALT, PS2_KEY_RIGHT_ALT,
    PS2_KEY_F1, PS2_KEY_F2, PS2_KEY_F3, PS2_KEY_F4, PS2_KEY_F5, PS2_KEY_F6,
    PS2_KEY_F7, PS2_KEY_F8, PS2_KEY_F9, PS2_KEY_F10, PS2_KEY_F11, PS2_KEY_F12,
    PS2_KEY_UP, PS2_KEY_DOWN, PS2_KEY_LEFT, PS2_KEY_RIGHT,
    PS2_KEY_HOME, PS2_KEY_END, PS2_KEY_PAGE_UP, PS2_KEY_PAGE_DOWN,
    PS2_KEY_INSERT, PS2_KEY_DELETE,
    PS2_KEY_PAUSE,               /* make-only E1 sequence; E0 7E with Ctrl */
    PS2_KEY_COUNT,
};

/* A key's make code in each set: the low byte, with 0xE0 in the high byte
 * for the E0-prefixed keys (sets 1 and 2). */
struct ps2_key_codes { uint16_t set1, set2, set3; };

/* Called with the device's new line level; `level` repeats are possible. */
typedef void ps2_line_fn(void *line_ctx, bool level);

/* QEMU's PS2Queue: `count` bytes from `read_index`; with a command reply
 * pending (keyboard only), the replies sit at the front, in front of
 * `reply_end`, which is -1 otherwise. */
struct ps2_queue {
    uint8_t data[PS2_BUFFER_BYTES];
    uint16_t read_index;
    uint16_t write_index;
    int16_t reply_end;
    uint16_t count;
};

/* Byte accounting, from init. The models keep
 * queued == read + discarded + queue.count. */
struct ps2_stats {
    uint64_t queued;             /* bytes that entered the queue */
    uint64_t read;               /* taken by the controller */
    uint64_t discarded;          /* thrown away by resets and new commands */
    uint64_t dropped_full;       /* not queued: no room (QEMU drops them) */
    uint64_t ignored_events;     /* input events while scanning/reporting off */
};

/* What both devices share (QEMU's PS2State). */
struct ps2_port {
    struct ps2_queue queue;
    int16_t write_cmd;           /* PS2_NO_COMMAND or the command awaiting its byte */
    bool line_level;             /* as last reported through `line` */
    ps2_line_fn *line;
    void *line_ctx;
    struct ps2_stats stats;
};

struct ps2_keyboard {
    struct ps2_port port;
    bool scan_enabled;
    bool translate;              /* the controller's XLATE bit */
    bool need_high_bit;          /* translation saw 0xF0: set bit 7 next */
    uint8_t scancode_set;        /* 1, 2 or 3 */
    uint8_t ledstate;
    uint8_t modifiers;           /* Ctrl/Shift/Alt left/right held */
};

struct ps2_mouse {
    struct ps2_port port;
    uint8_t status;              /* PS2_MOUSE_STATUS_* */
    uint8_t resolution;
    uint8_t sample_rate;
    bool wrap;
    uint8_t type;                /* PS2_MOUSE_TYPE_* */
    uint8_t detect_state;        /* IntelliMouse knock: 0..3 */
    uint8_t buttons;             /* PS2_MOUSE_BUTTON_* held */
    int32_t dx, dy, dz, dw;      /* not yet reported; dy up, dz/dw as sent */
};

/* One batch of mouse input from the owner, then a sync (QEMU's input
 * events followed by qemu_input_event_sync). dx right, dy down (screen
 * coordinates, as QEMU's input layer; the packet carries -dy); dz wheel,
 * positive down; dw horizontal wheel, positive left; buttons the state
 * after the batch. */
struct ps2_mouse_input {
    int32_t dx, dy, dz, dw;
    uint8_t buttons;
};

/* Power-on: everything zero, then the device reset. `line` is told of
 * every line level change (and repeats) from then on. */
void ps2_keyboard_init(struct ps2_keyboard *kbd, ps2_line_fn *line, void *line_ctx);
void ps2_mouse_init(struct ps2_mouse *mouse, ps2_line_fn *line, void *line_ctx);

/* Device reset (QEMU ps2_kbd_reset / ps2_mouse_reset): queue emptied, line
 * low; keyboard scanning, set 2, no translation; mouse all zero. */
void ps2_keyboard_reset(struct ps2_keyboard *kbd);
void ps2_mouse_reset(struct ps2_mouse *mouse);

/* A byte from the controller (the guest's data port write, or D4). */
void ps2_keyboard_write(struct ps2_keyboard *kbd, uint8_t byte);
void ps2_mouse_write(struct ps2_mouse *mouse, uint8_t byte);

/* The controller takes the next byte. With the queue empty it gets the
 * byte before the read position again, and nothing changes. */
uint8_t ps2_read(struct ps2_port *port);

/* The controller's XLATE bit; applies to bytes queued from now on. */
void ps2_keyboard_set_translation(struct ps2_keyboard *kbd, bool translate);

/* A key goes down or up: its bytes in the current set (QEMU
 * ps2_keyboard_event), each translated if XLATE is on. Ignored while
 * scanning is off. */
void ps2_keyboard_key(struct ps2_keyboard *kbd, enum ps2_key key, bool down);

/* Raw bytes in the keyboard's current set, each queued as a key event's
 * bytes are (translated if XLATE is on). Ignored while scanning is off. */
void ps2_keyboard_scancodes(struct ps2_keyboard *kbd, const uint8_t *bytes,
                            unsigned count);

/* Mouse input (ignored unless reporting is enabled); in stream mode the
 * sync sends packets until the deltas are reported or the queue is full. */
void ps2_mouse_input(struct ps2_mouse *mouse, const struct ps2_mouse_input *input);

/* The key's codes (QEMU's keymaps), and the i8042 translation of a byte
 * (set 2 to set 1; the controller's table as QEMU has it). */
struct ps2_key_codes ps2_key_codes(enum ps2_key key);
uint8_t ps2_translate(uint8_t byte);

/* The devices' invariants (numbered in ps2.c). NULL when all hold, else a
 * static string naming the first broken one. In i8042_check.c. */
const char *ps2_keyboard_check(const struct ps2_keyboard *kbd);
const char *ps2_mouse_check(const struct ps2_mouse *mouse);

#endif
