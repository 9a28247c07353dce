/*
 * go_internal.h - the goroutine runtime's state (duet/go.h), shared by
 * the files of framework/go only.
 *
 * Everything lives in one anonymous mapping made by go_runtime_create and
 * touched once right away, so no page of it can fault later: the runtime
 * lock is a spinlock, and a fault under it would enter the kernel, which
 * may run another thread of the component that then spins on the lock.
 *
 * Invariants (go_invariants_check, after every switch back to a scheduler
 * when go_config.check_invariants is set):
 *   G1  a goroutine is in exactly one state; RUNNABLE ones, and only they,
 *       are in the run queue;
 *   G2  a BLOCKED goroutine has waiters queued on exactly the channels of
 *       its non-nil cases (none for GO_WAIT_NIL / GO_WAIT_WAITGROUP), and
 *       no other goroutine has waiters queued;
 *   G3  a channel's buffer holds count <= capacity values; a channel with
 *       buffered values or waiting senders has no waiting receivers, and
 *       one with free buffer room or waiting receivers no waiting senders;
 *   G4  the lock is held across every switch from a goroutine to its
 *       thread's scheduler, and released by the scheduler (a hand-off):
 *       a goroutine's context is completely saved before any other thread
 *       can pick it.
 *
 * State of a goroutine:
 *   FREE --go_spawn--> RUNNABLE --scheduler picks--> RUNNING
 *   RUNNING --go_yield / a wake-up's hand-off--> RUNNABLE
 *   RUNNING --park (channel, select, wait group, nil)--> BLOCKED
 *   BLOCKED --go_wake (a partner, close, wait group at zero)--> RUNNABLE
 *   RUNNING --its function returns--> EXITED --scheduler frees the stack--> FREE
 */
#ifndef DUET_GO_INTERNAL_H
#define DUET_GO_INTERNAL_H

#include <stdatomic.h>

#include "duet/go.h"
#include "ucontext.h"

enum go_state { GO_FREE = 0, GO_RUNNABLE, GO_RUNNING, GO_BLOCKED, GO_EXITED };

struct go_routine;

/* One case a blocked goroutine waits on, queued on its channel. */
struct go_waiter {
    struct go_routine *routine;
    struct go_waiter *next;          /* in the channel's queue */
    go_chan channel;
    bool send;
    bool queued;
    bool ok;                         /* receive: a value (not closed) */
    bool closed;                     /* send: woken by close */
    uint64_t value;                  /* send: to deliver; receive: delivered */
};

struct go_stack {
    uint8_t *reservation;            /* guard page + stack, NULL: not mapped yet */
    uint8_t *base;                   /* lowest usable byte; the canary sits here */
    bool in_use;
};

struct go_routine {
    enum go_state state;
    go_id id;
    go_fn fn;
    void *arg;
    int stack;                       /* index into stacks; -1: none yet */
    unsigned runner;                 /* thread slot running or last running it */
    enum go_wait wait;
    uint32_t wait_object;
    unsigned waiter_count;
    int fired;                       /* the case that woke it; -1 none */
    struct go_waiter waiters[GO_SELECT_CASES_MAX];
    ucontext_t context;
};

struct go_channel {
    bool in_use;
    bool closed;
    uint32_t capacity, count, head;
    uint32_t buffer;                 /* first word in go_runtime.buffer_words */
    struct go_waiter *recv_head, *recv_tail;
    struct go_waiter *send_head, *send_tail;
};

struct go_waitgroup_state {
    bool in_use;
    int64_t counter;
};

/* A framework thread inside go_run. */
struct go_thread {
    const void *utcb;                /* which thread: NULL, a free slot */
    struct go_routine *current;
    ucontext_t scheduler;
};

struct go_runtime {
    uint32_t magic;
    struct env *env;
    atomic_flag lock;
    struct go_config config;
    uint64_t stack_bytes;
    uint64_t mapping_bytes;
    unsigned live;                   /* not FREE */
    unsigned running;                /* RUNNING */
    unsigned blocked;
    unsigned runnable_count;
    unsigned stacks_mapped, stacks_in_use;
    unsigned buffer_words_used;
    go_id next_id;
    go_id overrun;                   /* a goroutine whose canary broke, 0 none */
    uint64_t select_sequence;        /* select's pseudo-random state (go_select.c) */
    uint64_t spawned, exited, switches;
    struct go_thread threads[GO_THREADS_MAX];
    uint16_t *run_queue;             /* goroutine indices */
    struct go_routine *routines;
    struct go_channel *channels;
    struct go_waitgroup_state *waitgroups;
    uint64_t *buffer_words;
    struct go_stack stacks[GO_STACKS_MAX];
};

enum { GO_RUNTIME_MAGIC = 0x676f7274, GO_SPIN_LIMIT = 1 << 26 };

void go_lock(struct go_runtime *rt);
void go_unlock(struct go_runtime *rt);
/* The goroutine running on the calling thread, or NULL. Lock not needed:
 * only the calling thread changes its own slot. */
struct go_routine *go_current(struct go_runtime *rt);
/* With the lock held: blocks the current goroutine (state BLOCKED, its
 * waiters already queued); returns, without the lock, once woken. */
void go_park(struct go_runtime *rt, struct go_routine *g, enum go_wait wait, uint32_t object);
/* With the lock held: makes a BLOCKED goroutine runnable; `fired` is the
 * case that completed. Unqueues its other waiters. */
void go_wake(struct go_runtime *rt, struct go_routine *g, int fired);
/* Releases the lock; after a wake-up the waker may yield (hal_choice). */
void go_unlock_after_wake(struct go_runtime *rt, bool woke);

struct go_channel *go_channel_find(struct go_runtime *rt, go_chan ch);
void go_waiter_unqueue(struct go_runtime *rt, struct go_waiter *w);

int go_stack_claim(struct go_runtime *rt);                     /* lock held */
bool go_stack_map(struct go_runtime *rt, int index);           /* lock NOT held */
void go_stack_release(struct go_runtime *rt, int index);       /* lock held */
bool go_stack_canary_intact(const struct go_runtime *rt, int index);
void go_stacks_unmap(struct go_runtime *rt);

/* Asserts G1-G3, each on its own (a failure names the invariant). */
void go_invariants_check(const struct go_runtime *rt);

#endif
