/*
 * syscall.c - the component side of the system-call interface (duet/syscall.h).
 *
 * Each stub fills a syscall_frame and enters the kernel through the HAL.
 * The stubs do no checking of their own: the kernel decodes every call.
 */
#include "duet/syscall.h"

#include "duet/string.h"
#include "hal/kernel_entry.h"
#include "hal/world.h"

static const char *const sys_error_names[SYS_ERR_COUNT] = {
    [SYS_OK] = "SYS_OK",
    [SYS_ERR_INVALID_SYSCALL] = "SYS_ERR_INVALID_SYSCALL",
    [SYS_ERR_INVALID_CAP] = "SYS_ERR_INVALID_CAP",
    [SYS_ERR_WRONG_CAP_TYPE] = "SYS_ERR_WRONG_CAP_TYPE",
    [SYS_ERR_INVALID_ARGUMENT] = "SYS_ERR_INVALID_ARGUMENT",
    [SYS_ERR_CAP_SPACE_FULL] = "SYS_ERR_CAP_SPACE_FULL",
    [SYS_ERR_OUT_OF_RESOURCES] = "SYS_ERR_OUT_OF_RESOURCES",
    [SYS_ERR_NO_SUCH_COMPONENT] = "SYS_ERR_NO_SUCH_COMPONENT",
    [SYS_ERR_NO_REPLY_PENDING] = "SYS_ERR_NO_REPLY_PENDING",
    [SYS_ERR_SERVER_EXITED] = "SYS_ERR_SERVER_EXITED",
    [SYS_ERR_DENIED] = "SYS_ERR_DENIED",
    [SYS_ERR_STALE_CAP] = "SYS_ERR_STALE_CAP",
    [SYS_ERR_CALL_DROPPED] = "SYS_ERR_CALL_DROPPED",
    [SYS_ERR_WOULD_BLOCK] = "SYS_ERR_WOULD_BLOCK",
};

const char *sys_error_name(enum sys_error error)
{
    if ((unsigned)error >= SYS_ERR_COUNT)
        return "SYS_ERR_UNKNOWN";
    return sys_error_names[error];
}

static enum sys_error syscall_enter(struct syscall_frame *frame, uint64_t *out_value)
{
    hal_kernel_entry(frame);
    if (out_value != NULL)
        *out_value = frame->result[1];
    return (enum sys_error)frame->result[0];
}

enum sys_error sys_call(cap_index_t endpoint, struct ipc_message *message)
{
    struct syscall_frame frame = {.number = SYSCALL_CALL, .arg = {endpoint}, .message = message};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_reply_wait(cap_index_t endpoint, bool reply, struct ipc_message *message,
                              uint64_t *out_badge)
{
    struct syscall_frame frame = {
        .number = SYSCALL_REPLY_WAIT, .arg = {endpoint, reply ? 1u : 0u}, .message = message};
    return syscall_enter(&frame, out_badge);
}

static enum sys_error syscall_cap_result(struct syscall_frame *frame, cap_index_t *out_cap)
{
    uint64_t value = 0;
    enum sys_error error = syscall_enter(frame, &value);
    *out_cap = error == SYS_OK ? (cap_index_t)value : CAP_INDEX_INVALID;
    return error;
}

enum sys_error sys_reply_save(cap_index_t *out_reply)
{
    struct syscall_frame frame = {.number = SYSCALL_REPLY_SAVE};
    return syscall_cap_result(&frame, out_reply);
}

enum sys_error sys_reply_send(cap_index_t reply, struct ipc_message *message)
{
    struct syscall_frame frame = {.number = SYSCALL_REPLY_SEND, .arg = {reply},
                                  .message = message};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_endpoint_create(cap_index_t *out_endpoint)
{
    struct syscall_frame frame = {.number = SYSCALL_ENDPOINT_CREATE};
    return syscall_cap_result(&frame, out_endpoint);
}

enum sys_error sys_cap_mint(cap_index_t endpoint, uint64_t badge, cap_index_t *out_cap)
{
    struct syscall_frame frame = {.number = SYSCALL_CAP_MINT, .arg = {endpoint, badge}};
    return syscall_cap_result(&frame, out_cap);
}

enum sys_error sys_cap_delete(cap_index_t cap)
{
    struct syscall_frame frame = {.number = SYSCALL_CAP_DELETE, .arg = {cap}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_cap_revoke(cap_index_t cap)
{
    struct syscall_frame frame = {.number = SYSCALL_CAP_REVOKE, .arg = {cap}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_pd_create(cap_index_t pd_factory, cap_index_t parent_endpoint,
                             const char *name, cap_index_t *out_pd)
{
    return sys_pd_create_id(pd_factory, parent_endpoint, name, out_pd, NULL);
}

enum sys_error sys_pd_create_id(cap_index_t pd_factory, cap_index_t parent_endpoint,
                                const char *name, cap_index_t *out_pd, uint16_t *out_id)
{
    /* The name travels in the message words, so the kernel never follows a
     * component pointer for it. */
    struct ipc_message message = {.word_count = COMPONENT_NAME_MAX / 8};
    size_t length = duet_strnlen(name, COMPONENT_NAME_MAX);
    if (length == COMPONENT_NAME_MAX)
        return SYS_ERR_INVALID_ARGUMENT;
    duet_memcpy(message.word, name, length);
    struct syscall_frame frame = {
        .number = SYSCALL_PD_CREATE,
        .arg = {pd_factory, parent_endpoint},
        .message = &message};
    enum sys_error error = syscall_cap_result(&frame, out_pd);
    if (out_id != NULL)
        *out_id = error == SYS_OK ? (uint16_t)frame.result[2] : 0;
    return error;
}

enum sys_error sys_pd_destroy(cap_index_t pd)
{
    struct syscall_frame frame = {.number = SYSCALL_PD_DESTROY, .arg = {pd}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_thread_create(cap_index_t pd_factory, cap_index_t pd,
                                 const struct thread_create_args *args, cap_index_t *out_thread)
{
    struct ipc_message message = {.word_count = 5,
                                  .word = {args->entry, args->arg, args->stack, args->stack_size,
                                           args->utcb}};
    struct syscall_frame frame = {
        .number = SYSCALL_THREAD_CREATE, .arg = {pd_factory, pd}, .message = &message};
    return syscall_cap_result(&frame, out_thread);
}

enum sys_error sys_thread_destroy(cap_index_t thread)
{
    struct syscall_frame frame = {.number = SYSCALL_THREAD_DESTROY, .arg = {thread}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_io_port_narrow(cap_index_t io_ports, uint16_t base, uint32_t count,
                                  cap_index_t *out_io_ports)
{
    struct syscall_frame frame = {.number = SYSCALL_IO_PORT_NARROW,
                                  .arg = {io_ports, base, count}};
    return syscall_cap_result(&frame, out_io_ports);
}

enum sys_error sys_irq_create(cap_index_t irq_control, unsigned line, cap_index_t *out_irq)
{
    struct syscall_frame frame = {.number = SYSCALL_IRQ_CREATE, .arg = {irq_control, line}};
    return syscall_cap_result(&frame, out_irq);
}

enum sys_error sys_irq_wait(cap_index_t irq)
{
    struct syscall_frame frame = {.number = SYSCALL_IRQ_WAIT, .arg = {irq}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_irq_destroy(cap_index_t irq)
{
    struct syscall_frame frame = {.number = SYSCALL_IRQ_DESTROY, .arg = {irq}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_yield(void)
{
    struct syscall_frame frame = {.number = SYSCALL_YIELD};
    return syscall_enter(&frame, NULL);
}

void sys_thread_exit(void)
{
    struct syscall_frame frame = {.number = SYSCALL_THREAD_EXIT};
    hal_kernel_entry(&frame);
    hal_panic(__func__, "an exited thread was scheduled again");
}

enum sys_error sys_signal_receiver_create(cap_index_t factory, cap_index_t *out_receiver)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_RECEIVER_CREATE, .arg = {factory}};
    return syscall_cap_result(&frame, out_receiver);
}

enum sys_error sys_signal_receiver_destroy(cap_index_t receiver)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_RECEIVER_DESTROY, .arg = {receiver}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_signal_context_create(cap_index_t receiver, uint64_t imprint,
                                         cap_index_t *out_context)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_CONTEXT_CREATE,
                                  .arg = {receiver, imprint}};
    return syscall_cap_result(&frame, out_context);
}

enum sys_error sys_signal_context_destroy(cap_index_t receiver, cap_index_t context)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_CONTEXT_DESTROY,
                                  .arg = {receiver, context}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_signal_submit(cap_index_t context, uint64_t count)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_SUBMIT, .arg = {context, count}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_signal_wait(cap_index_t receiver, bool block, struct signal *out)
{
    struct syscall_frame frame = {.number = SYSCALL_SIGNAL_WAIT, .arg = {receiver, block}};
    enum sys_error error = syscall_enter(&frame, NULL);
    *out = error == SYS_OK ? (struct signal){frame.result[1], frame.result[2]}
                           : (struct signal){0, 0};
    return error;
}

enum sys_error sys_futex_wait(const uint32_t *word, uint32_t expected)
{
    struct syscall_frame frame = {.number = SYSCALL_FUTEX_WAIT,
                                  .arg = {(uint64_t)(uintptr_t)word, expected}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_futex_wake(const uint32_t *word, uint32_t count, uint32_t *out_woken)
{
    struct syscall_frame frame = {.number = SYSCALL_FUTEX_WAKE,
                                  .arg = {(uint64_t)(uintptr_t)word, count}};
    uint64_t woken = 0;
    enum sys_error error = syscall_enter(&frame, &woken);
    if (out_woken != NULL)
        *out_woken = (uint32_t)woken;
    return error;
}

enum sys_error sys_dataspace_create(cap_index_t pd_factory, uint64_t phys, uint64_t size,
                                    uint32_t imprint, uint32_t flags, cap_index_t *out_ds)
{
    struct syscall_frame frame = {
        .number = SYSCALL_DATASPACE_CREATE,
        .arg = {pd_factory, phys, size, (uint64_t)imprint | (uint64_t)flags << 32}};
    return syscall_cap_result(&frame, out_ds);
}

enum sys_error sys_dataspace_destroy(cap_index_t pd_factory, uint32_t id)
{
    struct syscall_frame frame = {.number = SYSCALL_DATASPACE_DESTROY, .arg = {pd_factory, id}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_dataspace_info(cap_index_t ds, struct dataspace_info *out)
{
    struct syscall_frame frame = {.number = SYSCALL_DATASPACE_INFO, .arg = {ds}};
    enum sys_error error = syscall_enter(&frame, NULL);
    *out = (struct dataspace_info){0};
    if (error == SYS_OK) {
        out->size = frame.result[1];
        out->id = (uint32_t)(frame.result[2] & 0xffffu);
        out->flags = (uint32_t)((frame.result[2] >> 16) & 0xffffu);
        out->imprint = (uint32_t)(frame.result[2] >> 32);
    }
    return error;
}

enum sys_error sys_map(cap_index_t pd_factory, cap_index_t pd, uint32_t ds_id,
                       uint64_t ds_offset, uint64_t window_offset, uint64_t size, bool writable)
{
    struct ipc_message message = {.word_count = 5,
                                  .word = {ds_id, ds_offset, window_offset, size, writable}};
    struct syscall_frame frame = {
        .number = SYSCALL_MAP, .arg = {pd_factory, pd}, .message = &message};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_unmap(cap_index_t pd_factory, cap_index_t pd, uint64_t window_offset,
                         uint64_t size)
{
    struct syscall_frame frame = {
        .number = SYSCALL_UNMAP, .arg = {pd_factory, pd, window_offset, size}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_pager_set(cap_index_t pd_factory, cap_index_t endpoint, uint64_t badge)
{
    struct syscall_frame frame = {
        .number = SYSCALL_PAGER_SET, .arg = {pd_factory, endpoint, badge}};
    return syscall_enter(&frame, NULL);
}

enum sys_error sys_cap_type(cap_index_t cap, enum cap_type *out_type)
{
    struct syscall_frame frame = {.number = SYSCALL_CAP_TYPE, .arg = {cap}};
    uint64_t type = 0;
    enum sys_error error = syscall_enter(&frame, &type);
    *out_type = error == SYS_OK ? (enum cap_type)type : CAP_TYPE_NONE;
    return error;
}
