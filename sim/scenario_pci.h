/*
 * scenario_pci.h - the PCI lines of a scenario (sim-internal): parsed by
 * scenario.c, built into the world's host bridge by world_pci.c. The
 * syntax is in duet/scenario.h; docs/PCI.md explains it.
 */
#ifndef DUET_SIM_SCENARIO_PCI_H
#define DUET_SIM_SCENARIO_PCI_H

#include <stdbool.h>
#include <stddef.h>

#include "duet/scenario.h"

/* Parses the value of a "pci" (bridge false) or "pci_bridge" line and
 * appends the function to out->pci, if the list with it still builds.
 * Any error leaves out->pci as it was. */
enum scenario_error scenario_pci_parse(struct scenario *out, const char *value, size_t length,
                                       bool bridge);

/* Powers pci on with the board's bus 0, adds the scenario's functions in
 * order and programs the bridges' bus numbers as firmware would. Returns
 * SCENARIO_OK, or the error of the first function that does not fit with
 * *out_index its index in scenario->pci. */
enum scenario_error scenario_pci_build(const struct scenario *scenario, struct pci_host *pci,
                                       size_t *out_index);

#endif
