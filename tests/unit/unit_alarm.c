/*
 * unit_alarm.c - the alarm scheduler (duet/alarm.h).
 *
 * Directed tests, one per promise of the header: one-shot order with
 * ties and moves; periodic alarms without drift when alarm_handle runs
 * late and irregularly (every firing's deadline is start + k * period
 * exactly, missed periods are skipped and counted); re-arming from a
 * handler; discarding from handlers (itself, a due alarm, an armed one,
 * and releasing its memory, which ASan watches in the asan build); a
 * handler's false ending a periodic alarm; alarm_next_deadline; the
 * overflow rules at the end of time; misuse that must panic.
 *
 * Then a random model test: thousands of random schedule, discard and
 * handle operations, and random operations from inside handlers, run
 * against the scheduler and a trivially correct model (an array of
 * alarms; a round sorts the due ones by deadline and arming sequence).
 * Every firing is checked as it happens (which alarm, for which deadline,
 * how many periods skipped), and after every operation the whole armed
 * list is compared with the model, in order.
 *
 * Its hal_panic (panic_catcher.c) shows that misuse panics.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "duet/alarm.h"
#include "hal/world.h"
#include "panic_catcher.h"
#include "unit_check.h"

/* ---- a recording harness for the directed tests ---------------------- */

enum { LOG_MAX = 64, TEST_ALARMS = 8 };

struct firing {
    size_t id;
    uint64_t deadline_us;
    uint64_t now_us;
    uint64_t periods_skipped;
    bool armed_in_handler;
};

struct harness;

struct test_alarm {
    struct alarm alarm;
    struct harness *harness;
    size_t id;
    size_t firings;
    bool result;   /* what the handler returns */
    /* What the handler does besides recording, with its arguments. */
    void (*action)(struct test_alarm *self, uint64_t now_us);
    struct test_alarm *target;
    uint64_t value_us;
    size_t limit;
};

struct harness {
    struct alarm_scheduler scheduler;
    struct test_alarm alarms[TEST_ALARMS];
    struct firing log[LOG_MAX];
    size_t log_count;
};

static bool record_on_alarm(struct alarm *alarm, uint64_t now_us)
{
    struct test_alarm *self = alarm->context;
    struct harness *harness = self->harness;
    if (harness->log_count < LOG_MAX)
        harness->log[harness->log_count++] = (struct firing){
            .id = self->id,
            .deadline_us = alarm_deadline(alarm),
            .now_us = now_us,
            .periods_skipped = alarm->periods_skipped,
            .armed_in_handler = alarm_is_armed(alarm),
        };
    self->firings++;
    bool result = self->result;   /* read first: the action may free self */
    if (self->action != NULL)
        self->action(self, now_us);
    return result;
}

static void harness_init(struct harness *harness)
{
    memset(harness, 0, sizeof *harness);
    alarm_scheduler_init(&harness->scheduler);
    for (size_t i = 0; i < TEST_ALARMS; i++) {
        struct test_alarm *t = &harness->alarms[i];
        t->harness = harness;
        t->id = i;
        t->result = true;
        alarm_init(&t->alarm, record_on_alarm, t);
    }
}

static struct alarm *harness_alarm(struct harness *harness, size_t id)
{
    return &harness->alarms[id].alarm;
}

/* The log holds exactly ids[count], in order; every firing was disarmed. */
static void check_log(struct harness *harness, const size_t *ids, size_t count,
                      const char *what)
{
    UNIT_CHECK(harness->log_count == count, "%s: %zu firings, expected %zu", what,
               harness->log_count, count);
    for (size_t i = 0; i < count && i < harness->log_count; i++) {
        UNIT_CHECK(harness->log[i].id == ids[i], "%s: firing %zu is alarm %zu, expected %zu",
                   what, i, harness->log[i].id, ids[i]);
        UNIT_CHECK(!harness->log[i].armed_in_handler, "%s: firing %zu: armed in its handler",
                   what, i);
    }
    harness->log_count = 0;
}

static void check_next_deadline(const struct alarm_scheduler *scheduler, bool expected_any,
                                uint64_t expected_us, const char *what)
{
    uint64_t deadline_us = 0xfeedface;
    bool any = alarm_next_deadline(scheduler, &deadline_us);
    UNIT_CHECK(any == expected_any, "%s: next_deadline says %s", what, any ? "armed" : "none");
    UNIT_CHECK_U64(deadline_us, expected_any ? expected_us : 0xfeedface, what);
    UNIT_CHECK(alarm_scheduler_valid(scheduler), "%s: alarm_scheduler_valid", what);
}

/* ---- one-shot order ---------------------------------------------------- */

static void test_one_shot_order(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    static const uint64_t deadlines_us[] = {30, 10, 20, 10, 30, 25};
    for (size_t i = 0; i < DUET_ARRAY_COUNT(deadlines_us); i++)
        UNIT_CHECK_U64(alarm_schedule_absolute(s, harness_alarm(&h, i), deadlines_us[i]),
                       ALARM_OK, "schedule_absolute");
    UNIT_CHECK_U64(alarm_scheduler_armed_count(s), 6, "six armed");
    check_next_deadline(s, true, 10, "earliest of six");

    UNIT_CHECK_U64(alarm_handle(s, 9), 0, "nothing is due before its deadline");
    check_log(&h, NULL, 0, "handle(9)");
    UNIT_CHECK_U64(alarm_handle(s, 10), 2, "deadline == now is due");
    check_log(&h, (size_t[]){1, 3}, 2, "ties fire in arming order");
    UNIT_CHECK(!alarm_is_armed(harness_alarm(&h, 1)) && !alarm_is_armed(harness_alarm(&h, 3)),
               "fired one-shots are disarmed");
    UNIT_CHECK_U64(h.alarms[1].alarm.periods_skipped, 0, "a one-shot skips nothing");

    /* Moves: 4 from 30 to 20 (behind 2), then 2 to 20 again (behind 4). */
    alarm_schedule_absolute(s, harness_alarm(&h, 4), 20);
    alarm_schedule_absolute(s, harness_alarm(&h, 2), 20);
    UNIT_CHECK_U64(alarm_deadline(harness_alarm(&h, 4)), 20, "a moved alarm's deadline");
    UNIT_CHECK_U64(alarm_scheduler_armed_count(s), 4, "moving does not duplicate");
    check_next_deadline(s, true, 20, "after the moves");
    UNIT_CHECK_U64(alarm_handle(s, 100), 4, "the rest fire at 100");
    check_log(&h, (size_t[]){4, 2, 5, 0}, 4, "re-scheduling moves behind equals");
    check_next_deadline(s, false, 0, "all fired");
    UNIT_CHECK_U64(alarm_scheduler_armed_count(s), 0, "none armed");

    /* A handler's return value does not re-arm a one-shot. */
    h.alarms[0].result = true;
    h.alarms[1].result = false;
    alarm_schedule_absolute(s, harness_alarm(&h, 0), 200);
    alarm_schedule_absolute(s, harness_alarm(&h, 1), 200);
    UNIT_CHECK_U64(alarm_handle(s, 300), 2, "two one-shots");
    check_log(&h, (size_t[]){0, 1}, 2, "returning true or false");
    check_next_deadline(s, false, 0, "one-shots stay disarmed whatever they return");
}

/* ---- periodic without drift --------------------------------------------- */

/* Handles at irregular late times within one period: every deadline fires,
 * once, at exactly start + k * period. */
static void periodic_late_within_period(struct harness *h, uint64_t start_us,
                                        uint64_t period_us, uint64_t *prng, size_t *k)
{
    struct alarm_scheduler *s = &h->scheduler;
    for (size_t round = 0; round < 10000; round++) {
        uint64_t deadline_us = start_us + (*k + 1) * period_us;
        uint64_t now_us = deadline_us + unit_prng_below(prng, period_us);
        if (unit_prng_below(prng, 4) == 0)   /* an early call fires nothing */
            UNIT_CHECK_U64(alarm_handle(s, deadline_us - 1 - unit_prng_below(prng, 50)), 0,
                           "handle before the deadline");
        UNIT_CHECK_U64(alarm_handle(s, now_us), 1, "one firing per period");
        (*k)++;
        if (h->log_count != 1 ||
            !UNIT_CHECK_U64(h->log[0].deadline_us, start_us + *k * period_us,
                            "firing deadline is start + k * period") ||
            !UNIT_CHECK_U64(h->log[0].periods_skipped, 0, "nothing skipped"))
            return;
        h->log_count = 0;
        UNIT_CHECK_U64(alarm_handle(s, now_us), 0, "a second call at the same time");
        check_next_deadline(s, true, start_us + (*k + 1) * period_us, "next period");
    }
}

/* Handles up to several periods late: one firing, for the latest deadline
 * passed, counting the ones skipped; firings + skipped == deadlines passed. */
static void periodic_late_by_periods(struct harness *h, uint64_t start_us,
                                     uint64_t period_us, uint64_t *prng, size_t *k)
{
    struct alarm_scheduler *s = &h->scheduler;
    uint64_t now_us = start_us + *k * period_us;
    uint64_t firings = 0, skipped = 0, k_start = *k;
    for (size_t round = 0; round < 5000; round++) {
        now_us += unit_prng_below(prng, 5 * period_us);
        size_t passed = (size_t)((now_us - start_us) / period_us);
        size_t fired = alarm_handle(s, now_us);
        UNIT_CHECK_U64(fired, passed > *k ? 1 : 0, "at most one firing per round");
        if (fired == 1 && h->log_count == 1) {
            UNIT_CHECK_U64(h->log[0].deadline_us, start_us + passed * period_us,
                           "fires for the latest deadline passed");
            UNIT_CHECK_U64(h->log[0].periods_skipped, passed - *k - 1, "periods skipped");
            firings++;
            skipped += h->log[0].periods_skipped;
            *k = passed;
        }
        h->log_count = 0;
        check_next_deadline(s, true, start_us + (*k + 1) * period_us, "next after skipping");
    }
    UNIT_CHECK_U64(firings + skipped, *k - k_start, "firings + skipped == deadlines passed");
    UNIT_CHECK(skipped > 0 && firings > 0, "the run both fired and skipped");
}

static void test_periodic_no_drift(void)
{
    struct harness h;
    harness_init(&h);
    uint64_t prng = 7;
    const uint64_t start_us = 12345, period_us = 1000;
    UNIT_CHECK_U64(alarm_schedule_periodic(&h.scheduler, harness_alarm(&h, 0), period_us,
                                           start_us),
                   ALARM_OK, "schedule_periodic");
    check_next_deadline(&h.scheduler, true, start_us + period_us, "first deadline now + period");
    size_t k = 0;
    periodic_late_within_period(&h, start_us, period_us, &prng, &k);
    UNIT_CHECK_U64(k, 10000, "ten thousand periods");
    periodic_late_by_periods(&h, start_us, period_us, &prng, &k);
    UNIT_CHECK(alarm_is_armed(harness_alarm(&h, 0)), "still armed");
    alarm_discard(&h.scheduler, harness_alarm(&h, 0));
    check_next_deadline(&h.scheduler, false, 0, "discarded");
}

/* ---- re-arming from a handler ---------------------------------------- */

/* Re-arms itself value_us after now, limit times. */
static void action_rearm_self(struct test_alarm *self, uint64_t now_us)
{
    if (self->firings <= self->limit)
        UNIT_CHECK_U64(alarm_schedule_absolute(&self->harness->scheduler, &self->alarm,
                                               now_us + self->value_us),
                       ALARM_OK, "re-arm from its own handler");
}

static void test_rearm_from_handler(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    struct test_alarm *t = &h.alarms[0];
    t->action = action_rearm_self;
    t->value_us = 100;
    t->limit = 3;
    alarm_schedule_absolute(s, &t->alarm, 100);
    for (uint64_t now_us = 100; now_us <= 400; now_us += 100) {
        UNIT_CHECK_U64(alarm_handle(s, now_us), 1, "the re-armed one-shot fires");
        UNIT_CHECK_U64(h.log[h.log_count - 1].deadline_us, now_us, "at its new deadline");
    }
    UNIT_CHECK_U64(t->firings, 4, "fired 1 + limit times");
    check_next_deadline(s, false, 0, "the last firing did not re-arm");

    /* Re-armed at `now`: due, but only in the next round. */
    t->firings = 0;
    t->value_us = 0;
    t->limit = 2;
    h.log_count = 0;
    alarm_schedule_absolute(s, &t->alarm, 500);
    UNIT_CHECK_U64(alarm_handle(s, 500), 1, "a self re-arm at now does not fire twice");
    check_next_deadline(s, true, 500, "the re-arm at now is due");
    UNIT_CHECK_U64(alarm_handle(s, 500), 1, "it fires in the next round");
    UNIT_CHECK_U64(alarm_handle(s, 500), 1, "and the next");
    UNIT_CHECK_U64(alarm_handle(s, 500), 0, "until it stops re-arming");
    check_log(&h, (size_t[]){0, 0, 0}, 3, "three rounds, three firings");

    /* A periodic alarm that makes itself a one-shot: its true is ignored. */
    t->action = action_rearm_self;
    t->firings = 0;
    t->value_us = 7;
    t->limit = 1;
    alarm_schedule_periodic(s, &t->alarm, 50, 1000);
    UNIT_CHECK_U64(alarm_handle(s, 1050), 1, "periodic fires");
    check_next_deadline(s, true, 1057, "its handler's schedule stands, not deadline + period");
    UNIT_CHECK_U64(t->alarm.period_us, 0, "it is a one-shot now");
    UNIT_CHECK_U64(alarm_handle(s, 2000), 1, "the one-shot fires");
    check_next_deadline(s, false, 0, "and is done");
    h.log_count = 0;
}

/* ---- discarding from handlers ---------------------------------------- */

static void action_discard_target(struct test_alarm *self, uint64_t now_us)
{
    alarm_discard(&self->harness->scheduler, &self->target->alarm);
}

static void action_move_target(struct test_alarm *self, uint64_t now_us)
{
    alarm_schedule_absolute(&self->harness->scheduler, &self->target->alarm, self->value_us);
}

/* Discards itself, then releases its memory (ASan: no later touch). */
static void action_discard_and_free_self(struct test_alarm *self, uint64_t now_us)
{
    alarm_discard(&self->harness->scheduler, &self->alarm);
    memset(self, 0xdd, sizeof *self);
    free(self);
}

/* A one-shot releasing its memory without discarding (it is disarmed). */
static void action_free_self(struct test_alarm *self, uint64_t now_us)
{
    memset(self, 0xdd, sizeof *self);
    free(self);
}

static struct test_alarm *heap_alarm(struct harness *harness, size_t id,
                                     void (*action)(struct test_alarm *, uint64_t))
{
    struct test_alarm *t = calloc(1, sizeof *t);
    *t = (struct test_alarm){.harness = harness, .id = id, .result = true, .action = action};
    alarm_init(&t->alarm, record_on_alarm, t);
    return t;
}

static void test_discard_from_handlers(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    struct test_alarm *a = &h.alarms[0], *b = &h.alarms[1], *c = &h.alarms[2];
    struct test_alarm *d = &h.alarms[3], *e = &h.alarms[4], *f = &h.alarms[5];
    a->action = action_discard_target;   /* a periodic alarm discarding itself */
    a->target = a;
    b->action = action_discard_target;   /* discards c, due after it */
    b->target = c;
    d->action = action_discard_target;   /* discards e, armed for later */
    d->target = e;
    f->action = action_move_target;      /* moves a due alarm (g) to later */
    f->target = &h.alarms[6];
    f->value_us = 40;
    alarm_schedule_periodic(s, &a->alarm, 10, 0);
    alarm_schedule_absolute(s, &b->alarm, 10);
    alarm_schedule_absolute(s, &c->alarm, 10);
    alarm_schedule_absolute(s, &d->alarm, 10);
    alarm_schedule_absolute(s, &e->alarm, 50);
    alarm_schedule_absolute(s, &f->alarm, 10);
    alarm_schedule_absolute(s, &h.alarms[6].alarm, 10);
    UNIT_CHECK_U64(alarm_handle(s, 10), 4, "a, b, d, f fire; c and g do not");
    check_log(&h, (size_t[]){0, 1, 3, 5}, 4, "discards and moves from handlers");
    UNIT_CHECK(!alarm_is_armed(&a->alarm), "a periodic alarm that discarded itself");
    UNIT_CHECK(!alarm_is_armed(&c->alarm) && !alarm_is_armed(&e->alarm), "c and e discarded");
    check_next_deadline(s, true, 40, "only the moved alarm is left");
    UNIT_CHECK_U64(alarm_handle(s, 50), 1, "the moved alarm fires at its new deadline");
    check_log(&h, (size_t[]){6}, 1, "g at 40");

    alarm_discard(s, &c->alarm);   /* discarding a disarmed alarm is fine */
    struct alarm zeroed = {0};
    alarm_discard(s, &zeroed);     /* so is discarding zeroed memory */
    check_next_deadline(s, false, 0, "nothing armed");

    /* Handlers that release their alarm's memory (ASan checks no touch). */
    struct test_alarm *periodic = heap_alarm(&h, 7, action_discard_and_free_self);
    struct test_alarm *one_shot = heap_alarm(&h, 6, action_free_self);
    alarm_schedule_periodic(s, &periodic->alarm, 5, 100);
    alarm_schedule_absolute(s, &one_shot->alarm, 105);
    alarm_schedule_absolute(s, &b->alarm, 105);
    b->action = NULL;
    UNIT_CHECK_U64(alarm_handle(s, 105), 3, "three fire");
    check_log(&h, (size_t[]){7, 6, 1}, 3, "freed alarms fire once");
    check_next_deadline(s, false, 0, "the freed alarms are gone");
}

/* ---- a handler's false ends a periodic alarm --------------------------- */

static void action_stop_after_limit(struct test_alarm *self, uint64_t now_us)
{
    /* The return value is read before the action runs: set it for the
     * next firing, so the firing number `limit` returns false. */
    self->result = self->firings + 1 < self->limit;
}

static void test_periodic_cancel(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    struct test_alarm *t = &h.alarms[0];
    t->action = action_stop_after_limit;
    t->limit = 3;
    t->result = true;
    alarm_schedule_periodic(s, &t->alarm, 5, 0);
    size_t fired = 0;
    for (uint64_t now_us = 5; now_us <= 40; now_us += 5)
        fired += alarm_handle(s, now_us);
    UNIT_CHECK_U64(fired, 3, "false on the third firing ends it");
    check_log(&h, (size_t[]){0, 0, 0}, 3, "three firings");
    UNIT_CHECK(!alarm_is_armed(&t->alarm), "a cancelled periodic alarm is disarmed");
    check_next_deadline(s, false, 0, "nothing armed after the cancel");
}

/* ---- next_deadline, from outside and inside handlers ------------------ */

static void action_record_next_deadline(struct test_alarm *self, uint64_t now_us)
{
    self->value_us = UINT64_MAX;
    if (!alarm_next_deadline(&self->harness->scheduler, &self->value_us))
        self->value_us = 0;
    UNIT_CHECK(alarm_scheduler_valid(&self->harness->scheduler), "valid inside a handler");
}

static void test_next_deadline(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    struct alarm_scheduler zeroed = {0};
    check_next_deadline(&zeroed, false, 0, "a zeroed scheduler is empty");
    check_next_deadline(s, false, 0, "empty");
    alarm_schedule_absolute(s, harness_alarm(&h, 0), 70);
    check_next_deadline(s, true, 70, "one");
    alarm_schedule_periodic(s, harness_alarm(&h, 1), 25, 20);
    check_next_deadline(s, true, 45, "a periodic alarm's first deadline");
    alarm_schedule_absolute(s, harness_alarm(&h, 2), 45);
    alarm_discard(s, harness_alarm(&h, 1));
    check_next_deadline(s, true, 45, "the tie left after a discard");
    alarm_discard(s, harness_alarm(&h, 2));
    check_next_deadline(s, true, 70, "after discarding the earliest");

    for (size_t i = 3; i < 6; i++)
        h.alarms[i].action = action_record_next_deadline;
    alarm_schedule_absolute(s, harness_alarm(&h, 3), 60);
    alarm_schedule_absolute(s, harness_alarm(&h, 4), 65);
    alarm_schedule_absolute(s, harness_alarm(&h, 5), 100);
    UNIT_CHECK_U64(alarm_handle(s, 66), 2, "3 and 4 fire");
    UNIT_CHECK_U64(h.alarms[3].value_us, 65, "inside a round: the next due alarm");
    UNIT_CHECK_U64(h.alarms[4].value_us, 70, "after the round's last: the armed one");
    check_next_deadline(s, true, 70, "after the round");
    alarm_discard(s, harness_alarm(&h, 0));
    UNIT_CHECK_U64(alarm_handle(s, 100), 1, "5 fires");
    UNIT_CHECK_U64(h.alarms[5].value_us, 0, "the last handler sees none armed");
    h.log_count = 0;
}

/* ---- overflow and errors --------------------------------------------- */

static void test_errors(void)
{
    struct harness h;
    harness_init(&h);
    struct alarm_scheduler *s = &h.scheduler;
    struct alarm *a = harness_alarm(&h, 0);
    UNIT_CHECK_STR(alarm_error_name(ALARM_OK), "ALARM_OK", "name");
    UNIT_CHECK_STR(alarm_error_name(ALARM_ERR_NO_HANDLER), "ALARM_ERR_NO_HANDLER", "name");
    UNIT_CHECK_STR(alarm_error_name(ALARM_ERR_ZERO_PERIOD), "ALARM_ERR_ZERO_PERIOD", "name");
    UNIT_CHECK_STR(alarm_error_name(ALARM_ERR_DEADLINE_OVERFLOW), "ALARM_ERR_DEADLINE_OVERFLOW",
                   "name");
    UNIT_CHECK_STR(alarm_error_name(ALARM_ERROR_COUNT), "ALARM_ERR_UNKNOWN", "name");
    UNIT_CHECK_STR(alarm_error_name((enum alarm_error)-1), "ALARM_ERR_UNKNOWN", "name");

    struct alarm no_handler = {0};
    UNIT_CHECK_U64(alarm_schedule_absolute(s, &no_handler, 5), ALARM_ERR_NO_HANDLER, "abs");
    UNIT_CHECK_U64(alarm_schedule_relative(s, &no_handler, 5, 0), ALARM_ERR_NO_HANDLER, "rel");
    UNIT_CHECK_U64(alarm_schedule_periodic(s, &no_handler, 5, 0), ALARM_ERR_NO_HANDLER, "per");
    UNIT_CHECK(!alarm_is_armed(&no_handler), "refused: not armed");

    /* Refused calls leave an armed alarm as it was. */
    alarm_schedule_absolute(s, a, 77);
    UNIT_CHECK_U64(alarm_schedule_periodic(s, a, 0, 10), ALARM_ERR_ZERO_PERIOD, "zero period");
    UNIT_CHECK_U64(alarm_schedule_periodic(s, a, 11, UINT64_MAX - 10),
                   ALARM_ERR_DEADLINE_OVERFLOW, "now + period past UINT64_MAX");
    UNIT_CHECK_U64(alarm_schedule_periodic(s, a, UINT64_MAX, 1), ALARM_ERR_DEADLINE_OVERFLOW,
                   "a huge period");
    UNIT_CHECK_U64(alarm_schedule_relative(s, a, 11, UINT64_MAX - 10),
                   ALARM_ERR_DEADLINE_OVERFLOW, "now + delay past UINT64_MAX");
    UNIT_CHECK(alarm_is_armed(a) && alarm_deadline(a) == 77 && a->period_us == 0,
               "refused calls change nothing");
    check_next_deadline(s, true, 77, "after refused calls");

    /* Exactly UINT64_MAX is a deadline like any other. */
    UNIT_CHECK_U64(alarm_schedule_relative(s, a, 10, UINT64_MAX - 10), ALARM_OK, "rel to MAX");
    check_next_deadline(s, true, UINT64_MAX, "relative to the last microsecond");
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX - 1), 0, "not due a microsecond before");
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX), 1, "due at UINT64_MAX");
    UNIT_CHECK_U64(alarm_schedule_periodic(s, a, 10, UINT64_MAX - 10), ALARM_OK, "per to MAX");
    check_next_deadline(s, true, UINT64_MAX, "a period ending at the last microsecond");
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX), 1, "fires at UINT64_MAX");
    check_next_deadline(s, false, 0, "its next deadline would pass UINT64_MAX: it ends");
    h.log_count = 0;

    /* A periodic alarm running into the end of time. */
    alarm_schedule_periodic(s, a, 10, UINT64_MAX - 25);
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX - 15), 1, "first firing");
    check_next_deadline(s, true, UINT64_MAX - 5, "re-armed below the end");
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX), 1, "second firing");
    UNIT_CHECK_U64(h.log[1].deadline_us, UINT64_MAX - 5, "for its own deadline");
    UNIT_CHECK(!alarm_is_armed(a), "ended: the next deadline is past the end of time");

    /* Skipping up to the end of time: 2^64 - 1 is a multiple of 3. */
    h.log_count = 0;
    alarm_schedule_periodic(s, a, 3, 0);
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX), 1, "one firing for all of time");
    UNIT_CHECK_U64(h.log[0].deadline_us, UINT64_MAX, "for the last deadline");
    UNIT_CHECK_U64(h.log[0].periods_skipped, UINT64_MAX / 3 - 1, "skipping all the others");
    UNIT_CHECK(!alarm_is_armed(a), "and then it ends");
    alarm_schedule_periodic(s, a, UINT64_C(1) << 63, 0);
    UNIT_CHECK_U64(alarm_handle(s, UINT64_MAX), 1, "a period of 2^63");
    UNIT_CHECK_U64(h.log[1].deadline_us, UINT64_C(1) << 63, "fires at 2^63");
    UNIT_CHECK_U64(h.log[1].periods_skipped, 0, "2^63 + 2^63 is past the end");
    UNIT_CHECK(!alarm_is_armed(a), "ends");
}

/* A refused schedule from its own handler leaves the decision to the
 * return value. */
static void action_refused_periodic(struct test_alarm *self, uint64_t now_us)
{
    UNIT_CHECK_U64(alarm_schedule_periodic(&self->harness->scheduler, &self->alarm, 0, now_us),
                   ALARM_ERR_ZERO_PERIOD, "refused inside a handler");
}

static void test_refused_in_handler(void)
{
    struct harness h;
    harness_init(&h);
    struct test_alarm *t = &h.alarms[0];
    t->action = action_refused_periodic;
    alarm_schedule_periodic(&h.scheduler, &t->alarm, 10, 0);
    UNIT_CHECK_U64(alarm_handle(&h.scheduler, 10), 1, "fires");
    check_next_deadline(&h.scheduler, true, 20, "re-armed: the refused call changed nothing");
    h.log_count = 0;
}

/* ---- misuse ------------------------------------------------------------ */

static void action_nested_handle(struct test_alarm *self, uint64_t now_us)
{
    EXPECT_PANIC(alarm_handle(&self->harness->scheduler, now_us), "alarm_handle",
                 "alarm_handle from inside a handler");
}

static void test_misuse(void)
{
    struct harness h, other;
    harness_init(&h);
    harness_init(&other);
    struct alarm *a = harness_alarm(&h, 0);
    alarm_schedule_absolute(&h.scheduler, a, 10);
    EXPECT_PANIC(alarm_schedule_absolute(&other.scheduler, a, 5), "schedule_decode",
                 "scheduling an alarm armed in another scheduler");
    EXPECT_PANIC(alarm_discard(&other.scheduler, a), "alarm_discard",
                 "discarding an alarm armed in another scheduler");
    EXPECT_PANIC(alarm_init(a, record_on_alarm, NULL), "alarm_init",
                 "initialising an armed alarm");
    UNIT_CHECK(alarm_is_armed(a) && alarm_deadline(a) == 10, "misuse changed nothing");
    check_next_deadline(&h.scheduler, true, 10, "misuse changed nothing");
    check_next_deadline(&other.scheduler, false, 0, "the other scheduler is empty");

    h.alarms[0].action = action_nested_handle;
    alarm_handle(&h.scheduler, 10);
    UNIT_CHECK_U64(h.alarms[0].firings, 1, "the nested call fired nothing");
}

/* ---- the random model test ------------------------------------------- */

enum { RANDOM_ALARMS = 12, RANDOM_STEPS = 5000, HANDLER_ACTIONS_MAX = 3 };
#define GUARD UINT64_C(0x616c61726d677264)
#define NONE SIZE_MAX
#define MODEL_SKIPS_MAX 1000000

struct model_alarm {
    bool armed;
    bool due;   /* in this round's due set, not fired yet */
    uint64_t deadline_us;
    uint64_t period_us;
    uint64_t sequence;   /* arming order: ties fire in it */
};

struct model {
    struct model_alarm alarms[RANDOM_ALARMS];
    uint64_t sequence;
    size_t due[RANDOM_ALARMS];   /* the round's due alarms, in firing order */
    size_t due_count, due_next;
    size_t firing;   /* NONE outside a handler */
    bool firing_touched;
    uint64_t firing_deadline_us, firing_period_us;
};

static void model_arm(struct model *model, size_t id, uint64_t deadline_us, uint64_t period_us)
{
    model->alarms[id] = (struct model_alarm){.armed = true, .deadline_us = deadline_us,
                                             .period_us = period_us,
                                             .sequence = ++model->sequence};
    if (model->firing == id)
        model->firing_touched = true;
}

static void model_discard(struct model *model, size_t id)
{
    model->alarms[id].armed = false;
    model->alarms[id].due = false;
    if (model->firing == id)
        model->firing_touched = true;
}

/* Armed alarm a fires before b: earlier deadline, then armed first. */
static bool model_before(const struct model *model, size_t a, size_t b)
{
    const struct model_alarm *x = &model->alarms[a], *y = &model->alarms[b];
    return x->deadline_us < y->deadline_us ||
           (x->deadline_us == y->deadline_us && x->sequence < y->sequence);
}

/* The armed alarms' ids in firing order into ids; returns how many. */
static size_t model_sorted(const struct model *model, size_t ids[RANDOM_ALARMS])
{
    size_t count = 0;
    for (size_t id = 0; id < RANDOM_ALARMS; id++) {
        if (!model->alarms[id].armed)
            continue;
        size_t at = count++;
        while (at > 0 && model_before(model, id, ids[at - 1])) {
            ids[at] = ids[at - 1];
            at--;
        }
        ids[at] = id;
    }
    return count;
}

static void model_round_begin(struct model *model, uint64_t now_us)
{
    size_t ids[RANDOM_ALARMS];
    size_t count = model_sorted(model, ids);
    model->due_count = model->due_next = 0;
    for (size_t i = 0; i < count && model->alarms[ids[i]].deadline_us <= now_us; i++) {
        model->due[model->due_count++] = ids[i];
        model->alarms[ids[i]].due = true;
    }
}

/* The next alarm to fire in the round, NONE when the round is over. */
static size_t model_next_due(struct model *model)
{
    while (model->due_next < model->due_count) {
        size_t id = model->due[model->due_next++];
        if (model->alarms[id].due)
            return id;
    }
    return NONE;
}

static void model_fire_begin(struct model *model, size_t id, uint64_t now_us,
                             uint64_t *out_skipped)
{
    struct model_alarm *alarm = &model->alarms[id];
    uint64_t deadline_us = alarm->deadline_us, skipped = 0;
    /* The latest deadline passed, one period at a time (a random run's
     * stalls are short, so this stays a few thousand steps). */
    while (alarm->period_us != 0 && alarm->period_us <= now_us - deadline_us &&
           skipped < MODEL_SKIPS_MAX) {
        deadline_us += alarm->period_us;
        skipped++;
    }
    UNIT_CHECK(skipped < MODEL_SKIPS_MAX, "the model's skip loop is bounded");
    *out_skipped = skipped;
    model->firing = id;
    model->firing_touched = false;
    model->firing_deadline_us = deadline_us;
    model->firing_period_us = alarm->period_us;
    alarm->armed = alarm->due = false;
}

static void model_fire_end(struct model *model, bool rearm)
{
    size_t id = model->firing;
    uint64_t next_us = model->firing_deadline_us + model->firing_period_us;
    bool fits = next_us > model->firing_deadline_us;   /* no wrap-around */
    if (!model->firing_touched && model->firing_period_us != 0 && rearm && fits)
        model_arm(model, id, next_us, model->firing_period_us);
    model->firing = NONE;
}

struct random_alarm {
    uint64_t guard_before;
    struct alarm alarm;
    uint64_t guard_after;
    size_t id;
};

struct random_world {
    struct alarm_scheduler scheduler;
    struct random_alarm alarms[RANDOM_ALARMS];
    struct model model;
    uint64_t prng;
    uint64_t now_us;
    bool diverged;   /* a firing differed from the model: stop this run */
    size_t firings, skips, errors;   /* what the run covered */
};

static struct random_alarm *random_alarm_of(struct alarm *alarm)
{
    return (struct random_alarm *)((char *)alarm - offsetof(struct random_alarm, alarm));
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* A deadline near now on a coarse grid, so that ties are common; some
 * have passed already, a few are at the end of time. */
static uint64_t random_deadline(struct random_world *world)
{
    uint64_t *prng = &world->prng;
    if (unit_prng_below(prng, 40) == 0)
        return UINT64_MAX - unit_prng_below(prng, 3);
    uint64_t grid_us = world->now_us - world->now_us % 50;
    uint64_t back_us = 50 * unit_prng_below(prng, 3);
    uint64_t ahead_us = 50 * unit_prng_below(prng, 30);
    uint64_t base_us = grid_us >= back_us ? grid_us - back_us : 0;
    return add_saturating(base_us, ahead_us);
}

/* A period or delay: mostly small, sometimes 0, sometimes huge. */
static uint64_t random_span(struct random_world *world)
{
    uint64_t *prng = &world->prng;
    switch (unit_prng_below(prng, 20)) {
    case 0:
        return 0;
    case 1:
        return UINT64_MAX / 2 + unit_prng_next(prng) % (UINT64_MAX / 2);
    default:
        return 1 + unit_prng_below(prng, 400);
    }
}

static void random_check_error(struct random_world *world, enum alarm_error actual,
                               enum alarm_error expected, const char *call)
{
    if (expected != ALARM_OK)
        world->errors++;
    if (!UNIT_CHECK(actual == expected, "%s: got %s, expected %s", call,
                    alarm_error_name(actual), alarm_error_name(expected)))
        world->diverged = true;
}

/* One random schedule or discard, on the scheduler and the model. */
static void random_action(struct random_world *world)
{
    struct model *model = &world->model;
    size_t id = unit_prng_below(&world->prng, RANDOM_ALARMS);
    struct alarm *alarm = &world->alarms[id].alarm;
    uint64_t now_us = world->now_us;
    switch (unit_prng_below(&world->prng, 5)) {
    case 0:
    case 1: {
        uint64_t deadline_us = random_deadline(world);
        random_check_error(world, alarm_schedule_absolute(&world->scheduler, alarm, deadline_us),
                           ALARM_OK, "schedule_absolute");
        model_arm(model, id, deadline_us, 0);
        break;
    }
    case 2: {
        uint64_t delay_us = random_span(world);
        bool overflow = delay_us > UINT64_MAX - now_us;
        random_check_error(world,
                           alarm_schedule_relative(&world->scheduler, alarm, delay_us, now_us),
                           overflow ? ALARM_ERR_DEADLINE_OVERFLOW : ALARM_OK,
                           "schedule_relative");
        if (!overflow)
            model_arm(model, id, now_us + delay_us, 0);
        break;
    }
    case 3: {
        uint64_t period_us = random_span(world);
        enum alarm_error expected = period_us == 0                   ? ALARM_ERR_ZERO_PERIOD
                                    : period_us > UINT64_MAX - now_us ? ALARM_ERR_DEADLINE_OVERFLOW
                                                                      : ALARM_OK;
        random_check_error(world,
                           alarm_schedule_periodic(&world->scheduler, alarm, period_us, now_us),
                           expected, "schedule_periodic");
        if (expected == ALARM_OK)
            model_arm(model, id, now_us + period_us, period_us);
        break;
    }
    default:
        alarm_discard(&world->scheduler, alarm);
        model_discard(model, id);
        break;
    }
}

static void random_check_next_deadline(struct random_world *world, const char *where)
{
    bool any = false;
    uint64_t expected_us = UINT64_MAX;
    for (size_t id = 0; id < RANDOM_ALARMS; id++)
        if (world->model.alarms[id].armed) {
            any = true;
            if (world->model.alarms[id].deadline_us < expected_us)
                expected_us = world->model.alarms[id].deadline_us;
        }
    uint64_t deadline_us = 0;
    bool actual_any = alarm_next_deadline(&world->scheduler, &deadline_us);
    if (!UNIT_CHECK(actual_any == any && (!any || deadline_us == expected_us),
                    "%s: next_deadline %d/%llu, model %d/%llu", where, actual_any,
                    (unsigned long long)deadline_us, any, (unsigned long long)expected_us))
        world->diverged = true;
}

/* The handler of every alarm in the random world: checks the firing
 * against the model, then does random things. */
static bool random_on_alarm(struct alarm *alarm, uint64_t now_us)
{
    struct random_world *world = alarm->context;
    struct model *model = &world->model;
    size_t id = random_alarm_of(alarm)->id;
    if (world->diverged)
        return false;
    size_t expected = model_next_due(model);
    if (!UNIT_CHECK(id == expected, "fired alarm %zu, the model expects %zu", id, expected)) {
        world->diverged = true;
        return false;
    }
    uint64_t skipped;
    model_fire_begin(model, id, now_us, &skipped);
    bool as_expected =
        UNIT_CHECK_U64(now_us, world->now_us, "the handler's now") &&
        UNIT_CHECK_U64(alarm_deadline(alarm), model->firing_deadline_us, "deadline fired") &&
        UNIT_CHECK_U64(alarm->periods_skipped, skipped, "periods skipped") &&
        UNIT_CHECK(!alarm_is_armed(alarm), "an alarm is not armed in its handler");
    world->diverged |= !as_expected;
    world->firings++;
    world->skips += skipped;

    size_t actions = unit_prng_below(&world->prng, HANDLER_ACTIONS_MAX + 1);
    for (size_t i = 0; i < actions; i++)
        random_action(world);
    random_check_next_deadline(world, "in a handler");
    UNIT_CHECK(alarm_scheduler_valid(&world->scheduler), "valid in a handler");
    bool rearm = unit_prng_below(&world->prng, 5) != 0;
    model_fire_end(model, rearm);
    return rearm;
}

static void random_handle(struct random_world *world)
{
    uint64_t *prng = &world->prng;
    switch (unit_prng_below(prng, 8)) {
    case 0:   /* no time passes */
        break;
    case 1:   /* a long stall: periodic alarms skip */
        world->now_us = add_saturating(world->now_us, 500 + unit_prng_below(prng, 5000));
        break;
    default:
        world->now_us = add_saturating(world->now_us, unit_prng_below(prng, 150));
        break;
    }
    model_round_begin(&world->model, world->now_us);
    size_t firings_before = world->firings;
    size_t fired = alarm_handle(&world->scheduler, world->now_us);
    if (world->diverged)
        return;
    UNIT_CHECK(model_next_due(&world->model) == NONE, "the model's round is over too");
    /* Due alarms that handlers discarded or moved did not fire. */
    UNIT_CHECK_U64(fired, world->firings - firings_before, "alarm_handle's count");
    UNIT_CHECK(fired <= world->model.due_count, "handle fired %zu of %zu due", fired,
               world->model.due_count);
}

/* The whole scheduler against the model: armed list in order, each alarm. */
static void random_check_state(struct random_world *world)
{
    size_t ids[RANDOM_ALARMS];
    size_t count = model_sorted(&world->model, ids);
    UNIT_CHECK_U64(alarm_scheduler_armed_count(&world->scheduler), count, "armed count");
    UNIT_CHECK(alarm_scheduler_valid(&world->scheduler), "alarm_scheduler_valid");
    size_t index = 0;
    for (struct list_link *link = list_first(&world->scheduler.armed);
         link != NULL && index <= RANDOM_ALARMS; link = list_next(link), index++) {
        struct alarm *alarm = LIST_ELEMENT(link, struct alarm, in_scheduler);
        size_t id = random_alarm_of(alarm)->id;
        if (!UNIT_CHECK(index < count && id == ids[index],
                        "armed list at %zu: alarm %zu, model %zu", index, id,
                        index < count ? ids[index] : NONE))
            world->diverged = true;
    }
    for (size_t id = 0; id < RANDOM_ALARMS; id++) {
        const struct random_alarm *r = &world->alarms[id];
        const struct model_alarm *m = &world->model.alarms[id];
        UNIT_CHECK(r->guard_before == GUARD && r->guard_after == GUARD && r->id == id,
                   "alarm %zu's guards", id);
        UNIT_CHECK(alarm_is_armed(&r->alarm) == m->armed, "alarm %zu armed", id);
        if (m->armed)
            UNIT_CHECK(r->alarm.deadline_us == m->deadline_us &&
                           r->alarm.period_us == m->period_us,
                       "alarm %zu's deadline and period", id);
    }
    random_check_next_deadline(world, "between operations");
}

static void test_random(uint64_t seed, uint64_t start_us)
{
    struct random_world *world = calloc(1, sizeof *world);
    world->prng = seed ^ start_us;   /* each start its own run */
    world->now_us = start_us;
    world->model.firing = NONE;
    alarm_scheduler_init(&world->scheduler);
    for (size_t id = 0; id < RANDOM_ALARMS; id++) {
        struct random_alarm *r = &world->alarms[id];
        r->guard_before = r->guard_after = GUARD;
        r->id = id;
        alarm_init(&r->alarm, random_on_alarm, world);
    }
    for (size_t step = 0; step < RANDOM_STEPS && !world->diverged; step++) {
        if (unit_prng_below(&world->prng, 3) == 0)
            random_handle(world);
        else
            random_action(world);
        random_check_state(world);
    }
    UNIT_CHECK(!world->diverged, "seed %llu start %llu: scheduler and model agree",
               (unsigned long long)seed, (unsigned long long)start_us);
    /* The run must have covered what it is for. */
    UNIT_CHECK(world->firings > 500 && world->skips > 0 && world->errors > 0,
               "seed %llu: coverage: %zu firings, %zu skipped periods, %zu errors",
               (unsigned long long)seed, world->firings, world->skips, world->errors);
    free(world);
}

int main(void)
{
    static const uint64_t seeds[] = {1, 2, 0xdeadbeef, 20240611};
    static const uint64_t starts_us[] = {0, 1000037, UINT64_MAX - 300000};
    test_one_shot_order();
    test_periodic_no_drift();
    test_rearm_from_handler();
    test_discard_from_handlers();
    test_periodic_cancel();
    test_next_deadline();
    test_errors();
    test_refused_in_handler();
    test_misuse();
    for (size_t i = 0; i < DUET_ARRAY_COUNT(seeds); i++)
        for (size_t j = 0; j < DUET_ARRAY_COUNT(starts_us); j++)
            test_random(seeds[i], starts_us[j]);
    return unit_finish("unit_alarm");
}
