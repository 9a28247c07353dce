/*
 * crosscheck_log.c - LOG lines: core's chunks back into lines, each line
 * to the component and thread that wrote it, and from there to the log
 * facet and the keys, pci and blocks facets (docs/CROSSCHECK.md).
 */
#include "crosscheck_builder.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/event.h"

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
    struct crosscheck_stream *stream = view_stream_find(b, CROSSCHECK_FACET_LOG, name);
    if (stream != NULL)
        stream->sorted = stream->distinct = reports_others;
    view_stream_add(b, stream, item);
    enum crosscheck_facet facet = CROSSCHECK_FACET_COUNT;
    if (strcmp(who, "input_test") == 0)
        facet = CROSSCHECK_FACET_KEYS;
    else if (strcmp(who, "pci") == 0 || strcmp(who, "pci_test") == 0)
        facet = CROSSCHECK_FACET_PCI;
    else if (strcmp(who, "ata") == 0 || strcmp(who, "block_test") == 0)
        facet = CROSSCHECK_FACET_BLOCKS;
    if (facet != CROSSCHECK_FACET_COUNT)
        view_stream_add(b, view_stream_find(b, facet, name), item);
}

bool view_pending_room(struct view_builder *b)
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

void view_line_finish(struct view_builder *b, struct session_slot *s, const char *flaw)
{
    char item[CROSSCHECK_TEXT_MAX];
    snprintf(item, sizeof item, "%s%s", flaw, s->line ? s->line : "");
    if (strcmp(s->component, "core") == 0) {
        line_deliver(b, s->component, NULL, item);
    } else if (view_pending_room(b)) {
        b->pending[b->pending_count++] = (struct pending_line){
            .server_thread = b->running_thread, .component = s->component,
            .item = view_text_copy(b, item)};
    }
    free(s->line);
    s->line = NULL;
    s->line_length = s->line_declared = 0;
    s->next_chunk = 0;
}

/* Core answers each request with a reply to the thread that sent it: what
 * core did meanwhile (a LOG line written, an RPC refused) is that
 * thread's. At the end (writer 0) what got no reply stays core's. */
void view_pending_flush(struct view_builder *b, uint64_t server_thread, uint64_t writer)
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
                         writer != 0 ? view_thread_name(b, writer) : "(no reply seen)", p->item);
        else if (p->item != NULL)
            view_thread_item_add(b, writer != 0 ? writer : p->server_thread, p->item);
        free(p->item);
    }
    b->pending_count = kept;
}

/* Core emits a line as consecutive chunks: a0 session, a1 the line's
 * length, a2 the chunk's index. Core's own lines ("core: ...", the console
 * with no label) go out as session 0, which may also be a client's slot. */
void view_on_log(struct view_builder *b, const struct trace_record *r)
{
    uint64_t session = r->arg[0];
    struct session_slot *s = session < VIEW_SESSIONS ? &b->sessions[session] : &b->out_of_range;
    char chunk[TRACE_RECORD_BLOB_MAX + 1];
    view_blob_text(r, chunk, sizeof chunk);
    if (s->line != NULL && r->arg[2] != s->next_chunk)
        view_line_finish(b, s, "(line cut off) ");
    if (s->line == NULL) {
        if (r->arg[2] != 0) {
            /* A chunk without its beginning: shown as it is. */
            s->line = view_text_copy(b, chunk);
            s->component = session < VIEW_SESSIONS && s->label ? s->label : "(unknown session)";
            view_line_finish(b, s, "(line without its start) ");
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
            s->component = view_pool_name(b, "(session %" PRIu64 ")", session);
    }
    size_t room = s->line_declared + TRACE_RECORD_BLOB_MAX - s->line_length;
    size_t length = strlen(chunk) < room ? strlen(chunk) : room;
    memcpy(s->line + s->line_length, chunk, length);
    s->line_length += length;
    s->line[s->line_length] = '\0';
    s->next_chunk = r->arg[2] + 1;
    if (s->line_length >= s->line_declared)
        view_line_finish(b, s,
                         s->line_length > s->line_declared ? "(line longer than declared) " : "");
    else if (s == &b->out_of_range)
        view_line_finish(b, s, "(line of an out-of-range session) ");
}

