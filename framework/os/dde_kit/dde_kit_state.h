/*
 * dde_kit_state.h - the kit's state (internal to framework/os/dde_kit/).
 *
 * One struct dde_kit per driver component, allocated from its window by
 * dde_kit_main; every group of the kit keeps its part here, so the kit
 * has no mutable global. Fields are grouped by what guards them.
 */
#ifndef DUET_DDE_KIT_STATE_H
#define DUET_DDE_KIT_STATE_H

#include "dde_kit/dde_kit.h"
#include "dde_kit/interrupt.h"
#include "dde_kit/lock.h"
#include "dde_kit/memory.h"
#include "dde_kit/resources.h"
#include "dde_kit/timer.h"
#include "duet/cpu_session.h"
#include "duet/io_port_session.h"
#include "duet/irq_session.h"
#include "duet/log_session.h"
#include "duet/signal_session.h"
#include "duet/slab.h"
#include "duet/timer_session.h"

enum {
    DDE_KIT_THREAD_STACK_BYTES = THREAD_STACK_MIN,
    DDE_KIT_MALLOC_CLASSES = 9,          /* 16 .. 4096 bytes + header */
    DDE_KIT_SPARE_BLOCKS_MAX = 16,
    DDE_KIT_LINE_MAX = LOG_LINE_MAX,
};

struct dde_kit_interrupt {
    struct dde_kit *kit;
    unsigned irq;
    bool attached;
    struct irq_connection connection;
    struct cpu_thread thread;
    void (*thread_init)(void *priv);
    void (*handler)(void *priv);
    void *priv;
    struct dde_kit_sem enabled;          /* 1: enabled; disable takes it */
};

struct dde_kit_spare_block {
    void *block;
    size_t size;
};

struct dde_kit_slab {
    struct dde_kit *kit;
    bool used;
    struct slab slab;
};

struct dde_kit_timers {
    struct dde_kit_lock running;         /* held while a handler runs */
    struct dde_kit_lock lock;            /* guards everything below */
    bool thread_started;
    struct cpu_thread thread;
    struct signal_connection signals;
    bool signals_open;
    cap_index_t context;                 /* the TIMER session's signal context */
    struct timer_connection timer;
    bool timer_open;
    uint64_t last_jiffies;               /* jiffies never go back */
    uint64_t base_us;                    /* timer clock at the first session */
    uint64_t idle_since;                 /* jiffies when the list emptied */
    struct list pending;                 /* struct dde_kit_timer, by timeout */
};

struct dde_kit {
    struct env *env;
    void *driver;
    struct log_connection log;

    /* Set up by the main thread before any kit thread exists. */
    struct cpu_connection cpu;
    bool cpu_open;
    struct io_port_connection io[DDE_KIT_IO_RANGES_MAX];
    struct io_port_connection pci;
    bool pci_open;
    struct dde_kit_lock pci_lock;        /* an address and its data access */
    struct dde_kit_interrupt interrupts[DDE_KIT_INTERRUPTS_MAX];

    /* Memory: guarded by memory_lock. */
    struct dde_kit_lock memory_lock;
    struct dde_kit_slab malloc_slabs[DDE_KIT_MALLOC_CLASSES];
    struct dde_kit_slab slabs[DDE_KIT_SLABS_MAX];
    struct dde_kit_spare_block spare_blocks[DDE_KIT_SPARE_BLOCKS_MAX];
    size_t spare_block_count;

    struct dde_kit_timers timers;

    /* Log lines are formatted here, one writer at a time. */
    struct dde_kit_lock log_lock;
    char line[DDE_KIT_LINE_MAX];
};

/* Opens the kit's CPU session on first use (main thread only). */
bool dde_kit_cpu_ready(struct dde_kit *kit);
/* A thread stack from the window. */
void *dde_kit_thread_stack(struct dde_kit *kit);
/* printf.c: formats into buffer (always NUL-terminated). */
void dde_kit_vformat(char *buffer, size_t size, const char *format, __builtin_va_list args);

#endif
