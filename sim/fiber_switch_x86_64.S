/*
 * fiber_switch_x86_64.S - the sim's context switch, written by hand.
 *
 * sim_fiber_switch(uint64_t *save_sp, uint64_t next_sp)
 *   Pushes the System V callee-saved registers (rbp, rbx, r12-r15) on the
 *   current stack, stores rsp in *save_sp, loads next_sp and pops the same
 *   registers from there. The return address on the new stack says where
 *   the resumed fiber goes on. Caller-saved registers need no saving: this
 *   is an ordinary call to the compiler. MXCSR and the x87 control word are
 *   not switched: all fibers share the host's FP environment (see
 *   docs/DESIGN.md; the framework's ucontext switches them).
 *
 * sim_fiber_trampoline
 *   Where a new fiber starts (sim_fiber_prepare puts it as the first return
 *   address): rbx holds the hal_context, and rsp is 16-byte aligned, as a
 *   call site must leave it. It never returns; CFI marks the outermost frame
 *   so unwinders stop here.
 */
    .text
    .globl sim_fiber_switch
    .type sim_fiber_switch, @function
sim_fiber_switch:
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
    .size sim_fiber_switch, .-sim_fiber_switch

    .globl sim_fiber_trampoline
    .type sim_fiber_trampoline, @function
sim_fiber_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %rbx, %rdi
    call sim_fiber_start
    ud2
    .cfi_endproc
    .size sim_fiber_trampoline, .-sim_fiber_trampoline

    .section .note.GNU-stack,"",@progbits
