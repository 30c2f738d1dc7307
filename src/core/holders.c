/* holders.c -- who holds a task: when CPython frees a failed task, and so
 * when asyncio logs "Task exception was never retrieved" (R47).
 *
 * With the C Task, a task is freed the moment its last reference goes, and
 * if its exception was never retrieved Future.__del__ logs it then. The
 * references loopscope can follow exactly are the variables of frames
 * (Task.refs counts the slots holding the task): a task created by a bare
 * create_task has none, so it is freed as its failing step ends; one bound
 * to `t` is freed when `t` is rebound, or when the frame returns.
 *
 * Where loopscope cannot know the moment, the task is never logged
 * (Task.hold), and the step text of its end says why:
 *   HOLD_STICKY   the task went somewhere else (a future's result, a
 *                 queue, a list), or a frame holding it was unwound by an
 *                 exception, whose traceback keeps the frame;
 *   HOLD_AWAITED  something retrieves its exception (await, gather,
 *                 wait_for, a TaskGroup, asyncio.run), or it is one of
 *                 asyncio's own tasks;
 * and a task whose exception's traceback holds its own TaskGroup, or the
 * Timeout of its own asyncio.timeout block (a TimeoutError raised by
 * Timeout.__aexit__, whose frame keeps the Timeout, which keeps the task),
 * sits in a reference cycle, and so does one whose exception was raised
 * while handling such an exception (its __context__ keeps it): only the
 * cyclic GC frees it, at a moment no simulation can know
 * (TaskInfo.freed_log, R55).
 *
 * A traceback keeps every frame its exception passed through, variables and
 * all. An exception that outlives those frames (SimState.xkept: a future
 * holds it, a TaskGroup's __aexit__ raised it from a cycle, or the program
 * stored it) makes them Frame.kept: their tasks are HOLD_STICKY when the
 * frame returns. A fresh exception that a handler catches and drops dies at
 * once, and keeps nothing.
 *
 * Depends on: core_int.h.  Used by: interp*.c, task.c, sim.c.
 */
#include "core_int.h"

void task__ref(Sim *s, Value v)
{
    if (v.type == V_TASK && v.id < s->st.ntasks)
        s->st.tasks[v.id].refs++;
}

void task__unref(Sim *s, Value v, uint32_t step)
{
    if (v.type != V_TASK || v.id >= s->st.ntasks)
        return;
    Task *t = &s->st.tasks[v.id];
    if (t->refs && --t->refs == 0)
        task__maybe_log(s, v.id, step);
}

void task__escape(Sim *s, Value v)
{
    if (v.type == V_TASK && v.id < s->st.ntasks)
        s->st.tasks[v.id].hold |= HOLD_STICKY;
    else if (v.type == V_EXC)
        exc__outlives(s, v.id);
}

void exc__outlives(Sim *s, uint32_t exc)
{
    if (exc < s->st.nxkept)
        s->st.xkept[exc] = 1;
}

bool exc__kept(const Sim *s, uint32_t exc)
{
    return exc < s->st.nxkept && s->st.xkept[exc];
}

void val__stored(Sim *s, Value v, uint32_t f)
{
    task__escape(s, v);
    if (v.type == V_EXC && f != SIM_NONE)
        s->st.frames[f].kept = true; /* f -> v -> its traceback -> f */
}

void task__awaited(Sim *s, uint32_t task)
{
    if (task < s->st.ntasks)
        s->st.tasks[task].hold |= HOLD_AWAITED;
}

void task__maybe_log(Sim *s, uint32_t task, uint32_t step)
{
    Task *t = &s->st.tasks[task];
    if (t->refs || t->hold)
        return;
    const Fut *f = &s->st.futs[t->fut];
    if (f->state != FUT_FINISHED || f->exc == SIM_NONE)
        return; /* pending, done with a result, or cancelled */
    t->hold |= HOLD_LOGGED;
    /* its exception, or one it was raised while handling (__context__),
     * holds the task through a traceback: the GC's moment */
    uint32_t cycle = SIM_NONE;
    for (uint32_t e = f->exc, k = 0; e != SIM_NONE && e < s->st.nexcs && k < 100000; k++) {
        if (e == t->tg_exc || e == t->to_exc) {
            cycle = e == t->tg_exc ? FREED_BY_GC : FREED_BY_GC_TIMEOUT;
            break;
        }
        e = s->st.excs[e].context;
    }
    if (task < s->rec.ntasks)
        s->rec.tasks[task].freed_log = cycle != SIM_NONE ? cycle : step;
    if (cycle == SIM_NONE)
        rec__log_task(s, LOG_NEVER_RETRIEVED, "future", task, step, f->exc);
}

void frame__release(Sim *s, uint32_t task, uint32_t f, uint32_t exc, uint32_t step)
{
    const Frame *fr = &s->st.frames[f];
    uint32_t n = s->codes[fr->code].nslots, base = fr->slots;
    for (uint32_t i = 0; i < n; i++) {
        Value v = s->st.slots[base + i];
        if (v.type == V_GROUP && exc != SIM_NONE && v.id < s->st.ngroups && s->st.groups[v.id].parent == task)
            s->st.tasks[task].tg_exc = exc; /* exc -> this frame -> its TaskGroup -> the task */
        if (v.type != V_TASK)
            continue;
        if (exc != SIM_NONE || fr->kept) {
            task__escape(s, v);
        } else {
            s->st.slots[base + i].type = V_NONE;
            task__unref(s, v, step);
        }
    }
}
