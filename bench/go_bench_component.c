/*
 * go_bench_component.c - the framework side of the goroutine benchmark
 * (bench_go.c): the components whose worlds it times, the framework
 * swapcontext ping-pong it times on the host, and the sizes behind
 * "memory per idle goroutine".
 *
 * Components (each: bench_component_setup, libc_init, a runtime, N rounds
 * of one operation in goroutines, go_run, checks, bench_component_done):
 *   go_bench_yield   two goroutines yield N times each: 2N yields
 *   go_bench_chan    a sender passes N values to a receiver, unbuffered
 *   go_bench_select  N selects over two ready send cases (capacity 1),
 *                    each followed by a try_recv that re-arms the case
 *   go_bench_pair    N try_send + try_recv pairs (select's baseline)
 *   go_bench_spawn   a goroutine spawns N children one at a time, each
 *                    exiting at once (yield lets it run)
 * Goroutines make no system call, so a round costs no kernel entry: the
 * whole difference to the 0-round run is the runtime.
 *
 * Framework code (compiled with the framework libc's headers): no globals,
 * state in an env_alloc'd struct.
 */
#include "bench_component.h"
#include "bench_go_side.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/go.h"
#include "duet/libc.h"
#include "duet/parent.h"
#include "duet/utcb.h"
#include "ucontext.h"

#include "../framework/go/go_internal.h"

enum { GO_BENCH_RAM = 512 * 1024 };

struct go_bench {
    struct bench_component base;
    struct go_runtime *rt;
    go_chan a, b;
    uint64_t done;
};

static struct go_bench *go_bench_start(struct env *env, unsigned goroutines)
{
    struct go_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    struct go_config config = {.goroutines_max = goroutines, .stacks_max = goroutines,
                               .channels_max = 2, .buffer_words_max = 2};
    if (!bench_component_setup(&bench->base, env) || libc_init(env, GO_BENCH_RAM) != RPC_OK ||
        go_runtime_create(env, &config, &bench->rt) != GO_OK) {
        parent_exit(env, 1);
        return NULL;
    }
    return bench;
}

static void go_bench_finish(struct go_bench *bench, const char *name, uint64_t expected_done)
{
    enum go_status status = go_run(bench->rt);
    DUET_ASSERT(status == GO_OK);
    DUET_ASSERT(bench->done == expected_done);
    go_runtime_destroy(bench->rt);
    bench_component_done(&bench->base, name);
}

static void yielder(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++)
        go_yield(rt);
    bench->done++;
}

void go_bench_yield_main(struct env *env)
{
    struct go_bench *bench = go_bench_start(env, 2);
    if (bench == NULL)
        return;
    DUET_ASSERT(go_spawn(bench->rt, yielder, bench, NULL) == GO_OK);
    DUET_ASSERT(go_spawn(bench->rt, yielder, bench, NULL) == GO_OK);
    go_bench_finish(bench, GO_BENCH_YIELD_COMPONENT, 2);
}

static void chan_sender(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++)
        DUET_ASSERT(go_send(rt, bench->a, i) == GO_OK);
    bench->done++;
}

static void chan_receiver(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++) {
        uint64_t value = 0;
        bool ok = false;
        DUET_ASSERT(go_recv(rt, bench->a, &value, &ok) == GO_OK && ok && value == i);
    }
    bench->done++;
}

void go_bench_chan_main(struct env *env)
{
    struct go_bench *bench = go_bench_start(env, 2);
    if (bench == NULL)
        return;
    DUET_ASSERT(go_chan_make(bench->rt, 0, &bench->a) == GO_OK);
    DUET_ASSERT(go_spawn(bench->rt, chan_receiver, bench, NULL) == GO_OK);
    DUET_ASSERT(go_spawn(bench->rt, chan_sender, bench, NULL) == GO_OK);
    go_bench_finish(bench, GO_BENCH_CHAN_COMPONENT, 2);
}

static void selector(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++) {
        struct go_select_case cases[2] = {{.channel = bench->a, .send = true, .value = 1},
                                          {.channel = bench->b, .send = true, .value = 2}};
        unsigned chosen = 9;
        DUET_ASSERT(go_select(rt, cases, 2, false, &chosen) == GO_OK && chosen < 2);
        DUET_ASSERT(go_try_recv(rt, chosen == 0 ? bench->a : bench->b, NULL, NULL) == GO_OK);
    }
    bench->done++;
}

static void pairer(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++) {
        DUET_ASSERT(go_try_send(rt, bench->a, i) == GO_OK);
        DUET_ASSERT(go_try_recv(rt, bench->a, NULL, NULL) == GO_OK);
    }
    bench->done++;
}

static void select_or_pair(struct env *env, go_fn body, const char *name)
{
    struct go_bench *bench = go_bench_start(env, 1);
    if (bench == NULL)
        return;
    DUET_ASSERT(go_chan_make(bench->rt, 1, &bench->a) == GO_OK);
    DUET_ASSERT(go_chan_make(bench->rt, 1, &bench->b) == GO_OK);
    DUET_ASSERT(go_spawn(bench->rt, body, bench, NULL) == GO_OK);
    go_bench_finish(bench, name, 1);
}

void go_bench_select_main(struct env *env)
{
    select_or_pair(env, selector, GO_BENCH_SELECT_COMPONENT);
}

void go_bench_pair_main(struct env *env)
{
    select_or_pair(env, pairer, GO_BENCH_PAIR_COMPONENT);
}

static void child(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    (void)rt;
    bench->done++;
}

static void spawner(struct go_runtime *rt, void *arg)
{
    struct go_bench *bench = arg;
    for (uint64_t i = 0; i < bench->base.rounds; i++) {
        DUET_ASSERT(go_spawn(rt, child, bench, NULL) == GO_OK);
        go_yield(rt);   /* the child runs and exits */
        DUET_ASSERT(bench->done == i + 1);
    }
}

void go_bench_spawn_main(struct env *env)
{
    struct go_bench *bench = go_bench_start(env, 2);
    if (bench == NULL)
        return;
    DUET_ASSERT(go_spawn(bench->rt, spawner, bench, NULL) == GO_OK);
    go_bench_finish(bench, GO_BENCH_SPAWN_COMPONENT, bench->base.rounds);
}

/* --- on the host, outside any world --- */

struct pingpong {
    ucontext_t main, partner;
    uint64_t iterations;
};

static void pingpong_partner(uint64_t word)
{
    struct pingpong *p = (struct pingpong *)(uintptr_t)word;
    for (;;)
        (void)swapcontext(&p->partner, &p->main);
}

void bench_go_side_swapcontext_pingpong(uint64_t iterations, void *stack, size_t stack_size)
{
    struct pingpong p = {.iterations = iterations};
    DUET_ASSERT(getcontext(&p.partner) == 0);
    p.partner.uc_stack.ss_sp = stack;
    p.partner.uc_stack.ss_size = stack_size;
    p.partner.uc_link = NULL;
    makecontext(&p.partner, (void (*)())pingpong_partner, 1, (uint64_t)(uintptr_t)&p);
    for (uint64_t i = 0; i < iterations; i++)
        DUET_ASSERT(swapcontext(&p.main, &p.partner) == 0);
}

void bench_go_side_memory(struct bench_go_memory *out)
{
    *out = (struct bench_go_memory){
        .stack_bytes = GO_STACK_BYTES_DEFAULT,
        .guard_bytes = GO_GUARD_BYTES,
        .record_bytes = sizeof(struct go_routine) + sizeof(uint16_t),   /* + run-queue slot */
        .thread_stack_bytes = THREAD_STACK_MIN,
        .thread_record_bytes = sizeof(struct cpu_thread) + CPU_THREAD_RAM_COST,
    };
}
