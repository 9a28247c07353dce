/*
 * ata.c - the ATA driver component: BLOCK sessions on the primary IDE
 * channel (duet/block_session.h), written on the DDE kit.
 *
 * Start-up is three init calls run by dde_kit_main: read the write
 * policy (ROM "ata_config"), probe the channel (ata_channel.c), announce
 * BLOCK. Then the main thread is the entrypoint: root calls open and
 * close sessions, session calls move blocks. A device operation blocks
 * the entrypoint until the drive's interrupt (taken by the kit's IRQ
 * thread) or its timeout (the kit's timer thread) ends it, so one request
 * is on the channel at a time and the channel needs no lock of its own.
 *
 * Policy (ROM "ata_config", lines "writeable=yes|no" and
 * "interrupts=yes|no"): writes need writeable=yes there (without the ROM
 * the driver is read-only, as Genode's ata="no") and the session
 * argument writeable=yes; interrupts=no runs the channel polled. Sessions choose the drive with
 * drive=master (default) or drive=slave; a session on an absent drive
 * opens, reports 0 blocks, and answers BLOCK_ERR_NO_DEVICE.
 */
#include "ata_channel.h"
#include "dde_kit/memory.h"
#include "duet/assert.h"
#include "duet/components.h"
#include "duet/parent.h"
#include "duet/rom_session.h"
#include "duet/root.h"
#include "duet/session_args.h"
#include "duet/string.h"

enum {
    ATA_SESSIONS_MAX = 4,
    ATA_SESSION_RAM_COST = BLOCK_BUFFER_BYTES + 256,
    ATA_SESSION_CAP_COST = 1,
    ATA_BADGE_ROOT = 1u << 16,
    ATA_BADGE_SESSION = 1u << 17,
    ATA_CONFIG_BYTES_MAX = 64,
};

struct ata_session {
    cap_index_t cap;                /* CAP_INDEX_INVALID: a free slot */
    unsigned drive;
    bool writeable;
    uint8_t *buffer;                /* BLOCK_BUFFER_BYTES, dde_kit_malloc'd */
    size_t readable_bytes;          /* what the last BLOCK_READ filled */
};

struct ata_server {
    struct env *env;
    struct dde_kit *kit;
    bool writes_allowed;
    bool use_interrupts;            /* policy; without IRQ 14 the channel polls */
    cap_index_t endpoint;
    struct ata_channel channel;
    struct ata_session sessions[ATA_SESSIONS_MAX];
};

/* ---- init calls --------------------------------------------------------- */

/* One ata_config line: "writeable=yes|no" or "interrupts=yes|no". */
static bool policy_line(struct ata_server *s, const char *line)
{
    static const char *const keys[] = {"writeable=", "interrupts="};
    for (size_t k = 0; k < DUET_ARRAY_COUNT(keys); k++) {
        size_t length = duet_strlen(keys[k]);
        if (duet_strncmp(line, keys[k], length) != 0)
            continue;
        const char *value = line + length;
        bool yes = duet_strcmp(value, "yes") == 0;
        if (!yes && duet_strcmp(value, "no") != 0)
            return false;
        if (k == 0)
            s->writes_allowed = yes;
        else
            s->use_interrupts = yes;
        return true;
    }
    return false;
}

/* The policy ROM, strictly: every line one of policy_line's, else the
 * driver logs the line and stays read-only. */
static int ata_read_policy(struct dde_kit *kit)
{
    struct ata_server *s = dde_kit_driver(kit);
    s->use_interrupts = true;
    struct rom_connection rom;
    if (rom_connection_open(s->env, "ata_config", &rom) != RPC_OK) {
        dde_kit_print(kit, "ata: no ata_config: read-only");
        return 0;
    }
    char text[ATA_CONFIG_BYTES_MAX + 1];
    size_t length = 0;
    enum rpc_status status =
        rom_read_all(s->env, rom.cap, (uint8_t *)text, ATA_CONFIG_BYTES_MAX, &length);
    rom_connection_close(s->env, &rom);
    if (status != RPC_OK) {
        dde_kit_printf(kit, "ata: ata_config unreadable (%s): read-only", rpc_status_name(status));
        return 0;
    }
    text[length] = '\0';
    unsigned number = 0;
    for (char *line = text; *line != '\0';) {
        char *end = line;
        while (*end != '\0' && *end != '\n')
            end++;
        bool last = *end == '\0';
        *end = '\0';
        number++;
        if (!policy_line(s, line)) {
            dde_kit_printf(kit, "ata: ata_config line %u: not writeable= or interrupts= yes/no: "
                                "read-only", number);
            s->writes_allowed = false;
            return 0;
        }
        line = last ? end : end + 1;
    }
    return 0;
}

static int ata_probe(struct dde_kit *kit)
{
    static const char *const init_names[] = {"ok", "no ports", "no controller", "no timer"};
    static const char *const drive_names[ATA_DRIVES] = {"master", "slave"};
    struct ata_server *s = dde_kit_driver(kit);
    enum ata_init_status status = ata_channel_init(&s->channel, kit, s->use_interrupts);
    if (status != ATA_INIT_OK) {
        dde_kit_printf(kit, "ata: primary channel: %s", init_names[status]);
        return (int)status;
    }
    for (unsigned drive = 0; drive < ATA_DRIVES; drive++) {
        const struct ata_drive *d = &s->channel.drives[drive];
        if (d->present)
            dde_kit_printf(kit, "ata: %s: \"%s\", %u sectors", drive_names[drive], d->model,
                           (unsigned)d->sectors);
        else
            dde_kit_printf(kit, "ata: %s absent", drive_names[drive]);
    }
    dde_kit_printf(kit, "ata: %s, writes %s", s->channel.polled ? "polled" : "IRQ 14",
                   s->writes_allowed ? "allowed" : "refused");
    return 0;
}

static int ata_announce(struct dde_kit *kit)
{
    struct ata_server *s = dde_kit_driver(kit);
    cap_index_t root = CAP_INDEX_INVALID;
    if (sys_endpoint_create(&s->endpoint) != SYS_OK ||
        sys_cap_mint(s->endpoint, ATA_BADGE_ROOT, &root) != SYS_OK ||
        parent_announce(s->env, "BLOCK", root) != RPC_OK)
        return 1;
    return 0;
}

static const struct dde_kit_initcall ata_initcalls[] = {
    DDE_KIT_INITCALL(ata_read_policy),
    DDE_KIT_INITCALL(ata_probe),
    DDE_KIT_INITCALL(ata_announce),
};

/* ---- the root interface: sessions ----------------------------------------- */

static struct ata_session *session_of(struct ata_server *s, uint64_t id)
{
    return id < ATA_SESSIONS_MAX && s->sessions[id].cap != CAP_INDEX_INVALID ? &s->sessions[id]
                                                                              : NULL;
}

/* writeable=yes|no and drive=master|slave; anything else is the parent's. */
static enum rpc_status session_args_decode(const struct ipc_message *request, bool *writeable,
                                           unsigned *drive)
{
    char text[SESSION_ARGS_TEXT_MAX];
    struct session_args args;
    if (!rpc_unpack_string(request->word, ROOT_ARGS_WORDS, text, sizeof text) ||
        session_args_parse(text, &args) != SESSION_ARGS_OK)
        return RPC_ERR_INVALID_ARGS_STRING;
    const char *w = session_args_find(&args, "writeable");
    const char *d = session_args_find(&args, "drive");
    if ((w != NULL && duet_strcmp(w, "yes") != 0 && duet_strcmp(w, "no") != 0) ||
        (d != NULL && duet_strcmp(d, "master") != 0 && duet_strcmp(d, "slave") != 0))
        return RPC_ERR_INVALID_ARGS_STRING;
    *writeable = w != NULL && duet_strcmp(w, "yes") == 0;
    *drive = d != NULL && duet_strcmp(d, "slave") == 0 ? 1 : 0;
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_SESSION(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ata_server *s = server;
    uint64_t ram = 0, caps = 0;
    bool writeable = false;
    unsigned drive = 0;
    enum rpc_status status =
        root_session_decode(request, ATA_SESSION_RAM_COST, ATA_SESSION_CAP_COST, &ram, &caps);
    if (status == RPC_OK)
        status = session_args_decode(request, &writeable, &drive);
    if (status != RPC_OK)
        return status;
    for (uint64_t id = 0; id < ATA_SESSIONS_MAX; id++) {
        struct ata_session *session = &s->sessions[id];
        if (session->cap != CAP_INDEX_INVALID)
            continue;
        uint8_t *buffer = dde_kit_malloc(s->kit, BLOCK_BUFFER_BYTES);
        if (buffer == NULL)
            return RPC_ERR_OUT_OF_RESOURCES;
        if (sys_cap_mint(s->endpoint, ATA_BADGE_SESSION | id, &session->cap) != SYS_OK) {
            dde_kit_free(s->kit, buffer);
            session->cap = CAP_INDEX_INVALID;
            return RPC_ERR_SESSION_LIMIT;
        }
        session->drive = drive;
        session->writeable = writeable && s->writes_allowed;
        session->buffer = buffer;
        session->readable_bytes = 0;
        reply->cap = session->cap;
        reply->word_count = 1;
        reply->word[0] = id;
        return RPC_OK;
    }
    return RPC_ERR_SESSION_LIMIT;
}

static enum rpc_status root_perform_ROOT_CLOSE(void *server, void *unused,
                                               const struct ipc_message *request,
                                               struct ipc_message *reply)
{
    struct ata_server *s = server;
    struct ata_session *session = session_of(s, request->word[0]);
    if (session == NULL)
        return RPC_ERR_INVALID_SESSION;
    sys_cap_revoke(session->cap);
    sys_cap_delete(session->cap);
    dde_kit_free(s->kit, session->buffer);
    *session = (struct ata_session){.cap = CAP_INDEX_INVALID};
    return RPC_OK;
}

static enum rpc_status root_perform_ROOT_UPGRADE(void *server, void *unused,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    /* Sessions cost a fixed amount: an upgrade is accepted and unused. */
    return session_of(server, request->word[0]) != NULL ? RPC_OK : RPC_ERR_INVALID_SESSION;
}

/* ---- the BLOCK interface ------------------------------------------------------ */

static enum rpc_status block_perform_BLOCK_INFO(void *server, void *session_arg,
                                                const struct ipc_message *request,
                                                struct ipc_message *reply)
{
    struct ata_server *s = server;
    struct ata_session *session = session_arg;
    const struct ata_drive *drive = &s->channel.drives[session->drive];
    reply->word_count = 3;
    reply->word[0] = drive->present ? drive->sectors : 0;
    reply->word[1] = BLOCK_SIZE;
    reply->word[2] = session->writeable;
    return RPC_OK;
}

static enum rpc_status block_perform_BLOCK_READ(void *server, void *session_arg,
                                                const struct ipc_message *request,
                                                struct ipc_message *reply)
{
    struct ata_server *s = server;
    struct ata_session *session = session_arg;
    session->readable_bytes = 0;
    enum block_error error = ata_channel_read(&s->channel, session->drive, request->word[0],
                                              request->word[1], session->buffer);
    if (error == BLOCK_OK)
        session->readable_bytes = (size_t)request->word[1] * BLOCK_SIZE;
    reply->word_count = 1;
    reply->word[0] = error;
    return RPC_OK;
}

static enum rpc_status block_perform_BLOCK_WRITE(void *server, void *session_arg,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ata_server *s = server;
    struct ata_session *session = session_arg;
    enum block_error error = session->writeable
        ? ata_channel_write(&s->channel, session->drive, request->word[0], request->word[1],
                            session->buffer)
        : BLOCK_ERR_READ_ONLY;
    session->readable_bytes = 0;
    reply->word_count = 1;
    reply->word[0] = error;
    return RPC_OK;
}

static enum rpc_status block_perform_BLOCK_FETCH(void *server, void *session_arg,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ata_session *session = session_arg;
    uint64_t offset = request->word[0];
    if (offset >= session->readable_bytes)
        return RPC_ERR_OUT_OF_RANGE;
    size_t length = session->readable_bytes - offset < BLOCK_CHUNK_BYTES
                        ? session->readable_bytes - (size_t)offset
                        : BLOCK_CHUNK_BYTES;
    reply->word_count = (uint32_t)(1 + (length + 7) / 8);
    reply->word[0] = length;
    duet_memcpy(&reply->word[1], session->buffer + offset, length);
    return RPC_OK;
}

static enum rpc_status block_perform_BLOCK_STORE(void *server, void *session_arg,
                                                 const struct ipc_message *request,
                                                 struct ipc_message *reply)
{
    struct ata_session *session = session_arg;
    uint64_t offset = request->word[0], length = request->word[1];
    if (length == 0 || length > BLOCK_CHUNK_BYTES ||
        request->word_count != 2 + (length + 7) / 8)
        return RPC_ERR_INVALID_ARGUMENT;
    if (offset > BLOCK_BUFFER_BYTES || length > BLOCK_BUFFER_BYTES - offset)
        return RPC_ERR_OUT_OF_RANGE;
    duet_memcpy(session->buffer + offset, &request->word[2], (size_t)length);
    session->readable_bytes = 0;   /* the buffer no longer holds what was read */
    return RPC_OK;
}

#define ROOT_HANDLER(...) RPC_HANDLER(root_perform, __VA_ARGS__)
#define BLOCK_HANDLER(...) RPC_HANDLER(block_perform, __VA_ARGS__)
static const struct rpc_handler root_handlers[] = {ROOT_RPCS(ROOT_HANDLER)};
static const struct rpc_handler block_handlers[] = {BLOCK_SESSION_RPCS(BLOCK_HANDLER)};

void ata_main(struct env *env)
{
    struct ata_server *s = env_alloc(env, sizeof *s);
    DUET_ASSERT(s != NULL);
    s->env = env;
    for (size_t id = 0; id < ATA_SESSIONS_MAX; id++)
        s->sessions[id].cap = CAP_INDEX_INVALID;
    /* Without its devices or services the driver says so and exits. */
    if (dde_kit_main(env, s, ata_initcalls, DUET_ARRAY_COUNT(ata_initcalls), &s->kit) !=
        DDE_KIT_MAIN_OK) {
        parent_exit(env, 1);
        return;
    }
    struct ipc_message *message = ipc_buffer();
    bool reply = false;
    for (;;) {
        uint64_t badge = 0;
        if (sys_reply_wait(s->endpoint, reply, message, &badge) != SYS_OK) {
            reply = false;
            continue;
        }
        struct ipc_message request = *message;
        struct ata_session *session =
            (badge & ATA_BADGE_SESSION) ? session_of(s, badge & 0xffff) : NULL;
        if (badge == ATA_BADGE_ROOT)
            rpc_dispatch(root_handlers, DUET_ARRAY_COUNT(root_handlers), s, NULL, &request,
                         message);
        else if (session != NULL)
            rpc_dispatch(block_handlers, DUET_ARRAY_COUNT(block_handlers), s, session,
                         &request, message);
        else
            *message = (struct ipc_message){.label = RPC_ERR_INVALID_SESSION};
        if (request.cap != CAP_INDEX_INVALID)
            sys_cap_delete(request.cap);
        reply = true;
    }
}
