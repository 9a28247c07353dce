/*
 * i8042.c - the PC keyboard controller as a deterministic model, with its
 * PS/2 keyboard and mouse (ps2.c).
 *
 * Behaviour follows QEMU 7.2's hw/input/pckbd.c for the pc machine: the
 * "extended state" controller (controller replies in their own one-byte
 * slot, not in the keyboard's queue) without the keyboard throttle timer
 * (QEMU's kbd-throttle defaults off). QEMU's function names in brackets;
 * interface in duet/i8042.h. Not here: the 8042's RAM beyond byte 0
 * (commands 0x21-0x3F, 0x61-0x7F are ignored, as in QEMU), the version
 * command A1 (QEMU ignores it), password and keylock, real IBF/A2/timeout
 * timing, the MMIO variant, port routing and the CPU reset and A20 wiring
 * (the owner reads reset_requested and a20_level).
 *
 * The output buffer. Three producers feed it: the keyboard's queue, the
 * mouse's queue, and the controller's own replies (one byte, the last
 * written wins). `pending` says who has data; the mode byte's disable
 * bits hide a device's data (i8042_visible_pending, QEMU kbd_pending).
 * When the buffer is empty and something visible waits, the buffer is
 * loaded [buffer_load, QEMU kbd_update_irq] with the first of: a
 * controller reply meant as keyboard data, one meant as mouse data (D3),
 * the keyboard, the mouse; OBF (and AUX_OBF for mouse data) is set and the
 * lines are driven. Nothing is copied: the byte is taken from its source
 * only when the guest reads port 0x60 [data_read, kbd_read_data], which
 * first empties the buffer (OBF off, lines low) and then takes it; taking
 * a device byte lowers and maybe re-raises the device's line, and the
 * lowering reloads the buffer from whatever else waits. So keyboard and
 * mouse bytes alternate while both have data, and a controller reply
 * waits behind a byte already in the buffer. A read with OBF clear
 * returns the last byte read again.
 *
 *   empty --device line rises / reply queued / interface enabled,
 *            something visible waits--> full(source)   [buffer_try_load]
 *   full(source) --port 0x60 read--> empty, byte taken  [data_read]
 *            --> full(next) at once if something visible waits
 *
 * IRQ 1 is high while the buffer holds keyboard or controller data, the
 * mode byte enables keyboard interrupts and the keyboard interface is on;
 * IRQ 12 while it holds mouse data (or a D3 byte) and mouse interrupts
 * are enabled [lines_drive, kbd_update_irq_lines]. Both are driven at
 * every load, every read that finds OBF set, and every mode byte write,
 * repeats included. Commands AD / AE and keyboard data writes change the
 * disable bit without driving the lines (a shortcut QEMU marks as such), so IRQ 1
 * can disagree with the formula until the next drive (irq_deferred).
 *
 * Commands (port 0x64) [command_write, kbd_write_command]; F0-FF pulse
 * output port bits, of which only bit 0 (reset) means anything:
 *   20 -> mode byte        60 -> next data byte is the mode byte
 *   A7/A8 mouse interface off/on       AD/AE keyboard interface off/on
 *   A9, AB -> 00           AA -> 55 and status SYS
 *   C0 -> 80               D0 -> output port   D1 -> next byte: output port
 *   D2 / D3 -> next byte appears as keyboard / mouse data
 *   D4 -> next byte goes to the mouse
 *   DD / DF A20 off / on   FE (and even F0-FE) reset request   FF no-op
 *   anything else: ignored (counted)
 * A command does not cancel one awaiting its data byte. Data writes (port
 * 0x60) [data_write, kbd_write_data] go where the last 60/D1-D4 said, else
 * to the keyboard; writing to a device turns its interface back on.
 *
 * Invariants (i8042_check in i8042_check.c, after every entry):
 *  1. Status holds only OBF, SYS, A2, UNLOCKED, AUX_OBF; A2 and UNLOCKED
 *     are always set; AUX_OBF implies OBF.
 *  2. pending holds only its four bits, at most one controller bit; the
 *     keyboard bit is the keyboard's line, the mouse bit the mouse's.
 *  3. A full buffer has its byte: source KBD / MOUSE with that device's
 *     queue non-empty, source CTRL with a controller bit pending. An empty
 *     buffer has nothing visible waiting.
 *  4. Unless irq_deferred, each IRQ line is its formula above.
 *  5. write_cmd is 0, 60, D1, D2, D3 or D4; the keyboard translates iff
 *     the mode byte's XLATE bit is set; a20_level is the output port's
 *     A20 bit.
 *  6. Line rises and falls add up to the line levels; a reset request
 *     was counted.
 *  7. The devices' own invariants (ps2.c).
 */
#include "duet/i8042.h"

#include "hw_assert.h"

enum {
    OBF_BITS = I8042_STATUS_OBF | I8042_STATUS_AUX_OBF,
    OUTPORT_OBF_BITS = I8042_OUTPORT_OBF | I8042_OUTPORT_AUX_OBF,
    PENDING_CTRL = I8042_PENDING_CTRL_KBD | I8042_PENDING_CTRL_AUX,
    PENDING_DEVICES = I8042_PENDING_KBD | I8042_PENDING_AUX,
    STATUS_RESET = I8042_STATUS_A2 | I8042_STATUS_UNLOCKED,
    WIDTH_MAX = 4,
};

_Static_assert(I8042_PENDING_KBD == I8042_MODE_DISABLE_KBD &&
               I8042_PENDING_AUX == I8042_MODE_DISABLE_MOUSE,
               "the disable bits mask the pending bits");

/* ---- the lines ------------------------------------------------------ */

static bool kbd_irq_formula(const struct i8042 *kbc)
{
    return (kbc->status & OBF_BITS) == I8042_STATUS_OBF &&
           (kbc->mode & I8042_MODE_KBD_INT) &&
           !(kbc->mode & I8042_MODE_DISABLE_KBD);
}

static bool mouse_irq_formula(const struct i8042 *kbc)
{
    return (kbc->status & OBF_BITS) == OBF_BITS &&
           (kbc->mode & I8042_MODE_MOUSE_INT);
}

static void line_set(struct i8042 *kbc, unsigned line, bool *current,
                     struct i8042_line_stats *stats, bool level)
{
    stats->calls++;
    if (level && !*current) stats->rises++;
    if (!level && *current) stats->falls++;
    *current = level;
    kbc->host->irq_set(kbc->host->owner, line, level ? 1 : 0);
}

/* QEMU kbd_update_irq_lines: both lines, every time. */
static void lines_drive(struct i8042 *kbc)
{
    line_set(kbc, kbc->kbd_irq_line, &kbc->kbd_irq_level,
             &kbc->stats.kbd_line, kbd_irq_formula(kbc));
    line_set(kbc, kbc->mouse_irq_line, &kbc->mouse_irq_level,
             &kbc->stats.mouse_line, mouse_irq_formula(kbc));
    kbc->irq_deferred = false;
    HW_ASSERT(!(kbc->kbd_irq_level && kbc->mouse_irq_level));  /* one source */
}

/* After a mode change QEMU does not follow with a drive. */
static void lines_note_undriven(struct i8042 *kbc)
{
    if (kbc->kbd_irq_level != kbd_irq_formula(kbc) ||
        kbc->mouse_irq_level != mouse_irq_formula(kbc)) {
        kbc->irq_deferred = true;
    }
}

/* ---- the output buffer ---------------------------------------------- */

uint8_t i8042_visible_pending(const struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0);
    return kbc->pending & (uint8_t)~(kbc->mode & PENDING_DEVICES);
}

/* QEMU kbd_deassert_irq. */
static void buffer_empty(struct i8042 *kbc)
{
    kbc->status &= (uint8_t)~OBF_BITS;
    kbc->outport &= (uint8_t)~OUTPORT_OBF_BITS;
    lines_drive(kbc);
}

/* QEMU kbd_update_irq: choose the source by priority, set OBF, drive. */
static void buffer_load(struct i8042 *kbc)
{
    uint8_t visible = i8042_visible_pending(kbc);
    bool aux = false;
    kbc->status &= (uint8_t)~OBF_BITS;
    kbc->outport &= (uint8_t)~OUTPORT_OBF_BITS;
    if (visible & I8042_PENDING_CTRL_KBD) {
        kbc->source = I8042_SOURCE_CTRL;
    } else if (visible & I8042_PENDING_CTRL_AUX) {
        kbc->source = I8042_SOURCE_CTRL;
        aux = true;
    } else if (visible & I8042_PENDING_KBD) {
        kbc->source = I8042_SOURCE_KBD;
    } else if (visible & I8042_PENDING_AUX) {
        kbc->source = I8042_SOURCE_MOUSE;
        aux = true;
    }
    if (visible) {
        kbc->status |= I8042_STATUS_OBF;
        kbc->outport |= I8042_OUTPORT_OBF;
    }
    if (aux) {
        kbc->status |= I8042_STATUS_AUX_OBF;
        kbc->outport |= I8042_OUTPORT_AUX_OBF;
    }
    lines_drive(kbc);
}

/* QEMU kbd_safe_update_irq: load only an empty buffer. */
static void buffer_try_load(struct i8042 *kbc)
{
    if (kbc->status & I8042_STATUS_OBF) {
        return;
    }
    if (i8042_visible_pending(kbc)) {
        buffer_load(kbc);
    }
}

/* The PS/2 devices' lines (QEMU kbd_update_kbd_irq / kbd_update_aux_irq). */
static void device_line(struct i8042 *kbc, uint8_t bit, bool level)
{
    HW_ASSERT_DETAIL(kbc->in_entry, "a PS/2 line moved outside an entry");
    if (level) {
        kbc->pending |= bit;
    } else {
        kbc->pending &= (uint8_t)~bit;
    }
    buffer_try_load(kbc);
}

static void keyboard_line(void *line_ctx, bool level)
{
    device_line(line_ctx, I8042_PENDING_KBD, level);
}

static void mouse_line(void *line_ctx, bool level)
{
    device_line(line_ctx, I8042_PENDING_AUX, level);
}

/* QEMU kbd_queue (extended state): one slot, the newest reply wins. */
static void controller_put(struct i8042 *kbc, uint8_t byte, bool aux)
{
    kbc->controller_byte = byte;
    kbc->pending &= (uint8_t)~PENDING_CTRL;
    kbc->pending |= aux ? I8042_PENDING_CTRL_AUX : I8042_PENDING_CTRL_KBD;
    buffer_try_load(kbc);
}

/* QEMU kbd_dequeue. */
static uint8_t controller_take(struct i8042 *kbc)
{
    kbc->pending &= (uint8_t)~PENDING_CTRL;
    if (i8042_visible_pending(kbc)) {
        buffer_load(kbc);
    }
    return kbc->controller_byte;
}

/* QEMU kbd_read_data. */
static uint8_t data_read(struct i8042 *kbc)
{
    kbc->stats.data_reads++;
    if (!(kbc->status & I8042_STATUS_OBF)) {
        return kbc->output_byte;         /* the last byte again */
    }
    buffer_empty(kbc);
    if (kbc->source & I8042_SOURCE_KBD) {
        kbc->output_byte = ps2_read(&kbc->keyboard.port);
    } else if (kbc->source & I8042_SOURCE_MOUSE) {
        kbc->output_byte = ps2_read(&kbc->mouse.port);
    } else if (kbc->source & I8042_SOURCE_CTRL) {
        kbc->output_byte = controller_take(kbc);
    }
    return kbc->output_byte;
}

/* ---- output port: A20 and reset -------------------------------------- */

static void a20_set(struct i8042 *kbc, bool level)
{
    if (level != kbc->a20_level) {
        kbc->stats.a20_changes++;
    }
    kbc->a20_level = level;
}

static void reset_request(struct i8042 *kbc)
{
    kbc->reset_requested = true;
    kbc->stats.reset_requests++;
}

/* QEMU outport_write: bits as written (OBF bits too, until the next load). */
static void outport_write(struct i8042 *kbc, uint8_t value)
{
    kbc->outport = value;
    a20_set(kbc, (value & I8042_OUTPORT_A20) != 0);
    if (!(value & I8042_OUTPORT_RESET)) {
        reset_request(kbc);
    }
}

/* ---- commands and data writes ---------------------------------------- */

static void interface_enable(struct i8042 *kbc, uint8_t disable_bit)
{
    kbc->mode &= (uint8_t)~disable_bit;
    buffer_try_load(kbc);
    lines_note_undriven(kbc);
}

/* Commands that answer with a byte; false if `command` is none of them. */
static bool command_reply(struct i8042 *kbc, uint8_t command)
{
    switch (command) {
    case I8042_CMD_READ_MODE: controller_put(kbc, kbc->mode, false); return true;
    case I8042_CMD_TEST_MOUSE:
    case I8042_CMD_TEST_KBD:
        controller_put(kbc, I8042_INTERFACE_TEST_OK, false);
        return true;
    case I8042_CMD_SELF_TEST:
        kbc->status |= I8042_STATUS_SYS;
        controller_put(kbc, I8042_SELF_TEST_OK, false);
        return true;
    case I8042_CMD_READ_INPUT_PORT:
        controller_put(kbc, I8042_INPUT_PORT_VALUE, false);
        return true;
    case I8042_CMD_READ_OUTPUT_PORT:
        controller_put(kbc, kbc->outport, false);
        return true;
    default:
        return false;
    }
}

/* QEMU kbd_write_command. */
static void command_write(struct i8042 *kbc, uint8_t command)
{
    kbc->stats.commands++;
    if ((command & I8042_CMD_PULSE_BASE) == I8042_CMD_PULSE_BASE) {
        command = (command & 1) ? I8042_CMD_NO_OP : I8042_CMD_RESET;
    }
    if (command_reply(kbc, command)) {
        return;
    }
    switch (command) {
    case I8042_CMD_WRITE_MODE:
    case I8042_CMD_WRITE_OUTPUT_PORT:
    case I8042_CMD_WRITE_KBD_OBUF:
    case I8042_CMD_WRITE_MOUSE_OBUF:
    case I8042_CMD_WRITE_MOUSE:
        kbc->write_cmd = command;
        return;
    case I8042_CMD_MOUSE_DISABLE:
        kbc->mode |= I8042_MODE_DISABLE_MOUSE;
        return;
    case I8042_CMD_MOUSE_ENABLE:
        interface_enable(kbc, I8042_MODE_DISABLE_MOUSE);
        return;
    case I8042_CMD_KBD_DISABLE:
        kbc->mode |= I8042_MODE_DISABLE_KBD;
        lines_note_undriven(kbc);
        return;
    case I8042_CMD_KBD_ENABLE:
        interface_enable(kbc, I8042_MODE_DISABLE_KBD);
        return;
    case I8042_CMD_ENABLE_A20:
    case I8042_CMD_DISABLE_A20: {
        bool on = command == I8042_CMD_ENABLE_A20;
        a20_set(kbc, on);
        kbc->outport = on ? kbc->outport | I8042_OUTPORT_A20
                          : kbc->outport & (uint8_t)~I8042_OUTPORT_A20;
        return;
    }
    case I8042_CMD_RESET:
        reset_request(kbc);
        return;
    case I8042_CMD_NO_OP:
        return;
    default:
        kbc->stats.unknown_commands++;
        return;
    }
}

/* QEMU kbd_write_data. */
static void data_write(struct i8042 *kbc, uint8_t value)
{
    kbc->stats.data_writes++;
    switch (kbc->write_cmd) {
    case 0:
        ps2_keyboard_write(&kbc->keyboard, value);
        interface_enable(kbc, I8042_MODE_DISABLE_KBD);
        break;
    case I8042_CMD_WRITE_MODE:
        kbc->mode = value;
        ps2_keyboard_set_translation(&kbc->keyboard,
                                     (value & I8042_MODE_XLATE) != 0);
        lines_drive(kbc);
        buffer_try_load(kbc);
        break;
    case I8042_CMD_WRITE_KBD_OBUF:
        controller_put(kbc, value, false);
        break;
    case I8042_CMD_WRITE_MOUSE_OBUF:
        controller_put(kbc, value, true);
        break;
    case I8042_CMD_WRITE_OUTPUT_PORT:
        outport_write(kbc, value);
        break;
    default:                             /* I8042_CMD_WRITE_MOUSE */
        HW_ASSERT(kbc->write_cmd == I8042_CMD_WRITE_MOUSE);
        ps2_mouse_write(&kbc->mouse, value);
        interface_enable(kbc, I8042_MODE_DISABLE_MOUSE);
        break;
    }
    kbc->write_cmd = 0;
}

/* ---- entries --------------------------------------------------------- */

static void entry_begin(struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0 && kbc->host != 0);
    HW_ASSERT_DETAIL(!kbc->in_entry, "re-entered from the host callback");
    kbc->in_entry = true;
}

static void entry_end(struct i8042 *kbc)
{
    const char *broken = i8042_check(kbc);
    HW_ASSERT_DETAIL(broken == 0, broken);
    kbc->in_entry = false;
}

static uint32_t data_port_read(void *model, uint16_t offset, unsigned width)
{
    struct i8042 *kbc = model;
    HW_ASSERT(width == 1 || width == 2 || width == WIDTH_MAX);
    entry_begin(kbc);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = (unsigned)offset + i == 0 ? data_read(kbc) : 0xFF;
        value |= (uint32_t)byte << (8 * i);
    }
    entry_end(kbc);
    return value;
}

static void data_port_write(void *model, uint16_t offset, unsigned width,
                            uint32_t value)
{
    struct i8042 *kbc = model;
    HW_ASSERT(width == 1 || width == 2 || width == WIDTH_MAX);
    entry_begin(kbc);
    if (offset == 0) {                   /* the other bytes fall outside */
        data_write(kbc, (uint8_t)value);
    }
    entry_end(kbc);
}

static uint32_t command_port_read(void *model, uint16_t offset, unsigned width)
{
    struct i8042 *kbc = model;
    HW_ASSERT(width == 1 || width == 2 || width == WIDTH_MAX);
    entry_begin(kbc);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = 0xFF;
        if ((unsigned)offset + i == 0) {
            kbc->stats.status_reads++;
            byte = kbc->status;
        }
        value |= (uint32_t)byte << (8 * i);
    }
    entry_end(kbc);
    return value;
}

static void command_port_write(void *model, uint16_t offset, unsigned width,
                               uint32_t value)
{
    struct i8042 *kbc = model;
    HW_ASSERT(width == 1 || width == 2 || width == WIDTH_MAX);
    entry_begin(kbc);
    if (offset == 0) {
        command_write(kbc, (uint8_t)value);
    }
    entry_end(kbc);
}

struct hw_port_device i8042_data_port_device(struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0 && kbc->host != 0);
    return (struct hw_port_device){
        .name = "i8042-data", .port_base = I8042_DATA_PORT,
        .port_count = I8042_PORT_COUNT, .model = kbc,
        .read = data_port_read, .write = data_port_write,
    };
}

struct hw_port_device i8042_command_port_device(struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0 && kbc->host != 0);
    return (struct hw_port_device){
        .name = "i8042-command", .port_base = I8042_COMMAND_PORT,
        .port_count = I8042_PORT_COUNT, .model = kbc,
        .read = command_port_read, .write = command_port_write,
    };
}

/* ---- owner entries --------------------------------------------------- */

/* QEMU kbd_reset after the PS/2 device resets. The CPU's reset turns A20
 * on (QEMU's x86 CPU reset clears the A20 mask), so the gate follows the
 * output port's power-on value. write_cmd survives, as in QEMU. */
static void reset_all(struct i8042 *kbc)
{
    ps2_keyboard_reset(&kbc->keyboard);
    ps2_mouse_reset(&kbc->mouse);
    kbc->mode = I8042_MODE_RESET;
    kbc->status = STATUS_RESET;
    kbc->outport = I8042_OUTPORT_POWER_ON;
    kbc->pending = 0;
    buffer_empty(kbc);
    a20_set(kbc, true);
    kbc->reset_requested = false;
    HW_ASSERT(!kbc->kbd_irq_level && !kbc->mouse_irq_level);
}

void i8042_init(struct i8042 *kbc, const struct hw_bus_host *host,
                unsigned kbd_irq_line, unsigned mouse_irq_line)
{
    HW_ASSERT(kbc != 0 && host != 0 && host->irq_set != 0);
    HW_ASSERT(kbd_irq_line != mouse_irq_line);
    *kbc = (struct i8042){ .host = host, .kbd_irq_line = kbd_irq_line,
                           .mouse_irq_line = mouse_irq_line,
                           .a20_level = true };
    entry_begin(kbc);
    ps2_keyboard_init(&kbc->keyboard, keyboard_line, kbc);
    ps2_mouse_init(&kbc->mouse, mouse_line, kbc);
    reset_all(kbc);
    entry_end(kbc);
}

void i8042_reset(struct i8042 *kbc)
{
    entry_begin(kbc);
    reset_all(kbc);
    entry_end(kbc);
}

void i8042_key(struct i8042 *kbc, enum ps2_key key, bool down)
{
    HW_ASSERT((unsigned)key < PS2_KEY_COUNT);
    entry_begin(kbc);
    ps2_keyboard_key(&kbc->keyboard, key, down);
    entry_end(kbc);
}

void i8042_keyboard_scancodes(struct i8042 *kbc, const uint8_t *bytes,
                              unsigned count)
{
    HW_ASSERT(bytes != 0 || count == 0);
    entry_begin(kbc);
    ps2_keyboard_scancodes(&kbc->keyboard, bytes, count);
    entry_end(kbc);
}

void i8042_mouse_input(struct i8042 *kbc, const struct ps2_mouse_input *input)
{
    HW_ASSERT(input != 0);
    entry_begin(kbc);
    ps2_mouse_input(&kbc->mouse, input);
    entry_end(kbc);
}

bool i8042_reset_requested(const struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0);
    return kbc->reset_requested;
}

bool i8042_a20_level(const struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0);
    return kbc->a20_level;
}

uint8_t i8042_status_peek(const struct i8042 *kbc)
{
    HW_ASSERT(kbc != 0);
    return kbc->status;
}
