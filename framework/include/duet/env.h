/*
 * env.h - everything a component has: its environment.
 *
 * A component is one function, `void NAME_main(struct env *env)`, and keeps
 * no mutable global state: all of it hangs off the env or the component's
 * own main struct, which it allocates from the env. That is what lets two
 * instances of one component run side by side and a world be reset.
 *
 * The kernel places the env at the start of the PD's window; the component
 * allocates from the rest of the window with env_alloc (a bump allocator
 * until the framework's heap arrives) and its main thread's stack sits at
 * the window's top.
 */
#ifndef DUET_ENV_H
#define DUET_ENV_H

#include "duet/syscall.h"
#include "duet/types.h"
#include "duet/utcb.h"

struct libc;

struct env {
    uint32_t pd_id;
    char name[COMPONENT_NAME_MAX];
    cap_index_t parent;              /* CAP_SLOT_PARENT                     */
    cap_index_t self;                /* CAP_SLOT_SELF: this PD, no rights   */
    cap_index_t pd_factory;          /* 0 unless core: makes PDs and threads */
    cap_index_t irq_control;         /* 0 unless core                       */
    cap_index_t io_ports;            /* 0 unless core: all I/O ports        */
    void (*main)(struct env *env);   /* the component's entry               */
    uintptr_t heap_next;             /* bump pointer inside the window      */
    uintptr_t heap_end;
    uint64_t window_size;            /* WINDOW_BYTES                        */
    uint64_t boot_size;              /* WINDOW_BOOT_BYTES: env, heap, stack */
    uint64_t ram_bytes;              /* 0 unless core: physical memory      */
    cap_index_t address_space;       /* own region map, once asked for (0: not yet) */
    struct libc *libc;               /* the framework libc's state, once started */
    struct utcb main_utcb;           /* the main thread's IPC buffer        */
};

/* Zeroed, 16-byte aligned memory from the window; NULL when it is full. */
void *env_alloc(struct env *env, size_t size);

/* What the main thread runs first: calls env->main, then exits the thread. */
DUET_NORETURN void component_start(void *env, void *unused);
/* What every other thread runs first: entry(env, arg), then it exits. The
 * kernel checked `entry` against the component's thread entries. */
DUET_NORETURN void thread_start(void *entry, void *arg);

#endif
