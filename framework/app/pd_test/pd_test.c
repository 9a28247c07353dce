/*
 * pd_test.c - protection domains come and go and leave nothing behind.
 *
 * Started by init with a PD factory (scenarios/pd_lifecycle.scn), it is
 * the parent of its own children ("quitter", which only says it exits):
 *   1. 40 children in turn, each received, destroyed, its capability then
 *      stale; more than the kernel's 16 PD slots, so destroying must
 *      reclaim the PD, its threads, capabilities and window;
 *   2. the destroyed child was blocked waiting for our reply: the reply
 *      now finds nobody (SYS_ERR_NO_REPLY_PENDING), nothing hangs;
 *   3. a child destroyed wherever the schedule has it (not yet run, or
 *      queued on our endpoint) leaves no stale sender behind;
 *   4. refusals: an endpoint is not a PD capability.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"

enum { PD_TEST_ROUNDS = 40 };

struct pd_test {
    struct env *env;
    struct log_connection log;
    cap_index_t endpoint;
    struct ipc_message message;
};

static void check(struct pd_test *t, const char *what, enum sys_error got, enum sys_error want)
{
    if (got == want)
        return;
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append(&text, ": got ");
    text_append(&text, sys_error_name(got));
    text_append(&text, ", want ");
    text_append(&text, sys_error_name(want));
    log_write(t->env, t->log.cap, line);
    DUET_ASSERT(got == want);
}

static cap_index_t child_start(struct pd_test *t, uint64_t badge)
{
    cap_index_t parent_cap = CAP_INDEX_INVALID, pd = CAP_INDEX_INVALID;
    check(t, "mint", sys_cap_mint(t->endpoint, badge, &parent_cap), SYS_OK);
    check(t, "start", sys_pd_create(t->env->pd_factory, parent_cap, "quitter", false, &pd),
          SYS_OK);
    check(t, "drop our copy", sys_cap_delete(parent_cap), SYS_OK);
    return pd;
}

static void child_receive_exit(struct pd_test *t, uint64_t want_badge)
{
    uint64_t badge = 0;
    check(t, "receive", sys_reply_wait(t->endpoint, false, &t->message, &badge), SYS_OK);
    DUET_ASSERT(badge == want_badge && t->message.label == PARENT_EXIT);
}

static void rounds(struct pd_test *t)
{
    for (uint64_t round = 1; round <= PD_TEST_ROUNDS; round++) {
        cap_index_t pd = child_start(t, round);
        child_receive_exit(t, round);
        check(t, "destroy", sys_pd_destroy(pd), SYS_OK);
        check(t, "reply to a destroyed child",
              sys_reply_wait(t->endpoint, true, &t->message, NULL), SYS_ERR_NO_REPLY_PENDING);
        check(t, "destroy twice", sys_pd_destroy(pd), SYS_ERR_STALE_CAP);
        check(t, "delete the stale capability", sys_cap_delete(pd), SYS_OK);
    }
}

void pd_test_main(struct env *env)
{
    struct pd_test *t = env_alloc(env, sizeof *t);
    DUET_ASSERT(t != NULL && env->pd_factory != CAP_INDEX_INVALID);
    t->env = env;
    DUET_ASSERT(log_connection_open(env, &t->log) == RPC_OK);
    check(t, "endpoint", sys_endpoint_create(&t->endpoint), SYS_OK);

    rounds(t);

    cap_index_t early = child_start(t, 1000);
    check(t, "destroy before or while it calls", sys_pd_destroy(early), SYS_OK);
    sys_cap_delete(early);
    cap_index_t late = child_start(t, 2000);
    child_receive_exit(t, 2000);   /* not a stale sender with badge 1000 */
    check(t, "destroy", sys_pd_destroy(late), SYS_OK);
    sys_cap_delete(late);

    check(t, "destroy through an endpoint", sys_pd_destroy(t->endpoint),
          SYS_ERR_WRONG_CAP_TYPE);
    DUET_ASSERT(log_write(env, t->log.cap, "pd lifecycle checks passed") == RPC_OK);
    parent_exit(env, 0);
}

/* The child: it only tells its parent that it exits. */
void quitter_main(struct env *env)
{
    parent_exit(env, 0);
}
