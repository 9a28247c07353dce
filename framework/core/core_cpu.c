/*
 * core_cpu.c - the CPU service: threads as a session's objects.
 *
 * CPU_THREAD_CREATE takes the PD the thread goes in as a capability (the
 * client's env->self: no right but to be named) and hands everything
 * else to the kernel, which checks stack, utcb and entry against that PD.
 * core pays for the thread from the session's donation first, and keeps
 * its capability to the thread in the session, so that killing the thread
 * or closing the session ends it. Threads the session made count against
 * CORE_THREADS_MAX as well: core's capability space is finite.
 */
#include "core.h"

#include "duet/cpu_session.h"

static unsigned core_thread_count(const struct core *core)
{
    unsigned count = 0;
    for (size_t i = 0; i < CORE_SESSIONS_MAX; i++)
        for (size_t t = 0; t < CPU_SESSION_THREADS_MAX; t++)
            count += core->sessions[i].threads[t] != CAP_INDEX_INVALID;
    return count;
}

static enum rpc_status create_error(enum sys_error error)
{
    switch (error) {
    case SYS_ERR_DENIED:             return RPC_ERR_DENIED;
    case SYS_ERR_INVALID_ARGUMENT:
    case SYS_ERR_STALE_CAP:          return RPC_ERR_INVALID_ARGUMENT;
    default:                         return RPC_ERR_OUT_OF_RESOURCES;
    }
}

static enum rpc_status cpu_perform_CPU_THREAD_CREATE(void *server, void *session_arg,
                                                     const struct ipc_message *request,
                                                     struct ipc_message *reply)
{
    struct core *core = server;
    struct core_session *session = session_arg;
    size_t slot = 0;
    while (slot < CPU_SESSION_THREADS_MAX && session->threads[slot] != CAP_INDEX_INVALID)
        slot++;
    if (slot == CPU_SESSION_THREADS_MAX || session->caps_donated < CORE_SESSION_CAP_COST + slot + 1)
        return RPC_ERR_OUT_OF_CAPS;
    if (core_thread_count(core) >= CORE_THREADS_MAX)
        return RPC_ERR_OUT_OF_RESOURCES;
    if (!quota_take(&session->ram, CPU_THREAD_RAM_COST))
        return RPC_ERR_OUT_OF_RAM;
    const struct thread_create_args args = {request->word[0], request->word[1], request->word[2],
                                            request->word[3], request->word[4]};
    enum sys_error error = sys_thread_create(core->env->pd_factory, request->cap, &args,
                                             &session->threads[slot]);
    if (error != SYS_OK) {
        quota_give_back(&session->ram, CPU_THREAD_RAM_COST);
        return create_error(error);
    }
    reply->word_count = 1;
    reply->word[0] = slot;
    return RPC_OK;
}

/* Ends the thread if it still runs (an exited one's capability is stale)
 * and frees its share. */
static void thread_end(struct core_session *session, size_t slot)
{
    enum sys_error error = sys_thread_destroy(session->threads[slot]);
    DUET_ASSERT(error == SYS_OK || error == SYS_ERR_STALE_CAP);
    sys_cap_delete(session->threads[slot]);
    session->threads[slot] = CAP_INDEX_INVALID;
    quota_give_back(&session->ram, CPU_THREAD_RAM_COST);
}

static enum rpc_status cpu_perform_CPU_THREAD_KILL(void *server, void *session_arg,
                                                   const struct ipc_message *request,
                                                   struct ipc_message *reply)
{
    struct core_session *session = session_arg;
    uint64_t slot = request->word[0];
    if (slot >= CPU_SESSION_THREADS_MAX || session->threads[slot] == CAP_INDEX_INVALID)
        return RPC_ERR_OUT_OF_RANGE;
    thread_end(session, (size_t)slot);
    return RPC_OK;
}

#define CPU_HANDLER(...) RPC_HANDLER(cpu_perform, __VA_ARGS__)
static const struct rpc_handler cpu_handlers[] = {CPU_SESSION_RPCS(CPU_HANDLER)};

void core_cpu_dispatch(struct core *core, struct core_session *session,
                       const struct ipc_message *message, struct ipc_message *reply)
{
    rpc_dispatch(cpu_handlers, DUET_ARRAY_COUNT(cpu_handlers), core, session, message, reply);
}

void core_cpu_close(struct core_session *session)
{
    for (size_t slot = 0; slot < CPU_SESSION_THREADS_MAX; slot++)
        if (session->threads[slot] != CAP_INDEX_INVALID)
            thread_end(session, slot);
}
