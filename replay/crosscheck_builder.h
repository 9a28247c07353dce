/*
 * crosscheck_builder.h - the state of one pass over a run's events, shared
 * by the files that turn events into facets (internal to replay/):
 *   crosscheck_view.c    streams, identities (PDs, threads, sessions), the pass
 *   crosscheck_log.c     LOG lines: reassembly, writer, the log/keys/pci/blocks streams
 *   crosscheck_facets.c  ATA data words, signal totals, per-thread order
 */
#ifndef DUET_CROSSCHECK_BUILDER_H
#define DUET_CROSSCHECK_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "crosscheck_view.h"
#include "duet/trace_record.h"

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
    bool drives_devices;         /* did port I/O (the PIC's, the kernel's, aside) */
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
    uint16_t submitter_pd;       /* the PD of the first submit               */
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

/* crosscheck_view.c */
char *view_text_copy(struct view_builder *b, const char *text);
struct crosscheck_stream *view_stream_find(struct view_builder *b, enum crosscheck_facet facet,
                                           const char *name);
void view_stream_add(struct view_builder *b, struct crosscheck_stream *stream, const char *item);
void view_stream_addf(struct view_builder *b, struct crosscheck_stream *stream,
                      const char *format, ...) __attribute__((format(printf, 3, 4)));
/* A name that lives until the view is built (ids are reused meanwhile). */
const char *view_pool_name(struct view_builder *b, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The blob as text: printable ASCII kept, anything else as '?'. */
void view_blob_text(const struct trace_record *r, char *out, size_t out_size);
const char *view_thread_name(struct view_builder *b, uint64_t thread);
int view_compare_items(const void *x, const void *y);

/* crosscheck_log.c */
void view_on_log(struct view_builder *b, const struct trace_record *r);
void view_line_finish(struct view_builder *b, struct session_slot *s, const char *flaw);
bool view_pending_room(struct view_builder *b);
void view_pending_flush(struct view_builder *b, uint64_t server_thread, uint64_t writer);

/* crosscheck_facets.c */
void view_on_port(struct view_builder *b, const struct trace_record *r, bool out);
void view_on_signal(struct view_builder *b, const struct trace_record *r, bool deliver);
void view_signals_finish(struct view_builder *b);
void view_on_thread_event(struct view_builder *b, const struct trace_record *r);
void view_thread_item_add(struct view_builder *b, uint64_t thread, const char *item);

#endif
