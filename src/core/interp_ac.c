/* interp_ac.c -- `for _f in asyncio.as_completed(fs, timeout=d): x = await _f`
 * (tasks.py and queues.py, 3.11.7), as ops.
 *
 * as_completed is a generator: nothing happens until the for loop's first
 * next(), which runs its body up to the first yield. Two ops make the loop:
 *   AC_START  that first next(): every argument evaluated (as for gather),
 *             todo = {ensure_future(f) for f in set(fs)} -- in argument
 *             order, the rule for set iteration that loopscope and the
 *             harness share (R35, R51) -- then _on_completion added to each
 *             future, and the timeout's call_later when there is one;
 *   AC_NEXT   the loop head: when len(todo) coroutines were yielded the loop
 *             ends; else `await _wait_for_one()`, inline: `f = await
 *             done.get()` on its done Queue (a getter future when the queue
 *             is empty), then TimeoutError for a None, else f.result().
 * The callbacks (combi.c runs them): _on_completion(f) moves f from todo to
 * the done Queue (put_nowait wakes the getter); _on_timeout puts a None for
 * each future still in todo and empties it. The futures go into a queue,
 * so their tasks are HOLD_STICKY (holders.c): when CPython frees a task
 * that failed and was never taken out is not known.
 *
 * Depends on: interp_int.h.  Used by: interp.c (the ops), combi.c
 * (ac__on_completion, ac__on_timeout).
 */
#include "interp_int.h"

/* done.put_nowait(item) (SIM_NONE: a None): the item goes in, and
 * _wakeup_next(getters) completes the getter if it is still pending. */
static void queue_put(Sim *s, uint32_t id, uint32_t item, uint32_t cause)
{
    AsComp *ac = &s->st.acs[id];
    s->st.acq[ac->items + ac->qhead + ac->qlen++] = item;
    uint32_t g = ac->getter;
    ac->getter = SIM_NONE; /* waiters.popleft() */
    if (g != SIM_NONE && !fut__done(s, g))
        fut__set_result(s, g, v_none(), cause);
}

void ac__on_completion(Sim *s, uint32_t item, uint32_t cause)
{
    AcItem *it = &s->st.acitems[item];
    uint32_t id = it->ac;
    AsComp *ac = &s->st.acs[id];
    if (ac->ntodo == 0 || !it->in_todo)
        return; /* _on_timeout() was here first */
    it->in_todo = false; /* todo.remove(f) */
    ac->ntodo--;
    queue_put(s, id, item, cause);
    ac = &s->st.acs[id];
    if (ac->ntodo == 0 && ac->handle != SIM_NONE)
        loop__timer_cancel(s, ac->timer, ac->handle);
}

void ac__on_timeout(Sim *s, uint32_t id, uint32_t cause)
{
    const AsComp *ac = &s->st.acs[id];
    uint32_t first = ac->items, n = ac->n;
    for (uint32_t i = first; i < first + n; i++) {
        if (!s->st.acitems[i].in_todo)
            continue;
        s->st.acitems[i].in_todo = false;
        fut__remove_cb(s, s->st.acitems[i].fut, H_AC_DONE, i);
        queue_put(s, id, SIM_NONE, cause);
    }
    s->st.acs[id].ntodo = 0; /* todo.clear() */
}

/* as_completed's set(fs): a list among the arguments is unhashable, which
 * raises before any task is made. true when every argument hashes. */
static bool args_hash(Sim *s, uint32_t task, uint32_t f, const Stmt *st, int *r)
{
    for (uint32_t i = 0; i < st->aw_count; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        if (aw->kind == AW_TASK && slot_at(s, f, aw->var)->type == V_LIST) {
            *r = ip_raise_new(s, task, EXC_TYPE, "unhashable type: 'list'");
            return false;
        }
    }
    return true;
}

static int op_start(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    SimState *sst = &s->st;
    int r = R_CONT;
    Value *vals;
    if (!ip_eval_aws(s, task, f, st, &vals, &r))
        return r == R_CONT ? R_VIS : r;
    uint32_t n = st->aw_count;
    if (!args_hash(s, task, f, st, &r)) {
        mem_free(vals);
        return r == R_CONT ? R_VIS : r;
    }
    if (!GROW(s, sst->acs, sst->acs_cap, sst->nacs + 1) ||
        !GROW(s, sst->acitems, sst->acitems_cap, sst->nacitems + n) ||
        !GROW(s, sst->acq, sst->acq_cap, sst->nacq + n)) {
        mem_free(vals);
        return R_ABORT;
    }
    uint32_t id = sst->nacs++;
    AsComp *ac = &sst->acs[id];
    memset(ac, 0, sizeof *ac);
    ac->items = sst->nacitems;
    ac->getter = ac->timer = ac->handle = SIM_NONE;
    sst->nacitems += n;
    sst->nacq += n;
    slot_put(s, f, op->a, v_int(id));
    for (uint32_t i = 0, off = 0; i < n; i++) {
        const Awaitable *aw = &s->prog->aws[st->aw_first + i];
        uint32_t fut = ip_ensure_future(s, task, f, aw, aw->kind == AW_CALL && vals ? vals + off : NULL,
                                        true, &r);
        if (aw->kind == AW_CALL)
            off += aw->nargs > 64 ? 64 : aw->nargs;
        if (fut == SIM_NONE) { /* ensure_future raised: no callback was added yet */
            mem_free(vals);
            return r == R_CONT ? R_VIS : r;
        }
        ac = &s->st.acs[id];
        bool dup = false; /* set(fs): a task passed twice is one future */
        for (uint32_t j = ac->items; aw->kind == AW_TASK && j < ac->items + ac->n && !dup; j++)
            dup = s->st.acitems[j].fut == fut;
        if (dup)
            continue;
        task__escape(s, v_id(V_TASK, fut_task(&s->st.futs[fut]))); /* into the done Queue */
        AcItem *it = &s->st.acitems[ac->items + ac->n++];
        it->fut = fut;
        it->ac = id;
        it->in_todo = true;
    }
    mem_free(vals);
    ac = &s->st.acs[id];
    ac->ntodo = ac->left = ac->n;
    for (uint32_t i = ac->items; i < ac->items + ac->n; i++)
        fut__add_cb(s, s->st.acitems[i].fut, H_AC_DONE, i);
    if (ac->n && !st->flag) { /* timeout_handle = loop.call_later(timeout, _on_timeout) */
        uint32_t h = rec__handle(s, H_AC_TIMEOUT, task, SIM_NONE, id, op->stmt, true);
        if (h == SIM_NONE)
            return R_ABORT;
        uint32_t tm;
        if (ip_call_later(s, task, h, op->stmt, op->ns, cause, &tm) == SIM_NONE)
            return R_ABORT;
        s->st.acs[id].timer = tm;
        s->st.acs[id].handle = h;
    }
    FRM(f)->pc++;
    return R_VIS;
}

/* _wait_for_one(): `f = await done.get()`, then TimeoutError for a None or
 * f.result(). Queue.get suspends on a getter while the queue is empty. */
static int wait_one(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t id, uint32_t cause)
{
    AsComp *ac = &s->st.acs[id];
    if (ac->qlen == 0) { /* while self.empty(): await getter */
        uint32_t g = fut__new(s);
        if (g == SIM_NONE)
            return R_ABORT;
        s->st.acs[id].getter = g;
        FRM(f)->phase = 1;
        FRM(f)->r[0] = g;
        return ip_suspend_on(s, task, g, WAIT_AS_COMPLETED, id, SIM_NONE, 0, cause);
    }
    uint32_t item = s->st.acq[ac->items + ac->qhead]; /* get_nowait() */
    ac->qhead++;
    ac->qlen--;
    if (item == SIM_NONE) { /* the dummy value from _on_timeout() */
        uint32_t te = val__new_exc(s, EXC_TIMEOUT, SIM_NONE, SIM_NONE);
        return te == SIM_NONE ? R_ABORT : ip_do_raise(s, task, te);
    }
    return ip_take_result(s, task, f, s->st.acitems[item].fut, op->b); /* f.result() */
}

int ip_op_ac(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    uint32_t cause = s->st.exec_cause;
    if (op->op == OP_AC_START) {
        cause = narrate_exec(s, task, op);
        return op_start(s, task, f, op, cause);
    }
    uint32_t id = (uint32_t)slot_at(s, f, op->a)->u.i;
    AsComp *ac = &s->st.acs[id];
    if (ac->left == 0) { /* range(len(todo)) is used up: the loop ends */
        FRM(f)->pc = op->c;
        return R_CONT;
    }
    ac->left--;
    cause = narrate_exec_aux(s, task, op, AC_EXEC_NEXT);
    int r = wait_one(s, task, f, op, id, cause);
    return r == R_CONT ? R_VIS : r;
}

int ip_resume_ac(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    Frame *fr = FRM(f);
    uint32_t g = fr->r[0], id = (uint32_t)slot_at(s, f, op->a)->u.i;
    fr->phase = 0;
    if (exc != SIM_NONE) {
        /* Queue.get's except: getter.cancel(); self._getters.remove(getter);
         * no other getter to wake */
        if (!fut__done(s, g))
            fut__cancel_plain(s, g, s->st.exec_cause);
        if (s->st.acs[id].getter == g)
            s->st.acs[id].getter = SIM_NONE;
        return ip_do_raise(s, task, exc);
    }
    return wait_one(s, task, f, op, id, s->st.exec_cause);
}
