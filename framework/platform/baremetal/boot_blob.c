/*
 * boot_blob.c - reads the scenario's boot blob (duet/boot_blob.h).
 *
 * Pure: no platform state, so the host runner's tests can compile it and
 * check their writer against it. Every byte of the blob is accounted for:
 * padding and reserved words must be zero and nothing may trail.
 */
#include "duet/boot_blob.h"

#include "duet/string.h"

static const char *const error_names[] = {
    [BOOT_BLOB_OK] = "BOOT_BLOB_OK",
    [BOOT_BLOB_ERR_SHORT] = "BOOT_BLOB_ERR_SHORT",
    [BOOT_BLOB_ERR_MAGIC] = "BOOT_BLOB_ERR_MAGIC",
    [BOOT_BLOB_ERR_VERSION] = "BOOT_BLOB_ERR_VERSION",
    [BOOT_BLOB_ERR_SIZE] = "BOOT_BLOB_ERR_SIZE",
    [BOOT_BLOB_ERR_COUNT] = "BOOT_BLOB_ERR_COUNT",
    [BOOT_BLOB_ERR_NAME] = "BOOT_BLOB_ERR_NAME",
    [BOOT_BLOB_ERR_ROM_SIZE] = "BOOT_BLOB_ERR_ROM_SIZE",
    [BOOT_BLOB_ERR_PADDING] = "BOOT_BLOB_ERR_PADDING",
    [BOOT_BLOB_ERR_TRAILING] = "BOOT_BLOB_ERR_TRAILING",
    [BOOT_BLOB_ERR_I8042] = "BOOT_BLOB_ERR_I8042",
};

const char *boot_blob_error_name(enum boot_blob_error error)
{
    return (unsigned)error < sizeof error_names / sizeof error_names[0]
               ? error_names[error] : "BOOT_BLOB_ERR_UNKNOWN";
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool zeroes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static bool name_valid(const uint8_t *name)
{
    size_t length = duet_strnlen((const char *)name, BOOT_BLOB_NAME_BYTES);
    if (length == 0 || length == BOOT_BLOB_NAME_BYTES)
        return false;
    for (size_t i = 0; i < length; i++) {
        uint8_t c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return zeroes(name + length, BOOT_BLOB_NAME_BYTES - length);
}

enum boot_blob_error boot_blob_parse(const uint8_t *bytes, size_t size, struct boot_blob *out)
{
    duet_memset(out, 0, sizeof *out);
    if (bytes == NULL || size < BOOT_BLOB_HEADER_BYTES)
        return BOOT_BLOB_ERR_SHORT;
    if (duet_memcmp(bytes, BOOT_BLOB_MAGIC, 8) != 0)
        return BOOT_BLOB_ERR_MAGIC;
    if (read_u32(bytes + 8) != BOOT_BLOB_VERSION)
        return BOOT_BLOB_ERR_VERSION;
    if (read_u32(bytes + 12) != size)
        return BOOT_BLOB_ERR_SIZE;
    uint32_t roms = read_u32(bytes + 16), inputs = read_u32(bytes + 20);
    if (roms > BOOT_BLOB_ROMS_MAX || inputs > BOOT_BLOB_INPUTS_MAX)
        return BOOT_BLOB_ERR_COUNT;
    uint32_t i8042_config = read_u32(bytes + 24);
    if (i8042_config > 0xff)
        return BOOT_BLOB_ERR_I8042;
    if (read_u32(bytes + 28) != 0)
        return BOOT_BLOB_ERR_PADDING;
    out->i8042_config = (uint8_t)i8042_config;
    size_t at = BOOT_BLOB_HEADER_BYTES;
    for (uint32_t i = 0; i < roms; i++) {
        if (size - at < BOOT_BLOB_NAME_BYTES + 8)
            return BOOT_BLOB_ERR_SHORT;
        const uint8_t *name = bytes + at;
        if (!name_valid(name))
            return BOOT_BLOB_ERR_NAME;
        uint32_t rom_size = read_u32(bytes + at + BOOT_BLOB_NAME_BYTES);
        if (rom_size > BOOT_BLOB_ROM_BYTES_MAX)
            return BOOT_BLOB_ERR_ROM_SIZE;
        if (read_u32(bytes + at + BOOT_BLOB_NAME_BYTES + 4) != 0)
            return BOOT_BLOB_ERR_PADDING;
        at += BOOT_BLOB_NAME_BYTES + 8;
        size_t padded = (rom_size + 7u) & ~(size_t)7;
        if (size - at < padded)
            return BOOT_BLOB_ERR_SHORT;
        if (!zeroes(bytes + at + rom_size, padded - rom_size))
            return BOOT_BLOB_ERR_PADDING;
        out->roms[i] = (struct boot_blob_rom){(const char *)name, bytes + at, rom_size};
        at += padded;
    }
    out->rom_count = roms;
    if ((size - at) / 8 < inputs)
        return BOOT_BLOB_ERR_SHORT;
    out->input_count = inputs;
    out->input_times = bytes + at;
    at += (size_t)inputs * 8;
    return at == size ? BOOT_BLOB_OK : BOOT_BLOB_ERR_TRAILING;
}
