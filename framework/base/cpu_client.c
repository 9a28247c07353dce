/*
 * cpu_client.c - client stubs of the CPU service (duet/cpu_session.h).
 */
#include "duet/cpu_session.h"

#include "duet/parent.h"

enum rpc_status cpu_connection_open(struct env *env, struct cpu_connection *out)
{
    return parent_session(env, "CPU",
                          "ram_quota=" CPU_SESSION_RAM_QUOTA ", cap_quota=" CPU_SESSION_CAP_QUOTA,
                          &out->cap.index, &out->id);
}

enum rpc_status cpu_connection_close(struct env *env, struct cpu_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status cpu_thread_create(struct env *env, struct cpu_session_cap cpu,
                                  struct cpu_thread *thread, component_thread_fn entry,
                                  void *arg, void *stack, size_t stack_size)
{
    *thread = (struct cpu_thread){.utcb = {.env = env}};
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 5,
                              .cap = env->self,
                              .word = {(uint64_t)(uintptr_t)entry, (uint64_t)(uintptr_t)arg,
                                       (uint64_t)(uintptr_t)stack, stack_size,
                                       (uint64_t)(uintptr_t)&thread->utcb}};
    enum rpc_status status = call_CPU_THREAD_CREATE(cpu, m);
    if (status != RPC_OK)
        return status;
    if (m->word_count != 1)
        return RPC_ERR_TRANSPORT;
    thread->handle = m->word[0];
    thread->created = true;
    return RPC_OK;
}

enum rpc_status cpu_thread_kill(struct env *env, struct cpu_session_cap cpu,
                                struct cpu_thread *thread)
{
    (void)env;
    if (!thread->created)
        return RPC_ERR_INVALID_ARGUMENT;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {thread->handle}};
    enum rpc_status status = call_CPU_THREAD_KILL(cpu, m);
    if (status == RPC_OK)
        thread->created = false;
    return status;
}
