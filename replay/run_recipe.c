/*
 * run_recipe.c - turning stored inputs into a runnable configuration.
 */
#include "duet/run_recipe.h"

#include <stdio.h>
#include <string.h>

bool run_recipe_prepare(const struct run_recipe *recipe, struct prepared_run *out)
{
    memset(out, 0, sizeof *out);
    if (recipe->target != NULL) {
        out->target = fuzz_target_find(recipe->target);
        if (out->target == NULL) {
            snprintf(out->error, sizeof out->error, "no fuzz target named \"%s\"",
                     recipe->target);
            return false;
        }
        out->target->prepare(recipe->input, recipe->input_len, &out->run);
        out->run.input = recipe->input;
        out->run.input_len = recipe->input_len;
        return true;
    }
    if (recipe->scenario_text == NULL) {
        snprintf(out->error, sizeof out->error, "the run has neither a scenario nor a target");
        return false;
    }
    size_t line = 0;
    enum scenario_error error = scenario_parse(recipe->scenario_text, recipe->scenario_text_len,
                                               &out->run.scenario, &line);
    if (error != SCENARIO_OK) {
        snprintf(out->error, sizeof out->error, "stored scenario text, line %zu: %s", line,
                 scenario_error_name(error));
        return false;
    }
    /* A scenario run's input is its disk image, read when it was recorded
     * (an empty file is stored as no input: an empty image). */
    struct scenario_disk *disk = &out->run.scenario.disk;
    if (disk->image_path[0] != '\0') {
        disk->image = recipe->input;
        disk->image_len = recipe->input_len;
        disk->image_owned = false;
    }
    return true;
}

void prepared_run_config(const struct prepared_run *prepared, const struct run_recipe *recipe,
                         struct sim_config *config)
{
    config->scenario = &prepared->run.scenario;
    config->seed = recipe->seed;
    config->choice_bytes = prepared->run.choice_bytes;
    config->choice_bytes_len = prepared->run.choice_bytes_len;
    /* The choice stream's byte mode answers 0 once its bytes run out, so
     * present but empty bytes make every choice the canonical one. */
    static const uint8_t no_choice_bytes[1];
    if (recipe->canonical_choices && prepared->target == NULL) {
        config->seed = 0;
        config->choice_bytes = no_choice_bytes;
        config->choice_bytes_len = 0;
    }
    config->components = prepared->run.components;
    config->component_count = prepared->run.component_count;
}
