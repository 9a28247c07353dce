/*
 * dde_kit/timer.h - timers, jiffies and sleeping (Genode's dde_kit/timer.h
 * and dde_kit_thread_msleep), on the TIMER service (framework/os/timer).
 *
 * Time is counted in jiffies of 1/DDE_KIT_HZ seconds on the timer's
 * clock. dde_kit_timer_add(kit, timer, fn, priv, timeout) runs fn(priv)
 * on the kit's timer thread once jiffies >= timeout (an absolute time, as
 * in Genode), never earlier; dde_kit_timer_del takes a timer out before it
 * runs, and if its handler is running already, returns once it is done,
 * so after del the caller may reuse the timer and what its handler
 * touches. The timer object is the caller's and must stay put while
 * pending; a handler must not add or delete timers of the kit (it runs
 * on the thread that serves them).
 *
 * The kit holds a TIMER session only while it has work for it: it opens
 * one when a timer is added (or jiffies read) and closes it when no timer
 * has been pending for DDE_KIT_TIMER_LINGER_MS, because the timer keeps
 * the PIT counting while any session is open and a world with an idle
 * driver must come to rest. The timer's clock stands still while nobody
 * holds a session, so jiffies never go back but do not count such idle
 * stretches.
 */
#ifndef DUET_DDE_KIT_TIMER_H
#define DUET_DDE_KIT_TIMER_H

#include "dde_kit/dde_kit.h"
#include "duet/list.h"

enum {
    DDE_KIT_HZ = 1000,
    DDE_KIT_TIMER_LINGER_MS = 100,
};

struct dde_kit_timer {
    struct list_link link;           /* in the kit's list, by timeout */
    void (*fn)(void *priv);
    void *priv;
    uint64_t timeout;                /* jiffies */
    bool pending;
};

enum dde_kit_timer_status {
    DDE_KIT_TIMER_OK = 0,
    DDE_KIT_TIMER_PENDING,           /* add: the timer is pending already */
    DDE_KIT_TIMER_NO_SERVICE,        /* no TIMER, SIGNAL or CPU session */
};

uint64_t dde_kit_jiffies(struct dde_kit *kit);
enum dde_kit_timer_status dde_kit_timer_add(struct dde_kit *kit, struct dde_kit_timer *timer,
                                            void (*fn)(void *priv), void *priv,
                                            uint64_t timeout);
/* True if the timer was pending (it will not run now). */
bool dde_kit_timer_del(struct dde_kit *kit, struct dde_kit_timer *timer);
bool dde_kit_timer_pending(struct dde_kit *kit, const struct dde_kit_timer *timer);
/* Blocks the calling thread for at least `ms` milliseconds. */
enum dde_kit_timer_status dde_kit_thread_msleep(struct dde_kit *kit, uint64_t ms);
const char *dde_kit_timer_status_name(enum dde_kit_timer_status status);

/* The timer thread's entry; listed in a driver component's thread entries. */
void dde_kit_timer_thread(struct env *env, void *arg);

#endif
