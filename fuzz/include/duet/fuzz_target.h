/*
 * fuzz_target.h - a fuzz target: a world, a decoder from bytes, oracles.
 *
 * One target is one source file registered in fuzz/targets.c. The same
 * code serves the libFuzzer driver, the AFL++ persistent-mode driver,
 * `duet replay --target NAME --input FILE` and the benchmarks, so a crash
 * found by either fuzzer is reproduced by exactly the code that found it.
 *
 * prepare: decode the input into a scenario (ROMs, including the actions
 *          a fuzz client component reads) and the choice bytes that feed
 *          hal_choice. Must accept every byte string.
 * check:   the oracles that are checked after the run; returns NULL when
 *          they hold, else a reason. Invariants checked during the run are
 *          assertions in the world and end it as SIM_FAIL.
 */
#ifndef DUET_FUZZ_TARGET_H
#define DUET_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "duet/scenario.h"
#include "duet/sim.h"

enum { FUZZ_INPUT_MAX = 4096 };

struct fuzz_run {
    const uint8_t *input;          /* the bytes the run was prepared from */
    size_t input_len;
    struct scenario scenario;
    const uint8_t *choice_bytes;
    size_t choice_bytes_len;
    const struct component_info *components;
    size_t component_count;
};

struct fuzz_target {
    const char *name;
    const char *summary;
    void (*prepare)(const uint8_t *data, size_t size, struct fuzz_run *out);
    const char *(*check)(const struct fuzz_run *run, const struct sim_result *result);
};

/* The layout the targets share: bytes 0-1 (little-endian) the length L of
 * a ROM's contents (cut to what is there and to rom_max), the next L bytes
 * the contents, the rest the choice stream. Any byte string splits. */
void fuzz_input_split(const uint8_t *data, size_t size, size_t rom_max,
                      const uint8_t **out_rom, size_t *out_rom_len, struct fuzz_run *out);

const struct fuzz_target *fuzz_target_find(const char *name);
const struct fuzz_target *const *fuzz_target_list(size_t *count);

/* Runs a prepared input in `sim`. `observers` supplies the recorder and
 * the optional callbacks; the world's inputs come from `run`. *out_verdict
 * is NULL when every oracle held, else the reason: a world that failed
 * (SIM_FAIL, SIM_HANG, SIM_NO_SUCCESS_LINE) is itself a violation. */
void fuzz_target_execute(struct sim *sim, const struct fuzz_target *target,
                         const struct fuzz_run *run, const struct sim_config *observers,
                         struct sim_result *result, const char **out_verdict);

#endif
