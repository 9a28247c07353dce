/*
 * stdlib.h - memory allocation (the framework libc).
 *
 * malloc and friends run on the framework heap (duet/heap.h) over the
 * libc's RAM session, and are safe from any thread of the component.
 * Blocks are 16-byte aligned. Failure returns NULL with errno ENOMEM.
 * free(NULL) does nothing; freeing what malloc did not hand out is an
 * assertion (the component's bug, found at once rather than later).
 */
#ifndef DUET_LIBC_STDLIB_H
#define DUET_LIBC_STDLIB_H

#include <stddef.h>

#include "duet/libc_names.h"

void *malloc(size_t size) DUET_LIBC_NAME(malloc);
void free(void *p) DUET_LIBC_NAME(free);
void *calloc(size_t count, size_t size) DUET_LIBC_NAME(calloc);
void *realloc(void *p, size_t size) DUET_LIBC_NAME(realloc);

#endif
