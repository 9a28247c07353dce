/*
 * entry.S - every way into and out of the bare-metal kernel, and the
 * context switch (docs/BAREMETAL.md).
 *
 * - syscall_entry: LSTAR. A component's hal_kernel_entry(frame) executes
 *   `syscall` with the frame in rdi; we move to the running thread's kernel
 *   stack (baremetal_kernel_stack_top, set at every switch) and call
 *   baremetal_syscall(frame). Only the registers a call may clobber are
 *   lost, which is all the C caller of hal_kernel_entry expects.
 * - trap_vector_N: the IDT's stubs. Each pushes its vector (and a zero
 *   error code where the CPU pushes none), then every general register,
 *   and calls baremetal_trap(frame); iretq resumes what was interrupted.
 * - baremetal_switch: saves the callee-saved registers and the stack
 *   pointer of one kernel stack and resumes another.
 * - baremetal_user_start: where a new context's kernel stack first
 *   returns to; it leaves for ring 3 at the context's entry.
 */
    .set USER_CODE, 0x23
    .set USER_DATA, 0x1b

    .text
    .globl syscall_entry
syscall_entry:
    movq %rsp, baremetal_user_rsp_scratch(%rip)
    movq baremetal_kernel_stack_top(%rip), %rsp
    pushq baremetal_user_rsp_scratch(%rip)
    pushq %rcx                  /* user rip    */
    pushq %r11                  /* user rflags */
    subq $8, %rsp               /* 16-byte aligned for the call */
    call baremetal_syscall      /* rdi: the frame, as the user passed it */
    addq $8, %rsp
    /* Nothing of the kernel's (or of the thread it ran last) goes back:
     * the results are in the frame, and a call may clobber these. */
    xorl %eax, %eax
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %edi, %edi
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    popq %r11
    popq %rcx
    popq %rsp
    sysretq

/* Trap stubs. The CPU pushes an error code for 8, 10-14, 17, 21, 29, 30. */
.macro TRAP_NOERR vector
    .globl trap_vector_\vector
trap_vector_\vector:
    pushq $0
    pushq $\vector
    jmp trap_common
.endm
.macro TRAP_ERR vector
    .globl trap_vector_\vector
trap_vector_\vector:
    pushq $\vector
    jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 8
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR 21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR 29
TRAP_ERR 30
TRAP_NOERR 31
/* The PIC's lines (vectors 0x20-0x2f), the local APIC's timer and
 * spurious vectors, and the two traps ring 3 may raise itself. */
TRAP_NOERR 32
TRAP_NOERR 33
TRAP_NOERR 34
TRAP_NOERR 35
TRAP_NOERR 36
TRAP_NOERR 37
TRAP_NOERR 38
TRAP_NOERR 39
TRAP_NOERR 40
TRAP_NOERR 41
TRAP_NOERR 42
TRAP_NOERR 43
TRAP_NOERR 44
TRAP_NOERR 45
TRAP_NOERR 46
TRAP_NOERR 47
TRAP_NOERR 48
TRAP_NOERR 129
TRAP_NOERR 130
TRAP_NOERR 255

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    cld
    call baremetal_trap
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector, error code */
    iretq

/* void baremetal_switch(uint64_t *save_sp, uint64_t next_sp) */
    .globl baremetal_switch
baremetal_switch:
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

/* First return of a new context: rbx = its struct hal_context, whose
 * words are [3] entry, [4] arg0, [5] arg1, [6] user stack pointer. */
    .globl baremetal_user_start
baremetal_user_start:
    movq %rbx, %rdi
    call baremetal_context_started
    pushq $USER_DATA
    pushq 48(%rbx)
    pushq $0x202                /* IF */
    pushq $USER_CODE
    pushq 24(%rbx)
    movq 32(%rbx), %rdi
    movq 40(%rbx), %rsi
    xorl %eax, %eax
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %ebx, %ebx
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d
    xorl %r15d, %r15d
    iretq

/* ---- the component side: code that runs in ring 3 (or ring 0) -------- */

/* void hal_kernel_entry(struct syscall_frame *frame) */
    .globl hal_kernel_entry
hal_kernel_entry:
    pushq %rbx                  /* keep the stack aligned as a call expects */
    syscall
    popq %rbx
    ret

/* void *hal_thread_pointer(void): the FS base, set at every switch. */
    .globl hal_thread_pointer
hal_thread_pointer:
    rdfsbase %rax
    ret

    .globl hal_in8
hal_in8:
    movl %edi, %edx
    xorl %eax, %eax
    inb %dx, %al
    ret
    .globl hal_in16
hal_in16:
    movl %edi, %edx
    xorl %eax, %eax
    inw %dx, %ax
    ret
    .globl hal_in32
hal_in32:
    movl %edi, %edx
    inl %dx, %eax
    ret
    .globl hal_out8
hal_out8:
    movl %edi, %edx
    movl %esi, %eax
    outb %al, %dx
    ret
    .globl hal_out16
hal_out16:
    movl %edi, %edx
    movl %esi, %eax
    outw %ax, %dx
    ret
    .globl hal_out32
hal_out32:
    movl %edi, %edx
    movl %esi, %eax
    outl %eax, %dx
    ret

/* From ring 3: hand an event (rdi = struct baremetal_event_args *) or a
 * panic (rdi = function, rsi = reason) to the platform in ring 0. */
    .globl baremetal_user_event
baremetal_user_event:
    int $0x81
    ret
    .globl baremetal_user_panic
baremetal_user_panic:
    int $0x82
    ud2

    .section .bss
    .align 8
    .globl baremetal_kernel_stack_top
baremetal_kernel_stack_top: .skip 8
baremetal_user_rsp_scratch: .skip 8
