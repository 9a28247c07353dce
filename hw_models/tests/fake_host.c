/*
 * fake_host.c - the hand-driven machine of fake_host.h.
 *
 * Implements hw_bus_host for one model: a virtual clock, one pending
 * deadline, an IRQ line and a byte sink, each logged (bounded) and folded
 * into a hash so two runs can be compared for determinism. The checks here
 * are on the model's side of the bus contract (right line, right model,
 * deadlines not in the past).
 */
#include "fake_host.h"

#include <string.h>

enum { FIRE_PER_CALL_MAX = 100000 };

static void hash_mix(struct fake_host *fh, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        fh->event_hash ^= (value >> (8 * i)) & 0xFF;
        fh->event_hash *= 0x100000001B3ull;
    }
}

static void fake_irq_set(void *owner, unsigned line, int level)
{
    struct fake_host *fh = owner;
    CHECK("fake_host", line == fh->irq_line);
    CHECK("fake_host", level == 0 || level == 1);
    fh->irq_calls++;
    if (level == fh->irq_level) {
        return;
    }
    if (fh->irq_changes < FAKE_LOG_MAX) {
        fh->irq_log[fh->irq_changes] =
            (struct fake_irq_event){ .at_ns = fh->now_ns, .level = level };
    }
    fh->irq_changes++;
    fh->irq_level = level;
    hash_mix(fh, fh->now_ns * 2 + (uint64_t)level);
}

static uint64_t fake_now_ns(void *owner)
{
    struct fake_host *fh = owner;
    return fh->now_ns;
}

static void fake_deadline_set(void *owner, void *model, uint64_t at_ns)
{
    struct fake_host *fh = owner;
    CHECK("fake_host", fh->dev.model == 0 || model == fh->dev.model);
    CHECK("fake_host", at_ns == (uint64_t)HW_DEADLINE_NONE || at_ns > fh->now_ns);
    fh->deadline_ns = at_ns;
    fh->deadline_requests++;
}

void fake_sink(void *sink_ctx, uint8_t byte)
{
    struct fake_host *fh = sink_ctx;
    if (fh->sink_count < FAKE_LOG_MAX) {
        fh->sink_log[fh->sink_count] =
            (struct fake_sink_byte){ .at_ns = fh->now_ns, .byte = byte };
    }
    fh->sink_count++;
    hash_mix(fh, (fh->now_ns << 8) | byte);
}

void fake_host_init(struct fake_host *fh, unsigned irq_line)
{
    memset(fh, 0, sizeof *fh);
    fh->host = (struct hw_bus_host){ .owner = fh, .irq_set = fake_irq_set,
                                     .now_ns = fake_now_ns,
                                     .deadline_set = fake_deadline_set };
    fh->irq_line = irq_line;
    fh->deadline_ns = HW_DEADLINE_NONE;
    fh->event_hash = 0xCBF29CE484222325ull;
}

void fake_host_attach(struct fake_host *fh, struct hw_port_device dev)
{
    fh->dev = dev;
    if (dev.deadline_pending != 0) {
        uint64_t at_ns = dev.deadline_pending(dev.model);
        CHECK("fake_host", at_ns == (uint64_t)HW_DEADLINE_NONE || at_ns > fh->now_ns);
        fh->deadline_ns = at_ns;
    }
}

void fake_run_until(struct fake_host *fh, uint64_t target_ns)
{
    CHECK("fake_host", target_ns >= fh->now_ns);
    for (unsigned fired = 0; fh->deadline_ns <= target_ns; fired++) {
        CHECK("fake_host", fired < FIRE_PER_CALL_MAX);
        CHECK("fake_host", fh->dev.deadline != 0);
        if (fh->deadline_ns > fh->now_ns) {
            fh->now_ns = fh->deadline_ns;   /* late deadlines fire now */
        }
        fh->deadline_ns = HW_DEADLINE_NONE;
        fh->dev.deadline(fh->dev.model);
    }
    fh->now_ns = target_ns;
}

void fake_set_now(struct fake_host *fh, uint64_t now_ns)
{
    CHECK("fake_host", now_ns >= fh->now_ns);
    fh->now_ns = now_ns;
}

uint32_t fake_in(struct fake_host *fh, uint16_t offset, unsigned width)
{
    return fh->dev.read(fh->dev.model, offset, width);
}

void fake_out(struct fake_host *fh, uint16_t offset, unsigned width, uint32_t value)
{
    fh->dev.write(fh->dev.model, offset, width, value);
}

uint8_t fake_in8(struct fake_host *fh, uint16_t offset)
{
    return (uint8_t)fake_in(fh, offset, 1);
}

void fake_out8(struct fake_host *fh, uint16_t offset, uint8_t value)
{
    fake_out(fh, offset, 1, value);
}
