/*
 * trace_stream.h - the bare-metal build's trace, as bytes on a serial line.
 *
 * In QEMU the image has no SQLite: hal_event writes each event as one
 * framed record to a UART of its own (COM3 at TRACE_STREAM_PORT, polled,
 * its interrupt never enabled), and the host runner (qemu/) decodes the
 * stream, numbers and hashes the records with the same trace recorder the
 * sim uses, and stores them in the same SQLite schema. COM1 stays the
 * console and COM2 stays free for scenarios (serial.scn drives it).
 *
 * One record (version 2: compact, since every byte costs the guest an
 * I/O exit and the host a write; most arguments are zero or small):
 *     u8      TRACE_STREAM_SYNC
 *     varint  kind        an event kind (hal/event.h) or a control kind below
 *     varint  pd
 *     varint  thread
 *     varint  time delta  ns since the previous record's time (the first
 *                         record: since boot); the guest's clock is the
 *                         TSC, which under -icount is QEMU's virtual time
 *     u8      arg mask    bit i set: arg[i] follows (an absent one is 0);
 *                         bits 4-7 zero
 *     varint  arg[i]      for each set bit, in order
 *     varint  blob_len    0..TRACE_STREAM_BLOB_MAX
 *     u8      blob[blob_len]
 *     u8      check       the low byte of the sum of every byte after the
 *                         sync through the blob, xor TRACE_STREAM_CHECK_XOR
 * A varint is unsigned LEB128: 7 bits per byte, low bits first, the high
 * bit set on every byte but the last; at most 10 bytes.
 * A decoder that loses sync skips to the next TRACE_STREAM_SYNC byte whose
 * record checks; every such skip is a named error of the run, never a
 * silent gap.
 *
 * Control records are not events: they talk to the host runner and are
 * never stored.
 *     TRACE_STREAM_HELLO          arg0 = TRACE_STREAM_VERSION: the image is up
 *     TRACE_STREAM_INPUT_REQUEST  arg0 = index of the scenario input (boot
 *                                 blob order) the guest is ready for: the
 *                                 host sends it through QMP, once
 *     TRACE_STREAM_FAILURE_TEXT   arg0 = chunk index, arg1 = the whole
 *                                 text's length; blob = up to 48 bytes of
 *                                 it: a failure's full reason (the FAILURE
 *                                 event's blob keeps only its first 48
 *                                 bytes, as in the sim), sent before it
 *     TRACE_STREAM_END            arg0 = the world's outcome (enum
 *                                 sim_outcome numbering): nothing follows
 */
#ifndef DUET_TRACE_STREAM_H
#define DUET_TRACE_STREAM_H

enum {
    TRACE_STREAM_PORT = 0x3e8,          /* COM3's base                      */
    TRACE_STREAM_QEMU_IRQ = 5,          /* the line QEMU gives it (unused)  */
    TRACE_STREAM_SYNC = 0xd5,
    TRACE_STREAM_CHECK_XOR = 0x5a,
    TRACE_STREAM_BLOB_MAX = 48,
    TRACE_STREAM_VARINT_MAX = 10,
    /* sync, kind..time (4 varints), mask, 4 args, blob_len, blob, check */
    TRACE_STREAM_RECORD_MAX = 1 + 4 * TRACE_STREAM_VARINT_MAX + 1 +
                              4 * TRACE_STREAM_VARINT_MAX + 1 + TRACE_STREAM_BLOB_MAX + 1,
    TRACE_STREAM_VERSION = 2,
    TRACE_STREAM_FAILURE_TEXT_MAX = 192,   /* what a run stores as its failure */
};

enum trace_stream_control {
    TRACE_STREAM_HELLO = 0xff00,
    TRACE_STREAM_INPUT_REQUEST = 0xff01,
    TRACE_STREAM_END = 0xff02,
    TRACE_STREAM_FAILURE_TEXT = 0xff03,
};

#endif
