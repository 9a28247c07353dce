/*
 * text.h - building short text lines without a libc: a bounded buffer that
 * remembers when it had to cut. For log lines and messages.
 */
#ifndef DUET_TEXT_H
#define DUET_TEXT_H

#include "duet/types.h"

struct text {
    char *data;
    size_t size;        /* capacity including the NUL */
    size_t length;
    bool truncated;
};

void text_init(struct text *text, char *buffer, size_t size);
void text_append(struct text *text, const char *s);
void text_append_bytes(struct text *text, const void *bytes, size_t len);
void text_append_u64(struct text *text, uint64_t value);
void text_append_hex(struct text *text, uint64_t value);   /* "0x..." */

#endif
