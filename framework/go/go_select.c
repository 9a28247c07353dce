/*
 * go_select.c - select over up to GO_SELECT_CASES_MAX send and receive
 * cases (duet/go.h).
 *
 * Decode, then perform: the cases are copied and every handle checked
 * before anything happens. If some cases are ready, one of them is chosen
 * (Go's rule: no case is preferred) and performed with the same step send
 * and receive use. The choice is the runtime's own pseudo-random sequence
 * offset by hal_choice: fair where every choice is the canonical 0 (bare
 * metal, the sim's canonical runs), and still a choice point, since each
 * value of hal_choice reaches a different case. Otherwise the
 * goroutine queues one waiter per case that is not nil, on each channel,
 * and parks; whichever partner comes first completes that case and the
 * wake-up unqueues the others (go_wake).
 */
#include "go_channel.h"

#include "duet/assert.h"
#include "hal/choice.h"

/* xorshift64: deterministic per runtime, so runs stay replayable. */
static uint64_t go_select_sequence_next(struct go_runtime *rt)
{
    uint64_t x = rt->select_sequence;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rt->select_sequence = x;
    return x >> 11;
}

static bool case_ready(const struct go_channel *c, bool send)
{
    if (c == NULL)
        return false;   /* nil: never */
    if (send)
        return c->closed || c->recv_head != NULL || c->count < c->capacity;
    return c->count > 0 || c->send_head != NULL || c->closed;
}

/* Performs a ready case; the result goes into *sc. */
static enum go_status case_perform(struct go_runtime *rt, struct go_channel *c,
                                   struct go_select_case *sc, bool *out_woke)
{
    enum go_status status = GO_OK;
    bool done = sc->send ? go_chan_send_ready(rt, c, sc->value, &status, out_woke)
                         : go_chan_recv_ready(rt, c, &sc->value, &sc->ok, out_woke);
    DUET_ASSERT(done);   /* case_ready said so */
    return status;
}

enum go_status go_select(struct go_runtime *rt, struct go_select_case *cases, unsigned count,
                         bool nonblocking, unsigned *out_chosen)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    if (count > GO_SELECT_CASES_MAX || (count > 0 && cases == NULL) || out_chosen == NULL)
        return GO_ERR_BAD_ARGUMENT;
    struct go_select_case local[GO_SELECT_CASES_MAX];
    for (unsigned i = 0; i < count; i++)
        local[i] = cases[i];
    struct go_routine *g = go_current(rt);

    go_lock(rt);
    struct go_channel *channel[GO_SELECT_CASES_MAX];
    unsigned ready[GO_SELECT_CASES_MAX], ready_count = 0, not_nil = 0;
    for (unsigned i = 0; i < count; i++) {
        channel[i] = go_channel_find(rt, local[i].channel);
        if (channel[i] == NULL && local[i].channel != GO_NIL_CHANNEL) {
            go_unlock(rt);
            return GO_ERR_BAD_HANDLE;
        }
        not_nil += channel[i] != NULL;
        if (case_ready(channel[i], local[i].send))
            ready[ready_count++] = i;
    }
    enum go_status status = GO_OK;
    unsigned chosen;
    if (ready_count > 0) {
        unsigned spread = (unsigned)(go_select_sequence_next(rt) % ready_count);
        chosen = ready[(spread + (unsigned)hal_choice(ready_count)) % ready_count];
        bool woke = false;
        status = case_perform(rt, channel[chosen], &local[chosen], &woke);
        go_unlock_after_wake(rt, woke);
    } else if (nonblocking || g == NULL) {
        go_unlock(rt);
        return nonblocking ? GO_ERR_WOULD_BLOCK : GO_ERR_NOT_IN_GOROUTINE;
    } else if (not_nil == 0) {
        go_park(rt, g, GO_WAIT_NIL, 0);   /* select {}: forever */
        DUET_ASSERT(!"woken from an empty select");
        return GO_ERR_DEADLOCK;
    } else {
        for (unsigned i = 0; i < count; i++) {
            struct go_waiter *w = &g->waiters[i];
            *w = (struct go_waiter){.routine = g, .channel = local[i].channel,
                                    .send = local[i].send, .value = local[i].value};
            if (channel[i] != NULL)
                go_chan_enqueue(channel[i], w);
        }
        g->waiter_count = count;
        go_park(rt, g, GO_WAIT_SELECT, not_nil);
        DUET_ASSERT(g->fired >= 0 && (unsigned)g->fired < count);
        chosen = (unsigned)g->fired;
        const struct go_waiter *w = &g->waiters[chosen];
        if (w->send) {
            status = w->closed ? GO_ERR_CLOSED : GO_OK;
        } else {
            local[chosen].value = w->value;
            local[chosen].ok = w->ok;
        }
    }
    cases[chosen] = local[chosen];
    *out_chosen = chosen;
    return status;
}
