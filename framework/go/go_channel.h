/*
 * go_channel.h - the channel steps select shares with send and receive
 * (go_channel.c). All with the runtime lock held.
 */
#ifndef DUET_GO_CHANNEL_H
#define DUET_GO_CHANNEL_H

#include "go_internal.h"

/* Completes a send if it can go now (a receiver waits, buffer room, or the
 * channel is closed: *out_status GO_ERR_CLOSED); false: it would block. */
bool go_chan_send_ready(struct go_runtime *rt, struct go_channel *c, uint64_t value,
                        enum go_status *out_status, bool *out_woke);
/* Completes a receive if it can go now (a buffered value, a sender waits,
 * or closed: 0 and ok false); false: it would block. */
bool go_chan_recv_ready(struct go_runtime *rt, struct go_channel *c, uint64_t *out_value,
                        bool *out_ok, bool *out_woke);
/* Queues a waiter of a goroutine about to park. */
void go_chan_enqueue(struct go_channel *c, struct go_waiter *w);

#endif
