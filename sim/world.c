/*
 * world.c - one simulated run: build the world, boot it, end it, report.
 *
 * sim_run lays the world out in the sim's arena (world struct, kernel
 * state, then PD windows as the kernel asks for them), attaches the device
 * models to the port bus, and calls kernel_run on the host stack. The
 * world ends by switching back to that stack: on quiescence
 * (hal_world_end), on a failure (hal_panic) or when the step budget is
 * spent. Then the outcome is decided and the trace flushed.
 *
 * Also here: the HAL entry points that are about the world as a whole
 * (kernel entry, idle, events, choices, boot inputs, windows).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "duet/components.h"
#include "duet/trace_recorder.h"
#include "hal/choice.h"
#include "hal/event.h"
#include "hal/idle.h"
#include "hal/kernel_entry.h"
#include "sim_world.h"


struct sim_world *sim_world_current;

struct sim {
    struct sim_memory memory;
    uint8_t *arena;
    size_t arena_size;
    size_t arena_used_max;      /* high-water mark over all runs so far */
};

enum {
    UART_BASE = 0x3f8, UART_IRQ = 4,
    UART2_BASE = 0x2f8, UART2_IRQ = 3,
    PIT_BASE = 0x40, PIT_IRQ = 0,
    ARENA_PAGE_BYTES = 4096,
};

static const char *const outcome_names[SIM_OUTCOME_COUNT] = {
    [SIM_PASS] = "pass",
    [SIM_NO_SUCCESS_LINE] = "no-success-line",
    [SIM_FAIL] = "fail",
    [SIM_HANG] = "hang",
};

const char *sim_outcome_name(enum sim_outcome outcome)
{
    return (unsigned)outcome < SIM_OUTCOME_COUNT ? outcome_names[outcome] : "unknown";
}

struct sim *sim_create(void)
{
    struct sim *sim = calloc(1, sizeof *sim);
    if (sim == NULL)
        return NULL;
    void *arena = mmap(NULL, SIM_ARENA_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (arena == MAP_FAILED) {
        free(sim);
        return NULL;
    }
    sim->arena = arena;
    sim->arena_size = SIM_ARENA_BYTES;
    if (!sim_memory_create(&sim->memory)) {
        munmap(arena, SIM_ARENA_BYTES);
        free(sim);
        return NULL;
    }
    return sim;
}

void sim_destroy(struct sim *sim)
{
    if (sim == NULL)
        return;
    sim_memory_destroy(&sim->memory);
    SIM_UNPOISON(sim->arena, sim->arena_size);
    munmap(sim->arena, sim->arena_size);
    free(sim);
}

/* Bump allocation in the arena, page aligned; its contents are what the
 * last world left there. */
static void *arena_alloc(struct sim_world *world, size_t size)
{
    size_t start = (world->arena_used + ARENA_PAGE_BYTES - 1) & ~(size_t)(ARENA_PAGE_BYTES - 1);
    if (start > world->arena_size || size > world->arena_size - start)
        return NULL;
    world->arena_used = start + size;
    return world->arena + start;
}

void *sim_world_alloc(struct sim_world *world, size_t size)
{
    void *memory = arena_alloc(world, size);
    if (memory != NULL)
        memset(memory, 0, size);
    return memory;
}

void sim_world_step(struct sim_world *world)
{
    if (++world->steps > world->steps_max)
        sim_world_finish(world, SIM_HANG, "step budget exhausted");
}

_Noreturn void sim_fiber_exit_to(struct hal_context *from, struct hal_context *to);

_Noreturn void sim_world_finish(struct sim_world *world, enum sim_outcome outcome,
                                const char *failure)
{
    if (!world->ended) {
        world->ended = true;
        world->outcome = outcome;
        snprintf(world->failure, sizeof world->failure, "%s", failure ? failure : "");
        if (outcome == SIM_FAIL || outcome == SIM_HANG)
            hal_event(HAL_EVENT_FAILURE, outcome, 0, 0, 0, world->failure,
                      strnlen(world->failure, HAL_EVENT_BLOB_MAX));
        hal_event(HAL_EVENT_WORLD_END, outcome, world->steps, 0, 0, NULL, 0);
    }
    if (world->current == &world->boot)
        longjmp(world->boot_failure, 1);
    sim_fiber_exit_to(world->current, &world->boot);
}

/* ---- device wiring ------------------------------------------------------ */

static void host_irq_set(void *owner, unsigned line, int level)
{
    irq_lines_set(owner, line, level);
}

static uint64_t host_now_ns(void *owner)
{
    return ((struct sim_world *)owner)->now_ns;
}

static void host_deadline_set(void *owner, void *model, uint64_t at_ns)
{
    port_bus_deadline_set(&((struct sim_world *)owner)->bus, model, at_ns);
}

static void console_byte(void *ctx, uint8_t byte)
{
    struct sim_world *world = ctx;
    world->console_bytes++;
    if (world->config->on_console != NULL)
        world->config->on_console(world->config->on_console_ctx, byte);
    if (byte != '\n') {
        if (world->console_line_length + 1 < sizeof world->console_line)
            world->console_line[world->console_line_length++] = (char)byte;
        return;
    }
    world->console_line[world->console_line_length] = '\0';
    const char *expect = world->config->scenario->expect;
    if (expect[0] != '\0' && strcmp(world->console_line, expect) == 0)
        world->expect_seen = true;
    world->console_line_length = 0;
}

static void com2_byte(void *ctx, uint8_t byte)
{
    ((struct sim_world *)ctx)->com2_bytes++;
    (void)byte;
}

/* ---- building the world ------------------------------------------------- */

static bool world_components(struct sim_world *world, const struct sim_config *config)
{
    size_t count = 0;
    const struct component_info *framework = framework_components(&count);
    if (count + config->component_count > SIM_COMPONENTS_MAX)
        return false;
    memcpy(world->components, framework, count * sizeof *framework);
    if (config->component_count > 0)
        memcpy(world->components + count, config->components,
               config->component_count * sizeof *config->components);
    world->component_count = count + config->component_count;
    return true;
}

/* The scenario's ROMs first, so that one of them can stand in for a
 * module of the image with the same name; then the image's own. */
static void world_modules(struct sim_world *world, const struct scenario *scenario)
{
    for (size_t i = 0; i < scenario->rom_count; i++)
        world->modules[i] = (struct boot_module){scenario->roms[i].name,
                                                 scenario->roms[i].data,
                                                 scenario->roms[i].size};
    world->module_count = scenario->rom_count;
    world->module_count += image_boot_modules(world->modules + world->module_count,
                                              IMAGE_BOOT_MODULES);
}

static struct sim_world *world_build(struct sim *sim, const struct sim_config *config)
{
    /* Fibers of the last world left ASan poison on their stacks; only the
     * part of the arena a world ever used can hold any. */
    SIM_UNPOISON(sim->arena, sim->arena_used_max > 0 ? sim->arena_used_max : sizeof(struct sim_world));
    struct sim_world *world = (struct sim_world *)sim->arena;
    memset(world, 0, sizeof *world);
    world->arena = sim->arena;
    world->arena_size = sim->arena_size;
    world->arena_used = sizeof *world;
    world->config = config;
    sim_memory_reset(&sim->memory);
    sim_memory_claim_faults();
    world->memory = &sim->memory;
    world->steps_max = config->scenario->budget_steps ? config->scenario->budget_steps
                                                      : SIM_DEFAULT_BUDGET_STEPS;
    choice_stream_init(&world->choices, config->seed, config->choice_bytes,
                       config->choice_bytes_len);
    sim_fiber_boot_context(&world->boot);
    world->current = &world->boot;
    if (!world_components(world, config))
        return NULL;
    world_modules(world, config->scenario);

    size_t kernel_bytes = kernel_state_size();
    /* Not zeroed here: kernel_create zeroes what the kernel reads before
     * it writes (most of its state is not). */
    void *kernel_memory = arena_alloc(world, kernel_bytes);
    if (kernel_memory == NULL)
        return NULL;
    world->kernel = kernel_create(kernel_memory, kernel_bytes);

    world->host = (struct hw_bus_host){world, host_irq_set, host_now_ns, host_deadline_set};
    /* A PC's interrupt controllers, timer, serial ports and keyboard. */
    i8259_init(&world->pic, &world->host, SIM_INTR_LINE);
    port_bus_attach(&world->bus, i8259_master_port_device(&world->pic), -1);
    port_bus_attach(&world->bus, i8259_slave_port_device(&world->pic), -1);
    port_bus_attach(&world->bus, i8259_elcr_port_device(&world->pic), -1);
    i8254_init(&world->pit, &world->host, PIT_IRQ);
    port_bus_attach(&world->bus, i8254_port_device(&world->pit, PIT_BASE), PIT_IRQ);
    uart16550_init(&world->uart, &world->host, UART_IRQ, console_byte, world);
    port_bus_attach(&world->bus, uart16550_port_device(&world->uart, UART_BASE), UART_IRQ);
    uart16550_init(&world->uart2, &world->host, UART2_IRQ, com2_byte, world);
    port_bus_attach(&world->bus, uart16550_port_device(&world->uart2, UART2_BASE), UART2_IRQ);
    keyboard_input_attach(&world->keyboard, &world->bus, &world->host,
                          &config->scenario->keyboard);
    if (!world_pci_attach(world) || !sim_disk_attach(world))
        return NULL;
    return world;
}

/* After the end, let the devices finish what they were doing (the UART's
 * last bytes), so a failing world's last words reach the console. Nothing
 * of this is traced: the trace ended with WORLD_END. */
static void world_drain_devices(struct sim_world *world)
{
    enum { DRAIN_ROUNDS_MAX = 4096 };
    /* Only the serial ports have output in flight; the PIT ticks forever. */
    const uint32_t uarts = (UINT32_C(1) << UART_IRQ) | (UINT32_C(1) << UART2_IRQ);
    for (unsigned round = 0; round < DRAIN_ROUNDS_MAX; round++) {
        uint64_t next = port_bus_next_deadline(&world->bus, uarts);
        if (next == HW_DEADLINE_NONE)
            return;
        if (next > world->now_ns)
            world->now_ns = next;
        port_bus_run_due(world);
    }
}

static void world_report(struct sim_world *world, struct sim_result *result)
{
    struct trace_recorder *recorder = world->config->recorder;
    enum sim_outcome outcome = world->outcome;
    const struct scenario *scenario = world->config->scenario;
    if (outcome == SIM_PASS && scenario->expect[0] != '\0' && !world->expect_seen)
        outcome = SIM_NO_SUCCESS_LINE;
    *result = (struct sim_result){
        .outcome = outcome,
        .events = recorder->next_seq,
        .hash = recorder->hash,
        .choices = world->choices.count,
        .steps = world->steps,
        .time_ns = world->now_ns,
        .console_bytes = world->console_bytes,
        .faults = world->faults,
    };
    snprintf(result->failure, sizeof result->failure, "%s", world->failure);
    snprintf(result->first_fault, sizeof result->first_fault, "%s", world->first_fault);
}

void sim_run(struct sim *sim, const struct sim_config *config, struct sim_result *result)
{
    assert(sim != NULL && config != NULL && config->scenario != NULL && result != NULL);
    assert(config->recorder != NULL);
    assert(sim_world_current == NULL); /* one world at a time per process */
    struct sim_world *world = world_build(sim, config);
    if (world == NULL) {
        *result = (struct sim_result){.outcome = SIM_FAIL};
        snprintf(result->failure, sizeof result->failure,
                 "world does not fit: too many components, no arena room or a PCI list "
                 "that does not build");
        return;
    }
    sim_world_current = world;
    if (setjmp(world->boot_failure) == 0)
        kernel_run(world->kernel, &world->boot);
    /* Here after the world ended: by hal_world_end, a panic or the budget. */
    assert(world->ended);
    world->current = &world->boot;
    world_drain_devices(world);
    if (world->arena_used > sim->arena_used_max)
        sim->arena_used_max = world->arena_used;
    world_report(world, result);
    sim_world_current = NULL;
}

/* ---- HAL: world-level entry points --------------------------------------- */

void sim_world_kernel_entry(struct sim_world *world)
{
    sim_world_step(world);
    world->now_ns += SIM_KERNEL_ENTRY_NS;
    port_bus_run_due(world);
    /* When an interrupt is pending, the choice stream decides whether the
     * CPU takes it at this entry or a later one: interrupts arrive at any
     * point of the threads' work, not only where the devices' timing puts
     * them. Choice 0 (bare metal's) takes it at once; it is never put off
     * more than SIM_IRQ_DEFER_MAX entries in a row, nor when idle. */
    if (world->irqs.intr) {
        if (world->irq_deferred < SIM_IRQ_DEFER_MAX && hal_choice(2) == 1) {
            world->irq_deferred++;
        } else {
            irq_lines_deliver(world);
        }
    }
}

void hal_kernel_entry(struct syscall_frame *frame)
{
    struct sim_world *world = sim_world_current;
    sim_world_kernel_entry(world);
    world->in_kernel = true;
    kernel_entry_syscall(world->kernel, frame);
    world->in_kernel = false;
}

bool hal_idle(void)
{
    struct sim_world *world = sim_world_current;
    sim_world_step(world);
    if (irq_lines_deliver(world))
        return true;
    /* Only a device whose line reaches the CPU can wake a thread: jump to
     * the next of their deadlines, and if none is left, nothing can ever
     * happen (a PIT ticking on a masked line does not keep a world alive). */
    uint64_t next = port_bus_next_deadline(&world->bus, irq_lines_live(world));
    if (next == HW_DEADLINE_NONE)
        return false;
    uint64_t from = world->now_ns;
    if (next > world->now_ns)
        world->now_ns = next;
    hal_event(HAL_EVENT_IDLE, from, world->now_ns, 0, 0, NULL, 0);
    port_bus_run_due(world);
    irq_lines_deliver(world);
    return true;
}

void hal_world_end(void)
{
    sim_world_finish(sim_world_current, SIM_PASS, NULL);
}

void hal_panic(const char *function, const char *reason)
{
    char failure[SIM_FAILURE_MAX];
    snprintf(failure, sizeof failure, "%s: %s", function, reason);
    sim_world_finish(sim_world_current, SIM_FAIL, failure);
}

uint64_t hal_choice(uint64_t n)
{
    struct sim_world *world = sim_world_current;
    assert(n >= 1);
    if (n == 1)
        return 0;
    uint64_t seq = world->choices.count;
    uint64_t value = choice_stream_next(&world->choices, n);
    hal_event(HAL_EVENT_CHOICE, n, value, seq, 0, NULL, 0);
    if (world->config->on_choice != NULL)
        world->config->on_choice(world->config->on_choice_ctx, seq, n, value);
    return value;
}

void hal_event(enum hal_event_kind kind, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
               const void *blob, size_t blob_len)
{
    struct sim_world *world = sim_world_current;
    if (world->ended)
        return; /* the trace ends with WORLD_END; device draining is not traced */
    struct trace_record record;
    trace_record_init(&record, world->now_ns, (uint16_t)kind, world->current->pd,
                      world->current->thread);
    record.arg[0] = a0;
    record.arg[1] = a1;
    record.arg[2] = a2;
    record.arg[3] = a3;
    if (blob != NULL && blob_len > 0)
        trace_record_set_blob(&record, blob, blob_len);
    trace_recorder_append(world->config->recorder, &record);
    /* Faults are the kernel's to decide; the sim reports them. */
    if (kind == HAL_EVENT_FAULT && world->faults++ == 0)
        snprintf(world->first_fault, sizeof world->first_fault, "%.*s", (int)blob_len,
                 (const char *)blob);
}

const struct component_info *hal_boot_components(size_t *count)
{
    *count = sim_world_current->component_count;
    return sim_world_current->components;
}

const struct boot_module *hal_boot_modules(size_t *count)
{
    *count = sim_world_current->module_count;
    return sim_world_current->modules;
}
