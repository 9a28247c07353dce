/*
 * pci_client.c - client stubs of the PCI service (duet/pci_session.h).
 * Each checks the reply's word count, so a server that answers short is
 * RPC_ERR_TRANSPORT rather than stale words.
 */
#include "duet/pci_session.h"

#include "duet/parent.h"

enum {
    DEVICE_INFO_WORDS = 6,
    BAR_INFO_WORDS = 4,
};

enum rpc_status pci_connection_open(struct env *env, struct pci_connection *out)
{
    return parent_session(env, "PCI",
                          "ram_quota=" PCI_SESSION_RAM_QUOTA ", cap_quota=" PCI_SESSION_CAP_QUOTA,
                          &out->cap.index, &out->id);
}

enum rpc_status pci_connection_close(struct env *env, struct pci_connection *connection)
{
    return parent_disconnect(env, &connection->cap.index, &connection->id);
}

/* The reply must carry `words` words; else the call counts as failed. */
static enum rpc_status reply_words(enum rpc_status status, const struct ipc_message *m,
                                   uint32_t words)
{
    return status == RPC_OK && m->word_count != words ? RPC_ERR_TRANSPORT : status;
}

enum rpc_status pci_first_device(struct env *env, struct pci_session_cap pci,
                                 uint64_t *out_device)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){0};
    enum rpc_status status = reply_words(call_PCI_FIRST_DEVICE(pci, m), m, 1);
    *out_device = status == RPC_OK ? m->word[0] : PCI_DEVICE_NONE;
    return status;
}

enum rpc_status pci_next_device(struct env *env, struct pci_session_cap pci, uint64_t previous,
                                uint64_t *out_device)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {previous}};
    enum rpc_status status = reply_words(call_PCI_NEXT_DEVICE(pci, m), m, 1);
    *out_device = status == RPC_OK ? m->word[0] : PCI_DEVICE_NONE;
    return status;
}

enum rpc_status pci_device_info(struct env *env, struct pci_session_cap pci, uint64_t device,
                                struct pci_device_description *out)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 1, .word = {device}};
    enum rpc_status status = reply_words(call_PCI_DEVICE_INFO(pci, m), m, DEVICE_INFO_WORDS);
    *out = (struct pci_device_description){0};
    if (status == RPC_OK)
        *out = (struct pci_device_description){
            .vendor_id = (uint16_t)m->word[0], .device_id = (uint16_t)m->word[1],
            .class_code = (uint32_t)m->word[2], .revision = (uint8_t)m->word[3],
            .header_type = (uint8_t)m->word[4], .secondary_bus = (uint8_t)m->word[5]};
    return status;
}

enum rpc_status pci_bar_info(struct env *env, struct pci_session_cap pci, uint64_t device,
                             uint64_t bar, struct pci_bar_description *out)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 2, .word = {device, bar}};
    enum rpc_status status = reply_words(call_PCI_BAR_INFO(pci, m), m, BAR_INFO_WORDS);
    *out = (struct pci_bar_description){0};
    if (status == RPC_OK)
        *out = (struct pci_bar_description){.kind = (uint8_t)m->word[0],
                                            .prefetchable = m->word[1] != 0,
                                            .size = m->word[2], .address = m->word[3]};
    return status;
}

enum rpc_status pci_config_read(struct env *env, struct pci_session_cap pci, uint64_t device,
                                uint64_t offset, uint64_t width, uint32_t *out_value)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 3, .word = {device, offset, width}};
    enum rpc_status status = reply_words(call_PCI_CONFIG_READ(pci, m), m, 1);
    *out_value = status == RPC_OK ? (uint32_t)m->word[0] : 0;
    return status;
}

enum rpc_status pci_config_write(struct env *env, struct pci_session_cap pci, uint64_t device,
                                 uint64_t offset, uint64_t width, uint64_t value)
{
    (void)env;
    struct ipc_message *m = ipc_buffer();
    *m = (struct ipc_message){.word_count = 4, .word = {device, offset, width, value}};
    return call_PCI_CONFIG_WRITE(pci, m);
}
