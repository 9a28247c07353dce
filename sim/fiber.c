/*
 * fiber.c - CPU contexts for the sim: fibers on one host thread (hal/context.h).
 *
 * A context's words: [0] saved stack pointer, [1] stack bottom, [2] stack
 * size, [3] entry function, [4] and [5] entry arguments, [6] ASan's fake
 * stack while the fiber is switched out. The switch itself is
 * sim_fiber_switch (fiber_switch_x86_64.S); here we prepare new stacks and
 * tell AddressSanitizer about every stack change, without which it would
 * mistake a fiber's stack for a corrupted host stack.
 */
#include <stdint.h>
#include <string.h>

#include "sim_world.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if !defined(SIM_ASAN) && defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#endif
#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

enum { WORD_SP = 0, WORD_STACK_BOTTOM, WORD_STACK_SIZE, WORD_ENTRY, WORD_ARG0, WORD_ARG1,
       WORD_FAKE_STACK };

void sim_fiber_switch(uint64_t *save_sp, uint64_t next_sp);
void sim_fiber_trampoline(void);
_Noreturn void sim_fiber_start(struct hal_context *context);

void sim_fiber_boot_context(struct hal_context *boot)
{
    memset(boot, 0, sizeof *boot);
}

void hal_context_init(struct hal_context *context, void *stack_base, size_t stack_size,
                      hal_context_entry_fn entry, void *arg0, void *arg1, uint16_t pd,
                      uint16_t thread)
{
#ifdef SIM_ASAN
    /* The stack may have carried a killed thread, whose frames never
     * returned and so left their redzones poisoned. */
    __asan_unpoison_memory_region(stack_base, stack_size);
#endif
    uintptr_t top = ((uintptr_t)stack_base + stack_size) & ~(uintptr_t)15;
    /* Initial frame, popped by sim_fiber_switch: six callee-saved registers
     * (rbx = the context, for the trampoline), then the trampoline as the
     * return address. After the ret, rsp == top: 16-byte aligned. */
    uint64_t *frame = (uint64_t *)top - 7;
    memset(frame, 0, 7 * sizeof(uint64_t));
    frame[4] = (uint64_t)(uintptr_t)context;          /* popped into rbx */
    frame[6] = (uint64_t)(uintptr_t)sim_fiber_trampoline;
    memset(context, 0, sizeof *context);
    context->word[WORD_SP] = (uint64_t)(uintptr_t)frame;
    context->word[WORD_STACK_BOTTOM] = (uint64_t)(uintptr_t)stack_base;
    context->word[WORD_STACK_SIZE] = stack_size;
    context->word[WORD_ENTRY] = (uint64_t)(uintptr_t)entry;
    context->word[WORD_ARG0] = (uint64_t)(uintptr_t)arg0;
    context->word[WORD_ARG1] = (uint64_t)(uintptr_t)arg1;
    context->pd = pd;
    context->thread = thread;
}

static void fiber_switch(struct hal_context *from, struct hal_context *to, bool from_dies)
{
#ifdef SIM_ASAN
    /* Annotated on the leaving side, as the framework's ucontext does
     * (framework/libc/ucontext.c): finish_switch_fiber's "old stack" is the
     * stack `from` is on right now - a goroutine's stack, say, not the one
     * the fiber started on - so switching back to `from` names it. */
    void *fake_stack = NULL;
    const void *bottom = NULL;
    size_t size = 0;
    __sanitizer_start_switch_fiber(from_dies ? NULL : &fake_stack,
                                   (const void *)(uintptr_t)to->word[WORD_STACK_BOTTOM],
                                   (size_t)to->word[WORD_STACK_SIZE]);
    __sanitizer_finish_switch_fiber((void *)(uintptr_t)to->word[WORD_FAKE_STACK], &bottom, &size);
    from->word[WORD_FAKE_STACK] = (uint64_t)(uintptr_t)fake_stack;
    from->word[WORD_STACK_BOTTOM] = (uint64_t)(uintptr_t)bottom;
    from->word[WORD_STACK_SIZE] = size;
#endif
    sim_world_current->current = to;
    sim_fiber_switch(&from->word[WORD_SP], to->word[WORD_SP]);
    (void)from_dies;
}

void hal_context_switch(struct hal_context *from, struct hal_context *to)
{
    fiber_switch(from, to, false);
}

void *hal_thread_pointer(void)
{
    struct hal_context *running = sim_world_current != NULL ? sim_world_current->current : NULL;
    return running != NULL ? running->thread_pointer : NULL;
}

/* Leaves a fiber for good (the world ended): switch to the host stack. */
_Noreturn void sim_fiber_exit_to(struct hal_context *from, struct hal_context *to);
_Noreturn void sim_fiber_exit_to(struct hal_context *from, struct hal_context *to)
{
    fiber_switch(from, to, true);
    __builtin_trap(); /* nobody resumes a fiber of an ended world */
}

_Noreturn void sim_fiber_start(struct hal_context *context)
{
    /* A new thread starts in its component's code, not in the kernel that
     * switched to it. */
    if (sim_world_current != NULL)   /* benchmarks switch fibers outside worlds */
        sim_world_current->in_kernel = false;
    hal_context_entry_fn entry = (hal_context_entry_fn)(uintptr_t)context->word[WORD_ENTRY];
    entry((void *)(uintptr_t)context->word[WORD_ARG0], (void *)(uintptr_t)context->word[WORD_ARG1]);
    sim_world_finish(sim_world_current, SIM_FAIL, "a context's entry function returned");
}
