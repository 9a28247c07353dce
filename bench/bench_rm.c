/*
 * bench_rm.c - region maps: an RM fault resolved by a handler thread, a
 * fault core resolves on its own, and attach + detach, each against a
 * host floor measured in the same process.
 *
 * Three worlds (bench_world.c), each of a component of
 * rm_bench_component.c, canonical schedule (every choice 0):
 *   rm_bench           the fault round trip: a thread reads a page of a
 *                      managed dataspace (an RM session attached in its
 *                      address space) where nothing is attached; the map's
 *                      fault handler, another thread, reads REGION_MAP_FAULT
 *                      and attaches a RAM page there, which core maps
 *                      before it resumes the reader; the reader reads and
 *                      writes, and detaches the page so the next round
 *                      faults again
 *   rm_bench_resolved  attach a RAM page in the own address space, first
 *                      touch (core maps it on the fault), detach
 *   rm_bench_attach    attach and detach the page, no touch
 * Before the timed runs, two more untimed runs of each (a counting sink,
 * bench_world_kinds_per_round) check that every round took the path
 * described (page faults, RM faults, maps and unmaps per round, exactly),
 * and give the events per round for the notes. Each MAP and UNMAP event
 * is one host mmap (sim/memory.c: hal_map, hal_unmap) and each PAGE_FAULT
 * one SIGSEGV, so they count the host's work too.
 *
 * Figures per round: the whole run / N and (run - the 0-round run) / N
 * of each world, and the resolved round minus the attach + detach round
 * (the fault, its map and the detach's unmap, without the two RPCs).
 *
 * Baselines, on the host in this process, sampled right before and right
 * after each world (the median of both sets; the spread is printed, as a
 * measure of the noise):
 *   fault floor   a read of a page of a private PROT_NONE range: SIGSEGV,
 *                 a handler (installed as the sim's is, SA_SIGINFO |
 *                 SA_NODEFER) that mmaps a memfd page there MAP_FIXED,
 *                 the retried read, a write, and mmap(PROT_NONE) back (as
 *                 hal_unmap does) for the next round
 *   attach floor  mmap(MAP_FIXED) of the memfd page and mmap(PROT_NONE)
 *                 back, no touch
 * The fault floor is the baseline of the three fault figures, the attach
 * floor of attach + detach. The handler is installed only while the
 * floors are measured, never while a sim runs. The samples between the
 * two fault worlds count for both.
 *
 * Not measured: nested maps, several faulters on one page, write faults
 * on read-only regions, faults resolved in another component (rm_pager),
 * attaches of more than a page, SQLite recording.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "hal/event.h"

enum {
    RM_FAULT_ROUNDS = 4000,
    RM_RESOLVED_ROUNDS = 4000,
    RM_ATTACH_ROUNDS = 50000,
    RM_COUNT_ROUNDS = 4000,             /* the untimed counting runs         */
    RM_STEPS_PER_ROUND = 64,            /* budget only; the notes print them */
    FLOOR_FAULT_ITERATIONS = 2000,
    FLOOR_ATTACH_ITERATIONS = 4000,
    FLOOR_WARMUP_DIVISOR = 10,
    FLOOR_RANGE_BYTES = 16 * PAGE_BYTES,
};

/* ---- the host floors -------------------------------------------------------- */

/* What the floor's SIGSEGV handler works on. A signal handler has no
 * context to find it in, so this is a global, as the sim's handler has
 * (sim/memory.c); it is set only between host_floor_open and _close. */
struct host_floor {
    uint8_t *range;                 /* FLOOR_RANGE_BYTES, reserved PROT_NONE */
    int memfd;                      /* one page                              */
    volatile uint64_t *direct;      /* the memfd page, mapped for checks     */
    volatile uint64_t faults;       /* handled by floor_segv_handler         */
    struct sigaction previous;      /* restored by host_floor_close          */
};
static struct host_floor host_floor = {.memfd = -1};

static void floor_segv_handler(int signo, siginfo_t *info, void *context)
{
    (void)signo;
    (void)context;
    struct host_floor *floor_state = &host_floor;
    uintptr_t address = (uintptr_t)info->si_addr, base = (uintptr_t)floor_state->range;
    if (floor_state->range == NULL || address < base || address - base >= FLOOR_RANGE_BYTES) {
        signal(SIGSEGV, SIG_DFL);   /* a real crash: die of it on return */
        return;
    }
    void *page = (void *)(address & ~(uintptr_t)(PAGE_BYTES - 1u));
    void *mapped = mmap(page, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                        floor_state->memfd, 0);
    if (mapped != page) {
        signal(SIGSEGV, SIG_DFL);
        return;
    }
    floor_state->faults++;
}

static void host_floor_open(struct host_floor *floor_state)
{
    DUET_BENCH_CHECK(floor_state->range == NULL && floor_state->memfd < 0);
    void *range = mmap(NULL, FLOOR_RANGE_BYTES, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    int memfd = memfd_create("duet-bench-floor", MFD_CLOEXEC);
    if (range == MAP_FAILED || memfd < 0 || ftruncate(memfd, PAGE_BYTES) != 0)
        bench_die("cannot set up the host floor's range and memfd");
    void *direct = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (direct == MAP_FAILED)
        bench_die("cannot map the host floor's memfd");
    floor_state->range = range;
    floor_state->memfd = memfd;
    floor_state->direct = direct;
    floor_state->faults = 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = floor_segv_handler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;   /* as sim/memory.c installs its own */
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &floor_state->previous) != 0)
        bench_die("cannot install the host floor's SIGSEGV handler");
}

static void host_floor_close(struct host_floor *floor_state)
{
    DUET_BENCH_CHECK(floor_state->range != NULL);
    if (sigaction(SIGSEGV, &floor_state->previous, NULL) != 0)
        bench_die("cannot restore the SIGSEGV handler");
    munmap(floor_state->range, FLOOR_RANGE_BYTES);
    munmap((void *)floor_state->direct, PAGE_BYTES);
    close(floor_state->memfd);
    *floor_state = (struct host_floor){.memfd = -1};
}

/* Back to PROT_NONE, as hal_unmap leaves a page of a window. */
static void floor_page_reset(struct host_floor *floor_state)
{
    void *again = mmap(floor_state->range, PAGE_BYTES, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    DUET_BENCH_CHECK(again == floor_state->range);
}

/* ns per fault: read (SIGSEGV, map, retry), write, reset. */
static double floor_fault_ns(struct host_floor *floor_state, unsigned iterations)
{
    volatile uint64_t *word = (volatile uint64_t *)floor_state->range;
    uint64_t faults_before = floor_state->faults, value_before = *floor_state->direct;
    uint64_t start_ns = bench_now_ns();
    for (unsigned i = 0; i < iterations; i++) {
        uint64_t seen = *word;
        *word = seen + 1;
        floor_page_reset(floor_state);
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    DUET_BENCH_CHECK(floor_state->faults - faults_before == iterations);
    DUET_BENCH_CHECK(*floor_state->direct == value_before + iterations);
    return (double)elapsed_ns / iterations;
}

/* ns per attach + detach: mmap of the memfd page, reset; no touch. */
static double floor_attach_ns(struct host_floor *floor_state, unsigned iterations)
{
    uint64_t faults_before = floor_state->faults;
    uint64_t start_ns = bench_now_ns();
    for (unsigned i = 0; i < iterations; i++) {
        void *mapped = mmap(floor_state->range, PAGE_BYTES, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_FIXED, floor_state->memfd, 0);
        DUET_BENCH_CHECK(mapped == floor_state->range);
        floor_page_reset(floor_state);
    }
    uint64_t elapsed_ns = bench_now_ns() - start_ns;
    DUET_BENCH_CHECK(floor_state->faults == faults_before);
    return (double)elapsed_ns / iterations;
}

/* A floor's samples around one world: BENCH_REPEATS right before it
 * and BENCH_REPEATS right after, so that the load of a shared machine
 * weighs on both sides alike; the baseline is the median of all. */
enum { FLOOR_SAMPLES = 2 * BENCH_REPEATS };
typedef double (*floor_measure_fn)(struct host_floor *floor_state, unsigned iterations);
struct rm_floor {
    const char *name;
    floor_measure_fn measure;
    unsigned iterations;
    double samples_ns[FLOOR_SAMPLES];
    unsigned count;
};

/* BENCH_REPEATS more samples (after a warm-up), the handler installed
 * only meanwhile. */
static void rm_floor_sample(struct rm_floor *floor_figure)
{
    DUET_BENCH_CHECK(floor_figure->count + BENCH_REPEATS <= FLOOR_SAMPLES);
    host_floor_open(&host_floor);
    floor_figure->measure(&host_floor, floor_figure->iterations / FLOOR_WARMUP_DIVISOR);
    for (int r = 0; r < BENCH_REPEATS; r++)
        floor_figure->samples_ns[floor_figure->count++] =
            floor_figure->measure(&host_floor, floor_figure->iterations);
    host_floor_close(&host_floor);
}

static double rm_floor_median(const struct rm_floor *floor_figure)
{
    DUET_BENCH_CHECK(floor_figure->count == FLOOR_SAMPLES);
    double sorted_ns[FLOOR_SAMPLES];
    memcpy(sorted_ns, floor_figure->samples_ns, sizeof sorted_ns);
    return bench_median(sorted_ns, FLOOR_SAMPLES);
}

/* The spread of the samples: the noise the ratios carry. */
static void rm_floor_note(const struct rm_floor *floor_figure)
{
    DUET_BENCH_CHECK(floor_figure->count == FLOOR_SAMPLES);
    double sorted_ns[FLOOR_SAMPLES];
    memcpy(sorted_ns, floor_figure->samples_ns, sizeof sorted_ns);
    double median_ns = bench_median(sorted_ns, FLOOR_SAMPLES);
    bench_note("%s: %d samples of %u rounds, %d before and %d after the world: min %.1f us, "
               "median %.1f us, max %.1f us", floor_figure->name, FLOOR_SAMPLES,
               floor_figure->iterations, BENCH_REPEATS, BENCH_REPEATS, sorted_ns[0] / 1e3,
               median_ns / 1e3, sorted_ns[FLOOR_SAMPLES - 1] / 1e3);
}

/* ---- the worlds ------------------------------------------------------------- */

static const component_thread_fn rm_bench_threads[] = {rm_bench_fault_handler, NULL};

static const struct component_info rm_components[] = {
    {.name = RM_BENCH_COMPONENT, .main = rm_bench_main, .threads = rm_bench_threads},
    {.name = RM_BENCH_RESOLVED_COMPONENT, .main = rm_bench_resolved_main},
    {.name = RM_BENCH_ATTACH_COMPONENT, .main = rm_bench_attach_main},
};

#define RM_SPEC(name, routes)                                                               \
    {                                                                                       \
        .scenario_name = "bench_" name, .component = name,                                  \
        .config = "start " name "\n" routes, .success_name = name,                          \
        .components = rm_components,                                                        \
        .component_count = sizeof rm_components / sizeof rm_components[0],                 \
        .steps_per_round = RM_STEPS_PER_ROUND, .canonical_schedule = true,                  \
    }

static const struct bench_world_spec rm_fault_spec =
    RM_SPEC(RM_BENCH_COMPONENT,
            "route RAM parent\nroute RM parent\nroute CPU parent\nroute SIGNAL parent\n");
static const struct bench_world_spec rm_resolved_spec =
    RM_SPEC(RM_BENCH_RESOLVED_COMPONENT, "route RAM parent\n");
static const struct bench_world_spec rm_attach_spec =
    RM_SPEC(RM_BENCH_ATTACH_COMPONENT, "route RAM parent\n");

/* What a round of a world must be made of: events of these kinds, exactly. */
struct rm_path {
    double page_faults;     /* SIGSEGVs                              */
    double rm_faults;       /* faults queued for the handler         */
    double maps, unmaps;    /* host mmaps                            */
};

static void rm_path_check(const struct bench_world_spec *spec, const struct rm_path *path,
                          const double kinds[BENCH_EVENT_KINDS_MAX])
{
    if (kinds[HAL_EVENT_PAGE_FAULT] != path->page_faults ||
        kinds[HAL_EVENT_RM_FAULT] != path->rm_faults || kinds[HAL_EVENT_MAP] != path->maps ||
        kinds[HAL_EVENT_UNMAP] != path->unmaps)
        bench_die("%s: a round made %.2f page faults, %.2f RM faults, %.2f maps, %.2f unmaps; "
                  "expected %.0f, %.0f, %.0f, %.0f", spec->scenario_name,
                  kinds[HAL_EVENT_PAGE_FAULT], kinds[HAL_EVENT_RM_FAULT], kinds[HAL_EVENT_MAP],
                  kinds[HAL_EVENT_UNMAP], path->page_faults, path->rm_faults, path->maps,
                  path->unmaps);
}

/* Checks the path (two untimed runs), then measures between two sets of
 * floor samples. */
static void rm_world_measure(const struct bench_world_spec *spec, uint64_t rounds,
                             const struct rm_path *path, struct rm_floor *floor_figure,
                             double out_kinds[BENCH_EVENT_KINDS_MAX],
                             struct bench_world_figures *out)
{
    bench_world_kinds_per_round(spec, RM_COUNT_ROUNDS, out_kinds);
    rm_path_check(spec, path, out_kinds);
    if (floor_figure->count == 0)
        rm_floor_sample(floor_figure);
    bench_world_measure(spec, rounds, out);
    rm_floor_sample(floor_figure);
}

/* The two figures against `baseline_ns`, and the notes. */
static void rm_world_report(const struct bench_world_figures *figures,
                            const double kinds[BENCH_EVENT_KINDS_MAX], const char *figure_whole,
                            const char *figure_marginal, double baseline_ns)
{
    bench_report(figure_whole, figures->whole_ns, "ns", baseline_ns);
    bench_report(figure_marginal, figures->marginal_ns, "ns", baseline_ns);
    bench_world_notes(figures, 1, "round");
    bench_world_kinds_note(kinds, "round");
    bench_note("host work per round: %.0f SIGSEGV (PAGE_FAULT), %.0f mmap (MAP + UNMAP)",
               kinds[HAL_EVENT_PAGE_FAULT], kinds[HAL_EVENT_MAP] + kinds[HAL_EVENT_UNMAP]);
}

void bench_rm_run(void)
{
    static const struct rm_path fault_path = {.page_faults = 1, .rm_faults = 1, .maps = 1,
                                              .unmaps = 1};
    static const struct rm_path resolved_path = {.page_faults = 1, .maps = 1, .unmaps = 1};
    static const struct rm_path attach_path = {0};
    double kinds[BENCH_EVENT_KINDS_MAX];
    struct bench_world_figures fault, resolved, attach;

    /* Fault floor samples before the fault world, between the two fault
     * worlds (they count for both), and after the resolved one. */
    struct rm_floor fault_floor = {.name = "fault floor", .measure = floor_fault_ns,
                                   .iterations = FLOOR_FAULT_ITERATIONS};
    rm_world_measure(&rm_fault_spec, RM_FAULT_ROUNDS, &fault_path, &fault_floor, kinds, &fault);
    double fault_baseline_ns = rm_floor_median(&fault_floor);
    rm_world_report(&fault, kinds, "RM fault round trip, whole run / N",
                    "RM fault round trip, minus 0-round run", fault_baseline_ns);
    bench_note("baseline: host SIGSEGV + mmap(MAP_FIXED) of a memfd page + retry + "
               "mmap(PROT_NONE) back (MACHINE_FACTS: ~9 us)");
    rm_floor_note(&fault_floor);

    struct rm_floor resolved_floor = fault_floor;
    resolved_floor.count = BENCH_REPEATS;
    memcpy(resolved_floor.samples_ns, fault_floor.samples_ns + BENCH_REPEATS,
           BENCH_REPEATS * sizeof fault_floor.samples_ns[0]);
    rm_world_measure(&rm_resolved_spec, RM_RESOLVED_ROUNDS, &resolved_path, &resolved_floor,
                     kinds, &resolved);
    double resolved_baseline_ns = rm_floor_median(&resolved_floor);
    rm_world_report(&resolved, kinds, "resolved fault round, whole run / N",
                    "resolved fault round, minus 0-round run", resolved_baseline_ns);
    bench_note("baseline: the fault floor, as above");
    rm_floor_note(&resolved_floor);

    struct rm_floor attach_floor = {.name = "attach floor", .measure = floor_attach_ns,
                                    .iterations = FLOOR_ATTACH_ITERATIONS};
    rm_world_measure(&rm_attach_spec, RM_ATTACH_ROUNDS, &attach_path, &attach_floor, kinds,
                     &attach);
    double attach_baseline_ns = rm_floor_median(&attach_floor);
    rm_world_report(&attach, kinds, "RM attach + detach, whole run / N",
                    "RM attach + detach, minus 0-round run", attach_baseline_ns);
    bench_note("baseline: host mmap(MAP_FIXED) of a memfd page + mmap(PROT_NONE) back "
               "(MACHINE_FACTS: ~5.5 us); core maps nothing until the first touch");
    rm_floor_note(&attach_floor);

    bench_report("resolved fault minus attach + detach", resolved.marginal_ns - attach.marginal_ns,
                 "ns", resolved_baseline_ns);
    bench_note("the resolved round's fault, map and unmap without its two RPCs (marginal "
               "figures), against the resolved round's fault floor");
}
