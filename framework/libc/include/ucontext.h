/*
 * ucontext.h - user contexts: getcontext, setcontext, makecontext,
 * swapcontext (the framework libc, x86-64).
 *
 * POSIX-shaped, so that code written against the standard API (gccgo's
 * runtime, coroutine libraries) compiles unchanged. What differs on
 * purpose from glibc:
 *   - No system call and no signal-mask change on any switch: uc_sigmask
 *     exists for source compatibility and is never read or written (the
 *     framework has no POSIX signals; glibc's rt_sigprocmask per switch is
 *     what makes its swapcontext ~20 times slower, MACHINE_FACTS.md).
 *   - Saved state: rbx, rbp, r12-r15, rsp, rip (what the System V ABI
 *     says a call preserves), the MXCSR control bits and the x87 control
 *     word. MXCSR's exception flags (bits 0-5) are not carried: they stay
 *     whatever the running code made them, as across any call.
 *   - makecontext's arguments are read as 64-bit words (as glibc does on
 *     x86-64), so pointers pass whole; at most UCONTEXT_ARGS_MAX of them.
 *     uc_link is read when makecontext is called.
 *   - Bad input is a named error, never a crash: a NULL context, a stack
 *     below UCONTEXT_STACK_MIN bytes or too many arguments make
 *     makecontext set errno to EINVAL and mark the context invalid;
 *     setcontext and swapcontext on an invalid or never-filled context
 *     return -1 with errno EINVAL.
 *   - When a made context's function returns with uc_link NULL, the
 *     calling framework thread exits (sys_thread_exit). That is a system
 *     call, so (as for every system call) the stack must lie in the
 *     component's boot area; on other stacks the kernel stops the thread.
 *
 * getcontext returns twice (like setjmp): once when called, once more for
 * every setcontext or swapcontext to the context, on any framework thread
 * of the component - the thread that resumes it is the thread that runs it
 * (utcb_self(), errno), whatever thread saved it.
 *
 * ASan: in sanitizer builds every switch tells the sanitizer which stack
 * it moves to (ucontext.c), so stacks are never mistaken for each other.
 */
#ifndef DUET_LIBC_UCONTEXT_H
#define DUET_LIBC_UCONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "duet/libc_names.h"
#include "duet/ucontext_layout.h"

typedef struct {
    void *ss_sp;        /* lowest address of the stack */
    int ss_flags;       /* ignored */
    size_t ss_size;     /* bytes */
} stack_t;

typedef struct {
    uint64_t sig[1];    /* never applied: see above */
} sigset_t;

/* The saved registers, in the order of the UCONTEXT_GREG_* indices. */
typedef struct {
    uint64_t gregs[UCONTEXT_GREGS];
    uint32_t mxcsr;     /* control bits apply; flags are not restored */
    uint16_t fpu_cw;    /* the x87 control word */
    uint16_t reserved;
} mcontext_t;

typedef struct ucontext_t {
    struct ucontext_t *uc_link;   /* resumed when a made context's function returns */
    stack_t uc_stack;             /* the stack makecontext prepares */
    mcontext_t uc_mcontext;
    sigset_t uc_sigmask;          /* never applied */
    /* Private to the libc. */
    uint32_t duet_state;          /* UCONTEXT_STATE_* */
    uint32_t duet_reserved;
    const void *duet_stack_bottom;   /* the stack the context runs on (for ASan) */
    size_t duet_stack_size;
    void *duet_fake_stack;        /* ASan's fake stack of the suspended context */
} ucontext_t;

int getcontext(ucontext_t *ucp) DUET_LIBC_NAME(getcontext) __attribute__((returns_twice));
int setcontext(const ucontext_t *ucp) DUET_LIBC_NAME(setcontext);
void makecontext(ucontext_t *ucp, void (*func)(), int argc, ...) DUET_LIBC_NAME(makecontext);
int swapcontext(ucontext_t *oucp, const ucontext_t *ucp) DUET_LIBC_NAME(swapcontext)
    __attribute__((returns_twice));

#endif
