/*
 * test_ide.c - the IDE disk model against the behaviour we promise
 * (QEMU 7.2's primary IDE hard disk).
 *
 * Each case drives the model through its two port devices (0x1F0-0x1F7 and
 * 0x3F6) on a fake host whose one line is IRQ 14, over a 2 MiB image
 * filled with a known pattern, and checks what a guest driver sees: the
 * power-on signature, the identify block word by word, read/write round
 * trips of one and many sectors at several LBAs up to the last one (LBA28,
 * CHS, LBA48, multiple mode), out-of-range and unsupported commands with
 * their status and error bytes, IRQ 14 with and without nIEN, the
 * alternate status, the absent slave, SRST and its signature, SET
 * FEATURES / INITIALIZE DEVICE PARAMETERS / SET MULTIPLE, SMART, DMA
 * commands without a bus master, wide accesses, the latency options with
 * an owner that fires deadlines on time and late, the geometry guess, and
 * the machine reset. Prints "test_ide: ok". Not here: random sequences
 * (test_ide_random_io.c).
 */
#include "duet/ide.h"

#include <string.h>

#include "fake_host.h"

static const char test_name[] = "test_ide";
#define T_CHECK(condition) CHECK(test_name, condition)
#define T_EQ(actual, expected) CHECK_EQ(test_name, actual, expected)

enum {
    IMAGE_SECTORS = 4096,            /* 2 MiB: guessed geometry 4/16/63 */
    LAST_LBA = IMAGE_SECTORS - 1,
    START_NS = 1000,
    LATENCY_NS = 10000,
    RESET_LATENCY_NS = 5000,
    PORT_DATA = 0x1F0, PORT_ERROR = 0x1F1, PORT_COUNT = 0x1F2,
    PORT_SECTOR = 0x1F3, PORT_CYL_LOW = 0x1F4, PORT_CYL_HIGH = 0x1F5,
    PORT_DEVICE = 0x1F6, PORT_STATUS = 0x1F7, PORT_CONTROL = 0x3F6,
    ST_IDLE = IDE_STATUS_DRDY | IDE_STATUS_DSC,                     /* 0x50 */
    ST_DATA = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ,    /* 0x58 */
    ST_ABORT = IDE_STATUS_DRDY | IDE_STATUS_ERR,                    /* 0x41 */
    ST_BUSY = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_BSY,    /* 0xD0 */
};

struct fixture {
    struct fake_host fh;
    struct ide ide;
    struct hw_port_device command, control;
};

static struct fixture fixture_storage;
static uint8_t image[IMAGE_SECTORS * IDE_SECTOR_BYTES];
static uint8_t image_before[IMAGE_SECTORS * IDE_SECTOR_BYTES];

static uint8_t pattern_byte(uint64_t lba, unsigned offset)
{
    return (uint8_t)(lba * 7 + offset * 13 + (lba >> 8) + 1);
}

static void image_fill(void)
{
    for (uint64_t lba = 0; lba < IMAGE_SECTORS; lba++) {
        for (unsigned i = 0; i < IDE_SECTOR_BYTES; i++) {
            image[lba * IDE_SECTOR_BYTES + i] = pattern_byte(lba, i);
        }
    }
    image[510] = 0;                      /* no MBR: the size decides geometry */
}

static void check_ok(const struct fixture *fx)
{
    const char *broken = ide_check(&fx->ide);
    if (broken) {
        fprintf(stderr, "%s: FAIL invariant: %s\n", test_name, broken);
        exit(1);
    }
    T_EQ(fx->fh.irq_level, fx->ide.irq_level);
    T_EQ(fx->fh.deadline_ns, fx->ide.deadline_requested_ns);
}

static struct fixture *setup_with(const struct ide_config *config)
{
    struct fixture *fx = &fixture_storage;
    image_fill();
    fake_host_init(&fx->fh, IDE_PRIMARY_IRQ_LINE);
    fx->fh.now_ns = START_NS;
    ide_init(&fx->ide, &fx->fh.host, IDE_PRIMARY_IRQ_LINE, image, sizeof image,
             config);
    fx->command = ide_command_port_device(&fx->ide);
    fx->control = ide_control_port_device(&fx->ide);
    fake_host_attach(&fx->fh, fx->command);
    T_EQ(fx->fh.irq_level, 0);
    T_EQ(fx->fh.irq_calls, 1);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    check_ok(fx);
    return fx;
}

static struct fixture *setup(void)
{
    return setup_with(0);
}

/* A tiny bus: route an absolute port to the device that decodes it. */
static struct hw_port_device *route(struct fixture *fx, uint16_t port,
                                    uint16_t *offset)
{
    struct hw_port_device *devices[2] = { &fx->command, &fx->control };
    for (unsigned i = 0; i < 2; i++) {
        struct hw_port_device *dev = devices[i];
        if (port >= dev->port_base && port < dev->port_base + dev->port_count) {
            *offset = (uint16_t)(port - dev->port_base);
            return dev;
        }
    }
    fprintf(stderr, "%s: FAIL no device at port 0x%x\n", test_name, port);
    exit(1);
}

static uint32_t in(struct fixture *fx, uint16_t port, unsigned width)
{
    uint16_t offset;
    struct hw_port_device *dev = route(fx, port, &offset);
    uint32_t value = dev->read(dev->model, offset, width);
    check_ok(fx);
    return value;
}

static void out(struct fixture *fx, uint16_t port, unsigned width, uint32_t value)
{
    uint16_t offset;
    struct hw_port_device *dev = route(fx, port, &offset);
    dev->write(dev->model, offset, width, value);
    check_ok(fx);
}

static uint8_t in8(struct fixture *fx, uint16_t port) { return (uint8_t)in(fx, port, 1); }
static void out8(struct fixture *fx, uint16_t port, uint8_t v) { out(fx, port, 1, v); }
static uint16_t in16(struct fixture *fx) { return (uint16_t)in(fx, PORT_DATA, 2); }
static void out16(struct fixture *fx, uint16_t v) { out(fx, PORT_DATA, 2, v); }
static uint8_t alt_status(struct fixture *fx) { return in8(fx, PORT_CONTROL); }
static uint8_t status(struct fixture *fx) { return in8(fx, PORT_STATUS); }
static int irq(const struct fixture *fx) { return fx->fh.irq_level; }

static void run_until(struct fixture *fx, uint64_t at_ns)
{
    fake_run_until(&fx->fh, at_ns);
    check_ok(fx);
}

/* LBA28 task file: count, LBA 0..23 in sector/cylinder, 24..27 in device. */
static void set_lba28(struct fixture *fx, uint32_t lba, uint8_t count)
{
    out8(fx, PORT_COUNT, count);
    out8(fx, PORT_SECTOR, (uint8_t)lba);
    out8(fx, PORT_CYL_LOW, (uint8_t)(lba >> 8));
    out8(fx, PORT_CYL_HIGH, (uint8_t)(lba >> 16));
    out8(fx, PORT_DEVICE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
}

static uint32_t get_lba28(struct fixture *fx)
{
    return (uint32_t)in8(fx, PORT_SECTOR) | (uint32_t)in8(fx, PORT_CYL_LOW) << 8 |
           (uint32_t)in8(fx, PORT_CYL_HIGH) << 16 |
           (uint32_t)(in8(fx, PORT_DEVICE) & 0x0F) << 24;
}

static void read_words(struct fixture *fx, uint16_t *words, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        words[i] = in16(fx);
    }
}

static uint16_t identify_words[IDE_IDENTIFY_WORDS];

static void identify(struct fixture *fx)
{
    out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
    T_EQ(alt_status(fx), ST_DATA);
    read_words(fx, identify_words, IDE_IDENTIFY_WORDS);
    T_EQ(alt_status(fx), ST_IDLE);
}

/* The ATA string in words [first, first + count), high byte first. */
static void identify_text(unsigned first, unsigned count, char *text)
{
    for (unsigned i = 0; i < count; i++) {
        text[2 * i] = (char)(identify_words[first + i] >> 8);
        text[2 * i + 1] = (char)identify_words[first + i];
    }
    text[2 * count] = '\0';
}

/* Read `count` sectors at the task file's address, one IRQ per block of
 * `block` sectors; checks each byte against the image. */
static void read_sectors_checked(struct fixture *fx, uint32_t lba, unsigned count,
                                 unsigned block, uint8_t command)
{
    out8(fx, PORT_STATUS, command);
    for (unsigned done = 0; done < count; done += block) {
        T_EQ(irq(fx), 1);
        T_EQ(status(fx), ST_DATA);
        T_EQ(irq(fx), 0);
        unsigned sectors = count - done < block ? count - done : block;
        for (unsigned i = 0; i < sectors * IDE_SECTOR_BYTES / 2; i++) {
            uint64_t byte = ((uint64_t)lba + done) * IDE_SECTOR_BYTES + 2 * i;
            uint16_t expected = (uint16_t)(image[byte] | image[byte + 1] << 8);
            T_EQ(in16(fx), expected);
        }
    }
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(irq(fx), 0);                    /* no IRQ after the last block */
}

static uint16_t write_word(uint32_t lba, unsigned word, uint8_t seed)
{
    return (uint16_t)(0xA5A5 ^ (lba * 31) ^ (word * 257) ^ (seed * 4099u));
}

/* Write `count` sectors: DRQ without IRQ first, then IRQ after each block. */
static void write_sectors_checked(struct fixture *fx, uint32_t lba, unsigned count,
                                  unsigned block, uint8_t command, uint8_t seed)
{
    out8(fx, PORT_STATUS, command);
    T_EQ(irq(fx), 0);
    for (unsigned done = 0; done < count; done += block) {
        T_EQ(alt_status(fx), ST_DATA);
        unsigned sectors = count - done < block ? count - done : block;
        for (unsigned s = 0; s < sectors; s++) {
            for (unsigned i = 0; i < IDE_SECTOR_BYTES / 2; i++) {
                out16(fx, write_word(lba + done + s, i, seed));
            }
        }
        T_EQ(irq(fx), 1);
        T_EQ(status(fx), done + sectors < count ? ST_DATA : ST_IDLE);
    }
    for (unsigned s = 0; s < count; s++) {
        for (unsigned i = 0; i < IDE_SECTOR_BYTES / 2; i++) {
            uint64_t byte = ((uint64_t)lba + s) * IDE_SECTOR_BYTES + 2 * i;
            T_EQ(image[byte] | image[byte + 1] << 8, write_word(lba + s, i, seed));
        }
    }
}

static void expect_abort(struct fixture *fx)
{
    T_EQ(irq(fx), 1);
    T_EQ(alt_status(fx), ST_ABORT);
    T_EQ(in8(fx, PORT_ERROR), IDE_ERROR_ABRT);
    T_EQ(status(fx), ST_ABORT);
    T_EQ(irq(fx), 0);
}

/* Count 1, sector 1, cylinder 0/0 (a disk) or 0xFF/0xFF (no drive). */
static void expect_registers(struct fixture *fx, uint8_t cylinder, uint8_t device)
{
    T_EQ(in8(fx, PORT_COUNT), 1);
    T_EQ(in8(fx, PORT_SECTOR), 1);
    T_EQ(in8(fx, PORT_CYL_LOW), cylinder);
    T_EQ(in8(fx, PORT_CYL_HIGH), cylinder);
    T_EQ(in8(fx, PORT_DEVICE), device);
}

static void expect_signature(struct fixture *fx, uint8_t cylinder)
{
    expect_registers(fx, cylinder, IDE_DEVICE_ALWAYS_ON);
}

/* ---- cases ----------------------------------------------------------- */

static void test_power_on(void)
{
    struct fixture *fx = setup();
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_ERROR), 0);
    expect_signature(fx, 0x00);
    T_EQ(in8(fx, PORT_DATA), 0xFF);      /* a data byte read */
    T_EQ(in16(fx), 0);                   /* no DRQ: 0 */
    T_EQ(irq(fx), 0);
}

static void test_identify(void)
{
    struct fixture *fx = setup();
    out8(fx, PORT_DEVICE, 0xA0);
    out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
    T_EQ(irq(fx), 1);
    T_EQ(alt_status(fx), ST_DATA);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_DATA);
    T_EQ(irq(fx), 0);
    read_words(fx, identify_words, IDE_IDENTIFY_WORDS);
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(irq(fx), 0);
    T_EQ(in16(fx), 0);                   /* the window is gone */

    char text[41];
    T_EQ(identify_words[0], 0x0040);
    T_EQ(identify_words[1], 4);          /* 4096 / (16 * 63) */
    T_EQ(identify_words[3], 16);
    T_EQ(identify_words[4], 512 * 63);
    T_EQ(identify_words[5], 512);
    T_EQ(identify_words[6], 63);
    identify_text(10, 10, text);
    T_CHECK(strcmp(text, "QM00001             ") == 0);
    T_EQ(identify_words[20], 3);
    T_EQ(identify_words[21], 512);
    T_EQ(identify_words[22], 4);
    identify_text(23, 4, text);
    T_CHECK(strcmp(text, "2.5+    ") == 0);
    identify_text(27, 20, text);
    T_CHECK(strcmp(text, "QEMU HARDDISK                           ") == 0);
    T_EQ(identify_words[47], 0x8010);
    T_EQ(identify_words[48], 1);
    T_EQ(identify_words[49], 0x0B00);
    T_EQ(identify_words[51], 0x0200);
    T_EQ(identify_words[52], 0x0200);
    T_EQ(identify_words[53], 0x0007);
    T_EQ(identify_words[54], 4);
    T_EQ(identify_words[55], 16);
    T_EQ(identify_words[56], 63);
    T_EQ(identify_words[57] | identify_words[58] << 16, 4 * 16 * 63);
    T_EQ(identify_words[59], 0x0110);   /* multiple mode 16 after reset */
    T_EQ(identify_words[60] | identify_words[61] << 16, IMAGE_SECTORS);
    T_EQ(identify_words[62], 0x0007);
    T_EQ(identify_words[63], 0x0007);
    T_EQ(identify_words[64], 0x0003);
    for (unsigned w = 65; w <= 68; w++) T_EQ(identify_words[w], 120);
    T_EQ(identify_words[69], 0x4000);
    T_EQ(identify_words[80], 0x00F0);
    T_EQ(identify_words[81], 0x0016);
    T_EQ(identify_words[82], 0x4021);
    T_EQ(identify_words[83], 0x7400);
    T_EQ(identify_words[84], 0x4000);
    T_EQ(identify_words[85], 0x4021);
    T_EQ(identify_words[86], 0x3400);
    T_EQ(identify_words[87], 0x4000);
    T_EQ(identify_words[88], 0x203F);
    T_EQ(identify_words[93], 0x6001);
    T_EQ(identify_words[100], IMAGE_SECTORS);
    T_EQ(identify_words[101] | identify_words[102] | identify_words[103], 0);
    T_EQ(identify_words[106], 0x6000);
    T_EQ(identify_words[169], 0x0001);
    unsigned nonzero = 0;
    for (unsigned w = 0; w < IDE_IDENTIFY_WORDS; w++) nonzero += identify_words[w] != 0;
    T_EQ(nonzero, 76);                   /* nothing else is set */

    /* The block is kept: SET MULTIPLE does not change word 59 any more,
     * SET FEATURES transfer mode and write cache do change theirs. */
    out8(fx, PORT_COUNT, 4);
    out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
    T_EQ(status(fx), ST_IDLE);
    out8(fx, PORT_ERROR, 0x03);
    out8(fx, PORT_COUNT, 0x45);          /* UDMA mode 5 */
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    T_EQ(status(fx), ST_IDLE);
    out8(fx, PORT_ERROR, 0x82);          /* write cache off (flushes) */
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    identify(fx);
    T_EQ(identify_words[59], 0x0110);
    T_EQ(identify_words[88], 0x203F);
    T_EQ(identify_words[85], 0x4001);
    out8(fx, PORT_ERROR, 0x03);
    out8(fx, PORT_COUNT, 0x22);          /* multiword DMA mode 2 */
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    identify(fx);
    T_EQ(identify_words[63], 0x0407);
    T_EQ(identify_words[88], 0x003F);
}

static void test_read_write(void)
{
    struct fixture *fx = setup();
    static const uint32_t lbas[] = { 0, 1, 100, 2047, LAST_LBA };
    for (unsigned i = 0; i < sizeof lbas / sizeof lbas[0]; i++) {
        set_lba28(fx, lbas[i], 1);
        read_sectors_checked(fx, lbas[i], 1, 1, IDE_CMD_READ_SECTORS);
        T_EQ(get_lba28(fx), lbas[i] + 1);
        T_EQ(in8(fx, PORT_COUNT), 0);
        set_lba28(fx, lbas[i], 1);
        write_sectors_checked(fx, lbas[i], 1, 1, IDE_CMD_WRITE_SECTORS, (uint8_t)i);
        T_EQ(get_lba28(fx), lbas[i] + 1);
        set_lba28(fx, lbas[i], 1);
        read_sectors_checked(fx, lbas[i], 1, 1, IDE_CMD_READ_SECTORS_NO_RETRY);
    }
    /* Data moving the wrong way is ignored: a write in a read, a read
     * (which returns 0) in a write. */
    set_lba28(fx, 5, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    T_EQ(status(fx), ST_DATA);
    out16(fx, 0xDEAD);
    out(fx, PORT_DATA, 4, 0xDEADBEEF);
    for (unsigned i = 0; i < 256; i++) {
        T_EQ(in16(fx), image[5 * 512 + 2 * i] | image[5 * 512 + 2 * i + 1] << 8);
    }
    T_EQ(alt_status(fx), ST_IDLE);
    set_lba28(fx, 6, 1);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_SECTORS);
    T_EQ(in16(fx), 0);
    T_EQ(in(fx, PORT_DATA, 4), 0);
    for (unsigned i = 0; i < 256; i++) out16(fx, (uint16_t)(i * 3));
    T_EQ(status(fx), ST_IDLE);
    for (unsigned i = 0; i < 256; i++) {
        T_EQ(image[6 * 512 + 2 * i] | image[6 * 512 + 2 * i + 1] << 8, (uint16_t)(i * 3));
    }
    /* Multi-sector, ending on the last sector. */
    set_lba28(fx, LAST_LBA - 4, 5);
    write_sectors_checked(fx, LAST_LBA - 4, 5, 1, IDE_CMD_WRITE_SECTORS_NO_RETRY, 9);
    T_EQ(get_lba28(fx), IMAGE_SECTORS);
    set_lba28(fx, LAST_LBA - 4, 5);
    read_sectors_checked(fx, LAST_LBA - 4, 5, 1, IDE_CMD_READ_SECTORS);
    /* Count 0 means 256 sectors. */
    set_lba28(fx, 1000, 0);
    read_sectors_checked(fx, 1000, 256, 1, IDE_CMD_READ_SECTORS);
    T_EQ(get_lba28(fx), 1256);
    /* WRITE VERIFY is a PIO write too; neighbours stay untouched. */
    memcpy(image_before, image, sizeof image);
    set_lba28(fx, 3000, 3);
    write_sectors_checked(fx, 3000, 3, 1, IDE_CMD_WRITE_VERIFY, 33);
    T_CHECK(memcmp(image, image_before, 3000 * IDE_SECTOR_BYTES) == 0);
    T_CHECK(memcmp(image + 3003 * IDE_SECTOR_BYTES, image_before + 3003 * IDE_SECTOR_BYTES,
                   (IMAGE_SECTORS - 3003) * IDE_SECTOR_BYTES) == 0);
    T_EQ(fx->ide.stats.last_write_lba, 3002);
    T_EQ(fx->ide.stats.sectors_written, 5 + 1 + 5 + 3);
}

static void test_multiple_mode(void)
{
    struct fixture *fx = setup();
    out8(fx, PORT_COUNT, 4);
    out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
    T_EQ(status(fx), ST_IDLE);
    set_lba28(fx, 500, 10);              /* blocks of 4, 4, 2 */
    write_sectors_checked(fx, 500, 10, 4, IDE_CMD_WRITE_MULTIPLE, 5);
    T_EQ(get_lba28(fx), 510);
    set_lba28(fx, 500, 10);
    read_sectors_checked(fx, 500, 10, 4, IDE_CMD_READ_MULTIPLE);
    /* Default after reset is 16; invalid sizes abort, 0 disables. */
    static const uint8_t invalid[] = { 3, 32, 6 };
    for (unsigned i = 0; i < sizeof invalid; i++) {
        out8(fx, PORT_COUNT, invalid[i]);
        out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
        expect_abort(fx);
    }
    out8(fx, PORT_COUNT, 16);
    out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
    T_EQ(status(fx), ST_IDLE);
    set_lba28(fx, LAST_LBA - 19, 20);
    read_sectors_checked(fx, LAST_LBA - 19, 20, 16, IDE_CMD_READ_MULTIPLE);
    out8(fx, PORT_COUNT, 0);
    out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
    T_EQ(status(fx), ST_IDLE);
    set_lba28(fx, 0, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_MULTIPLE);
    expect_abort(fx);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_MULTIPLE);
    expect_abort(fx);
}

static void test_chs_and_geometry(void)
{
    struct fixture *fx = setup();
    /* C/H/S 1/2/3 with 16 heads, 63 sectors: LBA 1*16*63 + 2*63 + 2. */
    uint32_t lba = 1 * 16 * 63 + 2 * 63 + 2;
    out8(fx, PORT_COUNT, 2);
    out8(fx, PORT_SECTOR, 3);
    out8(fx, PORT_CYL_LOW, 1);
    out8(fx, PORT_CYL_HIGH, 0);
    out8(fx, PORT_DEVICE, 0xA2);
    read_sectors_checked(fx, lba, 2, 1, IDE_CMD_READ_SECTORS);
    T_EQ(in8(fx, PORT_SECTOR), 5);       /* CHS registers advanced */
    T_EQ(in8(fx, PORT_DEVICE), 0xA2);
    /* Wrapping a track: sector 63 of head 15 -> next cylinder. */
    out8(fx, PORT_COUNT, 2);
    out8(fx, PORT_SECTOR, 63);
    out8(fx, PORT_CYL_LOW, 0);
    out8(fx, PORT_DEVICE, 0xAF);
    read_sectors_checked(fx, 15 * 63 + 62, 2, 1, IDE_CMD_READ_SECTORS);
    T_EQ(in8(fx, PORT_SECTOR), 2);
    T_EQ(in8(fx, PORT_CYL_LOW), 1);
    T_EQ(in8(fx, PORT_DEVICE), 0xA0);
    /* Sector 0 does not exist: C/H/S 0/0/0 is LBA -1. */
    out8(fx, PORT_COUNT, 1);
    out8(fx, PORT_SECTOR, 0);
    out8(fx, PORT_CYL_LOW, 0);
    out8(fx, PORT_DEVICE, 0xA0);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    expect_abort(fx);

    /* INITIALIZE DEVICE PARAMETERS: 8 heads (device 0xA7), 32 sectors. */
    out8(fx, PORT_COUNT, 32);
    out8(fx, PORT_DEVICE, 0xA7);
    out8(fx, PORT_STATUS, IDE_CMD_INITIALIZE_DEVICE_PARAMETERS);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    out8(fx, PORT_COUNT, 1);
    out8(fx, PORT_SECTOR, 3);
    out8(fx, PORT_CYL_LOW, 1);
    out8(fx, PORT_DEVICE, 0xA2);
    read_sectors_checked(fx, 1 * 8 * 32 + 2 * 32 + 2, 1, 1, IDE_CMD_READ_SECTORS);
    identify(fx);                        /* built now: shows 8/32 */
    T_EQ(identify_words[3], 8);
    T_EQ(identify_words[6], 32);
    T_EQ(identify_words[57], 4 * 8 * 32);
    /* SRST keeps it, unless SET FEATURES 0xCC asked to revert. */
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(fx->ide.disk.heads, 8);
    out8(fx, PORT_ERROR, 0xCC);
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    T_EQ(status(fx), ST_IDLE);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(fx->ide.disk.heads, 16);
    T_EQ(fx->ide.disk.sectors_per_track, 63);
    out8(fx, PORT_COUNT, 1);
    out8(fx, PORT_SECTOR, 3);
    out8(fx, PORT_CYL_LOW, 1);
    out8(fx, PORT_DEVICE, 0xA2);
    read_sectors_checked(fx, lba, 1, 1, IDE_CMD_READ_SECTORS);
    T_CHECK(!fx->ide.disk.reset_reverts);  /* one revert per 0xCC, as QEMU */
}

static void test_lba48(void)
{
    struct fixture *fx = setup();
    /* Each register takes the high byte first, then the low byte. */
    out8(fx, PORT_COUNT, 0);
    out8(fx, PORT_COUNT, 3);
    out8(fx, PORT_SECTOR, 0);
    out8(fx, PORT_SECTOR, 0xA0);         /* LBA 4000 = 0x000FA0 */
    out8(fx, PORT_CYL_LOW, 0);
    out8(fx, PORT_CYL_LOW, 0x0F);
    out8(fx, PORT_CYL_HIGH, 0);
    out8(fx, PORT_CYL_HIGH, 0);
    out8(fx, PORT_DEVICE, 0x40);
    read_sectors_checked(fx, 4000, 3, 1, IDE_CMD_READ_SECTORS_EXT);
    T_EQ(in8(fx, PORT_SECTOR), 0xA3);
    T_EQ(in8(fx, PORT_CYL_LOW), 0x0F);
    out8(fx, PORT_CONTROL, IDE_CONTROL_HOB);
    T_EQ(in8(fx, PORT_SECTOR), 0);       /* LBA 31:24 */
    T_EQ(in8(fx, PORT_CYL_LOW), 0);
    T_EQ(in8(fx, PORT_COUNT), 0);
    out8(fx, PORT_COUNT, 1);             /* any register write clears HOB */
    T_EQ(fx->ide.control, 0);
    T_EQ(in8(fx, PORT_COUNT), 1);
    /* An address above the image (LBA 1 << 24) aborts. */
    out8(fx, PORT_COUNT, 0);
    out8(fx, PORT_COUNT, 1);
    out8(fx, PORT_SECTOR, 1);
    out8(fx, PORT_SECTOR, 0);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS_EXT);
    expect_abort(fx);
    /* Write EXT to the last sector. */
    out8(fx, PORT_COUNT, 0);
    out8(fx, PORT_COUNT, 1);
    out8(fx, PORT_SECTOR, 0);
    out8(fx, PORT_SECTOR, 0xFF);
    out8(fx, PORT_CYL_LOW, 0);
    out8(fx, PORT_CYL_LOW, 0x0F);
    write_sectors_checked(fx, LAST_LBA, 1, 1, IDE_CMD_WRITE_SECTORS_EXT, 77);
    /* READ NATIVE MAX EXT leaves the last LBA in the registers. */
    out8(fx, PORT_STATUS, IDE_CMD_READ_NATIVE_MAX_EXT);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_SECTOR), 0xFF);
    T_EQ(in8(fx, PORT_CYL_LOW), 0x0F);
    T_EQ(in8(fx, PORT_CYL_HIGH), 0);
}

static void test_out_of_range(void)
{
    struct fixture *fx = setup();
    memcpy(image_before, image, sizeof image);
    /* One past the end: ABRT (QEMU does not report IDNF), no data. */
    set_lba28(fx, IMAGE_SECTORS, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    expect_abort(fx);
    T_EQ(in16(fx), 0);
    /* Last sector then one past: the first block comes, the second aborts. */
    set_lba28(fx, LAST_LBA, 2);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    T_EQ(status(fx), ST_DATA);
    for (unsigned i = 0; i < 256; i++) in16(fx);
    expect_abort(fx);
    T_EQ(get_lba28(fx), IMAGE_SECTORS);
    T_EQ(in8(fx, PORT_COUNT), 1);
    /* A write past the end takes its data, then aborts; the image is intact. */
    set_lba28(fx, IMAGE_SECTORS + 5, 1);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_SECTORS);
    T_EQ(irq(fx), 0);
    T_EQ(alt_status(fx), ST_DATA);
    for (unsigned i = 0; i < 256; i++) out16(fx, 0x1234);
    expect_abort(fx);
    /* A multiple write whose block crosses the end writes nothing. */
    set_lba28(fx, LAST_LBA - 1, 4);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_MULTIPLE);
    T_EQ(alt_status(fx), ST_DATA);
    for (unsigned i = 0; i < 4 * 256; i++) out16(fx, 0x4321);
    expect_abort(fx);
    T_CHECK(memcmp(image, image_before, sizeof image) == 0);
    T_EQ(fx->ide.stats.sectors_written, 0);
    /* LBA bits 27:24 count too. */
    set_lba28(fx, 0x1000000, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    expect_abort(fx);
    /* VERIFY checks no range (QEMU). */
    out8(fx, PORT_STATUS, IDE_CMD_VERIFY);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_ERROR), 0);
}

static void test_commands(void)
{
    struct fixture *fx = setup();
    /* Not hard-disk commands in QEMU's table: ERR, ABRT, IRQ. */
    static const uint8_t unsupported[] = {
        0x00, 0x03, 0x08, 0x11, 0x38, 0x87, 0x92, 0xA0, 0xA1, 0xB1, 0xC0,
        0xCD, 0xE4, 0xE8, 0xF0, 0xF1, 0xF9, 0xFF,
    };
    for (unsigned i = 0; i < sizeof unsupported; i++) {
        out8(fx, PORT_STATUS, unsupported[i]);
        expect_abort(fx);
    }
    T_EQ(fx->ide.stats.aborts, sizeof unsupported);
    /* Non-data commands: with or without DSC, as QEMU flags them. */
    static const struct { uint8_t command, status; } nondata[] = {
        { IDE_CMD_RECALIBRATE, ST_IDLE }, { IDE_CMD_SEEK, ST_IDLE },
        { IDE_CMD_VERIFY, ST_IDLE }, { IDE_CMD_STANDBY_IMMEDIATE, IDE_STATUS_DRDY },
        { IDE_CMD_IDLE_IMMEDIATE, IDE_STATUS_DRDY }, { IDE_CMD_SLEEP, IDE_STATUS_DRDY },
        { IDE_CMD_STANDBY_OLD, IDE_STATUS_DRDY }, { IDE_CMD_FLUSH_CACHE, ST_IDLE },
        { IDE_CMD_FLUSH_CACHE_EXT, ST_IDLE }, { IDE_CMD_SECURITY_FREEZE_LOCK, ST_IDLE },
    };
    for (unsigned i = 0; i < sizeof nondata / sizeof nondata[0]; i++) {
        out8(fx, PORT_COUNT, 1);
        out8(fx, PORT_STATUS, nondata[i].command);
        T_EQ(irq(fx), 1);
        T_EQ(in8(fx, PORT_ERROR), 0);
        T_EQ(status(fx), nondata[i].status);
    }
    T_EQ(in8(fx, PORT_COUNT), 0);        /* 0xF5 cleared the count */
    out8(fx, PORT_STATUS, IDE_CMD_CHECK_POWER_MODE);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_COUNT), 0xFF);
    /* SET FEATURES: known no-ops pass, unknown subcommands abort. */
    static const uint8_t passes[] = { 0x02, 0xAA, 0x55, 0x05, 0x85, 0x66, 0x42, 0xC2 };
    for (unsigned i = 0; i < sizeof passes; i++) {
        out8(fx, PORT_ERROR, passes[i]);
        out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
        T_EQ(status(fx), ST_IDLE);
    }
    static const uint8_t fails[] = { 0x00, 0x01, 0x81, 0x04, 0xFF };
    for (unsigned i = 0; i < sizeof fails; i++) {
        out8(fx, PORT_ERROR, fails[i]);
        out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
        expect_abort(fx);
    }
    out8(fx, PORT_ERROR, 0x03);
    out8(fx, PORT_COUNT, 0x18);          /* transfer mode class 3: none */
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    expect_abort(fx);
    out8(fx, PORT_COUNT, 0x0C);          /* PIO mode 4 */
    out8(fx, PORT_STATUS, IDE_CMD_SET_FEATURES);
    T_EQ(status(fx), ST_IDLE);
    /* EXECUTE DEVICE DIAGNOSTIC: signature, error 0x01, IRQ. */
    set_lba28(fx, 0x0ABCDEF, 9);
    out8(fx, PORT_STATUS, IDE_CMD_EXECUTE_DIAGNOSTIC);
    T_EQ(irq(fx), 1);
    T_EQ(in8(fx, PORT_ERROR), IDE_ERROR_DIAGNOSTIC_PASSED);
    T_EQ(status(fx), ST_IDLE);
    expect_signature(fx, 0x00);
    /* READ NATIVE MAX in LBA28 mode. */
    out8(fx, PORT_DEVICE, 0xE0);
    out8(fx, PORT_STATUS, IDE_CMD_READ_NATIVE_MAX);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(get_lba28(fx), LAST_LBA);
    /* A command while DRQ is up is ignored (and the register writes too). */
    out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
    T_EQ(status(fx), ST_DATA);
    out8(fx, PORT_COUNT, 0x77);
    T_EQ(in8(fx, PORT_COUNT), 1);
    uint64_t ignored = fx->ide.stats.commands_ignored;
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    T_EQ(fx->ide.stats.commands_ignored, ignored + 1);
    T_EQ(alt_status(fx), ST_DATA);
    T_EQ(in16(fx), 0x0040);              /* the identify transfer goes on */
}

static void test_irq_and_nien(void)
{
    struct fixture *fx = setup();
    /* nIEN: no IRQ for IDENTIFY, nor for a read's blocks. */
    out8(fx, PORT_CONTROL, IDE_CONTROL_NIEN);
    identify(fx);
    T_EQ(fx->fh.irq_changes, 0);
    set_lba28(fx, 7, 2);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    T_EQ(irq(fx), 0);
    for (unsigned i = 0; i < 512; i++) in16(fx);
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(fx->fh.irq_changes, 0);
    /* Clearing nIEN does not raise what was masked. */
    out8(fx, PORT_CONTROL, 0);
    T_EQ(irq(fx), 0);
    /* A raised IRQ stays up when nIEN is set; a status read lowers it. */
    out8(fx, PORT_STATUS, IDE_CMD_RECALIBRATE);
    T_EQ(irq(fx), 1);
    out8(fx, PORT_CONTROL, IDE_CONTROL_NIEN);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(irq(fx), 0);
    out8(fx, PORT_CONTROL, 0);
    /* A command write lowers the line before the command runs. */
    out8(fx, PORT_STATUS, IDE_CMD_RECALIBRATE);
    T_EQ(irq(fx), 1);
    out8(fx, PORT_STATUS, IDE_CMD_RECALIBRATE);
    T_EQ(irq(fx), 1);
    T_EQ(fx->fh.irq_changes, 5);         /* up, down, up, down-up */
    T_EQ(fx->fh.irq_log[3].level, 0);
}

static void test_alternate_status(void)
{
    struct fixture *fx = setup();
    out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
    for (unsigned i = 0; i < 3; i++) {
        T_EQ(alt_status(fx), ST_DATA);
        T_EQ(irq(fx), 1);
    }
    T_EQ(in(fx, PORT_CONTROL, 2), 0xFF00 | ST_DATA);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_DATA);
    T_EQ(irq(fx), 0);
    T_EQ(ide_status_peek(&fx->ide), ST_DATA);
}

static void test_absent_slave(void)
{
    struct fixture *fx = setup();
    out8(fx, PORT_STATUS, IDE_CMD_RECALIBRATE);
    T_EQ(irq(fx), 1);
    out8(fx, PORT_DEVICE, 0xB0);
    T_EQ(alt_status(fx), 0);
    T_EQ(irq(fx), 1);
    T_EQ(in8(fx, PORT_ERROR), 0);
    T_EQ(status(fx), 0);                 /* reads 0, still lowers the IRQ */
    T_EQ(irq(fx), 0);
    expect_registers(fx, 0xFF, 0xB0);    /* its power-on signature */
    /* Commands are ignored: no status, no IRQ, no data. */
    static const uint8_t commands[] = { IDE_CMD_IDENTIFY_DEVICE, IDE_CMD_READ_SECTORS,
                                        IDE_CMD_EXECUTE_DIAGNOSTIC, 0xFF };
    for (unsigned i = 0; i < sizeof commands; i++) {
        out8(fx, PORT_STATUS, commands[i]);
        T_EQ(irq(fx), 0);
        T_EQ(alt_status(fx), 0);
        T_EQ(in16(fx), 0);
    }
    T_EQ(fx->ide.stats.commands_ignored, sizeof commands);
    /* Register writes reach both drives. */
    out8(fx, PORT_COUNT, 0x12);
    out8(fx, PORT_SECTOR, 0x34);
    T_EQ(in8(fx, PORT_COUNT), 0x12);
    out8(fx, PORT_DEVICE, 0xA0);
    T_EQ(in8(fx, PORT_COUNT), 0x12);
    T_EQ(in8(fx, PORT_SECTOR), 0x34);
    T_EQ(alt_status(fx), ST_IDLE);
    /* SRST with the slave selected: both signatures; the slave stays
     * selected (QEMU keeps the unit), so status still reads 0. */
    out8(fx, PORT_DEVICE, 0xB0);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), 0);
    expect_signature(fx, 0xFF);
    out8(fx, PORT_DEVICE, 0xA0);
    expect_signature(fx, 0x00);
    T_EQ(in8(fx, PORT_ERROR), IDE_ERROR_DIAGNOSTIC_PASSED);
}

static void test_software_reset(void)
{
    struct fixture *fx = setup();
    set_lba28(fx, 0x0123456, 0x42);
    out8(fx, PORT_ERROR, 0x99);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    T_EQ(fx->ide.stats.software_resets, 1);
    T_EQ(irq(fx), 1);
    T_EQ(alt_status(fx), ST_IDLE);
    /* The reset clears SRST in the register (QEMU's bottom half does), so
     * writing it again is a new edge and a new reset; clearing it is not. */
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    T_EQ(fx->ide.stats.software_resets, 2);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(fx->ide.stats.software_resets, 2);
    T_EQ(in8(fx, PORT_ERROR), IDE_ERROR_DIAGNOSTIC_PASSED);
    expect_signature(fx, 0x00);
    T_EQ(status(fx), ST_IDLE);
    /* With nIEN the reset raises nothing. */
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST | IDE_CONTROL_NIEN);
    out8(fx, PORT_CONTROL, IDE_CONTROL_NIEN);
    T_EQ(irq(fx), 0);
    T_EQ(fx->ide.stats.software_resets, 3);
    out8(fx, PORT_CONTROL, 0);
    /* A reset in the middle of a transfer ends it. */
    out8(fx, PORT_COUNT, 4);
    out8(fx, PORT_STATUS, IDE_CMD_SET_MULTIPLE_MODE);
    T_EQ(status(fx), ST_IDLE);
    set_lba28(fx, 10, 4);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    T_EQ(status(fx), ST_DATA);
    for (unsigned i = 0; i < 100; i++) in16(fx);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(in16(fx), 0);
    T_EQ(fx->ide.disk.transfer, IDE_TRANSFER_NONE);
    expect_signature(fx, 0x00);
    /* Multiple mode is back to 16. */
    T_EQ(fx->ide.disk.multiple_sectors, 16);
}

static void test_dma_without_bus_master(void)
{
    struct fixture *fx = setup();
    static const uint8_t dma[] = { IDE_CMD_READ_DMA, IDE_CMD_WRITE_DMA,
                                   IDE_CMD_READ_DMA_EXT, IDE_CMD_WRITE_DMA_EXT };
    for (unsigned i = 0; i < sizeof dma; i++) {
        set_lba28(fx, 0, 1);
        out8(fx, PORT_STATUS, dma[i]);
        T_EQ(irq(fx), 0);
        T_EQ(alt_status(fx), ST_DATA);
        T_EQ(in16(fx), 0);               /* DRQ but no PIO data */
        out16(fx, 0xBEEF);
        out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
        T_EQ(status(fx), ST_DATA);       /* waits for the bus master ... */
        out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
        out8(fx, PORT_CONTROL, 0);
        T_EQ(status(fx), ST_IDLE);       /* ... until SRST */
    }
    T_EQ(fx->ide.stats.dma_waits, sizeof dma);
    /* DATA SET MANAGEMENT: TRIM waits for DMA, anything else aborts. */
    out8(fx, PORT_ERROR, 0x02);
    out8(fx, PORT_STATUS, IDE_CMD_DATA_SET_MANAGEMENT);
    expect_abort(fx);
    out8(fx, PORT_ERROR, 0x01);
    out8(fx, PORT_STATUS, IDE_CMD_DATA_SET_MANAGEMENT);
    T_EQ(alt_status(fx), ST_DATA);
}

static uint8_t smart_page[IDE_SECTOR_BYTES];

static void smart_command(struct fixture *fx, uint8_t feature, uint8_t sector)
{
    out8(fx, PORT_ERROR, feature);
    out8(fx, PORT_SECTOR, sector);
    out8(fx, PORT_CYL_LOW, IDE_SMART_SIGNATURE_LOW);
    out8(fx, PORT_CYL_HIGH, IDE_SMART_SIGNATURE_HIGH);
    out8(fx, PORT_STATUS, IDE_CMD_SMART);
}

static void smart_read_page(struct fixture *fx)
{
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_DATA);
    uint8_t sum = 0;
    for (unsigned i = 0; i < IDE_SECTOR_BYTES / 2; i++) {
        uint16_t word = in16(fx);
        smart_page[2 * i] = (uint8_t)word;
        smart_page[2 * i + 1] = (uint8_t)(word >> 8);
        sum = (uint8_t)(sum + smart_page[2 * i] + smart_page[2 * i + 1]);
    }
    T_EQ(sum, 0);
    T_EQ(smart_page[0], 0x01);
    T_EQ(alt_status(fx), ST_IDLE);
}

static void test_smart(void)
{
    struct fixture *fx = setup();
    smart_command(fx, IDE_SMART_RETURN_STATUS, 0);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_CYL_LOW), IDE_SMART_SIGNATURE_LOW);
    T_EQ(in8(fx, PORT_CYL_HIGH), IDE_SMART_SIGNATURE_HIGH);
    smart_command(fx, IDE_SMART_READ_DATA, 0);
    smart_read_page(fx);
    T_EQ(smart_page[2], 0x01);           /* first attribute id */
    T_EQ(smart_page[2 + 6 * 12], 0xBE);  /* the last one */
    T_EQ(smart_page[362], 0x82);         /* autosave on */
    smart_command(fx, IDE_SMART_READ_THRESHOLDS, 0);
    smart_read_page(fx);
    T_EQ(smart_page[3], 0x06);
    smart_command(fx, IDE_SMART_EXECUTE_OFFLINE, 1);
    T_EQ(status(fx), ST_IDLE);
    smart_command(fx, IDE_SMART_READ_LOG, 6);
    smart_read_page(fx);
    T_EQ(smart_page[508], 1);
    T_EQ(smart_page[2], 1);
    T_EQ(smart_page[4], 0x34);
    smart_command(fx, IDE_SMART_READ_LOG, 2);
    expect_abort(fx);
    smart_command(fx, IDE_SMART_EXECUTE_OFFLINE, 3);
    expect_abort(fx);
    /* Without the 0xC24F signature, or disabled: abort. */
    out8(fx, PORT_ERROR, IDE_SMART_RETURN_STATUS);
    out8(fx, PORT_CYL_LOW, 0);
    out8(fx, PORT_STATUS, IDE_CMD_SMART);
    expect_abort(fx);
    smart_command(fx, IDE_SMART_DISABLE, 0);
    T_EQ(status(fx), ST_IDLE);
    smart_command(fx, IDE_SMART_READ_DATA, 0);
    expect_abort(fx);
    smart_command(fx, IDE_SMART_ENABLE, 0);
    T_EQ(status(fx), ST_IDLE);
    smart_command(fx, IDE_SMART_AUTOSAVE, 0x00);
    T_EQ(status(fx), ST_IDLE);
    smart_command(fx, IDE_SMART_READ_DATA, 0);
    smart_read_page(fx);
    T_EQ(smart_page[362], 0x02);
}

static void test_widths(void)
{
    struct fixture *fx = setup();
    /* Dword data reads; a dword with two bytes left reads 0, moves nothing. */
    out8(fx, PORT_STATUS, IDE_CMD_IDENTIFY_DEVICE);
    T_EQ(status(fx), ST_DATA);
    T_EQ(in(fx, PORT_DATA, 4), 0x00040040);     /* words 0 and 1 */
    T_EQ(in8(fx, PORT_DATA), 0xFF);
    for (unsigned i = 2; i < 255; i++) in16(fx);
    T_EQ(in(fx, PORT_DATA, 4), 0);
    T_EQ(alt_status(fx), ST_DATA);
    in16(fx);
    T_EQ(alt_status(fx), ST_IDLE);
    /* Word access to two byte registers; dword reads all ones there. */
    out(fx, PORT_COUNT, 2, 0x0705);              /* count 5, sector 7 */
    T_EQ(in8(fx, PORT_COUNT), 5);
    T_EQ(in8(fx, PORT_SECTOR), 7);
    T_EQ(in(fx, PORT_COUNT, 2), 0x0705);
    T_EQ(in(fx, PORT_CYL_LOW, 4), 0xFFFFFFFF);
    out(fx, PORT_CYL_LOW, 4, 0x11223344);        /* ignored */
    T_EQ(in8(fx, PORT_CYL_LOW), 0);
    out8(fx, PORT_STATUS, IDE_CMD_RECALIBRATE);
    T_EQ(irq(fx), 1);
    T_EQ(in(fx, PORT_STATUS, 2), 0xFF00 | ST_IDLE);  /* past 0x1F7: 0xFF */
    T_EQ(irq(fx), 0);
    T_EQ(in(fx, PORT_CONTROL, 4), 0xFFFFFFFF);
    out(fx, PORT_CONTROL, 4, IDE_CONTROL_SRST);  /* ignored */
    T_EQ(fx->ide.stats.software_resets, 0);
    out(fx, PORT_CONTROL, 2, 0xFF00 | IDE_CONTROL_SRST);
    T_EQ(fx->ide.stats.software_resets, 1);
    out8(fx, PORT_CONTROL, 0);
    /* Dword data writes fill a write block. */
    set_lba28(fx, 42, 1);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_SECTORS);
    for (unsigned i = 0; i < 128; i++) out(fx, PORT_DATA, 4, 0xCAFE0000u | i);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(image[42 * 512 + 4], 1);
    T_EQ(image[42 * 512 + 7], 0xCA);
}

static void test_latency(void)
{
    struct ide_config config = { .command_latency_ns = LATENCY_NS,
                                 .reset_latency_ns = RESET_LATENCY_NS };
    struct fixture *fx = setup_with(&config);
    set_lba28(fx, 20, 2);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    uint64_t t0 = fx->fh.now_ns;
    T_EQ(alt_status(fx), ST_BUSY);
    T_EQ(irq(fx), 0);
    T_EQ(fx->fh.deadline_ns, t0 + LATENCY_NS);
    run_until(fx, t0 + LATENCY_NS - 1);
    T_EQ(alt_status(fx), ST_BUSY);
    out8(fx, PORT_COUNT, 9);             /* ignored while BSY */
    T_EQ(in8(fx, PORT_COUNT), 2);
    run_until(fx, t0 + LATENCY_NS);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_DATA);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    for (unsigned i = 0; i < 256; i++) in16(fx);
    T_EQ(alt_status(fx), ST_BUSY);       /* the second sector is fetched */
    /* A late owner: the deadline passes unfired; a status read catches up. */
    fake_set_now(&fx->fh, fx->fh.now_ns + 3 * LATENCY_NS);
    uint64_t changes = fx->fh.irq_changes;
    T_EQ(status(fx), ST_DATA);
    T_EQ(fx->fh.irq_changes, changes + 2);   /* raised, then lowered by the read */
    read_words(fx, identify_words, 256);
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);

    /* WRITE: DRQ at once; the filled block is written, BSY, then IRQ. */
    set_lba28(fx, 30, 1);
    out8(fx, PORT_STATUS, IDE_CMD_WRITE_SECTORS);
    T_EQ(alt_status(fx), ST_DATA);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    for (unsigned i = 0; i < 256; i++) out16(fx, 0x5A5A);
    T_EQ(alt_status(fx), ST_BUSY);
    T_EQ(image[30 * 512], 0x5A);
    t0 = fx->fh.now_ns;
    run_until(fx, t0 + LATENCY_NS);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    /* FLUSH CACHE: DRDY|BSY, then DSC and IRQ. */
    out8(fx, PORT_STATUS, IDE_CMD_FLUSH_CACHE);
    T_EQ(alt_status(fx), IDE_STATUS_DRDY | IDE_STATUS_BSY);
    run_until(fx, fx->fh.deadline_ns);
    T_EQ(status(fx), ST_IDLE);

    /* SRST: BSY on the edge, the reset RESET_LATENCY_NS later. */
    out8(fx, PORT_COUNT, 0x33);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    t0 = fx->fh.now_ns;
    T_EQ(alt_status(fx), ST_BUSY);
    T_EQ(fx->fh.deadline_ns, t0 + RESET_LATENCY_NS);
    out8(fx, PORT_CONTROL, 0);
    out8(fx, PORT_COUNT, 0x44);          /* ignored: BSY */
    T_EQ(in8(fx, PORT_COUNT), 0x33);
    run_until(fx, t0 + RESET_LATENCY_NS - 1);
    T_EQ(fx->ide.stats.software_resets, 0);
    run_until(fx, t0 + RESET_LATENCY_NS);
    T_EQ(fx->ide.stats.software_resets, 1);
    T_EQ(irq(fx), 1);
    T_EQ(status(fx), ST_IDLE);
    expect_signature(fx, 0x00);
    /* SRST while a read request is in flight drops the request. */
    set_lba28(fx, 50, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    t0 = fx->fh.now_ns;
    run_until(fx, t0 + 1000);
    out8(fx, PORT_CONTROL, IDE_CONTROL_SRST);
    out8(fx, PORT_CONTROL, 0);
    T_EQ(fx->fh.deadline_ns, t0 + 1000 + RESET_LATENCY_NS);
    run_until(fx, t0 + 3 * LATENCY_NS);
    T_EQ(fx->fh.deadline_ns, HW_DEADLINE_NONE);
    T_EQ(status(fx), ST_IDLE);
    T_EQ(fx->ide.disk.io, IDE_IO_NONE);
    T_EQ(in16(fx), 0);
    /* The command view and the control view carry the same deadline. */
    T_CHECK(fx->control.deadline == fx->command.deadline);
}

static void test_machine_reset(void)
{
    struct fixture *fx = setup();
    identify(fx);
    out8(fx, PORT_CONTROL, IDE_CONTROL_NIEN | IDE_CONTROL_HOB);
    set_lba28(fx, 99, 3);
    out8(fx, PORT_STATUS, 0xFF);         /* abort: error ABRT */
    out8(fx, PORT_DEVICE, 0xB0);
    ide_reset(&fx->ide);
    check_ok(fx);
    T_EQ(fx->ide.control, 0);
    T_EQ(fx->ide.selected, IDE_MASTER);
    T_EQ(alt_status(fx), ST_IDLE);
    T_EQ(in8(fx, PORT_ERROR), 0);        /* no diagnostic on machine reset */
    expect_signature(fx, 0x00);
    T_CHECK(fx->ide.disk.identify_set);  /* QEMU keeps the identify block */
    T_EQ(irq(fx), 0);
}

static void test_geometry_guess(void)
{
    static uint8_t mbr_image[8064 * IDE_SECTOR_BYTES];
    struct ide_geometry g = ide_geometry_guess(mbr_image, sizeof mbr_image);
    T_EQ(g.cylinders, 8);                /* no signature: 8064 / 1008 */
    T_EQ(g.heads, 16);
    T_EQ(g.sectors, 63);
    mbr_image[510] = 0x55;
    mbr_image[511] = 0xAA;
    uint8_t *entry = &mbr_image[0x1BE];
    entry[5] = 7;                        /* end head: 8 heads */
    entry[6] = 0xC0 | 32;                /* end sector 32 (cylinder bits above) */
    entry[12] = 0x10;                    /* some length */
    g = ide_geometry_guess(mbr_image, sizeof mbr_image);
    T_EQ(g.cylinders, 8064 / (8 * 32));
    T_EQ(g.heads, 8);
    T_EQ(g.sectors, 32);
    entry[5] = 31;                       /* 32 heads: a translating BIOS */
    g = ide_geometry_guess(mbr_image, sizeof mbr_image);
    T_EQ(g.heads, 16);
    T_EQ(g.sectors, 63);
    entry[5] = 7;
    entry[12] = 0;                       /* empty entry: skipped */
    g = ide_geometry_guess(mbr_image, sizeof mbr_image);
    T_EQ(g.heads, 16);
    g = ide_geometry_guess(mbr_image, 3 * IDE_SECTOR_BYTES);
    T_EQ(g.cylinders, 2);                /* tiny images: at least 2 */
    g = ide_geometry_guess(0, 0);
    T_EQ(g.cylinders, 2);

    /* A configured geometry and identity are used as given. */
    struct ide_config config = { .model = "DUET DISK", .serial = "SN-0123456789ABCDEFGHIJ",
                                 .firmware = "1.0", .geometry = { 100, 4, 17 } };
    struct fixture *fx = setup_with(&config);
    identify(fx);
    char text[41];
    identify_text(27, 20, text);
    T_CHECK(strncmp(text, "DUET DISK ", 10) == 0);
    identify_text(10, 10, text);
    T_CHECK(strcmp(text, "SN-0123456789ABCDEFG") == 0);  /* cut to 20 */
    T_EQ(identify_words[1], 100);
    T_EQ(identify_words[3], 4);
    T_EQ(identify_words[6], 17);
}

static void test_empty_image(void)
{
    struct fixture *fx = &fixture_storage;
    fake_host_init(&fx->fh, IDE_PRIMARY_IRQ_LINE);
    ide_init(&fx->ide, &fx->fh.host, IDE_PRIMARY_IRQ_LINE, 0, 0, 0);
    fx->command = ide_command_port_device(&fx->ide);
    fx->control = ide_control_port_device(&fx->ide);
    fake_host_attach(&fx->fh, fx->command);
    set_lba28(fx, 0, 1);
    out8(fx, PORT_STATUS, IDE_CMD_READ_SECTORS);
    expect_abort(fx);
    out8(fx, PORT_STATUS, IDE_CMD_READ_NATIVE_MAX);
    expect_abort(fx);
    identify(fx);
    T_EQ(identify_words[60], 0);
}

int main(void)
{
    test_power_on();
    test_identify();
    test_read_write();
    test_multiple_mode();
    test_chs_and_geometry();
    test_lba48();
    test_out_of_range();
    test_commands();
    test_irq_and_nien();
    test_alternate_status();
    test_absent_slave();
    test_software_reset();
    test_dma_without_bus_master();
    test_smart();
    test_widths();
    test_latency();
    test_machine_reset();
    test_geometry_guess();
    test_empty_image();
    printf("%s: ok\n", test_name);
    return 0;
}
