/* Must NOT compile: a LOG session capability used as an ECHO one. */
#include "duet/echo_session.h"
#include "duet/log_session.h"

void wrong_capability(struct env *env, struct log_session_cap log)
{
    uint64_t sum = 0;
    echo_add(env, log, 1, 2, &sum);
}
