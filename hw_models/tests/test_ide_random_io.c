/*
 * test_ide_random_io.c - random port traffic against the IDE model's
 * invariants and its image.
 *
 * From a seed, a small PRNG (splitmix64) picks each step: a burst of data
 * port accesses (mostly words, some dwords and bytes, mostly in the
 * direction of the transfer under way), a register write with values
 * biased towards addresses inside a small image (80 sectors, so the end is
 * often crossed), a command from the set QEMU knows (and now and then any
 * byte), register and status reads of every width at every offset, device
 * control writes (nIEN, SRST, HOB), alternate status reads, time advances
 * that fire the deadline on time or leave it late, and a rare machine
 * reset. Seeds differ in the latency options (none, command and reset
 * latency, reset latency only). The image is a heap block of exactly its
 * size, so ASan reports any access outside it.
 *
 * After every access it checks, from outside the model:
 *   - ide_check() (the model's numbered invariants);
 *   - the host's IRQ level and deadline are the model's;
 *   - a data read during a READ returns the shadow image's bytes at the
 *     block and offset the model reports; any other data read returns 0
 *     (0xFF for a byte) and, like a data write outside a WRITE window,
 *     moves nothing: window, status, buffer and IRQ stay as they were;
 *   - when a block is written, the image holds exactly the bytes the test
 *     pushed through the data port for it, and nothing else changed;
 *   - status reads lower the IRQ, alternate status reads never do, the
 *     absent slave reads 0 in status and error;
 * and finally that the seeds together reached the interesting paths, and
 * that one seed run twice gives the same events and image. Prints
 * "test_ide_random_io: ok". Run it under ASan/UBSan too.
 * Usage: test_ide_random_io [first_seed [seed_count [steps]]].
 */
#include "duet/ide.h"

#include <string.h>

#include "fake_host.h"
#include "test_rng.h"

static const char test_name[] = "test_ide_random_io";

enum {
    SEED_COUNT = 8,
    STEPS_PER_SEED = 40000,
    IMAGE_SECTORS = 80,
    IMAGE_BYTES = IMAGE_SECTORS * IDE_SECTOR_BYTES,
    BURST_MAX = 300,
    LATENCY_MAX_NS = 5000,
};

struct run {
    struct fake_host fh;
    struct ide ide;
    struct hw_port_device command, control;
    uint8_t *image;                  /* heap, exactly IMAGE_BYTES */
    uint8_t shadow[IMAGE_BYTES];     /* what the image must hold */
    uint8_t written[IDE_BUFFER_BYTES];   /* bytes pushed into the write block */
    uint64_t sectors_written_seen;
    uint64_t rng_state;
    uint64_t seed;
    uint64_t step;
};

static struct run run_storage;

/* What all seeds together exercised; main insists on each. */
struct coverage {
    uint64_t read_words_checked, write_blocks_checked;
    uint64_t sectors_read, aborts, software_resets, dma_waits;
    uint64_t late_completions, ignored_commands, irq_rises, slave_reads;
};

static struct coverage coverage;

static uint64_t rng_next(struct run *run)
{
    return test_rng_next(&run->rng_state);
}

static unsigned rng_below(struct run *run, unsigned bound)
{
    return test_rng_below(&run->rng_state, bound);
}

static void fail(const struct run *run, const char *what)
{
    fprintf(stderr, "%s: FAIL seed %llu step %llu: %s\n", test_name,
            (unsigned long long)run->seed, (unsigned long long)run->step, what);
    fprintf(stderr, "reproduce: %s %llu 1\n", test_name,
            (unsigned long long)run->seed);
    exit(1);
}

#define RUN_CHECK(run, condition) \
    do { if (!(condition)) fail((run), #condition); } while (0)

/* ---- the checks after every access ---------------------------------- */

static void check_state(struct run *run)
{
    const char *broken = ide_check(&run->ide);
    if (broken) fail(run, broken);
    RUN_CHECK(run, run->fh.irq_level == (run->ide.irq_level ? 1 : 0));
    RUN_CHECK(run, run->fh.deadline_ns == run->ide.deadline_requested_ns);
}

/* A block reached the image: it must hold what the test wrote, and the
 * rest of the image must be as before. */
static void check_writes(struct run *run)
{
    const struct ide_stats *stats = &run->ide.stats;
    if (stats->sectors_written == run->sectors_written_seen) {
        return;
    }
    uint64_t lba = stats->last_write_lba;
    uint64_t bytes = stats->last_write_sectors * IDE_SECTOR_BYTES;
    RUN_CHECK(run, stats->sectors_written - run->sectors_written_seen ==
                       stats->last_write_sectors);
    RUN_CHECK(run, lba < IMAGE_SECTORS && bytes <= IDE_BUFFER_BYTES);
    RUN_CHECK(run, lba * IDE_SECTOR_BYTES + bytes <= IMAGE_BYTES);
    RUN_CHECK(run, memcmp(run->image + lba * IDE_SECTOR_BYTES, run->written, bytes) == 0);
    memcpy(run->shadow + lba * IDE_SECTOR_BYTES, run->written, bytes);
    RUN_CHECK(run, memcmp(run->image, run->shadow, IMAGE_BYTES) == 0);
    run->sectors_written_seen = stats->sectors_written;
    coverage.write_blocks_checked++;
}

static bool master_drq(const struct run *run)
{
    return run->ide.selected == IDE_MASTER &&
           (run->ide.drives[IDE_MASTER].status & IDE_STATUS_DRQ) != 0;
}

static bool window_has(const struct run *run, unsigned width)
{
    return (unsigned)run->ide.disk.data_offset + width <= run->ide.disk.data_end;
}

/* ---- port accesses -------------------------------------------------- */

/* What a data access that must not move anything leaves alone. */
struct quiet_view {
    uint16_t data_offset, data_end;
    enum ide_transfer transfer;
    uint8_t status;
    uint64_t irq_changes;
};

static uint8_t buffer_before[IDE_BUFFER_BYTES];

static struct quiet_view quiet_view(const struct run *run)
{
    return (struct quiet_view){
        .data_offset = run->ide.disk.data_offset, .data_end = run->ide.disk.data_end,
        .transfer = run->ide.disk.transfer, .status = run->ide.drives[IDE_MASTER].status,
        .irq_changes = run->fh.irq_changes,
    };
}

static void quiet_check(struct run *run, struct quiet_view before)
{
    struct quiet_view after = quiet_view(run);
    RUN_CHECK(run, after.data_offset == before.data_offset);
    RUN_CHECK(run, after.data_end == before.data_end);
    RUN_CHECK(run, after.transfer == before.transfer);
    RUN_CHECK(run, after.status == before.status);
    RUN_CHECK(run, after.irq_changes == before.irq_changes);
    RUN_CHECK(run, memcmp(buffer_before, run->ide.disk.buffer, IDE_BUFFER_BYTES) == 0);
}

static uint32_t port_read(struct run *run, bool control, uint16_t offset,
                          unsigned width)
{
    struct hw_port_device *dev = control ? &run->control : &run->command;
    uint32_t value = dev->read(dev->model, offset, width);
    check_state(run);
    return value;
}

static void port_write(struct run *run, bool control, uint16_t offset,
                       unsigned width, uint32_t value)
{
    struct hw_port_device *dev = control ? &run->control : &run->command;
    dev->write(dev->model, offset, width, value);
    check_state(run);
    check_writes(run);
}

static unsigned random_width(struct run *run)
{
    unsigned pick = rng_below(run, 20);
    return pick < 16 ? 2 : pick < 19 ? 4 : 1;
}

/* A deadline due now would run first and move the window: fire it before
 * predicting what a data access does (late completions are still met by
 * the other entries). */
static void settle(struct run *run)
{
    if (run->fh.deadline_ns <= run->fh.now_ns) {
        fake_run_until(&run->fh, run->fh.now_ns);
        check_state(run);
    }
}

static void data_read_one(struct run *run, unsigned width)
{
    settle(run);
    bool moves = master_drq(run) && run->ide.disk.transfer != IDE_TRANSFER_WRITE &&
                 window_has(run, width);
    bool from_image = moves && run->ide.disk.transfer == IDE_TRANSFER_READ;
    uint64_t base = run->ide.disk.buffer_lba * IDE_SECTOR_BYTES + run->ide.disk.data_offset;
    struct quiet_view before = quiet_view(run);
    if (!moves || width == 1) {
        memcpy(buffer_before, run->ide.disk.buffer, IDE_BUFFER_BYTES);
    }
    uint32_t value = port_read(run, false, IDE_REG_DATA, width);
    if (width == 1) {
        RUN_CHECK(run, value == 0xFF);
        quiet_check(run, before);
    } else if (!moves) {
        RUN_CHECK(run, value == 0);
        quiet_check(run, before);
    } else if (from_image) {
        RUN_CHECK(run, base + width <= IMAGE_BYTES);
        for (unsigned i = 0; i < width; i++) {
            RUN_CHECK(run, (uint8_t)(value >> (8 * i)) == run->shadow[base + i]);
        }
        coverage.read_words_checked++;
    }
}

static void data_write_one(struct run *run, unsigned width)
{
    uint32_t value = (uint32_t)rng_next(run);
    settle(run);
    bool moves = width > 1 && master_drq(run) &&
                 run->ide.disk.transfer == IDE_TRANSFER_WRITE && window_has(run, width);
    unsigned offset = run->ide.disk.data_offset;
    struct quiet_view before = quiet_view(run);
    if (moves) {
        for (unsigned i = 0; i < width; i++) {
            run->written[offset + i] = (uint8_t)(value >> (8 * i));
        }
    } else {
        memcpy(buffer_before, run->ide.disk.buffer, IDE_BUFFER_BYTES);
    }
    port_write(run, false, IDE_REG_DATA, width, value);
    if (!moves) {
        quiet_check(run, before);
    }
}

static void step_data_burst(struct run *run)
{
    unsigned count = 1 + rng_below(run, rng_below(run, 4) == 0 ? BURST_MAX : 32);
    bool writing = run->ide.disk.transfer == IDE_TRANSFER_WRITE;
    if (rng_below(run, 10) == 0) {
        writing = !writing;
    }
    for (unsigned i = 0; i < count; i++) {
        unsigned width = random_width(run);
        if (writing) {
            data_write_one(run, width);
        } else {
            data_read_one(run, width);
        }
    }
}

/* Values that keep addresses near the small image most of the time. */
static uint8_t random_register_value(struct run *run, unsigned offset)
{
    static const uint8_t features[] = { 0x03, 0x02, 0x82, 0xCC, 0x66, 0xAA, 0x01,
                                        0xD0, 0xD1, 0xD2, 0xD4, 0xD5, 0xD8, 0xD9, 0xDA };
    static const uint8_t devices[] = { 0xE0, 0xE0, 0xE0, 0xA0, 0xA0, 0x40, 0xB0, 0xF0, 0xE1 };
    uint8_t any = (uint8_t)rng_next(run);
    unsigned pick = rng_below(run, 10);
    switch (offset) {
    case IDE_REG_ERROR_FEATURE:
        return pick < 8 ? features[rng_below(run, sizeof features)] : any;
    case IDE_REG_SECTOR_COUNT:
        return pick < 7 ? (uint8_t)(1 + rng_below(run, 4)) : pick < 8 ? 0 : any;
    case IDE_REG_SECTOR_NUMBER:
        return pick < 8 ? (uint8_t)rng_below(run, IMAGE_SECTORS + 10) : any;
    case IDE_REG_CYLINDER_LOW:
        return pick < 7 ? 0 : pick < 8 ? IDE_SMART_SIGNATURE_LOW : any;
    case IDE_REG_CYLINDER_HIGH:
        return pick < 7 ? 0 : pick < 8 ? IDE_SMART_SIGNATURE_HIGH : any;
    default:                             /* IDE_REG_DEVICE */
        return pick < 8 ? devices[rng_below(run, sizeof devices)] : any;
    }
}

static void step_register_write(struct run *run)
{
    unsigned offset = 1 + rng_below(run, 6);
    port_write(run, false, (uint16_t)offset, 1, random_register_value(run, offset));
}

static void step_command(struct run *run)
{
    static const uint8_t commands[] = {
        IDE_CMD_READ_SECTORS, IDE_CMD_READ_SECTORS, IDE_CMD_READ_SECTORS_NO_RETRY,
        IDE_CMD_READ_SECTORS_EXT, IDE_CMD_READ_MULTIPLE, IDE_CMD_READ_MULTIPLE_EXT,
        IDE_CMD_WRITE_SECTORS, IDE_CMD_WRITE_SECTORS, IDE_CMD_WRITE_SECTORS_EXT,
        IDE_CMD_WRITE_MULTIPLE, IDE_CMD_WRITE_MULTIPLE_EXT, IDE_CMD_WRITE_VERIFY,
        IDE_CMD_IDENTIFY_DEVICE, IDE_CMD_EXECUTE_DIAGNOSTIC,
        IDE_CMD_INITIALIZE_DEVICE_PARAMETERS, IDE_CMD_SET_MULTIPLE_MODE,
        IDE_CMD_SET_FEATURES, IDE_CMD_FLUSH_CACHE, IDE_CMD_SMART, IDE_CMD_VERIFY,
        IDE_CMD_READ_NATIVE_MAX, IDE_CMD_READ_NATIVE_MAX_EXT,
        IDE_CMD_CHECK_POWER_MODE, IDE_CMD_STANDBY_IMMEDIATE, IDE_CMD_RECALIBRATE,
        IDE_CMD_SECURITY_FREEZE_LOCK, IDE_CMD_READ_DMA, IDE_CMD_WRITE_DMA_EXT,
        IDE_CMD_DATA_SET_MANAGEMENT, 0x08, 0xA1,
    };
    uint8_t command = rng_below(run, 10) == 0
                          ? (uint8_t)rng_next(run)
                          : commands[rng_below(run, sizeof commands)];
    port_write(run, false, IDE_REG_STATUS_COMMAND, 1, command);
}

static void step_register_read(struct run *run)
{
    static const unsigned widths[3] = { 1, 2, 4 };
    unsigned offset = rng_below(run, IDE_COMMAND_PORT_COUNT);
    unsigned width = widths[rng_below(run, 3)];
    if (offset == IDE_REG_DATA) {
        return;                          /* data reads are bursts */
    }
    bool slave = run->ide.selected == IDE_SLAVE;
    uint32_t value = port_read(run, false, (uint16_t)offset, width);
    if (width == 4) {
        RUN_CHECK(run, value == UINT32_MAX);
    }
    if (width == 2 && offset == IDE_REG_STATUS_COMMAND) {
        RUN_CHECK(run, (value >> 8) == 0xFF);
    }
    if (width <= 2 && slave && offset == IDE_REG_ERROR_FEATURE) {
        RUN_CHECK(run, (value & 0xFF) == 0);
        coverage.slave_reads++;
    }
    bool reads_status = width <= 2 && (offset == IDE_REG_STATUS_COMMAND ||
                                       (width == 2 && offset == IDE_REG_DEVICE));
    if (reads_status) {
        RUN_CHECK(run, run->fh.irq_level == 0);
        uint8_t status = (uint8_t)(offset == IDE_REG_STATUS_COMMAND ? value : value >> 8);
        RUN_CHECK(run, status == ide_status_peek(&run->ide));
        RUN_CHECK(run, !slave || status == 0);
    }
}

static void step_control_write(struct run *run)
{
    static const uint8_t values[] = { 0x00, 0x00, 0x02, 0x04, 0x06, 0x80, 0x00, 0x02 };
    uint8_t value = rng_below(run, 8) == 0 ? (uint8_t)rng_next(run)
                                           : values[rng_below(run, sizeof values)];
    static const unsigned widths[4] = { 1, 1, 2, 4 };
    port_write(run, true, 0, widths[rng_below(run, 4)], value);
}

static void step_alternate_status(struct run *run)
{
    int before = run->fh.irq_level;
    uint32_t value = port_read(run, true, 0, 1);
    RUN_CHECK(run, value == ide_status_peek(&run->ide));
    RUN_CHECK(run, before == 0 || run->fh.irq_level == 1);   /* never lowers */
}

static void step_wide_write(struct run *run)
{
    unsigned offset = 1 + rng_below(run, IDE_COMMAND_PORT_COUNT - 1);
    unsigned width = rng_below(run, 2) == 0 ? 2 : 4;
    port_write(run, false, (uint16_t)offset, width, (uint32_t)rng_next(run));
}

static uint64_t random_delta_ns(struct run *run)
{
    uint64_t latency = run->ide.command_latency_ns > run->ide.reset_latency_ns
                           ? run->ide.command_latency_ns : run->ide.reset_latency_ns;
    switch (rng_below(run, 4)) {
    case 0: return rng_below(run, 3);
    case 1: return latency;
    default: return rng_next(run) % (2 * latency + 2);
    }
}

static void step_time(struct run *run, bool late)
{
    uint64_t target = run->fh.now_ns + random_delta_ns(run);
    if (late) {
        if (run->ide.deadline_requested_ns <= target) {
            coverage.late_completions++;
        }
        fake_set_now(&run->fh, target);
    } else {
        fake_run_until(&run->fh, target);
    }
    check_state(run);
}

static void step_machine_reset(struct run *run)
{
    ide_reset(&run->ide);
    check_state(run);
    RUN_CHECK(run, run->fh.irq_level == 0);
}

static void step(struct run *run)
{
    unsigned choice = rng_below(run, 1000);
    if (choice < 250) {
        step_data_burst(run);
    } else if (choice < 450) {
        step_register_write(run);
    } else if (choice < 520) {
        step_command(run);
    } else if (choice < 620) {
        step_register_read(run);
    } else if (choice < 660) {
        step_control_write(run);
    } else if (choice < 700) {
        step_alternate_status(run);
    } else if (choice < 800) {
        step_time(run, false);
    } else if (choice < 840) {
        step_time(run, true);
    } else if (choice < 880) {
        step_wide_write(run);
    } else if (choice < 999) {
        port_read(run, false, IDE_REG_STATUS_COMMAND, 1);
        RUN_CHECK(run, run->fh.irq_level == 0);
    } else {
        step_machine_reset(run);
    }
}

/* ---- one seed -------------------------------------------------------- */

static void image_fill(struct run *run)
{
    for (unsigned i = 0; i < IMAGE_BYTES; i++) {
        run->image[i] = (uint8_t)rng_next(run);
    }
    run->image[510] = 0;                 /* no MBR */
    memcpy(run->shadow, run->image, IMAGE_BYTES);
}

static struct ide_config seed_config(struct run *run)
{
    struct ide_config config = { 0 };
    switch (run->seed % 3) {
    case 1:
        config.command_latency_ns = 1 + rng_below(run, LATENCY_MAX_NS);
        config.reset_latency_ns = 1 + rng_below(run, LATENCY_MAX_NS);
        break;
    case 2:
        config.reset_latency_ns = 1 + rng_below(run, LATENCY_MAX_NS);
        break;
    default:
        break;
    }
    return config;
}

static void coverage_add(const struct ide_stats *stats)
{
    coverage.sectors_read += stats->sectors_read;
    coverage.aborts += stats->aborts;
    coverage.software_resets += stats->software_resets;
    coverage.dma_waits += stats->dma_waits;
    coverage.ignored_commands += stats->commands_ignored;
    coverage.irq_rises += stats->irq_rises;
}

static uint64_t hash_bytes(uint64_t hash, const uint8_t *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hash = (hash ^ bytes[i]) * 0x100000001B3ull;
    }
    return hash;
}

static uint64_t run_seed(uint64_t seed, uint64_t steps)
{
    struct run *run = &run_storage;
    uint8_t *image = malloc(IMAGE_BYTES);
    CHECK(test_name, image != 0);
    memset(run, 0, sizeof *run);
    run->image = image;
    run->seed = seed;
    run->rng_state = seed;
    image_fill(run);
    struct ide_config config = seed_config(run);
    fake_host_init(&run->fh, IDE_PRIMARY_IRQ_LINE);
    ide_init(&run->ide, &run->fh.host, IDE_PRIMARY_IRQ_LINE, image, IMAGE_BYTES,
             &config);
    run->command = ide_command_port_device(&run->ide);
    run->control = ide_control_port_device(&run->ide);
    fake_host_attach(&run->fh, run->command);
    check_state(run);
    for (run->step = 0; run->step < steps; run->step++) {
        step(run);
        check_state(run);
    }
    /* Drain: the pending request or reset completes and nothing is left. */
    for (unsigned fired = 0; run->fh.deadline_ns != HW_DEADLINE_NONE; fired++) {
        RUN_CHECK(run, fired < 3);
        fake_run_until(&run->fh, run->fh.deadline_ns);
        check_state(run);
    }
    RUN_CHECK(run, memcmp(run->image, run->shadow, IMAGE_BYTES) == 0);
    coverage_add(&run->ide.stats);
    uint64_t hash = hash_bytes(run->fh.event_hash, image, IMAGE_BYTES);
    hash ^= run->ide.stats.sectors_read << 1 ^ run->fh.irq_changes << 7;
    free(image);
    return hash;
}

static void check_coverage(uint64_t steps)
{
    if (steps < STEPS_PER_SEED) {
        return;                          /* short reproduction runs */
    }
    CHECK(test_name, coverage.read_words_checked > 1000);
    CHECK(test_name, coverage.write_blocks_checked > 10);
    CHECK(test_name, coverage.sectors_read > 10);
    CHECK(test_name, coverage.aborts > 0);
    CHECK(test_name, coverage.software_resets > 0);
    CHECK(test_name, coverage.dma_waits > 0);
    CHECK(test_name, coverage.late_completions > 0);
    CHECK(test_name, coverage.ignored_commands > 0);
    CHECK(test_name, coverage.irq_rises > 0);
    CHECK(test_name, coverage.slave_reads > 0);
}

static uint64_t parse_or(const char *text, uint64_t fallback)
{
    return text ? strtoull(text, 0, 0) : fallback;
}

int main(int argc, char **argv)
{
    uint64_t first_seed = parse_or(argc > 1 ? argv[1] : 0, 1);
    uint64_t seed_count = parse_or(argc > 2 ? argv[2] : 0, SEED_COUNT);
    uint64_t steps = parse_or(argc > 3 ? argv[3] : 0, STEPS_PER_SEED);
    for (uint64_t seed = first_seed; seed < first_seed + seed_count; seed++) {
        run_seed(seed, steps);
    }
    printf("%llu seeds x %llu steps from seed %llu: %llu data reads checked, "
           "%llu write blocks checked, %llu sectors read, %llu aborts, "
           "%llu SRSTs, %llu DMA waits, %llu late completions\n",
           (unsigned long long)seed_count, (unsigned long long)steps,
           (unsigned long long)first_seed,
           (unsigned long long)coverage.read_words_checked,
           (unsigned long long)coverage.write_blocks_checked,
           (unsigned long long)coverage.sectors_read,
           (unsigned long long)coverage.aborts,
           (unsigned long long)coverage.software_resets,
           (unsigned long long)coverage.dma_waits,
           (unsigned long long)coverage.late_completions);
    check_coverage(steps);
    uint64_t first_hash = run_seed(first_seed, steps);
    uint64_t second_hash = run_seed(first_seed, steps);
    if (first_hash != second_hash) {
        fprintf(stderr, "%s: FAIL seed %llu is not deterministic\n", test_name,
                (unsigned long long)first_seed);
        return 1;
    }
    printf("%s: ok\n", test_name);
    return 0;
}
