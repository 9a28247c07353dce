/*
 * bench_component.c - what every bench component does first and last
 * (bench_component.h).
 *
 *   bench_component_setup   LOG session and the "rounds" ROM, both
 *                           through the parent like any component; N is
 *                           decimal digits up to an optional newline
 *   ... the component's N rounds ...
 *   bench_component_done    logs "<name>: N round trips" (the scenario's
 *                           success line, bench_world.c) and exits
 *
 * Framework component style: no globals, state in the caller's
 * env_alloc'd struct, only the public framework API.
 */
#include "bench_component.h"

#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/text.h"

enum { ROUNDS_DIGITS_MAX = 8 };

/* Decimal digits up to an optional newline; nothing else. */
static bool rounds_parse(const uint8_t *text, size_t length, uint64_t *out_rounds)
{
    uint64_t rounds = 0;
    size_t digits = 0;
    for (size_t i = 0; i < length && text[i] != '\n'; i++) {
        if (text[i] < '0' || text[i] > '9' || digits == ROUNDS_DIGITS_MAX)
            return false;
        rounds = rounds * 10 + (uint64_t)(text[i] - '0');
        digits++;
    }
    if (digits == 0 || rounds > BENCH_ROUNDS_MAX)
        return false;
    *out_rounds = rounds;
    return true;
}

bool bench_component_setup(struct bench_component *bench, struct env *env)
{
    DUET_ASSERT(bench != NULL && env != NULL);
    struct rom_connection rom;
    size_t length = 0;
    bench->env = env;
    if (log_connection_open(env, &bench->log) != RPC_OK)
        return false;
    enum rpc_status status = rom_connection_open(env, "rounds", &rom);
    if (status == RPC_OK)
        status = rom_read_all(env, rom.cap, bench->rounds_text, sizeof bench->rounds_text,
                              &length);
    return status == RPC_OK && rounds_parse(bench->rounds_text, length, &bench->rounds);
}

void bench_component_done(struct bench_component *bench, const char *name)
{
    DUET_ASSERT(bench->env != NULL && name != NULL);
    char line[64];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append(&text, name);
    text_append(&text, ": ");
    text_append_u64(&text, bench->rounds);
    text_append(&text, " round trips");
    enum rpc_status status = log_write(bench->env, bench->log.cap, line);
    DUET_ASSERT(status == RPC_OK);
    parent_exit(bench->env, 0);
}
