/*
 * semaphore.h - a counting semaphore whose wake-up order is a policy.
 *
 * As in Genode: a counter plus a queue of waiters, each with its own
 * blockade. semaphore_up returns at once when the count becomes positive;
 * otherwise it takes one waiter from the queue, chosen by the policy, and
 * wakes it. semaphore_down blocks when the count drops below zero, so the
 * count may be negative: minus the number of waiters. The queue and the
 * count are guarded by a lock (duet/lock.h); the waker wakes the chosen
 * waiter after releasing it.
 *
 * Policies: SEMAPHORE_FIFO (the default: waiters wake in the order they
 * blocked) and SEMAPHORE_LIFO (the waiter that blocked last wakes first).
 *
 * semaphore_down returns the waiter's ticket: the number of downs that
 * had blocked on this semaphore up to and including this one, or 0 if it
 * did not block. Under FIFO, tickets wake in increasing order (asserted
 * on every wake-up); that is how tests (and anyone curious) observe the
 * policy.
 */
#ifndef DUET_SEMAPHORE_H
#define DUET_SEMAPHORE_H

#include "duet/blockade.h"
#include "duet/fifo.h"
#include "duet/lock.h"

enum semaphore_policy {
    SEMAPHORE_FIFO = 0,
    SEMAPHORE_LIFO,
};

struct semaphore {
    struct lock meta;            /* guards everything below */
    int64_t count;
    enum semaphore_policy policy;
    struct fifo waiters;         /* in the order they blocked */
    uint64_t tickets;            /* downs that blocked so far */
    uint64_t woken;              /* of those, how many were woken */
};

/* count >= 0 (asserted). */
void semaphore_init(struct semaphore *semaphore, int64_t count, enum semaphore_policy policy);
void semaphore_up(struct semaphore *semaphore);
uint64_t semaphore_down(struct semaphore *semaphore);
/* Takes one unit if the count is positive, never blocks: true if taken. */
bool semaphore_down_try(struct semaphore *semaphore);
/* Blocked downs woken so far. Under FIFO these are exactly tickets
 * 1..semaphore_woken(): a down that returns a ticket above it was woken by
 * nobody (asserted by the fuzz target "sync"). */
uint64_t semaphore_woken(struct semaphore *semaphore);
/* Threads blocked in semaphore_down right now. */
size_t semaphore_waiting(struct semaphore *semaphore);
int64_t semaphore_count(struct semaphore *semaphore);

#endif
