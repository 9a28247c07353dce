/*
 * boot.S - from multiboot's 32-bit protected mode into long mode.
 *
 * QEMU's multiboot loader enters _start in 32-bit protected mode, paging
 * off, with the magic in eax and the multiboot information in ebx. We map
 * the first GiB 1:1 with 2 MiB pages (enough for the image, its stacks and
 * the boot tables), enable PAE, long mode and SSE control (the framework
 * libc's ucontext keeps MXCSR), switch to a 64-bit GDT and call
 * baremetal_main(magic, info). The platform then builds the real page
 * tables (paging.c) and the real GDT/IDT/TSS (cpu.c).
 */
    .set MULTIBOOT_MAGIC, 0x1BADB002
    .set MULTIBOOT_FLAGS, 0x00000003          /* modules page aligned, memory info */

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .text.boot32, "ax"
    .code32
    .globl _start
_start:
    cli
    movl $boot_stack_top, %esp
    movl %eax, boot_multiboot_magic
    movl %ebx, boot_multiboot_info

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB, present|write|huge. */
    movl $boot_pdpt, %eax
    orl $0x3, %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $0x3, %eax
    movl %eax, boot_pdpt
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, boot_pd(, %ecx, 8)
    movl $0, boot_pd + 4(, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 1b

    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax    /* PAE, OSFXSR, OSXMMEXCPT */
    movl %eax, %cr4
    movl $0xC0000080, %ecx                        /* EFER */
    rdmsr
    orl $((1 << 8) | (1 << 0)), %eax              /* LME, SCE */
    wrmsr
    movl %cr0, %eax
    andl $~(1 << 2), %eax                         /* no x87 emulation */
    orl $((1 << 31) | (1 << 16) | (1 << 1) | 1), %eax   /* PG, WP, MP, PE */
    movl %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $0x08, $long_mode

    .code64
long_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movq $boot_stack_top, %rsp
    xorq %rbp, %rbp
    movl boot_multiboot_magic, %edi
    movl boot_multiboot_info, %esi
    call baremetal_main
2:  cli
    hlt
    jmp 2b

    .section .rodata
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF                      /* 0x08: 64-bit code, ring 0 */
    .quad 0x00CF92000000FFFF                      /* 0x10: data, ring 0        */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .align 4096
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
    .globl boot_stack_top
boot_stack: .skip 65536
boot_stack_top:
boot_multiboot_magic: .skip 4
boot_multiboot_info:  .skip 4
