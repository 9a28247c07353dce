/*
 * trace_uart.c - the trace stream's writer (duet/trace_stream.h) on COM3.
 *
 * Polled and interrupt-free: the kernel writes a record whenever an event
 * happens, with interrupts off, and waits for the transmitter between
 * bytes. QEMU's UART takes a byte as soon as its chardev does, so the
 * waiting is the host runner reading the stream (back-pressure, never loss).
 */
#include "baremetal.h"

#include "duet/trace_stream.h"

enum {
    UART_DATA = 0,
    UART_IER = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LSR_THR_EMPTY = 0x20,
    LCR_DLAB = 0x80,
    LCR_8N1 = 0x03,
};

void trace_uart_init(void)
{
    const uint16_t base = TRACE_STREAM_PORT;
    cpu_outb(base + UART_IER, 0);
    cpu_outb(base + UART_LCR, LCR_DLAB);
    cpu_outb(base + UART_DATA, 1);        /* 115200 baud: the divisor's low byte */
    cpu_outb(base + UART_IER, 0);         /* and its high byte */
    cpu_outb(base + UART_LCR, LCR_8N1);
    cpu_outb(base + UART_FCR, 0x07);      /* FIFOs on and cleared */
    cpu_outb(base + UART_MCR, 0x03);      /* DTR, RTS; OUT2 off: no interrupt */
}

struct record_writer {
    uint8_t sum;
};

enum { UART_FIFO_BYTES = 16 };

/* The writer's state: records carry time deltas, and the transmitter is
 * asked for room once per FIFO's worth of bytes (an empty FIFO takes 16),
 * since every port access is an exit from QEMU's CPU loop. */
static struct {
    uint64_t last_time_ns;
    unsigned fifo_room;
} trace_uart;

static void put(struct record_writer *writer, uint8_t byte)
{
    const uint16_t base = TRACE_STREAM_PORT;
    if (trace_uart.fifo_room == 0) {
        while ((cpu_inb(base + UART_LSR) & LSR_THR_EMPTY) == 0) {
        }
        trace_uart.fifo_room = UART_FIFO_BYTES;
    }
    trace_uart.fifo_room--;
    cpu_outb(base + UART_DATA, byte);
    writer->sum = (uint8_t)(writer->sum + byte);
}

static void put_varint(struct record_writer *writer, uint64_t value)
{
    while (value >= 0x80) {
        put(writer, (uint8_t)(value | 0x80));
        value >>= 7;
    }
    put(writer, (uint8_t)value);
}

void trace_uart_record(uint16_t kind, uint16_t pd, uint16_t thread, uint64_t time_ns,
                       const uint64_t arg[4], const void *blob, size_t blob_len)
{
    if (blob == NULL)
        blob_len = 0;
    if (blob_len > TRACE_STREAM_BLOB_MAX)
        blob_len = TRACE_STREAM_BLOB_MAX;
    struct record_writer writer = {0};
    put(&writer, TRACE_STREAM_SYNC);
    writer.sum = 0;   /* the check covers kind .. blob */
    put_varint(&writer, kind);
    put_varint(&writer, pd);
    put_varint(&writer, thread);
    put_varint(&writer, time_ns - trace_uart.last_time_ns);
    trace_uart.last_time_ns = time_ns;
    uint8_t mask = 0;
    for (unsigned i = 0; i < 4; i++)
        mask |= (uint8_t)((arg[i] != 0) << i);
    put(&writer, mask);
    for (unsigned i = 0; i < 4; i++)
        if (arg[i] != 0)
            put_varint(&writer, arg[i]);
    put_varint(&writer, blob_len);
    for (size_t i = 0; i < blob_len; i++)
        put(&writer, ((const uint8_t *)blob)[i]);
    uint8_t check = (uint8_t)(writer.sum ^ TRACE_STREAM_CHECK_XOR);
    put(&writer, check);
}
