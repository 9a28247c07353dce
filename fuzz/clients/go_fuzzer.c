/*
 * go_fuzzer.c - goroutine programs chosen by the fuzzer's bytes, run on
 * the goroutine runtime under oracles (fuzz target "go", target_go.c).
 *
 * The program (ROM "program"):
 *   byte 0   goroutines started: 1 + b % 6
 *   byte 1   channels: 1 + b % 4;  bytes 2-5 their capacities (b % 4)
 *   byte 6   bit 0: run on two framework threads; bits 1-3: wait group
 *            counter to start with
 *   then 2-byte operations {op, arg}, dealt round robin to the scripts of
 *   the goroutines (script i: operations i, i + G, i + 2G, ...; at most
 *   GF_SCRIPT_MAX each). A spawned goroutine runs the script it names.
 * Operations (op % 12; channel k = arg % (C + 1), k == C the nil channel):
 *   0 send  1 receive  2 try-send  3 try-receive  4 select (up to 3 cases:
 *   channel (arg >> 2i) & 3 (>= C: nil), send if op bit 4 + i, nonblocking
 *   if op bit 7)  5 close  6 yield  7 spawn script arg % G  8 wait group
 *   add (1 + arg % 2)  9 wait group done  10 wait group wait  11 recursion
 *   arg % GF_DEEP_MAX frames deep (stack use, well inside the stack in
 *   every build: a 32 KiB stack overflowed into its guard page at -O0
 *   under ASan, which ended the process as designed).
 * The switch order comes from the choice stream (hal_choice in the
 * runtime, and the kernel's choice of thread).
 *
 * Oracles (assertions: a violation ends the world as failed):
 *   - no value is lost or duplicated: every value is unique (goroutine,
 *     sequence); at the end each one whose send returned GO_OK was
 *     received exactly once, or is still buffered (drained by the main
 *     thread), and nothing else was ever received;
 *   - channel semantics: each receiver sees each sender's values on one
 *     channel in the order they were sent; a receive gives (0, false) and
 *     a send GO_ERR_CLOSED only after a close began; close returns
 *     GO_ERR_CLOSED exactly on the second close; a try operation would
 *     block only when the channel is empty / full; len <= cap; a wait
 *     group counter is refused exactly when it would go negative;
 *   - deadlocks are reported, never hung: go_run returns within the step
 *     budget; with GO_ERR_DEADLOCK every goroutine left is reported, with
 *     what its current operation waits on, and no two of them could have
 *     completed with each other (a sender and a receiver on one channel,
 *     a receiver on a channel with values or closed, a sender with room,
 *     a waiter on a zero counter);
 *   - stacks are never overrun: go_run never says GO_ERR_STACK_OVERRUN
 *     (the canary), and a guard page stops anything deeper.
 * The success line is "go oracles held".
 */
#include "duet/assert.h"
#include "duet/blockade.h"
#include "duet/cpu_session.h"
#include "duet/go.h"
#include "duet/libc.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/text.h"

enum {
    GF_PROGRAM_MAX = 1024,
    GF_HEADER = 7,
    GF_STARTED_MAX = 6,
    GF_CHANNELS_MAX = 4,
    GF_INSTANCES_MAX = 16,            /* goroutines ever spawned in one run */
    GF_LIVE_MAX = 8,                  /* the runtime's table */
    GF_SCRIPT_MAX = 32,
    GF_SEQ_MAX = 64,                  /* values one goroutine can send */
    GF_RAM = 768 * 1024,
    GF_STACK_BYTES = 64 * 1024,       /* DEEP at -O0 + ASan: ~600 B a frame */
    GF_DEEP_MAX = 48,
    GF_HELPER_STACK = 16 * 1024,
};

enum gf_op {
    GF_SEND, GF_RECV, GF_TRY_SEND, GF_TRY_RECV, GF_SELECT, GF_CLOSE, GF_YIELD, GF_SPAWN,
    GF_WG_ADD, GF_WG_DONE, GF_WG_WAIT, GF_DEEP, GF_OPS
};

struct go_fuzzer;

struct gf_instance {
    struct go_fuzzer *f;
    unsigned index;
    unsigned script;
    unsigned next_op;                 /* the operation running or next */
    bool finished;
    unsigned sequence;                /* values sent so far */
    /* What the current operation may wait on (for the deadlock oracle). */
    unsigned waits_count;
    go_chan waits_channel[3];
    bool waits_send[3];
    bool waits_group;
};

struct go_fuzzer {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct cpu_thread helper;
    struct blockade helper_start, helper_end;
    volatile enum go_status helper_status;
    struct go_runtime *rt;
    uint8_t program[GF_PROGRAM_MAX];
    size_t length;
    unsigned started, channel_count, scripts_count;
    bool two_threads;
    go_chan channels[GF_CHANNELS_MAX];
    unsigned capacity[GF_CHANNELS_MAX];
    bool close_began[GF_CHANNELS_MAX];
    unsigned closes_done[GF_CHANNELS_MAX];
    go_waitgroup group;
    int64_t group_counter;            /* the model */
    uint8_t script_ops[GF_STARTED_MAX][GF_SCRIPT_MAX][2];
    unsigned script_length[GF_STARTED_MAX];
    struct gf_instance instances[GF_INSTANCES_MAX];
    unsigned instance_count;
    uint8_t sent_ok[GF_INSTANCES_MAX][GF_SEQ_MAX];
    uint8_t received[GF_INSTANCES_MAX][GF_SEQ_MAX];
    int16_t last_seen[GF_INSTANCES_MAX][GF_CHANNELS_MAX][GF_INSTANCES_MAX];
};

static unsigned channel_index(const struct go_fuzzer *f, go_chan ch)
{
    for (unsigned k = 0; k < f->channel_count; k++)
        if (f->channels[k] == ch)
            return k;
    return GF_CHANNELS_MAX;   /* nil */
}

static go_chan channel_of(const struct go_fuzzer *f, unsigned k)
{
    return k < f->channel_count ? f->channels[k] : GO_NIL_CHANNEL;
}

/* Oracles on one received value. */
static void value_received(struct go_fuzzer *f, struct gf_instance *me, go_chan ch, uint64_t value,
                           bool ok)
{
    unsigned k = channel_index(f, ch);
    DUET_ASSERT(k < f->channel_count);
    if (!ok) {
        DUET_ASSERT(value == 0 && f->close_began[k]);   /* (0, false) only after a close */
        return;
    }
    unsigned sender = (unsigned)(value >> 8), seq = (unsigned)(value & 0xff);
    DUET_ASSERT(sender < f->instance_count && seq < GF_SEQ_MAX);   /* never invented */
    DUET_ASSERT(f->received[sender][seq] == 0);                     /* never twice */
    f->received[sender][seq] = 1;
    int16_t *last = &f->last_seen[me->index][k][sender];
    DUET_ASSERT((int)seq > *last);                                  /* FIFO per sender */
    *last = (int16_t)seq;
}

static uint64_t value_next(struct gf_instance *me, bool *out_room)
{
    *out_room = me->sequence < GF_SEQ_MAX;
    return ((uint64_t)me->index << 8) | (me->sequence < GF_SEQ_MAX ? me->sequence : 0);
}

static void send_returned(struct go_fuzzer *f, struct gf_instance *me, go_chan ch,
                          enum go_status status)
{
    unsigned k = channel_index(f, ch);
    DUET_ASSERT(k < f->channel_count);
    if (status == GO_OK) {
        f->sent_ok[me->index][me->sequence] = 1;
    } else {
        DUET_ASSERT(status == GO_ERR_CLOSED && f->close_began[k]);
    }
    me->sequence++;
}

static void waits_on(struct gf_instance *me, unsigned count, const go_chan *channels, const bool *send)
{
    me->waits_count = count;
    me->waits_group = false;
    for (unsigned i = 0; i < count; i++) {
        me->waits_channel[i] = channels[i];
        me->waits_send[i] = send[i];
    }
}

static void op_send(struct go_fuzzer *f, struct gf_instance *me, unsigned k, bool nonblocking)
{
    bool room;
    uint64_t value = value_next(me, &room);
    if (!room)
        return;
    go_chan ch = channel_of(f, k);
    bool send = true;
    waits_on(me, 1, &ch, &send);
    if (nonblocking) {
        enum go_status status = go_try_send(f->rt, ch, value);
        if (status == GO_ERR_WOULD_BLOCK) {
            DUET_ASSERT(ch == GO_NIL_CHANNEL || (go_chan_len(f->rt, ch) == f->capacity[k] &&
                                                 !f->close_began[k]));
            return;
        }
        send_returned(f, me, ch, status);
        return;
    }
    enum go_status status = go_send(f->rt, ch, value);
    DUET_ASSERT(ch != GO_NIL_CHANNEL);   /* a send on nil never returns */
    send_returned(f, me, ch, status);
}

static void op_recv(struct go_fuzzer *f, struct gf_instance *me, unsigned k, bool nonblocking)
{
    go_chan ch = channel_of(f, k);
    bool send = false;
    waits_on(me, 1, &ch, &send);
    uint64_t value = 7;
    bool ok = true;
    enum go_status status = nonblocking ? go_try_recv(f->rt, ch, &value, &ok)
                                        : go_recv(f->rt, ch, &value, &ok);
    if (status == GO_ERR_WOULD_BLOCK) {
        DUET_ASSERT(nonblocking && (ch == GO_NIL_CHANNEL || (go_chan_len(f->rt, ch) == 0 &&
                                                              !f->close_began[k])));
        return;
    }
    DUET_ASSERT(status == GO_OK && ch != GO_NIL_CHANNEL);
    value_received(f, me, ch, value, ok);
}

static void op_select(struct go_fuzzer *f, struct gf_instance *me, uint8_t op, uint8_t arg)
{
    struct go_select_case cases[3];
    go_chan channels[3];
    bool sends[3];
    unsigned count = 1 + arg % 3;
    bool room;
    uint64_t value = value_next(me, &room);
    for (unsigned i = 0; i < count; i++) {
        unsigned k = (arg >> (2 * i + 2)) & 3;
        channels[i] = channel_of(f, k);
        sends[i] = room && (op >> (4 + i)) & 1;
        cases[i] = (struct go_select_case){.channel = channels[i], .send = sends[i], .value = value};
    }
    bool nonblocking = (op & 0x80) != 0;
    waits_on(me, count, channels, sends);
    unsigned chosen = 99;
    enum go_status status = go_select(f->rt, cases, count, nonblocking, &chosen);
    if (status == GO_ERR_WOULD_BLOCK) {
        DUET_ASSERT(nonblocking);
        for (unsigned i = 0; i < count; i++) {   /* nothing was ready */
            unsigned k = channel_index(f, channels[i]);
            if (k == GF_CHANNELS_MAX)
                continue;
            unsigned len = go_chan_len(f->rt, channels[i]);
            DUET_ASSERT(!f->close_began[k] && (sends[i] ? len == f->capacity[k] : len == 0));
        }
        return;
    }
    DUET_ASSERT(chosen < count && channels[chosen] != GO_NIL_CHANNEL);
    if (sends[chosen])
        send_returned(f, me, channels[chosen], status);
    else
        value_received(f, me, channels[chosen], cases[chosen].value, cases[chosen].ok);
}

static void op_close(struct go_fuzzer *f, unsigned k)
{
    go_chan ch = channel_of(f, k);
    if (ch == GO_NIL_CHANNEL) {
        DUET_ASSERT(go_close(f->rt, ch) == GO_ERR_NIL_CHANNEL);
        return;
    }
    bool first = !f->close_began[k];
    f->close_began[k] = true;
    enum go_status status = go_close(f->rt, ch);
    DUET_ASSERT(status == (first ? GO_OK : GO_ERR_CLOSED));
    f->closes_done[k]++;
}

static void op_group(struct go_fuzzer *f, struct gf_instance *me, int64_t delta)
{
    /* Decide against the model first: nothing runs between here and the
     * call, and the call may hand the processor over once it is done. */
    bool refused = f->group_counter + delta < 0;
    if (!refused)
        f->group_counter += delta;
    enum go_status status = go_waitgroup_add(f->rt, f->group, delta);
    DUET_ASSERT(status == (refused ? GO_ERR_NEGATIVE_COUNTER : GO_OK));
    (void)me;
}

static unsigned deep(unsigned depth)
{
    volatile uint8_t frame[192];
    frame[0] = (uint8_t)depth;
    frame[191] = (uint8_t)depth;
    if (depth == 0)
        return frame[0];
    return deep(depth - 1) + frame[191];
}

static void instance_start(struct go_fuzzer *f, unsigned script);

void go_fuzzer_routine(struct go_runtime *rt, void *arg)
{
    struct gf_instance *me = arg;
    struct go_fuzzer *f = me->f;
    (void)rt;
    unsigned length = f->script_length[me->script];
    for (me->next_op = 0; me->next_op < length; me->next_op++) {
        uint8_t op = f->script_ops[me->script][me->next_op][0];
        uint8_t arg = f->script_ops[me->script][me->next_op][1];
        unsigned k = arg % (f->channel_count + 1);
        me->waits_count = 0;
        me->waits_group = false;
        switch ((enum gf_op)(op % GF_OPS)) {
        case GF_SEND: op_send(f, me, k, false); break;
        case GF_RECV: op_recv(f, me, k, false); break;
        case GF_TRY_SEND: op_send(f, me, k, true); break;
        case GF_TRY_RECV: op_recv(f, me, k, true); break;
        case GF_SELECT: op_select(f, me, op, arg); break;
        case GF_CLOSE: op_close(f, k); break;
        case GF_YIELD: go_yield(f->rt); break;
        case GF_SPAWN: instance_start(f, arg % f->scripts_count); break;
        case GF_WG_ADD: op_group(f, me, 1 + arg % 2); break;
        case GF_WG_DONE: op_group(f, me, -1); break;
        case GF_WG_WAIT:
            me->waits_group = true;
            DUET_ASSERT(go_waitgroup_wait(f->rt, f->group) == GO_OK);
            break;
        case GF_DEEP: (void)deep(arg % GF_DEEP_MAX); break;
        case GF_OPS: break;
        }
    }
    me->finished = true;
}

static void instance_start(struct go_fuzzer *f, unsigned script)
{
    if (f->instance_count == GF_INSTANCES_MAX)
        return;
    struct gf_instance *g = &f->instances[f->instance_count];
    *g = (struct gf_instance){.f = f, .index = f->instance_count, .script = script};
    go_id id = 0;
    enum go_status status = go_spawn(f->rt, go_fuzzer_routine, g, &id);
    if (status == GO_ERR_NO_GOROUTINE) {
        struct go_stats stats;
        go_stats(f->rt, &stats);
        DUET_ASSERT(stats.live == GF_LIVE_MAX);   /* refused only when full */
        return;
    }
    DUET_ASSERT(status == GO_OK && id == f->instance_count + 1);   /* ids in spawn order */
    f->instance_count++;
}

void go_fuzzer_helper(struct env *env, void *arg)
{
    struct go_fuzzer *f = arg;
    (void)env;
    blockade_block(&f->helper_start);
    f->helper_status = go_run(f->rt);
    blockade_wakeup(&f->helper_end);
}

static void decode(struct go_fuzzer *f)
{
    const uint8_t *p = f->program;
    uint8_t header[GF_HEADER] = {0};
    for (unsigned i = 0; i < GF_HEADER && i < f->length; i++)
        header[i] = p[i];
    f->started = 1 + header[0] % GF_STARTED_MAX;
    f->scripts_count = f->started;
    f->channel_count = 1 + header[1] % GF_CHANNELS_MAX;
    for (unsigned k = 0; k < f->channel_count; k++)
        f->capacity[k] = header[2 + k] % 4;
    f->two_threads = (header[6] & 1) != 0;
    f->group_counter = (header[6] >> 1) & 7;
    size_t at = GF_HEADER;
    for (unsigned n = 0; at + 2 <= f->length; n++, at += 2) {
        unsigned script = n % f->scripts_count;
        if (f->script_length[script] == GF_SCRIPT_MAX)
            break;
        f->script_ops[script][f->script_length[script]][0] = p[at];
        f->script_ops[script][f->script_length[script]][1] = p[at + 1];
        f->script_length[script]++;
    }
}

/* Two blocked goroutines that could have completed with each other, or a
 * goroutine blocked on something that is ready, mean a missed wake-up. */
static void deadlock_sound(struct go_fuzzer *f)
{
    for (unsigned a = 0; a < f->instance_count; a++) {
        const struct gf_instance *x = &f->instances[a];
        if (x->finished)
            continue;
        DUET_ASSERT(!x->waits_group || f->group_counter > 0);
        for (unsigned i = 0; i < x->waits_count; i++) {
            unsigned k = channel_index(f, x->waits_channel[i]);
            if (k == GF_CHANNELS_MAX)
                continue;   /* nil: never */
            unsigned len = go_chan_len(f->rt, x->waits_channel[i]);
            DUET_ASSERT(!f->close_began[k]);
            DUET_ASSERT(x->waits_send[i] ? len == f->capacity[k] : len == 0);
            for (unsigned b = a + 1; b < f->instance_count; b++) {
                const struct gf_instance *y = &f->instances[b];
                if (y->finished)
                    continue;
                for (unsigned j = 0; j < y->waits_count; j++)
                    DUET_ASSERT(!(y->waits_channel[j] == x->waits_channel[i] &&
                                  y->waits_send[j] != x->waits_send[i]));
            }
        }
    }
}

/* The deadlock report and the model's view, in the log (and so in the
 * trace a finding prints). */
static void deadlock_log(struct go_fuzzer *f, const struct go_blocked *blocked, unsigned count)
{
    char line[112];
    for (unsigned i = 0; i < count && i < GF_LIVE_MAX; i++) {
        go_blocked_describe(&blocked[i], line, sizeof line);
        log_write(f->env, f->log.cap, line);
    }
    for (unsigned a = 0; a < f->instance_count; a++) {
        const struct gf_instance *x = &f->instances[a];
        if (x->finished)
            continue;
        struct text text;
        text_init(&text, line, sizeof line);
        text_append(&text, "model: instance ");
        text_append_u64(&text, a);
        text_append(&text, " script ");
        text_append_u64(&text, x->script);
        text_append(&text, " op ");
        text_append_u64(&text, x->next_op);
        text_append(&text, " waits");
        for (unsigned i = 0; i < x->waits_count; i++) {
            text_append(&text, x->waits_send[i] ? " send " : " recv ");
            text_append_u64(&text, x->waits_channel[i]);
        }
        if (x->waits_group)
            text_append(&text, " group");
        log_write(f->env, f->log.cap, line);
    }
}

static void deadlock_reported(struct go_fuzzer *f)
{
    struct go_blocked blocked[GF_LIVE_MAX];
    unsigned count = go_blocked(f->rt, blocked, GF_LIVE_MAX);
    deadlock_log(f, blocked, count);
    unsigned unfinished = 0;
    for (unsigned a = 0; a < f->instance_count; a++)
        unfinished += !f->instances[a].finished;
    DUET_ASSERT(count == unfinished && count > 0);   /* every one left is reported */
    for (unsigned i = 0; i < count; i++) {
        DUET_ASSERT(blocked[i].id >= 1 && blocked[i].id <= f->instance_count);
        const struct gf_instance *x = &f->instances[blocked[i].id - 1];
        DUET_ASSERT(!x->finished);
        unsigned not_nil = 0;
        for (unsigned c = 0; c < x->waits_count; c++)
            not_nil += x->waits_channel[c] != GO_NIL_CHANNEL;
        switch (blocked[i].wait) {
        case GO_WAIT_SEND:
        case GO_WAIT_RECV:
            DUET_ASSERT(x->waits_count == 1 && blocked[i].object == x->waits_channel[0] &&
                        x->waits_send[0] == (blocked[i].wait == GO_WAIT_SEND));
            break;
        case GO_WAIT_SELECT: DUET_ASSERT(not_nil > 0 && blocked[i].object == not_nil); break;
        case GO_WAIT_NIL: DUET_ASSERT(x->waits_count > 0 && not_nil == 0); break;
        case GO_WAIT_WAITGROUP: DUET_ASSERT(x->waits_group && blocked[i].object == f->group); break;
        case GO_WAIT_NONE: DUET_ASSERT(!"a blocked goroutine waits on nothing"); break;
        }
    }
    deadlock_sound(f);
}

/* A goroutine left blocked (deadlock) waits to send on channel k: taking
 * from k would hand its value over and wake it, after the run. */
static bool sender_blocked_on(const struct go_fuzzer *f, go_chan ch)
{
    for (unsigned a = 0; a < f->instance_count; a++) {
        const struct gf_instance *x = &f->instances[a];
        for (unsigned i = 0; !x->finished && i < x->waits_count; i++)
            if (x->waits_channel[i] == ch && x->waits_send[i])
                return true;
    }
    return false;
}

/* After the run: every value whose send returned GO_OK was received
 * exactly once or is still buffered; nothing else was received. Buffers
 * nobody waits to refill are drained (by a fresh receiver) to check which
 * values they hold. */
static void values_conserved(struct go_fuzzer *f)
{
    unsigned sent = 0, received = 0, buffered = 0;
    for (unsigned g = 0; g < f->instance_count; g++)
        for (unsigned s = 0; s < GF_SEQ_MAX; s++) {
            DUET_ASSERT(f->sent_ok[g][s] || !f->received[g][s]);   /* never invented */
            sent += f->sent_ok[g][s];
            received += f->received[g][s];
        }
    for (unsigned k = 0; k < f->channel_count; k++) {
        unsigned len = go_chan_len(f->rt, f->channels[k]);
        DUET_ASSERT(len <= f->capacity[k]);
        buffered += len;
    }
    DUET_ASSERT(sent == received + buffered);   /* nothing lost, nothing twice */
    bool all_drained = true;
    struct gf_instance drain = {.f = f, .index = GF_INSTANCES_MAX - 1};
    for (unsigned k = 0; k < f->channel_count; k++) {
        unsigned len = go_chan_len(f->rt, f->channels[k]);
        if (sender_blocked_on(f, f->channels[k])) {
            all_drained = all_drained && len == 0;
            continue;
        }
        for (unsigned s = 0; s < GF_INSTANCES_MAX; s++)
            f->last_seen[drain.index][k][s] = -1;
        for (unsigned i = 0; i < len; i++) {
            uint64_t value = 0;
            bool ok = false;
            DUET_ASSERT(go_try_recv(f->rt, f->channels[k], &value, &ok) == GO_OK && ok);
            value_received(f, &drain, f->channels[k], value, ok);
        }
    }
    for (unsigned g = 0; all_drained && g < f->instance_count; g++)
        for (unsigned s = 0; s < GF_SEQ_MAX; s++)
            DUET_ASSERT(f->sent_ok[g][s] == f->received[g][s]);
}

static void start(struct go_fuzzer *f)
{
    struct env *env = f->env;
    struct rom_connection rom;
    DUET_ASSERT(rom_connection_open(env, "program", &rom) == RPC_OK);
    DUET_ASSERT(rom_read_all(env, rom.cap, f->program, sizeof f->program, &f->length) == RPC_OK);
    DUET_ASSERT(rom_connection_close(env, &rom) == RPC_OK);
    DUET_ASSERT(log_connection_open(env, &f->log) == RPC_OK);
    DUET_ASSERT(cpu_connection_open(env, &f->cpu) == RPC_OK);
    DUET_ASSERT(libc_init(env, GF_RAM) == RPC_OK);
    decode(f);
    struct go_config config = {.goroutines_max = GF_LIVE_MAX, .stacks_max = GF_LIVE_MAX,
                               .stack_bytes = GF_STACK_BYTES, .channels_max = GF_CHANNELS_MAX,
                               .buffer_words_max = GF_CHANNELS_MAX * 4, .waitgroups_max = 1,
                               .check_invariants = true};
    DUET_ASSERT(go_runtime_create(env, &config, &f->rt) == GO_OK);
    for (unsigned k = 0; k < f->channel_count; k++)
        DUET_ASSERT(go_chan_make(f->rt, f->capacity[k], &f->channels[k]) == GO_OK);
    DUET_ASSERT(go_waitgroup_make(f->rt, &f->group) == GO_OK);
    if (f->group_counter > 0)
        DUET_ASSERT(go_waitgroup_add(f->rt, f->group, f->group_counter) == GO_OK);
    for (unsigned i = 0; i < GF_INSTANCES_MAX; i++)
        for (unsigned k = 0; k < GF_CHANNELS_MAX; k++)
            for (unsigned s = 0; s < GF_INSTANCES_MAX; s++)
                f->last_seen[i][k][s] = -1;
    for (unsigned i = 0; i < f->started; i++)
        instance_start(f, i);
}

void go_fuzzer_main(struct env *env)
{
    struct go_fuzzer *f = env_alloc(env, sizeof *f);
    DUET_ASSERT(f != NULL);
    f->env = env;
    blockade_init(&f->helper_start);
    blockade_init(&f->helper_end);
    start(f);
    uint8_t *helper_stack = NULL;
    if (f->two_threads) {
        helper_stack = env_alloc(env, GF_HELPER_STACK);
        DUET_ASSERT(helper_stack != NULL);
        DUET_ASSERT(cpu_thread_create(env, f->cpu.cap, &f->helper, go_fuzzer_helper, f, helper_stack,
                                      GF_HELPER_STACK) == RPC_OK);
        blockade_wakeup(&f->helper_start);
    }
    enum go_status status = go_run(f->rt);
    if (f->two_threads) {
        blockade_block(&f->helper_end);
        DUET_ASSERT(f->helper_status == status);   /* both threads see the same end */
    }
    DUET_ASSERT(status != GO_ERR_STACK_OVERRUN);
    DUET_ASSERT(status == GO_OK || status == GO_ERR_DEADLOCK);
    if (status == GO_OK) {
        for (unsigned a = 0; a < f->instance_count; a++)
            DUET_ASSERT(f->instances[a].finished);
    } else {
        deadlock_reported(f);
    }
    values_conserved(f);
    go_runtime_destroy(f->rt);
    log_write(env, f->log.cap, "go oracles held");
    parent_exit(env, 0);
}
