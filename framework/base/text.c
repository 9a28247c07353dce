/*
 * text.c - the bounded text builder (duet/text.h).
 */
#include "duet/text.h"

#include "duet/assert.h"
#include "duet/string.h"

void text_init(struct text *text, char *buffer, size_t size)
{
    DUET_ASSERT(buffer != NULL && size > 0);
    *text = (struct text){.data = buffer, .size = size};
    buffer[0] = '\0';
}

void text_append_bytes(struct text *text, const void *bytes, size_t len)
{
    size_t room = text->size - 1 - text->length;
    if (len > room) {
        len = room;
        text->truncated = true;
    }
    duet_memcpy(text->data + text->length, bytes, len);
    text->length += len;
    text->data[text->length] = '\0';
}

void text_append(struct text *text, const char *s)
{
    text_append_bytes(text, s, duet_strlen(s));
}

static void append_in_base(struct text *text, uint64_t value, unsigned base)
{
    static const char digits[] = "0123456789abcdef";
    char reversed[20];
    size_t n = 0;
    do {
        reversed[n++] = digits[value % base];
        value /= base;
    } while (value != 0);
    while (n > 0)
        text_append_bytes(text, &reversed[--n], 1);
}

void text_append_u64(struct text *text, uint64_t value)
{
    append_in_base(text, value, 10);
}

void text_append_hex(struct text *text, uint64_t value)
{
    text_append(text, "0x");
    append_in_base(text, value, 16);
}
