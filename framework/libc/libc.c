/*
 * libc.c - starting the framework libc (duet/libc.h), and errno (errno.h).
 */
#include "duet/libc.h"

#include "duet/assert.h"
#include "duet/utcb.h"
#include "errno.h"
#include "libc_internal.h"

enum rpc_status libc_init(struct env *env, uint64_t ram_bytes)
{
    DUET_ASSERT(env->libc == NULL);
    struct libc *libc = env_alloc(env, sizeof *libc);
    if (libc == NULL)
        return RPC_ERR_OUT_OF_RAM;
    libc->env = env;
    lock_init(&libc->lock);
    enum rpc_status status = env_address_space(env, &libc->space);
    if (status == RPC_OK)
        status = ram_connection_open(env, "libc", ram_bytes, &libc->ram);
    if (status == RPC_OK)
        status = rm_connection_open(env, "libc reserve", WINDOW_BYTES, 0, &libc->reserve);
    if (status == RPC_OK)
        status = region_map_dataspace(libc->reserve.cap, &libc->reserve_ds);
    if (status != RPC_OK)
        return status;
    for (unsigned i = 0; i < LIBC_DATASPACES_MAX; i++)
        libc->dataspaces[i].ds.index = CAP_INDEX_INVALID;
    heap_init(&libc->heap, env, libc->ram.cap, libc->space, libc->heap_nodes, LIBC_HEAP_NODES,
              LIBC_HEAP_CHUNK_BYTES);
    env->libc = libc;
    return RPC_OK;
}

struct libc *libc_self(void)
{
    struct utcb *utcb = utcb_self();
    DUET_ASSERT(utcb != NULL && utcb->env != NULL && utcb->env->libc != NULL);
    return utcb->env->libc;
}

int *__duet_errno_location(void)
{
    return &utcb_self()->errno_value;
}

const char *errno_name(int error)
{
    switch (error) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOTSUP: return "ENOTSUP";
    default: return "E?";
    }
}
