/*
 * test_world_reset.c - one sim, many worlds, no state carried between them.
 *
 * Fuzzers run every input in the same process, resetting the world between
 * iterations. If anything leaked from one world into the next (arena
 * contents, device state, scheduler state, the choice stream), the same
 * input would trace differently depending on what ran before it. So: run
 * every seed-corpus input of every target forwards, then backwards, then
 * interleaved with demo-scenario seeds, all in one sim, and require the
 * same hash and outcome for each input every time.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/fuzz_target.h"
#include "duet/trace_recorder.h"

enum { INPUTS_MAX = 256, RING_RECORDS = 256 };

struct input {
    uint8_t data[FUZZ_INPUT_MAX];
    size_t size;
    uint64_t hash;
    enum sim_outcome outcome;
};

static struct input inputs[INPUTS_MAX];
static size_t input_count;
static struct trace_record ring[RING_RECORDS];
static struct fuzz_run run;
static int checks;

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        checks++;                                                                        \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "test_world_reset: " __VA_ARGS__);                           \
            fprintf(stderr, "\n");                                                       \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

static void load_corpus(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open corpus %s", dir);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        CHECK(input_count < INPUTS_MAX, "corpus larger than %d", INPUTS_MAX);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL, "cannot read %s", path);
        struct input *in = &inputs[input_count++];
        in->size = fread(in->data, 1, sizeof in->data, f);
        fclose(f);
    }
    closedir(d);
}

static void run_input(struct sim *sim, const struct fuzz_target *target, struct input *in,
                      bool first)
{
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, ring, RING_RECORDS, NULL, NULL);
    struct sim_config observers = {.recorder = &recorder};
    struct sim_result result;
    const char *verdict = NULL;
    target->prepare(in->data, in->size, &run);
    fuzz_target_execute(sim, target, &run, &observers, &result, &verdict);
    CHECK(verdict == NULL, "a corpus input violates an oracle: %s", verdict);
    if (first) {
        in->hash = result.hash;
        in->outcome = result.outcome;
        return;
    }
    CHECK(result.hash == in->hash && result.outcome == in->outcome,
          "an input traced differently after other worlds ran (state leaked)");
}

static void run_demo_seed(struct sim *sim, const struct scenario *demo, uint64_t seed)
{
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, ring, RING_RECORDS, NULL, NULL);
    struct sim_config config = {.scenario = demo, .seed = seed, .recorder = &recorder};
    struct sim_result result;
    sim_run(sim, &config, &result);
    CHECK(result.outcome == SIM_PASS, "demo seed %llu did not pass", (unsigned long long)seed);
}

int main(void)
{
    const struct fuzz_target *target = fuzz_target_find("core_rpc");
    CHECK(target != NULL, "no core_rpc target");
    load_corpus(DUET_CORPUS_DIR);
    CHECK(input_count >= 8, "corpus too small to mean anything");
    struct scenario *demo = malloc(sizeof *demo);
    char *text = NULL;
    size_t line = 0;
    CHECK(scenario_load(DUET_DEMO_SCENARIO, demo, &text, &line) == SCENARIO_OK, "demo");

    struct sim *sim = sim_create();
    for (size_t i = 0; i < input_count; i++)
        run_input(sim, target, &inputs[i], true);
    for (size_t i = input_count; i-- > 0;)
        run_input(sim, target, &inputs[i], false);
    for (size_t i = 0; i < input_count; i++) {
        run_demo_seed(sim, demo, i);
        run_input(sim, target, &inputs[i], false);
    }
    sim_destroy(sim);
    free(text);
    free(demo);
    printf("test_world_reset: ok (%zu inputs, 3 orders, %d checks)\n", input_count, checks);
    return 0;
}
