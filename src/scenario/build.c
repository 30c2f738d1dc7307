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
 * This file holds the statements and the passes; build_msg.c the
 * messages and names, build_expr.c the templates, expressions and option
 * values (build_int.h: what they share); jcheck.c the JSON cursor, paths
 * and quoted values, shared with the lecture checker.
 *
 * Depends on: build_int.h (scn_int.h, program.h, exc.h, mem.h, cJSON).
 * Used by: scenario.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_int.h"

/* ==== statements ======================================================== */

static Block lower_block(Ctx *c, V v);

/* Runs `body` with `var` bound to the statement's option `name` (when
 * present) and the path pointing at it. `body` must not break or return. */
#define WITH_OPT(c, stmt, name, var, body)                                                  \
    do {                                                                                    \
        V var = member((c), (stmt), (name));                                                \
        if (has(var)) {                                                                     \
            size_t old_ = jc_path_key(&(c)->k, (name));                                     \
            body;                                                                           \
            jc_path_pop(&(c)->k, old_);                                                     \
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
        a.var = bld_task_var(c, v, verb);
        return prog_add_aw(c->p, a);
    }
    V call = ty(c, v) == JL_OBJECT ? member(c, v, "call") : NOV;
    V sl = ty(c, v) == JL_OBJECT ? member(c, v, "sleep") : NOV;
    if (!has(call) && !has(sl)) {
        ERR(c, v,
            "expected a task variable, {\"call\": name, \"args\": [...]} or {\"sleep\": "
            "seconds}, got %s",
            jc_got(&c->k, v));
        return PROG_NONE;
    }
    if (has(call) && has(sl)) {
        V later = nd(c, call)->off > nd(c, sl)->off ? call : sl;
        size_t old = jc_path_key(&c->k, key(later));
        ERR_KEY(c, later, "an awaitable has both \"call\" and \"sleep\"; use one");
        jc_path_pop(&c->k, old);
        return PROG_NONE;
    }
    for (V m = first(c, v); has(m); m = next(c, m)) {
        const char *k = key(m);
        bool ok = has(call) ? (strcmp(k, "call") == 0 || strcmp(k, "args") == 0)
                            : strcmp(k, "sleep") == 0;
        if (!ok) {
            size_t old = jc_path_key(&c->k, k);
            if (has(call))
                ERR_KEY(c, m, "unknown key %s in a call inside %s; allowed: call, args", jc_q(&c->k, k),
                        verb);
            else
                ERR_KEY(c, m, "unknown key %s in a sleep inside %s; allowed: sleep", jc_q(&c->k, k),
                        verb);
            jc_path_pop(&c->k, old);
        }
    }
    if (has(call)) {
        a.kind = AW_CALL;
        size_t old = jc_path_key(&c->k, "call");
        a.coro = bld_coro_ref(c, call);
        jc_path_pop(&c->k, old);
        bld_lower_args(c, member(c, v, "args"), call, a.coro, &a.args_first, &a.nargs);
    } else {
        a.kind = AW_SLEEP;
        size_t old = jc_path_key(&c->k, "sleep");
        bld_duration(c, sl, &a.ns, false);
        jc_path_pop(&c->k, old);
    }
    return prog_add_aw(c->p, a);
}

static void lower_try(Ctx *c, V stmt, V verb, Stmt *s)
{
    size_t old = jc_path_key(&c->k, "try");
    s->body = lower_block(c, verb);
    jc_path_pop(&c->k, old);
    V ex = member(c, stmt, "except"), fin = member(c, stmt, "finally");
    if (!has(ex) && !has(fin))
        ERR(c, stmt, "try needs \"except\" or \"finally\" (or both)");
    if (has(ex)) {
        old = jc_path_key(&c->k, "except");
        if (ty(c, ex) != JL_ARRAY) {
            ERR(c, ex,
                "expected a list of except clauses like [{\"error\": \"ValueError\", \"body\": "
                "[...]}], got %s",
                jc_got(&c->k, ex));
        } else if (nd(c, ex)->count == 0 && !has(fin)) {
            ERR(c, ex, "expected at least one except clause (or a \"finally\")");
        }
        size_t base = c->nhs, i = 0;
        for (V hv = ty(c, ex) == JL_ARRAY ? first(c, ex) : NOV; has(hv); hv = next(c, hv), i++) {
            size_t old2 = jc_path_index(&c->k, i);
            if (ty(c, hv) != JL_OBJECT) {
                ERR(c, hv,
                    "expected an except clause like {\"error\": \"ValueError\", \"body\": "
                    "[...]}, got %s",
                    jc_got(&c->k, hv));
                jc_path_pop(&c->k, old2);
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
                    size_t old3 = jc_path_key(&c->k, k);
                    const char *sug = bld_suggest(c, k, allowed, 3);
                    if (sug[0])
                        ERR_KEY(c, m, "unknown key %s in an except clause%s", jc_q(&c->k, k), sug);
                    else
                        ERR_KEY(c, m, "unknown key %s in an except clause; allowed: error, as, "
                                      "body",
                                jc_q(&c->k, k));
                    jc_path_pop(&c->k, old3);
                }
            }
            V err = member(c, hv, "error"), body = member(c, hv, "body");
            if (!has(err))
                ERR(c, hv, "an except clause needs \"error\" (the exception class to catch, "
                           "like \"ValueError\")");
            if (!has(body))
                ERR(c, hv, "an except clause needs \"body\" (the statements to run)");
            WITH_OPT(c, hv, "error", e, h.exc = bld_exc_class(c, e, false));
            WITH_OPT(c, hv, "as", a, h.as_var = bld_bind_var(c, a));
            WITH_OPT(c, hv, "body", b, h.body = lower_block(c, b));
            if (bld_grow(c, (void **)&c->hs, &c->hs_cap, c->nhs + 1, sizeof *c->hs))
                c->hs[c->nhs++] = h;
            jc_path_pop(&c->k, old2);
        }
        for (size_t k = base; k < c->nhs; k++) {
            uint32_t id = prog_add_handler(c->p, c->hs[k]);
            if (k == base)
                s->handlers_first = id;
        }
        s->handlers_count = (uint32_t)(c->nhs - base);
        c->nhs = base;
        jc_path_pop(&c->k, old);
    }
    if (has(fin)) {
        old = jc_path_key(&c->k, "finally");
        s->has_finally = true;
        s->fin = lower_block(c, fin);
        jc_path_pop(&c->k, old);
    }
}

/* Checks the verb's value and options and fills s. */
static void lower_verb(Ctx *c, const VerbInfo *vi, V stmt, V verb, Stmt *s)
{
    const unsigned EVENT = 1u << OBJ_EVENT, QUEUE = 1u << OBJ_QUEUE;
    const unsigned LOCKS = (1u << OBJ_LOCK) | (1u << OBJ_SEMAPHORE);
    const char *vn = vi->name;
    size_t old = jc_path_key(&c->k, vn);
    switch (vi->kind) {
    case STMT_PRINT:
        s->text = bld_template_str(c, verb);
        break;
    case STMT_SLEEP:
    case STMT_BLOCK:
        bld_duration(c, verb, &s->ns, false);
        break;
    case STMT_IO:
        bld_duration(c, verb, &s->ns, false);
        jc_path_pop(&c->k, old);
        WITH_OPT(c, stmt, "label", v, s->text = bld_template_str(c, v));
        return;
    case STMT_CALL:
    case STMT_CREATE_TASK:
        s->coro = bld_coro_ref(c, verb);
        jc_path_pop(&c->k, old);
        bld_lower_args(c, member(c, stmt, "args"), verb, s->coro, &s->args_first, &s->nargs);
        WITH_OPT(c, stmt, "as", v, s->as_var = bld_bind_var(c, v));
        if (vi->kind == STMT_CALL)
            return;
        WITH_OPT(c, stmt, "name", v, s->name = bld_template_str(c, v));
        WITH_OPT(c, stmt, "group", v, s->group = bld_group_ref(c, v));
        return;
    case STMT_AWAIT:
    case STMT_CANCEL:
        s->var = bld_task_var(c, verb, vn);
        break;
    case STMT_GATHER:
    case STMT_AS_COMPLETED: {
        if (ty(c, verb) != JL_ARRAY) {
            ERR(c, verb,
                "expected a list of awaitables (task variables, {\"call\": ...} or {\"sleep\": "
                "seconds}), got %s",
                jc_got(&c->k, verb));
            break;
        }
        size_t i = 0;
        uint32_t n = 0;
        for (V a = first(c, verb); has(a); a = next(c, a), i++) {
            size_t o2 = jc_path_index(&c->k, i);
            uint32_t id = lower_aw(c, a, vn);
            if (id != PROG_NONE && n++ == 0)
                s->aw_first = id;
            jc_path_pop(&c->k, o2);
        }
        s->aw_count = n;
        break;
    }
    case STMT_WAIT_FOR:
    case STMT_SHIELD:
        s->aw_first = lower_aw(c, verb, vn);
        s->aw_count = 1;
        jc_path_pop(&c->k, old);
        if (vi->kind == STMT_WAIT_FOR) {
            if (!has(member(c, stmt, "timeout")))
                missing(c, stmt, vn, "timeout", "a number of seconds, or null for no timeout");
            WITH_OPT(c, stmt, "timeout", v, bld_timeout_value(c, v, s));
        }
        WITH_OPT(c, stmt, "as", v, s->as_var = bld_bind_var(c, v));
        return;
    case STMT_RETURN:
        s->expr = bld_lower_expr(c, verb);
        break;
    case STMT_RAISE:
        s->exc = bld_exc_class(c, verb, true);
        jc_path_pop(&c->k, old);
        WITH_OPT(c, stmt, "message", v, s->text = bld_template_str(c, v));
        return;
    case STMT_TRY:
        jc_path_pop(&c->k, old);
        lower_try(c, stmt, verb, s);
        return;
    case STMT_WAIT:
    case STMT_SET:
    case STMT_CLEAR:
        s->obj = bld_obj_ref(c, verb, vn, EVENT, "an Event");
        break;
    case STMT_WITH:
        s->obj = bld_obj_ref(c, verb, vn, LOCKS, "a Lock or a Semaphore");
        break;
    case STMT_PUT:
    case STMT_GET:
    case STMT_TASK_DONE:
    case STMT_JOIN:
        s->obj = bld_obj_ref(c, verb, vn, QUEUE, "a Queue");
        break;
    case STMT_REPEAT:
        bld_count_value(c, verb, &s->count, "a repeat count (a whole number from 0 to 1000000000)",
                    true);
        break;
    case STMT_TASK_GROUP:
    case STMT_ASSIGN:
        s->var = bld_bind_var(c, verb);
        if (vi->kind == STMT_ASSIGN) {
            s->as_var = s->var;
            s->var = PROG_NONE;
        }
        break;
    case STMT_WITH_TIMEOUT:
        bld_timeout_value(c, verb, s);
        break;

    case STMT__COUNT:
        break;
    }
    jc_path_pop(&c->k, old);

    /* options shared by several verbs, in a fixed order */
    switch (vi->kind) {
    case STMT_AWAIT:
    case STMT_GATHER:
    case STMT_CANCEL:
    case STMT_GET:
        WITH_OPT(c, stmt, "as", v, s->as_var = bld_bind_var(c, v));
        if (vi->kind == STMT_GATHER)
            WITH_OPT(c, stmt, "return_exceptions", v, bld_bool_value(c, v, &s->flag));
        break;
    case STMT_PUT:
    case STMT_ASSIGN:
        if (!has(member(c, stmt, "value")))
            missing(c, stmt, vn, "value", "the value to store");
        WITH_OPT(c, stmt, "value", v, s->expr = bld_lower_expr(c, v));
        break;
    case STMT_AS_COMPLETED:
        s->flag = true; /* timeout=None, unless "timeout" gives seconds */
        WITH_OPT(c, stmt, "timeout", v, (s->flag = false, bld_timeout_value(c, v, s)));
        /* fall through */
    case STMT_REPEAT:
        WITH_OPT(c, stmt, "as", v, s->as_var = bld_bind_var(c, v));
        /* fall through */
    case STMT_WITH:
    case STMT_TASK_GROUP:
    case STMT_WITH_TIMEOUT:
        if (!has(member(c, stmt, "body")))
            missing(c, stmt, vn, "body", "the list of statements inside it");
        if (vi->kind == STMT_TASK_GROUP && s->var != PROG_NONE)
            bld_push_u32(c, &c->groups, s->var);
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
        c->k.oom = true;
        return "";
    }
    return c->list.s;
}

static uint32_t lower_stmt(Ctx *c, V sv)
{
    if (ty(c, sv) != JL_OBJECT) {
        ERR(c, sv, "expected a statement (an object like {\"print\": \"...\"}), got %s",
            jc_got(&c->k, sv));
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
            size_t old = jc_path_key(&c->k, key(m));
            ERR_KEY(c, m, "statement has two verbs: %s and %s", jc_q(&c->k, vi->name), jc_q(&c->k, x->name));
            jc_path_pop(&c->k, old);
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
            const char *sug = bld_suggest(c, key(stray), names, n < 32 ? n : 32);
            size_t old = jc_path_key(&c->k, key(stray));
            if (sug[0])
                ERR_KEY(c, stray, "unknown verb %s%s", jc_q(&c->k, key(stray)), sug);
            else
                ERR_KEY(c, stray, "unknown verb %s; expected one of: %s", jc_q(&c->k, key(stray)),
                        verb_list(c));
            jc_path_pop(&c->k, old);
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
        size_t old = jc_path_key(&c->k, k);
        if (nopts == 0) {
            ERR_KEY(c, m, "unknown option %s for %s; %s takes no options", jc_q(&c->k, k), vi->name,
                    vi->name);
        } else {
            const char *sug = bld_suggest(c, k, vi->opts, nopts);
            if (sug[0]) {
                ERR_KEY(c, m, "unknown option %s for %s%s", jc_q(&c->k, k), vi->name, sug);
            } else {
                sbuf__truncate(&c->list, 0);
                for (size_t i = 0; i < nopts; i++)
                    sbuf__printf(&c->list, "%s%s", i ? ", " : "", vi->opts[i]);
                ERR_KEY(c, m, "unknown option %s for %s; allowed: %s", jc_q(&c->k, k), vi->name,
                        c->list.s ? c->list.s : "");
            }
        }
        jc_path_pop(&c->k, old);
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
        ERR(c, v, "expected a list of statements, got %s", jc_got(&c->k, v));
        return b;
    }
    size_t base = c->scratch.n, i = 0;
    for (V sv = first(c, v); has(sv) && !c->k.oom; sv = next(c, sv), i++) {
        size_t old = jc_path_index(&c->k, i);
        uint32_t id = lower_stmt(c, sv);
        if (id != PROG_NONE)
            bld_push_u32(c, &c->scratch, id);
        jc_path_pop(&c->k, old);
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
    uint32_t slot = bld_local_slot(c, name);
    if (slot == UINT32_MAX)
        bld_add_local(c, name, kind);
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
    case STMT_SHIELD: return B_SHIELD;
    case STMT_AS_COMPLETED: return B_AS_COMPLETED;
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
                    vi->kind == STMT_TASK_GROUP || vi->kind == STMT_WITH_TIMEOUT ||
                    vi->kind == STMT_AS_COMPLETED)) {
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
                size_t old = jc_path_key(&c->k, key(m));
                const char *sug = bld_suggest(c, key(m), allowed, 2);
                if (sug[0])
                    ERR_KEY(c, m, "unknown key %s in a coroutine%s", jc_q(&c->k, key(m)), sug);
                else
                    ERR_KEY(c, m, "unknown key %s in a coroutine; allowed: params, body",
                            jc_q(&c->k, key(m)));
                jc_path_pop(&c->k, old);
            }
        }
        if (!has(body))
            ERR(c, cv, "a coroutine needs \"body\" (its list of statements)");
    } else {
        ERR(c, cv, "expected a list of statements or {\"params\": [...], \"body\": [...]}, got %s",
            jc_got(&c->k, cv));
    }
    if (has(params)) {
        size_t old = jc_path_key(&c->k, "params");
        if (ty(c, params) != JL_ARRAY) {
            ERR(c, params, "expected a list of parameter names, got %s", jc_got(&c->k, params));
        } else {
            if (nd(c, params)->count > SCN_MAX_PARAMS)
                ERR(c, params, "a coroutine takes at most %d parameters, got %u", SCN_MAX_PARAMS,
                    (unsigned)nd(c, params)->count);
            if (idx == c->p->main && nd(c, params)->count > 0)
                ERR(c, params,
                    "the main coroutine %s must not take parameters (it is started as "
                    "asyncio.run(%s())), got %u",
                    jc_q(&c->k, c->ci[idx].name), bld_disp(c, c->ci[idx].name),
                    (unsigned)nd(c, params)->count);
            size_t i = 0;
            for (V pv = first(c, params); has(pv); pv = next(c, pv), i++) {
                size_t o2 = jc_path_index(&c->k, i);
                if (ty(c, pv) != JL_STRING) {
                    ERR(c, pv, "expected a parameter name, got %s", jc_got(&c->k, pv));
                } else if (bld_check_name(c, str(pv), nd(c, pv)->line, nd(c, pv)->col,
                                      "parameter")) {
                    const char *name = str(pv);
                    if (bld_local_slot(c, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s appears twice", jc_q(&c->k, name));
                    else if (names__get(&c->coros, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s has the same name as a coroutine; choose "
                                   "another name",
                            jc_q(&c->k, name));
                    else if (names__get(&c->objs, name) != UINT32_MAX)
                        ERR(c, pv, "parameter %s has the same name as an object; choose "
                                   "another name",
                            jc_q(&c->k, name));
                    else
                        bld_add_local(c, name, B_PARAM);
                }
                jc_path_pop(&c->k, o2);
            }
        }
        jc_path_pop(&c->k, old);
    }
    uint32_t nparams = (uint32_t)c->nli;
    if (has(body))
        collect_block(c, body);
    uint32_t locals_first = c->p->nlocal_names;
    for (size_t i = 0; i < c->nli; i++)
        prog_add_local_name(c->p, prog_cstr(c->p, c->li[i].name));
    Block b = {c->p->nblock_items, 0};
    if (has(body)) {
        size_t old = ty(c, cv) == JL_OBJECT ? jc_path_key(&c->k, "body") : c->k.path.n;
        b = lower_block(c, body);
        jc_path_pop(&c->k, old);
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
            const char *sug = bld_suggest(c, str(v), kinds, 4);
            if (sug[0])
                ERR(c, v, "unknown object kind %s%s", jc_q(&c->k, str(v)), sug);
            else
                ERR(c, v, "unknown object kind %s; expected \"Event\", \"Lock\", \"Semaphore\" "
                          "or \"Queue\"",
                    jc_q(&c->k, str(v)));
        }
        return -1;
    }
    if (ty(c, v) != JL_OBJECT) {
        if (report)
            ERR(c, v,
                "expected \"Event\", \"Lock\", \"Semaphore\", \"Queue\", {\"Semaphore\": n} or "
                "{\"Queue\": {\"maxsize\": n}}, got %s",
                jc_got(&c->k, v));
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
    size_t old = jc_path_key(&c->k, k);
    int kind = -1;
    if (strcmp(k, "Semaphore") == 0) {
        if (bld_count_value(c, m, value, "an initial value (a whole number from 0 to 1000000000)",
                        report))
            kind = OBJ_SEMAPHORE;
    } else if (strcmp(k, "Queue") == 0) {
        kind = OBJ_QUEUE;
        if (ty(c, m) != JL_OBJECT) {
            if (report)
                ERR(c, m, "expected {\"maxsize\": n} (or {} for an unbounded queue), got %s",
                    jc_got(&c->k, m));
            kind = -1;
        } else {
            for (V o = first(c, m); has(o); o = next(c, o)) {
                size_t o2 = jc_path_key(&c->k, key(o));
                if (strcmp(key(o), "maxsize") != 0) {
                    if (report)
                        ERR_KEY(c, o, "unknown Queue option %s; allowed: maxsize", jc_q(&c->k, key(o)));
                    kind = -1;
                } else if (!bld_count_value(c, o, value,
                                        "a maximum size (a whole number from 0 to 1000000000; "
                                        "0 means unbounded)",
                                        report)) {
                    kind = -1;
                }
                jc_path_pop(&c->k, o2);
            }
        }
    } else if (strcmp(k, "Event") == 0 || strcmp(k, "Lock") == 0) {
        if (report)
            ERR_KEY(c, m, "%s takes no settings; write \"%s\"", k, k);
    } else if (report) {
        const char *sug = bld_suggest(c, k, kinds, 4);
        if (sug[0])
            ERR_KEY(c, m, "unknown object kind %s%s", jc_q(&c->k, k), sug);
        else
            ERR_KEY(c, m, "unknown object kind %s; expected \"Semaphore\" or \"Queue\" with a "
                          "setting",
                    jc_q(&c->k, k));
    }
    jc_path_pop(&c->k, old);
    return kind;
}

static void check_objects(Ctx *c, V objs)
{
    if (ty(c, objs) != JL_OBJECT) {
        ERR(c, objs,
            "expected an object mapping names to kinds, like {\"ready\": \"Event\"}, got %s",
            jc_got(&c->k, objs));
        return;
    }
    for (V m = first(c, objs); has(m); m = next(c, m)) {
        size_t old = jc_path_key(&c->k, key(m));
        const JlNode *n = nd(c, m);
        if (bld_check_name(c, key(m), n->key_line, n->key_col, "object") &&
            names__get(&c->coros, key(m)) != UINT32_MAX)
            ERR_KEY(c, m, "object %s has the same name as a coroutine; choose another name",
                    jc_q(&c->k, key(m)));
        int64_t value;
        object_kind(c, m, true, &value);
        jc_path_pop(&c->k, old);
    }
}

static void check_coroutines(Ctx *c, V cs)
{
    if (ty(c, cs) != JL_OBJECT) {
        ERR(c, cs, "expected an object mapping coroutine names to their statements, got %s",
            jc_got(&c->k, cs));
        return;
    }
    if (nd(c, cs)->count == 0) {
        ERR(c, cs, "no coroutines are defined; expected at least the main coroutine %s",
            jc_q(&c->k, c->main_name ? c->main_name : "main"));
        return;
    }
    uint32_t idx = 0;
    for (V m = first(c, cs); has(m) && !c->k.oom; m = next(c, m), idx++) {
        size_t old = jc_path_key(&c->k, key(m));
        bld_check_name(c, key(m), nd(c, m)->key_line, nd(c, m)->key_col, "coroutine");
        lower_coro(c, idx, m);
        jc_path_pop(&c->k, old);
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
                if (!bld_grow(c, (void **)&c->ci, &c->ci_cap, c->nci + 1, sizeof *c->ci) ||
                    !bld_grow(c, (void **)&c->coro_names, &c->cn_cap, c->nci + 1,
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
                    c->k.oom = true;
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
                if (!bld_grow(c, (void **)&c->oi, &c->oi_cap, c->noi + 1, sizeof *c->oi) ||
                    !bld_grow(c, (void **)&c->obj_names, &c->on_cap, c->noi + 1,
                          sizeof *c->obj_names))
                    return;
                int64_t value = 0;
                int kind = object_kind(c, om, false, &value);
                if (!names__put(&c->objs, key(om), (uint32_t)c->noi))
                    c->k.oom = true;
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
    c.k.jl = jl;
    c.k.dc = dc;
    c.p = prog_new();
    if (!c.p) {
        dc->oom = true;
        return NULL;
    }
    sbuf__puts(&c.k.path, "$");
    V top = {root, 0};
    if (ty(&c, top) != JL_OBJECT) {
        ERR(&c, top, "expected an object like {\"coroutines\": {\"main\": [...]}} at the top "
                     "level, got %s",
            jc_got(&c.k, top));
        goto out;
    }
    collect_top(&c, top);
    if (c.k.oom)
        goto out;
    static const char *const allowed[] = {"title", "about", "main", "objects", "coroutines"};
    bool seen_coros = false;
    for (V m = first(&c, top); has(m) && !c.k.oom; m = next(&c, m)) {
        const char *k = key(m);
        size_t old = jc_path_key(&c.k, k);
        if (strcmp(k, "title") == 0 || strcmp(k, "about") == 0) {
            if (ty(&c, m) != JL_STRING)
                ERR(&c, m, "expected a string, got %s", jc_got(&c.k, m));
            else if (k[0] == 't')
                c.p->title = prog_cstr(c.p, str(m));
            else
                c.p->about = prog_cstr(c.p, str(m));
        } else if (strcmp(k, "main") == 0) {
            if (ty(&c, m) != JL_STRING)
                ERR(&c, m, "expected the name of the main coroutine, got %s", jc_got(&c.k, m));
            else if (c.have_coros && c.p->main == PROG_NONE)
                ERR(&c, m, "main coroutine %s is not defined; defined: %s", jc_q(&c.k, str(m)),
                    bld_name_list(&c, c.coro_names, c.nci));
        } else if (strcmp(k, "objects") == 0) {
            check_objects(&c, m);
        } else if (strcmp(k, "coroutines") == 0) {
            seen_coros = true;
            check_coroutines(&c, m);
            if (c.have_coros && c.p->main == PROG_NONE && !has(member(&c, top, "main")))
                ERR(&c, m, "main coroutine \"main\" is not defined; defined: %s",
                    bld_name_list(&c, c.coro_names, c.nci));
        } else {
            const char *sug = bld_suggest(&c, k, allowed, 5);
            if (sug[0])
                ERR_KEY(&c, m, "unknown key %s%s", jc_q(&c.k, k), sug);
            else
                ERR_KEY(&c, m, "unknown key %s; allowed: title, about, main, objects, coroutines",
                        jc_q(&c.k, k));
        }
        jc_path_pop(&c.k, old);
    }
    if (!seen_coros && !c.k.oom)
        ERR(&c, top, "missing \"coroutines\" (an object mapping each coroutine name to its "
                     "statements)");
out:
    if (c.k.oom || c.k.path.oom || c.tname.oom || !c.p->ok)
        dc->oom = true;
    jc_free(&c.k);
    sbuf__free(&c.list);
    sbuf__free(&c.tname);
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
