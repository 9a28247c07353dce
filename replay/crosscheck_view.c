/*
 * crosscheck_view.c - projecting a run's events onto the cross-check's
 * facets (docs/CROSSCHECK.md says which events feed which facet).
 *
 * Kernel ids are slots: the n-th PD or thread may get another id on
 * another platform or after another interleaving, and ids are reused. So
 * the pass keeps, per id, what it stands for *now*:
 *   PD id      -> "name" or "name#k" (the k-th PD of that name, from 0),
 *                 from PD_CREATE (blob = name);
 *   thread id  -> "PD / thread n" (the n-th thread created in that PD),
 *                 from THREAD_CREATE (new thread, pd);
 *   session    -> the client's label ("init -> hello"), from SESSION_OPEN
 *                 (slot, service; blob = label), the latest one of the slot.
 * Everything read from the store is untrusted: ids out of range, chunks
 * out of order and unknown kinds become visible items or are skipped,
 * never an out-of-bounds access.
 */
#include "crosscheck_view.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/event.h"

enum {
    VIEW_IDS = 65536,            /* pd and thread fields are 16-bit          */
    VIEW_SESSIONS = 1024,        /* session slots we follow (core has fewer) */
    VIEW_CONTEXTS = 65536,       /* signal context ids we follow             */
    VIEW_LOG_LINE_MAX = 4096,    /* longer declared lines are cut           */
    ATA_PRIMARY_BASE = 0x1F0,    /* the channel the ATA driver uses          */
    ATA_SECTOR_WORDS = 256,
};

struct pd_slot {
    const char *name;            /* "init", "hello#1"; NULL: never created   */
    unsigned threads_created;
};

struct thread_slot {
    const char *name;            /* "init / thread 0"; NULL: never created   */
    size_t stream;               /* THREADS facet stream + 1; 0: none yet    */
};

struct session_slot {
    const char *label;           /* NULL: no SESSION_OPEN seen               */
    char *line;                  /* the LOG line being assembled             */
    size_t line_length, line_declared;
    uint64_t next_chunk;
    const char *component;       /* who the line being assembled is from     */
};

struct context_slot {
    uint64_t submitted, delivered;
    const char *receiver;        /* the thread of the first delivery         */
    const char *submitter;       /* the thread of the first submit           */
    bool seen;
};

struct name_count {
    const char *name;
    unsigned count;
};

struct ata_transfer {
    uint8_t regs[8];
    int command;                 /* 0x20 read, 0x30 write, -1 none           */
    uint64_t lba;
    unsigned sectors_left;
    unsigned words;
    uint8_t sector[2 * ATA_SECTOR_WORDS];
};

/* A client's finished LOG line, waiting for core's reply to say which of
 * the client's threads wrote it. */
struct pending_line {
    uint64_t server_thread;      /* core's thread that emitted the event     */
    const char *component;       /* a LOG line's; NULL: a THREADS item       */
    char *item;
};

struct view_builder {
    struct crosscheck_view *view;
    uint64_t thread_kinds;
    struct pd_slot *pds;
    struct thread_slot *threads;
    struct session_slot *sessions;
    struct context_slot *contexts;
    struct name_count *pd_names;      /* PDs created per name               */
    size_t pd_name_count, pd_name_capacity;
    char **pool;                      /* every name made, freed at the end  */
    size_t pool_count, pool_capacity;
    struct ata_transfer ata;
    struct session_slot out_of_range;  /* a LOG session id past VIEW_SESSIONS */
    struct pending_line *pending;     /* lines whose writer is not known yet */
    size_t pending_count, pending_capacity;
    uint64_t running_thread;          /* of the event being read            */
};

/* ---- streams -------------------------------------------------------------- */

static char *text_copy(struct view_builder *b, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        b->view->out_of_memory = true;
    return copy;
}

static struct crosscheck_stream *stream_find(struct view_builder *b, enum crosscheck_facet facet,
                                             const char *name)
{
    struct crosscheck_stream_set *set = &b->view->facets[facet];
    /* Streams are few per facet (components, threads): a linear search at
     * the rare lookups by name; per-event paths cache the index. */
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->streams[i].name, name) == 0)
            return &set->streams[i];
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? 2 * set->capacity : 16;
        void *grown = realloc(set->streams, capacity * sizeof *set->streams);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return NULL;
        }
        set->streams = grown;
        set->capacity = capacity;
    }
    struct crosscheck_stream *stream = &set->streams[set->count];
    *stream = (struct crosscheck_stream){.name = text_copy(b, name)};
    if (stream->name == NULL)
        return NULL;
    set->count++;
    return stream;
}

static void stream_add(struct view_builder *b, struct crosscheck_stream *stream, const char *item)
{
    if (stream == NULL)
        return;
    if (stream->count == stream->capacity) {
        size_t capacity = stream->capacity ? 2 * stream->capacity : 16;
        void *grown = realloc(stream->items, capacity * sizeof *stream->items);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return;
        }
        stream->items = grown;
        stream->capacity = capacity;
    }
    char *copy = text_copy(b, item);
    if (copy != NULL)
        stream->items[stream->count++] = copy;
}

static void stream_addf(struct view_builder *b, struct crosscheck_stream *stream,
                        const char *format, ...) __attribute__((format(printf, 3, 4)));
static void stream_addf(struct view_builder *b, struct crosscheck_stream *stream,
                        const char *format, ...)
{
    char item[CROSSCHECK_TEXT_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(item, sizeof item, format, args);
    va_end(args);
    stream_add(b, stream, item);
}

/* A name that lives until the view is built (ids are reused meanwhile). */
static const char *pool_name(struct view_builder *b, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static const char *pool_name(struct view_builder *b, const char *format, ...)
{
    char name[CROSSCHECK_TEXT_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(name, sizeof name, format, args);
    va_end(args);
    if (b->pool_count == b->pool_capacity) {
        size_t capacity = b->pool_capacity ? 2 * b->pool_capacity : 64;
        void *grown = realloc(b->pool, capacity * sizeof *b->pool);
        if (grown == NULL) {
            b->view->out_of_memory = true;
            return "?";
        }
        b->pool = grown;
        b->pool_capacity = capacity;
    }
    char *copy = text_copy(b, name);
    if (copy == NULL)
        return "?";
    b->pool[b->pool_count++] = copy;
    return copy;
}

/* ---- identities ----------------------------------------------------------- */

/* The blob as text: printable ASCII kept, anything else as '?'. */
static void blob_text(const struct trace_record *r, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < r->blob_len && i < TRACE_RECORD_BLOB_MAX && n + 1 < out_size; i++) {
        uint8_t c = r->blob[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
}

static const char *thread_name(struct view_builder *b, uint64_t thread)
{
    if (thread == 0)
        return "(kernel)";
    if (thread >= VIEW_IDS)
        return pool_name(b, "(thread id %" PRIu64 " out of range)", thread);
    if (b->threads[thread].name == NULL)
        b->threads[thread].name = pool_name(b, "(thread %" PRIu64 ", never created)", thread);
    return b->threads[thread].name;
}

static void on_pd_create(struct view_builder *b, const struct trace_record *r)
{
    uint64_t pd = r->arg[0];
    if (pd == 0 || pd >= VIEW_IDS)
        return;
    char name[TRACE_RECORD_BLOB_MAX + 1];
    blob_text(r, name, sizeof name);
    struct name_count *known = NULL;
    for (size_t i = 0; i < b->pd_name_count && known == NULL; i++)
        if (strcmp(b->pd_names[i].name, name) == 0)
            known = &b->pd_names[i];
    if (known == NULL) {
        if (b->pd_name_count == b->pd_name_capacity) {
            size_t capacity = b->pd_name_capacity ? 2 * b->pd_name_capacity : 32;
            void *grown = realloc(b->pd_names, capacity * sizeof *b->pd_names);
            if (grown == NULL) {
                b->view->out_of_memory = true;
                return;
            }
            b->pd_names = grown;
            b->pd_name_capacity = capacity;
        }
        known = &b->pd_names[b->pd_name_count++];
        *known = (struct name_count){.name = pool_name(b, "%s", name)};
    }
    b->pds[pd].name = known->count == 0 ? known->name
                                        : pool_name(b, "%s#%u", name, known->count);
    b->pds[pd].threads_created = 0;
    known->count++;
}

static void on_thread_create(struct view_builder *b, const struct trace_record *r)
{
    uint64_t thread = r->arg[0], pd = r->arg[1];
    if (thread == 0 || thread >= VIEW_IDS)
        return;
    const char *pd_name = pd < VIEW_IDS && b->pds[pd].name != NULL ? b->pds[pd].name : NULL;
    unsigned n = pd < VIEW_IDS ? b->pds[pd].threads_created++ : 0;
    b->threads[thread].name = pd_name != NULL
                                  ? pool_name(b, "%s / thread %u", pd_name, n)
                                  : pool_name(b, "(pd %" PRIu64 ") / thread %u", pd, n);
    b->threads[thread].stream = 0;
}

static void on_session_open(struct view_builder *b, const struct trace_record *r)
{
    if (r->arg[0] >= VIEW_SESSIONS)
        return;
    char label[TRACE_RECORD_BLOB_MAX + 1];
    blob_text(r, label, sizeof label);
    b->sessions[r->arg[0]].label = pool_name(b, "%s", label);
}

/* ---- LOG lines ------------------------------------------------------------ */

/* "init -> input_test" -> "input_test". */
static const char *label_last(const char *label)
{
    const char *last = label;
    for (const char *p = label; (p = strstr(p, "-> ")) != NULL; p += 3)
        last = p + 3;
    return last;
}

/* Lines that report how the timing went: the number after the prefix is
 * the program's own observation of the interleaving, so it is shown as
 * '#'. The validation over every scenario and seed found these two only
 * (docs/CROSSCHECK.md), both signal_test's: how many deliveries the fast
 * sender's signals coalesced into, and whether the waiter woken by the
 * session's close saw its capability stale or already invalid (the test
 * accepts either). */
static const struct timing_line {
    const char *component;       /* the label's last element */
    const char *prefix;
} timing_lines[] = {
    {"signal_test", "fast sender, slow receiver: all counted, deliveries "},
    {"signal_test", "closing the session woke its waiter, error "},
};

static void line_mask_timing(const char *component, const char *line, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s", line);
    for (size_t i = 0; i < sizeof timing_lines / sizeof timing_lines[0]; i++) {
        size_t prefix = strlen(timing_lines[i].prefix);
        if (strcmp(label_last(component), timing_lines[i].component) != 0 ||
            strncmp(line, timing_lines[i].prefix, prefix) != 0)
            continue;
        const char *rest = line + prefix;
        while (*rest >= '0' && *rest <= '9')
            rest++;
        snprintf(out, out_size, "%s#%s", timing_lines[i].prefix, rest);
    }
}

/* A component's lines go to the stream of the component and the thread
 * that wrote them: threads of one component log concurrently, so only a
 * thread's own lines have an order of their own. The lines of init and
 * core's own lines ("core: ...") report other components' events (a child
 * announced a service or exited, a thread faulted) in the order those
 * happen, which is scheduling, and as often as they happen, which in a
 * racy scenario is scheduling too (opener_races: a server killed while
 * starting announces its service or not): they are compared as the set
 * of distinct lines. */
static void line_deliver(struct view_builder *b, const char *component, const char *writer,
                         const char *line)
{
    char item[CROSSCHECK_TEXT_MAX];
    line_mask_timing(component, line, item, sizeof item);
    char name[CROSSCHECK_TEXT_MAX];
    if (writer != NULL)
        snprintf(name, sizeof name, "%s, written by %s", component, writer);
    else
        snprintf(name, sizeof name, "%s", component);
    const char *who = label_last(component);
    bool reports_others = strcmp(component, "core") == 0 || strcmp(who, "init") == 0;
    struct crosscheck_stream *stream = stream_find(b, CROSSCHECK_FACET_LOG, name);
    if (stream != NULL)
        stream->sorted = stream->distinct = reports_others;
    stream_add(b, stream, item);
    enum crosscheck_facet facet = CROSSCHECK_FACET_COUNT;
    if (strcmp(who, "input_test") == 0)
        facet = CROSSCHECK_FACET_KEYS;
    else if (strcmp(who, "pci") == 0 || strcmp(who, "pci_test") == 0)
        facet = CROSSCHECK_FACET_PCI;
    else if (strcmp(who, "ata") == 0 || strcmp(who, "block_test") == 0)
        facet = CROSSCHECK_FACET_BLOCKS;
    if (facet != CROSSCHECK_FACET_COUNT)
        stream_add(b, stream_find(b, facet, name), item);
}

static bool pending_room(struct view_builder *b)
{
    if (b->pending_count < b->pending_capacity)
        return true;
    size_t capacity = b->pending_capacity ? 2 * b->pending_capacity : 8;
    void *grown = realloc(b->pending, capacity * sizeof *b->pending);
    if (grown == NULL) {
        b->view->out_of_memory = true;
        return false;
    }
    b->pending = grown;
    b->pending_capacity = capacity;
    return true;
}

static void line_finish(struct view_builder *b, struct session_slot *s, const char *flaw)
{
    char item[CROSSCHECK_TEXT_MAX];
    snprintf(item, sizeof item, "%s%s", flaw, s->line ? s->line : "");
    if (strcmp(s->component, "core") == 0) {
        line_deliver(b, s->component, NULL, item);
    } else if (pending_room(b)) {
        b->pending[b->pending_count++] = (struct pending_line){
            .server_thread = b->running_thread, .component = s->component,
            .item = text_copy(b, item)};
    }
    free(s->line);
    s->line = NULL;
    s->line_length = s->line_declared = 0;
    s->next_chunk = 0;
}

static void thread_item_add(struct view_builder *b, uint64_t thread, const char *item);

/* Core answers each request with a reply to the thread that sent it: what
 * core did meanwhile (a LOG line written, an RPC refused) is that
 * thread's. At the end (writer 0) what got no reply stays core's. */
static void pending_flush(struct view_builder *b, uint64_t server_thread, uint64_t writer)
{
    size_t kept = 0;
    for (size_t i = 0; i < b->pending_count; i++) {
        struct pending_line *p = &b->pending[i];
        if (writer != 0 && p->server_thread != server_thread) {
            b->pending[kept++] = *p;
            continue;
        }
        if (p->item != NULL && p->component != NULL)
            line_deliver(b, p->component,
                         writer != 0 ? thread_name(b, writer) : "(no reply seen)", p->item);
        else if (p->item != NULL)
            thread_item_add(b, writer != 0 ? writer : p->server_thread, p->item);
        free(p->item);
    }
    b->pending_count = kept;
}

/* Core emits a line as consecutive chunks: a0 session, a1 the line's
 * length, a2 the chunk's index. Core's own lines ("core: ...", the console
 * with no label) go out as session 0, which may also be a client's slot. */
static void on_log(struct view_builder *b, const struct trace_record *r)
{
    uint64_t session = r->arg[0];
    struct session_slot *s = session < VIEW_SESSIONS ? &b->sessions[session] : &b->out_of_range;
    char chunk[TRACE_RECORD_BLOB_MAX + 1];
    blob_text(r, chunk, sizeof chunk);
    if (s->line != NULL && r->arg[2] != s->next_chunk)
        line_finish(b, s, "(line cut off) ");
    if (s->line == NULL) {
        if (r->arg[2] != 0) {
            /* A chunk without its beginning: shown as it is. */
            s->line = text_copy(b, chunk);
            s->component = session < VIEW_SESSIONS && s->label ? s->label : "(unknown session)";
            line_finish(b, s, "(line without its start) ");
            return;
        }
        size_t declared = r->arg[1] < VIEW_LOG_LINE_MAX ? (size_t)r->arg[1] : VIEW_LOG_LINE_MAX;
        s->line = calloc(1, declared + TRACE_RECORD_BLOB_MAX + 1);
        if (s->line == NULL) {
            b->view->out_of_memory = true;
            return;
        }
        s->line_declared = declared;
        if (session == 0 && strncmp(chunk, "core: ", 6) == 0)
            s->component = "core";
        else if (session < VIEW_SESSIONS && s->label != NULL)
            s->component = s->label;
        else
            s->component = pool_name(b, "(session %" PRIu64 ")", session);
    }
    size_t room = s->line_declared + TRACE_RECORD_BLOB_MAX - s->line_length;
    size_t length = strlen(chunk) < room ? strlen(chunk) : room;
    memcpy(s->line + s->line_length, chunk, length);
    s->line_length += length;
    s->line[s->line_length] = '\0';
    s->next_chunk = r->arg[2] + 1;
    if (s->line_length >= s->line_declared)
        line_finish(b, s, s->line_length > s->line_declared ? "(line longer than declared) " : "");
    else if (s == &b->out_of_range)
        line_finish(b, s, "(line of an out-of-range session) ");
}

/* ---- block contents: the ATA data register ------------------------------- */

static void ata_sector_done(struct view_builder *b)
{
    struct ata_transfer *t = &b->ata;
    uint64_t fnv = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < sizeof t->sector; i++)
        fnv = (fnv ^ t->sector[i]) * UINT64_C(0x100000001b3);
    struct crosscheck_stream *stream =
        stream_find(b, CROSSCHECK_FACET_BLOCKS, "ATA primary channel data");
    if (stream != NULL)
        stream->needs_port_events = true;
    const uint8_t *s = t->sector;
    stream_addf(b, stream,
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
static void on_port(struct view_builder *b, const struct trace_record *r, bool out)
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

static void on_signal(struct view_builder *b, const struct trace_record *r, bool deliver)
{
    if (r->arg[0] >= VIEW_CONTEXTS)
        return;
    struct context_slot *c = &b->contexts[r->arg[0]];
    c->seen = true;
    if (deliver) {
        c->delivered += r->arg[1];
        if (c->receiver == NULL)
            c->receiver = thread_name(b, r->arg[2]);
    } else {
        c->submitted += r->arg[1];
        if (c->submitter == NULL)
            c->submitter = thread_name(b, r->thread);
    }
}

static int compare_items(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Context ids are kernel slots and contexts are created by core in the
 * order requests reach it, so a context is named by the thread it is
 * delivered to; a thread's contexts are listed sorted, not by id. */
static void signals_finish(struct view_builder *b)
{
    for (size_t id = 0; id < VIEW_CONTEXTS; id++) {
        const struct context_slot *c = &b->contexts[id];
        if (!c->seen)
            continue;
        char name[CROSSCHECK_TEXT_MAX];
        if (c->receiver != NULL)
            snprintf(name, sizeof name, "delivered to %s", c->receiver);
        else
            snprintf(name, sizeof name, "never delivered, submitted by %s",
                     c->submitter ? c->submitter : "?");
        struct crosscheck_stream *stream = stream_find(b, CROSSCHECK_FACET_SIGNALS, name);
        if (stream != NULL)
            stream->sorted = true;
        stream_addf(b, stream, "a context: %" PRIu64 " submitted, %" PRIu64 " delivered",
                    c->submitted, c->delivered);
    }
}

/* ---- per-thread order ----------------------------------------------------- */

static struct crosscheck_stream *thread_stream(struct view_builder *b, uint64_t thread)
{
    if (thread > 0 && thread < VIEW_IDS && b->threads[thread].stream > 0)
        return &b->view->facets[CROSSCHECK_FACET_THREADS].streams[b->threads[thread].stream - 1];
    struct crosscheck_stream *stream =
        stream_find(b, CROSSCHECK_FACET_THREADS, thread_name(b, thread));
    if (stream != NULL && thread > 0 && thread < VIEW_IDS)
        b->threads[thread].stream =
            (size_t)(stream - b->view->facets[CROSSCHECK_FACET_THREADS].streams) + 1;
    return stream;
}

static void thread_item_add(struct view_builder *b, uint64_t thread, const char *item)
{
    /* An item repeated back to back (a request answered "pending" and
     * asked again, a poll) counts once: how often is timing. */
    struct crosscheck_stream *stream = thread_stream(b, thread);
    if (stream != NULL && stream->count > 0 && strcmp(stream->items[stream->count - 1], item) == 0)
        return;
    stream_add(b, stream, item);
}

/* Adds the event to the stream of the thread it is about, with only the
 * arguments that mean the same on every platform (no kernel ids, no
 * values read from devices, no counts that coalesce). */
static void on_thread_event(struct view_builder *b, const struct trace_record *r)
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
        blob_text(r, text, sizeof text);
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
        snprintf(item, sizeof item, "%s %s", kind, thread_name(b, r->arg[0]));
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
        blob_text(r, text, sizeof text);
        snprintf(item, sizeof item, "%s %s", kind, text);
        break;
    default:
        snprintf(item, sizeof item, "%s", kind ? kind : "(unknown kind)");
        break;
    }
    /* An RPC refused by core is the requester's event: it waits for the
     * reply that names the requester. */
    if (r->kind == HAL_EVENT_RPC_ERROR) {
        if (pending_room(b))
            b->pending[b->pending_count++] = (struct pending_line){
                .server_thread = r->thread, .item = text_copy(b, item)};
        return;
    }
    thread_item_add(b, thread, item);
}

/* ---- the pass ------------------------------------------------------------- */

static void on_event(struct view_builder *b, const struct trace_record *r)
{
    b->running_thread = r->thread;
    switch (r->kind) {
    case HAL_EVENT_PD_CREATE:
        on_pd_create(b, r);
        break;
    case HAL_EVENT_THREAD_CREATE:
        on_thread_create(b, r);
        break;
    case HAL_EVENT_SESSION_OPEN:
        on_session_open(b, r);
        break;
    case HAL_EVENT_LOG:
        on_log(b, r);
        break;
    case HAL_EVENT_PORT_IN:
    case HAL_EVENT_PORT_OUT:
        on_port(b, r, r->kind == HAL_EVENT_PORT_OUT);
        break;
    case HAL_EVENT_SIGNAL_SUBMIT:
    case HAL_EVENT_SIGNAL_DELIVER:
        on_signal(b, r, r->kind == HAL_EVENT_SIGNAL_DELIVER);
        break;
    case HAL_EVENT_IPC_REPLY:
        if (b->pending_count > 0 && r->arg[0] != 0)
            pending_flush(b, r->thread, r->arg[0]);
        break;
    default:
        break;
    }
    if (r->kind < 64 && (b->thread_kinds >> r->kind & 1))
        on_thread_event(b, r);
}

static void builder_free(struct view_builder *b)
{
    if (b->sessions != NULL)
        for (size_t i = 0; i < VIEW_SESSIONS; i++)
            free(b->sessions[i].line);
    free(b->out_of_range.line);
    for (size_t i = 0; i < b->pending_count; i++)
        free(b->pending[i].item);
    free(b->pending);
    for (size_t i = 0; i < b->pool_count; i++)
        free(b->pool[i]);
    free(b->pool);
    free(b->pd_names);
    free(b->pds);
    free(b->threads);
    free(b->sessions);
    free(b->contexts);
}

enum crosscheck_error crosscheck_view_build(struct trace_store *store, int64_t run_id,
                                            const char *outcome, uint64_t thread_kinds,
                                            struct crosscheck_view *view, uint64_t *out_events,
                                            char *error, size_t error_len)
{
    memset(view, 0, sizeof *view);
    *out_events = 0;
    struct view_builder b = {
        .view = view,
        .thread_kinds = thread_kinds,
        .pds = calloc(VIEW_IDS, sizeof(struct pd_slot)),
        .threads = calloc(VIEW_IDS, sizeof(struct thread_slot)),
        .sessions = calloc(VIEW_SESSIONS, sizeof(struct session_slot)),
        .contexts = calloc(VIEW_CONTEXTS, sizeof(struct context_slot)),
        .ata = {.command = -1},
    };
    if (b.pds == NULL || b.threads == NULL || b.sessions == NULL || b.contexts == NULL) {
        builder_free(&b);
        snprintf(error, error_len, "out of host memory");
        return CROSSCHECK_ERR_OUT_OF_MEMORY;
    }
    struct crosscheck_stream *outcome_stream = stream_find(&b, CROSSCHECK_FACET_OUTCOME, "run");
    stream_add(&b, outcome_stream, outcome);

    struct trace_event_cursor *cursor = NULL;
    enum trace_store_error store_error = trace_store_events_open(store, run_id, &cursor);
    struct trace_record record;
    while (store_error == TRACE_STORE_OK &&
           (store_error = trace_store_events_next(cursor, &record)) == TRACE_STORE_OK) {
        on_event(&b, &record);
        ++*out_events;
    }
    if (cursor != NULL)
        trace_store_events_close(cursor);
    /* Lines still being assembled when the run ended. */
    for (size_t i = 0; i < VIEW_SESSIONS; i++)
        if (b.sessions[i].line != NULL)
            line_finish(&b, &b.sessions[i], "(line unfinished at the end) ");
    pending_flush(&b, 0, 0);
    signals_finish(&b);
    builder_free(&b);
    if (store_error != TRACE_STORE_ERR_END) {
        snprintf(error, error_len, "reading the events of run %" PRId64 ": %s (%s)", run_id,
                 trace_store_error_name(store_error), trace_store_last_message(store));
        return CROSSCHECK_ERR_STORE;
    }
    if (view->out_of_memory) {
        snprintf(error, error_len, "out of host memory");
        return CROSSCHECK_ERR_OUT_OF_MEMORY;
    }
    return CROSSCHECK_OK;
}

void crosscheck_view_free(struct crosscheck_view *view)
{
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++) {
        struct crosscheck_stream_set *set = &view->facets[f];
        for (size_t i = 0; i < set->count; i++) {
            for (size_t j = 0; j < set->streams[i].count; j++)
                free(set->streams[i].items[j]);
            free(set->streams[i].items);
            free(set->streams[i].name);
        }
        free(set->streams);
    }
    memset(view, 0, sizeof *view);
}

static int compare_streams(const void *x, const void *y)
{
    return strcmp(((const struct crosscheck_stream *)x)->name,
                  ((const struct crosscheck_stream *)y)->name);
}

static void stream_sort(struct crosscheck_stream *stream)
{
    if (stream->count < 2)
        return;
    qsort(stream->items, stream->count, sizeof(char *), compare_items);
    if (!stream->distinct)
        return;
    size_t kept = 1;
    for (size_t i = 1; i < stream->count; i++) {
        if (strcmp(stream->items[i], stream->items[kept - 1]) == 0)
            free(stream->items[i]);
        else
            stream->items[kept++] = stream->items[i];
    }
    stream->count = kept;
}

void crosscheck_view_sort(struct crosscheck_view *view)
{
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++)
        for (size_t i = 0; i < view->facets[f].count; i++)
            if (view->facets[f].streams[i].sorted)
                stream_sort(&view->facets[f].streams[i]);
    for (size_t f = 0; f < CROSSCHECK_FACET_COUNT; f++)
        if (view->facets[f].count > 1)   /* qsort wants an array, even of none */
            qsort(view->facets[f].streams, view->facets[f].count,
                  sizeof(struct crosscheck_stream), compare_streams);
}
