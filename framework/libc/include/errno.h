/*
 * errno.h - the framework libc's errno: per thread, POSIX names.
 *
 * The values are Linux's (x86-64), so that numbers seen in traces and
 * logs read the same as on the host. errno lives in the calling thread's
 * utcb: every thread has its own, and no global holds it.
 */
#ifndef DUET_LIBC_ERRNO_H
#define DUET_LIBC_ERRNO_H

#include "duet/libc_names.h"

#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75
#define ENOTSUP 95

int *__duet_errno_location(void) DUET_LIBC_NAME(errno_location);
#define errno (*__duet_errno_location())

/* "ENOMEM" for ENOMEM; "E?" for a number without a name here. */
const char *errno_name(int error) DUET_LIBC_NAME(errno_name);

#endif
