/*
 * interrupt.c - interrupt handlers on IRQ threads (dde_kit/interrupt.h).
 *
 * Per attached line: an IRQ session and a thread from the kit's CPU
 * session. The thread's loop is wait, take `enabled` (blocks while the
 * driver has disabled the interrupt), run the handler, give `enabled`
 * back. An interrupt that arrives while disabled is therefore run once
 * the driver enables again, never lost.
 */
#include "dde_kit_state.h"

#include "duet/assert.h"

static const char *const status_names[] = {
    [DDE_KIT_INTERRUPT_OK] = "DDE_KIT_INTERRUPT_OK",
    [DDE_KIT_INTERRUPT_IN_USE] = "DDE_KIT_INTERRUPT_IN_USE",
    [DDE_KIT_INTERRUPT_TOO_MANY] = "DDE_KIT_INTERRUPT_TOO_MANY",
    [DDE_KIT_INTERRUPT_REFUSED] = "DDE_KIT_INTERRUPT_REFUSED",
    [DDE_KIT_INTERRUPT_NO_THREAD] = "DDE_KIT_INTERRUPT_NO_THREAD",
    [DDE_KIT_INTERRUPT_NOT_ATTACHED] = "DDE_KIT_INTERRUPT_NOT_ATTACHED",
};

const char *dde_kit_interrupt_status_name(enum dde_kit_interrupt_status status)
{
    return (unsigned)status < DUET_ARRAY_COUNT(status_names) ? status_names[status]
                                                             : "DDE_KIT_INTERRUPT_UNKNOWN";
}

static struct dde_kit_interrupt *interrupt_of(struct dde_kit *kit, unsigned irq)
{
    for (size_t i = 0; i < DDE_KIT_INTERRUPTS_MAX; i++)
        if (kit->interrupts[i].attached && kit->interrupts[i].irq == irq)
            return &kit->interrupts[i];
    return NULL;
}

void dde_kit_interrupt_thread(struct env *env, void *arg)
{
    struct dde_kit_interrupt *interrupt = arg;
    (void)env;
    if (interrupt->thread_init != NULL)
        interrupt->thread_init(interrupt->priv);
    for (;;) {
        enum sys_error error = irq_wait(&interrupt->connection);
        if (error == SYS_ERR_STALE_CAP)
            return;   /* the component exits: its sessions are closed */
        if (error != SYS_OK)
            hal_panic("dde_kit_interrupt_thread", sys_error_name(error));
        dde_kit_sem_down(&interrupt->enabled);
        interrupt->handler(interrupt->priv);
        dde_kit_sem_up(&interrupt->enabled);
    }
}

enum dde_kit_interrupt_status dde_kit_interrupt_attach(struct dde_kit *kit, unsigned irq,
                                                       void (*thread_init)(void *priv),
                                                       void (*handler)(void *priv),
                                                       void *priv)
{
    DUET_ASSERT(handler != NULL);
    if (interrupt_of(kit, irq) != NULL)
        return DDE_KIT_INTERRUPT_IN_USE;
    struct dde_kit_interrupt *interrupt = NULL;
    for (size_t i = 0; i < DDE_KIT_INTERRUPTS_MAX && interrupt == NULL; i++)
        if (!kit->interrupts[i].attached)
            interrupt = &kit->interrupts[i];
    if (interrupt == NULL)
        return DDE_KIT_INTERRUPT_TOO_MANY;
    *interrupt = (struct dde_kit_interrupt){.kit = kit, .irq = irq, .thread_init = thread_init,
                                            .handler = handler, .priv = priv};
    dde_kit_sem_init(&interrupt->enabled, 1);
    if (irq_connection_open(kit->env, irq, &interrupt->connection) != RPC_OK)
        return DDE_KIT_INTERRUPT_REFUSED;
    void *stack = dde_kit_thread_stack(kit);
    if (stack == NULL || !dde_kit_cpu_ready(kit) ||
        cpu_thread_create(kit->env, kit->cpu.cap, &interrupt->thread, dde_kit_interrupt_thread,
                          interrupt, stack, DDE_KIT_THREAD_STACK_BYTES) != RPC_OK) {
        irq_connection_close(kit->env, &interrupt->connection);
        return DDE_KIT_INTERRUPT_NO_THREAD;
    }
    interrupt->attached = true;
    return DDE_KIT_INTERRUPT_OK;
}

enum dde_kit_interrupt_status dde_kit_interrupt_disable(struct dde_kit *kit, unsigned irq)
{
    struct dde_kit_interrupt *interrupt = interrupt_of(kit, irq);
    if (interrupt == NULL)
        return DDE_KIT_INTERRUPT_NOT_ATTACHED;
    dde_kit_sem_down(&interrupt->enabled);
    return DDE_KIT_INTERRUPT_OK;
}

enum dde_kit_interrupt_status dde_kit_interrupt_enable(struct dde_kit *kit, unsigned irq)
{
    struct dde_kit_interrupt *interrupt = interrupt_of(kit, irq);
    if (interrupt == NULL)
        return DDE_KIT_INTERRUPT_NOT_ATTACHED;
    dde_kit_sem_up(&interrupt->enabled);
    return DDE_KIT_INTERRUPT_OK;
}
