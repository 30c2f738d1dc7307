/* interp.c -- the coroutine interpreter: runs one task's step, op by op.
 *
 * interp__run is Task.__step (tasks.py): it handles _must_cancel, throws an
 * exception into the coroutine or resumes it, and runs until the coroutine
 * awaits a pending future, yields bare (sleep(0)), returns or raises. It
 * stops after each *visible* op (a user's statement), so each statement is
 * its own micro-step; the scheduler calls it again to go on.
 *
 * An op that suspends keeps its frame's pc and a `phase` > 0; when the task
 * is resumed the same op runs its resumption half (the code after `await`
 * in the library coroutine it models: sleep's `finally: h.cancel()`,
 * Lock.acquire's waiter removal, wait_for's timeout logic, ...). Every block
 * below is headed with the CPython source it models.
 *
 * Suspending is narrated as REGISTER (stage 4: what is awaited got
 * registered) then SUSPEND (stage 5: add_done_callback(__wakeup), back to
 * the loop).
 *
 * Depends on: core_int.h, task.c, value.c, record.c.  Used by: sim.c.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

enum { R_CONT, R_VIS, R_SUSP, R_DONE, R_ABORT };

#define TSK(id) (&s->st.tasks[(id)])
#define FRM(id) (&s->st.frames[(id)])

static Value *slot_at(Sim *s, uint32_t frame, uint32_t i)
{
    return &s->st.slots[s->st.frames[frame].slots + i];
}

static Value v_none(void) { Value v = {0}; v.type = V_NONE; return v; }
static Value v_bool(bool b) { Value v = {0}; v.type = V_BOOL; v.u.i = b; return v; }
static Value v_int(int64_t i) { Value v = {0}; v.type = V_INT; v.u.i = i; return v; }
static Value v_id(uint32_t type, uint32_t id) { Value v = {0}; v.type = type; v.id = id; return v; }

/* ---- frames ---------------------------------------------------------------- */

uint32_t frame__new(Sim *s, uint32_t code, uint32_t parent)
{
    SimState *st = &s->st;
    uint32_t f = TAKE(s, st->frames, st->nframes, st->frames_cap, st->frames_free, Frame, next_free);
    if (f == SIM_NONE)
        return SIM_NONE;
    uint32_t n = s->codes[code].nslots;
    uint32_t base;
    if (n && st->slots_free[code] != SIM_NONE) {
        base = st->slots_free[code];
        st->slots_free[code] = st->slots[base].id;
    } else {
        if (!GROW(s, st->slots, st->slots_cap, st->nslots + n)) {
            st->frames[f].next_free = st->frames_free;
            st->frames_free = f;
            return SIM_NONE;
        }
        base = st->nslots;
        st->nslots += n;
    }
    for (uint32_t i = 0; i < n; i++)
        memset(&st->slots[base + i], 0, sizeof(Value));
    Frame *fr = &st->frames[f];
    memset(fr, 0, sizeof *fr);
    fr->code = code;
    fr->parent = parent;
    fr->slots = base;
    fr->next_free = SIM_NONE;
    for (int i = 0; i < 4; i++)
        fr->r[i] = SIM_NONE;
    return f;
}

void frame__free(Sim *s, uint32_t f)
{
    SimState *st = &s->st;
    Frame *fr = &st->frames[f];
    uint32_t code = fr->code;
    if (s->codes[code].nslots) {
        st->slots[fr->slots].id = st->slots_free[code];
        st->slots_free[code] = fr->slots;
    }
    fr->next_free = st->frames_free;
    st->frames_free = f;
}

/* ---- narration --------------------------------------------------------------- */

static uint32_t narrate_exec(Sim *s, uint32_t task, const Op *op)
{
    TSK(task)->stmt = op->stmt;
    return rec__step(s, STAGE_EXECUTE, STEP_EXEC, task, SIM_NONE, op->stmt, SIM_NONE,
                     s->st.exec_cause, 0, 0);
}

static const Stmt *stmt_of(const Sim *s, const Op *op)
{
    return op->stmt == SIM_NONE ? NULL : &s->prog->stmts[op->stmt];
}

/* ---- exceptions ---------------------------------------------------------------- */

static uint32_t new_exc_msg(Sim *s, ExcType t, const char *msg)
{
    uint32_t m = msg ? val__new_str(s, msg, strlen(msg)) : SIM_NONE;
    return val__new_exc(s, t, m, SIM_NONE);
}

static bool is_cancel(const Sim *s, uint32_t exc)
{
    return exc != SIM_NONE && s->st.excs[exc].type == EXC_CANCELLED;
}

/* The task's coroutine is over: set its future (Task.__step's epilogue). */
static int finish_task(Sim *s, uint32_t task, bool ok, Value v, uint32_t exc)
{
    Task *t = TSK(task);
    t->frame = SIM_NONE;
    uint8_t end;
    if (ok)
        end = t->must_cancel ? TASK_END_CANCELLED : TASK_END_RESULT;
    else
        end = is_cancel(s, exc) ? TASK_END_CANCELLED : TASK_END_RAISED;
    uint32_t step = rec__step(s, STAGE_SUSPEND, STEP_TASK_END, task, SIM_NONE, SIM_NONE,
                              exc, s->st.exec_cause, end, 0);
    if (task < s->rec.ntasks) {
        s->rec.tasks[task].ended = step;
        s->rec.tasks[task].end = end;
    }
    rec__task_span_close(s, task);
    t = TSK(task);
    t->wait = WAIT_NONE;
    t->fut_waiter = SIM_NONE;
    uint32_t fut = t->fut;
    if (ok) {
        if (t->must_cancel) {
            t->must_cancel = false;
            fut__cancel_plain(s, fut, step);
        } else {
            fut__set_result(s, fut, v, step);
        }
    } else if (is_cancel(s, exc)) {
        fut__cancel_plain(s, fut, step);
        s->st.futs[fut].exc = exc; /* self._cancelled_exc = exc */
    } else {
        fut__set_exception(s, fut, exc, step);
    }
    if (task == s->st.main_task && !ok)
        s->st.main_exc = exc;
    return R_DONE;
}

/* Raises `exc` at the current pc of the task's innermost frame: jumps to the
 * innermost handler, unwinding frames (and finishing the task) as needed. */
static int do_raise(Sim *s, uint32_t task, uint32_t exc)
{
    for (;;) {
        uint32_t f = TSK(task)->frame;
        Frame *fr = FRM(f);
        const Code *c = &s->codes[fr->code];
        for (uint32_t i = 0; i < c->nexc; i++) {
            const ExcEntry *e = &c->exc[i];
            if (fr->pc >= e->start && fr->pc < e->end) {
                *slot_at(s, f, e->slot) = v_id(V_EXC, exc);
                fr->pc = e->handler;
                fr->phase = 0;
                return R_CONT;
            }
        }
        uint32_t parent = fr->parent;
        frame__free(s, f);
        if (parent == SIM_NONE)
            return finish_task(s, task, false, v_none(), exc);
        TSK(task)->frame = parent;
        TSK(task)->depth--;
        FRM(parent)->phase = 0;
    }
}

static int raise_new(Sim *s, uint32_t task, ExcType t, const char *msg)
{
    uint32_t e = new_exc_msg(s, t, msg);
    if (e == SIM_NONE)
        return R_ABORT;
    return do_raise(s, task, e);
}

/* Raises UnboundLocalError for local `slot` of frame f, with CPython 3.11's
 * message (ceval.c, UNBOUNDLOCAL_ERROR_MSG). */
static int raise_unbound(Sim *s, uint32_t task, uint32_t f, uint32_t slot)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "cannot access local variable '%s' where it is not associated with a value",
             slot == SIM_NONE ? "?" : prog_local_name(s->prog, s->codes[FRM(f)->code].coro, slot));
    return raise_new(s, task, EXC_UNBOUND_LOCAL, msg);
}

/* Returns `v` from the innermost frame to its caller (or ends the task). */
static int do_return(Sim *s, uint32_t task, Value v)
{
    uint32_t f = TSK(task)->frame;
    uint32_t parent = FRM(f)->parent;
    frame__free(s, f);
    if (parent == SIM_NONE)
        return finish_task(s, task, true, v, SIM_NONE);
    TSK(task)->frame = parent;
    TSK(task)->depth--;
    Frame *pf = FRM(parent);
    const Op *op = &s->codes[pf->code].ops[pf->pc];
    const Stmt *st = stmt_of(s, op);
    if (st && st->as_var != PROG_NONE)
        *slot_at(s, parent, st->as_var) = v;
    pf->phase = 0;
    pf->pc++;
    return R_CONT;
}

/* ---- expressions ----------------------------------------------------------------- */

/* Evaluates expression `e` in frame f. On an unbound variable raises
 * UnboundLocalError and returns false with *r set. */
static bool eval(Sim *s, uint32_t task, uint32_t f, uint32_t e, Value *out, int *r)
{
    if (e == PROG_NONE) {
        *out = v_none();
        return true;
    }
    const Expr *x = &s->prog->exprs[e];
    switch (x->kind) {
    case EXPR_NONE: *out = v_none(); return true;
    case EXPR_BOOL: *out = v_bool(x->b); return true;
    case EXPR_INT: *out = v_int(x->i); return true;
    case EXPR_FLOAT: {
        Value v = {0};
        v.type = V_FLOAT;
        v.u.f = x->f;
        *out = v;
        return true;
    }
    case EXPR_STR: {
        if (!strchr(prog_s(s->prog, x->str), '{') && !strchr(prog_s(s->prog, x->str), '}')) {
            *out = v_id(V_PSTR, x->str);
            return true;
        }
        bool unbound = false;
        uint32_t bad = SIM_NONE;
        uint32_t id = val__template(s, x->str, f, FRM(f)->code, &unbound, &bad);
        if (unbound) {
            char msg[160];
            const Code *c = &s->codes[FRM(f)->code];
            snprintf(msg, sizeof msg,
                     "cannot access local variable '%s' where it is not associated with a value",
                     bad == SIM_NONE ? "?" : prog_local_name(s->prog, c->coro, bad));
            *r = raise_new(s, task, EXC_UNBOUND_LOCAL, msg);
            return false;
        }
        if (id == SIM_NONE) {
            *r = R_ABORT;
            return false;
        }
        *out = v_id(V_STR, id);
        return true;
    }
    case EXPR_VAR: {
        Value v = *slot_at(s, f, x->var);
        if (v.type == V_UNBOUND) {
            char msg[160];
            const Code *c = &s->codes[FRM(f)->code];
            snprintf(msg, sizeof msg,
                     "cannot access local variable '%s' where it is not associated with a value",
                     prog_local_name(s->prog, c->coro, x->var));
            *r = raise_new(s, task, EXC_UNBOUND_LOCAL, msg);
            return false;
        }
        *out = v;
        return true;
    }
    case EXPR_LIST: {
        Value items[64];
        Value *buf = x->count <= 64 ? items : mem_malloc(x->count * sizeof(Value));
        if (!buf) {
            sim__fail_nomem(s);
            *r = R_ABORT;
            return false;
        }
        for (uint32_t i = 0; i < x->count; i++) {
            if (!eval(s, task, f, s->prog->expr_refs[x->first + i], &buf[i], r)) {
                if (buf != items)
                    mem_free(buf);
                return false;
            }
        }
        uint32_t id = val__new_list(s, buf, x->count);
        if (buf != items)
            mem_free(buf);
        if (id == SIM_NONE) {
            *r = R_ABORT;
            return false;
        }
        *out = v_id(V_LIST, id);
        return true;
    }
    }
    *out = v_none();
    return true;
}

static bool eval_args(Sim *s, uint32_t task, uint32_t f, uint32_t first, uint32_t n, Value *out,
                      int *r)
{
    for (uint32_t i = 0; i < n; i++)
        if (!eval(s, task, f, s->prog->expr_refs[first + i], &out[i], r))
            return false;
    return true;
}

/* ---- awaiting ------------------------------------------------------------------------ */

static int await_self(Sim *s, uint32_t task, uint32_t cause);

/* The task awaits pending future `fut`: narrate REGISTER + SUSPEND, add the
 * wakeup callback, and apply a pending self-cancel (Task.__step). */
static int suspend_on(Sim *s, uint32_t task, uint32_t fut, WaitKind w, uint32_t obj,
                      uint32_t handle, VTime deadline, uint32_t cause)
{
    if (fut == TSK(task)->fut)
        return await_self(s, task, cause);
    uint32_t stmt = TSK(task)->stmt;
    uint32_t reg = rec__step(s, STAGE_REGISTER, STEP_REGISTER, task, handle, stmt, obj, cause,
                             (uint8_t)w, deadline);
    fut__add_cb(s, fut, H_TASK_WAKEUP, task);
    TSK(task)->fut_waiter = fut;
    rec__step(s, STAGE_SUSPEND, STEP_SUSPEND, task, handle, stmt, obj, reg, (uint8_t)w, 0);
    task__set_wait(s, task, w, obj, handle);
    rec__task_span(s, task, SPAN_WAITING, w);
    if (TSK(task)->must_cancel) {
        if (fut__cancel(s, fut, reg))
            TSK(task)->must_cancel = false;
    }
    return R_SUSP;
}

/* A bare yield: the step re-queues itself (sleep(0), tasks.__sleep0). */
static int bare_yield(Sim *s, uint32_t task, uint32_t cause)
{
    uint32_t stmt = TSK(task)->stmt;
    rec__step(s, STAGE_SUSPEND, STEP_SUSPEND, task, SIM_NONE, stmt, SIM_NONE, cause,
              WAIT_READY, 0);
    task__set_wait(s, task, WAIT_READY, SIM_NONE, SIM_NONE);
    uint32_t h = rec__handle(s, H_TASK_STEP, task, TSK(task)->fut, SIM_NONE, stmt, false);
    if (h == SIM_NONE)
        return R_ABORT;
    loop__call_soon(s, h);
    return R_SUSP;
}

/* The task awaits its own Task (reachable through a Queue): Task.__step's
 * `if result is self` queues __step(RuntimeError(...)) with call_soon and
 * neither waits nor touches fut_waiter; the error is thrown in at the await
 * on the next step (cases/self_await.json). The step handle carries the
 * exception in HandleInfo.other. Python's message ends with the task's
 * repr, which names the source file: that part is only approximated. */
static int await_self(Sim *s, uint32_t task, uint32_t cause)
{
    char msg[256];
    uint32_t coro = task < s->rec.ntasks ? s->rec.tasks[task].coro : SIM_NONE;
    snprintf(msg, sizeof msg, "Task cannot await on itself: <Task pending name='%s' coro=<%s() running>>",
             task < s->rec.ntasks ? rec_text(&s->rec, s->rec.tasks[task].name) : "?",
             coro != SIM_NONE ? prog_s(s->prog, s->prog->coros[coro].name) : "?");
    uint32_t e = new_exc_msg(s, EXC_RUNTIME, msg);
    if (e == SIM_NONE)
        return R_ABORT;
    uint32_t stmt = TSK(task)->stmt;
    rec__step(s, STAGE_SUSPEND, STEP_SUSPEND, task, SIM_NONE, stmt, SIM_NONE, cause,
              WAIT_READY, 0);
    task__set_wait(s, task, WAIT_READY, SIM_NONE, SIM_NONE);
    uint32_t h = rec__handle(s, H_TASK_STEP, task, TSK(task)->fut, e, stmt, false);
    if (h == SIM_NONE)
        return R_ABORT;
    loop__call_soon(s, h);
    return R_SUSP;
}

/* asyncio.sleep(d) / the I/O read: a future and a timer; phase 1 on resume. */
static int start_sleep(Sim *s, uint32_t task, uint32_t f, VTime ns, bool io, uint32_t cause)
{
    if (ns <= 0 && !io) {
        FRM(f)->phase = 1;
        FRM(f)->r[0] = SIM_NONE;
        return bare_yield(s, task, cause);
    }
    uint32_t fut = fut__new(s);
    if (fut == SIM_NONE)
        return R_ABORT;
    uint32_t stmt = TSK(task)->stmt;
    uint32_t h = rec__handle(s, io ? H_IO_DONE : H_SLEEP_DONE, task, fut, SIM_NONE, stmt, true);
    if (h == SIM_NONE)
        return R_ABORT;
    uint32_t tm = loop__call_later(s, ns, h);
    if (tm == SIM_NONE)
        return R_ABORT;
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = tm;
    fr->r[1] = fut;
    fr->r[2] = h;
    return suspend_on(s, task, fut, io ? WAIT_IO : WAIT_TIMER, SIM_NONE, h, s->st.now + ns, cause);
}

/* Fills template `text` with frame f's locals into the Sim's scratch buffer
 * (*out). R_CONT when done; an unbound local raises UnboundLocalError in
 * the task (what that returns, R_CONT made R_VIS); R_ABORT out of memory. */
static int fill_template(Sim *s, uint32_t task, uint32_t f, uint32_t text, SBuf **out)
{
    SBuf *b = core__scratch(s);
    uint32_t bad = SIM_NONE;
    *out = b;
    if (!val__template_buf(s, text, f, FRM(f)->code, b, &bad)) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "cannot access local variable '%s' where it is not associated with a value",
                 bad == SIM_NONE ? "?" : prog_local_name(s->prog, s->codes[FRM(f)->code].coro, bad));
        int r = raise_new(s, task, EXC_UNBOUND_LOCAL, msg);
        return r == R_CONT ? R_VIS : r;
    }
    if (b->oom) {
        sim__fail_nomem(s);
        return R_ABORT;
    }
    return R_CONT;
}

/* io_read(d, f"label"): the label is an argument, so it is evaluated first
 * (an unbound variable in it raises before any I/O starts). The text, with
 * its variables filled in, is kept with the I/O's handle (HandleInfo.other)
 * for the waiting set and the narration. A 0-second read is exported as
 * asyncio.sleep(0), a bare yield, so it is one here too. */
static int op_io(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    uint32_t label = SIM_NONE;
    if (st->text != PROG_NONE) {
        SBuf *b;
        int r = fill_template(s, task, f, st->text, &b);
        if (r != R_CONT)
            return r;
        bool fresh = s->st.nhandles_rec >= s->rec.nhandles; /* not a replay */
        if (fresh && op->ns > 0) {
            label = rec__text(s, b->p ? b->p : "", b->n);
            if (label == SIM_NONE)
                return R_ABORT;
        }
    }
    uint32_t first = s->st.nhandles_rec;
    int r = start_sleep(s, task, f, op->ns, op->ns > 0, cause);
    if (label != SIM_NONE && first < s->rec.nhandles && s->rec.handles[first].kind == H_IO_DONE)
        s->rec.handles[first].other = label;
    return r;
}

static int resume_sleep(Sim *s, uint32_t task, uint32_t f, uint32_t exc)
{
    Frame *fr = FRM(f);
    loop__timer_cancel(s, fr->r[0], fr->r[2]); /* finally: h.cancel() */
    fr->phase = 0;
    if (exc != SIM_NONE)
        return do_raise(s, task, exc);
    fr->pc++;
    return R_CONT;
}

/* Pushes a frame for coroutine `coro` called with the statement's args. */
static int do_call(Sim *s, uint32_t task, uint32_t f, uint32_t coro, uint32_t args_first,
                   uint32_t nargs, uint8_t phase)
{
    Value args[64];
    int r = R_CONT;
    if (nargs > 64)
        nargs = 64;
    if (!eval_args(s, task, f, args_first, nargs, args, &r))
        return r;
    if (TSK(task)->depth >= s->limits.max_depth) {
        s->rec.limit = LIMIT_DEPTH;
        s->st.outcome = SIM_LIMIT;
        return R_ABORT;
    }
    uint32_t nf = frame__new(s, coro, f);
    if (nf == SIM_NONE)
        return R_ABORT;
    for (uint32_t i = 0; i < nargs; i++)
        *slot_at(s, nf, i) = args[i];
    FRM(f)->phase = phase;
    TSK(task)->frame = nf;
    TSK(task)->depth++;
    return R_VIS;
}

/* `await v` on a value that is not awaitable: TypeError naming its type
 * (genobject.c, _PyCoro_GetAwaitableIter via ceval.c format_awaitable_error). */
static int raise_not_awaitable(Sim *s, uint32_t task, Value v)
{
    char msg[128];
    snprintf(msg, sizeof msg, "object %s can't be used in 'await' expression",
             val__type_name(s, v));
    return raise_new(s, task, EXC_TYPE, msg);
}

/* ensure_future(aw): the task of an awaitable (creating one for a call or a
 * sleep). A call's arguments are `args` when the caller evaluated them
 * already (NULL: evaluate them now). Returns the future, or SIM_NONE with *r
 * set (raised/aborted). */
static uint32_t ensure_future(Sim *s, uint32_t task, uint32_t f, const Awaitable *aw,
                              const Value *args, int *r)
{
    if (aw->kind == AW_TASK) {
        Value v = *slot_at(s, f, aw->var);
        if (v.type != V_TASK) {
            *r = raise_new(s, task, EXC_TYPE,
                           "An asyncio.Future, a coroutine or an awaitable is required");
            return SIM_NONE;
        }
        return TSK(v.id)->fut;
    }
    uint32_t t;
    if (aw->kind == AW_CALL) {
        Value own[64];
        uint32_t n = aw->nargs > 64 ? 64 : aw->nargs;
        if (!args) {
            if (!eval_args(s, task, f, aw->args_first, n, own, r))
                return SIM_NONE;
            args = own;
        }
        t = task__new(s, TK_CORO, aw->coro, args, n, SIM_NONE, 0, TSK(task)->stmt);
    } else {
        Value arg = v_int(aw->ns);
        t = task__new(s, TK_SLEEP, s->code_sleep, &arg, 1, SIM_NONE, aw->ns, TSK(task)->stmt);
    }
    if (t == SIM_NONE) {
        *r = R_ABORT;
        return SIM_NONE;
    }
    return TSK(t)->fut;
}

/* Stores fut.result() in the statement's `as` variable, or raises. */
static int take_result(Sim *s, uint32_t task, uint32_t f, uint32_t fut, uint32_t as_var)
{
    Value v;
    uint32_t exc = SIM_NONE;
    if (!fut__result(s, fut, &v, &exc))
        return do_raise(s, task, exc);
    if (as_var != PROG_NONE)
        *slot_at(s, f, as_var) = v;
    FRM(f)->pc++;
    return R_CONT;
}

/* `await v` where v is a task variable's value: a non-task raises
 * TypeError, a done task gives its result (or raises) at once: what that
 * returns, with R_CONT made R_VIS. R_CONT means the task is pending: its
 * future is in *fut, for the caller to suspend on. */
static int await_task_value(Sim *s, uint32_t task, uint32_t f, Value v, uint32_t as_var,
                            uint32_t *fut)
{
    int r;
    *fut = SIM_NONE;
    if (v.type != V_TASK) {
        r = raise_not_awaitable(s, task, v);
        return r == R_CONT ? R_VIS : r;
    }
    *fut = TSK(v.id)->fut;
    if (fut__done(s, *fut)) {
        r = take_result(s, task, f, *fut, as_var);
        return r == R_CONT ? R_VIS : r;
    }
    return R_CONT;
}

/* ---- deques of waiter futures ------------------------------------------------------- */

static void dq_push(Sim *s, Deque *d_unused, uint32_t obj, int which, uint32_t fut)
{
    (void)d_unused;
    SimState *st = &s->st;
    uint32_t n = TAKE(s, st->wnodes, st->nwnodes, st->wnodes_cap, st->wnodes_free, WNode, next);
    if (n == SIM_NONE)
        return;
    st->wnodes[n].fut = fut;
    st->wnodes[n].next = SIM_NONE;
    ObjState *o = &st->objs[obj];
    Deque *d = which == 0 ? &o->waiters : which == 1 ? &o->putters : &o->fin_waiters;
    if (d->tail == SIM_NONE)
        d->head = n;
    else
        st->wnodes[d->tail].next = n;
    d->tail = n;
}

static Deque *dq_of(Sim *s, uint32_t obj, int which)
{
    ObjState *o = &s->st.objs[obj];
    return which == 0 ? &o->waiters : which == 1 ? &o->putters : &o->fin_waiters;
}

/* deque.remove(fut): removes the first node holding fut, if any. */
static void dq_remove(Sim *s, uint32_t obj, int which, uint32_t fut)
{
    SimState *st = &s->st;
    Deque *d = dq_of(s, obj, which);
    uint32_t prev = SIM_NONE, n = d->head;
    while (n != SIM_NONE) {
        if (st->wnodes[n].fut == fut) {
            uint32_t next = st->wnodes[n].next;
            if (prev == SIM_NONE)
                d->head = next;
            else
                st->wnodes[prev].next = next;
            if (d->tail == n)
                d->tail = prev;
            st->wnodes[n].next = st->wnodes_free;
            st->wnodes_free = n;
            return;
        }
        prev = n;
        n = st->wnodes[n].next;
    }
}

static uint32_t dq_popleft(Sim *s, uint32_t obj, int which)
{
    SimState *st = &s->st;
    Deque *d = dq_of(s, obj, which);
    uint32_t n = d->head;
    if (n == SIM_NONE)
        return SIM_NONE;
    d->head = st->wnodes[n].next;
    if (d->head == SIM_NONE)
        d->tail = SIM_NONE;
    uint32_t fut = st->wnodes[n].fut;
    st->wnodes[n].next = st->wnodes_free;
    st->wnodes_free = n;
    return fut;
}

/* Event.set's loop / Lock._wake_up_first / Semaphore._wake_up_next, by mode. */
static void event_set_all(Sim *s, uint32_t obj, int which, uint32_t cause)
{
    uint32_t n = dq_of(s, obj, which)->head;
    while (n != SIM_NONE) {
        uint32_t fut = s->st.wnodes[n].fut;
        uint32_t next = s->st.wnodes[n].next;
        if (!fut__done(s, fut))
            fut__set_result(s, fut, v_bool(true), cause);
        n = next;
    }
}

static void lock_wake_first(Sim *s, uint32_t obj, uint32_t cause)
{
    uint32_t n = s->st.objs[obj].waiters.head;
    if (n == SIM_NONE)
        return;
    uint32_t fut = s->st.wnodes[n].fut;
    if (!fut__done(s, fut))
        fut__set_result(s, fut, v_bool(true), cause);
}

static void sem_wake_next(Sim *s, uint32_t obj, uint32_t cause)
{
    uint32_t n = s->st.objs[obj].waiters.head;
    while (n != SIM_NONE) {
        uint32_t fut = s->st.wnodes[n].fut;
        if (!fut__done(s, fut)) {
            s->st.objs[obj].value--;
            fut__set_result(s, fut, v_bool(true), cause);
            return;
        }
        n = s->st.wnodes[n].next;
    }
}

/* queues.Queue._wakeup_next */
static void queue_wakeup_next(Sim *s, uint32_t obj, int which, uint32_t cause)
{
    for (;;) {
        uint32_t fut = dq_popleft(s, obj, which);
        if (fut == SIM_NONE)
            return;
        if (!fut__done(s, fut)) {
            fut__set_result(s, fut, v_none(), cause);
            return;
        }
    }
}

static bool queue_full(const Sim *s, uint32_t obj)
{
    const ObjState *o = &s->st.objs[obj];
    return o->value > 0 && o->nitems >= o->value;
}

/* ---- the ops ----------------------------------------------------------------------- */

static int op_print(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    narrate_exec(s, task, op);
    SBuf *b;
    int r = fill_template(s, task, f, stmt_of(s, op)->text, &b);
    if (r != R_CONT)
        return r;
    rec__line(s, task, b->p ? b->p : "", b->n);
    FRM(f)->pc++;
    return R_VIS;
}

static int gather_start(Sim *s, uint32_t task, uint32_t f, const Stmt *st, const Value *vals,
                        uint32_t cause);

/* Op: GATHER -- tasks.gather(*aws, return_exceptions=...) then await it. */
static int op_gather(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    int r = R_CONT;
    if (st->aw_count == 0) {
        uint32_t lid = val__new_list(s, NULL, 0);
        if (lid == SIM_NONE)
            return R_ABORT;
        if (st->as_var != PROG_NONE)
            *slot_at(s, f, st->as_var) = v_id(V_LIST, lid);
        FRM(f)->pc++;
        return R_VIS;
    }
    /* Python evaluates every argument of gather(...) -- the arguments of
     * its coroutine calls included -- before gather creates any task. */
    uint32_t nvals = 0;
    for (uint32_t i = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        if (aw->kind == AW_CALL)
            nvals += aw->nargs > 64 ? 64 : aw->nargs;
    }
    Value *vals = nvals ? mem_malloc(nvals * sizeof *vals) : NULL;
    if (nvals && !vals) {
        sim__fail_nomem(s);
        return R_ABORT;
    }
    for (uint32_t i = 0, off = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        uint32_t n = aw->nargs > 64 ? 64 : aw->nargs;
        if (aw->kind != AW_CALL || n == 0)
            continue;
        if (!eval_args(s, task, f, aw->args_first, n, vals + off, &r)) {
            mem_free(vals);
            return r == R_CONT ? R_VIS : r;
        }
        off += n;
    }
    r = gather_start(s, task, f, st, vals, cause);
    mem_free(vals);
    return r;
}

/* The body of tasks.gather once its arguments are evaluated (`vals`: the
 * call awaitables' arguments, in order), then the await of its future. */
static int gather_start(Sim *s, uint32_t task, uint32_t f, const Stmt *st, const Value *vals,
                        uint32_t cause)
{
    SimState *sst = &s->st;
    int r = R_CONT;
    uint32_t outer = fut__new(s);
    if (outer == SIM_NONE || !GROW(s, sst->gathers, sst->gathers_cap, sst->ngathers + 1) ||
        !GROW(s, sst->gchild, sst->gchild_cap, sst->ngchild + st->aw_count))
        return R_ABORT;
    uint32_t g = sst->ngathers++;
    Gather *gr = &sst->gathers[g];
    memset(gr, 0, sizeof *gr);
    gr->outer = outer;
    gr->children = sst->ngchild;
    gr->nchildren = 0;
    gr->return_exceptions = st->flag;
    sst->ngchild += st->aw_count;
    sst->futs[outer].owner_kind = FUT_OWN_GATHER;
    sst->futs[outer].owner = g;
    for (uint32_t i = 0, off = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        uint32_t fut = SIM_NONE;
        if (aw->kind == AW_TASK && slot_at(s, f, aw->var)->type == V_LIST) {
            /* `if arg not in arg_to_fut` hashes the argument first */
            r = raise_new(s, task, EXC_TYPE, "unhashable type: 'list'");
        } else {
            fut = ensure_future(s, task, f, aw, aw->kind == AW_CALL && vals ? vals + off : NULL,
                                &r);
            if (aw->kind == AW_CALL)
                off += aw->nargs > 64 ? 64 : aw->nargs;
        }
        if (fut == SIM_NONE) {
            /* gather raised before making its outer future: the done
             * callbacks already added see `outer is None` and do nothing */
            if (r != R_ABORT)
                sst->futs[outer].state = FUT_CANCELLED;
            return r == R_CONT ? R_VIS : r;
        }
        gr = &sst->gathers[g];
        bool dup = false;
        for (uint32_t j = 0; j < gr->nchildren; j++)
            if (sst->gchild[gr->children + j] == fut)
                dup = true;
        sst->gchild[gr->children + gr->nchildren++] = fut;
        if (!dup) {
            gr->nfuts++;
            fut__add_cb(s, fut, H_GATHER_DONE, g);
        }
    }
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = outer;
    return suspend_on(s, task, outer, WAIT_GATHER, g, SIM_NONE, 0, cause);
}

/* _cancel_and_wait(fut): a new waiter released by fut's completion. */
static int cancel_and_wait(Sim *s, uint32_t task, uint32_t f, uint32_t fut, uint8_t phase,
                           uint32_t cause)
{
    uint32_t w2 = fut__new(s);
    if (w2 == SIM_NONE)
        return R_ABORT;
    fut__add_cb(s, fut, H_RELEASE_WAITER, w2);
    FRM(f)->r[3] = w2;
    FRM(f)->phase = phase;
    fut__cancel(s, fut, cause);
    uint32_t ft = fut_task(&s->st.futs[fut]);
    return suspend_on(s, task, w2, WAIT_WAIT_FOR, ft, SIM_NONE, 0, cause);
}

/* Op: WAIT_FOR -- tasks.wait_for (3.11.7), phase by phase:
 *   1 awaiting the waiter (timeout timer or the inner future's completion)
 *   2 _cancel_and_wait after our own cancellation, then re-raise it
 *   3 _cancel_and_wait after the timeout, then result or TimeoutError
 *   5 timeout <= 0: _cancel_and_wait, then result or TimeoutError
 *   6 timeout=None and a task: a plain await
 *   7 timeout=None and sleep: a plain sleep
 *   (timeout=None and a call: the callee frame runs inline; do_return ends it) */
static int op_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    const Awaitable *aw = &s->prog->aws[st->aw_first];
    int r = R_CONT;
    if (st->flag) { /* timeout=None: return await aw */
        if (aw->kind == AW_CALL)
            return do_call(s, task, f, aw->coro, aw->args_first, aw->nargs, 8);
        if (aw->kind == AW_SLEEP) {
            FRM(f)->phase = 7;
            r = start_sleep(s, task, f, aw->ns, false, cause);
            FRM(f)->phase = 7;
            return r;
        }
        uint32_t fut; /* `return await fut` */
        r = await_task_value(s, task, f, *slot_at(s, f, aw->var), st->as_var, &fut);
        if (r != R_CONT)
            return r;
        FRM(f)->phase = 6;
        FRM(f)->r[2] = fut;
        return suspend_on(s, task, fut, WAIT_TASK, fut_task(&s->st.futs[fut]), SIM_NONE, 0, cause);
    }
    if (op->ns <= 0) {
        uint32_t fut = ensure_future(s, task, f, aw, NULL, &r);
        if (fut == SIM_NONE)
            return r == R_CONT ? R_VIS : r;
        FRM(f)->r[2] = fut;
        if (fut__done(s, fut)) {
            r = take_result(s, task, f, fut, st->as_var);
            return r == R_CONT ? R_VIS : r;
        }
        return cancel_and_wait(s, task, f, fut, 5, cause);
    }
    /* wait_for(c(args), timeout=d): the call's arguments are evaluated
     * before wait_for runs, so before its timeout timer exists. */
    Value args[64];
    uint32_t nargs = aw->nargs > 64 ? 64 : aw->nargs;
    if (aw->kind == AW_CALL && !eval_args(s, task, f, aw->args_first, nargs, args, &r))
        return r == R_CONT ? R_VIS : r;
    uint32_t w = fut__new(s);
    if (w == SIM_NONE)
        return R_ABORT;
    uint32_t h = rec__handle(s, H_RELEASE_WAITER, task, w, SIM_NONE, op->stmt, true);
    if (h == SIM_NONE)
        return R_ABORT;
    uint32_t tm = loop__call_later(s, op->ns, h);
    if (tm == SIM_NONE)
        return R_ABORT;
    uint32_t reg = rec__step(s, STAGE_REGISTER, STEP_REGISTER, task, h, op->stmt, SIM_NONE,
                             cause, WAIT_TIMER, s->st.now + op->ns);
    /* ensure_future raising TypeError leaves timeout_handle scheduled: it
     * is created outside wait_for's try/finally (cases/await_non_task.json) */
    uint32_t fut = ensure_future(s, task, f, aw, args, &r);
    if (fut == SIM_NONE)
        return r == R_CONT ? R_VIS : r;
    fut__add_cb(s, fut, H_RELEASE_WAITER, w);
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = w;
    fr->r[1] = tm;
    fr->r[2] = fut;
    fr->r[4] = h;
    return suspend_on(s, task, w, WAIT_WAIT_FOR, fut_task(&s->st.futs[fut]), h, s->st.now + op->ns, reg);
}

static int resume_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc,
                           uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    Frame *fr = FRM(f);
    uint8_t phase = fr->phase;
    uint32_t w = fr->r[0], tm = fr->r[1], fut = fr->r[2], w2 = fr->r[3], th = fr->r[4];
    fr->phase = 0;
    switch (phase) {
    case 1:
        if (exc != SIM_NONE) {
            if (!is_cancel(s, exc)) {
                loop__timer_cancel(s, tm, th);
                return do_raise(s, task, exc);
            }
            if (fut__done(s, fut)) {
                loop__timer_cancel(s, tm, th);
                return take_result(s, task, f, fut, st->as_var);
            }
            fut__remove_cb(s, fut, H_RELEASE_WAITER, w);
            FRM(f)->tmp = v_id(V_EXC, exc);
            return cancel_and_wait(s, task, f, fut, 2, cause);
        }
        if (fut__done(s, fut)) {
            loop__timer_cancel(s, tm, th);
            return take_result(s, task, f, fut, st->as_var);
        }
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w);
        return cancel_and_wait(s, task, f, fut, 3, cause);
    case 2:
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w2);
        loop__timer_cancel(s, tm, th);
        return do_raise(s, task, exc != SIM_NONE ? exc : FRM(f)->tmp.id);
    case 3:
    case 5: {
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w2);
        if (phase == 3)
            loop__timer_cancel(s, tm, th);
        if (exc != SIM_NONE)
            return do_raise(s, task, exc);
        Value v;
        uint32_t e = SIM_NONE;
        if (fut__result(s, fut, &v, &e)) {
            if (st->as_var != PROG_NONE)
                *slot_at(s, f, st->as_var) = v;
            FRM(f)->pc++;
            return R_CONT;
        }
        if (is_cancel(s, e)) {
            uint32_t te = val__new_exc(s, EXC_TIMEOUT, SIM_NONE, SIM_NONE);
            return te == SIM_NONE ? R_ABORT : do_raise(s, task, te);
        }
        return do_raise(s, task, e);
    }
    case 6:
        if (exc != SIM_NONE)
            return do_raise(s, task, exc);
        return take_result(s, task, f, fut, st->as_var);
    case 7:
        FRM(f)->phase = 1;
        {
            int r = resume_sleep(s, task, f, exc);
            if (r == R_CONT && st->as_var != PROG_NONE)
                *slot_at(s, f, st->as_var) = v_none();
            return r;
        }
    default:
        return exc != SIM_NONE ? do_raise(s, task, exc) : (FRM(f)->pc++, R_CONT);
    }
}

/* ---- TaskGroup (taskgroups.py, 3.11) --------------------------------------------- */

/* Appends v to the list from *head to *last. */
static uint32_t gnode_push(Sim *s, uint32_t *head, uint32_t *last, uint32_t v)
{
    SimState *st = &s->st;
    uint32_t n = TAKE(s, st->gnodes, st->ngnodes, st->gnodes_cap, st->gnodes_free, GNode, next);
    if (n == SIM_NONE)
        return SIM_NONE;
    st->gnodes[n].v = v;
    st->gnodes[n].next = SIM_NONE;
    if (*last == SIM_NONE)
        *head = n;
    else
        st->gnodes[*last].next = n;
    *last = n;
    return n;
}

static void group_abort(Sim *s, uint32_t g, uint32_t cause)
{
    s->st.groups[g].aborting = true;
    uint32_t n = s->st.groups[g].tasks;
    while (n != SIM_NONE) {
        uint32_t t = s->st.gnodes[n].v;
        uint32_t next = s->st.gnodes[n].next;
        if (!fut__done(s, TSK(t)->fut))
            task__cancel(s, t, cause);
        n = next;
    }
}

/* TaskGroup._on_task_done */
void group__on_task_done(Sim *s, uint32_t g, uint32_t task, uint32_t cause)
{
    SimState *st = &s->st;
    /* self._tasks.discard(task): the task stays in the list, done (Group.tasks) */
    if (st->groups[g].ntasks > 0)
        st->groups[g].ntasks--;
    Group *gr = &st->groups[g];
    if (gr->completed_fut != SIM_NONE && gr->ntasks == 0 && !fut__done(s, gr->completed_fut))
        fut__set_result(s, gr->completed_fut, v_bool(true), cause);
    uint32_t fut = TSK(task)->fut;
    if (st->futs[fut].state == FUT_CANCELLED || st->futs[fut].exc == SIM_NONE)
        return;
    gnode_push(s, &st->groups[g].errors, &st->groups[g].errors_last, st->futs[fut].exc);
    st->groups[g].nerrors++;
    gr = &st->groups[g];
    if (fut__done(s, TSK(gr->parent)->fut))
        return;
    if (!gr->aborting && !gr->parent_cancel_requested) {
        group_abort(s, g, cause);
        st->groups[g].parent_cancel_requested = true;
        task__cancel(s, st->groups[g].parent, cause);
    }
}

static uint32_t uncancel(Sim *s, uint32_t task)
{
    if (TSK(task)->num_cancels > 0)
        TSK(task)->num_cancels--;
    return TSK(task)->num_cancels;
}

/* The tail of TaskGroup.__aexit__ after its wait loop. `et_exc` is the
 * exception the body raised (SIM_NONE for a normal exit). */
static int group_exit_tail(Sim *s, uint32_t task, uint32_t f, uint32_t g, uint32_t et_exc,
                           uint32_t propagate)
{
    Group *gr = &s->st.groups[g];
    if (gr->base_error != SIM_NONE)
        return do_raise(s, task, gr->base_error);
    if (propagate != SIM_NONE && gr->nerrors == 0)
        return do_raise(s, task, propagate);
    if (et_exc != SIM_NONE && !is_cancel(s, et_exc)) {
        gnode_push(s, &s->st.groups[g].errors, &s->st.groups[g].errors_last, et_exc);
        s->st.groups[g].nerrors++;
    }
    gr = &s->st.groups[g];
    if (gr->nerrors) {
        /* every error: an ExceptionGroup of 100 failed tasks says "(100
         * sub-exceptions)" (this used to stop at 64) */
        uint32_t n = 0, first = gr->errors;
        for (uint32_t k = first; k != SIM_NONE; k = s->st.gnodes[k].next)
            n++;
        Value *items;
        uint32_t lid = val__new_list_room(s, n, &items);
        if (lid == SIM_NONE)
            return R_ABORT;
        n = 0;
        for (uint32_t k = first; k != SIM_NONE; k = s->st.gnodes[k].next)
            items[n++] = v_id(V_EXC, s->st.gnodes[k].v);
        uint32_t msg = val__new_str(s, "unhandled errors in a TaskGroup", 31);
        uint32_t e = val__new_exc(s, EXC_EXC_GROUP, msg, lid);
        if (e == SIM_NONE)
            return R_ABORT;
        s->st.groups[g].nerrors = 0; /* finally: self._errors = None (its repr) */
        return do_raise(s, task, e);
    }
    if (et_exc != SIM_NONE)
        return do_raise(s, task, et_exc); /* __aexit__ returned None: re-raise */
    FRM(f)->pc++;
    return R_CONT;
}

/* The `while self._tasks:` loop of __aexit__; phase 1 = awaiting. */
static int group_wait(Sim *s, uint32_t task, uint32_t f, uint32_t g, uint32_t cause)
{
    Frame *fr = FRM(f);
    uint32_t et = fr->r[1], prop = fr->r[2];
    if (s->st.groups[g].ntasks > 0) {
        if (s->st.groups[g].completed_fut == SIM_NONE) {
            uint32_t cf = fut__new(s);
            if (cf == SIM_NONE)
                return R_ABORT;
            s->st.groups[g].completed_fut = cf;
        }
        fr = FRM(f);
        fr->phase = 1;
        return suspend_on(s, task, s->st.groups[g].completed_fut, WAIT_GROUP, g, SIM_NONE, 0,
                          cause);
    }
    fr->phase = 0;
    return group_exit_tail(s, task, f, g, et, prop);
}

static int op_tg_exit(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t et,
                      uint32_t cause)
{
    Value gv = *slot_at(s, f, op->a);
    uint32_t g = gv.id;
    Group *gr = &s->st.groups[g];
    gr->exiting = true;
    uint32_t prop = is_cancel(s, et) ? et : SIM_NONE;
    if (gr->parent_cancel_requested) {
        if (uncancel(s, gr->parent) == 0)
            prop = SIM_NONE;
    }
    if (et != SIM_NONE && !s->st.groups[g].aborting)
        group_abort(s, g, cause);
    Frame *fr = FRM(f);
    fr->r[0] = g;
    fr->r[1] = et;
    fr->r[2] = prop;
    return group_wait(s, task, f, g, cause);
}

static int resume_tg_exit(Sim *s, uint32_t task, uint32_t f, uint32_t exc, uint32_t cause)
{
    Frame *fr = FRM(f);
    uint32_t g = fr->r[0];
    fr->phase = 0;
    if (exc != SIM_NONE) {
        if (is_cancel(s, exc)) {
            if (!s->st.groups[g].aborting) {
                FRM(f)->r[2] = exc;
                group_abort(s, g, cause);
            }
        } else {
            return do_raise(s, task, exc);
        }
    }
    s->st.groups[g].completed_fut = SIM_NONE;
    return group_wait(s, task, f, g, cause);
}

/* ---- the dispatcher ------------------------------------------------------------------ */

static int exec_op(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    const Stmt *st = stmt_of(s, op);
    uint32_t cause = s->st.exec_cause;
    int r = R_CONT;
    switch ((OpCode)op->op) {
    case OP_NOP:
        FRM(f)->pc++;
        return R_CONT;
    case OP_PRINT:
        return op_print(s, task, f, op);
    case OP_SLEEP:
        cause = narrate_exec(s, task, op);
        return start_sleep(s, task, f, op->ns, false, cause);
    case OP_IO:
        cause = narrate_exec(s, task, op);
        return op_io(s, task, f, op, cause);
    case OP_SLEEP_NS: {
        VTime ns = slot_at(s, f, 0)->u.i;
        return start_sleep(s, task, f, ns, false, cause);
    }
    case OP_BLOCK: {
        narrate_exec(s, task, op);
        VTime t0 = s->st.now;
        s->st.now += op->ns;
        rec__block_span(s, task, t0, s->st.now);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_CALL:
        narrate_exec(s, task, op);
        return do_call(s, task, f, st->coro, st->args_first, st->nargs, 1);
    case OP_CREATE_TASK: {
        narrate_exec(s, task, op);
        Value args[64];
        uint32_t n = st->nargs > 64 ? 64 : st->nargs;
        if (!eval_args(s, task, f, st->args_first, n, args, &r))
            return r == R_CONT ? R_VIS : r;
        uint32_t name = SIM_NONE, g = SIM_NONE;
        if (st->group != PROG_NONE) {
            Value gv = *slot_at(s, f, st->group);
            if (gv.type != V_GROUP) {
                r = raise_new(s, task, EXC_TYPE, "create_task group is not a TaskGroup");
                return r == R_CONT ? R_VIS : r;
            }
            g = gv.id;
            const Group *gr = &s->st.groups[g];
            const char *err = NULL;
            if (!gr->entered)
                err = "TaskGroup has not been entered";
            else if (gr->exiting && gr->ntasks == 0)
                err = "TaskGroup is finished";
            else if (gr->aborting)
                err = "TaskGroup is shutting down";
            if (err) { /* f"TaskGroup {self!r} is shutting down" */
                SBuf b = {0};
                sbuf_puts(&b, "TaskGroup ");
                val__group_repr(s, &b, g);
                sbuf_putc(&b, ' ');
                sbuf_puts(&b, err + strlen("TaskGroup "));
                if (b.oom) {
                    mem_free(b.p);
                    sim__fail_nomem(s);
                    return R_ABORT;
                }
                r = raise_new(s, task, EXC_RUNTIME, b.p);
                mem_free(b.p);
                return r == R_CONT ? R_VIS : r;
            }
        }
        bool unbound = false;
        uint32_t bad = SIM_NONE;
        if (st->name != PROG_NONE && g == SIM_NONE) {
            name = val__template(s, st->name, f, FRM(f)->code, &unbound, &bad);
            if (unbound) {
                r = raise_unbound(s, task, f, bad);
                return r == R_CONT ? R_VIS : r;
            }
        }
        uint32_t t = task__new(s, TK_CORO, st->coro, args, n, name, 0, op->stmt);
        if (t == SIM_NONE)
            return R_ABORT;
        if (g != SIM_NONE) {
            /* TaskGroup.create_task: loop.create_task(coro) (a Task-N name is
             * used up), then _set_task_name, then the done callback. */
            if (st->name != PROG_NONE) {
                uint32_t nm = val__template(s, st->name, f, FRM(f)->code, &unbound, &bad);
                if (nm != SIM_NONE && t < s->rec.ntasks && s->rec.tasks[t].created + 1 >= rec__next_index(s)) {
                    const char *z = val__str(s, nm);
                    s->rec.tasks[t].name = rec__text(s, z, strlen(z));
                }
            }
            fut__add_cb(s, TSK(t)->fut, H_GROUP_DONE, g);
            gnode_push(s, &s->st.groups[g].tasks, &s->st.groups[g].tasks_last, t);
            s->st.groups[g].ntasks++;
        }
        if (st->as_var != PROG_NONE)
            *slot_at(s, f, st->as_var) = v_id(V_TASK, t);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_AWAIT: {
        cause = narrate_exec(s, task, op);
        Value v = *slot_at(s, f, st->var);
        uint32_t fut;
        r = await_task_value(s, task, f, v, st->as_var, &fut);
        if (r != R_CONT)
            return r;
        FRM(f)->phase = 1;
        FRM(f)->r[0] = fut;
        return suspend_on(s, task, fut, WAIT_TASK, v.id, SIM_NONE, 0, cause);
    }
    case OP_GATHER:
        cause = narrate_exec(s, task, op);
        return op_gather(s, task, f, op, cause);
    case OP_WAIT_FOR:
        cause = narrate_exec(s, task, op);
        return op_wait_for(s, task, f, op, cause);
    case OP_CANCEL: {
        cause = narrate_exec(s, task, op);
        Value v = *slot_at(s, f, st->var);
        if (v.type != V_TASK) {
            char msg[128];
            snprintf(msg, sizeof msg, "'%s' object has no attribute 'cancel'", val__type_name(s, v));
            r = raise_new(s, task, EXC_TYPE, msg);
            return r == R_CONT ? R_VIS : r;
        }
        bool ok = task__cancel(s, v.id, cause);
        if (st->as_var != PROG_NONE)
            *slot_at(s, f, st->as_var) = v_bool(ok);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_RETURN: {
        narrate_exec(s, task, op);
        Value v;
        if (!eval(s, task, f, op->stmt == SIM_NONE ? PROG_NONE : st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        r = do_return(s, task, v);
        return r == R_CONT ? R_VIS : r;
    }
    case OP_STASH_RET: {
        narrate_exec(s, task, op);
        Value v;
        if (!eval(s, task, f, st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        *slot_at(s, f, op->b) = v;
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_RET_STASHED:
        return do_return(s, task, *slot_at(s, f, op->a));
    case OP_RETURN_NONE:
        return do_return(s, task, v_none());
    case OP_RAISE: {
        narrate_exec(s, task, op);
        uint32_t msg = SIM_NONE;
        if (st->text != PROG_NONE) {
            bool unbound = false;
            uint32_t bad = SIM_NONE;
            msg = val__template(s, st->text, f, FRM(f)->code, &unbound, &bad);
            if (unbound) {
                r = raise_unbound(s, task, f, bad);
                return r == R_CONT ? R_VIS : r;
            }
        }
        uint32_t e = val__new_exc(s, st->exc, msg, SIM_NONE);
        if (e == SIM_NONE)
            return R_ABORT;
        r = do_raise(s, task, e);
        return r == R_CONT ? R_VIS : r;
    }
    case OP_ASSIGN: {
        narrate_exec(s, task, op);
        Value v;
        if (!eval(s, task, f, st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        *slot_at(s, f, st->as_var) = v;
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_EVENT_WAIT: {
        cause = narrate_exec(s, task, op);
        if (s->st.objs[op->a].flag) { /* Event.wait on a set event: no suspension */
            if (st->as_var != PROG_NONE)
                *slot_at(s, f, st->as_var) = v_bool(true);
            FRM(f)->pc++;
            return R_VIS;
        }
        uint32_t fut = fut__new(s);
        if (fut == SIM_NONE)
            return R_ABORT;
        dq_push(s, NULL, op->a, 0, fut);
        FRM(f)->phase = 1;
        FRM(f)->r[0] = fut;
        return suspend_on(s, task, fut, WAIT_EVENT, op->a, SIM_NONE, 0, cause);
    }
    case OP_EVENT_SET:
        cause = narrate_exec(s, task, op);
        if (!s->st.objs[op->a].flag) {
            s->st.objs[op->a].flag = true;
            event_set_all(s, op->a, 0, cause);
        }
        FRM(f)->pc++;
        return R_VIS;
    case OP_EVENT_CLEAR:
        narrate_exec(s, task, op);
        s->st.objs[op->a].flag = false;
        FRM(f)->pc++;
        return R_VIS;
    case OP_ACQUIRE: {
        cause = narrate_exec(s, task, op);
        ObjState *o = &s->st.objs[op->a];
        bool free_now;
        if (o->kind == OBJ_LOCK) {
            free_now = !o->flag;
            for (uint32_t n = o->waiters.head; free_now && n != SIM_NONE; n = s->st.wnodes[n].next)
                if (s->st.futs[s->st.wnodes[n].fut].state != FUT_CANCELLED)
                    free_now = false;
            if (free_now)
                o->flag = true;
        } else {
            free_now = o->value > 0;
            for (uint32_t n = o->waiters.head; free_now && n != SIM_NONE; n = s->st.wnodes[n].next)
                if (s->st.futs[s->st.wnodes[n].fut].state != FUT_CANCELLED)
                    free_now = false;
            if (free_now)
                o->value--;
        }
        if (free_now) {
            FRM(f)->pc++;
            return R_VIS;
        }
        uint32_t fut = fut__new(s);
        if (fut == SIM_NONE)
            return R_ABORT;
        dq_push(s, NULL, op->a, 0, fut);
        FRM(f)->phase = 1;
        FRM(f)->r[0] = fut;
        return suspend_on(s, task, fut, WAIT_LOCK, op->a, SIM_NONE, 0, cause);
    }
    case OP_RELEASE: {
        cause = narrate_exec(s, task, op);
        ObjState *o = &s->st.objs[op->a];
        if (o->kind == OBJ_LOCK) {
            if (!o->flag) {
                r = raise_new(s, task, EXC_RUNTIME, "Lock is not acquired.");
                return r == R_CONT ? R_VIS : r;
            }
            o->flag = false;
            lock_wake_first(s, op->a, cause);
        } else {
            o->value++;
            sem_wake_next(s, op->a, cause);
        }
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_PUT:
    case OP_GET:
    case OP_JOIN: {
        cause = narrate_exec(s, task, op);
        FRM(f)->r[1] = 0;
        break; /* handled by queue_step below */
    }
    case OP_TASK_DONE: {
        narrate_exec(s, task, op);
        ObjState *o = &s->st.objs[op->a];
        if (o->unfinished <= 0) {
            r = raise_new(s, task, EXC_VALUE, "task_done() called too many times");
            return r == R_CONT ? R_VIS : r;
        }
        if (--o->unfinished == 0 && !o->finished) {
            o->finished = true;
            event_set_all(s, op->a, 2, s->st.exec_cause);
        }
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_LOOP_INIT:
        *slot_at(s, f, op->a) = v_int(0);
        FRM(f)->pc++;
        return R_CONT;
    case OP_LOOP_NEXT: {
        Value *c = slot_at(s, f, op->a);
        if (c->u.i >= op->ns) {
            FRM(f)->pc = op->c;
            return R_CONT;
        }
        narrate_exec(s, task, op);
        if (op->b != PROG_NONE)
            *slot_at(s, f, op->b) = v_int(c->u.i);
        c->u.i++;
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_JUMP:
        FRM(f)->pc = op->a;
        return R_CONT;
    case OP_EXC_MATCH: {
        Value e = *slot_at(s, f, op->a);
        if (e.type == V_EXC && exc_is(s->st.excs[e.id].type, (ExcType)op->b))
            FRM(f)->pc++;
        else
            FRM(f)->pc = op->c;
        return R_CONT;
    }
    case OP_EXC_BIND: {
        narrate_exec(s, task, op);
        if (op->b != PROG_NONE)
            *slot_at(s, f, op->b) = *slot_at(s, f, op->a);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_UNBIND: { /* `del e` at the end of `except ... as e` */
        Value none = {0};
        none.type = V_UNBOUND;
        *slot_at(s, f, op->a) = none;
        FRM(f)->pc++;
        return R_CONT;
    }
    case OP_RERAISE:
        return do_raise(s, task, slot_at(s, f, op->a)->id);
    case OP_TG_ENTER: {
        narrate_exec(s, task, op);
        SimState *sst = &s->st;
        if (!GROW(s, sst->groups, sst->groups_cap, sst->ngroups + 1))
            return R_ABORT;
        Group *gr = &sst->groups[sst->ngroups];
        memset(gr, 0, sizeof *gr);
        gr->parent = task;
        gr->tasks = gr->tasks_last = SIM_NONE;
        gr->errors = gr->errors_last = SIM_NONE;
        gr->completed_fut = SIM_NONE;
        gr->base_error = SIM_NONE;
        gr->entered = true;
        *slot_at(s, f, op->a) = v_id(V_GROUP, sst->ngroups++);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_TG_EXIT:
        cause = narrate_exec(s, task, op);
        r = op_tg_exit(s, task, f, op, SIM_NONE, cause);
        return r == R_CONT ? R_VIS : r;
    case OP_TG_EXIT_EXC:
        cause = narrate_exec(s, task, op);
        r = op_tg_exit(s, task, f, op, slot_at(s, f, op->b)->id, cause);
        return r == R_CONT ? R_VIS : r;
    }
    /* queue operations: queues.Queue.put / get / join (3.11) */
    {
        ObjState *o = &s->st.objs[op->a];
        if (op->op == OP_JOIN) {
            if (o->unfinished <= 0 || o->finished) {
                FRM(f)->pc++;
                return R_VIS;
            }
            uint32_t fut = fut__new(s);
            if (fut == SIM_NONE)
                return R_ABORT;
            dq_push(s, NULL, op->a, 2, fut);
            FRM(f)->phase = 1;
            FRM(f)->r[0] = fut;
            return suspend_on(s, task, fut, WAIT_QUEUE_JOIN, op->a, SIM_NONE, 0, cause);
        }
        bool wait = op->op == OP_PUT ? queue_full(s, op->a) : o->nitems == 0;
        if (wait) {
            uint32_t fut = fut__new(s);
            if (fut == SIM_NONE)
                return R_ABORT;
            dq_push(s, NULL, op->a, op->op == OP_PUT ? 1 : 0, fut);
            FRM(f)->phase = 1;
            FRM(f)->r[0] = fut;
            return suspend_on(s, task, fut, op->op == OP_PUT ? WAIT_QUEUE_PUT : WAIT_QUEUE_GET,
                              op->a, SIM_NONE, 0, cause);
        }
        return R_CONT; /* unreachable: queue_finish handles the fast path */
    }
}

/* put_nowait / get_nowait once the queue has room / an item. */
static int queue_finish(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    SimState *st = &s->st;
    const Stmt *sm = stmt_of(s, op);
    int r = R_CONT;
    if (op->op == OP_PUT) {
        Value v;
        if (!eval(s, task, f, sm->expr, &v, &r))
            return r;
        uint32_t n = TAKE(s, st->inodes, st->ninodes, st->inodes_cap, st->inodes_free, INode, next);
        if (n == SIM_NONE)
            return R_ABORT;
        st->inodes[n].v = v;
        st->inodes[n].next = SIM_NONE;
        ObjState *o = &st->objs[op->a];
        if (o->items_tail == SIM_NONE)
            o->items_head = n;
        else
            st->inodes[o->items_tail].next = n;
        o->items_tail = n;
        o->nitems++;
        o->unfinished++;
        o->finished = false;
        queue_wakeup_next(s, op->a, 0, cause);
    } else {
        ObjState *o = &st->objs[op->a];
        uint32_t n = o->items_head;
        Value v = st->inodes[n].v;
        o->items_head = st->inodes[n].next;
        if (o->items_head == SIM_NONE)
            o->items_tail = SIM_NONE;
        o->nitems--;
        st->inodes[n].next = st->inodes_free;
        st->inodes_free = n;
        queue_wakeup_next(s, op->a, 1, cause);
        if (sm->as_var != PROG_NONE)
            *slot_at(s, f, sm->as_var) = v;
    }
    FRM(f)->pc++;
    return R_CONT;
}

static int resume_op(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    uint32_t cause = s->st.exec_cause;
    Frame *fr = FRM(f);
    switch ((OpCode)op->op) {
    case OP_SLEEP:
    case OP_IO:
    case OP_SLEEP_NS:
        return resume_sleep(s, task, f, exc);
    case OP_AWAIT:
    case OP_GATHER: {
        fr->phase = 0;
        if (exc != SIM_NONE)
            return do_raise(s, task, exc);
        const Stmt *st = stmt_of(s, op);
        return take_result(s, task, f, fr->r[0], st->as_var);
    }
    case OP_WAIT_FOR:
        if (fr->phase == 8) { /* timeout=None call: exception from the callee */
            fr->phase = 0;
            return exc != SIM_NONE ? do_raise(s, task, exc) : (fr->pc++, R_CONT);
        }
        return resume_wait_for(s, task, f, op, exc, cause);
    case OP_CALL:
        fr->phase = 0;
        return exc != SIM_NONE ? do_raise(s, task, exc) : (fr->pc++, R_CONT);
    case OP_EVENT_WAIT:
        dq_remove(s, op->a, 0, fr->r[0]); /* finally: self._waiters.remove(fut) */
        fr->phase = 0;
        if (exc != SIM_NONE)
            return do_raise(s, task, exc);
        {
            const Stmt *st = stmt_of(s, op);
            if (st->as_var != PROG_NONE)
                *slot_at(s, f, st->as_var) = v_bool(true);
        }
        fr->pc++;
        return R_CONT;
    case OP_ACQUIRE: {
        uint32_t fut = fr->r[0];
        dq_remove(s, op->a, 0, fut);
        fr->phase = 0;
        ObjState *o = &s->st.objs[op->a];
        if (exc != SIM_NONE) {
            if (is_cancel(s, exc)) {
                if (o->kind == OBJ_LOCK) {
                    if (!o->flag)
                        lock_wake_first(s, op->a, cause);
                } else if (s->st.futs[fut].state != FUT_CANCELLED) {
                    s->st.objs[op->a].value++;
                    sem_wake_next(s, op->a, cause);
                }
            }
            return do_raise(s, task, exc);
        }
        if (o->kind == OBJ_LOCK) {
            o->flag = true;
        } else if (o->value > 0) {
            sem_wake_next(s, op->a, cause);
        }
        FRM(f)->pc++;
        return R_CONT;
    }
    case OP_PUT:
    case OP_GET: {
        uint32_t fut = fr->r[0];
        int which = op->op == OP_PUT ? 1 : 0;
        fr->phase = 0;
        if (exc != SIM_NONE) {
            fut__cancel_plain(s, fut, cause);
            dq_remove(s, op->a, which, fut);
            bool room = op->op == OP_PUT ? !queue_full(s, op->a) : s->st.objs[op->a].nitems > 0;
            if (room && s->st.futs[fut].state != FUT_CANCELLED)
                queue_wakeup_next(s, op->a, which, cause);
            return do_raise(s, task, exc);
        }
        bool wait = op->op == OP_PUT ? queue_full(s, op->a) : s->st.objs[op->a].nitems == 0;
        if (wait) {
            uint32_t nf = fut__new(s);
            if (nf == SIM_NONE)
                return R_ABORT;
            dq_push(s, NULL, op->a, which, nf);
            FRM(f)->phase = 1;
            FRM(f)->r[0] = nf;
            return suspend_on(s, task, nf, op->op == OP_PUT ? WAIT_QUEUE_PUT : WAIT_QUEUE_GET,
                              op->a, SIM_NONE, 0, cause);
        }
        return queue_finish(s, task, f, op, cause);
    }
    case OP_JOIN:
        dq_remove(s, op->a, 2, fr->r[0]);
        fr->phase = 0;
        if (exc != SIM_NONE)
            return do_raise(s, task, exc);
        fr->pc++;
        return R_CONT;
    case OP_TG_EXIT:
    case OP_TG_EXIT_EXC:
        return resume_tg_exit(s, task, f, exc, cause);
    default:
        fr->phase = 0;
        return exc != SIM_NONE ? do_raise(s, task, exc) : (fr->pc++, R_CONT);
    }
}

bool interp__run(Sim *s, uint32_t exc, bool first_unit)
{
    uint32_t task = s->st.cur_task;
    if (first_unit) {
        Task *t = TSK(task);
        if (t->must_cancel) {
            if (!is_cancel(s, exc))
                exc = exc__cancelled(s);
            TSK(task)->must_cancel = false;
        }
        t = TSK(task);
        t->fut_waiter = SIM_NONE;
        t->wait = WAIT_NONE;
        rec__task_span(s, task, SPAN_RUNNING, WAIT_NONE);
        if (!t->started) {
            t->started = true;
            if (exc != SIM_NONE) { /* thrown into a coroutine that never started (R23) */
                finish_task(s, task, false, v_none(), exc);
                return false;
            }
        }
    }
    uint32_t pending = exc;
    for (int guard = 0; guard < 100000; guard++) {
        uint32_t f = TSK(task)->frame;
        if (f == SIM_NONE)
            return false;
        Frame *fr = FRM(f);
        const Op *op = &s->codes[fr->code].ops[fr->pc];
        int r;
        if (pending != SIM_NONE) {
            uint32_t e = pending;
            pending = SIM_NONE;
            r = fr->phase ? resume_op(s, task, f, op, e) : do_raise(s, task, e);
        } else if (fr->phase) {
            r = resume_op(s, task, f, op, SIM_NONE);
        } else {
            r = exec_op(s, task, f, op);
            if (r == R_CONT && (op->op == OP_PUT || op->op == OP_GET) && FRM(f)->phase == 0 &&
                FRM(f)->pc == (uint32_t)(op - s->codes[FRM(f)->code].ops)) {
                r = queue_finish(s, task, f, op, s->st.exec_cause);
                if (r == R_CONT)
                    r = R_VIS;
            } else if (r == R_CONT && op->op == OP_JOIN) {
                r = R_VIS;
            }
        }
        if (s->st.outcome != SIM_RUNNING || s->oom)
            return false;
        switch (r) {
        case R_CONT: continue;
        case R_VIS: return TSK(task)->frame != SIM_NONE;
        default: return false;
        }
    }
    return TSK(task)->frame != SIM_NONE;
}
