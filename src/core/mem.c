/* mem.c -- allocation wrappers (see mem.h). */
#include "mem.h"

#include <stdlib.h>

#ifdef LOOPSCOPE_FAILALLOC
#define should_fail mem_test_should_fail /* the test program's (mem.h) */
#else
static int should_fail(void) { return 0; }
#endif

void *mem_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *mem_calloc(size_t c, size_t s) { return should_fail() ? NULL : calloc(c ? c : 1, s ? s : 1); }
void *mem_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void mem_free(void *p) { free(p); }
