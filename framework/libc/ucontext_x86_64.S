/*
 * ucontext_x86_64.S - saving and resuming user contexts (ucontext.h).
 *
 * Written here, by hand, for x86-64 System V. No system call, no signal
 * mask: a switch is a function call that happens to return elsewhere.
 *
 * duet_libc_getcontext(ucontext_t *ucp)                 returns 0 (twice)
 *   Stores rbx, rbp, r12-r15, the caller's rsp (after our return) and our
 *   return address as rip, MXCSR and the x87 control word, marks the
 *   context SAVED, then tail-calls duet_ucontext_captured(ucp) (C: notes
 *   the stack for ASan, returns 0). Resuming it returns 0 from getcontext
 *   a second time.
 *
 * duet_ucontext_swap(mcontext_t *save, const mcontext_t *load)
 *   The same save into `save` (rip: back into the caller), then falls into
 *   duet_ucontext_jump(load). The C wrapper (swapcontext) does the checks
 *   and the ASan annotation around it.
 *
 * duet_ucontext_jump(const mcontext_t *load)            never returns
 *   Loads the MXCSR control bits (keeping the current exception flags)
 *   and the x87 control word, each only if it differs from the current
 *   one, the callee-saved registers, rsp, and the six
 *   argument registers (they matter to made contexts only), sets eax to 0
 *   and jumps to rip.
 *
 * duet_ucontext_trampoline
 *   The return address makecontext puts under a made context's function:
 *   rbx (callee-saved, so it survives the function) holds uc_link, which
 *   goes to duet_ucontext_finished (C, never returns). The CFI marks rip
 *   undefined so unwinders stop here; the nop before the label keeps
 *   "return address - 1" inside this FDE.
 */
#include "duet/ucontext_layout.h"

#define G(reg) (UCONTEXT_GREG_##reg * 8)

    .text
    .globl duet_libc_getcontext
    .type duet_libc_getcontext, @function
duet_libc_getcontext:
    .cfi_startproc
    leaq UCONTEXT_MCONTEXT(%rdi), %rax
    movq %rbx, G(RBX)(%rax)
    movq %rbp, G(RBP)(%rax)
    movq %r12, G(R12)(%rax)
    movq %r13, G(R13)(%rax)
    movq %r14, G(R14)(%rax)
    movq %r15, G(R15)(%rax)
    leaq 8(%rsp), %rcx
    movq %rcx, G(RSP)(%rax)
    movq (%rsp), %rcx
    movq %rcx, G(RIP)(%rax)
    stmxcsr MCONTEXT_MXCSR(%rax)
    fnstcw MCONTEXT_FPU_CW(%rax)
    movl $UCONTEXT_STATE_SAVED, UCONTEXT_STATE(%rdi)
    jmp duet_ucontext_captured
    .cfi_endproc
    .size duet_libc_getcontext, .-duet_libc_getcontext

    .globl duet_ucontext_swap
    .type duet_ucontext_swap, @function
duet_ucontext_swap:
    .cfi_startproc
    movq %rbx, G(RBX)(%rdi)
    movq %rbp, G(RBP)(%rdi)
    movq %r12, G(R12)(%rdi)
    movq %r13, G(R13)(%rdi)
    movq %r14, G(R14)(%rdi)
    movq %r15, G(R15)(%rdi)
    leaq 8(%rsp), %rcx
    movq %rcx, G(RSP)(%rdi)
    movq (%rsp), %rcx
    movq %rcx, G(RIP)(%rdi)
    stmxcsr MCONTEXT_MXCSR(%rdi)
    fnstcw MCONTEXT_FPU_CW(%rdi)
    movq %rsi, %rdi
    /* falls through into duet_ucontext_jump */
    .cfi_endproc
    .size duet_ucontext_swap, .-duet_ucontext_swap

    .globl duet_ucontext_jump
    .type duet_ucontext_jump, @function
duet_ucontext_jump:
    .cfi_startproc
    /* MXCSR: the loaded context's control bits, the current flags. The
     * writes (ldmxcsr, fldcw) cost more than the reads, and contexts
     * rarely differ, so each is skipped when nothing would change. */
    subq $8, %rsp
    .cfi_adjust_cfa_offset 8
    stmxcsr (%rsp)
    movl (%rsp), %eax
    movl MCONTEXT_MXCSR(%rdi), %ecx
    xorl %eax, %ecx
    andl $~UCONTEXT_MXCSR_FLAGS, %ecx
    jz 1f
    xorl %ecx, %eax             /* current ^ (control bits that differ) */
    movl %eax, (%rsp)
    ldmxcsr (%rsp)
1:
    fnstcw (%rsp)
    movzwl (%rsp), %eax
    cmpw MCONTEXT_FPU_CW(%rdi), %ax
    je 2f
    fldcw MCONTEXT_FPU_CW(%rdi)
2:
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    movq G(RBX)(%rdi), %rbx
    movq G(RBP)(%rdi), %rbp
    movq G(R12)(%rdi), %r12
    movq G(R13)(%rdi), %r13
    movq G(R14)(%rdi), %r14
    movq G(R15)(%rdi), %r15
    movq G(RSP)(%rdi), %rsp
    movq G(RIP)(%rdi), %r11
    movq G(RSI)(%rdi), %rsi
    movq G(RDX)(%rdi), %rdx
    movq G(RCX)(%rdi), %rcx
    movq G(R8)(%rdi), %r8
    movq G(R9)(%rdi), %r9
    movq G(RDI)(%rdi), %rdi
    xorl %eax, %eax
    jmp *%r11
    .cfi_endproc
    .size duet_ucontext_jump, .-duet_ucontext_jump

    .globl duet_ucontext_trampoline
    .type duet_ucontext_trampoline, @function
    .cfi_startproc
    .cfi_undefined rip
    nop
duet_ucontext_trampoline:
    movq %rbx, %rdi
    andq $-16, %rsp
    xorl %ebp, %ebp
    call duet_ucontext_finished
    ud2
    .cfi_endproc
    .size duet_ucontext_trampoline, .-duet_ucontext_trampoline

    .section .note.GNU-stack,"",@progbits
