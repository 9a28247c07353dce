/*
 * kernel_platform.h - what a platform (sim/, framework/platform/baremetal/)
 * calls in the kernel. Components never include this.
 *
 * Call order:
 *   k = kernel_create(memory, size)    kernel state lives in platform memory
 *   kernel_run(k, &boot_context)       boots core and switches to it; returns
 *                                      only by the platform switching back to
 *                                      boot_context when the world ends
 *   kernel_entry_syscall(k, frame)     from hal_kernel_entry, on the caller's context
 *   kernel_entry_irq(k, line)          an asserted, unmasked line, at a kernel entry
 *   kernel_entry_page_fault(k, a, w)   from the platform's page-fault path, on
 *                                      the faulting context
 * The kernel keeps no global state: everything is in *k.
 */
#ifndef DUET_KERNEL_PLATFORM_H
#define DUET_KERNEL_PLATFORM_H

#include "duet/syscall.h"
#include "duet/types.h"
#include "hal/context.h"

struct kernel;

size_t kernel_state_size(void);
struct kernel *kernel_create(void *memory, size_t size);
void kernel_run(struct kernel *k, struct hal_context *boot_context);
void kernel_entry_syscall(struct kernel *k, struct syscall_frame *frame);
void kernel_entry_irq(struct kernel *k, unsigned line);
/* The running thread did something its PD may not (kernel_fault): it
 * stops for good (until its PD is destroyed), the fault is traced, and the
 * rest of the system runs on. Does not return to the faulting code. */
enum kernel_fault {
    KERNEL_FAULT_IO_PORT = 1,    /* port I/O without an I/O-port capability */
    KERNEL_FAULT_BAD_FRAME,      /* a system call whose frame is not in the PD's window */
    KERNEL_FAULT_PAGE,           /* a page fault its pager did not resolve */
};
DUET_NORETURN void kernel_entry_fault(struct kernel *k, enum kernel_fault fault, uint64_t address,
                                      const char *what);
/* The running thread touched `address` (a host/virtual address; `write`
 * if it wrote) where nothing is mapped, or wrote where it may only read.
 * The kernel calls the pager on its behalf (duet/syscall.h, "Memory") and
 * returns when the access may be retried; a fault the pager does not
 * resolve stops the thread (kernel_entry_fault). */
void kernel_entry_page_fault(struct kernel *k, const void *address, bool write);
/* Is [p, p + size) mapped writable in the running thread's PD now (boot
 * area or dataspace pages)? The sim asks before it puts a signal frame on
 * a thread's stack: a stack with no room below is an overflow. */
bool kernel_running_pd_writable(const struct kernel *k, const void *p, size_t size);
/* Is [p, p + size) readable by the running thread's PD now (its boot area
 * or mapped dataspace pages of its window)? Bare metal asks before it
 * copies what ring 3 hands it (an event's arguments and blob). */
bool kernel_running_pd_readable(const struct kernel *k, const void *p, size_t size);
/* Threads that exist and have not exited; for the platform's end report. */
unsigned kernel_live_thread_count(const struct kernel *k);
/* May PD `pd` access [port, port+width)? Only while it holds an I/O-port
 * capability covering it. Both platforms ask on every access from a PD:
 * the sim's port bus, and bare metal's #GP path (ring 3 has no I/O
 * bitmap, so each port instruction traps; docs/BAREMETAL.md). */
bool kernel_port_allowed(const struct kernel *k, uint16_t pd, uint16_t port, unsigned width);
/* Kernel entries so far (system calls); the sim's step budget counts these. */
uint64_t kernel_entry_count(const struct kernel *k);

#endif
