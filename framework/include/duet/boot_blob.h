/*
 * boot_blob.h - what a scenario gives the bare-metal image at boot.
 *
 * The sim reads a scenario directly; the image in QEMU gets the parts it
 * needs as one multiboot module, written by the host runner (qemu/) from
 * the parsed scenario and read by the platform (framework/platform/
 * baremetal/boot_blob.c) before the kernel starts. Devices (PCI functions,
 * the disk, the i8042's translation) are not in it: they are QEMU's
 * command line. Keyboard input is not in it either, only how many inputs
 * there are: the guest asks for each in turn (TRACE_STREAM_INPUT_REQUEST)
 * and the host sends it through QMP.
 *
 * Layout, integers little-endian, every part starting 8-byte aligned:
 *     char  magic[8]       "DUETBOOT"
 *     u32   version        BOOT_BLOB_VERSION
 *     u32   total_bytes    the whole blob, this header included
 *     u32   rom_count      0..BOOT_BLOB_ROMS_MAX
 *     u32   input_count    0..BOOT_BLOB_INPUTS_MAX
 *     u32   i8042_config   0: leave the firmware's byte; else 0x01..0xff,
 *                          written to the controller before the kernel starts
 *                          (0x21: translation off, 0x61: on)
 *     u32   reserved       0
 *     then rom_count times:
 *         char  name[BOOT_BLOB_NAME_BYTES]   NUL-terminated, NUL-padded
 *         u32   size                         0..BOOT_BLOB_ROM_BYTES_MAX
 *         u32   reserved                     0
 *         u8    data[size], zero-padded to a multiple of 8
 *     then input_count times:
 *         u64   time_us    the input's virtual time in the scenario
 * Anything else (short, long, bad magic, version, counts, names, padding)
 * is refused with a named error: a bad blob ends the world as failed.
 */
#ifndef DUET_BOOT_BLOB_H
#define DUET_BOOT_BLOB_H

#include "duet/types.h"

enum {
    BOOT_BLOB_VERSION = 2,
    BOOT_BLOB_HEADER_BYTES = 32,
    BOOT_BLOB_NAME_BYTES = 32,
    BOOT_BLOB_ROMS_MAX = 8,
    BOOT_BLOB_ROM_BYTES_MAX = 4096,
    BOOT_BLOB_INPUTS_MAX = 1024,
};
#define BOOT_BLOB_MAGIC "DUETBOOT"

enum boot_blob_error {
    BOOT_BLOB_OK = 0,
    BOOT_BLOB_ERR_SHORT,        /* fewer bytes than the header or a part needs */
    BOOT_BLOB_ERR_MAGIC,
    BOOT_BLOB_ERR_VERSION,
    BOOT_BLOB_ERR_SIZE,         /* total_bytes is not the module's size        */
    BOOT_BLOB_ERR_COUNT,        /* too many ROMs or inputs                     */
    BOOT_BLOB_ERR_NAME,         /* empty, unterminated or not [a-z0-9_]        */
    BOOT_BLOB_ERR_ROM_SIZE,
    BOOT_BLOB_ERR_PADDING,      /* nonzero padding or reserved bytes           */
    BOOT_BLOB_ERR_TRAILING,     /* bytes after the last part                   */
    BOOT_BLOB_ERR_I8042,        /* a configuration byte above 0xff             */
};

struct boot_blob_rom {
    const char *name;           /* points into the blob */
    const uint8_t *data;
    uint32_t size;
};

struct boot_blob {
    uint32_t rom_count;
    struct boot_blob_rom roms[BOOT_BLOB_ROMS_MAX];
    uint32_t input_count;
    const uint8_t *input_times;   /* input_count little-endian u64 (µs) */
    uint8_t i8042_config;         /* 0: as the firmware left it */
};

/* Checks and indexes `bytes`; `out` points into them afterwards. */
enum boot_blob_error boot_blob_parse(const uint8_t *bytes, size_t size, struct boot_blob *out);
const char *boot_blob_error_name(enum boot_blob_error error);

#endif
