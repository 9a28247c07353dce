/*
 * sched.c - thread queues and the scheduler.
 *
 * Every system call ends in sched_schedule, which makes it a scheduling
 * point: the candidates are the current thread (if still runnable) followed
 * by the ready queue in FIFO order, and hal_choice picks one. The canonical
 * choice 0 lets the current thread go on, so bare metal (which always
 * answers 0) runs threads until they block; the sim explores every
 * interleaving the choice stream asks for. A yield gives way: the current
 * thread is the last candidate instead of the first, so the canonical
 * choice runs the ready queue round robin, and a thread that waits for
 * another by yielding in a loop cannot starve it.
 *
 * When no thread can run, the kernel idles on the blocked thread's context:
 * hal_idle lets the platform deliver the next interrupt, which may make a
 * thread ready. If the platform says nothing can happen any more, the world
 * is quiescent and ends.
 *
 * Not here: what blocks a thread (ipc.c, irq.c) and thread creation (pd.c).
 */
#include "kernel.h"

#include "hal/choice.h"
#include "hal/idle.h"
#include "hal/world.h"

void queue_push(struct kernel *k, struct thread_queue *q, uint16_t id)
{
    struct thread *t = thread_of(k, id);
    DUET_ASSERT(t->queue_next == 0 && q->tail != id);
    if (q->tail == 0) {
        DUET_ASSERT(q->head == 0);
        q->head = id;
    } else {
        thread_of(k, q->tail)->queue_next = id;
    }
    q->tail = id;
}

uint16_t queue_pop(struct kernel *k, struct thread_queue *q)
{
    uint16_t id = q->head;
    if (id == 0)
        return 0;
    struct thread *t = thread_of(k, id);
    q->head = t->queue_next;
    if (q->head == 0)
        q->tail = 0;
    t->queue_next = 0;
    return id;
}

bool queue_remove(struct kernel *k, struct thread_queue *q, uint16_t id)
{
    uint16_t previous = 0;
    for (uint16_t at = q->head; at != 0; at = thread_of(k, at)->queue_next) {
        if (at != id)  {
            previous = at;
            continue;
        }
        uint16_t next = thread_of(k, at)->queue_next;
        if (previous == 0)
            q->head = next;
        else
            thread_of(k, previous)->queue_next = next;
        if (q->tail == id)
            q->tail = previous;
        thread_of(k, id)->queue_next = 0;
        return true;
    }
    return false;
}

static unsigned queue_length(struct kernel *k, const struct thread_queue *q)
{
    unsigned length = 0;
    for (uint16_t at = q->head; at != 0; at = thread_of(k, at)->queue_next) {
        length++;
        DUET_ASSERT(length <= KERNEL_THREADS_MAX);
    }
    return length;
}

void sched_make_ready(struct kernel *k, uint16_t id)
{
    struct thread *t = thread_of(k, id);
    DUET_ASSERT(t->state != THREAD_READY && t->state != THREAD_EXITED &&
                t->state != THREAD_FREE);
    DUET_ASSERT(t->queue_next == 0);
    t->state = THREAD_READY;
    t->blocked_on = 0;
    if (id != k->current)
        queue_push(k, &k->ready, id);
}

/* Marks the current thread blocked; the caller queues it where it waits
 * and then calls sched_schedule, which switches away. */
void sched_block(struct kernel *k, enum thread_state state, uint16_t on)
{
    struct thread *t = current_thread(k);
    DUET_ASSERT(t->state == THREAD_READY);
    DUET_ASSERT(state != THREAD_READY && state != THREAD_FREE);
    t->state = (uint8_t)state;
    t->blocked_on = on;
}

/* Waits until some thread can run; ends the world if none ever can. */
static unsigned sched_candidates_wait(struct kernel *k)
{
    for (unsigned idle_rounds = 0;; idle_rounds++) {
        unsigned count = queue_length(k, &k->ready);
        if (current_thread(k)->state == THREAD_READY)
            count++;
        if (count > 0)
            return count;
        if (!hal_idle())
            hal_world_end();
        DUET_ASSERT(idle_rounds < UINT32_MAX);
    }
}

void sched_schedule(struct kernel *k, bool yielding)
{
    struct thread *current = current_thread(k);
    unsigned count = sched_candidates_wait(k);
    unsigned pick = (unsigned)hal_choice(count);
    DUET_ASSERT(pick < count);

    bool current_runnable = current->state == THREAD_READY;
    /* Where the current thread is among the candidates: first, or last
     * when it yields. */
    unsigned current_at = yielding ? count - 1 : 0;
    if (current_runnable && pick == current_at)
        return;

    /* Candidate `pick` in the ready queue (index shifted past current). */
    unsigned index = current_runnable && !yielding ? pick - 1 : pick;
    uint16_t next = k->ready.head;
    for (unsigned i = 0; i < index; i++)
        next = thread_of(k, next)->queue_next;
    DUET_ASSERT(next != 0 && next != k->current);
    queue_remove(k, &k->ready, next);
    if (current_runnable)
        queue_push(k, &k->ready, k->current);

    uint16_t previous = k->current;
    k->current = next;
    hal_event(HAL_EVENT_THREAD_SWITCH, previous, next, count, 0, NULL, 0);
    hal_context_switch(&current->context, &thread_of(k, next)->context);
    /* Back on this thread's context: someone made it ready and picked it. */
    DUET_ASSERT(k->current == previous);
    DUET_ASSERT(current->state == THREAD_READY);
}
