/*
 * quota.h - RAM and capability quota: accounts, and the sizes that fill them.
 *
 * A quota account has a limit and what is used of it; taking more than is
 * left fails and changes nothing. Parents keep one per child (init: from
 * its config), servers one per session (filled by the client's donation),
 * so that a server only ever spends what a client gave it.
 *
 * Sizes in configs and session arguments: decimal digits with an optional
 * K (KiB) or M (MiB) suffix, e.g. "4096", "4K", "1M"; at most 1 GiB.
 */
#ifndef DUET_QUOTA_H
#define DUET_QUOTA_H

#include "duet/types.h"

#define QUOTA_SIZE_MAX (UINT64_C(1) << 30)

struct quota_account {
    uint64_t limit;
    uint64_t used;
};

/* Takes `amount`; false (and nothing taken) if fewer are left. */
bool quota_take(struct quota_account *account, uint64_t amount);
/* Gives back `amount`, which must have been taken. */
void quota_give_back(struct quota_account *account, uint64_t amount);
/* Raises the limit (an upgrade). False on overflow past QUOTA_SIZE_MAX. */
bool quota_raise(struct quota_account *account, uint64_t amount);
static inline uint64_t quota_left(const struct quota_account *account)
{
    return account->limit - account->used;
}

/* Strict: the whole text must be a size; false otherwise. */
bool quota_parse_size(const char *text, uint64_t *out_bytes);

#endif
