/* failalloc.c -- the allocation-failure injector of the test builds.
 *
 * A program built with -DLOOPSCOPE_FAILALLOC links this file: src/core/mem.c
 * then asks mem_test_should_fail() before every allocation. The countdown
 * lives here, in the test program, so src/core has no mutable globals in
 * any build (the normal build compiles no injector at all).
 *
 * Used by: tests/oom (oom_test, and the unit tests' out-of-memory cases).
 */
#include "mem.h"

#ifndef LOOPSCOPE_FAILALLOC
#error "failalloc.c belongs to -DLOOPSCOPE_FAILALLOC builds"
#endif

static long fail_countdown = 0;       /* 0: off; n: allocation n fails, and every later one */
static unsigned long alloc_count = 0; /* calls since mem_fail_after */

void mem_fail_after(long n)
{
    fail_countdown = n;
    alloc_count = 0;
}

unsigned long mem_alloc_count(void) { return alloc_count; }

int mem_test_should_fail(void)
{
    alloc_count++;
    if (fail_countdown <= 0)
        return 0;
    if (fail_countdown == 1)
        return 1;
    fail_countdown--;
    return 0;
}
