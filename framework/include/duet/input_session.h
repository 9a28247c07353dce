/*
 * input_session.h - INPUT: key events from an input driver (framework/os/ps2).
 *
 * Every open session gets every event, in the order the keys went, in a
 * queue of its own (INPUT_QUEUE_EVENTS). The client registers a signal
 * context with INPUT_SIGH; the server submits to it whenever events
 * become pending in an empty queue, and the client fetches them with
 * INPUT_FETCH until it gets none. Overflow: a full queue drops the newest
 * event and counts it; the count is reported (and reset) by the next
 * fetch, so a client knows its picture of the keys may be stale.
 *
 * An event is one word: the key code in bits 0-15 (INPUT_KEY_*), and
 * INPUT_EVENT_PRESS set for a press, clear for a release. Key codes are
 * the scan-code set 1 make codes (1..0x7F), with INPUT_KEY_EXTENDED added
 * for the keys an E0 prefix marks (cursor keys, right Ctrl, ...), and
 * INPUT_KEY_PAUSE, which is pressed and released at once (the key has no
 * break code). The driver reports the same codes whatever set the keyboard
 * speaks.
 *
 *   INPUT_SIGH    capability: a signal context
 *   INPUT_FETCH   reply word 0: count n (<= INPUT_FETCH_EVENTS_MAX),
 *                 word 1: events dropped since the last fetch,
 *                 words 2..n+1: the events, oldest first
 *   INPUT_STATUS  reply word 0: the keyboard LEDs (INPUT_LED_*),
 *                 word 1: malformed scan-code sequences seen,
 *                 word 2: the scan-code set the driver decodes (1 or 2),
 *                 word 3: bytes the driver received from the keyboard
 */
#ifndef DUET_INPUT_SESSION_H
#define DUET_INPUT_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

enum {
    INPUT_QUEUE_EVENTS = 64,
    INPUT_FETCH_EVENTS_MAX = IPC_WORDS - 2,
    INPUT_KEY_CODE_MASK = 0xFFFF,
    INPUT_KEY_EXTENDED = 0x100,
    INPUT_KEY_PAUSE = 0x200,
    INPUT_LED_SCROLL_LOCK = 0x1, INPUT_LED_NUM_LOCK = 0x2, INPUT_LED_CAPS_LOCK = 0x4,
};
#define INPUT_EVENT_PRESS (UINT64_C(1) << 16)

/* A few codes clients name (set 1 make codes). */
enum {
    INPUT_KEY_ESCAPE = 0x01, INPUT_KEY_ENTER = 0x1C, INPUT_KEY_LEFT_SHIFT = 0x2A,
    INPUT_KEY_RIGHT_SHIFT = 0x36, INPUT_KEY_SPACE = 0x39, INPUT_KEY_CAPS_LOCK = 0x3A,
    INPUT_KEY_NUM_LOCK = 0x45, INPUT_KEY_SCROLL_LOCK = 0x46,
    INPUT_KEY_UP = INPUT_KEY_EXTENDED | 0x48, INPUT_KEY_LEFT = INPUT_KEY_EXTENDED | 0x4B,
    INPUT_KEY_RIGHT = INPUT_KEY_EXTENDED | 0x4D, INPUT_KEY_DOWN = INPUT_KEY_EXTENDED | 0x50,
};

/* The session's state and its event queue; its capability and the
 * signal context's. */
#define INPUT_SESSION_RAM_QUOTA "1K"
#define INPUT_SESSION_CAP_QUOTA "2"

/*     name           opcode  words  capability type */
#define INPUT_SESSION_RPCS(X)                                   \
    X(INPUT_SIGH,     0xC00,  0, 0,  CAP_TYPE_SIGNAL_CONTEXT)   \
    X(INPUT_FETCH,    0xC01,  0, 0,  CAP_TYPE_NONE)             \
    X(INPUT_STATUS,   0xC02,  0, 0,  CAP_TYPE_NONE)

enum input_opcode { INPUT_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct input_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define INPUT_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct input_session_cap, __VA_ARGS__)
INPUT_SESSION_RPCS(INPUT_CLIENT_STUB)

struct input_connection {
    struct input_session_cap cap;
    uint64_t id;
};

struct input_fetch {
    uint64_t count;
    uint64_t dropped;
    uint64_t events[INPUT_FETCH_EVENTS_MAX];
};

struct input_status {
    uint64_t leds;
    uint64_t malformed;
    uint64_t scancode_set;
    uint64_t bytes;
};

enum rpc_status input_connection_open(struct env *env, struct input_connection *out);
enum rpc_status input_connection_close(struct env *env, struct input_connection *connection);
/* The server keeps its own copy of `context`; the caller's stays the caller's. */
enum rpc_status input_sigh(struct env *env, struct input_session_cap input, cap_index_t context);
enum rpc_status input_fetch(struct env *env, struct input_session_cap input,
                            struct input_fetch *out);
enum rpc_status input_status(struct env *env, struct input_session_cap input,
                             struct input_status *out);

#endif
