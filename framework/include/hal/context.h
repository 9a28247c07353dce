/*
 * hal/context.h - CPU contexts: the one thing every kernel thread is.
 *
 * The kernel creates a context on a stack it owns and later switches to it.
 * In the sim a context is a fiber (sim/fiber.c, a hand-written x86-64
 * switch); on bare metal it is a kernel stack plus saved registers.
 * A context's entry function must never return: a thread leaves through
 * the kernel (SYSCALL_THREAD_EXIT).
 *
 * `pd` and `thread` label the context so that the platform can stamp trace
 * records with the running protection domain and thread.
 */
#ifndef DUET_HAL_CONTEXT_H
#define DUET_HAL_CONTEXT_H

#include "duet/types.h"

enum { HAL_CONTEXT_WORDS = 8 };

struct hal_context {
    uint64_t word[HAL_CONTEXT_WORDS];   /* owned by the platform */
    uint16_t pd;                        /* labels for the trace  */
    uint16_t thread;
};

typedef void (*hal_context_entry_fn)(void *arg);

/* Prepares `context` to run entry(arg) on [stack_base, stack_base+stack_size). */
void hal_context_init(struct hal_context *context, void *stack_base, size_t stack_size,
                      hal_context_entry_fn entry, void *arg, uint16_t pd, uint16_t thread);

/* Saves the running context into `from` and resumes `to`. */
void hal_context_switch(struct hal_context *from, struct hal_context *to);

#endif
