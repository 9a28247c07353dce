/*
 * test_qemu_argv.c - QEMU's command line as the runner builds it: every
 * part of the machine docs/QEMU.md promises is there with its exact
 * value, gdb adds its stub and -S, and paths QEMU would split are refused.
 */
#include <stdio.h>
#include <string.h>

#include "qemu_image.h"
#include "qemu_launch.h"
#include "test_check.h"

/* The index of the argument following `option`'s first occurrence whose
 * value starts with `value_prefix` (NULL: any); -1 if none. */
static int option_index(const struct qemu_argv *argv, const char *option,
                        const char *value_prefix)
{
    for (size_t i = 0; i + 1 < argv->count; i++) {
        if (strcmp(argv->arg[i], option) != 0)
            continue;
        if (value_prefix == NULL ||
            strncmp(argv->arg[i + 1], value_prefix, strlen(value_prefix)) == 0)
            return (int)i + 1;
    }
    return -1;
}

static void check_value(const struct qemu_argv *argv, const char *option, const char *value)
{
    int at = option_index(argv, option, value);
    CHECK(at > 0);
    CHECK(strcmp(argv->arg[at], value) == 0);
}

static const struct qemu_launch_plan plan = {
    .qemu_program = "/usr/bin/qemu-system-x86_64",
    .image_path = "/src/build/baremetal/duet.elf32",
    .blob_path = "/tmp/duet-qemu-x/boot.blob",
    .console_file = "/tmp/duet-qemu-x/console.txt",
    .trace_file = "/tmp/duet-qemu-x/trace.bin",
    .qmp_socket = "/tmp/duet-qemu-x/qmp.sock",
};

static struct qemu_argv argv;

static void test_machine(void)
{
    char error[256] = "";
    qemu_argv_init(&argv);
    CHECK(qemu_launch_argv(&plan, &argv, error, sizeof error));
    CHECK(argv.arg[argv.count] == NULL);
    CHECK(strcmp(argv.arg[0], plan.qemu_program) == 0);
    check_value(&argv, "-machine", "pc");
    check_value(&argv, "-accel", "tcg");
    check_value(&argv, "-cpu", "max");
    check_value(&argv, "-icount", "shift=7,sleep=off");
    check_value(&argv, "-m", "256M");
    check_value(&argv, "-display", "none");
    check_value(&argv, "-monitor", "none");
    check_value(&argv, "-kernel", plan.image_path);
    check_value(&argv, "-initrd", plan.blob_path);
    /* Files, never sockets, for what the guest writes (qemu_launch.h). */
    check_value(&argv, "-chardev", "file,id=duet_console,path=/tmp/duet-qemu-x/console.txt");
    check_value(&argv, "-chardev", "file,id=duet_trace,path=/tmp/duet-qemu-x/trace.bin");
    check_value(&argv, "-chardev", "socket,id=duet_qmp,path=/tmp/duet-qemu-x/qmp.sock,"
                                   "server=off");
    check_value(&argv, "-device", "isa-serial,chardev=duet_trace,iobase=0x3e8,irq=5");
    check_value(&argv, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
    check_value(&argv, "-mon", "chardev=duet_qmp,mode=control");
    /* COM1 is the console and COM2 exists: the first two -serial, in order. */
    int com1 = option_index(&argv, "-serial", NULL);
    CHECK(com1 > 0 && strcmp(argv.arg[com1], "chardev:duet_console") == 0);
    CHECK(com1 + 2 < (int)argv.count && strcmp(argv.arg[com1 + 1], "-serial") == 0);
    CHECK(strcmp(argv.arg[com1 + 2], "null") == 0);
    int no_reboot = 0, gdb = 0;
    for (size_t i = 0; i < argv.count; i++) {
        no_reboot += strcmp(argv.arg[i], "-no-reboot") == 0;
        gdb += strcmp(argv.arg[i], "-S") == 0 || strcmp(argv.arg[i], "-gdb") == 0 ||
               strcmp(argv.arg[i], "-s") == 0;
        CHECK(strcmp(argv.arg[i], "-enable-kvm") != 0);
    }
    CHECK(no_reboot == 1 && gdb == 0);
}

static void test_gdb(void)
{
    char error[256] = "";
    struct qemu_launch_plan with_gdb = plan;
    with_gdb.gdb = true;
    qemu_argv_init(&argv);
    CHECK(qemu_launch_argv(&with_gdb, &argv, error, sizeof error));
    check_value(&argv, "-gdb", "tcp::1234");
    CHECK(strcmp(argv.arg[argv.count - 1], "-S") == 0);
    with_gdb.gdb_port = 4321;
    qemu_argv_init(&argv);
    CHECK(qemu_launch_argv(&with_gdb, &argv, error, sizeof error));
    check_value(&argv, "-gdb", "tcp::4321");

    char symbols[256];
    qemu_image_symbols_path("/src/build/baremetal/duet.elf32", symbols, sizeof symbols);
    CHECK(strcmp(symbols, "/src/build/baremetal/duet.elf") == 0);
    qemu_image_symbols_path("kernel.bin", symbols, sizeof symbols);
    CHECK(strcmp(symbols, "kernel.bin") == 0);
}

static void test_refusals(void)
{
    char error[256] = "";
    struct qemu_launch_plan comma = plan;
    comma.blob_path = "/tmp/a,b/boot.blob";
    qemu_argv_init(&argv);
    CHECK(!qemu_launch_argv(&comma, &argv, error, sizeof error));
    CHECK(strstr(error, "comma") != NULL);
    /* A vector with no room left: refused, by message. */
    qemu_argv_init(&argv);
    while (qemu_argv_add(&argv, "-x")) {
    }
    CHECK(!qemu_launch_argv(&plan, &argv, error, sizeof error));
    CHECK(strstr(error, "does not fit") != NULL);
}

static void test_program_lookup(void)
{
    char path[512];
    CHECK(qemu_launch_find_program("sh", path, sizeof path));
    CHECK(path[0] == '/');
    CHECK(!qemu_launch_find_program("duet-no-such-program-here", path, sizeof path));
    CHECK(!qemu_launch_find_program("/nonexistent/qemu-system-x86_64", path, sizeof path));
}

int main(void)
{
    test_machine();
    test_gdb();
    test_refusals();
    test_program_lookup();
    printf("test_qemu_argv: ok\n");
    return 0;
}
