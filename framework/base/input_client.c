/*
 * input_client.c - client stubs of the INPUT service (duet/input_session.h).
 */
#include "duet/input_session.h"

#include "duet/parent.h"

/* A driver probes its hardware before it announces INPUT, which takes
 * longer than parent_session's own retries when the probe logs. */
enum { INPUT_OPEN_ATTEMPTS_MAX = 64 };

enum rpc_status input_connection_open(struct env *env, struct input_connection *out)
{
    enum rpc_status status = RPC_ERR_UNAVAILABLE;
    for (unsigned attempt = 0; attempt < INPUT_OPEN_ATTEMPTS_MAX; attempt++) {
        status = parent_session(env, "INPUT",
                                "ram_quota=" INPUT_SESSION_RAM_QUOTA
                                ", cap_quota=" INPUT_SESSION_CAP_QUOTA,
                                &out->cap.index, &out->id);
        if (status != RPC_ERR_UNAVAILABLE)
            break;
    }
    return status;
}

enum rpc_status input_connection_close(struct env *env, struct input_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum rpc_status input_sigh(struct env *env, struct input_session_cap input, cap_index_t context)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.cap = context};
    return call_INPUT_SIGH(input, m);
}

enum rpc_status input_fetch(struct env *env, struct input_session_cap input,
                            struct input_fetch *out)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_INPUT_FETCH(input, m);
    /* Decode before trusting: the count must fit the words that came. */
    if (status == RPC_OK && (m->word_count < 2 || m->word[0] > INPUT_FETCH_EVENTS_MAX ||
                             m->word_count != 2 + m->word[0]))
        status = RPC_ERR_TRANSPORT;
    *out = (struct input_fetch){0};
    if (status != RPC_OK)
        return status;
    out->count = m->word[0];
    out->dropped = m->word[1];
    for (uint64_t i = 0; i < out->count; i++)
        out->events[i] = m->word[2 + i];
    return RPC_OK;
}

enum rpc_status input_status(struct env *env, struct input_session_cap input,
                             struct input_status *out)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = call_INPUT_STATUS(input, m);
    if (status == RPC_OK && m->word_count != 4)
        status = RPC_ERR_TRANSPORT;
    *out = (struct input_status){0};
    if (status == RPC_OK)
        *out = (struct input_status){m->word[0], m->word[1], m->word[2], m->word[3]};
    return status;
}
