/* test_printable.c -- repr()'s table of escaped code points is Python's.
 *
 * src/core/printable_table.c is generated (tools/gen-printable.py); here the
 * Python on this machine says, for every code point, whether
 * str.isprintable() holds, and uni_is_printable must agree on all 1,114,112
 * of them. Python 3.11 is what loopscope follows (and the conformance suite
 * needs it anyway); under another version the Unicode tables differ, so the
 * test says which Python it found and fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "printable.h"

/* Python prints the code points isprintable() rejects, as "first last" lines. */
static const char *const dump =
    "python3 -c \"import sys, unicodedata\n"
    "assert sys.version_info[:2] == (3, 11), sys.version\n"
    "s = None\n"
    "for c in range(0x110000 + 1):\n"
    "    e = c < 0x110000 and not chr(c).isprintable()\n"
    "    if e and s is None: s = c\n"
    "    if not e and s is not None: print(s, c - 1); s = None\n\"";

void test_printable_matches_python(void);
void test_printable_matches_python(void)
{
    FILE *p = popen(dump, "r");
    CHECK(p != NULL);
    if (!p)
        return;
    unsigned long a, b, next = 0, bad = 0, ranges = 0;
    while (fscanf(p, "%lu %lu", &a, &b) == 2 && b < 0x110000 && a <= b) {
        for (unsigned long c = next; c < a; c++) /* printable in Python */
            bad += !uni_is_printable((uint32_t)c);
        for (unsigned long c = a; c <= b; c++) /* escaped in Python */
            bad += uni_is_printable((uint32_t)c);
        next = b + 1;
        ranges++;
    }
    int rc = pclose(p);
    CHECK_EQ_INT(rc, 0); /* python3 ran, and is 3.11 */
    CHECK_EQ_INT(next, 0x110000); /* the last range ends at U+10FFFF (unassigned) */
    CHECK(ranges > 600); /* 3.11.7: 704 ranges, ASCII's included */
    if (bad)
        fprintf(stderr, "test_printable: %lu code points differ from Python's str.isprintable()\n",
                bad);
    CHECK_EQ_INT(bad, 0);
    /* repr's own cases, as CPython 3.11 prints them */
    CHECK(uni_is_printable(' ') && !uni_is_printable('\n') && !uni_is_printable(0x7f));
    CHECK(!uni_is_printable(0xa0) && !uni_is_printable(0x2028) && uni_is_printable(0xe9));
    CHECK(uni_is_printable(0x1f600) && !uni_is_printable(0xe0001));
}
