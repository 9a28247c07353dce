/*
 * bench_go.c - the framework's ucontext and goroutines, each figure with
 * a baseline measured in the same run (docs/PERFORMANCE.md, "Goroutines").
 *
 *   swapcontext       the framework libc's, per switch, on the host (no
 *                     world): a ping-pong of two contexts; baseline: the
 *                     host libc's (glibc) swapcontext, the same ping-pong
 *   yield             per go_yield (two goroutines alternating); baseline:
 *                     two glibc swapcontexts (a yield's switches at least)
 *   send + receive    per value over an unbuffered channel; baseline: four
 *                     glibc swapcontexts (the two goroutine switches each
 *                     value takes, there and back through the scheduler)
 *   select            per select over two ready cases plus the try_recv
 *                     that re-arms it; baseline: a try_send + try_recv pair
 *                     in the same kind of world
 *   spawn + exit      per goroutine spawned, run and exited (stacks pooled);
 *                     baseline: a glibc context made, run to its end and
 *                     returned from through uc_link
 *   memory            per idle goroutine: its stack mapping, guard page and
 *                     record; baseline: a framework thread's minimum stack
 *                     and records
 * World figures are (run - 0-round run) / rounds, canonical schedule
 * (every hal_choice 0, so two goroutines alternate), ring recorder:
 * bench_world.c. A hal_choice with more than one option writes a CHOICE
 * event, which is part of what a yield costs here.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <ucontext.h>

#include "bench.h"
#include "bench_go_side.h"

enum {
    GO_PINGPONG_ITERATIONS = 1000000,
    GO_CONTEXT_STACK_BYTES = 64 * 1024,
    GO_ROUNDS = 200000,
    GO_SPAWN_ROUNDS = 100000,
};

static const struct component_info go_components[] = {
    {.name = GO_BENCH_YIELD_COMPONENT, .main = go_bench_yield_main},
    {.name = GO_BENCH_CHAN_COMPONENT, .main = go_bench_chan_main},
    {.name = GO_BENCH_SELECT_COMPONENT, .main = go_bench_select_main},
    {.name = GO_BENCH_PAIR_COMPONENT, .main = go_bench_pair_main},
    {.name = GO_BENCH_SPAWN_COMPONENT, .main = go_bench_spawn_main},
};

#define GO_SPEC(NAME)                                                                        \
    {.scenario_name = "bench_" NAME, .component = NAME,                                      \
     .config = "start " NAME " ram=700K caps=24\nroute RAM parent\nroute RM parent\n",      \
     .success_name = NAME, .components = go_components,                                      \
     .component_count = sizeof go_components / sizeof go_components[0],                      \
     .steps_per_round = 0, .canonical_schedule = true}

static const struct bench_world_spec go_specs[] = {
    GO_SPEC(GO_BENCH_YIELD_COMPONENT), GO_SPEC(GO_BENCH_CHAN_COMPONENT),
    GO_SPEC(GO_BENCH_SELECT_COMPONENT), GO_SPEC(GO_BENCH_PAIR_COMPONENT),
    GO_SPEC(GO_BENCH_SPAWN_COMPONENT),
};
enum { SPEC_YIELD, SPEC_CHAN, SPEC_SELECT, SPEC_PAIR, SPEC_SPAWN };

/* --- glibc's contexts, the host's --- */

struct host_pingpong {
    ucontext_t main, partner;
};

/* glibc's makecontext passes ints: the pair's address in two halves. */
static void host_partner_loop(unsigned low, unsigned high)
{
    struct host_pingpong *pair = (struct host_pingpong *)(((uintptr_t)high << 32) | low);
    for (;;)
        swapcontext(&pair->partner, &pair->main);
}

static double host_swapcontext_ns(void *stack)
{
    struct host_pingpong pair;
    DUET_BENCH_CHECK(getcontext(&pair.partner) == 0);
    pair.partner.uc_stack.ss_sp = stack;
    pair.partner.uc_stack.ss_size = GO_CONTEXT_STACK_BYTES;
    pair.partner.uc_link = NULL;
    uintptr_t address = (uintptr_t)&pair;
    makecontext(&pair.partner, (void (*)(void))host_partner_loop, 2, (unsigned)address,
                (unsigned)(address >> 32));
    uint64_t start = bench_now_ns();
    for (int i = 0; i < GO_PINGPONG_ITERATIONS; i++)
        swapcontext(&pair.main, &pair.partner);
    return (double)(bench_now_ns() - start) / (2.0 * GO_PINGPONG_ITERATIONS);
}

static double framework_swapcontext_ns(void *stack)
{
    uint64_t start = bench_now_ns();
    bench_go_side_swapcontext_pingpong(GO_PINGPONG_ITERATIONS, stack, GO_CONTEXT_STACK_BYTES);
    return (double)(bench_now_ns() - start) / (2.0 * GO_PINGPONG_ITERATIONS);
}

static void host_child(void)
{
}

/* A glibc context made, run to its end and returned from via uc_link. */
static double host_make_run_ns(void *stack)
{
    enum { MAKES = 200000 };
    ucontext_t main_context, child;
    uint64_t start = bench_now_ns();
    for (int i = 0; i < MAKES; i++) {
        DUET_BENCH_CHECK(getcontext(&child) == 0);
        child.uc_stack.ss_sp = stack;
        child.uc_stack.ss_size = GO_CONTEXT_STACK_BYTES;
        child.uc_link = &main_context;
        makecontext(&child, host_child, 0);
        swapcontext(&main_context, &child);
    }
    return (double)(bench_now_ns() - start) / MAKES;
}

void bench_go_run(void)
{
    void *stack = malloc(GO_CONTEXT_STACK_BYTES);
    DUET_BENCH_CHECK(stack != NULL);
    double ours[BENCH_REPEATS], host[BENCH_REPEATS], make[BENCH_REPEATS];
    framework_swapcontext_ns(stack);   /* warm-up */
    host_swapcontext_ns(stack);
    for (int r = 0; r < BENCH_REPEATS; r++) {
        ours[r] = framework_swapcontext_ns(stack);
        host[r] = host_swapcontext_ns(stack);
        make[r] = host_make_run_ns(stack);
    }
    free(stack);
    double ours_ns = bench_median(ours, BENCH_REPEATS);
    double host_ns = bench_median(host, BENCH_REPEATS);
    double make_ns = bench_median(make, BENCH_REPEATS);
    bench_report("swapcontext (framework libc), per switch", ours_ns, "ns", host_ns);
    bench_note("baseline: the host libc's (glibc) swapcontext, per switch, same ping-pong; "
               "%d round trips, medians of %d", GO_PINGPONG_ITERATIONS, BENCH_REPEATS);

    struct bench_world_figures yield, chan, select, pair, spawn;
    bench_world_measure(&go_specs[SPEC_YIELD], GO_ROUNDS, &yield);
    bench_world_measure(&go_specs[SPEC_CHAN], GO_ROUNDS, &chan);
    bench_world_measure(&go_specs[SPEC_SELECT], GO_ROUNDS, &select);
    bench_world_measure(&go_specs[SPEC_PAIR], GO_ROUNDS, &pair);
    bench_world_measure(&go_specs[SPEC_SPAWN], GO_SPAWN_ROUNDS, &spawn);
    bench_report("goroutine yield", yield.marginal_ns / 2.0, "ns", 2.0 * host_ns);
    bench_note("two goroutines, %d yields each; baseline: two glibc swapcontexts", GO_ROUNDS);
    bench_report("unbuffered send + receive", chan.marginal_ns, "ns", 4.0 * host_ns);
    bench_note("per value; baseline: four glibc swapcontexts");
    bench_report("select, 2 ready cases (+ try_recv)", select.marginal_ns, "ns", pair.marginal_ns);
    bench_note("baseline: try_send + try_recv in the same kind of world");
    bench_report("spawn + run + exit", spawn.marginal_ns, "ns", make_ns);
    bench_note("per goroutine, pooled stack; baseline: glibc getcontext + makecontext + run "
               "to the end through uc_link");
    bench_note("per round: yield %.2f, send+receive %.2f, select %.2f, spawn %.2f choices "
               "(CHOICE events)",
               (double)(yield.full.choices - yield.empty.choices) / (double)yield.rounds,
               (double)(chan.full.choices - chan.empty.choices) / (double)chan.rounds,
               (double)(select.full.choices - select.empty.choices) / (double)select.rounds,
               (double)(spawn.full.choices - spawn.empty.choices) / (double)spawn.rounds);

    struct bench_go_memory memory;
    bench_go_side_memory(&memory);
    double goroutine_bytes = (double)(memory.stack_bytes + memory.guard_bytes + memory.record_bytes);
    double thread_bytes = (double)(memory.thread_stack_bytes + memory.thread_record_bytes);
    bench_report("memory per idle goroutine", goroutine_bytes, "B", thread_bytes);
    bench_note("stack %" PRIu64 " B (all mapped: core maps a region at its first fault) + guard "
               "%" PRIu64 " B (address space only) + record %" PRIu64 " B; baseline: a "
               "framework thread, THREAD_STACK_MIN + struct cpu_thread + CPU_THREAD_RAM_COST",
               memory.stack_bytes, memory.guard_bytes, memory.record_bytes);
}
