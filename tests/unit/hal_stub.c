/*
 * hal_stub.c - the two HAL entry points that the framework's pure
 * libraries (string, text, session_args, rpc, syscall names, init_config)
 * refer to, for unit tests that compile those sources directly instead of
 * linking the whole simulator.
 *
 * Neither may be reached by a passing test: hal_panic means a framework
 * assertion fired, hal_kernel_entry means a pure function made a system
 * call. Both print what happened and exit(1), so ctest sees a failure with
 * the reason in its log.
 */
#include <stdio.h>
#include <stdlib.h>

#include "duet/syscall.h"
#include "hal/kernel_entry.h"
#include "hal/world.h"

void hal_panic(const char *function, const char *reason)
{
    fprintf(stderr, "FAIL: hal_panic in %s: %s\n", function, reason);
    exit(1);
}

void hal_kernel_entry(struct syscall_frame *frame)
{
    fprintf(stderr, "FAIL: unexpected kernel entry (system call %llu) in a unit test\n",
            (unsigned long long)frame->number);
    exit(1);
}
