/*
 * qemu_launch.c - QEMU's command line, work directory, sockets and process
 * (qemu_launch.h).
 *
 * The machine (docs/QEMU.md): QEMU's pc under TCG with -icount shift=7,
 * sleep=off (deterministic, MACHINE_FACTS.md), -cpu max (the image keeps
 * the utcb in the FS base with FSGSBASE, docs/BAREMETAL.md), 256 MiB, no display, no
 * human monitor, no reboot (a triple fault ends the run); the image as
 * -kernel and the boot blob as -initrd (multiboot module 0); COM1 the
 * console, COM2 present but unconnected (-serial null: scenarios drive it
 * in loopback), COM3 the trace stream (both into files, see
 * qemu_launch.h), isa-debug-exit for the guest's exit status, and QMP on a
 * socket of its own.
 */
#define _GNU_SOURCE
#include "qemu_launch.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duet/trace_stream.h"

static bool args_add(struct qemu_argv *argv, const char *const *args, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!qemu_argv_add(argv, args[i]))
            return false;
    return true;
}

static bool arg_addf(struct qemu_argv *argv, const char *format, const char *value)
{
    char arg[QEMU_PATH_MAX + 64];
    int n = snprintf(arg, sizeof arg, format, value);
    return n > 0 && (size_t)n < sizeof arg && qemu_argv_add(argv, arg);
}

bool qemu_launch_argv(const struct qemu_launch_plan *plan, struct qemu_argv *argv, char *error,
                      size_t error_len)
{
    assert(plan != NULL && argv != NULL);
    /* -initrd splits its argument at commas (module list); QEMU's chardev
     * options do too. Refuse instead of quoting. */
    const char *paths[] = {plan->blob_path, plan->console_file, plan->trace_file,
                           plan->qmp_socket};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (strchr(paths[i], ',') != NULL) {
            snprintf(error, error_len, "a work path with a comma cannot be given to QEMU: %s",
                     paths[i]);
            return false;
        }
    }
    /* The pc machine as the sim's bus 0 has it (duet/qemu_devices.h). */
    static const char *const machine[] = {QEMU_DEVICES_BASE_MACHINE};
    static const char *const fixed[] = {
        "-accel", "tcg", "-cpu", "max", "-m", "256M",
        "-display", "none", "-monitor", "none", "-no-reboot",
    };
    char trace_device[96];
    snprintf(trace_device, sizeof trace_device, "isa-serial,chardev=duet_trace,iobase=0x%x,irq=%d",
             TRACE_STREAM_PORT, TRACE_STREAM_QEMU_IRQ);
    bool ok = qemu_argv_add(argv, plan->qemu_program) &&
              args_add(argv, machine, sizeof machine / sizeof machine[0]) &&
              args_add(argv, fixed, sizeof fixed / sizeof fixed[0]) &&
              qemu_argv_add(argv, "-icount") &&
              qemu_argv_add(argv, plan->disk ? "shift=7,sleep=on" : "shift=7,sleep=off") &&
              qemu_argv_add(argv, "-kernel") && qemu_argv_add(argv, plan->image_path) &&
              qemu_argv_add(argv, "-initrd") && qemu_argv_add(argv, plan->blob_path) &&
              qemu_argv_add(argv, "-chardev") &&
              arg_addf(argv, "file,id=duet_console,path=%s", plan->console_file) &&
              qemu_argv_add(argv, "-serial") && qemu_argv_add(argv, "chardev:duet_console") &&
              qemu_argv_add(argv, "-serial") && qemu_argv_add(argv, "null") &&
              qemu_argv_add(argv, "-chardev") &&
              arg_addf(argv, "file,id=duet_trace,path=%s", plan->trace_file) &&
              qemu_argv_add(argv, "-device") && qemu_argv_add(argv, trace_device) &&
              qemu_argv_add(argv, "-device") &&
              qemu_argv_add(argv, "isa-debug-exit,iobase=0xf4,iosize=0x04") &&
              qemu_argv_add(argv, "-chardev") &&
              arg_addf(argv, "socket,id=duet_qmp,path=%s,server=off", plan->qmp_socket) &&
              qemu_argv_add(argv, "-mon") && qemu_argv_add(argv, "chardev=duet_qmp,mode=control");
    if (ok && plan->gdb) {
        char port[32];
        snprintf(port, sizeof port, "%u",
                 plan->gdb_port != 0 ? plan->gdb_port : (unsigned)QEMU_DEFAULT_GDB_PORT);
        ok = qemu_argv_add(argv, "-gdb") && arg_addf(argv, "tcp::%s", port) &&
             qemu_argv_add(argv, "-S");
    }
    if (!ok)
        snprintf(error, error_len, "QEMU's command line does not fit (%d arguments, %d bytes)",
                 (int)QEMU_ARGV_MAX, (int)QEMU_ARG_BYTES);
    return ok;
}

bool qemu_launch_find_program(const char *program, char *out_path, size_t out_len)
{
    if (strchr(program, '/') != NULL) {
        snprintf(out_path, out_len, "%s", program);
        return access(program, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path != '\0') {
        const char *colon = strchr(path, ':');
        size_t dir_len = colon != NULL ? (size_t)(colon - path) : strlen(path);
        int n = snprintf(out_path, out_len, "%.*s/%s", (int)dir_len, dir_len ? path : ".",
                         program);
        if (n > 0 && (size_t)n < out_len && access(out_path, X_OK) == 0)
            return true;
        path += dir_len + (colon != NULL);
    }
    return false;
}

bool qemu_launch_work_dir_create(char *out_dir, size_t out_len, char *error, size_t error_len)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    int n = snprintf(out_dir, out_len, "%s/duet-qemu-XXXXXX", tmp);
    if (n < 0 || (size_t)n >= out_len) {
        snprintf(error, error_len, "the temporary directory's path is too long: %s", tmp);
        return false;
    }
    if (mkdtemp(out_dir) == NULL) {
        snprintf(error, error_len, "cannot make a work directory under %s: %s", tmp,
                 strerror(errno));
        return false;
    }
    return true;
}

void qemu_launch_work_dir_remove(const char *dir)
{
    DIR *listing = opendir(dir);
    if (listing != NULL) {
        struct dirent *entry;
        while ((entry = readdir(listing)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            char path[QEMU_PATH_MAX];
            int n = snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
            if (n > 0 && (size_t)n < sizeof path)
                unlink(path);
        }
        closedir(listing);
    }
    rmdir(dir);
}

int qemu_launch_listen(const char *path, char *error, size_t error_len)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path) {
        snprintf(error, error_len, "socket path longer than %zu bytes: %s",
                 sizeof address.sun_path - 1, path);
        return -1;
    }
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(fd, 1) != 0) {
        snprintf(error, error_len, "cannot listen on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* In the child: only async-signal-safe calls until exec. */
static _Noreturn void child_exec(const struct qemu_argv *argv, int log_fd, int report_fd)
{
    /* An ignored signal stays ignored across exec: QEMU gets Ctrl-C back. */
    struct sigaction default_action = {.sa_handler = SIG_DFL};
    sigemptyset(&default_action.sa_mask);
    sigaction(SIGINT, &default_action, NULL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) {
        int error = errno;
        (void)!write(report_fd, &error, sizeof error);
        _exit(127);
    }
    execv(argv->arg[0], (char *const *)argv->arg);
    int error = errno;
    (void)!write(report_fd, &error, sizeof error);
    _exit(127);
}

pid_t qemu_launch_spawn(const struct qemu_argv *argv, const char *log_path, char *error,
                        size_t error_len)
{
    assert(argv->count > 0 && argv->arg[argv->count] == NULL);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int report[2] = {-1, -1};
    if (log_fd < 0 || pipe2(report, O_CLOEXEC) != 0) {
        snprintf(error, error_len, "cannot prepare QEMU's log %s: %s", log_path,
                 strerror(errno));
        if (log_fd >= 0)
            close(log_fd);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        child_exec(argv, log_fd, report[1]);
    int fork_error = errno;
    close(log_fd);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        snprintf(error, error_len, "cannot fork: %s", strerror(fork_error));
        return -1;
    }
    /* The pipe closes on a successful exec: 0 bytes. Else the errno. */
    int exec_error = 0;
    ssize_t got;
    do {
        got = read(report[0], &exec_error, sizeof exec_error);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof exec_error) {
        waitpid(pid, NULL, 0);
        snprintf(error, error_len, "cannot start %s: %s", argv->arg[0], strerror(exec_error));
        return -1;
    }
    return pid;
}

void qemu_launch_last_line(const char *path, char *out, size_t out_len)
{
    assert(out_len > 0);
    out[0] = '\0';
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return;
    char line[512];
    /* QEMU's warnings come first, the reason it stopped last. */
    for (int lines = 0; lines < 10000 && fgets(line, sizeof line, file) != NULL; lines++) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            snprintf(out, out_len, "%s", line);
    }
    fclose(file);
}
