/*
 * qemu_image.h - finding the source tree and the bare-metal image, and
 * building the image with the project's own presets when it is missing.
 */
#ifndef DUET_QEMU_IMAGE_H
#define DUET_QEMU_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* The image's place in a source tree. */
#define QEMU_IMAGE_RELATIVE_PATH "build/baremetal/duet.elf32"

/* The source tree: the nearest directory above the running executable
 * holding CMakePresets.json and qemu/include/duet/qemu_run.h, else the one
 * this was compiled from (DUET_SOURCE_DIR), if it still has them. */
bool qemu_image_source_dir(char *out_dir, size_t out_len);

/* `image_path` exists, or (only when `may_build`) `cmake --preset
 * baremetal` and `cmake --build --preset baremetal` in source_dir make it
 * exist; their output goes to stderr. false with `error` otherwise. */
bool qemu_image_ensure(const char *source_dir, const char *image_path, bool may_build,
                       char *error, size_t error_len);

/* The ELF with symbols next to the ELF32 QEMU boots (duet.elf32 ->
 * duet.elf), for gdb; the image itself when it has no such name. */
void qemu_image_symbols_path(const char *image_path, char *out, size_t out_len);

#endif
