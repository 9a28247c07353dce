/*
 * libc.h - starting the framework libc in a component.
 *
 * A component that uses the libc (malloc, mmap, errno) calls libc_init
 * once from its main thread, before any libc function: it opens the RAM
 * session all of the libc's memory comes from (donating `ram_bytes` and
 * the session's base quota from the component's budget), an RM session
 * that backs PROT_NONE reservations, and sets up the heap. The libc's
 * state hangs off the env (env->libc), so two components never share it.
 * Returns the RPC status of the first session that could not be opened.
 */
#ifndef DUET_LIBC_H
#define DUET_LIBC_H

#include "duet/env.h"
#include "duet/rpc.h"

enum rpc_status libc_init(struct env *env, uint64_t ram_bytes);

#endif
