/*
 * baremetal.h - the bare-metal platform's own interfaces (not the HAL's).
 *
 * The platform is the one part of framework/ that holds privileged
 * instructions (ARCHITECTURE.md). It keeps its state in one struct
 * (struct baremetal, platform.c), the only mutable global of the image
 * besides the kernel's state it owns: the sim has the same shape
 * (sim_world_current).
 */
#ifndef DUET_BAREMETAL_H
#define DUET_BAREMETAL_H

#include "duet/boot_blob.h"
#include "duet/types.h"
#include "hal/context.h"
#include "hal/world.h"

enum {
    BAREMETAL_WINDOW_SLOTS = 24,
    BAREMETAL_KERNEL_STACK_BYTES = 16 * 1024,
    BAREMETAL_THREADS_MAX = 33,            /* kernel thread ids 1..32, and 0 */
    BAREMETAL_MODULES_MAX = 16,
    BAREMETAL_ROM_AREA_BYTES = 64 * 1024,
    BAREMETAL_NO_SLOT = 0xff,              /* the kernel's own address space */
};

/* Segment selectors (cpu.c's GDT). The user pair is ordered for sysret. */
enum {
    SELECTOR_KERNEL_CODE = 0x08,
    SELECTOR_KERNEL_DATA = 0x10,
    SELECTOR_USER_DATA = 0x18 | 3,
    SELECTOR_USER_CODE = 0x20 | 3,
    SELECTOR_TSS = 0x28,
};

/* The interrupt vectors the platform uses besides the PIC's 0x20-0x2f. */
enum {
    VECTOR_NMI = 2,
    VECTOR_PAGE_FAULT = 14,
    VECTOR_GENERAL_PROTECTION = 13,
    VECTOR_APIC_TIMER = 0x30,
    VECTOR_USER_EVENT = 0x81,
    VECTOR_USER_PANIC = 0x82,
    VECTOR_APIC_SPURIOUS = 0xff,
};

/* What trap_common (entry.S) pushes, lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* An event from ring 3, handed over by baremetal_user_event. */
struct baremetal_event_args {
    uint64_t kind;
    uint64_t arg[4];
    const void *blob;
    uint64_t blob_len;
};

/* cpu.c */
void cpu_init(void);
void cpu_set_kernel_stack(uint64_t top);
void cpu_set_thread_pointer(uint64_t value);
void cpu_lapic_init(void);
void cpu_lapic_timer_start(uint32_t ns);
void cpu_lapic_timer_stop(void);
void cpu_lapic_eoi(void);
static inline uint64_t cpu_read_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline bool cpu_in_ring0(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return (cs & 3) == 0;
}
static inline void cpu_outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
static inline uint8_t cpu_inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
static inline uint16_t cpu_inw(uint16_t port)
{
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
static inline uint32_t cpu_inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
static inline void cpu_outw(uint16_t port, uint16_t value)
{
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}
static inline void cpu_outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

/* paging.c */
void paging_init(void);
void paging_activate(uint8_t slot);
uint8_t paging_slot_of(const void *address);

/* trace_uart.c: the trace stream (duet/trace_stream.h) on COM3 */
void trace_uart_init(void);
void trace_uart_record(uint16_t kind, uint16_t pd, uint16_t thread, uint64_t time_ns,
                       const uint64_t arg[4], const void *blob, size_t blob_len);

/* platform.c */
void baremetal_trap(struct trap_frame *frame);
void baremetal_syscall(void *frame);
DUET_NORETURN void baremetal_fail(const char *function, const char *reason);
void baremetal_user_event(const struct baremetal_event_args *args);
DUET_NORETURN void baremetal_user_panic(const char *function, const char *reason);

#endif
