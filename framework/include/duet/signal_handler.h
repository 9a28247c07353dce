/*
 * signal_handler.h - signal handlers dispatched by an entrypoint.
 *
 * An entrypoint is a thread that waits on a SIGNAL session's receiver and
 * runs the handler of each signal it takes: handler(object, count), with
 * the count of submits the signal stands for. Managing a handler
 * allocates a context whose imprint is the handler's slot (never a
 * pointer: imprints are plain numbers the kernel passes around), and
 * gives the caller the context capability to hand to transmitters.
 * Dissolving frees the context: its pending count is dropped and its
 * handler never runs for it again.
 */
#ifndef DUET_SIGNAL_HANDLER_H
#define DUET_SIGNAL_HANDLER_H

#include "duet/signal_session.h"

typedef void (*signal_handler_fn)(void *object, uint64_t count);

struct signal_handler {
    signal_handler_fn handle;    /* NULL: slot free */
    void *object;
    cap_index_t context;
};

struct signal_entrypoint {
    struct env *env;
    struct signal_connection *signals;
    struct signal_handler handlers[SIGNAL_SESSION_CONTEXTS_MAX];
};

void signal_entrypoint_init(struct signal_entrypoint *entrypoint, struct env *env,
                            struct signal_connection *signals);
enum rpc_status signal_entrypoint_manage(struct signal_entrypoint *entrypoint,
                                         signal_handler_fn handle, void *object,
                                         cap_index_t *out_context);
enum rpc_status signal_entrypoint_dissolve(struct signal_entrypoint *entrypoint,
                                           cap_index_t context);
/* Waits for one signal and runs its handler. Returns the kernel's error
 * when the receiver is gone (SYS_ERR_STALE_CAP: the session was closed). */
enum sys_error signal_entrypoint_dispatch_one(struct signal_entrypoint *entrypoint);

#endif
