/* interp_timeout.c -- asyncio.timeout(d) (timeouts.py, 3.11.7), as ops.
 *
 * `async with asyncio.timeout(d):` is three ops around its body:
 *   TO_ENTER     timeout(d) and Timeout.__aenter__: remember the task and
 *                task.cancelling(), then reschedule(now + d): a timer
 *                (call_at) when d > 0, a plain call_soon when d <= 0, none
 *                for timeout(None);
 *   TO_EXIT      __aexit__ after the body ended normally (or returned);
 *   TO_EXIT_EXC  __aexit__ with the exception the body raised.
 * The handler, Timeout._on_timeout, is a callback the loop runs (H_TIMEOUT,
 * combi.c): it calls task.cancel() and marks the Timeout EXPIRING. __aexit__
 * cancels the handler, and when the Timeout expired it calls
 * task.uncancel(); if that brings the count back to what it was at
 * __aenter__ and the body is leaving with CancelledError, the CancelledError
 * becomes TimeoutError. A CancelledError anyone else asked for (the count
 * stays higher) goes on up, as in CPython.
 *
 * Nothing here suspends: __aenter__ and __aexit__ never await.
 *
 * Depends on: interp_int.h.  Used by: interp.c (the ops), combi.c
 * (timeout__on_timeout).
 */
#include "interp_int.h"

static int op_enter(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    const Stmt *st = stmt_of(s, op);
    SimState *sst = &s->st;
    if (!GROW(s, sst->touts, sst->touts_cap, sst->ntouts + 1))
        return R_ABORT;
    uint32_t id = sst->ntouts++;
    TimeoutRec *to = &sst->touts[id];
    to->task = task;
    to->cancelling = TSK(task)->num_cancels; /* self._cancelling = task.cancelling() */
    to->timer = SIM_NONE;
    to->handle = SIM_NONE;
    to->outer = TSK(task)->timeout;
    to->state = TO_ENTERED;
    TSK(task)->timeout = id;
    slot_put(s, f, op->a, v_int(id));
    if (!st->flag) { /* Timeout.reschedule(now + d) */
        bool later = op->ns > 0; /* call_at; a deadline not after now: call_soon */
        uint32_t h = rec__handle(s, H_TIMEOUT, task, SIM_NONE, id, op->stmt, later);
        if (h == SIM_NONE)
            return R_ABORT;
        uint32_t tm = SIM_NONE;
        if (later) {
            if (ip_call_later(s, task, h, op->stmt, op->ns, cause, &tm) == SIM_NONE)
                return R_ABORT;
        } else {
            loop__call_soon(s, h);
        }
        to = &s->st.touts[id];
        to->timer = tm;
        to->handle = h;
    }
    FRM(f)->pc++;
    return R_VIS;
}

/* Timeout.__aexit__; exc is the exception leaving the body, or SIM_NONE.
 * Narrated first, with what it is about to do (TimeoutStep). */
static int op_exit(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    uint32_t id = (uint32_t)slot_at(s, f, op->a)->u.i;
    const TimeoutRec *t0 = &s->st.touts[id];
    bool expired = t0->state == TO_EXPIRING;
    uint32_t n = TSK(task)->num_cancels;
    bool to_timeout = expired && (n ? n - 1 : 0) <= t0->cancelling && ip_is_cancel(s, exc);
    TimeoutStep aux = !expired ? (exc != SIM_NONE ? TOS_EXIT_RAISE : TOS_EXIT)
                      : to_timeout ? TOS_TIMEOUT
                      : ip_is_cancel(s, exc) ? TOS_CANCEL_ON
                      : exc != SIM_NONE ? TOS_EXPIRED_RAISE : TOS_EXPIRED_EXIT;
    narrate_exec_aux(s, task, op, (uint8_t)aux);
    TimeoutRec *to = &s->st.touts[id];
    TSK(task)->timeout = to->outer; /* (blocks nest: this one is the innermost) */
    if (to->handle != SIM_NONE) { /* self._timeout_handler.cancel() */
        loop__timer_cancel(s, to->timer, to->handle);
        to = &s->st.touts[id];
        to->timer = SIM_NONE;
        to->handle = SIM_NONE;
    }
    if (to->state == TO_EXPIRING) {
        to->state = TO_EXPIRED;
        task__uncancel(s, to->task);
        if (to_timeout) { /* raise TimeoutError from exc_val */
            uint32_t te = val__new_exc(s, EXC_TIMEOUT, SIM_NONE, SIM_NONE);
            if (te == SIM_NONE)
                return R_ABORT;
            /* its traceback keeps this frame of __aexit__, whose self keeps
             * the task: a reference cycle if the task ends with it (holders.c) */
            TSK(task)->to_exc = te;
            return ip_do_raise(s, task, te);
        }
    } else if (to->state == TO_ENTERED) {
        to->state = TO_EXITED;
    }
    if (exc != SIM_NONE)
        return ip_do_raise(s, task, exc); /* __aexit__ returned None: re-raise */
    FRM(f)->pc++;
    return R_CONT;
}

int ip_op_timeout(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    int r;
    switch ((OpCode)op->op) {
    case OP_TO_ENTER:
        return op_enter(s, task, f, op, narrate_exec(s, task, op));
    case OP_TO_EXIT:
        r = op_exit(s, task, f, op, SIM_NONE);
        break;
    case OP_TO_EXIT_EXC:
        r = op_exit(s, task, f, op, slot_at(s, f, op->b)->id);
        break;
    default:
        return R_ABORT; /* (exec_op sends only these here) */
    }
    return r == R_CONT ? R_VIS : r;
}

/* Timeout._on_timeout, run by the loop: self._task.cancel(), then
 * self._state = EXPIRING. (A cancel that goes round a cycle of tasks
 * would raise RecursionError out of the callback, which the loop logs;
 * loopscope stops the run there instead, as for a TaskGroup's abort.) */
void timeout__on_timeout(Sim *s, uint32_t id, uint32_t cause)
{
    TimeoutRec *to = &s->st.touts[id];
    if (to->state != TO_ENTERED)
        return; /* (its __aexit__ cancelled this handle first) */
    uint32_t task = to->task;
    to->timer = SIM_NONE; /* the handle ran: cancelling it does nothing now */
    to->handle = SIM_NONE;
    task__cancel_room(s, CANCEL_ROOM_STMT, SIM_NONE);
    task__cancel(s, task, cause);
    task__cancel_recursion_stop(s);
    s->st.touts[id].state = TO_EXPIRING;
}
