/* interp_sync.c -- asyncio.Event, Lock, Semaphore and Queue (locks.py,
 * queues.py, 3.11), as ops.
 *
 * Each object keeps deques of waiter futures (its _waiters, _putters,
 * _getters): an op that must wait pushes a new future and suspends on it;
 * whoever releases the object wakes the first waiter by setting its
 * future; the resumption half removes the future again (the `finally:
 * self._waiters.remove(fut)` of the library code).
 *
 * Depends on: interp_int.h.  Used by: interp.c.
 */
#include "interp_int.h"

/* Appends fut to deque `which` of object obj (0 _waiters or _getters,
 * 1 _putters, 2 the join waiters). */
static void dq_push(Sim *s, uint32_t obj, int which, uint32_t fut)
{
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

/* The op must wait: a new future at the end of deque `which` of obj, and
 * the task suspends on it (phase 1; the future is in r[0]). */
static int wait_in(Sim *s, uint32_t task, uint32_t f, uint32_t obj, int which, WaitKind w,
                   uint32_t cause)
{
    uint32_t fut = fut__new(s);
    if (fut == SIM_NONE)
        return R_ABORT;
    dq_push(s, obj, which, fut);
    FRM(f)->phase = 1;
    FRM(f)->r[0] = fut;
    return ip_suspend_on(s, task, fut, w, obj, SIM_NONE, 0, cause);
}

/* Lock.acquire / Semaphore.acquire: `all(w.cancelled() for w in
 * self._waiters)`, no waiter still waiting. */
static bool no_live_waiter(const Sim *s, const ObjState *o)
{
    for (uint32_t n = o->waiters.head; n != SIM_NONE; n = s->st.wnodes[n].next)
        if (s->st.futs[s->st.wnodes[n].fut].state != FUT_CANCELLED)
            return false;
    return true;
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

/* put_nowait / get_nowait once the queue has room / an item. */
static int queue_finish(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause)
{
    SimState *st = &s->st;
    const Stmt *sm = stmt_of(s, op);
    int r = R_CONT;
    if (op->op == OP_PUT) {
        Value v;
        if (!ip_eval(s, task, f, sm->expr, &v, &r))
            return r;
        uint32_t n = TAKE(s, st->inodes, st->ninodes, st->inodes_cap, st->inodes_free, INode, next);
        if (n == SIM_NONE)
            return R_ABORT;
        st->inodes[n].v = v;
        val__stored(s, v, f); /* in a queue: holders.c */
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
            slot_put(s, f, sm->as_var, v);
    }
    FRM(f)->pc++;
    return R_CONT;
}

/* The ops on Events, Locks, Semaphores and Queues. */
int ip_op_sync(Sim *s, uint32_t task, uint32_t f, const Op *op)
{
    const Stmt *st = stmt_of(s, op);
    uint32_t cause = s->st.exec_cause;
    int r = R_CONT;
    switch ((OpCode)op->op) {
    case OP_EVENT_WAIT: {
        cause = narrate_exec(s, task, op);
        if (s->st.objs[op->a].flag) { /* Event.wait on a set event: no suspension */
            if (st->as_var != PROG_NONE)
                slot_put(s, f, st->as_var, v_bool(true));
            FRM(f)->pc++;
            return R_VIS;
        }
        return wait_in(s, task, f, op->a, 0, WAIT_EVENT, cause);
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
            free_now = !o->flag && no_live_waiter(s, o);
            if (free_now)
                o->flag = true;
        } else {
            free_now = o->value > 0 && no_live_waiter(s, o);
            if (free_now)
                o->value--;
        }
        if (free_now) {
            FRM(f)->pc++;
            return R_VIS;
        }
        return wait_in(s, task, f, op->a, 0, WAIT_LOCK, cause);
    }
    case OP_RELEASE: {
        cause = narrate_exec(s, task, op);
        ObjState *o = &s->st.objs[op->a];
        if (o->kind == OBJ_LOCK) {
            if (!o->flag) {
                r = ip_raise_new(s, task, EXC_RUNTIME, "Lock is not acquired.");
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
        break; /* the queue operations, below */
    }
    case OP_TASK_DONE: {
        narrate_exec(s, task, op);
        ObjState *o = &s->st.objs[op->a];
        if (o->unfinished <= 0) {
            r = ip_raise_new(s, task, EXC_VALUE, "task_done() called too many times");
            return r == R_CONT ? R_VIS : r;
        }
        if (--o->unfinished == 0 && !o->finished) {
            o->finished = true;
            event_set_all(s, op->a, 2, s->st.exec_cause);
        }
        FRM(f)->pc++;
        return R_VIS;
    }
    default:
        return R_ABORT; /* (exec_op sends only these here) */
    }
    /* queue operations: queues.Queue.put / get / join (3.11) */
    {
        ObjState *o = &s->st.objs[op->a];
        if (op->op == OP_JOIN) {
            if (o->unfinished <= 0 || o->finished) {
                FRM(f)->pc++;
                return R_VIS;
            }
            return wait_in(s, task, f, op->a, 2, WAIT_QUEUE_JOIN, cause);
        }
        bool wait = op->op == OP_PUT ? queue_full(s, op->a) : o->nitems == 0;
        if (wait) {
            return wait_in(s, task, f, op->a, op->op == OP_PUT ? 1 : 0,
                           op->op == OP_PUT ? WAIT_QUEUE_PUT : WAIT_QUEUE_GET, cause);
        }
        /* room, or an item: put_nowait / get_nowait */
        r = queue_finish(s, task, f, op, s->st.exec_cause);
        return r == R_CONT ? R_VIS : r;
    }
}

/* Their resumption halves: the code after each `await fut`. */
static int resume_sync(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    uint32_t cause = s->st.exec_cause;
    Frame *fr = FRM(f);
    switch ((OpCode)op->op) {
    case OP_EVENT_WAIT:
        dq_remove(s, op->a, 0, fr->r[0]); /* finally: self._waiters.remove(fut) */
        fr->phase = 0;
        if (exc != SIM_NONE)
            return ip_do_raise(s, task, exc);
        {
            const Stmt *st = stmt_of(s, op);
            if (st->as_var != PROG_NONE)
                slot_put(s, f, st->as_var, v_bool(true));
        }
        fr->pc++;
        return R_CONT;
    case OP_ACQUIRE: {
        uint32_t fut = fr->r[0];
        dq_remove(s, op->a, 0, fut);
        fr->phase = 0;
        ObjState *o = &s->st.objs[op->a];
        if (exc != SIM_NONE) {
            if (ip_is_cancel(s, exc)) {
                if (o->kind == OBJ_LOCK) {
                    if (!o->flag)
                        lock_wake_first(s, op->a, cause);
                } else if (s->st.futs[fut].state != FUT_CANCELLED) {
                    s->st.objs[op->a].value++;
                    sem_wake_next(s, op->a, cause);
                }
            }
            return ip_do_raise(s, task, exc);
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
            return ip_do_raise(s, task, exc);
        }
        bool wait = op->op == OP_PUT ? queue_full(s, op->a) : s->st.objs[op->a].nitems == 0;
        if (wait) {
            return wait_in(s, task, f, op->a, which,
                           op->op == OP_PUT ? WAIT_QUEUE_PUT : WAIT_QUEUE_GET, cause);
        }
        return queue_finish(s, task, f, op, cause);
    }
    case OP_JOIN:
        dq_remove(s, op->a, 2, fr->r[0]);
        fr->phase = 0;
        if (exc != SIM_NONE)
            return ip_do_raise(s, task, exc);
        fr->pc++;
        return R_CONT;
    default:
        return R_ABORT; /* (resume_op sends only these here) */
    }
}

int ip_resume_sync(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc)
{
    uint32_t fut = FRM(f)->r[0];
    int r = resume_sync(s, task, f, op, exc);
    /* the waiter future is garbage now: out of its deque (removed in the
     * op's finally, or popped by the _wakeup_next that set its result) */
    fut__free(s, fut);
    return r;
}
