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
 *               REPLY        called a server, waits in the server's reply_to,
 *                            or for a saved reply (reply_saved, blocked_on 0)
 *               IRQ          waiting in irq->waiter
 *               SIGNAL       queued on a signal receiver's waiters
 *               FUTEX        queued on k->futex_waiters (futex_offset: the word)
 *               FAULTED      stopped by a fault (kernel_entry_fault), until its PD goes
 *               EXITED       never runs again
 *   pd        a capability space and a window (env at its base); its
 *             component (whose thread entries bound where threads start)
 *   endpoint  two FIFO queues: blocked senders and blocked receivers;
 *             never both non-empty (invariant E1)
 *   irq       one line: a waiting thread, or a pending delivery
 *   signal receiver  FIFO of waiting threads and FIFO of pending contexts;
 *             never both non-empty (invariant S1)
 *   signal context   an imprint and a count; pending (count > 0) exactly
 *             when it is linked into its receiver's pending queue (S2)
 *   cap node  one capability: (type, object, badge) plus the node it was
 *             derived from. A PD's slot names a node (and its generation).
 *             Minting and every IPC transfer derive a child node, so revoking
 *             a node's descendants withdraws every copy ever handed out.
 *
 * Invariants:
 *   T1  a thread is linked into at most one queue, and into one exactly
 *       when its state is READY (and it is not current), SEND, RECEIVE,
 *       SIGNAL or FUTEX.
 *   T2  thread->reply_to != 0 only while that thread (the caller) is in
 *       state REPLY with blocked_on == this thread (the server); a server
 *       waits for a new call only with reply_to == 0. A caller whose reply
 *       was saved (reply_saved) is in REPLY with blocked_on == 0, and
 *       exactly its unrevoked KOBJ_REPLY capabilities name it.
 *   C1  slot 0 of every capability space is empty.
 *   C2  every live node is named by at least one slot (a node whose last
 *       slot goes is freed and its children move up to its parent), so
 *       there are never more nodes than slots.
 *   C3  a revoked node's descendants are all revoked.
 *
 * Files: kernel.c (create, boot, syscall decode/dispatch, faults), sched.c,
 * ipc.c, cspace.c, pd.c (create), thread.c (create, exit, destroy),
 * pd_destroy.c (destroy, cancel-blocking), irq.c, io_port.c, signal.c,
 * futex.c.
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
    KERNEL_PD_ENDPOINTS_MAX = 4,        /* per PD: no PD can starve the others */
    KERNEL_IRQS_MAX = HAL_IRQ_LINES,
    KERNEL_SIGNAL_RECEIVERS_MAX = SIGNAL_RECEIVERS_MAX,
    KERNEL_SIGNAL_CONTEXTS_MAX = SIGNAL_CONTEXTS_MAX,
    KERNEL_CAP_NODES_MAX = KERNEL_PDS_MAX * CAP_SPACE_SLOTS,   /* C2 */
    KERNEL_WINDOW_SIZE = WINDOW_BYTES,  /* per PD (duet/syscall.h)       */
    KERNEL_BOOT_SIZE = WINDOW_BOOT_BYTES,   /* env, heap, main stack     */
    KERNEL_WINDOW_PAGES = WINDOW_BYTES / PAGE_BYTES,
    KERNEL_STACK_SIZE = 64 * 1024,      /* main thread, top of boot area */
    KERNEL_DATASPACES_MAX = 1024,
    KERNEL_STACK_COLOUR = 64,           /* per-PD offset, see MACHINE_FACTS */
};

/* The kernel's names for the public capability types (duet/syscall.h). */
enum kobject_type {
    KOBJ_NONE = CAP_TYPE_NONE,
    KOBJ_ENDPOINT = CAP_TYPE_ENDPOINT,
    KOBJ_PD = CAP_TYPE_PD,
    KOBJ_PD_FACTORY = CAP_TYPE_PD_FACTORY,
    KOBJ_IRQ_CONTROL = CAP_TYPE_IRQ_CONTROL,
    KOBJ_IRQ = CAP_TYPE_IRQ,
    KOBJ_IO_PORT = CAP_TYPE_IO_PORT,   /* object = first port, badge = port count */
    KOBJ_THREAD = CAP_TYPE_THREAD,
    KOBJ_SIGNAL_RECEIVER = CAP_TYPE_SIGNAL_RECEIVER,
    KOBJ_SIGNAL_CONTEXT = CAP_TYPE_SIGNAL_CONTEXT,
    KOBJ_REPLY = CAP_TYPE_REPLY,     /* object = the waiting caller */
    KOBJ_DATASPACE = CAP_TYPE_DATASPACE,
};

struct cap_node {
    uint8_t type;           /* enum kobject_type, KOBJ_NONE = free node      */
    bool revoked;           /* withdrawn: every slot naming it is stale      */
    uint16_t object;        /* id in the type's table (unused for factories) */
    uint16_t parent;        /* node it was derived from, 0 = an original     */
    uint16_t generation;    /* bumped when the node is freed                 */
    uint16_t slot_count;    /* slots naming this node                        */
    uint64_t badge;
};

/* A capability slot: which node, and which incarnation of it. */
struct cap_slot {
    uint16_t node;          /* 0 = empty */
    uint16_t generation;
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
    THREAD_FAULTED,
    THREAD_SIGNAL,
    THREAD_FUTEX,
};

struct thread {
    struct hal_context context;
    uint8_t state;               /* enum thread_state */
    uint16_t pd;
    uint16_t queue_next;         /* link in the one queue it is on (T1) */
    uint16_t blocked_on;         /* endpoint or irq id while blocked   */
    uint16_t reply_to;           /* caller awaiting our reply (T2)     */
    uint64_t send_badge;         /* badge of the cap used for SEND     */
    struct cap_slot send_cap;    /* SEND: the node (and its generation) called
                                    through, so revoking it cancels the call */
    uint32_t futex_offset;       /* FUTEX: the word, window-relative   */
    bool reply_saved;            /* REPLY: its reply is a capability now */
    struct syscall_frame *frame; /* the blocked system call, for its results */
    struct ipc_message *message; /* SEND/RECEIVE/REPLY: its message buffer, as
                                    checked when it blocked. Never re-read from
                                    the frame, which the PD's other threads
                                    can rewrite while this one waits. */
    /* A page fault is a call to the pager made by the kernel on the
     * thread's behalf, with these (kernel memory) as frame and message. */
    struct syscall_frame fault_frame;
    struct ipc_message fault_message;
};

/* A page of a window: unmapped (ds 0), or page `page` of dataspace `ds`.
 * Four bytes: the kernel zeroes a PD's entries whenever it makes one. */
struct page_entry {
    uint16_t ds;
    uint16_t writable : 1;
    uint16_t page : 15;          /* a dataspace is at most a window: 2,048 pages */
};
DUET_STATIC_ASSERT(KERNEL_WINDOW_PAGES <= (1u << 15), "a page index fits its entry");

struct dataspace {
    bool in_use;
    uint32_t flags;              /* DATASPACE_* */
    uint32_t imprint;
    uint64_t phys;               /* RAM: platform physical address; never traced */
    uint64_t size;
};

struct pd {
    bool in_use;
    uint16_t parent_pd;
    char name[COMPONENT_NAME_MAX];
    const struct component_info *component;   /* image table; never traced */
    uint8_t *window;             /* platform memory; never traced       */
    struct env *env;
    struct cap_slot caps[CAP_SPACE_SLOTS];
    /* Pages above the boot area (which is always mapped): what the
     * platform's mappings hold, so that the kernel knows what it may touch. */
    struct page_entry pages[KERNEL_WINDOW_PAGES];
};

struct endpoint {
    bool in_use;
    uint16_t owner_pd;          /* the PD that created it */
    struct thread_queue senders;
    struct thread_queue receivers;
};

struct irq {
    bool in_use;
    uint16_t owner_pd;          /* the PD that created it */
    uint16_t waiter;            /* thread blocked in IRQ_WAIT, 0 = none */
    bool pending;               /* delivered while nobody waited        */
};

struct signal_receiver {
    bool in_use;
    struct thread_queue waiters;
    uint16_t pending_head;       /* contexts, linked by pending_next */
    uint16_t pending_tail;
};

struct signal_context {
    bool in_use;
    uint16_t receiver;
    uint16_t pending_next;
    uint64_t imprint;
    uint64_t count;              /* > 0 exactly while pending (S2) */
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
    struct signal_receiver receivers[KERNEL_SIGNAL_RECEIVERS_MAX + 1];   /* [0] unused */
    struct signal_context contexts[KERNEL_SIGNAL_CONTEXTS_MAX + 1];      /* [0] unused */
    struct thread_queue futex_waiters;   /* every FUTEX thread, in wait order */
    struct cap_node cap_nodes[KERNEL_CAP_NODES_MAX + 1];   /* [0] unused */
    uint16_t cap_node_top;               /* no node above this id was ever used */
    struct dataspace dataspaces[KERNEL_DATASPACES_MAX + 1];   /* [0] unused */
    uint16_t pager_endpoint;             /* where page faults go, 0 = nowhere */
    uint64_t pager_badge;
};

DUET_STATIC_ASSERT(KERNEL_PDS_MAX * KERNEL_PD_ENDPOINTS_MAX <= KERNEL_ENDPOINTS_MAX,
                   "every PD can have its share of endpoints at once");
DUET_STATIC_ASSERT(KERNEL_PDS_MAX * CAP_SPACE_SLOTS <= KERNEL_CAP_NODES_MAX,
                   "C2: nodes never outnumber slots, so the node table cannot run out");

#define KERNEL_MAGIC UINT64_C(0x64756574206b726e) /* "duet krn" */
#define KERNEL_CORE_NAME "core"
#define KERNEL_IO_PORTS UINT64_C(0x10000)   /* x86 has 64K I/O ports */
enum { KERNEL_CORE_PD = 1 };

/* sched.c */
void sched_make_ready(struct kernel *k, uint16_t thread);
void sched_block(struct kernel *k, enum thread_state state, uint16_t on);
/* `yielding`: the current thread gives way (it is the last candidate). */
void sched_schedule(struct kernel *k, bool yielding);
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

/* Does [p, p + size) lie inside the PD's boot area? Every pointer a
 * component hands the kernel to keep (its frame, its message buffer, a
 * stack, a utcb) must: the kernel reads and writes through them, possibly
 * later, and the boot area is never unmapped. */
static inline bool pd_boot_contains(const struct pd *pd, const void *p, size_t size)
{
    uintptr_t start = (uintptr_t)pd->window, at = (uintptr_t)p;
    return p != NULL && at >= start && size <= KERNEL_BOOT_SIZE &&
           at - start <= KERNEL_BOOT_SIZE - size;
}

/* memory.c */
/* Is [p, p + size) mapped in the PD's window right now (boot area or
 * dataspace pages)? For what the kernel touches only during the call. */
bool pd_user_readable(const struct pd *pd, const void *p, size_t size);
void sys_dataspace_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_dataspace_destroy_perform(struct kernel *k, struct syscall_frame *frame);
void sys_dataspace_info_perform(struct kernel *k, struct syscall_frame *frame);
void sys_map_perform(struct kernel *k, struct syscall_frame *frame);
void sys_unmap_perform(struct kernel *k, struct syscall_frame *frame);
void sys_pager_set_perform(struct kernel *k, struct syscall_frame *frame);

/* ipc.c: the current thread calls endpoint `endpoint` with its frame and
 * message set (caller->frame, caller->message), as sys_call does. */
void ipc_call_endpoint(struct kernel *k, uint16_t endpoint, uint64_t badge,
                       struct cap_slot through);

/* cspace.c */
enum sys_error cspace_lookup(struct kernel *k, struct pd *pd, cap_index_t index,
                             enum kobject_type type, struct cap_node **out_node);
/* True if a new capability can be placed in pd: a free slot and a free node. */
bool cspace_has_room(const struct kernel *k, const struct pd *pd);
bool cap_nodes_available(const struct kernel *k, unsigned count);
/* A new original capability for a fresh object, in a free slot (or `at`). */
cap_index_t cap_create(struct kernel *k, struct pd *pd, enum kobject_type type,
                       uint16_t object, cap_index_t at);
/* A capability derived from `from` (same object) with `badge`, in a free
 * slot of pd (or `at`). The caller checked cspace_has_room. */
cap_index_t cap_derive(struct kernel *k, const struct cap_node *from, uint64_t badge,
                       struct pd *pd, cap_index_t at);
void cap_slot_clear(struct kernel *k, struct pd *pd, cap_index_t index);
/* Cancels calls queued through a revoked capability (SYS_ERR_STALE_CAP). */
void senders_cancel_revoked(struct kernel *k);
/* Revokes every node of (type, object): the object is gone. */
void cap_revoke_object(struct kernel *k, enum kobject_type type, uint16_t object);
static inline uint16_t cap_node_id(const struct kernel *k, const struct cap_node *node)
{
    return (uint16_t)(node - k->cap_nodes);
}
void sys_endpoint_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_mint_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_delete_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_revoke_perform(struct kernel *k, struct syscall_frame *frame);
void sys_cap_type_perform(struct kernel *k, struct syscall_frame *frame);

/* ipc.c */
void sys_call_perform(struct kernel *k, struct syscall_frame *frame);
void sys_reply_wait_perform(struct kernel *k, struct syscall_frame *frame);
void sys_reply_save_perform(struct kernel *k, struct syscall_frame *frame);
void sys_reply_send_perform(struct kernel *k, struct syscall_frame *frame);
/* The caller waiting on a saved reply is no longer answerable: every
 * capability to its reply goes stale. */
void reply_forget(struct kernel *k, uint16_t caller);

/* pd.c */
uint16_t pd_create(struct kernel *k, const char *name, uint16_t parent_pd,
                   enum sys_error *out_error);
void sys_pd_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_pd_destroy_perform(struct kernel *k, struct syscall_frame *frame);

/* thread.c */
/* A free thread slot (an exited thread's slot is free again), or 0. */
uint16_t thread_slot_free(const struct kernel *k);
void sys_thread_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_thread_destroy_perform(struct kernel *k, struct syscall_frame *frame);
void sys_thread_exit_perform(struct kernel *k);

/* pd_destroy.c */
/* Takes thread `id` off whatever it waits on, wakes a caller it owes a
 * reply (SYS_ERR_SERVER_EXITED) and frees its slot. Returns true if it
 * woke a thread. Never the current thread. */
bool thread_release(struct kernel *k, uint16_t id);
/* If no thread of the PD is left to serve, its endpoints go (their
 * waiters woken). Returns how many threads it woke. */
unsigned pd_endpoints_release_if_unserved(struct kernel *k, uint16_t pd_id);
/* A thread will never answer again (exit, fault): the caller it owes a
 * reply is woken; if it was its PD's last live thread, the PD's endpoints
 * go too (their waiters woken). The PD itself stays until destroyed. */
void thread_stop_serving(struct kernel *k, uint16_t thread);
/* Wakes a thread blocked in a system call with `error` (cancel-blocking). */
void thread_cancel_blocking(struct kernel *k, uint16_t thread, enum sys_error error);

/* irq.c */
void sys_irq_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_irq_wait_perform(struct kernel *k, struct syscall_frame *frame);
void sys_irq_destroy_perform(struct kernel *k, struct syscall_frame *frame);
/* The line's object goes: its waiter is woken (SYS_ERR_STALE_CAP), the
 * line masked, its capabilities revoked. */
void irq_destroy(struct kernel *k, unsigned line);

/* signal.c */
void sys_signal_receiver_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_signal_receiver_destroy_perform(struct kernel *k, struct syscall_frame *frame);
void sys_signal_context_create_perform(struct kernel *k, struct syscall_frame *frame);
void sys_signal_context_destroy_perform(struct kernel *k, struct syscall_frame *frame);
void sys_signal_submit_perform(struct kernel *k, struct syscall_frame *frame);
void sys_signal_wait_perform(struct kernel *k, struct syscall_frame *frame);

/* futex.c */
void sys_futex_wait_perform(struct kernel *k, struct syscall_frame *frame);
void sys_futex_wake_perform(struct kernel *k, struct syscall_frame *frame);

/* io_port.c */
void sys_io_port_narrow_perform(struct kernel *k, struct syscall_frame *frame);

static inline void frame_result(struct syscall_frame *frame, enum sys_error error,
                                uint64_t value)
{
    frame->result[0] = (uint64_t)error;
    frame->result[1] = value;
    frame->result[2] = 0;
}

#endif
