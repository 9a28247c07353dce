/*
 * pci_session.h - PCI: the devices the PCI bus driver found, and access to
 * their configuration space (framework/os/pci).
 *
 * A device is named by its BDF (duet/pci_config_space.h). A session walks
 * the devices in ascending BDF order with PCI_FIRST_DEVICE and
 * PCI_NEXT_DEVICE; each device either returns is *given* to the session,
 * and only a given device can be asked about or have its configuration
 * space read or written. The walk ends with PCI_DEVICE_NONE.
 *
 *   PCI_FIRST_DEVICE    reply word 0: the first device, or PCI_DEVICE_NONE
 *   PCI_NEXT_DEVICE     word 0: a given device; reply word 0: the next one
 *   PCI_DEVICE_INFO     word 0: a given device; reply words: vendor id,
 *                       device id, class code (24 bits), revision, header
 *                       type, secondary bus (bridges)
 *   PCI_BAR_INFO        words: device, BAR index (0-5); reply words: enum
 *                       pci_bar_kind, prefetchable, size in bytes, and the
 *                       address the BAR holds now (read live)
 *   PCI_CONFIG_READ     words: device, offset, width; reply word 0: value
 *   PCI_CONFIG_WRITE    words: device, offset, width, value
 *
 * Named errors (the request changes nothing):
 *   RPC_ERR_INVALID_ARGUMENT  the BDF names no device the scan found; a
 *                             width other than 1, 2, 4; an offset not a
 *                             multiple of the width; a value wider than it
 *   RPC_ERR_OUT_OF_RANGE      offset beyond configuration space (>= 256);
 *                             BAR index beyond 5
 *   RPC_ERR_DENIED            the device was not given to this session; a
 *                             write to a bridge's bus number registers
 *                             (0x18-0x1A), which the driver's view of the
 *                             buses rests on
 */
#ifndef DUET_PCI_SESSION_H
#define DUET_PCI_SESSION_H

#include "duet/env.h"
#include "duet/pci_config_space.h"
#include "duet/rpc.h"

#define PCI_DEVICE_NONE UINT64_C(0xFFFFFFFF)

/* The session's state; its capability. */
#define PCI_SESSION_RAM_QUOTA "1K"
#define PCI_SESSION_CAP_QUOTA "1"

/*     name                 opcode  words  capability type */
#define PCI_SESSION_RPCS(X)                                     \
    X(PCI_FIRST_DEVICE,     0xC00,  0, 0,  CAP_TYPE_NONE)        \
    X(PCI_NEXT_DEVICE,      0xC01,  1, 1,  CAP_TYPE_NONE)        \
    X(PCI_DEVICE_INFO,      0xC02,  1, 1,  CAP_TYPE_NONE)        \
    X(PCI_BAR_INFO,         0xC03,  2, 2,  CAP_TYPE_NONE)        \
    X(PCI_CONFIG_READ,      0xC04,  3, 3,  CAP_TYPE_NONE)        \
    X(PCI_CONFIG_WRITE,     0xC05,  4, 4,  CAP_TYPE_NONE)

enum pci_opcode { PCI_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct pci_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define PCI_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct pci_session_cap, __VA_ARGS__)
PCI_SESSION_RPCS(PCI_CLIENT_STUB)

struct pci_connection {
    struct pci_session_cap cap;
    uint64_t id;
};

struct pci_device_description {
    uint16_t vendor_id;
    uint16_t device_id;
    uint32_t class_code;
    uint8_t revision;
    uint8_t header_type;
    uint8_t secondary_bus;
};

struct pci_bar_description {
    uint8_t kind;                    /* enum pci_bar_kind */
    bool prefetchable;
    uint64_t size;
    uint64_t address;
};

enum rpc_status pci_connection_open(struct env *env, struct pci_connection *out);
enum rpc_status pci_connection_close(struct env *env, struct pci_connection *connection);
/* *out_device: a BDF, or PCI_DEVICE_NONE after the last. */
enum rpc_status pci_first_device(struct env *env, struct pci_session_cap pci,
                                 uint64_t *out_device);
enum rpc_status pci_next_device(struct env *env, struct pci_session_cap pci, uint64_t previous,
                                uint64_t *out_device);
enum rpc_status pci_device_info(struct env *env, struct pci_session_cap pci, uint64_t device,
                                struct pci_device_description *out);
enum rpc_status pci_bar_info(struct env *env, struct pci_session_cap pci, uint64_t device,
                             uint64_t bar, struct pci_bar_description *out);
/* Arguments go to the server as given: it decides what is valid. */
enum rpc_status pci_config_read(struct env *env, struct pci_session_cap pci, uint64_t device,
                                uint64_t offset, uint64_t width, uint32_t *out_value);
enum rpc_status pci_config_write(struct env *env, struct pci_session_cap pci, uint64_t device,
                                 uint64_t offset, uint64_t width, uint64_t value);

#endif
