/*
 * ps2_driver.c - the PS/2 keyboard driver: INPUT sessions on the i8042.
 *
 * It programs the controller through two IO_PORT sessions (ports 0x60 and
 * 0x64, i8042_controller.c) and takes IRQ 1 through an IRQ session, then
 * announces INPUT (duet/input_session.h). One entrypoint (the main thread)
 * serves everything, so nothing here needs a lock:
 *   - root calls open and close sessions;
 *   - session calls register the signal context, fetch events, report
 *     the status;
 *   - an IRQ thread waits for IRQ 1 and turns each interrupt into a call
 *     on the entrypoint (badge PS2_BADGE_IRQ), which takes every byte
 *     waiting (at most PS2_BYTES_PER_IRQ_MAX).
 * Each keyboard byte goes to the LED state machine first (it takes the
 * keyboard's replies to an LED command, keyboard_leds.c), else to the
 * scan-code decoder (scancode_decoder.c); each decoded event may toggle a
 * lock LED and is queued for every session. Mouse bytes (the mouse is
 * kept off, but a byte may be on its way) are counted and dropped.
 *
 * Nothing on the interrupt path logs: a line to core's console takes
 * milliseconds (about 87 us a character at 115200 baud), during which the
 * keyboard's 16-byte buffer fills and drops bytes (found by the ps2 fuzz
 * target). Malformed sequences and LED state are counted and reported by
 * INPUT_STATUS instead; only start-up is logged.
 *
 * Only IO_PORT, IRQ, CPU, LOG and system calls: the same code drives a
 * real i8042 on bare metal.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/input_session.h"
#include "duet/irq_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/quota.h"
#include "duet/root.h"
#include "duet/text.h"
#include "i8042_controller.h"
#include "keyboard_leds.h"
#include "scancode_decoder.h"

enum {
    PS2_SESSIONS_MAX = 4,
    PS2_SESSION_RAM_COST = 1024,
    PS2_SESSION_CAP_COST = 2,
    PS2_BADGE_ROOT = 1u << 16,
    PS2_BADGE_SESSION = 1u << 17,
    PS2_BADGE_IRQ = 1u << 18,
    PS2_IRQ_STACK_BYTES = THREAD_STACK_MIN,
    PS2_IRQ_LABEL = 1,
    PS2_BYTES_PER_IRQ_MAX = 64,
};

struct ps2_session {
    cap_index_t cap;                     /* our copy; CAP_INDEX_INVALID = free slot */
    cap_index_t sigh;                    /* the client's signal context, or none */
    uint64_t events[INPUT_QUEUE_EVENTS]; /* ring: `count` from `head` */
    uint32_t head;
    uint32_t count;
    uint64_t dropped;                    /* since the last fetch */
};

struct ps2_server {
    struct env *env;
    struct log_connection log;
    struct i8042_controller controller;
    struct irq_connection irq;
    struct cpu_connection cpu;
    struct cpu_thread irq_thread;
    cap_index_t endpoint;
    cap_index_t irq_cap;                 /* badged copy the IRQ thread calls */
    struct scancode_decoder decoder;
    struct keyboard_leds leds;
    struct ps2_session sessions[PS2_SESSIONS_MAX];
    uint64_t bytes;                      /* keyboard bytes taken */
    uint64_t mouse_bytes;                /* dropped */
};

static void say(struct ps2_server *s, const char *what, uint64_t number, const char *more)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append_u64(&text, number);
    text_append(&text, more);
    log_write(s->env, s->log.cap, line);
}

/* ---- events to sessions ---------------------------------------------------- */

static void session_push(struct ps2_session *session, uint64_t event)
{
    if (session->count == INPUT_QUEUE_EVENTS) {
        session->dropped++;   /* overflow: the newest is dropped, counted */
        return;
    }
    session->events[(session->head + session->count) % INPUT_QUEUE_EVENTS] = event;
    session->count++;
    if (session->count == 1 && session->sigh != CAP_INDEX_INVALID)
        (void)sys_signal_submit(session->sigh, 1);   /* a gone client is its own business */
}

static void event_deliver(struct ps2_server *s, uint16_t code, bool press)
{
    uint64_t event = code | (press ? INPUT_EVENT_PRESS : 0);
    for (size_t id = 0; id < PS2_SESSIONS_MAX; id++)
        if (s->sessions[id].cap != CAP_INDEX_INVALID)
            session_push(&s->sessions[id], event);
}

/* ---- bytes from the keyboard --------------------------------------------- */

static void leds_send(struct ps2_server *s, struct leds_output output)
{
    if (output.send && !i8042_controller_keyboard_write(&s->controller, output.byte))
        s->leds.failures++;
}

static void keyboard_byte(struct ps2_server *s, uint8_t byte)
{
    s->bytes++;
    bool taken = false;
    leds_send(s, keyboard_leds_reply(&s->leds, byte, &taken));
    if (taken)
        return;
    struct scancode_events events;
    scancode_decoder_feed(&s->decoder, byte, &events);
    for (unsigned i = 0; i < events.count; i++) {
        event_deliver(s, events.code[i], events.press[i]);
        leds_send(s, keyboard_leds_key(&s->leds, events.code[i], events.press[i]));
    }
}

static void ps2_irq(struct ps2_server *s)
{
    for (unsigned i = 0; i < PS2_BYTES_PER_IRQ_MAX; i++) {
        uint8_t byte = 0;
        bool aux = false;
        if (!i8042_controller_read(&s->controller, &byte, &aux))
            return;
        if (aux)
            s->mouse_bytes++;
        else
            keyboard_byte(s, byte);
    }
}

/* The IRQ thread: each IRQ 1 becomes a call on the entrypoint. */
void ps2_irq_thread(struct env *env, void *arg)
{
    struct ps2_server *s = arg;
    (void)env;
    irq_forward_to_entrypoint(&s->irq, s->irq_cap, PS2_IRQ_LABEL);
}

/* ---- the root interface: sessions -------------------------------------- */

static struct ps2_session *session_of(struct ps2_server *s, uint64_t id)
{
    return id < PS2_SESSIONS_MAX && s->sessions[id].cap != CAP_INDEX_INVALID ? &s->sessions[id]
                                                                              : NULL;
}

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ps2_server *s = server;
    uint64_t ram = 0, caps = 0;
    enum rpc_status status = root_session_decode(request, PS2_SESSION_RAM_COST,
                                                 PS2_SESSION_CAP_COST, &ram, &caps);
    if (status != RPC_OK)
        return status;
    for (uint64_t id = 0; id < PS2_SESSIONS_MAX; id++) {
        struct ps2_session *session = &s->sessions[id];
        if (session->cap != CAP_INDEX_INVALID)
            continue;
        if (sys_cap_mint(s->endpoint, PS2_BADGE_SESSION | id, &session->cap) != SYS_OK)
            return RPC_ERR_SESSION_LIMIT;
        session->sigh = CAP_INDEX_INVALID;
        session->head = session->count = 0;
        session->dropped = 0;
        reply->cap = session->cap;
        reply->word_count = 1;
        reply->word[0] = id;
        return RPC_OK;
    }
    return RPC_ERR_SESSION_LIMIT;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct ps2_session *session = session_of(server, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    if (session->sigh != CAP_INDEX_INVALID)
        sys_cap_delete(session->sigh);
    sys_cap_revoke(session->cap);
    sys_cap_delete(session->cap);
    *session = (struct ps2_session){.cap = CAP_INDEX_INVALID, .sigh = CAP_INDEX_INVALID};
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    /* Sessions cost a fixed amount: an upgrade is accepted and unused. */
    return session_of(server, request->word[0]) != NULL ? RPC_OK : RPC_ERR_INVALID_SESSION;
}

/* ---- the INPUT interface ------------------------------------------------- */

/* The request's capability is kept (the dispatcher would delete it). */
static enum rpc_status input_perform_INPUT_SIGH(void *server, void *session_arg,
                                                const struct ipc_message *request,
                                                struct ipc_message *reply)
{
    struct ps2_session *session = session_arg;
    if (session->sigh != CAP_INDEX_INVALID)
        sys_cap_delete(session->sigh);
    session->sigh = request->cap;
    if (session->count > 0)
        (void)sys_signal_submit(session->sigh, 1);   /* events waited already */
    return RPC_OK;
}

static enum rpc_status input_perform_INPUT_FETCH(void *server, void *session_arg,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ps2_session *session = session_arg;
    uint32_t n = session->count < INPUT_FETCH_EVENTS_MAX ? session->count
                                                         : INPUT_FETCH_EVENTS_MAX;
    reply->word[0] = n;
    reply->word[1] = session->dropped;
    for (uint32_t i = 0; i < n; i++)
        reply->word[2 + i] = session->events[(session->head + i) % INPUT_QUEUE_EVENTS];
    session->head = (session->head + n) % INPUT_QUEUE_EVENTS;
    session->count -= n;
    session->dropped = 0;
    reply->word_count = 2 + n;
    DUET_ASSERT(session->count < INPUT_QUEUE_EVENTS);
    return RPC_OK;
}

static enum rpc_status input_perform_INPUT_STATUS(void *server, void *session_arg,
                                                  const struct ipc_message *request,
                                                  struct ipc_message *reply)
{
    struct ps2_server *s = server;
    reply->word_count = 4;
    reply->word[0] = s->leds.shown;
    reply->word[1] = s->decoder.malformed;
    reply->word[2] = s->decoder.set;
    reply->word[3] = s->bytes;
    return RPC_OK;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define INPUT_HANDLER(...) RPC_HANDLER(input_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler input_handlers[] = {INPUT_SESSION_RPCS(INPUT_HANDLER)};

/* ---- start ----------------------------------------------------------------- */

static bool ps2_devices(struct ps2_server *s)
{
    struct env *env = s->env;
    if (log_connection_open(env, &s->log) != RPC_OK)
        return false;
    if (i8042_controller_open(env, &s->controller) != RPC_OK ||
        irq_connection_open(env, I8042_CONTROLLER_KEYBOARD_IRQ, &s->irq) != RPC_OK) {
        log_write(env, s->log.cap, "no i8042: ports 0x60/0x64 or IRQ 1 refused");
        return false;
    }
    enum i8042_error error = i8042_controller_init(&s->controller);
    if (error != I8042_OK) {
        char line[64];
        struct text text;
        text_init(&text, line, sizeof line);
        text_append(&text, "i8042 init failed: ");
        text_append(&text, i8042_error_name(error));
        log_write(env, s->log.cap, line);
        return false;
    }
    scancode_decoder_init(&s->decoder, s->controller.scancode_set);
    keyboard_leds_init(&s->leds);
    return true;
}

static bool ps2_setup(struct ps2_server *s)
{
    struct env *env = s->env;
    cap_index_t root = CAP_INDEX_INVALID;
    void *stack = env_alloc(env, PS2_IRQ_STACK_BYTES);
    return stack != NULL && ps2_devices(s) && cpu_connection_open(env, &s->cpu) == RPC_OK &&
           sys_endpoint_create(&s->endpoint) == SYS_OK &&
           sys_cap_mint(s->endpoint, PS2_BADGE_IRQ, &s->irq_cap) == SYS_OK &&
           cpu_thread_create(env, s->cpu.cap, &s->irq_thread, ps2_irq_thread, s, stack,
                             PS2_IRQ_STACK_BYTES) == RPC_OK &&
           sys_cap_mint(s->endpoint, PS2_BADGE_ROOT, &root) == SYS_OK &&
           parent_announce(env, "INPUT", root) == RPC_OK;
}

void ps2_main(struct env *env)
{
    struct ps2_server *s = env_alloc(env, sizeof *s);
    DUET_ASSERT(s != NULL);
    s->env = env;
    for (size_t id = 0; id < PS2_SESSIONS_MAX; id++)
        s->sessions[id] = (struct ps2_session){.cap = CAP_INDEX_INVALID,
                                               .sigh = CAP_INDEX_INVALID};
    /* Short of its devices or resources the driver says so and exits. */
    if (!ps2_setup(s)) {
        parent_exit(env, 1);
        return;
    }
    /* After the announcement: clients wait for INPUT, not for the console. */
    say(s, s->controller.translation ? "i8042 translation on: decoding set "
                                     : "i8042 translation off: decoding set ",
        s->controller.scancode_set, "");
    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(s->endpoint, reply, message, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        bool keep_cap = false;
        struct ps2_session *session =
            (badge & PS2_BADGE_SESSION) ? session_of(s, badge & 0xffff) : NULL;
        if (badge == PS2_BADGE_IRQ) {
            ps2_irq(s);
            *message = (struct ipc_message){.label = RPC_OK};
        } else if (badge == PS2_BADGE_ROOT) {
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), s, NULL, &request,
                         message);
        } else if (session != NULL) {
            rpc_dispatch(input_handlers, DUET_ARRAY_COUNT(input_handlers), s, session,
                         &request, message);
            keep_cap = request.label == INPUT_SIGH && message->label == RPC_OK;
        } else {
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        }
        if (request.cap != CAP_INDEX_INVALID && !keep_cap)
            sys_cap_delete(request.cap);
        reply = true;
    }
}
