/*
 * rpc_bench_component.c - component "rpc_bench": N call+reply round trips
 * between itself and its parent, init, for the RPC benchmark (bench_rpc.c).
 *
 * Start: LOG session and the "rounds" ROM (bench_component_setup). Then N
 * times: sys_call on the parent capability with a full message (IPC_WORDS
 * words) whose opcode the parent interface does not have. init decodes it
 * (rpc_decode), refuses it with RPC_ERR_INVALID_OPCODE and replies -
 * exactly one call and one reply between two PDs, with the least server
 * work any request gets: no forwarding to core, no logging. Every answer
 * is checked. At the end it logs "rpc_bench: N round trips" (the
 * scenario's success line) and exits.
 *
 * Component "rpc_bench_echo" does the same through a session at a sibling
 * server: init routes ECHO to echo_server (framework/app/echo), and each
 * round trip is one ECHO_ADD (a 2-word request, a 1-word reply), decoded
 * and performed by the server.
 *
 * Framework component style: no globals, state in an env_alloc'd struct,
 * only the public framework API.
 */
#include "bench_component.h"
#include "duet/assert.h"
#include "duet/echo_session.h"
#include "duet/parent.h"

enum {
    RPC_BENCH_OPCODE = 0x3ff,      /* not in PARENT_RPCS: init refuses it */
};

/* The line both components log at the end: the scenario's success line. */
#define RPC_BENCH_SUCCESS_NAME "rpc_bench"

/* One round trip: a full request init refuses in its decode step. */
static void rpc_bench_round_trip(struct bench_component *bench, uint64_t round)
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

void rpc_bench_echo_main(struct env *env)
{
    struct bench_component *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    struct echo_connection echo;
    if (!bench_component_setup(bench, env) || echo_connection_open(env, &echo) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->rounds; round++) {
        uint64_t sum = 0;
        enum rpc_status status = echo_add(env, echo.cap, round, 1, &sum);
        DUET_ASSERT(status == RPC_OK && sum == round + 1);
    }
    bench_component_done(bench, RPC_BENCH_SUCCESS_NAME);
}

void rpc_bench_main(struct env *env)
{
    struct bench_component *bench = env_alloc(env, sizeof *bench);
    DUET_ASSERT(bench != NULL);
    if (!bench_component_setup(bench, env)) {
        parent_exit(env, 1);
        return;
    }
    for (uint64_t round = 0; round < bench->rounds; round++)
        rpc_bench_round_trip(bench, round);
    bench_component_done(bench, RPC_BENCH_SUCCESS_NAME);
}
