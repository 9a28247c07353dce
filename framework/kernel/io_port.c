/*
 * io_port.c - I/O ports as capabilities.
 *
 * An I/O-port capability names the range [object, object + badge). core
 * receives one covering every port at boot and narrows it for the drivers
 * it gives IO_PORT sessions to; a narrowed capability is derived from the
 * one it came from, so revoking core's copy (the session closes) takes the
 * driver's access away. Access is checked per PD: kernel_port_allowed.
 */
#include "kernel.h"

#include "kernel/kernel_platform.h"

static bool range_covers(const struct cap_node *node, uint64_t base, uint64_t count)
{
    return base >= node->object && base + count <= (uint64_t)node->object + node->badge;
}

void sys_io_port_narrow_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *pd = current_pd(k);
    struct cap_node *wide = NULL;
    uint64_t base = frame->arg[1], count = frame->arg[2];
    enum sys_error error = cspace_lookup(k, pd, (cap_index_t)frame->arg[0], KOBJ_IO_PORT, &wide);
    if (error == SYS_OK && (base > UINT16_MAX || count == 0 || count > KERNEL_IO_PORTS))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error == SYS_OK && !range_covers(wide, base, count))
        error = SYS_ERR_DENIED;
    if (error == SYS_OK && !cspace_has_room(k, pd))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }
    cap_index_t index = cap_derive(k, wide, count, pd, CAP_INDEX_INVALID);
    k->cap_nodes[pd->caps[index].node].object = (uint16_t)base;
    frame_result(frame, SYS_OK, index);
}

bool kernel_port_allowed(const struct kernel *k, uint16_t pd_id, uint16_t port, unsigned width)
{
    DUET_ASSERT(pd_id <= KERNEL_PDS_MAX && width >= 1 && width <= 4);
    const struct pd *pd = &k->pds[pd_id];
    if (!pd->in_use || hal_port_reserved(port, width))
        return false;
    for (cap_index_t index = 1; index < CAP_SPACE_SLOTS; index++) {
        const struct cap_slot *slot = &pd->caps[index];
        if (slot->node == 0)
            continue;
        const struct cap_node *node = &k->cap_nodes[slot->node];
        if (node->type == KOBJ_IO_PORT && !node->revoked && range_covers(node, port, width))
            return true;
    }
    return false;
}
