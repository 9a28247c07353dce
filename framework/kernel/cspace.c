/*
 * cspace.c - capability spaces: lookup with type checks, insert, mint, delete.
 *
 * A capability is a slot holding (type, object id, badge). Every index a
 * component passes is checked here before the kernel acts on it: out of
 * range or empty is SYS_ERR_INVALID_CAP, another type SYS_ERR_WRONG_CAP_TYPE.
 * Only endpoint capabilities can be minted (badged copies).
 *
 * Not here: revocation (comes with typed capabilities and sessions).
 */
#include "kernel.h"

enum sys_error cspace_lookup(struct pd *pd, cap_index_t index, enum kobject_type type,
                             struct capability **out_cap)
{
    DUET_ASSERT(pd->in_use);
    if (index == CAP_INDEX_INVALID || index >= CAP_SPACE_SLOTS)
        return SYS_ERR_INVALID_CAP;
    struct capability *cap = &pd->caps[index];
    if (cap->type == KOBJ_NONE)
        return SYS_ERR_INVALID_CAP;
    if (type != KOBJ_NONE && cap->type != type)
        return SYS_ERR_WRONG_CAP_TYPE;
    *out_cap = cap;
    return SYS_OK;
}

bool cspace_has_free_slot(const struct pd *pd)
{
    for (cap_index_t i = CAP_SLOT_FIRST_FREE; i < CAP_SPACE_SLOTS; i++)
        if (pd->caps[i].type == KOBJ_NONE)
            return true;
    return false;
}

enum sys_error cspace_insert(struct pd *pd, struct capability cap, cap_index_t *out_index)
{
    DUET_ASSERT(cap.type != KOBJ_NONE);
    for (cap_index_t i = CAP_SLOT_FIRST_FREE; i < CAP_SPACE_SLOTS; i++) {
        if (pd->caps[i].type != KOBJ_NONE)
            continue;
        pd->caps[i] = cap;
        *out_index = i;
        return SYS_OK;
    }
    return SYS_ERR_CAP_SPACE_FULL;
}

void sys_endpoint_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    if (!cspace_has_free_slot(pd)) {
        frame_result(frame, SYS_ERR_CAP_SPACE_FULL, 0);
        return;
    }
    for (uint16_t id = 1; id <= KERNEL_ENDPOINTS_MAX; id++) {
        struct endpoint *ep = &k->endpoints[id];
        if (ep->in_use)
            continue;
        *ep = (struct endpoint){.in_use = true};
        cap_index_t index = 0;
        enum sys_error error = cspace_insert(pd, (struct capability){KOBJ_ENDPOINT, id, 0},
                                             &index);
        DUET_ASSERT(error == SYS_OK);
        frame_result(frame, SYS_OK, index);
        return;
    }
    frame_result(frame, SYS_ERR_OUT_OF_RESOURCES, 0);
}

void sys_cap_mint_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct capability *source = NULL;
    enum sys_error error = cspace_lookup(pd, (cap_index_t)frame->arg[0], KOBJ_ENDPOINT,
                                         &source);
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    struct capability copy = *source;
    copy.badge = frame->arg[1];
    cap_index_t index = 0;
    error = cspace_insert(pd, copy, &index);
    frame_result(frame, error, index);
}

void sys_cap_delete_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct capability *cap = NULL;
    enum sys_error error = cspace_lookup(pd, (cap_index_t)frame->arg[0], KOBJ_NONE, &cap);
    if (error == SYS_OK)
        *cap = (struct capability){0};
    frame_result(frame, error, 0);
}
