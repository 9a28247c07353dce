/*
 * io_intruder.c - a component that touches a device port directly, which
 * it holds no I/O-port capability for. The platform must stop it (on
 * hardware a #GP in ring 3, in the sim the kernel's fault path): the thread
 * is stopped, the fault traced and reported, the rest of the world runs on
 * (tests/bad_inputs.sh checks the report, and that the UART stays core's).
 */
#include "duet/log_session.h"
#include "duet/parent.h"
#include "hal/event.h"
#include "hal/kernel_entry.h"
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

/* Enters the kernel with a frame outside its window (read-only data of the
 * image): the kernel could not even write the error back, so the thread
 * faults and the rest of the world runs on (tests/bad_inputs.sh). */
void frame_intruder_main(struct env *env)
{
    static const struct syscall_frame outside = {.number = SYSCALL_YIELD};
    hal_kernel_entry((struct syscall_frame *)&outside);
    parent_exit(env, 1);   /* not reached */
}

/* Bare metal only (scenarios/event_forgers.scn, tests/qemu): events from
 * ring 3 reach the trace through the platform, which must take from a
 * component only the kinds a component reports, and only from memory the
 * component can read. In the sim hal_event is a plain call in the
 * component's own process: these two are never started there. */

/* Reports the end of the world, which only the platform may. */
void event_kind_forger_main(struct env *env)
{
    hal_event(HAL_EVENT_WORLD_END, 0, 0, 0, 0, NULL, 0);
    parent_exit(env, 1);   /* not reached */
}

/* Hands over a LOG blob in the kernel's memory (the image's writable
 * state, supervisor only: 2 MiB is inside it). */
void event_blob_forger_main(struct env *env)
{
    hal_event(HAL_EVENT_LOG, 0, 16, 0, 0, (const void *)(uintptr_t)0x200000, 16);
    parent_exit(env, 1);   /* not reached */
}
