/*
 * ucontext_layout.h - where ucontext.c and ucontext_x86_64.S find things
 * in a ucontext_t (libc-internal layout, shared with the assembly).
 *
 * Plain #defines, because the assembler reads this file too; ucontext.c
 * checks every offset against offsetof at compile time.
 */
#ifndef DUET_LIBC_UCONTEXT_LAYOUT_H
#define DUET_LIBC_UCONTEXT_LAYOUT_H

/* mcontext_t.gregs indices. */
#define UCONTEXT_GREG_RBX 0
#define UCONTEXT_GREG_RBP 1
#define UCONTEXT_GREG_R12 2
#define UCONTEXT_GREG_R13 3
#define UCONTEXT_GREG_R14 4
#define UCONTEXT_GREG_R15 5
#define UCONTEXT_GREG_RSP 6
#define UCONTEXT_GREG_RIP 7
#define UCONTEXT_GREG_RDI 8   /* the first six arguments of a made context */
#define UCONTEXT_GREG_RSI 9
#define UCONTEXT_GREG_RDX 10
#define UCONTEXT_GREG_RCX 11
#define UCONTEXT_GREG_R8 12
#define UCONTEXT_GREG_R9 13
#define UCONTEXT_GREGS 14

/* Byte offsets inside mcontext_t. */
#define MCONTEXT_MXCSR (UCONTEXT_GREGS * 8)
#define MCONTEXT_FPU_CW (MCONTEXT_MXCSR + 4)

/* Byte offsets inside ucontext_t. */
#define UCONTEXT_MCONTEXT 32
#define UCONTEXT_STATE 160

/* ucontext_t.duet_state: only a filled context may be resumed. */
#define UCONTEXT_STATE_EMPTY 0              /* never filled (or zeroed) */
#define UCONTEXT_STATE_SAVED 0x53415645    /* by getcontext or swapcontext */
#define UCONTEXT_STATE_MADE 0x4d414445     /* by makecontext */
#define UCONTEXT_STATE_INVALID 0x42414421  /* makecontext refused it */

/* MXCSR: the exception flags (bits 0-5) are state, not control. */
#define UCONTEXT_MXCSR_FLAGS 0x3f

#define UCONTEXT_ARGS_MAX 16
#define UCONTEXT_STACK_MIN 1024

#endif
