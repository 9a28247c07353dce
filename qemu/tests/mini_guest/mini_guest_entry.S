/* mini_guest_entry.S - the multiboot header and 32-bit entry of the test
 * guest (mini_guest.c): a stack, then mini_guest_main(eax, ebx). */
    .section .multiboot, "a"
    .align 4
    .long 0x1badb002                 /* magic                          */
    .long 0x00000003                 /* page-aligned modules, mem info */
    .long -(0x1badb002 + 0x00000003) /* checksum                       */

    .text
    .globl mini_guest_start
mini_guest_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call mini_guest_main
1:  hlt
    jmp 1b

    .bss
    .align 16
    .skip 16384
stack_top:
