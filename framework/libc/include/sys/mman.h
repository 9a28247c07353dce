/*
 * sys/mman.h - anonymous memory mappings (the framework libc).
 *
 * mmap maps anonymous memory only (MAP_ANONYMOUS with MAP_PRIVATE or
 * MAP_SHARED; a file descriptor gives ENODEV). Placement, as Linux does it:
 *   - no address: anywhere free in the component's window;
 *   - an address (a hint): exactly there if the range is free, else
 *     anywhere free;
 *   - MAP_FIXED: exactly there, replacing what this libc mapped there
 *     before (partly unmapped mappings keep their other parts). A range
 *     that holds memory the libc did not map (the boot area, the heap's
 *     chunks, other attachments) cannot be replaced: ENOMEM.
 *   - MAP_FIXED_NOREPLACE: exactly there if free, else EEXIST.
 * PROT_READ|PROT_WRITE memory is writable, PROT_READ read-only (a write
 * faults), PROT_NONE reserves the range (any access faults). New memory is
 * zeroed. munmap of a range that holds no mapping succeeds, as POSIX says.
 * Memory comes from the libc's RAM session (libc_init): ENOMEM when it is
 * spent. Errors set errno (errno.h).
 */
#ifndef DUET_LIBC_SYS_MMAN_H
#define DUET_LIBC_SYS_MMAN_H

#include <stddef.h>
#include <stdint.h>

#include "duet/libc_names.h"

typedef int64_t off_t;

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FIXED_NOREPLACE 0x100000

#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    DUET_LIBC_NAME(mmap);
int munmap(void *addr, size_t length) DUET_LIBC_NAME(munmap);

#endif
