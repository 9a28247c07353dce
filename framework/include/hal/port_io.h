/*
 * hal/port_io.h - x86 port I/O. The framework's x86 drivers (UART, later
 * PIC, PIT, i8042, PCI, IDE) program devices only through these: in QEMU
 * they reach QEMU's devices, in the sim the port bus routes them to
 * hw_models/. Reading a port nobody decodes returns all ones.
 */
#ifndef DUET_HAL_PORT_IO_H
#define DUET_HAL_PORT_IO_H

#include "duet/types.h"

uint8_t hal_in8(uint16_t port);
uint16_t hal_in16(uint16_t port);
uint32_t hal_in32(uint16_t port);
void hal_out8(uint16_t port, uint8_t value);
void hal_out16(uint16_t port, uint16_t value);
void hal_out32(uint16_t port, uint32_t value);

/* The kernel's own port access (the interrupt controller): never checked
 * against a PD's I/O-port capabilities, since it runs on behalf of no PD. */
uint8_t hal_kernel_in8(uint16_t port);
void hal_kernel_out8(uint16_t port, uint8_t value);

#endif
