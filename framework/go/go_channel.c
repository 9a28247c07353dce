/*
 * go_channel.c - channels: make, send, receive (blocking and not), close,
 * len and cap (duet/go.h; invariants G2, G3 in go_internal.h).
 *
 * A channel has a ring buffer of `capacity` words and two FIFO queues of
 * waiters (struct go_waiter, one per blocked case, inside the blocked
 * goroutine). The one-step operations go_chan_send_ready and
 * go_chan_recv_ready are shared with select (go_select.c): each either
 * completes the operation, waking a partner if there is one, or says the
 * case is not ready. Values cross between goroutines through the waiter:
 * a sender that finds a receiver waiting writes into its waiter, and vice
 * versa, so nobody touches another goroutine's stack.
 *
 * User memory (out parameters) is written only after the lock is released:
 * it may be a page that faults, and no fault may happen under the lock.
 */
#include "go_channel.h"

#include "duet/assert.h"

struct go_channel *go_channel_find(struct go_runtime *rt, go_chan ch)
{
    if (ch == GO_NIL_CHANNEL || ch > rt->config.channels_max)
        return NULL;
    struct go_channel *c = &rt->channels[ch - 1];
    return c->in_use ? c : NULL;
}

static void queue_push(struct go_waiter **head, struct go_waiter **tail, struct go_waiter *w)
{
    w->next = NULL;
    if (*tail != NULL)
        (*tail)->next = w;
    else
        *head = w;
    *tail = w;
    w->queued = true;
}

static struct go_waiter *queue_pop(struct go_waiter **head, struct go_waiter **tail)
{
    struct go_waiter *w = *head;
    if (w == NULL)
        return NULL;
    *head = w->next;
    if (*head == NULL)
        *tail = NULL;
    w->next = NULL;
    w->queued = false;
    return w;
}

void go_waiter_unqueue(struct go_runtime *rt, struct go_waiter *w)
{
    struct go_channel *c = go_channel_find(rt, w->channel);
    DUET_ASSERT(c != NULL && w->queued);
    struct go_waiter **head = w->send ? &c->send_head : &c->recv_head;
    struct go_waiter **tail = w->send ? &c->send_tail : &c->recv_tail;
    struct go_waiter *previous = NULL;
    for (struct go_waiter *at = *head; at != NULL; previous = at, at = at->next) {
        if (at != w)
            continue;
        if (previous == NULL)
            *head = w->next;
        else
            previous->next = w->next;
        if (*tail == w)
            *tail = previous;
        w->next = NULL;
        w->queued = false;
        return;
    }
    DUET_ASSERT(!"a queued waiter was not in its channel's queue");
}

void go_chan_enqueue(struct go_channel *c, struct go_waiter *w)
{
    if (w->send)
        queue_push(&c->send_head, &c->send_tail, w);
    else
        queue_push(&c->recv_head, &c->recv_tail, w);
}

static int waiter_case(const struct go_waiter *w)
{
    return (int)(w - w->routine->waiters);
}

bool go_chan_send_ready(struct go_runtime *rt, struct go_channel *c, uint64_t value,
                        enum go_status *out_status, bool *out_woke)
{
    *out_woke = false;
    if (c->closed) {
        *out_status = GO_ERR_CLOSED;
        return true;
    }
    struct go_waiter *receiver = queue_pop(&c->recv_head, &c->recv_tail);
    if (receiver != NULL) {
        DUET_ASSERT(c->count == 0);   /* G3 */
        receiver->value = value;
        receiver->ok = true;
        go_wake(rt, receiver->routine, waiter_case(receiver));
        *out_woke = true;
        *out_status = GO_OK;
        return true;
    }
    if (c->count < c->capacity) {
        rt->buffer_words[c->buffer + (c->head + c->count) % c->capacity] = value;
        c->count++;
        *out_status = GO_OK;
        return true;
    }
    return false;
}

bool go_chan_recv_ready(struct go_runtime *rt, struct go_channel *c, uint64_t *out_value,
                        bool *out_ok, bool *out_woke)
{
    *out_woke = false;
    struct go_waiter *sender;
    if (c->count > 0) {
        *out_value = rt->buffer_words[c->buffer + c->head];
        *out_ok = true;
        c->head = (c->head + 1) % c->capacity;
        c->count--;
        /* A blocked sender's value takes the freed place, in FIFO order. */
        sender = queue_pop(&c->send_head, &c->send_tail);
        if (sender != NULL) {
            rt->buffer_words[c->buffer + (c->head + c->count) % c->capacity] = sender->value;
            c->count++;
            go_wake(rt, sender->routine, waiter_case(sender));
            *out_woke = true;
        }
        return true;
    }
    sender = queue_pop(&c->send_head, &c->send_tail);
    if (sender != NULL) {
        *out_value = sender->value;
        *out_ok = true;
        go_wake(rt, sender->routine, waiter_case(sender));
        *out_woke = true;
        return true;
    }
    if (c->closed) {
        *out_value = 0;
        *out_ok = false;
        return true;
    }
    return false;
}

enum go_status go_chan_make(struct go_runtime *rt, unsigned capacity, go_chan *out)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC && out != NULL);
    go_lock(rt);
    enum go_status status = GO_ERR_NO_CHANNEL;
    if (capacity <= rt->config.buffer_words_max - rt->buffer_words_used) {
        for (unsigned i = 0; i < rt->config.channels_max; i++) {
            struct go_channel *c = &rt->channels[i];
            if (c->in_use)
                continue;
            *c = (struct go_channel){.in_use = true, .capacity = capacity,
                                     .buffer = rt->buffer_words_used};
            rt->buffer_words_used += capacity;
            *out = i + 1;
            status = GO_OK;
            break;
        }
    }
    go_unlock(rt);
    return status;
}

static enum go_status send(struct go_runtime *rt, go_chan ch, uint64_t value, bool nonblocking)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    struct go_routine *g = go_current(rt);
    go_lock(rt);
    struct go_channel *c = go_channel_find(rt, ch);
    if (c == NULL && ch != GO_NIL_CHANNEL) {
        go_unlock(rt);
        return GO_ERR_BAD_HANDLE;
    }
    enum go_status status = GO_OK;
    bool woke = false;
    if (c != NULL && go_chan_send_ready(rt, c, value, &status, &woke)) {
        go_unlock_after_wake(rt, woke);
        return status;
    }
    if (nonblocking || g == NULL) {
        go_unlock(rt);
        return nonblocking ? GO_ERR_WOULD_BLOCK : GO_ERR_NOT_IN_GOROUTINE;
    }
    if (c == NULL) {
        go_park(rt, g, GO_WAIT_NIL, 0);   /* forever: nobody wakes it */
        DUET_ASSERT(!"woken from the nil channel");
    }
    struct go_waiter *w = &g->waiters[0];
    *w = (struct go_waiter){.routine = g, .channel = ch, .send = true, .value = value};
    g->waiter_count = 1;
    go_chan_enqueue(c, w);
    go_park(rt, g, GO_WAIT_SEND, ch);
    return w->closed ? GO_ERR_CLOSED : GO_OK;
}

static enum go_status recv(struct go_runtime *rt, go_chan ch, uint64_t *out_value, bool *out_ok,
                           bool nonblocking)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    struct go_routine *g = go_current(rt);
    uint64_t value = 0;
    bool ok = false, woke = false;
    go_lock(rt);
    struct go_channel *c = go_channel_find(rt, ch);
    if (c == NULL && ch != GO_NIL_CHANNEL) {
        go_unlock(rt);
        return GO_ERR_BAD_HANDLE;
    }
    if (c != NULL && go_chan_recv_ready(rt, c, &value, &ok, &woke)) {
        go_unlock_after_wake(rt, woke);
    } else if (nonblocking || g == NULL) {
        go_unlock(rt);
        return nonblocking ? GO_ERR_WOULD_BLOCK : GO_ERR_NOT_IN_GOROUTINE;
    } else if (c == NULL) {
        go_park(rt, g, GO_WAIT_NIL, 0);
        DUET_ASSERT(!"woken from the nil channel");
    } else {
        struct go_waiter *w = &g->waiters[0];
        *w = (struct go_waiter){.routine = g, .channel = ch, .send = false};
        g->waiter_count = 1;
        go_chan_enqueue(c, w);
        go_park(rt, g, GO_WAIT_RECV, ch);
        value = w->value;
        ok = w->ok;
    }
    if (out_value != NULL)
        *out_value = value;
    if (out_ok != NULL)
        *out_ok = ok;
    return GO_OK;
}

enum go_status go_send(struct go_runtime *rt, go_chan ch, uint64_t value)
{
    return send(rt, ch, value, false);
}

enum go_status go_try_send(struct go_runtime *rt, go_chan ch, uint64_t value)
{
    return send(rt, ch, value, true);
}

enum go_status go_recv(struct go_runtime *rt, go_chan ch, uint64_t *out_value, bool *out_ok)
{
    return recv(rt, ch, out_value, out_ok, false);
}

enum go_status go_try_recv(struct go_runtime *rt, go_chan ch, uint64_t *out_value, bool *out_ok)
{
    return recv(rt, ch, out_value, out_ok, true);
}

enum go_status go_close(struct go_runtime *rt, go_chan ch)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    if (ch == GO_NIL_CHANNEL)
        return GO_ERR_NIL_CHANNEL;
    go_lock(rt);
    struct go_channel *c = go_channel_find(rt, ch);
    if (c == NULL || c->closed) {
        go_unlock(rt);
        return c == NULL ? GO_ERR_BAD_HANDLE : GO_ERR_CLOSED;
    }
    c->closed = true;
    bool woke = false;
    /* Every receiver gets (0, false); every blocked sender GO_ERR_CLOSED. */
    for (struct go_waiter *w; (w = queue_pop(&c->recv_head, &c->recv_tail)) != NULL; woke = true) {
        w->value = 0;
        w->ok = false;
        go_wake(rt, w->routine, waiter_case(w));
    }
    for (struct go_waiter *w; (w = queue_pop(&c->send_head, &c->send_tail)) != NULL; woke = true) {
        w->closed = true;
        go_wake(rt, w->routine, waiter_case(w));
    }
    go_unlock_after_wake(rt, woke);
    return GO_OK;
}

unsigned go_chan_len(struct go_runtime *rt, go_chan ch)
{
    go_lock(rt);
    struct go_channel *c = go_channel_find(rt, ch);
    unsigned count = c != NULL ? c->count : 0;
    go_unlock(rt);
    return count;
}

unsigned go_chan_cap(struct go_runtime *rt, go_chan ch)
{
    go_lock(rt);
    struct go_channel *c = go_channel_find(rt, ch);
    unsigned capacity = c != NULL ? c->capacity : 0;
    go_unlock(rt);
    return capacity;
}
