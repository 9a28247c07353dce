/*
 * sync_fuzzer.c - threads doing what the fuzzer says with signals and a
 * FIFO semaphore, under oracles (fuzz target "sync", target_sync.c).
 *
 * Program (ROM "program"): byte 0 picks the number of worker threads
 * (1..SYNC_WORKERS_MAX), byte 1 the semaphore's initial count
 * (0..SYNC_INITIAL_MAX) and byte 2 the period of a periodic timer alarm
 * that runs throughout (20 us .. 320 us: short enough to interrupt the
 * workers); every later byte is one operation, dealt to the workers in
 * turn (operation k goes to worker k mod workers):
 *     bits 0-1  0: submit to context (bits 2-3 mod SYNC_CONTEXTS), count
 *                  1 + bits 4-7
 *               1: down on the semaphore
 *               2: up on the semaphore
 *               3: yield
 * The main thread is the signal receiver: it takes signals without
 * blocking while the workers run, and whenever every worker is either
 * done or blocked in a down, it ups the semaphore once, so every program
 * ends. Then it waits for SYNC_TIMER_TAIL more timer signals (virtual
 * time jumps ahead) and disarms the alarm. The timer's interrupts arrive
 * wherever the choice stream lets the sim take them (hal_kernel_entry).
 * Oracles (assertions, which end the world as failed):
 *   - signals: an imprint names a context, a count is positive, and a
 *     context never delivers more than was submitted to it (submits are
 *     counted before they are made); at the end the deliveries add up to
 *     exactly the submits, per context (none lost, none invented);
 *   - the semaphore wakes FIFO (asserted in semaphore_up), a down that
 *     returns a ticket was woken (ticket <= woken), and no ticket returns
 *     twice; at the end no thread waits and every ticket returned;
 *   - the semaphore's final count is its initial count plus the ups less
 *     the downs;
 *   - timer: its clock never goes back; the periods signalled lie between
 *     those that surely ended
 *     while the alarm was armed (less two for the last one's handling)
 *     and those that could have (none invented, none lost);
 *   - the world reaches quiescence within the target's step budget.
 * The success line is "sync oracles held".
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/semaphore.h"
#include "duet/signal_session.h"
#include "duet/timer_session.h"

enum {
    SYNC_PROGRAM_MAX = 1024,
    SYNC_WORKERS_MAX = CPU_SESSION_THREADS_MAX,
    SYNC_CONTEXTS = 3,
    SYNC_IMPRINT_TIMER = SYNC_CONTEXTS + 1,
    SYNC_TIMER_TAIL = 3,
    SYNC_HEADER_BYTES = 3,
    SYNC_INITIAL_MAX = 3,
    SYNC_STACK_BYTES = 16 * 1024,
    SYNC_OP_SUBMIT = 0,
    SYNC_OP_DOWN,
    SYNC_OP_UP,
    SYNC_OP_YIELD,
};

struct sync_fuzzer;

struct sync_worker {
    struct sync_fuzzer *fuzzer;
    unsigned index;
    struct cpu_thread thread;
    void *stack;
};

struct sync_fuzzer {
    struct env *env;
    struct log_connection log;
    struct cpu_connection cpu;
    struct signal_connection signals;
    cap_index_t contexts[SYNC_CONTEXTS];
    uint8_t program[SYNC_PROGRAM_MAX];
    size_t length;
    unsigned workers;
    struct sync_worker worker[SYNC_WORKERS_MAX];
    unsigned finished;
    struct semaphore semaphore;
    uint64_t submitted[SYNC_CONTEXTS];
    uint64_t delivered[SYNC_CONTEXTS];
    struct timer_connection timer;
    cap_index_t timer_context;
    uint64_t timer_period_us;
    uint64_t timer_periods;       /* signalled so far */
    uint64_t timer_last_us;       /* the clock never goes back */
    uint64_t ups, downs;          /* the semaphore's, for its final count */
    uint64_t downs_blocked_returned;
    uint8_t ticket_returned[SYNC_PROGRAM_MAX + 1];
};

static void down_checked(struct sync_fuzzer *fuzzer)
{
    uint64_t ticket = semaphore_down(&fuzzer->semaphore);
    if (ticket == 0)
        return;
    DUET_ASSERT(ticket <= semaphore_woken(&fuzzer->semaphore));   /* somebody woke it */
    DUET_ASSERT(ticket <= SYNC_PROGRAM_MAX && !fuzzer->ticket_returned[ticket]);
    fuzzer->ticket_returned[ticket] = 1;
    fuzzer->downs_blocked_returned++;
}

void sync_fuzzer_worker(struct env *env, void *arg)
{
    struct sync_worker *worker = arg;
    struct sync_fuzzer *fuzzer = worker->fuzzer;
    (void)env;
    for (size_t at = SYNC_HEADER_BYTES + worker->index; at < fuzzer->length;
         at += fuzzer->workers) {
        uint8_t op = fuzzer->program[at];
        switch (op & 3u) {
        case SYNC_OP_SUBMIT: {
            unsigned context = ((op >> 2) & 3u) % SYNC_CONTEXTS;
            uint64_t count = 1u + (op >> 4);
            fuzzer->submitted[context] += count;   /* before: never behind a delivery */
            DUET_ASSERT(sys_signal_submit(fuzzer->contexts[context], count) == SYS_OK);
            break;
        }
        case SYNC_OP_DOWN:
            fuzzer->downs++;
            down_checked(fuzzer);
            break;
        case SYNC_OP_UP:
            fuzzer->ups++;
            semaphore_up(&fuzzer->semaphore);
            break;
        default:
            sys_yield();
            break;
        }
    }
    fuzzer->finished++;
}

static void signal_count(struct sync_fuzzer *fuzzer, const struct signal *signal)
{
    DUET_ASSERT(signal->count > 0);
    if (signal->imprint == SYNC_IMPRINT_TIMER) {
        fuzzer->timer_periods += signal->count;
        return;
    }
    DUET_ASSERT(signal->imprint >= 1 && signal->imprint <= SYNC_CONTEXTS);
    unsigned context = (unsigned)signal->imprint - 1;
    fuzzer->delivered[context] += signal->count;
    DUET_ASSERT(fuzzer->delivered[context] <= fuzzer->submitted[context]);
}

static void signals_take(struct sync_fuzzer *fuzzer)
{
    struct signal signal;
    while (sys_signal_wait(fuzzer->signals.receiver, false, &signal) == SYS_OK)
        signal_count(fuzzer, &signal);
}

static uint64_t timer_now(struct sync_fuzzer *fuzzer)
{
    uint64_t us = 0;
    DUET_ASSERT(timer_elapsed_us(fuzzer->env, fuzzer->timer.cap, &us) == RPC_OK);
    DUET_ASSERT(us >= fuzzer->timer_last_us);   /* monotonic */
    fuzzer->timer_last_us = us;
    return us;
}

/* Waits for the last timer periods, disarms, and checks the count. */
static void timer_finish(struct sync_fuzzer *fuzzer, uint64_t armed_before, uint64_t armed_after)
{
    uint64_t wanted = fuzzer->timer_periods + SYNC_TIMER_TAIL;
    while (fuzzer->timer_periods < wanted) {
        struct signal signal;
        DUET_ASSERT(sys_signal_wait(fuzzer->signals.receiver, true, &signal) == SYS_OK);
        signal_count(fuzzer, &signal);
    }
    uint64_t disarm_before = timer_now(fuzzer);
    DUET_ASSERT(timer_trigger_periodic(fuzzer->env, fuzzer->timer.cap, 0) == RPC_OK);
    uint64_t disarm_after = timer_now(fuzzer);
    signals_take(fuzzer);
    uint64_t period = fuzzer->timer_period_us;
    uint64_t surely = (disarm_before - armed_after) / period;
    uint64_t at_most = (disarm_after - armed_before) / period;
    DUET_ASSERT(fuzzer->timer_periods <= at_most);            /* none invented */
    DUET_ASSERT(fuzzer->timer_periods + 2 >= surely);         /* none lost */
}

static void program_load(struct sync_fuzzer *fuzzer)
{
    struct rom_connection rom;
    DUET_ASSERT(rom_connection_open(fuzzer->env, "program", &rom) == RPC_OK);
    /* The target never makes a program longer than SYNC_PROGRAM_MAX. */
    DUET_ASSERT(rom_read_all(fuzzer->env, rom.cap, fuzzer->program, sizeof fuzzer->program,
                             &fuzzer->length) == RPC_OK);
    DUET_ASSERT(rom_connection_close(fuzzer->env, &rom) == RPC_OK);
}

void sync_fuzzer_main(struct env *env)
{
    struct sync_fuzzer *fuzzer = env_alloc(env, sizeof *fuzzer);
    DUET_ASSERT(fuzzer != NULL);
    fuzzer->env = env;
    DUET_ASSERT(log_connection_open(env, &fuzzer->log) == RPC_OK);
    program_load(fuzzer);
    fuzzer->workers = 1u + (fuzzer->length > 0 ? fuzzer->program[0] % SYNC_WORKERS_MAX : 0u);
    int64_t initial = fuzzer->length > 1 ? fuzzer->program[1] % (SYNC_INITIAL_MAX + 1) : 0;
    fuzzer->timer_period_us = 20u * (1u + (fuzzer->length > 2 ? fuzzer->program[2] % 16u : 0u));
    semaphore_init(&fuzzer->semaphore, initial, SEMAPHORE_FIFO);
    DUET_ASSERT(cpu_connection_open(env, &fuzzer->cpu) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &fuzzer->signals) == RPC_OK);
    for (unsigned c = 0; c < SYNC_CONTEXTS; c++)
        DUET_ASSERT(signal_context_alloc(env, &fuzzer->signals, c + 1, &fuzzer->contexts[c]) ==
                    RPC_OK);
    DUET_ASSERT(timer_connection_open(env, &fuzzer->timer) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &fuzzer->signals, SYNC_IMPRINT_TIMER,
                                     &fuzzer->timer_context) == RPC_OK);
    DUET_ASSERT(timer_sigh(env, fuzzer->timer.cap, fuzzer->timer_context) == RPC_OK);
    uint64_t armed_before = timer_now(fuzzer);
    DUET_ASSERT(timer_trigger_periodic(env, fuzzer->timer.cap, fuzzer->timer_period_us) ==
                RPC_OK);
    uint64_t armed_after = timer_now(fuzzer);
    for (unsigned w = 0; w < fuzzer->workers; w++) {
        struct sync_worker *worker = &fuzzer->worker[w];
        *worker = (struct sync_worker){.fuzzer = fuzzer, .index = w};
        DUET_ASSERT((worker->stack = env_alloc(env, SYNC_STACK_BYTES)) != NULL);
        DUET_ASSERT(cpu_thread_create(env, fuzzer->cpu.cap, &worker->thread, sync_fuzzer_worker,
                                      worker, worker->stack, SYNC_STACK_BYTES) == RPC_OK);
    }

    for (unsigned round = 0;; round++) {
        signals_take(fuzzer);
        if (round % 8 == 0)
            (void)timer_now(fuzzer);   /* the clock, read at any point of the work */
        size_t waiting = semaphore_waiting(&fuzzer->semaphore);
        if (fuzzer->finished == fuzzer->workers && waiting == 0)
            break;
        if (fuzzer->finished + waiting == fuzzer->workers) {
            fuzzer->ups++;
            semaphore_up(&fuzzer->semaphore);   /* everyone else is stuck: release one */
        } else {
            sys_yield();
        }
    }
    DUET_ASSERT(semaphore_count(&fuzzer->semaphore) ==
                initial + (int64_t)fuzzer->ups - (int64_t)fuzzer->downs);
    timer_finish(fuzzer, armed_before, armed_after);
    for (unsigned c = 0; c < SYNC_CONTEXTS; c++)
        DUET_ASSERT(fuzzer->delivered[c] == fuzzer->submitted[c]);   /* none lost */
    uint64_t tickets = fuzzer->semaphore.tickets;
    DUET_ASSERT(fuzzer->downs_blocked_returned == tickets);
    for (uint64_t t = 1; t <= tickets; t++)
        DUET_ASSERT(fuzzer->ticket_returned[t]);
    for (unsigned w = 0; w < fuzzer->workers; w++)
        DUET_ASSERT(cpu_thread_kill(env, fuzzer->cpu.cap, &fuzzer->worker[w].thread) == RPC_OK);
    log_write(env, fuzzer->log.cap, "sync oracles held");
    parent_exit(env, 0);
}
