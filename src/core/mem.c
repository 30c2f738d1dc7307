/* mem.c -- allocation wrappers (see mem.h). */
#include "mem.h"

#include <stdlib.h>

#ifdef LOOPSCOPE_FAILALLOC
static _Thread_local long fail_countdown = 0; /* test builds only */
static _Thread_local unsigned long alloc_count = 0; /* calls since mem_fail_after */

void mem_fail_after(long n) { fail_countdown = n; alloc_count = 0; }
unsigned long mem_alloc_count(void) { return alloc_count; }

static int should_fail(void)
{
    alloc_count++;
    if (fail_countdown <= 0)
        return 0;
    if (fail_countdown == 1)
        return 1;
    fail_countdown--;
    return 0;
}
#else
static int should_fail(void) { return 0; }
#endif

void *mem_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *mem_calloc(size_t c, size_t s) { return should_fail() ? NULL : calloc(c ? c : 1, s ? s : 1); }
void *mem_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void mem_free(void *p) { free(p); }
