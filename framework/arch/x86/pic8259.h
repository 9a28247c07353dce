/*
 * pic8259.h - the PC's two cascaded 8259A interrupt controllers, as the
 * kernel programs them (the HAL's interrupt lines, hal/irq.h).
 *
 * The kernel remaps the pair to vectors PIC_VECTOR_BASE.. (IRQ n is
 * vector PIC_VECTOR_BASE + n), masks every line, and from then on
 * unmasks a line only while a thread waits for it. A delivery is
 * acknowledged at once (EOI) after the line is masked, so the controller
 * may deliver other lines meanwhile; the line stays masked until its
 * thread waits again. Both platforms use this code: on bare metal the
 * ports are the chips', in the sim they are the i8259 model's.
 */
#ifndef DUET_ARCH_X86_PIC8259_H
#define DUET_ARCH_X86_PIC8259_H

#include "duet/types.h"

enum {
    PIC_MASTER_COMMAND = 0x20,
    PIC_MASTER_DATA = 0x21,
    PIC_SLAVE_COMMAND = 0xA0,
    PIC_SLAVE_DATA = 0xA1,
    PIC_VECTOR_BASE = 0x20,          /* past the CPU's 32 exception vectors */
    PIC_LINES = 16,
    PIC_CASCADE_LINE = 2,            /* the master input the slave drives */
};

/* The ports of the pair and of its edge/level control (ELCR): the
 * kernel's alone. A PD that could write them could remap or stall every
 * interrupt (a review finding), so no I/O-port capability reaches them. */
enum { PIC_ELCR_PORT = 0x4D0 };
static inline bool pic_ports_overlap(uint32_t base, uint32_t count)
{
    static const uint16_t starts[] = {PIC_MASTER_COMMAND, PIC_SLAVE_COMMAND, PIC_ELCR_PORT};
    for (unsigned i = 0; i < 3; i++)
        if (base < (uint32_t)starts[i] + 2u && starts[i] < base + count)
            return true;
    return false;
}

/* The line an interrupt vector stands for; false for a vector no PIC line has. */
static inline bool pic_vector_line(unsigned vector, unsigned *out_line)
{
    if (vector < PIC_VECTOR_BASE || vector >= PIC_VECTOR_BASE + PIC_LINES)
        return false;
    *out_line = vector - PIC_VECTOR_BASE;
    return true;
}

#endif
