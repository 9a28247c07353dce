/*
 * signal_handler.c - an entrypoint's signal handlers (duet/signal_handler.h).
 */
#include "duet/signal_handler.h"

#include "duet/assert.h"

void signal_entrypoint_init(struct signal_entrypoint *entrypoint, struct env *env,
                            struct signal_connection *signals)
{
    *entrypoint = (struct signal_entrypoint){.env = env, .signals = signals};
}

enum rpc_status signal_entrypoint_manage(struct signal_entrypoint *entrypoint,
                                         signal_handler_fn handle, void *object,
                                         cap_index_t *out_context)
{
    DUET_ASSERT(handle != NULL);
    size_t slot = 0;
    while (slot < SIGNAL_SESSION_CONTEXTS_MAX && entrypoint->handlers[slot].handle != NULL)
        slot++;
    if (slot == SIGNAL_SESSION_CONTEXTS_MAX)
        return RPC_ERR_OUT_OF_RESOURCES;
    cap_index_t context = CAP_INDEX_INVALID;
    enum rpc_status status =
        signal_context_alloc(entrypoint->env, entrypoint->signals, slot + 1, &context);
    if (status != RPC_OK)
        return status;
    entrypoint->handlers[slot] = (struct signal_handler){handle, object, context};
    *out_context = context;
    return RPC_OK;
}

enum rpc_status signal_entrypoint_dissolve(struct signal_entrypoint *entrypoint,
                                           cap_index_t context)
{
    for (size_t slot = 0; slot < SIGNAL_SESSION_CONTEXTS_MAX; slot++) {
        struct signal_handler *handler = &entrypoint->handlers[slot];
        if (handler->handle == NULL || handler->context != context)
            continue;
        enum rpc_status status =
            signal_context_free(entrypoint->env, entrypoint->signals, &handler->context);
        if (status == RPC_OK)
            *handler = (struct signal_handler){0};
        return status;
    }
    return RPC_ERR_INVALID_ARGUMENT;
}

enum sys_error signal_entrypoint_dispatch_one(struct signal_entrypoint *entrypoint)
{
    struct signal signal;
    enum sys_error error = sys_signal_wait(entrypoint->signals->receiver, true, &signal);
    if (error != SYS_OK)
        return error;
    /* Dissolving drops what is pending, so an imprint names a live handler
     * unless another thread dissolved it after this one took the signal. */
    DUET_ASSERT(signal.imprint >= 1 && signal.imprint <= SIGNAL_SESSION_CONTEXTS_MAX);
    DUET_ASSERT(signal.count > 0);
    struct signal_handler *handler = &entrypoint->handlers[signal.imprint - 1];
    if (handler->handle != NULL)
        handler->handle(handler->object, signal.count);
    return SYS_OK;
}
