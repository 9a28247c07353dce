/*
 * hal/event.h - how events leave the framework: one call, a fixed list of kinds.
 *
 * The framework never includes traces/. It reports what happens through
 * hal_event; the platform stamps the event with the virtual time, the
 * running PD and thread and a sequence number, and records it (the sim:
 * traces/ recorder and SQLite; bare metal: the serial trace stream).
 *
 * Arguments are small integers: kernel object ids, window-relative
 * addresses, opcodes, counts. Never a host pointer. The optional blob
 * carries at most HAL_EVENT_BLOB_MAX bytes (a LOG line is split).
 *
 * The list is append-only: a kind's number is part of every stored trace.
 */
#ifndef DUET_HAL_EVENT_H
#define DUET_HAL_EVENT_H

#include "duet/types.h"

enum { HAL_EVENT_BLOB_MAX = 48 };

/*   name              number  arguments (a0, a1, a2, a3)                          */
#define DUET_EVENT_KINDS(X)                                                        \
    X(BOOT,               1)  /* components, modules                               */\
    X(THREAD_SWITCH,      2)  /* from thread, to thread, candidates                */\
    X(KERNEL_ENTRY,       3)  /* syscall number                                    */\
    X(IPC_CALL,           4)  /* endpoint, label, badge                            */\
    X(IPC_RECEIVE,        5)  /* endpoint, label, badge, from thread               */\
    X(IPC_REPLY,          6)  /* to thread, label                                  */\
    X(SYSCALL_ERROR,      7)  /* syscall number, error                             */\
    X(CHOICE,             8)  /* range, value, choice seq                          */\
    X(PORT_IN,            9)  /* port, width, value                                */\
    X(PORT_OUT,          10)  /* port, width, value                                */\
    X(IRQ_RAISE,         11)  /* line                                              */\
    X(IRQ_DELIVER,       12)  /* line, to thread (0: pending)                      */\
    X(IDLE,              13)  /* from time_ns, to time_ns                          */\
    X(LOG,               14)  /* session, line length, chunk index; blob = text    */\
    X(PD_CREATE,         15)  /* new pd, parent pd, window size; blob = name       */\
    X(THREAD_CREATE,     16)  /* new thread, pd                                    */\
    X(THREAD_EXIT,       17)  /* thread, pd                                        */\
    X(RPC_ERROR,         18)  /* opcode, status                                    */\
    X(SESSION_OPEN,      19)  /* session id, service; blob = args                  */\
    X(FAILURE,           20)  /* blob = reason                                     */\
    X(WORLD_END,         21)  /* outcome code, kernel entries                      */\
    X(PD_DESTROY,        22)  /* pd, threads ended, blocked threads cancelled      */\
    X(FAULT,             23)  /* fault kind, address; blob = what happened         */\
    X(THREAD_DESTROY,    24)  /* thread, pd, blocked threads cancelled             */\
    X(SIGNAL_SUBMIT,     25)  /* context, count submitted, count pending now       */\
    X(SIGNAL_DELIVER,    26)  /* context, count, to thread                         */\
    X(FUTEX_WAKE,        27)  /* threads asked for, threads woken                  */\
    X(IRQ_SPURIOUS,      28)  /* line the controller answered with, no request     */\
    X(PAGE_FAULT,        29)  /* window offset, 1 if a write, pd                   */\
    X(MAP,               30)  /* pd, window offset, size, dataspace | writable<<32 */\
    X(UNMAP,             31)  /* pd, window offset, size                           */\
    X(DATASPACE_CREATE,  32)  /* dataspace, size, flags, imprint                   */\
    X(DATASPACE_DESTROY, 33)  /* dataspace                                         */\
    X(RM_FAULT,          34)  /* region map, offset, 1 if a write, faulters queued */\
    X(RM_RESOLVE,        35)  /* region map, offset, faulters resumed              */

enum hal_event_kind {
#define DUET_EVENT_ENUM(name, number) HAL_EVENT_##name = number,
    DUET_EVENT_KINDS(DUET_EVENT_ENUM)
#undef DUET_EVENT_ENUM
};

void hal_event(enum hal_event_kind kind, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
               const void *blob, size_t blob_len);

/* The kind's name ("IPC_CALL"), or NULL for an unknown number. */
const char *hal_event_kind_name(unsigned kind);

#endif
