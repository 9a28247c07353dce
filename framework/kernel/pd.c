/*
 * pd.c - protection domains: create and start.
 *
 * A PD is started from a component linked into the image, found by name
 * (hal_boot_components). Its window comes from the platform; the kernel
 * lays it out as:
 *     [ env | heap (env_alloc) ... | main stack ]   (stack top coloured)
 * in its boot area; the rest of the window is for dataspaces (memory.c).
 * and starts one thread at component_start(env), whose utcb is inside the
 * env. Slot 1 of the new capability space holds the parent's badged
 * endpoint, slot 2 the PD's capability to itself (no rights).
 *
 * Not here: further threads (thread.c); destroying PDs and reclaiming
 * their windows (pd_destroy.c).
 */
#include "kernel.h"

#include "duet/string.h"
#include "hal/memory.h"
#include "hal/world.h"

static const struct component_info *component_find(const char *name)
{
    size_t count = 0;
    const struct component_info *table = hal_boot_components(&count);
    for (size_t i = 0; i < count; i++)
        if (duet_strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static uint16_t pd_slot_free(struct kernel *k)
{
    for (uint16_t id = 1; id <= KERNEL_PDS_MAX; id++)
        if (!k->pds[id].in_use)
            return id;
    return 0;
}

static void env_layout(struct pd *pd, uint16_t pd_id, const struct component_info *info,
                       uintptr_t heap_end)
{
    struct env *env = pd->env;
    env->pd_id = pd_id;
    duet_strlcpy(env->name, info->name, sizeof env->name);
    env->parent = CAP_SLOT_PARENT;
    env->self = CAP_SLOT_SELF;
    env->main_utcb.env = env;
    env->main = info->main;
    env->window_size = KERNEL_WINDOW_SIZE;
    env->boot_size = KERNEL_BOOT_SIZE;
    uintptr_t heap = (uintptr_t)pd->window + sizeof(struct env);
    env->heap_next = (heap + 15u) & ~(uintptr_t)15u;
    env->heap_end = heap_end;
}

/* Decoded arguments are valid; this cannot fail except on exhausted tables,
 * which it reports in *out_error. Returns the new PD id or 0. */
uint16_t pd_create(struct kernel *k, const char *name, uint16_t parent_pd,
                   enum sys_error *out_error)
{
    const struct component_info *info = component_find(name);
    uint16_t pd_id = pd_slot_free(k);
    uint16_t thread_id = thread_slot_free(k);
    *out_error = info == NULL ? SYS_ERR_NO_SUCH_COMPONENT
               : (pd_id == 0 || thread_id == 0) ? SYS_ERR_OUT_OF_RESOURCES : SYS_OK;
    if (*out_error != SYS_OK)
        return 0;
    uint8_t *window = hal_window_create(KERNEL_WINDOW_SIZE, KERNEL_BOOT_SIZE);
    if (window == NULL) {
        *out_error = SYS_ERR_OUT_OF_RESOURCES;
        return 0;
    }

    struct pd *pd = &k->pds[pd_id];
    duet_memset(pd, 0, sizeof *pd);   /* large: its page entries */
    pd->in_use = true;
    pd->parent_pd = parent_pd;
    pd->component = info;
    pd->window = window;
    duet_strlcpy(pd->name, info->name, sizeof pd->name);
    pd->env = (struct env *)window;

    /* Colour the stack top by PD so that stacks do not alias in the cache. */
    size_t colour = (pd_id % 16u) * KERNEL_STACK_COLOUR;
    uint8_t *stack_base = window + KERNEL_BOOT_SIZE - KERNEL_STACK_SIZE;
    env_layout(pd, pd_id, info, (uintptr_t)stack_base);

    struct thread *t = &k->threads[thread_id];
    *t = (struct thread){.state = THREAD_NEW, .pd = pd_id};
    hal_context_init(&t->context, stack_base, KERNEL_STACK_SIZE - colour, component_start,
                     pd->env, NULL, pd_id, thread_id);
    t->context.thread_pointer = &pd->env->main_utcb;
    cap_create(k, pd, KOBJ_PD, pd_id, CAP_SLOT_SELF);   /* badge 0: no rights */
    hal_event(HAL_EVENT_PD_CREATE, pd_id, parent_pd, KERNEL_WINDOW_SIZE, 0, pd->name,
              duet_strlen(pd->name));
    hal_event(HAL_EVENT_THREAD_CREATE, thread_id, pd_id, 0, 0, NULL, 0);
    sched_make_ready(k, thread_id);
    return pd_id;
}

/* The name travels in the message words, NUL-terminated within them. */
static bool name_decode(const struct ipc_message *message, char name[COMPONENT_NAME_MAX])
{
    if (message == NULL || message->word_count * 8u < 1 || message->word_count > IPC_WORDS)
        return false;
    const uint8_t *bytes = (const uint8_t *)message->word;
    size_t limit = message->word_count * 8u;
    if (limit > COMPONENT_NAME_MAX)
        limit = COMPONENT_NAME_MAX;
    for (size_t i = 0; i < limit; i++) {
        name[i] = (char)bytes[i];
        if (bytes[i] == 0)
            return i > 0;
    }
    return false;
}

void sys_pd_create_perform(struct kernel *k, struct syscall_frame *frame)
{
    struct pd *caller = current_pd(k);
    struct cap_node *factory = NULL;
    struct cap_node *parent = NULL;
    char name[COMPONENT_NAME_MAX];
    enum sys_error error = cspace_lookup(k, caller, (cap_index_t)frame->arg[0], KOBJ_PD_FACTORY,
                                         &factory);
    if (error == SYS_OK)
        error = cspace_lookup(k, caller, (cap_index_t)frame->arg[1], KOBJ_ENDPOINT, &parent);
    if (error == SYS_OK && !pd_boot_contains(caller, frame->message, sizeof *frame->message))
        error = SYS_ERR_INVALID_ARGUMENT;
    if (error == SYS_OK && !name_decode(frame->message, name))
        error = SYS_ERR_INVALID_ARGUMENT;
    /* core is the kernel's first PD and owns the hardware: nobody starts another. */
    if (error == SYS_OK && duet_strcmp(name, KERNEL_CORE_NAME) == 0)
        error = SYS_ERR_DENIED;
    /* Room for the caller's PD capability and the child's parent and self
     * capabilities; nodes are shared, so ask for all three. */
    if (error == SYS_OK && !cspace_has_room(k, caller))
        error = SYS_ERR_CAP_SPACE_FULL;
    if (error == SYS_OK && !cap_nodes_available(k, 3))
        error = SYS_ERR_OUT_OF_RESOURCES;
    if (error != SYS_OK) {
        frame_result(frame, error, 0);
        return;
    }

    uint16_t pd_id = pd_create(k, name, current_thread(k)->pd, &error);
    if (pd_id == 0) {
        frame_result(frame, error, 0);
        return;
    }
    struct pd *child = &k->pds[pd_id];
    cap_derive(k, parent, parent->badge, child, CAP_SLOT_PARENT);
    cap_index_t pd_cap = cap_create(k, caller, KOBJ_PD, pd_id, CAP_INDEX_INVALID);
    k->cap_nodes[caller->caps[pd_cap].node].badge = PD_RIGHTS_ALL;   /* the creator's */
    frame_result(frame, SYS_OK, pd_cap);
    frame->result[2] = pd_id;
}
