/*
 * go_runtime.c - goroutines: the runtime's tables, spawn, yield, parking
 * and waking, and the scheduler loop each framework thread runs in go_run
 * (duet/go.h; state and invariants in go_internal.h).
 *
 * A thread in go_run keeps a scheduler context (on its own stack, in the
 * boot area) and switches to a goroutine picked by hal_choice among the
 * runnable ones. A goroutine comes back to its thread's scheduler by
 * swapcontext when it yields, parks or exits, always holding the lock
 * (hand-off, invariant G4); the scheduler then does the bookkeeping that
 * must follow the switch (counting, the stack canary, freeing an exited
 * goroutine's stack) and releases the lock.
 *
 * Channels are in go_channel.c, select in go_select.c, wait groups in
 * go_waitgroup.c, stacks in go_stack.c, deadlock reports in go_blocked.c.
 */
#include "go_internal.h"

#include "duet/assert.h"
#include "duet/syscall.h"
#include "duet/utcb.h"
#include "hal/choice.h"
#include "sys/mman.h"

static uint64_t align16(uint64_t bytes)
{
    return (bytes + 15) & ~(uint64_t)15;
}

const char *go_status_name(enum go_status status)
{
    switch (status) {
    case GO_OK: return "GO_OK";
    case GO_ERR_CLOSED: return "GO_ERR_CLOSED";
    case GO_ERR_NIL_CHANNEL: return "GO_ERR_NIL_CHANNEL";
    case GO_ERR_WOULD_BLOCK: return "GO_ERR_WOULD_BLOCK";
    case GO_ERR_NOT_IN_GOROUTINE: return "GO_ERR_NOT_IN_GOROUTINE";
    case GO_ERR_NO_GOROUTINE: return "GO_ERR_NO_GOROUTINE";
    case GO_ERR_NO_CHANNEL: return "GO_ERR_NO_CHANNEL";
    case GO_ERR_NO_WAITGROUP: return "GO_ERR_NO_WAITGROUP";
    case GO_ERR_NO_MEMORY: return "GO_ERR_NO_MEMORY";
    case GO_ERR_BAD_HANDLE: return "GO_ERR_BAD_HANDLE";
    case GO_ERR_BAD_ARGUMENT: return "GO_ERR_BAD_ARGUMENT";
    case GO_ERR_NEGATIVE_COUNTER: return "GO_ERR_NEGATIVE_COUNTER";
    case GO_ERR_DEADLOCK: return "GO_ERR_DEADLOCK";
    case GO_ERR_STACK_OVERRUN: return "GO_ERR_STACK_OVERRUN";
    }
    return "GO_ERR_?";
}

static bool config_valid(const struct go_config *c)
{
    return c->stacks_max >= 1 && c->stacks_max <= GO_STACKS_MAX && c->goroutines_max >= 1 &&
           c->goroutines_max <= c->stacks_max && c->goroutines_max <= GO_GOROUTINES_MAX &&
           c->stack_bytes % GO_GUARD_BYTES == 0 &&
           (c->stack_bytes == 0 || c->stack_bytes >= 4 * GO_GUARD_BYTES) &&
           c->stack_bytes <= 1024 * 1024 && c->channels_max <= 1024 &&
           c->buffer_words_max <= 65536 && c->waitgroups_max <= 256;
}

enum go_status go_runtime_create(struct env *env, const struct go_config *config,
                                 struct go_runtime **out)
{
    DUET_ASSERT(env != NULL && out != NULL);
    *out = NULL;
    if (config == NULL || !config_valid(config))
        return GO_ERR_BAD_ARGUMENT;
    uint64_t at_routines = align16(sizeof(struct go_runtime));
    uint64_t at_channels = at_routines + align16((uint64_t)config->goroutines_max * sizeof(struct go_routine));
    uint64_t at_groups = at_channels + align16((uint64_t)config->channels_max * sizeof(struct go_channel));
    uint64_t at_queue = at_groups +
                        align16((uint64_t)config->waitgroups_max * sizeof(struct go_waitgroup_state));
    uint64_t at_words = at_queue + align16((uint64_t)config->goroutines_max * sizeof(uint16_t));
    uint64_t bytes = at_words + (uint64_t)config->buffer_words_max * sizeof(uint64_t);
    bytes = (bytes + 4095) & ~(uint64_t)4095;
    uint8_t *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return GO_ERR_NO_MEMORY;
    /* One write maps the whole region (core maps the leaf region at the
     * first fault), here on a thread's stack: never again under the lock. */
    memory[0] = 0;
    struct go_runtime *rt = (struct go_runtime *)memory;
    rt->magic = GO_RUNTIME_MAGIC;
    rt->select_sequence = UINT64_C(0x9e3779b97f4a7c15);   /* any nonzero seed */
    rt->env = env;
    atomic_flag_clear(&rt->lock);
    rt->config = *config;
    if (rt->config.stack_bytes == 0)
        rt->config.stack_bytes = GO_STACK_BYTES_DEFAULT;
    rt->stack_bytes = rt->config.stack_bytes;
    rt->mapping_bytes = bytes;
    rt->routines = (struct go_routine *)(memory + at_routines);
    rt->channels = (struct go_channel *)(memory + at_channels);
    rt->waitgroups = (struct go_waitgroup_state *)(memory + at_groups);
    rt->run_queue = (uint16_t *)(memory + at_queue);
    rt->buffer_words = (uint64_t *)(memory + at_words);
    for (unsigned i = 0; i < GO_STACKS_MAX; i++)
        rt->stacks[i] = (struct go_stack){0};
    *out = rt;
    return GO_OK;
}

void go_runtime_destroy(struct go_runtime *rt)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    DUET_ASSERT(go_current(rt) == NULL);   /* from a thread */
    go_stacks_unmap(rt);
    rt->magic = 0;
    int unmapped = munmap(rt, rt->mapping_bytes);
    DUET_ASSERT(unmapped == 0);
}

void go_lock(struct go_runtime *rt)
{
    /* Nothing under the lock enters the kernel, so in the sim (one host
     * thread) it is never found taken; on bare metal a holder can only be
     * preempted. Spinning this long means a kernel entry under the lock. */
    unsigned spins = 0;
    while (atomic_flag_test_and_set_explicit(&rt->lock, memory_order_acquire)) {
        spins++;
        DUET_ASSERT(spins < GO_SPIN_LIMIT);
    }
}

void go_unlock(struct go_runtime *rt)
{
    atomic_flag_clear_explicit(&rt->lock, memory_order_release);
}

static struct go_thread *thread_slot(struct go_runtime *rt)
{
    const void *self = utcb_self();
    for (unsigned i = 0; i < GO_THREADS_MAX; i++)
        if (rt->threads[i].utcb == self)
            return &rt->threads[i];
    return NULL;
}

struct go_routine *go_current(struct go_runtime *rt)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    struct go_thread *t = thread_slot(rt);
    return t != NULL ? t->current : NULL;
}

go_id go_self(struct go_runtime *rt)
{
    struct go_routine *g = go_current(rt);
    return g != NULL ? g->id : 0;
}

static void run_queue_push(struct go_runtime *rt, struct go_routine *g)
{
    DUET_ASSERT(rt->runnable_count < rt->config.goroutines_max);
    g->state = GO_RUNNABLE;
    rt->run_queue[rt->runnable_count++] = (uint16_t)(g - rt->routines);
}

/* Lock held: back to the scheduler of the thread running g; returns
 * (without the lock) when some scheduler resumes g. */
static void switch_to_scheduler(struct go_runtime *rt, struct go_routine *g)
{
    struct go_thread *t = &rt->threads[g->runner];
    DUET_ASSERT(t->current == g);
    int switched = swapcontext(&g->context, &t->scheduler);
    DUET_ASSERT(switched == 0);
}

enum go_status go_spawn(struct go_runtime *rt, go_fn fn, void *arg, go_id *out_id)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    if (fn == NULL)
        return GO_ERR_BAD_ARGUMENT;
    go_lock(rt);
    struct go_routine *g = NULL;
    for (unsigned i = 0; i < rt->config.goroutines_max && g == NULL; i++)
        if (rt->routines[i].state == GO_FREE)
            g = &rt->routines[i];
    if (g == NULL) {
        go_unlock(rt);
        return GO_ERR_NO_GOROUTINE;
    }
    *g = (struct go_routine){.id = ++rt->next_id, .fn = fn, .arg = arg, .stack = -1, .fired = -1};
    run_queue_push(rt, g);
    rt->live++;
    rt->spawned++;
    if (out_id != NULL)
        *out_id = g->id;
    go_unlock(rt);
    return GO_OK;
}

void go_yield(struct go_runtime *rt)
{
    struct go_routine *g = go_current(rt);
    if (g == NULL)
        return;   /* a thread has nothing to yield to here */
    go_lock(rt);
    run_queue_push(rt, g);
    switch_to_scheduler(rt, g);
}

void go_park(struct go_runtime *rt, struct go_routine *g, enum go_wait wait, uint32_t object)
{
    DUET_ASSERT(g != NULL && g->state == GO_RUNNING);
    g->state = GO_BLOCKED;
    g->wait = wait;
    g->wait_object = object;
    g->fired = -1;
    rt->blocked++;
    switch_to_scheduler(rt, g);
    DUET_ASSERT(g->state == GO_RUNNING);
}

void go_wake(struct go_runtime *rt, struct go_routine *g, int fired)
{
    DUET_ASSERT(g != NULL && g->state == GO_BLOCKED);
    for (unsigned i = 0; i < g->waiter_count; i++)
        if (g->waiters[i].queued)
            go_waiter_unqueue(rt, &g->waiters[i]);
    g->waiter_count = 0;
    g->fired = fired;
    g->wait = GO_WAIT_NONE;
    rt->blocked--;
    run_queue_push(rt, g);
}

void go_unlock_after_wake(struct go_runtime *rt, bool woke)
{
    struct go_routine *g = woke ? go_current(rt) : NULL;
    /* A wake-up is a scheduling point: the waker goes on, or hands the
     * processor over and queues itself. */
    if (g != NULL && hal_choice(2) == 1) {
        run_queue_push(rt, g);
        switch_to_scheduler(rt, g);
        return;
    }
    go_unlock(rt);
}

/* Where every goroutine starts (makecontext): runs it, then hands its
 * thread's scheduler the lock and never comes back. */
static void routine_entry(uint64_t rt_word, uint64_t g_word)
{
    struct go_runtime *rt = (struct go_runtime *)(uintptr_t)rt_word;
    struct go_routine *g = (struct go_routine *)(uintptr_t)g_word;
    g->fn(rt, g->arg);
    go_lock(rt);
    g->state = GO_EXITED;
    (void)setcontext(&rt->threads[g->runner].scheduler);
    DUET_ASSERT(!"a goroutine's scheduler context was not resumable");
}

static bool routine_prepare(struct go_runtime *rt, struct go_routine *g)
{
    if (!go_stack_map(rt, g->stack))
        return false;
    struct go_stack *stack = &rt->stacks[g->stack];
    int got = getcontext(&g->context);
    DUET_ASSERT(got == 0);
    /* The canary's two words stay below the usable stack. */
    g->context.uc_stack.ss_sp = stack->base + 16;
    g->context.uc_stack.ss_size = rt->stack_bytes - 16;
    g->context.uc_link = NULL;
    makecontext(&g->context, (void (*)())routine_entry, 2, (uint64_t)(uintptr_t)rt,
                (uint64_t)(uintptr_t)g);
    return true;
}

/* Lock held, after the switch back from g. */
static void after_switch(struct go_runtime *rt, struct go_thread *t, struct go_routine *g)
{
    t->current = NULL;
    rt->running--;
    rt->switches++;
    if (!go_stack_canary_intact(rt, g->stack) && rt->overrun == 0)
        rt->overrun = g->id;
    if (g->state == GO_EXITED) {
        go_stack_release(rt, g->stack);
        g->stack = -1;
        g->state = GO_FREE;
        rt->live--;
        rt->exited++;
    }
    if (rt->config.check_invariants)
        go_invariants_check(rt);
}

/* Lock held, runnable goroutines present: picks one and runs it until it
 * comes back. Returns with the lock released. */
static enum go_status run_one(struct go_runtime *rt, struct go_thread *t, unsigned slot)
{
    unsigned pick = (unsigned)hal_choice(rt->runnable_count);
    struct go_routine *g = &rt->routines[rt->run_queue[pick]];
    rt->run_queue[pick] = rt->run_queue[--rt->runnable_count];
    DUET_ASSERT(g->state == GO_RUNNABLE);
    g->state = GO_RUNNING;
    g->runner = slot;
    rt->running++;
    bool fresh = g->stack < 0;
    if (fresh)
        g->stack = go_stack_claim(rt);
    go_unlock(rt);
    if (fresh && !routine_prepare(rt, g)) {
        go_lock(rt);   /* no stack: the goroutine never runs */
        g->state = GO_EXITED;
        t->current = g;
        after_switch(rt, t, g);
        go_unlock(rt);
        return GO_ERR_NO_MEMORY;
    }
    t->current = g;
    int switched = swapcontext(&t->scheduler, &g->context);
    DUET_ASSERT(switched == 0);
    after_switch(rt, t, g);   /* the lock came with the switch back */
    go_unlock(rt);
    return GO_OK;
}

static enum go_status schedule(struct go_runtime *rt, struct go_thread *t, unsigned slot)
{
    for (;;) {
        go_lock(rt);
        if (rt->overrun != 0) {
            go_unlock(rt);
            return GO_ERR_STACK_OVERRUN;
        }
        if (rt->runnable_count > 0) {
            enum go_status status = run_one(rt, t, slot);
            if (status != GO_OK)
                return status;
            continue;
        }
        if (rt->running > 0) {   /* another thread runs one: it may wake some */
            go_unlock(rt);
            sys_yield();
            continue;
        }
        enum go_status status = rt->live == 0 ? GO_OK : GO_ERR_DEADLOCK;
        DUET_ASSERT(status == GO_OK || rt->blocked == rt->live);
        go_unlock(rt);
        return status;
    }
}

enum go_status go_run(struct go_runtime *rt)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    const void *self = utcb_self();
    DUET_ASSERT(self != NULL);
    go_lock(rt);
    unsigned slot = GO_THREADS_MAX;
    for (unsigned i = 0; i < GO_THREADS_MAX; i++) {
        if (rt->threads[i].utcb == self) {
            go_unlock(rt);
            return GO_ERR_BAD_ARGUMENT;   /* in go_run already (or in a goroutine) */
        }
        if (slot == GO_THREADS_MAX && rt->threads[i].utcb == NULL)
            slot = i;
    }
    if (slot == GO_THREADS_MAX) {
        go_unlock(rt);
        return GO_ERR_BAD_ARGUMENT;   /* GO_THREADS_MAX threads are in go_run */
    }
    struct go_thread *t = &rt->threads[slot];
    t->utcb = self;
    t->current = NULL;
    go_unlock(rt);

    enum go_status status = schedule(rt, t, slot);

    go_lock(rt);
    t->utcb = NULL;
    go_unlock(rt);
    return status;
}

void go_stats(struct go_runtime *rt, struct go_stats *out)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC && out != NULL);
    go_lock(rt);
    *out = (struct go_stats){
        .spawned = rt->spawned, .exited = rt->exited, .switches = rt->switches,
        .stacks_mapped = rt->stacks_mapped, .live = rt->live, .stacks_in_use = rt->stacks_in_use,
        .runtime_bytes = rt->mapping_bytes, .stack_bytes = rt->stack_bytes + GO_GUARD_BYTES};
    go_unlock(rt);
}
