/*
 * alarm.h - an alarm scheduler: one-shot and periodic alarms kept in
 * deadline order, fired by whoever owns the clock.
 *
 * After Genode's Alarm_scheduler (11.11 os/include/os/alarm.h): a timer
 * service keeps one scheduler, arms an alarm per request, programs its
 * PIT for alarm_next_deadline and calls alarm_handle when the PIT fires.
 * This is the pure part: no system calls, no globals, no clock. Time is a
 * uint64_t count of microseconds (virtual time in the sim) that the caller
 * passes in; the scheduler never reads a clock and never sleeps.
 *
 *     alarm_init(alarm, on_alarm, context)       alarm_scheduler_init(scheduler)
 *     alarm_schedule_absolute(scheduler, alarm, deadline_us)
 *     alarm_schedule_relative(scheduler, alarm, delay_us, now_us)
 *     alarm_schedule_periodic(scheduler, alarm, period_us, now_us)
 *     alarm_discard(scheduler, alarm)
 *     alarm_handle(scheduler, now_us) -> handlers run
 *     alarm_next_deadline(scheduler, &deadline_us) -> any armed?
 *     alarm_is_armed(alarm), alarm_deadline(alarm), alarm_scheduler_valid(scheduler)
 *
 * Alarms are caller-owned and intrusive (a list_link inside, see
 * duet/list.h); the scheduler allocates nothing. Zeroed memory is a
 * disarmed alarm and an empty scheduler, so neither needs an init call;
 * an alarm needs its on_alarm handler before it can be scheduled.
 *
 * Order. Armed alarms are kept sorted by deadline; among equal deadlines
 * the one armed first fires first (FIFO). Re-scheduling an armed alarm
 * moves it: it is armed anew, behind alarms armed before it with the same
 * deadline. A periodic alarm re-armed after a firing counts as armed at
 * that moment. An alarm is due at `now` when deadline <= now (unlike
 * Genode, which fires only strictly overdue alarms).
 *
 * Rounds. alarm_handle(now) is one round: it takes the alarms due when it
 * starts and fires them one at a time in order, calling
 * on_alarm(alarm, now). It fires nothing else: an alarm armed during the
 * round (by a handler) with a deadline <= now is due, but fires in the
 * next round, i.e. the next alarm_handle call. So a round runs at most as
 * many handlers as alarms were due at its start, an alarm fires at most
 * once per round, and a handler that re-arms itself at `now` cannot spin
 * a round forever (the caller's loop decides how often it calls again;
 * alarm_next_deadline then reports a deadline <= now).
 *
 * Firing. Before its handler runs an alarm is taken out of the scheduler:
 * during the handler alarm_is_armed is false and alarm_deadline is the
 * deadline being fired.
 *   - A one-shot alarm stays disarmed; the handler's return value is
 *     ignored.
 *   - A periodic alarm is re-armed after its handler returns true, at
 *     (the deadline fired) + period: deadlines are start + k * period
 *     exactly, however late alarm_handle is called, so the alarm does not
 *     drift. Returning false cancels it (it stays disarmed).
 *   - If the handler schedules or discards its own alarm, that decides:
 *     the return value is ignored and nothing is re-armed afterwards. (A
 *     refused schedule call changes nothing, so the return value decides.)
 *   - Once a one-shot's handler is called, or once a handler has discarded
 *     its own alarm, the scheduler does not touch that alarm again, so the
 *     handler may release its memory.
 * Handlers may schedule and discard any alarm of the scheduler, their own
 * and ones still due in this round included (a discarded or moved due
 * alarm does not fire in this round), and may call alarm_next_deadline.
 * They must not call alarm_handle (asserted).
 *
 * Missed periods. If a periodic alarm is handled so late that several of
 * its deadlines have passed, it fires ONCE, for the latest deadline that
 * has passed (the largest start + k * period <= now), and skips the ones
 * before it: alarm->periods_skipped (set before every firing, 0 for a
 * one-shot; kept until the alarm is scheduled anew) says how many
 * deadlines this firing stands for besides its own. Its next deadline is
 * then the first one after now. So over any run, firings plus skipped
 * periods equal the deadlines that have passed, and a stalled consumer is
 * not flooded with catch-up firings. Unlike Genode's schedule(period),
 * the first deadline is now + period, not "due at once".
 *
 * Overflow. Times do not wrap: 2^64 microseconds are 584,000 years, so
 * deadlines compare as plain numbers and no deadline can lie past
 * UINT64_MAX. A call whose first deadline would pass it (now + period,
 * now + delay) is refused with ALARM_ERR_DEADLINE_OVERFLOW, nothing
 * changed; nothing saturates. A periodic alarm whose next deadline after a
 * firing would pass UINT64_MAX ends (is disarmed) after that firing: no
 * time value can reach that deadline, so ending it loses no firing.
 *
 * Errors are returned and named (alarm_error_name); a refused call changes
 * nothing (the alarm stays armed or disarmed as it was). Misuse that is a
 * programming error is asserted: NULL pointers, an alarm armed in another
 * scheduler, alarm_handle from inside a handler, alarm_init of an armed
 * alarm. Discarding a disarmed alarm is not misuse; it does nothing.
 *
 * Cost: scheduling walks the armed list from its latest deadline back,
 * O(armed alarms); handle is O(1) per firing plus a re-arm; next_deadline
 * and discard are O(1). Not thread safe: the owner serialises all calls.
 *
 * Invariants (alarm_scheduler_valid checks them all):
 *   A1  armed is sorted by deadline (non-decreasing); ties keep arming
 *       order (by construction: an alarm goes behind its equals).
 *   A2  due is empty outside alarm_handle; during it, due is sorted and
 *       every due deadline <= round_now_us.
 *   A3  every alarm in armed or due has a handler.
 *   A4  firing != NULL only during alarm_handle, and the firing alarm is
 *       in neither list of this scheduler.
 */
#ifndef DUET_ALARM_H
#define DUET_ALARM_H

#include "duet/list.h"
#include "duet/types.h"

enum alarm_error {
    ALARM_OK = 0,
    /* schedule_*: the alarm has no on_alarm handler. */
    ALARM_ERR_NO_HANDLER,
    /* schedule_periodic: a period of 0 would fire in every round. */
    ALARM_ERR_ZERO_PERIOD,
    /* schedule_relative / schedule_periodic: now + delay (period) passes
     * UINT64_MAX. */
    ALARM_ERR_DEADLINE_OVERFLOW,
    ALARM_ERROR_COUNT
};

struct alarm;

/* Called when the alarm fires; `now_us` is the round's time. The return
 * value re-arms (true) or cancels (false) a periodic alarm. */
typedef bool (*alarm_handler)(struct alarm *alarm, uint64_t now_us);

struct alarm {
    /* Read-only for the owner (set by alarm_init or by hand while disarmed). */
    alarm_handler on_alarm;
    void *context;   /* the owner's; the scheduler never reads it */

    /* Kept by the scheduler; read them, do not write them. */
    uint64_t deadline_us;       /* armed: the next; in the handler: the one fired */
    uint64_t period_us;         /* 0: one-shot */
    uint64_t periods_skipped;   /* in the handler: deadlines skipped before this one */
    struct list_link in_scheduler;   /* in its scheduler's armed or due list */
};

struct alarm_scheduler {
    struct list armed;            /* by deadline, ties in arming order (A1) */
    struct list due;              /* this round's alarms not yet fired (A2) */
    struct alarm *firing;         /* whose handler runs, until it touches itself (A4) */
    uint64_t round_now_us;        /* during alarm_handle: its now */
    bool handling;                /* inside alarm_handle */
};

const char *alarm_error_name(enum alarm_error error);

/* A disarmed alarm with a handler; `alarm` must not be armed. */
void alarm_init(struct alarm *alarm, alarm_handler on_alarm, void *context);

/* An empty scheduler; it must hold no alarm (or be fresh memory). */
void alarm_scheduler_init(struct alarm_scheduler *scheduler);

/* Arms (or moves) `alarm` as a one-shot at deadline_us; any deadline is
 * valid, one <= now is due at once. Errors: NO_HANDLER. */
enum alarm_error alarm_schedule_absolute(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t deadline_us);

/* Arms (or moves) `alarm` as a one-shot at now_us + delay_us.
 * Errors: NO_HANDLER, DEADLINE_OVERFLOW. */
enum alarm_error alarm_schedule_relative(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t delay_us,
                                         uint64_t now_us);

/* Arms (or moves) `alarm` as periodic: deadlines now_us + k * period_us,
 * k = 1, 2, ... Errors: NO_HANDLER, ZERO_PERIOD, DEADLINE_OVERFLOW. */
enum alarm_error alarm_schedule_periodic(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t period_us,
                                         uint64_t now_us);

/* Disarms `alarm`; a disarmed alarm is left as it is. From its own
 * handler it cancels the re-arm of a periodic alarm. */
void alarm_discard(struct alarm_scheduler *scheduler, struct alarm *alarm);

/* Fires, in order, the alarms due at now_us when the call starts (see
 * "Rounds"); returns how many handlers ran. Not from inside a handler. */
size_t alarm_handle(struct alarm_scheduler *scheduler, uint64_t now_us);

/* The earliest deadline of an armed (or still due) alarm into
 * *out_deadline_us; false, *out_deadline_us untouched, if none is armed. */
bool alarm_next_deadline(const struct alarm_scheduler *scheduler, uint64_t *out_deadline_us);

/* Armed in some scheduler (during its own handler an alarm is not). */
static inline bool alarm_is_armed(const struct alarm *alarm)
{
    return list_link_is_linked(&alarm->in_scheduler);
}

/* Armed: its next deadline; in its handler: the deadline being fired. */
static inline uint64_t alarm_deadline(const struct alarm *alarm) { return alarm->deadline_us; }

/* The number of alarms armed, the ones still due in a round included. */
size_t alarm_scheduler_armed_count(const struct alarm_scheduler *scheduler);

/* Checks A1-A4 by walking both lists; false if any fails. */
bool alarm_scheduler_valid(const struct alarm_scheduler *scheduler);

#endif
