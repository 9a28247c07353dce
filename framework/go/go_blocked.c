/*
 * go_blocked.c - who waits on what (the deadlock report, duet/go.h), and
 * the runtime's invariants G1-G3 (go_internal.h) as one checker.
 */
#include "go_internal.h"

#include "duet/assert.h"
#include "duet/text.h"

unsigned go_blocked(struct go_runtime *rt, struct go_blocked *out, unsigned max)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC && (out != NULL || max == 0));
    go_lock(rt);
    /* In id order: ids grow with spawn order, table slots are reused. */
    unsigned count = 0;
    go_id last = 0;
    for (;;) {
        const struct go_routine *next = NULL;
        for (unsigned i = 0; i < rt->config.goroutines_max; i++) {
            const struct go_routine *g = &rt->routines[i];
            if (g->state == GO_BLOCKED && g->id > last && (next == NULL || g->id < next->id))
                next = g;
        }
        if (next == NULL)
            break;
        if (count < max)
            out[count] = (struct go_blocked){.id = next->id, .wait = next->wait,
                                             .object = next->wait_object};
        count++;
        last = next->id;
    }
    go_unlock(rt);
    return count;
}

void go_blocked_describe(const struct go_blocked *blocked, char *buffer, size_t size)
{
    DUET_ASSERT(blocked != NULL && buffer != NULL && size > 0);
    struct text text;
    text_init(&text, buffer, size);
    text_append(&text, "goroutine ");
    text_append_u64(&text, blocked->id);
    switch (blocked->wait) {
    case GO_WAIT_SEND: text_append(&text, " waits to send on channel "); break;
    case GO_WAIT_RECV: text_append(&text, " waits to receive on channel "); break;
    case GO_WAIT_SELECT:
        text_append(&text, " waits in a select on ");
        text_append_u64(&text, blocked->object);
        text_append(&text, " channel cases");
        return;
    case GO_WAIT_NIL: text_append(&text, " waits forever (nil channel or empty select)"); return;
    case GO_WAIT_WAITGROUP: text_append(&text, " waits on wait group "); break;
    case GO_WAIT_NONE: text_append(&text, " is not blocked"); return;
    }
    text_append_u64(&text, blocked->object);
}

/* Each invariant its own assertion, so a violation names which. */
static void channel_check(const struct go_channel *c)
{
    DUET_ASSERT(c->count <= c->capacity);                                  /* G3 */
    DUET_ASSERT(c->count == 0 || c->recv_head == NULL);                    /* G3 */
    DUET_ASSERT(c->count == c->capacity || c->send_head == NULL);          /* G3 */
    /* A sender and a receiver both waiting must be one select: nobody
     * else could have passed the other by. */
    const struct go_routine *both = NULL;
    if (c->send_head != NULL && c->recv_head != NULL)
        both = c->send_head->routine;
    for (const struct go_waiter *w = c->recv_head; w != NULL; w = w->next) {
        DUET_ASSERT(w->routine->state == GO_BLOCKED && !w->send && w->queued);   /* G2 */
        DUET_ASSERT(both == NULL || w->routine == both);                        /* G3 */
    }
    for (const struct go_waiter *w = c->send_head; w != NULL; w = w->next) {
        DUET_ASSERT(w->routine->state == GO_BLOCKED && w->send && w->queued);    /* G2 */
        DUET_ASSERT(both == NULL || w->routine == both);                        /* G3 */
    }
}

void go_invariants_check(const struct go_runtime *rt)
{
    unsigned runnable = 0, blocked = 0, live = 0;
    for (unsigned i = 0; i < rt->config.goroutines_max; i++) {
        const struct go_routine *g = &rt->routines[i];
        live += g->state != GO_FREE;
        runnable += g->state == GO_RUNNABLE;
        blocked += g->state == GO_BLOCKED;
        for (unsigned w = 0; g->state != GO_BLOCKED && w < GO_SELECT_CASES_MAX; w++)
            DUET_ASSERT(!g->waiters[w].queued);                            /* G2 */
    }
    DUET_ASSERT(runnable == rt->runnable_count);                           /* G1 */
    DUET_ASSERT(blocked == rt->blocked && live == rt->live);               /* G1 */
    for (unsigned q = 0; q < rt->runnable_count; q++)
        DUET_ASSERT(rt->routines[rt->run_queue[q]].state == GO_RUNNABLE);  /* G1 */
    for (unsigned i = 0; i < rt->config.channels_max; i++)
        if (rt->channels[i].in_use)
            channel_check(&rt->channels[i]);
}
