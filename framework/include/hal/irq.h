/*
 * hal/irq.h - interrupt lines as the kernel sees them.
 *
 * The platform delivers an interrupt by calling kernel_entry_irq(line):
 * the sim at a kernel entry or idle, when the interrupt controller model
 * raises INTR (it performs the acknowledge cycle for the line); bare metal
 * from its interrupt vector. The kernel then masks the line, ends the
 * interrupt at the controller (hal_irq_eoi) and unmasks the line when the
 * handling thread waits again, so a line is delivered at most once per
 * wait. The controller itself is the platform's: on x86 the 8259 pair
 * (framework/arch/x86/pic8259.c), which both builds program the same way.
 */
#ifndef DUET_HAL_IRQ_H
#define DUET_HAL_IRQ_H

#include "duet/types.h"

enum { HAL_IRQ_LINES = 16 };

/* At boot, before any thread runs: every line masked. */
void hal_irq_init(void);
void hal_irq_mask(unsigned line);
void hal_irq_unmask(unsigned line);
/* The kernel has taken the delivery of `line`: end the interrupt. */
void hal_irq_eoi(unsigned line);
/* Was this delivery of `line` spurious (the controller answered without
 * a request)? Then it is no interrupt: no EOI, nobody is woken. */
bool hal_irq_spurious(unsigned line);
/* Is any of [port, port + width) the controller's? Those ports are the
 * kernel's alone: no I/O-port capability gives a PD access to them. */
bool hal_port_reserved(uint16_t port, unsigned width);

#endif
