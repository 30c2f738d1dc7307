/* exc.c -- lookups over the exception table in exc.h. Pure; no state. */
#include "exc.h"

#include <string.h>

typedef struct ExcInfo {
    const char *name;
    ExcType parent;
} ExcInfo;

static const ExcInfo exc_info[EXC__COUNT] = {
#define EXC_ROW(id, name, parent) [id] = {name, parent},
    EXC_TABLE(EXC_ROW)
#undef EXC_ROW
};

const char *exc_name(ExcType t)
{
    return t < EXC__COUNT ? exc_info[t].name : "?";
}

ExcType exc_find(const char *name)
{
    for (int i = 0; i < EXC__COUNT; i++)
        if (strcmp(exc_info[i].name, name) == 0)
            return (ExcType)i;
    return EXC__NONE;
}

bool exc_is(ExcType t, ExcType base)
{
    /* the one class with two bases: class ExceptionGroup(BaseExceptionGroup,
     * Exception); the table's parent column holds the second */
    if (t == EXC_EXC_GROUP && base == EXC_BASE_EXC_GROUP)
        return true;
    while (t < EXC__COUNT) {
        if (t == base)
            return true;
        t = exc_info[t].parent;
    }
    return false;
}
