/*
 * io_port_client.c - IO_PORT and IRQ connections (duet/io_port_session.h,
 * duet/irq_session.h). Both sessions' capabilities are kernel objects the
 * client uses directly; the stubs only open, close and bounds-check.
 */
#include "duet/assert.h"
#include "duet/io_port_session.h"
#include "duet/irq_session.h"
#include "duet/parent.h"
#include "duet/text.h"
#include "hal/port_io.h"

enum rpc_status io_port_connection_open(struct env *env, uint16_t base, uint16_t size,
                                        struct io_port_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "io_port_base=");
    text_append_u64(&text, base);
    text_append(&text, ", io_port_size=");
    text_append_u64(&text, size);
    text_append(&text, ", ram_quota=" IO_PORT_SESSION_RAM_QUOTA
                       ", cap_quota=" IO_PORT_SESSION_CAP_QUOTA);
    *out = (struct io_port_connection){.base = base, .size = size};
    return parent_session(env, "IO_PORT", args, &out->cap.index, &out->id);
}

enum rpc_status io_port_connection_close(struct env *env, struct io_port_connection *connection)
{
    connection->size = 0;   /* no port of it may be touched any more */
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

static void io_port_check(const struct io_port_connection *connection, uint16_t port)
{
    DUET_ASSERT(connection->cap.index != CAP_INDEX_INVALID);
    DUET_ASSERT(port >= connection->base && port - connection->base < connection->size);
}

uint8_t io_port_in8(const struct io_port_connection *connection, uint16_t port)
{
    io_port_check(connection, port);
    return hal_in8(port);
}

void io_port_out8(const struct io_port_connection *connection, uint16_t port, uint8_t value)
{
    io_port_check(connection, port);
    hal_out8(port, value);
}

enum rpc_status irq_connection_open(struct env *env, unsigned line, struct irq_connection *out)
{
    char args[PARENT_ARGS_MAX];
    struct text text;
    text_init(&text, args, sizeof args);
    text_append(&text, "irq=");
    text_append_u64(&text, line);
    text_append(&text, ", ram_quota=" IRQ_SESSION_RAM_QUOTA ", cap_quota=" IRQ_SESSION_CAP_QUOTA);
    *out = (struct irq_connection){.line = line};
    return parent_session(env, "IRQ", args, &out->cap.index, &out->id);
}

enum rpc_status irq_connection_close(struct env *env, struct irq_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

enum sys_error irq_wait(const struct irq_connection *connection)
{
    return sys_irq_wait(connection->cap.index);
}

void irq_forward_to_entrypoint(const struct irq_connection *connection, cap_index_t endpoint,
                               uint64_t label)
{
    for (;;) {
        enum sys_error waited = irq_wait(connection);
        DUET_ASSERT(waited == SYS_OK);
        struct ipc_message *m = ipc_buffer();
        *m = (struct ipc_message){.label = label};
        enum sys_error called = sys_call(endpoint, m);
        DUET_ASSERT(called == SYS_OK);
    }
}
