/* interp_wait.c -- tasks.gather, tasks.wait_for and tasks.shield (3.11.7), as ops.
 *
 * gather wraps each awaitable in a task (ensure_future), waits for its
 * outer future and collects the results; wait_for runs the awaitable under
 * a timeout timer and cancels it when the timer wins. Each op suspends with
 * a phase and resumes in ip_resume_wait_for. shield links the awaitable's
 * task (inner) to a new plain future (outer) by two done callbacks, which
 * combi.c runs (shield__inner_done, H_SHIELD_OUTER), and awaits outer:
 * cancelling the awaiting task cancels outer only.
 *
 * Depends on: interp_int.h.  Used by: interp.c.
 */
#include <string.h>

#include "interp_int.h"

static int gather_start(Sim *s, uint32_t task, uint32_t f, const Stmt *st, const Value *vals,
                        uint32_t cause);

/* Op: GATHER -- tasks.gather(*aws, return_exceptions=...) then await it. */
int ip_op_gather(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    int r = R_CONT;
    if (st->aw_count == 0) {
        uint32_t lid = val__new_list(s, NULL, 0);
        if (lid == SIM_NONE)
            return R_ABORT;
        if (st->as_var != PROG_NONE)
            slot_put(s, f, st->as_var, v_id(V_LIST, lid));
        FRM(f)->pc++;
        return R_VIS;
    }
    Value *vals;
    if (!ip_eval_aws(s, task, f, st, &vals, &r))
        return r == R_CONT ? R_VIS : r;
    r = gather_start(s, task, f, st, vals, cause);
    mem_free(vals);
    return r;
}

bool ip_eval_aws(Sim *s, uint32_t task, uint32_t f, const Stmt *st, Value **out, int *r)
{
    /* Python evaluates every argument of gather(...) -- the arguments of
     * its coroutine calls included -- before gather creates any task. */
    uint32_t nvals = 0;
    *out = NULL;
    for (uint32_t i = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        if (aw->kind == AW_CALL)
            nvals += aw->nargs > 64 ? 64 : aw->nargs;
    }
    Value *vals = nvals ? mem_malloc(nvals * sizeof *vals) : NULL;
    if (nvals && !vals) {
        sim__fail_nomem(s);
        *r = R_ABORT;
        return false;
    }
    for (uint32_t i = 0, off = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        uint32_t n = aw->nargs > 64 ? 64 : aw->nargs;
        Value tv;
        if ((aw->kind == AW_TASK && !ip_local(s, task, f, aw->var, &tv, r)) ||
            (aw->kind == AW_CALL && n && !ip_eval_args(s, task, f, aw->args_first, n, vals + off, r))) {
            mem_free(vals);
            return false;
        }
        if (aw->kind == AW_CALL)
            off += n;
    }
    *out = vals;
    return true;
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
            r = ip_raise_new(s, task, EXC_TYPE, "unhashable type: 'list'");
        } else {
            fut = ip_ensure_future(s, task, f, aw, aw->kind == AW_CALL && vals ? vals + off : NULL,
                                   true, &r);
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
        /* `if arg not in arg_to_fut`: only a task can be passed twice (a
         * call or a sleep makes a new task), so only a task is looked for,
         * and 100,000 calls are not 5e9 comparisons */
        bool dup = false;
        for (uint32_t j = 0; aw->kind == AW_TASK && j < gr->nchildren && !dup; j++)
            dup = sst->gchild[gr->children + j] == fut;
        sst->gchild[gr->children + gr->nchildren++] = fut;
        if (!dup) {
            gr->nfuts++;
            fut__add_cb(s, fut, H_GATHER_DONE, g);
        }
    }
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = outer;
    return ip_suspend_on(s, task, outer, WAIT_GATHER, g, SIM_NONE, 0, cause);
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
    task__cancel_room(s, CANCEL_ROOM_WAIT_FOR, task);
    fut__cancel(s, fut, cause);
    if (s->cancel_recursion) { /* fut.cancel() raised RecursionError (Sim.cancel_recursion): */
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w2); /* finally: remove_done_callback */
        FRM(f)->phase = 0;
        int r = ip_raise_cancel_recursion(s, task);
        return r == R_CONT ? R_VIS : r;
    }
    uint32_t ft = fut_task(&s->st.futs[fut]);
    return ip_suspend_on(s, task, w2, WAIT_WAIT_FOR, ft, SIM_NONE, 0, cause);
}

/* Op: WAIT_FOR -- tasks.wait_for (3.11.7), phase by phase:
 *   1 awaiting the waiter (timeout timer or the inner future's completion)
 *   2 _cancel_and_wait after our own cancellation, then re-raise it
 *   3 _cancel_and_wait after the timeout, then result or TimeoutError
 *   5 timeout <= 0: _cancel_and_wait, then result or TimeoutError
 *   6 timeout=None and a task: a plain await
 *   7 timeout=None and sleep: a plain sleep
 *   (timeout=None and a call: the callee frame runs inline; do_return ends it) */
int ip_op_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    const Awaitable *aw = &s->prog->aws[st->aw_first];
    int r = R_CONT;
    if (st->flag) { /* timeout=None: return await aw */
        if (aw->kind == AW_CALL)
            return ip_do_call(s, task, f, aw->coro, aw->args_first, aw->nargs, 8);
        if (aw->kind == AW_SLEEP) {
            FRM(f)->phase = 7;
            r = ip_start_sleep(s, task, f, aw->ns, false, cause);
            FRM(f)->phase = 7;
            return r;
        }
        uint32_t fut; /* `return await fut` */
        r = ip_await_task_var(s, task, f, aw->var, st->as_var, &fut);
        if (r != R_CONT)
            return r;
        FRM(f)->phase = 6;
        FRM(f)->r[2] = fut;
        return ip_suspend_on(s, task, fut, WAIT_TASK, fut_task(&s->st.futs[fut]), SIM_NONE, 0,
                             cause);
    }
    if (op->ns <= 0) {
        uint32_t fut = ip_ensure_future(s, task, f, aw, NULL, true, &r);
        if (fut == SIM_NONE)
            return r == R_CONT ? R_VIS : r;
        FRM(f)->r[2] = fut;
        if (fut__done(s, fut)) {
            r = ip_take_result(s, task, f, fut, st->as_var);
            return r == R_CONT ? R_VIS : r;
        }
        return cancel_and_wait(s, task, f, fut, 5, cause);
    }
    /* wait_for(c(args), timeout=d) and wait_for(t, timeout=d): the call's
     * arguments, or t, are evaluated before wait_for runs, so before its
     * timeout timer exists. */
    Value args[64];
    uint32_t nargs = aw->nargs > 64 ? 64 : aw->nargs;
    if (aw->kind == AW_CALL && !ip_eval_args(s, task, f, aw->args_first, nargs, args, &r))
        return r == R_CONT ? R_VIS : r;
    Value tv;
    if (aw->kind == AW_TASK && !ip_local(s, task, f, aw->var, &tv, &r))
        return r == R_CONT ? R_VIS : r;
    uint32_t w = fut__new(s);
    if (w == SIM_NONE)
        return R_ABORT;
    uint32_t h = rec__handle(s, H_RELEASE_WAITER, task, w, SIM_NONE, op->stmt, true);
    if (h == SIM_NONE)
        return R_ABORT;
    uint32_t tm, reg = ip_call_later(s, task, h, op->stmt, op->ns, cause, &tm);
    if (reg == SIM_NONE)
        return R_ABORT;
    /* ensure_future raising TypeError leaves timeout_handle scheduled: it
     * is created outside wait_for's try/finally (cases/await_non_task.json) */
    uint32_t fut = ip_ensure_future(s, task, f, aw, args, true, &r);
    if (fut == SIM_NONE)
        return r == R_CONT ? R_VIS : r;
    fut__add_cb(s, fut, H_RELEASE_WAITER, w);
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = w;
    fr->r[1] = tm;
    fr->r[2] = fut;
    fr->r[4] = h;
    return ip_suspend_on(s, task, w, WAIT_WAIT_FOR, fut_task(&s->st.futs[fut]), h,
                         s->st.now + op->ns, reg);
}

int ip_resume_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc,
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
            if (!ip_is_cancel(s, exc)) {
                loop__timer_cancel(s, tm, th);
                return ip_do_raise(s, task, exc);
            }
            if (fut__done(s, fut)) {
                loop__timer_cancel(s, tm, th);
                return ip_take_result(s, task, f, fut, st->as_var);
            }
            fut__remove_cb(s, fut, H_RELEASE_WAITER, w);
            FRM(f)->tmp = v_id(V_EXC, exc);
            return cancel_and_wait(s, task, f, fut, 2, cause);
        }
        if (fut__done(s, fut)) {
            loop__timer_cancel(s, tm, th);
            return ip_take_result(s, task, f, fut, st->as_var);
        }
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w);
        return cancel_and_wait(s, task, f, fut, 3, cause);
    case 2:
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w2);
        loop__timer_cancel(s, tm, th);
        return ip_do_raise(s, task, exc != SIM_NONE ? exc : FRM(f)->tmp.id);
    case 3:
    case 5: {
        fut__remove_cb(s, fut, H_RELEASE_WAITER, w2);
        if (phase == 3)
            loop__timer_cancel(s, tm, th);
        if (exc != SIM_NONE)
            return ip_do_raise(s, task, exc);
        Value v;
        uint32_t e = SIM_NONE;
        if (fut__result(s, fut, &v, &e)) {
            if (st->as_var != PROG_NONE)
                slot_put(s, f, st->as_var, v);
            FRM(f)->pc++;
            return R_CONT;
        }
        if (ip_is_cancel(s, e)) {
            uint32_t te = val__new_exc(s, EXC_TIMEOUT, SIM_NONE, SIM_NONE);
            return te == SIM_NONE ? R_ABORT : ip_do_raise(s, task, te);
        }
        return ip_do_raise(s, task, e);
    }
    case 6:
        if (exc != SIM_NONE)
            return ip_do_raise(s, task, exc);
        return ip_take_result(s, task, f, fut, st->as_var);
    case 7:
        FRM(f)->phase = 1;
        {
            int r = ip_resume_sleep(s, task, f, exc);
            if (r == R_CONT && st->as_var != PROG_NONE)
                slot_put(s, f, st->as_var, v_none());
            return r;
        }
    default:
        return exc != SIM_NONE ? ip_do_raise(s, task, exc) : (FRM(f)->pc++, R_CONT);
    }
}

/* Op: SHIELD -- `await asyncio.shield(aw)`. tasks.shield: inner =
 * _ensure_future(aw); a done inner is returned as it is, and awaiting a done
 * task takes its result without suspending. Otherwise outer is a new
 * future; inner.add_done_callback(_inner_done_callback), then
 * outer.add_done_callback(_outer_done_callback), and the task awaits outer,
 * whose wakeup comes after _outer_done_callback. */
int ip_op_shield(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    const Awaitable *aw = &s->prog->aws[st->aw_first];
    int r = R_CONT;
    /* not retrieving: _outer_done_callback may take away the callback that
     * would retrieve inner's exception (cb_handle, task.c) */
    uint32_t inner = ip_ensure_future(s, task, f, aw, NULL, false, &r);
    if (inner == SIM_NONE)
        return r == R_CONT ? R_VIS : r;
    if (fut__done(s, inner)) { /* `return inner` (a task variable's): the await retrieves */
        task__awaited(s, fut_task(&s->st.futs[inner]));
        r = ip_take_result(s, task, f, inner, st->as_var);
        return r == R_CONT ? R_VIS : r;
    }
    uint32_t outer = fut__new(s);
    if (outer == SIM_NONE)
        return R_ABORT;
    fut__add_cb(s, inner, H_SHIELD_INNER, outer);
    fut__add_cb(s, outer, H_SHIELD_OUTER, inner);
    Frame *fr = FRM(f);
    fr->phase = 1;
    fr->r[0] = outer;
    return ip_suspend_on(s, task, outer, WAIT_SHIELD, fut_task(&s->st.futs[inner]), SIM_NONE, 0,
                         cause);
}
