/*
 * go_stack.c - goroutine stacks: anonymous mmap with a PROT_NONE guard
 * page below, pooled (duet/go.h, go_internal.h).
 *
 * A stack is mapped the first time a goroutine needs it and kept in the
 * pool when the goroutine exits; go_runtime_destroy unmaps them all. Each
 * is two of the libc's mappings (the guard reservation, then the stack
 * MAP_FIXED over its upper part) and one RAM dataspace, which is what
 * bounds GO_STACKS_MAX.
 *
 * Overrun detection, twice: a canary (two words at the lowest usable
 * address, checked after every switch back to the scheduler) names the
 * goroutine with GO_ERR_STACK_OVERRUN; an overrun that jumps over it hits
 * the guard page, and the thread faults (the kernel stops it; in the sim
 * the fault cannot even be delivered on that stack and the run ends as a
 * crash). Either way no other memory is written.
 *
 * Claiming (which stack) happens under the runtime lock; mapping (system
 * calls) never does: the claimed slot is the claimer's alone.
 */
#include "go_internal.h"

#include "duet/assert.h"
#include "sys/mman.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GO_STACK_ASAN 1
#endif
#endif
#ifdef GO_STACK_ASAN
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

enum { CANARY_LOW = 0x5354434b, CANARY_HIGH = 0x43414e59 };   /* "STCK", "CANY" */

static uint64_t canary_word(int index, unsigned which)
{
    return ((uint64_t)(which == 0 ? CANARY_LOW : CANARY_HIGH) << 32) | (uint64_t)index;
}

int go_stack_claim(struct go_runtime *rt)
{
    for (unsigned i = 0; i < rt->config.stacks_max; i++) {
        struct go_stack *s = &rt->stacks[i];
        if (!s->in_use) {
            s->in_use = true;
            rt->stacks_in_use++;
            return (int)i;
        }
    }
    /* goroutines_max <= stacks_max: a live goroutine always finds one. */
    DUET_ASSERT(!"no free goroutine stack");
    return -1;
}

bool go_stack_map(struct go_runtime *rt, int index)
{
    DUET_ASSERT(index >= 0 && (unsigned)index < rt->config.stacks_max);
    struct go_stack *s = &rt->stacks[index];
    DUET_ASSERT(s->in_use);
    if (s->reservation == NULL) {
        uint64_t total = rt->stack_bytes + GO_GUARD_BYTES;
        uint8_t *reservation = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (reservation == MAP_FAILED)
            return false;
        uint8_t *base = mmap(reservation + GO_GUARD_BYTES, rt->stack_bytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (base == MAP_FAILED) {
            (void)munmap(reservation, total);
            return false;
        }
        DUET_ASSERT(base == reservation + GO_GUARD_BYTES);
        /* One write maps all of it now, on a thread's stack, so the
         * goroutine never faults on its own stack. */
        base[0] = 0;
        s->reservation = reservation;
        s->base = base;
        rt->stacks_mapped++;
    }
#ifdef GO_STACK_ASAN
    __asan_unpoison_memory_region(s->base, rt->stack_bytes);
#endif
    uint64_t *canary = (uint64_t *)(void *)s->base;
    canary[0] = canary_word(index, 0);
    canary[1] = canary_word(index, 1);
    return true;
}

bool go_stack_canary_intact(const struct go_runtime *rt, int index)
{
    if (index < 0)
        return true;
    const struct go_stack *s = &rt->stacks[index];
    if (s->base == NULL)
        return true;
    const uint64_t *canary = (const uint64_t *)(const void *)s->base;
    return canary[0] == canary_word(index, 0) && canary[1] == canary_word(index, 1);
}

void go_stack_release(struct go_runtime *rt, int index)
{
    DUET_ASSERT(index >= 0 && (unsigned)index < rt->config.stacks_max);
    struct go_stack *s = &rt->stacks[index];
    DUET_ASSERT(s->in_use && rt->stacks_in_use > 0);
    s->in_use = false;
    rt->stacks_in_use--;
}

void go_stacks_unmap(struct go_runtime *rt)
{
    for (unsigned i = 0; i < rt->config.stacks_max; i++) {
        struct go_stack *s = &rt->stacks[i];
        if (s->reservation == NULL)
            continue;
#ifdef GO_STACK_ASAN
        /* A stack left by a blocked goroutine keeps its frames' poison;
         * a later mapping here would inherit it (MACHINE_FACTS.md). */
        __asan_unpoison_memory_region(s->base, rt->stack_bytes);
#endif
        int unmapped = munmap(s->reservation, rt->stack_bytes + GO_GUARD_BYTES);
        DUET_ASSERT(unmapped == 0);
        *s = (struct go_stack){0};
    }
}
