/*
 * bench_switch.c - fiber switch: the sim's switch vs a hand-written baseline.
 *
 * Two fibers ping-pong: the host stack switches to a fiber, the fiber
 * switches straight back; one iteration is two switches. The sim's fiber
 * is prepared by hal_context_init (sim/fiber.c) exactly as the kernel
 * prepares a thread, and then sim_fiber_switch is called directly on the
 * context's saved stack pointer (context->word[0]): hal_context_switch
 * would also store the current context into the running world, and there
 * is no world here. The baseline fiber uses the benchmark's own switch
 * (baseline_switch_x86_64.S) on its own stack.
 *
 * What this is not: a switch under a scheduler. Choosing the next thread,
 * the kernel entry and the trace events are in the RPC benchmark
 * (bench_rpc.c). With only two stacks the cache-colouring effect that
 * MACHINE_FACTS reports for 1,000 fibers does not show here.
 */
#include <stdlib.h>

#include "bench.h"
#include "hal/context.h"

enum {
    SWITCH_STACK_BYTES = 64 * 1024,
    SWITCH_ITERATIONS = 2000000,     /* two switches each */
    SWITCH_WARMUP_ITERATIONS = 100000,
};

typedef void (*switch_fn)(uint64_t *save_sp, uint64_t next_sp);

/* The two stack pointers a ping-pong pair trades. */
struct switch_pair {
    switch_fn switch_to;
    uint64_t host_sp;
    uint64_t fiber_sp;
};

/* The fiber's side: back to the host at once, forever. Never returns (the
 * entry of a context must not); the fiber is simply never resumed again. */
static void switch_fiber_entry(void *arg)
{
    struct switch_pair *pair = arg;
    for (;;)
        pair->switch_to(&pair->fiber_sp, pair->host_sp);
}

/* The same, with the two-argument entry a hal_context starts. */
static void switch_fiber_context_entry(void *arg, void *unused)
{
    (void)unused;
    switch_fiber_entry(arg);
}

uint64_t bench_baseline_stack_prepare(void *stack_base, size_t stack_size,
                                      void (*entry)(void *arg), void *arg)
{
    void bench_baseline_trampoline(void);
    uintptr_t top = ((uintptr_t)stack_base + stack_size) & ~(uintptr_t)15;
    /* Popped by bench_baseline_switch: r15 r14 r13 r12 rbx rbp, then ret. */
    uint64_t *frame = (uint64_t *)top - 7;
    for (int i = 0; i < 7; i++)
        frame[i] = 0;
    frame[3] = (uint64_t)(uintptr_t)entry;      /* r12 */
    frame[4] = (uint64_t)(uintptr_t)arg;        /* rbx */
    frame[6] = (uint64_t)(uintptr_t)bench_baseline_trampoline;
    return (uint64_t)(uintptr_t)frame;
}

/* Nanoseconds per switch over `iterations` round trips. */
static double switch_time_ns(struct switch_pair *pair, unsigned iterations)
{
    uint64_t start_ns = bench_now_ns();
    for (unsigned i = 0; i < iterations; i++)
        pair->switch_to(&pair->host_sp, pair->fiber_sp);
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    return (double)elapsed_ns / (2.0 * iterations);
}

/* Medians of both, sampled alternately so that neither always runs on a
 * colder (or hotter) machine. */
static void switch_medians_ns(struct switch_pair *sim_pair, struct switch_pair *baseline_pair,
                              double *out_sim_ns, double *out_baseline_ns)
{
    double sim_samples_ns[BENCH_REPEATS];
    double baseline_samples_ns[BENCH_REPEATS];
    switch_time_ns(sim_pair, SWITCH_WARMUP_ITERATIONS);
    switch_time_ns(baseline_pair, SWITCH_WARMUP_ITERATIONS);
    for (int r = 0; r < BENCH_REPEATS; r++) {
        sim_samples_ns[r] = switch_time_ns(sim_pair, SWITCH_ITERATIONS);
        baseline_samples_ns[r] = switch_time_ns(baseline_pair, SWITCH_ITERATIONS);
    }
    *out_sim_ns = bench_median(sim_samples_ns, BENCH_REPEATS);
    *out_baseline_ns = bench_median(baseline_samples_ns, BENCH_REPEATS);
}

void bench_switch_run(void)
{
    void *sim_stack = aligned_alloc(4096, SWITCH_STACK_BYTES);
    void *baseline_stack = aligned_alloc(4096, SWITCH_STACK_BYTES);
    if (sim_stack == NULL || baseline_stack == NULL)
        bench_die("no memory for the switch benchmark's stacks");

    struct switch_pair sim_pair = {.switch_to = sim_fiber_switch};
    struct hal_context context;
    hal_context_init(&context, sim_stack, SWITCH_STACK_BYTES, switch_fiber_context_entry,
                     &sim_pair, NULL, 0, 0);
    sim_pair.fiber_sp = context.word[0];

    struct switch_pair baseline_pair = {.switch_to = bench_baseline_switch};
    baseline_pair.fiber_sp = bench_baseline_stack_prepare(baseline_stack, SWITCH_STACK_BYTES,
                                                          switch_fiber_entry, &baseline_pair);

    double sim_ns = 0.0;
    double baseline_ns = 0.0;
    switch_medians_ns(&sim_pair, &baseline_pair, &sim_ns, &baseline_ns);
    bench_report("fiber switch, sim (sim_fiber_switch)", sim_ns, "ns", baseline_ns);
    bench_note("baseline: hand-written switch in bench/, callee-saved regs + rsp; "
               "%d x %d round trips", BENCH_REPEATS, SWITCH_ITERATIONS);
    /* Both fibers stay suspended forever; their stacks may not be reused. */
}
