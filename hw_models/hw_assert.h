/*
 * hw_assert.h - assertions on a device model's own invariants.
 *
 * HW_ASSERT stays on in every build type (CMake's RelWithDebInfo defines
 * NDEBUG, which would silence <assert.h>, and the sim build keeps its
 * checks). A failure names the function and the condition, then aborts: the
 * sim's crash handling turns that into a recorded outcome.
 *
 * Models assert only on themselves and on their owner's contract (hw_bus.h),
 * never on what the guest writes to their ports. Keep conditions free of side
 * effects. Private to hw_models/.
 */
#ifndef DUET_HW_ASSERT_H
#define DUET_HW_ASSERT_H

_Noreturn void hw_assert_fail(const char *function, const char *condition,
                              const char *detail);

#define HW_ASSERT(condition) \
    ((condition) ? (void)0 : hw_assert_fail(__func__, #condition, 0))

/* `detail` is a string shown with the failure, e.g. a checker's verdict. */
#define HW_ASSERT_DETAIL(condition, detail) \
    ((condition) ? (void)0 : hw_assert_fail(__func__, #condition, (detail)))

#endif
