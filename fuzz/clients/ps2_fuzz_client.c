/*
 * ps2_fuzz_client.c - the INPUT client of fuzz target "ps2"
 * (fuzz/target_ps2.c): it takes every key event the PS/2 driver decodes
 * from the fuzzer's scan-code stream and holds them against what the
 * reference decoder expects.
 *
 * ROM "expected" (made by the target on the host, little-endian):
 *   u32 exact        1: no lock key is pressed, so the driver sends the
 *                    keyboard nothing after its init and the events,
 *                    the malformed count and the bytes are known exactly
 *   u32 malformed    malformed sequences the driver must report
 *   u32 bytes        bytes the keyboard sends the driver
 *   u32 end_us       when the stream is surely over (world time)
 *   u32 count        events, then `count` u16: code | PS2_EXPECTED_PRESS
 * It takes events as their signals come (so its queue never fills),
 * checking each against the next expected one, until a timer alarm at
 * end_us; then it drains the queue and checks the driver's status. With
 * lock keys pressed (exact 0) the driver's LED commands interleave the
 * keyboard's ACKs with the stream, so only survival and byte accounting
 * are checked. Every check is an assertion: a broken one ends the world
 * (SIM_FAIL), and so does a driver that stops answering (no success line).
 */
#include "duet/assert.h"
#include "duet/input_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/signal_session.h"
#include "duet/timer_session.h"

enum {
    PS2_EXPECTED_ROM_MAX = 4096,
    PS2_EXPECTED_HEADER_BYTES = 20,
    PS2_EXPECTED_PRESS = 0x8000,
    IMPRINT_TIMER = 1,
    IMPRINT_INPUT = 2,
};

struct ps2_fuzz_client {
    struct env *env;
    struct log_connection log;
    struct signal_connection signals;
    struct timer_connection timer;
    struct input_connection input;
    cap_index_t timer_context, input_context;
    uint8_t rom[PS2_EXPECTED_ROM_MAX];
    size_t rom_length;
    uint32_t exact, malformed, bytes, end_us, count;
    uint64_t taken;                      /* events taken so far */
};

static uint32_t rom_u32(const struct ps2_fuzz_client *c, size_t at)
{
    DUET_ASSERT(at + 4 <= c->rom_length);
    return (uint32_t)c->rom[at] | (uint32_t)c->rom[at + 1] << 8 |
           (uint32_t)c->rom[at + 2] << 16 | (uint32_t)c->rom[at + 3] << 24;
}

static uint16_t expected_event(const struct ps2_fuzz_client *c, uint64_t index)
{
    size_t at = PS2_EXPECTED_HEADER_BYTES + 2 * index;
    DUET_ASSERT(at + 2 <= c->rom_length);
    return (uint16_t)(c->rom[at] | c->rom[at + 1] << 8);
}

static void expected_load(struct ps2_fuzz_client *c)
{
    struct rom_connection rom;
    DUET_ASSERT(rom_connection_open(c->env, "expected", &rom) == RPC_OK);
    DUET_ASSERT(rom_read_all(c->env, rom.cap, c->rom, sizeof c->rom, &c->rom_length) == RPC_OK);
    DUET_ASSERT(rom_connection_close(c->env, &rom) == RPC_OK);
    c->exact = rom_u32(c, 0);
    c->malformed = rom_u32(c, 4);
    c->bytes = rom_u32(c, 8);
    c->end_us = rom_u32(c, 12);
    c->count = rom_u32(c, 16);
    DUET_ASSERT(c->rom_length == PS2_EXPECTED_HEADER_BYTES + 2 * (size_t)c->count);
}

static void event_check(struct ps2_fuzz_client *c, uint64_t event)
{
    uint16_t code = (uint16_t)(event & INPUT_KEY_CODE_MASK);
    bool press = (event & INPUT_EVENT_PRESS) != 0;
    DUET_ASSERT((event & ~(INPUT_KEY_CODE_MASK | INPUT_EVENT_PRESS)) == 0);
    DUET_ASSERT(code != 0 && code < (INPUT_KEY_PAUSE | 1));
    if (c->exact) {
        DUET_ASSERT(c->taken < c->count);   /* no event the stream does not hold */
        uint16_t expected = expected_event(c, c->taken);
        DUET_ASSERT(code == (expected & (uint16_t)~PS2_EXPECTED_PRESS));
        DUET_ASSERT(press == ((expected & PS2_EXPECTED_PRESS) != 0));
    }
    c->taken++;
}

static void events_drain(struct ps2_fuzz_client *c)
{
    for (;;) {
        struct input_fetch fetch;
        DUET_ASSERT(input_fetch(c->env, c->input.cap, &fetch) == RPC_OK);
        DUET_ASSERT(!c->exact || fetch.dropped == 0);
        if (fetch.count == 0)
            return;
        for (uint64_t i = 0; i < fetch.count; i++)
            event_check(c, fetch.events[i]);
    }
}

static void final_check(struct ps2_fuzz_client *c)
{
    events_drain(c);
    struct input_status status;
    DUET_ASSERT(input_status(c->env, c->input.cap, &status) == RPC_OK);
    if (c->exact) {
        DUET_ASSERT(c->taken == c->count);                 /* no event lost */
        DUET_ASSERT(status.malformed == c->malformed);     /* every bad one reported */
        DUET_ASSERT(status.bytes == c->bytes);
    } else {
        DUET_ASSERT(status.bytes >= c->bytes);             /* the ACKs come on top */
    }
}

void ps2_fuzz_client_main(struct env *env)
{
    struct ps2_fuzz_client *c = env_alloc(env, sizeof *c);
    DUET_ASSERT(c != NULL);
    c->env = env;
    DUET_ASSERT(log_connection_open(env, &c->log) == RPC_OK);
    expected_load(c);
    DUET_ASSERT(signal_connection_open(env, &c->signals) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &c->signals, IMPRINT_TIMER, &c->timer_context) ==
                RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &c->signals, IMPRINT_INPUT, &c->input_context) ==
                RPC_OK);
    DUET_ASSERT(timer_connection_open(env, &c->timer) == RPC_OK);
    DUET_ASSERT(timer_sigh(env, c->timer.cap, c->timer_context) == RPC_OK);
    DUET_ASSERT(input_connection_open(env, &c->input) == RPC_OK);
    DUET_ASSERT(input_sigh(env, c->input.cap, c->input_context) == RPC_OK);
    /* Armed now, a few ms into the world: it fires after end_us of world time. */
    DUET_ASSERT(timer_trigger_once(env, c->timer.cap, c->end_us) == RPC_OK);
    for (;;) {
        struct signal signal;
        DUET_ASSERT(sys_signal_wait(c->signals.receiver, true, &signal) == SYS_OK);
        DUET_ASSERT(signal.imprint == IMPRINT_TIMER || signal.imprint == IMPRINT_INPUT);
        if (signal.imprint == IMPRINT_TIMER)
            break;
        events_drain(c);
    }
    final_check(c);
    DUET_ASSERT(input_connection_close(env, &c->input) == RPC_OK);
    DUET_ASSERT(timer_connection_close(env, &c->timer) == RPC_OK);
    log_write(env, c->log.cap, "ps2 oracles held");
    parent_exit(env, 0);
}
