/*
 * echo_client.c - client stubs of the ECHO service (duet/echo_session.h).
 */
#include "duet/echo_session.h"

#include "duet/parent.h"

enum rpc_status echo_connection_open(struct env *env, struct echo_connection *out)
{
    return parent_session(env, "ECHO",
                          "ram_quota=" ECHO_SESSION_RAM_QUOTA ", cap_quota=" ECHO_SESSION_CAP_QUOTA,
                          &out->cap.index, &out->id);
}

enum rpc_status echo_connection_close(struct env *env, struct echo_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status echo_connection_upgrade(struct env *env, struct echo_connection *connection,
                                        uint64_t ram, uint64_t caps)
{
    return parent_upgrade(env, connection->id, ram, caps);
}

enum rpc_status echo_reserve(struct env *env, struct echo_session_cap echo, uint64_t bytes)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {bytes}};
    return call_ECHO_RESERVE(echo, m);
}

enum rpc_status echo_add(struct env *env, struct echo_session_cap echo, uint64_t a, uint64_t b,
                         uint64_t *out_sum)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 2, .word = {a, b}};
    enum rpc_status status = call_ECHO_ADD(echo, m);
    if (status == RPC_OK && m->word_count != 1)
        return RPC_ERR_TRANSPORT;
    *out_sum = status == RPC_OK ? m->word[0] : 0;
    return status;
}

enum sys_error echo_hold(struct env *env, struct echo_session_cap echo)
{
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.label = ECHO_HOLD};
    return sys_call(echo.index, m);
}
