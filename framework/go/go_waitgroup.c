/*
 * go_waitgroup.c - wait groups (duet/go.h): a counter, and goroutines
 * parked until it is zero.
 *
 * Waiters are not queued: a goroutine parked on a wait group says so in
 * its own record (GO_WAIT_WAITGROUP, the group), and the Add that brings
 * the counter to zero wakes every such goroutine in table order. All of
 * them are woken within that Add, under the lock, so a group is never
 * seen at zero with waiters left: it can be reused at once, and Go's
 * "reused before previous Wait has returned" cannot happen here. A counter
 * that would go negative is refused (GO_ERR_NEGATIVE_COUNTER) and left
 * unchanged.
 */
#include "go_internal.h"

#include "duet/assert.h"

static struct go_waitgroup_state *group_find(struct go_runtime *rt, go_waitgroup wg)
{
    if (wg == 0 || wg > rt->config.waitgroups_max)
        return NULL;
    struct go_waitgroup_state *group = &rt->waitgroups[wg - 1];
    return group->in_use ? group : NULL;
}

enum go_status go_waitgroup_make(struct go_runtime *rt, go_waitgroup *out)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC && out != NULL);
    go_lock(rt);
    enum go_status status = GO_ERR_NO_WAITGROUP;
    for (unsigned i = 0; i < rt->config.waitgroups_max; i++) {
        if (rt->waitgroups[i].in_use)
            continue;
        rt->waitgroups[i] = (struct go_waitgroup_state){.in_use = true};
        *out = i + 1;
        status = GO_OK;
        break;
    }
    go_unlock(rt);
    return status;
}

enum go_status go_waitgroup_add(struct go_runtime *rt, go_waitgroup wg, int64_t delta)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    go_lock(rt);
    struct go_waitgroup_state *group = group_find(rt, wg);
    enum go_status status = GO_OK;
    if (group == NULL)
        status = GO_ERR_BAD_HANDLE;
    else if (delta < 0 && group->counter < -delta)
        status = GO_ERR_NEGATIVE_COUNTER;
    else if (delta > 0 && group->counter > INT64_MAX - delta)
        status = GO_ERR_BAD_ARGUMENT;
    if (status != GO_OK) {
        go_unlock(rt);
        return status;
    }
    group->counter += delta;
    bool woke = false;
    if (group->counter == 0) {
        for (unsigned i = 0; i < rt->config.goroutines_max; i++) {
            struct go_routine *g = &rt->routines[i];
            if (g->state == GO_BLOCKED && g->wait == GO_WAIT_WAITGROUP && g->wait_object == wg) {
                go_wake(rt, g, -1);
                woke = true;
            }
        }
    }
    go_unlock_after_wake(rt, woke);
    return GO_OK;
}

enum go_status go_waitgroup_done(struct go_runtime *rt, go_waitgroup wg)
{
    return go_waitgroup_add(rt, wg, -1);
}

enum go_status go_waitgroup_wait(struct go_runtime *rt, go_waitgroup wg)
{
    DUET_ASSERT(rt != NULL && rt->magic == GO_RUNTIME_MAGIC);
    struct go_routine *g = go_current(rt);
    go_lock(rt);
    struct go_waitgroup_state *group = group_find(rt, wg);
    if (group == NULL || group->counter == 0) {
        go_unlock(rt);
        return group == NULL ? GO_ERR_BAD_HANDLE : GO_OK;
    }
    if (g == NULL) {
        go_unlock(rt);
        return GO_ERR_NOT_IN_GOROUTINE;
    }
    go_park(rt, g, GO_WAIT_WAITGROUP, wg);
    return GO_OK;
}
