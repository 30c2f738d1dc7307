/* mem.h -- the one allocation path of the core and the scenario loader.
 *
 * Every allocation in src/core and src/scenario goes through these
 * functions, so a test can make the n-th allocation fail and check that the
 * failure is reported, not a crash (Lua's lua_Alloc, SQLite's test_malloc).
 * The injector's state lives in the test program (tests/lib/failalloc.c),
 * never here: the core has no mutable globals in any build.
 *
 * Depends on: nothing.  Used by: everything that allocates.
 */
#ifndef LOOPSCOPE_MEM_H
#define LOOPSCOPE_MEM_H

#include <stddef.h>

void *mem_malloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);

#ifdef LOOPSCOPE_FAILALLOC
/* Test builds only, all three defined by tests/lib/failalloc.c. Whether
 * the allocation about to be made fails (mem.c asks before each one). */
int mem_test_should_fail(void);
/* Make allocation number `n` (counting from 1 after this call) and every
 * later one fail; n = 0 turns the injector off. */
void mem_fail_after(long n);
/* Test builds only: allocation calls since the last mem_fail_after (so a
 * test can learn how many allocations a whole operation makes). */
unsigned long mem_alloc_count(void);
#endif

#endif
