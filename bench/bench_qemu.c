/*
 * bench_qemu.c - boot-to-end time of every scenario on the bare-metal image
 * in QEMU (TCG, -icount shift=7,sleep=off), through qemu_run: what
 * `duet qemu SCENARIO` costs, QEMU's start, the firmware, the run and
 * storing its trace included.
 *
 * Baseline, in the same process: the image booting a world whose init
 * starts nothing (core and init come up, the world ends). The ratio is
 * how much a scenario's work adds to that floor; MACHINE_FACTS.md has the
 * machine's own floor for QEMU (a trivial multiboot kernel, ~0.1 s).
 * Each figure is the median of BENCH_REPEATS_SLOW runs; the guest's own
 * clock at the end (virtual time) and the event count are printed with it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "duet/qemu_run.h"

enum { QEMU_SCENARIOS_MAX = 64, QEMU_PATH_MAX = 1024 };

static int name_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Median boot-to-end milliseconds of `path`; *events and *guest_s from the last run. */
static double qemu_seconds(const char *path, const char *store, uint64_t *events, double *guest_s,
                           const char **outcome)
{
    double seconds[BENCH_REPEATS_SLOW];
    for (unsigned r = 0; r < BENCH_REPEATS_SLOW; r++) {
        struct qemu_run_options options = {.scenario_path = path, .store_path = store,
                                           .source_dir = DUET_SOURCE_DIR, .quiet = true};
        struct qemu_run_result result;
        char error[256];
        enum qemu_run_error status = qemu_run(&options, &result, error, sizeof error);
        if (status != QEMU_RUN_OK)
            bench_die("qemu_run %s: %s: %s", path, qemu_run_error_name(status), error);
        seconds[r] = (double)result.boot_to_end_ns / 1e6;
        *events = result.events;
        *guest_s = (double)result.guest_end_ns / 1e9;
        *outcome = result.outcome;
    }
    return bench_median(seconds, BENCH_REPEATS_SLOW);
}

void bench_qemu_run(const char *temp_dir)
{
    printf("\n== QEMU: boot to end per scenario (bare-metal image, TCG, icount) ==\n");
    char store[QEMU_PATH_MAX], floor_path[QEMU_PATH_MAX];
    snprintf(store, sizeof store, "%s/qemu.db", temp_dir);
    snprintf(floor_path, sizeof floor_path, "%s/floor.scn", temp_dir);
    FILE *floor = fopen(floor_path, "w");
    if (floor == NULL)
        bench_die("cannot write %s", floor_path);
    fputs("# init starts nothing: core and init come up, the world ends\n"
          "name qemu_floor\n\nrom config\nend\n", floor);
    fclose(floor);

    uint64_t events = 0;
    double guest_s = 0;
    const char *outcome = "";
    double baseline = qemu_seconds(floor_path, store, &events, &guest_s, &outcome);
    bench_report("qemu boot to end: nothing started (baseline)", baseline, "ms", baseline);

    char *names[QEMU_SCENARIOS_MAX];
    size_t count = 0;
    DIR *dir = opendir(DUET_SOURCE_DIR "/scenarios");
    if (dir == NULL)
        bench_die("cannot list %s/scenarios", DUET_SOURCE_DIR);
    for (struct dirent *entry; (entry = readdir(dir)) != NULL && count < QEMU_SCENARIOS_MAX;) {
        size_t length = strlen(entry->d_name);
        if (length > 4 && strcmp(entry->d_name + length - 4, ".scn") == 0)
            names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], name_compare);
    for (size_t i = 0; i < count; i++) {
        char path[QEMU_PATH_MAX], label[128];
        snprintf(path, sizeof path, "%s/scenarios/%s", DUET_SOURCE_DIR, names[i]);
        double seconds = qemu_seconds(path, store, &events, &guest_s, &outcome);
        snprintf(label, sizeof label, "qemu boot to end: %.*s", (int)(strlen(names[i]) - 4),
                 names[i]);
        bench_report(label, seconds, "ms", baseline);
        bench_note("%s, %llu events, guest clock %.3f s", outcome, (unsigned long long)events,
                   guest_s);
        free(names[i]);
    }
    unlink(store);
    char wal[QEMU_PATH_MAX + 8];
    snprintf(wal, sizeof wal, "%s-wal", store);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", store);
    unlink(wal);
    unlink(floor_path);
}
