/*
 * components.h - the components built into every image: core, init and the
 * demo components. A platform offers these (plus any of its own, such as
 * fuzz clients) through hal_boot_components.
 */
#ifndef DUET_COMPONENTS_H
#define DUET_COMPONENTS_H

#include "hal/world.h"

const struct component_info *framework_components(size_t *count);

void core_main(struct env *env);
void init_main(struct env *env);
void init_opener(struct env *env, void *arg);
void hello_main(struct env *env);
void rom_reader_main(struct env *env);
void cap_test_main(struct env *env);
void io_intruder_main(struct env *env);
void frame_intruder_main(struct env *env);
void event_kind_forger_main(struct env *env);
void event_blob_forger_main(struct env *env);
void pd_test_main(struct env *env);
void quitter_main(struct env *env);
void echo_server_main(struct env *env);
void echo_late_server_main(struct env *env);
void echo_client_main(struct env *env);
void quota_test_main(struct env *env);
void serial_test_main(struct env *env);
void serial_test_irq_waiter(struct env *env, void *arg);
void io_after_close_main(struct env *env);
void controller_main(struct env *env);
void opener_racer_main(struct env *env);
void opener_racer_helper(struct env *env, void *arg);
void bad_server_main(struct env *env);
void bad_client_main(struct env *env);
void leaving_server_main(struct env *env);
void leaving_client_main(struct env *env);
void thread_test_main(struct env *env);
void thread_test_worker(struct env *env, void *arg);
void thread_test_sleeper(struct env *env, void *arg);
void thread_test_caller(struct env *env, void *arg);
void thread_test_lured(struct env *env, void *arg);
void thread_test_inflated(struct env *env, void *arg);
void thread_test_revoked_caller(struct env *env, void *arg);
void thread_test_waker(struct env *env, void *arg);
void thread_test_saved_caller(struct env *env, void *arg);
void thread_test_answerer(struct env *env, void *arg);
void signal_test_main(struct env *env);
void signal_test_fast_sender(struct env *env, void *arg);
void signal_test_many_sender(struct env *env, void *arg);
void signal_test_waiter(struct env *env, void *arg);
void sync_test_main(struct env *env);
void sync_test_consumer(struct env *env, void *arg);
void sync_test_incrementer(struct env *env, void *arg);
void sync_test_intruder(struct env *env, void *arg);
void timer_main(struct env *env);
void timer_irq_thread(struct env *env, void *arg);
void timer_test_main(struct env *env);
void rm_test_main(struct env *env);
void rm_test_faulter(struct env *env, void *arg);
void rm_stress_main(struct env *env);
void rm_pager_main(struct env *env);
void rm_pager_fault_handler(struct env *env, void *arg);
void rm_lazy_client_main(struct env *env);
void libc_test_main(struct env *env);
void libc_test_worker(struct env *env, void *arg);
void upgrade_racer_main(struct env *env);
void upgrade_racer_holder(struct env *env, void *arg);
void ps2_main(struct env *env);
void ps2_irq_thread(struct env *env, void *arg);
void input_test_main(struct env *env);
void pci_main(struct env *env);
void pci_test_main(struct env *env);
void ata_main(struct env *env);
void block_test_main(struct env *env);
void dde_kit_test_main(struct env *env);
void ucontext_test_main(struct env *env);
void ucontext_test_worker(struct env *env, void *arg);
void go_test_main(struct env *env);
void go_overflow_main(struct env *env);
void go_test_helper(struct env *env, void *arg);

#endif
