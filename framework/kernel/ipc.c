/*
 * ipc.c - synchronous IPC: call, reply and wait, with one capability.
 *
 * State changes (thread states, see kernel.h):
 *   call, receiver waiting    caller READY -> REPLY, receiver RECEIVE -> READY
 *   call, nobody waiting      caller READY -> SEND (queued on the endpoint)
 *   reply                     caller REPLY -> READY
 *   wait, sender queued       sender SEND -> REPLY, we stay READY
 *   wait, nobody queued       we READY -> RECEIVE (queued on the endpoint)
 *
 * Every call is decoded first (capability indices, message sizes: no side
 * effects) and then performed. A transferred capability arrives as a new
 * capability derived from the sender's (cspace.c), in a free slot of the
 * receiver; the sender keeps its own, and can withdraw the copy with
 * sys_cap_revoke. Words past word_count are zeroed in the receiver's
 * buffer so nothing leaks across protection domains.
 */
#include "kernel.h"

#include "duet/string.h"

static enum sys_error message_check(struct kernel *k, struct pd *pd,
                                    const struct ipc_message *message)
{
    if (!pd_boot_contains(pd, message, sizeof *message) || message->word_count > IPC_WORDS)
        return SYS_ERR_INVALID_ARGUMENT;
    if (message->cap == CAP_INDEX_INVALID)
        return SYS_OK;
    struct cap_node *cap = NULL;
    return cspace_lookup(k, pd, message->cap, KOBJ_NONE, &cap);
}

/* Copies `from` (sent by PD `sender_pd`) into `to` (owned by PD `receiver_pd`),
 * transferring the capability if there is one. Returns SYS_ERR_CAP_SPACE_FULL
 * if the capability could not be placed (the words are delivered anyway).
 * Both buffers were checked to lie in their windows, but their contents are
 * the PDs' own: the sender is read once into kernel memory (its other
 * threads may have changed the word count since its call was checked, and
 * the two buffers may even be one), and a count beyond IPC_WORDS is cut. */
static enum sys_error message_transfer(struct kernel *k, uint16_t sender_pd,
                                       const struct ipc_message *from, uint16_t receiver_pd,
                                       struct ipc_message *to)
{
    struct ipc_message sent;
    duet_memcpy(&sent, from, sizeof sent);
    uint32_t count = sent.word_count <= IPC_WORDS ? sent.word_count : IPC_WORDS;
    struct cap_node *cap = NULL;
    bool has_cap = sent.cap != CAP_INDEX_INVALID &&
                   cspace_lookup(k, &k->pds[sender_pd], sent.cap, KOBJ_NONE, &cap) == SYS_OK;
    to->label = sent.label;
    to->word_count = count;
    to->cap = CAP_INDEX_INVALID;
    to->cap_type = CAP_TYPE_NONE;
    to->reserved = 0;
    duet_memcpy(to->word, sent.word, count * sizeof(uint64_t));
    duet_memset(to->word + count, 0, (IPC_WORDS - count) * sizeof(uint64_t));
    if (!has_cap)
        return SYS_OK;
    struct pd *receiver = &k->pds[receiver_pd];
    if (!cspace_has_room(k, receiver))
        return SYS_ERR_CAP_SPACE_FULL;
    to->cap = cap_derive(k, cap, cap->badge, receiver, CAP_INDEX_INVALID);
    to->cap_type = cap->type;
    return SYS_OK;
}

/* Hands sender's message to receiver and makes the pair caller/server. */
static void deliver_request(struct kernel *k, uint16_t endpoint, uint16_t sender_id,
                            uint16_t receiver_id)
{
    struct thread *sender = thread_of(k, sender_id);
    struct thread *receiver = thread_of(k, receiver_id);
    DUET_ASSERT(receiver->reply_to == 0);
    enum sys_error error = message_transfer(k, sender->pd, sender->message, receiver->pd,
                                            receiver->message);
    (void)error; /* a lost capability shows as cap == 0: the server refuses it */
    frame_result(receiver->frame, SYS_OK, sender->send_badge);
    hal_event(HAL_EVENT_IPC_RECEIVE, endpoint, receiver->message->label, sender->send_badge,
              sender_id, NULL, 0);

    sender->state = THREAD_REPLY;
    sender->blocked_on = receiver_id;
    receiver->reply_to = sender_id;
}

void sys_call_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct thread *caller = current_thread(k);
    struct pd *pd = current_pd(k);
    struct ipc_message *message = frame->message;   /* the frame is read once */
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_ENDPOINT, &cap);
    if (error == SYS_OK)
        error = message_check(k, pd, message);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }

    caller->frame = frame;
    caller->message = message;   /* checked above */
    ipc_call_endpoint(k, cap->object, cap->badge,
                      (struct cap_slot){cap_node_id(k, cap), cap->generation});
}

void ipc_call_endpoint(struct kernel *k, uint16_t endpoint, uint64_t badge,
                       struct cap_slot through)
{
    struct thread *caller = current_thread(k);
    struct endpoint *ep = &k->endpoints[endpoint];
    DUET_ASSERT(ep->in_use);
    hal_event(HAL_EVENT_IPC_CALL, endpoint, caller->message->label, badge, 0, NULL, 0);
    caller->send_badge = badge;
    caller->send_cap = through;
    uint16_t receiver = queue_pop(k, &ep->receivers);
    if (receiver == 0) {
        sched_block(k, THREAD_SEND, endpoint);
        queue_push(k, &ep->senders, k->current);
        return;
    }
    sched_block(k, THREAD_REPLY, receiver);
    deliver_request(k, endpoint, k->current, receiver);
    sched_make_ready(k, receiver);
    /* The reply fills frame->result; until then the caller stays blocked. */
}

static enum sys_error reply_decode(struct kernel *k, const struct ipc_message *message)
{
    struct thread *server = current_thread(k);
    if (server->reply_to == 0)
        return SYS_ERR_NO_REPLY_PENDING;
    return message_check(k, current_pd(k), message);
}

static void reply_perform(struct kernel *k, const struct ipc_message *message)
{
    struct thread *server = current_thread(k);
    uint16_t caller_id = server->reply_to;
    struct thread *caller = thread_of(k, caller_id);
    DUET_ASSERT(caller->state == THREAD_REPLY && caller->blocked_on == k->current);
    server->reply_to = 0;
    enum sys_error error = message_transfer(k, server->pd, message, caller->pd,
                                            caller->message);
    frame_result(caller->frame, error, 0);
    hal_event(HAL_EVENT_IPC_REPLY, caller_id, caller->message->label, 0, 0, NULL, 0);
    sched_make_ready(k, caller_id);
}

void reply_forget(struct kernel *k, uint16_t caller)
{
    struct thread *t = thread_of(k, caller);
    DUET_ASSERT(t->state == THREAD_REPLY && t->reply_saved);
    t->reply_saved = false;
    cap_revoke_object(k, KOBJ_REPLY, caller);
}

void sys_reply_save_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct thread *server = current_thread(k);
    struct pd *pd = current_pd(k);
    enum sys_error error = server->reply_to == 0 ? SYS_ERR_NO_REPLY_PENDING : SYS_OK;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error == SYS_OK && !cap_nodes_available(k, 1))
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    uint16_t caller_id = server->reply_to;
    struct thread *caller = thread_of(k, caller_id);
    DUET_ASSERT(caller->state == THREAD_REPLY && caller->blocked_on == k->current);
    server->reply_to = 0;
    caller->blocked_on = 0;
    caller->reply_saved = true;
    frame_result(frame, SYS_OK, cap_create(k, pd, KOBJ_REPLY, caller_id, CAP_INDEX_INVALID));
}

void sys_reply_send_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct ipc_message *message = frame->message;   /* the frame is read once */
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_REPLY, &cap);
    if (error == SYS_OK)
        error = message_check(k, pd, message);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    uint16_t caller_id = cap->object;
    struct thread *caller = thread_of(k, caller_id);
    reply_forget(k, caller_id);   /* one answer: every copy of the capability goes stale */
    enum sys_error transfer = message_transfer(k, current_thread(k)->pd, message, caller->pd,
                                               caller->message);
    frame_result(caller->frame, transfer, 0);
    hal_event(HAL_EVENT_IPC_REPLY, caller_id, caller->message->label, 0, 0, NULL, 0);
    sched_make_ready(k, caller_id);
    frame_result(frame, SYS_OK, 0);
}

/* A server that waits again without replying drops its caller, who gets a
 * named error instead of waiting forever (invariant T2 holds again). */
static void drop_pending_call(struct kernel *k)
{
    struct thread *server = current_thread(k);
    if (server->reply_to == 0)
        return;
    uint16_t caller = server->reply_to;
    server->reply_to = 0;
    thread_cancel_blocking(k, caller, SYS_ERR_CALL_DROPPED);
}

void sys_reply_wait_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct ipc_message *message = frame->message;   /* the frame is read once */
    struct cap_node *cap = NULL;
    bool reply = frame->arg[1] != 0;
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_ENDPOINT, &cap);
    /* A badged capability is a right to send, not to receive: else any
     * client could take its server's calls and answer them. */
    if (error == SYS_OK && cap->badge != 0)
        error = SYS_ERR_DENIED;
    if (error == SYS_OK && reply)
        error = reply_decode(k, message);
    if (error == SYS_OK && !reply && !pd_boot_contains(pd, message, sizeof *message))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }

    if (reply)
        reply_perform(k, message);
    drop_pending_call(k);

    uint16_t endpoint = cap->object;
    struct endpoint *ep = &k->endpoints[endpoint];
    DUET_ASSERT(ep->in_use);
    struct thread *server = current_thread(k);
    server->frame = frame;
    server->message = message;   /* checked above (reply_decode or the window) */
    uint16_t sender = queue_pop(k, &ep->senders);
    if (sender != 0) {
        deliver_request(k, endpoint, sender, k->current);
        return;
    }
    sched_block(k, THREAD_RECEIVE, endpoint);
    queue_push(k, &ep->receivers, k->current);
}
