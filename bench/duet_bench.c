/*
 * duet_bench.c - Duet's benchmarks: one program that prints figures.
 *
 *   duet_bench [all|switch|rpc|signal|semaphore|timer|rm|event|store|fuzz|go]...
 *                                                        (default: all)
 *
 * Measures, each against a baseline taken in the same process:
 *   switch  the sim's fiber switch vs a minimal hand-written switch
 *   rpc     a call + reply between two PDs through the kernel vs two
 *           switches and a message copy
 *   signal  a signal submit delivered to a thread blocked in
 *           sys_signal_wait vs one switch (half the RPC floor)
 *   semaphore  a semaphore up waking a thread blocked in down vs the same
 *   timer   time compression: virtual seconds per host second with a
 *           periodic alarm and idle in between, vs the same kernel entries
 *           at the price of an RPC's
 *   rm      an RM fault resolved by a handler thread (fault -> handler ->
 *           attach -> resume), a fault core resolves, and attach +
 *           detach, vs host SIGSEGV + mmap and mmap + munmap floors
 *   event   one trace event into the ring recorder vs a plain record copy
 *   store   trace rows into SQLite through the store vs raw inserts, and
 *           `duet run`-style recording of the demo end to end
 *   fuzz    execs/s of the core_rpc fuzz target (and of an empty world)
 *   go      the framework's swapcontext vs glibc's; goroutine yield, send +
 *           receive, select, spawn + exit; memory per idle goroutine
 * Figures are medians of repeated measurements (bench.h explains the
 * line format); docs/PERFORMANCE.md explains each and records results.
 *
 * What it is not: a test. It checks only that what it measures ran as
 * intended (worlds pass, the store accepts the rows) and exits 1 if not.
 * Build with the bench preset (Release); other builds print a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "unknown"
#endif
#ifdef __clang_version__
#define BENCH_COMPILER "clang " __clang_version__
#else
#define BENCH_COMPILER "cc " __VERSION__
#endif

static void header_print(void)
{
    printf("duet_bench: build %s (%s), %s\n", DUET_BUILD_NAME, BENCH_BUILD_TYPE,
           BENCH_COMPILER);
    if (strcmp(BENCH_BUILD_TYPE, "Release") != 0)
        printf("WARNING: not a Release build; use `cmake --preset bench` for real figures\n");
    printf("figures are medians of repeated runs; ratio = cost relative to the baseline "
           "(time/baseline, or baseline rate/rate; 1.00x = as fast)\n\n");
    printf("%-42s %14s %-9s %14s %-9s %8s\n", "figure", "value", "unit", "baseline", "unit",
           "ratio");
}

static const char *temp_dir_make(char *buffer, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buffer, size, "%s/duet_bench.XXXXXX", base != NULL && base[0] ? base : "/tmp");
    if (mkdtemp(buffer) == NULL)
        bench_die("cannot create a temp directory under %s", base ? base : "/tmp");
    return buffer;
}

/* "qemu" runs only when named: it boots every scenario three times. */
static bool named(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

static bool wanted(int argc, char **argv, const char *name)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0 || strcmp(argv[i], "all") == 0)
            return true;
    return false;
}

static void arguments_check(int argc, char **argv)
{
    static const char *const names[] = {"all", "switch", "rpc", "signal", "semaphore",
                                          "timer", "rm", "event", "store", "fuzz", "go",
                                          "qemu"};
    for (int i = 1; i < argc; i++) {
        bool known = false;
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
            known = known || strcmp(argv[i], names[n]) == 0;
        if (!known) {
            fprintf(stderr, "usage: duet_bench "
                            "[all|switch|rpc|signal|semaphore|timer|rm|event|store|fuzz|go|qemu]...\n"
                            "(qemu only when named: it boots every scenario in QEMU)\n");
            exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    arguments_check(argc, argv);
    uint64_t start_ns = bench_now_ns();
    header_print();
    if (wanted(argc, argv, "switch"))
        bench_switch_run();
    if (wanted(argc, argv, "rpc"))
        bench_rpc_run();
    if (wanted(argc, argv, "signal"))
        bench_signal_run();
    if (wanted(argc, argv, "semaphore"))
        bench_semaphore_run();
    if (wanted(argc, argv, "timer"))
        bench_timer_run();
    if (wanted(argc, argv, "rm"))
        bench_rm_run();
    if (wanted(argc, argv, "event"))
        bench_event_run();
    if (wanted(argc, argv, "store")) {
        char temp_dir[512];
        temp_dir_make(temp_dir, sizeof temp_dir);
        bench_store_run(temp_dir);
        rmdir(temp_dir);
    }
    if (wanted(argc, argv, "fuzz"))
        bench_fuzz_run();
    if (wanted(argc, argv, "go"))
        bench_go_run();
    if (named(argc, argv, "qemu")) {
        char temp_dir[512];
        temp_dir_make(temp_dir, sizeof temp_dir);
        bench_qemu_run(temp_dir);
        rmdir(temp_dir);
    }
    printf("\nduet_bench: done in %.1f s\n", (double)(bench_now_ns() - start_ns) / 1e9);
    return 0;
}
