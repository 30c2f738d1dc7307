/* build_msg.c -- the scenario checker's scratch stacks, JSON paths,
 * messages ("expected ..., got ..."), name lists and suggestions, and a
 * coroutine's local variables. See build_int.h and build.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_int.h"

bool bld_grow(Ctx *c, void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *nb = mem_realloc(*buf, ncap * elem);
    if (!nb) {
        c->oom = true;
        return false;
    }
    *buf = nb;
    *cap = ncap;
    return true;
}

void bld_push_u32(Ctx *c, U32s *s, uint32_t v)
{
    if (bld_grow(c, (void **)&s->v, &s->cap, s->n + 1, sizeof *s->v))
        s->v[s->n++] = v;
}

/* ==== paths and messages ================================================ */

size_t bld_path_key(Ctx *c, const char *k)
{
    size_t old = c->path.n;
    sbuf__path_key(&c->path, k, strlen(k));
    return old;
}

size_t bld_path_index(Ctx *c, size_t i)
{
    size_t old = c->path.n;
    sbuf__printf(&c->path, "[%zu]", i);
    return old;
}

void bld_path_pop(Ctx *c, size_t old) { sbuf__truncate(&c->path, old); }

void bld_err_at(Ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag__vadd(c->dc, line, col, c->path.s, fmt, ap);
    va_end(ap);
}


/* `s` quoted for a message (valid until five more calls). */
const char *bld_q(Ctx *c, const char *s)
{
    SBuf *b = &c->qb[c->qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__quote(b, s, strlen(s), 40);
    if (b->oom) {
        c->oom = true;
        return "\"\"";
    }
    return b->s;
}

/* What value v is, for "got ...". */
const char *bld_got(Ctx *c, V v)
{
    switch (ty(c, v)) {
    case JL_NULL: return "null";
    case JL_TRUE: return "true";
    case JL_FALSE: return "false";
    case JL_ARRAY: return "a list";
    case JL_OBJECT: return "an object";
    case JL_STRING: return bld_q(c, str(v));
    case JL_NUMBER: {
        SBuf *b = &c->qb[c->qi++ % 6];
        sbuf__truncate(b, 0);
        sbuf__put(b, c->jl->text + nd(c, v)->off, nd(c, v)->len);
        if (b->oom) {
            c->oom = true;
            return "a number";
        }
        return b->s;
    }
    }
    return "?";
}

static bool plain_name(const char *s) { return names__check(s) != NAME_NOT_IDENT; }

/* A name as it appears in a message: bare when it is a plain identifier,
 * quoted otherwise (so no message ever contains a raw control character). */
const char *bld_disp(Ctx *c, const char *s) { return plain_name(s) ? s : bld_q(c, s); }

/* "a, b, c" (at most `max` names, then "..."), into c->list. */
const char *bld_name_list_max(Ctx *c, const char *const *names, size_t n, size_t max)
{
    sbuf__truncate(&c->list, 0);
    sbuf__puts(&c->list, "");
    for (size_t i = 0; i < n && i < max; i++) {
        if (i)
            sbuf__puts(&c->list, ", ");
        if (plain_name(names[i]))
            sbuf__puts(&c->list, names[i]);
        else
            sbuf__quote(&c->list, names[i], strlen(names[i]), 40);
    }
    if (n > max)
        sbuf__printf(&c->list, ", ... (%zu in all)", n);
    if (c->list.oom) {
        c->oom = true;
        return "";
    }
    return c->list.s;
}

const char *bld_name_list(Ctx *c, const char *const *names, size_t n)
{
    return bld_name_list_max(c, names, n, 10);
}

/* ", did you mean \"x\"?" style suffix, or "" (in a rotating buffer). */
const char *bld_suggest(Ctx *c, const char *s, const char *const *cands, size_t n)
{
    long k = names__closest(s, cands, n);
    if (k < 0)
        return "";
    SBuf *b = &c->qb[c->qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__puts(b, "; did you mean ");
    sbuf__quote(b, cands[k], strlen(cands[k]), 40);
    sbuf__puts(b, "?");
    if (b->oom) {
        c->oom = true;
        return "";
    }
    return b->s;
}

const char *bld_plural(size_t n) { return n == 1 ? "" : "s"; }

/* ==== names ============================================================= */

/* Checks that `name` is usable as a `what` name; reports at line:col. */
bool bld_check_name(Ctx *c, const char *name, uint32_t line, uint32_t col, const char *what)
{
    switch (names__check(name)) {
    case NAME_OK:
        return true;
    case NAME_NOT_IDENT:
        bld_err_at(c, line, col,
               "%s is not a valid %s name; use letters, digits and _ (not starting with a digit)",
               bld_q(c, name), what);
        return false;
    case NAME_KEYWORD:
        bld_err_at(c, line, col, "%s is a Python keyword; choose another %s name", bld_q(c, name), what);
        return false;
    case NAME_RESERVED:
        bld_err_at(c, line, col, "%s is reserved (the Python export uses it); choose another %s name",
               bld_q(c, name), what);
        return false;
    }
    return false;
}

uint32_t bld_local_slot(const Ctx *c, const char *name)
{
    return names__get(&c->locals, name);
}

uint32_t bld_add_local(Ctx *c, const char *name, uint32_t kind)
{
    if (!bld_grow(c, (void **)&c->li, &c->li_cap, c->nli + 1, sizeof *c->li) ||
        !bld_grow(c, (void **)&c->lnames, &c->ln_cap, c->nli + 1, sizeof *c->lnames))
        return PROG_NONE;
    uint32_t slot = (uint32_t)c->nli;
    if (!names__put(&c->locals, name, slot)) {
        c->oom = true;
        return PROG_NONE;
    }
    c->li[slot] = (LocalInfo){name, kind, kind};
    c->lnames[slot] = name;
    c->nli++;
    return slot;
}

const char *bld_kind_name(int k)
{
    switch (k) {
    case OBJ_EVENT: return "an Event";
    case OBJ_LOCK: return "a Lock";
    case OBJ_SEMAPHORE: return "a Semaphore";
    case OBJ_QUEUE: return "a Queue";
    }
    return "an object";
}

/* Reports an unknown variable `name` used in the current coroutine. */
void bld_unknown_var(Ctx *c, uint32_t line, uint32_t col, const char *name)
{
    if (diag__full(c->dc)) {
        bld_err_at(c, line, col, "unknown variable");
        return;
    }
    const char *coro = c->ci[c->coro].name;
    uint32_t o = names__get(&c->objs, name);
    if (o != UINT32_MAX) {
        bld_err_at(c, line, col,
               "%s is an object (%s), not a variable of coroutine %s; only variables can be "
               "used here",
               bld_q(c, name), bld_kind_name(c->oi[o].kind), bld_q(c, coro));
        return;
    }
    if (names__get(&c->coros, name) != UINT32_MAX) {
        bld_err_at(c, line, col, "%s is a coroutine, not a variable of coroutine %s", bld_q(c, name),
               bld_q(c, coro));
        return;
    }
    const char *sug = bld_suggest(c, name, c->lnames, c->nli);
    if (sug[0])
        bld_err_at(c, line, col, "unknown variable %s in coroutine %s%s", bld_q(c, name), bld_q(c, coro), sug);
    else if (c->nli == 0)
        bld_err_at(c, line, col, "unknown variable %s in coroutine %s, which has no variables",
               bld_q(c, name), bld_q(c, coro));
    else
        bld_err_at(c, line, col, "unknown variable %s in coroutine %s; known: %s", bld_q(c, name),
               bld_q(c, coro), bld_name_list(c, c->lnames, c->nli));
}
