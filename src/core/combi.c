/* combi.c -- the loop's plain callbacks: timer callbacks and combinators.
 *
 * These are the handles in the ready queue that are not a task's step:
 * futures._set_result_unless_cancelled (sleep's timer), the I/O completion,
 * tasks._release_waiter (wait_for), gather's _done_callback,
 * TaskGroup._on_task_done, asyncio.timeout's Timeout._on_timeout, shield's
 * _inner_done_callback and _outer_done_callback, and
 * base_events._run_until_complete_cb (which
 * stops the loop when the future run_until_complete waits for is done).
 * Each runs as one CALLBACK step (stage 3) whose effects (a future
 * completing: RESOLVE, stage 6) follow it.
 *
 * Depends on: core_int.h, task.c, interp_group.c (group__on_task_done).
 * Used by: sim.c.
 */
#include <string.h>

#include "core_int.h"

/* tasks.gather's _done_callback (3.11) for one finished child. */
void gather__on_child_done(Sim *s, uint32_t g, uint32_t child, uint32_t cause)
{
    SimState *st = &s->st;
    st->gathers[g].nfinished++;
    uint32_t outer = st->gathers[g].outer;
    if (fut__done(s, outer))
        return; /* the child's exception counts as retrieved */
    const Fut *cf = &st->futs[child];
    if (!st->gathers[g].return_exceptions) {
        if (cf->state == FUT_CANCELLED) {
            uint32_t e = fut__cancelled_error(s, child); /* fut._make_cancelled_error() */
            fut__set_exception(s, outer, e, cause);
            return;
        }
        if (cf->exc != SIM_NONE) {
            fut__set_exception(s, outer, cf->exc, cause);
            return;
        }
    }
    if (st->gathers[g].nfinished < st->gathers[g].nfuts)
        return;
    uint32_t n = st->gathers[g].nchildren;
    Value small[64];
    Value *res = n <= 64 ? small : mem_malloc(n * sizeof(Value));
    if (!res) {
        sim__fail_nomem(s);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const Fut *c = &st->futs[st->gchild[st->gathers[g].children + i]];
        Value v = {0};
        if (c->state == FUT_CANCELLED) {
            /* exceptions.CancelledError('' if fut._cancel_message is None ...) */
            uint32_t msg = val__new_str(s, "", 0);
            v.type = V_EXC;
            v.id = val__new_exc(s, EXC_CANCELLED, msg, SIM_NONE);
        } else if (c->exc != SIM_NONE) {
            v.type = V_EXC;
            v.id = c->exc;
        } else {
            v = c->result;
        }
        res[i] = v;
    }
    if (st->futs[outer].cancel_requested) {
        /* exc = fut._make_cancelled_error(): fut is the child just done */
        fut__set_exception(s, outer, fut__cancelled_error(s, child), cause);
    } else {
        uint32_t lid = val__new_list(s, res, n);
        Value lv = {0};
        lv.type = V_LIST;
        lv.id = lid;
        if (lid != SIM_NONE)
            fut__set_result(s, outer, lv, cause);
    }
    if (res != small)
        mem_free(res);
}

/* tasks.shield's _inner_done_callback(inner) (3.11.7). When outer was
 * cancelled first, it only marks inner's exception retrieved: that is why
 * a task with this callback is HOLD_AWAITED once done (cb_handle, task.c). */
void shield__inner_done(Sim *s, uint32_t inner, uint32_t outer, uint32_t cause)
{
    const Fut *in = &s->st.futs[inner];
    if (s->st.futs[outer].state == FUT_CANCELLED)
        return;
    if (in->state == FUT_CANCELLED)
        fut__cancel_plain(s, outer, cause); /* outer.cancel(): no message */
    else if (in->exc != SIM_NONE)
        fut__set_exception(s, outer, in->exc, cause);
    else
        fut__set_result(s, outer, in->result, cause);
}

/* What a shield or as_completed callback is about to do (ShieldStep, AcStep), for its step's text. */
static inline uint8_t callback_aux(const Sim *s, const HandleInfo *hi)
{
    if (hi->kind == H_AC_DONE) { /* as_completed's _on_completion (AcStep) */
        const AsComp *ac = &s->st.acs[s->st.acitems[hi->other].ac];
        return ac->ntodo == 0 ? ACS_LATE : ac->getter != SIM_NONE && !fut__done(s, ac->getter) ? ACS_WAKE
                                                                                                 : ACS_QUEUED;
    }
    if (hi->kind != H_SHIELD_INNER && hi->kind != H_SHIELD_OUTER)
        return SHS_NONE;
    const Fut *f = &s->st.futs[hi->fut], *o = &s->st.futs[hi->other];
    if (hi->kind == H_SHIELD_OUTER)
        return o->state == FUT_PENDING ? SHS_REMOVE : SHS_INNER_DONE; /* other: inner */
    if (o->state == FUT_CANCELLED) /* other: outer */
        return SHS_RETRIEVED;
    return f->state == FUT_CANCELLED ? SHS_CANCEL : f->exc != SIM_NONE ? SHS_EXCEPTION : SHS_RESULT;
}

void cb__run(Sim *s, uint32_t h, uint32_t pick)
{
    HandleInfo hi = s->rec.handles[h];
    uint32_t step = rec__step(s, STAGE_EXECUTE, STEP_CALLBACK, hi.task, h, hi.stmt, hi.fut,
                              pick, callback_aux(s, &hi), 0);
    switch ((HandleKind)hi.kind) {
    case H_SLEEP_DONE:
    case H_IO_DONE: { /* futures._set_result_unless_cancelled(fut, None) */
        if (s->st.futs[hi.fut].state == FUT_CANCELLED)
            break;
        Value v = {0};
        v.type = V_NONE;
        fut__set_result(s, hi.fut, v, step);
        break;
    }
    case H_RELEASE_WAITER: /* tasks._release_waiter(waiter) */
        if (!fut__done(s, hi.fut)) {
            Value v = {0};
            v.type = V_NONE;
            fut__set_result(s, hi.fut, v, step);
        }
        break;
    case H_GATHER_DONE:
        gather__on_child_done(s, hi.other, hi.fut, step);
        break;
    case H_GROUP_DONE:
        group__on_task_done(s, hi.other, hi.task, step);
        break;
    case H_RUN_UNTIL_DONE: /* base_events._run_until_complete_cb: loop.stop() */
        s->st.stopping = true;
        break;
    case H_TIMEOUT: /* timeouts.Timeout._on_timeout */
        timeout__on_timeout(s, hi.other, step);
        break;
    case H_SHIELD_INNER:
        shield__inner_done(s, hi.fut, hi.other, step);
        break;
    case H_AC_DONE: /* as_completed's _on_completion(f) */
        ac__on_completion(s, hi.other, step);
        break;
    case H_AC_TIMEOUT: /* as_completed's _on_timeout */
        ac__on_timeout(s, hi.other, step);
        break;
    case H_SHIELD_OUTER: /* _outer_done_callback: inner.remove_done_callback(_inner_done_callback) */
        if (!fut__done(s, hi.other))
            fut__remove_cb(s, hi.other, H_SHIELD_INNER, hi.fut);
        break;
    default:
        break;
    }
}
