/*
 * rom_reader.c - the demo's second component: reads the "message" ROM
 * through its parent and logs each of its lines and a checksum (FNV-1a),
 * so that ROM content, session routing and labels show up in the output.
 * Then it reads two boot modules linked into the image (duet/image.h):
 * the text "motd", logged, and the binary "pattern", checked byte by byte.
 */
#include "duet/assert.h"
#include "duet/log_session.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/text.h"

enum { ROM_READER_MAX = 1024 };

struct rom_reader {
    struct env *env;
    struct log_connection log;
    uint8_t content[ROM_READER_MAX];
};

static void log_lines(struct rom_reader *reader, const char *prefix, size_t length)
{
    size_t begin = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && reader->content[i] != '\n')
            continue;
        if (i > begin) {
            char line[LOG_LINE_MAX];
            struct text text;
            text_init(&text, line, sizeof line);
            text_append(&text, prefix);
            text_append_bytes(&text, reader->content + begin, i - begin);
            log_write(reader->env, reader->log.cap, line);
        }
        begin = i + 1;
    }
}

static uint64_t fnv1a(const uint8_t *bytes, size_t length)
{
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * UINT64_C(0x100000001b3);
    return hash;
}

/* Reads a whole module into reader->content; false (logged) if it cannot. */
static bool read_module(struct rom_reader *reader, const char *name, size_t *out_length)
{
    struct rom_connection rom;
    enum rpc_status status = rom_connection_open(reader->env, name, &rom);
    if (status == RPC_OK) {
        status = rom_read_all(reader->env, rom.cap, reader->content, sizeof reader->content,
                              out_length);
        rom_connection_close(reader->env, &rom);
    }
    if (status != RPC_OK)
        log_write(reader->env, reader->log.cap, rpc_status_name(status));
    return status == RPC_OK;
}

static bool read_image_modules(struct rom_reader *reader)
{
    size_t length = 0;
    if (!read_module(reader, "motd", &length))
        return false;
    log_lines(reader, "motd: ", length);
    if (!read_module(reader, "pattern", &length))
        return false;
    bool exact = length == 256;
    for (size_t i = 0; exact && i < length; i++)
        exact = reader->content[i] == i;
    log_write(reader->env, reader->log.cap,
              exact ? "pattern: the 256 bytes linked into the image"
                    : "pattern: not the bytes linked into the image");
    return exact;
}

void rom_reader_main(struct env *env)
{
    struct rom_reader *reader = env_alloc(env, sizeof *reader);
    struct rom_connection rom;
    size_t length = 0;
    if (reader == NULL || log_connection_open(env, &reader->log) != RPC_OK) {
        parent_exit(env, 1);
        return;
    }
    reader->env = env;
    enum rpc_status status = rom_connection_open(env, "message", &rom);
    if (status == RPC_OK)
        status = rom_read_all(env, rom.cap, reader->content, sizeof reader->content, &length);
    if (status != RPC_OK) {
        log_write(env, reader->log.cap, rpc_status_name(status));
        parent_exit(env, 2);
        return;
    }
    log_lines(reader, "message: ", length);

    char line[64];
    struct text text;
    text_init(&text, line, sizeof line);
    text_append_u64(&text, length);
    text_append(&text, " bytes, fnv1a ");
    text_append_hex(&text, fnv1a(reader->content, length));
    log_write(env, reader->log.cap, line);

    /* The image's modules are part of the image: not finding them intact
     * is a broken invariant, which ends the world as failed. */
    bool image_intact = read_image_modules(reader);
    DUET_ASSERT(image_intact);
    parent_exit(env, 0);
}
