/*
 * cpu_session.h - CPU: threads of a component, as a session at core.
 *
 * A component's first thread is made with its PD. Every further one comes
 * from a CPU session, which pays for it: the session's donation covers
 * the session and each thread that exists (CPU_THREAD_RAM_COST and one
 * capability: the kernel's thread state and core's capability to it).
 * Killing a thread, or closing the session, gives its share back; closing
 * the session kills every thread it made. A thread that returns from its
 * entry has exited, but keeps its share until it is killed.
 *
 * The thread's memory is the caller's: a struct cpu_thread (whose utcb
 * becomes the thread's IPC buffer) and a stack, both in the caller's
 * window. Its entry must be listed in the component's thread entries
 * (component_info.threads), else RPC_ERR_DENIED.
 *
 *   CPU_THREAD_CREATE  words: entry, arg, stack, stack size, utcb
 *                      capability: the PD the thread goes in (env->self)
 *                      reply word 0: the thread's handle in the session
 *   CPU_THREAD_KILL    word 0: the handle
 */
#ifndef DUET_CPU_SESSION_H
#define DUET_CPU_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"
#include "hal/world.h"

enum {
    CPU_SESSION_THREADS_MAX = 4,
    CPU_THREAD_RAM_COST = 1024,
};
/* The session (1K) and CPU_SESSION_THREADS_MAX threads (1K and a
 * capability each) besides the session's own capability. */
#define CPU_SESSION_RAM_QUOTA "5K"
#define CPU_SESSION_CAP_QUOTA "5"

/*     name                opcode  words  capability type */
#define CPU_SESSION_RPCS(X)                                      \
    X(CPU_THREAD_CREATE,   0x700,  5, 5,  CAP_TYPE_PD)           \
    X(CPU_THREAD_KILL,     0x701,  1, 1,  CAP_TYPE_NONE)

enum cpu_opcode { CPU_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct cpu_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define CPU_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct cpu_session_cap, __VA_ARGS__)
CPU_SESSION_RPCS(CPU_CLIENT_STUB)

struct cpu_connection {
    struct cpu_session_cap cap;
    uint64_t id;
};

/* A thread as its creator holds it. Must stay where it is while the
 * thread exists: `utcb` is the thread's IPC buffer. */
struct cpu_thread {
    struct utcb utcb;
    uint64_t handle;
    bool created;
};

enum rpc_status cpu_connection_open(struct env *env, struct cpu_connection *out);
/* Kills every thread the session made, then closes it. */
enum rpc_status cpu_connection_close(struct env *env, struct cpu_connection *connection);
/* Starts entry(env, arg) in a new thread of this component, on
 * [stack, stack + stack_size). */
enum rpc_status cpu_thread_create(struct env *env, struct cpu_session_cap cpu,
                                  struct cpu_thread *thread, component_thread_fn entry,
                                  void *arg, void *stack, size_t stack_size);
/* Ends the thread (cancelling a call it is blocked in) and frees its share. */
enum rpc_status cpu_thread_kill(struct env *env, struct cpu_session_cap cpu,
                                struct cpu_thread *thread);

#endif
