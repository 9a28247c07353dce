/*
 * baseline_switch_x86_64.S - the benchmark's own minimal fiber switch, the
 * baseline the sim's switch (sim/fiber_switch_x86_64.S) is measured against.
 *
 * bench_baseline_switch(uint64_t *save_sp, uint64_t next_sp)
 *   The least a cooperative switch between C functions must do under the
 *   System V ABI: save the callee-saved registers (rbp, rbx, r12-r15) and
 *   rsp, load the other fiber's. Nothing else: no FP control state, no
 *   sanitizer annotations, no bookkeeping.
 *
 * bench_baseline_trampoline
 *   A new fiber's first return address (bench_baseline_stack_prepare in
 *   bench_switch.c builds the frame): calls r12(rbx) with rsp aligned as a
 *   call site must leave it. The entry never returns.
 */
    .text
    .globl bench_baseline_switch
    .type bench_baseline_switch, @function
bench_baseline_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size bench_baseline_switch, .-bench_baseline_switch

    .globl bench_baseline_trampoline
    .type bench_baseline_trampoline, @function
bench_baseline_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %rbx, %rdi
    call *%r12
    ud2
    .cfi_endproc
    .size bench_baseline_trampoline, .-bench_baseline_trampoline

    .section .note.GNU-stack,"",@progbits
