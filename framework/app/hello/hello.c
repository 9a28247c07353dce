/*
 * hello.c - the demo's first component: opens a LOG session through its
 * parent and writes a few lines, then tells its parent it is done.
 */
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"

enum { HELLO_STEPS = 3 };

void hello_main(struct env *env)
{
    struct log_connection log;
    if (log_connection_open(env, &log) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    log_write(env, log.cap, "Hello from a component in the simulated world!");
    for (unsigned step = 1; step <= HELLO_STEPS; step++) {
        char line[64];
        struct text text;
        text_init(&text, line, sizeof line);
        text_append(&text, "step ");
        text_append_u64(&text, step);
        text_append(&text, " of ");
        text_append_u64(&text, HELLO_STEPS);
        log_write(env, log.cap, line);
    }
    parent_exit(env, 0);
}
