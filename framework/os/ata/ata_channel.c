/*
 * ata_channel.c - ATA PIO on the primary channel, written on the DDE kit
 * only (ata_channel.h).
 *
 * Registers (ATA-6 task file): 0x1F0 data, 0x1F1 error, 0x1F2 count,
 * 0x1F3-0x1F5 LBA 0-23, 0x1F6 device (0xE0 | drive << 4 | LBA 24-27),
 * 0x1F7 status/command; 0x3F6 alternate status / device control (nIEN
 * 0x02, SRST 0x04). Reading 0x1F7 acknowledges the device's interrupt;
 * reading 0x3F6 does not, so polling uses the alternate status.
 *
 * Probe (interrupts off: nIEN set): software reset, then for master and
 * slave select the drive, and if its status is neither 0 (nobody there:
 * an absent slave reads 0) nor 0xFF (floating bus) send IDENTIFY and
 * poll for its data: the model string (words 27-46, bytes swapped in each
 * word) and the LBA28 capacity (words 60-61, LBA support in word 49).
 *
 * Commands (interrupts on: nIEN clear, unless the IRQ session was
 * refused and the channel runs polled): READ SECTORS raises IRQ 14 for
 * every sector ready; WRITE SECTORS asks for the first sector without an
 * interrupt and raises one for every sector written. Each wait is armed
 * *before* the device can raise what it waits for: before the command
 * write, and for the data phase with the handler held off
 * (dde_kit_interrupt_disable) until the wait is armed, so no interrupt
 * is taken by a handler that expects none. Every wait has a timeout
 * (a dde_kit timer); every status is checked (BSY, DRQ, ERR with the
 * error register). After the last written sector FLUSH CACHE. After a
 * device error or a timeout the channel is reset (SRST), so a drive left
 * mid-command does not wedge the requests after it.
 */
#include "ata_channel.h"

#include "dde_kit/interrupt.h"
#include "dde_kit/resources.h"
#include "duet/string.h"

enum {
    REG_DATA = 0, REG_ERROR = 1, REG_COUNT = 2, REG_LBA_LOW = 3, REG_LBA_MID = 4,
    REG_LBA_HIGH = 5, REG_DEVICE = 6, REG_STATUS = 7, REG_COMMAND = 7,

    STATUS_ERR = 0x01, STATUS_DRQ = 0x08, STATUS_DF = 0x20, STATUS_DRDY = 0x40,
    STATUS_BSY = 0x80,
    CONTROL_NIEN = 0x02, CONTROL_SRST = 0x04,
    DEVICE_LBA = 0xE0,              /* bits 7 and 5 set, LBA mode */
    DEVICE_SLAVE = 0x10,

    CMD_READ_SECTORS = 0x20, CMD_WRITE_SECTORS = 0x30, CMD_FLUSH_CACHE = 0xE7,
    CMD_IDENTIFY = 0xEC,

    IDENTIFY_CAPABILITIES = 49, IDENTIFY_CAP_LBA = 1 << 9,
    IDENTIFY_MODEL = 27, IDENTIFY_LBA28_SECTORS = 60,

    PRIMARY_COMMAND_BASE = 0x1F0, PRIMARY_CONTROL_PORT = 0x3F6, PRIMARY_IRQ = 14,
    RESET_SLEEP_MS = 2,
};

static uint8_t reg_in(struct ata_channel *c, unsigned reg)
{
    return dde_kit_inb(c->kit, (uint16_t)(c->command_base + reg));
}

static void reg_out(struct ata_channel *c, unsigned reg, uint8_t value)
{
    dde_kit_outb(c->kit, (uint16_t)(c->command_base + reg), value);
}

static uint8_t alt_status(struct ata_channel *c)
{
    return dde_kit_inb(c->kit, c->control_port);
}

/* Polls the alternate status until BSY clears: the last status read, or
 * the status with BSY still set after ATA_POLL_READS_MAX reads. */
static uint8_t poll_not_busy(struct ata_channel *c)
{
    uint8_t status = alt_status(c);
    for (unsigned i = 0; (status & STATUS_BSY) && i < ATA_POLL_READS_MAX; i++)
        status = alt_status(c);
    return status;
}

/* ---- the wait for an interrupt ------------------------------------------ */

static void ata_interrupt(void *priv)
{
    struct ata_channel *c = priv;
    dde_kit_lock_lock(&c->wait_lock);
    uint8_t status = reg_in(c, REG_STATUS);   /* acknowledges IRQ 14 */
    bool finish = c->armed;
    if (finish) {
        c->armed = false;
        c->status = status;
        c->interrupts++;
    } else {
        c->spurious++;
    }
    dde_kit_lock_unlock(&c->wait_lock);
    if (finish)
        dde_kit_sem_up(&c->done);
}

static void ata_timeout(void *priv)
{
    struct ata_channel *c = priv;
    dde_kit_lock_lock(&c->wait_lock);
    bool finish = c->armed;
    if (finish) {
        c->armed = false;
        c->timed_out = true;
    }
    dde_kit_lock_unlock(&c->wait_lock);
    if (finish)
        dde_kit_sem_up(&c->done);
}

static enum block_error wait_arm(struct ata_channel *c)
{
    if (c->polled)
        return BLOCK_OK;
    dde_kit_lock_lock(&c->wait_lock);
    dde_kit_assert(c->kit, !c->armed);
    c->armed = true;
    c->timed_out = false;
    dde_kit_lock_unlock(&c->wait_lock);
    uint64_t deadline = dde_kit_jiffies(c->kit) + ATA_IRQ_TIMEOUT_MS * DDE_KIT_HZ / 1000;
    if (dde_kit_timer_add(c->kit, &c->timeout, ata_timeout, c, deadline) != DDE_KIT_TIMER_OK) {
        ata_timeout(c);   /* no timer, no wait: finish it as timed out */
        dde_kit_sem_down(&c->done);
        return BLOCK_ERR_TIMEOUT;
    }
    return BLOCK_OK;
}

/* The status after the armed wait, BLOCK_ERR_TIMEOUT, or (polled) after
 * BSY cleared; *out_status receives it. */
static enum block_error wait_finish(struct ata_channel *c, uint8_t *out_status)
{
    if (c->polled) {
        uint8_t status = poll_not_busy(c);
        *out_status = status & STATUS_BSY ? status : reg_in(c, REG_STATUS);
        return status & STATUS_BSY ? BLOCK_ERR_TIMEOUT : BLOCK_OK;
    }
    dde_kit_sem_down(&c->done);
    dde_kit_timer_del(c->kit, &c->timeout);
    dde_kit_lock_lock(&c->wait_lock);
    dde_kit_assert(c->kit, !c->armed);
    bool timed_out = c->timed_out;
    *out_status = c->status;
    dde_kit_lock_unlock(&c->wait_lock);
    return timed_out ? BLOCK_ERR_TIMEOUT : BLOCK_OK;
}

/* The status of a finished step: an error bit, or no data where data
 * was due, is the device's error. */
static enum block_error status_check(struct ata_channel *c, uint8_t status, bool data_due)
{
    if (status & (STATUS_ERR | STATUS_DF)) {
        dde_kit_log(c->kit, true, "ata: status 0x%02x error 0x%02x", status,
                    reg_in(c, REG_ERROR));
        return BLOCK_ERR_DEVICE;
    }
    if ((status & STATUS_BSY) || (data_due && !(status & STATUS_DRQ)) ||
        (!data_due && (status & STATUS_DRQ)))
        return BLOCK_ERR_DEVICE;
    return BLOCK_OK;
}

/* ---- probing -------------------------------------------------------------- */

/* SRST with interrupts off; false if the kit cannot sleep (no timer). */
static bool software_reset(struct ata_channel *c)
{
    dde_kit_outb(c->kit, c->control_port, CONTROL_NIEN | CONTROL_SRST);
    bool slept = dde_kit_thread_msleep(c->kit, RESET_SLEEP_MS) == DDE_KIT_TIMER_OK;
    dde_kit_outb(c->kit, c->control_port, CONTROL_NIEN);
    slept = slept && dde_kit_thread_msleep(c->kit, RESET_SLEEP_MS) == DDE_KIT_TIMER_OK;
    poll_not_busy(c);
    return slept;
}

static void select_drive(struct ata_channel *c, unsigned drive, uint8_t lba_top)
{
    reg_out(c, REG_DEVICE, (uint8_t)(DEVICE_LBA | (drive ? DEVICE_SLAVE : 0) | (lba_top & 0x0F)));
    for (unsigned i = 0; i < 4; i++)   /* 400 ns for the drive to answer */
        alt_status(c);
}

static void identify_string(const uint16_t *words, char *out, size_t length)
{
    for (size_t i = 0; i < length / 2; i++) {
        out[2 * i] = (char)(words[i] >> 8);
        out[2 * i + 1] = (char)words[i];
    }
    out[length] = '\0';
    while (length > 0 && out[length - 1] == ' ')
        out[--length] = '\0';
    for (size_t i = 0; i < length; i++)   /* a disk's string is untrusted input */
        if (out[i] < 0x20 || out[i] > 0x7E)
            out[i] = '?';
}

/* Interrupts are off (nIEN) while probing. */
static void probe_drive(struct ata_channel *c, unsigned drive)
{
    struct ata_drive *d = &c->drives[drive];
    *d = (struct ata_drive){0};
    select_drive(c, drive, 0);
    uint8_t status = alt_status(c);
    if (status == 0x00 || status == 0xFF)
        return;   /* nobody answers */
    if (poll_not_busy(c) & STATUS_BSY)
        return;
    reg_out(c, REG_COMMAND, CMD_IDENTIFY);
    status = poll_not_busy(c);
    if ((status & (STATUS_BSY | STATUS_ERR)) || !(status & STATUS_DRQ))
        return;   /* not an ATA disk (an ATAPI device aborts IDENTIFY) */
    for (unsigned i = 0; i < 256; i++)
        c->identify[i] = dde_kit_inw(c->kit, (uint16_t)(c->command_base + REG_DATA));
    reg_in(c, REG_STATUS);
    if (!(c->identify[IDENTIFY_CAPABILITIES] & IDENTIFY_CAP_LBA))
        return;   /* CHS-only disks are not supported */
    identify_string(&c->identify[IDENTIFY_MODEL], d->model, ATA_MODEL_MAX);
    uint32_t sectors = (uint32_t)c->identify[IDENTIFY_LBA28_SECTORS] |
                       (uint32_t)c->identify[IDENTIFY_LBA28_SECTORS + 1] << 16;
    d->sectors = sectors > ATA_LBA28_SECTORS_MAX ? ATA_LBA28_SECTORS_MAX : sectors;
    d->present = true;
}

enum ata_init_status ata_channel_init(struct ata_channel *c, struct dde_kit *kit,
                                      bool use_interrupts)
{
    *c = (struct ata_channel){.kit = kit, .command_base = PRIMARY_COMMAND_BASE,
                              .control_port = PRIMARY_CONTROL_PORT, .irq = PRIMARY_IRQ};
    dde_kit_lock_init(&c->wait_lock);
    dde_kit_sem_init(&c->done, 0);
    if (dde_kit_request_io(kit, c->command_base, 8) != DDE_KIT_IO_OK ||
        dde_kit_request_io(kit, c->control_port, 1) != DDE_KIT_IO_OK)
        return ATA_INIT_NO_PORTS;
    if (alt_status(c) == 0xFF && reg_in(c, REG_STATUS) == 0xFF)
        return ATA_INIT_NO_CONTROLLER;
    if (!software_reset(c))
        return ATA_INIT_NO_TIMER;
    for (unsigned drive = 0; drive < ATA_DRIVES; drive++)
        probe_drive(c, drive);
    select_drive(c, 0, 0);
    c->polled = !use_interrupts ||
                dde_kit_interrupt_attach(kit, c->irq, NULL, ata_interrupt, c) !=
                    DDE_KIT_INTERRUPT_OK;
    reg_in(c, REG_STATUS);   /* nothing left pending */
    dde_kit_outb(kit, c->control_port, c->polled ? CONTROL_NIEN : 0);
    return ATA_INIT_OK;
}

/* ---- reading and writing ---------------------------------------------------- */

/* After a device error or a timeout the drive may be left mid-command
 * (DRQ with data nobody takes, BSY): a software reset brings the channel
 * back, so one bad request does not wedge every later one. */
static enum block_error recover(struct ata_channel *c, enum block_error error)
{
    if (error != BLOCK_ERR_DEVICE && error != BLOCK_ERR_TIMEOUT)
        return error;
    c->resets++;
    software_reset(c);
    reg_in(c, REG_STATUS);
    dde_kit_outb(c->kit, c->control_port, c->polled ? CONTROL_NIEN : 0);
    return error;
}

static enum block_error range_check(struct ata_channel *c, unsigned drive, uint64_t lba,
                                    uint64_t count)
{
    if (drive >= ATA_DRIVES || !c->drives[drive].present)
        return BLOCK_ERR_NO_DEVICE;
    if (count == 0 || count > BLOCK_TRANSFER_BLOCKS_MAX)
        return BLOCK_ERR_BAD_COUNT;
    uint64_t sectors = c->drives[drive].sectors;
    if (lba >= sectors || count > sectors - lba)
        return BLOCK_ERR_BAD_LBA;
    return BLOCK_OK;
}

/* Selects the drive and writes the task file (not the command). */
static enum block_error command_setup(struct ata_channel *c, unsigned drive, uint64_t lba,
                                      uint64_t count)
{
    select_drive(c, drive, (uint8_t)(lba >> 24));
    if (poll_not_busy(c) & (STATUS_BSY | STATUS_DRQ))
        return BLOCK_ERR_TIMEOUT;   /* the drive never became ready */
    reg_out(c, REG_COUNT, (uint8_t)count);
    reg_out(c, REG_LBA_LOW, (uint8_t)lba);
    reg_out(c, REG_LBA_MID, (uint8_t)(lba >> 8));
    reg_out(c, REG_LBA_HIGH, (uint8_t)(lba >> 16));
    return BLOCK_OK;
}

static void handler_hold(struct ata_channel *c, bool hold)
{
    if (c->polled)
        return;
    if (hold)
        dde_kit_interrupt_disable(c->kit, c->irq);
    else
        dde_kit_interrupt_enable(c->kit, c->irq);
}

static enum block_error read_sectors(struct ata_channel *c, unsigned drive, uint64_t lba,
                                     uint64_t count, uint8_t *buffer)
{
    enum block_error error = range_check(c, drive, lba, count);
    if (error == BLOCK_OK)
        error = command_setup(c, drive, lba, count);
    if (error == BLOCK_OK)
        error = wait_arm(c);
    if (error != BLOCK_OK)
        return error;
    reg_out(c, REG_COMMAND, CMD_READ_SECTORS);
    for (uint64_t sector = 0; sector < count; sector++) {
        uint8_t status = 0;
        error = wait_finish(c, &status);
        if (error == BLOCK_OK)
            error = status_check(c, status, true);
        if (error != BLOCK_OK)
            return error;
        bool more = sector + 1 < count;
        uint16_t *words = (uint16_t *)(buffer + sector * ATA_SECTOR_BYTES);
        handler_hold(c, more);
        for (unsigned i = 0; i < ATA_SECTOR_BYTES / 2; i++) {
            uint16_t word = dde_kit_inw(c->kit, (uint16_t)(c->command_base + REG_DATA));
            duet_memcpy(&words[i], &word, sizeof word);
        }
        if (more) {
            error = wait_arm(c);   /* the next sector's interrupt is held off till now */
            handler_hold(c, false);
        }
        if (error != BLOCK_OK)
            return error;
    }
    /* After the last sector: no interrupt, the drive is ready again. */
    uint8_t status = poll_not_busy(c);
    return status_check(c, status, false);
}

static enum block_error flush_cache(struct ata_channel *c)
{
    enum block_error error = wait_arm(c);
    if (error != BLOCK_OK)
        return error;
    reg_out(c, REG_COMMAND, CMD_FLUSH_CACHE);
    uint8_t status = 0;
    error = wait_finish(c, &status);
    return error == BLOCK_OK ? status_check(c, status, false) : error;
}

static enum block_error write_sectors(struct ata_channel *c, unsigned drive, uint64_t lba,
                                      uint64_t count, const uint8_t *buffer)
{
    enum block_error error = range_check(c, drive, lba, count);
    if (error == BLOCK_OK)
        error = command_setup(c, drive, lba, count);
    if (error != BLOCK_OK)
        return error;
    reg_out(c, REG_COMMAND, CMD_WRITE_SECTORS);
    /* The first sector is asked for without an interrupt. */
    uint8_t status = poll_not_busy(c);
    error = status & STATUS_BSY ? BLOCK_ERR_TIMEOUT : status_check(c, status, true);
    for (uint64_t sector = 0; sector < count && error == BLOCK_OK; sector++) {
        const uint16_t *words = (const uint16_t *)(buffer + sector * ATA_SECTOR_BYTES);
        handler_hold(c, true);
        for (unsigned i = 0; i < ATA_SECTOR_BYTES / 2 - 1; i++) {
            uint16_t word;
            duet_memcpy(&word, &words[i], sizeof word);
            dde_kit_outw(c->kit, (uint16_t)(c->command_base + REG_DATA), word);
        }
        error = wait_arm(c);
        uint16_t last;
        duet_memcpy(&last, &words[ATA_SECTOR_BYTES / 2 - 1], sizeof last);
        if (error == BLOCK_OK)
            dde_kit_outw(c->kit, (uint16_t)(c->command_base + REG_DATA), last);
        handler_hold(c, false);
        if (error == BLOCK_OK)
            error = wait_finish(c, &status);
        if (error == BLOCK_OK)
            error = status_check(c, status, sector + 1 < count);
    }
    return error == BLOCK_OK ? flush_cache(c) : error;
}

enum block_error ata_channel_read(struct ata_channel *c, unsigned drive, uint64_t lba,
                                  uint64_t count, uint8_t *buffer)
{
    return recover(c, read_sectors(c, drive, lba, count, buffer));
}

enum block_error ata_channel_write(struct ata_channel *c, unsigned drive, uint64_t lba,
                                   uint64_t count, const uint8_t *buffer)
{
    return recover(c, write_sectors(c, drive, lba, count, buffer));
}
