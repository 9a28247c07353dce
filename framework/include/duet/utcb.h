/*
 * utcb.h - a thread's user-level control block: its IPC buffer.
 *
 * Every thread has one, in its PD's window: the main thread's is inside
 * the env, every other thread's is given when the thread is created
 * (duet/cpu_session.h). The kernel makes it the thread pointer of the
 * thread's context (hal/context.h), so code shared by all threads of a
 * component finds the calling thread's buffer with utcb_self() instead of
 * sharing one buffer, which two threads blocked in IPC at once would
 * overwrite.
 */
#ifndef DUET_UTCB_H
#define DUET_UTCB_H

#include "duet/blockade.h"
#include "duet/syscall.h"
#include "hal/context.h"

struct env;

struct utcb {
    struct ipc_message message;  /* the thread's IPC buffer        */
    struct env *env;             /* the component the thread is in */
    int errno_value;             /* the framework libc's errno (errno.h) */
    struct blockade blockade;    /* where the thread sleeps in a semaphore:
                                    memory of the window at a fixed place,
                                    unlike a stack (or a sanitizer's fake
                                    stack), so traces agree across builds */
};

static inline struct utcb *utcb_self(void)
{
    return (struct utcb *)hal_thread_pointer();
}

/* The calling thread's IPC buffer: where stubs build requests. */
static inline struct ipc_message *ipc_buffer(void)
{
    return &utcb_self()->message;
}

#endif
