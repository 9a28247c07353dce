/*
 * timer_session.h - TIMER: time and alarms, served by the timer component.
 *
 * A session tells the time on the timer's clock (monotonic microseconds;
 * the clock runs while any session is open) and signals its client: TIMER_SIGH registers the signal
 * context the session submits to; TIMER_TRIGGER_ONCE arms a one-shot
 * alarm `us` microseconds from now (replacing whatever was armed);
 * TIMER_TRIGGER_PERIODIC arms a periodic alarm (0 disarms). Periodic
 * alarms do not drift: the k-th is due at start + k * period on the
 * timer's clock, however late the one before was handled, and each
 * firing is one submit, so a slow client sees the count of the periods
 * it missed (signals count). Every alarm is at least `us` late, never
 * early. Without a registered context an alarm fires into nothing.
 *
 *   TIMER_SIGH              capability: a signal context
 *   TIMER_TRIGGER_ONCE      word 0: microseconds from now (>= 1)
 *   TIMER_TRIGGER_PERIODIC  word 0: period in microseconds (0: disarm)
 *   TIMER_ELAPSED_US        reply word 0: microseconds since the timer started
 */
#ifndef DUET_TIMER_SESSION_H
#define DUET_TIMER_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

/* The session's state and alarm; its capability and the signal context's. */
#define TIMER_SESSION_RAM_QUOTA "1K"
#define TIMER_SESSION_CAP_QUOTA "2"

/*     name                    opcode  words  capability type */
#define TIMER_SESSION_RPCS(X)                                                \
    X(TIMER_SIGH,              0x900,  0, 0,  CAP_TYPE_SIGNAL_CONTEXT)        \
    X(TIMER_TRIGGER_ONCE,      0x901,  1, 1,  CAP_TYPE_NONE)                  \
    X(TIMER_TRIGGER_PERIODIC,  0x902,  1, 1,  CAP_TYPE_NONE)                  \
    X(TIMER_ELAPSED_US,        0x903,  0, 0,  CAP_TYPE_NONE)

enum timer_opcode { TIMER_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct timer_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define TIMER_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct timer_session_cap, __VA_ARGS__)
TIMER_SESSION_RPCS(TIMER_CLIENT_STUB)

struct timer_connection {
    struct timer_session_cap cap;
    uint64_t id;
};

enum rpc_status timer_connection_open(struct env *env, struct timer_connection *out);
enum rpc_status timer_connection_close(struct env *env, struct timer_connection *connection);
/* The timer keeps its own copy of `context`; the caller's stays the caller's. */
enum rpc_status timer_sigh(struct env *env, struct timer_session_cap timer, cap_index_t context);
enum rpc_status timer_trigger_once(struct env *env, struct timer_session_cap timer, uint64_t us);
enum rpc_status timer_trigger_periodic(struct env *env, struct timer_session_cap timer,
                                       uint64_t period_us);
enum rpc_status timer_elapsed_us(struct env *env, struct timer_session_cap timer,
                                 uint64_t *out_us);

#endif
