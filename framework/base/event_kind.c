/*
 * event_kind.c - names of the event kinds (hal/event.h), for stores and tools.
 */
#include "hal/event.h"

const char *hal_event_kind_name(unsigned kind)
{
    switch (kind) {
#define DUET_EVENT_NAME(name, number) case number: return #name;
        DUET_EVENT_KINDS(DUET_EVENT_NAME)
#undef DUET_EVENT_NAME
    default:
        return NULL;
    }
}
