/*
 * hal/world.h - how a world ends, and the world's boot inputs.
 *
 * A world ends when it is quiescent (hal_world_end) or when something in it
 * fails (hal_panic: a kernel or framework assertion, a broken invariant).
 * Neither returns. In the sim both switch back to the host, which records
 * the outcome: a failing world is a recorded result, never a crash of the
 * tool. Bare metal reports through the serial trace and isa-debug-exit.
 *
 * Boot inputs: the components linked into the image (by name) and the boot
 * modules (ROM contents such as "config"), both read-only.
 */
#ifndef DUET_HAL_WORLD_H
#define DUET_HAL_WORLD_H

#include "duet/types.h"

struct env;
typedef void (*component_main_fn)(struct env *env);
/* Where a component's further threads start (duet/cpu_session.h). */
typedef void (*component_thread_fn)(struct env *env, void *arg);

/* A component of the image. `threads` lists, NULL-terminated, the only
 * functions its further threads may start at (NULL: it has none): the
 * kernel refuses any other entry, so a thread always starts in code the
 * image vouches for, whatever a component asks. */
struct component_info {
    const char *name;
    component_main_fn main;
    const component_thread_fn *threads;
};

struct boot_module {
    const char *name;
    const uint8_t *data;
    size_t size;
};

DUET_NORETURN void hal_world_end(void);
DUET_NORETURN void hal_panic(const char *function, const char *reason);

/* The components this image can start; *count receives the table length. */
const struct component_info *hal_boot_components(size_t *count);
const struct boot_module *hal_boot_modules(size_t *count);

#endif
