/*
 * resources.c - port I/O through IO_PORT sessions (dde_kit/resources.h).
 *
 * The kit checks every access against the ranges it requested and then
 * touches the port directly (the session capability is the kernel's
 * permission; in the sim the kernel checks it again on every access).
 */
#include "dde_kit_state.h"

#include "duet/assert.h"
#include "hal/port_io.h"

static const char *const status_names[] = {
    [DDE_KIT_IO_OK] = "DDE_KIT_IO_OK",
    [DDE_KIT_IO_REFUSED] = "DDE_KIT_IO_REFUSED",
    [DDE_KIT_IO_TOO_MANY] = "DDE_KIT_IO_TOO_MANY",
    [DDE_KIT_IO_NOT_HELD] = "DDE_KIT_IO_NOT_HELD",
    [DDE_KIT_IO_BAD_RANGE] = "DDE_KIT_IO_BAD_RANGE",
};

const char *dde_kit_io_status_name(enum dde_kit_io_status status)
{
    return (unsigned)status < DUET_ARRAY_COUNT(status_names) ? status_names[status]
                                                             : "DDE_KIT_IO_UNKNOWN";
}

enum dde_kit_io_status dde_kit_request_io(struct dde_kit *kit, uint16_t base, uint16_t size)
{
    if (size == 0 || (uint32_t)base + size > 0x10000)
        return DDE_KIT_IO_BAD_RANGE;
    for (size_t i = 0; i < DDE_KIT_IO_RANGES_MAX; i++) {
        struct io_port_connection *io = &kit->io[i];
        if (io->size != 0)
            continue;
        if (io_port_connection_open(kit->env, base, size, io) != RPC_OK) {
            *io = (struct io_port_connection){0};
            return DDE_KIT_IO_REFUSED;
        }
        return DDE_KIT_IO_OK;
    }
    return DDE_KIT_IO_TOO_MANY;
}

enum dde_kit_io_status dde_kit_release_io(struct dde_kit *kit, uint16_t base, uint16_t size)
{
    for (size_t i = 0; i < DDE_KIT_IO_RANGES_MAX; i++) {
        struct io_port_connection *io = &kit->io[i];
        if (io->size == 0 || io->base != base || io->size != size)
            continue;
        io_port_connection_close(kit->env, io);
        *io = (struct io_port_connection){0};
        return DDE_KIT_IO_OK;
    }
    return DDE_KIT_IO_NOT_HELD;
}

/* The access [port, port + width) lies in a requested range. */
static void io_check(struct dde_kit *kit, uint16_t port, unsigned width, const char *what)
{
    for (size_t i = 0; i < DDE_KIT_IO_RANGES_MAX; i++) {
        const struct io_port_connection *io = &kit->io[i];
        if (io->size != 0 && port >= io->base &&
            (uint32_t)port + width <= (uint32_t)io->base + io->size)
            return;
    }
    dde_kit_panic(kit, "%s: port 0x%x not requested", what, port);
}

uint8_t dde_kit_inb(struct dde_kit *kit, uint16_t port)
{
    io_check(kit, port, 1, "dde_kit_inb");
    return hal_in8(port);
}

uint16_t dde_kit_inw(struct dde_kit *kit, uint16_t port)
{
    io_check(kit, port, 2, "dde_kit_inw");
    return hal_in16(port);
}

uint32_t dde_kit_inl(struct dde_kit *kit, uint16_t port)
{
    io_check(kit, port, 4, "dde_kit_inl");
    return hal_in32(port);
}

void dde_kit_outb(struct dde_kit *kit, uint16_t port, uint8_t value)
{
    io_check(kit, port, 1, "dde_kit_outb");
    hal_out8(port, value);
}

void dde_kit_outw(struct dde_kit *kit, uint16_t port, uint16_t value)
{
    io_check(kit, port, 2, "dde_kit_outw");
    hal_out16(port, value);
}

void dde_kit_outl(struct dde_kit *kit, uint16_t port, uint32_t value)
{
    io_check(kit, port, 4, "dde_kit_outl");
    hal_out32(port, value);
}
