/*
 * quota_test.c - the quota economy, end to end (scenarios/quota.scn).
 *
 * init starts it with ram=8K caps=8. Its LOG session takes 1K and a cap;
 * each ECHO session donates 2K and a cap, of which echo_server spends 1K
 * on the session and lets ECHO_RESERVE spend the rest. Each step states
 * the budget it expects, and each refusal must be the named one:
 *   - by the server: a spent session (RPC_ERR_OUT_OF_RAM), a donation
 *     below its cost (RPC_ERR_INSUFFICIENT_RAM_QUOTA / _CAP_QUOTA);
 *   - by init: a donation the budget cannot cover (RPC_ERR_OUT_OF_RAM /
 *     RPC_ERR_OUT_OF_CAPS); a malformed quota argument;
 *   - closing returns a donation in full; an upgrade adds to a session.
 */
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"

static void expect_status(struct env *env, struct log_connection *log, const char *what,
                          enum rpc_status got, enum rpc_status want)
{
    if (got == want)
        return;
    log_write(env, log->cap, what);
    log_write(env, log->cap, rpc_status_name(got));
    DUET_ASSERT(got == want);
}

static enum rpc_status open_echo_with(struct env *env, const char *args,
                                      struct echo_connection *out)
{
    cap_index_t cap = CAP_INDEX_INVALID;
    enum rpc_status status = parent_session(env, "ECHO", args, &cap, &out->id);
    out->cap.index = cap;
    return status;
}

void quota_test_main(struct env *env)
{
    struct log_connection log;                                     /* 1K, 1 cap */
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    struct echo_connection a, b, c, spare;
    expect_status(env, &log, "open a", echo_connection_open(env, &a), RPC_OK);    /* 3K, 2 */

    expect_status(env, &log, "reserve what a has", echo_reserve(env, a.cap, 1024), RPC_OK);
    expect_status(env, &log, "reserve past a's donation", echo_reserve(env, a.cap, 1),
                  RPC_ERR_OUT_OF_RAM);
    expect_status(env, &log, "upgrade a", echo_connection_upgrade(env, &a, 2048, 0), RPC_OK);
    expect_status(env, &log, "reserve the upgrade", echo_reserve(env, a.cap, 2048), RPC_OK);
    /* budget now 5K, 2 caps */

    expect_status(env, &log, "donate below the cost",
                  open_echo_with(env, "ram_quota=100, cap_quota=1", &spare),
                  RPC_ERR_INSUFFICIENT_RAM_QUOTA);
    expect_status(env, &log, "donate no capability", open_echo_with(env, "ram_quota=2K", &spare),
                  RPC_ERR_INSUFFICIENT_CAP_QUOTA);
    expect_status(env, &log, "malformed quota", open_echo_with(env, "ram_quota=lots", &spare),
                  RPC_ERR_INVALID_ARGS_STRING);
    expect_status(env, &log, "more caps than the budget",
                  open_echo_with(env, "ram_quota=1K, cap_quota=100", &spare),
                  RPC_ERR_OUT_OF_CAPS);

    expect_status(env, &log, "open b", echo_connection_open(env, &b), RPC_OK);    /* 7K, 3 */
    expect_status(env, &log, "open c past the budget", echo_connection_open(env, &c),
                  RPC_ERR_OUT_OF_RAM);
    expect_status(env, &log, "upgrade past the budget",
                  echo_connection_upgrade(env, &a, 64 * 1024, 0), RPC_ERR_OUT_OF_RAM);
    expect_status(env, &log, "close b", echo_connection_close(env, &b), RPC_OK);  /* 5K, 2 */
    expect_status(env, &log, "open c after b returned its quota",
                  echo_connection_open(env, &c), RPC_OK);                         /* 7K, 3 */

    expect_status(env, &log, "close a", echo_connection_close(env, &a), RPC_OK);  /* 3K, 2 */
    expect_status(env, &log, "close c", echo_connection_close(env, &c), RPC_OK);  /* 1K, 1 */
    expect_status(env, &log, "everything but the LOG session is back",
                  open_echo_with(env, "ram_quota=7K, cap_quota=7", &spare), RPC_OK);
    expect_status(env, &log, "and not a byte more",
                  open_echo_with(env, "ram_quota=1, cap_quota=0", &b), RPC_ERR_OUT_OF_RAM);
    expect_status(env, &log, "close it", echo_connection_close(env, &spare), RPC_OK);

    log_write(env, log.cap, "quota checks passed");
    parent_exit(env, 0);
}
