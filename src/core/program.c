/* program.c -- building and reading the immutable Program (see program.h).
 *
 * Every table is a growable array; growth doubles the capacity. Allocation
 * failure is sticky (Program.ok = false, SQLite's mallocFailed idea), so the
 * loader can add freely and check once at the end.
 *
 * Depends on: program.h, mem.h.  Used by: scenario/, core/, export/.
 */
#include "program.h"

#include <string.h>

#include "mem.h"

/* Grows *buf (elements of size `elem`) so that it can hold `need` items. */
static bool grow(Program *p, void **buf, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *nb = mem_realloc(*buf, (size_t)ncap * elem);
    if (!nb) {
        p->ok = false;
        return false;
    }
    *buf = nb;
    *cap = ncap;
    return true;
}

#define ADD(p, arr, n, cap, val)                                                    \
    do {                                                                            \
        if (!(p)->ok || !grow((p), (void **)&(p)->arr, &(p)->cap, (p)->n + 1,       \
                              sizeof *(p)->arr))                                    \
            return PROG_NONE;                                                       \
        (p)->arr[(p)->n] = (val);                                                   \
        return (p)->n++;                                                            \
    } while (0)

Program *prog_new(void)
{
    Program *p = mem_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->ok = true;
    p->title = PROG_NONE;
    p->about = PROG_NONE;
    p->main = PROG_NONE;
    return p;
}

void prog_free(Program *p)
{
    if (!p)
        return;
    mem_free(p->strbuf);
    mem_free(p->str_off);
    mem_free(p->exprs);
    mem_free(p->expr_refs);
    mem_free(p->aws);
    mem_free(p->stmts);
    mem_free(p->block_items);
    mem_free(p->handlers);
    mem_free(p->objects);
    mem_free(p->coros);
    mem_free(p->local_names);
    mem_free(p);
}

uint32_t prog_str(Program *p, const char *s, size_t len)
{
    if (!p->ok)
        return PROG_NONE;
    if (p->strbuf_len + len + 1 > p->strbuf_cap) {
        size_t ncap = p->strbuf_cap ? p->strbuf_cap * 2 : 1024;
        while (ncap < p->strbuf_len + len + 1)
            ncap *= 2;
        char *nb = mem_realloc(p->strbuf, ncap);
        if (!nb) {
            p->ok = false;
            return PROG_NONE;
        }
        p->strbuf = nb;
        p->strbuf_cap = ncap;
    }
    if (!grow(p, (void **)&p->str_off, &p->str_cap, p->nstr + 1, sizeof *p->str_off))
        return PROG_NONE;
    memcpy(p->strbuf + p->strbuf_len, s, len);
    p->strbuf[p->strbuf_len + len] = '\0';
    p->str_off[p->nstr] = (uint32_t)p->strbuf_len;
    p->strbuf_len += len + 1;
    return p->nstr++;
}

uint32_t prog_cstr(Program *p, const char *s)
{
    return prog_str(p, s, strlen(s));
}

uint32_t prog_add_expr(Program *p, Expr e) { ADD(p, exprs, nexprs, exprs_cap, e); }
uint32_t prog_add_expr_ref(Program *p, uint32_t e) { ADD(p, expr_refs, nexpr_refs, expr_refs_cap, e); }
uint32_t prog_add_aw(Program *p, Awaitable a) { ADD(p, aws, naws, aws_cap, a); }
uint32_t prog_add_stmt(Program *p, Stmt s) { ADD(p, stmts, nstmts, stmts_cap, s); }
uint32_t prog_add_block_item(Program *p, uint32_t s) { ADD(p, block_items, nblock_items, block_items_cap, s); }
uint32_t prog_add_handler(Program *p, Handler h) { ADD(p, handlers, nhandlers, handlers_cap, h); }
uint32_t prog_add_object(Program *p, Object o) { ADD(p, objects, nobjects, objects_cap, o); }
uint32_t prog_add_coro(Program *p, Coro c) { ADD(p, coros, ncoros, coros_cap, c); }
uint32_t prog_add_local_name(Program *p, uint32_t s) { ADD(p, local_names, nlocal_names, local_names_cap, s); }

const char *prog_s(const Program *p, uint32_t id)
{
    if (id == PROG_NONE || id >= p->nstr)
        return "";
    return p->strbuf + p->str_off[id];
}

uint32_t prog_find_coro(const Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->ncoros; i++)
        if (strcmp(prog_s(p, p->coros[i].name), name) == 0)
            return i;
    return PROG_NONE;
}

uint32_t prog_find_object(const Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->nobjects; i++)
        if (strcmp(prog_s(p, p->objects[i].name), name) == 0)
            return i;
    return PROG_NONE;
}

const char *prog_local_name(const Program *p, uint32_t coro, uint32_t slot)
{
    if (coro >= p->ncoros || slot >= p->coros[coro].nlocals)
        return "?";
    return prog_s(p, p->local_names[p->coros[coro].locals_first + slot]);
}

Stmt prog_stmt_blank(StmtKind kind)
{
    Stmt s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.coro_owner = PROG_NONE;
    s.text = PROG_NONE;
    s.coro = PROG_NONE;
    s.args_first = PROG_NONE;
    s.as_var = PROG_NONE;
    s.name = PROG_NONE;
    s.group = PROG_NONE;
    s.var = PROG_NONE;
    s.obj = PROG_NONE;
    s.expr = PROG_NONE;
    s.exc = EXC__NONE;
    s.aw_first = PROG_NONE;
    s.handlers_first = PROG_NONE;
    return s;
}
