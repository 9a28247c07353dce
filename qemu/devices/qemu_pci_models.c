/*
 * qemu_pci_models.c - the QEMU 7.2 PCI devices a scenario "pci" line can
 * be (qemu_devices.h).
 *
 * Every row was read from qemu-system-x86_64 7.2 on this machine: the
 * device alone at 00:03.0 of `-machine pc -vga none -nic none`, its
 * configuration space read over qtest before firmware ran (ids, class,
 * revision, and each BAR sized by writing all ones). The test
 * qemu_devices_live checks every row against QEMU again. Devices whose
 * layout depends on properties are listed with their defaults; virtio
 * devices by their explicit "-transitional" names, so the legacy I/O BAR
 * and the 1af4:10xx ids do not depend on the bus being conventional PCI.
 * Left out: display devices (one VGA per machine, and -vga none is the
 * sim's board) and devices that need a backend to start (ivshmem).
 */
#include "duet/qemu_devices.h"

#define IO(size) { PCI_HOST_BAR_KIND_IO, false, (size) }
#define MEM(size) { PCI_HOST_BAR_KIND_MEM32, false, (size) }
#define PMEM(size) { PCI_HOST_BAR_KIND_MEM32, true, (size) }
#define MEM64(size) { PCI_HOST_BAR_KIND_MEM64, false, (size) }
#define PMEM64(size) { PCI_HOST_BAR_KIND_MEM64, true, (size) }
#define NONE { PCI_HOST_BAR_NONE, false, 0 }

static const struct qemu_pci_model models[] = {
    /* storage */
    { "ich9-ahci", false, 0x8086, 0x2922, 0x010601, 0x02,
      { NONE, NONE, NONE, NONE, IO(0x20), MEM(0x1000) } },
    { "nvme", true, 0x1B36, 0x0010, 0x010802, 0x02,
      { MEM64(0x4000), NONE, NONE, NONE, NONE, NONE } },
    { "lsi53c895a", false, 0x1000, 0x0012, 0x010000, 0x00,
      { IO(0x100), MEM(0x400), MEM(0x2000), NONE, NONE, NONE } },
    { "lsi53c810", false, 0x1000, 0x0001, 0x010000, 0x00,
      { IO(0x100), MEM(0x400), MEM(0x2000), NONE, NONE, NONE } },
    { "megasas", false, 0x1000, 0x0060, 0x010400, 0x00,
      { MEM64(0x4000), NONE, IO(0x100), MEM64(0x40000), NONE, NONE } },
    { "megasas-gen2", false, 0x1000, 0x0079, 0x010400, 0x00,
      { IO(0x100), MEM64(0x4000), NONE, MEM64(0x40000), NONE, NONE } },
    { "mptsas1068", false, 0x1000, 0x0054, 0x010000, 0x00,
      { IO(0x100), MEM(0x4000), MEM(0x10000), NONE, NONE, NONE } },
    { "pvscsi", false, 0x15AD, 0x07C0, 0x010000, 0x02,
      { MEM(0x8000), NONE, NONE, NONE, NONE, NONE } },
    { "virtio-scsi-pci-transitional", false, 0x1AF4, 0x1004, 0x010000, 0x00,
      { IO(0x40), MEM(0x1000), NONE, NONE, PMEM64(0x4000), NONE } },
    { "sdhci-pci", false, 0x1B36, 0x0007, 0x080501, 0x00,
      { MEM(0x100), NONE, NONE, NONE, NONE, NONE } },
    /* network */
    { "e1000", false, 0x8086, 0x100E, 0x020000, 0x03,
      { MEM(0x20000), IO(0x40), NONE, NONE, NONE, NONE } },
    { "e1000-82544gc", false, 0x8086, 0x100C, 0x020000, 0x03,
      { MEM(0x20000), IO(0x40), NONE, NONE, NONE, NONE } },
    { "e1000-82545em", false, 0x8086, 0x100F, 0x020000, 0x03,
      { MEM(0x20000), IO(0x40), NONE, NONE, NONE, NONE } },
    { "e1000e", false, 0x8086, 0x10D3, 0x020000, 0x00,
      { MEM(0x20000), MEM(0x20000), IO(0x20), MEM(0x4000), NONE, NONE } },
    { "i82557b", false, 0x8086, 0x1229, 0x020000, 0x02,
      { PMEM(0x1000), IO(0x40), MEM(0x20000), NONE, NONE, NONE } },
    { "i82559er", false, 0x8086, 0x1209, 0x020000, 0x09,
      { PMEM(0x1000), IO(0x40), MEM(0x20000), NONE, NONE, NONE } },
    { "rtl8139", false, 0x10EC, 0x8139, 0x020000, 0x20,
      { IO(0x100), MEM(0x100), NONE, NONE, NONE, NONE } },
    { "ne2k_pci", false, 0x10EC, 0x8029, 0x020000, 0x00,
      { IO(0x100), NONE, NONE, NONE, NONE, NONE } },
    { "pcnet", false, 0x1022, 0x2000, 0x020000, 0x10,
      { IO(0x20), MEM(0x20), NONE, NONE, NONE, NONE } },
    { "vmxnet3", false, 0x15AD, 0x07B0, 0x020000, 0x01,
      { MEM(0x1000), MEM(0x1000), MEM(0x2000), NONE, NONE, NONE } },
    { "virtio-net-pci-transitional", false, 0x1AF4, 0x1000, 0x020000, 0x00,
      { IO(0x20), MEM(0x1000), NONE, NONE, PMEM64(0x4000), NONE } },
    { "virtio-net-pci-non-transitional", false, 0x1AF4, 0x1041, 0x020000, 0x01,
      { NONE, MEM(0x1000), NONE, NONE, PMEM64(0x4000), NONE } },
    /* USB */
    { "piix3-usb-uhci", false, 0x8086, 0x7020, 0x0C0300, 0x01,
      { NONE, NONE, NONE, NONE, IO(0x20), NONE } },
    { "piix4-usb-uhci", false, 0x8086, 0x7112, 0x0C0300, 0x01,
      { NONE, NONE, NONE, NONE, IO(0x20), NONE } },
    { "ich9-usb-uhci1", false, 0x8086, 0x2934, 0x0C0300, 0x03,
      { NONE, NONE, NONE, NONE, IO(0x20), NONE } },
    { "ich9-usb-ehci1", false, 0x8086, 0x293A, 0x0C0320, 0x03,
      { MEM(0x1000), NONE, NONE, NONE, NONE, NONE } },
    { "usb-ehci", false, 0x8086, 0x24CD, 0x0C0320, 0x10,
      { MEM(0x1000), NONE, NONE, NONE, NONE, NONE } },
    { "qemu-xhci", false, 0x1B36, 0x000D, 0x0C0330, 0x01,
      { MEM64(0x4000), NONE, NONE, NONE, NONE, NONE } },
    { "nec-usb-xhci", false, 0x1033, 0x0194, 0x0C0330, 0x03,
      { MEM64(0x4000), NONE, NONE, NONE, NONE, NONE } },
    /* sound */
    { "ich9-intel-hda", false, 0x8086, 0x293E, 0x040300, 0x03,
      { MEM(0x4000), NONE, NONE, NONE, NONE, NONE } },
    { "intel-hda", false, 0x8086, 0x2668, 0x040300, 0x01,
      { MEM(0x4000), NONE, NONE, NONE, NONE, NONE } },
    { "AC97", false, 0x8086, 0x2415, 0x040100, 0x01,
      { IO(0x400), IO(0x100), NONE, NONE, NONE, NONE } },
    { "ES1370", false, 0x1274, 0x5000, 0x040100, 0x00,
      { IO(0x100), NONE, NONE, NONE, NONE, NONE } },
    /* other */
    { "virtio-rng-pci-transitional", false, 0x1AF4, 0x1005, 0x00FF00, 0x00,
      { IO(0x20), MEM(0x1000), NONE, NONE, PMEM64(0x4000), NONE } },
    { "virtio-balloon-pci-transitional", false, 0x1AF4, 0x1002, 0x00FF00, 0x00,
      { IO(0x40), NONE, NONE, NONE, PMEM64(0x4000), NONE } },
    { "virtio-serial-pci-transitional", false, 0x1AF4, 0x1003, 0x078000, 0x00,
      { IO(0x40), MEM(0x1000), NONE, NONE, PMEM64(0x4000), NONE } },
    { "i6300esb", false, 0x8086, 0x25AB, 0x088000, 0x00,
      { MEM(0x10), NONE, NONE, NONE, NONE, NONE } },
    { "edu", false, 0x1234, 0x11E8, 0x00FF00, 0x10,
      { MEM(0x100000), NONE, NONE, NONE, NONE, NONE } },
    { "pci-testdev", false, 0x1B36, 0x0005, 0x00FF00, 0x00,
      { MEM(0x1000), IO(0x100), NONE, NONE, NONE, NONE } },
};

size_t qemu_devices_pci_model_count(void)
{
    return sizeof models / sizeof models[0];
}

const struct qemu_pci_model *qemu_devices_pci_model(size_t index)
{
    return index < qemu_devices_pci_model_count() ? &models[index] : NULL;
}

static bool bar_equal(const struct pci_host_bar_desc *a, const struct pci_host_bar_desc *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == PCI_HOST_BAR_NONE)
        return true;            /* an unused slot's other fields mean nothing */
    bool a_prefetchable = a->kind != PCI_HOST_BAR_KIND_IO && a->prefetchable;
    bool b_prefetchable = b->kind != PCI_HOST_BAR_KIND_IO && b->prefetchable;
    return a_prefetchable == b_prefetchable && a->size == b->size;
}

const struct qemu_pci_model *qemu_devices_pci_match(const struct pci_host_function_desc *desc)
{
    if (desc == NULL || desc->header_type != PCI_HOST_HEADER_ENDPOINT)
        return NULL;
    for (size_t i = 0; i < qemu_devices_pci_model_count(); i++) {
        const struct qemu_pci_model *model = &models[i];
        if (model->vendor_id != desc->vendor_id || model->device_id != desc->device_id ||
            model->class_code != desc->class_code || model->revision != desc->revision)
            continue;
        bool bars_equal = true;
        for (unsigned bar = 0; bar < PCI_HOST_BARS && bars_equal; bar++)
            bars_equal = bar_equal(&model->bars[bar], &desc->bars[bar]);
        if (bars_equal)
            return model;
    }
    return NULL;
}
