/*
 * unit_ucontext_unwind.c - unwinding a context made by the framework
 * libc's makecontext stops at its entry trampoline (issue 8).
 *
 * The framework's ucontext code runs here on the host thread, with a
 * stack of its own: the made function walks its own stack with the
 * compiler runtime's unwinder (_Unwind_Backtrace, what C++ exceptions and
 * debuggers' tools use) and must see its own frame, then the trampoline,
 * and nothing after it: the trampoline's unwind info marks the return
 * address undefined, so no walk goes past it into whatever the stack's
 * memory held before.
 */
#include <unwind.h>

#include "unit_check.h"
#include "ucontext.h"

void duet_ucontext_trampoline(void);

/* The framework libc keeps errno in the utcb; this test has no thread. */
static int test_errno;
int *__duet_errno_location(void) __asm__("duet_libc_errno_location");
int *__duet_errno_location(void)
{
    return &test_errno;
}

static ucontext_t main_context, made_context;
/* Filled with a plausible return address: a walk that went past the
 * trampoline would find frames in it. */
static uint8_t stack[64 * 1024] __attribute__((aligned(16)));
static uintptr_t ips[16];
static unsigned frames;
static _Unwind_Reason_Code last_reason;

static _Unwind_Reason_Code frame_seen(struct _Unwind_Context *context, void *arg)
{
    (void)arg;
    if (frames < sizeof ips / sizeof ips[0])
        ips[frames] = (uintptr_t)_Unwind_GetIP(context);
    frames++;
    return _URC_NO_REASON;
}

__attribute__((noinline)) static void made(void)
{
    frames = 0;
    last_reason = _Unwind_Backtrace(frame_seen, NULL);
    swapcontext(&made_context, &main_context);
}

int main(void)
{
    for (size_t i = 0; i + sizeof(uintptr_t) <= sizeof stack; i += sizeof(uintptr_t)) {
        uintptr_t bait = (uintptr_t)made + 4;
        memcpy(stack + i, &bait, sizeof bait);
    }
    UNIT_CHECK(getcontext(&made_context) == 0, "getcontext");
    made_context.uc_stack.ss_sp = stack;
    made_context.uc_stack.ss_size = sizeof stack;
    made_context.uc_link = &main_context;
    makecontext(&made_context, made, 0);
    UNIT_CHECK(swapcontext(&main_context, &made_context) == 0, "swapcontext into it");

    UNIT_CHECK(last_reason == _URC_END_OF_STACK, "the walk ended at the end of the stack (%d)",
               (int)last_reason);
    UNIT_CHECK(frames >= 2 && frames <= 4,
               "frames: made(), the trampoline, the unwinder's end marker; got %u", frames);
    /* The trampoline is reached, and after it nothing but the unwinder's
     * marker of an undefined return address (ip 0): no frame of whatever
     * lay on the stack before. */
    uintptr_t trampoline = (uintptr_t)duet_ucontext_trampoline;
    unsigned at = frames;
    for (unsigned i = 0; i < frames && i < 16; i++)
        if (ips[i] >= trampoline && ips[i] < trampoline + 32)
            at = i;
    UNIT_CHECK(at < frames, "the walk reached the trampoline");
    for (unsigned i = at + 1; i < frames && i < 16; i++)
        UNIT_CHECK(ips[i] == 0, "a frame past the trampoline (ip %#lx)", (unsigned long)ips[i]);
    UNIT_CHECK(at + 2 >= frames, "more than an end marker past the trampoline");
    return unit_finish("unit_ucontext_unwind");
}
