/*
 * i8254.h - the PC's programmable interval timer (8254 PIT) as a
 * deterministic device model.
 *
 * Three 16-bit down counters clocked at 1 193 182 Hz, programmed through
 * ports 0x40-0x43. The model follows QEMU 7.2's hw/timer/i8254.c and
 * i8254_common.c formula by formula: a counter is not ticked, its count and
 * its OUT pin are computed from the virtual time elapsed since the count was
 * loaded, with QEMU's integer rounding, so a guest reads the same counts and
 * channel 0's OUT (wired to IRQ 0) changes at the same nanosecond as on QEMU.
 * docs/HW_MODELS.md lists what is modelled and what is not.
 *
 * Call order for the owner (the sim):
 *   i8254_init(&pit, &host, I8254_IRQ_LINE);   line low, first deadline armed
 *   dev = i8254_port_device(&pit, I8254_PORT_BASE);
 *   attach dev to the bus, taking the armed deadline from
 *   dev.deadline_pending (hw_bus.h rule 4: init cannot report it);
 *   ... the bus calls dev.read / dev.write; the owner calls dev.deadline
 *   when virtual time reaches the time last passed to host->deadline_set
 *   (late is fine: the model replays the transitions it missed, each at
 *   its own time); i8254_set_gate() if something drives a GATE input;
 *   i8254_reset(&pit) on machine reset.
 *
 * Only channel 0 drives an IRQ line (host->irq_set(owner, irq_line, level)),
 * and only channel 0 asks for deadlines, as in QEMU. The line is driven at
 * every evaluation of OUT, often with an unchanged level, as QEMU does: pass
 * every call on to the 8259 (i8259_set_irq), repeats included, because
 * right after an ICW1 the 8259 takes a repeated high as a new edge. The
 * host callbacks must not call back into this model (it asserts so);
 * forwarding the level to another model (the 8259) is fine.
 *
 * All state is in struct i8254 (no allocation), declared here so the owner
 * can embed it and snapshot it by copying. Read its fields in tests and
 * oracles, write them never. Not here: port 0x61 (speaker gate and channel 2
 * OUT, which the owner can build from i8254_set_gate and i8254_out_peek), the
 * HPET's legacy-replacement switch, port routing and IRQ lines (sim/).
 */
#ifndef DUET_I8254_H
#define DUET_I8254_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"

enum {
    I8254_PORT_BASE = 0x40,
    I8254_PORT_COUNT = 4,            /* counters 0-2, then the control word */
    I8254_CONTROL_OFFSET = 3,
    I8254_IRQ_LINE = 0,
    I8254_CHANNELS = 3,
    I8254_INPUT_HZ = 1193182,        /* QEMU's PIT_FREQ */
    I8254_COUNT_MAX = 0x10000,       /* a written 0 counts 65536 */
};

/* Which byte of a 16-bit value the next counter access moves (QEMU's
 * RW_STATE_*). 0 is the power-on value of a channel never programmed and
 * behaves as LSB. rw_mode (the control word's access field) is 0..3. */
enum i8254_rw_state {
    I8254_RW_NONE = 0,
    I8254_RW_LSB = 1,                /* low byte only */
    I8254_RW_MSB = 2,                /* high byte only */
    I8254_RW_WORD0 = 3,              /* low byte, then high byte */
    I8254_RW_WORD1 = 4,              /* ... the high byte is next */
};

/* The control word written to port 0x43. */
enum {
    I8254_CW_BCD = 0x01,
    I8254_CW_MODE_SHIFT = 1,         /* bits 3:1, modes 0..7; see i8254.c for 6, 7 */
    I8254_CW_ACCESS_SHIFT = 4,       /* bits 5:4; 0 = counter latch command */
    I8254_CW_CHANNEL_SHIFT = 6,      /* bits 7:6; 3 = read-back command */
    I8254_READBACK = 0xC0,
    I8254_READBACK_NO_COUNT = 0x20,  /* read-back: do not latch the counts */
    I8254_READBACK_NO_STATUS = 0x10, /* read-back: do not latch the status */
    /* Status byte: OUT in bit 7, bit 6 (null count) always 0 as in QEMU,
     * then rw_mode, mode, BCD exactly as the control word set them. */
    I8254_STATUS_OUT = 0x80,
};

/* One counter, as QEMU's PITChannelState keeps it. */
struct i8254_channel {
    uint32_t count;              /* reload value, 1..0x10000 */
    uint64_t count_load_ns;      /* virtual time the count was (re)loaded */
    uint8_t mode;                /* 0..7 as written */
    uint8_t rw_mode;             /* 0..3 as written */
    uint8_t read_state;          /* enum i8254_rw_state */
    uint8_t write_state;         /* enum i8254_rw_state */
    uint8_t write_latch;         /* low byte waiting for its high byte */
    uint8_t count_latched;       /* 0, or LSB/MSB/WORD0: the latch's next byte */
    uint16_t latched_count;
    bool status_latched;
    uint8_t status;
    bool bcd;                    /* stored and reported, never used to count */
    bool gate;
};

/* Counters of what happened since reset; tests and fuzz oracles read them. */
struct i8254_stats {
    uint64_t timer_updates;      /* channel 0 OUT evaluations (QEMU pit_irq_timer_update) */
    uint64_t irq_rises;
    uint64_t irq_falls;
    uint64_t replay_truncated;   /* owner so late that missed transitions were skipped */
};

struct i8254 {
    /* Wiring, fixed by i8254_init. */
    const struct hw_bus_host *host;
    unsigned irq_line;

    struct i8254_channel channels[I8254_CHANNELS];

    /* Channel 0's OUT -> IRQ timer (QEMU's irq_timer). The next transition
     * was computed at transition_from_ns with channel 0 in transition_mode;
     * irq_level is the OUT level found then, and the level last passed to
     * host->irq_set. irq_synced is false from a reset until the first
     * evaluation, because QEMU's reset re-arms the timer without driving
     * the line. */
    uint64_t next_transition_ns;     /* HW_DEADLINE_NONE: no transition ahead */
    uint64_t transition_from_ns;
    uint8_t transition_mode;
    bool irq_synced;
    bool irq_level;

    uint64_t now_ns;                 /* virtual time of the latest entry */
    uint64_t deadline_requested_ns;
    bool in_entry;                   /* guards against calls from host callbacks */

    struct i8254_stats stats;
};

/* Wire the model and power it on: every field zero (as QEMU allocates the
 * device), IRQ line low, then i8254_reset. */
void i8254_init(struct i8254 *pit, const struct hw_bus_host *host,
                unsigned irq_line);

/* Machine reset as QEMU's pit_reset: each channel to mode 3, count 65536,
 * loaded now, gate high (channel 2: low); latches, access states and the
 * IRQ line are left as they are (the line changes at the next transition). */
void i8254_reset(struct i8254 *pit);

/* The bus view: 4 ports at port_base, byte/word/dword access (split into
 * bytes at rising offsets), deadline. */
struct hw_port_device i8254_port_device(struct i8254 *pit, uint16_t port_base);

/* Drive a channel's GATE input (QEMU pit_set_gate): a rising edge restarts
 * the count in modes 1, 2, 3 and 5; otherwise only the level is stored. */
void i8254_set_gate(struct i8254 *pit, unsigned channel, bool level);

/* Pure views of a channel at virtual time at_ns >= channel->count_load_ns,
 * QEMU's formulas: the count a guest would read (1..0x10000; 0x10000 reads
 * as 0), the OUT pin, and the virtual time of OUT's next change as QEMU
 * schedules it (HW_DEADLINE_NONE if none), always > at_ns. */
uint32_t i8254_channel_count(const struct i8254_channel *channel, uint64_t at_ns);
bool i8254_channel_out(const struct i8254_channel *channel, uint64_t at_ns);
uint64_t i8254_channel_next_transition_ns(const struct i8254_channel *channel,
                                          uint64_t at_ns);

/* Whole input-clock ticks in elapsed_ns, rounded down (QEMU: muldiv64 with
 * PIT_FREQ / NANOSECONDS_PER_SECOND). */
uint64_t i8254_ticks_in_ns(uint64_t elapsed_ns);

/* The OUT pin of channel 0..2 at the model's latest virtual time (for the
 * owner's port 0x61, say). */
bool i8254_out_peek(const struct i8254 *pit, unsigned channel);

/* The model's invariants (numbered in i8254.c). Returns NULL when all hold,
 * else a static string naming the first broken one. */
const char *i8254_check(const struct i8254 *pit);

#endif
