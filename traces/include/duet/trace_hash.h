/*
 * trace_hash.h - the rolling hash over a run's records.
 *
 * hash_0 = TRACE_HASH_SEED; hash_{n+1} = trace_hash_step(hash_n, &record_n).
 * The step covers every byte of the record (seq included), so two runs have
 * equal hashes after n records iff (with overwhelming likelihood) their
 * first n records are equal. The store keeps the hash after each record, so
 * the first divergence between two runs can be found by comparing hashes.
 * Defined on the bytes, so it is the same in every build and on every host.
 */
#ifndef DUET_TRACE_HASH_H
#define DUET_TRACE_HASH_H

#include <stdint.h>

#include "duet/trace_record.h"

#define TRACE_HASH_SEED UINT64_C(0x6475657474726163) /* "duettrac" */

uint64_t trace_hash_step(uint64_t hash, const struct trace_record *record);

/* Writes "0x" + 16 lowercase hex digits and a NUL into out[19]. */
void trace_hash_format(uint64_t hash, char out[19]);

#endif
