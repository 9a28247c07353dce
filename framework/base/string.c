/*
 * string.c - the framework's memory and string helpers (duet/string.h).
 *
 * Copy and fill use the compiler's builtins: they become inline code or
 * calls to memcpy/memset, which every C compiler may emit anyway (struct
 * copies) and so every platform provides, the freestanding image included.
 * The rest are plain loops: small, obviously correct, freestanding.
 */
#include "duet/string.h"

void *duet_memcpy(void *dst, const void *src, size_t n)
{
    return __builtin_memcpy(dst, src, n);
}

void *duet_memset(void *dst, int value, size_t n)
{
    return __builtin_memset(dst, value, n);
}

int duet_memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t duet_strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

size_t duet_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int duet_strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (int)(uint8_t)*a - (int)(uint8_t)*b;
}

int duet_strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || a[i] == '\0')
            return (int)(uint8_t)a[i] - (int)(uint8_t)b[i];
    }
    return 0;
}

size_t duet_strlcpy(char *dst, const char *src, size_t size)
{
    size_t length = duet_strlen(src);
    if (size == 0)
        return length;
    size_t n = length < size - 1 ? length : size - 1;
    duet_memcpy(dst, src, n);
    dst[n] = '\0';
    return length;
}
