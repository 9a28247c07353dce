/*
 * irq_session.h - IRQ: one interrupt line, exclusively.
 *
 * The session capability is an IRQ capability (derived from core's): the
 * client waits with irq_wait, which unmasks the line and blocks until it
 * fires; closing the session revokes it. core refuses its own line (4,
 * COM1) with RPC_ERR_DENIED and a line another session holds with
 * RPC_ERR_IN_USE. Argument: irq=N.
 */
#ifndef DUET_IRQ_SESSION_H
#define DUET_IRQ_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

#define IRQ_SESSION_RAM_QUOTA "1K"
#define IRQ_SESSION_CAP_QUOTA "1"

struct irq_session_cap { cap_index_t index; };

struct irq_connection {
    struct irq_session_cap cap;
    uint64_t id;
    unsigned line;
};

enum rpc_status irq_connection_open(struct env *env, unsigned line, struct irq_connection *out);
enum rpc_status irq_connection_close(struct env *env, struct irq_connection *connection);
enum sys_error irq_wait(const struct irq_connection *connection);
/* What a driver's IRQ thread does: waits for the line and turns every
 * interrupt into a call with `label` on `endpoint` (a capability to the
 * driver's own entrypoint), so one thread handles interrupts and session
 * requests alike and the driver needs no lock. Never returns; a failed
 * wait or call is a broken driver (asserted). */
DUET_NORETURN void irq_forward_to_entrypoint(const struct irq_connection *connection,
                                             cap_index_t endpoint, uint64_t label);

#endif
