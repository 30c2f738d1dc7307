/* jcheck.c -- JSON paths and quoted values for the checkers' messages
 * (see jcheck.h).
 */
#include <stdarg.h>

#include "jcheck.h"

size_t jc_path_key(JCheck *k, const char *name)
{
    size_t old = k->path.n;
    sbuf__path_key(&k->path, name, strlen(name));
    return old;
}

size_t jc_path_index(JCheck *k, size_t i)
{
    size_t old = k->path.n;
    sbuf__printf(&k->path, "[%zu]", i);
    return old;
}

void jc_path_pop(JCheck *k, size_t old) { sbuf__truncate(&k->path, old); }

void jc_err_at(JCheck *k, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag__vadd(k->dc, line, col, k->path.s, fmt, ap);
    va_end(ap);
}

const char *jc_q(JCheck *k, const char *s)
{
    SBuf *b = &k->qb[k->qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__quote(b, s, strlen(s), 40);
    if (b->oom) {
        k->oom = true;
        return "\"\"";
    }
    return b->s;
}

const char *jc_got(JCheck *k, V v)
{
    switch (jc_ty(k, v)) {
    case JL_NULL: return "null";
    case JL_TRUE: return "true";
    case JL_FALSE: return "false";
    case JL_ARRAY: return "a list";
    case JL_OBJECT: return "an object";
    case JL_STRING: return jc_q(k, str(v));
    case JL_NUMBER: {
        SBuf *b = &k->qb[k->qi++ % 6];
        sbuf__truncate(b, 0);
        sbuf__put(b, k->jl->text + jc_nd(k, v)->off, jc_nd(k, v)->len);
        if (b->oom) {
            k->oom = true;
            return "a number";
        }
        return b->s;
    }
    }
    return "?";
}

void jc_free(JCheck *k)
{
    sbuf__free(&k->path);
    for (int i = 0; i < 6; i++)
        sbuf__free(&k->qb[i]);
}
