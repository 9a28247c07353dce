/* The control: the same shape with the right capability type compiles,
 * so the other files fail for their type error and nothing else. */
#include "duet/log_session.h"
#include "duet/rom_session.h"

void right_capability(struct env *env, struct log_session_cap log)
{
    log_write(env, log, "a LOG capability");
}
