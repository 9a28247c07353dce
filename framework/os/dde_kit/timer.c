/*
 * timer.c - timers, jiffies and msleep on the TIMER service
 * (dde_kit/timer.h).
 *
 * The kit's timers are a list sorted by timeout, served by one timer
 * thread that waits for the signal of the kit's TIMER session. Whoever
 * changes the list re-arms the session's one-shot alarm for the earliest
 * timeout (arming again replaces the alarm, so a stale alarm is at worst
 * one spurious wake-up: the thread fires what is due and re-arms).
 *
 * Invariants (under timers.lock):
 *   T1  `pending` is sorted by timeout; a timer is in it iff its
 *       `pending` flag is set.
 *   T2  while the list is non-empty the session is open and an alarm is
 *       armed no later than the earliest timeout.
 *   T3  jiffies never go back (last_jiffies).
 *   T4  a handler runs with `running` held, taken before the list lock is
 *       released: dde_kit_timer_del returns only after a handler that was
 *       already taken off the list has finished.
 * The session closes when the list has been empty for
 * DDE_KIT_TIMER_LINGER_MS (the thread's linger alarm), so an idle driver
 * lets the PIT stop and the world come to rest.
 */
#include "dde_kit_state.h"

#include "duet/assert.h"

enum { US_PER_JIFFY = 1000000 / DDE_KIT_HZ, TIMER_CONTEXT_IMPRINT = 1 };

static const char *const status_names[] = {
    [DDE_KIT_TIMER_OK] = "DDE_KIT_TIMER_OK",
    [DDE_KIT_TIMER_PENDING] = "DDE_KIT_TIMER_PENDING",
    [DDE_KIT_TIMER_NO_SERVICE] = "DDE_KIT_TIMER_NO_SERVICE",
};

const char *dde_kit_timer_status_name(enum dde_kit_timer_status status)
{
    return (unsigned)status < DUET_ARRAY_COUNT(status_names) ? status_names[status]
                                                             : "DDE_KIT_TIMER_UNKNOWN";
}

/* The thread, the signal receiver and the TIMER session, as needed. */
static bool timers_ready_locked(struct dde_kit *kit)
{
    struct dde_kit_timers *t = &kit->timers;
    struct env *env = kit->env;
    if (!t->signals_open) {
        if (signal_connection_open(env, &t->signals) != RPC_OK)
            return false;
        t->signals_open = true;
        if (signal_context_alloc(env, &t->signals, TIMER_CONTEXT_IMPRINT, &t->context) !=
            RPC_OK)
            return false;
    }
    if (!t->thread_started) {
        void *stack = dde_kit_thread_stack(kit);
        if (stack == NULL || !dde_kit_cpu_ready(kit) ||
            cpu_thread_create(env, kit->cpu.cap, &t->thread, dde_kit_timer_thread, kit, stack,
                              DDE_KIT_THREAD_STACK_BYTES) != RPC_OK)
            return false;
        t->thread_started = true;
    }
    if (!t->timer_open) {
        if (timer_connection_open(env, &t->timer) != RPC_OK)
            return false;
        t->timer_open = true;
        if (timer_sigh(env, t->timer.cap, t->context) != RPC_OK)
            return false;
    }
    return true;
}

static uint64_t jiffies_locked(struct dde_kit *kit)
{
    struct dde_kit_timers *t = &kit->timers;
    uint64_t us = 0;
    if (t->timer_open && timer_elapsed_us(kit->env, t->timer.cap, &us) == RPC_OK &&
        us / US_PER_JIFFY > t->last_jiffies)
        t->last_jiffies = us / US_PER_JIFFY;
    return t->last_jiffies;   /* T3 */
}

/* T2: the alarm for the earliest timeout, or for the end of lingering. */
static void arm_locked(struct dde_kit *kit, uint64_t now)
{
    struct dde_kit_timers *t = &kit->timers;
    DUET_ASSERT(t->timer_open);
    uint64_t jiffies = 0;
    struct dde_kit_timer *first = LIST_ELEMENT(list_first(&t->pending), struct dde_kit_timer, link);
    if (first != NULL)
        jiffies = first->timeout > now ? first->timeout - now : 0;
    else
        jiffies = t->idle_since + DDE_KIT_TIMER_LINGER_MS * DDE_KIT_HZ / 1000 > now
                      ? t->idle_since + DDE_KIT_TIMER_LINGER_MS * DDE_KIT_HZ / 1000 - now
                      : 0;
    uint64_t us = jiffies * US_PER_JIFFY;
    if (timer_trigger_once(kit->env, t->timer.cap, us == 0 ? 1 : us) != RPC_OK)
        hal_panic("dde_kit_timer", "the TIMER session refused an alarm");
}

uint64_t dde_kit_jiffies(struct dde_kit *kit)
{
    struct dde_kit_timers *t = &kit->timers;
    dde_kit_lock_lock(&t->lock);
    bool was_open = t->timer_open;
    uint64_t now = timers_ready_locked(kit) ? jiffies_locked(kit) : t->last_jiffies;
    if (!was_open && t->timer_open && list_empty(&t->pending)) {
        t->idle_since = now;   /* opened only to read the clock: linger, then close */
        arm_locked(kit, now);
    }
    dde_kit_lock_unlock(&t->lock);
    return now;
}

enum dde_kit_timer_status dde_kit_timer_add(struct dde_kit *kit, struct dde_kit_timer *timer,
                                            void (*fn)(void *priv), void *priv,
                                            uint64_t timeout)
{
    DUET_ASSERT(timer != NULL && fn != NULL);
    struct dde_kit_timers *t = &kit->timers;
    dde_kit_lock_lock(&t->lock);
    enum dde_kit_timer_status status = DDE_KIT_TIMER_OK;
    if (timer->pending) {
        status = DDE_KIT_TIMER_PENDING;
    } else if (!timers_ready_locked(kit)) {
        status = DDE_KIT_TIMER_NO_SERVICE;
    } else {
        *timer = (struct dde_kit_timer){.fn = fn, .priv = priv, .timeout = timeout,
                                        .pending = true};
        struct list_link *after = NULL;   /* T1: behind every timer not later */
        for (struct list_link *l = list_first(&t->pending); l != NULL; l = list_next(l))
            if (LIST_ELEMENT(l, struct dde_kit_timer, link)->timeout <= timeout)
                after = l;
        if (after == NULL)
            list_insert_head(&t->pending, &timer->link);
        else
            list_insert_after(&t->pending, after, &timer->link);
        if (list_first(&t->pending) == &timer->link)
            arm_locked(kit, jiffies_locked(kit));
    }
    dde_kit_lock_unlock(&t->lock);
    return status;
}

bool dde_kit_timer_del(struct dde_kit *kit, struct dde_kit_timer *timer)
{
    struct dde_kit_timers *t = &kit->timers;
    dde_kit_lock_lock(&t->lock);
    bool was_pending = timer->pending;
    if (was_pending) {
        list_remove(&t->pending, &timer->link);
        timer->pending = false;
        if (list_empty(&t->pending))
            t->idle_since = t->last_jiffies;   /* the alarm armed still wakes the thread */
    }
    dde_kit_lock_unlock(&t->lock);
    /* A handler taken off the list just before may still be running: once
     * it is done, the caller may reuse the timer and what it points to. */
    dde_kit_lock_lock(&t->running);
    dde_kit_lock_unlock(&t->running);
    return was_pending;
}

bool dde_kit_timer_pending(struct dde_kit *kit, const struct dde_kit_timer *timer)
{
    dde_kit_lock_lock(&kit->timers.lock);
    bool pending = timer->pending;
    dde_kit_lock_unlock(&kit->timers.lock);
    return pending;
}

/* Runs what is due (lock released around each handler), then re-arms or,
 * after lingering idle long enough, closes the session. */
static void timers_serve(struct dde_kit *kit)
{
    struct dde_kit_timers *t = &kit->timers;
    dde_kit_lock_lock(&t->lock);
    if (!t->timer_open) {
        dde_kit_lock_unlock(&t->lock);
        return;   /* an alarm of a session closed since */
    }
    uint64_t now = jiffies_locked(kit);
    for (;;) {
        struct dde_kit_timer *first =
            LIST_ELEMENT(list_first(&t->pending), struct dde_kit_timer, link);
        if (first == NULL || first->timeout > now)
            break;
        list_remove(&t->pending, &first->link);
        first->pending = false;
        if (list_empty(&t->pending))
            t->idle_since = now;
        void (*fn)(void *) = first->fn;
        void *priv = first->priv;
        dde_kit_lock_lock(&t->running);   /* dde_kit_timer_del waits for it */
        dde_kit_lock_unlock(&t->lock);
        fn(priv);   /* `first` may be reused from here on */
        dde_kit_lock_unlock(&t->running);
        dde_kit_lock_lock(&t->lock);
    }
    if (list_empty(&t->pending) &&
        now >= t->idle_since + DDE_KIT_TIMER_LINGER_MS * DDE_KIT_HZ / 1000) {
        timer_connection_close(kit->env, &t->timer);
        t->timer_open = false;
    } else {
        arm_locked(kit, now);
    }
    dde_kit_lock_unlock(&t->lock);
}

void dde_kit_timer_thread(struct env *env, void *arg)
{
    struct dde_kit *kit = arg;
    (void)env;
    for (;;) {
        struct signal signal;
        enum sys_error error = sys_signal_wait(kit->timers.signals.receiver, true, &signal);
        if (error == SYS_ERR_STALE_CAP)
            return;   /* the component exits: its sessions are closed */
        if (error != SYS_OK)
            hal_panic("dde_kit_timer_thread", sys_error_name(error));
        timers_serve(kit);
    }
}

struct sleeper {
    struct dde_kit_timer timer;
    struct dde_kit_sem woken;
};

static void sleeper_wake(void *priv)
{
    dde_kit_sem_up(&((struct sleeper *)priv)->woken);
}

enum dde_kit_timer_status dde_kit_thread_msleep(struct dde_kit *kit, uint64_t ms)
{
    /* Not on the stack: the semaphore's words are futex words. */
    struct sleeper *sleeper = dde_kit_malloc(kit, sizeof *sleeper);
    if (sleeper == NULL)
        return DDE_KIT_TIMER_NO_SERVICE;
    *sleeper = (struct sleeper){0};
    dde_kit_sem_init(&sleeper->woken, 0);
    /* One jiffy more: jiffies count whole milliseconds, rounded down. */
    uint64_t timeout = dde_kit_jiffies(kit) + ms * DDE_KIT_HZ / 1000 + 1;
    enum dde_kit_timer_status status =
        dde_kit_timer_add(kit, &sleeper->timer, sleeper_wake, sleeper, timeout);
    if (status == DDE_KIT_TIMER_OK) {
        dde_kit_sem_down(&sleeper->woken);
        dde_kit_timer_del(kit, &sleeper->timer);   /* T4: the handler's up is over */
    }
    dde_kit_free(kit, sleeper);
    return status;
}
