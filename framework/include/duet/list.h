/*
 * list.h - an intrusive, doubly linked list that allocates nothing.
 *
 * An element embeds a struct list_link; the list strings the links
 * together and LIST_ELEMENT gets the element back from its link. As in
 * Genode's List, insertion is at the head (or after an element already in
 * the list); duet/fifo.h is the queue built on this list. Every operation
 * is O(1) except list_valid, which walks the list.
 *
 *     list_insert_head(list, link)          list_first(list) / list_next(link)
 *     list_insert_after(list, at, link)     list_last(list)  / list_prev(link)
 *     list_remove(list, link)               list_count(list), list_contains(list, link)
 *
 * Misuse is asserted, not returned. A link remembers the list it is in,
 * so the list can tell misuse from use, and misuse is a programming error
 * that DUET_ASSERT turns into a panic naming the function: inserting a link
 * that is already in a list (this one or another), removing a link from a
 * list it is not in, inserting after a link that is not in the list. A
 * caller that does not know whether an element is in a list asks
 * list_contains (or list_link_is_linked) first. Every assertion is a
 * precondition checked before anything changes.
 *
 * A zeroed list is empty and a zeroed link is in no list, so memory from
 * env_alloc needs no init call. A non-empty list must not be copied or
 * moved: its links point back at it. Not thread safe: the owner serialises.
 *
 * Invariants (list_valid checks all of them):
 *   L1  first == NULL iff last == NULL iff count == 0.
 *   L2  first->prev == NULL and last->next == NULL.
 *   L3  every link reached from first has link->list == this list and
 *       link->next->prev == link; the walk ends at last after count links.
 */
#ifndef DUET_LIST_H
#define DUET_LIST_H

#include "duet/assert.h"
#include "duet/types.h"

struct list;

struct list_link {
    struct list_link *next;
    struct list_link *prev;
    const struct list *list;   /* the list this link is in; NULL: none */
};

struct list {
    struct list_link *first;
    struct list_link *last;
    size_t count;
};

/* The element that embeds `link` as `member`; NULL for a NULL link. */
#define LIST_ELEMENT(link, type, member)                                                    \
    ((type *)list_element_at_offset((link), offsetof(type, member)))

static inline void *list_element_at_offset(struct list_link *link, size_t offset)
{
    return link == NULL ? NULL : (void *)((char *)link - offset);
}

static inline void list_init(struct list *list) { *list = (struct list){0}; }

/* Makes a link "in no list"; needed only for memory that was not zeroed. */
static inline void list_link_init(struct list_link *link) { *link = (struct list_link){0}; }

static inline bool list_link_is_linked(const struct list_link *link)
{
    return link->list != NULL;
}

static inline bool list_contains(const struct list *list, const struct list_link *link)
{
    return link->list == list;
}

static inline size_t list_count(const struct list *list) { return list->count; }
static inline bool list_empty(const struct list *list) { return list->count == 0; }
static inline struct list_link *list_first(const struct list *list) { return list->first; }
static inline struct list_link *list_last(const struct list *list) { return list->last; }

/* The link after (before) `link` in its list, NULL at the end. */
static inline struct list_link *list_next(const struct list_link *link)
{
    DUET_ASSERT(link->list != NULL);
    return link->next;
}

static inline struct list_link *list_prev(const struct list_link *link)
{
    DUET_ASSERT(link->list != NULL);
    return link->prev;
}

static inline void list_insert_head(struct list *list, struct list_link *link)
{
    DUET_ASSERT(link->list == NULL);   /* already in a list: misuse */
    *link = (struct list_link){.next = list->first, .prev = NULL, .list = list};
    if (list->first != NULL)
        list->first->prev = link;
    else
        list->last = link;
    list->first = link;
    list->count++;
    DUET_ASSERT(list->first == link && list->last != NULL);
}

/* Inserts `link` right after `at`, which must be in `list`. */
static inline void list_insert_after(struct list *list, struct list_link *at,
                                     struct list_link *link)
{
    DUET_ASSERT(at->list == list);     /* the place is not in this list: misuse */
    DUET_ASSERT(link->list == NULL);   /* already in a list: misuse */
    *link = (struct list_link){.next = at->next, .prev = at, .list = list};
    if (at->next != NULL)
        at->next->prev = link;
    else
        list->last = link;
    at->next = link;
    list->count++;
    DUET_ASSERT(at->next == link && link->prev == at);
}

static inline void list_remove(struct list *list, struct list_link *link)
{
    DUET_ASSERT(link->list == list);   /* not in this list: misuse */
    DUET_ASSERT(list->count > 0);
    if (link->prev != NULL)
        link->prev->next = link->next;
    else
        list->first = link->next;
    if (link->next != NULL)
        link->next->prev = link->prev;
    else
        list->last = link->prev;
    list->count--;
    *link = (struct list_link){0};
    DUET_ASSERT((list->count == 0) == (list->first == NULL));
}

/* Checks L1-L3 by walking at most count + 1 links; false if any fails. */
static inline bool list_valid(const struct list *list)
{
    if ((list->first == NULL) != (list->count == 0) || (list->last == NULL) != (list->count == 0))
        return false;
    const struct list_link *prev = NULL;
    const struct list_link *link = list->first;
    for (size_t seen = 0; seen < list->count; seen++) {
        if (link == NULL || link->list != list || link->prev != prev)
            return false;
        prev = link;
        link = link->next;
    }
    return link == NULL && prev == list->last;
}

#endif
