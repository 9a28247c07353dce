/*
 * hal/kernel_entry.h - how a component's system call reaches the kernel.
 *
 * The framework's system-call stubs (framework/base/syscall.c) fill a
 * syscall_frame and call hal_kernel_entry. In the sim this is a plain call
 * and a scheduling point: the platform delivers due interrupts, then calls
 * kernel_entry_syscall. On bare metal it is the `syscall` instruction from
 * ring 3. Components use the same API either way.
 */
#ifndef DUET_HAL_KERNEL_ENTRY_H
#define DUET_HAL_KERNEL_ENTRY_H

#include "duet/types.h"

struct syscall_frame;

void hal_kernel_entry(struct syscall_frame *frame);

#endif
