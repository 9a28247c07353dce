/*
 * pd_session.h - PD: a protection domain, as a session at core.
 *
 * Opening the session pays for the PD (PD_SESSION_RAM_QUOTA: its window
 * and bookkeeping); PD_START starts a component from the image in it and
 * carries the capability the new PD gets as its parent (an endpoint of the
 * caller's, badged as the caller likes). Closing the session destroys the
 * PD, which reclaims everything it held and cancels calls blocked on it.
 * This is how init starts its children; any component that should have
 * children of its own gets PD routed to its parent and pays from its budget.
 *   PD_START(name)   words 0-3: the component name (< 32 chars);
 *                    capability: the parent endpoint
 *   PD_ADDRESS_SPACE()  answer: the started PD's region map (duet/region_map.h),
 *                    which its parent hands it on PARENT_ADDRESS_SPACE
 */
#ifndef DUET_PD_SESSION_H
#define DUET_PD_SESSION_H

#include "duet/env.h"
#include "duet/rpc.h"

#define PD_SESSION_RAM_QUOTA "260K"   /* a 256 KiB boot area, bookkeeping, regions */
#define PD_SESSION_CAP_QUOTA "4"
enum { PD_NAME_WORDS = COMPONENT_NAME_MAX / 8 };

/*     name           opcode  words  capability type */
#define PD_SESSION_RPCS(X)                                    \
    X(PD_START,       0x600,  4, 4,  CAP_TYPE_ENDPOINT)        \
    X(PD_ADDRESS_SPACE, 0x601, 0, 0, CAP_TYPE_NONE)

enum pd_opcode { PD_SESSION_RPCS(RPC_OPCODE_ENUM) };

struct pd_session_cap { cap_index_t index; };

/* Client stubs from the declaration: call_NAME(server, message), see rpc.h. */
#define PD_CLIENT_STUB(...) RPC_CLIENT_STUB(call, struct pd_session_cap, __VA_ARGS__)
PD_SESSION_RPCS(PD_CLIENT_STUB)

struct pd_connection {
    struct pd_session_cap cap;
    uint64_t id;
};

/* `label` names the PD for the server (core logs and traces it). */
enum rpc_status pd_connection_open(struct env *env, const char *label, struct pd_connection *out);
/* Destroys the PD (if started) and closes the session. */
enum rpc_status pd_connection_close(struct env *env, struct pd_connection *connection);
/* Starts component `name` in the PD, with `parent` as its parent capability. */
enum rpc_status pd_start(struct env *env, struct pd_session_cap pd, const char *name,
                         cap_index_t parent);
/* A capability to the started PD's address space, in *out (the caller's). */
enum rpc_status pd_address_space(struct pd_session_cap pd, cap_index_t *out);

#endif
