/*
 * bench_timer.c - time compression: simulated seconds per host second in
 * a world whose only activity is a periodic timer alarm, idle in between.
 *
 * A world (bench_world.c) as scenarios/timer.scn builds it: init starts
 * the real "timer" component (the PIT through IO_PORT, IRQ 0 through the
 * 8259) and "timer_bench" (timer_bench_component.c), which arms a
 * periodic alarm of TIMER_BENCH_PERIOD_US and waits for N of them. Between
 * two alarms every thread is blocked, and the sim jumps its virtual time
 * to the PIT's deadline (hal_idle): a period costs the host only what
 * happens at its end (the interrupt, the timer's IRQ thread and
 * entrypoint, the PIT's reprogramming, the signal to the client).
 *
 * Figures, from the same runs (medians of BENCH_REPEATS pairs of runs
 * with N and with 0 periods; virtual time is the sim's time_ns, the same
 * in every run of a pair since the schedule is canonical):
 *   time compression, whole run   virtual time / host time of the N run
 *   time compression, marginal    (virtual N - virtual 0) / (host N - host 0)
 *   host ns per period, marginal  (host N - host 0) / N
 *
 * Baseline, in the same process: the period's kernel entries (counted in
 * one more, untimed run) at the price of the cheapest kernel entry there
 * is, half an RPC round trip to init measured in its own world
 * (bench_rpc_round_trip_marginal_ns). It is the cost of the same number
 * of kernel round trips with no device, interrupt or idle jump in them;
 * the ratio is what the timer's path costs on top. The compression
 * figures are set against the compression a period would reach at that
 * price. Real time (1 s/s) is no baseline: it is what hardware does by
 * definition, so the compression itself is the speed-up over it.
 *
 * Not measured: several sessions or alarms at once, one-shot alarms,
 * periods long enough that the PIT needs more than one countdown
 * (> ~55 ms), SQLite recording.
 */
#include "bench.h"
#include "hal/event.h"

enum {
    TIMER_ROUNDS = 100000,              /* 1,000 s of virtual time        */
    TIMER_STEPS_PER_ROUND = 64,         /* budget only; measured: 23 (5 kernel
                                         * entries, 16 port accesses, 2 idle) */
    TIMER_COUNT_ROUNDS = 1000,          /* the untimed counting runs      */
};

/* The virtual time of a period, against the alarm's: the timer's clock
 * runs slightly slow (timer.c), so a period is a little longer. */
#define TIMER_PERIOD_NS ((double)TIMER_BENCH_PERIOD_US * 1e3)
#define TIMER_PERIOD_SLACK 1.01

static const struct component_info timer_components[] = {
    {.name = TIMER_BENCH_COMPONENT, .main = timer_bench_main},
};

static const struct bench_world_spec timer_spec = {
    .scenario_name = "bench_timer",
    .component = TIMER_BENCH_COMPONENT,
    .config = "start timer ram=32K caps=16\n"
              "start " TIMER_BENCH_COMPONENT "\n"
              "route IO_PORT parent\n"
              "route IRQ parent\n"
              "route CPU parent\n"
              "route SIGNAL parent\n"
              "route TIMER timer\n",
    .success_name = TIMER_BENCH_COMPONENT,
    .components = timer_components,
    .component_count = sizeof timer_components / sizeof timer_components[0],
    .steps_per_round = TIMER_STEPS_PER_ROUND,
    .canonical_schedule = true,
};

void bench_timer_run(void)
{
    double kinds[BENCH_EVENT_KINDS_MAX];
    bench_world_kinds_per_round(&timer_spec, TIMER_COUNT_ROUNDS, kinds);
    double entries_per_period = kinds[HAL_EVENT_KERNEL_ENTRY];
    /* The world must rest between alarms: (nearly) every period jumps. */
    DUET_BENCH_CHECK(entries_per_period >= 2.0 && kinds[HAL_EVENT_IDLE] >= 0.9);
    double entry_ns = bench_rpc_round_trip_marginal_ns() / 2.0;
    double baseline_period_ns = entries_per_period * entry_ns;

    struct bench_world_figures figures;
    bench_world_measure(&timer_spec, TIMER_ROUNDS, &figures);
    double full_virtual_ns = (double)figures.full.time_ns;
    double marginal_virtual_ns = (double)(figures.full.time_ns - figures.empty.time_ns);
    double virtual_period_ns = marginal_virtual_ns / TIMER_ROUNDS;
    if (virtual_period_ns < TIMER_PERIOD_NS ||
        virtual_period_ns > TIMER_PERIOD_NS * TIMER_PERIOD_SLACK)
        bench_die("bench_timer: a period took %.0f ns of virtual time, not %.0f ns",
                  virtual_period_ns, TIMER_PERIOD_NS);

    double baseline_compression = virtual_period_ns / baseline_period_ns;
    bench_report("time compression, whole run",
                 full_virtual_ns / (figures.whole_ns * TIMER_ROUNDS), "s/s",
                 baseline_compression);
    bench_report("time compression, minus the 0-period run",
                 virtual_period_ns / figures.marginal_ns, "s/s", baseline_compression);
    bench_report("timer period on the host, minus 0-period", figures.marginal_ns, "ns",
                 baseline_period_ns);
    bench_world_notes(&figures, 1, "period");
    bench_note("virtual time: %.3f s (N run), %.3f ms (0-period run), %.1f us per %d us "
               "period", full_virtual_ns / 1e9, (double)figures.empty.time_ns / 1e6,
               virtual_period_ns / 1e3, TIMER_BENCH_PERIOD_US);
    bench_world_kinds_note(kinds, "period");
    bench_note("baseline: the period's %.2f kernel entries at half an RPC round trip to init "
               "each (%.1f ns, measured here): the same kernel round trips without device, "
               "interrupt or idle jump; real time (1 s/s) is no baseline", entries_per_period,
               entry_ns);
}
