/*
 * string.h - the few memory and string helpers the framework needs.
 *
 * Named duet_* so they never collide with the host libc the simulator,
 * SQLite and the sanitizers link against (the framework's own POSIX-named
 * libc comes later, with symbol renaming for the sim build).
 */
#ifndef DUET_STRING_H
#define DUET_STRING_H

#include "duet/types.h"

void *duet_memcpy(void *dst, const void *src, size_t n);
void *duet_memset(void *dst, int value, size_t n);
int duet_memcmp(const void *a, const void *b, size_t n);
size_t duet_strlen(const char *s);
size_t duet_strnlen(const char *s, size_t max);
int duet_strcmp(const char *a, const char *b);
int duet_strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t duet_strlcpy(char *dst, const char *src, size_t size);

#endif
