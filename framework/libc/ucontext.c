/*
 * ucontext.c - makecontext, setcontext and swapcontext (ucontext.h): the
 * checks, the stack a made context starts on, and the sanitizer's view of
 * every switch. The register work is in ucontext_x86_64.S.
 *
 * A made context's stack, from its (16-byte aligned) top down:
 *     [arguments 7..argc]      16-byte aligned, the first at the lowest address
 *     [duet_ucontext_trampoline]   <- rsp when func starts: rsp + 8 is a
 *                                     multiple of 16, as after a call
 * so func sees the psABI's entry alignment whatever ss_sp and ss_size were.
 *
 * ASan (sanitizer builds only, guarded by __has_feature: the framework
 * includes no sim header, and the sanitizer's two entry points are all it
 * needs). Every switch is annotated on the leaving side, before the
 * registers move: start_switch_fiber(destination stack) and at once
 * finish_switch_fiber, whose "old stack" answer is the bounds of the stack
 * being left, kept in the context saved. The sanitizer's notion of the
 * current stack is therefore exact at every moment, which the sim's fiber
 * switch relies on (sim/fiber.c reads the bounds back the same way).
 * getcontext switches nothing, so it learns the current bounds with a
 * round trip (duet_ucontext_captured).
 */
#include "ucontext.h"

#include "duet/assert.h"
#include "duet/syscall.h"
#include "errno.h"

#include <stdarg.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UCONTEXT_ASAN 1
#endif
#endif

#ifdef UCONTEXT_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

_Static_assert(offsetof(ucontext_t, uc_mcontext) == UCONTEXT_MCONTEXT, "layout");
_Static_assert(offsetof(ucontext_t, duet_state) == UCONTEXT_STATE, "layout");
_Static_assert(offsetof(mcontext_t, mxcsr) == MCONTEXT_MXCSR, "layout");
_Static_assert(offsetof(mcontext_t, fpu_cw) == MCONTEXT_FPU_CW, "layout");

void duet_ucontext_swap(mcontext_t *save, const mcontext_t *load);
/* Never returns, but not declared _Noreturn: ASan would call
 * __asan_handle_no_return before it, after the annotation already named
 * the destination stack, and warn that the stack pointer lies outside it. */
void duet_ucontext_jump(const mcontext_t *load);
void duet_ucontext_trampoline(void);
int duet_ucontext_captured(ucontext_t *ucp);
_Noreturn void duet_ucontext_finished(const ucontext_t *link);

enum {
    MXCSR_DEFAULT = 0x1f80,     /* all exceptions masked, round to nearest */
    FPU_CW_DEFAULT = 0x037f,    /* the same for x87, 64-bit precision */
};

static bool context_resumable(const ucontext_t *ucp)
{
    return ucp != NULL &&
           (ucp->duet_state == UCONTEXT_STATE_SAVED || ucp->duet_state == UCONTEXT_STATE_MADE);
}

/* Tells the sanitizer we move to `to`'s stack; returns (in `from`, if
 * any) the bounds of the stack we leave. No-op outside sanitizer builds. */
static void stack_switch_annotate(ucontext_t *from, const ucontext_t *to)
{
#ifdef UCONTEXT_ASAN
    void *abandoned = NULL;   /* setcontext: the left stack may be resumed later; keep its fake stack alive */
    const void *bottom = NULL;
    size_t size = 0;
    __sanitizer_start_switch_fiber(from != NULL ? &from->duet_fake_stack : &abandoned,
                                   to->duet_stack_bottom, to->duet_stack_size);
    __sanitizer_finish_switch_fiber(to->duet_fake_stack, &bottom, &size);
    if (from != NULL) {
        from->duet_stack_bottom = bottom;
        from->duet_stack_size = size;
    }
#else
    (void)from;
    (void)to;
#endif
}

int duet_ucontext_captured(ucontext_t *ucp)
{
#ifdef UCONTEXT_ASAN
    /* Pretend to switch to a one-byte stack to learn the current bounds,
     * then switch back to them. */
    void *fake = NULL;
    const void *bottom = NULL;
    size_t size = 0;
    __sanitizer_start_switch_fiber(&fake, ucp, 1);
    __sanitizer_finish_switch_fiber(fake, &bottom, &size);
    __sanitizer_start_switch_fiber(&fake, bottom, size);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
    ucp->duet_stack_bottom = bottom;
    ucp->duet_stack_size = size;
    ucp->duet_fake_stack = NULL;
#else
    (void)ucp;
#endif
    return 0;
}

int setcontext(const ucontext_t *ucp)
{
    if (!context_resumable(ucp)) {
        errno = EINVAL;
        return -1;
    }
    stack_switch_annotate(NULL, ucp);
    duet_ucontext_jump(&ucp->uc_mcontext);
    __builtin_unreachable();
}

int swapcontext(ucontext_t *oucp, const ucontext_t *ucp)
{
    if (oucp == NULL || !context_resumable(ucp)) {
        errno = EINVAL;
        return -1;
    }
    oucp->duet_state = UCONTEXT_STATE_SAVED;
    stack_switch_annotate(oucp, ucp);
    duet_ucontext_swap(&oucp->uc_mcontext, &ucp->uc_mcontext);
    return 0;
}

static void context_refuse(ucontext_t *ucp)
{
    if (ucp != NULL)
        ucp->duet_state = UCONTEXT_STATE_INVALID;
    errno = EINVAL;
}

void makecontext(ucontext_t *ucp, void (*func)(), int argc, ...)
{
    if (ucp == NULL || func == NULL || argc < 0 || argc > UCONTEXT_ARGS_MAX ||
        ucp->uc_stack.ss_sp == NULL || ucp->uc_stack.ss_size < UCONTEXT_STACK_MIN ||
        (uintptr_t)ucp->uc_stack.ss_sp + ucp->uc_stack.ss_size < (uintptr_t)ucp->uc_stack.ss_sp) {
        context_refuse(ucp);
        return;
    }
    uint64_t args[UCONTEXT_ARGS_MAX] = {0};
    va_list list;
    va_start(list, argc);
    for (int i = 0; i < argc; i++)
        args[i] = va_arg(list, uint64_t);
    va_end(list);

    uintptr_t top = ((uintptr_t)ucp->uc_stack.ss_sp + ucp->uc_stack.ss_size) & ~(uintptr_t)15;
    unsigned on_stack = argc > 6 ? (unsigned)argc - 6 : 0;
    uintptr_t arguments = (top - on_stack * 8u) & ~(uintptr_t)15;
    uint64_t *slot = (uint64_t *)(arguments - 8);
    DUET_ASSERT((uintptr_t)slot >= (uintptr_t)ucp->uc_stack.ss_sp);   /* UCONTEXT_STACK_MIN */
#ifdef UCONTEXT_ASAN
    /* A stack used before may carry poison from frames that never returned. */
    __asan_unpoison_memory_region(ucp->uc_stack.ss_sp, ucp->uc_stack.ss_size);
#endif
    slot[0] = (uint64_t)(uintptr_t)duet_ucontext_trampoline;
    for (unsigned i = 0; i < on_stack; i++)
        slot[1 + i] = args[6 + i];

    mcontext_t *mc = &ucp->uc_mcontext;
    /* The FP control state: what getcontext saved into ucp, else defaults. */
    bool filled = ucp->duet_state == UCONTEXT_STATE_SAVED || ucp->duet_state == UCONTEXT_STATE_MADE;
    uint32_t mxcsr = filled ? mc->mxcsr : MXCSR_DEFAULT;
    uint16_t fpu_cw = filled ? mc->fpu_cw : FPU_CW_DEFAULT;
    *mc = (mcontext_t){.mxcsr = mxcsr, .fpu_cw = fpu_cw};
    mc->gregs[UCONTEXT_GREG_RBX] = (uint64_t)(uintptr_t)ucp->uc_link;
    mc->gregs[UCONTEXT_GREG_RSP] = (uint64_t)(uintptr_t)slot;
    mc->gregs[UCONTEXT_GREG_RIP] = (uint64_t)(uintptr_t)func;
    static const unsigned argument_regs[6] = {UCONTEXT_GREG_RDI, UCONTEXT_GREG_RSI,
                                              UCONTEXT_GREG_RDX, UCONTEXT_GREG_RCX,
                                              UCONTEXT_GREG_R8, UCONTEXT_GREG_R9};
    for (unsigned i = 0; i < 6; i++)
        mc->gregs[argument_regs[i]] = args[i];
    ucp->duet_stack_bottom = ucp->uc_stack.ss_sp;
    ucp->duet_stack_size = ucp->uc_stack.ss_size;
    ucp->duet_fake_stack = NULL;
    ucp->duet_state = UCONTEXT_STATE_MADE;
    DUET_ASSERT(((uintptr_t)slot + 8) % 16 == 0);
}

_Noreturn void duet_ucontext_finished(const ucontext_t *link)
{
    if (link != NULL)
        (void)setcontext(link);   /* returns only if link is not resumable */
    sys_thread_exit();
}
