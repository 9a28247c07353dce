/*
 * libc_names.h - how the framework libc's symbols are named.
 *
 * Components call malloc, mmap and the like by their POSIX names. In the
 * sim build the framework shares one process with the host's libc (which
 * the simulator, SQLite and the sanitizers use), so every framework libc
 * function is given a link name of its own with an asm label:
 * `malloc` in framework code links to `duet_libc_malloc`. The same names
 * serve the bare-metal image, where nothing would collide, so both builds
 * link the same symbols.
 */
#ifndef DUET_LIBC_NAMES_H
#define DUET_LIBC_NAMES_H

#define DUET_LIBC_NAME(name) __asm__("duet_libc_" #name)

#endif
