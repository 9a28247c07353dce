/*
 * session_args.h - strict parsing of session argument strings.
 *
 * Grammar (no other bytes are accepted):
 *     args   := "" | pair ( "," " "* pair )*
 *     pair   := key "=" value
 *     key    := [a-z_] [a-z0-9_]*                      (< SESSION_ARG_KEY_MAX)
 *     value  := '"' [^"\\ control]* '"' | [A-Za-z0-9_.+-]+   (< SESSION_ARG_VALUE_MAX)
 * e.g. `label="init -> hello", ram_quota=4K`. Quotes are not part of the
 * stored value. A key may appear once. Errors are named.
 *
 * Quota arguments (duet/quota.h sizes): "ram_quota" and "cap_quota".
 */
#ifndef DUET_SESSION_ARGS_H
#define DUET_SESSION_ARGS_H

#include "duet/types.h"

enum {
    SESSION_ARGS_MAX = 8,
    SESSION_ARG_KEY_MAX = 16,      /* with NUL */
    SESSION_ARG_VALUE_MAX = 112,   /* with NUL */
    SESSION_ARGS_TEXT_MAX = 160,   /* with NUL */
};

enum session_args_error {
    SESSION_ARGS_OK = 0,
    SESSION_ARGS_ERR_SYNTAX,
    SESSION_ARGS_ERR_DUPLICATE_KEY,
    SESSION_ARGS_ERR_TOO_LONG,
    SESSION_ARGS_ERR_TOO_MANY,
    SESSION_ARGS_ERROR_COUNT
};

struct session_arg {
    char key[SESSION_ARG_KEY_MAX];
    char value[SESSION_ARG_VALUE_MAX];
};

struct session_args {
    size_t count;
    struct session_arg arg[SESSION_ARGS_MAX];
};

enum session_args_error session_args_parse(const char *text, struct session_args *out);
/* The value of `key`, or NULL. */
const char *session_args_find(const struct session_args *args, const char *key);
const char *session_args_error_name(enum session_args_error error);

/* The value of `key` as a number (decimal, or hex with 0x); false if the
 * key is absent or its value is not a number below 2^32. */
bool session_args_number(const struct session_args *args, const char *key, uint64_t *out);

/* The donation a request carries: ram_quota and cap_quota, 0 where absent.
 * False if either is present but not a size (duet/quota.h). */
bool session_args_quota(const struct session_args *args, uint64_t *out_ram,
                        uint64_t *out_caps);

#endif
