/*
 * unit_rpc.c - RPC decoding, string packing and status names
 * (framework/base/rpc.c, duet/rpc.h; sys_error_name from
 * framework/base/syscall.c).
 *
 * rpc_decode is the first thing a server runs on a client's message, so
 * each of its refusals is pinned against a small interface declared the
 * way real ones are (an X-macro list through RPC_INTERFACE_DEFINE):
 * unknown opcode, word count one below / one above the range, a capability
 * where none belongs and none where one is required; and decoding must
 * have no side effect when it refuses. String packing is checked at the
 * exact fit and one byte over, and unpacking must refuse words that hold
 * no NUL. The client stubs generated from the same list refuse what the
 * declaration does not allow before anything is sent. Every status and
 * system-call error has its own name, and values
 * out of range get the "..._UNKNOWN" name, never NULL.
 *
 * Build: rpc.c, syscall.c and string.c are compiled into this program
 * with hal_stub.c; syscall.c's stubs are never called (hal_kernel_entry
 * in the stub would fail the test), only sys_error_name is.
 */
#include <stdlib.h>

#include "duet/rpc.h"
#include "unit_check.h"

/* ---- a test interface, declared like a real one ----------------------- */

#define ECHO_INTERFACE(X)                                                      \
    X(ECHO_PING, 1, 0, 0, CAP_TYPE_NONE)          /* no words, no capability        */ \
    X(ECHO_WRITE, 2, 1, 4, CAP_TYPE_NONE)         /* 1..4 words                     */ \
    X(ECHO_GIVE_CAP, 7, 0, 2, CAP_TYPE_ENDPOINT)  /* an endpoint and up to 2 words  */ \
    X(ECHO_FULL, 9, IPC_WORDS, IPC_WORDS, CAP_TYPE_NONE)

enum echo_opcode { ECHO_INTERFACE(RPC_OPCODE_ENUM) };
RPC_INTERFACE_DEFINE(echo, "echo", ECHO_INTERFACE);

struct echo_cap { cap_index_t index; };
#define ECHO_STUB(...) RPC_CLIENT_STUB(call, struct echo_cap, __VA_ARGS__)
ECHO_INTERFACE(ECHO_STUB)

static const struct rpc_function sentinel_function = {"sentinel", 0, 0, 0, false};

static enum rpc_status decode(uint64_t label, uint32_t word_count, cap_index_t cap,
                              const struct rpc_function **out_function)
{
    /* As the kernel reports it: an attached capability here is an endpoint. */
    struct ipc_message message = {.label = label, .word_count = word_count, .cap = cap,
                                  .cap_type = cap != CAP_INDEX_INVALID ? CAP_TYPE_ENDPOINT
                                                                       : CAP_TYPE_NONE};
    *out_function = &sentinel_function;
    return rpc_decode(&echo_interface, &message, out_function);
}

static void expect_wrong_type(enum cap_type type)
{
    const struct rpc_function *function = &sentinel_function;
    struct ipc_message message = {.label = ECHO_GIVE_CAP, .cap = 5, .cap_type = type};
    enum rpc_status status = rpc_decode(&echo_interface, &message, &function);
    UNIT_CHECK(status == RPC_ERR_WRONG_CAP_TYPE && function == &sentinel_function,
               "give cap with a capability of type %d: got %s", (int)type,
               rpc_status_name(status));
}

static void expect_refused(uint64_t label, uint32_t word_count, cap_index_t cap,
                           enum rpc_status expected, const char *what)
{
    const struct rpc_function *function;
    enum rpc_status status = decode(label, word_count, cap, &function);
    UNIT_CHECK(status == expected, "%s: got %s, expected %s", what, rpc_status_name(status),
               rpc_status_name(expected));
    UNIT_CHECK(function == &sentinel_function, "%s: a refused decode wrote *out_function",
               what);
}

static void expect_decoded(uint64_t label, uint32_t word_count, cap_index_t cap,
                           const char *name, const char *what)
{
    const struct rpc_function *function;
    enum rpc_status status = decode(label, word_count, cap, &function);
    if (!UNIT_CHECK(status == RPC_OK, "%s: got %s, expected RPC_OK", what,
                    rpc_status_name(status)))
        return;
    UNIT_CHECK(function >= echo_functions &&
                   function < echo_functions + DUET_ARRAY_COUNT(echo_functions),
               "%s: *out_function is not an entry of the interface table", what);
    UNIT_CHECK_STR(function->name, name, what);
    UNIT_CHECK_U64(function->opcode, label, what);
}

static void test_generated_table(void)
{
    UNIT_CHECK_STR(echo_interface.name, "echo", "interface name");
    UNIT_CHECK_U64(echo_interface.function_count, 4, "function count");
    UNIT_CHECK_U64(ECHO_PING, 1, "ECHO_PING opcode");
    UNIT_CHECK_U64(ECHO_GIVE_CAP, 7, "ECHO_GIVE_CAP opcode");
    const struct rpc_function *write = &echo_functions[1];
    UNIT_CHECK(strcmp(write->name, "ECHO_WRITE") == 0 && write->opcode == ECHO_WRITE &&
                   write->words_min == 1 && write->words_max == 4 &&
                   write->cap_type == CAP_TYPE_NONE,
               "ECHO_WRITE table entry matches its X-macro line");
    UNIT_CHECK(echo_functions[2].cap_type == CAP_TYPE_ENDPOINT,
               "ECHO_GIVE_CAP takes an endpoint capability");
    for (int type = CAP_TYPE_PD; type < CAP_TYPE_COUNT; type++)
        expect_wrong_type((enum cap_type)type);
}

static void test_decode(void)
{
    expect_decoded(ECHO_PING, 0, CAP_INDEX_INVALID, "ECHO_PING", "ping");
    expect_decoded(ECHO_WRITE, 1, CAP_INDEX_INVALID, "ECHO_WRITE", "write, fewest words");
    expect_decoded(ECHO_WRITE, 4, CAP_INDEX_INVALID, "ECHO_WRITE", "write, most words");
    expect_decoded(ECHO_GIVE_CAP, 0, 5, "ECHO_GIVE_CAP", "give cap with a capability");
    expect_decoded(ECHO_GIVE_CAP, 2, CAP_SPACE_SLOTS - 1, "ECHO_GIVE_CAP", "give cap, 2 words");
    expect_decoded(ECHO_FULL, IPC_WORDS, CAP_INDEX_INVALID, "ECHO_FULL", "all IPC words");

    expect_refused(0, 0, CAP_INDEX_INVALID, RPC_ERR_INVALID_OPCODE, "opcode 0");
    expect_refused(3, 1, CAP_INDEX_INVALID, RPC_ERR_INVALID_OPCODE, "opcode in a gap");
    expect_refused(10, 0, CAP_INDEX_INVALID, RPC_ERR_INVALID_OPCODE, "opcode past the last");
    expect_refused(UINT64_MAX, 0, CAP_INDEX_INVALID, RPC_ERR_INVALID_OPCODE, "opcode ~0");
    expect_refused((UINT64_C(1) << 32) | ECHO_PING, 0, CAP_INDEX_INVALID,
                   RPC_ERR_INVALID_OPCODE, "opcode equal to PING in the low 32 bits only");
    expect_refused(42, 100, 9, RPC_ERR_INVALID_OPCODE,
                   "an unknown opcode is refused as such, whatever the rest");

    expect_refused(ECHO_WRITE, 0, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "write, one word below the range");
    expect_refused(ECHO_WRITE, 5, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "write, one word above the range");
    expect_refused(ECHO_PING, 1, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "ping with a word");
    expect_refused(ECHO_GIVE_CAP, 3, 5, RPC_ERR_INVALID_ARGUMENT, "give cap, 3 words");
    expect_refused(ECHO_FULL, IPC_WORDS - 1, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "full, one word short");
    expect_refused(ECHO_FULL, IPC_WORDS + 1, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "full, more words than a message holds");
    expect_refused(ECHO_WRITE, UINT32_MAX, CAP_INDEX_INVALID, RPC_ERR_INVALID_ARGUMENT,
                   "write, word count ~0");

    expect_refused(ECHO_PING, 0, 1, RPC_ERR_UNEXPECTED_CAP, "ping with a capability");
    expect_refused(ECHO_WRITE, 2, UINT32_MAX, RPC_ERR_UNEXPECTED_CAP,
                   "write with capability index ~0");
    expect_refused(ECHO_GIVE_CAP, 0, CAP_INDEX_INVALID, RPC_ERR_MISSING_CAP,
                   "give cap without a capability");
    expect_refused(ECHO_GIVE_CAP, 2, CAP_INDEX_INVALID, RPC_ERR_MISSING_CAP,
                   "give cap, words but no capability");
}

/* ---- string packing --------------------------------------------------- */

enum { WORDS = 2, CAPACITY = WORDS * RPC_STRING_BYTES_PER_WORD };

/* The generated client stubs refuse what the declaration does not allow
 * before any system call (hal_stub's kernel entry would fail the test),
 * and set the label from the declaration. */
static void test_client_stubs(void)
{
    struct echo_cap server = {5};
    struct ipc_message m = {.label = 77, .word_count = 0};
    UNIT_CHECK(call_ECHO_WRITE(server, &m) == RPC_ERR_INVALID_ARGUMENT,
               "stub: too few words refused");
    UNIT_CHECK(m.label == ECHO_WRITE, "stub: label set from the declaration");
    m = (struct ipc_message){.word_count = 5};
    UNIT_CHECK(call_ECHO_WRITE(server, &m) == RPC_ERR_INVALID_ARGUMENT,
               "stub: too many words refused");
    m = (struct ipc_message){.word_count = 1, .cap = 3};
    UNIT_CHECK(call_ECHO_WRITE(server, &m) == RPC_ERR_UNEXPECTED_CAP,
               "stub: a capability where none belongs refused");
    m = (struct ipc_message){.word_count = 0};
    UNIT_CHECK(call_ECHO_GIVE_CAP_with_cap(server, &m) == RPC_ERR_MISSING_CAP,
               "stub: a missing capability refused");
    m = (struct ipc_message){.word_count = IPC_WORDS - 1};
    UNIT_CHECK(call_ECHO_FULL(server, &m) == RPC_ERR_INVALID_ARGUMENT,
               "stub: a full message needs every word");
}

static void test_pack_string(void)
{
    uint64_t words[WORDS];
    char fifteen[CAPACITY];
    memset(fifteen, 'a', CAPACITY - 1);
    fifteen[CAPACITY - 1] = '\0';

    memset(words, 0xaa, sizeof words);
    UNIT_CHECK(rpc_pack_string(words, WORDS, fifteen), "pack: 15 bytes + NUL fit 2 words");
    UNIT_CHECK(memcmp(words, fifteen, CAPACITY) == 0, "pack: bytes in order, NUL last");

    memset(words, 0xaa, sizeof words);
    UNIT_CHECK(rpc_pack_string(words, WORDS, "hi"), "pack: short string");
    const uint8_t *bytes = (const uint8_t *)words;
    bool padded = bytes[0] == 'h' && bytes[1] == 'i';
    for (size_t i = 2; i < CAPACITY; i++)
        padded = padded && bytes[i] == 0;
    UNIT_CHECK(padded, "pack: the rest of the words is NUL padding");

    char sixteen[CAPACITY + 1];
    memset(sixteen, 'b', CAPACITY);
    sixteen[CAPACITY] = '\0';
    memset(words, 0xaa, sizeof words);
    UNIT_CHECK(!rpc_pack_string(words, WORDS, sixteen), "pack: 16 bytes + NUL do not fit");
    bytes = (const uint8_t *)words;
    bool untouched = true;
    for (size_t i = 0; i < CAPACITY; i++)
        untouched = untouched && bytes[i] == 0xaa;
    UNIT_CHECK(untouched, "pack: a refused string leaves the words untouched");

    UNIT_CHECK(rpc_pack_string(words, 1, ""), "pack: empty string into one word");
    UNIT_CHECK(words[0] == 0, "pack: empty string is one zero word");
    UNIT_CHECK(!rpc_pack_string(words, 0, ""), "pack: nothing fits into zero words");
}

/* Words on the heap, exactly word_count of them, so ASan sees any overread. */
static uint64_t *words_from_bytes(const void *bytes, size_t byte_count, size_t word_count)
{
    uint64_t *words = calloc(word_count, sizeof *words);
    if (words == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(words, bytes, byte_count);
    return words;
}

static void test_unpack_string(void)
{
    char out[CAPACITY + 8];

    uint64_t *words = words_from_bytes("fifteen-bytes!!", CAPACITY, WORDS);
    UNIT_CHECK(rpc_unpack_string(words, WORDS, out, sizeof out), "unpack: 15 bytes + NUL");
    UNIT_CHECK_STR(out, "fifteen-bytes!!", "unpack: round trip at exact fit");

    memset(out, 'X', sizeof out);
    UNIT_CHECK(rpc_unpack_string(words, WORDS, out, 16), "unpack: out exactly length + 1");
    UNIT_CHECK_STR(out, "fifteen-bytes!!", "unpack into an exact out buffer");
    memset(out, 'X', sizeof out);
    UNIT_CHECK(!rpc_unpack_string(words, WORDS, out, 15), "unpack: out one byte too small");
    UNIT_CHECK(out[0] == 'X', "unpack: a refused unpack leaves out untouched");
    UNIT_CHECK(!rpc_unpack_string(words, WORDS, out, 0), "unpack: out of size 0");
    free(words);

    char unterminated[CAPACITY];
    memset(unterminated, 'z', CAPACITY);
    words = words_from_bytes(unterminated, CAPACITY, WORDS);
    UNIT_CHECK(!rpc_unpack_string(words, WORDS, out, sizeof out),
               "unpack: 16 bytes without a NUL are refused");
    UNIT_CHECK(!rpc_unpack_string(words, 1, out, sizeof out),
               "unpack: one word without a NUL is refused");
    UNIT_CHECK(!rpc_unpack_string(words, 0, out, sizeof out), "unpack: zero words");
    free(words);

    words = words_from_bytes("", 1, 1);
    UNIT_CHECK(rpc_unpack_string(words, 1, out, 1), "unpack: empty string into 1 byte");
    UNIT_CHECK_STR(out, "", "unpack: empty string");
    free(words);

    uint64_t packed[IPC_WORDS];
    UNIT_CHECK(rpc_pack_string(packed, IPC_WORDS, "config"), "pack for round trip");
    UNIT_CHECK(rpc_unpack_string(packed, IPC_WORDS, out, sizeof out), "unpack round trip");
    UNIT_CHECK_STR(out, "config", "pack then unpack");

    uint8_t raw[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xfe, 0xff, 0};
    uint8_t raw_back[13];
    rpc_pack_bytes(packed, raw, sizeof raw);
    rpc_unpack_bytes(packed, raw_back, sizeof raw_back);
    UNIT_CHECK(memcmp(raw, raw_back, sizeof raw) == 0, "pack_bytes/unpack_bytes round trip");
}

/* ---- names ------------------------------------------------------------ */

#define RPC_STATUS_NAME_CASE(status) {status, #status},
#define SYS_ERROR_NAME_CASE(error) {error, #error},

struct name_case {
    unsigned value;
    const char *name;
};

static void test_status_names(void)
{
    static const struct name_case rpc_cases[] = {
        RPC_STATUS_NAME_CASE(RPC_OK) RPC_STATUS_NAME_CASE(RPC_ERR_INVALID_OPCODE)
        RPC_STATUS_NAME_CASE(RPC_ERR_INVALID_ARGUMENT) RPC_STATUS_NAME_CASE(RPC_ERR_UNEXPECTED_CAP)
        RPC_STATUS_NAME_CASE(RPC_ERR_MISSING_CAP) RPC_STATUS_NAME_CASE(RPC_ERR_INVALID_SESSION)
        RPC_STATUS_NAME_CASE(RPC_ERR_UNKNOWN_SERVICE)
        RPC_STATUS_NAME_CASE(RPC_ERR_INVALID_ARGS_STRING)
        RPC_STATUS_NAME_CASE(RPC_ERR_SESSION_LIMIT) RPC_STATUS_NAME_CASE(RPC_ERR_NO_SUCH_MODULE)
        RPC_STATUS_NAME_CASE(RPC_ERR_OUT_OF_RANGE) RPC_STATUS_NAME_CASE(RPC_ERR_TRANSPORT)
        RPC_STATUS_NAME_CASE(RPC_ERR_DENIED) RPC_STATUS_NAME_CASE(RPC_ERR_UNAVAILABLE)
        RPC_STATUS_NAME_CASE(RPC_ERR_SERVER_GONE) RPC_STATUS_NAME_CASE(RPC_ERR_OUT_OF_RAM)
        RPC_STATUS_NAME_CASE(RPC_ERR_OUT_OF_CAPS)
        RPC_STATUS_NAME_CASE(RPC_ERR_INSUFFICIENT_RAM_QUOTA)
        RPC_STATUS_NAME_CASE(RPC_ERR_INSUFFICIENT_CAP_QUOTA)
        RPC_STATUS_NAME_CASE(RPC_ERR_IN_USE) RPC_STATUS_NAME_CASE(RPC_ERR_WRONG_CAP_TYPE)
        RPC_STATUS_NAME_CASE(RPC_ERR_OUT_OF_RESOURCES)
        RPC_STATUS_NAME_CASE(RPC_ERR_REGION_CONFLICT)
        RPC_STATUS_NAME_CASE(RPC_ERR_INVALID_DATASPACE) RPC_STATUS_NAME_CASE(RPC_ERR_CYCLE)};
    UNIT_CHECK_U64(DUET_ARRAY_COUNT(rpc_cases), RPC_STATUS_COUNT,
                   "every rpc_status has a name case here (update this test)");
    for (size_t i = 0; i < DUET_ARRAY_COUNT(rpc_cases); i++)
        UNIT_CHECK_STR(rpc_status_name(rpc_cases[i].value), rpc_cases[i].name,
                       "rpc_status_name");
    static const uint64_t rpc_out_of_range[] = {RPC_STATUS_COUNT, RPC_STATUS_COUNT + 1, 1000,
                                                UINT32_MAX, UINT64_C(1) << 32, UINT64_MAX};
    for (size_t i = 0; i < DUET_ARRAY_COUNT(rpc_out_of_range); i++)
        UNIT_CHECK_STR(rpc_status_name(rpc_out_of_range[i]), "RPC_ERR_UNKNOWN",
                       "rpc_status_name(out of range)");

    static const struct name_case sys_cases[] = {
        SYS_ERROR_NAME_CASE(SYS_OK) SYS_ERROR_NAME_CASE(SYS_ERR_INVALID_SYSCALL)
        SYS_ERROR_NAME_CASE(SYS_ERR_INVALID_CAP) SYS_ERROR_NAME_CASE(SYS_ERR_WRONG_CAP_TYPE)
        SYS_ERROR_NAME_CASE(SYS_ERR_INVALID_ARGUMENT) SYS_ERROR_NAME_CASE(SYS_ERR_CAP_SPACE_FULL)
        SYS_ERROR_NAME_CASE(SYS_ERR_OUT_OF_RESOURCES)
        SYS_ERROR_NAME_CASE(SYS_ERR_NO_SUCH_COMPONENT)
        SYS_ERROR_NAME_CASE(SYS_ERR_NO_REPLY_PENDING)
        SYS_ERROR_NAME_CASE(SYS_ERR_SERVER_EXITED)
        SYS_ERROR_NAME_CASE(SYS_ERR_DENIED)
        SYS_ERROR_NAME_CASE(SYS_ERR_STALE_CAP)
        SYS_ERROR_NAME_CASE(SYS_ERR_CALL_DROPPED) SYS_ERROR_NAME_CASE(SYS_ERR_WOULD_BLOCK)};
    UNIT_CHECK_U64(DUET_ARRAY_COUNT(sys_cases), SYS_ERR_COUNT,
                   "every sys_error has a name case here (update this test)");
    for (size_t i = 0; i < DUET_ARRAY_COUNT(sys_cases); i++)
        UNIT_CHECK_STR(sys_error_name((enum sys_error)sys_cases[i].value), sys_cases[i].name,
                       "sys_error_name");
    static const int sys_out_of_range[] = {SYS_ERR_COUNT, SYS_ERR_COUNT + 1, 1000, -1};
    for (size_t i = 0; i < DUET_ARRAY_COUNT(sys_out_of_range); i++)
        UNIT_CHECK_STR(sys_error_name((enum sys_error)sys_out_of_range[i]), "SYS_ERR_UNKNOWN",
                       "sys_error_name(out of range)");
}

int main(void)
{
    test_generated_table();
    test_decode();
    test_client_stubs();
    test_pack_string();
    test_unpack_string();
    test_status_names();
    return unit_finish("unit_rpc");
}
