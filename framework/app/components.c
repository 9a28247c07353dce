/*
 * components.c - the table of components every image contains.
 */
#include "duet/components.h"

static const struct component_info components[] = {
    {"core", core_main},
    {"init", init_main},
    {"hello", hello_main},
    {"rom_reader", rom_reader_main},
    {"cap_test", cap_test_main},
    {"io_intruder", io_intruder_main},
    {"frame_intruder", frame_intruder_main},
    {"pd_test", pd_test_main},
    {"quitter", quitter_main},
    {"echo_server", echo_server_main},
    {"echo_client", echo_client_main},
    {"quota_test", quota_test_main},
    {"serial_test", serial_test_main},
    {"io_after_close", io_after_close_main},
    {"controller", controller_main},
    {"bad_server", bad_server_main},
    {"bad_client", bad_client_main},
};

const struct component_info *framework_components(size_t *count)
{
    *count = DUET_ARRAY_COUNT(components);
    return components;
}
