/*
 * paging.c - address spaces on x86-64 four-level paging (hal/memory.h).
 *
 * Virtual layout, the same in every address space:
 *   [0, 1 GiB)        physical memory 1:1. The image's code, read-only data
 *                     and boot ROMs (linker.ld's user region) are readable
 *                     from ring 3; everything else is ring 0 only.
 *   [1 GiB, +240 MiB) the windows: slot i at 1 GiB + i * 10 MiB, 8 MiB of
 *                     window and a 2 MiB hole that always faults.
 *   0xFEE00000        the local APIC, ring 0 only.
 * Each slot has its own address space (PML4, PDPT, and a page directory
 * for the window region); one more is the kernel's, used before the first
 * thread runs. Every window's page tables are shared by all address
 * spaces, but only the owner's page-directory entries carry the user bit:
 * ring 3 reaches only its own window, while the kernel, in any address
 * space, reaches every window at the address the sim would give it. That
 * is what lets the same kernel code copy between windows on both builds.
 *
 * Physical memory: boot areas at BOOT_AREAS_PHYS (one fixed area per
 * slot), dataspace RAM ([0, hal_ram_bytes()) of hal/memory.h) at RAM_PHYS.
 */
#include "baremetal.h"

#include "duet/string.h"
#include "hal/memory.h"

enum {
    PAGE = 4096,
    ENTRIES = 512,
    PTE_PRESENT = 1u << 0,
    PTE_WRITE = 1u << 1,
    PTE_USER = 1u << 2,
    PTE_WRITE_THROUGH = 1u << 3,
    PTE_NO_CACHE = 1u << 4,
    PTE_HUGE = 1u << 7,
    LOW_PT_COUNT = 8,                              /* 4 KiB pages for the first 16 MiB */
    WINDOW_PD_ENTRIES = 4,                         /* 8 MiB of 2 MiB entries */
    SLOT_PD_STRIDE = 5,                            /* and one hole */
    SPACES = BAREMETAL_WINDOW_SLOTS + 1,
    KERNEL_SPACE = BAREMETAL_WINDOW_SLOTS,
};
#define WINDOWS_BASE (UINT64_C(1) << 30)
#define SLOT_STRIDE ((uint64_t)SLOT_PD_STRIDE << 21)
#define WINDOW_BYTES_HERE ((uint64_t)WINDOW_PD_ENTRIES << 21)
#define BOOT_AREAS_PHYS (UINT64_C(16) << 20)
#define BOOT_AREA_BYTES (UINT64_C(256) << 10)
#define RAM_PHYS (UINT64_C(32) << 20)
#define RAM_BYTES (UINT64_C(64) << 20)
#define APIC_PHYS UINT64_C(0xFEE00000)

struct space {
    uint64_t pml4[ENTRIES];
    uint64_t pdpt[ENTRIES];
    uint64_t windows_pd[ENTRIES];
};

struct paging {
    struct space spaces[SPACES];
    uint64_t identity_pd[ENTRIES];
    uint64_t low_pt[LOW_PT_COUNT][ENTRIES];
    uint64_t apic_pd[ENTRIES];
    uint64_t window_pt[BAREMETAL_WINDOW_SLOTS][WINDOW_PD_ENTRIES][ENTRIES];
    uint32_t in_use;                                /* bit per slot */
    uint8_t active;                                 /* space in CR3 */
};

static struct paging paging __attribute__((aligned(PAGE)));

extern char __user_start[], __user_end[], __image_end[];

static uint64_t phys(const void *p)
{
    return (uint64_t)(uintptr_t)p;   /* below 1 GiB, virtual is physical */
}

static void load_cr3(uint8_t space)
{
    paging.active = space;
    __asm__ volatile("mov %0, %%cr3" : : "r"(phys(paging.spaces[space].pml4)) : "memory");
}

static void invalidate(uint64_t address)
{
    __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

void paging_init(void)
{
    uint64_t user_start = phys(__user_start), user_end = phys(__user_end);
    if ((uint64_t)phys(__image_end) > BOOT_AREAS_PHYS)
        baremetal_fail(__func__, "the image overlaps the boot areas");
    for (unsigned t = 0; t < LOW_PT_COUNT; t++) {
        for (unsigned i = 0; i < ENTRIES; i++) {
            uint64_t at = ((uint64_t)t * ENTRIES + i) * PAGE;
            bool user = at >= user_start && at < user_end;
            paging.low_pt[t][i] = at | PTE_PRESENT | (user ? PTE_USER : PTE_WRITE);
        }
        if (t == 0)
            paging.low_pt[0][0] = 0;   /* page 0 absent: a NULL access faults, in ring 0 too */
        paging.identity_pd[t] = phys(paging.low_pt[t]) | PTE_PRESENT | PTE_WRITE | PTE_USER;
    }
    for (unsigned i = LOW_PT_COUNT; i < ENTRIES; i++)
        paging.identity_pd[i] = ((uint64_t)i << 21) | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
    paging.apic_pd[(APIC_PHYS >> 21) & 511] =
        (APIC_PHYS & ~((UINT64_C(1) << 21) - 1)) | PTE_PRESENT | PTE_WRITE | PTE_HUGE |
        PTE_NO_CACHE | PTE_WRITE_THROUGH;
    for (unsigned s = 0; s < SPACES; s++) {
        struct space *space = &paging.spaces[s];
        space->pml4[0] = phys(space->pdpt) | PTE_PRESENT | PTE_WRITE | PTE_USER;
        space->pdpt[0] = phys(paging.identity_pd) | PTE_PRESENT | PTE_WRITE | PTE_USER;
        space->pdpt[1] = phys(space->windows_pd) | PTE_PRESENT | PTE_WRITE | PTE_USER;
        space->pdpt[3] = phys(paging.apic_pd) | PTE_PRESENT | PTE_WRITE;
    }
    load_cr3(KERNEL_SPACE);
}

void paging_activate(uint8_t slot)
{
    uint8_t space = slot == BAREMETAL_NO_SLOT ? KERNEL_SPACE : slot;
    if (space != paging.active)
        load_cr3(space);
}

static uint8_t *slot_base(unsigned slot)
{
    return (uint8_t *)(uintptr_t)(WINDOWS_BASE + slot * SLOT_STRIDE);
}

uint8_t paging_slot_of(const void *address)
{
    uint64_t at = (uint64_t)(uintptr_t)address;
    if (at < WINDOWS_BASE)
        return BAREMETAL_NO_SLOT;
    uint64_t slot = (at - WINDOWS_BASE) / SLOT_STRIDE;
    if (slot >= BAREMETAL_WINDOW_SLOTS || (at - WINDOWS_BASE) % SLOT_STRIDE >= WINDOW_BYTES_HERE)
        return BAREMETAL_NO_SLOT;
    return (uint8_t)slot;
}

static uint64_t *pte_of(unsigned slot, uint64_t offset)
{
    return &paging.window_pt[slot][offset >> 21][(offset >> 12) & 511];
}

void *hal_window_create(size_t size, size_t boot_size)
{
    if (size != WINDOW_BYTES_HERE || boot_size > BOOT_AREA_BYTES || boot_size % PAGE != 0)
        baremetal_fail(__func__, "a window of a size this platform does not lay out");
    unsigned slot = 0;
    while (slot < BAREMETAL_WINDOW_SLOTS && (paging.in_use & (UINT32_C(1) << slot)) != 0)
        slot++;
    if (slot == BAREMETAL_WINDOW_SLOTS)
        return NULL;
    paging.in_use |= UINT32_C(1) << slot;
    uint64_t boot_phys = BOOT_AREAS_PHYS + slot * BOOT_AREA_BYTES;
    duet_memset((void *)(uintptr_t)boot_phys, 0, boot_size);
    duet_memset(paging.window_pt[slot], 0, sizeof paging.window_pt[slot]);
    for (uint64_t offset = 0; offset < boot_size; offset += PAGE)
        *pte_of(slot, offset) = (boot_phys + offset) | PTE_PRESENT | PTE_WRITE | PTE_USER;
    for (unsigned s = 0; s < SPACES; s++)
        for (unsigned j = 0; j < WINDOW_PD_ENTRIES; j++)
            paging.spaces[s].windows_pd[slot * SLOT_PD_STRIDE + j] =
                phys(paging.window_pt[slot][j]) | PTE_PRESENT | PTE_WRITE |
                (s == slot ? PTE_USER : 0);
    return slot_base(slot);
}

void hal_window_destroy(void *window, size_t size)
{
    uint8_t slot = paging_slot_of(window);
    if (slot == BAREMETAL_NO_SLOT || window != slot_base(slot) || size != WINDOW_BYTES_HERE)
        baremetal_fail(__func__, "not a window");
    for (unsigned s = 0; s < SPACES; s++)
        for (unsigned j = 0; j < WINDOW_PD_ENTRIES; j++)
            paging.spaces[s].windows_pd[slot * SLOT_PD_STRIDE + j] = 0;
    duet_memset(paging.window_pt[slot], 0, sizeof paging.window_pt[slot]);
    paging.in_use &= ~(UINT32_C(1) << slot);
    load_cr3(paging.active);   /* every stale translation of the slot goes */
}

uint64_t hal_ram_bytes(void)
{
    return RAM_BYTES;
}

void hal_ram_clear(uint64_t at, uint64_t size)
{
    if (at > RAM_BYTES || size > RAM_BYTES - at)
        baremetal_fail(__func__, "outside physical memory");
    duet_memset((void *)(uintptr_t)(RAM_PHYS + at), 0, size);
}

static unsigned checked_slot(void *window, uint64_t offset, uint64_t size)
{
    uint8_t slot = paging_slot_of(window);
    if (slot == BAREMETAL_NO_SLOT || window != slot_base(slot) || offset % PAGE != 0 ||
        size % PAGE != 0 || offset > WINDOW_BYTES_HERE || size > WINDOW_BYTES_HERE - offset)
        baremetal_fail(__func__, "a mapping outside a window");
    return slot;
}

void hal_map(void *window, uint64_t offset, uint64_t at, uint64_t size, bool writable)
{
    unsigned slot = checked_slot(window, offset, size);
    if (at % PAGE != 0 || at > RAM_BYTES || size > RAM_BYTES - at)
        baremetal_fail(__func__, "a mapping of memory that is not there");
    for (uint64_t i = 0; i < size; i += PAGE) {
        *pte_of(slot, offset + i) = (RAM_PHYS + at + i) | PTE_PRESENT | PTE_USER |
                                    (writable ? PTE_WRITE : 0);
        invalidate((uint64_t)(uintptr_t)slot_base(slot) + offset + i);
    }
}

void hal_unmap(void *window, uint64_t offset, uint64_t size)
{
    unsigned slot = checked_slot(window, offset, size);
    for (uint64_t i = 0; i < size; i += PAGE) {
        *pte_of(slot, offset + i) = 0;
        invalidate((uint64_t)(uintptr_t)slot_base(slot) + offset + i);
    }
}
