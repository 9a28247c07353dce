/*
 * boot_blob_write.c - writing a scenario's boot blob (duet/boot_blob.h).
 *
 * Layout version 2 (the i8042 configuration byte in the header).
 * Decode then perform: every ROM and the input count are checked against
 * the blob's limits first (the scenario parser has its own, which today
 * are the same; the compile-time asserts below say so), then the bytes are
 * written in one pass. Padding and reserved bytes are zero because the
 * whole blob is zeroed first: the parser refuses anything else.
 */
#include "duet/boot_blob_write.h"

#include <assert.h>
#include <string.h>

#include "duet/qemu_devices.h"

_Static_assert(SCENARIO_ROMS_MAX <= BOOT_BLOB_ROMS_MAX, "every scenario's ROMs fit a blob");
_Static_assert(SCENARIO_ROM_BYTES_MAX <= BOOT_BLOB_ROM_BYTES_MAX, "every ROM fits a blob");
_Static_assert(SCENARIO_INPUTS_MAX <= BOOT_BLOB_INPUTS_MAX, "every input list fits a blob");
_Static_assert(SCENARIO_NAME_MAX <= BOOT_BLOB_NAME_BYTES, "ROM names fit with their NUL");
_Static_assert(BOOT_BLOB_HEADER_BYTES == 8 + 6 * 4, "magic + six u32");
_Static_assert(BOOT_BLOB_HEADER_BYTES % 8 == 0 && BOOT_BLOB_NAME_BYTES % 8 == 0,
               "parts stay 8-byte aligned");

static const char *const error_names[BOOT_BLOB_WRITE_ERROR_COUNT] = {
    [BOOT_BLOB_WRITE_OK] = "BOOT_BLOB_WRITE_OK",
    [BOOT_BLOB_WRITE_ERR_TOO_MANY_ROMS] = "BOOT_BLOB_WRITE_ERR_TOO_MANY_ROMS",
    [BOOT_BLOB_WRITE_ERR_ROM_NAME] = "BOOT_BLOB_WRITE_ERR_ROM_NAME",
    [BOOT_BLOB_WRITE_ERR_ROM_SIZE] = "BOOT_BLOB_WRITE_ERR_ROM_SIZE",
    [BOOT_BLOB_WRITE_ERR_TOO_MANY_INPUTS] = "BOOT_BLOB_WRITE_ERR_TOO_MANY_INPUTS",
    [BOOT_BLOB_WRITE_ERR_NO_ROOM] = "BOOT_BLOB_WRITE_ERR_NO_ROOM",
};

const char *boot_blob_write_error_name(enum boot_blob_write_error error)
{
    return (unsigned)error < BOOT_BLOB_WRITE_ERROR_COUNT ? error_names[error]
                                                         : "BOOT_BLOB_WRITE_ERR_UNKNOWN";
}

static size_t align8(size_t size)
{
    return (size + 7) & ~(size_t)7;
}

static void store_u32(uint8_t *p, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static void store_u64(uint8_t *p, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static bool rom_name_valid(const char *name)
{
    size_t length = strnlen(name, SCENARIO_NAME_MAX);
    if (length == 0 || length >= BOOT_BLOB_NAME_BYTES || length >= SCENARIO_NAME_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Decode: checks the scenario against the blob's limits; *out_size = the
 * blob's bytes. */
static enum boot_blob_write_error blob_check(const struct scenario *scenario, size_t *out_size)
{
    if (scenario->rom_count > BOOT_BLOB_ROMS_MAX)
        return BOOT_BLOB_WRITE_ERR_TOO_MANY_ROMS;
    size_t size = BOOT_BLOB_HEADER_BYTES;
    for (size_t i = 0; i < scenario->rom_count; i++) {
        const struct scenario_rom *rom = &scenario->roms[i];
        if (!rom_name_valid(rom->name))
            return BOOT_BLOB_WRITE_ERR_ROM_NAME;
        if (rom->size > BOOT_BLOB_ROM_BYTES_MAX)
            return BOOT_BLOB_WRITE_ERR_ROM_SIZE;
        size += BOOT_BLOB_NAME_BYTES + 8 + align8(rom->size);
    }
    if (scenario->keyboard.input_count > BOOT_BLOB_INPUTS_MAX)
        return BOOT_BLOB_WRITE_ERR_TOO_MANY_INPUTS;
    size += scenario->keyboard.input_count * 8;
    assert(size <= BOOT_BLOB_BYTES_MAX && size % 8 == 0);
    *out_size = size;
    return BOOT_BLOB_WRITE_OK;
}

enum boot_blob_write_error boot_blob_write(const struct scenario *scenario, uint8_t *out,
                                           size_t out_len, size_t *out_size)
{
    assert(scenario != NULL && out != NULL && out_size != NULL);
    size_t size = 0;
    enum boot_blob_write_error error = blob_check(scenario, &size);
    if (error != BOOT_BLOB_WRITE_OK)
        return error;
    if (size > out_len || size > UINT32_MAX)
        return BOOT_BLOB_WRITE_ERR_NO_ROOM;

    /* Perform: cannot fail from here on. */
    memset(out, 0, size);
    memcpy(out, BOOT_BLOB_MAGIC, 8);
    store_u32(out + 8, BOOT_BLOB_VERSION);
    store_u32(out + 12, (uint32_t)size);
    store_u32(out + 16, (uint32_t)scenario->rom_count);
    store_u32(out + 20, (uint32_t)scenario->keyboard.input_count);
    /* The byte the scenario's firmware leaves; the devices library says
     * which (0x61 as SeaBIOS, 0x21 with translation off), and the guest
     * writes it before its PS/2 driver starts. out + 28 stays reserved. */
    store_u32(out + 24, qemu_devices_i8042_config(scenario));
    size_t at = BOOT_BLOB_HEADER_BYTES;
    for (size_t i = 0; i < scenario->rom_count; i++) {
        const struct scenario_rom *rom = &scenario->roms[i];
        memcpy(out + at, rom->name, strnlen(rom->name, SCENARIO_NAME_MAX));
        at += BOOT_BLOB_NAME_BYTES;
        store_u32(out + at, (uint32_t)rom->size);
        at += 8;   /* size, then the reserved u32 left zero */
        memcpy(out + at, rom->data, rom->size);
        at += align8(rom->size);
    }
    for (size_t i = 0; i < scenario->keyboard.input_count; i++, at += 8)
        store_u64(out + at, scenario->keyboard.inputs[i].time_us);
    assert(at == size);
    *out_size = size;
    return BOOT_BLOB_WRITE_OK;
}
