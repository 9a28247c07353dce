/*
 * target_core_rpc.c - fuzz target "core_rpc": a hostile client against
 * core's services (LOG, ROM, IO_PORT, IRQ, PD, CPU, SIGNAL), init's parent
 * interface and routing, and two sibling servers (echo_server and the
 * timer, ECHO and TIMER routed to them by init's config).
 *
 * Input layout: byte 0-1 (little-endian) = length L of the action script,
 * the next L bytes = the script (ROM "actions", read by hostile_client),
 * every byte after that = the choice stream (thread interleavings). Any
 * byte string decodes: L is reduced to what is there.
 *
 * Oracles: during the run, every answer the client gets is a named error
 * (assertions in hostile_client.c); after the run, the world must have
 * reached quiescence within its budget with the client's closing line
 * printed by core, i.e. core and init survived and still serve.
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

void hostile_client_main(struct env *env);

void hostile_thread(struct env *env, void *arg);

static const component_thread_fn hostile_client_threads[] = {hostile_thread, NULL};

static const struct component_info core_rpc_components[] = {
    {.name = "hostile_client", .main = hostile_client_main, .threads = hostile_client_threads},
};

static const char core_rpc_config[] = "start hostile_client ram=1M caps=64 control\n"
                                      "start echo_server\n"
                                      "start timer ram=32K caps=16\n"
                                      "route ECHO echo_server\n"
                                      "route TIMER timer\n"
                                      "route IO_PORT parent\n"
                                      "route IRQ parent\n"
                                      "route PD parent\n"
                                      "route CPU parent\n"
                                      "route SIGNAL parent\n"
                                      "route RAM parent\n"
                                      "route RM parent\n";

enum { CORE_RPC_BUDGET_STEPS = 3000000 };

static void core_rpc_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_core_rpc");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> hostile_client] core and init survived");
    out->scenario.budget_steps = CORE_RPC_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", core_rpc_config, sizeof core_rpc_config - 1);

    const uint8_t *script = NULL;
    size_t script_len = 0;
    fuzz_input_split(data, size, SCENARIO_ROM_BYTES_MAX, &script, &script_len, out);
    scenario_set_rom(&out->scenario, "actions", script, script_len);
    out->components = core_rpc_components;
    out->component_count = sizeof core_rpc_components / sizeof core_rpc_components[0];
}

/* The scenario's success line is the oracle: see fuzz_target_execute. */
static const char *core_rpc_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_core_rpc = {
    .name = "core_rpc",
    .summary = "hostile client vs core's services, init's parent interface and routing, "
               "and a sibling ECHO server",
    .prepare = core_rpc_prepare,
    .check = core_rpc_check,
};
