/*
 * fuzz_target.c - the registry of fuzz targets and running one input.
 * To add a target: write fuzz/target_NAME.c and list it here (and in
 * fuzz/CMakeLists.txt's DUET_FUZZ_TARGETS).
 */
#include "duet/fuzz_target.h"

#include <string.h>

extern const struct fuzz_target fuzz_target_core_rpc;
extern const struct fuzz_target fuzz_target_sync;
extern const struct fuzz_target fuzz_target_rm;
extern const struct fuzz_target fuzz_target_ps2;
extern const struct fuzz_target fuzz_target_ata;
extern const struct fuzz_target fuzz_target_go;
extern const struct fuzz_target fuzz_target_minimize_selftest;

static const struct fuzz_target *const targets[] = {
    &fuzz_target_core_rpc,
    &fuzz_target_sync,
    &fuzz_target_rm,
    &fuzz_target_ps2,
    &fuzz_target_ata,
    &fuzz_target_go,
    &fuzz_target_minimize_selftest,
};

void fuzz_input_split(const uint8_t *data, size_t size, size_t rom_max,
                      const uint8_t **out_rom, size_t *out_rom_len, struct fuzz_run *out)
{
    size_t rom_len = size >= 2 ? (size_t)data[0] | (size_t)data[1] << 8 : 0;
    size_t available = size >= 2 ? size - 2 : 0;
    if (rom_len > available)
        rom_len = available;
    if (rom_len > rom_max)
        rom_len = rom_max;
    *out_rom = size >= 2 ? data + 2 : data;
    *out_rom_len = rom_len;
    size_t used = size >= 2 ? 2 + rom_len : size;
    out->choice_bytes = data + used;
    out->choice_bytes_len = size - used;
}

const struct fuzz_target *fuzz_target_find(const char *name)
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (strcmp(targets[i]->name, name) == 0)
            return targets[i];
    return NULL;
}

const struct fuzz_target *const *fuzz_target_list(size_t *count)
{
    *count = sizeof targets / sizeof targets[0];
    return targets;
}

void fuzz_target_execute(struct sim *sim, const struct fuzz_target *target,
                         const struct fuzz_run *run, const struct sim_config *observers,
                         struct sim_result *result, const char **out_verdict)
{
    struct sim_config config = *observers;
    config.scenario = &run->scenario;
    config.seed = 0;
    config.choice_bytes = run->choice_bytes;
    config.choice_bytes_len = run->choice_bytes_len;
    config.components = run->components;
    config.component_count = run->component_count;
    sim_run(sim, &config, result);
    *out_verdict = NULL;
    if (result->outcome != SIM_PASS) {
        /* A failed, hung or silent world is the first oracle violation. */
        *out_verdict = result->failure[0] != '\0' ? result->failure
                                                  : sim_outcome_name(result->outcome);
        return;
    }
    *out_verdict = target->check(run, result);
}
