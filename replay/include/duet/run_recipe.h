/*
 * run_recipe.h - everything needed to (re-)execute a run, and nothing else.
 *
 * A recipe is what the store keeps as a run's inputs: either a scenario's
 * text and a seed, or a fuzz target's name and its input bytes. Recording
 * (`duet run`, `duet replay --target`) and replaying (`duet replay --run`)
 * both turn a recipe into a sim_config through run_recipe_prepare, so a
 * replay re-executes exactly the code path the recording took.
 */
#ifndef DUET_RUN_RECIPE_H
#define DUET_RUN_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/fuzz_target.h"
#include "duet/sim.h"

struct run_recipe {
    const char *scenario_text;      /* scenario runs: the file's text  */
    size_t scenario_text_len;
    uint64_t seed;
    const char *target;             /* target runs: the target's name  */
    const uint8_t *input;           /* target runs: the fuzz input;
                                       scenario runs: the disk image a
                                       disk_image line named, if any */
    size_t input_len;
    /* Scenario runs: every choice answered 0, the canonical choice that
     * bare metal gives (hal_choice), instead of the seeded stream. Stored
     * as platform RUN_PLATFORM_SIM_CANONICAL, so a replay runs it the same
     * way; the seed is then unused and stored as 0. */
    bool canonical_choices;
};

/* runs.platform of a run: the sim with a seed or fuzzer bytes, the sim
 * answering every choice canonically (what `duet crosscheck` compares with
 * bare metal), and the bare-metal build in QEMU. */
#define RUN_PLATFORM_SIM "sim"
#define RUN_PLATFORM_SIM_CANONICAL "sim-canonical"
#define RUN_PLATFORM_QEMU "qemu"

struct prepared_run {
    struct fuzz_run run;            /* scenario + choice bytes + components */
    const struct fuzz_target *target;   /* NULL for scenario runs          */
    char error[160];                /* why preparing failed            */
};

/* Returns false (and sets out->error) if the recipe cannot be run. */
bool run_recipe_prepare(const struct run_recipe *recipe, struct prepared_run *out);

/* Fills the input-related fields of a sim_config from a prepared run. */
void prepared_run_config(const struct prepared_run *prepared, const struct run_recipe *recipe,
                         struct sim_config *config);

#endif
