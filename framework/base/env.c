/*
 * env.c - a component's start and its window allocator (duet/env.h).
 */
#include "duet/env.h"

#include "duet/assert.h"
#include "duet/string.h"
#include "hal/world.h"

void *env_alloc(struct env *env, size_t size)
{
    DUET_ASSERT(env->heap_next <= env->heap_end);
    size_t rounded = (size + 15u) & ~(size_t)15u;
    if (rounded < size || rounded > env->heap_end - env->heap_next)
        return NULL;
    void *memory = (void *)env->heap_next;
    env->heap_next += rounded;
    duet_memset(memory, 0, rounded);
    return memory;
}

void component_start(void *argument, void *unused)
{
    struct env *env = argument;
    (void)unused;
    DUET_ASSERT(env != NULL && env->main != NULL);
    env->main(env);
    sys_thread_exit();
}

void thread_start(void *entry, void *arg)
{
    struct utcb *self = utcb_self();
    DUET_ASSERT(self != NULL && self->env != NULL);
    component_thread_fn start = (component_thread_fn)(uintptr_t)entry;
    start(self->env, arg);
    sys_thread_exit();
}
