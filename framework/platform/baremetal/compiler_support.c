/*
 * compiler_support.c - the functions a C compiler may call on its own.
 *
 * Even freestanding, clang turns large struct copies and initialisations
 * into calls to memcpy and memset; the host libc provides them in the sim,
 * here the image must. They run in ring 0 and ring 3 alike (shared code).
 */
#include "duet/string.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* String instructions, not loops: the compiler would turn a copying loop
 * back into a call to memcpy, and duet_memcpy calls memcpy itself. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int value, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
        return memcpy(dst, src, n);
    /* Overlapping, destination above: copy backwards. */
    void *d = (uint8_t *)dst + n - 1;
    const void *s = (const uint8_t *)src + n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    return duet_memcmp(a, b, n);
}

/* Unsigned 128-bit division: the PIT driver converts between ticks and
 * microseconds in 128 bits. Shift and subtract; it is called rarely. */
unsigned __int128 __udivti3(unsigned __int128 dividend, unsigned __int128 divisor);
unsigned __int128 __udivti3(unsigned __int128 dividend, unsigned __int128 divisor)
{
    if (divisor == 0)
        __builtin_trap();
    unsigned __int128 quotient = 0, remainder = 0;
    for (int bit = 127; bit >= 0; bit--) {
        remainder = (remainder << 1) | ((dividend >> bit) & 1u);
        if (remainder >= divisor) {
            remainder -= divisor;
            quotient |= (unsigned __int128)1 << bit;
        }
    }
    return quotient;
}
