/*
 * go_overflow.c - a goroutine that recurses into its stack's guard page
 * (scenarios/go_overflow.scn, run by tests/CMakeLists.txt expecting the
 * world to fail). The host cannot put a signal frame on a stack pointer
 * inside the guard page; the sim decides on its alternate signal stack
 * that there is no room below the stack pointer and ends the world as
 * failed, naming the overflow: a recorded outcome, not a crash of the tool.
 */
#include "duet/assert.h"
#include "duet/go.h"
#include "duet/libc.h"
#include "duet/log_session.h"
#include "duet/parent.h"

/* Deep recursion with a frame the compiler cannot elide; `limit` comes
 * from the caller at run time, far beyond what the stack holds. */
static unsigned recurse(volatile uint8_t *previous, unsigned depth, unsigned limit)
{
    volatile uint8_t frame[512];
    frame[0] = (uint8_t)depth;
    frame[511] = previous != NULL ? previous[0] : 0;
    if (depth == limit)
        return frame[0];
    return recurse(frame, depth + 1, limit) + frame[0];
}

static void overflowing(struct go_runtime *rt, void *arg)
{
    (void)rt;
    (void)recurse(NULL, 0, *(const unsigned *)arg);
}

void go_overflow_main(struct env *env)
{
    struct log_connection log;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    DUET_ASSERT(libc_init(env, 256 * 1024) == RPC_OK);
    struct go_config config = {.goroutines_max = 1, .stacks_max = 1, .stack_bytes = 16 * 1024,
                               .channels_max = 1, .buffer_words_max = 1, .waitgroups_max = 1};
    struct go_runtime *rt = NULL;
    DUET_ASSERT(go_runtime_create(env, &config, &rt) == GO_OK);
    static const unsigned depth = 1u << 20;   /* 512 MiB of frames: never reached */
    DUET_ASSERT(go_spawn(rt, overflowing, (void *)&depth, NULL) == GO_OK);
    log_write(env, log.cap, "a goroutine recurses into its guard page");
    enum go_status status = go_run(rt);
    /* Not reached: the world ends at the overflow. */
    log_write(env, log.cap, go_status_name(status));
    parent_exit(env, 1);
}
