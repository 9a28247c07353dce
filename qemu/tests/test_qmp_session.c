/*
 * test_qmp_session.c - QMP answers as QEMU 7.2 writes them (canned
 * strings), the negotiation, commands held until negotiated, answers
 * matched in order, refusals named, and malformed lines refused.
 */
#include <stdio.h>
#include <string.h>

#include "duet/qmp_session.h"
#include "test_check.h"

static const char greeting[] =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
    "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18\"}, \"capabilities\": [\"oob\"]}}\r\n";
static const char event_line[] =
    "{\"timestamp\": {\"seconds\": 1763733600, \"microseconds\": 123456}, "
    "\"event\": \"RESUME\"}\r\n";
static const char error_line[] =
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter 'qcode' "
    "\\\"x\\\"\"}}\r\n";

static void check_classify(const char *text, enum qmp_message_kind expected,
                           const char *expected_detail)
{
    char detail[160];
    enum qmp_message_kind kind = qmp_message_classify(text, strlen(text), detail, sizeof detail);
    if (kind != expected)
        fprintf(stderr, "classify %s: got %s\n", text, qmp_message_kind_name(kind));
    CHECK(kind == expected);
    if (expected_detail != NULL)
        CHECK(strcmp(detail, expected_detail) == 0);
}

static void test_classify(void)
{
    check_classify(greeting, QMP_MESSAGE_GREETING, "");
    check_classify("{\"return\": {}}", QMP_MESSAGE_RETURN, "");
    check_classify("{\"return\": [{\"name\": \"x}\"}, 1, true, null]}", QMP_MESSAGE_RETURN, "");
    check_classify("  {\"return\":{\"a\":\"\\\"}\"}}  ", QMP_MESSAGE_RETURN, "");
    check_classify(event_line, QMP_MESSAGE_EVENT, "RESUME");
    check_classify("{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": "
                   "\"guest-shutdown\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}",
                   QMP_MESSAGE_EVENT, "SHUTDOWN");
    check_classify(error_line, QMP_MESSAGE_ERROR,
                   "GenericError: Invalid parameter 'qcode' \"x\"");
    /* Recorded from qemu-system-x86_64 7.2: a bad qcode, input while
     * stopped (-S, under gdb). */
    check_classify("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'data' "
                   "does not accept value 'nosuch'\"}}\r\n",
                   QMP_MESSAGE_ERROR,
                   "GenericError: Parameter 'data' does not accept value 'nosuch'");
    check_classify("{\"error\": {\"class\": \"GenericError\", \"desc\": \"VM not running\"}}",
                   QMP_MESSAGE_ERROR, "GenericError: VM not running");
    check_classify("{\"error\": {\"desc\": \"no class\"}}", QMP_MESSAGE_ERROR,
                   "(no class): no class");
    check_classify("{\"id\": 3, \"return\": 7}", QMP_MESSAGE_RETURN, "");
    /* Malformed: refused, never guessed. */
    const char *bad[] = {
        "", "return", "[1,2]", "{", "{\"return\"", "{\"return\": }", "{\"return\": {}",
        "{\"return\": {}} {\"return\": {}}", "{\"return\": 1, \"error\": {}}",
        "{\"something\": 1}", "{}", "{\"error\": \"a string\"}", "{\"return\": \"unterminated}",
        "{return: 1}", "{\"return\" 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_classify(bad[i], QMP_MESSAGE_MALFORMED, NULL);
    /* Not NUL-terminated: only `len` bytes are looked at. */
    const char text[] = "{\"return\": {}}garbage";
    CHECK(qmp_message_classify(text, 14, NULL, 0) == QMP_MESSAGE_RETURN);
    CHECK(qmp_message_classify(text, 13, NULL, 0) == QMP_MESSAGE_MALFORMED);
}

static void take_outgoing(struct qmp_session *session, char *out, size_t out_len)
{
    size_t len = 0;
    const char *bytes = qmp_session_outgoing(session, &len);
    CHECK(len < out_len);
    memcpy(out, bytes, len);
    out[len] = '\0';
    qmp_session_sent(session, len);
}

static struct qmp_session session;

static void test_session(void)
{
    char out[1024];
    qmp_session_init(&session);
    /* A command before negotiation is held back. */
    CHECK(qmp_session_command(&session, "{\"execute\":\"send-key\",\"arguments\":{}}"));
    take_outgoing(&session, out, sizeof out);
    CHECK(out[0] == '\0');
    /* The greeting, split in two reads. */
    CHECK(qmp_session_feed(&session, greeting, 20));
    CHECK(session.state == QMP_SESSION_GREETING);
    CHECK(qmp_session_feed(&session, greeting + 20, strlen(greeting) - 20));
    CHECK(session.state == QMP_SESSION_NEGOTIATING);
    take_outgoing(&session, out, sizeof out);
    CHECK(strcmp(out, "{\"execute\":\"qmp_capabilities\"}\r\n") == 0);
    CHECK(qmp_session_feed(&session, event_line, strlen(event_line)));
    CHECK(qmp_session_feed(&session, "{\"return\": {}}\r\n", 16));
    CHECK(session.state == QMP_SESSION_READY);
    take_outgoing(&session, out, sizeof out);
    CHECK(strcmp(out, "{\"execute\":\"send-key\",\"arguments\":{}}\r\n") == 0);
    CHECK(!qmp_session_idle(&session));
    CHECK(qmp_session_command(&session, "{\"execute\":\"input-send-event\"}"));
    CHECK(qmp_session_feed(&session, "{\"return\": {}}\r\n{\"return\": {}}\n", 31));
    CHECK(session.commands_sent == 2 && session.commands_answered == 2);
    CHECK(session.events_skipped == 1);
    take_outgoing(&session, out, sizeof out);
    CHECK(qmp_session_idle(&session));
    /* One answer too many. */
    CHECK(!qmp_session_feed(&session, "{\"return\": {}}\r\n", 16));
    CHECK(session.state == QMP_SESSION_FAILED);
    CHECK(strstr(session.failure, "without a command") != NULL);
    CHECK(!qmp_session_command(&session, "{}"));
}

static void test_refusals(void)
{
    char out[1024];
    qmp_session_init(&session);
    CHECK(qmp_session_feed(&session, greeting, strlen(greeting)));
    CHECK(qmp_session_feed(&session, "{\"return\": {}}\r\n", 16));
    take_outgoing(&session, out, sizeof out);
    CHECK(qmp_session_command(&session, "{\"execute\":\"send-key\"}"));
    CHECK(!qmp_session_feed(&session, error_line, strlen(error_line)));
    CHECK(strcmp(session.failure,
                 "QMP refused a command: GenericError: Invalid parameter 'qcode' \"x\"") == 0);

    qmp_session_init(&session);
    CHECK(!qmp_session_feed(&session, "{\"return\": {}}\n", 15));
    CHECK(strstr(session.failure, "expected the greeting") != NULL);

    qmp_session_init(&session);
    CHECK(qmp_session_feed(&session, greeting, strlen(greeting)));
    CHECK(!qmp_session_feed(&session, "not json\n", 9));
    CHECK(strstr(session.failure, "QMP_MESSAGE_MALFORMED") != NULL);

    qmp_session_init(&session);
    CHECK(!qmp_session_command(&session, "two\nlines"));
    qmp_session_init(&session);
    static char long_line[QMP_LINE_MAX + 10];
    memset(long_line, ' ', sizeof long_line);
    CHECK(!qmp_session_feed(&session, long_line, sizeof long_line));
    CHECK(strstr(session.failure, "longer") != NULL);
    /* Too many held commands: refused, not overflowed. */
    qmp_session_init(&session);
    bool ok = true;
    for (int i = 0; i < 10000 && ok; i++)
        ok = qmp_session_command(&session, "{\"execute\":\"input-send-event\",\"arguments\":{}}");
    CHECK(!ok && session.state == QMP_SESSION_FAILED);
}

int main(void)
{
    test_classify();
    test_session();
    test_refusals();
    printf("test_qmp_session: ok\n");
    return 0;
}
