/*
 * mini_guest.c - a tiny multiboot guest for the runner's test against the
 * real qemu-system-x86_64 (test_qemu_run_real.c). It is not the Duet
 * image: it only speaks the runner's side of the contract, to prove the
 * plumbing before the image exists and independently of it. It checks
 * multiboot module 0 is a boot blob, says so on COM1 (the scenario's
 * expected line), loops a byte through COM2 in loopback (COM2 must
 * exist), writes HELLO, a LOG event, WORLD_END(pass) and END on COM3
 * (duet/trace_stream.h), and leaves through isa-debug-exit with 1.
 * Freestanding 32-bit code, built by qemu/CMakeLists.txt with clang -m32.
 */
#include <stddef.h>
#include <stdint.h>

#include "duet/trace_stream.h"

enum { COM1 = 0x3f8, COM2 = 0x2f8, DEBUG_EXIT = 0xf4, MULTIBOOT_LOADER_MAGIC = 0x2badb002 };

static void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static void uart_put(uint16_t base, uint8_t byte)
{
    while ((inb(base + 5) & 0x20) == 0) {
    }
    outb(base, byte);
}

static void console(const char *text)
{
    for (; *text != '\0'; text++)
        uart_put(COM1, (uint8_t)*text);
}

static void put_number(unsigned value)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0 && n < 11);
    while (n > 0)
        uart_put(COM1, (uint8_t)digits[--n]);
}

static uint8_t check_sum;

static void trace_byte(uint8_t byte)
{
    check_sum = (uint8_t)(check_sum + byte);
    uart_put(TRACE_STREAM_PORT, byte);
}

static void trace_varint(uint64_t value)
{
    while (value >= 0x80) {
        trace_byte((uint8_t)(value | 0x80));
        value >>= 7;
    }
    trace_byte((uint8_t)value);
}

/* Version 2: varints, the argument mask, the time as a delta (the test
 * guest's clock is 1000 ns per record). */
static void trace_record(uint16_t kind, uint64_t a0, const char *blob)
{
    size_t blob_len = 0;
    while (blob != NULL && blob[blob_len] != '\0')
        blob_len++;
    uart_put(TRACE_STREAM_PORT, TRACE_STREAM_SYNC);
    check_sum = 0;
    trace_varint(kind);
    trace_varint(1);                   /* pd     */
    trace_varint(1);                   /* thread */
    trace_varint(1000);                /* time delta */
    trace_byte(a0 != 0 ? 1 : 0);       /* arg mask: arg0 only */
    if (a0 != 0)
        trace_varint(a0);
    trace_varint(blob_len);
    for (size_t i = 0; i < blob_len; i++)
        trace_byte((uint8_t)blob[i]);
    uart_put(TRACE_STREAM_PORT, check_sum ^ TRACE_STREAM_CHECK_XOR);
}

/* COM2 in loopback: what goes out comes back (the runner gave it -serial null). */
static int com2_loopback_ok(void)
{
    outb(COM2 + 4, 0x10);
    uart_put(COM2, 0xa5);
    for (int spins = 0; spins < 100000; spins++)
        if (inb(COM2 + 5) & 1)
            return inb(COM2) == 0xa5;
    return 0;
}

void mini_guest_main(uint32_t magic, const uint32_t *info)
{
    trace_record(TRACE_STREAM_HELLO, TRACE_STREAM_VERSION, NULL);
    int blob_ok = 0;
    unsigned roms = 0, inputs = 0;
    if (magic == MULTIBOOT_LOADER_MAGIC && (info[0] & (1u << 3)) && info[5] >= 1) {
        const uint32_t *module = (const uint32_t *)(uintptr_t)info[6];
        const char *blob = (const char *)(uintptr_t)module[0];
        static const char magic_text[8] = "DUETBOOT";
        blob_ok = 1;
        for (int i = 0; i < 8; i++)
            blob_ok &= blob[i] == magic_text[i];
        roms = ((const uint32_t *)blob)[4];
        inputs = ((const uint32_t *)blob)[5];
    }
    console("[mini] hello from the test guest\n");
    console(blob_ok ? "[mini] boot blob ok: " : "[mini] no boot blob: ");
    put_number(roms);
    console(" roms, ");
    put_number(inputs);
    console(" inputs\n");
    console(com2_loopback_ok() ? "[mini] com2 loopback ok\n" : "[mini] com2 missing\n");
    trace_record(14, 1, "[mini] hello from the test guest");
    trace_record(21, 0, NULL);                 /* WORLD_END: pass */
    trace_record(TRACE_STREAM_END, 0, NULL);
    outb(DEBUG_EXIT, 1);                       /* QEMU exits with (1 << 1) | 1 */
    for (;;)
        __asm__ volatile("hlt");
}
