/*
 * platform.c - the HAL on an x86-64 PC (QEMU): boot, contexts, traps,
 * idle, events and the end of the world (docs/BAREMETAL.md).
 *
 * baremetal_main runs once, from boot.S: it reads the scenario's boot blob
 * (multiboot module 0), lays out the ROMs where ring 3 can read them, sets
 * up paging, the CPU's tables and the trace stream, and hands the machine
 * to the same kernel the sim runs (kernel_run). From then on the platform
 * is entered only through traps, system calls and the HAL's functions.
 *
 * What differs from the sim, and why:
 * - Contexts are kernel stacks: a thread runs its component in ring 3 on
 *   its own stack in its window and enters the kernel on a kernel stack of
 *   its own, where it also blocks. A switch changes kernel stacks, the
 *   address space, the TSS's ring-0 stack and the FS base (the utcb).
 * - Interrupts arrive whenever ring 3 runs; the kernel itself runs with
 *   interrupts off, and takes them only in hal_idle. As in the sim, an
 *   interrupt only makes its handler thread ready: the running thread goes
 *   on (the canonical choice 0).
 * - Port I/O from ring 3 traps, and is checked and performed here with the
 *   kernel's rule (kernel_port_allowed), as the sim's port bus does.
 * - hal_choice answers the canonical 0 without a trace record: nothing was
 *   drawn. Events from ring 3 (core logs, for one) reach the stream
 *   through a trap, since only ring 0 may touch the trace UART.
 * - Keyboard input comes from the host through QMP when the guest asks for
 *   it (hal_idle); the host's NMI after each says it has been given.
 * - Quiescence: the sim knows every device deadline; here the local APIC's
 *   timer watches an idle machine, and a whole second of virtual time
 *   without an interrupt, with no keyboard input left to ask for, ends the
 *   world. Every device the framework drives interrupts well within that.
 */
#include "baremetal.h"

#include "../../arch/x86/pic8259.h"
#include "../../arch/x86/reserved_ports.h"
#include "duet/image.h"
#include "duet/string.h"
#include "duet/text.h"
#include "duet/trace_stream.h"
#include "hal/choice.h"
#include "hal/event.h"
#include "hal/idle.h"
#include "hal/irq.h"
#include "hal/kernel_entry.h"
#include "hal/memory.h"
#include "hal/port_io.h"
#include "kernel/kernel_platform.h"

const struct component_info *framework_components(size_t *count);

enum {
    MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002,
    MULTIBOOT_INFO_MODULES = 1u << 3,
    BLOB_BYTES_MAX = 48 * 1024,
    KERNEL_STATE_BYTES = 1024 * 1024,
    IDLE_WATCHDOG_NS = 1000000000,
    INPUT_SETTLE_NS = 1000000,            /* 1 ms */
    /* The outcome numbers of the sim's enum sim_outcome (duet/sim.h). */
    OUTCOME_PASS = 0,
    OUTCOME_FAIL = 2,
    /* A context's words. */
    WORD_SP = 0, WORD_SLOT, WORD_KERNEL_STACK_TOP, WORD_ENTRY, WORD_ARG0, WORD_ARG1,
    WORD_USER_SP,
};

#define IDLE_TIMER_MAX_NS UINT32_C(4000000000)   /* the APIC's count is 32 bits */

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct multiboot_module {
    uint32_t start, end, string, reserved;
};

/* What ring 3 reads: core's ROM service asks hal_boot_modules. Written
 * once at boot, read-only afterwards (linker.ld's user region). */
struct user_rom {
    size_t module_count;
    struct boot_module modules[BAREMETAL_MODULES_MAX];
    char names[BOOT_BLOB_ROMS_MAX][BOOT_BLOB_NAME_BYTES];
    uint8_t data[BOOT_BLOB_ROMS_MAX][BOOT_BLOB_ROM_BYTES_MAX];
};
static struct user_rom user_rom __attribute__((section(".user_rom"), aligned(4096)));

struct baremetal {
    struct kernel *kernel;
    struct hal_context boot;
    struct hal_context *current;
    bool ended;
    uint64_t clock_base;
    uint32_t input_count;
    const uint8_t *input_times;        /* the blob's, µs (little-endian u64s) */
    uint32_t next_input;               /* the next keyboard input to ask for */
    uint8_t i8042_config;              /* the boot blob's, 0: the firmware's */
    volatile bool input_requested;     /* asked, and the host's NMI not yet in */
    bool input_settling;               /* given: let its interrupt in first */
    volatile bool irq_seen;            /* set by the interrupt path in hal_idle */
    volatile bool watchdog_fired;
    uint8_t blob[BLOB_BYTES_MAX] __attribute__((aligned(8)));
    uint8_t kernel_state[KERNEL_STATE_BYTES] __attribute__((aligned(4096)));
    uint8_t kernel_stacks[BAREMETAL_THREADS_MAX][BAREMETAL_KERNEL_STACK_BYTES]
        __attribute__((aligned(16)));
};

static struct baremetal platform;

void baremetal_switch(uint64_t *save_sp, uint64_t next_sp);
extern const char baremetal_input_hlt[];   /* the hlt of input_wait_for_host */
void baremetal_user_start(void);
void baremetal_context_started(struct hal_context *context);

static uint64_t clock_now(void)
{
    return cpu_read_tsc() - platform.clock_base;
}

/* ---- the end of the world ------------------------------------------------ */

static void control_record(uint16_t kind, uint64_t arg0)
{
    const uint64_t arg[4] = {arg0, 0, 0, 0};
    trace_uart_record(kind, 0, 0, clock_now(), arg, NULL, 0);
}

static DUET_NORETURN void machine_exit(unsigned outcome)
{
    const uint16_t lsr = TRACE_STREAM_PORT + 5;
    while ((cpu_inb(lsr) & 0x40) == 0) {   /* the last byte has left */
    }
    cpu_outb(DEBUG_EXIT_PORT, (uint8_t)outcome);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static DUET_NORETURN void world_finish(unsigned outcome, const char *failure)
{
    if (!platform.ended) {
        if (failure != NULL) {
            size_t length = duet_strnlen(failure, TRACE_STREAM_FAILURE_TEXT_MAX);
            for (size_t at = 0, chunk = 0; at < length; at += TRACE_STREAM_BLOB_MAX, chunk++) {
                size_t part = length - at < TRACE_STREAM_BLOB_MAX ? length - at
                                                                  : TRACE_STREAM_BLOB_MAX;
                const uint64_t arg[4] = {chunk, length, 0, 0};
                trace_uart_record(TRACE_STREAM_FAILURE_TEXT, 0, 0, clock_now(), arg,
                                  failure + at, part);
            }
        }
        if (failure != NULL)
            hal_event(HAL_EVENT_FAILURE, outcome, 0, 0, 0, failure,
                      duet_strnlen(failure, HAL_EVENT_BLOB_MAX));
        hal_event(HAL_EVENT_WORLD_END, outcome,
                  platform.kernel != NULL ? kernel_entry_count(platform.kernel) : 0, 0, 0,
                  NULL, 0);
        platform.ended = true;
    }
    control_record(TRACE_STREAM_END, outcome);
    machine_exit(outcome);
}

void baremetal_fail(const char *function, const char *reason)
{
    char failure[192];
    struct text text;
    text_init(&text, failure, sizeof failure);
    text_append(&text, function);
    text_append(&text, ": ");
    text_append(&text, reason);
    world_finish(OUTCOME_FAIL, failure);
}

void hal_world_end(void)
{
    if (!cpu_in_ring0())
        baremetal_user_panic("hal_world_end", "called from a component");
    world_finish(OUTCOME_PASS, NULL);
}

void hal_panic(const char *function, const char *reason)
{
    if (!cpu_in_ring0())
        baremetal_user_panic(function, reason);
    baremetal_fail(function, reason);
}

/* ---- events and choices -------------------------------------------------- */

static void event_write(unsigned kind, const uint64_t arg[4], const void *blob, size_t blob_len)
{
    if (platform.ended)
        return;   /* the trace ends with WORLD_END */
    const struct hal_context *running = platform.current;
    trace_uart_record((uint16_t)kind, running != NULL ? running->pd : 0,
                      running != NULL ? running->thread : 0, clock_now(), arg, blob, blob_len);
}

void hal_event(enum hal_event_kind kind, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
               const void *blob, size_t blob_len)
{
    if (blob_len > HAL_EVENT_BLOB_MAX)
        blob_len = HAL_EVENT_BLOB_MAX;
    if (!cpu_in_ring0()) {
        struct baremetal_event_args args = {kind, {a0, a1, a2, a3}, blob, blob_len};
        baremetal_user_event(&args);
        return;
    }
    const uint64_t arg[4] = {a0, a1, a2, a3};
    event_write(kind, arg, blob, blob_len);
}

uint64_t hal_choice(uint64_t n)
{
    if (n == 0)
        hal_panic(__func__, "a choice among nothing");
    return 0;   /* the canonical choice; nothing is drawn, nothing traced */
}

/* ---- boot inputs --------------------------------------------------------- */

const struct component_info *hal_boot_components(size_t *count)
{
    return framework_components(count);
}

const struct boot_module *hal_boot_modules(size_t *count)
{
    *count = user_rom.module_count;
    return user_rom.modules;
}

static void boot_blob_load(uint32_t magic, uint32_t info_at)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        baremetal_fail(__func__, "not started by a multiboot loader");
    const struct multiboot_info *info = (const struct multiboot_info *)(uintptr_t)info_at;
    if ((info->flags & MULTIBOOT_INFO_MODULES) == 0 || info->mods_count == 0)
        baremetal_fail(__func__, "no boot blob (multiboot module 0): start it with duet qemu");
    const struct multiboot_module *module =
        (const struct multiboot_module *)(uintptr_t)info->mods_addr;
    if (module->end < module->start || module->end - module->start > BLOB_BYTES_MAX)
        baremetal_fail(__func__, "the boot blob is larger than a scenario can make it");
    size_t size = module->end - module->start;
    duet_memcpy(platform.blob, (const void *)(uintptr_t)module->start, size);

    struct boot_blob blob;
    enum boot_blob_error error = boot_blob_parse(platform.blob, size, &blob);
    if (error != BOOT_BLOB_OK)
        baremetal_fail("boot_blob_parse", boot_blob_error_name(error));
    /* The scenario's ROMs first, so one can stand in for an image module
     * of the same name (as in the sim); then the image's own. */
    for (uint32_t i = 0; i < blob.rom_count; i++) {
        duet_strlcpy(user_rom.names[i], blob.roms[i].name, BOOT_BLOB_NAME_BYTES);
        duet_memcpy(user_rom.data[i], blob.roms[i].data, blob.roms[i].size);
        user_rom.modules[i] = (struct boot_module){user_rom.names[i], user_rom.data[i],
                                                   blob.roms[i].size};
    }
    user_rom.module_count = blob.rom_count;
    user_rom.module_count += image_boot_modules(user_rom.modules + user_rom.module_count,
                                                BAREMETAL_MODULES_MAX - user_rom.module_count);
    platform.input_count = blob.input_count;
    platform.input_times = blob.input_times;
    platform.i8042_config = blob.i8042_config;
}

/* SeaBIOS leaves the PIT's channel 0 ticking at 18.2 Hz; the sim's PIT
 * starts idle. A periodic timer in QEMU moves the virtual clock whenever
 * the guest halts, by as much as the host's answer to an input request
 * takes, so stop it as the sim has it: a one-shot of one tick, after which
 * the channel is silent until the framework's timer driver programs it.
 * (Its single edge is gone when the kernel initialises the PIC.) */
static void pit_quiet(void)
{
    enum { PIT_CHANNEL0 = 0x40, PIT_COMMAND = 0x43, CHANNEL0_LOHI_MODE0 = 0x30 };
    cpu_outb(PIT_COMMAND, CHANNEL0_LOHI_MODE0);
    cpu_outb(PIT_CHANNEL0, 1);
    cpu_outb(PIT_CHANNEL0, 0);
}

/* What firmware would have left in the i8042's configuration byte (the
 * sim's world starts with the scenario's): written once, untraced, before
 * any driver runs. */
static void i8042_configure(uint8_t config)
{
    enum { DATA = 0x60, STATUS_COMMAND = 0x64, INPUT_FULL = 0x02, OUTPUT_FULL = 0x01,
           WRITE_CONFIG = 0x60, SPINS_MAX = 100000 };
    if (config == 0)
        return;
    for (unsigned spin = 0; spin < SPINS_MAX && (cpu_inb(STATUS_COMMAND) & OUTPUT_FULL); spin++)
        (void)cpu_inb(DATA);
    unsigned spin = 0;
    while (spin++ < SPINS_MAX && (cpu_inb(STATUS_COMMAND) & INPUT_FULL) != 0) {
    }
    cpu_outb(STATUS_COMMAND, WRITE_CONFIG);
    while (spin++ < SPINS_MAX && (cpu_inb(STATUS_COMMAND) & INPUT_FULL) != 0) {
    }
    cpu_outb(DATA, config);
    if (spin >= SPINS_MAX)
        baremetal_fail(__func__, "the i8042 did not take its configuration byte");
}

/* When scenario input `index` is due, in the guest's clock (ns). */
static uint64_t input_due_ns(uint32_t index)
{
    const uint8_t *at = platform.input_times + (size_t)index * 8;
    uint64_t us = 0;
    for (unsigned i = 0; i < 8; i++)
        us |= (uint64_t)at[i] << (8 * i);
    return us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
}

/* ---- contexts ------------------------------------------------------------ */

void hal_context_init(struct hal_context *context, void *stack_base, size_t stack_size,
                      hal_context_entry_fn entry, void *arg0, void *arg1, uint16_t pd,
                      uint16_t thread)
{
    if (thread == 0 || thread >= BAREMETAL_THREADS_MAX)
        baremetal_fail(__func__, "a thread id beyond the platform's kernel stacks");
    uint8_t slot = paging_slot_of(stack_base);
    if (slot == BAREMETAL_NO_SLOT)
        baremetal_fail(__func__, "a stack outside every window");
    /* The user stack: 16-byte aligned at the entry's call, with a zero
     * return address (the entry never returns, see hal/context.h). */
    uint64_t user_top = ((uint64_t)(uintptr_t)stack_base + stack_size) & ~(uint64_t)15;
    user_top -= 8;
    *(uint64_t *)(uintptr_t)user_top = 0;

    /* The kernel stack's first frame, as baremetal_switch pops it: six
     * callee-saved registers (rbx = the context), then the return into
     * baremetal_user_start. */
    uint8_t *kernel_top = platform.kernel_stacks[thread] + BAREMETAL_KERNEL_STACK_BYTES;
    uint64_t *frame = (uint64_t *)kernel_top - 7;
    duet_memset(frame, 0, 7 * sizeof(uint64_t));
    frame[4] = (uint64_t)(uintptr_t)context;
    frame[6] = (uint64_t)(uintptr_t)baremetal_user_start;

    duet_memset(context, 0, sizeof *context);
    context->word[WORD_SP] = (uint64_t)(uintptr_t)frame;
    context->word[WORD_SLOT] = slot;
    context->word[WORD_KERNEL_STACK_TOP] = (uint64_t)(uintptr_t)kernel_top;
    context->word[WORD_ENTRY] = (uint64_t)(uintptr_t)entry;
    context->word[WORD_ARG0] = (uint64_t)(uintptr_t)arg0;
    context->word[WORD_ARG1] = (uint64_t)(uintptr_t)arg1;
    context->word[WORD_USER_SP] = user_top;
    context->pd = pd;
    context->thread = thread;
}

void baremetal_context_started(struct hal_context *context)
{
    if (context != platform.current)
        baremetal_fail(__func__, "a context started that was not switched to");
}

void hal_context_switch(struct hal_context *from, struct hal_context *to)
{
    platform.current = to;
    paging_activate((uint8_t)to->word[WORD_SLOT]);
    cpu_set_kernel_stack(to->word[WORD_KERNEL_STACK_TOP]);
    cpu_set_thread_pointer((uint64_t)(uintptr_t)to->thread_pointer);
    baremetal_switch(&from->word[WORD_SP], to->word[WORD_SP]);
}

/* ---- kernel entries ------------------------------------------------------ */

void baremetal_syscall(void *frame)
{
    kernel_entry_syscall(platform.kernel, frame);
}

static void interrupt_line(unsigned line)
{
    platform.irq_seen = true;
    kernel_entry_irq(platform.kernel, line);
}

/* The host answers each input request with the input (QMP) and then an
 * NMI: the input has been given to QEMU's keyboard, whether or not it
 * makes a scan code (a Pause release makes none). */
static void input_given(void)
{
    if (!platform.input_requested)
        return;   /* no request outstanding: not the host's */
    platform.input_requested = false;
    platform.next_input++;
}

/* Asks the host for the due input and halts with interrupts off until its
 * NMI: the guest runs no instruction while the host answers, so when the
 * input arrives does not depend on the host's speed (runs repeat exactly
 * under -icount). The input's own interrupt is taken afterwards. */
static void input_wait_for_host(void)
{
    platform.input_requested = true;
    control_record(TRACE_STREAM_INPUT_REQUEST, platform.next_input);
    /* The flag test and the hlt as one piece of asm: an NMI that comes
     * between them finds its return address at baremetal_input_hlt and
     * skips the hlt (input_nmi), or the CPU would halt for good. (The
     * host sends only once the CPU is halted; this covers any other NMI.) */
    __asm__ volatile("1: cmpb $0, %0\n\t"
                     "je 2f\n\t"
                     ".globl baremetal_input_hlt\n"
                     "baremetal_input_hlt:\n\t"
                     "hlt\n\t"
                     "jmp 1b\n"
                     "2:"
                     : : "m"(platform.input_requested) : "memory");
    platform.input_settling = true;
}

bool hal_idle(void)
{
    uint64_t from = clock_now();
    platform.irq_seen = false;
    platform.watchdog_fired = false;
    bool inputs_left = platform.next_input < platform.input_count;
    bool settling = platform.input_settling;
    if (inputs_left && !settling) {
        uint64_t due = input_due_ns(platform.next_input);
        if (from >= due) {
            input_wait_for_host();
            return true;
        }
        /* Not due yet: the local APIC's timer wakes us when it is. */
        uint64_t wait = due - from;
        cpu_lapic_timer_start(wait > IDLE_TIMER_MAX_NS ? IDLE_TIMER_MAX_NS : (uint32_t)wait);
    } else if (settling) {
        /* The input just given may have raised the keyboard's line: let
         * it in before the next is asked for (a Pause release raises
         * nothing; the short timer ends the wait then). */
        platform.input_settling = false;
        cpu_lapic_timer_start(INPUT_SETTLE_NS);
    } else {
        /* Nothing left to ask for: the quiescence watchdog. */
        cpu_lapic_timer_start(IDLE_WATCHDOG_NS);
    }
    while (!platform.irq_seen && !platform.watchdog_fired)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    cpu_lapic_timer_stop();
    if (!platform.irq_seen)
        return settling || inputs_left;   /* settled, input due now, or quiescent */
    hal_event(HAL_EVENT_IDLE, from, clock_now(), 0, 0, NULL, 0);
    return true;
}

/* ---- port I/O ------------------------------------------------------------ */

static uint32_t port_in(uint16_t port, unsigned width)
{
    uint32_t value = width == 1 ? cpu_inb(port) : width == 2 ? cpu_inw(port) : cpu_inl(port);
    hal_event(HAL_EVENT_PORT_IN, port, width, value, 0, NULL, 0);
    return value;
}

static void port_out(uint16_t port, unsigned width, uint32_t value)
{
    hal_event(HAL_EVENT_PORT_OUT, port, width, value, 0, NULL, 0);
    if (width == 1)
        cpu_outb(port, (uint8_t)value);
    else if (width == 2)
        cpu_outw(port, (uint16_t)value);
    else
        cpu_outl(port, value);
}

uint8_t hal_kernel_in8(uint16_t port)
{
    return (uint8_t)port_in(port, 1);
}

void hal_kernel_out8(uint16_t port, uint8_t value)
{
    port_out(port, 1, value);
}

extern char __user_start[], __user_end[];

/* A ring-3 in/out trapped (#GP: IOPL 0, no I/O bitmap). Decodes the
 * instruction, applies the kernel's rule and performs it. Returns false
 * for anything that is not a port instruction. */
static bool port_io_emulate(struct trap_frame *frame)
{
    uint64_t ip = frame->rip;
    if (ip < (uint64_t)(uintptr_t)__user_start || ip + 3 > (uint64_t)(uintptr_t)__user_end)
        return false;
    const uint8_t *code = (const uint8_t *)(uintptr_t)ip;
    unsigned length = 0;
    bool operand16 = code[0] == 0x66;
    if (operand16)
        length++;
    uint8_t opcode = code[length++];
    uint16_t port;
    switch (opcode) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        port = code[length++];
        break;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        port = (uint16_t)frame->rdx;
        break;
    default:
        return false;
    }
    unsigned width = (opcode & 1) == 0 ? 1 : operand16 ? 2 : 4;
    bool out = (opcode & 2) != 0;
    const struct hal_context *running = platform.current;
    if (!kernel_port_allowed(platform.kernel, running->pd, port, width)) {
        char what[96];
        struct text text;
        text_init(&text, what, sizeof what);
        text_append(&text, "port I/O to ");
        text_append_hex(&text, port);
        text_append(&text, " from pd ");
        text_append_u64(&text, running->pd);
        text_append(&text, ", which has no I/O rights");
        kernel_entry_fault(platform.kernel, KERNEL_FAULT_IO_PORT, port, what);
    }
    if (out) {
        port_out(port, width, (uint32_t)frame->rax);
    } else {
        uint32_t value = port_in(port, width);
        if (width == 1)
            frame->rax = (frame->rax & ~(uint64_t)0xFF) | value;
        else if (width == 2)
            frame->rax = (frame->rax & ~(uint64_t)0xFFFF) | value;
        else
            frame->rax = value;   /* a 32-bit result clears the upper half */
    }
    frame->rip += length;
    return true;
}

/* ---- traps --------------------------------------------------------------- */

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check", "machine check",
    "SIMD error", "virtualization", "control protection",
};

static DUET_NORETURN void exception_fail(const struct trap_frame *frame, bool user)
{
    char reason[160];
    struct text text;
    text_init(&text, reason, sizeof reason);
    const char *name = frame->vector < 32 ? exception_names[frame->vector] : NULL;
    text_append(&text, name != NULL ? name : "exception");
    text_append(&text, user ? " in ring 3 at " : " in the kernel at ");
    text_append_hex(&text, frame->rip);
    if (frame->vector == VECTOR_PAGE_FAULT) {
        uint64_t address;
        __asm__ volatile("mov %%cr2, %0" : "=r"(address));
        text_append(&text, ", address ");
        text_append_hex(&text, address);
    }
    text_append(&text, ", error ");
    text_append_hex(&text, frame->error);
    baremetal_fail("baremetal_trap", reason);
}

/* Can ring 3 read [p, p + size) now: the image's shared part, or mapped
 * pages of the running PD's window? Ring 0 could read anything, which is
 * why whatever ring 3 hands over is checked here first. */
static bool user_readable(const void *p, size_t size)
{
    uint64_t at = (uint64_t)(uintptr_t)p;
    uint64_t start = (uint64_t)(uintptr_t)__user_start, end = (uint64_t)(uintptr_t)__user_end;
    if (size == 0)
        return true;
    if (at >= start && at < end && size <= end - at)
        return true;
    return kernel_running_pd_readable(platform.kernel, p, size);
}

/* Copies a string ring 3 handed over, byte by byte while readable. */
static void user_string(char *out, size_t size, const char *from)
{
    size_t i = 0;
    for (; i + 1 < size && user_readable(from + i, 1) && from[i] != '\0'; i++)
        out[i] = from[i];
    out[i] = '\0';
    if (i == 0 && !user_readable(from, 1))
        duet_strlcpy(out, "(unreadable)", size);
}

/* The events a component may report itself (core's services, the LOG
 * lines); the rest are the kernel's and the platform's to say. */
static bool user_event_kind_allowed(uint64_t kind)
{
    return kind == HAL_EVENT_LOG || kind == HAL_EVENT_SESSION_OPEN ||
           kind == HAL_EVENT_RPC_ERROR || kind == HAL_EVENT_RM_FAULT ||
           kind == HAL_EVENT_RM_RESOLVE;
}

/* int 0x81 from ring 3: an event. A bad pointer or kind is the thread's
 * fault, as a bad system-call frame is, never a ring-0 page fault. */
static void user_event(const struct trap_frame *frame)
{
    const struct baremetal_event_args *given =
        (const struct baremetal_event_args *)(uintptr_t)frame->rdi;
    if (!user_readable(given, sizeof *given))
        kernel_entry_fault(platform.kernel, KERNEL_FAULT_BAD_FRAME, 0,
                           "an event whose arguments it cannot read");
    struct baremetal_event_args args = *given;
    if (!user_event_kind_allowed(args.kind))
        kernel_entry_fault(platform.kernel, KERNEL_FAULT_BAD_FRAME, 0,
                           "an event of a kind only the kernel reports");
    uint8_t blob[HAL_EVENT_BLOB_MAX];
    size_t blob_len = args.blob_len <= sizeof blob ? (size_t)args.blob_len : sizeof blob;
    if (args.blob == NULL)
        blob_len = 0;
    if (!user_readable(args.blob, blob_len))
        kernel_entry_fault(platform.kernel, KERNEL_FAULT_BAD_FRAME, 0,
                           "an event whose blob it cannot read");
    if (blob_len > 0)
        duet_memcpy(blob, args.blob, blob_len);
    event_write((unsigned)args.kind, args.arg, blob_len > 0 ? blob : NULL, blob_len);
}


void baremetal_trap(struct trap_frame *frame)
{
    bool user = (frame->cs & 3) != 0;
    unsigned line = 0;
    if (pic_vector_line((unsigned)frame->vector, &line)) {
        interrupt_line(line);
        return;
    }
    switch (frame->vector) {
    case VECTOR_APIC_TIMER:
        platform.watchdog_fired = true;
        cpu_lapic_eoi();
        return;
    case VECTOR_APIC_SPURIOUS:
        return;
    case VECTOR_NMI:
        input_given();
        if (frame->rip == (uint64_t)(uintptr_t)baremetal_input_hlt)
            frame->rip++;   /* hlt is one byte: the loop tests the flag again */
        return;
    case VECTOR_USER_EVENT:
        user_event(frame);
        return;
    case VECTOR_USER_PANIC: {
        char function[64], reason[128];
        user_string(function, sizeof function, (const char *)(uintptr_t)frame->rdi);
        user_string(reason, sizeof reason, (const char *)(uintptr_t)frame->rsi);
        baremetal_fail(function, reason);
    }
    case VECTOR_PAGE_FAULT:
        if (user) {
            uint64_t address;
            __asm__ volatile("mov %%cr2, %0" : "=r"(address));
            kernel_entry_page_fault(platform.kernel, (const void *)(uintptr_t)address,
                                    (frame->error & 2) != 0);
            return;
        }
        break;
    case VECTOR_GENERAL_PROTECTION:
        if (user && port_io_emulate(frame))
            return;
        break;
    default:
        break;
    }
    exception_fail(frame, user);
}

/* ---- boot ---------------------------------------------------------------- */

void baremetal_main(uint32_t magic, uint32_t info);
void baremetal_main(uint32_t magic, uint32_t info)
{
    trace_uart_init();
    platform.clock_base = cpu_read_tsc();
    control_record(TRACE_STREAM_HELLO, TRACE_STREAM_VERSION);
    boot_blob_load(magic, info);   /* before paging: the ROM area is still writable */
    paging_init();
    cpu_init();
    cpu_lapic_init();
    i8042_configure(platform.i8042_config);
    pit_quiet();
    if (kernel_state_size() > KERNEL_STATE_BYTES)
        baremetal_fail(__func__, "the kernel's state outgrew the platform's room for it");
    platform.kernel = kernel_create(platform.kernel_state, sizeof platform.kernel_state);
    platform.boot.word[WORD_SLOT] = BAREMETAL_NO_SLOT;
    platform.current = &platform.boot;
    kernel_run(platform.kernel, &platform.boot);
    baremetal_fail(__func__, "the kernel returned to the boot context");
}
