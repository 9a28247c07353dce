/*
 * trace_record.h - the fixed-size event record every Duet run is made of.
 *
 * A trace is a sequence of these records, numbered from 0 by `seq`. The
 * layout is fixed and padding-free so that hashing the raw bytes gives the
 * same answer in every build (sim, asan, fuzz) and on every host: producers
 * must zero unused blob bytes (trace_record_init does).
 *
 * The meaning of `kind` and of the arguments is defined by the producer
 * (the framework's event list, framework/include/hal/event.h); traces/
 * treats them as numbers. Host pointers never appear here: PDs and threads
 * are small kernel ids, addresses are window-relative.
 *
 * Not here: the ring buffer (trace_recorder.h), the SQLite store
 * (trace_store.h), the rolling hash (trace_hash.h).
 */
#ifndef DUET_TRACE_RECORD_H
#define DUET_TRACE_RECORD_H

#include <stdint.h>

enum {
    TRACE_RECORD_ARGS = 4,
    TRACE_RECORD_BLOB_MAX = 48,
};

struct trace_record {
    uint64_t seq;                          /* position in the run, from 0   */
    uint64_t time_ns;                      /* virtual time of the event     */
    uint16_t kind;                         /* producer's event kind         */
    uint16_t pd;                           /* protection domain id, 0=none  */
    uint16_t thread;                       /* kernel thread id, 0=none      */
    uint16_t blob_len;                     /* bytes used in blob            */
    uint64_t arg[TRACE_RECORD_ARGS];       /* kind-specific integers        */
    uint8_t blob[TRACE_RECORD_BLOB_MAX];   /* kind-specific bytes, 0-padded */
};

/* 8 + 8 + 4*2 + 4*8 + 48 = 104 bytes = 13 little-endian 64-bit words. */
_Static_assert(sizeof(struct trace_record) == 104,
               "trace_record layout is part of the hash: keep it fixed");

#endif
