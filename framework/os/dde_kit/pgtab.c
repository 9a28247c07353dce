/*
 * pgtab.c - virt<->phys as window offsets (dde_kit/pgtab.h). The env
 * sits at the base of the component's window, and the window's size is
 * in the env.
 */
#include "dde_kit/pgtab.h"

#include "dde_kit_state.h"

uint64_t dde_kit_pgtab_get_physaddr(struct dde_kit *kit, const void *virt)
{
    uintptr_t base = (uintptr_t)kit->env;
    uintptr_t address = (uintptr_t)virt;
    if (address < base || address - base >= kit->env->window_size)
        return DDE_KIT_PGTAB_NONE;
    return address - base;
}

void *dde_kit_pgtab_get_virtaddr(struct dde_kit *kit, uint64_t phys)
{
    if (phys >= kit->env->window_size)
        return NULL;
    return (char *)kit->env + phys;
}
