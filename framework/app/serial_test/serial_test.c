/*
 * serial_test.c - a driver that gets its device through core's services
 * (scenarios/serial.scn): COM2's I/O ports through an IO_PORT session and
 * its interrupt line through an IRQ session, both routed to core by
 * init's config. It checks the refusals (core's own console, the
 * interrupt controller's ports, ranges and lines held already) and then drives the UART in loopback mode: every
 * byte written comes back, announced by the received-data interrupt.
 * Then the session is closed under a thread waiting on it: the thread is
 * woken (SYS_ERR_STALE_CAP), and the line's next session starts afresh.
 * The slave's cascade line 2 is no device's and is refused.
 */
#include "duet/assert.h"
#include "duet/cpu_session.h"
#include "duet/io_port_session.h"
#include "duet/irq_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "hal/port_io.h"

enum {
    COM2 = 0x2f8, COM2_IRQ = 3,
    REG_DATA = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3, REG_MCR = 4, REG_LSR = 5,
    LCR_DLAB = 0x80, LCR_8N1 = 0x03, FCR_ENABLE_CLEAR = 0x07,
    MCR_LOOP_OUT2 = 0x18, IER_RECEIVED = 0x01, LSR_DATA_READY = 0x01,
};

static void serial_setup(const struct io_port_connection *io)
{
    io_port_out8(io, COM2 + REG_IER, 0);
    io_port_out8(io, COM2 + REG_LCR, LCR_DLAB);
    io_port_out8(io, COM2 + REG_DATA, 1);        /* 115200 baud */
    io_port_out8(io, COM2 + REG_IER, 0);
    io_port_out8(io, COM2 + REG_LCR, LCR_8N1);
    io_port_out8(io, COM2 + REG_IIR_FCR, FCR_ENABLE_CLEAR);
    io_port_out8(io, COM2 + REG_MCR, MCR_LOOP_OUT2);
    io_port_out8(io, COM2 + REG_IER, IER_RECEIVED);
}

/* Sends one byte and waits, on the interrupt, for it to come back. */
static uint8_t serial_echo(const struct io_port_connection *io, const struct irq_connection *irq,
                           uint8_t byte)
{
    io_port_out8(io, COM2 + REG_DATA, byte);
    for (unsigned waits = 0; (io_port_in8(io, COM2 + REG_LSR) & LSR_DATA_READY) == 0; waits++) {
        DUET_ASSERT(waits < 16);
        DUET_ASSERT(irq_wait(irq) == SYS_OK);
        (void)io_port_in8(io, COM2 + REG_IIR_FCR);
    }
    return io_port_in8(io, COM2 + REG_DATA);
}

struct irq_waiter {
    struct irq_connection irq;
    enum sys_error error;
    bool waiting, woken;
};

/* Waits on the IRQ session until it goes away. An interrupt may still be
 * latched in the PIC from the loopback test (on a real UART, as in QEMU,
 * a looped-back byte is there at once, so its interrupt arrives while
 * nobody waits): such a delivery is no answer, the session's end is. */
void serial_test_irq_waiter(struct env *env, void *arg)
{
    struct irq_waiter *waiter = arg;
    (void)env;
    waiter->waiting = true;
    do
        waiter->error = irq_wait(&waiter->irq);
    while (waiter->error == SYS_OK);
    waiter->woken = true;
}

static void close_under_waiter(struct env *env, struct log_connection *log)
{
    struct cpu_connection cpu;
    struct cpu_thread thread;
    struct irq_waiter *waiter = env_alloc(env, sizeof *waiter);
    void *stack = env_alloc(env, THREAD_STACK_MIN);
    DUET_ASSERT(waiter != NULL && stack != NULL);
    DUET_ASSERT(cpu_connection_open(env, &cpu) == RPC_OK);
    DUET_ASSERT(irq_connection_open(env, COM2_IRQ, &waiter->irq) == RPC_OK);
    DUET_ASSERT(cpu_thread_create(env, cpu.cap, &thread, serial_test_irq_waiter, waiter, stack,
                                  THREAD_STACK_MIN) == RPC_OK);
    while (!waiter->waiting)
        sys_yield();
    DUET_ASSERT(irq_connection_close(env, &waiter->irq) == RPC_OK);
    while (!waiter->woken)
        sys_yield();
    DUET_ASSERT(waiter->error == SYS_ERR_STALE_CAP);
    DUET_ASSERT(cpu_connection_close(env, &cpu) == RPC_OK);
    struct irq_connection again;
    DUET_ASSERT(irq_connection_open(env, COM2_IRQ, &again) == RPC_OK);
    DUET_ASSERT(irq_connection_close(env, &again) == RPC_OK);
    DUET_ASSERT(irq_connection_open(env, 2, &again) == RPC_ERR_DENIED);
    log_write(env, log->cap, "closing an IRQ session woke its waiter; line 2 refused");
}

void serial_test_main(struct env *env)
{
    struct log_connection log;
    struct io_port_connection io, refused_io;
    struct irq_connection irq, refused_irq;
    DUET_ASSERT(log_connection_open(env, &log) == RPC_OK);
    DUET_ASSERT(io_port_connection_open(env, COM2, 8, &io) == RPC_OK);
    DUET_ASSERT(io_port_connection_open(env, 0x3f8, 8, &refused_io) == RPC_ERR_DENIED);
    DUET_ASSERT(io_port_connection_open(env, COM2 + 4, 2, &refused_io) == RPC_ERR_IN_USE);
    /* The interrupt controller's ports are the kernel's. */
    DUET_ASSERT(io_port_connection_open(env, 0x20, 2, &refused_io) == RPC_ERR_DENIED);
    DUET_ASSERT(io_port_connection_open(env, 0xA1, 1, &refused_io) == RPC_ERR_DENIED);
    DUET_ASSERT(io_port_connection_open(env, 0x4C0, 0x20, &refused_io) == RPC_ERR_DENIED);
    /* So are the platform's: the trace stream's UART and QEMU's exit port. */
    DUET_ASSERT(io_port_connection_open(env, 0x3e8, 8, &refused_io) == RPC_ERR_DENIED);
    DUET_ASSERT(io_port_connection_open(env, 0xf4, 1, &refused_io) == RPC_ERR_DENIED);
    DUET_ASSERT(irq_connection_open(env, COM2_IRQ, &irq) == RPC_OK);
    DUET_ASSERT(irq_connection_open(env, 4, &refused_irq) == RPC_ERR_DENIED);
    DUET_ASSERT(irq_connection_open(env, COM2_IRQ, &refused_irq) == RPC_ERR_IN_USE);
    log_write(env, log.cap, "COM2 ports and IRQ 3 granted; COM1, the PIC, the platform's and held ones refused");

    serial_setup(&io);
    static const char text[] = "loopback through core's IO_PORT and IRQ sessions";
    for (size_t i = 0; i + 1 < sizeof text; i++)
        DUET_ASSERT(serial_echo(&io, &irq, (uint8_t)text[i]) == (uint8_t)text[i]);
    log_write(env, log.cap, "48 bytes came back through the loopback, interrupt-driven");

    DUET_ASSERT(irq_connection_close(env, &irq) == RPC_OK);
    DUET_ASSERT(io_port_connection_close(env, &io) == RPC_OK);
    DUET_ASSERT(io_port_connection_open(env, COM2, 8, &io) == RPC_OK);   /* free again */
    DUET_ASSERT(io_port_connection_close(env, &io) == RPC_OK);
    close_under_waiter(env, &log);
    log_write(env, log.cap, "serial driver checks passed");
    parent_exit(env, 0);
}

/* Closes its IO_PORT session and touches the port anyway: the revoked
 * capability must no longer let it (its thread faults with "no I/O
 * rights"; tests/bad_inputs.sh). */
void io_after_close_main(struct env *env)
{
    struct io_port_connection io;
    DUET_ASSERT(io_port_connection_open(env, COM2, 8, &io) == RPC_OK);
    (void)io_port_in8(&io, COM2 + REG_LSR);           /* allowed while held */
    struct io_port_connection stale = io;
    DUET_ASSERT(parent_close(env, io.id) == RPC_OK);   /* keep the slot, drop the rights */
    (void)hal_in8(stale.base + REG_LSR);
    parent_exit(env, 1);                               /* not reached */
}
