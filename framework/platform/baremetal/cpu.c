/*
 * cpu.c - the x86-64 processor's tables: GDT, TSS, IDT, the system-call
 * MSRs, FS base support, and the local APIC's timer.
 *
 * Rings: the kernel runs in ring 0 with interrupts off (it is not
 * preemptible, like the sim's kernel); components run in ring 3 with
 * interrupts on. A trap from ring 3 lands on the running thread's kernel
 * stack (TSS.rsp0, set at every switch). The TSS has no I/O bitmap and
 * IOPL is 0, so every port access from ring 3 traps (#GP) and the
 * platform checks it against the kernel's rule, exactly as the sim's port
 * bus does (platform.c). The local APIC's timer is the platform's own
 * idle watchdog (hal_idle): no framework code programs it.
 */
#include "baremetal.h"

#include "duet/string.h"

enum {
    MSR_EFER = 0xC0000080,
    MSR_STAR = 0xC0000081,
    MSR_LSTAR = 0xC0000082,
    MSR_SFMASK = 0xC0000084,
    MSR_FS_BASE = 0xC0000100,
    MSR_APIC_BASE = 0x1B,
    RFLAGS_IF = 1u << 9,
    RFLAGS_DF = 1u << 10,
    RFLAGS_TF = 1u << 8,
    RFLAGS_AC = 1u << 18,
    CR4_FSGSBASE = 1u << 16,
    IDT_GATE_INTERRUPT = 0x8E,       /* present, ring 0, 64-bit interrupt gate */
    IDT_GATE_USER = 0xEE,            /* the same, callable from ring 3 */
    TRAP_VECTORS = 256,
    DOUBLE_FAULT_STACK_BYTES = 8192,
};

enum {
    LAPIC_BASE = 0xFEE00000u,
    LAPIC_EOI = 0xB0,
    LAPIC_SPURIOUS = 0xF0,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_LINT0 = 0x350,
    LAPIC_LVT_LINT1 = 0x360,
    LAPIC_TIMER_INITIAL = 0x380,
    LAPIC_TIMER_DIVIDE = 0x3E0,
    LAPIC_MASKED = 1u << 16,
};

struct __attribute__((packed)) tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};

struct __attribute__((packed)) table_pointer {
    uint16_t limit;
    uint64_t base;
};

struct cpu_tables {
    uint64_t gdt[7] __attribute__((aligned(16)));
    struct tss tss __attribute__((aligned(16)));
    struct idt_gate idt[TRAP_VECTORS] __attribute__((aligned(16)));
    uint8_t double_fault_stack[DOUBLE_FAULT_STACK_BYTES] __attribute__((aligned(16)));
    uint8_t nmi_stack[DOUBLE_FAULT_STACK_BYTES] __attribute__((aligned(16)));
};

static struct cpu_tables cpu;

static void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static volatile uint32_t *lapic_register(unsigned offset)
{
    return (volatile uint32_t *)(uintptr_t)(LAPIC_BASE + offset);
}

extern void syscall_entry(void);
#define TRAP_DECLARE(n) extern void trap_vector_##n(void);
#define TRAP_LIST(X)                                                                       \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)  \
    X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)   \
    X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43)  \
    X(44) X(45) X(46) X(47) X(48) X(129) X(130) X(255)
TRAP_LIST(TRAP_DECLARE)

static void idt_set(unsigned vector, void (*handler)(void), uint8_t type, uint8_t ist)
{
    uint64_t at = (uint64_t)(uintptr_t)handler;
    cpu.idt[vector] = (struct idt_gate){
        .offset_low = (uint16_t)at, .selector = SELECTOR_KERNEL_CODE, .ist = ist, .type = type,
        .offset_middle = (uint16_t)(at >> 16), .offset_high = (uint32_t)(at >> 32)};
}

static bool cpu_has_fsgsbase(void)
{
    uint32_t a = 7, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (b & 1u) != 0;
}

void cpu_init(void)
{
    if (!cpu_has_fsgsbase())
        baremetal_fail(__func__, "the CPU has no FSGSBASE (run QEMU with -cpu max)");

    /* null, kernel code, kernel data, user data, user code, TSS (2 words). */
    cpu.gdt[0] = 0;
    cpu.gdt[1] = 0x00AF9A000000FFFFull;
    cpu.gdt[2] = 0x00CF92000000FFFFull;
    cpu.gdt[3] = 0x00CFF2000000FFFFull;
    cpu.gdt[4] = 0x00AFFA000000FFFFull;
    uint64_t tss_at = (uint64_t)(uintptr_t)&cpu.tss;
    uint64_t tss_limit = sizeof cpu.tss - 1;
    cpu.gdt[5] = (tss_limit & 0xFFFF) | ((tss_at & 0xFFFFFF) << 16) | (0x89ull << 40) |
                 (((tss_limit >> 16) & 0xF) << 48) | (((tss_at >> 24) & 0xFF) << 56);
    cpu.gdt[6] = tss_at >> 32;
    cpu.tss.iomap_base = sizeof cpu.tss;   /* no bitmap: every port traps */
    cpu.tss.ist[0] = (uint64_t)(uintptr_t)(cpu.double_fault_stack + DOUBLE_FAULT_STACK_BYTES);
    /* The host's NMI (an input's acknowledgement, platform.c) may come
     * between `syscall` and the switch to the kernel stack: a stack of
     * its own. */
    cpu.tss.ist[1] = (uint64_t)(uintptr_t)(cpu.nmi_stack + DOUBLE_FAULT_STACK_BYTES);

    struct table_pointer gdt = {sizeof cpu.gdt - 1, (uint64_t)(uintptr_t)cpu.gdt};
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :
        : "m"(gdt), "i"(SELECTOR_KERNEL_CODE), "r"((uint16_t)SELECTOR_KERNEL_DATA),
          "r"((uint16_t)SELECTOR_TSS)
        : "rax", "memory");

#define TRAP_INSTALL(n) idt_set(n, trap_vector_##n, IDT_GATE_INTERRUPT, 0);
    TRAP_LIST(TRAP_INSTALL)
    idt_set(8, trap_vector_8, IDT_GATE_INTERRUPT, 1);
    idt_set(VECTOR_NMI, trap_vector_2, IDT_GATE_INTERRUPT, 2);
    idt_set(VECTOR_USER_EVENT, trap_vector_129, IDT_GATE_USER, 0);
    idt_set(VECTOR_USER_PANIC, trap_vector_130, IDT_GATE_USER, 0);
    struct table_pointer idt = {sizeof cpu.idt - 1, (uint64_t)(uintptr_t)cpu.idt};
    __asm__ volatile("lidt %0" : : "m"(idt));

    /* syscall: kernel CS/SS from STAR[47:32]; sysret's user SS = +8, CS = +16. */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1u);
    wrmsr(MSR_STAR, ((uint64_t)SELECTOR_KERNEL_CODE << 32) | ((uint64_t)(SELECTOR_USER_DATA - 8 - 3) << 48));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);

    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_FSGSBASE));
}

void cpu_set_kernel_stack(uint64_t top)
{
    extern uint64_t baremetal_kernel_stack_top;
    cpu.tss.rsp[0] = top;
    baremetal_kernel_stack_top = top;
}

void cpu_set_thread_pointer(uint64_t value)
{
    wrmsr(MSR_FS_BASE, value);
}

void cpu_lapic_init(void)
{
    /* Enabled at its default base; the PIC's INTR reaches the CPU
     * through LINT0 in ExtINT mode, as firmware leaves it. */
    wrmsr(MSR_APIC_BASE, (rdmsr(MSR_APIC_BASE) & 0xFFFull) | LAPIC_BASE | (1u << 11));
    *lapic_register(LAPIC_SPURIOUS) = 0x100u | VECTOR_APIC_SPURIOUS;
    *lapic_register(LAPIC_LVT_LINT0) = 0x700;             /* ExtINT */
    *lapic_register(LAPIC_LVT_LINT1) = 0x400;             /* NMI    */
    *lapic_register(LAPIC_TIMER_DIVIDE) = 0xB;            /* divide by 1 */
    *lapic_register(LAPIC_LVT_TIMER) = LAPIC_MASKED | VECTOR_APIC_TIMER;
}

/* One-shot. QEMU's local APIC counts at 1 GHz before the divider. */
void cpu_lapic_timer_start(uint32_t ns)
{
    *lapic_register(LAPIC_LVT_TIMER) = VECTOR_APIC_TIMER;
    *lapic_register(LAPIC_TIMER_INITIAL) = ns;
}

void cpu_lapic_timer_stop(void)
{
    *lapic_register(LAPIC_TIMER_INITIAL) = 0;
    *lapic_register(LAPIC_LVT_TIMER) = LAPIC_MASKED | VECTOR_APIC_TIMER;
}

void cpu_lapic_eoi(void)
{
    *lapic_register(LAPIC_EOI) = 0;
}
