/*
 * go_test.c - the goroutine runtime against Go's own channel, select and
 * wait-group tests (scenarios/goroutines.scn), each on a fresh runtime:
 *   - FIFO order through unbuffered and buffered channels (chan_test.go's
 *     TestChan order checks);
 *   - three producers and three consumers over channels of capacity 0, 1
 *     and 5: every value received exactly once, each producer's values in
 *     order at every consumer (TestMultiConsumer); multiplexed over two
 *     framework threads;
 *   - close: buffered values still delivered, then (0, false) forever;
 *     close wakes every blocked receiver and every blocked sender; send on
 *     a closed channel, a second close, close of nil: named errors
 *     (TestClosedChannel*, TestChanSendInterface panics);
 *   - non-blocking operations and select's default case (TestNonblockRecvRace,
 *     TestSelectDefault), and blocking calls from a thread refused;
 *   - the nil channel: never ready in a select, blocks forever alone;
 *   - select fairness (TestSelectFairness): with every case always ready,
 *     2,000 selects over 2 cases and 3,000 over 3 give each case within 5
 *     standard deviations of its share (for 2 cases: 1000 +- 112; for 3:
 *     1000 +- 129), a bound a fair choice misses with probability < 1e-6;
 *   - wait groups (TestWaitGroup): two groups, goroutines meeting in
 *     lock step, three rounds on the same groups (reuse), and a counter
 *     that would go negative refused with it left unchanged (misuse);
 *   - deadlock: a program where every goroutine waits is reported, each
 *     goroutine named with what it waits on;
 *   - a stack overrun (a write over the canary at the bottom of a
 *     goroutine's stack) stops go_run with GO_ERR_STACK_OVERRUN.
 * Goroutines make no system call: they count failures, and the main
 * thread logs after go_run.
 */
#include "duet/assert.h"
#include "duet/blockade.h"
#include "duet/cpu_session.h"
#include "duet/go.h"
#include "duet/libc.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/string.h"
#include "duet/text.h"

enum {
    GO_TEST_RAM = 1024 * 1024,
    HELPER_STACK = 16 * 1024,
    ORDER_VALUES = 200,
    PRODUCERS = 3,
    CONSUMERS = 3,
    PER_PRODUCER = 100,
    ROUNDS = 3,
    GROUP_MEMBERS = 4,
};

struct go_test;

struct role {
    struct go_test *test;
    unsigned index;
    go_chan channel, other, third;
    go_waitgroup group, group2;
};

struct go_test {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct cpu_thread helper;
    uint8_t *helper_stack;
    unsigned failures;
    struct go_runtime *rt;
    struct blockade round_start, round_end;   /* in the boot area: futex words */
    volatile enum go_status helper_status;
    volatile unsigned goroutine_failures;
    volatile unsigned failed_line;   /* of the last g_expect that failed */
    struct role roles[8];
    uint16_t seen[PRODUCERS * PER_PRODUCER];
    unsigned counter[4];
    unsigned closed_seen;
};

static void say(struct go_test *test, const char *what, const char *detail)
{
    char line[120];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, detail);
    log_write(test->env, test->log.cap, line);
}

static void expect(struct go_test *test, bool holds, const char *what)
{
    if (!holds) {
        test->failures++;
        say(test, "FAILED: ", what);
    }
}

/* In goroutines: count, never log. */
#define g_expect(test, holds) g_expect_at((test), (holds), __LINE__)
static void g_expect_at(struct go_test *test, bool holds, unsigned line)
{
    if (!holds) {
        test->goroutine_failures++;
        test->failed_line = line;
    }
}

static struct go_runtime *runtime_new(struct go_test *test, unsigned goroutines)
{
    struct go_config config = {.goroutines_max = goroutines, .stacks_max = goroutines,
                               .channels_max = 8, .buffer_words_max = 64, .waitgroups_max = 4,
                               .check_invariants = true};
    struct go_runtime *rt = NULL;
    enum go_status status = go_runtime_create(test->env, &config, &rt);
    expect(test, status == GO_OK, "go_runtime_create");
    DUET_ASSERT(rt != NULL);
    test->goroutine_failures = 0;
    return rt;
}

static struct role *role(struct go_test *test, unsigned index, go_chan channel)
{
    struct role *r = &test->roles[index];
    *r = (struct role){.test = test, .index = index, .channel = channel};
    return r;
}

static void spawn(struct go_test *test, struct go_runtime *rt, go_fn fn, struct role *r)
{
    enum go_status status = go_spawn(rt, fn, r, NULL);
    expect(test, status == GO_OK, "go_spawn");
}

/* The second framework thread: runs go_run whenever the main thread
 * starts a round with it. */
void go_test_helper(struct env *env, void *arg)
{
    struct go_test *test = arg;
    (void)env;
    for (;;) {
        blockade_block(&test->round_start);
        test->helper_status = go_run(test->rt);
        blockade_wakeup(&test->round_end);
    }
}

/* Runs the runtime on the main thread (and the helper if `both`). */
static enum go_status run(struct go_test *test, struct go_runtime *rt, bool both)
{
    test->rt = rt;
    if (both)
        blockade_wakeup(&test->round_start);
    enum go_status status = go_run(rt);
    if (both)
        blockade_block(&test->round_end);
    if (both && test->helper_status != status)
        expect(test, false, "the two threads' go_run disagree");
    if (test->goroutine_failures != 0) {
        char line[16];
        struct text text;
        text_init(&text, line, sizeof line);
        text_append_u64(&text, test->failed_line);
        say(test, "FAILED: a goroutine's check at go_test.c line ", line);
        test->failures++;
    }
    if (status != GO_OK && status != GO_ERR_DEADLOCK)
        say(test, "go_run: ", go_status_name(status));
    return status;
}

/* --- FIFO order --- */

static void order_producer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    for (uint64_t v = 0; v < ORDER_VALUES; v++)
        g_expect(r->test, go_send(rt, r->channel, v) == GO_OK);
    g_expect(r->test, go_close(rt, r->channel) == GO_OK);
}

static void order_consumer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    uint64_t expected = 0, value;
    bool ok;
    while (go_recv(rt, r->channel, &value, &ok) == GO_OK && ok)
        g_expect(r->test, value == expected++);
    g_expect(r->test, expected == ORDER_VALUES);
}

static void check_fifo(struct go_test *test)
{
    static const unsigned capacities[] = {0, 1, 7};
    for (unsigned i = 0; i < DUET_ARRAY_COUNT(capacities); i++) {
        struct go_runtime *rt = runtime_new(test, 2);
        go_chan ch;
        expect(test, go_chan_make(rt, capacities[i], &ch) == GO_OK, "go_chan_make");
        spawn(test, rt, order_consumer, role(test, 0, ch));
        spawn(test, rt, order_producer, role(test, 1, ch));
        expect(test, run(test, rt, false) == GO_OK, "FIFO: go_run");
        go_runtime_destroy(rt);
    }
    say(test, "FIFO order (capacity 0, 1, 7): ", "ok");
}

/* --- several producers and consumers: exactly once --- */

static void multi_producer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    for (unsigned i = 0; i < PER_PRODUCER; i++)
        g_expect(r->test, go_send(rt, r->channel, r->index * PER_PRODUCER + i) == GO_OK);
    g_expect(r->test, go_waitgroup_done(rt, r->group) == GO_OK);
}

static void multi_closer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    g_expect(r->test, go_waitgroup_wait(rt, r->group) == GO_OK);
    g_expect(r->test, go_close(rt, r->channel) == GO_OK);
}

static void multi_consumer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    int64_t last[PRODUCERS] = {-1, -1, -1};
    uint64_t value;
    bool ok;
    while (go_recv(rt, r->channel, &value, &ok) == GO_OK && ok) {
        g_expect(r->test, value < PRODUCERS * PER_PRODUCER);
        if (value >= PRODUCERS * PER_PRODUCER)
            continue;
        r->test->seen[value]++;
        unsigned producer = (unsigned)value / PER_PRODUCER;
        g_expect(r->test, (int64_t)value > last[producer]);   /* FIFO per producer */
        last[producer] = (int64_t)value;
    }
}

static void check_exactly_once(struct go_test *test, unsigned capacity, bool both)
{
    struct go_runtime *rt = runtime_new(test, PRODUCERS + CONSUMERS + 1);
    go_chan ch = 0;
    go_waitgroup producers = 0;
    expect(test, go_chan_make(rt, capacity, &ch) == GO_OK && go_waitgroup_make(rt, &producers) == GO_OK,
           "exactly once: make");
    expect(test, go_waitgroup_add(rt, producers, PRODUCERS) == GO_OK, "exactly once: add");
    for (unsigned i = 0; i < PRODUCERS * PER_PRODUCER; i++)
        test->seen[i] = 0;
    for (unsigned c = 0; c < CONSUMERS; c++)
        spawn(test, rt, multi_consumer, role(test, PRODUCERS + c, ch));
    for (unsigned p = 0; p < PRODUCERS; p++) {
        struct role *producer = role(test, p, ch);
        producer->group = producers;
        spawn(test, rt, multi_producer, producer);
    }
    struct role *closer = role(test, PRODUCERS + CONSUMERS, ch);
    closer->group = producers;
    spawn(test, rt, multi_closer, closer);
    expect(test, run(test, rt, both) == GO_OK, "exactly once: go_run");
    unsigned wrong = 0;
    for (unsigned i = 0; i < PRODUCERS * PER_PRODUCER; i++)
        wrong += test->seen[i] != 1;
    expect(test, wrong == 0, "a value was lost or received twice");
    go_runtime_destroy(rt);
}

/* --- close --- */

static void close_receiver(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    uint64_t value = 1;
    bool ok = true;
    g_expect(r->test, go_recv(rt, r->channel, &value, &ok) == GO_OK);
    g_expect(r->test, value == 0 && !ok);
    r->test->closed_seen++;
}

static void close_sender(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    g_expect(r->test, go_send(rt, r->other, 5) == GO_ERR_CLOSED);   /* blocked, then closed */
    r->test->closed_seen += 100;
}

static void close_closer(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    for (unsigned i = 0; i < 8; i++)
        go_yield(rt);
    g_expect(r->test, go_close(rt, r->channel) == GO_OK);
    g_expect(r->test, go_close(rt, r->other) == GO_OK);
    g_expect(r->test, go_close(rt, r->channel) == GO_ERR_CLOSED);
    g_expect(r->test, go_send(rt, r->channel, 1) == GO_ERR_CLOSED);
}

static void check_close(struct go_test *test)
{
    struct go_runtime *rt = runtime_new(test, 6);
    go_chan buffered = 0, unbuffered = 0, senders = 0;
    expect(test, go_chan_make(rt, 3, &buffered) == GO_OK && go_chan_make(rt, 0, &unbuffered) == GO_OK &&
                     go_chan_make(rt, 0, &senders) == GO_OK, "close: make");
    /* Buffered values survive the close, then (0, false) forever. */
    for (uint64_t v = 1; v <= 3; v++)
        expect(test, go_try_send(rt, buffered, v) == GO_OK, "close: fill the buffer");
    expect(test, go_chan_len(rt, buffered) == 3 && go_chan_cap(rt, buffered) == 3, "len and cap");
    expect(test, go_close(rt, buffered) == GO_OK, "close of a buffered channel");
    uint64_t value;
    bool ok;
    for (uint64_t v = 1; v <= 3; v++)
        expect(test, go_try_recv(rt, buffered, &value, &ok) == GO_OK && ok && value == v,
               "a buffered value lost by close");
    for (unsigned i = 0; i < 3; i++)
        expect(test, go_try_recv(rt, buffered, &value, &ok) == GO_OK && !ok && value == 0,
               "a closed, drained channel did not give (0, false)");
    expect(test, go_try_send(rt, buffered, 9) == GO_ERR_CLOSED, "send on a closed channel");
    expect(test, go_close(rt, buffered) == GO_ERR_CLOSED, "a second close");
    expect(test, go_close(rt, GO_NIL_CHANNEL) == GO_ERR_NIL_CHANNEL, "close of nil");
    expect(test, go_close(rt, 77) == GO_ERR_BAD_HANDLE, "close of a handle that is no channel");

    /* Close wakes every receiver and every sender. */
    test->closed_seen = 0;
    for (unsigned i = 0; i < 4; i++)
        spawn(test, rt, close_receiver, role(test, i, unbuffered));
    role(test, 4, unbuffered)->other = senders;
    spawn(test, rt, close_sender, &test->roles[4]);
    role(test, 5, unbuffered)->other = senders;
    spawn(test, rt, close_closer, &test->roles[5]);
    expect(test, run(test, rt, false) == GO_OK, "close: go_run");
    expect(test, test->closed_seen == 104, "close did not wake every receiver and sender");
    go_runtime_destroy(rt);
    say(test, "close semantics: ", "ok");
}

/* --- non-blocking operations and nil channels --- */

static void nonblocking_receiver(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    uint64_t value = 0;
    bool ok = false;
    g_expect(r->test, go_recv(rt, r->channel, &value, &ok) == GO_OK && ok && value == 42);
}

static void nonblocking_sender(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    /* Wait until the receiver is parked, then a try_send must succeed. */
    enum go_status status;
    unsigned tries = 0;
    while ((status = go_try_send(rt, r->channel, 42)) == GO_ERR_WOULD_BLOCK && tries++ < 1000)
        go_yield(rt);
    g_expect(r->test, status == GO_OK);
    /* select with only nil cases and a default */
    struct go_select_case cases[2] = {{.channel = GO_NIL_CHANNEL}, {.channel = GO_NIL_CHANNEL, .send = true}};
    unsigned chosen = 9;
    g_expect(r->test, go_select(rt, cases, 2, true, &chosen) == GO_ERR_WOULD_BLOCK);
}

static void check_nonblocking(struct go_test *test)
{
    struct go_runtime *rt = runtime_new(test, 2);
    go_chan unbuffered = 0, full = 0;
    expect(test, go_chan_make(rt, 0, &unbuffered) == GO_OK && go_chan_make(rt, 1, &full) == GO_OK,
           "nonblocking: make");
    uint64_t value;
    bool ok;
    expect(test, go_try_recv(rt, unbuffered, &value, &ok) == GO_ERR_WOULD_BLOCK, "try_recv on empty");
    expect(test, go_try_send(rt, unbuffered, 1) == GO_ERR_WOULD_BLOCK, "try_send with no receiver");
    expect(test, go_try_send(rt, full, 1) == GO_OK, "try_send with room");
    expect(test, go_try_send(rt, full, 2) == GO_ERR_WOULD_BLOCK, "try_send on a full channel");
    expect(test, go_send(rt, unbuffered, 1) == GO_ERR_NOT_IN_GOROUTINE, "a blocking send on a thread");
    expect(test, go_recv(rt, GO_NIL_CHANNEL, &value, &ok) == GO_ERR_NOT_IN_GOROUTINE,
           "a receive from nil on a thread");
    struct go_select_case cases[3] = {{.channel = unbuffered}, {.channel = GO_NIL_CHANNEL},
                                      {.channel = full}};
    unsigned chosen = 9;
    expect(test, go_select(rt, cases, 3, true, &chosen) == GO_OK && chosen == 2 && cases[2].ok &&
                     cases[2].value == 1, "select took a nil or an empty case over a ready one");
    expect(test, go_select(rt, cases, 3, true, &chosen) == GO_ERR_WOULD_BLOCK, "select's default");
    expect(test, go_select(rt, cases, GO_SELECT_CASES_MAX + 1, true, &chosen) == GO_ERR_BAD_ARGUMENT,
           "select with too many cases");
    spawn(test, rt, nonblocking_receiver, role(test, 0, unbuffered));
    spawn(test, rt, nonblocking_sender, role(test, 1, unbuffered));
    expect(test, run(test, rt, false) == GO_OK, "nonblocking: go_run");
    go_runtime_destroy(rt);
    say(test, "non-blocking operations and nil channels: ", "ok");
}

/* --- select fairness --- */

static void fairness_selector(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    unsigned cases_count = r->index;
    unsigned rounds = cases_count * 1000;
    struct go_select_case cases[3];
    go_chan channels[3] = {r->channel, r->other, r->third};
    for (unsigned i = 0; i < rounds; i++) {
        for (unsigned c = 0; c < cases_count; c++)
            cases[c] = (struct go_select_case){.channel = channels[c], .send = true, .value = c};
        unsigned chosen = 9;
        g_expect(r->test, go_select(rt, cases, cases_count, false, &chosen) == GO_OK);
        if (chosen >= cases_count)
            continue;
        r->test->counter[chosen]++;
        /* Take the value back out so every case stays ready. */
        uint64_t value;
        bool ok;
        g_expect(r->test, go_try_recv(rt, channels[chosen], &value, &ok) == GO_OK && value == chosen);
    }
}

static void check_fairness(struct go_test *test)
{
    for (unsigned cases_count = 2; cases_count <= 3; cases_count++) {
        struct go_runtime *rt = runtime_new(test, 1);
        go_chan a = 0, b = 0, c = 0;
        expect(test, go_chan_make(rt, 1, &a) == GO_OK && go_chan_make(rt, 1, &b) == GO_OK &&
                         go_chan_make(rt, 1, &c) == GO_OK, "fairness: make");
        for (unsigned i = 0; i < 4; i++)
            test->counter[i] = 0;
        struct role *r = role(test, cases_count, a);
        r->other = b;
        r->third = c;
        spawn(test, rt, fairness_selector, r);
        expect(test, run(test, rt, false) == GO_OK, "fairness: go_run");
        unsigned bound = cases_count == 2 ? 112 : 129;
        for (unsigned i = 0; i < cases_count; i++)
            expect(test, test->counter[i] + bound >= 1000 && test->counter[i] <= 1000 + bound,
                   "select is not fair within 5 standard deviations");
        go_runtime_destroy(rt);
    }
    say(test, "select fairness (2 and 3 ready cases, 5 sd): ", "ok");
}

/* --- wait groups --- */

/* Go's testWaitGroup: members meet at the first group, wait at the second;
 * the leader checks that none passes the second group early. */
static void group_member(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    g_expect(r->test, go_waitgroup_done(rt, r->group) == GO_OK);
    g_expect(r->test, go_waitgroup_wait(rt, r->group2) == GO_OK);
    g_expect(r->test, go_send(rt, r->channel, 1) == GO_OK);
}

static void group_leader(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    for (unsigned round = 0; round < ROUNDS; round++) {
        /* Reuse: the same two groups every round. */
        g_expect(r->test, go_waitgroup_add(rt, r->group, GROUP_MEMBERS) == GO_OK);
        g_expect(r->test, go_waitgroup_add(rt, r->group2, GROUP_MEMBERS) == GO_OK);
        for (unsigned m = 0; m < GROUP_MEMBERS; m++) {
            struct role *member = &r->test->roles[m];
            *member = *r;
            member->index = m;
            g_expect(r->test, go_spawn(rt, group_member, member, NULL) == GO_OK);
        }
        g_expect(r->test, go_waitgroup_wait(rt, r->group) == GO_OK);
        for (unsigned m = 0; m < GROUP_MEMBERS; m++) {
            g_expect(r->test, go_try_recv(rt, r->channel, NULL, NULL) == GO_ERR_WOULD_BLOCK);
            g_expect(r->test, go_waitgroup_done(rt, r->group2) == GO_OK);
        }
        for (unsigned m = 0; m < GROUP_MEMBERS; m++)
            g_expect(r->test, go_recv(rt, r->channel, NULL, NULL) == GO_OK);
        r->test->counter[0]++;
    }
    /* Misuse: below zero is refused and changes nothing. */
    g_expect(r->test, go_waitgroup_done(rt, r->group) == GO_ERR_NEGATIVE_COUNTER);
    g_expect(r->test, go_waitgroup_wait(rt, r->group) == GO_OK);
}

static void check_waitgroups(struct go_test *test)
{
    /* Members of the last round may not have exited yet when the next spawn. */
    struct go_runtime *rt = runtime_new(test, 2 * GROUP_MEMBERS + 1);
    go_waitgroup first = 0, second = 0;
    go_chan exited = 0;
    expect(test, go_waitgroup_make(rt, &first) == GO_OK && go_waitgroup_make(rt, &second) == GO_OK &&
                     go_chan_make(rt, GROUP_MEMBERS, &exited) == GO_OK, "wait groups: make");
    expect(test, go_waitgroup_done(rt, first) == GO_ERR_NEGATIVE_COUNTER, "a negative counter");
    expect(test, go_waitgroup_add(rt, first, 2) == GO_OK, "add");
    expect(test, go_waitgroup_add(rt, first, -3) == GO_ERR_NEGATIVE_COUNTER,
           "a counter pushed below zero");
    expect(test, go_waitgroup_wait(rt, first) == GO_ERR_NOT_IN_GOROUTINE, "wait on a thread");
    expect(test, go_waitgroup_add(rt, first, -2) == GO_OK, "back to zero");
    expect(test, go_waitgroup_wait(rt, first) == GO_OK, "wait at zero on a thread");
    expect(test, go_waitgroup_add(rt, 99, 1) == GO_ERR_BAD_HANDLE, "a handle that is no wait group");
    test->counter[0] = 0;
    struct role *leader = role(test, GROUP_MEMBERS, exited);
    leader->group = first;
    leader->group2 = second;
    spawn(test, rt, group_leader, leader);
    expect(test, run(test, rt, true) == GO_OK, "wait groups: go_run");
    expect(test, test->counter[0] == ROUNDS, "wait group rounds");
    go_runtime_destroy(rt);
    say(test, "wait groups (lock step, reuse, misuse): ", "ok");
}

/* --- deadlock --- */

static void stuck_receiver(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    (void)go_recv(rt, r->channel, NULL, NULL);
    r->test->goroutine_failures++;   /* never */
}

static void stuck_sender(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    (void)go_send(rt, r->other, 1);
    r->test->goroutine_failures++;
}

static void stuck_waiter(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    (void)go_waitgroup_wait(rt, r->group);
    r->test->goroutine_failures++;
}

static void stuck_on_nil(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    (void)go_recv(rt, GO_NIL_CHANNEL, NULL, NULL);
    r->test->goroutine_failures++;
}

static void stuck_selector(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    struct go_select_case cases[3] = {{.channel = r->third}, {.channel = GO_NIL_CHANNEL},
                                      {.channel = r->third, .send = true}};
    unsigned chosen;
    (void)go_select(rt, cases, 3, false, &chosen);
    r->test->goroutine_failures++;
}

static void check_deadlock(struct go_test *test)
{
    struct go_runtime *rt = runtime_new(test, 5);
    go_chan a = 0, b = 0, c = 0;
    go_waitgroup group = 0;
    expect(test, go_chan_make(rt, 0, &a) == GO_OK && go_chan_make(rt, 0, &b) == GO_OK &&
                     go_chan_make(rt, 0, &c) == GO_OK &&
                     go_waitgroup_make(rt, &group) == GO_OK && go_waitgroup_add(rt, group, 1) == GO_OK,
           "deadlock: make");
    static const go_fn stuck[] = {stuck_receiver, stuck_sender, stuck_waiter, stuck_on_nil,
                                  stuck_selector};
    for (unsigned i = 0; i < DUET_ARRAY_COUNT(stuck); i++) {
        struct role *r = role(test, i, a);
        r->other = b;
        r->third = c;
        r->group = group;
        spawn(test, rt, stuck[i], r);
    }
    expect(test, run(test, rt, false) == GO_ERR_DEADLOCK, "a deadlock was not reported");
    struct go_blocked blocked[8];
    unsigned count = go_blocked(rt, blocked, 8);
    expect(test, count == 5, "not every goroutine was reported blocked");
    static const char *const want[] = {
        "goroutine 1 waits to receive on channel 1", "goroutine 2 waits to send on channel 2",
        "goroutine 3 waits on wait group 1", "goroutine 4 waits forever (nil channel or empty select)",
        "goroutine 5 waits in a select on 2 channel cases"};
    for (unsigned i = 0; i < count && i < 5; i++) {
        char line[96];
        go_blocked_describe(&blocked[i], line, sizeof line);
        say(test, "deadlock: ", line);
        expect(test, duet_strcmp(line, want[i]) == 0, "a blocked goroutine misnamed");
    }
    test->goroutine_failures = 0;
    go_runtime_destroy(rt);
    say(test, "deadlock detection: ", "ok");
}

/* --- stack overrun --- */

/* Plays an overrun: finds its own stack's lowest bytes (the stack is
 * stack_bytes below the page-aligned top, and this frame lies in the top
 * page) and writes there, where the canary is, above the guard page. */
static void overrunner(struct go_runtime *rt, void *arg)
{
    struct role *r = arg;
    volatile uint8_t here = 0;
    uintptr_t top = ((uintptr_t)&here + 4095) & ~(uintptr_t)4095;
    volatile uint8_t *lowest = (volatile uint8_t *)(top - GO_STACK_BYTES_DEFAULT);
    lowest[3] ^= 0x5a;
    r->test->closed_seen = 1;
    go_yield(rt);   /* the scheduler checks the canary on the way back */
    r->test->goroutine_failures++;   /* never resumed: go_run stopped */
}

static void check_overrun(struct go_test *test)
{
    struct go_runtime *rt = runtime_new(test, 1);
    test->closed_seen = 0;
    spawn(test, rt, overrunner, role(test, 0, GO_NIL_CHANNEL));
    expect(test, go_run(rt) == GO_ERR_STACK_OVERRUN && test->closed_seen == 1,
           "a stack overrun was not reported");
    expect(test, test->goroutine_failures == 0, "a goroutine ran on after its overrun");
    go_runtime_destroy(rt);
    say(test, "stack overrun: ", "GO_ERR_STACK_OVERRUN");
}

void go_test_main(struct env *env)
{
    struct go_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    test->helper_stack = env_alloc(env, HELPER_STACK);
    blockade_init(&test->round_start);
    blockade_init(&test->round_end);
    DUET_ASSERT(test->helper_stack != NULL);
    if (log_connection_open(env, &test->log) != RPC_OK || cpu_connection_open(env, &test->cpu) != RPC_OK ||
        libc_init(env, GO_TEST_RAM) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    expect(test, cpu_thread_create(env, test->cpu.cap, &test->helper, go_test_helper, test,
                                   test->helper_stack, HELPER_STACK) == RPC_OK, "the helper thread");
    check_fifo(test);
    static const unsigned capacities[] = {0, 1, 5};
    for (unsigned i = 0; i < DUET_ARRAY_COUNT(capacities); i++)
        check_exactly_once(test, capacities[i], i == 1);
    say(test, "3 producers, 3 consumers, capacity 0, 1, 5, two threads: ", "each value once");
    check_close(test);
    check_nonblocking(test);
    check_fairness(test);
    check_waitgroups(test);
    check_deadlock(test);
    check_overrun(test);
    if (test->failures == 0)
        log_write(env, test->log.cap, "goroutine checks passed");
    parent_exit(env, test->failures == 0 ? 0 : 1);
}
