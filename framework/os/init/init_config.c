/*
 * init_config.c - the strict parser of init's config (init_config.h).
 */
#include "init_config.h"

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

/* One line without its newline: [begin, end). */
static enum init_config_error parse_line(const char *begin, const char *end,
                                         struct init_config *out)
{
    const char *p = begin;
    while (p < end && *p == ' ')
        p++;
    if (p == end || *p == '#')
        return INIT_CONFIG_OK;
    static const char directive[] = "start";
    size_t directive_length = sizeof directive - 1;
    if ((size_t)(end - p) < directive_length || duet_strncmp(p, directive, directive_length) != 0 ||
        (p + directive_length < end && p[directive_length] != ' '))
        return INIT_CONFIG_ERR_UNKNOWN_DIRECTIVE;
    p += directive_length;
    while (p < end && *p == ' ')
        p++;
    const char *name = p;
    while (p < end && is_name_char(*p))
        p++;
    size_t name_length = (size_t)(p - name);
    if (name_length == 0)
        return p == end ? INIT_CONFIG_ERR_MISSING_NAME : INIT_CONFIG_ERR_BAD_NAME;
    if (name_length >= COMPONENT_NAME_MAX)
        return INIT_CONFIG_ERR_BAD_NAME;
    while (p < end && *p == ' ')
        p++;
    bool pd_factory = false;
    static const char option[] = "pd_factory";
    size_t option_length = sizeof option - 1;
    if (p < end && *p != '#' && is_name_char(*p)) {
        const char *word = p;
        while (p < end && is_name_char(*p))
            p++;
        if ((size_t)(p - word) != option_length || duet_strncmp(word, option, option_length) != 0)
            return INIT_CONFIG_ERR_UNKNOWN_OPTION;
        pd_factory = true;
        while (p < end && *p == ' ')
            p++;
    }
    if (p != end && *p != '#')
        return INIT_CONFIG_ERR_TRAILING_TEXT;

    if (out->child_count == INIT_CHILDREN_MAX)
        return INIT_CONFIG_ERR_TOO_MANY_CHILDREN;
    char *slot = out->child_name[out->child_count];
    duet_memcpy(slot, name, name_length);
    slot[name_length] = '\0';
    for (size_t i = 0; i < out->child_count; i++)
        if (duet_strcmp(out->child_name[i], slot) == 0)
            return INIT_CONFIG_ERR_DUPLICATE_CHILD;
    out->child_pd_factory[out->child_count] = pd_factory;
    out->child_count++;
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
    const char *line = text;
    const char *text_end = text + length;
    for (size_t number = 1; line < text_end; number++) {
        const char *end = line;
        while (end < text_end && *end != '\n')
            end++;
        const char *content_end = end;
        if (content_end > line && content_end[-1] == '\r')
            content_end--;
        enum init_config_error error = parse_line(line, content_end, out);
        if (error != INIT_CONFIG_OK) {
            *out_line = number;
            return error;
        }
        line = end + 1;
    }
    return INIT_CONFIG_OK;
}
