/*
 * timer.c - the timer component: TIMER sessions on the PIT.
 *
 * It drives channel 0 of the PIT (framework/arch/x86/pit8254.c) through an
 * IO_PORT session and takes IRQ 0 through an IRQ session, then announces
 * TIMER. One entrypoint (the main thread) serves everything, so nothing
 * here needs a lock:
 *   - root calls open and close sessions (a session: a capability, the
 *     client's signal context, one alarm);
 *   - session calls register the context, arm alarms, tell the time;
 *   - an IRQ thread waits for IRQ 0 and turns each interrupt into a call
 *     on the entrypoint (badge TIMER_BADGE_IRQ), which fires the alarms
 *     that are due and programs the next countdown.
 *
 * The clock: the PIT counts down one-shots of at most PIT_COUNT_MAX ticks
 * (~55 ms); the time is the ticks of the finished countdowns plus those of
 * the running one (pit_oneshot_elapsed), in microseconds. Each countdown
 * runs to the earliest armed deadline, or to its maximum while any
 * session is open so that no wrap of the counter goes unseen. With no
 * session left it is not restarted: the last countdown ends, IRQ 0 falls
 * silent and the world may come to rest. Restarting a countdown loses the
 * few ticks of the port accesses in between, so the timer's clock runs
 * slightly slow against the machine's; alarms are measured on the timer's
 * clock, which is what clients see.
 */
#include "../../arch/x86/pit8254.h"
#include "duet/alarm.h"
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/io_port_session.h"
#include "duet/irq_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/quota.h"
#include "duet/root.h"
#include "duet/timer_session.h"

enum {
    TIMER_SESSIONS_MAX = 8,
    TIMER_SESSION_RAM_COST = 256,
    TIMER_SESSION_CAP_COST = 2,
    TIMER_BADGE_ROOT = 1u << 16,
    TIMER_BADGE_SESSION = 1u << 17,
    TIMER_BADGE_IRQ = 1u << 18,
    TIMER_IRQ_STACK_BYTES = THREAD_STACK_MIN,
    TIMER_IRQ_LABEL = 1,
};

struct timer_server;

struct timer_session {
    cap_index_t cap;                /* our copy; CAP_INDEX_INVALID = free slot */
    cap_index_t sigh;               /* the client's signal context, or none */
    struct alarm alarm;
    struct timer_server *server;
    uint64_t fired;                 /* submits made, for the trace of tests */
};

struct timer_server {
    struct env *env;
    struct log_connection log;
    struct io_port_connection io;
    struct irq_connection irq;
    struct cpu_connection cpu;
    struct cpu_thread irq_thread;
    cap_index_t endpoint;
    cap_index_t irq_cap;            /* badged copy the IRQ thread calls */
    struct alarm_scheduler alarms;
    struct timer_session sessions[TIMER_SESSIONS_MAX];
    uint64_t ticks_done;            /* ticks of finished countdowns */
    uint16_t programmed;            /* the running countdown, 0: none */
};

/* ---- the clock and the countdown ---------------------------------------- */

static uint64_t timer_now_ticks(struct timer_server *s)
{
    return s->ticks_done + (s->programmed != 0 ? pit_oneshot_elapsed(s->programmed) : 0);
}

static uint64_t timer_now_us(struct timer_server *s)
{
    return pit_ticks_to_us(timer_now_ticks(s));
}

static bool timer_has_sessions(const struct timer_server *s)
{
    for (size_t id = 0; id < TIMER_SESSIONS_MAX; id++)
        if (s->sessions[id].cap != CAP_INDEX_INVALID)
            return true;
    return false;
}

/* Ends the running countdown into ticks_done and starts the next one. */
static void timer_program(struct timer_server *s)
{
    uint64_t now_ticks = timer_now_ticks(s);
    s->ticks_done = now_ticks;
    uint64_t deadline_us = 0;
    uint64_t ticks = PIT_COUNT_MAX;
    if (alarm_next_deadline(&s->alarms, &deadline_us)) {
        uint64_t now_us = pit_ticks_to_us(now_ticks);
        uint64_t delay = deadline_us > now_us ? deadline_us - now_us : 0;
        /* Round up, and one more: the microseconds of now were rounded down.
         * A far deadline is reached in countdowns of the longest kind. */
        ticks = delay >= pit_ticks_to_us(PIT_COUNT_MAX) ? PIT_COUNT_MAX
                                                        : pit_us_to_ticks_ceil(delay) + 1;
        if (ticks > PIT_COUNT_MAX)
            ticks = PIT_COUNT_MAX;
    } else if (!timer_has_sessions(s)) {
        s->programmed = 0;
        return;
    }
    s->programmed = (uint16_t)ticks;
    pit_oneshot_start(s->programmed);
}

static bool timer_alarm_fired(struct alarm *alarm, uint64_t now_us)
{
    struct timer_session *session = alarm->context;
    (void)now_us;
    if (session->sigh != CAP_INDEX_INVALID &&
        sys_signal_submit(session->sigh, 1 + alarm->periods_skipped) == SYS_OK)
        session->fired++;
    return true;   /* periodic ones go on */
}

static void timer_irq(struct timer_server *s)
{
    alarm_handle(&s->alarms, timer_now_us(s));
    timer_program(s);
}

/* The IRQ thread: each IRQ 0 becomes a call on the entrypoint. */
void timer_irq_thread(struct env *env, void *arg)
{
    struct timer_server *s = arg;
    (void)env;
    irq_forward_to_entrypoint(&s->irq, s->irq_cap, TIMER_IRQ_LABEL);
}

/* ---- the root interface: sessions -------------------------------------- */

static struct timer_session *session_of(struct timer_server *s, uint64_t id)
{
    return id < TIMER_SESSIONS_MAX && s->sessions[id].cap != CAP_INDEX_INVALID ? &s->sessions[id]
                                                                                : NULL;
}

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct timer_server *s = server;
    uint64_t ram = 0, caps = 0;
    enum rpc_status status = root_session_decode(request, TIMER_SESSION_RAM_COST,
                                                 TIMER_SESSION_CAP_COST, &ram, &caps);
    if (status != RPC_OK)
        return status;   /* the cost is fixed: the donation beyond it is not spent */
    for (uint64_t id = 0; id < TIMER_SESSIONS_MAX; id++) {
        struct timer_session *session = &s->sessions[id];
        if (session->cap != CAP_INDEX_INVALID)
            continue;
        if (sys_cap_mint(s->endpoint, TIMER_BADGE_SESSION | id, &session->cap) != SYS_OK)
            return RPC_ERR_SESSION_LIMIT;
        session->sigh = CAP_INDEX_INVALID;
        session->server = s;
        session->fired = 0;
        alarm_init(&session->alarm, timer_alarm_fired, session);
        bool first = s->programmed == 0;
        if (first)
            timer_program(s);   /* the clock runs while there are sessions */
        reply->cap = session->cap;
        reply->word_count = 1;
        reply->word[0] = id;
        return RPC_OK;
    }
    return RPC_ERR_SESSION_LIMIT;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct timer_server *s = server;
    struct timer_session *session = session_of(s, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    alarm_discard(&s->alarms, &session->alarm);
    if (session->sigh != CAP_INDEX_INVALID)
        sys_cap_delete(session->sigh);
    sys_cap_revoke(session->cap);
    sys_cap_delete(session->cap);
    *session = (struct timer_session){.cap = CAP_INDEX_INVALID, .sigh = CAP_INDEX_INVALID};
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    /* Sessions cost a fixed amount: an upgrade is accepted and unused. */
    return session_of(server, request->word[0]) != NULL ? RPC_OK : RPC_ERR_INVALID_SESSION;
}

/* ---- the TIMER interface --------------------------------------------------- */

/* The request's capability is kept (the dispatcher would delete it). */
static enum rpc_status timer_perform_TIMER_SIGH(void *server, void *session_arg,
                                                const struct ipc_message *request,
                                                struct ipc_message *reply)
{
    struct timer_session *session = session_arg;
    if (session->sigh != CAP_INDEX_INVALID)
        sys_cap_delete(session->sigh);
    session->sigh = request->cap;
    return RPC_OK;
}

static enum rpc_status timer_arm(struct timer_server *s, struct timer_session *session,
                                 uint64_t us, bool periodic)
{
    uint64_t now = timer_now_us(s);
    enum alarm_error error = periodic
        ? alarm_schedule_periodic(&s->alarms, &session->alarm, us, now)
        : alarm_schedule_relative(&s->alarms, &session->alarm, us, now);
    if (error != ALARM_OK)
        return RPC_ERR_INVALID_ARGUMENT;
    timer_program(s);
    return RPC_OK;
}

static enum rpc_status timer_perform_TIMER_TRIGGER_ONCE(void *server, void *session_arg,
                                                        const struct ipc_message *request,
                                                        struct ipc_message *reply)
{
    if (request->word[0] == 0)
        return RPC_ERR_INVALID_ARGUMENT;
    return timer_arm(server, session_arg, request->word[0], false);
}

static enum rpc_status timer_perform_TIMER_TRIGGER_PERIODIC(void *server, void *session_arg,
                                                            const struct ipc_message *request,
                                                            struct ipc_message *reply)
{
    struct timer_server *s = server;
    struct timer_session *session = session_arg;
    if (request->word[0] == 0) {
        alarm_discard(&s->alarms, &session->alarm);
        return RPC_OK;
    }
    return timer_arm(s, session, request->word[0], true);
}

static enum rpc_status timer_perform_TIMER_ELAPSED_US(void *server, void *session_arg,
                                                      const struct ipc_message *request,
                                                      struct ipc_message *reply)
{
    reply->word_count = 1;
    reply->word[0] = timer_now_us(server);
    return RPC_OK;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define TIMER_HANDLER(...) RPC_HANDLER(timer_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler timer_handlers[] = {TIMER_SESSION_RPCS(TIMER_HANDLER)};

static bool timer_setup(struct timer_server *s)
{
    struct env *env = s->env;
    cap_index_t root = CAP_INDEX_INVALID;
    void *stack = env_alloc(env, TIMER_IRQ_STACK_BYTES);
    return stack != NULL && log_connection_open(env, &s->log) == RPC_OK &&
           io_port_connection_open(env, PIT_PORT_BASE, PIT_PORT_COUNT, &s->io) == RPC_OK &&
           irq_connection_open(env, PIT_IRQ_LINE, &s->irq) == RPC_OK &&
           cpu_connection_open(env, &s->cpu) == RPC_OK &&
           sys_endpoint_create(&s->endpoint) == SYS_OK &&
           sys_cap_mint(s->endpoint, TIMER_BADGE_IRQ, &s->irq_cap) == SYS_OK &&
           cpu_thread_create(env, s->cpu.cap, &s->irq_thread, timer_irq_thread, s, stack,
                             TIMER_IRQ_STACK_BYTES) == RPC_OK &&
           sys_cap_mint(s->endpoint, TIMER_BADGE_ROOT, &root) == SYS_OK &&
           parent_announce(env, "TIMER", root) == RPC_OK;
}

void timer_main(struct env *env)
{
    struct timer_server *s = env_alloc(env, sizeof *s);
    DUET_ASSERT(s != NULL);
    s->env = env;
    alarm_scheduler_init(&s->alarms);
    for (size_t id = 0; id < TIMER_SESSIONS_MAX; id++)
        s->sessions[id] = (struct timer_session){.cap = CAP_INDEX_INVALID,
                                                 .sigh = CAP_INDEX_INVALID};
    /* Short of its devices or resources the timer says so and exits. */
    if (!timer_setup(s)) {
        parent_exit(env, 1);
        return;
    }
    /* The PIT may come up counting periodically (a PC's firmware leaves
     * channel 0 in mode 3): a one-tick one-shot replaces that, so that
     * while no session is open IRQ 0 falls silent and the world can rest. */
    s->programmed = 1;
    pit_oneshot_start(s->programmed);

    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(s->endpoint, reply, message, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        bool keep_cap = false;
        struct timer_session *session =
            (badge & TIMER_BADGE_SESSION) ? session_of(s, badge & 0xffff) : NULL;
        if (badge == TIMER_BADGE_IRQ) {
            timer_irq(s);
            *message = (struct ipc_message){.label = RPC_OK};
        } else if (badge == TIMER_BADGE_ROOT) {
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), s, NULL, &request,
                         message);
        } else if (session != NULL) {
            rpc_dispatch(timer_handlers, DUET_ARRAY_COUNT(timer_handlers), s, session, &request,
                         message);
            keep_cap = request.label == TIMER_SIGH && message->label == RPC_OK;
        } else {
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        }
        if (request.cap != CAP_INDEX_INVALID && !keep_cap)
            sys_cap_delete(request.cap);
        reply = true;
    }
}
