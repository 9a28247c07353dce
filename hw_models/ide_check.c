/*
 * ide_check.c - the IDE disk model's invariants as one checker.
 *
 * ide_check() returns NULL when every invariant numbered at the top of
 * ide.c holds, else a fixed string naming the first broken one. The model
 * runs it at the end of every entry (and asserts); tests and fuzz oracles
 * run it between steps. It only reads the struct (never the image, never
 * the host).
 */
#include "duet/ide.h"

enum { SECTOR_COUNT_MAX = 0x1FFFF };

static const char *check_wiring(const struct ide *ide)
{
    if (ide->image_bytes % IDE_SECTOR_BYTES != 0) return "1: image is not whole sectors";
    if (ide->disk.sector_total != ide->image_bytes / IDE_SECTOR_BYTES) {
        return "1: sector total does not match the image";
    }
    if (ide->selected >= IDE_DRIVES) return "1: selected drive out of range";
    return 0;
}

static const char *check_taskfiles(const struct ide *ide)
{
    for (unsigned drive = 0; drive < IDE_DRIVES; drive++) {
        const struct ide_taskfile *tf = &ide->drives[drive];
        if ((tf->device & IDE_DEVICE_ALWAYS_ON) != IDE_DEVICE_ALWAYS_ON) {
            return "2: device register lost bits 7 and 5";
        }
        if (tf->sector_count > SECTOR_COUNT_MAX) return "2: sector count above 17 bits";
    }
    const struct ide_taskfile *slave = &ide->drives[IDE_SLAVE];
    uint8_t idle = IDE_STATUS_DRDY | IDE_STATUS_DSC;
    uint8_t expected = ide->reset_pending ? (uint8_t)(idle | IDE_STATUS_BSY) : idle;
    if (slave->status != expected) return "2: absent slave's status is not DRDY|DSC(+BSY)";
    if (slave->error > 1) return "2: absent slave's error is not 0 or 1";
    return 0;
}

static const char *check_master_status(const struct ide *ide)
{
    uint8_t status = ide->drives[IDE_MASTER].status;
    bool busy = (status & IDE_STATUS_BSY) != 0;
    if (status & IDE_STATUS_DF) return "3: master shows DF";
    if (ide->disk.io != IDE_IO_NONE && !busy) return "3: request in flight without BSY";
    if (busy && ide->disk.io == IDE_IO_NONE && !ide->reset_pending) {
        return "3: BSY with nothing in flight";
    }
    return 0;
}

static const char *check_window(const struct ide *ide)
{
    const struct ide_disk *disk = &ide->disk;
    uint8_t status = ide->drives[IDE_MASTER].status;
    bool drq = (status & IDE_STATUS_DRQ) != 0;
    bool busy = (status & IDE_STATUS_BSY) != 0;
    if (disk->data_offset > disk->data_end || disk->data_end > IDE_BUFFER_BYTES) {
        return "4: data window outside the buffer";
    }
    if (disk->transfer == IDE_TRANSFER_NONE && disk->data_end != 0) {
        return "4: no transfer but a data window";
    }
    if (drq && disk->transfer != IDE_TRANSFER_NONE &&
        disk->data_offset >= disk->data_end) {
        return "4: DRQ with nothing left to move";
    }
    if (!drq && !busy && disk->transfer != IDE_TRANSFER_NONE) {
        return "4: transfer left without DRQ or BSY";
    }
    if (disk->transfer == IDE_TRANSFER_READ) {
        uint64_t sectors = disk->data_end / IDE_SECTOR_BYTES;
        if (disk->data_end % IDE_SECTOR_BYTES != 0 || sectors == 0) {
            return "4: READ window is not whole sectors";
        }
        if (disk->buffer_lba > disk->sector_total ||
            sectors > disk->sector_total - disk->buffer_lba) {
            return "4: READ window outside the image";
        }
    }
    return 0;
}

static const char *check_time(const struct ide *ide)
{
    bool io = ide->disk.io != IDE_IO_NONE;
    if (io && ide->disk.io_done_at_ns <= ide->now_ns) return "5: a due request was not completed";
    if (ide->reset_pending && ide->reset_at_ns <= ide->now_ns) {
        return "5: a due reset was not performed";
    }
    if (io && ide->command_latency_ns == 0) return "5: request pending with latency 0";
    if (ide->reset_pending && ide->reset_latency_ns == 0) {
        return "5: reset pending with latency 0";
    }
    uint64_t next_ns = io ? ide->disk.io_done_at_ns : (uint64_t)HW_DEADLINE_NONE;
    if (ide->reset_pending && ide->reset_at_ns < next_ns) {
        next_ns = ide->reset_at_ns;
    }
    if (ide->deadline_requested_ns != next_ns) return "6: requested deadline is not the next event";
    return 0;
}

static const char *check_geometry(const struct ide *ide)
{
    const struct ide_disk *disk = &ide->disk;
    uint8_t multiple = disk->multiple_sectors;
    if (disk->heads < 1 || disk->heads > 16) return "7: logical heads outside 1..16";
    if (disk->geometry.cylinders < 1 || disk->geometry.heads < 1 ||
        disk->geometry.heads > 16 || disk->geometry.sectors < 1) {
        return "7: power-on geometry out of range";
    }
    if (multiple > IDE_MULTIPLE_SECTORS_MAX || (multiple & (multiple - 1)) != 0) {
        return "7: multiple mode not a power of two up to 16";
    }
    if (disk->block_sectors > IDE_MULTIPLE_SECTORS_MAX) return "7: DRQ block above 16 sectors";
    return 0;
}

static const char *check_outputs(const struct ide *ide)
{
    const struct ide_stats *stats = &ide->stats;
    if (stats->irq_rises != stats->irq_falls + (ide->irq_level ? 1 : 0)) {
        return "8: IRQ rises and falls do not add up to the line";
    }
    const uint16_t *words = ide->disk.identify;
    uint64_t total = ide->disk.sector_total;
    uint64_t lba28 = total < IDE_LBA28_SECTORS_MAX ? total : IDE_LBA28_SECTORS_MAX;
    if (ide->disk.identify_set) {
        uint64_t reported28 = (uint64_t)words[61] << 16 | words[60];
        uint64_t reported48 = (uint64_t)words[103] << 48 | (uint64_t)words[102] << 32 |
                              (uint64_t)words[101] << 16 | words[100];
        if (reported28 != lba28 || reported48 != total) {
            return "9: identify does not report the image size";
        }
    }
    return 0;
}

const char *ide_check(const struct ide *ide)
{
    const char *broken = check_wiring(ide);
    if (!broken) broken = check_taskfiles(ide);
    if (!broken) broken = check_master_status(ide);
    if (!broken) broken = check_window(ide);
    if (!broken) broken = check_time(ide);
    if (!broken) broken = check_geometry(ide);
    if (!broken) broken = check_outputs(ide);
    return broken;
}
