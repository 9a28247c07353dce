/*
 * components.c - the table of components every image contains.
 */
#include "duet/components.h"

#include "dde_kit/interrupt.h"
#include "dde_kit/timer.h"

/* The entries thread_test's further threads may start at. */
static const component_thread_fn init_threads[] = {init_opener, NULL};

static const component_thread_fn thread_test_threads[] = {
    thread_test_worker, thread_test_sleeper, thread_test_caller, thread_test_lured,
    thread_test_inflated, thread_test_revoked_caller, thread_test_waker,
    thread_test_saved_caller, thread_test_answerer, NULL};

static const component_thread_fn signal_test_threads[] = {
    signal_test_fast_sender, signal_test_many_sender, signal_test_waiter, NULL};

static const component_thread_fn sync_test_threads[] = {
    sync_test_consumer, sync_test_incrementer, sync_test_intruder, NULL};

static const component_thread_fn timer_threads[] = {timer_irq_thread, NULL};

static const component_thread_fn serial_test_threads[] = {serial_test_irq_waiter, NULL};

static const component_thread_fn ps2_threads[] = {ps2_irq_thread, NULL};
/* Drivers on the DDE kit: its IRQ and timer threads. */
static const component_thread_fn ata_threads[] = {dde_kit_interrupt_thread,
                                                  dde_kit_timer_thread, NULL};

static const component_thread_fn opener_racer_threads[] = {opener_racer_helper, NULL};

static const component_thread_fn rm_test_threads[] = {rm_test_faulter, NULL};
static const component_thread_fn rm_pager_threads[] = {rm_pager_fault_handler, NULL};
static const component_thread_fn libc_test_threads[] = {libc_test_worker, NULL};
static const component_thread_fn ucontext_test_threads[] = {ucontext_test_worker, NULL};
static const component_thread_fn go_test_threads[] = {go_test_helper, NULL};
static const component_thread_fn upgrade_racer_threads[] = {upgrade_racer_holder, NULL};

static const struct component_info components[] = {
    {.name = "core", .main = core_main},
    {.name = "init", .main = init_main, .threads = init_threads},
    {.name = "hello", .main = hello_main},
    {.name = "rom_reader", .main = rom_reader_main},
    {.name = "cap_test", .main = cap_test_main},
    {.name = "io_intruder", .main = io_intruder_main},
    {.name = "frame_intruder", .main = frame_intruder_main},
    {.name = "event_kind_forger", .main = event_kind_forger_main},
    {.name = "event_blob_forger", .main = event_blob_forger_main},
    {.name = "pd_test", .main = pd_test_main},
    {.name = "quitter", .main = quitter_main},
    {.name = "echo_server", .main = echo_server_main},
    {.name = "echo_late_server", .main = echo_late_server_main},
    {.name = "echo_client", .main = echo_client_main},
    {.name = "quota_test", .main = quota_test_main},
    {.name = "serial_test", .main = serial_test_main, .threads = serial_test_threads},
    {.name = "io_after_close", .main = io_after_close_main},
    {.name = "controller", .main = controller_main},
    {.name = "opener_racer", .main = opener_racer_main, .threads = opener_racer_threads},
    {.name = "bad_server", .main = bad_server_main},
    {.name = "bad_client", .main = bad_client_main},
    {.name = "leaving_server", .main = leaving_server_main},
    {.name = "leaving_client", .main = leaving_client_main},
    {.name = "thread_test", .main = thread_test_main, .threads = thread_test_threads},
    {.name = "signal_test", .main = signal_test_main, .threads = signal_test_threads},
    {.name = "sync_test", .main = sync_test_main, .threads = sync_test_threads},
    {.name = "timer", .main = timer_main, .threads = timer_threads},
    {.name = "timer_test", .main = timer_test_main},
    {.name = "rm_test", .main = rm_test_main, .threads = rm_test_threads},
    {.name = "rm_stress", .main = rm_stress_main},
    {.name = "rm_pager", .main = rm_pager_main, .threads = rm_pager_threads},
    {.name = "rm_lazy_client", .main = rm_lazy_client_main},
    {.name = "libc_test", .main = libc_test_main, .threads = libc_test_threads},
    {.name = "upgrade_racer", .main = upgrade_racer_main, .threads = upgrade_racer_threads},
    {.name = "ps2", .main = ps2_main, .threads = ps2_threads},
    {.name = "input_test", .main = input_test_main},
    {.name = "pci", .main = pci_main},
    {.name = "pci_test", .main = pci_test_main},
    {.name = "ata", .main = ata_main, .threads = ata_threads},
    {.name = "block_test", .main = block_test_main},
    {.name = "dde_kit_test", .main = dde_kit_test_main, .threads = ata_threads},
    {.name = "ucontext_test", .main = ucontext_test_main, .threads = ucontext_test_threads},
    {.name = "go_test", .main = go_test_main, .threads = go_test_threads},
    {.name = "go_overflow", .main = go_overflow_main},
};

const struct component_info *framework_components(size_t *count)
{
    *count = DUET_ARRAY_COUNT(components);
    return components;
}
