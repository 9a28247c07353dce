/*
 * fifo.h - an intrusive first-in, first-out queue that allocates nothing.
 *
 * An element embeds a struct fifo_link; FIFO_ELEMENT gets the element back.
 * Semantics follow Genode's Fifo: enqueue at the tail, dequeue from the
 * head (NULL when empty), remove an element from anywhere in the queue,
 * walk it in order. Every operation is O(1) except fifo_for_each and
 * fifo_valid, which walk the queue.
 *
 *     fifo_enqueue(fifo, link)     fifo_dequeue(fifo) -> link or NULL
 *     fifo_head(fifo)              fifo_next(link)
 *     fifo_remove(fifo, link)      fifo_contains(fifo, link)
 *     fifo_empty(fifo), fifo_count(fifo)
 *     fifo_for_each(fifo, visit, context)
 *
 * It is the list of duet/list.h with insertion at the tail, so it shares
 * the list's rules: misuse is asserted (DUET_ASSERT), never returned, and
 * checked before anything changes: enqueueing a link that is already
 * queued (here or elsewhere), removing a link that is not in this queue.
 * Unlike Genode's Fifo::remove, removing an absent element is misuse, not
 * a no-op: a caller that does not know asks fifo_contains first, so a
 * stale element is never silently "removed". A zeroed fifo is empty, a
 * zeroed link is queued nowhere; a non-empty fifo must not be moved.
 *
 * fifo_link wraps list_link so that the compiler keeps queue elements and
 * list elements apart.
 */
#ifndef DUET_FIFO_H
#define DUET_FIFO_H

#include "duet/list.h"

struct fifo_link {
    struct list_link in_queue;
};

struct fifo {
    struct list queue;   /* first is the head, last the tail */
};

/* The element that embeds `link` as `member`; NULL for a NULL link. */
#define FIFO_ELEMENT(link, type, member)                                                    \
    ((type *)fifo_element_at_offset((link), offsetof(type, member)))

static inline void *fifo_element_at_offset(struct fifo_link *link, size_t offset)
{
    return link == NULL ? NULL : (void *)((char *)link - offset);
}

/* list_link -> fifo_link; in_queue is the first member, so NULL stays NULL. */
static inline struct fifo_link *fifo_link_of(struct list_link *link)
{
    DUET_STATIC_ASSERT(offsetof(struct fifo_link, in_queue) == 0,
                       "a fifo_link is its list_link");
    return (struct fifo_link *)link;
}

static inline void fifo_init(struct fifo *fifo) { list_init(&fifo->queue); }
static inline void fifo_link_init(struct fifo_link *link) { list_link_init(&link->in_queue); }

static inline bool fifo_empty(const struct fifo *fifo) { return list_empty(&fifo->queue); }
static inline size_t fifo_count(const struct fifo *fifo) { return list_count(&fifo->queue); }

static inline bool fifo_contains(const struct fifo *fifo, const struct fifo_link *link)
{
    return list_contains(&fifo->queue, &link->in_queue);
}

/* In any fifo (or, through misuse of the inner link, any list). */
static inline bool fifo_link_is_enqueued(const struct fifo_link *link)
{
    return list_link_is_linked(&link->in_queue);
}

/* The oldest element, left in the queue; NULL when empty. */
static inline struct fifo_link *fifo_head(const struct fifo *fifo)
{
    return fifo_link_of(list_first(&fifo->queue));
}

/* The element queued after `link` (which must be queued), NULL at the tail. */
static inline struct fifo_link *fifo_next(const struct fifo_link *link)
{
    return fifo_link_of(list_next(&link->in_queue));
}

static inline void fifo_enqueue(struct fifo *fifo, struct fifo_link *link)
{
    DUET_ASSERT(!fifo_link_is_enqueued(link));   /* already queued: misuse */
    struct list_link *tail = list_last(&fifo->queue);
    if (tail == NULL)
        list_insert_head(&fifo->queue, &link->in_queue);
    else
        list_insert_after(&fifo->queue, tail, &link->in_queue);
    DUET_ASSERT(list_last(&fifo->queue) == &link->in_queue);
}

/* Takes the oldest element out of the queue; NULL when empty. */
static inline struct fifo_link *fifo_dequeue(struct fifo *fifo)
{
    struct list_link *head = list_first(&fifo->queue);
    if (head == NULL)
        return NULL;
    list_remove(&fifo->queue, head);
    DUET_ASSERT(!list_link_is_linked(head));
    return fifo_link_of(head);
}

/* Takes `link` out of the queue wherever it is; it must be in this queue. */
static inline void fifo_remove(struct fifo *fifo, struct fifo_link *link)
{
    DUET_ASSERT(fifo_contains(fifo, link));   /* not in this queue: misuse */
    list_remove(&fifo->queue, &link->in_queue);
}

/*
 * Calls visit(link, context) for each element queued when the walk
 * starts, head first. visit may dequeue or remove the element it is given
 * and may enqueue elements, the one it was given included (they are not
 * visited again); it must not remove any other element. The walk ends at
 * the tail it started with, which is also its bound.
 */
static inline void fifo_for_each(struct fifo *fifo,
                                 void (*visit)(struct fifo_link *link, void *context),
                                 void *context)
{
    size_t visits_max = fifo_count(fifo);
    struct fifo_link *tail = fifo_link_of(list_last(&fifo->queue));
    struct fifo_link *link = fifo_head(fifo);
    for (size_t visits = 0; link != NULL; visits++) {
        DUET_ASSERT(visits < visits_max);
        /* Read before the visit, which may take `link` out of the queue
         * or move it behind the tail. */
        struct fifo_link *next = link == tail ? NULL : fifo_next(link);
        visit(link, context);
        link = next;
    }
}

static inline bool fifo_valid(const struct fifo *fifo) { return list_valid(&fifo->queue); }

#endif
