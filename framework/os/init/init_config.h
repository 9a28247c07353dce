/*
 * init_config.h - init's configuration, parsed strictly from the "config" ROM.
 *
 * One directive per line; '#' starts a comment; blank lines are fine:
 *     start NAME [ram=SIZE] [caps=COUNT] [manual] [control]
 *         start component NAME as a child (NAME: [a-z0-9_]+) with a quota
 *         budget of SIZE bytes (duet/quota.h: 4096, 64K, 1M) and COUNT
 *         capabilities for the sessions it opens (defaults below). A
 *         child that starts children of its own needs PD routed to init's
 *         parent (route PD parent) and a budget that pays for them.
 *         manual: declared, but started only when a control child asks;
 *         control: may ask init to start and kill its siblings at run time
 *         (PARENT_START, PARENT_KILL)
 *     route SERVICE CHILD
 *         session requests for SERVICE ([A-Z0-9_]+, at most 15 chars) go
 *         to CHILD, which must be started by this config and announce it;
 *         CHILD "parent" (a reserved name) means init's own parent.
 *         Without a route, LOG and ROM go to init's parent and any other
 *         service is denied: device access (IO_PORT, IRQ) is always
 *         explicit, e.g. "route IO_PORT parent".
 * Anything else is an error, reported by name with its line number.
 */
#ifndef DUET_INIT_CONFIG_H
#define DUET_INIT_CONFIG_H

#include "duet/syscall.h"
#include "duet/types.h"

enum {
    INIT_CHILDREN_MAX = 8,
    INIT_ROUTES_MAX = 16,
    INIT_SERVICE_MAX = 16,          /* with NUL */
    INIT_CHILD_RAM_DEFAULT = 64 * 1024,
    INIT_CHILD_CAPS_DEFAULT = 16,
    INIT_CONFIG_MAX = 2048,
};

enum init_config_error {
    INIT_CONFIG_OK = 0,
    INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE,
    INIT_CONFIG_ERR_MISSING_NAME,
    INIT_CONFIG_ERR_BAD_NAME,
    INIT_CONFIG_ERR_TRAILING_TEXT,
    INIT_CONFIG_ERR_DUPLICATE_CHILD,
    INIT_CONFIG_ERR_TOO_MANY_CHILDREN,
    INIT_CONFIG_ERR_NOT_TEXT,
    INIT_CONFIG_ERR_UNKNOWN_OPTION,
    INIT_CONFIG_ERR_BAD_SERVICE,
    INIT_CONFIG_ERR_DUPLICATE_ROUTE,
    INIT_CONFIG_ERR_TOO_MANY_ROUTES,
    INIT_CONFIG_ERR_UNKNOWN_CHILD,
    INIT_CONFIG_ERR_BAD_QUOTA,
    INIT_CONFIG_ERR_DUPLICATE_OPTION,
    INIT_CONFIG_ERROR_COUNT
};

enum { INIT_ROUTE_TO_PARENT = INIT_CHILDREN_MAX };

struct init_route {
    char service[INIT_SERVICE_MAX];
    size_t child;                   /* index into child_name, or INIT_ROUTE_TO_PARENT */
};

struct init_config {
    size_t child_count;
    char child_name[INIT_CHILDREN_MAX][COMPONENT_NAME_MAX];
    uint64_t child_ram[INIT_CHILDREN_MAX];
    uint64_t child_caps[INIT_CHILDREN_MAX];
    bool child_manual[INIT_CHILDREN_MAX];
    bool child_control[INIT_CHILDREN_MAX];
    size_t route_count;
    struct init_route routes[INIT_ROUTES_MAX];
};

/* On error, *out_line is the 1-based line of the problem. */
enum init_config_error init_config_parse(const char *text, size_t length,
                                         struct init_config *out, size_t *out_line);
const char *init_config_error_name(enum init_config_error error);

#endif
