/*
 * syscall.h - the kernel's system-call interface, as components use it.
 *
 * A component names kernel objects only through capability indices into
 * its PD's capability space (index 0 is never valid). The kernel checks
 * every index: out of range or empty gives SYS_ERR_INVALID_CAP, a revoked
 * capability or one whose object is gone SYS_ERR_STALE_CAP, a capability
 * of the wrong object type SYS_ERR_WRONG_CAP_TYPE.
 *
 * Every capability a PD receives (minted, or passed in a message) is
 * derived from the one it came from; sys_cap_revoke withdraws everything
 * derived from a capability, however far it was passed on.
 *
 * IPC is synchronous. sys_call sends a message to an endpoint and blocks
 * until the receiver replies; sys_reply_wait replies to the last caller
 * (if any) and waits for the next message. A message carries a label
 * (opcode out, status back), up to IPC_WORDS words and at most one
 * capability, which the kernel copies into the receiver's space. The
 * receiver also learns the badge of the capability the sender used, which
 * is how servers tell clients and sessions apart.
 *
 * Every call returns an enum sys_error; sys_error_name gives its name.
 */
#ifndef DUET_SYSCALL_H
#define DUET_SYSCALL_H

#include "duet/types.h"

typedef uint32_t cap_index_t;

enum {
    CAP_INDEX_INVALID = 0,
    CAP_SPACE_SLOTS = 512,       /* capability slots per PD           */
    IPC_WORDS = 16,              /* data words per message            */
    COMPONENT_NAME_MAX = 32,     /* including the terminating NUL     */
};

/* Slots the kernel fills when it creates a PD. */
enum {
    CAP_SLOT_PARENT = 1,         /* badged endpoint of the parent     */
    CAP_SLOT_SELF = 2,           /* the PD itself, without PD_RIGHT_DESTROY:
                                    what a CPU session needs to place threads */
    CAP_SLOT_FIRST_FREE = 3,
};

/* A PD capability's badge is its rights. The creator's capability has all
 * of them; a PD's capability to itself has none, so handing it to a
 * server (a CPU session, to create threads in it) gives nobody the power
 * to destroy the PD. */
#define PD_RIGHT_DESTROY UINT64_C(1)
#define PD_RIGHTS_ALL PD_RIGHT_DESTROY

/* What a capability names; the kernel tells a receiver the type of a
 * capability that arrives with a message (ipc_message.cap_type). */
enum cap_type {
    CAP_TYPE_NONE = 0,
    CAP_TYPE_ENDPOINT,
    CAP_TYPE_PD,
    CAP_TYPE_PD_FACTORY,
    CAP_TYPE_IRQ_CONTROL,
    CAP_TYPE_IRQ,
    CAP_TYPE_IO_PORT,
    CAP_TYPE_THREAD,
    CAP_TYPE_SIGNAL_RECEIVER,
    CAP_TYPE_SIGNAL_CONTEXT,
    CAP_TYPE_REPLY,
    CAP_TYPE_DATASPACE,
    CAP_TYPE_COUNT
};

enum sys_error {
    SYS_OK = 0,
    SYS_ERR_INVALID_SYSCALL,     /* unknown system-call number          */
    SYS_ERR_INVALID_CAP,         /* index out of range or slot empty    */
    SYS_ERR_WRONG_CAP_TYPE,      /* capability names another object type */
    SYS_ERR_INVALID_ARGUMENT,    /* malformed argument (sizes, names)   */
    SYS_ERR_CAP_SPACE_FULL,      /* no free slot for a new capability   */
    SYS_ERR_OUT_OF_RESOURCES,    /* kernel object table full            */
    SYS_ERR_NO_SUCH_COMPONENT,   /* PD_CREATE: name not in the image    */
    SYS_ERR_NO_REPLY_PENDING,    /* REPLY_WAIT with a reply but no caller */
    SYS_ERR_SERVER_EXITED,       /* CALL: the receiving thread exited before replying */
    SYS_ERR_DENIED,              /* the request is well formed but not allowed */
    SYS_ERR_STALE_CAP,           /* the capability was revoked or its object is gone */
    SYS_ERR_CALL_DROPPED,        /* CALL: the server waited again without replying */
    SYS_ERR_WOULD_BLOCK,         /* nothing to take without blocking, or a
                                    futex word no longer holds the value */
    SYS_ERR_COUNT
};

const char *sys_error_name(enum sys_error error);

enum syscall_number {
    SYSCALL_CALL = 1,
    SYSCALL_REPLY_WAIT,
    SYSCALL_ENDPOINT_CREATE,
    SYSCALL_CAP_MINT,
    SYSCALL_CAP_DELETE,
    SYSCALL_PD_CREATE,
    SYSCALL_IRQ_CREATE,
    SYSCALL_IRQ_WAIT,
    SYSCALL_YIELD,
    SYSCALL_THREAD_EXIT,
    SYSCALL_CAP_REVOKE,
    SYSCALL_PD_DESTROY,
    SYSCALL_IO_PORT_NARROW,
    SYSCALL_THREAD_CREATE,
    SYSCALL_THREAD_DESTROY,
    SYSCALL_SIGNAL_RECEIVER_CREATE,
    SYSCALL_SIGNAL_RECEIVER_DESTROY,
    SYSCALL_SIGNAL_CONTEXT_CREATE,
    SYSCALL_SIGNAL_CONTEXT_DESTROY,
    SYSCALL_SIGNAL_SUBMIT,
    SYSCALL_SIGNAL_WAIT,
    SYSCALL_FUTEX_WAIT,
    SYSCALL_FUTEX_WAKE,
    SYSCALL_IRQ_DESTROY,
    SYSCALL_REPLY_SAVE,
    SYSCALL_REPLY_SEND,
    SYSCALL_DATASPACE_CREATE,
    SYSCALL_DATASPACE_DESTROY,
    SYSCALL_DATASPACE_INFO,
    SYSCALL_MAP,
    SYSCALL_UNMAP,
    SYSCALL_PAGER_SET,
    SYSCALL_CAP_TYPE,
    SYSCALL_NUMBER_END
};

struct ipc_message {
    uint64_t label;              /* opcode on a call, status on a reply */
    uint32_t word_count;         /* 0..IPC_WORDS                        */
    cap_index_t cap;             /* capability to send / received, 0=none */
    uint32_t cap_type;           /* set on receipt: enum cap_type of cap */
    uint32_t reserved;           /* zero                                 */
    uint64_t word[IPC_WORDS];
};

/* What a stub hands the kernel; result[] is written by the kernel. */
struct syscall_frame {
    uint64_t number;
    uint64_t arg[4];
    struct ipc_message *message; /* the caller's message buffer, or NULL */
    uint64_t result[3];          /* [0] enum sys_error, [1] and [2] values */
};

enum sys_error sys_call(cap_index_t endpoint, struct ipc_message *message);
/* reply != 0: first deliver `message` as the reply to the pending caller.
 * On return `message` holds the next request and *out_badge its badge.
 * Receiving is the endpoint owner's right: only an unbadged endpoint
 * capability may wait (a badged one only sends; SYS_ERR_DENIED). Waiting
 * again without replying drops the pending call (its caller gets
 * SYS_ERR_CALL_DROPPED). */
enum sys_error sys_reply_wait(cap_index_t endpoint, bool reply, struct ipc_message *message,
                              uint64_t *out_badge);
/* Takes the pending caller's reply into a capability: the thread may then
 * wait for other calls while the caller still waits for its answer, which
 * any thread holding the capability sends later with sys_reply_send (once:
 * afterwards the capability is stale and should be deleted). If the last
 * capability to it is deleted unused, or its PD destroyed, the caller is
 * woken with SYS_ERR_SERVER_EXITED; if the caller is gone first, the
 * capability is stale. SYS_ERR_NO_REPLY_PENDING without a pending caller. */
enum sys_error sys_reply_save(cap_index_t *out_reply);
enum sys_error sys_reply_send(cap_index_t reply, struct ipc_message *message);
/* A new endpoint. A PD owns at most a few at once (SYS_ERR_OUT_OF_RESOURCES
 * beyond), so that no PD can take the kernel's table from the others; an
 * endpoint whose last capability is deleted is freed. */
enum sys_error sys_endpoint_create(cap_index_t *out_endpoint);
/* A copy of an endpoint capability that carries `badge`. Only an
 * unbadged endpoint capability can be minted (else SYS_ERR_DENIED), so a
 * badge is always the minter's choice and can never be forged. For types
 * whose badge is their rights (PD, signal receiver), minting gives a copy
 * with the rights `badge` names, which must be a subset of the source's
 * (else SYS_ERR_DENIED): a capability can be diminished, never enlarged.
 * Other types cannot be minted (SYS_ERR_WRONG_CAP_TYPE). */
enum sys_error sys_cap_mint(cap_index_t endpoint, uint64_t badge, cap_index_t *out_cap);
/* What the capability in `cap` names (enum cap_type), without using it:
 * SYS_ERR_STALE_CAP once it was revoked or its object is gone, so a
 * holder can tell a dead reference from a live one. */
enum sys_error sys_cap_type(cap_index_t cap, enum cap_type *out_type);
/* Empties the slot; a stale capability can be deleted too. */
enum sys_error sys_cap_delete(cap_index_t cap);
/* Withdraws every capability derived from `cap` (minted from it, or passed
 * on in messages, transitively); `cap` itself stays valid. */
enum sys_error sys_cap_revoke(cap_index_t cap);
/* Starts component `name` from the image in a new PD whose parent slot
 * gets a copy of `parent_endpoint`. Needs the PD-factory capability, which
 * only core holds: everyone else gets PDs as sessions (duet/pd_session.h). */
enum sys_error sys_pd_create(cap_index_t pd_factory, cap_index_t parent_endpoint,
                             const char *name, cap_index_t *out_pd);
/* The same, also giving the kernel's id of the new PD (what page faults
 * name it by: the pager needs it). */
enum sys_error sys_pd_create_id(cap_index_t pd_factory, cap_index_t parent_endpoint,
                                const char *name, cap_index_t *out_pd, uint16_t *out_id);
/* Destroys the PD `pd` names (a capability with PD_RIGHT_DESTROY, else
 * SYS_ERR_DENIED) and everything it holds: its threads (a
 * thread blocked on one of them, or on one of its endpoints, gets
 * SYS_ERR_SERVER_EXITED), its endpoints and IRQs, its capabilities (and
 * so every capability derived from them), its window. Every capability
 * naming the PD goes stale. A PD cannot destroy itself (SYS_ERR_DENIED). */
enum sys_error sys_pd_destroy(cap_index_t pd);
/* A new thread in the PD `pd` names, which starts at entry(env, arg)
 * (component_thread_fn) on [stack, stack + stack_size) with `utcb` as its
 * thread pointer; the result is a thread capability. Stack and utcb must
 * lie in that PD's window (SYS_ERR_INVALID_ARGUMENT), the stack be at least
 * THREAD_STACK_MIN bytes, and `entry` be one of the thread entries the
 * image lists for the PD's component (SYS_ERR_DENIED). Needs the
 * PD-factory capability: components get threads as CPU sessions
 * (duet/cpu_session.h), which account for them. */
/* 16 KiB: in the sim, the kernel and the device models run on the calling
 * thread's stack, and sanitizer frames are large. */
enum { THREAD_STACK_MIN = 16 * 1024 };
struct thread_create_args {
    uint64_t entry;              /* component_thread_fn, as a number */
    uint64_t arg;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t utcb;
};
enum sys_error sys_thread_create(cap_index_t pd_factory, cap_index_t pd,
                                 const struct thread_create_args *args, cap_index_t *out_thread);
/* Destroys a thread: a call it is blocked in is cancelled, a caller
 * waiting for its reply gets SYS_ERR_SERVER_EXITED, and it never runs
 * again. Every capability naming it goes stale, as when it exits. A thread
 * cannot destroy itself (SYS_ERR_DENIED): it exits. */
enum sys_error sys_thread_destroy(cap_index_t thread);
/* An IRQ capability for `line`. Needs the IRQ-control capability. */
enum sys_error sys_irq_create(cap_index_t irq_control, unsigned line, cap_index_t *out_irq);
/* I/O ports are capabilities: a PD may access a port only while it holds
 * an I/O-port capability covering it (core starts with one covering all
 * ports). This derives a capability for [base, base+count) from one that
 * covers it, so revoking the original withdraws the narrower one too. */
enum sys_error sys_io_port_narrow(cap_index_t io_ports, uint16_t base, uint32_t count,
                                  cap_index_t *out_io_ports);
/* Unmasks the line and blocks until it fires. */
enum sys_error sys_irq_wait(cap_index_t irq);
/* Destroys the IRQ object (only the PD that created it may: else
 * SYS_ERR_DENIED): a thread waiting on it is woken with SYS_ERR_STALE_CAP,
 * the line is masked, a pending delivery is dropped, and every capability
 * naming it goes stale. core does this when an IRQ session closes, so the
 * next holder of the line starts afresh. */
enum sys_error sys_irq_destroy(cap_index_t irq);
enum sys_error sys_yield(void);

/* Signals: asynchronous notifications that count.
 *
 * A signal context belongs to one receiver and carries an imprint, the
 * number its receiver knows it by. Submitting to a context adds to its
 * count and never blocks; a context with a count is pending, and is
 * queued at its receiver once however often it is submitted to. Waiting
 * on the receiver takes the pending context at the head of that queue:
 * its imprint and its whole count, which drops to zero. So N submits
 * before the receiver looks are one signal with count N; no submit is
 * lost and none is invented. A context that is submitted to again after
 * its delivery queues behind the others already pending: round robin.
 *
 * Receivers and contexts are made by core (the SIGNAL service,
 * duet/signal_session.h), which pays for them from a session's donation.
 * Core's receiver capability carries SIGNAL_RIGHT_MANAGE (create and
 * destroy contexts, destroy the receiver); the copy a client waits on
 * carries none. Context capabilities are what transmitters hold: they can
 * be passed on in messages like any capability.
 *
 * Destroying a context (dissolve) drops its pending count: after it
 * returns, no signal of that context is delivered, and every capability
 * naming it is stale (a submit gets SYS_ERR_STALE_CAP). A signal taken
 * before is a copy and stays valid. Destroying a receiver destroys its
 * contexts and wakes its waiters with SYS_ERR_STALE_CAP. */
#define SIGNAL_RIGHT_MANAGE UINT64_C(1)
/* The kernel's tables, sized so that core can give every session it admits
 * a receiver and its full share of contexts: no client can exhaust them
 * for the others (core.h checks this). */
enum {
    SIGNAL_RECEIVERS_MAX = 96,
    SIGNAL_CONTEXTS_MAX = 1536,
};
struct signal {
    uint64_t imprint;
    uint64_t count;
};
enum sys_error sys_signal_receiver_create(cap_index_t factory, cap_index_t *out_receiver);
enum sys_error sys_signal_receiver_destroy(cap_index_t receiver);
enum sys_error sys_signal_context_create(cap_index_t receiver, uint64_t imprint,
                                         cap_index_t *out_context);
/* SYS_ERR_DENIED if the context is not the receiver's. */
enum sys_error sys_signal_context_destroy(cap_index_t receiver, cap_index_t context);
/* count >= 1; a count that would overflow the context's is refused
 * (SYS_ERR_INVALID_ARGUMENT) rather than lost. */
enum sys_error sys_signal_submit(cap_index_t context, uint64_t count);
/* The next pending signal; blocks for one if `block`, else
 * SYS_ERR_WOULD_BLOCK when none is pending. Waiters are served in FIFO order. */
enum sys_error sys_signal_wait(cap_index_t receiver, bool block, struct signal *out);

/* Futexes: the kernel's help for locks, semaphores and blockades between
 * threads of one PD. FUTEX_WAIT blocks the caller if *word still equals
 * `expected` (checked in the kernel, so no wake-up between the check and
 * the block is lost; else SYS_ERR_WOULD_BLOCK). FUTEX_WAKE wakes up to
 * `count` threads of the caller's PD waiting on `word`, in the order they
 * began to wait. A word is 4-byte aligned and lies in the PD's window. */
enum sys_error sys_futex_wait(const uint32_t *word, uint32_t expected);
enum sys_error sys_futex_wake(const uint32_t *word, uint32_t count, uint32_t *out_woken);
DUET_NORETURN void sys_thread_exit(void);

/* Memory.
 *
 * A PD's window is WINDOW_BYTES of address space. Its boot area
 * [0, WINDOW_BOOT_BYTES) holds the env, the env_alloc heap and the main
 * stack, and is always mapped; everything the kernel reads or writes for a
 * PD (frames, messages, utcbs, thread stacks) must lie there. The rest is
 * empty until core maps pages of dataspaces into it (sys_map), as the PD's
 * region map says (duet/region_map.h). An access to an unmapped page, or a
 * write to a read-only one, is a page fault: the kernel suspends the
 * thread and calls the pager (core) with the fault; the pager answers
 * PAGER_RESUME (the access is retried) or PAGER_STOP (the thread is
 * stopped and the fault reported, as in kernel_entry_fault).
 *
 * A dataspace is a kernel object: a range of physical memory (RAM), or a
 * managed dataspace that names a region map and has no memory of its own.
 * Only core creates them (with the PD-factory capability); a RAM
 * dataspace's memory is zeroed when it is created. Destroying one unmaps
 * it from every window and makes every capability naming it stale. */
enum {
    PAGE_BYTES = 4096,
    WINDOW_BOOT_BYTES = 256 * 1024,
    WINDOW_BYTES = 8 * 1024 * 1024,
};
#define DATASPACE_MANAGED UINT32_C(1)    /* names a region map, has no memory */
#define DATASPACE_READ_ONLY UINT32_C(2)  /* never mapped writable            */
struct dataspace_info {
    uint64_t size;
    uint32_t id;                 /* the kernel's name for it */
    uint32_t imprint;            /* its creator's name for it */
    uint32_t flags;              /* DATASPACE_* */
};
/* The pager's protocol: the kernel calls the pager's endpoint with label
 * PAGER_FAULT and words {pd id, thread id, window offset, 1 if a write};
 * the reply's label is the verdict. */
enum { PAGER_FAULT = 1, PAGER_RESUME = 0, PAGER_STOP = 1 };
/* RAM: [phys, phys + size) of the platform's memory, page aligned, zeroed
 * now. Managed: phys must be 0. */
enum sys_error sys_dataspace_create(cap_index_t pd_factory, uint64_t phys, uint64_t size,
                                    uint32_t imprint, uint32_t flags, cap_index_t *out_ds);
enum sys_error sys_dataspace_destroy(cap_index_t pd_factory, uint32_t id);
enum sys_error sys_dataspace_info(cap_index_t ds, struct dataspace_info *out);
/* Maps [ds_offset, ds_offset + size) of RAM dataspace `ds_id` at
 * [window_offset, window_offset + size) of the PD `pd` names, replacing
 * what was mapped there. Page aligned, outside the boot area, inside the
 * dataspace; `writable` only if the dataspace is not read-only. */
enum sys_error sys_map(cap_index_t pd_factory, cap_index_t pd, uint32_t ds_id,
                       uint64_t ds_offset, uint64_t window_offset, uint64_t size, bool writable);
enum sys_error sys_unmap(cap_index_t pd_factory, cap_index_t pd, uint64_t window_offset,
                         uint64_t size);
/* Page faults of every PD but core go to `endpoint` as calls with `badge`. */
enum sys_error sys_pager_set(cap_index_t pd_factory, cap_index_t endpoint, uint64_t badge);

#endif
