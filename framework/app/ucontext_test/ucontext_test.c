/*
 * ucontext_test.c - the framework libc's user contexts (ucontext.h,
 * scenarios/ucontext.scn), checked the way glibc's own tests check them,
 * written against the POSIX names as a ported program would be:
 *   - getcontext returns twice (a setcontext back to it);
 *   - makecontext passes 6, 8 and 16 integer arguments, the later ones on
 *     the stack, whole 64-bit words;
 *   - uc_link chains: a context whose function returns resumes its link,
 *     two levels deep, in order;
 *   - getcontext inside a made context, resumed later from outside;
 *   - locals aligned to 16 and 32 bytes in made contexts whose stacks
 *     start and end at every alignment from 1 to 15 bytes off;
 *   - FP control state per context: MXCSR rounding and the x87 control
 *     word set in one context are not seen in another, and come back;
 *   - a context saved on one framework thread resumed on another: it runs
 *     as that thread (its utcb, its errno); a made context whose uc_link is
 *     NULL ends its thread cleanly;
 *   - bad input by name: EINVAL for a NULL or small stack, too many
 *     arguments, a context never filled.
 * Where ours differs from glibc on purpose: the signal mask is neither
 * saved nor restored (uc_sigmask is left as the caller wrote it).
 *
 * Made contexts run on stacks from the boot area (env_alloc) so that they
 * may make system calls (a system call's frame must lie there).
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"
#include "duet/utcb.h"
#include "errno.h"
#include "ucontext.h"

enum {
    CONTEXT_STACK = 12 * 1024,
    WORKER_STACK = 16 * 1024,        /* THREAD_STACK_MIN */
    MXCSR_ROUND_DOWN = 0x1f80 | 0x2000,
    MXCSR_ROUND_UP = 0x1f80 | 0x4000,
    FPU_CW_SINGLE = 0x007f,    /* 24-bit precision */
    FPU_CW_DOUBLE = 0x027f,    /* 53-bit precision */
    FPU_CW_CONTROL = 0x0f3f,   /* masks, precision, rounding (bit 6 reserved) */
};

struct ucontext_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    unsigned failures;
    uint8_t *stack[3];
    ucontext_t main_context, first, second, inner, worker_back;
    volatile unsigned trail;           /* digits appended in the order things ran */
    volatile uint64_t sum;
    volatile unsigned passes;
    volatile bool misaligned;
    volatile uint32_t mxcsr_seen[2];
    volatile uint16_t fpu_cw_seen[2];
    volatile void *runner_utcb;
    volatile int runner_errno;
    volatile bool worker_done, exiter_ran, exiter_came_back;
    struct cpu_thread worker, exiter;
    uint8_t *worker_stack[2];
};

static void say(struct ucontext_test *test, const char *what, const char *detail)
{
    char line[120];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, detail);
    log_write(test->env, test->log.cap, line);
}

static void expect(struct ucontext_test *test, bool holds, const char *what)
{
    if (!holds) {
        test->failures++;
        say(test, "FAILED: ", what);
    }
}

static uint32_t mxcsr_read(void)
{
    uint32_t value;
    __asm__ volatile("stmxcsr %0" : "=m"(value));
    return value;
}

static void mxcsr_write(uint32_t value)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(value));
}

static uint16_t fpu_cw_read(void)
{
    uint16_t value;
    __asm__ volatile("fnstcw %0" : "=m"(value));
    return value;
}

static void fpu_cw_write(uint16_t value)
{
    __asm__ volatile("fldcw %0" : : "m"(value));
}

static void context_prepare(struct ucontext_test *test, ucontext_t *context, unsigned stack,
                            size_t offset, size_t size, ucontext_t *link)
{
    expect(test, getcontext(context) == 0, "getcontext");
    context->uc_stack.ss_sp = test->stack[stack] + offset;
    context->uc_stack.ss_size = size;
    context->uc_link = link;
}

static void check_returns_twice(struct ucontext_test *test)
{
    volatile unsigned returns = 0;
    ucontext_t here;
    here.uc_sigmask.sig[0] = 0x5a5a;
    expect(test, getcontext(&here) == 0, "getcontext returned non-zero");
    returns++;
    if (returns == 1)
        expect(test, setcontext(&here) == 0, "setcontext came back");
    expect(test, returns == 2, "getcontext did not return exactly twice");
    expect(test, here.uc_sigmask.sig[0] == 0x5a5a, "the signal mask field was written");
    say(test, "returns twice: ", "ok (signal mask untouched, by design)");
}

static void sum_six(uint64_t test_word, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    test->sum = a + b * 10 + c * 100 + d * 1000 + e * 10000;
}

static void sum_sixteen(uint64_t test_word, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                        uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8, uint64_t a9,
                        uint64_t a10, uint64_t a11, uint64_t a12, uint64_t a13, uint64_t a14,
                        uint64_t big)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    uint64_t weighted = a1 * 1 + a2 * 2 + a3 * 3 + a4 * 4 + a5 * 5 + a6 * 6 + a7 * 7 + a8 * 8 +
                        a9 * 9 + a10 * 10 + a11 * 11 + a12 * 12 + a13 * 13 + a14 * 14;
    test->sum = weighted + (big == 0x123456789abcdef0ull ? 1000000 : 0);
}

static void check_arguments(struct ucontext_test *test)
{
    uint64_t self = (uint64_t)(uintptr_t)test;
    context_prepare(test, &test->first, 0, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->first, (void (*)())sum_six, 6, self, 1ull, 2ull, 3ull, 4ull, 5ull);
    test->sum = 0;
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (6 arguments)");
    expect(test, test->sum == 54321, "6 arguments");

    context_prepare(test, &test->first, 0, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->first, (void (*)())sum_sixteen, 16, self, 1ull, 2ull, 3ull, 4ull, 5ull, 6ull,
                7ull, 8ull, 9ull, 10ull, 11ull, 12ull, 13ull, 14ull, 0x123456789abcdef0ull);
    test->sum = 0;
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (16 arguments)");
    expect(test, test->sum == 1000000 + 1015, "16 arguments (10 on the stack, 64-bit words)");
    say(test, "arguments: ", "6 and 16 ok");
}

static void chain_link(uint64_t test_word, uint64_t digit)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    test->trail = test->trail * 10 + (unsigned)digit;
}

static void check_links(struct ucontext_test *test)
{
    uint64_t self = (uint64_t)(uintptr_t)test;
    /* first -> second -> main */
    context_prepare(test, &test->second, 1, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->second, (void (*)())chain_link, 2, self, 2ull);
    context_prepare(test, &test->first, 0, 0, CONTEXT_STACK, &test->second);
    makecontext(&test->first, (void (*)())chain_link, 2, self, 1ull);
    test->trail = 0;
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (links)");
    test->trail = test->trail * 10 + 3;
    expect(test, test->trail == 123, "uc_link chain out of order");
    say(test, "uc_link chains: ", "ok");
}

/* Saves a context inside itself, goes back to main; main resumes the
 * inner context later, and the function then returns through uc_link. */
static void saves_inside(uint64_t test_word)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    volatile unsigned local = 7;
    test->passes = 0;
    getcontext(&test->inner);
    test->passes++;
    if (test->passes == 1)
        swapcontext(&test->first, &test->main_context);
    test->sum = local + test->passes;   /* its own frame survived */
}

static void check_inner_getcontext(struct ucontext_test *test)
{
    context_prepare(test, &test->first, 0, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->first, (void (*)())saves_inside, 1, (uint64_t)(uintptr_t)test);
    test->sum = 0;
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (inner)");
    expect(test, test->passes == 1 && test->sum == 0, "the made context did not come back");
    expect(test, swapcontext(&test->main_context, &test->inner) == 0, "resuming the inner context");
    expect(test, test->passes == 2 && test->sum == 9, "getcontext inside a made context");
    say(test, "getcontext inside a made context: ", "ok");
}

static void aligned_locals(uint64_t test_word)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    _Alignas(16) volatile uint8_t sixteen[16];
    _Alignas(32) volatile uint8_t thirty_two[32];
    sixteen[0] = 1;
    thirty_two[0] = 1;
    if (((uintptr_t)sixteen & 15) != 0 || ((uintptr_t)thirty_two & 31) != 0)
        test->misaligned = true;
    /* The entry frame itself: the return address sits at 8 mod 16. */
    if (((uintptr_t)__builtin_frame_address(0) & 15) != 0)
        test->misaligned = true;
}

static void check_alignment(struct ucontext_test *test)
{
    test->misaligned = false;
    for (size_t start = 0; start < 16; start++)
        for (size_t end = 0; end < 16; end += 5) {
            context_prepare(test, &test->first, 0, start, CONTEXT_STACK - 32 - start + end,
                            &test->main_context);
            makecontext(&test->first, (void (*)())aligned_locals, 1, (uint64_t)(uintptr_t)test);
            expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (align)");
        }
    expect(test, !test->misaligned, "a local was misaligned in a made context");
    say(test, "alignment of locals up to 32 bytes: ", "ok");
}

static void fp_other(uint64_t test_word)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    mxcsr_write(MXCSR_ROUND_UP);
    fpu_cw_write(FPU_CW_DOUBLE);
    swapcontext(&test->second, &test->main_context);
    test->mxcsr_seen[1] = mxcsr_read();
    test->fpu_cw_seen[1] = fpu_cw_read();
}

static void check_fp_control(struct ucontext_test *test)
{
    uint32_t mxcsr_before = mxcsr_read();
    uint16_t fpu_cw_before = fpu_cw_read();
    context_prepare(test, &test->first, 1, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->first, (void (*)())fp_other, 1, (uint64_t)(uintptr_t)test);
    mxcsr_write(MXCSR_ROUND_DOWN);
    fpu_cw_write(FPU_CW_SINGLE);
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (fp)");
    test->mxcsr_seen[0] = mxcsr_read();
    test->fpu_cw_seen[0] = fpu_cw_read();
    expect(test, swapcontext(&test->main_context, &test->second) == 0, "swapcontext (fp back)");
    uint32_t mxcsr_after = mxcsr_read();
    uint16_t fpu_cw_after = fpu_cw_read();
    mxcsr_write(mxcsr_before);
    fpu_cw_write(fpu_cw_before);
    expect(test, (test->mxcsr_seen[0] & ~0x3fu) == MXCSR_ROUND_DOWN &&
                     (test->fpu_cw_seen[0] & FPU_CW_CONTROL) == (FPU_CW_SINGLE & FPU_CW_CONTROL),
           "the FP control state of one context leaked into another");
    expect(test, (test->mxcsr_seen[1] & ~0x3fu) == MXCSR_ROUND_UP &&
                     (test->fpu_cw_seen[1] & FPU_CW_CONTROL) == (FPU_CW_DOUBLE & FPU_CW_CONTROL),
           "a context's FP control state was not restored");
    expect(test, (mxcsr_after & ~0x3fu) == MXCSR_ROUND_DOWN && (fpu_cw_after & FPU_CW_CONTROL) == (FPU_CW_SINGLE & FPU_CW_CONTROL),
           "the main context's FP control state was not kept");
    say(test, "FP control state per context: ", "ok");
}

/* Runs on the first context's stack: saved on the main thread, resumed
 * (returning from getcontext a second time) on the worker thread. */
static void travels(uint64_t test_word)
{
    struct ucontext_test *test = (struct ucontext_test *)(uintptr_t)test_word;
    test->passes = 0;
    errno = 0;
    getcontext(&test->inner);
    test->passes++;
    if (test->passes == 1) {
        errno = EEXIST;   /* the main thread's errno */
        swapcontext(&test->first, &test->main_context);
    }
    test->runner_utcb = utcb_self();
    test->runner_errno = errno;
    errno = ENOENT;   /* the worker's */
    setcontext(&test->worker_back);
}

void ucontext_test_worker(struct env *env, void *arg)
{
    struct ucontext_test *test = arg;
    (void)env;
    if (test->worker_done) {   /* the exiter: a made context with no link */
        ucontext_t gone;
        getcontext(&gone);
        gone.uc_stack.ss_sp = test->stack[2];
        gone.uc_stack.ss_size = CONTEXT_STACK;
        gone.uc_link = NULL;
        makecontext(&gone, (void (*)())chain_link, 2, (uint64_t)(uintptr_t)test, 9ull);
        test->exiter_ran = true;
        setcontext(&gone);
        test->exiter_came_back = true;
        return;
    }
    errno = 0;
    swapcontext(&test->worker_back, &test->inner);
    test->worker_done = true;
}

static void check_other_thread(struct ucontext_test *test)
{
    context_prepare(test, &test->first, 1, 0, CONTEXT_STACK, &test->main_context);
    makecontext(&test->first, (void (*)())travels, 1, (uint64_t)(uintptr_t)test);
    expect(test, swapcontext(&test->main_context, &test->first) == 0, "swapcontext (travel)");
    expect(test, errno == EEXIST && test->passes == 1, "the context did not come back to main");
    test->worker_done = false;
    enum rpc_status status = cpu_thread_create(test->env, test->cpu.cap, &test->worker,
                                               ucontext_test_worker, test, test->worker_stack[0],
                                               WORKER_STACK);
    expect(test, status == RPC_OK, "a worker thread");
    for (unsigned spin = 0; spin < 1000 && !test->worker_done; spin++)
        sys_yield();
    expect(test, test->worker_done, "the worker did not finish");
    expect(test, test->passes == 2, "the context did not run on the worker");
    expect(test, test->runner_utcb == &test->worker.utcb && test->runner_utcb != utcb_self(),
           "the resumed context did not run as the worker thread");
    expect(test, test->runner_errno == 0 && errno == EEXIST, "errno did not stay per thread");

    /* A made context with uc_link NULL ends its thread. */
    test->trail = 0;
    status = cpu_thread_create(test->env, test->cpu.cap, &test->exiter, ucontext_test_worker, test,
                               test->worker_stack[1], WORKER_STACK);
    expect(test, status == RPC_OK, "the exiting thread");
    for (unsigned spin = 0; spin < 1000 && test->trail != 9; spin++)
        sys_yield();
    for (unsigned spin = 0; spin < 20; spin++)
        sys_yield();
    expect(test, test->exiter_ran && test->trail == 9 && !test->exiter_came_back,
           "a context with no uc_link did not end its thread");
    say(test, "contexts on another thread: ", "ok");
}

static void check_bad_input(struct ucontext_test *test)
{
    ucontext_t never = {0};
    errno = 0;
    expect(test, setcontext(&never) == -1 && errno == EINVAL, "setcontext of a never-filled context");
    errno = 0;
    expect(test, swapcontext(&test->main_context, NULL) == -1 && errno == EINVAL,
           "swapcontext to NULL");
    errno = 0;
    expect(test, setcontext(NULL) == -1 && errno == EINVAL, "setcontext of NULL");
    ucontext_t bad;
    getcontext(&bad);
    bad.uc_stack.ss_sp = NULL;
    bad.uc_stack.ss_size = CONTEXT_STACK;
    errno = 0;
    makecontext(&bad, (void (*)())chain_link, 0);
    expect(test, errno == EINVAL && setcontext(&bad) == -1 && errno == EINVAL, "a NULL stack");
    getcontext(&bad);
    bad.uc_stack.ss_sp = test->stack[0];
    bad.uc_stack.ss_size = UCONTEXT_STACK_MIN - 1;
    errno = 0;
    makecontext(&bad, (void (*)())chain_link, 0);
    expect(test, errno == EINVAL && swapcontext(&test->main_context, &bad) == -1, "a small stack");
    getcontext(&bad);
    bad.uc_stack.ss_sp = test->stack[0];
    bad.uc_stack.ss_size = CONTEXT_STACK;
    errno = 0;
    makecontext(&bad, (void (*)())chain_link, UCONTEXT_ARGS_MAX + 1);
    expect(test, errno == EINVAL && setcontext(&bad) == -1, "too many arguments");
    say(test, "bad input: ", "EINVAL");
}

void ucontext_test_main(struct env *env)
{
    struct ucontext_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    for (unsigned i = 0; i < 3; i++)
        test->stack[i] = env_alloc(env, CONTEXT_STACK);
    for (unsigned i = 0; i < 2; i++)
        test->worker_stack[i] = env_alloc(env, WORKER_STACK);
    DUET_ASSERT(test->stack[2] != NULL && test->worker_stack[1] != NULL);
    if (log_connection_open(env, &test->log) != RPC_OK || cpu_connection_open(env, &test->cpu) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    check_returns_twice(test);
    check_arguments(test);
    check_links(test);
    check_inner_getcontext(test);
    check_alignment(test);
    check_fp_control(test);
    check_other_thread(test);
    check_bad_input(test);
    if (test->failures == 0)
        log_write(env, test->log.cap, "ucontext checks passed");
    parent_exit(env, test->failures == 0 ? 0 : 1);
}
