/*
 * qmp_session.h - the little of QMP (QEMU's JSON monitor protocol) the
 * runner speaks: wait for the greeting, negotiate with qmp_capabilities,
 * send commands one line each, and match every answer in order: "return"
 * counts one command done, "error" ends the session with QEMU's message.
 * "event" lines are skipped. It is not a JSON parser: it walks the
 * top-level object's keys only far enough to tell these apart, skipping
 * values by their brackets and string quotes.
 *
 * Call order (the runner owns the socket and poll()s it):
 *   qmp_session_init(&session)
 *   qmp_session_feed(&session, bytes, len, ...)   every chunk read; after
 *                                   the greeting it has queued
 *                                   qmp_capabilities in `outgoing`
 *   qmp_session_command(&session, json)   queues a command (any time; the
 *                                   session holds it back until negotiated)
 *   qmp_session_outgoing / qmp_session_sent   what to write to the socket
 * States: GREETING -> (greeting) NEGOTIATING -> (its return) READY;
 * any error -> FAILED, which is final.
 */
#ifndef DUET_QMP_SESSION_H
#define DUET_QMP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

enum qmp_message_kind {
    QMP_MESSAGE_MALFORMED = 0,  /* not an object, unterminated, or no known key */
    QMP_MESSAGE_GREETING,       /* {"QMP": ...}                               */
    QMP_MESSAGE_RETURN,         /* {"return": ...}                            */
    QMP_MESSAGE_ERROR,          /* {"error": {"class": ..., "desc": ...}}     */
    QMP_MESSAGE_EVENT,          /* {"event": ..., "timestamp": ...}           */
};
const char *qmp_message_kind_name(enum qmp_message_kind kind);

/* Classifies one message. For ERROR, `detail` gets "CLASS: desc"; for
 * EVENT the event's name; else "". */
enum qmp_message_kind qmp_message_classify(const char *text, size_t len, char *detail,
                                           size_t detail_len);

enum qmp_session_state {
    QMP_SESSION_GREETING = 0,
    QMP_SESSION_NEGOTIATING,
    QMP_SESSION_READY,
    QMP_SESSION_FAILED,
};

enum {
    QMP_LINE_MAX = 8192,        /* a longer line from QEMU is an error     */
    QMP_OUTGOING_MAX = 16384,   /* queued command bytes not yet written    */
    QMP_HELD_MAX = 16384,       /* commands held back until negotiated     */
};

struct qmp_session {
    enum qmp_session_state state;
    char line[QMP_LINE_MAX];
    size_t line_len;
    char outgoing[QMP_OUTGOING_MAX];   /* ready to write, in order        */
    size_t outgoing_len;
    char held[QMP_HELD_MAX];           /* queued before READY             */
    size_t held_len;
    char last_return[QMP_LINE_MAX];    /* the latest "return" message line */
    unsigned commands_sent;            /* qmp_capabilities excluded       */
    unsigned commands_answered;
    unsigned events_skipped;
    char failure[256];                 /* why FAILED                      */
};

void qmp_session_init(struct qmp_session *session);

/* Takes bytes from QEMU. false when the session failed (see ->failure). */
bool qmp_session_feed(struct qmp_session *session, const char *bytes, size_t len);

/* Queues one command (a JSON object without newline). false, and the
 * session FAILED, when it does not fit. */
bool qmp_session_command(struct qmp_session *session, const char *json);

/* The bytes to write now, and how many were written. */
const char *qmp_session_outgoing(const struct qmp_session *session, size_t *out_len);
void qmp_session_sent(struct qmp_session *session, size_t len);

/* Every queued command answered with "return". */
bool qmp_session_idle(const struct qmp_session *session);

#endif
