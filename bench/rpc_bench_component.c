/*
 * rpc_bench_component.c - component "rpc_bench": N call+reply round trips
 * between itself and its parent, init, for the RPC benchmark (bench_rpc.c).
 *
 * Start: LOG session and the "rounds" ROM (a decimal N), both through the
 * parent like any component. Then N times: sys_call on the parent
 * capability with a full message (IPC_WORDS words = 64 bytes) whose opcode
 * the parent interface does not have. init decodes it (rpc_decode), refuses
 * it with RPC_ERR_INVALID_OPCODE and replies - exactly one call and one
 * reply between two PDs, with the least server work any request gets: no
 * forwarding to core, no logging. Every answer is checked. At the end it
 * logs "rpc_bench: N round trips" (the scenario's success line) and exits.
 *
 * Component "rpc_bench_echo" does the same through a session at a sibling
 * server: init routes ECHO to echo_server (framework/app/echo), and each
 * round trip is one ECHO_ADD (a 2-word request, a 1-word reply), decoded
 * and performed by the server.
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench.h"
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/text.h"

enum {
    RPC_BENCH_ROUNDS_TEXT_MAX = 32,
    RPC_BENCH_OPCODE = 0x3ff,      /* not in PARENT_RPCS: init refuses it */
};

struct rpc_bench {
    struct env *env;
    struct log_connection log;
    uint8_t rounds_text[RPC_BENCH_ROUNDS_TEXT_MAX];
    uint64_t rounds;
};

/* Decimal digits up to an optional newline; nothing else. */
static bool rounds_parse(const uint8_t *text, size_t length, uint64_t *out_rounds)
{
    uint64_t rounds = 0;
    size_t digits = 0;
    for (size_t i = 0; i < length && text[i] != '\n'; i++) {
        if (text[i] < '0' || text[i] > '9' || digits == 8)
            return false;
        rounds = rounds * 10 + (uint64_t)(text[i] - '0');
        digits++;
    }
    if (digits == 0 || rounds > RPC_BENCH_ROUNDS_MAX)
        return false;
    *out_rounds = rounds;
    return true;
}

static bool rpc_bench_setup(struct rpc_bench *bench)
{
    struct rom_connection rom;
    size_t length = 0;
    if (log_connection_open(bench->env, &bench->log) != RPC_OK)
        return false;
    enum rpc_status status = rom_connection_open(bench->env, "rounds", &rom);
    if (status == RPC_OK)
        status = rom_read_all(bench->env, rom.cap, bench->rounds_text, sizeof bench->rounds_text,
                              &length);
    return status == RPC_OK && rounds_parse(bench->rounds_text, length, &bench->rounds);
}

/* One round trip: a 64-byte request init refuses in its decode step. */
static void rpc_bench_round_trip(struct rpc_bench *bench, uint64_t round)
{
    struct ipc_message *message = ipc_buffer();
    *message = (struct ipc_message){.label = RPC_BENCH_OPCODE, .word_count = IPC_WORDS};
    for (unsigned w = 0; w < IPC_WORDS; w++)
        message->word[w] = round + w;
    enum sys_error error = sys_call(bench->env->parent, message);
    DUET_ASSERT(error == SYS_OK);
    DUET_ASSERT(message->label == RPC_ERR_INVALID_OPCODE);
    DUET_ASSERT(message->word_count == 0 && message->cap == CAP_INDEX_INVALID);
}

static void rpc_bench_done(struct rpc_bench *bench)
{
    char line[64];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, "rpc_bench: ");
    text_append_u64(&text, bench->rounds);
    text_append(&text, " round trips");
    enum rpc_status status = log_write(bench->env, bench->log.cap, line);
    DUET_ASSERT(status == RPC_OK);
    parent_exit(bench->env, 0);
}

void rpc_bench_echo_main(struct env *env)
{
    struct rpc_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    bench->env = env;
    struct echo_connection echo;
    if (!rpc_bench_setup(bench) || echo_connection_open(env, &echo) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->rounds; round++) {
        uint64_t sum = 0;
        enum rpc_status status = echo_add(env, echo.cap, round, 1, &sum);
        DUET_ASSERT(status == RPC_OK && sum == round + 1);
    }
    rpc_bench_done(bench);
}

void rpc_bench_main(struct env *env)
{
    struct rpc_bench *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    bench->env = env;
    if (!rpc_bench_setup(bench)) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->rounds; round++)
        rpc_bench_round_trip(bench, round);
    rpc_bench_done(bench);
}
