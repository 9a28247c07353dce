/*
 * dde_kit_test.c - the DDE kit's groups one by one (scenarios/dde_kit.scn).
 * Interrupts are exercised by the ATA driver (scenarios/ata.scn).
 *
 *   1. log: the formatter's conversions, widths and cuts;
 *   2. memory: malloc of every size class, reuse after free, oversize
 *      refused; a slab over several blocks, emptied and destroyed;
 *   3. virt<->phys: window offsets, both ways, nothing outside;
 *   4. locks and semaphores: down_try on 0 and after an up;
 *   5. port I/O: a range held twice, a bad range, releasing what is not
 *      held; PCI: a bad address, and a scan that ends (whatever devices
 *      the world has);
 *   6. timers: three added out of order fire in timeout order, none
 *      early; a deleted one never fires; msleep sleeps long enough.
 */
#include "dde_kit/dde_kit.h"
#include "dde_kit/lock.h"
#include "dde_kit/memory.h"
#include "dde_kit/pci.h"
#include "dde_kit/pgtab.h"
#include "dde_kit/resources.h"
#include "dde_kit/timer.h"
#include "duet/assert.h"
#include "duet/parent.h"
#include "duet/string.h"

enum { TIMERS = 4, SLAB_OBJECTS = 600, PCI_FUNCTIONS_MAX = 256 * 32 * 8 };

struct kit_test {
    struct dde_kit *kit;
    struct dde_kit_timer timers[TIMERS];
    uint64_t fired_at[TIMERS];
    unsigned fired_order[TIMERS];
    unsigned fired;
    struct dde_kit_sem all_fired;
    struct dde_kit_sem sem;
    void *objects[SLAB_OBJECTS];
};

static bool equal(const char *a, const char *b)
{
    return duet_strcmp(a, b) == 0;
}

static int test_log(struct dde_kit *kit)
{
    char line[64];
    dde_kit_snprintf(line, sizeof line, "%d %i %u %x %X %08x %5d|%s|%c %%", -42, 7, 4000000000u,
                     0xbeefu, 0xbeefu, 0x1fu, -3, "str", 'c');
    dde_kit_assert(kit, equal(line, "-42 7 4000000000 beef BEEF 0000001f    -3|str|c %"));
    dde_kit_snprintf(line, sizeof line, "%lld %llx %zu %lu", -9000000000LL,
                     0x123456789abcULL, (size_t)17, 5ul);
    dde_kit_assert(kit, equal(line, "-9000000000 123456789abc 17 5"));
    dde_kit_assert(kit, dde_kit_snprintf(line, 5, "%s", "truncated") == 4 &&
                            equal(line, "trun"));
    dde_kit_printf(kit, "dde_kit: log formats checked (%d conversions)", 17);
    return 0;
}

static int test_memory(struct dde_kit *kit)
{
    struct kit_test *t = dde_kit_driver(kit);
    for (size_t size = 1; size <= DDE_KIT_MALLOC_MAX; size *= 2) {
        uint8_t *p = dde_kit_malloc(kit, size);
        dde_kit_assert(kit, p != NULL);
        duet_memset(p, 0xa5, size);
        dde_kit_free(kit, p);
        uint8_t *again = dde_kit_malloc(kit, size);
        dde_kit_assert(kit, again == p);   /* the slab hands the freed object out again */
        dde_kit_free(kit, again);
    }
    dde_kit_assert(kit, dde_kit_malloc(kit, DDE_KIT_MALLOC_MAX + 1) == NULL);
    dde_kit_free(kit, NULL);
    struct dde_kit_slab *slab = dde_kit_slab_init(kit, 48);
    dde_kit_assert(kit, slab != NULL && dde_kit_slab_init(kit, 0) == NULL);
    for (unsigned i = 0; i < SLAB_OBJECTS; i++) {
        t->objects[i] = dde_kit_slab_alloc(slab);
        dde_kit_assert(kit, t->objects[i] != NULL);
        duet_memset(t->objects[i], (int)i, 48);
    }
    for (unsigned i = 0; i < SLAB_OBJECTS; i++) {
        dde_kit_assert(kit, ((uint8_t *)t->objects[i])[47] == (uint8_t)i);
        dde_kit_slab_free(slab, t->objects[i]);
    }
    dde_kit_slab_destroy(slab);
    dde_kit_print(kit, "dde_kit: malloc and slabs checked");
    return 0;
}

static int test_pgtab_and_sync(struct dde_kit *kit)
{
    struct kit_test *t = dde_kit_driver(kit);
    struct env *env = dde_kit_env(kit);
    dde_kit_assert(kit, dde_kit_pgtab_get_physaddr(kit, env) == 0);
    uint64_t phys = dde_kit_pgtab_get_physaddr(kit, t);
    dde_kit_assert(kit, phys != DDE_KIT_PGTAB_NONE && phys < env->window_size);
    dde_kit_assert(kit, dde_kit_pgtab_get_virtaddr(kit, phys) == (void *)t);
    dde_kit_assert(kit, dde_kit_pgtab_get_virtaddr(kit, env->window_size) == NULL);
    dde_kit_assert(kit, dde_kit_pgtab_get_physaddr(kit, (char *)env + env->window_size) ==
                            DDE_KIT_PGTAB_NONE);
    dde_kit_sem_init(&t->sem, 0);
    dde_kit_assert(kit, dde_kit_sem_down_try(&t->sem) == -1);
    dde_kit_sem_up(&t->sem);
    dde_kit_assert(kit, dde_kit_sem_down_try(&t->sem) == 0);
    dde_kit_assert(kit, dde_kit_sem_down_try(&t->sem) == -1);
    dde_kit_print(kit, "dde_kit: virt<->phys and semaphores checked");
    return 0;
}

static int test_ports(struct dde_kit *kit)
{
    dde_kit_assert(kit, dde_kit_request_io(kit, 0x2f8, 8) == DDE_KIT_IO_OK);
    dde_kit_assert(kit, dde_kit_request_io(kit, 0x2f8, 8) == DDE_KIT_IO_REFUSED);
    dde_kit_assert(kit, dde_kit_request_io(kit, 0xfffe, 4) == DDE_KIT_IO_BAD_RANGE);
    dde_kit_assert(kit, dde_kit_request_io(kit, 0x100, 0) == DDE_KIT_IO_BAD_RANGE);
    dde_kit_outb(kit, 0x2f8 + 7, 0x5a);   /* COM2's scratch register */
    dde_kit_assert(kit, dde_kit_inb(kit, 0x2f8 + 7) == 0x5a);
    dde_kit_assert(kit, dde_kit_release_io(kit, 0x2f8, 4) == DDE_KIT_IO_NOT_HELD);
    dde_kit_assert(kit, dde_kit_release_io(kit, 0x2f8, 8) == DDE_KIT_IO_OK);
    uint32_t value = 0;
    dde_kit_assert(kit, dde_kit_pci_readl(kit, 0, 32, 0, 0, &value) == DDE_KIT_PCI_BAD_ADDRESS);
    dde_kit_assert(kit, dde_kit_pci_readl(kit, 0, 0, 0, 2, &value) == DDE_KIT_PCI_BAD_ADDRESS);
    struct dde_kit_pci_device device;
    unsigned found = 0;
    enum dde_kit_pci_status status = dde_kit_pci_first_device(kit, &device);
    while (status == DDE_KIT_PCI_OK && found < PCI_FUNCTIONS_MAX) {
        uint16_t vendor = 0;
        dde_kit_assert(kit, dde_kit_pci_readw(kit, device.bus, device.dev, device.fn, 0,
                                              &vendor) == DDE_KIT_PCI_OK && vendor != 0xFFFF);
        found++;
        status = dde_kit_pci_next_device(kit, &device);
    }
    dde_kit_assert(kit, status == DDE_KIT_PCI_NO_DEVICE);
    dde_kit_printf(kit, "dde_kit: ports and PCI checked (%u PCI functions)", found);
    return 0;
}

struct timer_slot {
    struct kit_test *test;
    unsigned index;
};

static void slot_fired(void *priv)
{
    struct timer_slot *slot = priv;
    struct kit_test *t = slot->test;
    t->fired_at[slot->index] = dde_kit_jiffies(t->kit);
    t->fired_order[t->fired++] = slot->index;
    if (t->fired == TIMERS - 1)
        dde_kit_sem_up(&t->all_fired);
}

static int test_timers(struct dde_kit *kit)
{
    static const uint64_t delays[TIMERS] = {30, 10, 20, 15};   /* [3] is deleted */
    struct kit_test *t = dde_kit_driver(kit);
    t->kit = kit;
    dde_kit_sem_init(&t->all_fired, 0);
    struct timer_slot *slots = dde_kit_malloc(kit, TIMERS * sizeof *slots);
    dde_kit_assert(kit, slots != NULL);
    uint64_t start = dde_kit_jiffies(kit);
    for (unsigned i = 0; i < TIMERS; i++) {
        slots[i] = (struct timer_slot){t, i};
        enum dde_kit_timer_status status =
            dde_kit_timer_add(kit, &t->timers[i], slot_fired, &slots[i], start + delays[i]);
        if (status != DDE_KIT_TIMER_OK)
            dde_kit_panic(kit, "timer %u: %s", i, dde_kit_timer_status_name(status));
    }
    dde_kit_assert(kit, dde_kit_timer_add(kit, &t->timers[0], slot_fired, &slots[0], start) ==
                            DDE_KIT_TIMER_PENDING);
    dde_kit_assert(kit, dde_kit_timer_del(kit, &t->timers[3]));
    dde_kit_assert(kit, !dde_kit_timer_del(kit, &t->timers[3]));
    dde_kit_sem_down(&t->all_fired);
    dde_kit_assert(kit, t->fired_order[0] == 1 && t->fired_order[1] == 2 &&
                            t->fired_order[2] == 0);
    for (unsigned i = 0; i < TIMERS - 1; i++)
        dde_kit_assert(kit, t->fired_at[i] >= start + delays[i]);   /* never early */
    dde_kit_assert(kit, !dde_kit_timer_pending(kit, &t->timers[3]));
    uint64_t before = dde_kit_jiffies(kit);
    dde_kit_assert(kit, dde_kit_thread_msleep(kit, 25) == DDE_KIT_TIMER_OK);
    dde_kit_assert(kit, dde_kit_jiffies(kit) - before >= 25);
    dde_kit_assert(kit, t->fired == TIMERS - 1);   /* the deleted one stayed silent */
    dde_kit_free(kit, slots);
    dde_kit_print(kit, "dde_kit: timers fired in order, none early; msleep slept");
    return 0;
}

static const struct dde_kit_initcall kit_test_initcalls[] = {
    DDE_KIT_INITCALL(test_log),    DDE_KIT_INITCALL(test_memory),
    DDE_KIT_INITCALL(test_pgtab_and_sync), DDE_KIT_INITCALL(test_ports),
    DDE_KIT_INITCALL(test_timers),
};

void dde_kit_test_main(struct env *env)
{
    struct kit_test *t = env_alloc(env, sizeof *t);
    DUET_ASSERT(t != NULL);
    struct dde_kit *kit = NULL;
    DUET_ASSERT(dde_kit_main(env, t, kit_test_initcalls, DUET_ARRAY_COUNT(kit_test_initcalls),
                             &kit) == DDE_KIT_MAIN_OK);
    dde_kit_print(kit, "dde_kit checks passed");
    parent_exit(env, 0);
}
