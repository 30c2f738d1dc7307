/* build_expr.c -- the scenario checker's templates and expressions, and the
 * references and values statements take (coroutines, tasks, objects,
 * exception classes, durations, counts). See build_int.h and build.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_int.h"

/* ==== templates and expressions ========================================= */

static void err_in_string(Ctx *c, V v, size_t index, const char *fmt, const char *arg)
{
    uint32_t line, col;
    jsonloc__str_pos(c->k.jl, v.n, index, &line, &col);
    jc_err_at(&c->k, line, col, fmt, arg);
}

/* Checks the {name} references of template string v. */
static void check_template(Ctx *c, V v)
{
    const char *s = str(v);
    size_t i = 0;
    while (s[i]) {
        if (s[i] == '{' && s[i + 1] == '{') {
            i += 2;
        } else if (s[i] == '}' && s[i + 1] == '}') {
            i += 2;
        } else if (s[i] == '}') {
            err_in_string(c, v, i, "%s", "single '}' in the text (write '}}' for a literal brace)");
            i++;
        } else if (s[i] == '{') {
            size_t j = i + 1;
            while (s[j] && s[j] != '}' && s[j] != '{')
                j++;
            if (s[j] != '}') {
                err_in_string(c, v, i, "%s",
                              "'{' is not closed by '}' (write '{{' for a literal brace)");
                return;
            }
            size_t len = j - i - 1;
            sbuf__truncate(&c->tname, 0);
            sbuf__put(&c->tname, s + i + 1, len);
            const char *name = c->tname.s;
            if (c->tname.oom || !name) {
                c->k.oom = true;
                return;
            }
            if (len == 0) {
                err_in_string(c, v, i, "%s",
                              "expected a variable name inside '{}' (write '{{}}' for literal "
                              "braces)");
            } else if (names__check(name) == NAME_NOT_IDENT) {
                err_in_string(c, v, i,
                              "expected a variable name inside '{...}', got %s (only plain "
                              "names can be interpolated)",
                              jc_q(&c->k, name));
            } else if (bld_local_slot(c, name) == UINT32_MAX) {
                uint32_t line, col;
                jsonloc__str_pos(c->k.jl, v.n, i, &line, &col);
                bld_unknown_var(c, line, col, name);
            }
            i = j + 1;
        } else {
            i++;
        }
    }
}

/* A template string (print text, label, message, name, return value). */
uint32_t bld_template_str(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected a string, got %s", jc_got(&c->k, v));
        return PROG_NONE;
    }
    check_template(c, v);
    return prog_cstr(c->p, str(v));
}

/* The slot of the local named by string v, or PROG_NONE after an error:
 * "expected <expected>, got ..." when v is no string, or the unknown
 * variable message. */
static uint32_t local_named(Ctx *c, V v, const char *expected)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected %s, got %s", expected, jc_got(&c->k, v));
        return PROG_NONE;
    }
    uint32_t slot = bld_local_slot(c, str(v));
    if (slot == UINT32_MAX) {
        bld_unknown_var(c, nd(c, v)->line, nd(c, v)->col, str(v));
        return PROG_NONE;
    }
    return slot;
}

/* A variable read as a value ({"var": "x"}). */
static uint32_t use_var(Ctx *c, V v) { return local_named(c, v, "a variable name"); }


/* Appends the exprs of list `v` as contiguous refs; returns the first ref. */
static uint32_t lower_items(Ctx *c, V v, uint32_t *count)
{
    size_t base = c->scratch.n, i = 0;
    for (V e = first(c, v); has(e); e = next(c, e), i++) {
        size_t old = jc_path_index(&c->k, i);
        bld_push_u32(c, &c->scratch, bld_lower_expr(c, e));
        jc_path_pop(&c->k, old);
    }
    uint32_t firstref = PROG_NONE;
    for (size_t k = base; k < c->scratch.n; k++) {
        uint32_t r = prog_add_expr_ref(c->p, c->scratch.v[k]);
        if (k == base)
            firstref = r;
    }
    *count = (uint32_t)(c->scratch.n - base);
    c->scratch.n = base;
    return firstref;
}

uint32_t bld_lower_expr(Ctx *c, V v)
{
    Expr e;
    memset(&e, 0, sizeof e);
    e.str = e.var = e.first = PROG_NONE;
    switch (ty(c, v)) {
    case JL_NULL:
        e.kind = EXPR_NONE;
        break;
    case JL_TRUE:
    case JL_FALSE:
        e.kind = EXPR_BOOL;
        e.b = ty(c, v) == JL_TRUE;
        break;
    case JL_NUMBER: {
        double d;
        int64_t i;
        if (!jsonloc__number(c->k.jl, v.n, &d, &i))
            ERR(c, v, "integer %s does not fit in 64 bits (from -9223372036854775808 to "
                      "9223372036854775807)",
                jc_got(&c->k, v));
        e.kind = nd(c, v)->is_int ? EXPR_INT : EXPR_FLOAT;
        e.i = i;
        e.f = d;
        break;
    }
    case JL_STRING:
        e.kind = EXPR_STR;
        e.str = bld_template_str(c, v);
        break;
    case JL_ARRAY: {
        e.kind = EXPR_LIST;
        uint32_t id = prog_add_expr(c->p, e);
        e.first = lower_items(c, v, &e.count);
        if (id != PROG_NONE)
            c->p->exprs[id] = e;
        return id;
    }
    case JL_OBJECT: {
        V var = member(c, v, "var");
        if (!has(var)) {
            ERR(c, v,
                "expected a value (null, true, false, a number, a string, a list or "
                "{\"var\": name}), got an object");
            return PROG_NONE;
        }
        for (V m = first(c, v); has(m); m = next(c, m))
            if (strcmp(key(m), "var") != 0) {
                size_t old = jc_path_key(&c->k, key(m));
                ERR_KEY(c, m, "unknown key %s in {\"var\": name}", jc_q(&c->k, key(m)));
                jc_path_pop(&c->k, old);
            }
        size_t old = jc_path_key(&c->k, "var");
        e.kind = EXPR_VAR;
        e.var = use_var(c, var);
        jc_path_pop(&c->k, old);
        break;
    }
    }
    return prog_add_expr(c->p, e);
}

/* ==== references ======================================================== */

uint32_t bld_coro_ref(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of a coroutine, got %s", jc_got(&c->k, v));
        return PROG_NONE;
    }
    uint32_t k = names__get(&c->coros, str(v));
    if (k == UINT32_MAX) {
        const char *sug = bld_suggest(c, str(v), c->coro_names, c->nci);
        if (sug[0])
            ERR(c, v, "unknown coroutine %s%s", jc_q(&c->k, str(v)), sug);
        else
            ERR(c, v, "unknown coroutine %s; defined: %s", jc_q(&c->k, str(v)),
                bld_name_list(c, c->coro_names, c->nci));
        return PROG_NONE;
    }
    return k;
}

/* The argument list `args` (or NOV) of a call to coroutine `coro`; `at` is
 * where to report a wrong count when args is absent. */
void bld_lower_args(Ctx *c, V args, V at, uint32_t coro, uint32_t *first_ref, uint32_t *n)
{
    *first_ref = PROG_NONE;
    *n = 0;
    if (has(args)) {
        size_t old = jc_path_key(&c->k, "args");
        if (ty(c, args) != JL_ARRAY) {
            ERR(c, args, "expected a list of arguments, got %s%s%s", jc_got(&c->k, args),
                ty(c, args) == JL_OBJECT || ty(c, args) == JL_ARRAY ? "" : " (write [",
                ty(c, args) == JL_OBJECT || ty(c, args) == JL_ARRAY ? "" : "...])");
            jc_path_pop(&c->k, old);
            return;
        }
        *first_ref = lower_items(c, args, n);
        if (*n == 0)
            *first_ref = PROG_NONE;
        jc_path_pop(&c->k, old);
    }
    if (coro == PROG_NONE || !c->ci[coro].params_ok || *n == c->ci[coro].nparams)
        return;
    const CoroInfo *ci = &c->ci[coro];
    SBuf *b = &c->k.qb[c->k.qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__puts(b, "");
    if (ci->nparams) {
        /* at most 10 names: the first 9, "...", the last */
        sbuf__puts(b, " (");
        size_t i = 0;
        for (V pv = first(c, ci->params); has(pv); pv = next(c, pv), i++) {
            if (ci->nparams <= 10 || i < 9 || i + 1 == ci->nparams)
                sbuf__printf(b, "%s%s", i ? ", " : "", bld_disp(c, str(pv)));
            else if (i == 9)
                sbuf__puts(b, ", ...");
        }
        sbuf__puts(b, ")");
    }
    if (b->oom)
        c->k.oom = true;
    size_t old = has(args) ? jc_path_key(&c->k, "args") : c->k.path.n;
    V where = has(args) ? args : at;
    ERR(c, where, "%s() takes %u argument%s%s, got %u", bld_disp(c, ci->name), (unsigned)ci->nparams,
        bld_plural(ci->nparams), b->s ? b->s : "", (unsigned)*n);
    jc_path_pop(&c->k, old);
}

static const char *binding_phrase(uint32_t kind)
{
    switch (kind) {
    case B_CALL: return "holds the result of a call";
    case B_GET: return "holds an item taken from a queue";
    case B_SET_VAR: return "holds a value set by set_var";
    case B_REPEAT: return "is a repeat counter";
    case B_GATHER: return "holds the list of results of a gather";
    case B_CANCEL: return "holds the result of cancel() (True or False)";
    case B_EXCEPT: return "holds a caught exception";
    case B_GROUP: return "is a TaskGroup";
    }
    return "cannot hold a task";
}

/* A variable that must hold a task (await, cancel, gather/wait_for items). */
uint32_t bld_task_var(Ctx *c, V v, const char *verb)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of a task variable, got %s", jc_got(&c->k, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    uint32_t slot = bld_local_slot(c, name);
    if (slot == UINT32_MAX) {
        uint32_t o = names__get(&c->objs, name);
        if (o != UINT32_MAX)
            ERR(c, v, "%s is %s, not a task; %s needs a task created with create_task",
                jc_q(&c->k, name), bld_kind_name(c->oi[o].kind), verb);
        else if (names__get(&c->coros, name) != UINT32_MAX)
            ERR(c, v,
                "%s is a coroutine, not a task; %s needs a task created with create_task "
                "(to run a coroutine, use {\"call\": %s})",
                jc_q(&c->k, name), verb, jc_q(&c->k, name));
        else
            bld_unknown_var(c, nd(c, v)->line, nd(c, v)->col, name);
        return PROG_NONE;
    }
    if (!(c->li[slot].kinds & B_MAY_BE_TASK)) {
        ERR(c, v, "%s %s, not a task; %s needs a task created with create_task", jc_q(&c->k, name),
            binding_phrase(c->li[slot].first), verb);
        return PROG_NONE;
    }
    return slot;
}


/* The task_group named by create_task's "group": an enclosing one. */
uint32_t bld_group_ref(Ctx *c, V v)
{
    uint32_t slot = local_named(c, v, "the name of a task_group");
    if (slot == PROG_NONE)
        return PROG_NONE;
    for (size_t i = 0; i < c->groups.n; i++)
        if (c->groups.v[i] == slot)
            return slot;
    ERR(c, v,
        "%s is not an enclosing task_group; \"group\" must name a {\"task_group\": ...} whose "
        "body contains this create_task",
        jc_q(&c->k, str(v)));
    return PROG_NONE;
}

/* wait_for's timeout: seconds, or null (None). */
void bld_timeout_value(Ctx *c, V v, Stmt *s)
{
    if (ty(c, v) == JL_NULL)
        s->flag = true;
    else
        bld_duration(c, v, &s->ns, true);
}

void bld_bool_value(Ctx *c, V v, bool *out)
{
    if (ty(c, v) == JL_TRUE || ty(c, v) == JL_FALSE)
        *out = ty(c, v) == JL_TRUE;
    else
        ERR(c, v, "expected true or false, got %s", jc_got(&c->k, v));
}

/* A name being bound (as, repeat's as, except's as, task_group, set_var). */
uint32_t bld_bind_var(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected a variable name, got %s", jc_got(&c->k, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    if (!bld_check_name(c, name, nd(c, v)->line, nd(c, v)->col, "variable"))
        return PROG_NONE;
    if (names__get(&c->coros, name) != UINT32_MAX) {
        ERR(c, v, "variable %s has the same name as a coroutine; choose another name", jc_q(&c->k, name));
        return PROG_NONE;
    }
    if (names__get(&c->objs, name) != UINT32_MAX) {
        ERR(c, v, "variable %s has the same name as an object; choose another name", jc_q(&c->k, name));
        return PROG_NONE;
    }
    uint32_t slot = bld_local_slot(c, name);
    return slot == UINT32_MAX ? PROG_NONE : slot;
}

/* An object of one of the kinds in `mask` (bits 1 << ObjKind). */
uint32_t bld_obj_ref(Ctx *c, V v, const char *verb, unsigned mask, const char *need)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of an object, got %s", jc_got(&c->k, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    uint32_t k = names__get(&c->objs, name);
    if (k == UINT32_MAX) {
        if (bld_local_slot(c, name) != UINT32_MAX)
            ERR(c, v, "%s is a variable, not an object; %s needs %s declared under \"objects\"",
                jc_q(&c->k, name), verb, need);
        else if (c->noi == 0)
            ERR(c, v, "unknown object %s; no objects are declared (%s needs %s declared under "
                      "\"objects\")",
                jc_q(&c->k, name), verb, need);
        else {
            const char *sug = bld_suggest(c, name, c->obj_names, c->noi);
            if (sug[0])
                ERR(c, v, "unknown object %s%s", jc_q(&c->k, name), sug);
            else
                ERR(c, v, "unknown object %s; declared: %s", jc_q(&c->k, name),
                    bld_name_list(c, c->obj_names, c->noi));
        }
        return PROG_NONE;
    }
    int kind = c->oi[k].kind;
    if (kind >= 0 && !(mask & (1u << kind))) {
        ERR(c, v, "%s is %s; %s needs %s", jc_q(&c->k, name), bld_kind_name(kind), verb, need);
        return PROG_NONE;
    }
    return k;
}

static const char *const exc_names[] = {
#define EXC_NAME_ROW(id, name, parent) name,
    EXC_TABLE(EXC_NAME_ROW)
#undef EXC_NAME_ROW
};

ExcType bld_exc_class(Ctx *c, V v, bool raising)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected an exception class name like \"ValueError\", got %s", jc_got(&c->k, v));
        return EXC__NONE;
    }
    ExcType e = exc_find(str(v));
    if (e == EXC__NONE) {
        const char *sug = bld_suggest(c, str(v), exc_names, EXC__COUNT);
        if (sug[0])
            ERR(c, v, "unknown exception class %s%s", jc_q(&c->k, str(v)), sug);
        else
            ERR(c, v, "unknown exception class %s; known: %s", jc_q(&c->k, str(v)),
                bld_name_list_max(c, exc_names, EXC__COUNT, EXC__COUNT));
        return EXC__NONE;
    }
    if (raising && e != EXC_CANCELLED && (!exc_is(e, EXC_EXCEPTION) || e == EXC_EXC_GROUP)) {
        ERR(c, v, "%s cannot be raised by a scenario; raise an Exception subclass (like "
                  "ValueError) or CancelledError",
            str(v));
        return EXC__NONE;
    }
    return e;
}

/* A duration in seconds: finite, >= 0, <= 1e9; rounded to the nearest ns. */
bool bld_duration(Ctx *c, V v, VTime *ns, bool or_null)
{
    const char *what = or_null ? "a number of seconds >= 0 or null" : "a number of seconds >= 0";
    if (ty(c, v) != JL_NUMBER) {
        ERR(c, v, "expected %s, got %s", what, jc_got(&c->k, v));
        return false;
    }
    double d;
    int64_t i;
    jsonloc__number(c->k.jl, v.n, &d, &i);
    if (!(d >= 0)) {
        ERR(c, v, "expected %s, got %s", what, jc_got(&c->k, v));
        return false;
    }
    if (d > SCN_MAX_SECONDS) {
        ERR(c, v, "expected at most 1e9 seconds, got %s", jc_got(&c->k, v));
        return false;
    }
    *ns = (VTime)llround(d * 1e9);
    return true;
}

/* A whole number from 0 to SCN_MAX_COUNT (a JSON integer, no '.' or 'e');
 * `what` says what is expected, range included. Silent unless `report`. */
bool bld_count_value(Ctx *c, V v, int64_t *out, const char *what, bool report)
{
    double d;
    int64_t i = 0;
    bool fits = ty(c, v) == JL_NUMBER && jsonloc__number(c->k.jl, v.n, &d, &i);
    if (!fits || !nd(c, v)->is_int || i < 0 || i > SCN_MAX_COUNT) {
        if (report)
            ERR(c, v, "expected %s, got %s", what, jc_got(&c->k, v));
        return false;
    }
    *out = i;
    return true;
}
