/*
 * lazy_memory_session.h - LAZY_MEMORY: memory that a server fills in on
 * demand (framework/app/rm_pager), the classic use of RM faults: the
 * server hands out a managed dataspace standing for an empty region map
 * and resolves every fault in it from another component. A read fault
 * gets a page of the pattern lazy_memory_pattern(page, byte), attached
 * read-only; a write to such a page gets it attached writable.
 *   LAZY_MEMORY_DATASPACE()  answer: the managed dataspace (LAZY_MEMORY_BYTES)
 *   LAZY_MEMORY_FAULTS()     answer words: read faults, write faults served
 */
#ifndef DUET_LAZY_MEMORY_SESSION_H
#define DUET_LAZY_MEMORY_SESSION_H

#include "duet/dataspace.h"
#include "duet/env.h"
#include "duet/rpc.h"

enum { LAZY_MEMORY_BYTES = 64 * 1024 };

static inline uint8_t lazy_memory_pattern(uint64_t page, uint64_t byte)
{
    return (uint8_t)(page * 31u + byte * 7u + 1u);
}

/*     name                      opcode  words  capability type */
#define LAZY_MEMORY_SESSION_RPCS(X)                                     \
    X(LAZY_MEMORY_DATASPACE,     0xc00,  0, 0,  CAP_TYPE_NONE)          \
    X(LAZY_MEMORY_FAULTS,        0xc01,  0, 0,  CAP_TYPE_NONE)

enum lazy_memory_opcode { LAZY_MEMORY_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct lazy_memory_session_cap { cap_index_t index; };

#define LAZY_MEMORY_CLIENT_STUB(...) \
    RPC_CLIENT_STUB(call, struct lazy_memory_session_cap, __VA_ARGS__)
LAZY_MEMORY_SESSION_RPCS(LAZY_MEMORY_CLIENT_STUB)

#define LAZY_MEMORY_SESSION_RAM_QUOTA "1K"
#define LAZY_MEMORY_SESSION_CAP_QUOTA "1"

#endif
