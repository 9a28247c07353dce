/*
 * timer_client.c - client stubs of the TIMER service (duet/timer_session.h).
 */
#include "duet/timer_session.h"

#include "duet/parent.h"

enum rpc_status timer_connection_open(struct env *env, struct timer_connection *out)
{
    return parent_session(env, "TIMER",
                          "ram_quota=" TIMER_SESSION_RAM_QUOTA ", cap_quota=" TIMER_SESSION_CAP_QUOTA,
                          &out->cap.index, &out->id);
}

enum rpc_status timer_connection_close(struct env *env, struct timer_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status timer_sigh(struct env *env, struct timer_session_cap timer, cap_index_t context)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.cap = context};
    return call_TIMER_SIGH(timer, m);
}

enum rpc_status timer_trigger_once(struct env *env, struct timer_session_cap timer, uint64_t us)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {us}};
    return call_TIMER_TRIGGER_ONCE(timer, m);
}

enum rpc_status timer_trigger_periodic(struct env *env, struct timer_session_cap timer,
                                       uint64_t period_us)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {period_us}};
    return call_TIMER_TRIGGER_PERIODIC(timer, m);
}

enum rpc_status timer_elapsed_us(struct env *env, struct timer_session_cap timer,
                                 uint64_t *out_us)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_TIMER_ELAPSED_US(timer, m);
    if (status == RPC_OK && m->word_count != 1)
        status = RPC_ERR_TRANSPORT;
    *out_us = status == RPC_OK ? m->word[0] : 0;
    return status;
}
