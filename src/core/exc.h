/* exc.h -- the exception classes a scenario can raise and catch.
 *
 * One X-macro table: id, Python name, parent class. The hierarchy is
 * Python 3.11's (builtins and asyncio.exceptions): CancelledError derives
 * from BaseException, so `except Exception` does not catch it; KeyError is a
 * LookupError; asyncio.TimeoutError is the builtin TimeoutError (3.11).
 * ExceptionGroup has two bases, BaseExceptionGroup and Exception: the table
 * names Exception, and exc_is knows the other.
 *
 * Depends on: nothing.  Used by: program.h, the interpreter, scenario/, export/.
 */
#ifndef LOOPSCOPE_EXC_H
#define LOOPSCOPE_EXC_H

#include <stdbool.h>

/*  id                     Python name            parent            */
#define EXC_TABLE(X)                                                  \
    X(EXC_BASE_EXCEPTION,  "BaseException",       EXC__NONE)          \
    X(EXC_EXCEPTION,       "Exception",           EXC_BASE_EXCEPTION) \
    X(EXC_CANCELLED,       "CancelledError",      EXC_BASE_EXCEPTION) \
    X(EXC_BASE_EXC_GROUP,  "BaseExceptionGroup",  EXC_BASE_EXCEPTION) \
    X(EXC_EXC_GROUP,       "ExceptionGroup",      EXC_EXCEPTION)      \
    X(EXC_TIMEOUT,         "TimeoutError",        EXC_OS_ERROR)       \
    X(EXC_OS_ERROR,        "OSError",             EXC_EXCEPTION)      \
    X(EXC_CONNECTION,      "ConnectionError",     EXC_OS_ERROR)       \
    X(EXC_VALUE,           "ValueError",          EXC_EXCEPTION)      \
    X(EXC_RUNTIME,         "RuntimeError",        EXC_EXCEPTION)      \
    X(EXC_LOOKUP,          "LookupError",         EXC_EXCEPTION)      \
    X(EXC_KEY,             "KeyError",            EXC_LOOKUP)         \
    X(EXC_INDEX,           "IndexError",          EXC_LOOKUP)         \
    X(EXC_TYPE,            "TypeError",           EXC_EXCEPTION)      \
    X(EXC_ZERO_DIV,        "ZeroDivisionError",   EXC_ARITHMETIC)     \
    X(EXC_ARITHMETIC,      "ArithmeticError",     EXC_EXCEPTION)      \
    X(EXC_NAME,            "NameError",           EXC_EXCEPTION)      \
    X(EXC_UNBOUND_LOCAL,   "UnboundLocalError",   EXC_NAME)           \
    X(EXC_RECURSION,       "RecursionError",      EXC_RUNTIME)        \
    X(EXC_ATTRIBUTE,       "AttributeError",      EXC_EXCEPTION)

typedef enum ExcType {
#define EXC_ENUM(id, name, parent) id,
    EXC_TABLE(EXC_ENUM)
#undef EXC_ENUM
    EXC__COUNT,
    EXC__NONE = EXC__COUNT
} ExcType;

/* The Python class name of `t` (a static string). */
const char *exc_name(ExcType t);
/* Looks a class up by its Python name; EXC__NONE if unknown. */
ExcType exc_find(const char *name);
/* True when class `t` is `base` or derives from it. */
bool exc_is(ExcType t, ExcType base);

#endif
