/*
 * i8042_check.c - the keyboard controller's and its PS/2 devices'
 * invariants as checkers.
 *
 * i8042_check() returns NULL when every invariant numbered at the top of
 * i8042.c holds (and, through ps2_keyboard_check / ps2_mouse_check, those
 * numbered in ps2.c), else a fixed string naming the first broken one. The
 * model runs it at the end of every entry (and asserts); tests and fuzz
 * oracles run it between steps. It only reads the structs; it never calls
 * the host.
 */
#include "duet/i8042.h"

enum {
    STATUS_KNOWN = I8042_STATUS_OBF | I8042_STATUS_SYS | I8042_STATUS_A2 |
                   I8042_STATUS_UNLOCKED | I8042_STATUS_AUX_OBF,
    PENDING_KNOWN = I8042_PENDING_CTRL_KBD | I8042_PENDING_CTRL_AUX |
                    I8042_PENDING_KBD | I8042_PENDING_AUX,
    RING_MASK = PS2_BUFFER_BYTES - 1,
};

/* ---- the PS/2 devices (invariants in ps2.c) -------------------------- */

static const char *check_port(const struct ps2_port *port, bool replies_allowed)
{
    const struct ps2_queue *queue = &port->queue;
    if (queue->read_index > RING_MASK || queue->write_index > RING_MASK) {
        return "ps2 1: ring index outside the ring";
    }
    if (queue->write_index != ((queue->read_index + queue->count) & RING_MASK)) {
        return "ps2 1: write_index != read_index + count";
    }
    unsigned replies = 0;
    if (queue->reply_end >= 0) {
        if (!replies_allowed) return "ps2 2: mouse has replies at the front";
        if (queue->reply_end > RING_MASK) return "ps2 2: reply_end outside the ring";
        replies = ((unsigned)queue->reply_end - queue->read_index) & RING_MASK;
        if (replies == 0 || replies > PS2_REPLY_BYTES_MAX) {
            return "ps2 2: 1..3 replies expected in front of reply_end";
        }
        if (replies > queue->count) return "ps2 2: more replies than bytes";
    }
    if (queue->count - replies > PS2_QUEUE_BYTES) {
        return "ps2 2: input fills more than 16 bytes";
    }
    if (port->line_level != (queue->count > 0)) {
        return "ps2 3: line level is not 'bytes waiting'";
    }
    const struct ps2_stats *stats = &port->stats;
    if (stats->queued != stats->read + stats->discarded + queue->count) {
        return "ps2 4: queued != read + discarded + waiting";
    }
    return 0;
}

const char *ps2_keyboard_check(const struct ps2_keyboard *kbd)
{
    const char *broken = check_port(&kbd->port, true);
    if (broken) return broken;
    if (kbd->scancode_set < 1 || kbd->scancode_set > 3) {
        return "ps2 5: keyboard scan-code set not 1..3";
    }
    switch (kbd->port.write_cmd) {
    case PS2_NO_COMMAND: case PS2_KBD_CMD_SCANCODE: case PS2_KBD_CMD_SET_LEDS:
    case PS2_KBD_CMD_SET_RATE: case PS2_KBD_CMD_SET_MAKE_BREAK:
        return 0;
    default:
        return "ps2 5: keyboard awaits an argument for no such command";
    }
}

const char *ps2_mouse_check(const struct ps2_mouse *mouse)
{
    const char *broken = check_port(&mouse->port, false);
    if (broken) return broken;
    int16_t command = mouse->port.write_cmd;
    if (command != PS2_NO_COMMAND && command != PS2_MOUSE_CMD_SET_RES &&
        command != PS2_MOUSE_CMD_SET_SAMPLE) {
        return "ps2 5: mouse awaits an argument for no such command";
    }
    if (mouse->type != PS2_MOUSE_TYPE_PS2 && mouse->type != PS2_MOUSE_TYPE_IMPS2 &&
        mouse->type != PS2_MOUSE_TYPE_IMEX) {
        return "ps2 5: mouse type not 0, 3 or 4";
    }
    if (mouse->detect_state > 3) return "ps2 5: knock state above 3";
    uint8_t status_bits = PS2_MOUSE_STATUS_SCALE21 | PS2_MOUSE_STATUS_ENABLED |
                          PS2_MOUSE_STATUS_REMOTE;
    if (mouse->status & (uint8_t)~status_bits) return "ps2 5: mouse status bit unknown";
    if (mouse->buttons & (uint8_t)~PS2_MOUSE_BUTTONS_MASK) {
        return "ps2 5: mouse button bit unknown";
    }
    const int32_t deltas[4] = { mouse->dx, mouse->dy, mouse->dz, mouse->dw };
    for (unsigned i = 0; i < 4; i++) {
        if (deltas[i] > PS2_MOUSE_DELTA_MAX || deltas[i] < -PS2_MOUSE_DELTA_MAX) {
            return "ps2 5: mouse delta beyond saturation";
        }
    }
    return 0;
}

/* ---- the controller (invariants in i8042.c) -------------------------- */

static const char *check_status_and_pending(const struct i8042 *kbc)
{
    uint8_t status = kbc->status;
    if (status & (uint8_t)~STATUS_KNOWN) return "1: status bit the model never sets";
    if ((status & (I8042_STATUS_A2 | I8042_STATUS_UNLOCKED)) !=
        (I8042_STATUS_A2 | I8042_STATUS_UNLOCKED)) {
        return "1: A2 or UNLOCKED clear";
    }
    if ((status & I8042_STATUS_AUX_OBF) && !(status & I8042_STATUS_OBF)) {
        return "1: AUX_OBF without OBF";
    }
    uint8_t pending = kbc->pending;
    if (pending & (uint8_t)~PENDING_KNOWN) return "2: unknown pending bit";
    if ((pending & I8042_PENDING_CTRL_KBD) && (pending & I8042_PENDING_CTRL_AUX)) {
        return "2: two controller replies pending";
    }
    if (((pending & I8042_PENDING_KBD) != 0) != kbc->keyboard.port.line_level) {
        return "2: keyboard pending bit != keyboard line";
    }
    if (((pending & I8042_PENDING_AUX) != 0) != kbc->mouse.port.line_level) {
        return "2: mouse pending bit != mouse line";
    }
    return 0;
}

static const char *check_buffer(const struct i8042 *kbc)
{
    if (!(kbc->status & I8042_STATUS_OBF)) {
        return i8042_visible_pending(kbc) ? "3: buffer empty with data visible" : 0;
    }
    switch (kbc->source) {
    case I8042_SOURCE_KBD:
        return kbc->keyboard.port.queue.count > 0 ? 0
               : "3: keyboard byte in the buffer, keyboard queue empty";
    case I8042_SOURCE_MOUSE:
        return kbc->mouse.port.queue.count > 0 ? 0
               : "3: mouse byte in the buffer, mouse queue empty";
    case I8042_SOURCE_CTRL:
        return (kbc->pending & (I8042_PENDING_CTRL_KBD | I8042_PENDING_CTRL_AUX))
               ? 0 : "3: controller byte in the buffer, none pending";
    default:
        return "3: buffer full without a source";
    }
}

static const char *check_lines(const struct i8042 *kbc)
{
    uint8_t obf = kbc->status & (I8042_STATUS_OBF | I8042_STATUS_AUX_OBF);
    bool kbd = obf == I8042_STATUS_OBF && (kbc->mode & I8042_MODE_KBD_INT) &&
               !(kbc->mode & I8042_MODE_DISABLE_KBD);
    bool mouse = obf == (I8042_STATUS_OBF | I8042_STATUS_AUX_OBF) &&
                 (kbc->mode & I8042_MODE_MOUSE_INT);
    if (!kbc->irq_deferred && (kbc->kbd_irq_level != kbd ||
                               kbc->mouse_irq_level != mouse)) {
        return "4: IRQ line is not its formula";
    }
    const struct i8042_stats *stats = &kbc->stats;
    if (stats->kbd_line.rises != stats->kbd_line.falls + kbc->kbd_irq_level) {
        return "6: IRQ 1 rises and falls do not add up";
    }
    if (stats->mouse_line.rises != stats->mouse_line.falls + kbc->mouse_irq_level) {
        return "6: IRQ 12 rises and falls do not add up";
    }
    if (kbc->reset_requested && stats->reset_requests == 0) {
        return "6: reset requested but never counted";
    }
    return 0;
}

static const char *check_registers(const struct i8042 *kbc)
{
    switch (kbc->write_cmd) {
    case 0: case I8042_CMD_WRITE_MODE: case I8042_CMD_WRITE_OUTPUT_PORT:
    case I8042_CMD_WRITE_KBD_OBUF: case I8042_CMD_WRITE_MOUSE_OBUF:
    case I8042_CMD_WRITE_MOUSE:
        break;
    default:
        return "5: write_cmd is no data-taking command";
    }
    if (kbc->keyboard.translate != ((kbc->mode & I8042_MODE_XLATE) != 0)) {
        return "5: keyboard translation != mode XLATE";
    }
    if (kbc->a20_level != ((kbc->outport & I8042_OUTPORT_A20) != 0)) {
        return "5: A20 level != output port bit";
    }
    return 0;
}

const char *i8042_check(const struct i8042 *kbc)
{
    const char *broken = check_status_and_pending(kbc);
    if (!broken) broken = check_buffer(kbc);
    if (!broken) broken = check_lines(kbc);
    if (!broken) broken = check_registers(kbc);
    if (!broken) broken = ps2_keyboard_check(&kbc->keyboard);
    if (!broken) broken = ps2_mouse_check(&kbc->mouse);
    return broken;
}
