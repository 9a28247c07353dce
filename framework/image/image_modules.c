/*
 * image_modules.c - the boot modules the image carries (duet/image.h).
 */
#include "duet/image.h"

extern const uint8_t duet_module_motd_start[];
extern const uint64_t duet_module_motd_size;
extern const uint8_t duet_module_pattern_start[];
extern const uint64_t duet_module_pattern_size;

size_t image_boot_modules(struct boot_module *out, size_t max)
{
    const struct boot_module modules[] = {
        {"motd", duet_module_motd_start, (size_t)duet_module_motd_size},
        {"pattern", duet_module_pattern_start, (size_t)duet_module_pattern_size},
    };
    size_t count = DUET_ARRAY_COUNT(modules);
    for (size_t i = 0; i < count && i < max; i++)
        out[i] = modules[i];
    return count < max ? count : max;
}
