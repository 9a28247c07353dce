/*
 * dde_kit.h - the DDE kit: a C driver API on the framework's sessions.
 *
 * After Genode 11.11's dde_kit (os/include/dde_kit/): the groups are the
 * same (init calls, assertions, log, interrupts, locks, semaphores,
 * slab/malloc, PCI configuration access, port I/O, virt<->phys, timers),
 * the prefix is dde_kit_, and each group has its own header:
 *   dde_kit/dde_kit.h     the kit, init calls, log and assertions (here)
 *   dde_kit/interrupt.h   IRQ handlers on an IRQ thread (IRQ session)
 *   dde_kit/lock.h        locks and semaphores (duet/lock.h, duet/semaphore.h)
 *   dde_kit/memory.h      slabs and malloc (duet/slab.h on env_alloc)
 *   dde_kit/pci.h         configuration mechanism #1 (IO_PORT 0xCF8)
 *   dde_kit/resources.h   port I/O (IO_PORT sessions)
 *   dde_kit/pgtab.h       virt<->phys
 *   dde_kit/timer.h       timers, jiffies, msleep (TIMER service)
 *
 * The one deviation in every signature: components keep no mutable
 * globals, so all of the kit's state hangs off a struct dde_kit, and every
 * call takes it first. A driver gets its kit from dde_kit_main.
 *
 * Init calls: Genode collects DDE_KIT_INITCALL functions in a linker
 * section; here a driver lists them in a const table,
 *     static const struct dde_kit_initcall calls[] = {DDE_KIT_INITCALL(probe), ...};
 * and dde_kit_main runs them in order at start (a constant table is no
 * mutable global, and the order is what the table says). An init call
 * returns 0 on success; the first nonzero stops the rest and is logged.
 *
 * Sessions the kit opens, and when: LOG at start; CPU (threads for IRQ
 * handlers and timers) at the first interrupt attach or timer; IRQ per
 * attached line; IO_PORT per requested range (and 0xCF8 at the first PCI
 * access); SIGNAL and TIMER at the first timer (TIMER only while timers
 * are pending, see timer.h). The component's config routes them.
 */
#ifndef DUET_DDE_KIT_H
#define DUET_DDE_KIT_H

#include "duet/env.h"

struct dde_kit;

typedef int (*dde_kit_initcall_fn)(struct dde_kit *kit);

struct dde_kit_initcall {
    const char *name;
    dde_kit_initcall_fn fn;
};

#define DDE_KIT_INITCALL(fn) {#fn, fn}

enum dde_kit_main_status {
    DDE_KIT_MAIN_OK = 0,
    DDE_KIT_MAIN_NO_MEMORY,        /* the kit's state does not fit the window */
    DDE_KIT_MAIN_NO_LOG,           /* the LOG session was refused */
    DDE_KIT_MAIN_INITCALL_FAILED,  /* an init call returned nonzero (logged) */
};

/* Sets the kit up in env's window, then runs calls[0..count) in order.
 * `driver` is the driver's own state, which its init calls reach with
 * dde_kit_driver (Genode's init calls reach globals instead). *out_kit
 * is the kit (NULL only for NO_MEMORY). */
enum dde_kit_main_status dde_kit_main(struct env *env, void *driver,
                                      const struct dde_kit_initcall *calls, size_t count,
                                      struct dde_kit **out_kit);

struct env *dde_kit_env(struct dde_kit *kit);
void *dde_kit_driver(struct dde_kit *kit);

/* Log: each call writes one LOG line (a trailing newline is dropped).
 * Formats: %s %c %d %i %u %x %X %%, the modifiers l, ll and z, a width
 * with 0-padding (%08x). Pointers have no format: host addresses never
 * enter a trace. */
void dde_kit_print(struct dde_kit *kit, const char *line);
void dde_kit_printf(struct dde_kit *kit, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The same formatting into buffer (always NUL-terminated, cut to size);
 * returns the length written. */
size_t dde_kit_snprintf(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes only if `enabled`, as Genode's dde_kit_log(doit, ...). */
void dde_kit_log(struct dde_kit *kit, bool enabled, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs the message and ends the world as a failed assertion does. */
DUET_NORETURN void dde_kit_panic(struct dde_kit *kit, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
DUET_NORETURN void dde_kit_assert_failed(struct dde_kit *kit, const char *expression,
                                         const char *file, int line);

/* Kept on in every build; no side effects in `expr`. */
#define dde_kit_assert(kit, expr) \
    ((expr) ? (void)0 : dde_kit_assert_failed(kit, #expr, __FILE__, __LINE__))

#endif
