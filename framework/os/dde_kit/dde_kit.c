/*
 * dde_kit.c - the kit itself: setting it up and running the init calls
 * (dde_kit/dde_kit.h), and the CPU session its threads come from.
 */
#include "dde_kit_state.h"

#include "duet/assert.h"

enum dde_kit_main_status dde_kit_main(struct env *env, void *driver,
                                      const struct dde_kit_initcall *calls, size_t count,
                                      struct dde_kit **out_kit)
{
    DUET_ASSERT(env != NULL && out_kit != NULL && (calls != NULL || count == 0));
    struct dde_kit *kit = env_alloc(env, sizeof *kit);
    *out_kit = kit;
    if (kit == NULL)
        return DDE_KIT_MAIN_NO_MEMORY;
    kit->env = env;
    kit->driver = driver;
    dde_kit_lock_init(&kit->memory_lock);
    dde_kit_lock_init(&kit->log_lock);
    dde_kit_lock_init(&kit->pci_lock);
    dde_kit_lock_init(&kit->timers.lock);
    dde_kit_lock_init(&kit->timers.running);
    list_init(&kit->timers.pending);
    if (log_connection_open(env, &kit->log) != RPC_OK)
        return DDE_KIT_MAIN_NO_LOG;
    for (size_t i = 0; i < count; i++) {
        int result = calls[i].fn(kit);
        if (result != 0) {
            dde_kit_printf(kit, "init call %s failed (%d)", calls[i].name, result);
            return DDE_KIT_MAIN_INITCALL_FAILED;
        }
    }
    return DDE_KIT_MAIN_OK;
}

struct env *dde_kit_env(struct dde_kit *kit)
{
    return kit->env;
}

void *dde_kit_driver(struct dde_kit *kit)
{
    return kit->driver;
}

bool dde_kit_cpu_ready(struct dde_kit *kit)
{
    if (!kit->cpu_open)
        kit->cpu_open = cpu_connection_open(kit->env, &kit->cpu) == RPC_OK;
    return kit->cpu_open;
}

void *dde_kit_thread_stack(struct dde_kit *kit)
{
    return env_alloc(kit->env, DDE_KIT_THREAD_STACK_BYTES);
}
