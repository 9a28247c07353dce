/*
 * fake_qemu.c - a stand-in for qemu-system-x86_64 for the runner's end to
 * end test: it takes the runner's command line, writes the console and
 * trace files and connects to the QMP socket as QEMU does, checks the boot
 * blob, and plays one
 * of a few canned guests chosen by FAKE_QEMU_MODE:
 *   pass        negotiate QMP, print the demo's success line, HELLO, a few
 *               events, WORLD_END(pass), END, exit status 3 (debug-exit 1)
 *   no_line     the same without the success line
 *   fail        FAILURE "kernel: boom", WORLD_END(fail), END
 *   hang        HELLO, then nothing (the runner's timeout must fire)
 *   die         HELLO, one event, exit 0 (as a triple fault under -no-reboot)
 *   corrupt     pass, with one event's checksum broken on the line
 *   bad_arg     QEMU's complaint on stderr, exit 1, no trace at all
 *   version     HELLO with version 99
 *   input       asks for input 0 (demo.scn has none)
 *   linger      pass, but does not exit after END (the runner kills it)
 *   keys        asks for every input the boot blob counts, one at a time:
 *               answers the runner's halt query "running" once, then
 *               "halted", then expects the input-send-event and the
 *               inject-nmi and answers them; then passes, printing
 *               "keys done"
 *   qmp_error   asks for input 0 and answers its command with an error
 * It is test code: it exits 2 with a message on anything unexpected.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "duet/boot_blob.h"
#include "duet/trace_stream_decode.h"
#include "hal/event.h"

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "fake_qemu: %s\n", what);
    exit(2);
}

static int connect_to(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path)
        die("socket path too long");
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
        die("cannot connect");
    return fd;
}

static int open_output(const char *path)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        die("cannot open a chardev file");
    return fd;
}

static void send_all(int fd, const void *bytes, size_t len)
{
    const char *p = bytes;
    while (len > 0) {
        ssize_t sent = write(fd, p, len);
        if (sent <= 0)
            die("send failed");
        p += sent;
        len -= (size_t)sent;
    }
}

static void send_record(int fd, uint16_t kind, uint64_t a0, const char *blob, bool corrupt)
{
    static uint64_t time_ns = 1000;
    static struct trace_stream_encoder encoder;
    uint8_t bytes[TRACE_STREAM_RECORD_MAX];
    uint64_t args[4] = {a0, 0, 0, 0};
    size_t len = trace_stream_encode(&encoder, kind, 1, 1, time_ns += 250, args, blob,
                                     blob ? strlen(blob) : 0, bytes, sizeof bytes);
    if (len == 0)
        die("record does not encode");
    if (corrupt)
        bytes[len - 1] ^= 0x11;
    send_all(fd, bytes, len);
}

/* Reads the QMP socket until a whole line containing `needle`, and drops
 * the lines up to it; what follows stays for the next call (the runner may
 * write several commands at once). */
static char qmp_buffer[8192];
static size_t qmp_used;

static void qmp_expect(int fd, const char *needle)
{
    for (;;) {
        qmp_buffer[qmp_used] = '\0';
        char *found = strstr(qmp_buffer, needle);
        char *end = found != NULL ? strchr(found, '\n') : NULL;
        if (end != NULL) {
            size_t rest = qmp_used - (size_t)(end + 1 - qmp_buffer);
            memmove(qmp_buffer, end + 1, rest);
            qmp_used = rest;
            return;
        }
        if (qmp_used + 1 >= sizeof qmp_buffer)
            die("QMP: too much without the expected command");
        ssize_t got = read(fd, qmp_buffer + qmp_used, sizeof qmp_buffer - 1 - qmp_used);
        if (got <= 0)
            die("QMP closed");
        qmp_used += (size_t)got;
    }
}

static uint32_t blob_inputs;   /* the boot blob's input_count */

static void check_blob(const char *path)
{
    FILE *file = fopen(path, "rb");
    uint8_t header[BOOT_BLOB_HEADER_BYTES];
    if (file == NULL || fread(header, 1, sizeof header, file) != sizeof header)
        die("cannot read the boot blob");
    fclose(file);
    if (memcmp(header, BOOT_BLOB_MAGIC, 8) != 0 || header[8] != BOOT_BLOB_VERSION)
        die("the boot blob has the wrong magic or version");
    blob_inputs = (uint32_t)header[20] | (uint32_t)header[21] << 8;
}

int main(int argc, char **argv)
{
    const char *mode = getenv("FAKE_QEMU_MODE");
    if (mode == NULL)
        die("FAKE_QEMU_MODE is not set");
    const char *paths[3] = {NULL, NULL, NULL};   /* console, trace, qmp */
    const char *names[3] = {"id=duet_console,", "id=duet_trace,", "id=duet_qmp,"};
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-initrd") == 0)
            check_blob(argv[i + 1]);
        if (strcmp(argv[i], "-chardev") != 0)
            continue;
        for (int c = 0; c < 3; c++) {
            const char *path = strstr(argv[i + 1], "path=");
            if (strstr(argv[i + 1], names[c]) != NULL && path != NULL) {
                static char copies[3][512];
                snprintf(copies[c], sizeof copies[c], "%.*s", (int)strcspn(path + 5, ","),
                         path + 5);
                paths[c] = copies[c];
            }
        }
    }
    if (strcmp(mode, "bad_arg") == 0) {
        fprintf(stderr, "qemu-system-x86_64: -device nosuch: 'nosuch' is not a valid device "
                        "model name\n");
        return 1;
    }
    if (paths[0] == NULL || paths[1] == NULL || paths[2] == NULL)
        die("missing a -chardev (console, trace or qmp)");
    int console = open_output(paths[0]), trace = open_output(paths[1]);
    int qmp = connect_to(paths[2]);
    static const char greeting[] = "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n";
    send_all(qmp, greeting, sizeof greeting - 1);
    qmp_expect(qmp, "qmp_capabilities");
    send_all(qmp, "{\"return\": {}}\r\n", 16);

    bool corrupt = strcmp(mode, "corrupt") == 0;
    send_record(trace, TRACE_STREAM_HELLO,
                strcmp(mode, "version") == 0 ? 99 : TRACE_STREAM_VERSION, NULL, false);
    send_record(trace, HAL_EVENT_BOOT, 3, NULL, false);
    if (strcmp(mode, "hang") == 0) {
        sleep(600);
        return 0;
    }
    if (strcmp(mode, "die") == 0)
        return 0;
    if (strcmp(mode, "keys") == 0 || strcmp(mode, "qmp_error") == 0) {
        bool refuse = strcmp(mode, "qmp_error") == 0;
        for (uint32_t i = 0; i < blob_inputs; i++) {
            send_record(trace, TRACE_STREAM_INPUT_REQUEST, i, NULL, false);
            /* The runner waits for a halted CPU: not yet, then halted. */
            static const char running[] = "{\"return\": \"EIP=00101000 HLT=0\\r\\n\"}\r\n";
            static const char halted[] = "{\"return\": \"EIP=00101002 HLT=1\\r\\n\"}\r\n";
            qmp_expect(qmp, "\"human-monitor-command\"");
            send_all(qmp, running, sizeof running - 1);
            qmp_expect(qmp, "\"human-monitor-command\"");
            send_all(qmp, halted, sizeof halted - 1);
            qmp_expect(qmp, "\"input-send-event\"");
            if (refuse) {
                static const char error[] = "{\"error\": {\"class\": \"GenericError\", "
                                            "\"desc\": \"VM not running\"}}\r\n";
                send_all(qmp, error, sizeof error - 1);
                sleep(600);   /* the runner must kill us */
                return 0;
            }
            send_all(qmp, "{\"return\": {}}\r\n", 16);
            qmp_expect(qmp, "\"inject-nmi\"");
            send_all(qmp, "{\"return\": {}}\r\n", 16);
        }
        send_all(console, "keys done\n", 10);
        send_record(trace, HAL_EVENT_WORLD_END, 0, NULL, false);
        send_record(trace, TRACE_STREAM_END, 0, NULL, false);
        return 3;
    }
    if (strcmp(mode, "input") == 0) {
        send_record(trace, TRACE_STREAM_INPUT_REQUEST, 0, NULL, false);
        sleep(600);
        return 0;
    }
    send_record(trace, HAL_EVENT_LOG, 1, "[init] all 2 children exited", corrupt);
    if (strcmp(mode, "no_line") != 0) {
        static const char line[] = "[hello] hi\n[init] all 2 children exited\n";
        send_all(console, line, sizeof line - 1);
    }
    uint64_t outcome = 0;
    if (strcmp(mode, "fail") == 0) {
        send_record(trace, HAL_EVENT_FAILURE, 2, "kernel: boom", false);
        outcome = 2;
    }
    send_record(trace, HAL_EVENT_WORLD_END, outcome, NULL, false);
    send_record(trace, TRACE_STREAM_END, outcome, NULL, false);
    if (strcmp(mode, "linger") == 0)
        sleep(600);
    return 3;
}
