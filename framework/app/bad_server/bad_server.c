/*
 * bad_server.c - a server that misbehaves, and a client that must survive
 * it, with init (scenarios/bad_server.scn). Regression for review findings:
 *   - its first ROOT_SESSION answer is malformed: OK, two words, and its
 *     own unbadged endpoint attached (a receive right!). init must refuse
 *     it (RPC_ERR_TRANSPORT), drop the capability, and keep serving; once
 *     this made init wait with a call pending and the kernel assert;
 *   - it faults (touches a port it has no right to) while holding a
 *     client's call: the client is woken (SYS_ERR_SERVER_EXITED), the
 *     server's endpoint goes, and later sessions there are
 *     RPC_ERR_SERVER_GONE instead of a hang.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/root.h"
#include "hal/port_io.h"

enum { BAD_BADGE_ROOT = 1, BAD_BADGE_SESSION = 2 };

void bad_server_main(struct env *env)
{
    cap_index_t endpoint = CAP_INDEX_INVALID, root = CAP_INDEX_INVALID;
    cap_index_t session = CAP_INDEX_INVALID;
    if (sys_endpoint_create(&endpoint) != SYS_OK ||
        sys_cap_mint(endpoint, BAD_BADGE_ROOT, &root) != SYS_OK ||
        sys_cap_mint(endpoint, BAD_BADGE_SESSION, &session) != SYS_OK ||
        parent_announce(env, "BAD", root) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    struct ipc_message *m = ipc_buffer();
    bool reply = false;
    for (unsigned sessions = 0;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(endpoint, reply, m, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        reply = true;
        if (badge == BAD_BADGE_SESSION)
            (void)hal_in8(0x3f8);   /* faults, holding the caller */
        if (m->label != ROOT_SESSION) {
            *m = (struct ipc_message){.label = RPC_OK};
            continue;
        }
        bool malformed = sessions++ == 0;
        *m = (struct ipc_message){.label = RPC_OK, .word_count = malformed ? 2 : 1,
                                  .cap = malformed ? endpoint : session};
    }
}

void bad_client_main(struct env *env)
{
    struct log_connection log;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    cap_index_t session = CAP_INDEX_INVALID;
    uint64_t id = 0;
    DUET_ASSERT(parent_session(env, "BAD", "", &session, &id) == RPC_ERR_TRANSPORT);
    DUET_ASSERT(session == CAP_INDEX_INVALID);
    log_write(env, log.cap, "a malformed session answer was refused");

    DUET_ASSERT(parent_session(env, "BAD", "", &session, &id) == RPC_OK);
    struct ipc_message m = {.label = 1};
    DUET_ASSERT(sys_call(session, &m) == SYS_ERR_SERVER_EXITED);
    log_write(env, log.cap, "the server faulted holding our call: we were woken");

    cap_index_t again = CAP_INDEX_INVALID;
    DUET_ASSERT(parent_session(env, "BAD", "", &again, &id) == RPC_ERR_SERVER_GONE);
    DUET_ASSERT(log_write(env, log.cap, "bad server checks passed") == RPC_OK);
    parent_exit(env, 0);
}
