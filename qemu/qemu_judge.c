/*
 * qemu_judge.c - judging a QEMU run (qemu_judge.h).
 *
 * Order of the verdict, first match wins: the host timeout (hang); a
 * runner failure (QMP, protocol); no WORLD_END; no END; END and WORLD_END
 * disagreeing; then WORLD_END's own outcome with the success-line rule;
 * and last, a pass whose trace stream lost records is not a pass.
 * Console lines are matched as the sim matches them, except that a
 * trailing '\r' is dropped: a serial console may end lines with "\r\n".
 */
#include "qemu_judge.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "duet/sim.h"
#include "hal/event.h"

void qemu_judge_init(struct qemu_judge *judge, const char *expect)
{
    assert(judge != NULL);
    memset(judge, 0, sizeof *judge);
    judge->expect = expect != NULL ? expect : "";
}

static void console_line_done(struct qemu_judge *judge)
{
    size_t len = judge->console_line_len;
    if (len > 0 && judge->console_line[len - 1] == '\r')
        len--;
    judge->console_line[len] = '\0';
    if (judge->expect[0] != '\0' && !judge->console_line_overflow &&
        strcmp(judge->console_line, judge->expect) == 0)
        judge->expect_seen = true;
    judge->console_line_len = 0;
    judge->console_line_overflow = false;
}

void qemu_judge_console(struct qemu_judge *judge, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        judge->console_bytes++;
        if (bytes[i] == '\n') {
            console_line_done(judge);
        } else if (judge->console_line_len + 1 < sizeof judge->console_line) {
            judge->console_line[judge->console_line_len++] = (char)bytes[i];
        } else {
            judge->console_line_overflow = true;
        }
    }
}

void qemu_judge_event(struct qemu_judge *judge, const struct trace_record *record)
{
    if (record->kind == HAL_EVENT_WORLD_END && !judge->world_end_seen) {
        judge->world_end_seen = true;
        judge->world_end_outcome = record->arg[0];
        judge->world_end_time_ns = record->time_ns;
    } else if (record->kind == HAL_EVENT_FAILURE && !judge->failure_seen) {
        judge->failure_seen = true;
        size_t len = record->blob_len < TRACE_STREAM_BLOB_MAX ? record->blob_len
                                                               : TRACE_STREAM_BLOB_MAX;
        memcpy(judge->failure, record->blob, len);
        judge->failure[len] = '\0';
    }
}

void qemu_judge_end(struct qemu_judge *judge, uint64_t outcome)
{
    if (!judge->end_seen) {
        judge->end_seen = true;
        judge->end_outcome = outcome;
    }
}

void qemu_judge_failure_text(struct qemu_judge *judge, const struct trace_record *record)
{
    size_t room = sizeof judge->failure_text - 1 - judge->failure_text_len;
    if (record->arg[0] != judge->failure_text_next || record->blob_len > room)
        return;
    memcpy(judge->failure_text + judge->failure_text_len, record->blob, record->blob_len);
    judge->failure_text_len += record->blob_len;
    judge->failure_text[judge->failure_text_len] = '\0';
    judge->failure_text_next++;
}

/* The guest's reason: the full text when it came whole and begins like the
 * FAILURE event's 48 bytes, else those. */
static const char *failure_reason(const struct qemu_judge *judge)
{
    size_t event_len = strlen(judge->failure);
    if (judge->failure_text_len >= event_len &&
        memcmp(judge->failure_text, judge->failure, event_len) == 0)
        return judge->failure_text;
    return judge->failure;
}

static void verdict_set(struct qemu_verdict *out, enum sim_outcome outcome, const char *failure)
{
    out->outcome = sim_outcome_name(outcome);
    out->passed = outcome == SIM_PASS;
    snprintf(out->failure, sizeof out->failure, "%s", failure);
}

/* How QEMU left, for messages. */
static void qemu_gone(const struct qemu_run_ending *ending, char *out, size_t out_len)
{
    if (ending->exited)
        snprintf(out, out_len, "QEMU exited with status %d", ending->exit_status);
    else
        snprintf(out, out_len, "QEMU was killed by signal %d", ending->signal);
}

/* The guest's own verdict, as the sim gives it. */
static void guest_verdict(const struct qemu_judge *judge, struct qemu_verdict *out)
{
    char message[QEMU_JUDGE_FAILURE_MAX];
    uint64_t code = judge->world_end_outcome;
    if (code >= SIM_OUTCOME_COUNT) {
        snprintf(message, sizeof message, "WORLD_END has outcome code %llu, which no world has",
                 (unsigned long long)code);
        verdict_set(out, SIM_FAIL, message);
        return;
    }
    enum sim_outcome outcome = (enum sim_outcome)code;
    if (outcome == SIM_PASS && judge->expect[0] != '\0' && !judge->expect_seen)
        outcome = SIM_NO_SUCCESS_LINE;
    if (outcome == SIM_FAIL || outcome == SIM_HANG)
        verdict_set(out, outcome, judge->failure_seen ? failure_reason(judge)
                                                      : "(the guest sent no FAILURE event)");
    else
        verdict_set(out, outcome, "");
}

void qemu_judge_verdict(const struct qemu_judge *judge, const struct qemu_run_ending *ending,
                        struct qemu_verdict *out)
{
    assert(judge != NULL && ending != NULL && out != NULL);
    char message[QEMU_JUDGE_FAILURE_MAX], gone[64];
    qemu_gone(ending, gone, sizeof gone);
    if (ending->timed_out && !judge->end_seen) {
        snprintf(message, sizeof message, "host timeout: QEMU killed after %u s",
                 ending->timeout_s);
        verdict_set(out, SIM_HANG, message);
    } else if (ending->runner_failure != NULL) {
        verdict_set(out, SIM_FAIL, ending->runner_failure);
    } else if (!judge->world_end_seen) {
        snprintf(message, sizeof message, "%s before the guest's WORLD_END", gone);
        verdict_set(out, SIM_FAIL, message);
    } else if (!judge->end_seen) {
        snprintf(message, sizeof message, "%s without the trace stream's END record", gone);
        verdict_set(out, SIM_FAIL, message);
    } else if (judge->end_outcome != judge->world_end_outcome) {
        snprintf(message, sizeof message, "END says outcome %llu, WORLD_END says %llu",
                 (unsigned long long)judge->end_outcome,
                 (unsigned long long)judge->world_end_outcome);
        verdict_set(out, SIM_FAIL, message);
    } else {
        guest_verdict(judge, out);
    }
    if (ending->stream_errors > 0 && (out->passed || out->failure[0] == '\0')) {
        snprintf(message, sizeof message, "trace stream lost records: %s",
                 ending->stream_summary != NULL ? ending->stream_summary : "");
        verdict_set(out, SIM_FAIL, message);
    }
    assert(out->outcome != NULL && out->passed == (out->failure[0] == '\0' &&
                                                   strcmp(out->outcome, "pass") == 0));
}
