/*
 * i8259_check.c - the PIC pair's invariants as one checker.
 *
 * i8259_check() returns NULL when every invariant numbered at the top of
 * i8259.c holds, else a fixed string naming the first broken one. The
 * model runs it at the end of every entry (and asserts); tests and fuzz
 * oracles run it between steps. It only reads the struct and the pure
 * priority resolver; it never calls the host.
 */
#include "duet/i8259.h"

static const char *check_chip(const struct i8259_chip *chip, bool master)
{
    uint8_t mask = master ? I8259_MASTER_ELCR_MASK : I8259_SLAVE_ELCR_MASK;
    if (chip->master != master) return "1: chip has the wrong master flag";
    if (chip->elcr_mask != mask) return "1: chip has the wrong ELCR mask";
    if (chip->elcr & (uint8_t)~mask) return "1: ELCR bit outside its mask";
    if (chip->init_state > 3) return "2: init_state above 3";
    if (chip->priority_add > 7) return "2: priority_add above 7";
    if (chip->irq_base & 7) return "2: vector base not a multiple of 8";
    if (chip->init_state != 0 && chip->imr != 0) {
        return "3: IMR set while initializing";
    }
    if (chip->init_state == 2 && chip->single_mode) {
        return "3: ICW3 awaited in single mode";
    }
    if (chip->init_state == 3 && !chip->init4) {
        return "3: ICW4 awaited but not announced";
    }
    bool pending = i8259_chip_pending_irq(chip) >= 0;
    if (!chip->output_deferred && chip->output_level != pending) {
        return "4: INT output is not the pending request";
    }
    return 0;
}

const char *i8259_check(const struct i8259 *pic)
{
    const struct i8259_chip *master = &pic->chips[I8259_MASTER];
    const struct i8259_chip *slave = &pic->chips[I8259_SLAVE];
    const char *broken = check_chip(master, true);
    if (!broken) broken = check_chip(slave, false);
    if (broken) return broken;
    if ((master->last_irr & (1u << I8259_CASCADE_LINE)) && !slave->output_level) {
        return "5: master sees input 2 high with the slave's INT low";
    }
    const struct i8259_stats *stats = &pic->stats;
    if (stats->intr_rises != stats->intr_falls + (master->output_level ? 1 : 0)) {
        return "6: INTR rises and falls do not add up to the pin";
    }
    if (stats->spurious_master + stats->spurious_slave > stats->acknowledges) {
        return "6: more spurious answers than acknowledges";
    }
    return 0;
}
