/*
 * malloc.c - malloc and friends on the framework heap (stdlib.h).
 */
#include "duet/assert.h"
#include "duet/string.h"
#include "errno.h"
#include "libc_internal.h"
#include "stdlib.h"

void *malloc(size_t size)
{
    void *p = NULL;
    /* A unique pointer for size 0, which free takes back. */
    enum heap_error error = heap_alloc(&libc_self()->heap, size ? size : 1, &p);
    if (error != HEAP_OK) {
        errno = ENOMEM;
        return NULL;
    }
    return p;
}

void free(void *p)
{
    if (p == NULL)
        return;
    enum heap_error error = heap_free(&libc_self()->heap, p);
    DUET_ASSERT(error == HEAP_OK);   /* not malloc's, or freed twice */
}

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(count * size);
    if (p != NULL)
        duet_memset(p, 0, count * size);   /* heap memory is reused */
    return p;
}

void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return malloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    size_t old = 0;
    enum heap_error error = heap_size(&libc_self()->heap, p, &old);
    DUET_ASSERT(error == HEAP_OK);   /* not malloc's */
    if (size <= old)
        return p;
    void *bigger = malloc(size);
    if (bigger == NULL)
        return NULL;   /* errno set; p is untouched, as C says */
    duet_memcpy(bigger, p, old);
    free(p);
    return bigger;
}
