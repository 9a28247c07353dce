/*
 * ata_fuzzer.c - the ATA driver's client under oracles (fuzz target
 * "ata", target_ata.c).
 *
 * The disk is whatever image the fuzzer chose; the client gets the same
 * bytes as ROM "image" (the disk holds them from sector 0 on, zero after
 * them, and has ceil(size / 512) sectors, at least 1). Then:
 *   1. BLOCK_INFO: the image's sector count, 512-byte blocks, writeable;
 *   2. every sector read back (in batches of up to 8) equals the image;
 *   3. every sector overwritten with the image's bytes inverted, read back
 *      equal, then written back and read back equal again;
 *   4. requests at and past the end, counts 0 and 9 are named errors;
 *   5. the absent slave reports no blocks and BLOCK_ERR_NO_DEVICE.
 * Any other answer is an assertion failure, and a driver that crashes,
 * hangs or loses an interrupt (a timeout answers BLOCK_ERR_TIMEOUT, which
 * no step accepts) fails the run. The success line is "ata oracles held".
 */
#include "duet/assert.h"
#include "duet/block_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/string.h"

enum {
    ATA_FUZZ_IMAGE_MAX = 4096,
    BATCH = BLOCK_TRANSFER_BLOCKS_MAX,
};

struct ata_fuzzer {
    struct env *env;
    struct log_connection log;
    struct block_connection disk;
    uint64_t sectors;
    uint8_t image[ATA_FUZZ_IMAGE_MAX];     /* the expected disk, zero-padded */
    uint8_t data[BATCH * BLOCK_SIZE];
    uint8_t inverted[ATA_FUZZ_IMAGE_MAX];
};

static void read_equal(struct ata_fuzzer *f, const uint8_t *expected)
{
    for (uint64_t lba = 0; lba < f->sectors; lba += BATCH) {
        uint64_t count = f->sectors - lba < BATCH ? f->sectors - lba : BATCH;
        DUET_ASSERT(block_read(f->env, f->disk.cap, lba, count, f->data) == BLOCK_OK);
        DUET_ASSERT(duet_memcmp(f->data, expected + lba * BLOCK_SIZE, count * BLOCK_SIZE) == 0);
    }
}

static void write_all(struct ata_fuzzer *f, const uint8_t *source)
{
    /* Odd batch sizes too: 3 sectors at a time. */
    for (uint64_t lba = 0; lba < f->sectors; lba += 3) {
        uint64_t count = f->sectors - lba < 3 ? f->sectors - lba : 3;
        DUET_ASSERT(block_write(f->env, f->disk.cap, lba, count, source + lba * BLOCK_SIZE) ==
                    BLOCK_OK);
    }
}

static void bad_requests(struct ata_fuzzer *f)
{
    static const enum block_error bad_lba = BLOCK_ERR_BAD_LBA;
    DUET_ASSERT(block_read(f->env, f->disk.cap, f->sectors, 1, f->data) == bad_lba);
    DUET_ASSERT(block_write(f->env, f->disk.cap, f->sectors, 1, f->data) == bad_lba);
    DUET_ASSERT(block_read(f->env, f->disk.cap, 0, f->sectors + 1, f->data) ==
                (f->sectors + 1 > BATCH ? BLOCK_ERR_BAD_COUNT : bad_lba));
    DUET_ASSERT(block_read(f->env, f->disk.cap, UINT64_MAX, 1, f->data) == bad_lba);
    DUET_ASSERT(block_read(f->env, f->disk.cap, 0, 0, f->data) == BLOCK_ERR_BAD_COUNT);
    DUET_ASSERT(block_write(f->env, f->disk.cap, 0, BATCH + 1, f->data) == BLOCK_ERR_BAD_COUNT);
}

static void absent_slave(struct ata_fuzzer *f)
{
    struct block_connection slave;
    struct block_info info;
    DUET_ASSERT(parent_session(f->env, "BLOCK",
                               "drive=slave, ram_quota=" BLOCK_SESSION_RAM_QUOTA
                               ", cap_quota=" BLOCK_SESSION_CAP_QUOTA,
                               &slave.cap.index, &slave.id) == RPC_OK);
    DUET_ASSERT(block_info(f->env, slave.cap, &info) == RPC_OK && info.block_count == 0);
    DUET_ASSERT(block_read(f->env, slave.cap, 0, 1, f->data) == BLOCK_ERR_NO_DEVICE);
    DUET_ASSERT(block_connection_close(f->env, &slave) == RPC_OK);
}

void ata_fuzzer_main(struct env *env)
{
    struct ata_fuzzer *f = env_alloc(env, sizeof *f);
    DUET_ASSERT(f != NULL);
    f->env = env;
    DUET_ASSERT(log_connection_open(env, &f->log) == RPC_OK);
    struct rom_connection rom;
    size_t size = 0;
    DUET_ASSERT(rom_connection_open(env, "image", &rom) == RPC_OK);
    DUET_ASSERT(rom_read_all(env, rom.cap, f->image, sizeof f->image, &size) == RPC_OK);
    DUET_ASSERT(rom_connection_close(env, &rom) == RPC_OK);
    f->sectors = size == 0 ? 1 : (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
    for (size_t i = 0; i < f->sectors * BLOCK_SIZE; i++)
        f->inverted[i] = (uint8_t)~f->image[i];

    DUET_ASSERT(block_connection_open_waiting(env, true, &f->disk) == RPC_OK);
    struct block_info info;
    DUET_ASSERT(block_info(env, f->disk.cap, &info) == RPC_OK);
    DUET_ASSERT(info.block_count == f->sectors && info.block_size == BLOCK_SIZE &&
                info.writeable);
    read_equal(f, f->image);
    write_all(f, f->inverted);
    read_equal(f, f->inverted);
    write_all(f, f->image);
    read_equal(f, f->image);
    bad_requests(f);
    absent_slave(f);
    DUET_ASSERT(block_connection_close(env, &f->disk) == RPC_OK);
    log_write(env, f->log.cap, "ata oracles held");
    parent_exit(env, 0);
}
