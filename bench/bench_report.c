/*
 * bench_report.c - the benchmark's clock, medians and output lines.
 *
 * Time is CLOCK_MONOTONIC in nanoseconds. Every figure is the median of
 * several repetitions; the line format is fixed so that runs can be
 * compared with diff or a spreadsheet (see bench.h for the ratio).
 * Not here: what is measured (bench_*.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        bench_die("clock_gettime(CLOCK_MONOTONIC) failed");
    return (uint64_t)now.tv_sec * UINT64_C(1000000000) + (uint64_t)now.tv_nsec;
}

static int double_compare(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *values, size_t count)
{
    if (count == 0)
        bench_die("median of no values");
    qsort(values, count, sizeof *values, double_compare);
    if (count % 2 == 1)
        return values[count / 2];
    return (values[count / 2 - 1] + values[count / 2]) / 2.0;
}

static int unit_is_rate(const char *unit)
{
    size_t length = strlen(unit);
    return length >= 2 && strcmp(unit + length - 2, "/s") == 0;
}

void bench_report(const char *name, double value, const char *unit, double baseline)
{
    if (baseline <= 0.0) {
        printf("%-42s %14.1f %-9s %14s %-9s %8s\n", name, value, unit, "-", "", "-");
    } else {
        double ratio = unit_is_rate(unit) ? baseline / value : value / baseline;
        printf("%-42s %14.1f %-9s %14.1f %-9s %7.2fx\n", name, value, unit, baseline, unit,
               ratio);
    }
    fflush(stdout);
}

void bench_note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("    ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
    fflush(stdout);
}

void bench_die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fflush(stdout);
    fprintf(stderr, "duet_bench: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    exit(1);
}
