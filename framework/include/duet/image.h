/*
 * image.h - boot modules linked into the image as binary data.
 *
 * The files of framework/image/modules/ are assembled into the image
 * (image_modules.S): "motd", a text, and "pattern", the 256 bytes 0..255.
 * A platform offers them through hal_boot_modules together with the
 * modules it gets elsewhere (a scenario's ROMs, in the sim), and core's
 * ROM service serves them like any other module.
 */
#ifndef DUET_IMAGE_H
#define DUET_IMAGE_H

#include "hal/world.h"

enum { IMAGE_BOOT_MODULES = 2 };

/* Copies up to `max` of the image's modules to out[]; returns how many. */
size_t image_boot_modules(struct boot_module *out, size_t max);

#endif
