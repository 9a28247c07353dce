/*
 * ata_channel.h - one IDE channel driven in PIO mode on the DDE kit
 * (internal to framework/os/ata/).
 *
 * Call order: ata_channel_init (ports, IRQ, reset, probe of master and
 * slave), then any number of ata_channel_read / ata_channel_write from
 * one thread at a time (the Block server's entrypoint). Everything goes
 * through dde_kit_*: ports, the IRQ handler, timeouts, sleeping, log.
 */
#ifndef DUET_ATA_CHANNEL_H
#define DUET_ATA_CHANNEL_H

#include "dde_kit/dde_kit.h"
#include "dde_kit/lock.h"
#include "dde_kit/timer.h"
#include "duet/block_session.h"

enum {
    ATA_DRIVES = 2,
    ATA_MODEL_MAX = 40,
    ATA_SECTOR_BYTES = 512,
    ATA_LBA28_SECTORS_MAX = (1 << 28) - 1,
    ATA_IRQ_TIMEOUT_MS = 500,       /* one sector or one command */
    ATA_POLL_READS_MAX = 20000,     /* alternate-status reads while BSY (~20 ms) */
};

struct ata_drive {
    bool present;
    char model[ATA_MODEL_MAX + 1];
    uint32_t sectors;               /* LBA28 capacity */
};

struct ata_channel {
    struct dde_kit *kit;
    uint16_t command_base;          /* 0x1F0 */
    uint16_t control_port;          /* 0x3F6 */
    unsigned irq;
    bool polled;                    /* no IRQ: nIEN stays set, status polled */
    struct ata_drive drives[ATA_DRIVES];

    /* The wait for one interrupt (guarded by wait_lock): armed by the
     * driver before it lets the device go on, finished exactly once, by
     * the IRQ handler or the timeout, which then ups `done`. */
    struct dde_kit_lock wait_lock;
    struct dde_kit_sem done;
    struct dde_kit_timer timeout;
    bool armed;
    bool timed_out;
    uint8_t status;                 /* what the handler read */
    uint64_t interrupts;            /* handled while armed */
    uint64_t spurious;              /* arrived while nothing was armed */
    uint64_t resets;                /* recoveries after a device error or timeout */

    uint16_t identify[256];
};

enum ata_init_status {
    ATA_INIT_OK = 0,
    ATA_INIT_NO_PORTS,              /* the IO_PORT sessions were refused */
    ATA_INIT_NO_CONTROLLER,         /* status floats (0xFF): nothing on the channel */
    ATA_INIT_NO_TIMER,              /* the kit's timers are unavailable */
};

/* use_interrupts false: the channel runs polled (nIEN set) even if IRQ 14
 * could be had. */
enum ata_init_status ata_channel_init(struct ata_channel *channel, struct dde_kit *kit,
                                      bool use_interrupts);
enum block_error ata_channel_read(struct ata_channel *channel, unsigned drive, uint64_t lba,
                                  uint64_t count, uint8_t *buffer);
enum block_error ata_channel_write(struct ata_channel *channel, unsigned drive, uint64_t lba,
                                   uint64_t count, const uint8_t *buffer);

#endif
