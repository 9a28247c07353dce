/*
 * hostile_client.c - a component that sends core and init whatever the
 * fuzzer says, through the same system calls any component has.
 *
 * It reads its script from the ROM "actions" and performs one action per
 * opcode byte (the operands follow it; a script that runs out ends):
 *   0  open a LOG, ECHO, SECRET (denied), IO_PORT (any range), IRQ (any
 *      line) or PD session (and start a component from a list in it, its
 *      parent an endpoint nobody serves), a CPU session (and start a
 *      thread in it), a SIGNAL session (a context, submits, a signal taken)
 *      or a TIMER session (a context, a one-shot), a RAM session (memory
 *      attached in its own address space and touched) or an RM session
 *      (attached, and attached into itself: a cycle, refused by name)
 *                                             3  raw message (below)
 *   1  open a ROM session (module from a list) 4  log a line of raw bytes
 *   2  raw session request (service, args)    5  yield
 *   6  revocation round: mint capabilities from a fresh endpoint, pass
 *      one to core, revoke, and check that no capability
 *      of the chain works any more (an oracle, asserted)
 *   7  close one of its sessions; its capability must then be stale,
 *      whether this close or an earlier raw one closed it (asserted)
 *   8  run-time control: start or kill echo_server (or a name init does
 *      not know) through init; the answer must be a named status
 * A raw message goes to the parent, to one of the sessions it holds, or to
 * a raw capability index, with any label, word count, words and attached
 * capability index. Whatever it sends, every answer must be a *named*
 * error: a system-call error below SYS_ERR_COUNT and a reply label below
 * RPC_STATUS_COUNT. Anything else is an oracle violation (an assertion,
 * which ends the world as failed).
 * At the end it proves core and init still serve: it opens a fresh LOG
 * session (one slot is kept for it) and logs "core and init survived".
 * If its quota budget or its share of init's session table is spent, it
 * closes sessions until the new one fits: closing returns every donation
 * and slot, so this must succeed before it runs out of sessions to close
 * (asserted).
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/echo_session.h"
#include "duet/io_port_session.h"
#include "duet/irq_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/pd_session.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"
#include "duet/rom_session.h"
#include "duet/signal_session.h"
#include "duet/timer_session.h"
#include "duet/root.h"
#include "duet/string.h"
#include "duet/text.h"

enum {
    HOSTILE_SCRIPT_MAX = 4096,
    HOSTILE_SESSIONS_MAX = 7,      /* init admits 8 per child: one kept for the end */
    HOSTILE_SESSION_SLOTS = HOSTILE_SESSIONS_MAX + 1,   /* +1: the closing LOG */
    HOSTILE_THREADS_MAX = 4,       /* stacks it ever hands out (never reused) */
    HOSTILE_STACK_BYTES = THREAD_STACK_MIN,
};

struct hostile {
    struct env *env;
    uint8_t script[HOSTILE_SCRIPT_MAX];
    size_t length;
    size_t at;
    cap_index_t sessions[HOSTILE_SESSION_SLOTS];
    uint64_t session_ids[HOSTILE_SESSION_SLOTS];
    size_t session_count;
    struct log_session_cap log;          /* a LOG session, if it has one */
    struct cpu_thread threads[HOSTILE_THREADS_MAX];
    size_t thread_count;
    uint64_t actions;
};

static bool script_byte(struct hostile *h, uint8_t *out)
{
    if (h->at >= h->length)
        return false;
    *out = h->script[h->at++];
    return true;
}

static uint8_t script_byte_or_zero(struct hostile *h)
{
    uint8_t b = 0;
    script_byte(h, &b);
    return b;
}

static void check_rpc_status(uint64_t status)
{
    DUET_ASSERT(status < RPC_STATUS_COUNT);
}

static void session_keep(struct hostile *h, cap_index_t cap, uint64_t id, bool is_log)
{
    DUET_ASSERT(cap != CAP_INDEX_INVALID);
    DUET_ASSERT(h->session_count < HOSTILE_SESSION_SLOTS);
    h->session_ids[h->session_count] = id;
    h->sessions[h->session_count++] = cap;
    if (is_log && h->log.index == CAP_INDEX_INVALID)
        h->log.index = cap;
}

/* A thread of the hostile client: gives way once, then exits. */
void hostile_thread(struct env *env, void *arg)
{
    (void)env;
    (void)arg;
    sys_yield();
}

/* CPU (6): a session and, while stacks last, a thread in it at the listed
 * entry; SIGNAL (7): a session, a context, submits, a signal taken back;
 * TIMER (8): a session whose alarm signals a context of a SIGNAL session.
 * Each answer must be a named status; the signal must count exactly. */
static void action_open_threads_signals_timer(struct hostile *h, uint8_t which)
{
    if (which == 6) {
        struct cpu_connection cpu;
        enum rpc_status status = cpu_connection_open(h->env, &cpu);
        check_rpc_status(status);
        if (status != RPC_OK)
            return;
        session_keep(h, cpu.cap.index, cpu.id, false);
        if (h->thread_count == HOSTILE_THREADS_MAX)
            return;
        void *stack = env_alloc(h->env, HOSTILE_STACK_BYTES);
        if (stack == NULL)
            return;
        struct cpu_thread *thread = &h->threads[h->thread_count++];
        check_rpc_status(cpu_thread_create(h->env, cpu.cap, thread, hostile_thread, h, stack,
                                           HOSTILE_STACK_BYTES));
        return;
    }
    struct signal_connection signals;
    enum rpc_status status = signal_connection_open(h->env, &signals);
    check_rpc_status(status);
    if (status != RPC_OK)
        return;
    session_keep(h, signals.cap.index, signals.id, false);
    cap_index_t context = CAP_INDEX_INVALID;
    status = signal_context_alloc(h->env, &signals, 1 + script_byte_or_zero(h), &context);
    check_rpc_status(status);
    if (status == RPC_OK && which == 7) {
        uint64_t count = 1 + script_byte_or_zero(h) % 8;
        for (uint64_t i = 0; i < count; i++)
            DUET_ASSERT(sys_signal_submit(context, 1) == SYS_OK);
        struct signal signal;
        DUET_ASSERT(sys_signal_wait(signals.receiver, false, &signal) == SYS_OK);
        DUET_ASSERT(signal.count == count);   /* counted, none lost or invented */
    }
    /* The timer's session needs a second slot besides the SIGNAL one. */
    if (status == RPC_OK && which == 8 && h->session_count < HOSTILE_SESSIONS_MAX) {
        struct timer_connection timer;
        status = timer_connection_open(h->env, &timer);
        check_rpc_status(status);
        if (status == RPC_OK) {
            session_keep(h, timer.cap.index, timer.id, false);
            check_rpc_status(timer_sigh(h->env, timer.cap, context));
            check_rpc_status(timer_trigger_once(h->env, timer.cap, 1 + script_byte_or_zero(h)));
        }
    }
    if (context != CAP_INDEX_INVALID)
        sys_cap_delete(context);
    sys_cap_delete(signals.receiver);   /* the session itself is kept */
}

/* Where the client attaches memory in its own address space: above the
 * boot area, page aligned, anywhere the script says (maybe taken). */
static uint64_t script_window_offset(struct hostile *h)
{
    uint64_t page = (uint64_t)script_byte_or_zero(h) << 4 | (script_byte_or_zero(h) & 0xf);
    return WINDOW_BOOT_BYTES + (page % ((WINDOW_BYTES - WINDOW_BOOT_BYTES) / PAGE_BYTES)) * PAGE_BYTES;
}

/* RAM (9): a session, dataspaces of script sizes, attached in the own
 * address space where the script says, touched (a page fault core
 * resolves), maybe detached or freed. RM (10): a session, its managed
 * dataspace attached in the own address space (never touched: nothing
 * handles its faults), a RAM dataspace attached in it, and the map
 * attached into itself, which must be refused as a cycle. */
static void action_open_memory(struct hostile *h, uint8_t which)
{
    struct region_map_cap space;
    enum rpc_status status = env_address_space(h->env, &space);
    check_rpc_status(status);
    if (status != RPC_OK)
        return;
    if (which == 9) {
        struct ram_connection ram;
        status = ram_connection_open(h->env, "hostile", (uint64_t)(script_byte_or_zero(h) % 16) *
                                                            PAGE_BYTES, &ram);
        check_rpc_status(status);
        if (status != RPC_OK)
            return;
        session_keep(h, ram.cap.index, ram.id, false);
        struct dataspace_cap ds;
        status = ram_alloc(ram.cap, 1 + (uint64_t)script_byte_or_zero(h) * 512, &ds);
        check_rpc_status(status);
        if (status != RPC_OK)
            return;
        uint8_t how = script_byte_or_zero(h);
        struct region_map_attach attr = {
            .size = how & 1 ? PAGE_BYTES : 0, .at = script_window_offset(h),
            .flags = (how & 2 ? RM_ATTACH_AT : 0) | RM_ATTACH_WRITABLE};
        uint64_t at = 0;
        status = region_map_attach(space, ds, &attr, &at);
        check_rpc_status(status);
        if (status == RPC_OK) {
            volatile uint8_t *memory = env_local(h->env, at);
            DUET_ASSERT(memory[0] == 0);   /* a new dataspace is zeroed */
            memory[0] = how;
            DUET_ASSERT(memory[0] == how);
            if (how & 4)
                check_rpc_status(region_map_detach(space, at));
        }
        if (how & 8)
            check_rpc_status(ram_free(ram.cap, ds));   /* also takes it out of the map */
        else
            sys_cap_delete(ds.index);
        return;
    }
    struct rm_connection rm;
    status = rm_connection_open(h->env, "hostile", (1 + script_byte_or_zero(h) % 16) * PAGE_BYTES,
                                script_byte_or_zero(h) % 4, &rm);
    check_rpc_status(status);
    if (status != RPC_OK)
        return;
    session_keep(h, rm.cap.index, rm.id, false);
    struct dataspace_cap managed;
    status = region_map_dataspace(rm.cap, &managed);
    check_rpc_status(status);
    if (status != RPC_OK)
        return;
    struct region_map_attach attr = {.at = script_window_offset(h),
                                     .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t at = 0;
    check_rpc_status(region_map_attach(space, managed, &attr, &at));
    attr = (struct region_map_attach){.size = PAGE_BYTES, .flags = RM_ATTACH_WRITABLE};
    DUET_ASSERT(region_map_attach(rm.cap, managed, &attr, &at) == RPC_ERR_CYCLE);
    sys_cap_delete(managed.index);
}

/* LOG (core, through init), ECHO (the sibling, routed) or SECRET (no
 * route: must be denied). */
static void action_open_service(struct hostile *h)
{
    uint8_t which = script_byte_or_zero(h) % 11;
    if (which >= 9) {
        action_open_memory(h, which);
        return;
    }
    if (which >= 6) {
        action_open_threads_signals_timer(h, which);
        return;
    }
    if (which == 5) {
        static const char *const components[] = {"quitter", "hello", "io_intruder", "core",
                                                 "init", "no_such_component"};
        struct pd_connection pd;
        enum rpc_status status = pd_connection_open(h->env, "child", &pd);
        check_rpc_status(status);
        if (status != RPC_OK)
            return;
        session_keep(h, pd.cap.index, pd.id, false);
        cap_index_t parent = CAP_INDEX_INVALID;
        if (sys_endpoint_create(&parent) != SYS_OK)
            return;
        const char *name = components[script_byte_or_zero(h) % DUET_ARRAY_COUNT(components)];
        check_rpc_status(pd_start(h->env, pd.cap, name, parent));
        sys_cap_delete(parent);   /* the child keeps its own copy */
        return;
    }
    if (which == 3) {   /* the client never touches the ports: only core's allocator is tested */
        uint16_t base = (uint16_t)(script_byte_or_zero(h) << 8 | script_byte_or_zero(h));
        uint16_t size = script_byte_or_zero(h) % 17;
        struct io_port_connection io;
        enum rpc_status status = io_port_connection_open(h->env, base, size, &io);
        check_rpc_status(status);
        if (status == RPC_OK)
            session_keep(h, io.cap.index, io.id, false);
        return;
    }
    if (which == 4) {
        struct irq_connection irq;
        enum rpc_status status = irq_connection_open(h->env, script_byte_or_zero(h) % 18, &irq);
        check_rpc_status(status);
        if (status == RPC_OK)
            session_keep(h, irq.cap.index, irq.id, false);
        return;
    }
    if (which == 0) {
        struct log_connection log;
        enum rpc_status status = log_connection_open(h->env, &log);
        check_rpc_status(status);
        if (status == RPC_OK)
            session_keep(h, log.cap.index, log.id, true);
        return;
    }
    if (which == 1) {
        struct echo_connection echo;
        enum rpc_status status = echo_connection_open(h->env, &echo);
        check_rpc_status(status);
        if (status == RPC_OK)
            session_keep(h, echo.cap.index, echo.id, false);
        return;
    }
    cap_index_t cap = CAP_INDEX_INVALID;
    uint64_t id = 0;
    DUET_ASSERT(parent_session(h->env, "SECRET", "", &cap, &id) == RPC_ERR_DENIED);
}

static void action_open_rom(struct hostile *h)
{
    static const char *const modules[] = {"config", "actions", "no_such_module", "",
                                          "a_module_name_that_is_much_too_long_to_fit"};
    const char *module = modules[script_byte_or_zero(h) % DUET_ARRAY_COUNT(modules)];
    struct rom_connection rom;
    enum rpc_status status = rom_connection_open(h->env, module, &rom);
    check_rpc_status(status);
    if (status == RPC_OK)
        session_keep(h, rom.cap.index, rom.id, false);
}

/* Copies up to max-1 script bytes, NUL-terminated, length from the script. */
static void script_string(struct hostile *h, char *out, size_t max)
{
    size_t length = script_byte_or_zero(h) % max;
    size_t i = 0;
    for (; i < length; i++) {
        uint8_t b = 0;
        if (!script_byte(h, &b))
            break;
        out[i] = b == 0 ? '?' : (char)b;
    }
    out[i] = '\0';
}

static void action_raw_session(struct hostile *h)
{
    char service[PARENT_SERVICE_MAX];
    char args[PARENT_ARGS_MAX];
    script_string(h, service, sizeof service);
    script_string(h, args, sizeof args);
    cap_index_t cap = CAP_INDEX_INVALID;
    uint64_t id = 0;
    enum rpc_status status = parent_session(h->env, service, args, &cap, &id);
    check_rpc_status(status);
    if (status == RPC_OK)
        session_keep(h, cap, id, duet_strcmp(service, "LOG") == 0);
}

static cap_index_t raw_target(struct hostile *h, uint8_t selector)
{
    if (selector < 64)
        return h->env->parent;
    if (selector < 192 && h->session_count > 0)
        return h->sessions[selector % h->session_count];
    return selector % (CAP_SPACE_SLOTS + 8);   /* any index, valid or not */
}

static void action_raw_message(struct hostile *h)
{
    /* ECHO_HOLD makes the server exit while it holds the call: init may
     * be opening, upgrading or closing a session there at that moment,
     * which its opener thread survives (init_opener.c). */
    static const uint64_t labels[] = {PARENT_SESSION, PARENT_EXIT,  PARENT_CLOSE,
                                      PARENT_ANNOUNCE, LOG_WRITE,   ROM_SIZE,
                                      ROM_READ,        ECHO_ADD,    ROOT_SESSION,
                                      ROOT_CLOSE,      PARENT_UPGRADE, ECHO_RESERVE,
                                      PD_START,        PARENT_START, PARENT_KILL,
                                      ECHO_HOLD,       RAM_ALLOC,    RAM_FREE,
                                      REGION_MAP_ATTACH, REGION_MAP_DETACH,
                                      REGION_MAP_FAULT_HANDLER, REGION_MAP_DATASPACE,
                                      PD_ADDRESS_SPACE, PARENT_ADDRESS_SPACE};
    uint8_t selector = script_byte_or_zero(h);
    uint8_t label_byte = script_byte_or_zero(h);
    cap_index_t target = raw_target(h, selector);
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    m->label = label_byte < 200 ? labels[label_byte % DUET_ARRAY_COUNT(labels)]
                                : (uint64_t)label_byte << (label_byte % 7 * 8);
    m->word_count = script_byte_or_zero(h) % (IPC_WORDS + 2);
    for (unsigned w = 0; w < IPC_WORDS; w++)
        for (unsigned b = 0; b < 8 && w < m->word_count; b++)
            m->word[w] |= (uint64_t)script_byte_or_zero(h) << (8 * b);
    uint8_t cap_byte = script_byte_or_zero(h);
    m->cap = cap_byte < 128 ? CAP_INDEX_INVALID : cap_byte % (CAP_SPACE_SLOTS + 8);

    /* Never let it open sessions past its budget through the back door, and
     * never quit by the back door: PARENT_EXIT to the parent is a real exit
     * (init destroys the PD), after which nothing could check anything. */
    bool may_open = m->label == PARENT_SESSION && target == h->env->parent;
    if (may_open && h->session_count == HOSTILE_SESSIONS_MAX)
        return;
    if (m->label == PARENT_EXIT && target == h->env->parent)
        return;
    enum sys_error error = sys_call(target, m);
    DUET_ASSERT((unsigned)error < SYS_ERR_COUNT);
    if (error != SYS_OK)
        return;
    check_rpc_status(m->label);
    if (m->cap != CAP_INDEX_INVALID) {
        if (may_open && m->label == RPC_OK)
            session_keep(h, m->cap, m->word_count > 0 ? m->word[0] : 0, false);
        else
            sys_cap_delete(m->cap);
    }
}

static void action_log_raw(struct hostile *h)
{
    char line[LOG_LINE_MAX + 8];
    script_string(h, line, sizeof line);
    if (h->log.index == CAP_INDEX_INVALID)
        return;
    enum rpc_status status = log_write(h->env, h->log, line);
    check_rpc_status(status);
}

enum { REVOKE_CHAIN_MAX = 4 };

static void action_revoke_round(struct hostile *h)
{
    unsigned length = 1 + script_byte_or_zero(h) % REVOKE_CHAIN_MAX;
    cap_index_t endpoint = CAP_INDEX_INVALID;
    if (sys_endpoint_create(&endpoint) != SYS_OK)
        return; /* out of slots: nothing to check this time */
    cap_index_t chain[REVOKE_CHAIN_MAX];
    unsigned made = 0;
    /* Siblings minted from the endpoint (a badged capability cannot be
     * minted again); depth comes from passing one on to core. */
    while (made < length && sys_cap_mint(endpoint, made + 1, &chain[made]) == SYS_OK)
        made++;
    if (made > 0 && h->log.index != CAP_INDEX_INVALID) {
        /* Hand a copy to core (which drops it) so derivation crosses PDs. */
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = LOG_WRITE, .word_count = 1,
                                  .word = {LOG_FLAG_LINE_END}, .cap = chain[made - 1]};
        enum sys_error error = sys_call(h->log.index, m);
        DUET_ASSERT(error == SYS_OK || error == SYS_ERR_STALE_CAP);
    }
    DUET_ASSERT(sys_cap_revoke(endpoint) == SYS_OK);
    for (unsigned i = 0; i < made; i++) {
        struct ipc_message probe = {.label = LOG_WRITE};
        cap_index_t copy = CAP_INDEX_INVALID;
        DUET_ASSERT(sys_call(chain[i], &probe) == SYS_ERR_STALE_CAP);
        DUET_ASSERT(sys_cap_mint(chain[i], 1, &copy) == SYS_ERR_STALE_CAP);
        DUET_ASSERT(sys_cap_delete(chain[i]) == SYS_OK);
    }
    DUET_ASSERT(sys_cap_delete(endpoint) == SYS_OK);
}

static void action_close(struct hostile *h)
{
    if (h->session_count == 0)
        return;
    size_t i = script_byte_or_zero(h) % h->session_count;
    cap_index_t cap = h->sessions[i];
    check_rpc_status(parent_close(h->env, h->session_ids[i]));
    struct ipc_message probe = {.label = LOG_WRITE};
    DUET_ASSERT(sys_call(cap, &probe) == SYS_ERR_STALE_CAP);
    DUET_ASSERT(sys_cap_delete(cap) == SYS_OK);
    if (h->log.index == cap)
        h->log.index = CAP_INDEX_INVALID;
    h->session_count--;
    h->sessions[i] = h->sessions[h->session_count];
    h->session_ids[i] = h->session_ids[h->session_count];
}

static void action_control(struct hostile *h)
{
    static const char *const names[] = {"echo_server", "echo_server", "hostile_client", "nobody"};
    uint8_t choice = script_byte_or_zero(h);
    const char *name = names[choice % DUET_ARRAY_COUNT(names)];
    enum rpc_status status = (choice & 0x80) ? parent_kill_child(h->env, name)
                                             : parent_start_child(h->env, name);
    check_rpc_status(status);
    if (duet_strcmp(name, "hostile_client") == 0)
        DUET_ASSERT(status == RPC_ERR_DENIED);   /* never itself */
}

static bool hostile_step(struct hostile *h)
{
    uint8_t opcode = 0;
    if (!script_byte(h, &opcode))
        return false;
    h->actions++;
    bool sessions_full = h->session_count == HOSTILE_SESSIONS_MAX;
    switch (opcode % 9) {
    case 0: if (!sessions_full) action_open_service(h); break;
    case 1: if (!sessions_full) action_open_rom(h); break;
    case 2: if (!sessions_full) action_raw_session(h); break;
    case 3: action_raw_message(h); break;
    case 4: action_log_raw(h); break;
    case 5: sys_yield(); break;
    case 6: action_revoke_round(h); break;
    case 7: action_close(h); break;
    case 8: action_control(h); break;
    }
    return true;
}

void hostile_client_main(struct env *env)
{
    struct hostile *h = env_alloc(env, sizeof *h);
    DUET_ASSERT(h != NULL);
    h->env = env;
    struct rom_connection rom;
    enum rpc_status status = rom_connection_open(env, "actions", &rom);
    DUET_ASSERT(status == RPC_OK);
    status = rom_read_all(env, rom.cap, h->script, sizeof h->script, &h->length);
    DUET_ASSERT(status == RPC_OK);

    while (hostile_step(h))
        DUET_ASSERT(h->actions <= HOSTILE_SCRIPT_MAX);

    struct log_connection last;
    for (;;) {
        status = log_connection_open(env, &last);
        if (status != RPC_ERR_OUT_OF_RAM && status != RPC_ERR_OUT_OF_CAPS &&
            status != RPC_ERR_SESSION_LIMIT)
            break;
        DUET_ASSERT(h->session_count > 0); /* all closed, yet no budget: quota lost */
        h->at = h->length;                 /* action_close reads no script now */
        action_close(h);
    }
    DUET_ASSERT(status == RPC_OK);
    h->log = last.cap;
    char line[64];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append_u64(&text, h->actions);
    text_append(&text, " actions done");
    status = log_write(env, h->log, line);
    DUET_ASSERT(status == RPC_OK);
    status = log_write(env, h->log, "core and init survived");
    DUET_ASSERT(status == RPC_OK);
    parent_exit(env, 0);
}
