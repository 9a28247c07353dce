/*
 * rpc.h - RPC on top of kernel IPC: statuses, opcode tables, decoding.
 *
 * Each interface is declared once as an X-macro list of its functions:
 *     X(NAME, opcode, min_words, max_words, capability_type)
 * From that one list come the opcode enum, the client stubs
 * (RPC_CLIENT_STUB) and each server's dispatch table (RPC_HANDLER). A server decodes every message before it
 * performs anything: the opcode must belong to the interface, the word
 * count must be in range, and a capability must be attached exactly when
 * the function takes one, of the type it takes (the kernel reports the
 * type of every capability it delivers). Decoding has no side effects.
 *
 * A reply's label is an enum rpc_status. Transport failures of the kernel
 * call itself are folded into RPC_ERR_TRANSPORT by the stubs.
 */
#ifndef DUET_RPC_H
#define DUET_RPC_H

#include "duet/syscall.h"
#include "duet/types.h"

enum rpc_status {
    RPC_OK = 0,
    RPC_ERR_INVALID_OPCODE,      /* not a function of this interface      */
    RPC_ERR_INVALID_ARGUMENT,    /* word count, sizes or values malformed */
    RPC_ERR_UNEXPECTED_CAP,      /* a capability where none belongs       */
    RPC_ERR_MISSING_CAP,         /* no capability where one is required   */
    RPC_ERR_INVALID_SESSION,     /* badge names no open session           */
    RPC_ERR_UNKNOWN_SERVICE,     /* no route to the requested service     */
    RPC_ERR_INVALID_ARGS_STRING, /* session argument string malformed     */
    RPC_ERR_SESSION_LIMIT,       /* server has no room for a session      */
    RPC_ERR_NO_SUCH_MODULE,      /* ROM: no boot module of that name      */
    RPC_ERR_OUT_OF_RANGE,        /* offset or index beyond the object     */
    RPC_ERR_TRANSPORT,           /* the kernel refused the call           */
    RPC_ERR_DENIED,              /* the parent's policy refuses the route */
    RPC_ERR_UNAVAILABLE,         /* routed to a server not yet announced  */
    RPC_ERR_SERVER_GONE,         /* the serving component has exited      */
    RPC_ERR_OUT_OF_RAM,          /* the client's RAM quota cannot cover it */
    RPC_ERR_OUT_OF_CAPS,         /* the client's cap quota cannot cover it */
    RPC_ERR_INSUFFICIENT_RAM_QUOTA,  /* donated RAM below the server's cost */
    RPC_ERR_INSUFFICIENT_CAP_QUOTA,  /* donated caps below the server's cost */
    RPC_ERR_IN_USE,              /* held exclusively by another session   */
    RPC_ERR_WRONG_CAP_TYPE,      /* a capability of another type attached */
    RPC_ERR_OUT_OF_RESOURCES,    /* the server's or kernel's tables are full */
    RPC_ERR_REGION_CONFLICT,     /* RM: the range is taken, or outside the map or dataspace */
    RPC_ERR_INVALID_DATASPACE,   /* RM: no dataspace, or not one that may go there */
    RPC_ERR_CYCLE,               /* RM: the attach would make a map contain itself */
    RPC_STATUS_COUNT
};

const char *rpc_status_name(uint64_t status);

struct rpc_function {
    const char *name;
    uint64_t opcode;
    uint8_t words_min;
    uint8_t words_max;
    uint8_t cap_type;            /* enum cap_type; CAP_TYPE_NONE: takes none */
};

struct rpc_interface {
    const char *name;
    const struct rpc_function *functions;
    size_t function_count;
};

/* A client's call: sys_call, then the reply's status. A server that is
 * gone (SYS_ERR_SERVER_EXITED, or its capability stale) is
 * RPC_ERR_SERVER_GONE; any other kernel refusal, or a reply label that is
 * no status, RPC_ERR_TRANSPORT. A capability the answer carries is
 * deleted: nobody asked for one, and a server must not plant any. */
enum rpc_status rpc_call(cap_index_t cap, struct ipc_message *message);
/* The same for the few calls whose answer carries a capability (a
 * session): it is left in message->cap for the caller to take. */
enum rpc_status rpc_call_with_cap(cap_index_t cap, struct ipc_message *message);

/* After a call whose answer carries a capability (call_NAME_with_cap):
 * on RPC_OK takes it into *out if it is there and of `type`; otherwise
 * deletes whatever came (a server cannot plant a capability) and returns
 * the call's status, or RPC_ERR_WRONG_CAP_TYPE. */
enum rpc_status rpc_reply_take_cap(enum rpc_status status, const struct ipc_message *m,
                                   enum cap_type type, cap_index_t *out);

/* Decode step of a server: RPC_OK and *out_function set, or the named error. */
enum rpc_status rpc_decode(const struct rpc_interface *interface,
                           const struct ipc_message *message,
                           const struct rpc_function **out_function);

/* Server dispatch, generated from the same list: a server binds every
 * function of an interface to a perform function named PREFIX_NAME with
 *     #define MY_HANDLER(...) RPC_HANDLER(my_perform, __VA_ARGS__)
 *     static const struct rpc_handler my_handlers[] = {ECHO_SESSION_RPCS(MY_HANDLER)};
 * so a function without a handler does not compile. rpc_dispatch decodes
 * the request against the table (opcode, word count, capability type) and
 * only then calls the handler, whose status becomes the reply's label. */
typedef enum rpc_status (*rpc_perform_fn)(void *server, void *session,
                                          const struct ipc_message *request,
                                          struct ipc_message *reply);

struct rpc_handler {
    struct rpc_function function;
    rpc_perform_fn perform;
};

#define RPC_HANDLER(prefix, name, opcode, wmin, wmax, cap) \
    {{#name, opcode, wmin, wmax, cap}, prefix##_##name},

/* Decodes `request` against handlers[0..count) and performs it; the reply's
 * label is the status. The reply starts empty (no words, no capability). */
enum rpc_status rpc_dispatch(const struct rpc_handler *handlers, size_t count, void *server,
                             void *session, const struct ipc_message *request,
                             struct ipc_message *reply);

/* Client stubs, generated from the same list: for each function NAME,
 *     #define LOG_STUB(...) RPC_CLIENT_STUB(log, struct log_session_cap, __VA_ARGS__)
 *     LOG_SESSION_RPCS(LOG_STUB)
 * defines
 *     enum rpc_status log_NAME(struct log_session_cap server, struct ipc_message *m);
 *     enum rpc_status log_NAME_with_cap(struct log_session_cap server, struct ipc_message *m);
 * which take the request's words (and capability) from *m, set its label,
 * check the word count and the presence of a capability against the
 * declaration before anything is sent (RPC_ERR_INVALID_ARGUMENT,
 * RPC_ERR_MISSING_CAP, RPC_ERR_UNEXPECTED_CAP), and call. The reply is
 * left in *m; the first form deletes a capability the reply carries, the
 * second (for functions that answer with one) leaves it in m->cap. So a
 * client can only send what the interface declares, typed by the server's
 * capability struct; what is left to write by hand is the marshalling of
 * arguments and results. */
enum rpc_status rpc_client_call(const struct rpc_function *function, cap_index_t server,
                                struct ipc_message *message, bool keep_reply_cap);

#define RPC_CLIENT_STUB(prefix, cap_struct, name, opcode, wmin, wmax, cap)                  \
    DUET_MAYBE_UNUSED static inline enum rpc_status prefix##_##name(cap_struct server,      \
                                                                    struct ipc_message *m) \
    {                                                                                      \
        static const struct rpc_function function = {#name, opcode, wmin, wmax, cap};       \
        return rpc_client_call(&function, server.index, m, false);                          \
    }                                                                                      \
    DUET_MAYBE_UNUSED static inline enum rpc_status prefix##_##name##_with_cap(             \
        cap_struct server, struct ipc_message *m)                                          \
    {                                                                                      \
        static const struct rpc_function function = {#name, opcode, wmin, wmax, cap};       \
        return rpc_client_call(&function, server.index, m, true);                           \
    }

/* Generates `static const struct rpc_function PREFIX_functions[]` and
 * `PREFIX_interface` from an interface's X-macro list. */
#define RPC_FUNCTION_ENTRY(name, opcode, wmin, wmax, cap) {#name, opcode, wmin, wmax, cap},
#define RPC_OPCODE_ENUM(name, opcode, wmin, wmax, cap) name = opcode,
#define RPC_INTERFACE_DEFINE(prefix, label, LIST)                                         \
    static const struct rpc_function prefix##_functions[] = {LIST(RPC_FUNCTION_ENTRY)};  \
    static const struct rpc_interface prefix##_interface = {                             \
        label, prefix##_functions, DUET_ARRAY_COUNT(prefix##_functions)}

/* Packing strings into message words: bytes in order, NUL-padded. */
enum { RPC_STRING_BYTES_PER_WORD = 8 };
/* Returns false if `s` (with its NUL) does not fit into `word_count` words. */
bool rpc_pack_string(uint64_t *words, size_t word_count, const char *s);
/* Strict: false unless a NUL occurs within the words (no unterminated string). */
bool rpc_unpack_string(const uint64_t *words, size_t word_count, char *out, size_t out_size);
/* Raw bytes, no terminator. */
void rpc_pack_bytes(uint64_t *words, const void *bytes, size_t len);
void rpc_unpack_bytes(const uint64_t *words, void *bytes, size_t len);

#endif
