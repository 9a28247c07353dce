/*
 * Must NOT compile: a ROM session capability passed where a LOG one is
 * expected. tests/CMakeLists.txt compiles it and expects the compiler to
 * refuse (a test that passes only if this file is rejected).
 */
#include "duet/log_session.h"
#include "duet/rom_session.h"

void wrong_capability(struct env *env, struct rom_session_cap rom)
{
    log_write(env, rom, "a ROM capability is not a LOG capability");
}
