/*
 * cspace.c - capability spaces and the capability derivation tree.
 *
 * A PD names capabilities by slot index; a slot names a node (see kernel.h)
 * and the node's generation at the time. Lookup checks, in order:
 *   index out of range or slot empty      SYS_ERR_INVALID_CAP
 *   node freed since, or revoked          SYS_ERR_STALE_CAP
 *   another object type than required     SYS_ERR_WRONG_CAP_TYPE
 * Every copy of a capability is a derived node: minting derives with a new
 * badge, an IPC transfer derives with the same badge. So revoking a node
 * (sys_cap_revoke) withdraws every capability derived from it, however
 * often it was passed on, while the revoker keeps its own.
 *
 * Invariant C2 (kernel.h) keeps the tree no larger than the slots: when a
 * node loses its last slot its children are re-parented to its parent and
 * it is freed, so passing a capability around and deleting the copies
 * cannot grow the tree. When the last node naming an endpoint goes, the
 * endpoint goes too (threads still blocked on it are woken with
 * SYS_ERR_STALE_CAP): nobody can reach it any more, and a component must
 * not be able to fill the kernel's endpoint table by creating endpoints and
 * dropping their capabilities.
 */
#include "kernel.h"

/* ---- nodes ------------------------------------------------------------- */

/* Scans of the node table stop at cap_node_top: worlds use a few dozen
 * nodes of the table's thousand. */
static uint16_t node_alloc_peek(const struct kernel *k)
{
    for (uint16_t id = 1; id <= KERNEL_CAP_NODES_MAX; id++)
        if (id > k->cap_node_top || k->cap_nodes[id].type == KOBJ_NONE)
            return id;
    return 0;
}

static uint16_t node_alloc(struct kernel *k)
{
    uint16_t id = node_alloc_peek(k);
    if (id > k->cap_node_top) {
        k->cap_nodes[id] = (struct cap_node){0};   /* never used: kernel_create left it */
        k->cap_node_top = id;
    }
    return id;
}

bool cap_nodes_available(const struct kernel *k, unsigned count)
{
    unsigned free = KERNEL_CAP_NODES_MAX - k->cap_node_top;
    for (uint16_t id = 1; id <= k->cap_node_top && free < count; id++)
        free += k->cap_nodes[id].type == KOBJ_NONE;
    return free >= count;
}

static bool node_is_descendant(const struct kernel *k, uint16_t node, uint16_t ancestor)
{
    unsigned depth = 0;
    for (uint16_t at = k->cap_nodes[node].parent; at != 0; at = k->cap_nodes[at].parent) {
        if (at == ancestor)
            return true;
        DUET_ASSERT(++depth <= KERNEL_CAP_NODES_MAX); /* the tree has no cycle */
    }
    return false;
}

/* Does a live capability still reach the object? Revoked nodes do not
 * count: they reach nothing (and after an object is destroyed, they may
 * name a new object that reuses its id). */
static bool object_named(const struct kernel *k, enum kobject_type type, uint16_t object)
{
    for (uint16_t id = 1; id <= k->cap_node_top; id++) {
        const struct cap_node *node = &k->cap_nodes[id];
        if (node->type == type && node->object == object && !node->revoked)
            return true;
    }
    return false;
}

/* The endpoint is unreachable: wake whoever still waits on it, free it. */
static void endpoint_release(struct kernel *k, uint16_t id)
{
    struct endpoint *ep = &k->endpoints[id];
    if (!ep->in_use)
        return;   /* destroyed with its PD already */
    for (uint16_t waiter; (waiter = ep->senders.head) != 0;)
        thread_cancel_blocking(k, waiter, SYS_ERR_STALE_CAP);
    for (uint16_t waiter; (waiter = ep->receivers.head) != 0;)
        thread_cancel_blocking(k, waiter, SYS_ERR_STALE_CAP);
    *ep = (struct endpoint){0};
}

/* C2: the node lost its last slot: its children move up, it is freed. */
static void node_release(struct kernel *k, uint16_t id)
{
    struct cap_node *node = &k->cap_nodes[id];
    DUET_ASSERT(node->type != KOBJ_NONE && node->slot_count == 0);
    for (uint16_t other = 1; other <= k->cap_node_top; other++)
        if (k->cap_nodes[other].type != KOBJ_NONE && k->cap_nodes[other].parent == id)
            k->cap_nodes[other].parent = node->parent;
    enum kobject_type type = (enum kobject_type)node->type;
    uint16_t object = node->object;
    uint16_t generation = (uint16_t)(node->generation + 1);
    *node = (struct cap_node){.generation = generation};
    if (type == KOBJ_ENDPOINT && !object_named(k, type, object))
        endpoint_release(k, object);
    /* The last capability to a saved reply went unused: nobody can answer
     * the caller any more, so it is told instead of waiting for ever. */
    if (type == KOBJ_REPLY && !object_named(k, type, object)) {
        const struct thread *caller = &k->threads[object];
        if (caller->state == THREAD_REPLY && caller->reply_saved)
            thread_cancel_blocking(k, object, SYS_ERR_SERVER_EXITED);
    }
}

static void node_revoke_descendants(struct kernel *k, uint16_t ancestor)
{
    for (uint16_t id = 1; id <= k->cap_node_top; id++) {
        struct cap_node *node = &k->cap_nodes[id];
        if (node->type != KOBJ_NONE && !node->revoked && node_is_descendant(k, id, ancestor))
            node->revoked = true;
    }
}

/* A call still queued on an endpoint through a capability that is now
 * revoked must not reach the server: its badge may name a session that
 * is closed, and whose id the server gives out again (a review finding). */
void senders_cancel_revoked(struct kernel *k)
{
    for (uint16_t id = 1; id <= KERNEL_THREADS_MAX; id++) {
        const struct thread *t = &k->threads[id];
        if (t->state != THREAD_SEND)
            continue;
        const struct cap_node *node = &k->cap_nodes[t->send_cap.node];
        if (node->generation == t->send_cap.generation && node->revoked)
            thread_cancel_blocking(k, id, SYS_ERR_STALE_CAP);
    }
}

void cap_revoke_object(struct kernel *k, enum kobject_type type, uint16_t object)
{
    for (uint16_t id = 1; id <= k->cap_node_top; id++) {
        struct cap_node *node = &k->cap_nodes[id];
        if (node->type == type && node->object == object)
            node->revoked = true;
    }
}

/* ---- slots ------------------------------------------------------------- */

enum sys_error cspace_lookup(struct kernel *k, struct pd *pd, cap_index_t index,
                             enum kobject_type type, struct cap_node **out_node)
{
    DUET_ASSERT(pd->in_use);
    if (index == CAP_INDEX_INVALID || index >= CAP_SPACE_SLOTS)
        return SYS_ERR_INVALID_CAP;
    struct cap_slot *slot = &pd->caps[index];
    if (slot->node == 0)
        return SYS_ERR_INVALID_CAP;
    struct cap_node *node = &k->cap_nodes[slot->node];
    if (node->type == KOBJ_NONE || node->generation != slot->generation || node->revoked)
        return SYS_ERR_STALE_CAP;
    if (type != KOBJ_NONE && node->type != type)
        return SYS_ERR_WRONG_CAP_TYPE;
    *out_node = node;
    return SYS_OK;
}

static cap_index_t slot_free(const struct pd *pd)
{
    for (cap_index_t i = CAP_SLOT_FIRST_FREE; i < CAP_SPACE_SLOTS; i++)
        if (pd->caps[i].node == 0)
            return i;
    return CAP_INDEX_INVALID;
}

bool cspace_has_room(const struct kernel *k, const struct pd *pd)
{
    return slot_free(pd) != CAP_INDEX_INVALID && node_alloc_peek(k) != 0;
}

static cap_index_t slot_place(struct kernel *k, struct pd *pd, uint16_t node, cap_index_t at)
{
    cap_index_t index = at != CAP_INDEX_INVALID ? at : slot_free(pd);
    DUET_ASSERT(index != CAP_INDEX_INVALID && index < CAP_SPACE_SLOTS);
    DUET_ASSERT(pd->caps[index].node == 0);
    pd->caps[index] = (struct cap_slot){node, k->cap_nodes[node].generation};
    k->cap_nodes[node].slot_count++;
    return index;
}

cap_index_t cap_create(struct kernel *k, struct pd *pd, enum kobject_type type,
                       uint16_t object, cap_index_t at)
{
    uint16_t id = node_alloc(k);
    DUET_ASSERT(id != 0 && type != KOBJ_NONE);
    struct cap_node *node = &k->cap_nodes[id];
    *node = (struct cap_node){.type = (uint8_t)type, .object = object,
                              .generation = node->generation};
    return slot_place(k, pd, id, at);
}

cap_index_t cap_derive(struct kernel *k, const struct cap_node *from, uint64_t badge,
                       struct pd *pd, cap_index_t at)
{
    DUET_ASSERT(from->type != KOBJ_NONE && !from->revoked);
    uint16_t id = node_alloc(k);
    DUET_ASSERT(id != 0);
    struct cap_node *node = &k->cap_nodes[id];
    *node = (struct cap_node){.type = from->type, .object = from->object, .badge = badge,
                              .parent = cap_node_id(k, from), .generation = node->generation};
    return slot_place(k, pd, id, at);
}

void cap_slot_clear(struct kernel *k, struct pd *pd, cap_index_t index)
{
    struct cap_slot *slot = &pd->caps[index];
    if (slot->node == 0)
        return;
    uint16_t id = slot->node;
    struct cap_node *node = &k->cap_nodes[id];
    /* C2: a node is freed only with its last slot, so a slot's node is live. */
    DUET_ASSERT(node->type != KOBJ_NONE && node->generation == slot->generation);
    DUET_ASSERT(node->slot_count > 0);
    *slot = (struct cap_slot){0};
    if (--node->slot_count == 0)
        node_release(k, id);
}

/* ---- system calls ------------------------------------------------------ */

static unsigned endpoints_owned(const struct kernel *k, uint16_t pd)
{
    unsigned owned = 0;
    for (uint16_t id = 1; id <= KERNEL_ENDPOINTS_MAX; id++)
        owned += k->endpoints[id].in_use && k->endpoints[id].owner_pd == pd;
    return owned;
}

void sys_endpoint_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    if (!cspace_has_room(k, pd)) {
        frame_result(frame, SYS_ERR_CAP_SPACE_FULL, 0);
        return;
    }
    if (endpoints_owned(k, current_thread(k)->pd) == KERNEL_PD_ENDPOINTS_MAX) {
        frame_result(frame, SYS_ERR_OUT_OF_RESOURCES, 0);
        return;
    }
    for (uint16_t id = 1; id <= KERNEL_ENDPOINTS_MAX; id++) {
        struct endpoint *ep = &k->endpoints[id];
        if (ep->in_use)
            continue;
        *ep = (struct endpoint){.in_use = true, .owner_pd = current_thread(k)->pd};
        cap_index_t index = cap_create(k, pd, KOBJ_ENDPOINT, id, CAP_INDEX_INVALID);
        frame_result(frame, SYS_OK, index);
        return;
    }
    frame_result(frame, SYS_ERR_OUT_OF_RESOURCES, 0);
}

/* Types whose badge is a set of rights rather than an identity. */
static bool badge_is_rights(uint8_t type)
{
    return type == KOBJ_PD || type == KOBJ_SIGNAL_RECEIVER;
}

void sys_cap_mint_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct cap_node *source = NULL;
    uint64_t badge = frame->arg[1];
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_NONE, &source);
    if (error == SYS_OK && source->type != KOBJ_ENDPOINT && !badge_is_rights(source->type))
        error = SYS_ERR_WRONG_CAP_TYPE;
    /* Only the unbadged original of an endpoint can be minted: re-badging
     * a session capability would let its holder pose as any other
     * session. A rights badge can only lose rights. */
    if (error == SYS_OK && source->type == KOBJ_ENDPOINT && source->badge != 0)
        error = SYS_ERR_DENIED;
    if (error == SYS_OK && badge_is_rights(source->type) && (badge & ~source->badge) != 0)
        error = SYS_ERR_DENIED;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    frame_result(frame, SYS_OK, cap_derive(k, source, badge, pd, CAP_INDEX_INVALID));
}

void sys_cap_delete_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    cap_index_t index = (cap_index_t)frame->arg[0];
    /* A stale slot can (and should) still be deleted: only range and
     * emptiness are checked. */
    if (index == CAP_INDEX_INVALID || index >= CAP_SPACE_SLOTS || pd->caps[index].node == 0) {
        frame_result(frame, SYS_ERR_INVALID_CAP, 0);
        return;
    }
    cap_slot_clear(k, pd, index);
    frame_result(frame, SYS_OK, 0);
}

void sys_cap_revoke_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *node = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0],
                                         KOBJ_NONE, &node);
    if (error == SYS_OK) {
        node_revoke_descendants(k, cap_node_id(k, node));
        senders_cancel_revoked(k);
    }
    frame_result(frame, error, 0);
}

void sys_cap_type_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct cap_node *cap = NULL;
    enum sys_error error = cspace_lookup(k, current_pd(k), (cap_index_t)frame->arg[0], KOBJ_NONE,
                                         &cap);
    frame_result(frame, error, error == SYS_OK ? cap->type : 0);
}
