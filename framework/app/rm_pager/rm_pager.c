/*
 * rm_pager.c - a component that resolves RM faults of another component
 * (scenarios/rm_faults.scn), and its client.
 *
 * rm_pager announces LAZY_MEMORY (duet/lazy_memory_session.h). It owns an
 * RM session whose managed dataspace it hands to its client, and is that
 * map's fault handler: a thread of its own waits for fault signals, reads
 * the fault (REGION_MAP_FAULT) and attaches a page there: a new page of
 * the pattern, read-only, on a read fault; the same page writable on a
 * write fault. The entrypoint (main thread) serves the sessions. Both
 * threads share the page table, under a lock.
 *
 * rm_lazy_client attaches the dataspace in its own address space and
 * reads, writes and reads again: every access it makes to an empty page
 * faults, blocks, is resolved in rm_pager, and resumes.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/lazy_memory_session.h"
#include "duet/lock.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/ram_session.h"
#include "duet/region_map.h"
#include "duet/root.h"
#include "duet/signal_session.h"
#include "duet/text.h"

enum {
    PAGER_PAGES = LAZY_MEMORY_BYTES / PAGE_BYTES,
    PAGER_BADGE_ROOT = 1u << 16,
    PAGER_BADGE_SESSION = 1u << 17,
    PAGER_FILL_AT = 0x100000,          /* where the pager fills a page, locally */
    PAGER_HANDLER_STACK = 24 * 1024,
};

struct rm_pager {
    struct env *env;
    struct log_connection log;
    struct lock lock;
    cap_index_t endpoint;
    cap_index_t session;               /* the one session, 0 = none */
    struct region_map_cap space;
    struct rm_connection rm;
    struct ram_connection ram;
    struct signal_connection signals;
    cap_index_t fault_context;
    struct cpu_connection cpu;
    struct cpu_thread handler;
    struct dataspace_cap pages[PAGER_PAGES];
    uint64_t read_faults, write_faults;
};

static void say(struct env *env, struct log_session_cap log, const char *what, uint64_t value)
{
    char line[96];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, what);
    text_append_u64(&text, value);
    log_write(env, log, line);
}

/* A new page of the pattern: filled through a local attach, then detached. */
static bool page_make(struct rm_pager *p, uint64_t page, struct dataspace_cap *out)
{
    if (ram_alloc(p->ram.cap, PAGE_BYTES, out) != RPC_OK)
        return false;
    struct region_map_attach here = {.at = PAGER_FILL_AT,
                                     .flags = RM_ATTACH_AT | RM_ATTACH_WRITABLE};
    uint64_t at = 0;
    if (region_map_attach(p->space, *out, &here, &at) != RPC_OK)
        return false;
    uint8_t *bytes = env_local(p->env, at);
    for (uint64_t i = 0; i < PAGE_BYTES; i++)
        bytes[i] = lazy_memory_pattern(page, i);
    return region_map_detach(p->space, at) == RPC_OK;
}

static void fault_resolve(struct rm_pager *p)
{
    enum region_map_fault_type type = REGION_MAP_FAULT_NONE;
    uint64_t offset = 0;
    if (region_map_fault(p->rm.cap, &type, &offset) != RPC_OK || type == REGION_MAP_FAULT_NONE)
        return;   /* a signal for a fault resolved already */
    uint64_t page = offset / PAGE_BYTES;
    if (page >= PAGER_PAGES) {
        say(p->env, p->log.cap, "a fault outside the memory at page ", page);
        return;
    }
    bool write = type == REGION_MAP_FAULT_WRITE;
    if (p->pages[page].index == CAP_INDEX_INVALID) {
        if (!page_make(p, page, &p->pages[page])) {
            say(p->env, p->log.cap, "cannot make page ", page);
            return;
        }
    } else if (region_map_detach(p->rm.cap, page * PAGE_BYTES) != RPC_OK) {
        say(p->env, p->log.cap, "cannot detach page ", page);
        return;
    }
    struct region_map_attach attr = {.at = page * PAGE_BYTES,
                                     .flags = RM_ATTACH_AT | (write ? RM_ATTACH_WRITABLE : 0)};
    uint64_t at = 0;
    if (region_map_attach(p->rm.cap, p->pages[page], &attr, &at) != RPC_OK) {
        say(p->env, p->log.cap, "cannot attach page ", page);
        return;
    }
    if (write)
        p->write_faults++;
    else
        p->read_faults++;
}

void rm_pager_fault_handler(struct env *env, void *arg)
{
    struct rm_pager *p = arg;
    for (;;) {
        struct signal signal;
        if (sys_signal_wait(p->signals.receiver, true, &signal) != SYS_OK)
            return;
        lock_acquire(&p->lock);
        /* One submit per fault: resolve as many as were counted. */
        for (uint64_t i = 0; i < signal.count; i++)
            fault_resolve(p);
        lock_release(&p->lock);
    }
}

/* ---- sessions -------------------------------------------------------------- */

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct rm_pager *p = server;
    uint64_t ram = 0, caps = 0;
    enum rpc_status status = root_session_decode(request, 1024, 1, &ram, &caps);
    if (status != RPC_OK)
        return status;
    if (p->session != CAP_INDEX_INVALID)
        return RPC_ERR_SESSION_LIMIT;   /* the memory is one client's */
    if (sys_cap_mint(p->endpoint, PAGER_BADGE_SESSION, &p->session) != SYS_OK)
        return RPC_ERR_SESSION_LIMIT;
    reply->cap = p->session;
    reply->word_count = 1;
    reply->word[0] = 0;
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct rm_pager *p = server;
    if (request->word[0] != 0 || p->session == CAP_INDEX_INVALID)
        return RPC_ERR_INVALID_SESSION;
    sys_cap_revoke(p->session);
    sys_cap_delete(p->session);
    p->session = CAP_INDEX_INVALID;
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    return RPC_OK;   /* nothing a session spends grows */
}

static enum rpc_status lazy_perform_LAZY_MEMORY_DATASPACE(void *server, void *session,
                                                          const struct ipc_message *request,
                                                          struct ipc_message *reply)
{
    struct rm_pager *p = server;
    struct dataspace_cap ds;
    enum rpc_status status = region_map_dataspace(p->rm.cap, &ds);
    if (status != RPC_OK)
        return status;
    reply->cap = ds.index;   /* passed on; ours is deleted after the reply */
    return RPC_OK;
}

static enum rpc_status lazy_perform_LAZY_MEMORY_FAULTS(void *server, void *session,
                                                       const struct ipc_message *request,
                                                       struct ipc_message *reply)
{
    struct rm_pager *p = server;
    reply->word_count = 2;
    reply->word[0] = p->read_faults;
    reply->word[1] = p->write_faults;
    return RPC_OK;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define LAZY_HANDLER(...) RPC_HANDLER(lazy_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler lazy_handlers[] = {LAZY_MEMORY_SESSION_RPCS(LAZY_HANDLER)};

static bool pager_start(struct env *env, struct rm_pager *p, void *stack)
{
    cap_index_t root = CAP_INDEX_INVALID;
    return log_connection_open(env, &p->log) == RPC_OK &&
           env_address_space(env, &p->space) == RPC_OK &&
           rm_connection_open(env, "lazy", LAZY_MEMORY_BYTES, PAGER_PAGES, &p->rm) == RPC_OK &&
           ram_connection_open(env, "pages", LAZY_MEMORY_BYTES, &p->ram) == RPC_OK &&
           signal_connection_open(env, &p->signals) == RPC_OK &&
           signal_context_alloc(env, &p->signals, 1, &p->fault_context) == RPC_OK &&
           region_map_fault_handler(p->rm.cap, p->fault_context) == RPC_OK &&
           cpu_connection_open(env, &p->cpu) == RPC_OK &&
           cpu_thread_create(env, p->cpu.cap, &p->handler, rm_pager_fault_handler, p, stack,
                             PAGER_HANDLER_STACK) == RPC_OK &&
           sys_endpoint_create(&p->endpoint) == SYS_OK &&
           sys_cap_mint(p->endpoint, PAGER_BADGE_ROOT, &root) == SYS_OK &&
           parent_announce(env, "LAZY_MEMORY", root) == RPC_OK;
}

void rm_pager_main(struct env *env)
{
    struct rm_pager *p = env_alloc(env, sizeof *p);
    void *stack = env_alloc(env, PAGER_HANDLER_STACK);
    DUET_ASSERT(p != NULL && stack != NULL);
    p->env = env;
    lock_init(&p->lock);
    if (!pager_start(env, p, stack)) {
        parent_exit(env, 1);
        return;
    }

    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    cap_index_t after_reply = CAP_INDEX_INVALID;   /* a dataspace handed out */
    for (;;) {
        uint64_t badge = 0;
        enum sys_error error = sys_reply_wait(p->endpoint, reply, message, &badge);
        /* The reply is out: the copy it carried is the client's now. */
        if (after_reply != CAP_INDEX_INVALID) {
            sys_cap_delete(after_reply);
            after_reply = CAP_INDEX_INVALID;
        }
        if (error != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        lock_acquire(&p->lock);
        if (badge == PAGER_BADGE_ROOT)
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), p, NULL, &request,
                         message);
        else if (badge == PAGER_BADGE_SESSION && p->session != CAP_INDEX_INVALID)
            rpc_dispatch(lazy_handlers, DUET_ARRAY_COUNT(lazy_handlers), p, NULL, &request,
                         message);
        else
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        lock_release(&p->lock);
        if (request.cap != CAP_INDEX_INVALID)
            sys_cap_delete(request.cap);
        if (badge == PAGER_BADGE_SESSION && request.label == LAZY_MEMORY_DATASPACE)
            after_reply = message->cap;
        reply = true;
    }
}

/* ---- the client ------------------------------------------------------------ */

static unsigned check_page(const volatile uint8_t *memory, uint64_t page)
{
    unsigned wrong = 0;
    for (uint64_t i = 0; i < PAGE_BYTES; i += 511)
        wrong += memory[page * PAGE_BYTES + i] != lazy_memory_pattern(page, i);
    return wrong;
}

void rm_lazy_client_main(struct env *env)
{
    struct log_connection log;
    struct region_map_cap space;
    struct lazy_memory_session_cap lazy;
    uint64_t id = 0;
    if (log_connection_open(env, &log) != RPC_OK || env_address_space(env, &space) != RPC_OK ||
        parent_session(env, "LAZY_MEMORY",
                       "ram_quota=" LAZY_MEMORY_SESSION_RAM_QUOTA
                       ", cap_quota=" LAZY_MEMORY_SESSION_CAP_QUOTA,
                       &lazy.index, &id) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    unsigned failures = 0;
    if (call_LAZY_MEMORY_DATASPACE_with_cap(lazy, m) != RPC_OK ||
        m->cap_type != CAP_TYPE_DATASPACE) {
        parent_exit(env, 1);
        return;
    }
    struct dataspace_cap ds = {m->cap};
    struct region_map_attach attr = {.flags = RM_ATTACH_WRITABLE};
    uint64_t at = 0;
    if (region_map_attach(space, ds, &attr, &at) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    volatile uint8_t *memory = env_local(env, at);
    /* Read faults: pages 0 and 5 appear with their pattern. */
    failures += check_page(memory, 0);
    failures += check_page(memory, 5);
    /* A write to a page that is there read-only: a write fault. */
    memory[3] = 0xee;
    failures += memory[3] != 0xee;
    /* A write to a page that is not there: one write fault, and the page
     * comes writable with the rest of its pattern intact. */
    memory[9 * PAGE_BYTES + 1] = 0x42;
    failures += memory[9 * PAGE_BYTES + 1] != 0x42;
    failures += memory[9 * PAGE_BYTES + 2] != lazy_memory_pattern(9, 2);
    failures += check_page(memory, 0);   /* byte 3 is not among those sampled */
    *m = (struct ipc_message){0};
    if (call_LAZY_MEMORY_FAULTS(lazy, m) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    uint64_t reads = m->word[0], writes = m->word[1];   /* m is the IPC buffer */
    say(env, log.cap, "read faults resolved by rm_pager: ", reads);
    say(env, log.cap, "write faults resolved by rm_pager: ", writes);
    failures += reads != 2 || writes != 2;
    if (failures == 0)
        log_write(env, log.cap, "lazy memory checks passed");
    else
        say(env, log.cap, "lazy memory checks failed: ", failures);
    parent_exit(env, failures == 0 ? 0 : 1);
}
