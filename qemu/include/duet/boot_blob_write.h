/*
 * boot_blob_write.h - the host's half of duet/boot_blob.h: a parsed
 * scenario's ROMs and input times, as the multiboot module the bare-metal
 * image reads at boot. The guest's half (the parser) is
 * framework/platform/baremetal/boot_blob.c; the layout is documented once,
 * in framework/include/duet/boot_blob.h.
 */
#ifndef DUET_BOOT_BLOB_WRITE_H
#define DUET_BOOT_BLOB_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "duet/boot_blob.h"
#include "duet/scenario.h"

enum boot_blob_write_error {
    BOOT_BLOB_WRITE_OK = 0,
    BOOT_BLOB_WRITE_ERR_TOO_MANY_ROMS,    /* above BOOT_BLOB_ROMS_MAX             */
    BOOT_BLOB_WRITE_ERR_ROM_NAME,         /* empty, too long or not [a-z0-9_]     */
    BOOT_BLOB_WRITE_ERR_ROM_SIZE,         /* above BOOT_BLOB_ROM_BYTES_MAX        */
    BOOT_BLOB_WRITE_ERR_TOO_MANY_INPUTS,  /* above BOOT_BLOB_INPUTS_MAX           */
    BOOT_BLOB_WRITE_ERR_NO_ROOM,          /* the caller's buffer is too small     */
    BOOT_BLOB_WRITE_ERROR_COUNT
};
const char *boot_blob_write_error_name(enum boot_blob_write_error error);

/* The largest blob any scenario can give. */
enum {
    BOOT_BLOB_BYTES_MAX = BOOT_BLOB_HEADER_BYTES +
                          BOOT_BLOB_ROMS_MAX * (BOOT_BLOB_NAME_BYTES + 8 +
                                                BOOT_BLOB_ROM_BYTES_MAX) +
                          BOOT_BLOB_INPUTS_MAX * 8,
};

/* Writes the scenario's blob into out[0, out_len); *out_size = its bytes.
 * On error nothing useful is in `out`. */
enum boot_blob_write_error boot_blob_write(const struct scenario *scenario, uint8_t *out,
                                           size_t out_len, size_t *out_size);

#endif
