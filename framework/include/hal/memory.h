/*
 * hal/memory.h - address spaces: windows, physical memory, mappings.
 *
 * Every PD has a window: `size` bytes of address space of which the first
 * `boot_size` are memory of its own (env, heap, main stack), mapped and
 * zeroed when the window is made. The rest holds nothing until the kernel
 * maps physical memory there; an access to it then raises a page fault,
 * which the platform hands to kernel_entry_page_fault on the faulting
 * thread, exactly as a #PF from ring 3 would enter the kernel on bare metal.
 *
 * Physical memory is [0, hal_ram_bytes()). In the sim it is one memfd and
 * a mapping is mmap(MAP_FIXED) of part of it; on bare metal it is RAM and
 * a mapping is a page-table entry. Addresses inside a window are reported
 * window-relative in traces; host or physical addresses never are.
 */
#ifndef DUET_HAL_MEMORY_H
#define DUET_HAL_MEMORY_H

#include "duet/types.h"

/* A window, or NULL when the platform has no room for another. */
void *hal_window_create(size_t size, size_t boot_size);
/* Returns a window to the platform; its contents and mappings are gone. */
void hal_window_destroy(void *window, size_t size);

/* Bytes of physical memory for dataspaces (page aligned). */
uint64_t hal_ram_bytes(void);
/* Zeroes [phys, phys + size). */
void hal_ram_clear(uint64_t phys, uint64_t size);
/* Maps [phys, phys + size) at window + offset (all page aligned), replacing
 * whatever was mapped there. */
void hal_map(void *window, uint64_t offset, uint64_t phys, uint64_t size, bool writable);
/* Makes [window + offset, + size) fault again. */
void hal_unmap(void *window, uint64_t offset, uint64_t size);

#endif
