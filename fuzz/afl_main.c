/*
 * afl_main.c - AFL++ persistent-mode driver for a Duet fuzz target.
 *
 * Built with afl-clang-fast, __AFL_LOOP runs many inputs per process and
 * the input arrives in shared memory (__AFL_FUZZ_TESTCASE_BUF). Built with
 * a plain compiler the same file reads one input from stdin or from each
 * file named on the command line, which is how the tests exercise it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h> /* read(), used by the AFL++ macros */

#include "duet/fuzz_target.h"
#include "fuzz_driver.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(int argc, char **argv)
{
    fuzz_driver_init();
#ifdef __AFL_FUZZ_TESTCASE_LEN
    (void)argc;
    (void)argv;
    __AFL_INIT();
    unsigned char *buffer = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) {
        size_t length = (size_t)__AFL_FUZZ_TESTCASE_LEN;
        fuzz_driver_one(buffer, length);
    }
#else
    static unsigned char buffer[FUZZ_INPUT_MAX];
    if (argc < 2) {
        fuzz_driver_one(buffer, fread(buffer, 1, sizeof buffer, stdin));
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (file == NULL) {
            fprintf(stderr, "afl driver: cannot open %s\n", argv[i]);
            return 2;
        }
        size_t length = fread(buffer, 1, sizeof buffer, file);
        fclose(file);
        fuzz_driver_one(buffer, length);
    }
    printf("afl driver: %d inputs, no oracle violated\n", argc - 1);
#endif
    return 0;
}
