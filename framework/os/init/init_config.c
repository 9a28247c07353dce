/*
 * init_config.c - the strict parser of init's config (init_config.h).
 */
#include "init_config.h"

#include "duet/quota.h"
#include "duet/string.h"

static const char *const error_names[INIT_CONFIG_ERROR_COUNT] = {
    [INIT_CONFIG_OK] = "INIT_CONFIG_OK",
    [INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE] = "INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE",
    [INIT_CONFIG_ERR_MISSING_NAME] = "INIT_CONFIG_ERR_MISSING_NAME",
    [INIT_CONFIG_ERR_BAD_NAME] = "INIT_CONFIG_ERR_BAD_NAME",
    [INIT_CONFIG_ERR_TRAILING_TEXT] = "INIT_CONFIG_ERR_TRAILING_TEXT",
    [INIT_CONFIG_ERR_DUPLICATE_CHILD] = "INIT_CONFIG_ERR_DUPLICATE_CHILD",
    [INIT_CONFIG_ERR_TOO_MANY_CHILDREN] = "INIT_CONFIG_ERR_TOO_MANY_CHILDREN",
    [INIT_CONFIG_ERR_NOT_TEXT] = "INIT_CONFIG_ERR_NOT_TEXT",
    [INIT_CONFIG_ERR_UNKNOWN_OPTION] = "INIT_CONFIG_ERR_UNKNOWN_OPTION",
    [INIT_CONFIG_ERR_BAD_SERVICE] = "INIT_CONFIG_ERR_BAD_SERVICE",
    [INIT_CONFIG_ERR_DUPLICATE_ROUTE] = "INIT_CONFIG_ERR_DUPLICATE_ROUTE",
    [INIT_CONFIG_ERR_TOO_MANY_ROUTES] = "INIT_CONFIG_ERR_TOO_MANY_ROUTES",
    [INIT_CONFIG_ERR_UNKNOWN_CHILD] = "INIT_CONFIG_ERR_UNKNOWN_CHILD",
    [INIT_CONFIG_ERR_BAD_QUOTA] = "INIT_CONFIG_ERR_BAD_QUOTA",
    [INIT_CONFIG_ERR_DUPLICATE_OPTION] = "INIT_CONFIG_ERR_DUPLICATE_OPTION",
};

const char *init_config_error_name(enum init_config_error error)
{
    return (unsigned)error < INIT_CONFIG_ERROR_COUNT ? error_names[error]
                                                     : "INIT_CONFIG_ERR_UNKNOWN";
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_service_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct words {
    const char *at;
    const char *end;
};

static void skip_spaces(struct words *w)
{
    while (w->at < w->end && *w->at == ' ')
        w->at++;
}

/* The next word made of `accept` characters, as [*out_begin, +length). */
static size_t next_word(struct words *w, bool (*accept)(char), const char **out_begin)
{
    skip_spaces(w);
    *out_begin = w->at;
    while (w->at < w->end && accept(*w->at))
        w->at++;
    return (size_t)(w->at - *out_begin);
}

/* Nothing but spaces or a comment may follow. */
static bool at_line_end(struct words *w)
{
    skip_spaces(w);
    return w->at == w->end || *w->at == '#';
}

static bool word_is(const char *begin, size_t length, const char *word)
{
    return length == duet_strlen(word) && duet_strncmp(begin, word, length) == 0;
}

static bool is_option_char(char c)
{
    return c != ' ' && c != '#';
}

struct start_options {
    uint64_t ram;
    uint64_t caps;
    bool manual, control;
    bool seen_ram, seen_caps;
};

/* "KEY=" prefix of an option word: true and *out_value set past it. */
static bool option_key(const char *word, size_t length, const char *key, const char **out_value)
{
    size_t key_length = duet_strlen(key);
    if (length <= key_length || duet_strncmp(word, key, key_length) != 0)
        return false;
    *out_value = word + key_length;
    return true;
}

static enum init_config_error parse_size_value(const char *value, size_t length, uint64_t *out)
{
    char text[24];
    if (length == 0 || length >= sizeof text)
        return INIT_CONFIG_ERR_BAD_QUOTA;
    duet_memcpy(text, value, length);
    text[length] = '\0';
    return quota_parse_size(text, out) ? INIT_CONFIG_OK : INIT_CONFIG_ERR_BAD_QUOTA;
}

static enum init_config_error parse_start_options(struct words *w, struct start_options *o)
{
    for (;;) {
        if (at_line_end(w))
            return INIT_CONFIG_OK;
        const char *word = NULL;
        size_t length = next_word(w, is_option_char, &word);
        const char *value = NULL;
        bool *seen = NULL;
        enum init_config_error error = INIT_CONFIG_OK;
        if (word_is(word, length, "manual") || word_is(word, length, "control")) {
            bool *flag = word[0] == 'm' ? &o->manual : &o->control;
            if (*flag)
                return INIT_CONFIG_ERR_DUPLICATE_OPTION;
            *flag = true;
            continue;
        }
        if (option_key(word, length, "ram=", &value)) {
            seen = &o->seen_ram;
            error = parse_size_value(value, length - 4, &o->ram);
        } else if (option_key(word, length, "caps=", &value)) {
            seen = &o->seen_caps;
            error = parse_size_value(value, length - 5, &o->caps);
        } else {
            return INIT_CONFIG_ERR_UNKNOWN_OPTION;
        }
        if (error != INIT_CONFIG_OK)
            return error;
        if (*seen)
            return INIT_CONFIG_ERR_DUPLICATE_OPTION;
        *seen = true;
    }
}

static enum init_config_error parse_start(struct words *w, struct init_config *out)
{
    const char *name = NULL;
    size_t name_length = next_word(w, is_name_char, &name);
    if (name_length == 0)
        return at_line_end(w) ? INIT_CONFIG_ERR_MISSING_NAME : INIT_CONFIG_ERR_BAD_NAME;
    if (name_length >= COMPONENT_NAME_MAX)
        return INIT_CONFIG_ERR_BAD_NAME;
    if (w->at < w->end && *w->at != ' ' && *w->at != '#')
        return INIT_CONFIG_ERR_TRAILING_TEXT;
    struct start_options options = {.ram = INIT_CHILD_RAM_DEFAULT,
                                    .caps = INIT_CHILD_CAPS_DEFAULT};
    enum init_config_error error = parse_start_options(w, &options);
    if (error != INIT_CONFIG_OK)
        return error;

    if (out->child_count == INIT_CHILDREN_MAX)
        return INIT_CONFIG_ERR_TOO_MANY_CHILDREN;
    char *slot = out->child_name[out->child_count];
    duet_memcpy(slot, name, name_length);
    slot[name_length] = '\0';
    for (size_t i = 0; i < out->child_count; i++)
        if (duet_strcmp(out->child_name[i], slot) == 0)
            return INIT_CONFIG_ERR_DUPLICATE_CHILD;
    out->child_ram[out->child_count] = options.ram;
    out->child_caps[out->child_count] = options.caps;
    out->child_manual[out->child_count] = options.manual;
    out->child_control[out->child_count] = options.control;
    out->child_count++;
    return INIT_CONFIG_OK;
}

/* The child is resolved after the whole config is read (it may be started
 * further down); until then `child` holds the line's child name index in
 * route_child_names. */
static enum init_config_error parse_route(struct words *w, struct init_config *out,
                                          char child_names[][COMPONENT_NAME_MAX],
                                          size_t lines[], size_t line)
{
    const char *service = NULL;
    size_t service_length = next_word(w, is_service_char, &service);
    if (service_length == 0 || service_length >= INIT_SERVICE_MAX ||
        (w->at < w->end && *w->at != ' '))
        return INIT_CONFIG_ERR_BAD_SERVICE;
    const char *child = NULL;
    size_t child_length = next_word(w, is_name_char, &child);
    if (child_length == 0)
        return at_line_end(w) ? INIT_CONFIG_ERR_MISSING_NAME : INIT_CONFIG_ERR_BAD_NAME;
    if (child_length >= COMPONENT_NAME_MAX)
        return INIT_CONFIG_ERR_BAD_NAME;
    if (!at_line_end(w))
        return INIT_CONFIG_ERR_TRAILING_TEXT;
    if (out->route_count == INIT_ROUTES_MAX)
        return INIT_CONFIG_ERR_TOO_MANY_ROUTES;
    struct init_route *route = &out->routes[out->route_count];
    duet_memcpy(route->service, service, service_length);
    route->service[service_length] = '\0';
    for (size_t i = 0; i < out->route_count; i++)
        if (duet_strcmp(out->routes[i].service, route->service) == 0)
            return INIT_CONFIG_ERR_DUPLICATE_ROUTE;
    duet_memcpy(child_names[out->route_count], child, child_length);
    child_names[out->route_count][child_length] = '\0';
    lines[out->route_count] = line;
    out->route_count++;
    return INIT_CONFIG_OK;
}

struct route_pending {
    char child_names[INIT_ROUTES_MAX][COMPONENT_NAME_MAX];
    size_t lines[INIT_ROUTES_MAX];
};

/* One line without its newline: [begin, end). */
static enum init_config_error parse_line(const char *begin, const char *end,
                                         struct init_config *out, struct route_pending *routes,
                                         size_t line)
{
    struct words w = {begin, end};
    if (at_line_end(&w))
        return INIT_CONFIG_OK;
    const char *directive = NULL;
    size_t length = next_word(&w, is_name_char, &directive);
    bool separated = w.at == w.end || *w.at == ' ';
    if (separated && word_is(directive, length, "start"))
        return parse_start(&w, out);
    if (separated && word_is(directive, length, "route"))
        return parse_route(&w, out, routes->child_names, routes->lines, line);
    return INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE;
}

/* Every route names a child the config starts. */
static enum init_config_error resolve_routes(struct init_config *out,
                                             const struct route_pending *routes,
                                             size_t *out_line)
{
    for (size_t r = 0; r < out->route_count; r++) {
        if (duet_strcmp(routes->child_names[r], "parent") == 0) {
            out->routes[r].child = INIT_ROUTE_TO_PARENT;
            continue;
        }
        size_t child = 0;
        while (child < out->child_count &&
               duet_strcmp(out->child_name[child], routes->child_names[r]) != 0)
            child++;
        if (child == out->child_count) {
            *out_line = routes->lines[r];
            return INIT_CONFIG_ERR_UNKNOWN_CHILD;
        }
        out->routes[r].child = child;
    }
    return INIT_CONFIG_OK;
}

enum init_config_error init_config_parse(const char *text, size_t length,
                                         struct init_config *out, size_t *out_line)
{
    duet_memset(out, 0, sizeof *out);
    *out_line = 0;
    size_t text_line = 1;
    for (size_t i = 0; i < length; i++) {
        uint8_t c = (uint8_t)text[i];
        if (c == 0 || c >= 0x7f || (c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
            *out_line = text_line;
            return INIT_CONFIG_ERR_NOT_TEXT;
        }
        text_line += c == '\n';
    }
    struct route_pending routes;
    const char *line = text;
    const char *text_end = text + length;
    for (size_t number = 1; line < text_end; number++) {
        const char *end = line;
        while (end < text_end && *end != '\n')
            end++;
        const char *content_end = end;
        if (content_end > line && content_end[-1] == '\r')
            content_end--;
        enum init_config_error error = parse_line(line, content_end, out, &routes, number);
        if (error != INIT_CONFIG_OK) {
            *out_line = number;
            return error;
        }
        line = end + 1;
    }
    return resolve_routes(out, &routes, out_line);
}
