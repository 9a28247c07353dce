/*
 * sim_world.h - one simulated world (sim-internal).
 *
 * The world struct sits at the start of the sim's arena, followed by the
 * kernel's state and the PD windows; all of it is reset between runs.
 * The HAL functions are free functions, so the sim keeps one pointer to the
 * running world (sim_world_current, set for the duration of sim_run); that
 * pointer is the sim's only mutable global.
 *
 * Virtual time: it advances by a fixed cost per kernel entry and per port
 * access, and jumps to the next device deadline when the kernel idles.
 * Steps (kernel entries + port accesses + idle jumps) are bounded by the
 * scenario's budget; exhausting it ends the run as SIM_HANG.
 */
#ifndef DUET_SIM_WORLD_H
#define DUET_SIM_WORLD_H

#include <setjmp.h>

#include "duet/hw_bus.h"
#include "duet/i8254.h"
#include "duet/i8259.h"
#include "duet/ide.h"
#include "duet/image.h"
#include "duet/pci_host.h"
#include "duet/sim.h"
#include "duet/syscall.h"
#include "duet/uart16550.h"
#include "keyboard_input.h"
#include "hal/context.h"
#include "hal/irq.h"
#include "kernel/kernel_platform.h"

enum {
    SIM_ARENA_BYTES = 16u << 20,
    SIM_COMPONENTS_MAX = 64,
    SIM_PORT_DEVICES_MAX = 16,
    SIM_DEADLINE_STORM_MAX = 10000,     /* deadline callbacks in one catch-up */
    SIM_KERNEL_ENTRY_NS = 100,          /* virtual cost of one system call    */
    SIM_PORT_ACCESS_NS = 1000,          /* an ISA port access takes ~1 us     */
    SIM_IRQ_DEFER_MAX = 8,              /* entries a pending interrupt may wait */
    SIM_WINDOW_SLOTS = 24,              /* windows at once (the kernel has 16 PDs) */
};
#define SIM_RAM_BYTES (UINT64_C(64) << 20)   /* physical memory for dataspaces */
/* Windows lie this far apart: each followed by a reserved gap, so that
 * running off a window's end faults instead of reaching the next one. */
#define SIM_WINDOW_STRIDE ((size_t)WINDOW_BYTES + ((size_t)1 << 20))

/* The memory model (memory.c); it outlives worlds, reset between them. */
struct sim_memory {
    uint8_t *windows;                   /* SIM_WINDOW_SLOTS reserved windows */
    size_t window_bytes;
    uint32_t in_use;                    /* bit per slot                      */
    uint32_t mapped_above_boot;         /* bit per slot: hal_map since cleared */
    size_t boot_bytes[SIM_WINDOW_SLOTS];   /* boot area mapped (kept when free) */
    int ram_fd;                         /* physical memory: a memfd          */
    uint8_t *ram;                       /* all of it, mapped for the sim     */
};
bool sim_memory_create(struct sim_memory *memory);
void sim_memory_destroy(struct sim_memory *memory);
/* Every window back to reserved and empty (a new world). */
void sim_memory_reset(struct sim_memory *memory);
bool sim_memory_in_windows(const struct sim_memory *memory, uintptr_t address);
/* Makes the sim's SIGSEGV handler the installed one again (a run's start). */
void sim_memory_claim_faults(void);

struct choice_stream {
    uint64_t state;                     /* PRNG state (seed mode)  */
    const uint8_t *bytes;               /* fuzzer bytes, or NULL   */
    size_t bytes_len;
    size_t bytes_used;
    uint64_t count;                     /* choices drawn so far    */
};

struct port_slot {
    struct hw_port_device device;
    uint64_t deadline_ns;               /* HW_DEADLINE_NONE when none */
    int irq_line;                       /* the ISA line it drives, -1: none */
};

struct port_bus {
    size_t count;
    struct port_slot slots[SIM_PORT_DEVICES_MAX];
};

struct irq_lines {
    uint32_t level;                     /* bit per ISA line: asserted */
    bool intr;                          /* the CPU's INTR pin (the PIC's output) */
};

/* The host line number the PIC drives INTR through (no ISA line has it). */
enum { SIM_INTR_LINE = 16 };

struct sim_world {
    const struct sim_config *config;
    struct kernel *kernel;
    struct hal_context boot;            /* the host stack sim_run runs on */
    struct hal_context *current;        /* context running now            */
    jmp_buf boot_failure;               /* panics before the first switch */

    uint64_t now_ns;
    uint64_t steps;
    uint64_t steps_max;
    struct choice_stream choices;
    struct port_bus bus;
    struct irq_lines irqs;
    unsigned irq_deferred;              /* entries the pending one has waited */
    struct hw_bus_host host;
    struct uart16550 uart;              /* COM1: core's console          */
    struct uart16550 uart2;             /* COM2: for drivers (IO_PORT)   */
    struct i8254 pit;                   /* 0x40, IRQ 0                   */
    struct i8259 pic;                   /* 0x20/0xA0 (+ ELCR), INTR      */
    struct keyboard_input keyboard;     /* i8042 0x60/0x64, IRQ 1 and 12 */
    uint64_t com2_bytes;                /* what COM2 sent out            */
    struct pci_host pci;                /* 0xCF8-0xCFF: world_pci.c      */
    struct ide ide;                     /* 0x1F0/0x3F6, IRQ 14 (if a disk) */
    uint8_t *disk_image;                /* in the arena; NULL: no disk   */
    size_t disk_image_bytes;

    struct component_info components[SIM_COMPONENTS_MAX];
    size_t component_count;
    struct boot_module modules[SCENARIO_ROMS_MAX + IMAGE_BOOT_MODULES];
    size_t module_count;

    struct sim_memory *memory;          /* the sim's, reset for this world */
    bool in_kernel;                     /* kernel code runs: a page fault now
                                           is the kernel's bug, not a PD's */

    uint8_t *arena;                     /* [arena, arena + arena_size)    */
    size_t arena_size;
    size_t arena_used;

    char console_line[SCENARIO_EXPECT_MAX];
    size_t console_line_length;
    bool expect_seen;
    uint64_t console_bytes;

    uint64_t faults;                    /* threads stopped by a fault     */
    char first_fault[SIM_FAILURE_MAX];

    bool ended;
    enum sim_outcome outcome;
    char failure[SIM_FAILURE_MAX];
};

extern struct sim_world *sim_world_current;

/* Clears ASan's poison on memory the sim reuses (stacks of fibers that
 * never returned leave it behind); nothing in other builds. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define SIM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef SIM_UNPOISON
#define SIM_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* choice_stream.c */
void choice_stream_init(struct choice_stream *stream, uint64_t seed, const uint8_t *bytes,
                        size_t bytes_len);
uint64_t choice_stream_next(struct choice_stream *stream, uint64_t range);

/* port_bus.c */
/* `irq_line`: the ISA line the device drives (-1: none), so that idling
 * can tell deadlines that may wake a thread from those that cannot. */
void port_bus_attach(struct port_bus *bus, struct hw_port_device device, int irq_line);
void port_bus_run_due(struct sim_world *world);
/* The earliest deadline of a device whose IRQ line is in `lines` (a bit
 * per line; devices without a line count as in every set). */
uint64_t port_bus_next_deadline(const struct port_bus *bus, uint32_t lines);
void port_bus_deadline_set(struct port_bus *bus, void *model, uint64_t at_ns);

/* irq_lines.c */
void irq_lines_set(struct sim_world *world, unsigned line, int level);
bool irq_lines_deliver(struct sim_world *world);
/* Lines whose interrupts can reach the CPU now (unmasked at the PIC). */
uint32_t irq_lines_live(const struct sim_world *world);

/* world.c */
void sim_world_step(struct sim_world *world);
/* What every entry into the kernel costs and brings: a step, virtual
 * time, due device events and maybe a pending interrupt. */
void sim_world_kernel_entry(struct sim_world *world);
_Noreturn void sim_world_finish(struct sim_world *world, enum sim_outcome outcome,
                                const char *failure);

/* world_pci.c: the PCI host bridge with bus 0 and the scenario's devices. */
bool world_pci_attach(struct sim_world *world);
/* world.c: zeroed, page-aligned memory of this world; NULL if full. */
void *sim_world_alloc(struct sim_world *world, size_t size);

/* disk.c: the scenario's disk as the primary IDE master, if it has one;
 * false if its image does not fit in the arena. */
bool sim_disk_attach(struct sim_world *world);

/* fiber.c */
void sim_fiber_boot_context(struct hal_context *boot);

#endif
