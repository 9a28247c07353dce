/*
 * ide.h - an IDE/ATA hard disk on the PC's primary channel as a
 * deterministic device model.
 *
 * One channel: the command block at 0x1F0-0x1F7 (data, error/features,
 * sector count, LBA low/mid/high, device/head, status/command), the
 * control block at 0x3F6 (alternate status / device control) and IRQ 14.
 * The master is a hard disk whose medium is a byte buffer the owner gives
 * (never host I/O); the slave is absent. Register by register the model
 * follows QEMU 7.2's hw/ide/core.c with the port layout of hw/ide/ioport.c,
 * so a driver written against QEMU's primary IDE disk sees the same status
 * and error bits, identify block, signatures and IRQs. docs/HW_MODELS.md
 * lists what is modelled and what is not.
 *
 * Call order for the owner (the sim):
 *   ide_init(&ide, &host, IDE_PRIMARY_IRQ_LINE, image, image_bytes, NULL);
 *   attach ide_command_port_device(&ide) and ide_control_port_device(&ide);
 *   ... the bus calls read/write; when virtual time reaches the time the
 *   model last passed to host->deadline_set, the owner calls the device's
 *   deadline (both views carry it: the bus keys deadlines by model);
 *   ide_reset(&ide) on machine reset.
 * The image is the owner's: image_bytes is a multiple of 512, the model
 * reads and writes sectors inside it and nowhere else, and keeps the
 * pointer (a world snapshot must copy the image with the struct).
 *
 * All other state is in struct ide (no allocation), declared here so the
 * owner can embed it. Read its fields in tests and oracles, write them
 * never. Not here: port routing and IRQ lines (sim/), the PIIX bus-master
 * DMA engine, the secondary channel, ATAPI.
 */
#ifndef DUET_IDE_H
#define DUET_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/hw_bus.h"

enum {
    IDE_PRIMARY_COMMAND_PORT_BASE = 0x1F0,
    IDE_COMMAND_PORT_COUNT = 8,
    IDE_PRIMARY_CONTROL_PORT_BASE = 0x3F6,
    IDE_CONTROL_PORT_COUNT = 1,
    IDE_PRIMARY_IRQ_LINE = 14,
    IDE_SECTOR_BYTES = 512,
    IDE_MULTIPLE_SECTORS_MAX = 16,   /* QEMU MAX_MULT_SECTORS: largest DRQ block */
    IDE_BUFFER_BYTES = IDE_MULTIPLE_SECTORS_MAX * IDE_SECTOR_BYTES,
    IDE_IDENTIFY_WORDS = 256,
    IDE_LBA28_SECTORS_MAX = (1 << 28) - 1,
};

enum { IDE_MASTER = 0, IDE_SLAVE = 1, IDE_DRIVES = 2 };

/* Command block register offsets (from 0x1F0). */
enum ide_register {
    IDE_REG_DATA = 0,
    IDE_REG_ERROR_FEATURE = 1,
    IDE_REG_SECTOR_COUNT = 2,
    IDE_REG_SECTOR_NUMBER = 3,       /* LBA 7:0 */
    IDE_REG_CYLINDER_LOW = 4,        /* LBA 15:8 */
    IDE_REG_CYLINDER_HIGH = 5,       /* LBA 23:16 */
    IDE_REG_DEVICE = 6,              /* device/head: LBA 27:24 or head */
    IDE_REG_STATUS_COMMAND = 7,
};

/* Register bits. */
enum {
    IDE_STATUS_ERR = 0x01,
    IDE_STATUS_DRQ = 0x08,
    IDE_STATUS_DSC = 0x10,           /* seek complete */
    IDE_STATUS_DF = 0x20,            /* device fault: never set, as in QEMU */
    IDE_STATUS_DRDY = 0x40,
    IDE_STATUS_BSY = 0x80,

    IDE_ERROR_ABRT = 0x04,
    IDE_ERROR_DIAGNOSTIC_PASSED = 0x01,  /* EXECUTE DEVICE DIAGNOSTIC, SRST */

    IDE_CONTROL_NIEN = 0x02,
    IDE_CONTROL_SRST = 0x04,
    IDE_CONTROL_HOB = 0x80,          /* reads return the previous (high) bytes */

    IDE_DEVICE_ALWAYS_ON = 0xA0,     /* bits 7 and 5, forced on every write */
    IDE_DEVICE_LBA = 0x40,
    IDE_DEVICE_SLAVE = 0x10,
    IDE_DEVICE_HEAD = 0x0F,          /* head, or LBA 27:24 */
};

/* The commands QEMU's hard disk accepts (everything else is aborted). */
enum {
    IDE_CMD_DATA_SET_MANAGEMENT = 0x06,
    IDE_CMD_RECALIBRATE = 0x10,
    IDE_CMD_READ_SECTORS = 0x20,
    IDE_CMD_READ_SECTORS_NO_RETRY = 0x21,
    IDE_CMD_READ_SECTORS_EXT = 0x24,
    IDE_CMD_READ_DMA_EXT = 0x25,
    IDE_CMD_READ_NATIVE_MAX_EXT = 0x27,
    IDE_CMD_READ_MULTIPLE_EXT = 0x29,
    IDE_CMD_WRITE_SECTORS = 0x30,
    IDE_CMD_WRITE_SECTORS_NO_RETRY = 0x31,
    IDE_CMD_WRITE_SECTORS_EXT = 0x34,
    IDE_CMD_WRITE_DMA_EXT = 0x35,
    IDE_CMD_WRITE_MULTIPLE_EXT = 0x39,
    IDE_CMD_WRITE_VERIFY = 0x3C,
    IDE_CMD_VERIFY = 0x40,
    IDE_CMD_VERIFY_NO_RETRY = 0x41,
    IDE_CMD_VERIFY_EXT = 0x42,
    IDE_CMD_SEEK = 0x70,
    IDE_CMD_EXECUTE_DIAGNOSTIC = 0x90,
    IDE_CMD_INITIALIZE_DEVICE_PARAMETERS = 0x91,
    IDE_CMD_STANDBY_IMMEDIATE_OLD = 0x94,
    IDE_CMD_IDLE_IMMEDIATE_OLD = 0x95,
    IDE_CMD_STANDBY_OLD = 0x96,
    IDE_CMD_IDLE_OLD = 0x97,
    IDE_CMD_CHECK_POWER_MODE_OLD = 0x98,
    IDE_CMD_SLEEP_OLD = 0x99,
    IDE_CMD_SMART = 0xB0,
    IDE_CMD_READ_MULTIPLE = 0xC4,
    IDE_CMD_WRITE_MULTIPLE = 0xC5,
    IDE_CMD_SET_MULTIPLE_MODE = 0xC6,
    IDE_CMD_READ_DMA = 0xC8,
    IDE_CMD_READ_DMA_NO_RETRY = 0xC9,
    IDE_CMD_WRITE_DMA = 0xCA,
    IDE_CMD_WRITE_DMA_NO_RETRY = 0xCB,
    IDE_CMD_STANDBY_IMMEDIATE = 0xE0,
    IDE_CMD_IDLE_IMMEDIATE = 0xE1,
    IDE_CMD_STANDBY = 0xE2,
    IDE_CMD_IDLE = 0xE3,
    IDE_CMD_CHECK_POWER_MODE = 0xE5,
    IDE_CMD_SLEEP = 0xE6,
    IDE_CMD_FLUSH_CACHE = 0xE7,
    IDE_CMD_FLUSH_CACHE_EXT = 0xEA,
    IDE_CMD_IDENTIFY_DEVICE = 0xEC,
    IDE_CMD_SET_FEATURES = 0xEF,
    IDE_CMD_SECURITY_FREEZE_LOCK = 0xF5,  /* QEMU: CFA WEAR LEVEL, a no-op */
    IDE_CMD_READ_NATIVE_MAX = 0xF8,
};

/* SMART subcommands (features register), with 0xC24F in LBA mid/high. */
enum {
    IDE_SMART_READ_DATA = 0xD0,
    IDE_SMART_READ_THRESHOLDS = 0xD1,
    IDE_SMART_AUTOSAVE = 0xD2,
    IDE_SMART_EXECUTE_OFFLINE = 0xD4,
    IDE_SMART_READ_LOG = 0xD5,
    IDE_SMART_ENABLE = 0xD8,
    IDE_SMART_DISABLE = 0xD9,
    IDE_SMART_RETURN_STATUS = 0xDA,
    IDE_SMART_SIGNATURE_LOW = 0x4F,      /* cylinder low */
    IDE_SMART_SIGNATURE_HIGH = 0xC2,     /* cylinder high */
    IDE_SMART_SELFTEST_LOG_BYTES = 512,
};

/* CHS geometry of the disk (QEMU's cyls/heads/secs properties). */
struct ide_geometry {
    uint16_t cylinders;              /* 1..65535 */
    uint8_t heads;                   /* 1..16 */
    uint8_t sectors;                 /* per track, 1..255 */
};

/* What the owner may choose; ide_init(..., NULL) takes QEMU 7.2's pc
 * defaults for the primary master. Strings are copied (and cut to the
 * identify field's length); pointers are not kept. */
struct ide_config {
    const char *model;               /* NULL: "QEMU HARDDISK" (40 chars max) */
    const char *serial;              /* NULL: "QM00001" (20 chars max) */
    const char *firmware;            /* NULL: "2.5+" (8 chars max) */
    struct ide_geometry geometry;    /* all zero: ide_geometry_guess() */
    /* Virtual time from a data request (a READ's sector, a WRITE's filled
     * block, a flush) to its completion: BSY until then. 0: completes
     * within the port access, as QEMU's asynchronous I/O appears to a
     * guest that polls slower than the host disk. */
    uint64_t command_latency_ns;
    /* From the rising edge of SRST until the reset is performed (QEMU runs
     * it from a bottom half); 0: within the control write. */
    uint64_t reset_latency_ns;
};

/* One drive's task file. QEMU keeps one per drive and writes both on
 * every register write (they share the cable). */
struct ide_taskfile {
    uint8_t feature;
    uint8_t error;
    uint32_t sector_count;           /* up to 17 bits after a count transform */
    uint8_t sector_number;
    uint8_t cylinder_low;
    uint8_t cylinder_high;
    uint8_t device;                  /* device/head ("select") */
    uint8_t status;
    /* The previous value of each register (LBA48 high bytes, HOB reads). */
    uint8_t hob_feature;
    uint8_t hob_sector_count;
    uint8_t hob_sector_number;
    uint8_t hob_cylinder_low;
    uint8_t hob_cylinder_high;
};

/* What the data port moves while DRQ is set. */
enum ide_transfer {
    IDE_TRANSFER_NONE = 0,           /* empty window: reads 0, writes ignored */
    IDE_TRANSFER_DATA_IN,            /* identify / SMART block; its end ends the command */
    IDE_TRANSFER_READ,               /* READ (MULTIPLE): its end fetches the next block */
    IDE_TRANSFER_WRITE,              /* WRITE (MULTIPLE): its end commits the block */
};

/* A disk request in flight (BSY), completing at io_done_at_ns. */
enum ide_io {
    IDE_IO_NONE = 0,
    IDE_IO_READ,
    IDE_IO_WRITE,
    IDE_IO_FLUSH,
};

/* The master's device state beyond its task file. */
struct ide_disk {
    uint64_t sector_total;           /* image_bytes / 512 */
    struct ide_geometry geometry;    /* power-on geometry */
    uint8_t heads;                   /* logical, INITIALIZE DEVICE PARAMETERS */
    uint32_t sectors_per_track;      /* logical; 0 is possible, as in QEMU */
    bool reset_reverts;              /* SET FEATURES 0xCC: SRST restores geometry */
    bool lba48;                      /* the last addressed command was an EXT one */
    uint8_t multiple_sectors;        /* SET MULTIPLE MODE; 16 after reset */
    uint8_t block_sectors;           /* sectors per DRQ block of this command */
    bool write_cache;
    bool identify_set;               /* identify[] built (QEMU keeps it) */
    uint16_t identify[IDE_IDENTIFY_WORDS];
    bool smart_enabled;
    bool smart_autosave;
    uint8_t smart_selftest_count;
    uint8_t smart_selftest_log[IDE_SMART_SELFTEST_LOG_BYTES];

    enum ide_transfer transfer;
    uint16_t data_offset;            /* next byte of buffer the data port moves */
    uint16_t data_end;               /* end of the DRQ window in buffer */
    uint64_t buffer_lba;             /* first sector of a READ/WRITE block */
    uint8_t buffer[IDE_BUFFER_BYTES];

    enum ide_io io;
    uint64_t io_done_at_ns;
};

/* Counters since init; tests and fuzz oracles read them. */
struct ide_stats {
    uint64_t commands;               /* command writes the master decoded */
    uint64_t commands_ignored;       /* command writes ignored (BSY/DRQ, no slave) */
    uint64_t aborts;                 /* ERR + ABRT outcomes (bad command, range) */
    uint64_t sectors_read;           /* sectors copied out of the image */
    uint64_t sectors_written;        /* sectors copied into the image */
    uint64_t last_write_lba;         /* the latest block written ... */
    uint64_t last_write_sectors;     /* ... and its length */
    uint64_t io_completions;         /* IDE_IO_* requests finished */
    uint64_t dma_waits;              /* DMA commands left waiting for a bus master */
    uint64_t software_resets;        /* SRST performed */
    uint64_t irq_rises;
    uint64_t irq_falls;
};

struct ide {
    /* Wiring, fixed by ide_init. */
    const struct hw_bus_host *host;
    unsigned irq_line;
    uint8_t *image;
    uint64_t image_bytes;
    uint64_t command_latency_ns;
    uint64_t reset_latency_ns;
    char model[41];
    char serial[21];
    char firmware[9];

    struct ide_taskfile drives[IDE_DRIVES];   /* [IDE_MASTER], [IDE_SLAVE] */
    struct ide_disk disk;                     /* the master */
    uint8_t control;                 /* device control as last written */
    uint8_t selected;                /* IDE_MASTER or IDE_SLAVE (DEV bit) */
    bool reset_pending;              /* SRST seen, reset at reset_at_ns */
    uint64_t reset_at_ns;

    bool irq_level;                  /* level last passed to host->irq_set */
    uint64_t now_ns;                 /* virtual time of the latest entry */
    uint64_t deadline_requested_ns;
    bool in_entry;                   /* guards against calls from the host */

    struct ide_stats stats;
};

/* Wire the model and power it on: the task files as after QEMU's
 * ide_reset, IRQ low (the host is told), no deadline. image_bytes must be
 * a multiple of 512; image may be NULL only if image_bytes is 0. */
void ide_init(struct ide *ide, const struct hw_bus_host *host,
              unsigned irq_line, uint8_t *image, uint64_t image_bytes,
              const struct ide_config *config);

/* Machine reset (QEMU ide_bus_reset): both drives reset (no diagnostic),
 * master selected, device control 0, pending work dropped, IRQ low. The
 * identify block, SMART log and write-cache setting survive, as in QEMU. */
void ide_reset(struct ide *ide);

/* The bus views: 0x1F0-0x1F7 (byte registers; word and dword data at
 * offset 0) and 0x3F6 (one byte). Both carry the deadline callback. */
struct hw_port_device ide_command_port_device(struct ide *ide);
struct hw_port_device ide_control_port_device(struct ide *ide);

/* QEMU's hd_geometry_guess for an image without a probed geometry: the
 * MBR partition table's CHS if it is plausible with 16 heads or fewer,
 * else 16 heads, 63 sectors and size / 1008 cylinders (2..16383). */
struct ide_geometry ide_geometry_guess(const uint8_t *image,
                                       uint64_t image_bytes);

/* What the alternate status register reads now (no side effects), and
 * the IRQ line as last driven. */
uint8_t ide_status_peek(const struct ide *ide);
bool ide_irq_level(const struct ide *ide);

/* The model's invariants (numbered in ide.c). Returns NULL when all hold,
 * else a static string naming the first broken one. */
const char *ide_check(const struct ide *ide);

#endif
