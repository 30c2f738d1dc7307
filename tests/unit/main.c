/* main.c -- runs every test in list.h and prints "N passed, N failed". */
#include <stdio.h>

#include "harness.h"

int th_checks = 0, th_failures = 0;
const char *th_current = "";

#define TEST(name) void name(void);
#include "list.h"
#undef TEST

int main(void)
{
    int passed = 0, failed = 0;
#define TEST(name)                                   \
    do {                                             \
        int before = th_failures;                    \
        th_current = #name;                          \
        name();                                      \
        if (th_failures == before)                   \
            passed++;                                \
        else                                         \
            failed++;                                \
    } while (0);
#include "list.h"
#undef TEST
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
