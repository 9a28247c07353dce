/*
 * io_port_session.h - IO_PORT: exclusive access to a range of I/O ports.
 *
 * The session capability is an I/O-port capability for exactly the range
 * (syscall.h: sys_io_port_narrow): while the PD holds it, it may access
 * those ports directly (hal/port_io.h), as a driver must; closing the
 * session revokes it. core refuses ranges it uses itself (COM1) with
 * RPC_ERR_DENIED and ranges another session holds with RPC_ERR_IN_USE.
 * Arguments: io_port_base=N, io_port_size=N (decimal or 0x hex).
 */
#ifndef DUET_IO_PORT_SESSION_H
#define DUET_IO_PORT_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

#define IO_PORT_SESSION_RAM_QUOTA "1K"
#define IO_PORT_SESSION_CAP_QUOTA "1"

struct io_port_session_cap { cap_index_t index; };

struct io_port_connection {
    struct io_port_session_cap cap;
    uint64_t id;
    uint16_t base;
    uint16_t size;
};

enum rpc_status io_port_connection_open(struct env *env, uint16_t base, uint16_t size,
                                        struct io_port_connection *out);
enum rpc_status io_port_connection_close(struct env *env, struct io_port_connection *connection);
/* Accesses inside the connection's range only (asserted). */
uint8_t io_port_in8(const struct io_port_connection *connection, uint16_t port);
void io_port_out8(const struct io_port_connection *connection, uint16_t port, uint8_t value);

#endif
