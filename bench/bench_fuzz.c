/*
 * bench_fuzz.c - execs/s of the fuzz target "core_rpc", in-process.
 *
 * Each exec is what the fuzz drivers do per input (fuzz/fuzz_driver.c):
 * target->prepare, then fuzz_target_execute with a ring-mode recorder of
 * 4,096 records and no sink. The inputs: 50 fixed pseudo-random byte
 * strings (splitmix64, fixed seed), sizes 16..1024; bytes 0-1, the
 * target's script length, are set to a random split so that every input
 * has both an action script and choice bytes. They are run round-robin
 * for a fixed time. For context, the same for the trivial (empty) input:
 * a world where the client only logs its closing line.
 *
 * A note gives, for context, the time to zero three PD boot areas whole:
 * an upper bound of what the sim does for every world it builds
 * (hal_window_create zeroes only the pages the host has resident).
 *
 * Not measured: libFuzzer's own work (mutation, coverage feedback) and
 * sanitizers; run ./build/fuzz/fuzz/fuzz_core_rpc -max_total_time=60 for
 * that figure (it prints exec/s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "duet/fuzz_target.h"
#include "duet/trace_recorder.h"

enum {
    FUZZ_INPUTS = 50,
    FUZZ_INPUT_SIZE_MIN = 16,
    FUZZ_INPUT_SIZE_MAX = 1024,
    FUZZ_RING_RECORDS = 4096,
    FUZZ_SAMPLE_NS = 1500000000,     /* per repetition */
    FUZZ_WINDOWS = 3,                /* core, init, hostile_client */
    FUZZ_WINDOW_BYTES = 256 * 1024,  /* WINDOW_BOOT_BYTES, duet/syscall.h */
    FUZZ_ZERO_ROUNDS = 200,
};

struct fuzz_bench {
    const struct fuzz_target *target;
    struct sim *sim;
    struct fuzz_run *run;
    struct trace_record *ring;
    uint8_t inputs[FUZZ_INPUTS][FUZZ_INPUT_SIZE_MAX];
    size_t sizes[FUZZ_INPUTS];
    uint64_t verdicts;               /* execs whose oracle verdict was not NULL */
    const char *last_verdict;
    uint64_t events;                 /* summed over the execs of one median */
    uint64_t steps;
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void fuzz_inputs_make(struct fuzz_bench *bench)
{
    uint64_t state = UINT64_C(0xd0e7be7c);
    for (int i = 0; i < FUZZ_INPUTS; i++) {
        size_t size = FUZZ_INPUT_SIZE_MIN +
                      splitmix64(&state) % (FUZZ_INPUT_SIZE_MAX - FUZZ_INPUT_SIZE_MIN + 1);
        for (size_t b = 0; b < size; b++)
            bench->inputs[i][b] = (uint8_t)splitmix64(&state);
        size_t script = splitmix64(&state) % (size - 1);
        bench->inputs[i][0] = (uint8_t)script;
        bench->inputs[i][1] = (uint8_t)(script >> 8);
        bench->sizes[i] = size;
    }
}

static void fuzz_exec(struct fuzz_bench *bench, const uint8_t *data, size_t size)
{
    bench->target->prepare(data, size, bench->run);
    struct trace_recorder recorder;
    trace_recorder_init(&recorder, bench->ring, FUZZ_RING_RECORDS, NULL, NULL);
    struct sim_config observers = {.recorder = &recorder};
    struct sim_result result;
    const char *verdict = NULL;
    fuzz_target_execute(bench->sim, bench->target, bench->run, &observers, &result, &verdict);
    bench->events += result.events;
    bench->steps += result.steps;
    if (verdict != NULL) {
        bench->verdicts++;
        bench->last_verdict = verdict;
    }
}

/* Execs per second over about FUZZ_SAMPLE_NS; *io_execs counts them all. */
static double fuzz_sample_per_s(struct fuzz_bench *bench, bool trivial, uint64_t *io_execs)
{
    static const uint8_t empty_input[1] = {0};
    uint64_t execs = 0;
    uint64_t start_ns = bench_now_ns();
    uint64_t elapsed_ns = 0;
    do {
        for (int i = 0; i < FUZZ_INPUTS; i++) {
            if (trivial)
                fuzz_exec(bench, empty_input, 0);
            else
                fuzz_exec(bench, bench->inputs[i], bench->sizes[i]);
        }
        execs += FUZZ_INPUTS;
        elapsed_ns = bench_now_ns() - start_ns;
    } while (elapsed_ns < FUZZ_SAMPLE_NS);
    *io_execs += execs;
    return (double)execs * 1e9 / (double)elapsed_ns;
}

/* Microseconds to zero FUZZ_WINDOWS boot areas whole: at most what sim_run
 * does per world. */
static double windows_zero_us(void)
{
    uint8_t *windows = malloc(FUZZ_WINDOWS * FUZZ_WINDOW_BYTES);
    if (windows == NULL)
        bench_die("no memory for the window-zeroing measurement");
    memset(windows, 1, FUZZ_WINDOWS * FUZZ_WINDOW_BYTES);
    double samples_us[BENCH_REPEATS];
    for (int r = 0; r < BENCH_REPEATS; r++) {
        uint64_t start_ns = bench_now_ns();
        for (int round = 0; round < FUZZ_ZERO_ROUNDS; round++) {
            for (int w = 0; w < FUZZ_WINDOWS; w++)
                memset(windows + (size_t)w * FUZZ_WINDOW_BYTES, 0, FUZZ_WINDOW_BYTES);
            __asm__ volatile("" : : "r"(windows) : "memory");   /* the stores must happen */
        }
        samples_us[r] = (double)(bench_now_ns() - start_ns) / 1e3 / FUZZ_ZERO_ROUNDS;
    }
    free(windows);
    return bench_median(samples_us, BENCH_REPEATS);
}

static double fuzz_median_per_s(struct fuzz_bench *bench, bool trivial, uint64_t *out_execs)
{
    double samples_per_s[BENCH_REPEATS_SLOW];
    *out_execs = 0;
    bench->verdicts = 0;
    bench->events = 0;
    bench->steps = 0;
    for (int r = 0; r < BENCH_REPEATS_SLOW; r++)
        samples_per_s[r] = fuzz_sample_per_s(bench, trivial, out_execs);
    return bench_median(samples_per_s, BENCH_REPEATS_SLOW);
}

void bench_fuzz_run(void)
{
    struct fuzz_bench *bench = calloc(1, sizeof *bench);
    if (bench == NULL)
        bench_die("no memory for the fuzz benchmark");
    bench->target = fuzz_target_find("core_rpc");
    bench->sim = sim_create();
    bench->run = malloc(sizeof *bench->run);
    bench->ring = malloc(FUZZ_RING_RECORDS * sizeof *bench->ring);
    if (bench->target == NULL || bench->sim == NULL || bench->run == NULL || bench->ring == NULL)
        bench_die("cannot set up fuzz target core_rpc");
    fuzz_inputs_make(bench);

    uint64_t trivial_execs = 0;
    double trivial_per_s = fuzz_median_per_s(bench, true, &trivial_execs);
    uint64_t trivial_verdicts = bench->verdicts;
    double trivial_events = (double)bench->events / (double)trivial_execs;
    uint64_t execs = 0;
    double inputs_per_s = fuzz_median_per_s(bench, false, &execs);
    bench_report("fuzz core_rpc, 50 inputs of 16..1024 B", inputs_per_s, "execs/s",
                 trivial_per_s);
    bench_note("%llu execs in %d samples of %.1f s, %.0f events and %.0f steps per exec; "
               "baseline: the empty input below",
               (unsigned long long)execs, BENCH_REPEATS_SLOW, FUZZ_SAMPLE_NS / 1e9,
               (double)bench->events / (double)execs, (double)bench->steps / (double)execs);
    bench_note("%llu execs ended with an oracle verdict%s%s", (unsigned long long)bench->verdicts,
               bench->verdicts ? ", e.g. " : "", bench->verdicts ? bench->last_verdict : "");
    bench_report("fuzz core_rpc, empty input (trivial world)", trivial_per_s, "execs/s", 0.0);
    bench_note("%llu execs, %.0f events per exec, %llu with an oracle verdict; libFuzzer on a "
               "trivial target: 3.0M execs/s (MACHINE_FACTS)", (unsigned long long)trivial_execs,
               trivial_events, (unsigned long long)trivial_verdicts);
    bench_note("zeroing the %d PD windows of such a world (%d KiB each) takes %.1f us",
               FUZZ_WINDOWS, FUZZ_WINDOW_BYTES / 1024, windows_zero_us());
    free(bench->ring);
    free(bench->run);
    sim_destroy(bench->sim);
    free(bench);
}
