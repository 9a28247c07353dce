/*
 * fuzz_driver.h - what the libFuzzer and AFL++ drivers share: run one input
 * through the target this binary was built for (DUET_FUZZ_TARGET), with the
 * trace kept only in a ring buffer. On an oracle violation it prints the
 * verdict, the last events and the replay command, then aborts, which both
 * fuzzers record as a crash.
 */
#ifndef DUET_FUZZ_DRIVER_H
#define DUET_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

void fuzz_driver_init(void);
void fuzz_driver_one(const uint8_t *data, size_t size);

#endif
