/*
 * test_boot_blob_write.c - the boot blob writer, byte by byte against the
 * layout of duet/boot_blob.h, over every scenario in scenarios/ and made
 * ones at the limits; and, when the guest's parser is in the tree
 * (DUET_HAVE_BOOT_BLOB_PARSER), round trips through it, including every
 * truncation of a blob refused by name.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/boot_blob_write.h"
#include "test_check.h"

static uint32_t u32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64_at(const uint8_t *p)
{
    return (uint64_t)u32_at(p) | (uint64_t)u32_at(p + 4) << 32;
}

static uint8_t blob[BOOT_BLOB_BYTES_MAX];

/* Walks the blob as the header documents it and compares every byte. */
static void check_layout(const struct scenario *scenario, const uint8_t *bytes, size_t size)
{
    CHECK(size % 8 == 0 && size >= BOOT_BLOB_HEADER_BYTES);
    CHECK(memcmp(bytes, "DUETBOOT", 8) == 0);
    CHECK(u32_at(bytes + 8) == BOOT_BLOB_VERSION);
    CHECK(u32_at(bytes + 12) == size);
    CHECK(u32_at(bytes + 16) == scenario->rom_count);
    CHECK(u32_at(bytes + 20) == scenario->keyboard.input_count);
    CHECK(u32_at(bytes + 24) == (scenario->keyboard.translation_off ? 0x21u : 0x61u));
    CHECK(u32_at(bytes + 28) == 0);
    size_t at = BOOT_BLOB_HEADER_BYTES;
    for (size_t i = 0; i < scenario->rom_count; i++) {
        const struct scenario_rom *rom = &scenario->roms[i];
        size_t name_len = strlen(rom->name);
        CHECK(memcmp(bytes + at, rom->name, name_len) == 0);
        for (size_t b = name_len; b < BOOT_BLOB_NAME_BYTES; b++)
            CHECK(bytes[at + b] == 0);
        at += BOOT_BLOB_NAME_BYTES;
        CHECK(u32_at(bytes + at) == rom->size);
        CHECK(u32_at(bytes + at + 4) == 0);
        at += 8;
        CHECK(memcmp(bytes + at, rom->data, rom->size) == 0);
        at += rom->size;
        for (; at % 8 != 0; at++)
            CHECK(bytes[at] == 0);
    }
    for (size_t i = 0; i < scenario->keyboard.input_count; i++, at += 8)
        CHECK(u64_at(bytes + at) == scenario->keyboard.inputs[i].time_us);
    CHECK(at == size);
}

#ifdef DUET_HAVE_BOOT_BLOB_PARSER
static void check_round_trip(const struct scenario *scenario, const uint8_t *bytes, size_t size)
{
    struct boot_blob parsed;
    CHECK(boot_blob_parse(bytes, size, &parsed) == BOOT_BLOB_OK);
    CHECK(parsed.rom_count == scenario->rom_count);
    for (size_t i = 0; i < scenario->rom_count; i++) {
        CHECK(strcmp(parsed.roms[i].name, scenario->roms[i].name) == 0);
        CHECK(parsed.roms[i].size == scenario->roms[i].size);
        CHECK(memcmp(parsed.roms[i].data, scenario->roms[i].data, parsed.roms[i].size) == 0);
    }
    CHECK(parsed.input_count == scenario->keyboard.input_count);
    CHECK(parsed.i8042_config == (scenario->keyboard.translation_off ? 0x21 : 0x61));
    for (size_t i = 0; i < parsed.input_count; i++)
        CHECK(u64_at(parsed.input_times + 8 * i) == scenario->keyboard.inputs[i].time_us);
    /* Every shorter blob is refused, never read past. */
    for (size_t cut = 0; cut < size; cut += 1 + cut / 64) {
        uint8_t *copy = malloc(cut + 1);
        CHECK(copy != NULL);
        memcpy(copy, bytes, cut);
        CHECK(boot_blob_parse(copy, cut, &parsed) != BOOT_BLOB_OK);
        free(copy);
    }
}
#else
static void check_round_trip(const struct scenario *scenario, const uint8_t *bytes, size_t size)
{
    (void)scenario, (void)bytes, (void)size;
}
#endif

static void check_scenario(const struct scenario *scenario)
{
    size_t size = 0;
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_OK);
    check_layout(scenario, blob, size);
    check_round_trip(scenario, blob, size);
    /* One byte short of room: refused by name, not written past. */
    size_t short_size = 0;
    CHECK(boot_blob_write(scenario, blob, size - 1, &short_size) ==
          BOOT_BLOB_WRITE_ERR_NO_ROOM);
}

static size_t test_shipped_scenarios(struct scenario *scenario)
{
    DIR *dir = opendir(DUET_SOURCE_DIR "/scenarios");
    CHECK(dir != NULL);
    size_t checked = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 5 || strcmp(entry->d_name + len - 4, ".scn") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/scenarios/%s", DUET_SOURCE_DIR, entry->d_name);
        char *text = NULL;
        size_t line = 0;
        CHECK(scenario_load(path, scenario, &text, &line) == SCENARIO_OK);
        check_scenario(scenario);
        free(text);
        scenario_release(scenario);
        checked++;
    }
    closedir(dir);
    CHECK(checked >= 10);
    return checked;
}

static void test_limits(struct scenario *scenario)
{
    memset(scenario, 0, sizeof *scenario);
    snprintf(scenario->name, sizeof scenario->name, "limits");
    uint8_t data[SCENARIO_ROM_BYTES_MAX];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    for (size_t r = 0; r < SCENARIO_ROMS_MAX; r++) {
        char name[SCENARIO_NAME_MAX];
        if (r == 0)
            snprintf(name, sizeof name, "%s", "abcdefghijklmnopqrstuvwxyz_0123"); /* 31 */
        else
            snprintf(name, sizeof name, "rom%zu", r);
        CHECK(scenario_set_rom(scenario, name, data, r == 1 ? 0 : sizeof data - r) ==
              SCENARIO_OK);
    }
    scenario->keyboard.input_count = SCENARIO_INPUTS_MAX;
    for (size_t i = 0; i < SCENARIO_INPUTS_MAX; i++)
        scenario->keyboard.inputs[i].time_us = SCENARIO_INPUT_TIME_US_MAX - i;
    check_scenario(scenario);

    /* Refusals, each by name. */
    size_t size = 0;
    scenario->roms[2].name[0] = 'A';
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_ERR_ROM_NAME);
    scenario->roms[2].name[0] = '\0';
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_ERR_ROM_NAME);
    snprintf(scenario->roms[2].name, sizeof scenario->roms[2].name, "ok");
    scenario->roms[3].size = BOOT_BLOB_ROM_BYTES_MAX + 1;
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_ERR_ROM_SIZE);
    scenario->roms[3].size = 1;
    scenario->keyboard.input_count = BOOT_BLOB_INPUTS_MAX + 1;
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) ==
          BOOT_BLOB_WRITE_ERR_TOO_MANY_INPUTS);
    scenario->keyboard.input_count = 0;
    scenario->rom_count = BOOT_BLOB_ROMS_MAX + 1;
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) ==
          BOOT_BLOB_WRITE_ERR_TOO_MANY_ROMS);
    CHECK(strcmp(boot_blob_write_error_name(BOOT_BLOB_WRITE_ERR_NO_ROOM),
                 "BOOT_BLOB_WRITE_ERR_NO_ROOM") == 0);
    CHECK(strcmp(boot_blob_write_error_name(77), "BOOT_BLOB_WRITE_ERR_UNKNOWN") == 0);
}

/* A small scenario's blob, spelled out: the layout pinned independently
 * of the walker above. And translation off. */
static void test_demo_bytes(struct scenario *scenario)
{
    static const char text[] = "name tiny\nrom config\nstart hello\nend\n";
    size_t line = 0;
    CHECK(scenario_parse(text, sizeof text - 1, scenario, &line) == SCENARIO_OK);
    size_t size = 0;
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_OK);
    static const uint8_t expected[] = {
        'D', 'U', 'E', 'T', 'B', 'O', 'O', 'T', 2, 0, 0, 0, 88, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0, 0x61, 0, 0, 0, 0, 0, 0, 0,
        'c', 'o', 'n', 'f', 'i', 'g', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        12, 0, 0, 0, 0, 0, 0, 0,
        's', 't', 'a', 'r', 't', ' ', 'h', 'e', 'l', 'l', 'o', '\n', 0, 0, 0, 0,
    };
    CHECK(size == sizeof expected);
    CHECK(memcmp(blob, expected, size) == 0);
    static const char untranslated[] = "name tiny\ni8042 translation off\nrom config\nend\n";
    CHECK(scenario_parse(untranslated, sizeof untranslated - 1, scenario, &line) == SCENARIO_OK);
    CHECK(boot_blob_write(scenario, blob, sizeof blob, &size) == BOOT_BLOB_WRITE_OK);
    CHECK(size == BOOT_BLOB_HEADER_BYTES + BOOT_BLOB_NAME_BYTES + 8 && blob[24] == 0x21);
}

int main(void)
{
    struct scenario *scenario = malloc(sizeof *scenario);
    CHECK(scenario != NULL);
    test_demo_bytes(scenario);
    size_t shipped = test_shipped_scenarios(scenario);
    test_limits(scenario);
    free(scenario);
#ifdef DUET_HAVE_BOOT_BLOB_PARSER
    const char *parser = "round trips through boot_blob_parse";
#else
    const char *parser = "no parser in the tree: layout only";
#endif
    printf("test_boot_blob_write: ok (%zu scenarios, %s)\n", shipped, parser);
    return 0;
}
