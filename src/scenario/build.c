/* build.c -- checks a parsed scenario and lowers it into a Program.
 *
 * Input: the cJSON tree and the jsonloc node table of the same text (a `V`
 * cursor holds one of each and they move together). Output: a Program
 * built through core/program.h, plus one diagnostic per problem found.
 * The checker never stops at the first error: it reports every problem it
 * can, skipping only what depends on a part it could not understand (a
 * statement with no verb or two verbs, a malformed container).
 *
 * Passes, so that references may point forward in the file:
 *   1. collect (silent): coroutine names and parameter counts, object names
 *      and kinds, and the name of the main coroutine;
 *   2. the top-level members in document order; for each coroutine,
 *      2a. (silent) every variable it binds, in order of first appearance:
 *          params first, then each `as`, repeat's `as`, except's `as`,
 *          task_group's name and set_var's name; these become its local
 *          slots (Coro.locals_first/nlocals), so a use may precede the
 *          binding in the text, as Python's compiler allows;
 *      2b. every statement, checked and lowered in document order.
 *
 * Lowering keeps Program's contiguity rules: a block's statement ids, a
 * list's element refs and a try's handlers are collected on scratch stacks
 * and appended in one run once the nested ones are done. Statement and
 * expression ids are reserved before their children are built, so ids are
 * in document (pre-order) order.
 *
 * Static rules beyond types (the Python export must be a valid program):
 * names are identifiers, not keywords, not reserved, and a variable or
 * parameter must not shadow a coroutine or an object; call and create_task
 * argument counts match; objects are of the kind the verb needs; await,
 * cancel, gather and wait_for take variables that can hold a task (a
 * parameter or a name bound by create_task, await or wait_for); a
 * create_task `group` names an enclosing task_group of the same coroutine;
 * only Exception subclasses (not ExceptionGroup) and CancelledError can be
 * raised. Recursion is legal: the interpreter's limits catch it at run time.
 *
 * Recursion here follows the JSON nesting, which jsonloc.c caps at
 * SCN_MAX_DEPTH, so the C stack is bounded.
 *
 * Depends on: scn_int.h, program.h, exc.h, mem.h, cJSON.  Used by: scenario.c.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exc.h"
#include "mem.h"
#include "scn_int.h"

/* ==== cursors =========================================================== */

/* A value: the cJSON node and its jsonloc node. j == NULL means "absent". */
typedef struct V {
    const cJSON *j;
    uint32_t n;
} V;

static const V NOV = {NULL, JL_NONE};

/* How a variable got bound (a variable may have several). */
enum {
    B_PARAM = 1u << 0,
    B_TASK = 1u << 1,     /* create_task ... as */
    B_CALL = 1u << 2,     /* call ... as */
    B_AWAIT = 1u << 3,    /* await ... as */
    B_GATHER = 1u << 4,   /* gather ... as */
    B_WAIT_FOR = 1u << 5, /* wait_for ... as */
    B_GET = 1u << 6,      /* get ... as */
    B_CANCEL = 1u << 7,   /* cancel ... as */
    B_REPEAT = 1u << 8,   /* repeat ... as */
    B_EXCEPT = 1u << 9,   /* except ... as */
    B_GROUP = 1u << 10,   /* task_group name */
    B_SET_VAR = 1u << 11, /* set_var name */
    /* a variable bound only otherwise cannot hold a task */
    B_MAY_BE_TASK = B_PARAM | B_TASK | B_AWAIT | B_WAIT_FOR
};

typedef struct LocalInfo {
    const char *name;
    uint32_t kinds; /* B_* bits */
    uint32_t first; /* the B_* bit of its first binding */
} LocalInfo;

typedef struct CoroInfo {
    const char *name;
    bool params_ok;   /* params is absent or a list of strings */
    uint32_t nparams; /* number of items in params */
    V params;         /* the params list, or NOV */
} CoroInfo;

typedef struct ObjInfo {
    const char *name;
    int kind; /* ObjKind, or -1 when the declaration is malformed */
} ObjInfo;

typedef struct U32s {
    uint32_t *v;
    size_t n, cap;
} U32s;

typedef struct Ctx {
    const JsonLoc *jl;
    DiagCtx *dc;
    Program *p;
    bool oom;
    SBuf path;     /* JSON path of the value being checked */
    SBuf list;     /* scratch for "defined: a, b" lists */
    SBuf tname;    /* a name inside a template's {...} */
    SBuf qb[6];    /* rotating buffers for quoted values in messages */
    int qi;

    const char *main_name; /* NULL when "main" is not a string */
    bool have_coros;       /* "coroutines" is a non-empty object */

    NameMap coros;
    CoroInfo *ci;
    const char **coro_names;
    size_t nci, ci_cap, cn_cap;

    NameMap objs;
    ObjInfo *oi;
    const char **obj_names;
    size_t noi, oi_cap, on_cap;

    /* the coroutine being lowered */
    uint32_t coro;
    NameMap locals;
    LocalInfo *li;
    const char **lnames;
    size_t nli, li_cap, ln_cap;
    U32s groups; /* slots of the enclosing task_groups */
    int depth;   /* statement nesting */

    U32s scratch; /* block items and list refs under construction */
    Handler *hs;  /* handlers under construction */
    size_t nhs, hs_cap;
} Ctx;

static const JlNode *nd(const Ctx *c, V v) { return &c->jl->nodes[v.n]; }
static JlType ty(const Ctx *c, V v) { return (JlType)nd(c, v)->type; }
static bool has(V v) { return v.j != NULL; }
static const char *key(V v) { return v.j->string ? v.j->string : ""; }
static const char *str(V v) { return v.j->valuestring ? v.j->valuestring : ""; }

static V first(const Ctx *c, V v)
{
    V r = {v.j->child, nd(c, v)->first};
    return r.j ? r : NOV;
}

static V next(const Ctx *c, V v)
{
    V r = {v.j->next, nd(c, v)->next};
    return r.j ? r : NOV;
}

/* The first member of object `o` named `k`, or NOV. */
static V member(const Ctx *c, V o, const char *k)
{
    for (V m = first(c, o); has(m); m = next(c, m))
        if (strcmp(key(m), k) == 0)
            return m;
    return NOV;
}

static bool grow(Ctx *c, void **buf, size_t *cap, size_t need, size_t elem)
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

static void push_u32(Ctx *c, U32s *s, uint32_t v)
{
    if (grow(c, (void **)&s->v, &s->cap, s->n + 1, sizeof *s->v))
        s->v[s->n++] = v;
}

/* ==== paths and messages ================================================ */

static size_t path_key(Ctx *c, const char *k)
{
    size_t old = c->path.n;
    sbuf__path_key(&c->path, k, strlen(k));
    return old;
}

static size_t path_index(Ctx *c, size_t i)
{
    size_t old = c->path.n;
    sbuf__printf(&c->path, "[%zu]", i);
    return old;
}

static void path_pop(Ctx *c, size_t old) { sbuf__truncate(&c->path, old); }

static void err_at(Ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void err_at(Ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag__vadd(c->dc, line, col, c->path.s, fmt, ap);
    va_end(ap);
}

#define ERR(c, v, ...) err_at((c), nd((c), (v))->line, nd((c), (v))->col, __VA_ARGS__)
#define ERR_KEY(c, v, ...) err_at((c), nd((c), (v))->key_line, nd((c), (v))->key_col, __VA_ARGS__)

/* `s` quoted for a message (valid until five more calls). */
static const char *q(Ctx *c, const char *s)
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
static const char *got(Ctx *c, V v)
{
    switch (ty(c, v)) {
    case JL_NULL: return "null";
    case JL_TRUE: return "true";
    case JL_FALSE: return "false";
    case JL_ARRAY: return "a list";
    case JL_OBJECT: return "an object";
    case JL_STRING: return q(c, str(v));
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
static const char *disp(Ctx *c, const char *s) { return plain_name(s) ? s : q(c, s); }

/* "a, b, c" (at most `max` names, then "..."), into c->list. */
static const char *name_list_max(Ctx *c, const char *const *names, size_t n, size_t max)
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

static const char *name_list(Ctx *c, const char *const *names, size_t n)
{
    return name_list_max(c, names, n, 10);
}

/* ", did you mean \"x\"?" style suffix, or "" (in a rotating buffer). */
static const char *suggest(Ctx *c, const char *s, const char *const *cands, size_t n)
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

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

/* ==== names ============================================================= */

/* Checks that `name` is usable as a `what` name; reports at line:col. */
static bool check_name(Ctx *c, const char *name, uint32_t line, uint32_t col, const char *what)
{
    switch (names__check(name)) {
    case NAME_OK:
        return true;
    case NAME_NOT_IDENT:
        err_at(c, line, col,
               "%s is not a valid %s name; use letters, digits and _ (not starting with a digit)",
               q(c, name), what);
        return false;
    case NAME_KEYWORD:
        err_at(c, line, col, "%s is a Python keyword; choose another %s name", q(c, name), what);
        return false;
    case NAME_RESERVED:
        err_at(c, line, col, "%s is reserved (the Python export uses it); choose another %s name",
               q(c, name), what);
        return false;
    }
    return false;
}

static uint32_t local_slot(const Ctx *c, const char *name)
{
    return names__get(&c->locals, name);
}

static uint32_t add_local(Ctx *c, const char *name, uint32_t kind)
{
    if (!grow(c, (void **)&c->li, &c->li_cap, c->nli + 1, sizeof *c->li) ||
        !grow(c, (void **)&c->lnames, &c->ln_cap, c->nli + 1, sizeof *c->lnames))
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

static const char *kind_name(int k)
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
static void unknown_var(Ctx *c, uint32_t line, uint32_t col, const char *name)
{
    if (diag__full(c->dc)) {
        err_at(c, line, col, "unknown variable");
        return;
    }
    const char *coro = c->ci[c->coro].name;
    uint32_t o = names__get(&c->objs, name);
    if (o != UINT32_MAX) {
        err_at(c, line, col,
               "%s is an object (%s), not a variable of coroutine %s; only variables can be "
               "used here",
               q(c, name), kind_name(c->oi[o].kind), q(c, coro));
        return;
    }
    if (names__get(&c->coros, name) != UINT32_MAX) {
        err_at(c, line, col, "%s is a coroutine, not a variable of coroutine %s", q(c, name),
               q(c, coro));
        return;
    }
    const char *sug = suggest(c, name, c->lnames, c->nli);
    if (sug[0])
        err_at(c, line, col, "unknown variable %s in coroutine %s%s", q(c, name), q(c, coro), sug);
    else if (c->nli == 0)
        err_at(c, line, col, "unknown variable %s in coroutine %s, which has no variables",
               q(c, name), q(c, coro));
    else
        err_at(c, line, col, "unknown variable %s in coroutine %s; known: %s", q(c, name),
               q(c, coro), name_list(c, c->lnames, c->nli));
}

/* ==== templates and expressions ========================================= */

static void err_in_string(Ctx *c, V v, size_t index, const char *fmt, const char *arg)
{
    uint32_t line, col;
    jsonloc__str_pos(c->jl, v.n, index, &line, &col);
    err_at(c, line, col, fmt, arg);
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
                c->oom = true;
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
                              q(c, name));
            } else if (local_slot(c, name) == UINT32_MAX) {
                uint32_t line, col;
                jsonloc__str_pos(c->jl, v.n, i, &line, &col);
                unknown_var(c, line, col, name);
            }
            i = j + 1;
        } else {
            i++;
        }
    }
}

/* A template string (print text, label, message, name, return value). */
static uint32_t template_str(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected a string, got %s", got(c, v));
        return PROG_NONE;
    }
    check_template(c, v);
    return prog_cstr(c->p, str(v));
}

/* A variable read as a value ({"var": "x"}). */
static uint32_t use_var(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected a variable name, got %s", got(c, v));
        return PROG_NONE;
    }
    uint32_t slot = local_slot(c, str(v));
    if (slot == UINT32_MAX) {
        unknown_var(c, nd(c, v)->line, nd(c, v)->col, str(v));
        return PROG_NONE;
    }
    return slot;
}

static uint32_t lower_expr(Ctx *c, V v);

/* Appends the exprs of list `v` as contiguous refs; returns the first ref. */
static uint32_t lower_items(Ctx *c, V v, uint32_t *count)
{
    size_t base = c->scratch.n, i = 0;
    for (V e = first(c, v); has(e); e = next(c, e), i++) {
        size_t old = path_index(c, i);
        push_u32(c, &c->scratch, lower_expr(c, e));
        path_pop(c, old);
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

static uint32_t lower_expr(Ctx *c, V v)
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
        if (!jsonloc__number(c->jl, v.n, &d, &i))
            ERR(c, v, "integer %s does not fit in 64 bits (from -9223372036854775808 to "
                      "9223372036854775807)",
                got(c, v));
        e.kind = nd(c, v)->is_int ? EXPR_INT : EXPR_FLOAT;
        e.i = i;
        e.f = d;
        break;
    }
    case JL_STRING:
        e.kind = EXPR_STR;
        e.str = template_str(c, v);
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
                size_t old = path_key(c, key(m));
                ERR_KEY(c, m, "unknown key %s in {\"var\": name}", q(c, key(m)));
                path_pop(c, old);
            }
        size_t old = path_key(c, "var");
        e.kind = EXPR_VAR;
        e.var = use_var(c, var);
        path_pop(c, old);
        break;
    }
    }
    return prog_add_expr(c->p, e);
}

/* ==== references ======================================================== */

static uint32_t coro_ref(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of a coroutine, got %s", got(c, v));
        return PROG_NONE;
    }
    uint32_t k = names__get(&c->coros, str(v));
    if (k == UINT32_MAX) {
        const char *sug = suggest(c, str(v), c->coro_names, c->nci);
        if (sug[0])
            ERR(c, v, "unknown coroutine %s%s", q(c, str(v)), sug);
        else
            ERR(c, v, "unknown coroutine %s; defined: %s", q(c, str(v)),
                name_list(c, c->coro_names, c->nci));
        return PROG_NONE;
    }
    return k;
}

/* The argument list `args` (or NOV) of a call to coroutine `coro`; `at` is
 * where to report a wrong count when args is absent. */
static void lower_args(Ctx *c, V args, V at, uint32_t coro, uint32_t *first_ref, uint32_t *n)
{
    *first_ref = PROG_NONE;
    *n = 0;
    if (has(args)) {
        size_t old = path_key(c, "args");
        if (ty(c, args) != JL_ARRAY) {
            ERR(c, args, "expected a list of arguments, got %s%s%s", got(c, args),
                ty(c, args) == JL_OBJECT || ty(c, args) == JL_ARRAY ? "" : " (write [",
                ty(c, args) == JL_OBJECT || ty(c, args) == JL_ARRAY ? "" : "...])");
            path_pop(c, old);
            return;
        }
        *first_ref = lower_items(c, args, n);
        if (*n == 0)
            *first_ref = PROG_NONE;
        path_pop(c, old);
    }
    if (coro == PROG_NONE || !c->ci[coro].params_ok || *n == c->ci[coro].nparams)
        return;
    const CoroInfo *ci = &c->ci[coro];
    SBuf *b = &c->qb[c->qi++ % 6];
    sbuf__truncate(b, 0);
    sbuf__puts(b, "");
    if (ci->nparams) {
        /* at most 10 names: the first 9, "...", the last */
        sbuf__puts(b, " (");
        size_t i = 0;
        for (V pv = first(c, ci->params); has(pv); pv = next(c, pv), i++) {
            if (ci->nparams <= 10 || i < 9 || i + 1 == ci->nparams)
                sbuf__printf(b, "%s%s", i ? ", " : "", disp(c, str(pv)));
            else if (i == 9)
                sbuf__puts(b, ", ...");
        }
        sbuf__puts(b, ")");
    }
    if (b->oom)
        c->oom = true;
    size_t old = has(args) ? path_key(c, "args") : c->path.n;
    V where = has(args) ? args : at;
    ERR(c, where, "%s() takes %u argument%s%s, got %u", disp(c, ci->name), (unsigned)ci->nparams,
        plural(ci->nparams), b->s ? b->s : "", (unsigned)*n);
    path_pop(c, old);
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
static uint32_t task_var(Ctx *c, V v, const char *verb)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of a task variable, got %s", got(c, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    uint32_t slot = local_slot(c, name);
    if (slot == UINT32_MAX) {
        uint32_t o = names__get(&c->objs, name);
        if (o != UINT32_MAX)
            ERR(c, v, "%s is %s, not a task; %s needs a task created with create_task",
                q(c, name), kind_name(c->oi[o].kind), verb);
        else if (names__get(&c->coros, name) != UINT32_MAX)
            ERR(c, v,
                "%s is a coroutine, not a task; %s needs a task created with create_task "
                "(to run a coroutine, use {\"call\": %s})",
                q(c, name), verb, q(c, name));
        else
            unknown_var(c, nd(c, v)->line, nd(c, v)->col, name);
        return PROG_NONE;
    }
    if (!(c->li[slot].kinds & B_MAY_BE_TASK)) {
        ERR(c, v, "%s %s, not a task; %s needs a task created with create_task", q(c, name),
            binding_phrase(c->li[slot].first), verb);
        return PROG_NONE;
    }
    return slot;
}

static bool duration(Ctx *c, V v, VTime *ns, bool or_null);

/* The task_group named by create_task's "group": an enclosing one. */
static uint32_t group_ref(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of a task_group, got %s", got(c, v));
        return PROG_NONE;
    }
    uint32_t slot = local_slot(c, str(v));
    if (slot == UINT32_MAX) {
        unknown_var(c, nd(c, v)->line, nd(c, v)->col, str(v));
        return PROG_NONE;
    }
    for (size_t i = 0; i < c->groups.n; i++)
        if (c->groups.v[i] == slot)
            return slot;
    ERR(c, v,
        "%s is not an enclosing task_group; \"group\" must name a {\"task_group\": ...} whose "
        "body contains this create_task",
        q(c, str(v)));
    return PROG_NONE;
}

/* wait_for's timeout: seconds, or null (None). */
static void timeout_value(Ctx *c, V v, Stmt *s)
{
    if (ty(c, v) == JL_NULL)
        s->flag = true;
    else
        duration(c, v, &s->ns, true);
}

static void bool_value(Ctx *c, V v, bool *out)
{
    if (ty(c, v) == JL_TRUE || ty(c, v) == JL_FALSE)
        *out = ty(c, v) == JL_TRUE;
    else
        ERR(c, v, "expected true or false, got %s", got(c, v));
}

/* A name being bound (as, repeat's as, except's as, task_group, set_var). */
static uint32_t bind_var(Ctx *c, V v)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected a variable name, got %s", got(c, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    if (!check_name(c, name, nd(c, v)->line, nd(c, v)->col, "variable"))
        return PROG_NONE;
    if (names__get(&c->coros, name) != UINT32_MAX) {
        ERR(c, v, "variable %s has the same name as a coroutine; choose another name", q(c, name));
        return PROG_NONE;
    }
    if (names__get(&c->objs, name) != UINT32_MAX) {
        ERR(c, v, "variable %s has the same name as an object; choose another name", q(c, name));
        return PROG_NONE;
    }
    uint32_t slot = local_slot(c, name);
    return slot == UINT32_MAX ? PROG_NONE : slot;
}

/* An object of one of the kinds in `mask` (bits 1 << ObjKind). */
static uint32_t obj_ref(Ctx *c, V v, const char *verb, unsigned mask, const char *need)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected the name of an object, got %s", got(c, v));
        return PROG_NONE;
    }
    const char *name = str(v);
    uint32_t k = names__get(&c->objs, name);
    if (k == UINT32_MAX) {
        if (local_slot(c, name) != UINT32_MAX)
            ERR(c, v, "%s is a variable, not an object; %s needs %s declared under \"objects\"",
                q(c, name), verb, need);
        else if (c->noi == 0)
            ERR(c, v, "unknown object %s; no objects are declared (%s needs %s declared under "
                      "\"objects\")",
                q(c, name), verb, need);
        else {
            const char *sug = suggest(c, name, c->obj_names, c->noi);
            if (sug[0])
                ERR(c, v, "unknown object %s%s", q(c, name), sug);
            else
                ERR(c, v, "unknown object %s; declared: %s", q(c, name),
                    name_list(c, c->obj_names, c->noi));
        }
        return PROG_NONE;
    }
    int kind = c->oi[k].kind;
    if (kind >= 0 && !(mask & (1u << kind))) {
        ERR(c, v, "%s is %s; %s needs %s", q(c, name), kind_name(kind), verb, need);
        return PROG_NONE;
    }
    return k;
}

static const char *const exc_names[] = {
#define EXC_NAME_ROW(id, name, parent) name,
    EXC_TABLE(EXC_NAME_ROW)
#undef EXC_NAME_ROW
};

static ExcType exc_class(Ctx *c, V v, bool raising)
{
    if (ty(c, v) != JL_STRING) {
        ERR(c, v, "expected an exception class name like \"ValueError\", got %s", got(c, v));
        return EXC__NONE;
    }
    ExcType e = exc_find(str(v));
    if (e == EXC__NONE) {
        const char *sug = suggest(c, str(v), exc_names, EXC__COUNT);
        if (sug[0])
            ERR(c, v, "unknown exception class %s%s", q(c, str(v)), sug);
        else
            ERR(c, v, "unknown exception class %s; known: %s", q(c, str(v)),
                name_list_max(c, exc_names, EXC__COUNT, EXC__COUNT));
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
static bool duration(Ctx *c, V v, VTime *ns, bool or_null)
{
    const char *what = or_null ? "a number of seconds >= 0 or null" : "a number of seconds >= 0";
    if (ty(c, v) != JL_NUMBER) {
        ERR(c, v, "expected %s, got %s", what, got(c, v));
        return false;
    }
    double d;
    int64_t i;
    jsonloc__number(c->jl, v.n, &d, &i);
    if (!(d >= 0)) {
        ERR(c, v, "expected %s, got %s", what, got(c, v));
        return false;
    }
    if (d > SCN_MAX_SECONDS) {
        ERR(c, v, "expected at most 1e9 seconds, got %s", got(c, v));
        return false;
    }
    *ns = (VTime)llround(d * 1e9);
    return true;
}

/* A whole number from 0 to SCN_MAX_COUNT (a JSON integer, no '.' or 'e');
 * `what` says what is expected, range included. Silent unless `report`. */
static bool count_value(Ctx *c, V v, int64_t *out, const char *what, bool report)
{
    double d;
    int64_t i = 0;
    bool fits = ty(c, v) == JL_NUMBER && jsonloc__number(c->jl, v.n, &d, &i);
    if (!fits || !nd(c, v)->is_int || i < 0 || i > SCN_MAX_COUNT) {
        if (report)
            ERR(c, v, "expected %s, got %s", what, got(c, v));
        return false;
    }
    *out = i;
    return true;
}

/* ==== statements ======================================================== */

static Block lower_block(Ctx *c, V v);

/* Runs `body` with `var` bound to the statement's option `k` (when present)
 * and the path pointing at it. `body` must not break or return. */
#define WITH_OPT(c, stmt, k, var, body)                                                     \
    do {                                                                                    \
        V var = member((c), (stmt), (k));                                                   \
        if (has(var)) {                                                                     \
            size_t old_ = path_key((c), (k));                                               \
            body;                                                                           \
            path_pop((c), old_);                                                            \
        }                                                                                   \
    } while (0)

static void missing(Ctx *c, V stmt, const char *verb, const char *opt, const char *what)
{
    ERR(c, stmt, "%s needs \"%s\" (%s)", verb, opt, what);
}

static uint32_t lower_aw(Ctx *c, V v, const char *verb)
{
    Awaitable a;
    memset(&a, 0, sizeof a);
    a.var = a.coro = a.args_first = PROG_NONE;
    a.line = nd(c, v)->line;
    a.col = nd(c, v)->col;
    if (ty(c, v) == JL_STRING) {
        a.kind = AW_TASK;
        a.var = task_var(c, v, verb);
        return prog_add_aw(c->p, a);
    }
    V call = ty(c, v) == JL_OBJECT ? member(c, v, "call") : NOV;
    V sl = ty(c, v) == JL_OBJECT ? member(c, v, "sleep") : NOV;
    if (!has(call) && !has(sl)) {
        ERR(c, v,
            "expected a task variable, {\"call\": name, \"args\": [...]} or {\"sleep\": "
            "seconds}, got %s",
            got(c, v));
        return PROG_NONE;
    }
    if (has(call) && has(sl)) {
        V later = nd(c, call)->off > nd(c, sl)->off ? call : sl;
        size_t old = path_key(c, key(later));
        ERR_KEY(c, later, "an awaitable has both \"call\" and \"sleep\"; use one");
        path_pop(c, old);
        return PROG_NONE;
    }
    for (V m = first(c, v); has(m); m = next(c, m)) {
        const char *k = key(m);
        bool ok = has(call) ? (strcmp(k, "call") == 0 || strcmp(k, "args") == 0)
                            : strcmp(k, "sleep") == 0;
        if (!ok) {
            size_t old = path_key(c, k);
            if (has(call))
                ERR_KEY(c, m, "unknown key %s in a call inside %s; allowed: call, args", q(c, k),
                        verb);
            else
                ERR_KEY(c, m, "unknown key %s in a sleep inside %s; allowed: sleep", q(c, k),
                        verb);
            path_pop(c, old);
        }
    }
    if (has(call)) {
        a.kind = AW_CALL;
        size_t old = path_key(c, "call");
        a.coro = coro_ref(c, call);
        path_pop(c, old);
        lower_args(c, member(c, v, "args"), call, a.coro, &a.args_first, &a.nargs);
    } else {
        a.kind = AW_SLEEP;
        size_t old = path_key(c, "sleep");
        duration(c, sl, &a.ns, false);
        path_pop(c, old);
    }
    return prog_add_aw(c->p, a);
}

static void lower_try(Ctx *c, V stmt, V verb, Stmt *s)
{
    size_t old = path_key(c, "try");
    s->body = lower_block(c, verb);
    path_pop(c, old);
    V ex = member(c, stmt, "except"), fin = member(c, stmt, "finally");
    if (!has(ex) && !has(fin))
        ERR(c, stmt, "try needs \"except\" or \"finally\" (or both)");
    if (has(ex)) {
        old = path_key(c, "except");
        if (ty(c, ex) != JL_ARRAY) {
            ERR(c, ex,
                "expected a list of except clauses like [{\"error\": \"ValueError\", \"body\": "
                "[...]}], got %s",
                got(c, ex));
        } else if (nd(c, ex)->count == 0 && !has(fin)) {
            ERR(c, ex, "expected at least one except clause (or a \"finally\")");
        }
        size_t base = c->nhs, i = 0;
        for (V hv = ty(c, ex) == JL_ARRAY ? first(c, ex) : NOV; has(hv); hv = next(c, hv), i++) {
            size_t old2 = path_index(c, i);
            if (ty(c, hv) != JL_OBJECT) {
                ERR(c, hv,
                    "expected an except clause like {\"error\": \"ValueError\", \"body\": "
                    "[...]}, got %s",
                    got(c, hv));
                path_pop(c, old2);
                continue;
            }
            Handler h;
            memset(&h, 0, sizeof h);
            h.exc = EXC__NONE;
            h.as_var = PROG_NONE;
            h.line = nd(c, hv)->line;
            h.col = nd(c, hv)->col;
            for (V m = first(c, hv); has(m); m = next(c, m)) {
                const char *k = key(m);
                if (strcmp(k, "error") && strcmp(k, "as") && strcmp(k, "body")) {
                    static const char *const allowed[] = {"error", "as", "body"};
                    size_t old3 = path_key(c, k);
                    const char *sug = suggest(c, k, allowed, 3);
                    if (sug[0])
                        ERR_KEY(c, m, "unknown key %s in an except clause%s", q(c, k), sug);
                    else
                        ERR_KEY(c, m, "unknown key %s in an except clause; allowed: error, as, "
                                      "body",
                                q(c, k));
                    path_pop(c, old3);
                }
            }
            V err = member(c, hv, "error"), body = member(c, hv, "body");
            if (!has(err))
                ERR(c, hv, "an except clause needs \"error\" (the exception class to catch, "
                           "like \"ValueError\")");
            if (!has(body))
                ERR(c, hv, "an except clause needs \"body\" (the statements to run)");
            WITH_OPT(c, hv, "error", e, h.exc = exc_class(c, e, false));
            WITH_OPT(c, hv, "as", a, h.as_var = bind_var(c, a));
            WITH_OPT(c, hv, "body", b, h.body = lower_block(c, b));
            if (grow(c, (void **)&c->hs, &c->hs_cap, c->nhs + 1, sizeof *c->hs))
                c->hs[c->nhs++] = h;
            path_pop(c, old2);
        }
        for (size_t k = base; k < c->nhs; k++) {
            uint32_t id = prog_add_handler(c->p, c->hs[k]);
            if (k == base)
                s->handlers_first = id;
        }
        s->handlers_count = (uint32_t)(c->nhs - base);
        c->nhs = base;
        path_pop(c, old);
    }
    if (has(fin)) {
        old = path_key(c, "finally");
        s->has_finally = true;
        s->fin = lower_block(c, fin);
        path_pop(c, old);
    }
}

/* Checks the verb's value and options and fills s. */
static void lower_verb(Ctx *c, const VerbInfo *vi, V stmt, V verb, Stmt *s)
{
    const unsigned EVENT = 1u << OBJ_EVENT, QUEUE = 1u << OBJ_QUEUE;
    const unsigned LOCKS = (1u << OBJ_LOCK) | (1u << OBJ_SEMAPHORE);
    const char *vn = vi->name;
    size_t old = path_key(c, vn);
    switch (vi->kind) {
    case STMT_PRINT:
        s->text = template_str(c, verb);
        break;
    case STMT_SLEEP:
    case STMT_BLOCK:
        duration(c, verb, &s->ns, false);
        break;
    case STMT_IO:
        duration(c, verb, &s->ns, false);
        path_pop(c, old);
        WITH_OPT(c, stmt, "label", v, s->text = template_str(c, v));
        return;
    case STMT_CALL:
    case STMT_CREATE_TASK:
        s->coro = coro_ref(c, verb);
        path_pop(c, old);
        lower_args(c, member(c, stmt, "args"), verb, s->coro, &s->args_first, &s->nargs);
        WITH_OPT(c, stmt, "as", v, s->as_var = bind_var(c, v));
        if (vi->kind == STMT_CALL)
            return;
        WITH_OPT(c, stmt, "name", v, s->name = template_str(c, v));
        WITH_OPT(c, stmt, "group", v, s->group = group_ref(c, v));
        return;
    case STMT_AWAIT:
    case STMT_CANCEL:
        s->var = task_var(c, verb, vn);
        break;
    case STMT_GATHER: {
        if (ty(c, verb) != JL_ARRAY) {
            ERR(c, verb,
                "expected a list of awaitables (task variables, {\"call\": ...} or {\"sleep\": "
                "seconds}), got %s",
                got(c, verb));
            break;
        }
        size_t i = 0;
        uint32_t n = 0;
        for (V a = first(c, verb); has(a); a = next(c, a), i++) {
            size_t o2 = path_index(c, i);
            uint32_t id = lower_aw(c, a, vn);
            if (id != PROG_NONE && n++ == 0)
                s->aw_first = id;
            path_pop(c, o2);
        }
        s->aw_count = n;
        break;
    }
    case STMT_WAIT_FOR:
        s->aw_first = lower_aw(c, verb, vn);
        s->aw_count = 1;
        path_pop(c, old);
        if (!has(member(c, stmt, "timeout")))
            missing(c, stmt, vn, "timeout", "a number of seconds, or null for no timeout");
        WITH_OPT(c, stmt, "timeout", v, timeout_value(c, v, s));
        WITH_OPT(c, stmt, "as", v, s->as_var = bind_var(c, v));
        return;
    case STMT_RETURN:
        s->expr = lower_expr(c, verb);
        break;
    case STMT_RAISE:
        s->exc = exc_class(c, verb, true);
        path_pop(c, old);
        WITH_OPT(c, stmt, "message", v, s->text = template_str(c, v));
        return;
    case STMT_TRY:
        path_pop(c, old);
        lower_try(c, stmt, verb, s);
        return;
    case STMT_WAIT:
    case STMT_SET:
    case STMT_CLEAR:
        s->obj = obj_ref(c, verb, vn, EVENT, "an Event");
        break;
    case STMT_WITH:
        s->obj = obj_ref(c, verb, vn, LOCKS, "a Lock or a Semaphore");
        break;
    case STMT_PUT:
    case STMT_GET:
    case STMT_TASK_DONE:
    case STMT_JOIN:
        s->obj = obj_ref(c, verb, vn, QUEUE, "a Queue");
        break;
    case STMT_REPEAT:
        count_value(c, verb, &s->count, "a repeat count (a whole number from 0 to 1000000000)",
                    true);
        break;
    case STMT_TASK_GROUP:
    case STMT_ASSIGN:
        s->var = bind_var(c, verb);
        if (vi->kind == STMT_ASSIGN) {
            s->as_var = s->var;
            s->var = PROG_NONE;
        }
        break;
    case STMT__COUNT:
        break;
    }
    path_pop(c, old);

    /* options shared by several verbs, in a fixed order */
    switch (vi->kind) {
    case STMT_AWAIT:
    case STMT_GATHER:
    case STMT_CANCEL:
    case STMT_GET:
        WITH_OPT(c, stmt, "as", v, s->as_var = bind_var(c, v));
        if (vi->kind == STMT_GATHER)
            WITH_OPT(c, stmt, "return_exceptions", v, bool_value(c, v, &s->flag));
        break;
    case STMT_PUT:
    case STMT_ASSIGN:
        if (!has(member(c, stmt, "value")))
            missing(c, stmt, vn, "value", "the value to store");
        WITH_OPT(c, stmt, "value", v, s->expr = lower_expr(c, v));
        break;
    case STMT_REPEAT:
        WITH_OPT(c, stmt, "as", v, s->as_var = bind_var(c, v));
        /* fall through */
    case STMT_WITH:
    case STMT_TASK_GROUP:
        if (!has(member(c, stmt, "body")))
            missing(c, stmt, vn, "body", "the list of statements inside it");
        if (vi->kind == STMT_TASK_GROUP && s->var != PROG_NONE)
            push_u32(c, &c->groups, s->var);
        WITH_OPT(c, stmt, "body", v, s->body = lower_block(c, v));
        if (vi->kind == STMT_TASK_GROUP && s->var != PROG_NONE && c->groups.n)
            c->groups.n--;
        break;
    default:
        break;
    }
}

static const char *verb_list(Ctx *c)
{
    size_t n;
    const VerbInfo *v = schema__verbs(&n);
    sbuf__truncate(&c->list, 0);
    for (size_t i = 0; i < n; i++)
        sbuf__printf(&c->list, "%s%s", i ? ", " : "", v[i].name);
    if (c->list.oom) {
        c->oom = true;
        return "";
    }
    return c->list.s;
}

static uint32_t lower_stmt(Ctx *c, V sv)
{
    if (ty(c, sv) != JL_OBJECT) {
        ERR(c, sv, "expected a statement (an object like {\"print\": \"...\"}), got %s",
            got(c, sv));
        return PROG_NONE;
    }
    if (c->depth >= SCN_MAX_STMT_DEPTH) {
        ERR(c, sv, "statements are nested too deeply (more than %d levels)", SCN_MAX_STMT_DEPTH);
        return PROG_NONE;
    }
    const VerbInfo *vi = NULL;
    V verb = NOV, stray = NOV;
    for (V m = first(c, sv); has(m); m = next(c, m)) {
        const VerbInfo *x = schema__verb(key(m));
        if (x && !vi) {
            vi = x;
            verb = m;
        } else if (x) {
            size_t old = path_key(c, key(m));
            ERR_KEY(c, m, "statement has two verbs: %s and %s", q(c, vi->name), q(c, x->name));
            path_pop(c, old);
            return PROG_NONE;
        } else if (!has(stray) && !schema__is_option(key(m))) {
            stray = m;
        }
    }
    if (!vi) {
        if (has(stray)) {
            size_t n;
            const VerbInfo *all = schema__verbs(&n);
            const char *names[32];
            for (size_t i = 0; i < n && i < 32; i++)
                names[i] = all[i].name;
            const char *sug = suggest(c, key(stray), names, n < 32 ? n : 32);
            size_t old = path_key(c, key(stray));
            if (sug[0])
                ERR_KEY(c, stray, "unknown verb %s%s", q(c, key(stray)), sug);
            else
                ERR_KEY(c, stray, "unknown verb %s; expected one of: %s", q(c, key(stray)),
                        verb_list(c));
            path_pop(c, old);
        } else {
            ERR(c, sv, "statement has no verb; expected one of: %s", verb_list(c));
        }
        return PROG_NONE;
    }
    /* unknown options */
    for (V m = first(c, sv); has(m); m = next(c, m)) {
        if (m.j == verb.j)
            continue;
        const char *k = key(m);
        bool ok = false;
        size_t nopts = 0;
        for (const char *const *o = vi->opts; *o; o++, nopts++)
            if (strcmp(*o, k) == 0)
                ok = true;
        if (ok)
            continue;
        size_t old = path_key(c, k);
        if (nopts == 0) {
            ERR_KEY(c, m, "unknown option %s for %s; %s takes no options", q(c, k), vi->name,
                    vi->name);
        } else {
            const char *sug = suggest(c, k, vi->opts, nopts);
            if (sug[0]) {
                ERR_KEY(c, m, "unknown option %s for %s%s", q(c, k), vi->name, sug);
            } else {
                sbuf__truncate(&c->list, 0);
                for (size_t i = 0; i < nopts; i++)
                    sbuf__printf(&c->list, "%s%s", i ? ", " : "", vi->opts[i]);
                ERR_KEY(c, m, "unknown option %s for %s; allowed: %s", q(c, k), vi->name,
                        c->list.s ? c->list.s : "");
            }
        }
        path_pop(c, old);
    }
    Stmt s = prog_stmt_blank(vi->kind);
    s.line = nd(c, sv)->line;
    s.col = nd(c, sv)->col;
    s.coro_owner = c->coro;
    uint32_t id = prog_add_stmt(c->p, s); /* reserve: ids in document order */
    c->depth++;
    lower_verb(c, vi, sv, verb, &s);
    c->depth--;
    if (id != PROG_NONE)
        c->p->stmts[id] = s;
    return id;
}

static Block lower_block(Ctx *c, V v)
{
    Block b = {c->p->nblock_items, 0};
    if (ty(c, v) != JL_ARRAY) {
        ERR(c, v, "expected a list of statements, got %s", got(c, v));
        return b;
    }
    size_t base = c->scratch.n, i = 0;
    for (V sv = first(c, v); has(sv) && !c->oom; sv = next(c, sv), i++) {
        size_t old = path_index(c, i);
        uint32_t id = lower_stmt(c, sv);
        if (id != PROG_NONE)
            push_u32(c, &c->scratch, id);
        path_pop(c, old);
    }
    b.first = c->p->nblock_items;
    for (size_t k = base; k < c->scratch.n; k++)
        prog_add_block_item(c->p, c->scratch.v[k]);
    b.count = (uint32_t)(c->scratch.n - base);
    c->scratch.n = base;
    return b;
}

/* ==== pass 2a: the variables of a coroutine ============================= */

static void collect_block(Ctx *c, V v);

static void collect_bind(Ctx *c, V v, uint32_t kind)
{
    if (ty(c, v) != JL_STRING)
        return;
    const char *name = str(v);
    if (names__check(name) != NAME_OK || names__get(&c->coros, name) != UINT32_MAX ||
        names__get(&c->objs, name) != UINT32_MAX)
        return;
    uint32_t slot = local_slot(c, name);
    if (slot == UINT32_MAX)
        add_local(c, name, kind);
    else
        c->li[slot].kinds |= kind;
}

static uint32_t as_kind(StmtKind k)
{
    switch (k) {
    case STMT_CALL: return B_CALL;
    case STMT_CREATE_TASK: return B_TASK;
    case STMT_AWAIT: return B_AWAIT;
    case STMT_GATHER: return B_GATHER;
    case STMT_WAIT_FOR: return B_WAIT_FOR;
    case STMT_CANCEL: return B_CANCEL;
    case STMT_GET: return B_GET;
    case STMT_REPEAT: return B_REPEAT;
    default: return 0;
    }
}

static void collect_stmt(Ctx *c, V sv)
{
    if (ty(c, sv) != JL_OBJECT)
        return;
    const VerbInfo *vi = NULL;
    for (V m = first(c, sv); has(m); m = next(c, m)) {
        const VerbInfo *x = schema__verb(key(m));
        if (x && vi)
            return; /* two verbs: the statement is skipped */
        if (x)
            vi = x;
    }
    if (!vi)
        return;
    for (V m = first(c, sv); has(m); m = next(c, m)) {
        const char *k = key(m);
        if (strcmp(k, vi->name) == 0) {
            if (vi->kind == STMT_TASK_GROUP)
                collect_bind(c, m, B_GROUP);
            else if (vi->kind == STMT_ASSIGN)
                collect_bind(c, m, B_SET_VAR);
            else if (vi->kind == STMT_TRY)
                collect_block(c, m);
        } else if (strcmp(k, "as") == 0 && as_kind(vi->kind)) {
            collect_bind(c, m, as_kind(vi->kind));
        } else if (strcmp(k, "body") == 0 &&
                   (vi->kind == STMT_WITH || vi->kind == STMT_REPEAT ||
                    vi->kind == STMT_TASK_GROUP)) {
            collect_block(c, m);
        } else if (strcmp(k, "finally") == 0 && vi->kind == STMT_TRY) {
            collect_block(c, m);
        } else if (strcmp(k, "except") == 0 && vi->kind == STMT_TRY && ty(c, m) == JL_ARRAY) {
            for (V h = first(c, m); has(h); h = next(c, h)) {
                if (ty(c, h) != JL_OBJECT)
                    continue;
                for (V hm = first(c, h); has(hm); hm = next(c, hm)) {
                    if (strcmp(key(hm), "as") == 0)
                        collect_bind(c, hm, B_EXCEPT);
                    else if (strcmp(key(hm), "body") == 0)
                        collect_block(c, hm);
                }
            }
        }
    }
}

static void collect_block(Ctx *c, V v)
{
    if (ty(c, v) != JL_ARRAY)
        return;
    for (V s = first(c, v); has(s); s = next(c, s))
        collect_stmt(c, s);
}

/* ==== coroutines and objects ============================================ */

static void lower_coro(Ctx *c, uint32_t idx, V cv)
{
    c->coro = idx;
    names__free(&c->locals);
    c->nli = 0;
    c->groups.n = 0;
    c->depth = 0;
    V params = NOV, body = NOV;
    if (ty(c, cv) == JL_ARRAY) {
        body = cv;
    } else if (ty(c, cv) == JL_OBJECT) {
        static const char *const allowed[] = {"params", "body"};
        for (V m = first(c, cv); has(m); m = next(c, m)) {
            if (strcmp(key(m), "params") == 0) {
                params = m;
            } else if (strcmp(key(m), "body") == 0) {
                body = m;
            } else {
                size_t old = path_key(c, key(m));
                const char *sug = suggest(c, key(m), allowed, 2);
                if (sug[0])
                    ERR_KEY(c, m, "unknown key %s in a coroutine%s", q(c, key(m)), sug);
                else
                    ERR_KEY(c, m, "unknown key %s in a coroutine; allowed: params, body",
                            q(c, key(m)));
                path_pop(c, old);
            }
        }
        if (!has(body))
            ERR(c, cv, "a coroutine needs \"body\" (its list of statements)");
    } else {
        ERR(c, cv, "expected a list of statements or {\"params\": [...], \"body\": [...]}, got %s",
            got(c, cv));
    }
    if (has(params)) {
        size_t old = path_key(c, "params");
        if (ty(c, params) != JL_ARRAY) {
            ERR(c, params, "expected a list of parameter names, got %s", got(c, params));
        } else {
            if (nd(c, params)->count > SCN_MAX_PARAMS)
                ERR(c, params, "a coroutine takes at most %d parameters, got %u", SCN_MAX_PARAMS,
                    (unsigned)nd(c, params)->count);
            if (idx == c->p->main && nd(c, params)->count > 0)
                ERR(c, params,
                    "the main coroutine %s must not take parameters (it is started as "
                    "asyncio.run(%s())), got %u",
                    q(c, c->ci[idx].name), disp(c, c->ci[idx].name),
                    (unsigned)nd(c, params)->count);
            size_t i = 0;
            for (V pv = first(c, params); has(pv); pv = next(c, pv), i++) {
                size_t o2 = path_index(c, i);
                if (ty(c, pv) != JL_STRING) {
                    ERR(c, pv, "expected a parameter name, got %s", got(c, pv));
                } else if (check_name(c, str(pv), nd(c, pv)->line, nd(c, pv)->col,
                                      "parameter")) {
                    const char *name = str(pv);
                    if (local_slot(c, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s appears twice", q(c, name));
                    else if (names__get(&c->coros, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s has the same name as a coroutine; choose "
                                   "another name",
                            q(c, name));
                    else if (names__get(&c->objs, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s has the same name as an object; choose "
                                   "another name",
                            q(c, name));
                    else
                        add_local(c, name, B_PARAM);
                }
                path_pop(c, o2);
            }
        }
        path_pop(c, old);
    }
    uint32_t nparams = (uint32_t)c->nli;
    if (has(body))
        collect_block(c, body);
    uint32_t locals_first = c->p->nlocal_names;
    for (size_t i = 0; i < c->nli; i++)
        prog_add_local_name(c->p, prog_cstr(c->p, c->li[i].name));
    Block b = {c->p->nblock_items, 0};
    if (has(body)) {
        size_t old = ty(c, cv) == JL_OBJECT ? path_key(c, "body") : c->path.n;
        b = lower_block(c, body);
        path_pop(c, old);
    }
    if (c->p->ok && idx < c->p->ncoros) {
        Coro *co = &c->p->coros[idx];
        co->nparams = nparams;
        co->nlocals = (uint32_t)c->nli;
        co->locals_first = locals_first;
        co->body = b;
    }
}

/* Parses an object declaration; reports problems only when `report`. */
static int object_kind(Ctx *c, V v, bool report, int64_t *value)
{
    static const char *const kinds[] = {"Event", "Lock", "Semaphore", "Queue"};
    *value = 0;
    if (ty(c, v) == JL_STRING) {
        for (int k = 0; k < 4; k++)
            if (strcmp(str(v), kinds[k]) == 0) {
                *value = k == OBJ_SEMAPHORE ? 1 : 0;
                return k;
            }
        if (report) {
            const char *sug = suggest(c, str(v), kinds, 4);
            if (sug[0])
                ERR(c, v, "unknown object kind %s%s", q(c, str(v)), sug);
            else
                ERR(c, v, "unknown object kind %s; expected \"Event\", \"Lock\", \"Semaphore\" "
                          "or \"Queue\"",
                    q(c, str(v)));
        }
        return -1;
    }
    if (ty(c, v) != JL_OBJECT) {
        if (report)
            ERR(c, v,
                "expected \"Event\", \"Lock\", \"Semaphore\", \"Queue\", {\"Semaphore\": n} or "
                "{\"Queue\": {\"maxsize\": n}}, got %s",
                got(c, v));
        return -1;
    }
    if (nd(c, v)->count != 1) {
        if (report)
            ERR(c, v,
                "expected one kind with its setting, like {\"Semaphore\": 2} or {\"Queue\": "
                "{\"maxsize\": 2}}, got an object with %u keys",
                (unsigned)nd(c, v)->count);
        return -1;
    }
    V m = first(c, v);
    const char *k = key(m);
    size_t old = path_key(c, k);
    int kind = -1;
    if (strcmp(k, "Semaphore") == 0) {
        if (count_value(c, m, value, "an initial value (a whole number from 0 to 1000000000)",
                        report))
            kind = OBJ_SEMAPHORE;
    } else if (strcmp(k, "Queue") == 0) {
        kind = OBJ_QUEUE;
        if (ty(c, m) != JL_OBJECT) {
            if (report)
                ERR(c, m, "expected {\"maxsize\": n} (or {} for an unbounded queue), got %s",
                    got(c, m));
            kind = -1;
        } else {
            for (V o = first(c, m); has(o); o = next(c, o)) {
                size_t o2 = path_key(c, key(o));
                if (strcmp(key(o), "maxsize") != 0) {
                    if (report)
                        ERR_KEY(c, o, "unknown Queue option %s; allowed: maxsize", q(c, key(o)));
                    kind = -1;
                } else if (!count_value(c, o, value,
                                        "a maximum size (a whole number from 0 to 1000000000; "
                                        "0 means unbounded)",
                                        report)) {
                    kind = -1;
                }
                path_pop(c, o2);
            }
        }
    } else if (strcmp(k, "Event") == 0 || strcmp(k, "Lock") == 0) {
        if (report)
            ERR_KEY(c, m, "%s takes no settings; write \"%s\"", k, k);
    } else if (report) {
        const char *sug = suggest(c, k, kinds, 4);
        if (sug[0])
            ERR_KEY(c, m, "unknown object kind %s%s", q(c, k), sug);
        else
            ERR_KEY(c, m, "unknown object kind %s; expected \"Semaphore\" or \"Queue\" with a "
                          "setting",
                    q(c, k));
    }
    path_pop(c, old);
    return kind;
}

static void check_objects(Ctx *c, V objs)
{
    if (ty(c, objs) != JL_OBJECT) {
        ERR(c, objs,
            "expected an object mapping names to kinds, like {\"ready\": \"Event\"}, got %s",
            got(c, objs));
        return;
    }
    for (V m = first(c, objs); has(m); m = next(c, m)) {
        size_t old = path_key(c, key(m));
        const JlNode *n = nd(c, m);
        if (check_name(c, key(m), n->key_line, n->key_col, "object") &&
            names__get(&c->coros, key(m)) != UINT32_MAX)
            ERR_KEY(c, m, "object %s has the same name as a coroutine; choose another name",
                    q(c, key(m)));
        int64_t value;
        object_kind(c, m, true, &value);
        path_pop(c, old);
    }
}

static void check_coroutines(Ctx *c, V cs)
{
    if (ty(c, cs) != JL_OBJECT) {
        ERR(c, cs, "expected an object mapping coroutine names to their statements, got %s",
            got(c, cs));
        return;
    }
    if (nd(c, cs)->count == 0) {
        ERR(c, cs, "no coroutines are defined; expected at least the main coroutine %s",
            q(c, c->main_name ? c->main_name : "main"));
        return;
    }
    uint32_t idx = 0;
    for (V m = first(c, cs); has(m) && !c->oom; m = next(c, m), idx++) {
        size_t old = path_key(c, key(m));
        check_name(c, key(m), nd(c, m)->key_line, nd(c, m)->key_col, "coroutine");
        lower_coro(c, idx, m);
        path_pop(c, old);
    }
}

/* ==== pass 1: names of coroutines and objects =========================== */

static void collect_top(Ctx *c, V top)
{
    c->main_name = "main";
    for (V m = first(c, top); has(m); m = next(c, m)) {
        if (strcmp(key(m), "main") == 0)
            c->main_name = ty(c, m) == JL_STRING ? str(m) : NULL;
        if (strcmp(key(m), "coroutines") == 0 && ty(c, m) == JL_OBJECT) {
            c->have_coros = nd(c, m)->count > 0;
            for (V cm = first(c, m); has(cm); cm = next(c, cm)) {
                if (!grow(c, (void **)&c->ci, &c->ci_cap, c->nci + 1, sizeof *c->ci) ||
                    !grow(c, (void **)&c->coro_names, &c->cn_cap, c->nci + 1,
                          sizeof *c->coro_names))
                    return;
                CoroInfo ci = {key(cm), true, 0, NOV};
                if (ty(c, cm) == JL_OBJECT) {
                    V ps = member(c, cm, "params");
                    if (has(ps) && ty(c, ps) == JL_ARRAY) {
                        ci.params = ps;
                        ci.nparams = nd(c, ps)->count;
                        for (V pv = first(c, ps); has(pv); pv = next(c, pv))
                            if (ty(c, pv) != JL_STRING)
                                ci.params_ok = false;
                    } else if (has(ps)) {
                        ci.params_ok = false;
                    }
                } else if (ty(c, cm) != JL_ARRAY) {
                    ci.params_ok = false;
                }
                if (!names__put(&c->coros, key(cm), (uint32_t)c->nci))
                    c->oom = true;
                c->ci[c->nci] = ci;
                c->coro_names[c->nci] = key(cm);
                c->nci++;
                Coro co;
                memset(&co, 0, sizeof co);
                co.name = prog_cstr(c->p, key(cm));
                co.line = nd(c, cm)->key_line;
                co.col = nd(c, cm)->key_col;
                co.body.first = 0;
                prog_add_coro(c->p, co);
            }
        }
        if (strcmp(key(m), "objects") == 0 && ty(c, m) == JL_OBJECT) {
            for (V om = first(c, m); has(om); om = next(c, om)) {
                if (!grow(c, (void **)&c->oi, &c->oi_cap, c->noi + 1, sizeof *c->oi) ||
                    !grow(c, (void **)&c->obj_names, &c->on_cap, c->noi + 1,
                          sizeof *c->obj_names))
                    return;
                int64_t value = 0;
                int kind = object_kind(c, om, false, &value);
                if (!names__put(&c->objs, key(om), (uint32_t)c->noi))
                    c->oom = true;
                c->oi[c->noi] = (ObjInfo){key(om), kind};
                c->obj_names[c->noi] = key(om);
                c->noi++;
                Object o;
                memset(&o, 0, sizeof o);
                o.kind = kind < 0 ? OBJ_EVENT : (ObjKind)kind;
                o.name = prog_cstr(c->p, key(om));
                o.value = value;
                o.line = nd(c, om)->key_line;
                o.col = nd(c, om)->key_col;
                prog_add_object(c->p, o);
            }
        }
    }
    if (c->main_name)
        c->p->main = names__get(&c->coros, c->main_name) == UINT32_MAX
                         ? PROG_NONE
                         : names__get(&c->coros, c->main_name);
}

/* ==== the top level ===================================================== */

Program *build__program(const JsonLoc *jl, const cJSON *root, DiagCtx *dc)
{
    Ctx c;
    memset(&c, 0, sizeof c);
    c.jl = jl;
    c.dc = dc;
    c.p = prog_new();
    if (!c.p) {
        dc->oom = true;
        return NULL;
    }
    sbuf__puts(&c.path, "$");
    V top = {root, 0};
    if (ty(&c, top) != JL_OBJECT) {
        ERR(&c, top, "expected an object like {\"coroutines\": {\"main\": [...]}} at the top "
                     "level, got %s",
            got(&c, top));
        goto out;
    }
    collect_top(&c, top);
    if (c.oom)
        goto out;
    static const char *const allowed[] = {"title", "about", "main", "objects", "coroutines"};
    bool seen_coros = false;
    for (V m = first(&c, top); has(m) && !c.oom; m = next(&c, m)) {
        const char *k = key(m);
        size_t old = path_key(&c, k);
        if (strcmp(k, "title") == 0 || strcmp(k, "about") == 0) {
            if (ty(&c, m) != JL_STRING)
                ERR(&c, m, "expected a string, got %s", got(&c, m));
            else if (k[0] == 't')
                c.p->title = prog_cstr(c.p, str(m));
            else
                c.p->about = prog_cstr(c.p, str(m));
        } else if (strcmp(k, "main") == 0) {
            if (ty(&c, m) != JL_STRING)
                ERR(&c, m, "expected the name of the main coroutine, got %s", got(&c, m));
            else if (c.have_coros && c.p->main == PROG_NONE)
                ERR(&c, m, "main coroutine %s is not defined; defined: %s", q(&c, str(m)),
                    name_list(&c, c.coro_names, c.nci));
        } else if (strcmp(k, "objects") == 0) {
            check_objects(&c, m);
        } else if (strcmp(k, "coroutines") == 0) {
            seen_coros = true;
            check_coroutines(&c, m);
            if (c.have_coros && c.p->main == PROG_NONE && !has(member(&c, top, "main")))
                ERR(&c, m, "main coroutine \"main\" is not defined; defined: %s",
                    name_list(&c, c.coro_names, c.nci));
        } else {
            const char *sug = suggest(&c, k, allowed, 5);
            if (sug[0])
                ERR_KEY(&c, m, "unknown key %s%s", q(&c, k), sug);
            else
                ERR_KEY(&c, m, "unknown key %s; allowed: title, about, main, objects, coroutines",
                        q(&c, k));
        }
        path_pop(&c, old);
    }
    if (!seen_coros && !c.oom)
        ERR(&c, top, "missing \"coroutines\" (an object mapping each coroutine name to its "
                     "statements)");
out:
    if (c.oom || c.path.oom || c.tname.oom || !c.p->ok)
        dc->oom = true;
    sbuf__free(&c.path);
    sbuf__free(&c.list);
    sbuf__free(&c.tname);
    for (int i = 0; i < 6; i++)
        sbuf__free(&c.qb[i]);
    names__free(&c.coros);
    names__free(&c.objs);
    names__free(&c.locals);
    mem_free(c.ci);
    mem_free((void *)c.coro_names);
    mem_free(c.oi);
    mem_free((void *)c.obj_names);
    mem_free(c.li);
    mem_free((void *)c.lnames);
    mem_free(c.groups.v);
    mem_free(c.scratch.v);
    mem_free(c.hs);
    return c.p;
}
