/*
 * timer_test.c - alarms of the timer service, on the timer's clock
 * (scenarios/timer.scn).
 *
 *   1. Alarm order: three sessions armed one-shot for 30, 10 and 20 ms
 *      signal in deadline order, each no earlier than its delay.
 *   2. One-shot re-arm: arming again replaces the alarm; the first
 *      deadline never fires, the new one fires once.
 *   3. Periodic rate: a 10 ms periodic alarm; the client sleeps 95 ms on
 *      another session (and another receiver) in between, and the periods
 *      it missed arrive as one signal with their count. The 100th period is reached after
 *      1000 ms on the timer's clock, not later: no drift.
 *   4. Disarming a periodic alarm stops it.
 *   5. An alarm in the far future (whose tick count would overflow) does
 *      not stop the clock for the others.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/signal_session.h"
#include "duet/text.h"
#include "duet/timer_session.h"

enum {
    SESSIONS = 3,
    MS = 1000,
    PERIOD_US = 10 * MS,
    PERIODS = 100,
};

struct timer_test {
    struct env *env;
    struct log_connection log;
    struct signal_connection signals;
    struct timer_connection timers[SESSIONS];
    cap_index_t contexts[SESSIONS];
    struct signal_connection sleep_signals;   /* a receiver of its own */
    struct timer_connection sleeper;
    cap_index_t sleep_context;
};

static void say(struct timer_test *test, const char *what, uint64_t number)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append_u64(&text, number);
    log_write(test->env, test->log.cap, line);
}

static uint64_t now_us(struct timer_test *test)
{
    uint64_t us = 0;
    DUET_ASSERT(timer_elapsed_us(test->env, test->timers[0].cap, &us) == RPC_OK);
    return us;
}

static struct signal wait_signal(struct timer_test *test)
{
    struct signal signal;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, true, &signal) == SYS_OK);
    DUET_ASSERT(signal.imprint >= 1 && signal.imprint <= SESSIONS && signal.count >= 1);
    return signal;
}

static void nothing_pending(struct timer_test *test)
{
    struct signal signal;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, false, &signal) == SYS_ERR_WOULD_BLOCK);
}

static void alarm_order(struct timer_test *test)
{
    static const uint64_t delays_ms[SESSIONS] = {30, 10, 20};
    static const uint64_t order[SESSIONS] = {2, 3, 1};   /* imprints by deadline */
    uint64_t start = now_us(test);
    for (unsigned i = 0; i < SESSIONS; i++)
        DUET_ASSERT(timer_trigger_once(test->env, test->timers[i].cap, delays_ms[i] * MS) ==
                    RPC_OK);
    for (unsigned i = 0; i < SESSIONS; i++) {
        struct signal signal = wait_signal(test);
        uint64_t at = now_us(test);
        DUET_ASSERT(signal.imprint == order[i] && signal.count == 1);
        DUET_ASSERT(at - start >= delays_ms[order[i] - 1] * MS);   /* never early */
    }
    nothing_pending(test);
    log_write(test->env, test->log.cap, "one-shot alarms fired in deadline order, none early");
}

static void rearm(struct timer_test *test)
{
    uint64_t start = now_us(test);
    DUET_ASSERT(timer_trigger_once(test->env, test->timers[0].cap, 50 * MS) == RPC_OK);
    DUET_ASSERT(timer_trigger_once(test->env, test->timers[0].cap, 5 * MS) == RPC_OK);
    struct signal signal = wait_signal(test);
    DUET_ASSERT(signal.imprint == 1 && now_us(test) - start >= 5 * MS);
    /* A fence past the replaced deadline: nothing of session 0 before it. */
    DUET_ASSERT(timer_trigger_once(test->env, test->timers[1].cap, 80 * MS) == RPC_OK);
    signal = wait_signal(test);
    DUET_ASSERT(signal.imprint == 2);
    nothing_pending(test);
    log_write(test->env, test->log.cap, "a re-armed one-shot fired once, at its new deadline");
}

static void periodic(struct timer_test *test)
{
    uint64_t start = now_us(test);
    DUET_ASSERT(timer_trigger_periodic(test->env, test->timers[0].cap, PERIOD_US) == RPC_OK);
    uint64_t periods = 0, deliveries = 0;
    bool slept = false;
    while (periods < PERIODS) {
        if (!slept && periods >= 20) {
            /* A slow client: 95 ms waiting on another receiver, while the
             * periods go on and their signal's count grows. */
            DUET_ASSERT(timer_trigger_once(test->env, test->sleeper.cap, 95 * MS) == RPC_OK);
            struct signal woke;
            DUET_ASSERT(sys_signal_wait(test->sleep_signals.receiver, true, &woke) == SYS_OK);
            slept = true;
            continue;
        }
        struct signal signal = wait_signal(test);
        DUET_ASSERT(signal.imprint == 1);
        periods += signal.count;
        deliveries++;
    }
    uint64_t elapsed = now_us(test) - start;
    DUET_ASSERT(periods == PERIODS);
    /* The 100th period ends at 1000 ms; the 101st would at 1010 ms. */
    DUET_ASSERT(elapsed >= PERIODS * PERIOD_US && elapsed < (PERIODS + 1) * PERIOD_US);
    /* The 9 periods slept through came as one signal (count 9): 8 fewer. */
    DUET_ASSERT(deliveries <= PERIODS - 8);
    /* Not the elapsed time itself: how far past 1000 ms the client sees
     * the end is the machine's latency (the cross-check compares lines). */
    say(test, "periodic alarm: every period counted, done before the next one: ", PERIODS);

    DUET_ASSERT(timer_trigger_periodic(test->env, test->timers[0].cap, 0) == RPC_OK);
    struct signal signal;
    while (sys_signal_wait(test->signals.receiver, false, &signal) == SYS_OK)
        ;   /* a period that ended before the disarm */
    DUET_ASSERT(timer_trigger_once(test->env, test->timers[2].cap, 50 * MS) == RPC_OK);
    signal = wait_signal(test);
    DUET_ASSERT(signal.imprint == 3);
    nothing_pending(test);
    log_write(test->env, test->log.cap, "a disarmed periodic alarm stays silent");
}

static void far_future(struct timer_test *test)
{
    /* Delays around one whose tick count wrapped to 0 (a review finding). */
    static const uint64_t far = UINT64_C(15460126010708803531);
    for (uint64_t offset = 0; offset < 64; offset += 7) {
        DUET_ASSERT(timer_trigger_once(test->env, test->timers[2].cap, far + offset) == RPC_OK);
        uint64_t before = now_us(test);
        DUET_ASSERT(timer_trigger_once(test->env, test->timers[1].cap, 2 * MS) == RPC_OK);
        struct signal signal = wait_signal(test);
        DUET_ASSERT(signal.imprint == 2 && now_us(test) - before >= 2 * MS);
    }
    DUET_ASSERT(timer_trigger_once(test->env, test->timers[2].cap, 1) == RPC_OK);
    struct signal signal = wait_signal(test);
    DUET_ASSERT(signal.imprint == 3);
    nothing_pending(test);
    log_write(test->env, test->log.cap, "a far-future alarm leaves the clock running");
}

void timer_test_main(struct env *env)
{
    struct timer_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &test->signals) == RPC_OK);
    for (unsigned i = 0; i < SESSIONS; i++) {
        DUET_ASSERT(timer_connection_open(env, &test->timers[i]) == RPC_OK);
        DUET_ASSERT(signal_context_alloc(env, &test->signals, i + 1, &test->contexts[i]) ==
                    RPC_OK);
        DUET_ASSERT(timer_sigh(env, test->timers[i].cap, test->contexts[i]) == RPC_OK);
    }
    DUET_ASSERT(signal_connection_open(env, &test->sleep_signals) == RPC_OK);
    DUET_ASSERT(timer_connection_open(env, &test->sleeper) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &test->sleep_signals, 1, &test->sleep_context) == RPC_OK);
    DUET_ASSERT(timer_sigh(env, test->sleeper.cap, test->sleep_context) == RPC_OK);
    alarm_order(test);
    rearm(test);
    periodic(test);
    far_future(test);
    log_write(env, test->log.cap, "timer checks passed");
    parent_exit(env, 0);
}
