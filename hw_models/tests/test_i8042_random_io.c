/*
 * test_i8042_random_io.c - random port traffic, key presses and mouse
 * input at the keyboard controller, against its invariants.
 *
 * The test is the machine: its hw_bus_host keeps IRQ 1 and IRQ 12. From a
 * seed, a small PRNG (splitmix64) picks each step: a write to port 0x64
 * (mostly real commands, sometimes any byte), a write to port 0x60 (mostly
 * plausible: keyboard commands and their arguments, mouse commands after
 * D4, mode bytes after 60), a read of either port, a wide access, a key
 * press or release (named or raw bytes), mouse input (small, large, wheel,
 * buttons), a scripted burst (a driver's init sequence, the IntelliMouse
 * knock, a typing burst), or a rare machine reset, which the machine also
 * does when the model asks for one. After every step it checks, from
 * outside:
 *   - i8042_check() (the model's numbered invariants and the devices');
 *   - the lines the machine was told == the model's levels, each call a
 *     0 or 1 on line 1 or 12;
 *   - status reads: A2 and UNLOCKED set, IBF, timeout and parity never;
 *     == i8042_status_peek;
 *   - a shadow of the mode byte, the pending data command, the A20 gate
 *     and the reset request, kept here from QEMU's rules, == the model's;
 *   - a data read with OBF clear returns the previous byte again; with
 *     OBF set, the head byte of the source the buffer was loaded from;
 * and finally that the seeds together reached the interesting paths and
 * that one seed run twice gives the same event hash. Prints
 * "test_i8042_random_io: ok". Run it under ASan/UBSan too.
 * Usage: test_i8042_random_io [first_seed [seed_count [steps]]].
 */
#include "duet/i8042.h"

#include <string.h>

#include "fake_host.h"
#include "test_rng.h"

static const char test_name[] = "test_i8042_random_io";

enum {
    SEED_COUNT = 12,
    STEPS_PER_SEED = 60000,
    KBD_LINE = I8042_KBD_IRQ_LINE,
    MOUSE_LINE = I8042_MOUSE_IRQ_LINE,
};

struct machine {
    struct hw_bus_host host;
    struct i8042 kbc;
    struct hw_port_device data, command;
    int level[2];                    /* [0] IRQ 1, [1] IRQ 12, as told */
    uint64_t event_hash;
    /* Shadows kept from QEMU's rules. */
    uint8_t mode;
    uint8_t write_cmd;
    bool a20;
    bool reset_requested;
    uint8_t last_read;
};

struct run {
    struct machine machine;
    uint64_t rng_state;
    uint64_t seed;
    uint64_t step;
};

static struct run run_storage;
static struct run *current_run;

/* What all seeds together exercised; main insists on each. */
struct coverage {
    uint64_t kbd_dropped, mouse_dropped, replies_discarded;
    uint64_t kbd_ignored, mouse_ignored;
    uint64_t reset_requests, a20_changes, unknown_commands;
    uint64_t deferred_seen, ctrl_aux_reads, alternations, stale_reads;
    uint64_t imps2_seen, imex_seen, set1_seen, set3_seen, translate_seen;
    uint64_t kbd_rises, mouse_rises;
};

static struct coverage coverage;

static void fail(const char *what)
{
    const struct run *run = current_run;
    fprintf(stderr, "%s: FAIL seed %llu step %llu: %s\n", test_name,
            (unsigned long long)run->seed, (unsigned long long)run->step, what);
    fprintf(stderr, "reproduce: %s %llu 1\n", test_name,
            (unsigned long long)run->seed);
    exit(1);
}

#define RUN_CHECK(condition) \
    do { if (!(condition)) fail(#condition); } while (0)

static void hash_mix(struct machine *m, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        m->event_hash ^= (value >> (8 * i)) & 0xFF;
        m->event_hash *= 0x100000001B3ull;
    }
}

static uint64_t rng_next(struct run *run)
{
    return test_rng_next(&run->rng_state);
}

static unsigned rng_below(struct run *run, unsigned bound)
{
    return test_rng_below(&run->rng_state, bound);
}

/* ---- the machine ---------------------------------------------------- */

static void machine_irq_set(void *owner, unsigned line, int level)
{
    struct machine *m = owner;
    RUN_CHECK(line == KBD_LINE || line == MOUSE_LINE);
    RUN_CHECK(level == 0 || level == 1);
    unsigned index = line == KBD_LINE ? 0 : 1;
    if (level && !m->level[index]) {
        if (index == 0) coverage.kbd_rises++; else coverage.mouse_rises++;
    }
    m->level[index] = level;
    hash_mix(m, line * 2 + (unsigned)level);
}

static uint64_t machine_now_ns(void *owner) { return 0; }

static void machine_shadow_reset(struct machine *m)
{
    m->mode = I8042_MODE_RESET;      /* write_cmd survives, as in QEMU */
    m->a20 = true;
    m->reset_requested = false;
}

static void machine_init(struct machine *m)
{
    memset(m, 0, sizeof *m);
    m->host = (struct hw_bus_host){ .owner = m, .irq_set = machine_irq_set,
                                    .now_ns = machine_now_ns };
    m->level[0] = m->level[1] = -1;
    m->event_hash = 0xCBF29CE484222325ull;
    i8042_init(&m->kbc, &m->host, KBD_LINE, MOUSE_LINE);
    m->data = i8042_data_port_device(&m->kbc);
    m->command = i8042_command_port_device(&m->kbc);
    machine_shadow_reset(m);
}

static void machine_reset(struct machine *m)
{
    i8042_reset(&m->kbc);
    machine_shadow_reset(m);
}

/* ---- port accesses with their shadow rules --------------------------- */

static void shadow_command(struct machine *m, uint8_t command)
{
    if ((command & 0xF0) == 0xF0) {
        if (!(command & 1)) m->reset_requested = true;
        return;
    }
    switch (command) {
    case 0x60: case 0xD1: case 0xD2: case 0xD3: case 0xD4:
        m->write_cmd = command;
        break;
    case 0xA7: m->mode |= I8042_MODE_DISABLE_MOUSE; break;
    case 0xA8: m->mode &= (uint8_t)~I8042_MODE_DISABLE_MOUSE; break;
    case 0xAD: m->mode |= I8042_MODE_DISABLE_KBD; break;
    case 0xAE: m->mode &= (uint8_t)~I8042_MODE_DISABLE_KBD; break;
    case 0xDD: m->a20 = false; break;
    case 0xDF: m->a20 = true; break;
    default: break;
    }
}

static void shadow_data(struct machine *m, uint8_t value)
{
    switch (m->write_cmd) {
    case 0: m->mode &= (uint8_t)~I8042_MODE_DISABLE_KBD; break;
    case 0x60: m->mode = value; break;
    case 0xD1:
        m->a20 = (value & 2) != 0;
        if (!(value & 1)) m->reset_requested = true;
        break;
    case 0xD4: m->mode &= (uint8_t)~I8042_MODE_DISABLE_MOUSE; break;
    default: break;
    }
    m->write_cmd = 0;
}

static void command_out(struct machine *m, uint8_t command)
{
    hash_mix(m, 0x6400 | command);
    m->command.write(m->command.model, 0, 1, command);
    shadow_command(m, command);
}

static void data_out(struct machine *m, uint8_t value)
{
    hash_mix(m, 0x6000 | value);
    m->data.write(m->data.model, 0, 1, value);
    shadow_data(m, value);
}

static uint8_t status_in(struct machine *m)
{
    uint8_t status = (uint8_t)m->command.read(m->command.model, 0, 1);
    RUN_CHECK((status & 0x18) == 0x18);
    RUN_CHECK((status & 0xC2) == 0);
    RUN_CHECK(status == i8042_status_peek(&m->kbc));
    return status;
}

/* The byte the buffer holds, from the model's state (QEMU kbd_read_data). */
static uint8_t expected_buffer_byte(const struct i8042 *kbc)
{
    const struct ps2_port *port = 0;
    if (kbc->source == I8042_SOURCE_KBD) port = &kbc->keyboard.port;
    if (kbc->source == I8042_SOURCE_MOUSE) port = &kbc->mouse.port;
    if (port == 0) return kbc->controller_byte;
    return port->queue.data[port->queue.read_index];
}

/* After a read that found OBF set with `source`, QEMU reloads the buffer
 * while the source's line is briefly low: a controller reply first, then
 * the other device, then the same device again. Returns the source
 * expected now (0: the buffer stays empty). */
static uint8_t expected_next_source(const struct i8042 *kbc, uint8_t source)
{
    uint8_t visible = i8042_visible_pending(kbc);
    uint8_t same = source == I8042_SOURCE_MOUSE ? I8042_PENDING_AUX : I8042_PENDING_KBD;
    uint8_t other = source == I8042_SOURCE_MOUSE ? I8042_PENDING_KBD : I8042_PENDING_AUX;
    if (visible & (I8042_PENDING_CTRL_KBD | I8042_PENDING_CTRL_AUX)) {
        return I8042_SOURCE_CTRL;
    }
    if (source == I8042_SOURCE_CTRL) {
        same = I8042_PENDING_AUX;
        other = I8042_PENDING_KBD;
    }
    if (visible & other) {
        return other == I8042_PENDING_KBD ? I8042_SOURCE_KBD : I8042_SOURCE_MOUSE;
    }
    if (visible & same) {
        return same == I8042_PENDING_KBD ? I8042_SOURCE_KBD : I8042_SOURCE_MOUSE;
    }
    return 0;
}

static uint8_t data_in(struct machine *m)
{
    const struct i8042 *kbc = &m->kbc;
    uint8_t status = status_in(m);
    uint8_t source = kbc->source;
    uint8_t expected = m->last_read;
    if (status & I8042_STATUS_OBF) {
        expected = expected_buffer_byte(kbc);
        if (source == I8042_SOURCE_CTRL && (status & I8042_STATUS_AUX_OBF)) {
            coverage.ctrl_aux_reads++;
        }
    } else {
        coverage.stale_reads++;
    }
    uint8_t value = (uint8_t)m->data.read(m->data.model, 0, 1);
    RUN_CHECK(value == expected);
    if (status & I8042_STATUS_OBF) {
        uint8_t next = expected_next_source(kbc, source);
        RUN_CHECK(((kbc->status & I8042_STATUS_OBF) != 0) == (next != 0));
        RUN_CHECK(next == 0 || kbc->source == next);
    }
    if ((status & I8042_STATUS_OBF) && source == I8042_SOURCE_MOUSE &&
        kbc->source == I8042_SOURCE_KBD && (kbc->status & I8042_STATUS_OBF) &&
        kbc->mouse.port.queue.count > 0) {
        coverage.alternations++;     /* the keyboard's turn, mouse waits */
    }
    m->last_read = value;
    hash_mix(m, 0x10000 | value);
    return value;
}

/* ---- random steps ---------------------------------------------------- */

static const uint8_t plausible_commands[] = {
    0x20, 0x60, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAD, 0xAE, 0xC0, 0xD0, 0xD1,
    0xD2, 0xD3, 0xD4, 0xD4, 0xD4, 0xDD, 0xDF, 0xFF, 0xA1,
};

static const uint8_t keyboard_bytes[] = {
    0xFF, 0xF2, 0xEE, 0xF4, 0xF5, 0xF6, 0xF0, 0xED, 0xF3, 0xFC, 0xFA,
    0x00, 0x05, 0x01, 0x02, 0x03,
};

static const uint8_t mouse_bytes[] = {
    0xFF, 0xF6, 0xF4, 0xF4, 0xF5, 0xF2, 0xF3, 0xE8, 0xE9, 0xEA, 0xEB, 0xF0,
    0xEE, 0xEC, 0xE6, 0xE7, 200, 100, 80, 0x42,
};

static void step_command(struct run *run)
{
    struct machine *m = &run->machine;
    uint8_t command;
    unsigned pick = rng_below(run, 100);
    if (pick < 85) {
        command = plausible_commands[rng_below(run, sizeof plausible_commands)];
    } else if (pick < 88) {
        command = (uint8_t)(0xF0 | rng_below(run, 16));   /* pulses */
    } else {
        command = (uint8_t)rng_next(run);
    }
    command_out(m, command);
}

static void step_data(struct run *run)
{
    struct machine *m = &run->machine;
    uint8_t value = (uint8_t)rng_next(run);
    unsigned pick = rng_below(run, 100);
    if (m->write_cmd == 0x60 && pick < 80) {
        value = (uint8_t)(rng_next(run) & 0x7F);           /* a mode byte */
    } else if (m->write_cmd == 0xD1 && pick < 90) {
        value |= 1;                  /* mostly no reset */
    } else if (m->write_cmd == 0xD4 && pick < 85) {
        value = mouse_bytes[rng_below(run, sizeof mouse_bytes)];
    } else if (m->write_cmd == 0 && pick < 85) {
        value = keyboard_bytes[rng_below(run, sizeof keyboard_bytes)];
    }
    data_out(m, value);
}

static void step_wide(struct run *run)
{
    struct machine *m = &run->machine;
    static const unsigned widths[2] = { 2, 4 };
    unsigned width = widths[rng_below(run, 2)];
    struct hw_port_device *dev = rng_below(run, 2) ? &m->data : &m->command;
    if (rng_below(run, 2)) {
        uint32_t value = dev->read(dev->model, 0, width);
        RUN_CHECK((value >> 8) == (width == 2 ? 0xFFu : 0xFFFFFFu));
        if (dev == &m->data) m->last_read = (uint8_t)value;
        hash_mix(m, 0x20000 | value);
    } else {
        uint32_t value = (uint32_t)rng_next(run);
        if (dev == &m->data) {
            dev->write(dev->model, 0, width, value);   /* the low byte counts */
            shadow_data(m, (uint8_t)value);
        } else {
            uint8_t command = plausible_commands[rng_below(run,
                                                 sizeof plausible_commands)];
            dev->write(dev->model, 0, width, (value & 0xFFFFFF00u) | command);
            shadow_command(m, command);
        }
    }
}

static void step_key(struct run *run)
{
    struct machine *m = &run->machine;
    if (rng_below(run, 5) == 0) {
        uint8_t bytes[4];
        unsigned count = rng_below(run, 5);
        for (unsigned i = 0; i < count; i++) {
            static const uint8_t prefixes[] = { 0xE0, 0xF0, 0xE1 };
            bytes[i] = rng_below(run, 3) ? (uint8_t)rng_next(run)
                                         : prefixes[rng_below(run, 3)];
        }
        i8042_keyboard_scancodes(&m->kbc, bytes, count);
        hash_mix(m, 0x30000 | count);
        return;
    }
    enum ps2_key key = (enum ps2_key)rng_below(run, PS2_KEY_COUNT);
    bool down = rng_below(run, 2) != 0;
    i8042_key(&m->kbc, key, down);
    hash_mix(m, 0x40000 | ((unsigned)key << 1) | down);
}

static void step_mouse(struct run *run)
{
    struct machine *m = &run->machine;
    struct ps2_mouse_input input = { .buttons = (uint8_t)rng_next(run) };
    unsigned pick = rng_below(run, 10);
    int64_t span = pick < 7 ? 8 : pick < 9 ? 600 : INT32_MAX;
    input.dx = (int32_t)((int64_t)(rng_next(run) % (uint64_t)(span * 2 + 1)) - span);
    input.dy = (int32_t)((int64_t)(rng_next(run) % (uint64_t)(span * 2 + 1)) - span);
    if (rng_below(run, 4) == 0) input.dz = (int32_t)rng_below(run, 21) - 10;
    if (rng_below(run, 8) == 0) input.dw = (int32_t)rng_below(run, 81) - 40;
    i8042_mouse_input(&m->kbc, &input);
    hash_mix(m, 0x50000 ^ (uint32_t)input.dx ^ ((uint64_t)(uint32_t)input.dy << 32));
}

/* Scripted bursts: what real drivers do, so deep states are reached. */
static void step_script(struct run *run)
{
    struct machine *m = &run->machine;
    switch (rng_below(run, 4)) {
    case 0: {                        /* a driver's init */
        command_out(m, 0xAD);
        command_out(m, 0xA7);
        command_out(m, 0xAA);
        data_in(m);
        command_out(m, 0x60);
        data_out(m, rng_below(run, 2) ? 0x47 : 0x07);
        command_out(m, 0xAE);
        data_out(m, 0xFF);
        data_out(m, 0xF0);
        data_out(m, (uint8_t)(1 + rng_below(run, 3)));
        data_out(m, 0xF4);
        break;
    }
    case 1: {                        /* the IntelliMouse knocks */
        static const uint8_t rates[2][3] = { { 200, 100, 80 }, { 200, 200, 80 } };
        unsigned kind = rng_below(run, 2);
        for (unsigned i = 0; i < 3; i++) {
            command_out(m, 0xD4);
            data_out(m, 0xF3);
            command_out(m, 0xD4);
            data_out(m, rates[kind][i]);
        }
        command_out(m, 0xD4);
        data_out(m, 0xF4);
        break;
    }
    case 2:                          /* typing faster than the guest reads */
        for (unsigned i = 0; i < 12; i++) {
            i8042_key(&m->kbc, (enum ps2_key)rng_below(run, PS2_KEY_COUNT),
                      rng_below(run, 2) != 0);
        }
        break;
    default:                         /* drain */
        for (unsigned i = 0; i < 24; i++) data_in(m);
        break;
    }
}

static void run_step(struct run *run)
{
    struct machine *m = &run->machine;
    unsigned pick = rng_below(run, 1000);
    if (pick < 170) step_command(run);
    else if (pick < 360) step_data(run);
    else if (pick < 560) data_in(m);
    else if (pick < 620) status_in(m);
    else if (pick < 650) step_wide(run);
    else if (pick < 800) step_key(run);
    else if (pick < 930) step_mouse(run);
    else if (pick < 998) step_script(run);
    else machine_reset(m);
    if (m->kbc.irq_deferred) coverage.deferred_seen++;
    if (m->kbc.keyboard.scancode_set == 1) coverage.set1_seen++;
    if (m->kbc.keyboard.scancode_set == 3) coverage.set3_seen++;
    if (m->kbc.keyboard.translate) coverage.translate_seen++;
    if (m->kbc.mouse.type == PS2_MOUSE_TYPE_IMPS2) coverage.imps2_seen++;
    if (m->kbc.mouse.type == PS2_MOUSE_TYPE_IMEX) coverage.imex_seen++;
    if (i8042_reset_requested(&m->kbc)) {
        RUN_CHECK(m->reset_requested);
        machine_reset(m);            /* the machine obeys at once */
    }
}

static void check_after_step(const struct run *run)
{
    const struct machine *m = &run->machine;
    const struct i8042 *kbc = &m->kbc;
    const char *broken = i8042_check(kbc);
    if (broken) fail(broken);
    RUN_CHECK(m->level[0] == kbc->kbd_irq_level);
    RUN_CHECK(m->level[1] == kbc->mouse_irq_level);
    RUN_CHECK(m->mode == kbc->mode);
    RUN_CHECK(m->write_cmd == kbc->write_cmd);
    RUN_CHECK(m->a20 == i8042_a20_level(kbc));
    RUN_CHECK(!i8042_reset_requested(kbc) && !m->reset_requested);
    RUN_CHECK(kbc->keyboard.port.queue.count <= PS2_QUEUE_BYTES + PS2_REPLY_BYTES_MAX);
    RUN_CHECK(kbc->mouse.port.queue.count <= PS2_QUEUE_BYTES);
}

static void coverage_add(const struct i8042 *kbc)
{
    coverage.kbd_dropped += kbc->keyboard.port.stats.dropped_full;
    coverage.mouse_dropped += kbc->mouse.port.stats.dropped_full;
    coverage.replies_discarded += kbc->keyboard.port.stats.discarded;
    coverage.kbd_ignored += kbc->keyboard.port.stats.ignored_events;
    coverage.mouse_ignored += kbc->mouse.port.stats.ignored_events;
    coverage.reset_requests += kbc->stats.reset_requests;
    coverage.a20_changes += kbc->stats.a20_changes;
    coverage.unknown_commands += kbc->stats.unknown_commands;
}

static uint64_t run_seed(uint64_t seed, uint64_t steps)
{
    struct run *run = &run_storage;
    memset(run, 0, sizeof *run);
    current_run = run;
    run->seed = seed;
    run->rng_state = seed * 0x2545F4914F6CDD1Dull + 1;
    machine_init(&run->machine);
    check_after_step(run);
    for (run->step = 0; run->step < steps; run->step++) {
        run_step(run);
        check_after_step(run);
    }
    coverage_add(&run->machine.kbc);
    return run->machine.event_hash;
}

static void require(uint64_t count, const char *what)
{
    if (count == 0) {
        fprintf(stderr, "%s: FAIL coverage: no %s\n", test_name, what);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    uint64_t first_seed = argc > 1 ? strtoull(argv[1], 0, 0) : 1;
    uint64_t seed_count = argc > 2 ? strtoull(argv[2], 0, 0) : SEED_COUNT;
    uint64_t steps = argc > 3 ? strtoull(argv[3], 0, 0) : STEPS_PER_SEED;
    for (uint64_t seed = first_seed; seed < first_seed + seed_count; seed++) {
        run_seed(seed, steps);
    }
    if (argc > 1) {                  /* a reproduction: no coverage demands */
        printf("%s: ok\n", test_name);
        return 0;
    }
    uint64_t hash_a = run_seed(first_seed, steps / 4);
    uint64_t hash_b = run_seed(first_seed, steps / 4);
    if (hash_a != hash_b) {
        fprintf(stderr, "%s: FAIL seed %llu is not deterministic\n", test_name,
                (unsigned long long)first_seed);
        return 1;
    }
    require(coverage.kbd_dropped, "keyboard queue overflow");
    require(coverage.mouse_dropped, "mouse queue overflow");
    require(coverage.replies_discarded, "discarded keyboard bytes");
    require(coverage.kbd_ignored, "key while scanning is off");
    require(coverage.mouse_ignored, "mouse input while reporting is off");
    require(coverage.reset_requests, "reset request");
    require(coverage.a20_changes, "A20 change");
    require(coverage.unknown_commands, "unknown controller command");
    require(coverage.deferred_seen, "IRQ 1 left as QEMU leaves it (AD)");
    require(coverage.ctrl_aux_reads, "D3 byte read");
    require(coverage.alternations, "keyboard/mouse alternation");
    require(coverage.stale_reads, "read with OBF clear");
    require(coverage.imps2_seen, "IntelliMouse");
    require(coverage.imex_seen, "IntelliMouse Explorer");
    require(coverage.set1_seen, "scan-code set 1");
    require(coverage.set3_seen, "scan-code set 3");
    require(coverage.translate_seen, "translation on");
    require(coverage.kbd_rises, "IRQ 1 rise");
    require(coverage.mouse_rises, "IRQ 12 rise");
    printf("%s: ok\n", test_name);
    return 0;
}
