/*
 * printf.c - the kit's log and assertions (dde_kit/dde_kit.h): a small
 * printf formatter into one LOG line.
 *
 * Only what drivers print: strings, characters, signed and unsigned
 * decimal, hex, with l/ll/z and a zero-padded width. An unknown
 * conversion is printed as it stands, never guessed at. No %p: host
 * addresses must not enter a trace.
 */
#include <stdarg.h>

#include "dde_kit_state.h"
#include "duet/assert.h"
#include "duet/string.h"

struct out {
    char *buffer;
    size_t size;
    size_t length;
};

static void put(struct out *out, char c)
{
    if (out->length + 1 < out->size)
        out->buffer[out->length++] = c;
}

static void put_number(struct out *out, uint64_t value, bool negative, unsigned base,
                       bool upper, unsigned width, bool zero_pad)
{
    char digits[24];
    size_t count = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[count++] = set[value % base];
        value /= base;
    } while (value != 0 && count < sizeof digits);
    size_t shown = count + (negative ? 1 : 0);
    if (negative && zero_pad)
        put(out, '-');
    for (; shown < width; shown++)
        put(out, zero_pad ? '0' : ' ');
    if (negative && !zero_pad)
        put(out, '-');
    while (count > 0)
        put(out, digits[--count]);
}

void dde_kit_vformat(char *buffer, size_t size, const char *format, va_list args)
{
    DUET_ASSERT(buffer != NULL && size > 0);
    struct out out = {buffer, size, 0};
    for (const char *p = format; *p != '\0'; p++) {
        if (*p != '%') {
            put(&out, *p);
            continue;
        }
        const char *start = p++;
        bool zero_pad = *p == '0';
        unsigned width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p++ - '0');
        unsigned longs = 0;
        bool size_t_arg = false;
        while (*p == 'l' && longs < 2) {
            longs++;
            p++;
        }
        if (*p == 'z') {
            size_t_arg = true;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = size_t_arg || longs > 0 ? (int64_t)va_arg(args, long long)
                                                : (int64_t)va_arg(args, int);
            uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            put_number(&out, magnitude, v < 0, 10, false, width, zero_pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = size_t_arg  ? (uint64_t)va_arg(args, size_t)
                         : longs > 0 ? (uint64_t)va_arg(args, unsigned long long)
                                     : (uint64_t)va_arg(args, unsigned);
            put_number(&out, v, false, *p == 'u' ? 10 : 16, *p == 'X', width, zero_pad);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);
            for (s = s != NULL ? s : "(null)"; *s != '\0'; s++)
                put(&out, *s);
            break;
        }
        case 'c':
            put(&out, (char)va_arg(args, int));
            break;
        case '%':
            put(&out, '%');
            break;
        default:   /* shown as written; a lone '%' at the end stops here */
            for (const char *q = start; q <= p && *q != '\0'; q++)
                put(&out, *q);
            if (*p == '\0')
                p--;
            break;
        }
    }
    buffer[out.length] = '\0';
}

static void write_line(struct dde_kit *kit, const char *format, va_list args)
{
    dde_kit_lock_lock(&kit->log_lock);
    dde_kit_vformat(kit->line, sizeof kit->line, format, args);
    size_t length = duet_strlen(kit->line);
    if (length > 0 && kit->line[length - 1] == '\n')
        kit->line[length - 1] = '\0';
    log_write(kit->env, kit->log.cap, kit->line);
    dde_kit_lock_unlock(&kit->log_lock);
}

size_t dde_kit_snprintf(char *buffer, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    dde_kit_vformat(buffer, size, format, args);
    va_end(args);
    return duet_strlen(buffer);
}

void dde_kit_print(struct dde_kit *kit, const char *line)
{
    dde_kit_printf(kit, "%s", line);
}

void dde_kit_printf(struct dde_kit *kit, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    write_line(kit, format, args);
    va_end(args);
}

void dde_kit_log(struct dde_kit *kit, bool enabled, const char *format, ...)
{
    if (!enabled)
        return;
    va_list args;
    va_start(args, format);
    write_line(kit, format, args);
    va_end(args);
}

void dde_kit_panic(struct dde_kit *kit, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    write_line(kit, format, args);
    va_end(args);
    /* The line is logged; the world's failure names the kit. */
    hal_panic("dde_kit_panic", "driver panic (see its last LOG line)");
}

void dde_kit_assert_failed(struct dde_kit *kit, const char *expression, const char *file,
                           int line)
{
    dde_kit_panic(kit, "assertion failed: %s (%s:%d)", expression, file, line);
}
