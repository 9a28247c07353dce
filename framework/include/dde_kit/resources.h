/*
 * dde_kit/resources.h - port I/O (Genode's dde_kit/resources.h).
 *
 * dde_kit_request_io opens an IO_PORT session for [base, base + size);
 * the kit holds up to DDE_KIT_IO_RANGES_MAX of them. Accesses check that
 * a requested range covers the port (a driver touching a port it did not
 * request is a bug: the world ends with a named assertion) and go to the
 * port directly, as a driver holding the I/O-port capability may.
 * Memory-mapped I/O (dde_kit_request_mem) is not offered: no device the
 * simulator models has memory-mapped registers yet.
 */
#ifndef DUET_DDE_KIT_RESOURCES_H
#define DUET_DDE_KIT_RESOURCES_H

#include "dde_kit/dde_kit.h"

enum { DDE_KIT_IO_RANGES_MAX = 4 };

enum dde_kit_io_status {
    DDE_KIT_IO_OK = 0,
    DDE_KIT_IO_REFUSED,          /* the IO_PORT session was refused */
    DDE_KIT_IO_TOO_MANY,         /* DDE_KIT_IO_RANGES_MAX held */
    DDE_KIT_IO_NOT_HELD,         /* release: no such range */
    DDE_KIT_IO_BAD_RANGE,        /* size 0 or past port 0xFFFF */
};

enum dde_kit_io_status dde_kit_request_io(struct dde_kit *kit, uint16_t base, uint16_t size);
enum dde_kit_io_status dde_kit_release_io(struct dde_kit *kit, uint16_t base, uint16_t size);
const char *dde_kit_io_status_name(enum dde_kit_io_status status);

uint8_t dde_kit_inb(struct dde_kit *kit, uint16_t port);
uint16_t dde_kit_inw(struct dde_kit *kit, uint16_t port);
uint32_t dde_kit_inl(struct dde_kit *kit, uint16_t port);
void dde_kit_outb(struct dde_kit *kit, uint16_t port, uint8_t value);
void dde_kit_outw(struct dde_kit *kit, uint16_t port, uint16_t value);
void dde_kit_outl(struct dde_kit *kit, uint16_t port, uint32_t value);

#endif
