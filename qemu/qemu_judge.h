/*
 * qemu_judge.h - a QEMU run's outcome, judged as the sim judges its own
 * (sim/world.c, world_report): WORLD_END's a0 is the outcome (enum
 * sim_outcome), FAILURE's blob the reason, and a pass also needs the
 * scenario's expected line as a whole console line. What only a real
 * machine can do wrong is named too: no END record, QEMU dying or killed,
 * the host timeout, a QMP refusal, a broken trace stream.
 *
 * Call order: qemu_judge_init, then _console / _event / _end as the bytes
 * and records arrive, then qemu_judge_verdict once QEMU is gone. Pure: no
 * I/O, so the unit tests drive it with made-up runs.
 */
#ifndef DUET_QEMU_JUDGE_H
#define DUET_QEMU_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/trace_record.h"
#include "duet/trace_stream.h"

enum { QEMU_JUDGE_LINE_MAX = 512, QEMU_JUDGE_FAILURE_MAX = 192 };

struct qemu_judge {
    const char *expect;                     /* "" : no success line        */
    char console_line[QEMU_JUDGE_LINE_MAX]; /* the line being assembled    */
    size_t console_line_len;
    bool console_line_overflow;             /* longer than the buffer      */
    bool expect_seen;
    uint64_t console_bytes;
    bool world_end_seen;
    uint64_t world_end_outcome;
    uint64_t world_end_time_ns;
    bool failure_seen;
    char failure[TRACE_STREAM_BLOB_MAX + 1];
    /* The full reason, from TRACE_STREAM_FAILURE_TEXT chunks (in order). */
    char failure_text[TRACE_STREAM_FAILURE_TEXT_MAX + 1];
    size_t failure_text_len;
    uint64_t failure_text_next;             /* the chunk expected next     */
    bool end_seen;
    uint64_t end_outcome;
};

/* How the run ended on the host side. */
struct qemu_run_ending {
    bool timed_out;
    unsigned timeout_s;
    const char *runner_failure;     /* QMP refusal, protocol breach; NULL none */
    bool exited;                    /* QEMU exited (else killed by a signal)   */
    int exit_status;                /* exited: its status                      */
    int signal;                     /* !exited: the signal                     */
    uint64_t stream_errors;         /* the decoder's episodes                  */
    const char *stream_summary;     /* "" or what the first one was            */
};

struct qemu_verdict {
    const char *outcome;            /* sim_outcome_name's words               */
    bool passed;
    char failure[QEMU_JUDGE_FAILURE_MAX];   /* "" when passed                 */
};

void qemu_judge_init(struct qemu_judge *judge, const char *expect);
void qemu_judge_console(struct qemu_judge *judge, const uint8_t *bytes, size_t len);
void qemu_judge_event(struct qemu_judge *judge, const struct trace_record *record);
void qemu_judge_end(struct qemu_judge *judge, uint64_t outcome);
/* A TRACE_STREAM_FAILURE_TEXT record: chunks out of order or past the
 * limit are dropped (the FAILURE event's 48 bytes stand then). */
void qemu_judge_failure_text(struct qemu_judge *judge, const struct trace_record *record);
void qemu_judge_verdict(const struct qemu_judge *judge, const struct qemu_run_ending *ending,
                        struct qemu_verdict *out);

#endif
