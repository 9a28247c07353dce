/*
 * test_pci_host_random_io.c - random port traffic against the PCI host's
 * invariants and against a reference decoder written here.
 *
 * From a seed, a small PRNG (splitmix64) builds a machine (board flags,
 * bridges nested up to three deep, endpoints with random BARs, ROMs and
 * presets, some refused for good reasons) and then picks each step: a
 * CONFIG_ADDRESS write aimed mostly at functions that exist, a CONFIG_DATA
 * read or write of any width at any offset, any access to 0xCF8-0xCFB
 * (RCR included) or past the ports, a firmware-like scan that numbers the
 * bridges, an owner entry (configuration write, status error bits, BAR
 * address, reset). After every step it checks, from outside the model:
 *   - pci_host_check() (the model's numbered invariants);
 *   - every port read equals what the reference decoder below predicts
 *     from the state before the access (regions, alignment, bit 31, the
 *     routing through bridges, the cut at byte 255);
 *   - every CONFIG_DATA write changed exactly the bytes the function's
 *     layout lets it change (or reset what a secondary bus reset resets);
 *   - CONFIG_ADDRESS and the RCR equal the test's own copies;
 *   - a refused pci_host_add_function changed nothing;
 * and finally that the seeds together reached the interesting paths and
 * that one seed run twice ends in the same state. Prints
 * "test_pci_host_random_io: ok". Run it under ASan/UBSan too.
 * Usage: test_pci_host_random_io [first_seed [seed_count [steps]]].
 */
#include "duet/pci_host.h"

#include <string.h>

#include "fake_host.h"
#include "test_rng.h"

static const char test_name[] = "test_pci_host_random_io";

enum { SEED_COUNT = 8, STEPS_PER_SEED = 8000 };

struct run {
    struct fake_host fh;
    struct pci_host pci;
    struct pci_host before;          /* the state before the current step */
    uint64_t rng_state;
    uint64_t seed;
    uint64_t step;
    uint32_t config_address;         /* the test's copy */
    uint8_t reset_control;           /* the test's copy */
    uint64_t read_hash;
};

static struct run run_storage;

/* What all seeds together exercised; main insists on each. */
struct coverage {
    uint64_t reads_behind_bridge, reads_present, reads_unclaimed, misaligned;
    uint64_t writes_present, bus_resets, reset_requests, status_cleared;
    uint64_t add_refused, scans, bars_mapped;
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

static uint32_t width_mask(unsigned width)
{
    return width == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
}

/* ---- the reference decoder ------------------------------------------ */

static bool ref_is_bridge(const struct pci_host_function *fn)
{
    return fn->desc.header_type == PCI_HOST_HEADER_BRIDGE;
}

static bool ref_forwards(const uint8_t *config, unsigned bus_number)
{
    bool held = (config[PCI_HOST_BRIDGE_CONTROL] & PCI_HOST_BRIDGE_CONTROL_BUS_RESET) != 0;
    return !held && config[PCI_HOST_SECONDARY_BUS] <= bus_number &&
           bus_number <= config[PCI_HOST_SUBORDINATE_BUS];
}

/* Bridges on bus_id in QEMU's list order: the most recently added first. */
static int ref_find_bus(const struct pci_host *pci, unsigned bus_id,
                        unsigned bus_number, unsigned depth)
{
    if (depth > PCI_HOST_BUSES_MAX) return -1;
    for (int id = (int)pci->function_count - 1; id >= 0; id--) {
        const struct pci_host_function *fn = &pci->functions[id];
        if (!ref_is_bridge(fn) || fn->bus_id != bus_id) continue;
        if (fn->config[PCI_HOST_SECONDARY_BUS] == bus_number) {
            return fn->secondary_bus_id;
        }
        if (ref_forwards(fn->config, bus_number)) {
            return ref_find_bus(pci, fn->secondary_bus_id, bus_number, depth + 1);
        }
    }
    return -1;
}

static int ref_route(const struct pci_host *pci, uint32_t address)
{
    unsigned bus_number = (address >> 16) & 0xFF;
    unsigned devfn = (address >> 8) & 0xFF;
    int bus_id = bus_number == 0 ? 0 : ref_find_bus(pci, 0, bus_number, 0);
    if (bus_id < 0) return -1;
    for (unsigned id = 0; id < pci->function_count; id++) {
        if (pci->functions[id].bus_id == (unsigned)bus_id &&
            pci->functions[id].devfn == devfn) {
            return (int)id;
        }
    }
    return -1;
}

/* The value a read predicts from the state before it. */
static uint32_t ref_read(const struct run *run, unsigned offset, unsigned width)
{
    const struct pci_host *pci = &run->before;
    if (offset >= PCI_HOST_PORT_COUNT) return width_mask(width);
    if (offset == 1) return (run->reset_control * 0x01010101u) & width_mask(width);
    if ((offset % 4) % width != 0) return 0;
    if (offset < 4) return run->config_address & width_mask(width);
    if (!(run->config_address & PCI_HOST_ADDRESS_ENABLE)) return width_mask(width);
    uint32_t address = run->config_address | (offset - 4);
    int id = ref_route(pci, address);
    if (id < 0) return width_mask(width);
    unsigned reg = address & 0xFF;
    uint32_t value = 0;
    for (unsigned i = 0; i < width && reg + i < 256; i++) {
        value |= (uint32_t)pci->functions[id].config[reg + i] << (8 * i);
    }
    return value;
}

/* ---- checks after a step -------------------------------------------- */

static bool bus_behind(const struct pci_host *pci, unsigned bus_id, unsigned ancestor)
{
    for (unsigned steps = 0; steps <= PCI_HOST_BUSES_MAX; steps++) {
        if (bus_id == ancestor) return true;
        if (bus_id == 0) return false;
        bus_id = pci->buses[bus_id].parent_bus_id;
    }
    return false;
}

static void check_power_on(struct run *run, unsigned id)
{
    struct pci_host_config_layout layout;
    pci_host_config_layout(&run->pci.functions[id].desc, &layout);
    RUN_CHECK(run, memcmp(run->pci.functions[id].config, layout.power_on, 256) == 0);
}

/* A data write to function id at reg: the layout decides every byte; a
 * 0 -> 1 edge of a bridge's bus reset bit resets what is behind it. */
static void check_data_write(struct run *run, int id, unsigned reg,
                             unsigned count, uint32_t value)
{
    const struct pci_host *before = &run->before;
    for (unsigned other = 0; other < run->pci.function_count; other++) {
        if ((int)other == id) continue;
        bool reset = false;
        if (id >= 0 && ref_is_bridge(&before->functions[id])) {
            const uint8_t *old = before->functions[id].config;
            const uint8_t *now = run->pci.functions[id].config;
            reset = !(old[PCI_HOST_BRIDGE_CONTROL] & PCI_HOST_BRIDGE_CONTROL_BUS_RESET) &&
                    (now[PCI_HOST_BRIDGE_CONTROL] & PCI_HOST_BRIDGE_CONTROL_BUS_RESET) &&
                    bus_behind(before, before->functions[other].bus_id,
                               before->functions[id].secondary_bus_id);
        }
        if (reset) {
            check_power_on(run, other);
            coverage.bus_resets++;
        } else {
            RUN_CHECK(run, memcmp(run->pci.functions[other].config,
                                  before->functions[other].config, 256) == 0);
        }
    }
    if (id < 0) return;
    struct pci_host_config_layout layout;
    pci_host_config_layout(&before->functions[id].desc, &layout);
    uint8_t expected[256];
    memcpy(expected, before->functions[id].config, 256);
    for (unsigned i = 0; i < count; i++) {
        unsigned at = reg + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        expected[at] = (uint8_t)((expected[at] & ~layout.write_mask[at]) |
                                 (byte & layout.write_mask[at]));
        if (expected[at] & byte & layout.clear_mask[at]) coverage.status_cleared++;
        expected[at] &= (uint8_t)~(byte & layout.clear_mask[at]);
    }
    RUN_CHECK(run, memcmp(run->pci.functions[id].config, expected, 256) == 0);
}

static void check_state(struct run *run)
{
    const char *broken = pci_host_check(&run->pci);
    if (broken) fail(run, broken);
    RUN_CHECK(run, run->pci.config_address == run->config_address);
    RUN_CHECK(run, run->pci.reset_control == run->reset_control);
}

/* ---- guest port steps ----------------------------------------------- */

static unsigned random_width(struct run *run)
{
    static const unsigned widths[3] = { 1, 2, 4 };
    return widths[rng_below(run, 3)];
}

/* The bus number a function's bus answers to now (0 for the root). */
static unsigned bus_number_of(const struct pci_host *pci, unsigned bus_id)
{
    if (bus_id == 0) return 0;
    unsigned bridge = pci->buses[bus_id].bridge_function_id;
    return pci->functions[bridge].config[PCI_HOST_SECONDARY_BUS];
}

static uint32_t random_address(struct run *run)
{
    const struct pci_host *pci = &run->pci;
    uint32_t address;
    if (rng_below(run, 10) < 7) {
        const struct pci_host_function *fn =
            &pci->functions[rng_below(run, pci->function_count)];
        address = bus_number_of(pci, fn->bus_id) << 16 | (uint32_t)fn->devfn << 8;
    } else {
        address = rng_below(run, 6) << 16 | rng_below(run, 256) << 8;
    }
    static const uint8_t hot[] = { 0x00, 0x04, 0x0C, 0x10, 0x18, 0x20, 0x24,
                                   0x30, 0x38, 0x3C, 0xFC };
    unsigned kind = rng_below(run, 10);
    address |= kind < 6 ? hot[rng_below(run, sizeof hot)] : rng_below(run, 64) * 4;
    if (rng_below(run, 10) == 0) address |= rng_below(run, 4);        /* bits 1:0 */
    if (rng_below(run, 10) != 0) address |= PCI_HOST_ADDRESS_ENABLE;
    if (rng_below(run, 20) == 0) address |= rng_below(run, 128) << 24;
    return address;
}

static uint32_t random_value(struct run *run)
{
    switch (rng_below(run, 6)) {
    case 0: return UINT32_MAX;
    case 1: return 0;
    case 2: return 0x00400000 | (uint32_t)rng_below(run, 0x10000);  /* bus reset */
    case 3: return 0x00020100 | rng_below(run, 4) << 16 | rng_below(run, 4) << 8;
    default: return (uint32_t)rng_next(run);
    }
}

static uint32_t step_read(struct run *run, unsigned offset, unsigned width)
{
    uint32_t expected = ref_read(run, offset, width);
    uint32_t value = run->fh.dev.read(run->fh.dev.model, (uint16_t)offset, width);
    RUN_CHECK(run, value == expected);
    run->read_hash = (run->read_hash ^ value) * 0x100000001B3ull;
    if (offset >= 4 && offset < 8) {
        if ((offset % 4) % width != 0) {
            coverage.misaligned++;
        } else if ((run->config_address & PCI_HOST_ADDRESS_ENABLE) &&
                   ref_route(&run->before, run->config_address) >= 0) {
            coverage.reads_present++;
            if (run->config_address & 0x00FF0000) coverage.reads_behind_bridge++;
        } else {
            coverage.reads_unclaimed++;
        }
    }
    return value;
}

static void step_write(struct run *run, unsigned offset, unsigned width,
                       uint32_t value)
{
    run->fh.dev.write(run->fh.dev.model, (uint16_t)offset, width, value);
    value &= width_mask(width);
    int id = -1;
    unsigned reg = 0, count = 0;
    if (offset == 0 && width == 4) {
        run->config_address = value;
    } else if (offset == 1) {
        for (unsigned i = 0; i < width; i++) {
            uint8_t byte = (uint8_t)(value >> (8 * i));
            if (byte & PCI_HOST_RCR_RESET_CPU) coverage.reset_requests++;
            else run->reset_control = byte & PCI_HOST_RCR_SYSTEM_RESET;
        }
    } else if (offset >= 4 && offset < 8 && (offset % 4) % width == 0 &&
               (run->config_address & PCI_HOST_ADDRESS_ENABLE)) {
        uint32_t address = run->config_address | (offset - 4);
        id = ref_route(&run->before, address);
        reg = address & 0xFF;
        count = width < 256 - reg ? width : 256 - reg;
        if (id >= 0) coverage.writes_present++;
    }
    check_data_write(run, id, reg, count, value);
}

/* ---- owner steps ---------------------------------------------------- */

static void scan_bus(struct run *run, unsigned bus, unsigned *next_bus);

static uint32_t scan_read(struct run *run, uint32_t address, unsigned width)
{
    step_write(run, 0, 4, PCI_HOST_ADDRESS_ENABLE | address);
    run->before = run->pci;
    return step_read(run, 4 + (address & 3), width);
}

static void scan_write(struct run *run, uint32_t address, unsigned width,
                       uint32_t value)
{
    step_write(run, 0, 4, PCI_HOST_ADDRESS_ENABLE | address);
    run->before = run->pci;
    step_write(run, 4 + (address & 3), width, value);
    run->before = run->pci;
}

/* Firmware's numbering, through the ports (see test_pci_host.c). */
static void scan_bus(struct run *run, unsigned bus, unsigned *next_bus)
{
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        uint32_t base = bus << 16 | devfn << 8;
        if (scan_read(run, base, 2) == 0xFFFF) continue;
        uint8_t header = (uint8_t)scan_read(run, base | PCI_HOST_HEADER_TYPE, 1);
        if ((header & 0x7F) != PCI_HOST_HEADER_BRIDGE || *next_bus >= 255) continue;
        unsigned secondary = ++*next_bus;
        scan_write(run, base | PCI_HOST_BRIDGE_CONTROL, 2, 0);
        scan_write(run, base | PCI_HOST_PRIMARY_BUS, 4,
                   0xFFu << 16 | secondary << 8 | bus);
        scan_bus(run, secondary, next_bus);
        scan_write(run, base | PCI_HOST_SUBORDINATE_BUS, 1, *next_bus);
    }
}

/* Every bus number against every function's devfn: model and reference
 * routing agree. */
static void check_routes(struct run *run)
{
    for (unsigned bus_number = 0; bus_number < 8; bus_number++) {
        for (unsigned id = 0; id < run->pci.function_count; id++) {
            uint8_t devfn = run->pci.functions[id].devfn;
            RUN_CHECK(run, pci_host_route(&run->pci, (uint8_t)bus_number, devfn) ==
                               ref_route(&run->pci, bus_number << 16 |
                                                        (uint32_t)devfn << 8));
        }
    }
}

/* The owner numbers the bridges in a random order with small, often
 * overlapping ranges, sometimes holding a secondary bus in reset. */
static void renumber_bridges(struct run *run)
{
    unsigned count = run->pci.function_count;
    unsigned start = rng_below(run, count);
    for (unsigned k = 0; k < count; k++) {
        unsigned id = (start + k * 7) % count;   /* 7 is prime to 32 */
        if (!ref_is_bridge(&run->pci.functions[id])) continue;
        unsigned secondary = 1 + rng_below(run, 5);
        unsigned subordinate = secondary - 1 + rng_below(run, 4);
        pci_host_config_write(&run->pci, id, PCI_HOST_PRIMARY_BUS, 4,
                              subordinate << 16 | secondary << 8);
        if (rng_below(run, 4) == 0) {
            pci_host_config_write(&run->pci, id, PCI_HOST_BRIDGE_CONTROL, 2,
                                  rng_below(run, 2) ? 0x0040 : 0);
        }
    }
    check_routes(run);
}

static void step_owner(struct run *run)
{
    unsigned id = rng_below(run, run->pci.function_count);
    switch (rng_below(run, 6)) {
    case 0: {
        unsigned width = random_width(run);
        unsigned offset = rng_below(run, 257 - width);
        uint32_t value = random_value(run);
        pci_host_config_write(&run->pci, id, offset, width, value);
        check_data_write(run, (int)id, offset, width, value & width_mask(width));
        break;
    }
    case 1:
        pci_host_raise_status(&run->pci, id,
                              (uint16_t)(rng_next(run) & PCI_HOST_STATUS_WRITE_CLEAR));
        break;
    case 2: {
        uint64_t address = 0;
        unsigned bar = rng_below(run, PCI_HOST_ROM_BAR + 1);
        if (rng_below(run, 2)) {             /* as firmware: place it, enable */
            unsigned offset = bar == PCI_HOST_ROM_BAR ? PCI_HOST_ROM_ADDRESS
                                                      : PCI_HOST_BAR0 + 4 * bar;
            pci_host_config_write(&run->pci, id, offset, 4, 0xE0000001);
            pci_host_config_write(&run->pci, id, PCI_HOST_COMMAND, 2, 0x0003);
        }
        if (pci_host_bar_address(&run->pci, id, bar, &address)) {
            RUN_CHECK(run, address != 0);
            coverage.bars_mapped++;
        }
        break;
    }
    case 3:
        check_routes(run);
        break;
    case 4:
        renumber_bridges(run);
        break;
    default:
        if (pci_host_take_reset_request(&run->pci) || rng_below(run, 8) == 0) {
            pci_host_reset(&run->pci);
            run->reset_control = 0;
            for (unsigned f = 0; f < run->pci.function_count; f++) {
                check_power_on(run, f);
            }
        }
        break;
    }
}

static void step(struct run *run)
{
    run->before = run->pci;
    unsigned kind = rng_below(run, 100);
    if (kind < 30) {
        step_write(run, 0, 4, random_address(run));
    } else if (kind < 60) {
        step_read(run, 4 + rng_below(run, 4), random_width(run));
    } else if (kind < 80) {
        step_write(run, 4 + rng_below(run, 4), random_width(run), random_value(run));
    } else if (kind < 92) {
        unsigned offset = rng_below(run, 20) == 0 ? 8 + rng_below(run, 4)
                                                  : rng_below(run, 4);
        if (rng_below(run, 2)) {
            step_read(run, offset, random_width(run));
        } else {
            step_write(run, offset, random_width(run), (uint32_t)rng_next(run));
        }
    } else if (kind < 99) {
        step_owner(run);
    } else if (rng_below(run, 16) == 0) {
        unsigned next_bus = 0;
        scan_bus(run, 0, &next_bus);
        coverage.scans++;
    }
    check_state(run);
}

/* ---- the machine ---------------------------------------------------- */

static struct pci_host_bar_desc random_bar(struct run *run, unsigned index)
{
    unsigned kind = rng_below(run, 5);
    struct pci_host_bar_desc bar = { 0 };
    if (kind == 1) {
        bar.kind = PCI_HOST_BAR_KIND_IO;
        bar.size = UINT64_C(4) << rng_below(run, 8);
    } else if (kind == 2 || (kind == 3 && index == PCI_HOST_BARS - 1)) {
        bar.kind = PCI_HOST_BAR_KIND_MEM32;
        bar.size = UINT64_C(16) << rng_below(run, 24);
        bar.prefetchable = rng_below(run, 2);
    } else if (kind == 3) {
        bar.kind = PCI_HOST_BAR_KIND_MEM64;
        bar.size = UINT64_C(16) << rng_below(run, 40);
        bar.prefetchable = rng_below(run, 2);
    }
    return bar;
}

static struct pci_host_function_desc random_desc(struct run *run)
{
    struct pci_host_function_desc desc = {
        .vendor_id = (uint16_t)rng_below(run, 0xFFFF),
        .device_id = (uint16_t)rng_next(run),
        .class_code = (uint32_t)rng_next(run) & 0xFFFFFF,
        .revision = (uint8_t)rng_next(run),
        .multifunction = rng_below(run, 3) == 0,
        .interrupt_pin = (uint8_t)rng_below(run, 5),
        .status = (uint16_t)(rng_next(run) & PCI_HOST_STATUS_DESCRIBABLE),
        .subsystem_vendor_id = (uint16_t)rng_next(run),
        .subsystem_id = (uint16_t)rng_next(run),
        .rom_size = rng_below(run, 2) ? 0 : UINT32_C(2048) << rng_below(run, 8),
    };
    for (unsigned i = 0; i < PCI_HOST_BARS; i++) {
        desc.bars[i] = random_bar(run, i);
        if (desc.bars[i].kind == PCI_HOST_BAR_KIND_MEM64) i++;
    }
    desc.preset_count = (uint8_t)rng_below(run, 4);
    for (unsigned i = 0; i < desc.preset_count; i++) {
        desc.presets[i] = (struct pci_host_preset){
            .offset = (uint8_t)(0x40 + 0x10 * i + rng_below(run, 16)),
            .value = (uint8_t)rng_next(run), .write_mask = (uint8_t)rng_next(run),
        };
    }
    if (rng_below(run, 10) == 0) desc.interrupt_pin = 7;       /* refused */
    return desc;
}

static void add_random(struct run *run, bool bridge)
{
    struct pci_host *pci = &run->pci;
    struct pci_host_function_desc desc =
        bridge ? pci_host_qemu_bridge_desc((uint8_t)rng_next(run)) : random_desc(run);
    unsigned bus_id = rng_below(run, 8) ? rng_below(run, pci->bus_count)
                                        : pci->bus_count;       /* no such bus */
    unsigned device = rng_below(run, 16) ? rng_below(run, 32) : 32;  /* refused */
    unsigned function = rng_below(run, 4) ? 0 : rng_below(run, 8);
    static struct pci_host before;
    memcpy(&before, pci, sizeof before);
    unsigned id = 0;
    enum pci_host_error error =
        pci_host_add_function(pci, bus_id, device, function, &desc, &id);
    if (error != PCI_HOST_OK) {
        RUN_CHECK(run, memcmp(&before, pci, sizeof before) == 0);
        coverage.add_refused++;
        return;
    }
    RUN_CHECK(run, id == before.function_count);
    RUN_CHECK(run, pci_host_function_at(pci, bus_id, device, function) == (int)id);
    check_power_on(run, id);
}

static void run_seed(uint64_t seed, uint64_t steps)
{
    struct run *run = &run_storage;
    memset(run, 0, sizeof *run);
    run->seed = seed;
    run->rng_state = seed;
    fake_host_init(&run->fh, 0);
    pci_host_init(&run->pci, rng_below(run, 4));
    fake_host_attach(&run->fh, pci_host_port_device(&run->pci));
    unsigned bridges = 1 + rng_below(run, 6), endpoints = rng_below(run, 16);
    for (unsigned i = 0; i < bridges; i++) add_random(run, true);
    for (unsigned i = 0; i < endpoints; i++) add_random(run, false);
    check_state(run);
    for (run->step = 0; run->step < steps; run->step++) {
        step(run);
    }
    RUN_CHECK(run, run->fh.irq_calls == 0 && run->fh.deadline_requests == 0);
}

int main(int argc, char **argv)
{
    uint64_t first_seed = argc > 1 ? strtoull(argv[1], 0, 0) : 1;
    uint64_t seed_count = argc > 2 ? strtoull(argv[2], 0, 0) : SEED_COUNT;
    uint64_t steps = argc > 3 ? strtoull(argv[3], 0, 0) : STEPS_PER_SEED;
    for (uint64_t seed = first_seed; seed < first_seed + seed_count; seed++) {
        run_seed(seed, steps);
    }
    if (argc > 1) {
        printf("%s: ok\n", test_name);
        return 0;
    }
    /* Determinism: the same seed ends in the same bytes. */
    static struct pci_host first;
    run_seed(first_seed, steps);
    memcpy(&first, &run_storage.pci, sizeof first);
    uint64_t first_hash = run_storage.read_hash;
    run_seed(first_seed, steps);
    RUN_CHECK(&run_storage, memcmp(&first, &run_storage.pci, sizeof first) == 0);
    RUN_CHECK(&run_storage, first_hash == run_storage.read_hash);

    const struct coverage *c = &coverage;
    const uint64_t reached[] = {
        c->reads_behind_bridge, c->reads_present, c->reads_unclaimed, c->misaligned,
        c->writes_present, c->bus_resets, c->reset_requests, c->status_cleared,
        c->add_refused, c->scans, c->bars_mapped,
    };
    for (unsigned i = 0; i < sizeof reached / sizeof reached[0]; i++) {
        if (reached[i] == 0) {
            fprintf(stderr, "%s: FAIL coverage counter %u never moved\n",
                    test_name, i);
            return 1;
        }
    }
    printf("%s: ok\n", test_name);
    return 0;
}
