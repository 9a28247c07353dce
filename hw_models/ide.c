/*
 * ide.c - an IDE/ATA hard disk on the primary channel as a deterministic
 * model.
 *
 * Register behaviour follows QEMU 7.2's hw/ide/core.c for an "ide-hd"
 * master with no slave (QEMU's function names in brackets below); the port
 * layout is hw/ide/ioport.c's. Interface: duet/ide.h. Not here: port
 * routing and IRQ lines (sim/), the PIIX bus-master DMA engine (a DMA
 * command waits for it forever, as on QEMU when the guest never starts
 * it), ATAPI and CFA commands (aborted, as QEMU's hard disk does), rerror/
 * werror policies (the image never fails), QEMU's "win2k install hack".
 *
 * QEMU keeps a task file per drive and writes both on every register
 * write; the selected drive (DEV bit) answers reads and takes commands.
 * The absent slave reads 0 in status, alternate status and error, its own
 * copies in the other registers, and ignores commands [ide_ioport_read,
 * ide_exec_cmd]. Command-block writes other than the command are ignored
 * while the selected drive shows BSY or DRQ [ide_ioport_write].
 *
 * The master's command flow (status bytes as the guest reads them):
 *
 *   idle 0x50 --command write: IRQ lowered--> decode [command_execute]
 *     not a hard-disk command, or bad parameters -> 0x41, error ABRT, IRQ
 *     non-data (VERIFY, SET FEATURES, ...) -> 0x50 (0x40 for those
 *       QEMU does not flag DSC), IRQ
 *     IDENTIFY, SMART data -> 0x58 + IRQ; 512 bytes out -> 0x50
 *     READ [ide_sector_read]: per block, range check (fail: 0x41 ABRT +
 *       IRQ), image -> buffer, BSY 0xD0 --latency--> 0x58 + IRQ
 *       [io_complete]; the block's last byte out asks for the next block,
 *       or leaves 0x50 after the last
 *     WRITE [cmd_write_pio]: 0x58, no IRQ; a block's last byte in ->
 *       range check (fail: 0x41 ABRT + IRQ, image untouched), buffer ->
 *       image, BSY 0xD0 --latency--> 0x58 (next block) or 0x50, IRQ
 *     FLUSH CACHE, SET FEATURES 0x82: BSY 0xC0 --latency--> 0x50 + IRQ
 *     DMA commands: 0x58 with an empty data window until SRST
 *   SRST 0->1 in device control: BSY on both drives --reset latency-->
 *     each drive reset and diagnosed: 0x50, error 0x01, count 1,
 *     sector 1, cylinder 0/0 (slave: 0xFF/0xFF), device 0xA0, IRQ
 *     [ide_bus_perform_srst]; a request in flight is dropped (a write has
 *     already reached the image).
 *
 * "latency" is the owner's command_latency_ns; 0 completes the request
 * within the access that caused it. Every entry first replays the
 * completions that fell due (a request before a reset due at the same
 * instant), then acts, then asks for its one deadline. IRQ 14 rises only
 * where QEMU calls ide_set_irq and only with nIEN clear; it falls on a
 * status read and a command write, never on nIEN or an alternate status
 * read; the host hears changes only.
 *
 * Invariants (ide_check, after every entry):
 *  1. The image is whole sectors and disk.sector_total counts them; the
 *     selected drive is 0 or 1.
 *  2. Every device register has bits 7 and 5 set; sector counts fit 17
 *     bits; the slave reads DRDY|DSC, with BSY exactly while a reset is
 *     pending, never DRQ; its error register is 0 or 1.
 *  3. The master never shows DF; a request in flight implies BSY, and BSY
 *     implies a request in flight or a pending reset.
 *  4. The data window lies in the buffer (offset <= end <= 8 KiB); no
 *     transfer means an empty window; DRQ with a transfer means bytes
 *     left to move; neither BSY nor DRQ means no transfer; a READ window
 *     is whole sectors inside the image.
 *  5. Pending events lie in the future (nothing pends with latency 0).
 *  6. The requested deadline is the earlier of the two pending events.
 *  7. The geometry is sane: 1..16 logical heads, a power-on geometry in
 *     QEMU's bounds, multiple mode 0 or a power of two up to 16, blocks
 *     of at most 16 sectors.
 *  8. IRQ rises and falls add up to the line level.
 *  9. A built identify block reports the image's size in words 60-61
 *     (LBA28, capped) and 100-103.
 */
#include "duet/ide.h"

#include <string.h>

#include "hw_assert.h"

enum {
    SECTOR_COUNT_MAX = 0x1FFFF,      /* (hob << 8) | a previous 17-bit count */
    ADVANCE_STEPS_MAX = 3,           /* a completion and a reset, at most */
    SET_FEATURES_TRANSFER_MODE = 0x03,
    SET_FEATURES_WRITE_CACHE_ON = 0x02,
    SET_FEATURES_WRITE_CACHE_OFF = 0x82,
    SET_FEATURES_REVERT_ON = 0xCC,
    SET_FEATURES_REVERT_OFF = 0x66,
    DSM_TRIM = 0x01,
    GEOMETRY_CYLINDERS_GUESS_MAX = 16383,
    GEOMETRY_CYLINDERS_GUESS_MIN = 2,
    GEOMETRY_HEADS_GUESS = 16,
    GEOMETRY_SECTORS_GUESS = 63,
    MBR_SIGNATURE_OFFSET = 510,
    MBR_PARTITIONS_OFFSET = 0x1BE,
    MBR_PARTITION_BYTES = 16,
    SMART_SELFTEST_ENTRIES_MAX = 21,
    SMART_SELFTEST_ENTRY_BYTES = 24,
};

_Static_assert(IDE_BUFFER_BYTES <= UINT16_MAX, "data offsets fit 16 bits");
_Static_assert(IDE_COMMAND_PORT_COUNT == 8, "ATA decodes 3 address bits");
_Static_assert(2 + SMART_SELFTEST_ENTRIES_MAX * SMART_SELFTEST_ENTRY_BYTES
                   <= IDE_SMART_SELFTEST_LOG_BYTES, "self-test log fits");

static const char default_model[] = "QEMU HARDDISK";
static const char default_serial[] = "QM00001";   /* QEMU: first drive made */
static const char default_firmware[] = "2.5+";    /* qemu_hw_version() */

/* ---- small pure helpers ---------------------------------------------- */

static uint64_t time_add_ns(uint64_t at_ns, uint64_t delta_ns)
{
    uint64_t limit_ns = (uint64_t)HW_DEADLINE_NONE - 1;
    if (at_ns >= limit_ns || delta_ns >= limit_ns - at_ns) {
        return limit_ns;
    }
    return at_ns + delta_ns;
}

static uint32_t all_ones(unsigned width)
{
    return width >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static void text_copy(char *destination, size_t capacity, const char *source)
{
    size_t length = strlen(source);
    if (length > capacity - 1) {
        length = capacity - 1;
    }
    memcpy(destination, source, length);
    destination[length] = '\0';
}

/* ---- identify block and SMART pages (pure builders) ------------------ */

/* ATA strings: two characters per word, the first in the high byte,
 * padded with spaces [padstr]. */
static void identify_text(uint16_t *words, unsigned first_word,
                          unsigned word_count, const char *text)
{
    size_t length = strlen(text);
    for (unsigned i = 0; i < 2 * word_count; i++) {
        uint8_t c = i < length ? (uint8_t)text[i] : ' ';
        uint16_t *word = &words[first_word + i / 2];
        *word |= (i % 2 == 0) ? (uint16_t)(c << 8) : c;
    }
}

static void identify_size(uint16_t *words, uint64_t sector_total)
{
    uint64_t lba28 = sector_total < IDE_LBA28_SECTORS_MAX
                         ? sector_total : IDE_LBA28_SECTORS_MAX;
    words[60] = (uint16_t)lba28;
    words[61] = (uint16_t)(lba28 >> 16);
    for (unsigned i = 0; i < 4; i++) {
        words[100 + i] = (uint16_t)(sector_total >> (16 * i));
    }
}

/* QEMU's ide_identify for an ide-hd with default properties (512-byte
 * physical blocks, discard granularity 512, no WWN, rotation rate 0). The
 * geometry words take the logical geometry of the moment. */
static void identify_build(const struct ide *ide, uint16_t *words)
{
    const struct ide_disk *disk = &ide->disk;
    uint32_t cylinders = disk->geometry.cylinders;
    uint32_t heads = disk->heads;
    uint32_t sectors = disk->sectors_per_track;
    uint32_t chs_sectors = (uint32_t)((uint64_t)cylinders * heads * sectors);
    memset(words, 0, IDE_IDENTIFY_WORDS * sizeof words[0]);
    words[0] = 0x0040;                   /* fixed disk */
    words[1] = (uint16_t)cylinders;
    words[3] = (uint16_t)heads;
    words[4] = (uint16_t)(IDE_SECTOR_BYTES * sectors);
    words[5] = IDE_SECTOR_BYTES;
    words[6] = (uint16_t)sectors;
    identify_text(words, 10, 10, ide->serial);
    words[20] = 3;                       /* buffer type */
    words[21] = 512;                     /* buffer size in sectors */
    words[22] = 4;                       /* ECC bytes */
    identify_text(words, 23, 4, ide->firmware);
    identify_text(words, 27, 20, ide->model);
    words[47] = 0x8000 | IDE_MULTIPLE_SECTORS_MAX;
    words[48] = 1;                       /* dword I/O */
    words[49] = 0x0B00;                  /* IORDY, LBA, DMA */
    words[51] = 0x0200;                  /* PIO timing */
    words[52] = 0x0200;                  /* DMA timing */
    words[53] = 0x0007;                  /* words 54-58, 64-70, 88 valid */
    words[54] = (uint16_t)cylinders;
    words[55] = (uint16_t)heads;
    words[56] = (uint16_t)sectors;
    words[57] = (uint16_t)chs_sectors;
    words[58] = (uint16_t)(chs_sectors >> 16);
    if (disk->multiple_sectors != 0) {
        words[59] = 0x0100 | disk->multiple_sectors;
    }
    words[62] = 0x0007;                  /* single-word DMA 0-2 */
    words[63] = 0x0007;                  /* multiword DMA 0-2 */
    words[64] = 0x0003;                  /* PIO 3-4 */
    words[65] = words[66] = words[67] = words[68] = 120;
    words[69] = 0x4000;                  /* deterministic TRIM */
    words[80] = 0x00F0;                  /* ATA-4..7 */
    words[81] = 0x0016;
    words[82] = 0x4021;                  /* NOP, write cache, SMART */
    words[83] = 0x7400;                  /* FLUSH EXT, FLUSH, LBA48 */
    words[84] = 0x4000;
    words[85] = disk->write_cache ? 0x4021 : 0x4001;
    words[86] = 0x3400;
    words[87] = 0x4000;
    words[88] = 0x203F;                  /* UDMA 0-5, mode 5 selected */
    words[93] = 0x6001;
    words[106] = 0x6000;                 /* one logical sector per block */
    words[169] = 0x0001;                 /* TRIM supported */
    identify_size(words, disk->sector_total);
}

/* The attribute table QEMU reports (smart_attributes in core.c). */
struct smart_attribute {
    uint8_t id, flags, flags_high, value, worst;
    uint8_t raw[6];
    uint8_t threshold;
};

static const struct smart_attribute smart_attributes[] = {
    { 0x01, 0x03, 0x00, 0x64, 0x64, { 0x00 }, 0x06 },   /* read error rate */
    { 0x03, 0x03, 0x00, 0x64, 0x64, { 0x10 }, 0x00 },   /* spin-up time */
    { 0x04, 0x02, 0x00, 0x64, 0x64, { 0x64 }, 0x14 },   /* start/stop count */
    { 0x05, 0x03, 0x00, 0x64, 0x64, { 0x00 }, 0x24 },   /* reallocated */
    { 0x09, 0x03, 0x00, 0x64, 0x64, { 0x01 }, 0x00 },   /* power-on hours */
    { 0x0C, 0x03, 0x00, 0x64, 0x64, { 0x00 }, 0x00 },   /* power cycles */
    { 0xBE, 0x03, 0x00, 0x45, 0x45, { 0x1F, 0x00, 0x1F, 0x1F }, 0x32 },
};

enum { SMART_ATTRIBUTES = sizeof smart_attributes / sizeof smart_attributes[0] };
_Static_assert(2 + SMART_ATTRIBUTES * 12 <= 362, "attributes before byte 362");

/* Byte 511 makes the 512-byte page sum to zero. */
static void smart_checksum(uint8_t *page)
{
    uint8_t sum = 0;
    for (unsigned i = 0; i < IDE_SECTOR_BYTES - 1; i++) {
        sum = (uint8_t)(sum + page[i]);
    }
    page[IDE_SECTOR_BYTES - 1] = (uint8_t)(0x100 - sum);
}

static void smart_thresholds_build(uint8_t *page)
{
    memset(page, 0, IDE_SECTOR_BYTES);
    page[0] = 0x01;                      /* structure version */
    for (unsigned n = 0; n < SMART_ATTRIBUTES; n++) {
        page[2 + n * 12] = smart_attributes[n].id;
        page[3 + n * 12] = smart_attributes[n].threshold;
    }
    smart_checksum(page);
}

static void smart_data_build(const struct ide_disk *disk, uint8_t *page)
{
    memset(page, 0, IDE_SECTOR_BYTES);
    page[0] = 0x01;
    for (unsigned n = 0; n < SMART_ATTRIBUTES; n++) {
        const struct smart_attribute *attribute = &smart_attributes[n];
        uint8_t *entry = &page[2 + n * 12];
        entry[0] = attribute->id;
        entry[1] = attribute->flags;
        entry[2] = attribute->flags_high;
        entry[3] = attribute->value;
        entry[4] = attribute->worst;
        memcpy(&entry[5], attribute->raw, sizeof attribute->raw);
    }
    page[362] = (uint8_t)(0x02 | (disk->smart_autosave ? 0x80 : 0x00));
    if (disk->smart_selftest_count != 0) {
        unsigned last = disk->smart_selftest_count - 1u;
        page[363] = disk->smart_selftest_log[3 + last * SMART_SELFTEST_ENTRY_BYTES];
    }
    page[364] = 0x20;
    page[365] = 0x01;
    page[367] = 0x19;                    /* offline collection capabilities */
    page[368] = 0x03;
    page[370] = 0x01;                    /* error logging */
    page[372] = 0x02;                    /* short test minutes */
    page[373] = 0x36;                    /* extended test minutes */
    page[374] = 0x01;                    /* conveyance test minutes */
    smart_checksum(page);
}

/* Log 1 (error summary, always empty) or 6 (self-tests); false: no such log. */
static bool smart_log_build(const struct ide_disk *disk, uint8_t log,
                            uint8_t *page)
{
    memset(page, 0, IDE_SECTOR_BYTES);
    page[0] = 0x01;
    if (log == 0x06) {
        page[508] = disk->smart_selftest_count;
        if (disk->smart_selftest_count != 0) {
            memcpy(&page[2], &disk->smart_selftest_log[2], 504);
        }
    } else if (log != 0x01) {
        return false;
    }
    smart_checksum(page);
    return true;
}

/* ---- geometry -------------------------------------------------------- */

static struct ide_geometry geometry_for_size(uint64_t sector_total)
{
    uint64_t cylinders = sector_total / (GEOMETRY_HEADS_GUESS * GEOMETRY_SECTORS_GUESS);
    if (cylinders > GEOMETRY_CYLINDERS_GUESS_MAX) {
        cylinders = GEOMETRY_CYLINDERS_GUESS_MAX;
    } else if (cylinders < GEOMETRY_CYLINDERS_GUESS_MIN) {
        cylinders = GEOMETRY_CYLINDERS_GUESS_MIN;
    }
    return (struct ide_geometry){ .cylinders = (uint16_t)cylinders,
                                  .heads = GEOMETRY_HEADS_GUESS,
                                  .sectors = GEOMETRY_SECTORS_GUESS };
}

/* QEMU guess_disk_lchs: the first partition with sectors and an end head
 * gives heads and sectors if the image holds 1..16383 such cylinders. */
static bool geometry_from_mbr(const uint8_t *image, uint64_t image_bytes,
                              struct ide_geometry *geometry, unsigned *heads)
{
    if (image_bytes < IDE_SECTOR_BYTES || image[MBR_SIGNATURE_OFFSET] != 0x55 ||
        image[MBR_SIGNATURE_OFFSET + 1] != 0xAA) {
        return false;
    }
    uint64_t sector_total = image_bytes / IDE_SECTOR_BYTES;
    for (unsigned i = 0; i < 4; i++) {
        const uint8_t *entry = &image[MBR_PARTITIONS_OFFSET + i * MBR_PARTITION_BYTES];
        uint32_t length = (uint32_t)entry[12] | (uint32_t)entry[13] << 8 |
                          (uint32_t)entry[14] << 16 | (uint32_t)entry[15] << 24;
        unsigned end_head = entry[5];
        unsigned sectors = entry[6] & 63;
        if (length == 0 || end_head == 0 || sectors == 0) {
            continue;
        }
        uint64_t cylinders = sector_total / ((end_head + 1) * sectors);
        if (cylinders < 1 || cylinders > GEOMETRY_CYLINDERS_GUESS_MAX) {
            continue;
        }
        *heads = end_head + 1;
        *geometry = (struct ide_geometry){ .cylinders = (uint16_t)cylinders,
                                           .heads = (uint8_t)(end_head + 1),
                                           .sectors = (uint8_t)sectors };
        return true;
    }
    return false;
}

struct ide_geometry ide_geometry_guess(const uint8_t *image, uint64_t image_bytes)
{
    HW_ASSERT(image != 0 || image_bytes == 0);
    struct ide_geometry geometry;
    unsigned heads = 0;
    uint64_t sector_total = image_bytes / IDE_SECTOR_BYTES;
    /* More than 16 heads means a translating BIOS wrote the table: QEMU
     * then uses the standard geometry. */
    if (!geometry_from_mbr(image, image_bytes, &geometry, &heads) || heads > 16) {
        geometry = geometry_for_size(sector_total);
    }
    HW_ASSERT(geometry.heads >= 1 && geometry.heads <= 16 && geometry.sectors >= 1);
    return geometry;
}

/* ---- outputs to the host --------------------------------------------- */

static struct ide_taskfile *master(struct ide *ide)
{
    return &ide->drives[IDE_MASTER];
}

static struct ide_taskfile *selected(struct ide *ide)
{
    HW_ASSERT(ide->selected < IDE_DRIVES);
    return &ide->drives[ide->selected];
}

/* QEMU ide_set_irq: raise unless nIEN; never lowers. */
static void irq_raise(struct ide *ide)
{
    if ((ide->control & IDE_CONTROL_NIEN) || ide->irq_level) {
        return;
    }
    ide->irq_level = true;
    ide->stats.irq_rises++;
    ide->host->irq_set(ide->host->owner, ide->irq_line, 1);
}

static void irq_lower(struct ide *ide)
{
    if (!ide->irq_level) {
        return;
    }
    ide->irq_level = false;
    ide->stats.irq_falls++;
    ide->host->irq_set(ide->host->owner, ide->irq_line, 0);
}

static uint64_t next_event_ns(const struct ide *ide)
{
    uint64_t io_ns = ide->disk.io != IDE_IO_NONE ? ide->disk.io_done_at_ns
                                                  : (uint64_t)HW_DEADLINE_NONE;
    uint64_t reset_ns = ide->reset_pending ? ide->reset_at_ns
                                           : (uint64_t)HW_DEADLINE_NONE;
    return io_ns < reset_ns ? io_ns : reset_ns;
}

static void deadline_update(struct ide *ide)
{
    uint64_t at_ns = next_event_ns(ide);
    if (at_ns == ide->deadline_requested_ns) {
        return;
    }
    ide->deadline_requested_ns = at_ns;
    ide->host->deadline_set(ide->host->owner, ide, at_ns);
}

/* ---- addressing [ide_get_sector, ide_set_sector] --------------------- */

/* QEMU ide_cmd_lba48_transform: a count of 0 means 256 (65536 in LBA48). */
static void count_transform(struct ide *ide, bool lba48)
{
    struct ide_taskfile *tf = master(ide);
    ide->disk.lba48 = lba48;
    if (!lba48) {
        if (tf->sector_count == 0) {
            tf->sector_count = 256;
        }
    } else if (tf->sector_count == 0 && tf->hob_sector_count == 0) {
        tf->sector_count = 65536;
    } else {
        tf->sector_count = (uint32_t)tf->hob_sector_count << 8 | tf->sector_count;
    }
    HW_ASSERT(tf->sector_count >= 1 && tf->sector_count <= SECTOR_COUNT_MAX);
}

/* The address in the master's registers. CHS sector 0 gives -1, which no
 * range check accepts (QEMU computes the same in int, we in 64 bits). */
static int64_t current_sector(const struct ide *ide)
{
    const struct ide_taskfile *tf = &ide->drives[IDE_MASTER];
    if (tf->device & IDE_DEVICE_LBA) {
        if (ide->disk.lba48) {
            return (int64_t)tf->hob_cylinder_high << 40 |
                   (int64_t)tf->hob_cylinder_low << 32 |
                   (int64_t)tf->hob_sector_number << 24 |
                   (int64_t)tf->cylinder_high << 16 |
                   (int64_t)tf->cylinder_low << 8 | tf->sector_number;
        }
        return (int64_t)(tf->device & IDE_DEVICE_HEAD) << 24 |
               (int64_t)tf->cylinder_high << 16 |
               (int64_t)tf->cylinder_low << 8 | tf->sector_number;
    }
    int64_t cylinder = (int64_t)tf->cylinder_high << 8 | tf->cylinder_low;
    int64_t heads = ide->disk.heads;
    int64_t sectors = ide->disk.sectors_per_track;
    return cylinder * heads * sectors + (tf->device & IDE_DEVICE_HEAD) * sectors +
           tf->sector_number - 1;
}

/* Write an address back in the mode of the registers. With 0 sectors per
 * track (INITIALIZE DEVICE PARAMETERS with count 0) QEMU divides by zero
 * here; the model leaves the CHS registers as they are. */
static void current_sector_set(struct ide *ide, int64_t lba)
{
    struct ide_taskfile *tf = master(ide);
    HW_ASSERT(lba >= 0);
    uint64_t address = (uint64_t)lba;
    if (tf->device & IDE_DEVICE_LBA) {
        tf->sector_number = (uint8_t)address;
        tf->cylinder_low = (uint8_t)(address >> 8);
        tf->cylinder_high = (uint8_t)(address >> 16);
        if (ide->disk.lba48) {
            tf->hob_sector_number = (uint8_t)(address >> 24);
            tf->hob_cylinder_low = (uint8_t)(address >> 32);
            tf->hob_cylinder_high = (uint8_t)(address >> 40);
        } else {
            tf->device = (uint8_t)((tf->device & ~IDE_DEVICE_HEAD) |
                                   ((address >> 24) & IDE_DEVICE_HEAD));
        }
        return;
    }
    uint64_t per_cylinder = (uint64_t)ide->disk.heads * ide->disk.sectors_per_track;
    if (per_cylinder == 0) {
        return;
    }
    uint32_t cylinder = (uint32_t)(address / per_cylinder);
    uint64_t rest = address % per_cylinder;
    tf->cylinder_high = (uint8_t)(cylinder >> 8);
    tf->cylinder_low = (uint8_t)cylinder;
    tf->device = (uint8_t)((tf->device & ~IDE_DEVICE_HEAD) |
                           ((rest / ide->disk.sectors_per_track) & IDE_DEVICE_HEAD));
    tf->sector_number = (uint8_t)(rest % ide->disk.sectors_per_track + 1);
}

/* QEMU ide_sect_range_ok (a negative address is a huge unsigned one). */
static bool range_ok(const struct ide *ide, int64_t lba, uint32_t sectors)
{
    uint64_t first = (uint64_t)lba;
    uint64_t total = ide->disk.sector_total;
    return first <= total && sectors <= total - first;
}

static uint32_t block_sectors_now(const struct ide *ide)
{
    HW_ASSERT(ide->disk.block_sectors >= 1);
    return min_u32(ide->drives[IDE_MASTER].sector_count, ide->disk.block_sectors);
}

/* ---- transfers [ide_transfer_start, ide_transfer_stop] --------------- */

static void transfer_start(struct ide *ide, unsigned bytes, enum ide_transfer kind)
{
    HW_ASSERT(bytes > 0 && bytes <= IDE_BUFFER_BYTES);
    struct ide_taskfile *tf = master(ide);
    ide->disk.transfer = kind;
    ide->disk.data_offset = 0;
    ide->disk.data_end = (uint16_t)bytes;
    if (!(tf->status & IDE_STATUS_ERR)) {
        tf->status |= IDE_STATUS_DRQ;
    }
}

static void transfer_stop(struct ide *ide)
{
    ide->disk.transfer = IDE_TRANSFER_NONE;
    ide->disk.data_offset = 0;
    ide->disk.data_end = 0;
    master(ide)->status &= (uint8_t)~IDE_STATUS_DRQ;
}

/* QEMU ide_abort_command. */
static void abort_command(struct ide *ide)
{
    struct ide_taskfile *tf = master(ide);
    transfer_stop(ide);
    tf->status = IDE_STATUS_DRDY | IDE_STATUS_ERR;
    tf->error = IDE_ERROR_ABRT;
    ide->stats.aborts++;
}

/* ---- disk requests [ide_sector_read, ide_sector_write + callbacks] --- */

static void io_complete(struct ide *ide);

/* The image is read or written when the request starts; the request's
 * completion only moves the registers, as QEMU's callbacks do. */
static void io_start(struct ide *ide, enum ide_io kind)
{
    HW_ASSERT(ide->disk.io == IDE_IO_NONE && kind != IDE_IO_NONE);
    HW_ASSERT(master(ide)->status & IDE_STATUS_BSY);
    ide->disk.io = kind;
    if (ide->command_latency_ns == 0) {
        io_complete(ide);
        return;
    }
    ide->disk.io_done_at_ns = time_add_ns(ide->now_ns, ide->command_latency_ns);
}

/* QEMU ide_sector_read: the next block of a READ, or the end. */
static void sector_read_next(struct ide *ide)
{
    struct ide_taskfile *tf = master(ide);
    tf->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
    tf->error = 0;
    if (tf->sector_count == 0) {
        transfer_stop(ide);
        return;
    }
    tf->status |= IDE_STATUS_BSY;
    int64_t lba = current_sector(ide);
    uint32_t sectors = block_sectors_now(ide);
    if (!range_ok(ide, lba, sectors)) {
        abort_command(ide);
        irq_raise(ide);
        return;
    }
    HW_ASSERT(sectors <= IDE_MULTIPLE_SECTORS_MAX);
    memcpy(ide->disk.buffer, ide->image + (uint64_t)lba * IDE_SECTOR_BYTES,
           (size_t)sectors * IDE_SECTOR_BYTES);
    ide->disk.buffer_lba = (uint64_t)lba;
    ide->stats.sectors_read += sectors;
    io_start(ide, IDE_IO_READ);
}

/* QEMU ide_sector_write: the guest filled a block. */
static void sector_write_commit(struct ide *ide)
{
    struct ide_taskfile *tf = master(ide);
    tf->status = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_BSY;
    int64_t lba = current_sector(ide);
    uint32_t sectors = block_sectors_now(ide);
    HW_ASSERT(ide->disk.data_end == sectors * IDE_SECTOR_BYTES);
    if (!range_ok(ide, lba, sectors)) {
        abort_command(ide);
        irq_raise(ide);
        return;
    }
    memcpy(ide->image + (uint64_t)lba * IDE_SECTOR_BYTES, ide->disk.buffer,
           (size_t)sectors * IDE_SECTOR_BYTES);
    ide->disk.buffer_lba = (uint64_t)lba;
    ide->stats.sectors_written += sectors;
    ide->stats.last_write_lba = (uint64_t)lba;
    ide->stats.last_write_sectors = sectors;
    io_start(ide, IDE_IO_WRITE);
}

/* QEMU ide_sector_read_cb, ide_sector_write_cb, ide_flush_cb. */
static void io_complete(struct ide *ide)
{
    struct ide_taskfile *tf = master(ide);
    enum ide_io kind = ide->disk.io;
    ide->disk.io = IDE_IO_NONE;
    ide->stats.io_completions++;
    if (kind == IDE_IO_FLUSH) {
        tf->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
        irq_raise(ide);
        return;
    }
    HW_ASSERT(kind == IDE_IO_READ || kind == IDE_IO_WRITE);
    tf->status &= (uint8_t)~IDE_STATUS_BSY;
    uint32_t sectors = block_sectors_now(ide);
    int64_t next = current_sector(ide) + sectors;
    current_sector_set(ide, next);
    tf->sector_count -= sectors;
    if (kind == IDE_IO_READ) {
        transfer_start(ide, sectors * IDE_SECTOR_BYTES, IDE_TRANSFER_READ);
    } else if (tf->sector_count == 0) {
        transfer_stop(ide);
    } else {
        transfer_start(ide, block_sectors_now(ide) * IDE_SECTOR_BYTES,
                       IDE_TRANSFER_WRITE);
    }
    irq_raise(ide);
}

/* The data window ran out (DRQ already cleared). */
static void transfer_end(struct ide *ide)
{
    switch (ide->disk.transfer) {
    case IDE_TRANSFER_READ:
        sector_read_next(ide);
        return;
    case IDE_TRANSFER_WRITE:
        sector_write_commit(ide);
        return;
    default:                             /* identify, SMART page */
        transfer_stop(ide);
        return;
    }
}

/* ---- commands [ide_exec_cmd and the cmd_* handlers] ------------------ */

/* A handler returns true when the command completes now: BSY drops, DSC
 * is added if the table says so and no error, and IRQ 14 rises. False:
 * the handler set status and IRQ itself (data, requests, diagnostic). */
typedef bool command_fn(struct ide *ide, uint8_t command);

static bool command_abort(struct ide *ide)
{
    abort_command(ide);
    return true;
}

static bool command_nop(struct ide *ide, uint8_t command)
{
    return true;
}

static bool is_ext_command(uint8_t command)
{
    switch (command) {
    case IDE_CMD_READ_SECTORS_EXT: case IDE_CMD_READ_DMA_EXT:
    case IDE_CMD_READ_NATIVE_MAX_EXT: case IDE_CMD_READ_MULTIPLE_EXT:
    case IDE_CMD_WRITE_SECTORS_EXT: case IDE_CMD_WRITE_DMA_EXT:
    case IDE_CMD_WRITE_MULTIPLE_EXT: case IDE_CMD_VERIFY_EXT:
        return true;
    default:
        return false;
    }
}

/* A data-in page (identify, SMART) is in the buffer: offer it. */
static bool data_in_start(struct ide *ide)
{
    master(ide)->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
    transfer_start(ide, IDE_SECTOR_BYTES, IDE_TRANSFER_DATA_IN);
    irq_raise(ide);
    return false;
}

static bool command_identify(struct ide *ide, uint8_t command)
{
    struct ide_disk *disk = &ide->disk;
    if (!disk->identify_set) {
        identify_build(ide, disk->identify);
        disk->identify_set = true;
    }
    for (unsigned i = 0; i < IDE_IDENTIFY_WORDS; i++) {
        disk->buffer[2 * i] = (uint8_t)disk->identify[i];
        disk->buffer[2 * i + 1] = (uint8_t)(disk->identify[i] >> 8);
    }
    return data_in_start(ide);
}

static bool command_read_sectors(struct ide *ide, uint8_t command)
{
    count_transform(ide, is_ext_command(command));
    ide->disk.block_sectors = 1;
    sector_read_next(ide);
    return false;
}

static bool command_read_multiple(struct ide *ide, uint8_t command)
{
    if (ide->disk.multiple_sectors == 0) {
        return command_abort(ide);
    }
    count_transform(ide, is_ext_command(command));
    ide->disk.block_sectors = ide->disk.multiple_sectors;
    sector_read_next(ide);
    return false;
}

static void write_transfer_start(struct ide *ide, uint8_t block_sectors)
{
    ide->disk.block_sectors = block_sectors;
    master(ide)->status = IDE_STATUS_DSC | IDE_STATUS_DRDY;
    transfer_start(ide, block_sectors_now(ide) * IDE_SECTOR_BYTES,
                   IDE_TRANSFER_WRITE);
}

static bool command_write_sectors(struct ide *ide, uint8_t command)
{
    count_transform(ide, is_ext_command(command));
    write_transfer_start(ide, 1);
    return false;
}

static bool command_write_multiple(struct ide *ide, uint8_t command)
{
    if (ide->disk.multiple_sectors == 0) {
        return command_abort(ide);
    }
    count_transform(ide, is_ext_command(command));
    write_transfer_start(ide, ide->disk.multiple_sectors);
    return false;
}

/* QEMU ide_sector_start_dma with no bus master running: DRQ, no data. */
static void dma_wait(struct ide *ide)
{
    master(ide)->status = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ;
    ide->stats.dma_waits++;
}

static bool command_dma(struct ide *ide, uint8_t command)
{
    count_transform(ide, is_ext_command(command));
    dma_wait(ide);
    return false;
}

static bool command_data_set_management(struct ide *ide, uint8_t command)
{
    if (master(ide)->feature != DSM_TRIM) {
        return command_abort(ide);
    }
    dma_wait(ide);
    return false;
}

static bool command_verify(struct ide *ide, uint8_t command)
{
    count_transform(ide, is_ext_command(command));
    return true;                         /* QEMU checks no range */
}

static bool command_set_multiple(struct ide *ide, uint8_t command)
{
    uint32_t count = master(ide)->sector_count;
    uint32_t low = count & 0xFF;
    if (low != 0 && (low > IDE_MULTIPLE_SECTORS_MAX || (count & (count - 1)) != 0)) {
        return command_abort(ide);
    }
    ide->disk.multiple_sectors = (uint8_t)low;
    return true;
}

static bool command_flush(struct ide *ide, uint8_t command)
{
    master(ide)->status |= IDE_STATUS_BSY;
    io_start(ide, IDE_IO_FLUSH);
    return false;
}

static bool command_read_native_max(struct ide *ide, uint8_t command)
{
    if (ide->disk.sector_total == 0) {
        return command_abort(ide);
    }
    count_transform(ide, is_ext_command(command));
    current_sector_set(ide, (int64_t)(ide->disk.sector_total - 1));
    return true;
}

static bool command_check_power_mode(struct ide *ide, uint8_t command)
{
    master(ide)->sector_count = 0xFF;    /* active or idle */
    return true;
}

static void signature_set(struct ide *ide, unsigned drive);

/* QEMU cmd_exec_dev_diagnostic for a hard disk (or an empty slot). */
static void diagnostic(struct ide *ide, unsigned drive)
{
    struct ide_taskfile *tf = &ide->drives[drive];
    tf->device = IDE_DEVICE_ALWAYS_ON;
    signature_set(ide, drive);
    tf->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
    tf->error = IDE_ERROR_DIAGNOSTIC_PASSED;
    irq_raise(ide);
}

static bool command_diagnostic(struct ide *ide, uint8_t command)
{
    diagnostic(ide, IDE_MASTER);
    return false;
}

/* QEMU cmd_specify: the logical geometry for CHS addressing. */
static bool command_initialize_parameters(struct ide *ide, uint8_t command)
{
    struct ide_taskfile *tf = master(ide);
    ide->disk.heads = (uint8_t)((tf->device & IDE_DEVICE_HEAD) + 1);
    ide->disk.sectors_per_track = tf->sector_count;
    irq_raise(ide);
    return true;
}

static bool command_security_freeze_lock(struct ide *ide, uint8_t command)
{
    master(ide)->sector_count = 0;       /* QEMU's CFA WEAR LEVEL */
    return true;
}

/* SET FEATURES 0x03: the transfer mode selected, as identify shows it. */
static bool set_transfer_mode(struct ide *ide)
{
    uint32_t count = master(ide)->sector_count;
    uint16_t *words = ide->disk.identify;
    uint16_t mode_bit = (uint16_t)(1u << ((count & 7) + 8));
    uint16_t single = 0x07, multi = 0x07, ultra = 0x3F;
    switch (count >> 3) {
    case 0x00: case 0x01: break;         /* PIO default / PIO mode */
    case 0x02: single |= mode_bit; break;
    case 0x04: multi |= mode_bit; break;
    case 0x08: ultra |= mode_bit; break;
    default: return command_abort(ide);
    }
    words[62] = single;
    words[63] = multi;
    words[88] = ultra;
    return true;
}

/* QEMU cmd_set_features. Identify words change even before the first
 * IDENTIFY builds the block (which then overwrites them), as in QEMU. */
static bool command_set_features(struct ide *ide, uint8_t command)
{
    struct ide_disk *disk = &ide->disk;
    switch (master(ide)->feature) {
    case SET_FEATURES_WRITE_CACHE_ON:
        disk->write_cache = true;
        disk->identify[85] = 0x4021;
        return true;
    case SET_FEATURES_WRITE_CACHE_OFF:
        disk->write_cache = false;
        disk->identify[85] = 0x4001;
        return command_flush(ide, command);
    case SET_FEATURES_REVERT_ON:
        disk->reset_reverts = true;
        return true;
    case SET_FEATURES_REVERT_OFF:
        disk->reset_reverts = false;
        return true;
    case 0xAA: case 0x55:                /* read look-ahead on / off */
    case 0x05: case 0x85:                /* APM on / off */
    case 0x69: case 0x67: case 0x96: case 0x9A:
    case 0x42: case 0xC2:                /* acoustic management on / off */
        return true;
    case SET_FEATURES_TRANSFER_MODE:
        return set_transfer_mode(ide);
    default:
        return command_abort(ide);
    }
}

/* SMART EXECUTE OFF-LINE: tests 0-2 "pass" and are logged (21 entries,
 * then the log wraps to the first). */
static bool smart_execute_offline(struct ide *ide, uint8_t test)
{
    struct ide_disk *disk = &ide->disk;
    if (test > 2) {
        return command_abort(ide);
    }
    disk->smart_selftest_count++;
    if (disk->smart_selftest_count > SMART_SELFTEST_ENTRIES_MAX) {
        disk->smart_selftest_count = 1;
    }
    uint8_t *entry = &disk->smart_selftest_log[
        2 + (disk->smart_selftest_count - 1u) * SMART_SELFTEST_ENTRY_BYTES];
    entry[0] = test;
    entry[1] = 0x00;                     /* completed without error */
    entry[2] = 0x34;                     /* power-on hours */
    entry[3] = 0x12;
    return true;
}

/* QEMU cmd_smart. */
static bool command_smart(struct ide *ide, uint8_t command)
{
    struct ide_taskfile *tf = master(ide);
    struct ide_disk *disk = &ide->disk;
    if (tf->cylinder_high != IDE_SMART_SIGNATURE_HIGH ||
        tf->cylinder_low != IDE_SMART_SIGNATURE_LOW ||
        (!disk->smart_enabled && tf->feature != IDE_SMART_ENABLE)) {
        return command_abort(ide);
    }
    switch (tf->feature) {
    case IDE_SMART_DISABLE:
        disk->smart_enabled = false;
        return true;
    case IDE_SMART_ENABLE:
        disk->smart_enabled = true;
        return true;
    case IDE_SMART_AUTOSAVE:
        if (tf->sector_number != 0x00 && tf->sector_number != 0xF1) {
            return command_abort(ide);
        }
        disk->smart_autosave = tf->sector_number == 0xF1;
        return true;
    case IDE_SMART_RETURN_STATUS:        /* no threshold exceeded */
        tf->cylinder_high = IDE_SMART_SIGNATURE_HIGH;
        tf->cylinder_low = IDE_SMART_SIGNATURE_LOW;
        return true;
    case IDE_SMART_READ_THRESHOLDS:
        smart_thresholds_build(disk->buffer);
        return data_in_start(ide);
    case IDE_SMART_READ_DATA:
        smart_data_build(disk, disk->buffer);
        return data_in_start(ide);
    case IDE_SMART_READ_LOG:
        if (!smart_log_build(disk, tf->sector_number, disk->buffer)) {
            return command_abort(ide);
        }
        return data_in_start(ide);
    case IDE_SMART_EXECUTE_OFFLINE:
        return smart_execute_offline(ide, tf->sector_number);
    default:
        return command_abort(ide);
    }
}

/* QEMU's ide_cmd_table, the hard-disk rows. */
struct command_entry {
    command_fn *perform;
    bool seek_complete;                  /* QEMU SET_DSC */
};

static const struct command_entry commands[256] = {
    [IDE_CMD_DATA_SET_MANAGEMENT] = { command_data_set_management, false },
    [IDE_CMD_RECALIBRATE] = { command_nop, true },
    [IDE_CMD_READ_SECTORS] = { command_read_sectors, false },
    [IDE_CMD_READ_SECTORS_NO_RETRY] = { command_read_sectors, false },
    [IDE_CMD_READ_SECTORS_EXT] = { command_read_sectors, false },
    [IDE_CMD_READ_DMA_EXT] = { command_dma, false },
    [IDE_CMD_READ_NATIVE_MAX_EXT] = { command_read_native_max, true },
    [IDE_CMD_READ_MULTIPLE_EXT] = { command_read_multiple, false },
    [IDE_CMD_WRITE_SECTORS] = { command_write_sectors, false },
    [IDE_CMD_WRITE_SECTORS_NO_RETRY] = { command_write_sectors, false },
    [IDE_CMD_WRITE_SECTORS_EXT] = { command_write_sectors, false },
    [IDE_CMD_WRITE_DMA_EXT] = { command_dma, false },
    [IDE_CMD_WRITE_MULTIPLE_EXT] = { command_write_multiple, false },
    [IDE_CMD_WRITE_VERIFY] = { command_write_sectors, false },
    [IDE_CMD_VERIFY] = { command_verify, true },
    [IDE_CMD_VERIFY_NO_RETRY] = { command_verify, true },
    [IDE_CMD_VERIFY_EXT] = { command_verify, true },
    [IDE_CMD_SEEK] = { command_nop, true },
    [IDE_CMD_EXECUTE_DIAGNOSTIC] = { command_diagnostic, false },
    [IDE_CMD_INITIALIZE_DEVICE_PARAMETERS] = { command_initialize_parameters, true },
    [IDE_CMD_STANDBY_IMMEDIATE_OLD] = { command_nop, false },
    [IDE_CMD_IDLE_IMMEDIATE_OLD] = { command_nop, false },
    [IDE_CMD_STANDBY_OLD] = { command_nop, false },
    [IDE_CMD_IDLE_OLD] = { command_nop, false },
    [IDE_CMD_CHECK_POWER_MODE_OLD] = { command_check_power_mode, true },
    [IDE_CMD_SLEEP_OLD] = { command_nop, false },
    [IDE_CMD_SMART] = { command_smart, true },
    [IDE_CMD_READ_MULTIPLE] = { command_read_multiple, false },
    [IDE_CMD_WRITE_MULTIPLE] = { command_write_multiple, false },
    [IDE_CMD_SET_MULTIPLE_MODE] = { command_set_multiple, true },
    [IDE_CMD_READ_DMA] = { command_dma, false },
    [IDE_CMD_READ_DMA_NO_RETRY] = { command_dma, false },
    [IDE_CMD_WRITE_DMA] = { command_dma, false },
    [IDE_CMD_WRITE_DMA_NO_RETRY] = { command_dma, false },
    [IDE_CMD_STANDBY_IMMEDIATE] = { command_nop, false },
    [IDE_CMD_IDLE_IMMEDIATE] = { command_nop, false },
    [IDE_CMD_STANDBY] = { command_nop, false },
    [IDE_CMD_IDLE] = { command_nop, false },
    [IDE_CMD_CHECK_POWER_MODE] = { command_check_power_mode, true },
    [IDE_CMD_SLEEP] = { command_nop, false },
    [IDE_CMD_FLUSH_CACHE] = { command_flush, false },
    [IDE_CMD_FLUSH_CACHE_EXT] = { command_flush, false },
    [IDE_CMD_IDENTIFY_DEVICE] = { command_identify, false },
    [IDE_CMD_SET_FEATURES] = { command_set_features, true },
    [IDE_CMD_SECURITY_FREEZE_LOCK] = { command_security_freeze_lock, true },
    [IDE_CMD_READ_NATIVE_MAX] = { command_read_native_max, true },
};

/* QEMU ide_exec_cmd (the IRQ was lowered by the command write). */
static void command_execute(struct ide *ide, uint8_t command)
{
    struct ide_taskfile *tf = master(ide);
    if (ide->selected != IDE_MASTER ||
        (tf->status & (IDE_STATUS_BSY | IDE_STATUS_DRQ))) {
        ide->stats.commands_ignored++;   /* no slave; or busy */
        return;
    }
    ide->stats.commands++;
    const struct command_entry *entry = &commands[command];
    if (entry->perform == 0) {
        abort_command(ide);
        irq_raise(ide);
        return;
    }
    tf->status = IDE_STATUS_DRDY | IDE_STATUS_BSY;
    tf->error = 0;
    if (!entry->perform(ide, command)) {
        return;
    }
    tf->status &= (uint8_t)~IDE_STATUS_BSY;
    HW_ASSERT((tf->error != 0) == ((tf->status & IDE_STATUS_ERR) != 0));
    if (entry->seek_complete && tf->error == 0) {
        tf->status |= IDE_STATUS_DSC;
    }
    irq_raise(ide);
}

/* ---- resets [ide_reset, ide_set_signature, ide_bus_perform_srst] ----- */

static void signature_set(struct ide *ide, unsigned drive)
{
    struct ide_taskfile *tf = &ide->drives[drive];
    uint8_t cylinder = drive == IDE_MASTER ? 0x00 : 0xFF;   /* disk / none */
    tf->device &= (uint8_t)~IDE_DEVICE_HEAD;
    tf->sector_count = 1;
    tf->sector_number = 1;
    tf->cylinder_low = cylinder;
    tf->cylinder_high = cylinder;
}

static void disk_reset(struct ide_disk *disk)
{
    if (disk->reset_reverts) {
        disk->reset_reverts = false;
        disk->heads = disk->geometry.heads;
        disk->sectors_per_track = disk->geometry.sectors;
    }
    disk->multiple_sectors = IDE_MULTIPLE_SECTORS_MAX;
    disk->block_sectors = 0;
    disk->lba48 = false;
    disk->transfer = IDE_TRANSFER_NONE;
    disk->data_offset = 0;
    disk->data_end = 0;
    disk->io = IDE_IO_NONE;              /* a write already reached the image */
}

static void drive_reset(struct ide *ide, unsigned drive)
{
    if (drive == IDE_MASTER) {
        disk_reset(&ide->disk);
    }
    ide->drives[drive] = (struct ide_taskfile){
        .device = IDE_DEVICE_ALWAYS_ON,
        .status = IDE_STATUS_DRDY | IDE_STATUS_DSC,
    };
    signature_set(ide, drive);
}

/* The SRST bottom half: both drives reset and diagnosed. */
static void software_reset_perform(struct ide *ide)
{
    ide->reset_pending = false;
    ide->reset_at_ns = HW_DEADLINE_NONE;
    for (unsigned drive = 0; drive < IDE_DRIVES; drive++) {
        ide->drives[drive].status |= IDE_STATUS_BSY;
        drive_reset(ide, drive);
        diagnostic(ide, drive);
    }
    ide->control &= (uint8_t)~IDE_CONTROL_SRST;
    ide->stats.software_resets++;
    HW_ASSERT(ide->disk.io == IDE_IO_NONE);
}

/* QEMU ide_ctrl_write. A rising edge while a reset is pending joins it
 * (QEMU would run a second bottom half). */
static void control_write(struct ide *ide, uint8_t value)
{
    bool rising = !(ide->control & IDE_CONTROL_SRST) && (value & IDE_CONTROL_SRST);
    ide->control = value;
    if (!rising) {
        return;
    }
    for (unsigned drive = 0; drive < IDE_DRIVES; drive++) {
        ide->drives[drive].status |= IDE_STATUS_BSY;
    }
    if (ide->reset_latency_ns == 0) {
        software_reset_perform(ide);
    } else if (!ide->reset_pending) {
        ide->reset_pending = true;
        ide->reset_at_ns = time_add_ns(ide->now_ns, ide->reset_latency_ns);
    }
}

/* QEMU ide_bus_reset, plus the IRQ line low (QEMU's line is reset by the
 * interrupt controller's own reset). */
static void machine_reset(struct ide *ide)
{
    ide->selected = IDE_MASTER;
    ide->control = 0;
    ide->reset_pending = false;
    ide->reset_at_ns = HW_DEADLINE_NONE;
    drive_reset(ide, IDE_MASTER);
    drive_reset(ide, IDE_SLAVE);
    irq_lower(ide);
}

/* ---- time and entries ------------------------------------------------ */

/* Replay what fell due up to now_ns, earliest first (a request before a
 * reset due at the same instant). */
static void advance(struct ide *ide, uint64_t now_ns)
{
    for (unsigned step = 0; step < ADVANCE_STEPS_MAX; step++) {
        bool io_due = ide->disk.io != IDE_IO_NONE && ide->disk.io_done_at_ns <= now_ns;
        bool reset_due = ide->reset_pending && ide->reset_at_ns <= now_ns;
        if (io_due && (!reset_due || ide->disk.io_done_at_ns <= ide->reset_at_ns)) {
            io_complete(ide);
        } else if (reset_due) {
            software_reset_perform(ide);
        } else {
            return;
        }
    }
    HW_ASSERT_DETAIL(false, "more events due than the model can hold");
}

static void entry_begin(struct ide *ide)
{
    HW_ASSERT(ide != 0 && ide->host != 0);
    HW_ASSERT_DETAIL(!ide->in_entry, "re-entered from a host callback");
    ide->in_entry = true;
    uint64_t now_ns = ide->host->now_ns(ide->host->owner);
    HW_ASSERT_DETAIL(now_ns >= ide->now_ns, "virtual time went backwards");
    ide->now_ns = now_ns;
    advance(ide, now_ns);
}

static void entry_end(struct ide *ide)
{
    deadline_update(ide);
    const char *broken = ide_check(ide);
    HW_ASSERT_DETAIL(broken == 0, broken);
    ide->in_entry = false;
}

/* ---- the command block [ide_ioport_read/write, ide_data_*] ----------- */

/* QEMU ide_ioport_read for offsets 1..7; offset 0 (a byte of the data
 * register) reads 0xFF. */
static uint8_t register_read(struct ide *ide, unsigned offset)
{
    const struct ide_taskfile *tf = selected(ide);
    bool absent = ide->selected == IDE_SLAVE;
    bool hob = (ide->control & IDE_CONTROL_HOB) != 0;
    switch (offset) {
    case IDE_REG_ERROR_FEATURE:
        return absent ? 0 : hob ? tf->hob_feature : tf->error;
    case IDE_REG_SECTOR_COUNT:
        return hob ? tf->hob_sector_count : (uint8_t)tf->sector_count;
    case IDE_REG_SECTOR_NUMBER:
        return hob ? tf->hob_sector_number : tf->sector_number;
    case IDE_REG_CYLINDER_LOW:
        return hob ? tf->hob_cylinder_low : tf->cylinder_low;
    case IDE_REG_CYLINDER_HIGH:
        return hob ? tf->hob_cylinder_high : tf->cylinder_high;
    case IDE_REG_DEVICE:
        return tf->device;
    case IDE_REG_STATUS_COMMAND: {
        uint8_t status = absent ? 0 : tf->status;
        irq_lower(ide);
        return status;
    }
    default:
        return 0xFF;
    }
}

/* Both drives take every register write; the old value becomes the HOB
 * byte. */
static void shadow_write(struct ide *ide, unsigned offset, uint8_t value)
{
    for (unsigned drive = 0; drive < IDE_DRIVES; drive++) {
        struct ide_taskfile *tf = &ide->drives[drive];
        switch (offset) {
        case IDE_REG_ERROR_FEATURE:
            tf->hob_feature = tf->feature;
            tf->feature = value;
            break;
        case IDE_REG_SECTOR_COUNT:
            tf->hob_sector_count = (uint8_t)tf->sector_count;
            tf->sector_count = value;
            break;
        case IDE_REG_SECTOR_NUMBER:
            tf->hob_sector_number = tf->sector_number;
            tf->sector_number = value;
            break;
        case IDE_REG_CYLINDER_LOW:
            tf->hob_cylinder_low = tf->cylinder_low;
            tf->cylinder_low = value;
            break;
        case IDE_REG_CYLINDER_HIGH:
            tf->hob_cylinder_high = tf->cylinder_high;
            tf->cylinder_high = value;
            break;
        default:                         /* IDE_REG_DEVICE */
            tf->device = value | IDE_DEVICE_ALWAYS_ON;
            break;
        }
    }
}

static void register_write(struct ide *ide, unsigned offset, uint8_t value)
{
    if (offset == IDE_REG_DATA || offset >= IDE_COMMAND_PORT_COUNT) {
        return;                          /* a data byte: no effect */
    }
    if (offset != IDE_REG_STATUS_COMMAND &&
        (selected(ide)->status & (IDE_STATUS_BSY | IDE_STATUS_DRQ))) {
        return;
    }
    ide->control &= (uint8_t)~IDE_CONTROL_HOB;
    if (offset == IDE_REG_STATUS_COMMAND) {
        irq_lower(ide);
        command_execute(ide, value);
        return;
    }
    shadow_write(ide, offset, value);
    if (offset == IDE_REG_DEVICE) {
        ide->selected = (value & IDE_DEVICE_SLAVE) ? IDE_SLAVE : IDE_MASTER;
    }
}

/* QEMU ide_data_readw/readl: only with DRQ and a transfer to the host;
 * a read past the window reads 0 and moves nothing. */
static uint32_t data_read(struct ide *ide, unsigned width)
{
    struct ide_taskfile *tf = selected(ide);
    struct ide_disk *disk = &ide->disk;
    if (!(tf->status & IDE_STATUS_DRQ) || disk->transfer == IDE_TRANSFER_WRITE) {
        return 0;
    }
    HW_ASSERT(ide->selected == IDE_MASTER);
    if ((unsigned)disk->data_offset + width > disk->data_end) {
        return 0;
    }
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++) {
        value |= (uint32_t)disk->buffer[disk->data_offset + i] << (8 * i);
    }
    disk->data_offset = (uint16_t)(disk->data_offset + width);
    if (disk->data_offset >= disk->data_end) {
        tf->status &= (uint8_t)~IDE_STATUS_DRQ;
        transfer_end(ide);
    }
    return value;
}

static void data_write(struct ide *ide, unsigned width, uint32_t value)
{
    struct ide_taskfile *tf = selected(ide);
    struct ide_disk *disk = &ide->disk;
    if (!(tf->status & IDE_STATUS_DRQ) || disk->transfer != IDE_TRANSFER_WRITE) {
        return;
    }
    HW_ASSERT(ide->selected == IDE_MASTER);
    if ((unsigned)disk->data_offset + width > disk->data_end) {
        return;
    }
    for (unsigned i = 0; i < width; i++) {
        disk->buffer[disk->data_offset + i] = (uint8_t)(value >> (8 * i));
    }
    disk->data_offset = (uint16_t)(disk->data_offset + width);
    if (disk->data_offset >= disk->data_end) {
        tf->status &= (uint8_t)~IDE_STATUS_DRQ;
        transfer_end(ide);
    }
}

/* QEMU's portio dispatch of one access: byte registers at 0..7, word and
 * dword data at 0; a word elsewhere is two bytes (the second 0xFF past
 * 0x1F7), a dword elsewhere reads all ones and writes nothing. */
static uint32_t command_port_read(void *model, uint16_t offset, unsigned width)
{
    struct ide *ide = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(ide);
    uint32_t value = all_ones(width);
    if (offset >= IDE_COMMAND_PORT_COUNT) {
        /* outside the device */
    } else if (width == 1) {
        value = register_read(ide, offset);
    } else if (offset == IDE_REG_DATA) {
        value = data_read(ide, width);
    } else if (width == 2) {
        uint32_t low = register_read(ide, offset);
        uint32_t high = offset + 1u < IDE_COMMAND_PORT_COUNT
                            ? register_read(ide, offset + 1u) : 0xFF;
        value = low | high << 8;
    }
    entry_end(ide);
    return value;
}

static void command_port_write(void *model, uint16_t offset, unsigned width,
                               uint32_t value)
{
    struct ide *ide = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(ide);
    if (offset >= IDE_COMMAND_PORT_COUNT) {
        /* outside the device */
    } else if (width == 1) {
        register_write(ide, offset, (uint8_t)value);
    } else if (offset == IDE_REG_DATA) {
        data_write(ide, width, value);
    } else if (width == 2) {
        register_write(ide, offset, (uint8_t)value);
        if (offset + 1u < IDE_COMMAND_PORT_COUNT) {
            register_write(ide, offset + 1u, (uint8_t)(value >> 8));
        }
    }
    entry_end(ide);
}

/* ---- the control block [ide_status_read, ide_ctrl_write] ------------- */

uint8_t ide_status_peek(const struct ide *ide)
{
    HW_ASSERT(ide != 0 && ide->selected < IDE_DRIVES);
    return ide->selected == IDE_SLAVE ? 0 : ide->drives[IDE_MASTER].status;
}

bool ide_irq_level(const struct ide *ide)
{
    HW_ASSERT(ide != 0);
    return ide->irq_level;
}

/* One byte port: a word access is that byte and 0xFF above it, a dword
 * access reads all ones and writes nothing (QEMU portio). */
static uint32_t control_port_read(void *model, uint16_t offset, unsigned width)
{
    struct ide *ide = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(ide);
    uint32_t value = all_ones(width);
    if (offset == 0 && width <= 2) {
        value = (value & ~UINT32_C(0xFF)) | ide_status_peek(ide);
    }
    entry_end(ide);
    return value;
}

static void control_port_write(void *model, uint16_t offset, unsigned width,
                               uint32_t value)
{
    struct ide *ide = model;
    HW_ASSERT(width == 1 || width == 2 || width == 4);
    entry_begin(ide);
    if (offset == 0 && width <= 2) {
        control_write(ide, (uint8_t)value);
    }
    entry_end(ide);
}

static void port_deadline(void *model)
{
    struct ide *ide = model;
    entry_begin(ide);
    entry_end(ide);
}

static uint64_t port_deadline_pending(const void *model)
{
    const struct ide *ide = model;
    return ide->deadline_requested_ns;
}

struct hw_port_device ide_command_port_device(struct ide *ide)
{
    HW_ASSERT(ide != 0 && ide->host != 0);
    return (struct hw_port_device){
        .name = "ide-primary", .port_base = IDE_PRIMARY_COMMAND_PORT_BASE,
        .port_count = IDE_COMMAND_PORT_COUNT, .model = ide,
        .read = command_port_read, .write = command_port_write,
        .deadline = port_deadline, .deadline_pending = port_deadline_pending,
    };
}

struct hw_port_device ide_control_port_device(struct ide *ide)
{
    HW_ASSERT(ide != 0 && ide->host != 0);
    return (struct hw_port_device){
        .name = "ide-primary-control", .port_base = IDE_PRIMARY_CONTROL_PORT_BASE,
        .port_count = IDE_CONTROL_PORT_COUNT, .model = ide,
        .read = control_port_read, .write = control_port_write,
        .deadline = port_deadline, .deadline_pending = port_deadline_pending,
    };
}

/* ---- owner entries --------------------------------------------------- */

static bool geometry_valid(struct ide_geometry geometry)
{
    return geometry.cylinders >= 1 && geometry.heads >= 1 &&
           geometry.heads <= 16 && geometry.sectors >= 1;
}

static void config_apply(struct ide *ide, const struct ide_config *config)
{
    struct ide_config defaults = { 0 };
    if (config == 0) {
        config = &defaults;
    }
    text_copy(ide->model, sizeof ide->model, config->model ? config->model : default_model);
    text_copy(ide->serial, sizeof ide->serial,
              config->serial ? config->serial : default_serial);
    text_copy(ide->firmware, sizeof ide->firmware,
              config->firmware ? config->firmware : default_firmware);
    ide->command_latency_ns = config->command_latency_ns;
    ide->reset_latency_ns = config->reset_latency_ns;
    struct ide_geometry geometry = config->geometry;
    if (geometry.cylinders == 0 && geometry.heads == 0 && geometry.sectors == 0) {
        geometry = ide_geometry_guess(ide->image, ide->image_bytes);
    }
    HW_ASSERT_DETAIL(geometry_valid(geometry), "configured geometry out of range");
    ide->disk.geometry = geometry;
}

void ide_init(struct ide *ide, const struct hw_bus_host *host,
              unsigned irq_line, uint8_t *image, uint64_t image_bytes,
              const struct ide_config *config)
{
    HW_ASSERT(ide != 0 && host != 0 && host->irq_set != 0 && host->now_ns != 0 &&
              host->deadline_set != 0);
    HW_ASSERT_DETAIL(image_bytes % IDE_SECTOR_BYTES == 0, "image is not whole sectors");
    HW_ASSERT(image != 0 || image_bytes == 0);
    *ide = (struct ide){
        .host = host, .irq_line = irq_line, .image = image,
        .image_bytes = image_bytes, .deadline_requested_ns = HW_DEADLINE_NONE,
        .reset_at_ns = HW_DEADLINE_NONE,
    };
    config_apply(ide, config);
    struct ide_disk *disk = &ide->disk;
    disk->sector_total = image_bytes / IDE_SECTOR_BYTES;
    disk->heads = disk->geometry.heads;
    disk->sectors_per_track = disk->geometry.sectors;
    disk->write_cache = true;
    disk->smart_enabled = true;
    disk->smart_autosave = true;
    entry_begin(ide);
    host->irq_set(host->owner, irq_line, 0);
    machine_reset(ide);
    entry_end(ide);
}

void ide_reset(struct ide *ide)
{
    entry_begin(ide);
    machine_reset(ide);
    entry_end(ide);
}
