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
 *
 * `thread_pointer` is the thread's user-level control block (struct utcb,
 * duet/thread.h), set by the kernel. While the context runs,
 * hal_thread_pointer() returns it: the sim keeps it in the running context,
 * bare metal loads it into the FS base on every switch. It is how code
 * shared by several threads of a PD finds the calling thread's IPC buffer
 * without a system call.
 */
#ifndef DUET_HAL_CONTEXT_H
#define DUET_HAL_CONTEXT_H

#include "duet/types.h"

enum { HAL_CONTEXT_WORDS = 8 };

struct hal_context {
    uint64_t word[HAL_CONTEXT_WORDS];   /* owned by the platform */
    void *thread_pointer;               /* the thread's utcb, set by the kernel */
    uint16_t pd;                        /* labels for the trace  */
    uint16_t thread;
};

typedef void (*hal_context_entry_fn)(void *arg0, void *arg1);

/* Prepares `context` to run entry(arg0, arg1) on [stack_base, stack_base+stack_size).
 * The arguments live in the context (memory the kernel owns), never on
 * the new stack, so the thread cannot change what it starts with. */
void hal_context_init(struct hal_context *context, void *stack_base, size_t stack_size,
                      hal_context_entry_fn entry, void *arg0, void *arg1, uint16_t pd,
                      uint16_t thread);

/* The running thread's thread pointer (its utcb); NULL outside threads. */
void *hal_thread_pointer(void);

/* Saves the running context into `from` and resumes `to`. */
void hal_context_switch(struct hal_context *from, struct hal_context *to);

#endif
