/* test_exc.c -- the exception hierarchy matches Python 3.11's. */
#include "harness.h"
#include "exc.h"

void test_exc_hierarchy(void);
void test_exc_hierarchy(void)
{
    CHECK(exc_is(EXC_KEY, EXC_LOOKUP));
    CHECK(exc_is(EXC_KEY, EXC_EXCEPTION));
    CHECK(!exc_is(EXC_CANCELLED, EXC_EXCEPTION));   /* 3.8+: BaseException */
    CHECK(exc_is(EXC_CANCELLED, EXC_BASE_EXCEPTION));
    CHECK(exc_is(EXC_TIMEOUT, EXC_OS_ERROR));        /* builtin TimeoutError */
    CHECK_EQ_INT(exc_find("ValueError"), EXC_VALUE);
    CHECK_EQ_INT(exc_find("Nope"), EXC__NONE);
    CHECK_EQ_STR(exc_name(EXC_EXC_GROUP), "ExceptionGroup");
}
