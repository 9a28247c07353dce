/*
 * dde_kit/pgtab.h - virtual <-> physical (Genode's dde_kit/pgtab.h).
 *
 * For now the identity over window offsets: a component's "physical"
 * address of a byte is its offset in the component's window, and the
 * virtual address of a physical one is window base + offset. That is
 * stable across builds and runs (host addresses never leak into a trace)
 * and is what DMA descriptors would carry once RAM dataspaces with real
 * frames exist; until then no device model does DMA, so nothing reads
 * these addresses but drivers' bookkeeping. Addresses outside the window
 * have no translation (DDE_KIT_PGTAB_NONE).
 */
#ifndef DUET_DDE_KIT_PGTAB_H
#define DUET_DDE_KIT_PGTAB_H

#include "dde_kit/dde_kit.h"

#define DDE_KIT_PGTAB_NONE UINT64_MAX

uint64_t dde_kit_pgtab_get_physaddr(struct dde_kit *kit, const void *virt);
/* NULL for DDE_KIT_PGTAB_NONE or an offset outside the window. */
void *dde_kit_pgtab_get_virtaddr(struct dde_kit *kit, uint64_t phys);

#endif
