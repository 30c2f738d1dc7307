/* harness.h -- the unit tests' tiny harness (Redis testhelp.h, libuv ASSERT_EQ).
 *
 * A test is a `void test_x(void)` listed in list.h. CHECK* macros record a
 * failure with file:line and both values, and go on; main.c prints
 * "N passed, N failed" as the last line and exits 1 on any failure.
 */
#ifndef LOOPSCOPE_TEST_HARNESS_H
#define LOOPSCOPE_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

extern int th_checks, th_failures;
extern const char *th_current;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        th_checks++;                                                                 \
        if (!(cond)) {                                                               \
            th_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,     \
                    th_current, #cond);                                              \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                           \
    do {                                                                             \
        long long va_ = (long long)(a), vb_ = (long long)(b);                        \
        th_checks++;                                                                 \
        if (va_ != vb_) {                                                            \
            th_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__,\
                    __LINE__, th_current, #a, va_, #b, vb_);                         \
        }                                                                            \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                           \
    do {                                                                             \
        const char *sa_ = (a), *sb_ = (b);                                           \
        th_checks++;                                                                 \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                 \
            th_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: %s == \"%s\", expected \"%s\"\n", __FILE__,  \
                    __LINE__, th_current, #a, sa_ ? sa_ : "(null)",                  \
                    sb_ ? sb_ : "(null)");                                           \
        }                                                                            \
    } while (0)

#endif
