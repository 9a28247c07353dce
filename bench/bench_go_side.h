/*
 * bench_go_side.h - what the host side of the goroutine benchmark
 * (bench_go.c) and its framework side (go_bench_component.c) share:
 * plain C types only, since each side includes a different libc.
 */
#ifndef DUET_BENCH_GO_SIDE_H
#define DUET_BENCH_GO_SIDE_H

#include <stddef.h>
#include <stdint.h>

struct env;

#define GO_BENCH_YIELD_COMPONENT "go_bench_yield"
#define GO_BENCH_CHAN_COMPONENT "go_bench_chan"
#define GO_BENCH_SELECT_COMPONENT "go_bench_select"
#define GO_BENCH_PAIR_COMPONENT "go_bench_pair"
#define GO_BENCH_SPAWN_COMPONENT "go_bench_spawn"

void go_bench_yield_main(struct env *env);
void go_bench_chan_main(struct env *env);
void go_bench_select_main(struct env *env);
void go_bench_pair_main(struct env *env);
void go_bench_spawn_main(struct env *env);

/* `iterations` round trips (two switches each) between two contexts of
 * the framework libc, the partner on [stack, stack + stack_size). */
void bench_go_side_swapcontext_pingpong(uint64_t iterations, void *stack, size_t stack_size);

struct bench_go_memory {
    uint64_t stack_bytes, guard_bytes, record_bytes;      /* a goroutine      */
    uint64_t thread_stack_bytes, thread_record_bytes;     /* a framework thread */
};
void bench_go_side_memory(struct bench_go_memory *out);

#endif
