/* test_exc.c -- the exception hierarchy matches Python 3.11's.
 *
 * For every pair of classes in exc.h's table, exc_is(a, b) must be what
 * the Python on this machine says of issubclass(a, b): a wrong parent, or
 * a class with two bases (ExceptionGroup derives from BaseExceptionGroup
 * and from Exception) modelled as one, shows up as a pair that differs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h> /* mkstemp */
#include <string.h>

#include "exc.h"
#include "harness.h"

/* Python reads the class names on its stdin and prints, for each class a in
 * order, one line of 0/1: issubclass(a, b) for every b in order. */
static const char *const ask =
    "python3 -c \"import sys, asyncio, builtins\n"
    "assert sys.version_info[:2] == (3, 11), sys.version\n"
    "def cls(n): return asyncio.CancelledError if n == 'CancelledError' else getattr(builtins, n)\n"
    "cs = [cls(n) for n in sys.stdin.read().split()]\n"
    "for a in cs: print(''.join('1' if issubclass(a, b) else '0' for b in cs))\n\" < ";

void test_exc_hierarchy(void);
void test_exc_hierarchy(void)
{
    char names[] = "/tmp/loopscope-test-exc-XXXXXX";
    int fd = mkstemp(names);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < EXC__COUNT; i++)
        fprintf(f, "%s\n", exc_name((ExcType)i));
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s%s", ask, names);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    int rows = 0, bad = 0;
    char line[256];
    while (p && rows < EXC__COUNT && fgets(line, sizeof line, p)) {
        CHECK_EQ_INT((int)strcspn(line, "\n"), EXC__COUNT);
        for (int b = 0; b < EXC__COUNT && line[b] && line[b] != '\n'; b++) {
            bool want = line[b] == '1', got = exc_is((ExcType)rows, (ExcType)b);
            if (want != got) {
                fprintf(stderr, "test_exc: issubclass(%s, %s) is %s in Python\n",
                        exc_name((ExcType)rows), exc_name((ExcType)b), want ? "True" : "False");
                bad++;
            }
        }
        rows++;
    }
    if (p)
        CHECK_EQ_INT(pclose(p), 0); /* python3 ran, and is 3.11 */
    remove(names);
    CHECK_EQ_INT(rows, EXC__COUNT);
    CHECK_EQ_INT(bad, 0);
    /* the lookups */
    CHECK_EQ_INT(exc_find("ValueError"), EXC_VALUE);
    CHECK_EQ_INT(exc_find("Nope"), EXC__NONE);
    CHECK_EQ_STR(exc_name(EXC_EXC_GROUP), "ExceptionGroup");
    CHECK(exc_is(EXC_EXC_GROUP, EXC_BASE_EXC_GROUP) && !exc_is(EXC_CANCELLED, EXC_EXCEPTION));
}
