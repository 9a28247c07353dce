/*
 * keyboard_input.c - wires the i8042 model (hw_models/i8042.c) into the
 * sim's port bus and plays the scenario's keyboard inputs
 * (duet/scenario.h) into it.
 *
 * After power-on the controller is left as SeaBIOS leaves QEMU's: config
 * byte 0x61 (or 0x21, translation off, when the scenario says so). This is
 * done through the model's own port interface, before the world starts, so
 * nothing of it is traced and the guest finds the machine as on QEMU.
 *
 * The typist is a device without ports. Its deadline is the time of the
 * next input; when it fires it plays every input that has fallen due, in
 * scenario order, and asks for the next. Inputs are therefore exact in
 * virtual time when the world idles (idling jumps to them) and a little
 * late when a thread is busy (the bus runs due deadlines at the next
 * kernel entry or port access), as a key pressed during a computation is.
 * Nothing here draws a choice: the inputs and their times are the
 * scenario's.
 */
#include "keyboard_input.h"

#include <assert.h>

#include "sim_world.h"

enum { NS_PER_US = 1000 };

static uint64_t input_time_ns(const struct keyboard_input *input, size_t index)
{
    return input->script->inputs[index].time_us * NS_PER_US;
}

static uint64_t typist_next_deadline(const struct keyboard_input *input)
{
    return input->next_input < input->script->input_count
               ? input_time_ns(input, input->next_input)
               : HW_DEADLINE_NONE;
}

static void typist_play(struct keyboard_input *input, const struct scenario_input *one)
{
    if (one->kind == SCENARIO_INPUT_KEY)
        i8042_key(&input->kbc, (enum ps2_key)one->key, one->press != 0);
    else
        i8042_keyboard_scancodes(&input->kbc, one->bytes, one->byte_count);
}

static void typist_deadline(void *model)
{
    struct keyboard_input *input = model;
    uint64_t now = input->host->now_ns(input->host->owner);
    size_t played = 0;
    while (input->next_input < input->script->input_count &&
           input_time_ns(input, input->next_input) <= now) {
        typist_play(input, &input->script->inputs[input->next_input++]);
        played++;
    }
    assert(played > 0 && "the typist fired before its time");
    (void)played; /* NDEBUG builds */
    input->host->deadline_set(input->host->owner, input, typist_next_deadline(input));
}

static uint64_t typist_deadline_pending(const void *model)
{
    return typist_next_deadline(model);
}

/* Never called: the typist decodes no port. */
static uint32_t typist_read(void *model, uint16_t offset, unsigned width)
{
    (void)model, (void)offset, (void)width;
    return UINT32_MAX;
}

static void typist_write(void *model, uint16_t offset, unsigned width, uint32_t value)
{
    (void)model, (void)offset, (void)width, (void)value;
}

void keyboard_input_attach(struct keyboard_input *input, struct port_bus *bus,
                           const struct hw_bus_host *host,
                           const struct scenario_keyboard *script)
{
    assert(input != NULL && bus != NULL && host != NULL && script != NULL);
    /* The bus tells devices apart by their model pointer. */
    assert((void *)input != (void *)&input->kbc);
    *input = (struct keyboard_input){.host = host, .script = script};
    i8042_init(&input->kbc, host, KEYBOARD_IRQ, MOUSE_IRQ);
    struct hw_port_device data = i8042_data_port_device(&input->kbc);
    struct hw_port_device command = i8042_command_port_device(&input->kbc);
    uint8_t mode = KEYBOARD_SEABIOS_MODE;
    if (script->translation_off)
        mode &= (uint8_t)~I8042_MODE_XLATE;
    command.write(command.model, 0, 1, I8042_CMD_WRITE_MODE);
    data.write(data.model, 0, 1, mode);
    assert(input->kbc.mode == mode && input->kbc.keyboard.translate == !script->translation_off);
    port_bus_attach(bus, data, KEYBOARD_IRQ);
    port_bus_attach(bus, command, KEYBOARD_IRQ);
    struct hw_port_device typist = {
        .name = "typist",
        .port_base = 0,
        .port_count = 0,            /* decodes no port (port_bus: never matches) */
        .model = input,
        .read = typist_read,
        .write = typist_write,
        .deadline = typist_deadline,
        .deadline_pending = typist_deadline_pending,
    };
    port_bus_attach(bus, typist, KEYBOARD_IRQ);
}
