/*
 * i8259.c - the PC's cascaded 8259A interrupt controllers as a
 * deterministic model.
 *
 * Behaviour follows QEMU 7.2's hw/intc/i8259.c and i8259_common.c (QEMU's
 * function names in brackets below); interface in duet/i8259.h. Not here:
 * ICW1's level-triggered mode (LTIM; QEMU 7.2 only logs it), buffered and
 * microprocessor (8080) modes, a real ICW3 (the slave sits on master input
 * 2, whatever the guest writes), the I/O APIC, port routing (sim/).
 *
 * Requests. An input line changes level [chip_input, QEMU pic_set_irq]: an
 * edge-triggered input (ELCR bit clear) latches its IRR bit on a rising
 * edge only, and dropping the line leaves the IRR bit set; a
 * level-triggered input's IRR bit follows the line. Either way the chip
 * then re-drives its INT output [chip_update, pic_update_irq]. The slave's
 * INT is the master's input 2 (always edge-triggered: the ELCR cannot
 * switch it), and the master's INT is the CPU's INTR pin.
 *
 * Priority [chip_priority, get_priority; i8259_chip_pending_irq,
 * pic_get_irq]: inputs rank from priority_add (highest) round to
 * priority_add - 1. The chip signals the best unmasked request if it
 * outranks everything in service; in special mask mode masked inputs do not
 * count as in service, and in special fully nested mode the master does
 * not count input 2 as in service (so the slave can nest).
 *
 * Acknowledge [i8259_acknowledge, pic_read_irq; chip_intack, pic_intack]:
 * the request moves from IRR to ISR (in auto-EOI mode ISR is left alone
 * and, if rotate-on-auto-EOI is set, the acknowledged input becomes the
 * lowest priority); a level-triggered request stays in IRR. Nothing pending
 * on the master gives master base + 7 and changes nothing; the cascade
 * input with nothing pending on the slave gives slave base + 7, still
 * acknowledging input 2 on the master.
 *
 * Commands [QEMU pic_ioport_write, pic_ioport_read, elcr_ioport_*]:
 *
 *   offset 0, bit 4 set: ICW1 -> reset the chip (IMR, ISR, priorities,
 *       modes, vector base; IRR keeps level-triggered bits), re-drive INT,
 *       expect ICW2 [command_icw1]
 *   offset 0, bit 3 set: OCW3 -> poll / read select / special mask
 *   offset 0, else:      OCW2 -> EOI kinds, rotation, priority [command_ocw2]
 *   offset 1: IMR when ready, else ICW2 -> (ICW3 unless single) ->
 *       (ICW4 if ICW1 asked) -> ready [data_write]
 *   read offset 0: IRR or ISR (OCW3 select); offset 1: IMR; after an OCW3
 *       poll either offset acknowledges the best request and reads
 *       0x80 | input, or reads 0 if none.
 *   ELCR: written through its mask, read back; no re-evaluation.
 *
 * QEMU re-drives INT after every change of IRR, ISR, IMR or priority, but
 * not after ICW4 (special fully nested mode) or an OCW3 special mask
 * change; the model keeps that (output_deferred records it) so the INTR
 * pin moves exactly when QEMU's does.
 *
 * Invariants (i8259_check, after every entry):
 *  1. Wiring: chip 0 is the master with ELCR mask 0xF8, chip 1 the slave
 *     with 0xDE; ELCR has no bit outside its mask.
 *  2. init_state <= 3; priority_add <= 7; the vector base is a multiple
 *     of 8.
 *  3. While initializing, IMR is 0 (ICW1 cleared it, data writes are
 *     ICWs); ICW3 is awaited only without single mode, ICW4 only if asked.
 *  4. Unless output_deferred, a chip's INT output is what
 *     i8259_chip_pending_irq gives (>= 0 means high).
 *  5. The master sees input 2 high only while the slave's INT is high.
 *  6. INTR rises and falls add up to the pin level (it starts low);
 *     spurious answers are acknowledges.
 */
#include "duet/i8259.h"

#include "hw_assert.h"

enum { PRIORITY_NONE = 8 };

_Static_assert(I8259_LINES == 8 * I8259_CHIPS, "8 inputs per chip");
_Static_assert((I8259_MASTER_ELCR_MASK & (1u << I8259_CASCADE_LINE)) == 0,
               "the cascade input is always edge-triggered");

/* ---- priority (pure) ------------------------------------------------- */

/* Rank 0..7 of the best input in mask, counted from priority_add;
 * PRIORITY_NONE if mask is empty. */
static unsigned chip_priority(const struct i8259_chip *chip, uint8_t mask)
{
    HW_ASSERT(chip->priority_add <= 7);
    for (unsigned rank = 0; rank < 8; rank++) {
        if (mask & (1u << ((rank + chip->priority_add) & 7))) {
            return rank;
        }
    }
    return PRIORITY_NONE;
}

int i8259_chip_pending_irq(const struct i8259_chip *chip)
{
    unsigned request_rank = chip_priority(chip, chip->irr & (uint8_t)~chip->imr);
    if (request_rank == PRIORITY_NONE) {
        return -1;
    }
    uint8_t in_service = chip->isr;
    if (chip->special_mask) {
        in_service &= (uint8_t)~chip->imr;
    }
    if (chip->special_fully_nested_mode && chip->master) {
        in_service &= (uint8_t)~(1u << I8259_CASCADE_LINE);
    }
    if (request_rank >= chip_priority(chip, in_service)) {
        return -1;
    }
    return (int)((request_rank + chip->priority_add) & 7);
}

/* ---- INT outputs and inputs ----------------------------------------- */

static void chip_input(struct i8259 *pic, unsigned index, unsigned input,
                       bool level);

static void intr_drive(struct i8259 *pic, bool level)
{
    if (level) {
        pic->stats.intr_rises++;
    } else {
        pic->stats.intr_falls++;
    }
    pic->host->irq_set(pic->host->owner, pic->intr_line, level ? 1 : 0);
}

/* QEMU pic_update_irq: drive INT from the current request. The slave's INT
 * is fed to the master every time (the master's edge detector filters it);
 * the CPU's pin is told on changes only. */
static void chip_update(struct i8259 *pic, unsigned index)
{
    HW_ASSERT(index < I8259_CHIPS);
    struct i8259_chip *chip = &pic->chips[index];
    bool level = i8259_chip_pending_irq(chip) >= 0;
    bool changed = level != chip->output_level;
    chip->output_level = level;
    chip->output_deferred = false;
    if (index == I8259_SLAVE) {
        chip_input(pic, I8259_MASTER, I8259_CASCADE_LINE, level);
    } else if (changed) {
        intr_drive(pic, level);
    }
    HW_ASSERT(chip->output_level == level);
}

/* A write QEMU does not follow with pic_update_irq: note whether it changed
 * what INT would be. */
static void chip_defer_update(struct i8259_chip *chip)
{
    bool level = i8259_chip_pending_irq(chip) >= 0;
    if (level != chip->output_level) {
        chip->output_deferred = true;
    }
}

/* QEMU pic_set_irq. */
static void chip_input(struct i8259 *pic, unsigned index, unsigned input,
                       bool level)
{
    HW_ASSERT(index < I8259_CHIPS && input < 8);
    struct i8259_chip *chip = &pic->chips[index];
    uint8_t bit = (uint8_t)(1u << input);
    if (chip->elcr & bit) {              /* level: IRR follows the line */
        if (level) {
            chip->irr |= bit;
            chip->last_irr |= bit;
        } else {
            chip->irr &= (uint8_t)~bit;
            chip->last_irr &= (uint8_t)~bit;
        }
    } else if (level) {                  /* edge: latch on a rising edge */
        if (!(chip->last_irr & bit)) {
            chip->irr |= bit;
        }
        chip->last_irr |= bit;
    } else {
        chip->last_irr &= (uint8_t)~bit;
    }
    chip_update(pic, index);
}

/* QEMU pic_intack. */
static void chip_intack(struct i8259 *pic, unsigned index, unsigned input)
{
    HW_ASSERT(index < I8259_CHIPS && input < 8);
    struct i8259_chip *chip = &pic->chips[index];
    uint8_t bit = (uint8_t)(1u << input);
    if (!chip->auto_eoi) {
        chip->isr |= bit;
    } else if (chip->rotate_on_auto_eoi) {
        chip->priority_add = (uint8_t)((input + 1) & 7);
    }
    if (!(chip->elcr & bit)) {           /* a level request stays latched */
        chip->irr &= (uint8_t)~bit;
    }
    chip_update(pic, index);
}

/* ---- entries --------------------------------------------------------- */

static void entry_begin(struct i8259 *pic)
{
    HW_ASSERT(pic != 0 && pic->host != 0);
    HW_ASSERT_DETAIL(!pic->in_entry, "re-entered from the host callback");
    pic->in_entry = true;
}

static void entry_end(struct i8259 *pic)
{
    const char *broken = i8259_check(pic);
    HW_ASSERT_DETAIL(broken == 0, broken);
    pic->in_entry = false;
}

/* ---- commands -------------------------------------------------------- */

/* QEMU pic_reset_common: ELCR survives, and so do IRR bits it makes
 * level-triggered; input levels are forgotten. */
static void chip_reset_state(struct i8259_chip *chip)
{
    *chip = (struct i8259_chip){
        .irr = chip->irr & chip->elcr,
        .elcr = chip->elcr,
        .elcr_mask = chip->elcr_mask,
        .master = chip->master,
        .output_level = chip->output_level,
        .output_deferred = chip->output_deferred,
    };
}

static void command_icw1(struct i8259 *pic, unsigned index, uint8_t value)
{
    struct i8259_chip *chip = &pic->chips[index];
    chip_reset_state(chip);
    chip_update(pic, index);
    chip->init_state = 1;
    chip->init4 = (value & I8259_ICW1_IC4) != 0;
    chip->single_mode = (value & I8259_ICW1_SINGLE) != 0;
    /* I8259_ICW1_LTIM: not supported by QEMU 7.2, inputs stay as ELCR says. */
}

static void command_ocw3(struct i8259_chip *chip, uint8_t value)
{
    if (value & I8259_OCW3_POLL) {
        chip->poll = true;
    }
    if (value & I8259_OCW3_READ_SELECT) {
        chip->read_reg_select = (value & I8259_OCW3_READ_ISR) != 0;
    }
    if (value & I8259_OCW3_SPECIAL_MASK_SELECT) {
        chip->special_mask = (value & I8259_OCW3_SPECIAL_MASK) != 0;
        chip_defer_update(chip);
    }
}

/* Non-specific EOI: clear the highest-priority ISR bit (special mask mode
 * is not consulted); the rotating form makes it the lowest priority. */
static void command_eoi(struct i8259 *pic, unsigned index, bool rotate)
{
    struct i8259_chip *chip = &pic->chips[index];
    unsigned rank = chip_priority(chip, chip->isr);
    if (rank == PRIORITY_NONE) {
        return;                          /* nothing in service: no change */
    }
    unsigned input = (rank + chip->priority_add) & 7;
    chip->isr &= (uint8_t)~(1u << input);
    if (rotate) {
        chip->priority_add = (uint8_t)((input + 1) & 7);
    }
    chip_update(pic, index);
}

static void command_ocw2(struct i8259 *pic, unsigned index, uint8_t value)
{
    struct i8259_chip *chip = &pic->chips[index];
    unsigned level = value & 7;
    switch (value & 0xE0) {
    case I8259_OCW2_ROTATE_AUTO_EOI_CLEAR:
    case I8259_OCW2_ROTATE_AUTO_EOI_SET:
        chip->rotate_on_auto_eoi = (value & 0x80) != 0;
        return;
    case I8259_OCW2_EOI:
    case I8259_OCW2_ROTATE_EOI:
        command_eoi(pic, index, (value & 0x80) != 0);
        return;
    case I8259_OCW2_SPECIFIC_EOI:
        chip->isr &= (uint8_t)~(1u << level);
        break;
    case I8259_OCW2_SET_PRIORITY:
        chip->priority_add = (uint8_t)((level + 1) & 7);
        break;
    case I8259_OCW2_ROTATE_SPECIFIC_EOI:
        chip->isr &= (uint8_t)~(1u << level);
        chip->priority_add = (uint8_t)((level + 1) & 7);
        break;
    default:                             /* I8259_OCW2_NOP */
        return;
    }
    chip_update(pic, index);
}

static void command_write(struct i8259 *pic, unsigned index, uint8_t value)
{
    if (value & I8259_ICW1) {
        command_icw1(pic, index, value);
    } else if (value & I8259_OCW3) {
        command_ocw3(&pic->chips[index], value);
    } else {
        command_ocw2(pic, index, value);
    }
}

/* Offset 1: OCW1 (IMR) when ready, else the next ICW. ICW3's value is
 * ignored: the cascade wiring is fixed. */
static void data_write(struct i8259 *pic, unsigned index, uint8_t value)
{
    struct i8259_chip *chip = &pic->chips[index];
    switch (chip->init_state) {
    case 0:
        chip->imr = value;
        chip_update(pic, index);
        return;
    case 1:
        chip->irq_base = value & 0xF8;
        if (!chip->single_mode) {
            chip->init_state = 2;
        } else {
            chip->init_state = chip->init4 ? 3 : 0;
        }
        return;
    case 2:
        chip->init_state = chip->init4 ? 3 : 0;
        return;
    default:                             /* 3: ICW4 */
        chip->special_fully_nested_mode =
            (value & I8259_ICW4_SPECIAL_FULLY_NESTED) != 0;
        chip->auto_eoi = (value & I8259_ICW4_AUTO_EOI) != 0;
        chip->init_state = 0;
        chip_defer_update(chip);
        return;
    }
}

static uint8_t chip_read(struct i8259 *pic, unsigned index, unsigned offset)
{
    struct i8259_chip *chip = &pic->chips[index];
    if (offset >= I8259_PORT_COUNT) {
        return 0xFF;                     /* past the 2 ports */
    }
    if (chip->poll) {                    /* either offset: poll acknowledge */
        int input = i8259_chip_pending_irq(chip);
        chip->poll = false;
        if (input < 0) {
            return 0;
        }
        chip_intack(pic, index, (unsigned)input);
        pic->stats.poll_acks++;
        return (uint8_t)(I8259_POLL_PENDING | input);
    }
    if (offset == 1) {
        return chip->imr;
    }
    return chip->read_reg_select ? chip->isr : chip->irr;
}

static void chip_write(struct i8259 *pic, unsigned index, unsigned offset,
                       uint8_t value)
{
    if (offset == 0) {
        command_write(pic, index, value);
    } else if (offset == 1) {
        data_write(pic, index, value);
    }                                    /* past the 2 ports: ignored */
}

/* ---- the bus views --------------------------------------------------- */

/* Wide accesses are split into byte accesses at rising offsets, as QEMU's
 * memory core does for these byte-only regions. */
static uint32_t chip_port_read(struct i8259 *pic, unsigned index,
                               uint16_t offset, unsigned width)
{
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pic);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        value |= (uint32_t)chip_read(pic, index, (unsigned)offset + i) << (8 * i);
    }
    entry_end(pic);
    return value;
}

static void chip_port_write(struct i8259 *pic, unsigned index, uint16_t offset,
                            unsigned width, uint32_t value)
{
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pic);
    for (unsigned i = 0; i < width; i++) {
        chip_write(pic, index, (unsigned)offset + i, (uint8_t)(value >> (8 * i)));
    }
    entry_end(pic);
}

static uint32_t master_read(void *model, uint16_t offset, unsigned width)
{
    return chip_port_read(model, I8259_MASTER, offset, width);
}

static void master_write(void *model, uint16_t offset, unsigned width,
                         uint32_t value)
{
    chip_port_write(model, I8259_MASTER, offset, width, value);
}

static uint32_t slave_read(void *model, uint16_t offset, unsigned width)
{
    return chip_port_read(model, I8259_SLAVE, offset, width);
}

static void slave_write(void *model, uint16_t offset, unsigned width,
                        uint32_t value)
{
    chip_port_write(model, I8259_SLAVE, offset, width, value);
}

/* ELCR: offset 0 is the master's, 1 the slave's. Changing a trigger mode
 * does not touch IRR or INT (QEMU elcr_ioport_write). */
static uint32_t elcr_read(void *model, uint16_t offset, unsigned width)
{
    struct i8259 *pic = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pic);
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        unsigned index = (unsigned)offset + i;
        uint8_t byte = index < I8259_CHIPS ? pic->chips[index].elcr : 0xFF;
        value |= (uint32_t)byte << (8 * i);
    }
    entry_end(pic);
    return value;
}

static void elcr_write(void *model, uint16_t offset, unsigned width,
                       uint32_t value)
{
    struct i8259 *pic = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(pic);
    for (unsigned i = 0; i < width; i++) {
        unsigned index = (unsigned)offset + i;
        if (index < I8259_CHIPS) {
            struct i8259_chip *chip = &pic->chips[index];
            chip->elcr = (uint8_t)(value >> (8 * i)) & chip->elcr_mask;
        }
    }
    entry_end(pic);
}

static struct hw_port_device port_device(struct i8259 *pic, const char *name,
                                         uint16_t port_base, uint16_t port_count)
{
    HW_ASSERT(pic != 0 && pic->host != 0);
    return (struct hw_port_device){
        .name = name, .port_base = port_base, .port_count = port_count,
        .model = pic,
    };
}

struct hw_port_device i8259_master_port_device(struct i8259 *pic)
{
    struct hw_port_device device = port_device(pic, "i8259-master",
                                               I8259_MASTER_PORT_BASE,
                                               I8259_PORT_COUNT);
    device.read = master_read;
    device.write = master_write;
    return device;
}

struct hw_port_device i8259_slave_port_device(struct i8259 *pic)
{
    struct hw_port_device device = port_device(pic, "i8259-slave",
                                               I8259_SLAVE_PORT_BASE,
                                               I8259_PORT_COUNT);
    device.read = slave_read;
    device.write = slave_write;
    return device;
}

struct hw_port_device i8259_elcr_port_device(struct i8259 *pic)
{
    struct hw_port_device device = port_device(pic, "i8259-elcr",
                                               I8259_ELCR_PORT_BASE,
                                               I8259_ELCR_PORT_COUNT);
    device.read = elcr_read;
    device.write = elcr_write;
    return device;
}

/* ---- owner entries --------------------------------------------------- */

/* QEMU pic_reset on both chips. */
static void reset_chips(struct i8259 *pic)
{
    for (unsigned index = 0; index < I8259_CHIPS; index++) {
        pic->chips[index].elcr = 0;
        chip_reset_state(&pic->chips[index]);
        chip_update(pic, index);
    }
    HW_ASSERT(!pic->chips[I8259_MASTER].output_level);
}

void i8259_init(struct i8259 *pic, const struct hw_bus_host *host,
                unsigned intr_line)
{
    HW_ASSERT(pic != 0 && host != 0 && host->irq_set != 0);
    *pic = (struct i8259){ .host = host, .intr_line = intr_line };
    pic->chips[I8259_MASTER].master = true;
    pic->chips[I8259_MASTER].elcr_mask = I8259_MASTER_ELCR_MASK;
    pic->chips[I8259_SLAVE].elcr_mask = I8259_SLAVE_ELCR_MASK;
    entry_begin(pic);
    host->irq_set(host->owner, intr_line, 0);
    reset_chips(pic);
    entry_end(pic);
}

void i8259_reset(struct i8259 *pic)
{
    entry_begin(pic);
    reset_chips(pic);
    entry_end(pic);
}

void i8259_set_irq(struct i8259 *pic, unsigned line, int level)
{
    HW_ASSERT(line < I8259_LINES);
    HW_ASSERT_DETAIL(line != I8259_CASCADE_LINE, "line 2 is the slave's cascade");
    entry_begin(pic);
    chip_input(pic, line / 8, line % 8, level != 0);
    entry_end(pic);
}

bool i8259_intr_level(const struct i8259 *pic)
{
    HW_ASSERT(pic != 0);
    return pic->chips[I8259_MASTER].output_level;
}

/* QEMU pic_read_irq. */
uint8_t i8259_acknowledge(struct i8259 *pic)
{
    entry_begin(pic);
    struct i8259_chip *master = &pic->chips[I8259_MASTER];
    struct i8259_chip *slave = &pic->chips[I8259_SLAVE];
    int input = i8259_chip_pending_irq(master);
    unsigned vector;
    if (input < 0) {
        pic->stats.spurious_master++;
        vector = master->irq_base + I8259_SPURIOUS_IRQ;
    } else if (input == I8259_CASCADE_LINE) {
        int slave_input = i8259_chip_pending_irq(slave);
        if (slave_input >= 0) {
            chip_intack(pic, I8259_SLAVE, (unsigned)slave_input);
        } else {
            pic->stats.spurious_slave++;
            slave_input = I8259_SPURIOUS_IRQ;
        }
        vector = slave->irq_base + (unsigned)slave_input;
        chip_intack(pic, I8259_MASTER, I8259_CASCADE_LINE);
    } else {
        vector = master->irq_base + (unsigned)input;
        chip_intack(pic, I8259_MASTER, (unsigned)input);
    }
    pic->stats.acknowledges++;
    HW_ASSERT(vector <= UINT8_MAX);
    entry_end(pic);
    return (uint8_t)vector;
}
