/*
 * dde_kit/interrupt.h - interrupt handlers (Genode's dde_kit/interrupt.h).
 *
 * dde_kit_interrupt_attach opens an IRQ session for the line and starts
 * an IRQ thread (from the kit's CPU session) that first runs thread_init
 * (if given), then loops: wait for the interrupt, run handler(priv). The
 * line stays masked at the interrupt controller while the handler runs
 * and is unmasked when the thread waits again, so a level-triggered
 * device must be quietened by its handler (e.g. by reading its status).
 *
 * disable/enable nest like a lock, as in Genode 11.11: while disabled,
 * the IRQ thread that took an interrupt waits before it runs the handler,
 * and runs it once enabled again; no interrupt is lost. A driver disables
 * around code that must not race its handler.
 */
#ifndef DUET_DDE_KIT_INTERRUPT_H
#define DUET_DDE_KIT_INTERRUPT_H

#include "dde_kit/dde_kit.h"

enum { DDE_KIT_INTERRUPTS_MAX = 2 };

enum dde_kit_interrupt_status {
    DDE_KIT_INTERRUPT_OK = 0,
    DDE_KIT_INTERRUPT_IN_USE,          /* attached already */
    DDE_KIT_INTERRUPT_TOO_MANY,        /* DDE_KIT_INTERRUPTS_MAX attached */
    DDE_KIT_INTERRUPT_REFUSED,         /* the IRQ session was refused */
    DDE_KIT_INTERRUPT_NO_THREAD,       /* no CPU session, stack or thread */
    DDE_KIT_INTERRUPT_NOT_ATTACHED,
};

enum dde_kit_interrupt_status dde_kit_interrupt_attach(struct dde_kit *kit, unsigned irq,
                                                       void (*thread_init)(void *priv),
                                                       void (*handler)(void *priv),
                                                       void *priv);
enum dde_kit_interrupt_status dde_kit_interrupt_disable(struct dde_kit *kit, unsigned irq);
enum dde_kit_interrupt_status dde_kit_interrupt_enable(struct dde_kit *kit, unsigned irq);
const char *dde_kit_interrupt_status_name(enum dde_kit_interrupt_status status);

/* The IRQ thread's entry; listed in a driver component's thread entries. */
void dde_kit_interrupt_thread(struct env *env, void *arg);

#endif
