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
 * The library's coroutines are in files of their own: interp_wait.c
 * (gather, wait_for), interp_sync.c (Event, Lock, Semaphore, Queue),
 * interp_group.c (TaskGroup); interp_int.h is what they share.
 *
 * Depends on: interp_int.h, task.c, value.c, record.c.  Used by: sim.c.
 */
#include <stdio.h>
#include <string.h>

#include "interp_int.h"

/* ---- frames ---------------------------------------------------------------- */

uint32_t frame__new(Sim *s, uint32_t code, uint32_t parent)
{
    SimState *st = &s->st;
    uint32_t f =
        TAKE(s, st->frames, st->nframes, st->frames_cap, st->frames_free, Frame, next_free);
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

/* ---- exceptions ---------------------------------------------------------------- */

static uint32_t new_exc_msg(Sim *s, ExcType t, const char *msg)
{
    uint32_t m = msg ? val__new_str(s, msg, strlen(msg)) : SIM_NONE;
    return val__new_exc(s, t, m, SIM_NONE);
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
        end = ip_is_cancel(s, exc) ? TASK_END_CANCELLED : TASK_END_RAISED;
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
    } else if (ip_is_cancel(s, exc)) {
        fut__cancel_plain(s, fut, step);
        s->st.futs[fut].exc = exc; /* self._cancelled_exc = exc */
    } else {
        fut__set_exception(s, fut, exc, step);
        task__maybe_log(s, task, step); /* nothing may hold it now (holders.c) */
    }
    if (task == s->st.main_task && !ok)
        s->st.main_exc = exc;
    return R_DONE;
}

/* Raises `exc` at the current pc of the task's innermost frame: jumps to the
 * innermost handler, unwinding frames (and finishing the task) as needed. */
int ip_do_raise(Sim *s, uint32_t task, uint32_t exc)
{
    bool kept = exc__kept(s, exc);
    for (;;) {
        uint32_t f = TSK(task)->frame;
        Frame *fr = FRM(f);
        if (kept)
            fr->kept = true; /* in the traceback of an exception that outlives it */
        const Code *c = &s->codes[fr->code];
        for (uint32_t i = 0; i < c->nexc; i++) {
            const ExcEntry *e = &c->exc[i];
            if (fr->pc >= e->start && fr->pc < e->end) {
                slot_put(s, f, e->slot, v_id(V_EXC, exc));
                fr->pc = e->handler;
                fr->phase = 0;
                return R_CONT;
            }
        }
        uint32_t parent = fr->parent;
        frame__release(s, task, f, exc, SIM_NONE);
        frame__free(s, f);
        if (parent == SIM_NONE)
            return finish_task(s, task, false, v_none(), exc);
        TSK(task)->frame = parent;
        TSK(task)->depth--;
        FRM(parent)->phase = 0;
    }
}

int ip_raise_new(Sim *s, uint32_t task, ExcType t, const char *msg)
{
    uint32_t e = new_exc_msg(s, t, msg);
    if (e == SIM_NONE)
        return R_ABORT;
    return ip_do_raise(s, task, e);
}

/* Raises UnboundLocalError for local `slot` of frame f, with CPython 3.11's
 * message (ceval.c, UNBOUNDLOCAL_ERROR_MSG). */
static int raise_unbound(Sim *s, uint32_t task, uint32_t f, uint32_t slot)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "cannot access local variable '%s' where it is not associated with a value",
             slot == SIM_NONE ? "?" : prog_local_name(s->prog, s->codes[FRM(f)->code].coro, slot));
    return ip_raise_new(s, task, EXC_UNBOUND_LOCAL, msg);
}

bool ip_local(Sim *s, uint32_t task, uint32_t f, uint32_t var, Value *out, int *r)
{
    Value v = *slot_at(s, f, var);
    if (v.type == V_UNBOUND) {
        *r = raise_unbound(s, task, f, var);
        return false;
    }
    *out = v;
    return true;
}

int ip_raise_cancel_recursion(Sim *s, uint32_t task)
{
    s->cancel_recursion = false;
    return ip_raise_new(s, task, EXC_RECURSION, CANCEL_RECURSION_MSG);
}

/* Returns `v` from the innermost frame to its caller (or ends the task). */
static int do_return(Sim *s, uint32_t task, Value v)
{
    uint32_t f = TSK(task)->frame;
    uint32_t parent = FRM(f)->parent;
    uint32_t step = rec__next_index(s) - 1;
    if (v.type == V_EXC)
        val__stored(s, v, f); /* returned: it keeps this frame */
    task__ref(s, v); /* the value in transit keeps a task it names */
    frame__release(s, task, f, SIM_NONE, step);
    frame__free(s, f);
    if (parent == SIM_NONE) {
        task__escape(s, v); /* the task's result */
        task__unref(s, v, step);
        return finish_task(s, task, true, v, SIM_NONE);
    }
    TSK(task)->frame = parent;
    TSK(task)->depth--;
    Frame *pf = FRM(parent);
    const Op *op = &s->codes[pf->code].ops[pf->pc];
    const Stmt *st = stmt_of(s, op);
    if (st && st->as_var != PROG_NONE)
        slot_put(s, parent, st->as_var, v);
    task__unref(s, v, step);
    pf->phase = 0;
    pf->pc++;
    return R_CONT;
}

/* ---- expressions ----------------------------------------------------------------- */

/* Evaluates expression `e` in frame f. On an unbound variable raises
 * UnboundLocalError and returns false with *r set. */
bool ip_eval(Sim *s, uint32_t task, uint32_t f, uint32_t e, Value *out, int *r)
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
            *r = raise_unbound(s, task, f, bad);
            return false;
        }
        if (id == SIM_NONE) {
            *r = R_ABORT;
            return false;
        }
        *out = v_id(V_STR, id);
        return true;
    }
    case EXPR_VAR:
        return ip_local(s, task, f, x->var, out, r);
    case EXPR_LIST: {
        Value items[64];
        Value *buf = x->count <= 64 ? items : mem_malloc(x->count * sizeof(Value));
        if (!buf) {
            sim__fail_nomem(s);
            *r = R_ABORT;
            return false;
        }
        for (uint32_t i = 0; i < x->count; i++) {
            if (!ip_eval(s, task, f, s->prog->expr_refs[x->first + i], &buf[i], r)) {
                if (buf != items)
                    mem_free(buf);
                return false;
            }
        }
        for (uint32_t i = 0; i < x->count; i++)
            val__stored(s, buf[i], f); /* a task or an exception in a list: holders.c */
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

bool ip_eval_args(Sim *s, uint32_t task, uint32_t f, uint32_t first, uint32_t n, Value *out,
                      int *r)
{
    for (uint32_t i = 0; i < n; i++)
        if (!ip_eval(s, task, f, s->prog->expr_refs[first + i], &out[i], r))
            return false;
    return true;
}

/* ---- awaiting ------------------------------------------------------------------------ */

static int await_self(Sim *s, uint32_t task, uint32_t cause);

/* The task awaits pending future `fut`: narrate REGISTER + SUSPEND, add the
 * wakeup callback, and apply a pending self-cancel (Task.__step). */
int ip_suspend_on(Sim *s, uint32_t task, uint32_t fut, WaitKind w, uint32_t obj,
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
        task__cancel_room(s, CANCEL_ROOM_STMT, task);
        if (fut__cancel(s, fut, reg))
            TSK(task)->must_cancel = false;
        task__cancel_recursion_stop(s);
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
int ip_start_sleep(Sim *s, uint32_t task, uint32_t f, VTime ns, bool io, uint32_t cause)
{
    if (ns <= 0 && !io) {
        FRM(f)->phase = 1;
        FRM(f)->r[0] = SIM_NONE;
        FRM(f)->r[1] = SIM_NONE; /* no future */
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
    return ip_suspend_on(s, task, fut, io ? WAIT_IO : WAIT_TIMER, SIM_NONE, h, s->st.now + ns,
                         cause);
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
        int r = raise_unbound(s, task, f, bad);
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
    int r = ip_start_sleep(s, task, f, op->ns, op->ns > 0, cause);
    if (label != SIM_NONE && first < s->rec.nhandles && s->rec.handles[first].kind == H_IO_DONE)
        s->rec.handles[first].other = label;
    return r;
}

int ip_resume_sleep(Sim *s, uint32_t task, uint32_t f, uint32_t exc)
{
    Frame *fr = FRM(f);
    if (exc != SIM_NONE) /* finally: h.cancel(), which does nothing once the timer ran */
        loop__timer_cancel(s, fr->r[0], fr->r[2]);
    /* nothing reaches the sleep's future now: its timer ran, or it was
     * cancelled above (a handle in the ready queue is skipped) */
    if (fr->r[1] != SIM_NONE)
        fut__free(s, fr->r[1]);
    fr->phase = 0;
    if (exc != SIM_NONE)
        return ip_do_raise(s, task, exc);
    fr->pc++;
    return R_CONT;
}

/* Pushes a frame for coroutine `coro` called with the statement's args. */
int ip_do_call(Sim *s, uint32_t task, uint32_t f, uint32_t coro, uint32_t args_first,
                   uint32_t nargs, uint8_t phase)
{
    Value args[64];
    int r = R_CONT;
    if (nargs > 64)
        nargs = 64;
    if (!ip_eval_args(s, task, f, args_first, nargs, args, &r))
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
        slot_put(s, nf, i, args[i]);
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
    return ip_raise_new(s, task, EXC_TYPE, msg);
}

/* ip_ensure_future(aw): the task of an awaitable (creating one for a call or a
 * sleep). A call's arguments are `args` when the caller evaluated them
 * already (NULL: evaluate them now). `retrieves`: the caller will retrieve
 * the task's exception (gather, wait_for: HOLD_AWAITED); shield does not
 * always, so its task is held only as a bare create_task's (holders.c).
 * Returns the future, or SIM_NONE with *r set (raised/aborted). */
uint32_t ip_ensure_future(Sim *s, uint32_t task, uint32_t f, const Awaitable *aw,
                              const Value *args, bool retrieves, int *r)
{
    if (aw->kind == AW_TASK) {
        Value v;
        if (!ip_local(s, task, f, aw->var, &v, r))
            return SIM_NONE;
        if (v.type != V_TASK) {
            *r = ip_raise_new(s, task, EXC_TYPE,
                              "An asyncio.Future, a coroutine or an awaitable is required");
            return SIM_NONE;
        }
        if (retrieves)
            task__awaited(s, v.id);
        return TSK(v.id)->fut;
    }
    uint32_t t;
    if (aw->kind == AW_CALL) {
        Value own[64];
        uint32_t n = aw->nargs > 64 ? 64 : aw->nargs;
        if (!args) {
            if (!ip_eval_args(s, task, f, aw->args_first, n, own, r))
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
    if (!retrieves)
        TSK(t)->hold = 0; /* (task__new's default is HOLD_AWAITED) */
    return TSK(t)->fut;
}

/* Stores fut.result() in the statement's `as` variable, or raises. */
int ip_take_result(Sim *s, uint32_t task, uint32_t f, uint32_t fut, uint32_t as_var)
{
    Value v;
    uint32_t exc = SIM_NONE;
    if (!fut__result(s, fut, &v, &exc))
        return ip_do_raise(s, task, exc);
    if (as_var != PROG_NONE)
        slot_put(s, f, as_var, v);
    FRM(f)->pc++;
    return R_CONT;
}

uint32_t ip_call_later(Sim *s, uint32_t task, uint32_t h, uint32_t stmt, VTime ns, uint32_t cause,
                       uint32_t *tm)
{
    *tm = loop__call_later(s, ns, h);
    if (*tm == SIM_NONE)
        return SIM_NONE;
    return rec__step(s, STAGE_REGISTER, STEP_REGISTER, task, h, stmt, SIM_NONE, cause, WAIT_TIMER,
                     s->st.now + ns);
}

/* `await t` for the task in local `var`: no value raises UnboundLocalError,
 * a non-task TypeError, a done task gives its result (or raises) at once: what that
 * returns, with R_CONT made R_VIS. R_CONT means the task is pending: its
 * future is in *fut, for the caller to suspend on. */
int ip_await_task_var(Sim *s, uint32_t task, uint32_t f, uint32_t var, uint32_t as_var,
                      uint32_t *fut)
{
    int r;
    Value v;
    *fut = SIM_NONE;
    if (!ip_local(s, task, f, var, &v, &r))
        return r == R_CONT ? R_VIS : r;
    if (v.type != V_TASK) {
        r = raise_not_awaitable(s, task, v);
        return r == R_CONT ? R_VIS : r;
    }
    *fut = TSK(v.id)->fut;
    task__awaited(s, v.id);
    if (fut__done(s, *fut)) {
        r = ip_take_result(s, task, f, *fut, as_var);
        return r == R_CONT ? R_VIS : r;
    }
    return R_CONT;
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

uint32_t exc__handled(const Sim *s, uint32_t task)
{
    if (task >= s->st.ntasks)
        return SIM_NONE;
    for (uint32_t f = s->st.tasks[task].frame, k = 0; f != SIM_NONE && k < 100000; k++) {
        const Frame *fr = &s->st.frames[f];
        const Code *c = &s->codes[fr->code];
        if (fr->pc < c->nops && c->ops[fr->pc].handling != SIM_NONE) {
            Value v = s->st.slots[fr->slots + c->ops[fr->pc].handling];
            if (v.type == V_EXC)
                return v.id;
        }
        f = fr->parent;
    }
    return SIM_NONE;
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
        return ip_start_sleep(s, task, f, op->ns, false, cause);
    case OP_IO:
        cause = narrate_exec(s, task, op);
        return op_io(s, task, f, op, cause);
    case OP_SLEEP_NS: {
        VTime ns = slot_at(s, f, 0)->u.i;
        return ip_start_sleep(s, task, f, ns, false, cause);
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
        return ip_do_call(s, task, f, st->coro, st->args_first, st->nargs, 1);
    case OP_CREATE_TASK: {
        narrate_exec(s, task, op);
        Value args[64];
        uint32_t n = st->nargs > 64 ? 64 : st->nargs;
        if (!ip_eval_args(s, task, f, st->args_first, n, args, &r))
            return r == R_CONT ? R_VIS : r;
        uint32_t name = SIM_NONE, g = SIM_NONE;
        bool unbound = false;
        uint32_t bad = SIM_NONE;
        if (st->name != PROG_NONE) { /* name=f"...": an argument, evaluated before the call */
            name = val__template(s, st->name, f, FRM(f)->code, &unbound, &bad);
            if (unbound) {
                r = raise_unbound(s, task, f, bad);
                return r == R_CONT ? R_VIS : r;
            }
        }
        if (st->group != PROG_NONE) {
            Value gv = *slot_at(s, f, st->group);
            if (gv.type != V_GROUP) {
                r = ip_raise_new(s, task, EXC_TYPE, "create_task group is not a TaskGroup");
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
                r = ip_raise_new(s, task, EXC_RUNTIME, b.p);
                mem_free(b.p);
                return r == R_CONT ? R_VIS : r;
            }
        }
        uint32_t t = task__new(s, TK_CORO, st->coro, args, n, g == SIM_NONE ? name : SIM_NONE, 0, op->stmt);
        if (t == SIM_NONE)
            return R_ABORT;
        if (g != SIM_NONE) {
            /* TaskGroup.create_task: loop.create_task(coro) (a Task-N name is
             * used up), then _set_task_name, then the done callback. */
            if (name != SIM_NONE) {
                if (t < s->rec.ntasks && s->rec.tasks[t].created + 1 >= rec__next_index(s)) {
                    const char *z = val__str(s, name);
                    s->rec.tasks[t].name = rec__text(s, z, strlen(z));
                }
            }
            ip_group_add(s, g, t);
        }
        if (st->as_var != PROG_NONE)
            slot_put(s, f, st->as_var, v_id(V_TASK, t));
        if (g == SIM_NONE)
            TSK(t)->hold = 0; /* asyncio.create_task(...): only variables may hold it (holders.c) */
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_AWAIT: {
        cause = narrate_exec(s, task, op);
        uint32_t fut;
        r = ip_await_task_var(s, task, f, st->var, st->as_var, &fut);
        if (r != R_CONT)
            return r;
        FRM(f)->phase = 1;
        FRM(f)->r[0] = fut;
        return ip_suspend_on(s, task, fut, WAIT_TASK, fut_task(&s->st.futs[fut]), SIM_NONE, 0,
                             cause);
    }
    case OP_GATHER:
        cause = narrate_exec(s, task, op);
        return ip_op_gather(s, task, f, op, cause);
    case OP_WAIT_FOR:
        cause = narrate_exec(s, task, op);
        return ip_op_wait_for(s, task, f, op, cause);
    case OP_SHIELD:
        cause = narrate_exec(s, task, op);
        return ip_op_shield(s, task, f, op, cause);
    case OP_AC_START:
    case OP_AC_NEXT:
        return ip_op_ac(s, task, f, op);
    case OP_CANCEL: {
        cause = narrate_exec(s, task, op);
        Value v;
        if (!ip_local(s, task, f, st->var, &v, &r)) /* t.cancel() reads t first */
            return r == R_CONT ? R_VIS : r;
        if (v.type != V_TASK) {
            char msg[128];
            snprintf(msg, sizeof msg, "'%s' object has no attribute 'cancel'", val__type_name(s, v));
            r = ip_raise_new(s, task, EXC_ATTRIBUTE, msg);
            return r == R_CONT ? R_VIS : r;
        }
        if (fut__done(s, TSK(v.id)->fut))
            task__awaited(s, v.id); /* Task.cancel(): self._log_traceback = False first */
        task__cancel_room(s, CANCEL_ROOM_STMT, task);
        bool ok = task__cancel(s, v.id, cause);
        if (s->cancel_recursion) { /* as CPython's recursion ends in the cancel() call */
            r = ip_raise_cancel_recursion(s, task);
            return r == R_CONT ? R_VIS : r;
        }
        if (st->as_var != PROG_NONE)
            slot_put(s, f, st->as_var, v_bool(ok));
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_RETURN: {
        narrate_exec(s, task, op);
        Value v;
        if (!ip_eval(s, task, f, op->stmt == SIM_NONE ? PROG_NONE : st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        r = do_return(s, task, v);
        return r == R_CONT ? R_VIS : r;
    }
    case OP_STASH_RET: {
        narrate_exec(s, task, op);
        Value v;
        if (!ip_eval(s, task, f, st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        slot_put(s, f, op->b, v);
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
        r = ip_do_raise(s, task, e);
        return r == R_CONT ? R_VIS : r;
    }
    case OP_ASSIGN: {
        narrate_exec(s, task, op);
        Value v;
        if (!ip_eval(s, task, f, st->expr, &v, &r))
            return r == R_CONT ? R_VIS : r;
        if (v.type == V_EXC)
            val__stored(s, v, f);
        slot_put(s, f, st->as_var, v);
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_EVENT_WAIT:
    case OP_EVENT_SET:
    case OP_EVENT_CLEAR:
    case OP_ACQUIRE:
    case OP_RELEASE:
    case OP_PUT:
    case OP_GET:
    case OP_JOIN:
    case OP_TASK_DONE:
        return ip_op_sync(s, task, f, op);
    case OP_LOOP_INIT:
        slot_put(s, f, op->a, v_int(0));
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
            slot_put(s, f, op->b, v_int(c->u.i));
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
            slot_put(s, f, op->b, *slot_at(s, f, op->a));
        FRM(f)->pc++;
        return R_VIS;
    }
    case OP_UNBIND: { /* `del e` at the end of `except ... as e` */
        Value none = {0};
        none.type = V_UNBOUND;
        slot_put(s, f, op->a, none);
        FRM(f)->pc++;
        return R_CONT;
    }
    case OP_RERAISE:
        return ip_do_raise(s, task, slot_at(s, f, op->a)->id);
    case OP_TG_ENTER:
    case OP_TG_EXIT:
    case OP_TG_EXIT_EXC:
        return ip_op_tg(s, task, f, op);
    case OP_TO_ENTER:
    case OP_TO_EXIT:
    case OP_TO_EXIT_EXC:
        return ip_op_timeout(s, task, f, op);
    }
    return R_ABORT; /* (every op is handled above) */
}

static int resume_op(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    uint32_t cause = s->st.exec_cause;
    Frame *fr = FRM(f);
    switch ((OpCode)op->op) {
    case OP_SLEEP:
    case OP_IO:
    case OP_SLEEP_NS:
        return ip_resume_sleep(s, task, f, exc);
    case OP_AWAIT:
    case OP_GATHER:
    case OP_SHIELD: { /* r[0]: the task's future, gather's or shield's outer */
        fr->phase = 0;
        if (exc != SIM_NONE)
            return ip_do_raise(s, task, exc);
        const Stmt *st = stmt_of(s, op);
        return ip_take_result(s, task, f, fr->r[0], st->as_var);
    }
    case OP_WAIT_FOR:
        if (fr->phase == 8) { /* timeout=None call: exception from the callee */
            fr->phase = 0;
            return exc != SIM_NONE ? ip_do_raise(s, task, exc) : (fr->pc++, R_CONT);
        }
        return ip_resume_wait_for(s, task, f, op, exc, cause);
    case OP_CALL:
        fr->phase = 0;
        return exc != SIM_NONE ? ip_do_raise(s, task, exc) : (fr->pc++, R_CONT);
    case OP_AC_NEXT:
        return ip_resume_ac(s, task, f, op, exc);
    case OP_EVENT_WAIT:
    case OP_ACQUIRE:
    case OP_PUT:
    case OP_GET:
    case OP_JOIN:
        return ip_resume_sync(s, task, f, op, exc);
    case OP_TG_EXIT:
    case OP_TG_EXIT_EXC:
        return ip_resume_tg_exit(s, task, f, exc, cause);
    default:
        fr->phase = 0;
        return exc != SIM_NONE ? ip_do_raise(s, task, exc) : (fr->pc++, R_CONT);
    }
}

bool interp__run(Sim *s, uint32_t exc, bool first_unit)
{
    uint32_t task = s->st.cur_task;
    if (first_unit) {
        Task *t = TSK(task);
        if (t->must_cancel) {
            if (!ip_is_cancel(s, exc))
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
            r = fr->phase ? resume_op(s, task, f, op, e) : ip_do_raise(s, task, e);
        } else if (fr->phase) {
            r = resume_op(s, task, f, op, SIM_NONE);
        } else {
            r = exec_op(s, task, f, op);
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
