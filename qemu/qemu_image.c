/*
 * qemu_image.c - the bare-metal image: where it is, and building it.
 *
 * Building runs the same two commands a developer would (README: the
 * baremetal preset), in the source tree, with their output on stderr so
 * that `duet qemu`'s stdout stays the run's report.
 */
#include "qemu_image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_source_dir(const char *dir)
{
    char path[PATH_MAX];
    struct stat info;
    int n = snprintf(path, sizeof path, "%s/CMakePresets.json", dir);
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &info) != 0)
        return false;
    n = snprintf(path, sizeof path, "%s/qemu/include/duet/qemu_run.h", dir);
    return n > 0 && (size_t)n < sizeof path && stat(path, &info) == 0;
}

bool qemu_image_source_dir(char *out_dir, size_t out_len)
{
    char dir[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (len > 0) {
        dir[len] = '\0';
        /* At most PATH_MAX levels; each drops one component. */
        for (char *slash = strrchr(dir, '/'); slash != NULL && slash != dir;
             slash = strrchr(dir, '/')) {
            *slash = '\0';
            if (is_source_dir(dir)) {
                snprintf(out_dir, out_len, "%s", dir);
                return strlen(dir) < out_len;
            }
        }
    }
#ifdef DUET_SOURCE_DIR
    if (is_source_dir(DUET_SOURCE_DIR)) {
        snprintf(out_dir, out_len, "%s", DUET_SOURCE_DIR);
        return strlen(DUET_SOURCE_DIR) < out_len;
    }
#endif
    return false;
}

/* Runs one command in `dir`, its stdout onto stderr; its exit status, or
 * -1 if it could not run. */
static int command_run(const char *dir, char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0 || dup2(2, 1) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool qemu_image_ensure(const char *source_dir, const char *image_path, bool may_build,
                       char *error, size_t error_len)
{
    struct stat info;
    if (stat(image_path, &info) == 0 && S_ISREG(info.st_mode))
        return true;
    if (!may_build) {
        snprintf(error, error_len, "no bare-metal image at %s", image_path);
        return false;
    }
    if (source_dir == NULL) {
        snprintf(error, error_len, "no bare-metal image at %s, and no source tree to build it in",
                 image_path);
        return false;
    }
    fprintf(stderr, "duet: no image at %s: building it (cmake --preset baremetal)\n",
            image_path);
    char *const configure[] = {"cmake", "--preset", "baremetal", NULL};
    char *const build[] = {"cmake", "--build", "--preset", "baremetal", NULL};
    int status = command_run(source_dir, configure);
    if (status == 0)
        status = command_run(source_dir, build);
    if (status != 0) {
        snprintf(error, error_len,
                 "building the image failed (cmake --preset baremetal / --build, in %s: %s)",
                 source_dir, status == 127 ? "cmake not found" : "see the output above");
        return false;
    }
    if (stat(image_path, &info) != 0) {
        snprintf(error, error_len, "the baremetal build finished without %s", image_path);
        return false;
    }
    return true;
}

void qemu_image_symbols_path(const char *image_path, char *out, size_t out_len)
{
    size_t len = strlen(image_path);
    static const char suffix[] = ".elf32";
    if (len > sizeof suffix - 1 && strcmp(image_path + len - (sizeof suffix - 1), suffix) == 0)
        snprintf(out, out_len, "%.*s.elf", (int)(len - (sizeof suffix - 1)), image_path);
    else
        snprintf(out, out_len, "%s", image_path);
}
