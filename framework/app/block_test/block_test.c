/*
 * block_test.c - the ATA driver through BLOCK sessions (scenarios/ata.scn,
 * scenarios/ata_read_only.scn).
 *
 * The scenarios' disk: every sector filled with the lba pattern (32-bit
 * little-endian word i of sector s holds s << 8 | i, scenario.h) except
 * sector 1, which begins with "duet disk image" (a "sector" line).
 *   1. BLOCK_INFO: the scenario's size, 512-byte blocks.
 *   2. The whole disk read back, 8 blocks at a time, equals that image;
 *      its FNV-1a checksum is logged (the scenario data, end to end).
 *   3. Writes (if the session is writeable): blocks of a new pattern,
 *      single and 8 at a time, up to the last block, read back equal;
 *      then the old contents written back and read back equal.
 *      Read-only (no policy): every write is BLOCK_ERR_READ_ONLY and
 *      leaves the disk as it was.
 *   4. Bad requests are named errors, never crashes: an LBA at or past
 *      the end, a range crossing it, counts 0 and 9, an LBA beyond 28
 *      bits; a read-only session's write; FETCH outside the buffer.
 *   5. The absent slave: a session on it reports 0 blocks and
 *      BLOCK_ERR_NO_DEVICE.
 */
#include "duet/assert.h"
#include "duet/block_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/string.h"
#include "duet/text.h"

enum {
    BATCH = BLOCK_TRANSFER_BLOCKS_MAX,
    BATCH_BYTES = BATCH * BLOCK_SIZE,
    LABEL_SECTOR = 1,
};

static const char label[] = "duet disk image";

struct block_test {
    struct env *env;
    struct log_connection log;
    struct block_connection disk;
    struct block_info info;
    uint8_t *data;                  /* BATCH_BYTES */
    uint8_t *expected;              /* BATCH_BYTES */
};

static void say(struct block_test *t, const char *what, uint64_t number, bool hex)
{
    char line[128];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    if (hex)
        text_append_hex(&text, number);
    else
        text_append_u64(&text, number);
    log_write(t->env, t->log.cap, line);
}

static uint8_t image_byte(uint64_t lba, size_t offset)
{
    if (lba == LABEL_SECTOR && offset < sizeof label - 1)
        return (uint8_t)label[offset];
    uint32_t word = (uint32_t)lba << 8 | (uint32_t)(offset / 4);
    return (uint8_t)(word >> (8 * (offset % 4)));
}

static uint8_t written_byte(uint64_t lba, size_t offset)
{
    return (uint8_t)(offset * 7 + lba * 13 + 1);
}

static void expect_range(struct block_test *t, uint64_t lba, uint64_t count,
                         uint8_t (*byte)(uint64_t, size_t))
{
    for (uint64_t b = 0; b < count; b++)
        for (size_t i = 0; i < BLOCK_SIZE; i++)
            t->expected[b * BLOCK_SIZE + i] = byte(lba + b, i);
}

static void read_equal(struct block_test *t, uint64_t lba, uint64_t count,
                       uint8_t (*byte)(uint64_t, size_t))
{
    DUET_ASSERT(block_read(t->env, t->disk.cap, lba, count, t->data) == BLOCK_OK);
    expect_range(t, lba, count, byte);
    DUET_ASSERT(duet_memcmp(t->data, t->expected, count * BLOCK_SIZE) == 0);
}

static void write_range(struct block_test *t, uint64_t lba, uint64_t count,
                        uint8_t (*byte)(uint64_t, size_t))
{
    expect_range(t, lba, count, byte);
    DUET_ASSERT(block_write(t->env, t->disk.cap, lba, count, t->expected) == BLOCK_OK);
}

static void whole_disk(struct block_test *t)
{
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (uint64_t lba = 0; lba < t->info.block_count; lba += BATCH) {
        uint64_t count = t->info.block_count - lba < BATCH ? t->info.block_count - lba : BATCH;
        read_equal(t, lba, count, image_byte);
        for (size_t i = 0; i < count * BLOCK_SIZE; i++)
            hash = (hash ^ t->data[i]) * UINT64_C(0x100000001b3);
    }
    say(t, "the disk image read back, checksum ", hash, true);
}

static void writes(struct block_test *t)
{
    uint64_t last = t->info.block_count - 1;
    write_range(t, 3, 1, written_byte);
    read_equal(t, 3, 1, written_byte);
    read_equal(t, 2, 1, image_byte);          /* the neighbours untouched */
    read_equal(t, 4, 1, image_byte);
    write_range(t, last - (BATCH - 1), BATCH, written_byte);
    read_equal(t, last - (BATCH - 1), BATCH, written_byte);
    write_range(t, 3, 1, image_byte);         /* and back */
    write_range(t, last - (BATCH - 1), BATCH, image_byte);
    read_equal(t, 3, 1, image_byte);
    read_equal(t, last - (BATCH - 1), BATCH, image_byte);
    log_write(t->env, t->log.cap, "blocks written, read back equal, restored");
}

static void read_only_writes(struct block_test *t)
{
    expect_range(t, 3, 1, written_byte);
    DUET_ASSERT(block_write(t->env, t->disk.cap, 3, 1, t->expected) == BLOCK_ERR_READ_ONLY);
    read_equal(t, 3, 1, image_byte);
    log_write(t->env, t->log.cap, "writes refused: BLOCK_ERR_READ_ONLY, the disk unchanged");
}

static void expect_error(struct block_test *t, uint64_t lba, uint64_t count,
                         enum block_error expected)
{
    enum block_error error = block_read(t->env, t->disk.cap, lba, count, t->data);
    DUET_ASSERT(error == expected);
    if (t->info.writeable) {
        error = block_write(t->env, t->disk.cap, lba, count, t->data);
        DUET_ASSERT(error == expected);
    }
}

static void bad_requests(struct block_test *t)
{
    uint64_t blocks = t->info.block_count;
    expect_error(t, blocks, 1, BLOCK_ERR_BAD_LBA);
    expect_error(t, blocks - 2, 3, BLOCK_ERR_BAD_LBA);
    expect_error(t, UINT64_C(1) << 40, 1, BLOCK_ERR_BAD_LBA);
    expect_error(t, UINT64_MAX, 1, BLOCK_ERR_BAD_LBA);
    expect_error(t, 0, 0, BLOCK_ERR_BAD_COUNT);
    expect_error(t, 0, BATCH + 1, BLOCK_ERR_BAD_COUNT);
    /* A fetch outside what was read is the buffer's range error. */
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {BLOCK_BUFFER_BYTES}};
    DUET_ASSERT(call_BLOCK_FETCH(t->disk.cap, m) == RPC_ERR_OUT_OF_RANGE);
    *m = (struct ipc_message){.word_count = 3, .word = {BLOCK_BUFFER_BYTES - 4, 8, 0}};
    DUET_ASSERT(call_BLOCK_STORE(t->disk.cap, m) == RPC_ERR_OUT_OF_RANGE);
    *m = (struct ipc_message){.word_count = 3, .word = {0, BLOCK_CHUNK_BYTES + 1, 0}};
    DUET_ASSERT(call_BLOCK_STORE(t->disk.cap, m) == RPC_ERR_INVALID_ARGUMENT);
    read_equal(t, 0, 1, image_byte);          /* the driver goes on */
    log_write(t->env, t->log.cap, "bad LBAs and counts refused by name");
}

static void absent_slave(struct block_test *t)
{
    struct block_connection slave;
    struct block_info info;
    DUET_ASSERT(parent_session(t->env, "BLOCK",
                               "drive=slave, ram_quota=" BLOCK_SESSION_RAM_QUOTA
                               ", cap_quota=" BLOCK_SESSION_CAP_QUOTA,
                               &slave.cap.index, &slave.id) == RPC_OK);
    DUET_ASSERT(block_info(t->env, slave.cap, &info) == RPC_OK && info.block_count == 0);
    DUET_ASSERT(block_read(t->env, slave.cap, 0, 1, t->data) == BLOCK_ERR_NO_DEVICE);
    DUET_ASSERT(block_connection_close(t->env, &slave) == RPC_OK);
    log_write(t->env, t->log.cap, "the absent slave: no blocks, BLOCK_ERR_NO_DEVICE");
}

void block_test_main(struct env *env)
{
    struct block_test *t = env_alloc(env, sizeof *t);
    DUET_ASSERT(t != NULL);
    t->env = env;
    t->data = env_alloc(env, BATCH_BYTES);
    t->expected = env_alloc(env, BATCH_BYTES);
    DUET_ASSERT(t->data != NULL && t->expected != NULL);
    DUET_ASSERT(log_connection_open(env, &t->log) == RPC_OK);
    DUET_ASSERT(block_connection_open_waiting(env, true, &t->disk) == RPC_OK);
    DUET_ASSERT(block_info(env, t->disk.cap, &t->info) == RPC_OK);
    DUET_ASSERT(t->info.block_size == BLOCK_SIZE && t->info.block_count >= 2 * BATCH);
    say(t, "blocks: ", t->info.block_count, false);
    whole_disk(t);
    if (t->info.writeable)
        writes(t);
    else
        read_only_writes(t);
    bad_requests(t);
    absent_slave(t);
    DUET_ASSERT(block_connection_close(env, &t->disk) == RPC_OK);
    log_write(env, t->log.cap,
              t->info.writeable ? "block checks passed" : "block checks passed, read-only");
    parent_exit(env, 0);
}
