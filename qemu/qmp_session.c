/*
 * qmp_session.c - the runner's QMP conversation (duet/qmp_session.h).
 *
 * QEMU writes one JSON object per line ("\r\n"). The classifier walks the
 * top-level object: for each key it reads the key string, then skips the
 * value (a string honouring backslash escapes; an object or array by
 * counting brackets outside strings; anything else up to the next ',' or
 * '}'). Nesting is bounded by the line length, every loop by the text's
 * length. Only "error"'s value is looked into, for "class" and "desc".
 */
#include "duet/qmp_session.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

const char *qmp_message_kind_name(enum qmp_message_kind kind)
{
    switch (kind) {
    case QMP_MESSAGE_MALFORMED: return "QMP_MESSAGE_MALFORMED";
    case QMP_MESSAGE_GREETING: return "QMP_MESSAGE_GREETING";
    case QMP_MESSAGE_RETURN: return "QMP_MESSAGE_RETURN";
    case QMP_MESSAGE_ERROR: return "QMP_MESSAGE_ERROR";
    case QMP_MESSAGE_EVENT: return "QMP_MESSAGE_EVENT";
    }
    return "QMP_MESSAGE_UNKNOWN";
}

/* ---- skimming JSON -------------------------------------------------------- */

struct text {
    const char *at;
    const char *end;
};

static void skip_space(struct text *t)
{
    while (t->at < t->end && (*t->at == ' ' || *t->at == '\t' || *t->at == '\r' ||
                              *t->at == '\n'))
        t->at++;
}

/* At a '"': moves past the closing quote; copies the (roughly unescaped)
 * contents into out[0, out_len) when out is not NULL. */
static bool skip_string(struct text *t, char *out, size_t out_len)
{
    if (t->at >= t->end || *t->at != '"')
        return false;
    size_t used = 0;
    for (t->at++; t->at < t->end; t->at++) {
        char c = *t->at;
        if (c == '"') {
            t->at++;
            if (out != NULL && out_len > 0)
                out[used] = '\0';
            return true;
        }
        if (c == '\\') {
            if (++t->at >= t->end)
                return false;
            c = *t->at == 'n' ? ' ' : *t->at;   /* \uXXXX keeps its digits: fine for a message */
        }
        if (out != NULL && used + 1 < out_len)
            out[used++] = c;
    }
    return false;
}

/* Skips one value of any kind. */
static bool skip_value(struct text *t)
{
    skip_space(t);
    if (t->at >= t->end)
        return false;
    if (*t->at == '"')
        return skip_string(t, NULL, 0);
    if (*t->at == '{' || *t->at == '[') {
        size_t depth = 0;
        while (t->at < t->end) {
            char c = *t->at;
            if (c == '"') {
                if (!skip_string(t, NULL, 0))
                    return false;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']')
                depth--;
            t->at++;
            if (depth == 0)
                return true;
        }
        return false;
    }
    const char *start = t->at;
    while (t->at < t->end && *t->at != ',' && *t->at != '}' && *t->at != ']' &&
           *t->at != ' ' && *t->at != '\r' && *t->at != '\n')
        t->at++;
    return t->at > start;
}

/* Calls `visit` for each key of the object at t (values are skipped
 * unless visit consumes them; it must leave t after the value). */
typedef bool (*key_visit_fn)(void *ctx, const char *key, struct text *value);

static bool object_walk(struct text *t, key_visit_fn visit, void *ctx)
{
    skip_space(t);
    if (t->at >= t->end || *t->at != '{')
        return false;
    t->at++;
    skip_space(t);
    if (t->at < t->end && *t->at == '}') {
        t->at++;
        return true;
    }
    while (t->at < t->end) {
        char key[32];
        skip_space(t);
        if (!skip_string(t, key, sizeof key))
            return false;
        skip_space(t);
        if (t->at >= t->end || *t->at != ':')
            return false;
        t->at++;
        skip_space(t);
        if (!visit(ctx, key, t))
            return false;
        skip_space(t);
        if (t->at < t->end && *t->at == ',') {
            t->at++;
            continue;
        }
        if (t->at < t->end && *t->at == '}') {
            t->at++;
            return true;
        }
        return false;
    }
    return false;
}

struct error_fields {
    char class_name[64];
    char desc[160];
};

static bool visit_error_field(void *ctx, const char *key, struct text *value)
{
    struct error_fields *fields = ctx;
    if (strcmp(key, "class") == 0 && value->at < value->end && *value->at == '"')
        return skip_string(value, fields->class_name, sizeof fields->class_name);
    if (strcmp(key, "desc") == 0 && value->at < value->end && *value->at == '"')
        return skip_string(value, fields->desc, sizeof fields->desc);
    return skip_value(value);
}

struct top_level {
    bool greeting, has_return, has_error, has_event;
    struct error_fields error;
    bool error_is_object;
    char event[64];
};

static bool visit_top_level(void *ctx, const char *key, struct text *value)
{
    struct top_level *top = ctx;
    if (strcmp(key, "QMP") == 0) {
        top->greeting = true;
    } else if (strcmp(key, "return") == 0) {
        top->has_return = true;
    } else if (strcmp(key, "error") == 0) {
        top->has_error = true;
        struct text inner = *value;
        top->error_is_object = object_walk(&inner, visit_error_field, &top->error);
        if (top->error_is_object) {
            *value = inner;
            return true;
        }
    } else if (strcmp(key, "event") == 0 && value->at < value->end && *value->at == '"') {
        top->has_event = true;
        return skip_string(value, top->event, sizeof top->event);
    }
    return skip_value(value);
}

enum qmp_message_kind qmp_message_classify(const char *text, size_t len, char *detail,
                                           size_t detail_len)
{
    assert(text != NULL || len == 0);
    if (detail != NULL && detail_len > 0)
        detail[0] = '\0';
    struct top_level top;
    memset(&top, 0, sizeof top);
    struct text t = {text, text + len};
    if (!object_walk(&t, visit_top_level, &top))
        return QMP_MESSAGE_MALFORMED;
    skip_space(&t);
    if (t.at != t.end)
        return QMP_MESSAGE_MALFORMED;   /* two objects on one line */
    int kinds = top.greeting + top.has_return + top.has_error + top.has_event;
    if (kinds != 1)
        return QMP_MESSAGE_MALFORMED;
    if (top.has_error) {
        if (!top.error_is_object)
            return QMP_MESSAGE_MALFORMED;
        if (detail != NULL)
            snprintf(detail, detail_len, "%s: %s",
                     top.error.class_name[0] ? top.error.class_name : "(no class)",
                     top.error.desc[0] ? top.error.desc : "(no desc)");
        return QMP_MESSAGE_ERROR;
    }
    if (top.has_event) {
        if (detail != NULL)
            snprintf(detail, detail_len, "%s", top.event);
        return QMP_MESSAGE_EVENT;
    }
    return top.greeting ? QMP_MESSAGE_GREETING : QMP_MESSAGE_RETURN;
}

/* ---- the session ---------------------------------------------------------- */

static const char capabilities_command[] = "{\"execute\":\"qmp_capabilities\"}\r\n";

void qmp_session_init(struct qmp_session *session)
{
    memset(session, 0, sizeof *session);
    session->state = QMP_SESSION_GREETING;
}

static bool session_fail(struct qmp_session *session, const char *what, const char *detail)
{
    session->state = QMP_SESSION_FAILED;
    snprintf(session->failure, sizeof session->failure, "%s%s%s", what,
             detail[0] ? ": " : "", detail);
    return false;
}

static bool outgoing_append(struct qmp_session *session, const char *bytes, size_t len)
{
    if (len > sizeof session->outgoing - session->outgoing_len)
        return session_fail(session, "QMP commands queued faster than QEMU takes them", "");
    memcpy(session->outgoing + session->outgoing_len, bytes, len);
    session->outgoing_len += len;
    return true;
}

/* Negotiated: what was held back goes out, in order. */
static bool session_ready(struct qmp_session *session)
{
    session->state = QMP_SESSION_READY;
    bool ok = outgoing_append(session, session->held, session->held_len);
    if (ok) {
        for (size_t i = 0; i < session->held_len; i++)
            session->commands_sent += session->held[i] == '\n';
    }
    session->held_len = 0;
    return ok;
}

static bool session_message(struct qmp_session *session, const char *text, size_t len)
{
    char detail[224];
    enum qmp_message_kind kind = qmp_message_classify(text, len, detail, sizeof detail);
    if (kind == QMP_MESSAGE_EVENT) {
        session->events_skipped++;
        return true;
    }
    switch (session->state) {
    case QMP_SESSION_GREETING:
        if (kind != QMP_MESSAGE_GREETING)
            return session_fail(session, "QMP: expected the greeting, got",
                                qmp_message_kind_name(kind));
        session->state = QMP_SESSION_NEGOTIATING;
        return outgoing_append(session, capabilities_command, sizeof capabilities_command - 1);
    case QMP_SESSION_NEGOTIATING:
        if (kind == QMP_MESSAGE_ERROR)
            return session_fail(session, "QMP refused qmp_capabilities", detail);
        if (kind != QMP_MESSAGE_RETURN)
            return session_fail(session, "QMP: expected qmp_capabilities' return, got",
                                qmp_message_kind_name(kind));
        return session_ready(session);
    case QMP_SESSION_READY:
        if (kind == QMP_MESSAGE_ERROR)
            return session_fail(session, "QMP refused a command", detail);
        if (kind != QMP_MESSAGE_RETURN)
            return session_fail(session, "QMP: unexpected message",
                                qmp_message_kind_name(kind));
        if (session->commands_answered == session->commands_sent)
            return session_fail(session, "QMP: an answer without a command", "");
        session->commands_answered++;
        memcpy(session->last_return, text, len);
        session->last_return[len] = '\0';
        return true;
    case QMP_SESSION_FAILED:
        return false;
    }
    return false;
}

bool qmp_session_feed(struct qmp_session *session, const char *bytes, size_t len)
{
    assert(session != NULL && (bytes != NULL || len == 0));
    for (size_t i = 0; i < len; i++) {
        if (session->state == QMP_SESSION_FAILED)
            return false;
        char c = bytes[i];
        if (c != '\n') {
            if (session->line_len + 1 >= sizeof session->line)
                return session_fail(session, "QMP: a line longer than QMP_LINE_MAX", "");
            session->line[session->line_len++] = c;
            continue;
        }
        size_t line_len = session->line_len;
        session->line_len = 0;
        while (line_len > 0 && session->line[line_len - 1] == '\r')
            line_len--;
        if (line_len == 0)
            continue;
        session->line[line_len] = '\0';
        if (!session_message(session, session->line, line_len))
            return false;
    }
    return session->state != QMP_SESSION_FAILED;
}

bool qmp_session_command(struct qmp_session *session, const char *json)
{
    assert(session != NULL && json != NULL);
    if (session->state == QMP_SESSION_FAILED)
        return false;
    size_t len = strlen(json);
    if (len == 0 || memchr(json, '\n', len) != NULL)
        return session_fail(session, "QMP: a command must be one non-empty line", "");
    if (session->state != QMP_SESSION_READY) {
        if (len + 2 > sizeof session->held - session->held_len)
            return session_fail(session, "QMP: too many commands before negotiation", "");
        memcpy(session->held + session->held_len, json, len);
        memcpy(session->held + session->held_len + len, "\r\n", 2);
        session->held_len += len + 2;
        return true;
    }
    if (len + 2 > sizeof session->outgoing - session->outgoing_len)
        return session_fail(session, "QMP commands queued faster than QEMU takes them", "");
    outgoing_append(session, json, len);
    outgoing_append(session, "\r\n", 2);
    session->commands_sent++;
    return true;
}

const char *qmp_session_outgoing(const struct qmp_session *session, size_t *out_len)
{
    *out_len = session->outgoing_len;
    return session->outgoing;
}

void qmp_session_sent(struct qmp_session *session, size_t len)
{
    assert(len <= session->outgoing_len);
    memmove(session->outgoing, session->outgoing + len, session->outgoing_len - len);
    session->outgoing_len -= len;
}

bool qmp_session_idle(const struct qmp_session *session)
{
    return session->state == QMP_SESSION_READY && session->held_len == 0 &&
           session->outgoing_len == 0 && session->commands_answered == session->commands_sent;
}
