/*
 * crosscheck_facets.c - the facets read from other events than LOG: the
 * ATA data register's words (blocks), signal totals per context (signals)
 * and each thread's own events (threads). docs/CROSSCHECK.md.
 */
#include "crosscheck_builder.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/event.h"

/* ---- block contents: the ATA data register ------------------------------- */

static void ata_sector_done(struct view_builder *b)
{
    struct ata_transfer *t = &b->ata;
    uint64_t fnv = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < sizeof t->sector; i++)
        fnv = (fnv ^ t->sector[i]) * UINT64_C(0x100000001b3);
    struct crosscheck_stream *stream =
        view_stream_find(b, CROSSCHECK_FACET_BLOCKS, "ATA primary channel data");
    if (stream != NULL)
        stream->needs_port_events = true;
    const uint8_t *s = t->sector;
    view_stream_addf(b, stream,
                "%s %s lba %" PRIu64 ": %02x %02x %02x %02x %02x %02x %02x %02x ..., "
                "fnv1a 0x%016" PRIx64,
                t->command == 0x20 ? "read" : "write", t->regs[6] & 0x10 ? "slave" : "master",
                t->lba, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], fnv);
    t->words = 0;
    t->lba++;
    if (--t->sectors_left == 0)
        t->command = -1;
}

/* The driver programs count and LBA registers, writes READ or WRITE
 * SECTORS to the command register, and moves 256 words per sector through
 * the data register. Status reads (polling counts) are timing; the words
 * are the blocks. */
void view_on_port(struct view_builder *b, const struct trace_record *r, bool out)
{
    b->view->has_port_events = true;
    uint64_t port = r->arg[0], value = r->arg[2];
    struct ata_transfer *t = &b->ata;
    if (port < ATA_PRIMARY_BASE || port > ATA_PRIMARY_BASE + 7)
        return;
    unsigned reg = (unsigned)(port - ATA_PRIMARY_BASE);
    if (reg == 0) {
        if (t->command < 0 || r->arg[1] != 2 || out != (t->command == 0x30))
            return;
        t->sector[2 * t->words] = (uint8_t)value;
        t->sector[2 * t->words + 1] = (uint8_t)(value >> 8);
        if (++t->words == ATA_SECTOR_WORDS)
            ata_sector_done(b);
        return;
    }
    if (!out)
        return;
    t->regs[reg] = (uint8_t)value;
    if (reg == 7) {
        t->command = value == 0x20 || value == 0x30 ? (int)value : -1;
        t->lba = (uint64_t)t->regs[3] | (uint64_t)t->regs[4] << 8 |
                 (uint64_t)t->regs[5] << 16 | (uint64_t)(t->regs[6] & 0x0F) << 24;
        t->sectors_left = t->regs[2] ? t->regs[2] : 256;
        t->words = 0;
    }
}

/* ---- signals -------------------------------------------------------------- */

void view_on_signal(struct view_builder *b, const struct trace_record *r, bool deliver)
{
    if (r->arg[0] >= VIEW_CONTEXTS)
        return;
    struct context_slot *c = &b->contexts[r->arg[0]];
    c->seen = true;
    if (deliver) {
        c->delivered += r->arg[1];
        if (c->receiver == NULL)
            c->receiver = view_thread_name(b, r->arg[2]);
    } else {
        c->submitted += r->arg[1];
        if (c->submitter == NULL) {
            c->submitter = view_thread_name(b, r->thread);
            c->submitter_pd = r->pd;
        }
    }
}

int view_compare_items(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Context ids are kernel slots and contexts are created by core in the
 * order requests reach it, so a context is named by the thread it is
 * delivered to; a thread's contexts are listed sorted, not by id.
 * Contexts a driver submits (a PD that does port I/O: the timer, ps2,
 * ata, and core with its console) are left out: how many signals a driver
 * sends, and how they coalesce, follows the devices' timing, which the
 * sim's models keep fixed under every seed but QEMU's devices do not (the
 * first QEMU cross-checks: the keyboard's INPUT signals, the timer's
 * alarms). Whether a PD waits for interrupts is no test: core's console
 * driver waits for the UART in the sim and never in QEMU. */
void view_signals_finish(struct view_builder *b)
{
    for (size_t id = 0; id < VIEW_CONTEXTS; id++) {
        const struct context_slot *c = &b->contexts[id];
        if (!c->seen)
            continue;
        if (c->submitter != NULL && b->pds[c->submitter_pd].drives_devices)
            continue;
        char name[CROSSCHECK_TEXT_MAX];
        if (c->receiver != NULL)
            snprintf(name, sizeof name, "delivered to %s", c->receiver);
        else
            snprintf(name, sizeof name, "never delivered, submitted by %s",
                     c->submitter ? c->submitter : "?");
        struct crosscheck_stream *stream = view_stream_find(b, CROSSCHECK_FACET_SIGNALS, name);
        if (stream != NULL)
            stream->sorted = true;
        view_stream_addf(b, stream, "a context: %" PRIu64 " submitted, %" PRIu64 " delivered",
                    c->submitted, c->delivered);
    }
}

/* ---- per-thread order ----------------------------------------------------- */

static struct crosscheck_stream *thread_stream(struct view_builder *b, uint64_t thread)
{
    if (thread > 0 && thread < VIEW_IDS && b->threads[thread].stream > 0)
        return &b->view->facets[CROSSCHECK_FACET_THREADS].streams[b->threads[thread].stream - 1];
    struct crosscheck_stream *stream =
        view_stream_find(b, CROSSCHECK_FACET_THREADS, view_thread_name(b, thread));
    if (stream != NULL && thread > 0 && thread < VIEW_IDS)
        b->threads[thread].stream =
            (size_t)(stream - b->view->facets[CROSSCHECK_FACET_THREADS].streams) + 1;
    return stream;
}

void view_thread_item_add(struct view_builder *b, uint64_t thread, const char *item)
{
    /* An item repeated back to back (a request answered "pending" and
     * asked again, a poll) counts once: how often is timing. */
    struct crosscheck_stream *stream = thread_stream(b, thread);
    if (stream != NULL && stream->count > 0 && strcmp(stream->items[stream->count - 1], item) == 0)
        return;
    view_stream_add(b, stream, item);
}

/* Adds the event to the stream of the thread it is about, with only the
 * arguments that mean the same on every platform (no kernel ids, no
 * values read from devices, no counts that coalesce). */
void view_on_thread_event(struct view_builder *b, const struct trace_record *r)
{
    const char *kind = hal_event_kind_name(r->kind);
    uint64_t thread = r->thread;
    char item[CROSSCHECK_TEXT_MAX];
    char text[TRACE_RECORD_BLOB_MAX + 1];
    switch (r->kind) {
    case HAL_EVENT_KERNEL_ENTRY:
        snprintf(item, sizeof item, "%s syscall %" PRIu64, kind, r->arg[0]);
        break;
    case HAL_EVENT_SYSCALL_ERROR:
        snprintf(item, sizeof item, "%s syscall %" PRIu64 " error %" PRIu64, kind, r->arg[0],
                 r->arg[1]);
        break;
    case HAL_EVENT_IPC_CALL:
    case HAL_EVENT_IPC_REPLY:
        snprintf(item, sizeof item, "%s label %" PRIu64, kind, r->arg[1]);
        break;
    case HAL_EVENT_PORT_OUT:
        snprintf(item, sizeof item, "%s port 0x%" PRIx64 " width %" PRIu64 " value 0x%" PRIx64,
                 kind, r->arg[0], r->arg[1], r->arg[2]);
        break;
    case HAL_EVENT_PORT_IN:
        snprintf(item, sizeof item, "%s port 0x%" PRIx64 " width %" PRIu64, kind, r->arg[0],
                 r->arg[1]);
        break;
    case HAL_EVENT_FAULT:
        view_blob_text(r, text, sizeof text);
        snprintf(item, sizeof item, "%s kind %" PRIu64 " at 0x%" PRIx64 ": %s", kind, r->arg[0],
                 r->arg[1], text);
        break;
    case HAL_EVENT_PAGE_FAULT:
        snprintf(item, sizeof item, "%s offset 0x%" PRIx64 "%s", kind, r->arg[0],
                 r->arg[1] ? " write" : " read");
        break;
    case HAL_EVENT_SIGNAL_SUBMIT:
        snprintf(item, sizeof item, "%s count %" PRIu64, kind, r->arg[1]);
        break;
    case HAL_EVENT_SIGNAL_DELIVER:
        thread = r->arg[2];
        snprintf(item, sizeof item, "%s", kind);
        break;
    case HAL_EVENT_THREAD_EXIT:
        thread = r->arg[0];
        snprintf(item, sizeof item, "%s", kind);
        break;
    case HAL_EVENT_THREAD_CREATE:
        snprintf(item, sizeof item, "%s %s", kind, view_thread_name(b, r->arg[0]));
        break;
    case HAL_EVENT_FUTEX_WAKE:
        snprintf(item, sizeof item, "%s asked %" PRIu64, kind, r->arg[0]);
        break;
    case HAL_EVENT_IRQ_DELIVER:
        if (r->arg[1] == 0)
            return;   /* left pending: whether a waiter was there is timing */
        thread = r->arg[1];
        snprintf(item, sizeof item, "%s line %" PRIu64, kind, r->arg[0]);
        break;
    case HAL_EVENT_RPC_ERROR:
        snprintf(item, sizeof item, "%s opcode %" PRIu64 " status %" PRIu64, kind, r->arg[0],
                 r->arg[1]);
        break;
    case HAL_EVENT_MAP:
        snprintf(item, sizeof item, "%s offset 0x%" PRIx64 " size 0x%" PRIx64 "%s", kind,
                 r->arg[1], r->arg[2], r->arg[3] >> 32 ? " writable" : "");
        break;
    case HAL_EVENT_UNMAP:
        snprintf(item, sizeof item, "%s offset 0x%" PRIx64 " size 0x%" PRIx64, kind, r->arg[1],
                 r->arg[2]);
        break;
    case HAL_EVENT_DATASPACE_CREATE:
        snprintf(item, sizeof item, "%s size 0x%" PRIx64 " flags 0x%" PRIx64, kind, r->arg[1],
                 r->arg[2]);
        break;
    case HAL_EVENT_RM_FAULT:
        snprintf(item, sizeof item, "%s offset 0x%" PRIx64 "%s", kind, r->arg[1],
                 r->arg[2] ? " write" : " read");
        break;
    case HAL_EVENT_RM_RESOLVE:
        snprintf(item, sizeof item, "%s offset 0x%" PRIx64 " size 0x%" PRIx64, kind, r->arg[1],
                 r->arg[2]);
        break;
    case HAL_EVENT_PD_CREATE:
    case HAL_EVENT_SESSION_OPEN:
        view_blob_text(r, text, sizeof text);
        snprintf(item, sizeof item, "%s %s", kind, text);
        break;
    default:
        snprintf(item, sizeof item, "%s", kind ? kind : "(unknown kind)");
        break;
    }
    /* An RPC refused by core is the requester's event: it waits for the
     * reply that names the requester. */
    if (r->kind == HAL_EVENT_RPC_ERROR) {
        if (view_pending_room(b))
            b->pending[b->pending_count++] = (struct pending_line){
                .server_thread = r->thread, .item = view_text_copy(b, item)};
        return;
    }
    view_thread_item_add(b, thread, item);
}

