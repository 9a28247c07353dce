/*
 * session_args.c - the strict session-argument parser (duet/session_args.h).
 *
 * A hand-written scanner over a tiny grammar: every byte is accounted for,
 * nothing is skipped silently, and the first problem is reported by name.
 * It runs in servers on client-supplied text, so it never reads past the
 * terminating NUL nor writes past a field.
 */
#include "duet/session_args.h"

#include "duet/quota.h"
#include "duet/string.h"

static const char *const error_names[SESSION_ARGS_ERROR_COUNT] = {
    [SESSION_ARGS_OK] = "SESSION_ARGS_OK",
    [SESSION_ARGS_ERR_SYNTAX] = "SESSION_ARGS_ERR_SYNTAX",
    [SESSION_ARGS_ERR_DUPLICATE_KEY] = "SESSION_ARGS_ERR_DUPLICATE_KEY",
    [SESSION_ARGS_ERR_TOO_LONG] = "SESSION_ARGS_ERR_TOO_LONG",
    [SESSION_ARGS_ERR_TOO_MANY] = "SESSION_ARGS_ERR_TOO_MANY",
};

const char *session_args_error_name(enum session_args_error error)
{
    return (unsigned)error < SESSION_ARGS_ERROR_COUNT ? error_names[error]
                                                      : "SESSION_ARGS_ERR_UNKNOWN";
}

static bool is_lower_or_underscore(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_bare_value_char(char c)
{
    return is_lower_or_underscore(c) || is_digit(c) || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '+' || c == '-';
}

/* Scans a key at *at into key[]; advances *at. */
static enum session_args_error scan_key(const char **at, char key[SESSION_ARG_KEY_MAX])
{
    const char *p = *at;
    size_t n = 0;
    if (!is_lower_or_underscore(*p))
        return SESSION_ARGS_ERR_SYNTAX;
    while (is_lower_or_underscore(*p) || is_digit(*p)) {
        if (n + 1 >= SESSION_ARG_KEY_MAX)
            return SESSION_ARGS_ERR_TOO_LONG;
        key[n++] = *p++;
    }
    key[n] = '\0';
    *at = p;
    return SESSION_ARGS_OK;
}

static enum session_args_error scan_value(const char **at, char value[SESSION_ARG_VALUE_MAX])
{
    const char *p = *at;
    size_t n = 0;
    if (*p == '"') {
        p++;
        while (*p != '"') {
            if (*p == '\0' || *p == '\\' || (uint8_t)*p < 0x20 || (uint8_t)*p == 0x7f)
                return SESSION_ARGS_ERR_SYNTAX;
            if (n + 1 >= SESSION_ARG_VALUE_MAX)
                return SESSION_ARGS_ERR_TOO_LONG;
            value[n++] = *p++;
        }
        p++;
    } else {
        if (!is_bare_value_char(*p))
            return SESSION_ARGS_ERR_SYNTAX;
        while (is_bare_value_char(*p)) {
            if (n + 1 >= SESSION_ARG_VALUE_MAX)
                return SESSION_ARGS_ERR_TOO_LONG;
            value[n++] = *p++;
        }
    }
    value[n] = '\0';
    *at = p;
    return SESSION_ARGS_OK;
}

/* Scans one "key=value" pair into the next slot of out. */
static enum session_args_error scan_pair(const char **at, struct session_args *out)
{
    if (out->count == SESSION_ARGS_MAX)
        return SESSION_ARGS_ERR_TOO_MANY;
    struct session_arg *arg = &out->arg[out->count];
    enum session_args_error error = scan_key(at, arg->key);
    if (error == SESSION_ARGS_OK && *(*at)++ != '=')
        error = SESSION_ARGS_ERR_SYNTAX;
    if (error == SESSION_ARGS_OK)
        error = scan_value(at, arg->value);
    if (error == SESSION_ARGS_OK && session_args_find(out, arg->key) != NULL)
        error = SESSION_ARGS_ERR_DUPLICATE_KEY;
    if (error == SESSION_ARGS_OK)
        out->count++;
    return error;
}

/* After a pair: the end, or "," and optional spaces before the next pair. */
static enum session_args_error scan_separator(const char **at)
{
    const char *p = *at;
    if (*p == '\0')
        return SESSION_ARGS_OK;
    if (*p++ != ',')
        return SESSION_ARGS_ERR_SYNTAX;
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return SESSION_ARGS_ERR_SYNTAX; /* trailing comma */
    *at = p;
    return SESSION_ARGS_OK;
}

enum session_args_error session_args_parse(const char *text, struct session_args *out)
{
    duet_memset(out, 0, sizeof *out);
    if (duet_strnlen(text, SESSION_ARGS_TEXT_MAX) >= SESSION_ARGS_TEXT_MAX)
        return SESSION_ARGS_ERR_TOO_LONG;
    const char *p = text;
    enum session_args_error error = SESSION_ARGS_OK;
    while (error == SESSION_ARGS_OK && *p != '\0') {
        error = scan_pair(&p, out);
        if (error == SESSION_ARGS_OK)
            error = scan_separator(&p);
    }
    /* On any error the caller sees no half-parsed arguments. */
    if (error != SESSION_ARGS_OK)
        duet_memset(out, 0, sizeof *out);
    return error;
}

const char *session_args_find(const struct session_args *args, const char *key)
{
    for (size_t i = 0; i < args->count; i++)
        if (duet_strcmp(args->arg[i].key, key) == 0)
            return args->arg[i].value;
    return NULL;
}

bool session_args_quota(const struct session_args *args, uint64_t *out_ram, uint64_t *out_caps)
{
    const char *ram = session_args_find(args, "ram_quota");
    const char *caps = session_args_find(args, "cap_quota");
    *out_ram = 0;
    *out_caps = 0;
    return (ram == NULL || quota_parse_size(ram, out_ram)) &&
           (caps == NULL || quota_parse_size(caps, out_caps));
}

bool session_args_number(const struct session_args *args, const char *key, uint64_t *out)
{
    const char *text = session_args_find(args, key);
    if (text == NULL || text[0] == '\0')
        return false;
    unsigned base = 10;
    if (text[0] == '0' && text[1] == 'x') {
        base = 16;
        text += 2;
    }
    uint64_t value = 0;
    size_t digits = 0;
    for (; *text != '\0'; text++, digits++) {
        char c = *text;
        unsigned digit = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                       : base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                       : 99;
        if (digit >= base)
            return false;
        value = value * base + digit;
        if (value > UINT32_MAX)
            return false;
    }
    if (digits == 0)
        return false;
    *out = value;
    return true;
}
