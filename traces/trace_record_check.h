/*
 * trace_record_check.h - checks on a record shared by the recorder and the
 * store (private to traces/).
 */
#ifndef DUET_TRACE_RECORD_CHECK_H
#define DUET_TRACE_RECORD_CHECK_H

#include <stddef.h>

#include "duet/trace_record.h"

/* The hash covers all TRACE_RECORD_BLOB_MAX blob bytes but the store keeps
 * only blob_len of them, so the rest must be zero for a record to read back
 * with the same hash. */
static inline int trace_record_blob_padding_is_zero(const struct trace_record *record)
{
    for (size_t i = record->blob_len; i < TRACE_RECORD_BLOB_MAX; i++) {
        if (record->blob[i] != 0)
            return 0;
    }
    return 1;
}

#endif
