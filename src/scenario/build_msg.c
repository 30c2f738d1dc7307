/* build_msg.c -- the scenario checker's scratch stacks, messages, name
 * lists and suggestions, and a coroutine's local variables. See build_int.h
 * and build.c (the JSON paths and "got ..." are jcheck.c's).
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
        c->k.oom = true;
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

static bool plain_name(const char *s) { return names__check(s) != NAME_NOT_IDENT; }

/* A name as it appears in a message: bare when it is a plain identifier,
 * quoted otherwise (so no message ever contains a raw control character). */
const char *bld_disp(Ctx *c, const char *s) { return plain_name(s) ? s : jc_q(&c->k, s); }

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
        c->k.oom = true;
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
    SBuf *b = &c->k.qb[c->k.qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__puts(b, "; did you mean ");
    sbuf__quote(b, cands[k], strlen(cands[k]), 40);
    sbuf__puts(b, "?");
    if (b->oom) {
        c->k.oom = true;
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
        jc_err_at(&c->k, line, col,
               "%s is not a valid %s name; use letters, digits and _ (not starting with a digit)",
               jc_q(&c->k, name), what);
        return false;
    case NAME_KEYWORD:
        jc_err_at(&c->k, line, col, "%s is a Python keyword; choose another %s name", jc_q(&c->k, name), what);
        return false;
    case NAME_RESERVED:
        jc_err_at(&c->k, line, col, "%s is reserved (the Python export uses it); choose another %s name",
               jc_q(&c->k, name), what);
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
        c->k.oom = true;
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
    if (diag__full(c->k.dc)) {
        jc_err_at(&c->k, line, col, "unknown variable");
        return;
    }
    const char *coro = c->ci[c->coro].name;
    uint32_t o = names__get(&c->objs, name);
    if (o != UINT32_MAX) {
        jc_err_at(&c->k, line, col,
               "%s is an object (%s), not a variable of coroutine %s; only variables can be "
               "used here",
               jc_q(&c->k, name), bld_kind_name(c->oi[o].kind), jc_q(&c->k, coro));
        return;
    }
    if (names__get(&c->coros, name) != UINT32_MAX) {
        jc_err_at(&c->k, line, col, "%s is a coroutine, not a variable of coroutine %s", jc_q(&c->k, name),
               jc_q(&c->k, coro));
        return;
    }
    const char *sug = bld_suggest(c, name, c->lnames, c->nli);
    if (sug[0])
        jc_err_at(&c->k, line, col, "unknown variable %s in coroutine %s%s", jc_q(&c->k, name), jc_q(&c->k, coro), sug);
    else if (c->nli == 0)
        jc_err_at(&c->k, line, col, "unknown variable %s in coroutine %s, which has no variables",
               jc_q(&c->k, name), jc_q(&c->k, coro));
    else
        jc_err_at(&c->k, line, col, "unknown variable %s in coroutine %s; known: %s", jc_q(&c->k, name),
               jc_q(&c->k, coro), bld_name_list(c, c->lnames, c->nli));
}
