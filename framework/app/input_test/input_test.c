/*
 * input_test.c - a client of the INPUT service that logs every key it gets
 * (scenarios/keyboard.scn, scenarios/keyboard_set2.scn).
 *
 * It logs each event ("key 0x1e press"), and keeps a transcript: letters,
 * digits and space as typed (Shift and Caps Lock applied), other keys it
 * knows as <name> on their press. Pause ends the test: it then checks the
 * driver's status (no malformed sequence, no event dropped) and logs one
 * line with the transcript, the LEDs and the scan-code set, which the
 * scenario expects exactly.
 */
#include "duet/assert.h"
#include "duet/input_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/signal_session.h"
#include "duet/text.h"

enum {
    KEY_HOME = INPUT_KEY_EXTENDED | 0x47,
    TRANSCRIPT_MAX = 160,
    SET1_CHARACTERS = 0x3A,
    EVENTS_MAX = 4096,                   /* then the test gives up */
};

/* Set-1 make codes 0x00..0x39 to the lowercase character they type. */
static const char set1_characters[SET1_CHARACTERS + 1] =
    "\0\0" "1234567890" "\0\0\0\0" "qwertyuiop" "\0\0\0\0" "asdfghjkl" "\0\0\0\0\0"
    "zxcvbnm" "\0\0\0\0\0\0" " ";

DUET_STATIC_ASSERT(sizeof set1_characters == SET1_CHARACTERS + 1, "one character per code");

struct input_test {
    struct env *env;
    struct log_connection log;
    struct signal_connection signals;
    struct input_connection input;
    cap_index_t context;
    bool shift_left, shift_right, caps;
    bool done;
    uint64_t events;
    char transcript[TRANSCRIPT_MAX];
    struct text text;
};

static const char *key_token(uint16_t code)
{
    switch (code) {
    case INPUT_KEY_UP: return "<up>";
    case INPUT_KEY_DOWN: return "<down>";
    case INPUT_KEY_LEFT: return "<left>";
    case INPUT_KEY_RIGHT: return "<right>";
    case INPUT_KEY_ENTER: return "<enter>";
    case INPUT_KEY_ESCAPE: return "<escape>";
    case INPUT_KEY_CAPS_LOCK: return "<caps>";
    case INPUT_KEY_PAUSE: return "<pause>";
    case KEY_HOME: return "<home>";
    default: return NULL;
    }
}

static void event_log(struct input_test *test, uint16_t code, bool press)
{
    char line[48];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "key ");
    text_append_hex(&text, code);
    text_append(&text, press ? " press" : " release");
    log_write(test->env, test->log.cap, line);
}

static void event_apply(struct input_test *test, uint64_t event)
{
    uint16_t code = (uint16_t)(event & INPUT_KEY_CODE_MASK);
    bool press = (event & INPUT_EVENT_PRESS) != 0;
    DUET_ASSERT((event & ~(INPUT_KEY_CODE_MASK | INPUT_EVENT_PRESS)) == 0);
    event_log(test, code, press);
    if (code == INPUT_KEY_LEFT_SHIFT)
        test->shift_left = press;
    if (code == INPUT_KEY_RIGHT_SHIFT)
        test->shift_right = press;
    if (!press)
        return;
    if (code == INPUT_KEY_CAPS_LOCK)
        test->caps = !test->caps;
    if (code == INPUT_KEY_PAUSE)
        test->done = true;
    const char *token = key_token(code);
    if (token != NULL) {
        text_append(&test->text, token);
        return;
    }
    char c = code < SET1_CHARACTERS ? set1_characters[code] : '\0';
    if (c == '\0')
        return;
    bool upper = (test->shift_left || test->shift_right) != test->caps;
    if (upper && c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    char one[2] = {c, '\0'};
    text_append(&test->text, one);
}

/* Waits for the signal, then fetches until the queue is empty. */
static void events_take(struct input_test *test)
{
    struct signal signal;
    DUET_ASSERT(sys_signal_wait(test->signals.receiver, true, &signal) == SYS_OK);
    for (;;) {
        struct input_fetch fetch;
        DUET_ASSERT(input_fetch(test->env, test->input.cap, &fetch) == RPC_OK);
        DUET_ASSERT(fetch.dropped == 0);
        if (fetch.count == 0)
            return;
        for (uint64_t i = 0; i < fetch.count; i++)
            event_apply(test, fetch.events[i]);
        test->events += fetch.count;
    }
}

static void report(struct input_test *test)
{
    struct input_status status;
    DUET_ASSERT(input_status(test->env, test->input.cap, &status) == RPC_OK);
    DUET_ASSERT(status.malformed == 0);
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "typed \"");
    text_append(&text, test->transcript);
    text_append(&text, "\", LEDs ");
    text_append_hex(&text, status.leds);
    text_append(&text, ", set ");
    text_append_u64(&text, status.scancode_set);
    text_append(&text, ", events ");
    text_append_u64(&text, test->events);
    log_write(test->env, test->log.cap, line);
}

void input_test_main(struct env *env)
{
    struct input_test *test = env_alloc(env, sizeof *test);
    DUET_ASSERT(test != NULL);
    test->env = env;
    text_init(&test->text, test->transcript, sizeof test->transcript);
    DUET_ASSERT(log_connection_open(env, &test->log) == RPC_OK);
    DUET_ASSERT(signal_connection_open(env, &test->signals) == RPC_OK);
    DUET_ASSERT(signal_context_alloc(env, &test->signals, 1, &test->context) == RPC_OK);
    DUET_ASSERT(input_connection_open(env, &test->input) == RPC_OK);
    DUET_ASSERT(input_sigh(env, test->input.cap, test->context) == RPC_OK);
    log_write(env, test->log.cap, "waiting for keys");
    while (!test->done) {
        DUET_ASSERT(test->events < EVENTS_MAX);
        events_take(test);
    }
    report(test);
    DUET_ASSERT(input_connection_close(env, &test->input) == RPC_OK);
    parent_exit(env, 0);
}
