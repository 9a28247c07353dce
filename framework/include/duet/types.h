/*
 * types.h - the only "standard" headers the framework may use.
 *
 * Everything under framework/ must compile freestanding (-ffreestanding
 * -nostdinc, see framework/CMakeLists.txt). The compiler's own freestanding
 * headers are allowed; a host libc header is not. Include this instead of
 * reaching for <stdint.h> and friends directly, so the rule stays visible.
 */
#ifndef DUET_TYPES_H
#define DUET_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DUET_NORETURN _Noreturn
/* Generated functions an interface may leave unused (clang and gcc). */
#define DUET_MAYBE_UNUSED __attribute__((unused))
#define DUET_ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
