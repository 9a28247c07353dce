/*
 * io_intruder.c - a component that touches a device port directly, which
 * only core may do. The platform must stop it (on hardware a #GP in ring 3,
 * in the sim a named world failure); scenarios/io_denied.scn checks that
 * the world ends with that failure instead of the UART being driven.
 */
#include "duet/log_session.h"
#include "duet/parent.h"
#include "hal/port_io.h"

void io_intruder_main(struct env *env)
{
    struct log_connection log;
    if (log_connection_open(env, &log) == RPC_OK)
        log_write(env, log.cap, "about to write to COM1 directly");
    hal_out8(0x3f8, '!');
    log_write(env, log.cap, "the port write was not stopped");
    parent_exit(env, 1);
}
