/*
 * pd_test.c - protection domains come and go and leave nothing behind.
 *
 * Started by init with PD routed to core and a budget for one child at a
 * time (scenarios/pd_lifecycle.scn), it is the parent of its own children
 * ("quitter", which only says it exits), each in a PD session at core:
 *   1. 40 children in turn, each received, then destroyed by closing its
 *      PD session; more than the kernel's 16 PD slots, so destroying must
 *      reclaim the PD, its threads, capabilities and window, and the
 *      session's quota must come back to start the next;
 *   2. the destroyed child was blocked waiting for our reply: the reply
 *      now finds nobody (SYS_ERR_NO_REPLY_PENDING), nothing hangs;
 *   3. a child destroyed wherever the schedule has it (not yet run, or
 *      queued on our endpoint) leaves no stale sender behind;
 *   4. refusals: a second PD while the budget pays for one
 *      (RPC_ERR_OUT_OF_RAM), a second start in one session, a component
 *      the image does not have, closing a closed session.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/pd_session.h"
#include "duet/text.h"

enum { PD_TEST_ROUNDS = 40 };

struct pd_test {
    struct env *env;
    struct log_connection log;
    cap_index_t endpoint;
    struct ipc_message message;
};

static void check(struct pd_test *t, const char *what, enum rpc_status got, enum rpc_status want)
{
    if (got == want)
        return;
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, ": got ");
    text_append(&text, rpc_status_name(got));
    text_append(&text, ", want ");
    text_append(&text, rpc_status_name(want));
    log_write(t->env, t->log.cap, line);
    DUET_ASSERT(got == want);
}

static void child_start(struct pd_test *t, uint64_t badge, struct pd_connection *pd)
{
    cap_index_t parent_cap = CAP_INDEX_INVALID;
    DUET_ASSERT(sys_cap_mint(t->endpoint, badge, &parent_cap) == SYS_OK);
    check(t, "PD session", pd_connection_open(t->env, "quitter", pd), RPC_OK);
    check(t, "start", pd_start(t->env, pd->cap, "quitter", parent_cap), RPC_OK);
    DUET_ASSERT(sys_cap_delete(parent_cap) == SYS_OK);
}

static void child_receive_exit(struct pd_test *t, uint64_t want_badge)
{
    uint64_t badge = 0;
    DUET_ASSERT(sys_reply_wait(t->endpoint, false, &t->message, &badge) == SYS_OK);
    DUET_ASSERT(badge == want_badge && t->message.label == PARENT_EXIT);
}

static void rounds(struct pd_test *t)
{
    for (uint64_t round = 1; round <= PD_TEST_ROUNDS; round++) {
        struct pd_connection pd;
        child_start(t, round, &pd);
        child_receive_exit(t, round);
        uint64_t id = pd.id;
        check(t, "destroy by closing", pd_connection_close(t->env, &pd), RPC_OK);
        DUET_ASSERT(sys_reply_wait(t->endpoint, true, &t->message, NULL) ==
                    SYS_ERR_NO_REPLY_PENDING);
        check(t, "close twice", parent_close(t->env, id), RPC_ERR_INVALID_SESSION);
    }
}

static void refusals(struct pd_test *t)
{
    struct pd_connection pd, second;
    child_start(t, 3000, &pd);
    check(t, "a second PD past the budget", pd_connection_open(t->env, "quitter", &second),
          RPC_ERR_OUT_OF_RAM);
    check(t, "a second start in one session",
          pd_start(t->env, pd.cap, "quitter", t->endpoint), RPC_ERR_IN_USE);
    check(t, "close", pd_connection_close(t->env, &pd), RPC_OK);
    check(t, "PD session", pd_connection_open(t->env, "nothing", &pd), RPC_OK);
    check(t, "a component the image lacks",
          pd_start(t->env, pd.cap, "no_such_component", t->endpoint), RPC_ERR_NO_SUCH_MODULE);
    check(t, "start core", pd_start(t->env, pd.cap, "core", t->endpoint), RPC_ERR_DENIED);
    check(t, "close", pd_connection_close(t->env, &pd), RPC_OK);
}

void pd_test_main(struct env *env)
{
    struct pd_test *t = env_alloc(env, sizeof *t);
    DUET_ASSERT(t != NULL);
    t->env = env;
    DUET_ASSERT(log_connection_open(env, &t->log) == RPC_OK);
    DUET_ASSERT(sys_endpoint_create(&t->endpoint) == SYS_OK);

    rounds(t);

    struct pd_connection early, late;
    child_start(t, 1000, &early);
    check(t, "destroy before or while it calls", pd_connection_close(env, &early), RPC_OK);
    child_start(t, 2000, &late);
    child_receive_exit(t, 2000);   /* not a stale sender with badge 1000 */
    check(t, "destroy", pd_connection_close(env, &late), RPC_OK);

    refusals(t);
    DUET_ASSERT(log_write(env, t->log.cap, "pd lifecycle checks passed") == RPC_OK);
    parent_exit(env, 0);
}

/* The child: it only tells its parent that it exits. */
void quitter_main(struct env *env)
{
    parent_exit(env, 0);
}
