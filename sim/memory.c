/*
 * memory.c - the sim's memory model (hal/memory.h): windows, physical
 * memory, mappings, and SIGSEGV as the page-fault path.
 *
 * Windows are slots of one host range reserved PROT_NONE when the sim is
 * made. A window's boot area is fresh anonymous memory (zeroed by the host);
 * the rest stays PROT_NONE until the kernel maps pages there. Physical
 * memory is one memfd, so a mapping is mmap(MAP_FIXED | MAP_SHARED) of part
 * of it; the sim also keeps all of it mapped once (its "direct map") to
 * clear dataspaces.
 *
 * An access to an unmapped page of a window raises SIGSEGV on the faulting
 * fiber. The handler turns it into kernel_entry_page_fault on that fiber,
 * which may switch to other fibers (more of which may fault meanwhile) and
 * returns when the access can be retried. That needs SA_NODEFER and no
 * shared sigaltstack (MACHINE_FACTS.md). Faults anywhere else, or in the
 * kernel, or on the host stack, go to the handler that was there before
 * us (ASan's, libFuzzer's, or the default), so real crashes are reported.
 * Others install handlers after us (libFuzzer does, after its
 * initialization, without SA_NODEFER, and calls ours from inside its own
 * with SIGSEGV blocked, so the second fault would kill the process): every
 * run takes the signal back first (sim_memory_claim_faults).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "duet/syscall.h"
#include "hal/memory.h"
#include "sim_world.h"


/* The handler that was installed before ours: where every SIGSEGV that is
 * not a window's page fault goes. A signal handler has no context to find
 * it in, so these are the sim's globals besides sim_world_current. */
static struct sigaction previous_segv;
static unsigned segv_users;
/* The handler's own stack (one host thread, and it never blocks there). */
static uint8_t alternate_stack[64 * 1024] __attribute__((aligned(64)));
static bool previous_known;

enum { X86_PF_WRITE = 2 };   /* page-fault error code: the access was a write */

static void segv_pass_on(int signo, siginfo_t *info, void *context)
{
    if (previous_segv.sa_flags & SA_SIGINFO) {
        previous_segv.sa_sigaction(signo, info, context);
        return;
    }
    if (previous_segv.sa_handler == SIG_IGN)
        return;
    if (previous_segv.sa_handler != SIG_DFL) {
        previous_segv.sa_handler(signo);
        return;
    }
    /* Default: die of it on return, when the access faults again. */
    signal(SIGSEGV, SIG_DFL);
}

/* The second half of a page fault, on the faulting thread's own stack:
 * the kernel's fault entry (which may switch to other fibers, some of
 * which fault too), then rt_sigreturn on the copy of the signal frame,
 * which resumes the faulting access with every register as it was. */
_Noreturn void sim_fault_resume(uint8_t *frame_copy, uintptr_t address, bool write);
_Noreturn void sim_fault_resume(uint8_t *frame_copy, uintptr_t address, bool write)
{
    struct sim_world *world = sim_world_current;
    sim_world_kernel_entry(world);
    world->in_kernel = true;
    kernel_entry_page_fault(world->kernel, (const void *)address, write);
    world->in_kernel = false;
    /* rt_sigreturn takes the frame at rsp - 8 (past its return address). */
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov $15, %%eax\n\t"
                     "syscall"
                     :
                     : "r"(frame_copy + 8)
                     : "memory");
    __builtin_unreachable();
}

/* Where the signal frame ends: the XSAVE area past `fpregs`, whose size
 * the kernel records in its software-reserved bytes (legacy 512 without). */
static uint8_t *frame_end(const ucontext_t *uc)
{
    enum { SW_RESERVED = 464, FXSAVE_BYTES = 512, XSTATE_MAGIC1 = 0x46505853u };
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t magic = 0, extended = 0;
    memcpy(&magic, fp + SW_RESERVED, sizeof magic);
    memcpy(&extended, fp + SW_RESERVED + 4, sizeof extended);
    return (uint8_t *)fp + (magic == XSTATE_MAGIC1 ? extended : FXSAVE_BYTES);
}

/* The handler runs on the sim's alternate signal stack, so that a thread
 * whose stack overflowed into unmapped memory can still be told about: the
 * host cannot put a signal frame on such a stack. It only decides there.
 * A fault with no room below the stack pointer ends the world as failed.
 * Any other page fault has its signal frame copied below the thread's
 * stack pointer (past the red zone) and returns into sim_fault_resume on
 * the thread's own stack: the alternate stack is free again before the
 * kernel runs, because other fibers fault while this one waits. */
__attribute__((no_sanitize("address")))
static void frame_copy(uint8_t *to, const uint8_t *from, size_t bytes)
{
    /* Below a fiber's stack pointer, where ASan may keep poison of frames
     * a fiber switch left: plain stores, unchecked. */
    for (size_t i = 0; i < bytes; i++)
        ((volatile uint8_t *)to)[i] = from[i];
}

static void segv_handler(int signo, siginfo_t *info, void *context)
{
    struct sim_world *world = sim_world_current;
    uintptr_t address = (uintptr_t)info->si_addr;
    if (world == NULL || world->ended || world->current == &world->boot ||
        !sim_memory_in_windows(world->memory, address)) {
        segv_pass_on(signo, info, context);
        return;
    }
    if (world->in_kernel)
        hal_panic("sim_page_fault", "a page fault in the kernel");
    ucontext_t *uc = context;
    bool write = (uc->uc_mcontext.gregs[REG_ERR] & X86_PF_WRITE) != 0;
    enum { RED_ZONE = 128 };
    uint8_t *frame = (uint8_t *)uc - 8;   /* its return address first */
    uint8_t *fpstate = (uint8_t *)uc->uc_mcontext.fpregs;
    uint8_t *end = frame_end(uc);
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    size_t fp_offset = (size_t)(fpstate - frame), bytes = (size_t)(end - frame);
    uintptr_t fp_copy = (sp - RED_ZONE - (size_t)(end - fpstate)) & ~(uintptr_t)63;
    uint8_t *copy = (uint8_t *)(fp_copy - fp_offset);
    uintptr_t call_sp = ((uintptr_t)copy & ~(uintptr_t)15) - 8;   /* as after a call */
    if (!kernel_running_pd_writable(world->kernel, (const void *)(call_sp - 4096),
                                    sp - (call_sp - 4096))) {
        /* Where exactly depends on the build's frame sizes: not said. */
        sim_world_finish(world, SIM_FAIL, "a thread's stack overflowed into unmapped memory");
    }
    frame_copy(copy, frame, bytes);
    ((ucontext_t *)(copy + 8))->uc_mcontext.fpregs = (void *)(copy + fp_offset);
    uc->uc_mcontext.gregs[REG_RSP] = (greg_t)call_sp;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)sim_fault_resume;
    uc->uc_mcontext.gregs[REG_RDI] = (greg_t)(uintptr_t)copy;
    uc->uc_mcontext.gregs[REG_RSI] = (greg_t)address;
    uc->uc_mcontext.gregs[REG_RDX] = (greg_t)write;
}

void sim_memory_claim_faults(void)
{
    /* The alternate stack the handler decides on (see segv_handler). */
    stack_t wanted = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack};
    stack_t now;
    if (sigaltstack(NULL, &now) == 0 && now.ss_sp != alternate_stack)
        sigaltstack(&wanted, NULL);
    struct sigaction current;
    sigaction(SIGSEGV, NULL, &current);
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == segv_handler)
        return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = segv_handler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    /* What was there first is where real crashes go. A handler installed
     * after ours may call ours itself (libFuzzer's does), so passing on
     * to it would come straight back: it is not remembered. */
    sigaction(SIGSEGV, &action, previous_known ? NULL : &previous_segv);
    previous_known = true;
}

bool sim_memory_create(struct sim_memory *memory)
{
    memset(memory, 0, sizeof *memory);
    memory->ram_fd = -1;
    memory->window_bytes = WINDOW_BYTES;
    size_t space = SIM_WINDOW_SLOTS * (size_t)SIM_WINDOW_STRIDE;
    void *base = mmap(NULL, space, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return false;
    memory->windows = base;
    memory->ram_fd = memfd_create("duet-ram", MFD_CLOEXEC);
    if (memory->ram_fd < 0 || ftruncate(memory->ram_fd, SIM_RAM_BYTES) != 0) {
        sim_memory_destroy(memory);
        return false;
    }
    void *direct = mmap(NULL, SIM_RAM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memory->ram_fd, 0);
    if (direct == MAP_FAILED) {
        sim_memory_destroy(memory);
        return false;
    }
    memory->ram = direct;
    segv_users++;
    sim_memory_claim_faults();
    return true;
}

static uint8_t *slot_base(const struct sim_memory *memory, unsigned slot)
{
    return memory->windows + (size_t)slot * SIM_WINDOW_STRIDE;
}

void sim_memory_destroy(struct sim_memory *memory)
{
    if (memory->windows != NULL) {
        for (unsigned slot = 0; slot < SIM_WINDOW_SLOTS; slot++)
            SIM_UNPOISON(slot_base(memory, slot), memory->boot_bytes[slot]);
        munmap(memory->windows, SIM_WINDOW_SLOTS * (size_t)SIM_WINDOW_STRIDE);
        if (--segv_users == 0) {
            sigaction(SIGSEGV, &previous_segv, NULL);
            previous_known = false;
        }
    }
    if (memory->ram != NULL)
        munmap(memory->ram, SIM_RAM_BYTES);
    if (memory->ram_fd >= 0)
        close(memory->ram_fd);
    memset(memory, 0, sizeof *memory);
    memory->ram_fd = -1;
}

static unsigned slot_of(const struct sim_memory *memory, const void *window)
{
    size_t offset = (size_t)((const uint8_t *)window - memory->windows);
    assert(offset % SIM_WINDOW_STRIDE == 0);
    return (unsigned)(offset / SIM_WINDOW_STRIDE);
}

/* Free again. Its boot area stays mapped, to be zeroed when the slot is
 * used again: a memset of memory that is already there is several times
 * cheaper than fresh host pages (a fault and a clear each) and their
 * unmapping, which made every fuzz exec pay for it. Whatever was mapped
 * above the boot area goes back to PROT_NONE. */
static void slot_clear(struct sim_memory *memory, unsigned slot)
{
    uint8_t *base = slot_base(memory, slot);
    if (memory->mapped_above_boot & (UINT32_C(1) << slot)) {
        size_t boot = memory->boot_bytes[slot];
        void *again = mmap(base + boot, memory->window_bytes - boot, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        assert(again == base + boot);
        (void)again;
        memory->mapped_above_boot &= ~(UINT32_C(1) << slot);
    }
    memory->in_use &= ~(UINT32_C(1) << slot);
}

void sim_memory_reset(struct sim_memory *memory)
{
    for (unsigned slot = 0; slot < SIM_WINDOW_SLOTS; slot++)
        if (memory->in_use & (UINT32_C(1) << slot))
            slot_clear(memory, slot);
}

bool sim_memory_in_windows(const struct sim_memory *memory, uintptr_t address)
{
    uintptr_t base = (uintptr_t)memory->windows;
    /* Guards included: an overrun past a window's end is the PD's fault
     * (the kernel stops the thread), not a crash of the tool. */
    return address >= base && address - base < SIM_WINDOW_SLOTS * (size_t)SIM_WINDOW_STRIDE;
}

/* ---- HAL ---------------------------------------------------------------- */

static void boot_zero(uint8_t *base, size_t bytes)
{
    enum { PAGE = 4096, PAGES_MAX = 1024 };
    unsigned char resident[PAGES_MAX];
    size_t pages = bytes / PAGE;
    if (pages > PAGES_MAX || mincore(base, bytes, resident) != 0) {
        memset(base, 0, bytes);
        return;
    }
    for (size_t first = 0; first < pages;) {
        if (!(resident[first] & 1)) {
            /* Never touched, or swapped out with an old world's contents:
             * dropped either way, so it reads as zero. */
            size_t end = first;
            while (end < pages && !(resident[end] & 1))
                end++;
            madvise(base + first * PAGE, (end - first) * PAGE, MADV_DONTNEED);
            first = end;
            continue;
        }
        size_t end = first;
        while (end < pages && (resident[end] & 1))
            end++;
        memset(base + first * PAGE, 0, (end - first) * PAGE);
        first = end;
    }
}

void *hal_window_create(size_t size, size_t boot_size)
{
    struct sim_memory *memory = sim_world_current->memory;
    assert(size == memory->window_bytes && boot_size <= size && boot_size % 4096 == 0);
    /* The lowest free slot: the same world lays out the same way every run. */
    for (unsigned slot = 0; slot < SIM_WINDOW_SLOTS; slot++) {
        if (memory->in_use & (UINT32_C(1) << slot))
            continue;
        uint8_t *base = slot_base(memory, slot);
        if (memory->boot_bytes[slot] == boot_size) {
            /* Used before: drop the ASan poison the fibers that ran on its
             * stacks left (MACHINE_FACTS.md) and zero it. Only pages the
             * host has (mincore: resident) can hold anything; the others
             * read as zero, so worlds that touch little zero little. */
            SIM_UNPOISON(base, boot_size);
            boot_zero(base, boot_size);
        } else {
            void *boot = mmap(base, boot_size, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (boot == MAP_FAILED)
                return NULL;
            memory->boot_bytes[slot] = boot_size;
        }
        memory->in_use |= UINT32_C(1) << slot;
        return base;
    }
    return NULL;
}

void hal_window_destroy(void *window, size_t size)
{
    struct sim_memory *memory = sim_world_current->memory;
    assert(size == memory->window_bytes);
    slot_clear(memory, slot_of(memory, window));
}

uint64_t hal_ram_bytes(void)
{
    return SIM_RAM_BYTES;
}

void hal_ram_clear(uint64_t phys, uint64_t size)
{
    struct sim_memory *memory = sim_world_current->memory;
    assert(phys <= SIM_RAM_BYTES && size <= SIM_RAM_BYTES - phys);
    memset(memory->ram + phys, 0, size);
}

void hal_map(void *window, uint64_t offset, uint64_t phys, uint64_t size, bool writable)
{
    struct sim_memory *memory = sim_world_current->memory;
    assert(phys <= SIM_RAM_BYTES && size <= SIM_RAM_BYTES - phys);
    void *at = (uint8_t *)window + offset;
    void *mapped = mmap(at, size, PROT_READ | (writable ? PROT_WRITE : 0),
                        MAP_SHARED | MAP_FIXED, memory->ram_fd, (off_t)phys);
    if (mapped != at)
        hal_panic("hal_map", "the host refused a mapping");
    memory->mapped_above_boot |= UINT32_C(1) << slot_of(memory, window);
}

void hal_unmap(void *window, uint64_t offset, uint64_t size)
{
    void *at = (uint8_t *)window + offset;
    void *again = mmap(at, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                       -1, 0);
    if (again != at)
        hal_panic("hal_unmap", "the host refused to unmap");
}
