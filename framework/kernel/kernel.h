/*
 * kernel.h - the kernel's objects and their invariants (kernel-internal).
 *
 * Objects live in fixed tables inside struct kernel; they are named by
 * 1-based ids (0 = none), which is also what the trace shows.
 *
 *   thread    a CPU context in a PD, in exactly one state:
 *               NEW          created, not yet made ready
 *               READY        in k->ready (or running: k->current)
 *               SEND         queued on endpoint->senders, message in sender's buffer
 *               RECEIVE      queued on endpoint->receivers
 *               REPLY        called a server, waits in the server's reply_to
 *               IRQ          waiting in irq->waiter
 *               EXITED       never runs again
 *   pd        a capability space and a window (env at its base)
 *   endpoint  two FIFO queues: blocked senders and blocked receivers;
 *             never both non-empty (invariant E1)
 *   irq       one line: a waiting thread, or a pending delivery
 *
 * Invariants:
 *   T1  a thread is linked into at most one queue, and into one exactly
 *       when its state is READY (and it is not current), SEND or RECEIVE.
 *   T2  thread->reply_to != 0 only while that thread is in state REPLY
 *       with caller_of == this thread.
 *   C1  slot 0 of every capability space is empty.
 *
 * Files: kernel.c (create, boot, syscall decode/dispatch), sched.c,
 * ipc.c, cspace.c, pd.c, irq.c.
 */
#ifndef DUET_KERNEL_INTERNAL_H
#define DUET_KERNEL_INTERNAL_H

#include "duet/assert.h"
#include "duet/env.h"
#include "duet/syscall.h"
#include "duet/types.h"
#include "hal/context.h"
#include "hal/event.h"
#include "hal/irq.h"

enum {
    KERNEL_THREADS_MAX = 32,
    KERNEL_PDS_MAX = 16,
    KERNEL_ENDPOINTS_MAX = 64,
    KERNEL_IRQS_MAX = HAL_IRQ_LINES,
    KERNEL_WINDOW_SIZE = 256 * 1024,    /* per PD, until RM sessions    */
    KERNEL_STACK_SIZE = 64 * 1024,      /* main thread, top of window   */
    KERNEL_STACK_COLOUR = 64,           /* per-PD offset, see MACHINE_FACTS */
};

enum kobject_type {
    KOBJ_NONE = 0,
    KOBJ_ENDPOINT,
    KOBJ_PD,
    KOBJ_PD_FACTORY,
    KOBJ_IRQ_CONTROL,
    KOBJ_IRQ,
};

struct capability {
    uint8_t type;           /* enum kobject_type, KOBJ_NONE = empty slot */
    uint16_t object;        /* id in the type's table (unused for factories) */
    uint64_t badge;
};

struct thread_queue {
    uint16_t head;
    uint16_t tail;
};

enum thread_state {
    THREAD_FREE = 0,
    THREAD_NEW,
    THREAD_READY,
    THREAD_SEND,
    THREAD_RECEIVE,
    THREAD_REPLY,
    THREAD_IRQ,
    THREAD_EXITED,
};

struct thread {
    struct hal_context context;
    uint8_t state;               /* enum thread_state */
    uint16_t pd;
    uint16_t queue_next;         /* link in the one queue it is on (T1) */
    uint16_t blocked_on;         /* endpoint or irq id while blocked   */
    uint16_t reply_to;           /* caller awaiting our reply (T2)     */
    uint64_t send_badge;         /* badge of the cap used for SEND     */
    struct syscall_frame *frame; /* the blocked system call, for its results */
};

struct pd {
    bool in_use;
    uint16_t parent_pd;
    char name[COMPONENT_NAME_MAX];
    uint8_t *window;             /* platform memory; never traced       */
    struct env *env;
    struct capability caps[CAP_SPACE_SLOTS];
};

struct endpoint {
    bool in_use;
    struct thread_queue senders;
    struct thread_queue receivers;
};

struct irq {
    bool in_use;
    uint16_t waiter;            /* thread blocked in IRQ_WAIT, 0 = none */
    bool pending;               /* delivered while nobody waited        */
};

struct kernel {
    uint64_t magic;
    struct hal_context *boot_context;
    uint16_t current;                    /* running thread id          */
    struct thread_queue ready;
    uint64_t entries;                    /* system calls so far        */
    struct thread threads[KERNEL_THREADS_MAX + 1];   /* [0] unused */
    struct pd pds[KERNEL_PDS_MAX + 1];
    struct endpoint endpoints[KERNEL_ENDPOINTS_MAX + 1];
    struct irq irqs[KERNEL_IRQS_MAX];
};

#define KERNEL_MAGIC UINT64_C(0x64756574206b726e) /* "duet krn" */
#define KERNEL_CORE_NAME "core"
enum { KERNEL_CORE_PD = 1 };

/* sched.c */
void sched_make_ready(struct kernel *k, uint16_t thread);
void sched_block(struct kernel *k, enum thread_state state, uint16_t on);
void sched_schedule(struct kernel *k);
void queue_push(struct kernel *k, struct thread_queue *q, uint16_t thread);
uint16_t queue_pop(struct kernel *k, struct thread_queue *q);
bool queue_remove(struct kernel *k, struct thread_queue *q, uint16_t thread);
static inline struct thread *thread_of(struct kernel *k, uint16_t id)
{
    DUET_ASSERT(id >= 1 && id <= KERNEL_THREADS_MAX);
    return &k->threads[id];
}
static inline struct thread *current_thread(struct kernel *k)
{
    return thread_of(k, k->current);
}
static inline struct pd *current_pd(struct kernel *k)
{
    return &k->pds[current_thread(k)->pd];
}

/* cspace.c */
enum sys_error cspace_lookup(struct pd *pd, cap_index_t index, enum kobject_type type,
                             struct capability **out_cap);
enum sys_error cspace_insert(struct pd *pd, struct capability cap, cap_index_t *out_index);
bool cspace_has_free_slot(const struct pd *pd);
void sys_endpoint_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_mint_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_delete_perform(struct kernel *k, struct syscall_frame *frame);

/* ipc.c */
void sys_call_perform(struct kernel *k, struct syscall_frame *frame);
void sys_reply_wait_perform(struct kernel *k, struct syscall_frame *frame);

/* pd.c */
uint16_t pd_create(struct kernel *k, const char *name, uint16_t parent_pd,
                   enum sys_error *out_error);
void sys_pd_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_thread_exit_perform(struct kernel *k);

/* irq.c */
void sys_irq_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_irq_wait_perform(struct kernel *k, struct syscall_frame *frame);

static inline void frame_result(struct syscall_frame *frame, enum sys_error error,
                                uint64_t value)
{
    frame->result[0] = (uint64_t)error;
    frame->result[1] = value;
}

#endif
