/*
 * cap_test.c - a component that checks the kernel refuses bad capabilities
 * with the right named errors, from the inside, through the system-call API
 * every component has. Each check that fails ends the world (assertion);
 * when all hold it logs "capability checks passed".
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/text.h"
#include "hal/kernel_entry.h"

struct check {
    const char *what;
    enum sys_error got;
    enum sys_error want;
};

static void expect(struct env *env, struct log_session_cap log, struct check c)
{
    if (c.got == c.want)
        return;
    char line[LOG_LINE_MAX];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, c.what);
    text_append(&text, ": got ");
    text_append(&text, sys_error_name(c.got));
    text_append(&text, ", want ");
    text_append(&text, sys_error_name(c.want));
    log_write(env, log, line);
    DUET_ASSERT(c.got == c.want);
}

/* Indices that name nothing, deleted capabilities, wrong types, bad calls. */
static void check_refusals(struct env *env, struct log_session_cap log)
{
    struct ipc_message m = {.label = LOG_WRITE};
    expect(env, log, (struct check){"call on index 0", sys_call(0, &m), SYS_ERR_INVALID_CAP});
    expect(env, log, (struct check){"call on an empty slot", sys_call(CAP_SPACE_SLOTS - 1, &m),
                                    SYS_ERR_INVALID_CAP});
    expect(env, log, (struct check){"call past the space", sys_call(CAP_SPACE_SLOTS + 5, &m),
                                    SYS_ERR_INVALID_CAP});

    cap_index_t endpoint = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"endpoint create", sys_endpoint_create(&endpoint), SYS_OK});
    expect(env, log, (struct check){"delete", sys_cap_delete(endpoint), SYS_OK});
    expect(env, log, (struct check){"call on a deleted capability", sys_call(endpoint, &m),
                                    SYS_ERR_INVALID_CAP});
    expect(env, log, (struct check){"delete twice", sys_cap_delete(endpoint),
                                    SYS_ERR_INVALID_CAP});

    expect(env, log, (struct check){"irq wait on an endpoint", sys_irq_wait(env->parent),
                                    SYS_ERR_WRONG_CAP_TYPE});
    cap_index_t pd = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"pd create with an endpoint as factory",
                                    sys_pd_create(env->parent, env->parent, "hello", &pd),
                                    SYS_ERR_WRONG_CAP_TYPE});
    expect(env, log, (struct check){"start a second core",
                                    sys_pd_create(env->parent, env->parent, "core", &pd),
                                    SYS_ERR_WRONG_CAP_TYPE});
    expect(env, log, (struct check){"destroy through an endpoint", sys_pd_destroy(env->parent),
                                    SYS_ERR_WRONG_CAP_TYPE});
    expect(env, log, (struct check){"destroy through nothing", sys_pd_destroy(0),
                                    SYS_ERR_INVALID_CAP});
    cap_index_t irq = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"irq create without irq control",
                                    sys_irq_create(env->parent, 4, &irq),
                                    SYS_ERR_WRONG_CAP_TYPE});
    cap_index_t minted = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"mint from an empty slot", sys_cap_mint(40, 7, &minted),
                                    SYS_ERR_INVALID_CAP});

    struct ipc_message bad_cap = {.label = LOG_WRITE, .cap = 50};
    expect(env, log, (struct check){"send an invalid capability",
                                    sys_call(log.index, &bad_cap), SYS_ERR_INVALID_CAP});
    struct ipc_message too_long = {.label = LOG_WRITE, .word_count = IPC_WORDS + 1};
    expect(env, log, (struct check){"message longer than IPC_WORDS",
                                    sys_call(log.index, &too_long), SYS_ERR_INVALID_ARGUMENT});
    /* Receiving is the owner's right: through a badged capability (the
     * parent's, or a session's) a client could take its server's calls. */
    expect(env, log, (struct check){"wait on the parent's endpoint",
                                    sys_reply_wait(env->parent, false, &m, NULL),
                                    SYS_ERR_DENIED});
    expect(env, log, (struct check){"wait on a session's endpoint",
                                    sys_reply_wait(log.index, false, &m, NULL), SYS_ERR_DENIED});
    cap_index_t own = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"endpoint create", sys_endpoint_create(&own), SYS_OK});
    expect(env, log, (struct check){"reply with no caller", sys_reply_wait(own, true, &m, NULL),
                                    SYS_ERR_NO_REPLY_PENDING});
    expect(env, log, (struct check){"delete it", sys_cap_delete(own), SYS_OK});
    /* The kernel writes through message pointers: one outside the caller's
     * window (here: read-only data of the image) is refused. */
    static const struct ipc_message outside = {.label = LOG_WRITE};
    expect(env, log, (struct check){"a message outside the window",
                                    sys_call(log.index, (struct ipc_message *)&outside),
                                    SYS_ERR_INVALID_ARGUMENT});
    struct syscall_frame unknown = {.number = 999};
    hal_kernel_entry(&unknown);
    expect(env, log, (struct check){"unknown system call", (enum sys_error)unknown.result[0],
                                    SYS_ERR_INVALID_SYSCALL});
}

static void check_revocation(struct env *env, struct log_session_cap log)
{
    struct ipc_message m = {.label = LOG_WRITE};
    cap_index_t minted = CAP_INDEX_INVALID;
    /* Revocation: everything derived from a capability goes stale, the
     * capability itself stays; stale slots can be deleted. */
    cap_index_t original = CAP_INDEX_INVALID, child = CAP_INDEX_INVALID;
    cap_index_t grandchild = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"endpoint create", sys_endpoint_create(&original), SYS_OK});
    expect(env, log, (struct check){"mint", sys_cap_mint(original, 7, &child), SYS_OK});
    expect(env, log, (struct check){"re-badge a badged capability",
                                    sys_cap_mint(child, 9, &grandchild), SYS_ERR_DENIED});
    expect(env, log, (struct check){"forge a badge from a session capability",
                                    sys_cap_mint(log.index, 1, &grandchild), SYS_ERR_DENIED});
    /* A copy passed through IPC is derived too: send the child to core... */
    expect(env, log, (struct check){"mint another", sys_cap_mint(original, 9, &grandchild),
                                    SYS_OK});
    expect(env, log, (struct check){"revoke", sys_cap_revoke(original), SYS_OK});
    expect(env, log, (struct check){"call on a revoked capability", sys_call(child, &m),
                                    SYS_ERR_STALE_CAP});
    expect(env, log, (struct check){"call on another revoked capability",
                                    sys_call(grandchild, &m), SYS_ERR_STALE_CAP});
    expect(env, log, (struct check){"send a revoked capability",
                                    sys_call(log.index, &(struct ipc_message){.label = LOG_WRITE,
                                                                             .cap = child}),
                                    SYS_ERR_STALE_CAP});
    expect(env, log, (struct check){"revoke through a revoked capability",
                                    sys_cap_revoke(child), SYS_ERR_STALE_CAP});
    expect(env, log, (struct check){"the original survives its revocation",
                                    sys_cap_mint(original, 3, &minted), SYS_OK});
    expect(env, log, (struct check){"delete a stale capability", sys_cap_delete(child), SYS_OK});
    expect(env, log, (struct check){"delete it twice", sys_cap_delete(child), SYS_ERR_INVALID_CAP});
    expect(env, log, (struct check){"delete the other stale one", sys_cap_delete(grandchild),
                                    SYS_OK});
    expect(env, log, (struct check){"revoke an empty slot", sys_cap_revoke(40),
                                    SYS_ERR_INVALID_CAP});

    /* Dropping an endpoint's last capability frees the endpoint: creating
     * and dropping far more than the kernel's 64 never runs out. */
    for (unsigned round = 0; round < 200; round++) {
        cap_index_t dropped = CAP_INDEX_INVALID;
        expect(env, log, (struct check){"endpoint create in a loop",
                                        sys_endpoint_create(&dropped), SYS_OK});
        expect(env, log, (struct check){"drop it", sys_cap_delete(dropped), SYS_OK});
    }

    /* Holding endpoints is bounded per PD: the fifth one is refused. */
    cap_index_t held[4] = {0};
    unsigned made = 0;
    while (made < 4 && sys_endpoint_create(&held[made]) == SYS_OK)
        made++;
    cap_index_t one_more = CAP_INDEX_INVALID;
    expect(env, log, (struct check){"an endpoint past the PD's share",
                                    sys_endpoint_create(&one_more), SYS_ERR_OUT_OF_RESOURCES});
    for (unsigned i = 0; i < made; i++)
        sys_cap_delete(held[i]);

    /* Deriving and deleting many times cannot exhaust the kernel (C2). */
    for (unsigned round = 0; round < 2000; round++) {
        cap_index_t copy = CAP_INDEX_INVALID;
        expect(env, log, (struct check){"mint in a loop", sys_cap_mint(original, round, &copy),
                                        SYS_OK});
        expect(env, log, (struct check){"delete in a loop", sys_cap_delete(copy), SYS_OK});
    }
}

static void check_session_close(struct env *env, struct log_session_cap log)
{
    /* Closing a session withdraws its capability: keep the slot, close by
     * id, and the capability is stale; its id is then unknown. */
    struct log_connection second;
    DUET_ASSERT(log_connection_open(env, &second) == RPC_OK);
    DUET_ASSERT(log_write(env, second.cap, "a second LOG session") == RPC_OK);
    DUET_ASSERT(parent_close(env, second.id) == RPC_OK);
    expect(env, log, (struct check){"call on a closed session",
                                    sys_call(second.cap.index, &(struct ipc_message){
                                                                   .label = LOG_WRITE}),
                                    SYS_ERR_STALE_CAP});
    DUET_ASSERT(parent_close(env, second.id) == RPC_ERR_INVALID_SESSION);
    DUET_ASSERT(parent_close(env, 31) == RPC_ERR_INVALID_SESSION);
    DUET_ASSERT(parent_close(env, UINT64_MAX) == RPC_ERR_INVALID_SESSION);
    expect(env, log, (struct check){"delete it", sys_cap_delete(second.cap.index), SYS_OK});
    /* init gives each child a share of its session table (8): with the
     * one LOG session held, 7 more fit, the next is refused by name, and
     * closing returns the slots. */
    struct log_connection extra[8];
    unsigned opened = 0;
    enum rpc_status status = RPC_OK;
    while (opened < 8 && (status = log_connection_open(env, &extra[opened])) == RPC_OK)
        opened++;
    DUET_ASSERT(opened == 7 && status == RPC_ERR_SESSION_LIMIT);
    while (opened > 0)
        DUET_ASSERT(log_connection_close(env, &extra[--opened]) == RPC_OK);
    DUET_ASSERT(log_connection_open(env, &extra[0]) == RPC_OK);
    DUET_ASSERT(log_connection_close(env, &extra[0]) == RPC_OK);

    /* Run-time control of siblings is a right init gives, not a default. */
    DUET_ASSERT(parent_start_child(env, "hello") == RPC_ERR_DENIED);
    DUET_ASSERT(parent_kill_child(env, "cap_test") == RPC_ERR_DENIED);
    /* Open/close cycles past core's session table: closing frees slots. */
    for (unsigned round = 0; round < 100; round++) {
        DUET_ASSERT(log_connection_open(env, &second) == RPC_OK);
        DUET_ASSERT(log_connection_close(env, &second) == RPC_OK);
    }
}

void cap_test_main(struct env *env)
{
    struct log_connection connection;
    DUET_ASSERT(log_connection_open(env, &connection) == RPC_OK);
    struct log_session_cap log = connection.cap;
    check_refusals(env, log);
    check_revocation(env, log);
    check_session_close(env, log);

    /* A valid capability still works after all that. */
    DUET_ASSERT(log_write(env, log, "capability checks passed") == RPC_OK);
    parent_exit(env, 0);
}
