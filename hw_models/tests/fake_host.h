/*
 * fake_host.h - a hand-driven machine for device-model tests.
 *
 * A struct hw_bus_host whose virtual clock moves only when a test says so,
 * which records every IRQ level change and every deadline request, and a
 * byte sink that records what a model transmitted and when. Call order:
 *   fake_host_init(&fh, irq_line);  model_init(..., &fh.host, ...);
 *   fake_host_attach(&fh, model_port_device(...));  (or set fh.dev)
 *   fake_out8 / fake_in8 / fake_run_until / fake_set_now ...
 * fake_run_until fires due deadlines at their exact times; fake_set_now
 * moves the clock without firing anything (a late owner), which a model
 * must tolerate. Not a bus: one device, no port routing.
 */
#ifndef DUET_HW_MODELS_FAKE_HOST_H
#define DUET_HW_MODELS_FAKE_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "duet/hw_bus.h"

enum { FAKE_LOG_MAX = 1 << 16 };

struct fake_irq_event { uint64_t at_ns; int level; };
struct fake_sink_byte { uint64_t at_ns; uint8_t byte; };

struct fake_host {
    struct hw_bus_host host;
    struct hw_port_device dev;
    unsigned irq_line;
    uint64_t now_ns;
    uint64_t deadline_ns;            /* HW_DEADLINE_NONE when none pending */
    uint64_t deadline_requests;
    int irq_level;
    uint64_t irq_changes;            /* calls that changed the level */
    uint64_t irq_calls;              /* all irq_set calls */
    struct fake_irq_event irq_log[FAKE_LOG_MAX]; /* first FAKE_LOG_MAX changes */
    uint64_t sink_count;
    struct fake_sink_byte sink_log[FAKE_LOG_MAX]; /* first FAKE_LOG_MAX bytes */
    uint64_t event_hash;             /* FNV-1a over irq changes and sink bytes */
};

void fake_host_init(struct fake_host *fh, unsigned irq_line);
/* Plug the device in, taking a deadline its init armed (hw_bus.h rule 4). */
void fake_host_attach(struct fake_host *fh, struct hw_port_device dev);
void fake_sink(void *sink_ctx, uint8_t byte);

/* Fire every deadline due up to target_ns at its own time, then set now. */
void fake_run_until(struct fake_host *fh, uint64_t target_ns);
/* Move the clock forward without firing deadlines. */
void fake_set_now(struct fake_host *fh, uint64_t now_ns);

uint32_t fake_in(struct fake_host *fh, uint16_t offset, unsigned width);
void fake_out(struct fake_host *fh, uint16_t offset, unsigned width, uint32_t value);
uint8_t fake_in8(struct fake_host *fh, uint16_t offset);
void fake_out8(struct fake_host *fh, uint16_t offset, uint8_t value);

/* A failed check names the test, the line and the condition, and exits 1. */
#define CHECK(test_name, condition)                                          \
    do {                                                                     \
        if (!(condition)) {                                                  \
            fprintf(stderr, "%s: FAIL %s:%d: %s\n", (test_name), __FILE__,  \
                    __LINE__, #condition);                                   \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define CHECK_EQ(test_name, actual, expected)                                \
    do {                                                                     \
        unsigned long long actual_value_ = (unsigned long long)(actual);     \
        unsigned long long expected_value_ = (unsigned long long)(expected); \
        if (actual_value_ != expected_value_) {                              \
            fprintf(stderr, "%s: FAIL %s:%d: %s == %llu (0x%llx), "          \
                    "expected %s == %llu (0x%llx)\n", (test_name), __FILE__, \
                    __LINE__, #actual, actual_value_, actual_value_,         \
                    #expected, expected_value_, expected_value_);            \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#endif
