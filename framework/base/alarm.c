/*
 * alarm.c - the alarm scheduler (duet/alarm.h): armed alarms in a list
 * sorted by deadline, fired in rounds by alarm_handle.
 *
 * An alarm is in one of four states; the transitions and their functions:
 *
 *     disarmed -> armed      schedule_* (arm_perform)
 *     armed    -> armed      schedule_* again: moved (arm_perform)
 *     armed    -> due        alarm_handle starts, deadline <= now (round_collect_due)
 *     due      -> armed      schedule_* by an earlier handler of the round
 *     due      -> firing     its turn in the round (alarm_fire)
 *     firing   -> armed      periodic, handler returned true (alarm_fire re-arms)
 *     firing   -> disarmed   one-shot; or false; or next deadline past UINT64_MAX
 *     firing   -> any        the handler scheduled or discarded it: that stands
 *     armed, due -> disarmed discard (scheduler_unlink)
 *
 * armed and due are the scheduler's two lists (a link knows which one it
 * is in); firing is the one alarm whose handler runs, in no list, named by
 * scheduler->firing until the handler schedules or discards it (then the
 * handler's decision stands and alarm_fire leaves the alarm alone). A due
 * alarm may also be discarded or moved by an earlier handler of the round.
 *
 * Every schedule call decodes (handler present, period, overflow; changes
 * nothing) and then performs (arm_perform, which cannot fail).
 *
 * Not here: the clock, the PIT and the timer session; the timer service
 * owns them and drives this module.
 */
#include "duet/alarm.h"

#include "duet/assert.h"

static const char *const error_names[ALARM_ERROR_COUNT] = {
    [ALARM_OK] = "ALARM_OK",
    [ALARM_ERR_NO_HANDLER] = "ALARM_ERR_NO_HANDLER",
    [ALARM_ERR_ZERO_PERIOD] = "ALARM_ERR_ZERO_PERIOD",
    [ALARM_ERR_DEADLINE_OVERFLOW] = "ALARM_ERR_DEADLINE_OVERFLOW",
};

const char *alarm_error_name(enum alarm_error error)
{
    return (unsigned)error < ALARM_ERROR_COUNT ? error_names[error] : "ALARM_ERR_UNKNOWN";
}

static struct alarm *alarm_of(struct list_link *link)
{
    return LIST_ELEMENT(link, struct alarm, in_scheduler);
}

/* Armed (or due) in this scheduler. */
static bool scheduler_holds(const struct alarm_scheduler *scheduler, const struct alarm *alarm)
{
    return list_contains(&scheduler->armed, &alarm->in_scheduler) ||
           list_contains(&scheduler->due, &alarm->in_scheduler);
}

void alarm_init(struct alarm *alarm, alarm_handler on_alarm, void *context)
{
    DUET_ASSERT(alarm != NULL);
    DUET_ASSERT(!alarm_is_armed(alarm));   /* re-initialising an armed alarm: misuse */
    *alarm = (struct alarm){.on_alarm = on_alarm, .context = context};
    DUET_ASSERT(!alarm_is_armed(alarm) && alarm->period_us == 0);
}

void alarm_scheduler_init(struct alarm_scheduler *scheduler)
{
    DUET_ASSERT(scheduler != NULL);
    *scheduler = (struct alarm_scheduler){0};
    DUET_ASSERT(alarm_scheduler_valid(scheduler));
}

/* ---- arming ---------------------------------------------------------- */

/* Takes `alarm` out of this scheduler, wherever it is (armed, due or
 * firing); a disarmed alarm is left as it is. */
static void scheduler_unlink(struct alarm_scheduler *scheduler, struct alarm *alarm)
{
    if (list_contains(&scheduler->armed, &alarm->in_scheduler))
        list_remove(&scheduler->armed, &alarm->in_scheduler);
    else if (list_contains(&scheduler->due, &alarm->in_scheduler))
        list_remove(&scheduler->due, &alarm->in_scheduler);
    if (scheduler->firing == alarm)
        scheduler->firing = NULL;   /* the handler decided: no re-arm */
    DUET_ASSERT(!alarm_is_armed(alarm) && scheduler->firing != alarm);
}

/* Inserts a disarmed alarm behind every armed alarm whose deadline is not
 * later (A1: ties in arming order). Walks back from the latest deadline,
 * where periodic re-arms usually land. */
static void armed_insert(struct alarm_scheduler *scheduler, struct alarm *alarm)
{
    DUET_ASSERT(!alarm_is_armed(alarm));
    size_t steps_max = list_count(&scheduler->armed);
    size_t steps = 0;
    struct list_link *at = list_last(&scheduler->armed);
    while (at != NULL && alarm_of(at)->deadline_us > alarm->deadline_us) {
        DUET_ASSERT(steps < steps_max);
        steps++;
        at = list_prev(at);
    }
    if (at == NULL)
        list_insert_head(&scheduler->armed, &alarm->in_scheduler);
    else
        list_insert_after(&scheduler->armed, at, &alarm->in_scheduler);
    struct list_link *next = list_next(&alarm->in_scheduler);
    DUET_ASSERT(next == NULL || alarm_of(next)->deadline_us > alarm->deadline_us);
    DUET_ASSERT(at == NULL || alarm_of(at)->deadline_us <= alarm->deadline_us);
}

/* The perform half of every schedule call: cannot fail. */
static void arm_perform(struct alarm_scheduler *scheduler, struct alarm *alarm,
                        uint64_t deadline_us, uint64_t period_us)
{
    scheduler_unlink(scheduler, alarm);
    alarm->deadline_us = deadline_us;
    alarm->period_us = period_us;
    alarm->periods_skipped = 0;
    armed_insert(scheduler, alarm);
    DUET_ASSERT(list_contains(&scheduler->armed, &alarm->in_scheduler));
}

/* The decode half shared by every schedule call: changes nothing. */
static enum alarm_error schedule_decode(const struct alarm_scheduler *scheduler,
                                        const struct alarm *alarm)
{
    DUET_ASSERT(scheduler != NULL && alarm != NULL);
    /* Armed in another scheduler: misuse. */
    DUET_ASSERT(!alarm_is_armed(alarm) || scheduler_holds(scheduler, alarm));
    return alarm->on_alarm == NULL ? ALARM_ERR_NO_HANDLER : ALARM_OK;
}

enum alarm_error alarm_schedule_absolute(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t deadline_us)
{
    enum alarm_error error = schedule_decode(scheduler, alarm);
    if (error != ALARM_OK)
        return error;
    arm_perform(scheduler, alarm, deadline_us, 0);
    return ALARM_OK;
}

enum alarm_error alarm_schedule_relative(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t delay_us,
                                         uint64_t now_us)
{
    enum alarm_error error = schedule_decode(scheduler, alarm);
    if (error != ALARM_OK)
        return error;
    if (delay_us > UINT64_MAX - now_us)
        return ALARM_ERR_DEADLINE_OVERFLOW;
    arm_perform(scheduler, alarm, now_us + delay_us, 0);
    return ALARM_OK;
}

enum alarm_error alarm_schedule_periodic(struct alarm_scheduler *scheduler,
                                         struct alarm *alarm, uint64_t period_us,
                                         uint64_t now_us)
{
    enum alarm_error error = schedule_decode(scheduler, alarm);
    if (error != ALARM_OK)
        return error;
    if (period_us == 0)
        return ALARM_ERR_ZERO_PERIOD;
    if (period_us > UINT64_MAX - now_us)
        return ALARM_ERR_DEADLINE_OVERFLOW;
    arm_perform(scheduler, alarm, now_us + period_us, period_us);
    DUET_ASSERT(alarm->deadline_us > now_us);
    return ALARM_OK;
}

void alarm_discard(struct alarm_scheduler *scheduler, struct alarm *alarm)
{
    DUET_ASSERT(scheduler != NULL && alarm != NULL);
    /* Armed in another scheduler: misuse. */
    DUET_ASSERT(!alarm_is_armed(alarm) || scheduler_holds(scheduler, alarm));
    scheduler_unlink(scheduler, alarm);
    DUET_ASSERT(!alarm_is_armed(alarm));
}

/* ---- firing ---------------------------------------------------------- */

/* Moves the alarms due at now_us, a prefix of armed (A1), to due. */
static void round_collect_due(struct alarm_scheduler *scheduler, uint64_t now_us)
{
    DUET_ASSERT(list_empty(&scheduler->due));
    size_t moves_max = list_count(&scheduler->armed);
    struct list_link *link;
    while ((link = list_first(&scheduler->armed)) != NULL &&
           alarm_of(link)->deadline_us <= now_us) {
        DUET_ASSERT(list_count(&scheduler->due) < moves_max);
        list_remove(&scheduler->armed, link);
        struct list_link *tail = list_last(&scheduler->due);
        if (tail == NULL)
            list_insert_head(&scheduler->due, link);
        else
            list_insert_after(&scheduler->due, tail, link);
    }
    DUET_ASSERT(link == NULL || alarm_of(link)->deadline_us > now_us);
}

/*
 * Fires the first due alarm: takes it out, picks the deadline it fires
 * for (for a periodic alarm the latest that has passed, see "Missed
 * periods"), runs its handler and, if the handler left the alarm alone,
 * re-arms a periodic one. After the handler, the alarm's memory is read
 * only when the alarm is periodic and was neither scheduled nor discarded
 * by the handler; the values it re-arms with are taken before the call.
 */
static void alarm_fire(struct alarm_scheduler *scheduler, struct alarm *alarm, uint64_t now_us)
{
    DUET_ASSERT(list_first(&scheduler->due) == &alarm->in_scheduler);
    DUET_ASSERT(alarm->deadline_us <= now_us && alarm->on_alarm != NULL);
    list_remove(&scheduler->due, &alarm->in_scheduler);
    uint64_t period_us = alarm->period_us;
    uint64_t deadline_us = alarm->deadline_us;
    uint64_t skipped = 0;
    if (period_us != 0) {
        skipped = (now_us - deadline_us) / period_us;
        deadline_us += skipped * period_us;   /* <= now_us: cannot overflow */
    }
    DUET_ASSERT(deadline_us <= now_us && (period_us == 0 || now_us - deadline_us < period_us));
    alarm->deadline_us = deadline_us;
    alarm->periods_skipped = skipped;
    scheduler->firing = alarm;

    bool rearm = alarm->on_alarm(alarm, now_us);

    if (scheduler->firing != alarm)
        return;   /* the handler scheduled or discarded it: its decision stands */
    scheduler->firing = NULL;
    if (period_us == 0 || !rearm)
        return;   /* a one-shot, or a cancelled periodic alarm */
    if (alarm_is_armed(alarm))
        return;   /* the handler armed it in another scheduler */
    if (period_us > UINT64_MAX - deadline_us)
        return;   /* the next deadline is past the end of time: it ends */
    arm_perform(scheduler, alarm, deadline_us + period_us, period_us);
    alarm->periods_skipped = skipped;   /* still readable after the round */
    DUET_ASSERT(alarm->deadline_us > now_us);
}

size_t alarm_handle(struct alarm_scheduler *scheduler, uint64_t now_us)
{
    DUET_ASSERT(scheduler != NULL);
    DUET_ASSERT(!scheduler->handling);   /* alarm_handle from inside a handler: misuse */
    DUET_ASSERT(list_empty(&scheduler->due) && scheduler->firing == NULL);
    scheduler->handling = true;
    scheduler->round_now_us = now_us;
    round_collect_due(scheduler, now_us);
    /* Handlers can take alarms out of due, never put any in: the bound. */
    size_t fired_max = list_count(&scheduler->due);
    size_t fired = 0;
    struct list_link *link;
    while ((link = list_first(&scheduler->due)) != NULL) {
        DUET_ASSERT(fired < fired_max);
        alarm_fire(scheduler, alarm_of(link), now_us);
        fired++;
    }
    scheduler->handling = false;
    DUET_ASSERT(list_empty(&scheduler->due) && scheduler->firing == NULL);
    return fired;
}

/* ---- queries ---------------------------------------------------------- */

bool alarm_next_deadline(const struct alarm_scheduler *scheduler, uint64_t *out_deadline_us)
{
    DUET_ASSERT(scheduler != NULL && out_deadline_us != NULL);
    struct list_link *armed = list_first(&scheduler->armed);
    struct list_link *due = list_first(&scheduler->due);
    if (armed == NULL && due == NULL)
        return false;
    uint64_t deadline_us = UINT64_MAX;
    if (armed != NULL)
        deadline_us = alarm_of(armed)->deadline_us;
    if (due != NULL && alarm_of(due)->deadline_us < deadline_us)
        deadline_us = alarm_of(due)->deadline_us;
    *out_deadline_us = deadline_us;
    return true;
}

size_t alarm_scheduler_armed_count(const struct alarm_scheduler *scheduler)
{
    DUET_ASSERT(scheduler != NULL);
    return list_count(&scheduler->armed) + list_count(&scheduler->due);
}

/* A1/A2/A3 for one list: sorted, every alarm has a handler and a
 * deadline <= deadline_max_us. */
static bool alarm_list_valid(const struct list *list, uint64_t deadline_max_us)
{
    if (!list_valid(list))
        return false;
    uint64_t previous_us = 0;
    for (struct list_link *link = list_first(list); link != NULL; link = list_next(link)) {
        const struct alarm *alarm = alarm_of(link);
        if (alarm->on_alarm == NULL || alarm->deadline_us < previous_us ||
            alarm->deadline_us > deadline_max_us)
            return false;
        previous_us = alarm->deadline_us;
    }
    return true;
}

bool alarm_scheduler_valid(const struct alarm_scheduler *scheduler)
{
    DUET_ASSERT(scheduler != NULL);
    if (!alarm_list_valid(&scheduler->armed, UINT64_MAX))
        return false;
    if (!scheduler->handling)   /* A2, A4 outside a round */
        return list_empty(&scheduler->due) && scheduler->firing == NULL;
    if (!alarm_list_valid(&scheduler->due, scheduler->round_now_us))
        return false;
    return scheduler->firing == NULL || !scheduler_holds(scheduler, scheduler->firing);
}
