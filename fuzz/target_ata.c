/*
 * target_ata.c - fuzz target "ata": arbitrary disk images under the ATA
 * driver (framework/os/ata, on the DDE kit) and its client, with the
 * schedule from the input.
 *
 * Input layout as the other targets' (fuzz_input_split): bytes 0-1
 * (little-endian) = length L of the disk image (at most
 * ATA_TARGET_IMAGE_MAX bytes), the next L bytes = the image, every byte
 * after that = the choice stream (which thread runs at each system call,
 * and at which kernel entry each interrupt of the disk and the PIT is
 * taken). The disk is the IDE master with ceil(L / 512) sectors (at
 * least 1) holding the image; the same bytes are the client's ROM
 * "image". Any byte string decodes.
 *
 * Oracles: ata_fuzzer.c's assertions (every sector reads back as the
 * image, writes read back, bad requests answered by name, the absent
 * slave detected) and its success line, which needs every request
 * answered and the world quiescent within the step budget: a driver that
 * crashes, hangs or waits for an interrupt that never comes fails.
 */
#include <stdio.h>
#include <string.h>

#include "duet/fuzz_target.h"

void ata_fuzzer_main(struct env *env);

enum {
    ATA_TARGET_IMAGE_MAX = 8 * 512,      /* ata_fuzzer's ATA_FUZZ_IMAGE_MAX */
    ATA_TARGET_BUDGET_STEPS = 3000000,
};

static const struct component_info ata_components[] = {
    {.name = "ata_fuzzer", .main = ata_fuzzer_main},
};

static const char ata_config[] = "start timer ram=32K caps=16\n"
                                 "start ata ram=48K caps=24\n"
                                 "start ata_fuzzer ram=24K caps=12\n"
                                 "route IO_PORT parent\n"
                                 "route IRQ parent\n"
                                 "route CPU parent\n"
                                 "route SIGNAL parent\n"
                                 "route TIMER timer\n"
                                 "route BLOCK ata\n";

static const char ata_policy[] = "writeable=yes\n";

static void ata_prepare(const uint8_t *data, size_t size, struct fuzz_run *out)
{
    memset(&out->scenario, 0, sizeof out->scenario);
    snprintf(out->scenario.name, sizeof out->scenario.name, "fuzz_ata");
    snprintf(out->scenario.expect, sizeof out->scenario.expect, "%s",
             "[init -> ata_fuzzer] ata oracles held");
    out->scenario.budget_steps = ATA_TARGET_BUDGET_STEPS;
    scenario_set_rom(&out->scenario, "config", ata_config, sizeof ata_config - 1);
    scenario_set_rom(&out->scenario, "ata_config", ata_policy, sizeof ata_policy - 1);

    const uint8_t *image = NULL;
    size_t image_len = 0;
    fuzz_input_split(data, size, ATA_TARGET_IMAGE_MAX, &image, &image_len, out);
    scenario_set_rom(&out->scenario, "image", image, image_len);
    uint32_t sectors = image_len == 0 ? 1 : (uint32_t)((image_len + 511) / 512);
    scenario_set_disk(&out->scenario, sectors, image, image_len);
    out->components = ata_components;
    out->component_count = sizeof ata_components / sizeof ata_components[0];
}

static const char *ata_check(const struct fuzz_run *run, const struct sim_result *result)
{
    (void)run;
    (void)result;
    return NULL;
}

const struct fuzz_target fuzz_target_ata = {
    .name = "ata",
    .summary = "arbitrary disk images under the ATA driver and its client, "
               "schedule and interrupt arrival from the input",
    .prepare = ata_prepare,
    .check = ata_check,
};
