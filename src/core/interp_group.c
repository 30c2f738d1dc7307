/* interp_group.c -- asyncio.TaskGroup (taskgroups.py, 3.11), as ops.
 *
 * A Group keeps its children (in creation order: Python iterates a set, the
 * harness and loopscope agree on creation order) and the errors they ended
 * with. __aexit__ waits until no child is left, cancels the others when
 * one fails or the body raised, and raises an ExceptionGroup of the
 * errors.
 *
 * Depends on: interp_int.h.  Used by: interp.c, task.c (group__on_task_done).
 */
#include <string.h>

#include "interp_int.h"

/* Appends v to the list from *head to *last. Group nodes are never freed:
 * a child that ends stays in its group's list (Group.tasks), and errors are
 * kept until the group is done. */
static uint32_t gnode_push(Sim *s, uint32_t *head, uint32_t *last, uint32_t v)
{
    SimState *st = &s->st;
    if (!GROW(s, st->gnodes, st->gnodes_cap, st->ngnodes + 1))
        return SIM_NONE;
    uint32_t n = st->ngnodes++;
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
    task__cancel_room(s, CANCEL_ROOM_STMT, SIM_NONE); /* (too deep: the run stops) */
    uint32_t n = s->st.groups[g].tasks;
    while (n != SIM_NONE) {
        uint32_t t = s->st.gnodes[n].v;
        uint32_t next = s->st.gnodes[n].next;
        if (!fut__done(s, TSK(t)->fut))
            task__cancel(s, t, cause);
        task__cancel_recursion_stop(s);
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
        task__cancel_room(s, CANCEL_ROOM_STMT, SIM_NONE);
        task__cancel(s, st->groups[g].parent, cause);
        task__cancel_recursion_stop(s);
    }
}

/* The tail of TaskGroup.__aexit__ after its wait loop. `et_exc` is the
 * exception the body raised (SIM_NONE for a normal exit). */
static int group_exit_tail(Sim *s, uint32_t task, uint32_t f, uint32_t g, uint32_t et_exc,
                           uint32_t propagate)
{
    Group *gr = &s->st.groups[g];
    /* raised in __aexit__, whose frame keeps the group, which keeps the
     * task: the exception's traceback makes a cycle (holders.c) */
    if (gr->base_error != SIM_NONE) {
        exc__outlives(s, gr->base_error);
        return ip_do_raise(s, task, gr->base_error);
    }
    if (propagate != SIM_NONE && gr->nerrors == 0) {
        exc__outlives(s, propagate);
        return ip_do_raise(s, task, propagate);
    }
    if (et_exc != SIM_NONE && !ip_is_cancel(s, et_exc)) {
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
        exc__outlives(s, e);
        return ip_do_raise(s, task, e);
    }
    if (et_exc != SIM_NONE)
        return ip_do_raise(s, task, et_exc); /* __aexit__ returned None: re-raise */
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
        return ip_suspend_on(s, task, s->st.groups[g].completed_fut, WAIT_GROUP, g, SIM_NONE, 0,
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
    uint32_t prop = ip_is_cancel(s, et) ? et : SIM_NONE;
    if (gr->parent_cancel_requested) {
        if (task__uncancel(s, gr->parent) == 0)
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

int ip_resume_tg_exit(Sim *s, uint32_t task, uint32_t f, uint32_t exc, uint32_t cause)
{
    Frame *fr = FRM(f);
    uint32_t g = fr->r[0];
    fr->phase = 0;
    if (exc != SIM_NONE) {
        if (ip_is_cancel(s, exc)) {
            if (!s->st.groups[g].aborting) {
                FRM(f)->r[2] = exc;
                group_abort(s, g, cause);
            }
        } else {
            return ip_do_raise(s, task, exc);
        }
    }
    s->st.groups[g].completed_fut = SIM_NONE;
    return group_wait(s, task, f, g, cause);
}

/* async with TaskGroup(): __aenter__, and __aexit__ without or with the
 * body's exception. */
int ip_op_tg(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    uint32_t cause;
    int r;
    switch ((OpCode)op->op) {
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
        slot_put(s, f, op->a, v_id(V_GROUP, sst->ngroups++));
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
    default:
        return R_ABORT; /* (exec_op sends only these here) */
    }
}

/* TaskGroup.create_task's bookkeeping once the task exists: the done
 * callback and self._tasks.add(task). */
void ip_group_add(Sim *s, uint32_t g, uint32_t t)
{
    task__awaited(s, t); /* _on_task_done reads task.exception() */
    fut__add_cb(s, TSK(t)->fut, H_GROUP_DONE, g);
    gnode_push(s, &s->st.groups[g].tasks, &s->st.groups[g].tasks_last, t);
    s->st.groups[g].ntasks++;
}
