/*
 * i8259.h - the PC's pair of 8259A interrupt controllers as one
 * deterministic device model.
 *
 * A master (ports 0x20-0x21) and a slave (ports 0xA0-0xA1) whose output is
 * wired to the master's input 2, plus the edge/level control registers
 * (ELCR, ports 0x4D0-0x4D1). The model follows QEMU 7.2's hw/intc/i8259.c
 * and i8259_common.c step by step, so a guest sees the same IRR/ISR/IMR,
 * the same vectors, and the same spurious IRQ 7 cases as on QEMU.
 * docs/HW_MODELS.md lists what is modelled and what is not.
 *
 * Wiring for the owner (the sim):
 *   i8259_init(&pic, &host, intr_line);          INTR low
 *   attach i8259_master_port_device(&pic), i8259_slave_port_device(&pic)
 *   and (optionally) i8259_elcr_port_device(&pic) to the bus;
 *   device models drive ISA IRQ 0..15 (not 2, the cascade): route their
 *   host->irq_set(line, level) to i8259_set_irq(&pic, line, level);
 *   the model drives the CPU's INTR pin through host->irq_set(owner,
 *   intr_line, level), on changes only; i8259_intr_level() reads the pin;
 *   when the CPU takes the interrupt (INTR high, IF set), the owner calls
 *   i8259_acknowledge(&pic) for the vector (the two INTA cycles);
 *   i8259_reset(&pic) on machine reset.
 * Only irq_set is used of the host (no time, no deadlines). The host's
 * callback must not call back into this model (it asserts so): record the
 * INTR level, and acknowledge later from the CPU loop.
 *
 * All state is in struct i8259 (no allocation), declared here so the owner
 * can embed it and snapshot it by copying. Read its fields in tests and
 * oracles, write them never. Not here: the I/O APIC, port routing, and
 * what the CPU does with the vector (sim/).
 */
#ifndef DUET_I8259_H
#define DUET_I8259_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"

enum {
    I8259_MASTER_PORT_BASE = 0x20,
    I8259_SLAVE_PORT_BASE = 0xA0,
    I8259_PORT_COUNT = 2,            /* offset 0: commands, 1: data / IMR */
    I8259_ELCR_PORT_BASE = 0x4D0,    /* offset 0: master ELCR, 1: slave */
    I8259_ELCR_PORT_COUNT = 2,
    I8259_LINES = 16,                /* ISA IRQ 0..15; 8..15 on the slave */
    I8259_CASCADE_LINE = 2,          /* master input the slave drives */
    I8259_SPURIOUS_IRQ = 7,          /* what INTA reports with nothing pending */
    /* Lines whose trigger mode the ELCR can switch, as QEMU's PC wiring:
     * not IRQ 0, 1, 2 (timer, keyboard, cascade), 8 or 13 (RTC, FPU). */
    I8259_MASTER_ELCR_MASK = 0xF8,
    I8259_SLAVE_ELCR_MASK = 0xDE,
};

enum { I8259_MASTER = 0, I8259_SLAVE = 1, I8259_CHIPS = 2 };

/* Command bits written to offset 0 (and ICW4 to offset 1). */
enum {
    I8259_ICW1 = 0x10,               /* starts initialization */
    I8259_ICW1_IC4 = 0x01,           /* an ICW4 follows */
    I8259_ICW1_SINGLE = 0x02,        /* no ICW3 */
    I8259_ICW1_LTIM = 0x08,          /* level mode: ignored, as in QEMU 7.2 */

    I8259_OCW3 = 0x08,
    I8259_OCW3_READ_ISR = 0x01,      /* with READ_SELECT: ISR, else IRR */
    I8259_OCW3_READ_SELECT = 0x02,
    I8259_OCW3_POLL = 0x04,
    I8259_OCW3_SPECIAL_MASK = 0x20,  /* with SPECIAL_MASK_SELECT: set, else clear */
    I8259_OCW3_SPECIAL_MASK_SELECT = 0x40,

    /* OCW2: bits 7:5 choose the command, bits 2:0 the level. */
    I8259_OCW2_ROTATE_AUTO_EOI_CLEAR = 0x00,
    I8259_OCW2_EOI = 0x20,                  /* non-specific */
    I8259_OCW2_NOP = 0x40,
    I8259_OCW2_SPECIFIC_EOI = 0x60,
    I8259_OCW2_ROTATE_AUTO_EOI_SET = 0x80,
    I8259_OCW2_ROTATE_EOI = 0xA0,           /* non-specific, then rotate */
    I8259_OCW2_SET_PRIORITY = 0xC0,         /* level becomes the lowest */
    I8259_OCW2_ROTATE_SPECIFIC_EOI = 0xE0,

    I8259_ICW4_8086 = 0x01,          /* accepted and ignored: always 8086 mode */
    I8259_ICW4_AUTO_EOI = 0x02,
    I8259_ICW4_SPECIAL_FULLY_NESTED = 0x10,

    I8259_POLL_PENDING = 0x80,       /* poll read: an IRQ was pending (bits 2:0) */
};

/* One 8259A, as QEMU's PICCommonState keeps it. */
struct i8259_chip {
    uint8_t irr;                 /* requests latched */
    uint8_t isr;                 /* requests in service */
    uint8_t imr;                 /* requests masked */
    uint8_t last_irr;            /* input levels as last seen, for edge detection */
    uint8_t priority_add;        /* the input with the highest priority */
    uint8_t irq_base;            /* vector of input 0 (ICW2 & 0xF8) */
    uint8_t init_state;          /* 0 ready, 1/2/3: ICW2/ICW3/ICW4 expected */
    bool init4;                  /* ICW1: an ICW4 follows */
    bool single_mode;            /* ICW1: no ICW3 */
    bool read_reg_select;        /* OCW3: offset 0 reads ISR (else IRR) */
    bool poll;                   /* OCW3: the next read is a poll */
    bool special_mask;
    bool auto_eoi;
    bool rotate_on_auto_eoi;
    bool special_fully_nested_mode;
    uint8_t elcr;                /* 1 = level-triggered input */
    uint8_t elcr_mask;           /* wiring: I8259_*_ELCR_MASK */
    bool master;                 /* wiring */
    /* The chip's INT output as last driven (master: the CPU's INTR pin;
     * slave: master input 2). QEMU re-drives it after most writes, not
     * after ICW4 and OCW3 special-mask changes; output_deferred says one
     * of those changed what INT would be since the last drive. */
    bool output_level;
    bool output_deferred;
};

/* Counters since init; tests and fuzz oracles read them. */
struct i8259_stats {
    uint64_t acknowledges;       /* i8259_acknowledge calls */
    uint64_t spurious_master;    /* of those, answered with master base + 7 */
    uint64_t spurious_slave;     /* of those, answered with slave base + 7 */
    uint64_t poll_acks;          /* poll reads that acknowledged an IRQ */
    uint64_t intr_rises;
    uint64_t intr_falls;
};

struct i8259 {
    /* Wiring, fixed by i8259_init. */
    const struct hw_bus_host *host;
    unsigned intr_line;

    struct i8259_chip chips[I8259_CHIPS];   /* [I8259_MASTER], [I8259_SLAVE] */
    bool in_entry;               /* guards against calls from the host callback */
    struct i8259_stats stats;
};

/* Wire the model and power it on (QEMU's zeroed device, then pic_reset on
 * both chips): everything 0, vector base 0, all inputs unmasked and
 * edge-triggered, INTR low (the host is told). */
void i8259_init(struct i8259 *pic, const struct hw_bus_host *host,
                unsigned intr_line);

/* Machine reset (QEMU pic_reset on both chips): ELCR cleared, then what
 * ICW1 does; the chips wait for no ICWs, vector base 0. */
void i8259_reset(struct i8259 *pic);

/* The bus views: ports 0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1; byte, word and
 * dword access split into bytes at rising offsets. No deadlines. */
struct hw_port_device i8259_master_port_device(struct i8259 *pic);
struct hw_port_device i8259_slave_port_device(struct i8259 *pic);
struct hw_port_device i8259_elcr_port_device(struct i8259 *pic);

/* An ISA interrupt line 0..15 other than 2 changes level (nonzero = high).
 * Repeating a level is harmless. */
void i8259_set_irq(struct i8259 *pic, unsigned line, int level);

/* The CPU's INTR pin as the model last drove it. */
bool i8259_intr_level(const struct i8259 *pic);

/* The CPU's interrupt acknowledge (QEMU pic_read_irq): returns the vector
 * and moves the request into service. With nothing pending, the master
 * answers base + 7; with the master passing the cascade input but nothing
 * pending on the slave, the slave's base + 7 (and the master's ISR bit 2
 * is set all the same). */
uint8_t i8259_acknowledge(struct i8259 *pic);

/* Which input 0..7 the chip would signal now, or -1 (QEMU pic_get_irq). */
int i8259_chip_pending_irq(const struct i8259_chip *chip);

/* The model's invariants (numbered in i8259.c). Returns NULL when all hold,
 * else a static string naming the first broken one. */
const char *i8259_check(const struct i8259 *pic);

#endif
