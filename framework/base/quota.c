/*
 * quota.c - quota accounts and size parsing (duet/quota.h).
 */
#include "duet/quota.h"

#include "duet/assert.h"

bool quota_take(struct quota_account *account, uint64_t amount)
{
    DUET_ASSERT(account->used <= account->limit);
    if (amount > quota_left(account))
        return false;
    account->used += amount;
    return true;
}

void quota_give_back(struct quota_account *account, uint64_t amount)
{
    DUET_ASSERT(amount <= account->used);
    account->used -= amount;
}

bool quota_raise(struct quota_account *account, uint64_t amount)
{
    if (amount > QUOTA_SIZE_MAX || account->limit > QUOTA_SIZE_MAX - amount)
        return false;
    account->limit += amount;
    return true;
}

bool quota_parse_size(const char *text, uint64_t *out_bytes)
{
    uint64_t value = 0;
    size_t digits = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        value = value * 10 + (uint64_t)(*p - '0');
        if (value > QUOTA_SIZE_MAX)
            return false;
    }
    if (digits == 0)
        return false;
    uint64_t unit = 1;
    if (*p == 'K')
        unit = 1024;
    else if (*p == 'M')
        unit = 1024 * 1024;
    if (unit != 1)
        p++;
    if (*p != '\0' || value > QUOTA_SIZE_MAX / unit)
        return false;
    *out_bytes = value * unit;
    return true;
}
