/*
 * image_modules.S - boot modules linked into the image as binary data.
 *
 * Each file of framework/image/modules/ becomes read-only bytes between
 * two symbols, and its size a third (the assembler computes it, which C
 * cannot do for two symbols' addresses in a static initializer).
 * image_modules.c lists them; the platform serves them as ROM modules
 * next to those a scenario brings. The same object goes into the sim and,
 * later, the bare-metal image.
 */
    .macro duet_module name, file
    .section .rodata.duet_module_\name, "a"
    .balign 16
    .globl duet_module_\name\()_start
duet_module_\name\()_start:
    .incbin "\file"
duet_module_\name\()_end:
    .balign 8
    .globl duet_module_\name\()_size
duet_module_\name\()_size:
    .quad duet_module_\name\()_end - duet_module_\name\()_start
    .endm

    duet_module motd, "motd"
    duet_module pattern, "pattern"

    .section .note.GNU-stack,"",@progbits
