/* compile.c -- lowers each coroutine of the Program into flat code (Op arrays).
 *
 * A coroutine becomes a list of Ops plus an exception table, in the manner
 * of CPython 3.11's own compiler: try bodies are pc ranges whose entries say
 * where an exception goes; a `finally` body is compiled twice (normal exit and
 * exception exit, the latter ending in RERAISE); a `return` inside try/with/
 * task_group/with_timeout closes the enclosing ranges, inlines their exit
 * code (finally bodies, lock release, TaskGroup.__aexit__, Timeout.__aexit__)
 * and reopens them after.
 *
 * Ranges are emitted innermost first, so the first table entry that covers
 * a pc is the innermost handler (the property interp.c's search relies on).
 *
 * Ops flagged `vis` are the user's statements: executing one is a micro-step.
 * The rest (jumps, matches, re-raises) run silently inside the same step.
 *
 * Depends on: core_int.h.  Used by: sim.c (once per Sim), interp.c (reads).
 */
#include <string.h>

#include "core_int.h"

#define MAX_CTX 128

/* CTX_EXC_AS: the body of `except E as e:`, which CPython compiles as
 * try: body / finally: e = None; del e (compile.c, compiler_try_except), so
 * the name is unbound after the clause however it is left. */
typedef enum CtxKind { CTX_FINALLY, CTX_EXCEPT, CTX_WITH, CTX_GROUP, CTX_TIMEOUT, CTX_EXC_AS } CtxKind;

typedef struct Ctx {
    CtxKind kind;
    uint32_t start;    /* open range start */
    uint32_t slot;     /* exception slot */
    uint32_t id;       /* patch tag */
    uint32_t stmt;     /* the statement (try / with / task_group) */
    uint32_t slot2;    /* CTX_EXC_AS: the `as` variable; CTX_TIMEOUT: the Timeout's slot */
    uint32_t handling; /* Comp.handling where it began: its exit code runs with it */
} Ctx;

typedef struct Comp {
    Sim *s;
    Code *c;
    uint32_t coro;
    Ctx ctx[MAX_CTX];
    uint32_t nctx;
    uint32_t next_tag;
    bool ok;
    uint32_t handling; /* the slot of the exception being handled (Op.handling) */
    Op scratch;        /* target of patches after a failure, see op_at */
} Comp;

static uint32_t emit(Comp *k, OpCode op, bool vis, uint32_t stmt, uint32_t a, uint32_t b,
                     uint32_t c, VTime ns)
{
    Code *code = k->c;
    if (!k->ok || !GROW(k->s, code->ops, code->ops_cap, code->nops + 1)) {
        k->ok = false;
        return 0;
    }
    Op *o = &code->ops[code->nops];
    o->op = (uint8_t)op;
    o->vis = vis;
    o->stmt = stmt;
    o->a = a;
    o->b = b;
    o->c = c;
    o->handling = k->handling;
    o->ns = ns;
    return code->nops++;
}

static uint32_t here(const Comp *k) { return k->c->nops; }

/* Emits a visible op that runs for the exception in `slot` (an __aexit__
 * called with it): a new exception it makes has that one as __context__. */
static void emit_handling(Comp *k, OpCode op, uint32_t stmt, uint32_t a, uint32_t b, uint32_t slot)
{
    uint32_t handling = k->handling;
    k->handling = slot;
    emit(k, op, true, stmt, a, b, 0, 0);
    k->handling = handling;
}

/* The op at pc i, for back-patching a jump. After an allocation failure
 * (k->ok false) emit returned 0 without an op, and ops may still be NULL:
 * patches then go to a scratch op instead of through a NULL pointer (found
 * by tests/oom). The compile result is discarded anyway. */
static Op *op_at(Comp *k, uint32_t i)
{
    if (!k->ok || i >= k->c->nops)
        return &k->scratch;
    return &k->c->ops[i];
}

/* Emits a jump whose target is patched later with the others of *chain:
 * until then its target field links to the previous jump of the chain.
 * (A try's handlers used to keep their jumps in a 64-entry array, so the
 * 64th clause on jumped nowhere: tests/conformance/cases/many_except_clauses.json) */
static void chain_jump(Comp *k, uint32_t *chain, uint32_t stmt)
{
    uint32_t j = emit(k, OP_JUMP, false, stmt, *chain, 0, 0, 0);
    if (k->ok)
        *chain = j;
}

/* Points every jump of the chain at target. */
static void patch_chain(Comp *k, uint32_t chain, uint32_t target)
{
    while (k->ok && chain != SIM_NONE) {
        Op *o = &k->c->ops[chain];
        chain = o->a;
        o->a = target;
    }
}

static uint32_t new_slot(Comp *k) { return k->c->nslots++; }

/* Closes ctx i's open range at the current pc (an entry tagged with its id). */
static void close_range(Comp *k, uint32_t i)
{
    Ctx *x = &k->ctx[i];
    if (here(k) > x->start) {
        Code *code = k->c;
        if (!GROW(k->s, code->exc, code->exc_cap, code->nexc + 1)) {
            k->ok = false;
            return;
        }
        code->exc[code->nexc++] = (ExcEntry){x->start, here(k), x->id, x->slot};
    }
    x->start = here(k);
}

/* Points every entry tagged `tag` at `handler`. Tags are >= 0x80000000. */
static void patch_tag(Comp *k, uint32_t tag, uint32_t handler)
{
    for (uint32_t i = 0; i < k->c->nexc; i++)
        if (k->c->exc[i].handler == tag)
            k->c->exc[i].handler = handler;
}

static bool push_ctx(Comp *k, CtxKind kind, uint32_t slot, uint32_t stmt)
{
    if (k->nctx >= MAX_CTX) {
        k->ok = false;
        return false;
    }
    Ctx *x = &k->ctx[k->nctx++];
    x->kind = kind;
    x->start = here(k);
    x->slot = slot;
    x->id = 0x80000000u + k->next_tag++;
    x->stmt = stmt;
    x->handling = k->handling;
    return true;
}

static void compile_block(Comp *k, Block b);

/* Emits the code that leaves context i normally (used by return). */
static void emit_exit(Comp *k, uint32_t i)
{
    const Program *p = k->s->prog;
    Ctx x = k->ctx[i];
    const Stmt *st = &p->stmts[x.stmt];
    uint32_t handling = k->handling;
    k->handling = x.handling; /* (a return leaves the except clauses inside ctx i) */
    switch (x.kind) {
    case CTX_FINALLY: {
        /* the finally body runs outside ctx i and everything inside it */
        uint32_t saved = k->nctx;
        Ctx save[MAX_CTX];
        memcpy(save + i, k->ctx + i, sizeof(Ctx) * (saved - i));
        k->nctx = i;
        compile_block(k, st->fin);
        memcpy(k->ctx + i, save + i, sizeof(Ctx) * (saved - i));
        k->nctx = saved;
        break;
    }
    case CTX_WITH:
        emit(k, OP_RELEASE, true, x.stmt, st->obj, 0, 0, 0);
        break;
    case CTX_GROUP: {
        uint32_t saved = k->nctx;
        k->nctx = i;
        emit(k, OP_TG_EXIT, true, x.stmt, st->var, 0, 0, 0);
        k->nctx = saved;
        break;
    }
    case CTX_TIMEOUT:
        emit(k, OP_TO_EXIT, true, x.stmt, x.slot2, 0, 0, 0);
        break;
    case CTX_EXC_AS:
        emit(k, OP_UNBIND, false, x.stmt, x.slot2, 0, 0, 0);
        break;
    case CTX_EXCEPT:
        break;
    }
    k->handling = handling;
}

static void compile_return(Comp *k, uint32_t sid)
{
    const Stmt *st = &k->s->prog->stmts[sid];
    if (k->nctx == 0) {
        emit(k, OP_RETURN, true, sid, st->expr, 0, 0, 0);
        return;
    }
    uint32_t rslot = new_slot(k);
    emit(k, OP_STASH_RET, true, sid, st->expr, rslot, 0, 0);
    for (uint32_t i = k->nctx; i-- > 0;) {
        close_range(k, i);
        emit_exit(k, i);
    }
    emit(k, OP_RET_STASHED, false, sid, rslot, 0, 0, 0);
    for (uint32_t i = 0; i < k->nctx; i++)
        k->ctx[i].start = here(k);
}

static void compile_stmt(Comp *k, uint32_t sid)
{
    const Program *p = k->s->prog;
    const Stmt *st = &p->stmts[sid];
    switch (st->kind) {
    case STMT_PRINT: emit(k, OP_PRINT, true, sid, 0, 0, 0, 0); break;
    case STMT_SLEEP: emit(k, OP_SLEEP, true, sid, 0, 0, 0, st->ns); break;
    case STMT_IO: emit(k, OP_IO, true, sid, 0, 0, 0, st->ns); break;
    case STMT_BLOCK: emit(k, OP_BLOCK, true, sid, 0, 0, 0, st->ns); break;
    case STMT_CALL: emit(k, OP_CALL, true, sid, 0, 0, 0, 0); break;
    case STMT_CREATE_TASK: emit(k, OP_CREATE_TASK, true, sid, 0, 0, 0, 0); break;
    case STMT_AWAIT: emit(k, OP_AWAIT, true, sid, 0, 0, 0, 0); break;
    case STMT_GATHER: emit(k, OP_GATHER, true, sid, 0, 0, 0, 0); break;
    case STMT_WAIT_FOR: emit(k, OP_WAIT_FOR, true, sid, 0, 0, 0, st->ns); break;
    case STMT_SHIELD: emit(k, OP_SHIELD, true, sid, 0, 0, 0, 0); break;
    case STMT_AS_COMPLETED: {
        uint32_t slot = new_slot(k); /* the AsComp's id */
        emit(k, OP_AC_START, true, sid, slot, 0, 0, st->ns);
        uint32_t top = emit(k, OP_AC_NEXT, true, sid, slot, st->as_var, 0, 0);
        compile_block(k, st->body);
        emit(k, OP_JUMP, false, sid, top, 0, 0, 0);
        op_at(k, top)->c = here(k);
        break;
    }
    case STMT_CANCEL: emit(k, OP_CANCEL, true, sid, 0, 0, 0, 0); break;
    case STMT_RETURN: compile_return(k, sid); break;
    case STMT_RAISE: emit(k, OP_RAISE, true, sid, 0, 0, 0, 0); break;
    case STMT_ASSIGN: emit(k, OP_ASSIGN, true, sid, 0, 0, 0, 0); break;
    case STMT_WAIT: emit(k, OP_EVENT_WAIT, true, sid, st->obj, 0, 0, 0); break;
    case STMT_SET: emit(k, OP_EVENT_SET, true, sid, st->obj, 0, 0, 0); break;
    case STMT_CLEAR: emit(k, OP_EVENT_CLEAR, true, sid, st->obj, 0, 0, 0); break;
    case STMT_PUT: emit(k, OP_PUT, true, sid, st->obj, 0, 0, 0); break;
    case STMT_GET: emit(k, OP_GET, true, sid, st->obj, 0, 0, 0); break;
    case STMT_TASK_DONE: emit(k, OP_TASK_DONE, true, sid, st->obj, 0, 0, 0); break;
    case STMT_JOIN: emit(k, OP_JOIN, true, sid, st->obj, 0, 0, 0); break;
    case STMT_REPEAT: {
        uint32_t counter = new_slot(k);
        emit(k, OP_LOOP_INIT, false, sid, counter, 0, 0, st->count);
        uint32_t top = emit(k, OP_LOOP_NEXT, true, sid, counter, st->as_var, 0, st->count);
        compile_block(k, st->body);
        emit(k, OP_JUMP, false, sid, top, 0, 0, 0);
        op_at(k, top)->c = here(k);
        break;
    }
    case STMT_WITH: {
        uint32_t slot = new_slot(k);
        emit(k, OP_ACQUIRE, true, sid, st->obj, 0, 0, 0);
        if (!push_ctx(k, CTX_WITH, slot, sid))
            return;
        compile_block(k, st->body);
        close_range(k, k->nctx - 1);
        Ctx x = k->ctx[--k->nctx];
        emit(k, OP_RELEASE, true, sid, st->obj, 0, 0, 0);
        uint32_t j = emit(k, OP_JUMP, false, sid, 0, 0, 0, 0);
        patch_tag(k, x.id, here(k));
        emit_handling(k, OP_RELEASE, sid, st->obj, 0, slot); /* __aexit__ runs for the body's exception */
        emit(k, OP_RERAISE, false, sid, slot, 0, 0, 0);
        op_at(k, j)->a = here(k);
        break;
    }
    case STMT_TASK_GROUP: {
        uint32_t slot = new_slot(k);
        emit(k, OP_TG_ENTER, true, sid, st->var, 0, 0, 0);
        if (!push_ctx(k, CTX_GROUP, slot, sid))
            return;
        compile_block(k, st->body);
        close_range(k, k->nctx - 1);
        Ctx x = k->ctx[--k->nctx];
        emit(k, OP_TG_EXIT, true, sid, st->var, 0, 0, 0);
        uint32_t j = emit(k, OP_JUMP, false, sid, 0, 0, 0, 0);
        patch_tag(k, x.id, here(k));
        emit_handling(k, OP_TG_EXIT_EXC, sid, st->var, slot, slot);
        op_at(k, j)->a = here(k);
        break;
    }
    case STMT_WITH_TIMEOUT: {
        uint32_t slot = new_slot(k), tslot = new_slot(k);
        emit(k, OP_TO_ENTER, true, sid, tslot, 0, 0, st->ns);
        if (!push_ctx(k, CTX_TIMEOUT, slot, sid))
            return;
        k->ctx[k->nctx - 1].slot2 = tslot;
        compile_block(k, st->body);
        close_range(k, k->nctx - 1);
        Ctx x = k->ctx[--k->nctx];
        emit(k, OP_TO_EXIT, true, sid, tslot, 0, 0, 0);
        uint32_t j = emit(k, OP_JUMP, false, sid, 0, 0, 0, 0);
        patch_tag(k, x.id, here(k));
        emit_handling(k, OP_TO_EXIT_EXC, sid, tslot, slot, slot);
        op_at(k, j)->a = here(k);
        break;
    }
    case STMT_TRY: {
        uint32_t fslot = SIM_NONE, eslot = SIM_NONE;
        if (st->has_finally) {
            fslot = new_slot(k);
            if (!push_ctx(k, CTX_FINALLY, fslot, sid))
                return;
        }
        if (st->handlers_count) {
            eslot = new_slot(k);
            if (!push_ctx(k, CTX_EXCEPT, eslot, sid))
                return;
        }
        compile_block(k, st->body);
        if (st->handlers_count) {
            close_range(k, k->nctx - 1);
            Ctx x = k->ctx[--k->nctx];
            uint32_t jumps = SIM_NONE; /* to the end, one a clause: any number */
            chain_jump(k, &jumps, sid);
            patch_tag(k, x.id, here(k));
            uint32_t handling = k->handling;
            k->handling = eslot; /* the clauses run handling it (sys.exc_info()) */
            for (uint32_t h = 0; h < st->handlers_count; h++) {
                const Handler *hd = &p->handlers[st->handlers_first + h];
                uint32_t m = emit(k, OP_EXC_MATCH, false, sid, eslot, hd->exc, 0, 0);
                emit(k, OP_EXC_BIND, true, sid, eslot, hd->as_var, h, 0);
                if (hd->as_var == PROG_NONE) {
                    compile_block(k, hd->body);
                } else {
                    uint32_t aslot = new_slot(k);
                    if (!push_ctx(k, CTX_EXC_AS, aslot, sid))
                        return;
                    k->ctx[k->nctx - 1].slot2 = hd->as_var;
                    compile_block(k, hd->body);
                    close_range(k, k->nctx - 1);
                    Ctx ax = k->ctx[--k->nctx];
                    emit(k, OP_UNBIND, false, sid, hd->as_var, 0, 0, 0);
                    uint32_t ja = emit(k, OP_JUMP, false, sid, 0, 0, 0, 0);
                    patch_tag(k, ax.id, here(k));
                    emit(k, OP_UNBIND, false, sid, hd->as_var, 0, 0, 0);
                    emit(k, OP_RERAISE, false, sid, aslot, 0, 0, 0);
                    op_at(k, ja)->a = here(k);
                }
                chain_jump(k, &jumps, sid);
                op_at(k, m)->c = here(k);
            }
            emit(k, OP_RERAISE, false, sid, eslot, 0, 0, 0);
            k->handling = handling;
            patch_chain(k, jumps, here(k));
        }
        if (st->has_finally) {
            close_range(k, k->nctx - 1);
            Ctx x = k->ctx[--k->nctx];
            compile_block(k, st->fin);
            uint32_t j = emit(k, OP_JUMP, false, sid, 0, 0, 0, 0);
            patch_tag(k, x.id, here(k));
            uint32_t handling = k->handling;
            k->handling = fslot; /* the finally run for an exception handles it */
            compile_block(k, st->fin);
            emit(k, OP_RERAISE, false, sid, fslot, 0, 0, 0);
            k->handling = handling;
            op_at(k, j)->a = here(k);
        }
        break;
    }
    default:
        emit(k, OP_NOP, false, sid, 0, 0, 0, 0);
        break;
    }
}

static void compile_block(Comp *k, Block b)
{
    const Program *p = k->s->prog;
    for (uint32_t i = 0; i < b.count && k->ok; i++)
        compile_stmt(k, p->block_items[b.first + i]);
}

static bool new_code(Sim *s, uint32_t idx, uint32_t coro)
{
    Code *c = &s->codes[idx];
    memset(c, 0, sizeof *c);
    c->coro = coro;
    return true;
}

bool interp__compile(Sim *s)
{
    const Program *p = s->prog;
    s->ncodes = p->ncoros + 2;
    s->codes = mem_calloc(s->ncodes, sizeof *s->codes);
    if (!s->codes)
        return false;
    Comp k;
    memset(&k, 0, sizeof k);
    k.s = s;
    k.ok = true;
    k.handling = SIM_NONE;
    for (uint32_t i = 0; i < p->ncoros && k.ok; i++) {
        new_code(s, i, i);
        k.c = &s->codes[i];
        k.coro = i;
        k.nctx = 0;
        k.c->nparams = p->coros[i].nparams;
        k.c->nslots = p->coros[i].nlocals;
        compile_block(&k, p->coros[i].body);
        emit(&k, OP_RETURN_NONE, false, SIM_NONE, 0, 0, 0, 0);
    }
    /* asyncio.sleep(d) wrapped in a task by gather / wait_for */
    s->code_sleep = p->ncoros;
    new_code(s, s->code_sleep, PROG_NONE);
    k.c = &s->codes[s->code_sleep];
    k.c->nslots = 1;
    emit(&k, OP_SLEEP_NS, false, SIM_NONE, 0, 0, 0, 0);
    emit(&k, OP_RETURN_NONE, false, SIM_NONE, 0, 0, 0, 0);
    /* shutdown_asyncgens / shutdown_default_executor: return at once */
    s->code_noop = p->ncoros + 1;
    new_code(s, s->code_noop, PROG_NONE);
    k.c = &s->codes[s->code_noop];
    emit(&k, OP_RETURN_NONE, false, SIM_NONE, 0, 0, 0, 0);
    return k.ok;
}

void interp__free_codes(Sim *s)
{
    if (!s->codes)
        return;
    for (uint32_t i = 0; i < s->ncodes; i++) {
        mem_free(s->codes[i].ops);
        mem_free(s->codes[i].exc);
    }
    mem_free(s->codes);
    s->codes = NULL;
}
