/*
 * reserved_ports.h - the ports no PD may have: the kernel's and the
 * platform's own.
 *
 * The 8259 pair and its ELCR (the kernel programs them), the trace
 * stream's UART (COM3, duet/trace_stream.h: bare metal's trace; a PD
 * writing there could forge records) and QEMU's isa-debug-exit (a PD
 * writing there would end the machine). Reserved on both platforms, so
 * that a scenario refused in QEMU is refused in the sim too.
 */
#ifndef DUET_ARCH_X86_RESERVED_PORTS_H
#define DUET_ARCH_X86_RESERVED_PORTS_H

#include "duet/trace_stream.h"
#include "pic8259.h"

enum {
    DEBUG_EXIT_PORT = 0xf4,       /* QEMU's isa-debug-exit, iosize 4 */
    DEBUG_EXIT_PORTS = 4,
    TRACE_STREAM_PORTS = 8,
};

static inline bool reserved_ports_overlap(uint32_t base, uint32_t count)
{
    return pic_ports_overlap(base, count) ||
           (base < (uint32_t)TRACE_STREAM_PORT + TRACE_STREAM_PORTS &&
            TRACE_STREAM_PORT < base + count) ||
           (base < (uint32_t)DEBUG_EXIT_PORT + DEBUG_EXIT_PORTS && DEBUG_EXIT_PORT < base + count);
}

#endif
