/*
 * go.h - goroutines, channels, select and wait groups, in C, on the
 * framework libc's user contexts (ucontext.h). docs/GOROUTINES.md has the
 * design; this is the contract.
 *
 * Call order:
 *   libc_init(env, ...)                         the runtime needs mmap
 *   go_runtime_create(env, &config, &rt)        from a thread, not a goroutine
 *   go_spawn(rt, fn, arg, &id) ...              from a thread or a goroutine
 *   go_run(rt)                                  on each framework thread that
 *                                               should carry goroutines; returns
 *                                               when none is left (GO_OK), when
 *                                               every one left is blocked
 *                                               (GO_ERR_DEADLOCK), or on a stack
 *                                               overrun (GO_ERR_STACK_OVERRUN)
 *   go_blocked(rt, ...)                         after a deadlock: who waits on what
 *   go_runtime_destroy(rt)                      stacks and tables unmapped
 *
 * Semantics are Go's, with C errors for Go's panics:
 *   - channels carry 64-bit words; unbuffered ones are rendezvous, buffered
 *     ones FIFO; waiters on a channel are served in FIFO order;
 *   - receiving from a closed channel gives what is buffered, then 0 with
 *     ok == false; close wakes every receiver (0, false) and every blocked
 *     sender (GO_ERR_CLOSED);
 *   - sending on a closed channel returns GO_ERR_CLOSED (Go panics); so does
 *     closing it twice; closing the nil channel returns GO_ERR_NIL_CHANNEL;
 *   - sending or receiving on the nil channel (GO_NIL_CHANNEL) blocks
 *     forever, as does a select with no case that is not nil;
 *   - select picks uniformly at random (hal_choice) among its ready cases;
 *     with `nonblocking` and none ready it returns GO_ERR_WOULD_BLOCK
 *     (Go's default case);
 *   - a wait group counter that would go negative is refused with
 *     GO_ERR_NEGATIVE_COUNTER and left as it was (Go panics); a wait group
 *     can be reused as soon as its counter is back at zero.
 * Operations that would block may only be called from a goroutine: from a
 * thread they return GO_ERR_NOT_IN_GOROUTINE (non-blocking ones work
 * anywhere).
 *
 * Scheduling: every choice of the next goroutine, every wake-up (whether
 * the waker goes on or yields to the woken) and every select choice is a
 * hal_choice, so a seed or a fuzzer's bytes decide the switching order.
 *
 * Goroutines must not make system calls (IPC, LOG, mmap, malloc that grows
 * the heap): a system call's frame must lie in the boot area, and
 * goroutine stacks do not (they come from mmap, with a PROT_NONE guard
 * page below each). Threads do the calling; goroutines compute and talk
 * over channels.
 */
#ifndef DUET_GO_H
#define DUET_GO_H

#include "duet/env.h"
#include "duet/types.h"

enum go_status {
    GO_OK = 0,
    GO_ERR_CLOSED,               /* send on / close of a closed channel */
    GO_ERR_NIL_CHANNEL,          /* close of the nil channel */
    GO_ERR_WOULD_BLOCK,          /* a non-blocking operation found nothing ready */
    GO_ERR_NOT_IN_GOROUTINE,     /* an operation that blocks, called from a thread */
    GO_ERR_NO_GOROUTINE,         /* the goroutine table is full */
    GO_ERR_NO_CHANNEL,           /* the channel table or buffer space is full */
    GO_ERR_NO_WAITGROUP,         /* the wait group table is full */
    GO_ERR_NO_MEMORY,            /* mmap refused the runtime's tables */
    GO_ERR_BAD_HANDLE,           /* not a channel / wait group of this runtime */
    GO_ERR_BAD_ARGUMENT,         /* a configuration or argument out of range */
    GO_ERR_NEGATIVE_COUNTER,     /* a wait group counter would go below zero */
    GO_ERR_DEADLOCK,             /* go_run: every goroutine left is blocked */
    GO_ERR_STACK_OVERRUN,        /* go_run: a goroutine wrote below its stack */
};

const char *go_status_name(enum go_status status);

enum {
    GO_GOROUTINES_MAX = 64,      /* a runtime's table, at most */
    GO_STACKS_MAX = 10,          /* each stack is 2 of the libc's 24 mappings */
    GO_THREADS_MAX = 4,          /* framework threads in go_run at once */
    GO_SELECT_CASES_MAX = 8,
    GO_STACK_BYTES_DEFAULT = 64 * 1024,
    GO_GUARD_BYTES = 4096,
};

struct go_config {
    unsigned goroutines_max;     /* live at once: at most stacks_max */
    unsigned stacks_max;         /* <= GO_STACKS_MAX */
    unsigned stack_bytes;        /* a multiple of 4096; 0: GO_STACK_BYTES_DEFAULT */
    unsigned channels_max;
    unsigned buffer_words_max;   /* all buffered channels' capacities together */
    unsigned waitgroups_max;
    bool check_invariants;       /* go_internal.h's G1-G3 after every switch (tests) */
};

struct go_runtime;               /* lives in memory the runtime maps */

typedef uint32_t go_chan;        /* a channel handle; 0 is the nil channel */
typedef uint32_t go_waitgroup;
typedef uint32_t go_id;          /* goroutines are numbered from 1 in spawn order */

#define GO_NIL_CHANNEL ((go_chan)0)

typedef void (*go_fn)(struct go_runtime *rt, void *arg);

enum go_status go_runtime_create(struct env *env, const struct go_config *config,
                                 struct go_runtime **out);
void go_runtime_destroy(struct go_runtime *rt);

enum go_status go_spawn(struct go_runtime *rt, go_fn fn, void *arg, go_id *out_id);
void go_yield(struct go_runtime *rt);
/* The calling goroutine's id; 0 on a thread. */
go_id go_self(struct go_runtime *rt);
enum go_status go_run(struct go_runtime *rt);

enum go_status go_chan_make(struct go_runtime *rt, unsigned capacity, go_chan *out);
enum go_status go_send(struct go_runtime *rt, go_chan ch, uint64_t value);
enum go_status go_recv(struct go_runtime *rt, go_chan ch, uint64_t *out_value, bool *out_ok);
enum go_status go_try_send(struct go_runtime *rt, go_chan ch, uint64_t value);
enum go_status go_try_recv(struct go_runtime *rt, go_chan ch, uint64_t *out_value, bool *out_ok);
enum go_status go_close(struct go_runtime *rt, go_chan ch);
/* Buffered values (len) and capacity (cap); 0 for the nil channel. */
unsigned go_chan_len(struct go_runtime *rt, go_chan ch);
unsigned go_chan_cap(struct go_runtime *rt, go_chan ch);

struct go_select_case {
    go_chan channel;
    bool send;
    uint64_t value;              /* send: the value; receive: out, the value */
    bool ok;                     /* receive: out, false when closed and drained */
};
/* Performs one ready case, chosen uniformly at random; *out_chosen is its
 * index. A chosen send on a closed channel returns GO_ERR_CLOSED. */
enum go_status go_select(struct go_runtime *rt, struct go_select_case *cases, unsigned count,
                         bool nonblocking, unsigned *out_chosen);

enum go_status go_waitgroup_make(struct go_runtime *rt, go_waitgroup *out);
enum go_status go_waitgroup_add(struct go_runtime *rt, go_waitgroup wg, int64_t delta);
enum go_status go_waitgroup_done(struct go_runtime *rt, go_waitgroup wg);
enum go_status go_waitgroup_wait(struct go_runtime *rt, go_waitgroup wg);

/* What a blocked goroutine waits for. */
enum go_wait {
    GO_WAIT_NONE = 0,
    GO_WAIT_SEND,                /* object: the channel */
    GO_WAIT_RECV,                /* object: the channel */
    GO_WAIT_SELECT,              /* object: the number of cases that are not nil */
    GO_WAIT_NIL,                 /* forever: the nil channel or an empty select */
    GO_WAIT_WAITGROUP,           /* object: the wait group */
};

struct go_blocked {
    go_id id;
    enum go_wait wait;
    uint32_t object;
};

/* Fills up to `max` entries, in id order; returns how many goroutines are
 * blocked. */
unsigned go_blocked(struct go_runtime *rt, struct go_blocked *out, unsigned max);
/* "goroutine 3 waits to receive on channel 2" into buffer. */
void go_blocked_describe(const struct go_blocked *blocked, char *buffer, size_t size);

struct go_stats {
    uint64_t spawned, exited, switches, stacks_mapped;
    unsigned live, stacks_in_use;
    uint64_t runtime_bytes;      /* the tables' mapping */
    uint64_t stack_bytes;        /* one stack, guard page included */
};
void go_stats(struct go_runtime *rt, struct go_stats *out);

#endif
