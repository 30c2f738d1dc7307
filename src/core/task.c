/* task.c -- futures, tasks, the ready queue and the timer heap.
 *
 * Mirrors CPython 3.11: futures.Future (set_result / set_exception / cancel
 * schedule every done callback with call_soon, in registration order;
 * add_done_callback on a done future also goes through call_soon),
 * tasks.Task.cancel (cancel the awaited future, else set _must_cancel),
 * base_events.call_soon (append to the FIFO ready queue) and call_later (a
 * timer in a heap). Our one deliberate difference, shared with the
 * conformance harness: timers are ordered by (deadline ns, scheduling
 * sequence), so equal deadlines fire in the order they were scheduled.
 *
 * Each completion that queues callbacks is narrated as a RESOLVE step
 * (stage 6), and every queued handle remembers that step as its cause.
 *
 * Depends on: core_int.h.  Used by: sched (sim.c), interp.c, combi.c.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

/* ---- futures ----------------------------------------------------------------- */

uint32_t fut__new(Sim *s)
{
    SimState *st = &s->st;
    /* a freed future links the free list through its owner field */
    uint32_t id = TAKE(s, st->futs, st->nfuts, st->futs_cap, st->futs_free, Fut, owner);
    if (id == SIM_NONE)
        return SIM_NONE;
    Fut *f = &st->futs[id];
    memset(f, 0, sizeof *f);
    f->state = FUT_PENDING;
    f->exc = SIM_NONE;
    f->cb_last = SIM_NONE;
    f->owner_kind = FUT_OWN_NONE;
    f->owner = SIM_NONE;
    f->result.type = V_NONE;
    return id;
}

void fut__free(Sim *s, uint32_t fut)
{
    SimState *st = &s->st;
    if (fut >= st->nfuts)
        return;
    Fut *f = &st->futs[fut];
    if (f->state == FUT_PENDING || f->cb_last != SIM_NONE || f->owner_kind != FUT_OWN_NONE)
        return; /* (cannot happen: a sleep's or a waiter's future is done, its callbacks
                   queued, and it has no owner) */
    f->owner_kind = FUT_OWN_FREE;
    f->owner = st->futs_free;
    st->futs_free = fut;
}

bool fut__done(const Sim *s, uint32_t fut)
{
    return s->st.futs[fut].state != FUT_PENDING;
}

uint32_t exc__cancelled(Sim *s)
{
    return val__new_exc(s, EXC_CANCELLED, SIM_NONE, SIM_NONE);
}

/* futures.Future._make_cancelled_error: a task that ended by raising
 * CancelledError keeps that exception (Task.__step: self._cancelled_exc =
 * exc), and the first call hands out that very object, message included,
 * and forgets it; every later call (and any other future) makes a fresh
 * CancelledError() (cases/cancelled_error_message.json). */
uint32_t fut__cancelled_error(Sim *s, uint32_t fut)
{
    Fut *f = &s->st.futs[fut];
    uint32_t e = f->exc;
    if (f->state == FUT_CANCELLED && e != SIM_NONE)
        f->exc = SIM_NONE;
    else
        e = exc__cancelled(s);
    /* the task's own or a fresh one: either way taken as outliving the frames
     * it passes, as the harness showed (holders.c; tests/diff seed 680) */
    exc__outlives(s, e);
    return e;
}

bool fut__result(Sim *s, uint32_t fut, Value *out, uint32_t *exc)
{
    Fut *f = &s->st.futs[fut];
    if (f->state == FUT_CANCELLED) {
        *exc = fut__cancelled_error(s, fut);
        return false;
    }
    if (f->exc != SIM_NONE) {
        *exc = f->exc;
        return false;
    }
    *out = f->result;
    return true;
}

/* Makes the handle a done callback of kind `kind` queues for future `fut`. */
static uint32_t cb_handle(Sim *s, uint32_t fut, uint8_t kind, uint32_t a)
{
    const Fut *f = &s->st.futs[fut];
    switch (kind) {
    case H_TASK_WAKEUP:
        return rec__handle(s, H_TASK_WAKEUP, a, fut, SIM_NONE, SIM_NONE, false);
    case H_GATHER_DONE:
    case H_GROUP_DONE:
        return rec__handle(s, (HandleKind)kind, fut_task(f), fut, a, SIM_NONE, false);
    case H_RELEASE_WAITER:
        return rec__handle(s, H_RELEASE_WAITER, s->st.cur_task, a, fut, SIM_NONE, false);
    case H_SHIELD_INNER: /* inner is done: this callback will retrieve its exception */
        task__awaited(s, fut_task(f));
        return rec__handle(s, H_SHIELD_INNER, fut_task(f), fut, a, SIM_NONE, false);
    case H_SHIELD_OUTER: /* on outer (a plain future); a is inner: its task names it */
        return rec__handle(s, H_SHIELD_OUTER, fut_task(&s->st.futs[a]), fut, a, SIM_NONE, false);
    default:
        return rec__handle(s, (HandleKind)kind, fut_task(f), fut, a, SIM_NONE, false);
    }
}

/* Appends CbNode id to fut's done callbacks. */
static void cb_ring_add(SimState *st, uint32_t fut, uint32_t id)
{
    uint32_t last = st->futs[fut].cb_last;
    st->cbs[id].next = last == SIM_NONE ? id : st->cbs[last].next;
    if (last != SIM_NONE)
        st->cbs[last].next = id;
    st->futs[fut].cb_last = id;
}

/* Takes fut's done callbacks out as a list ended by SIM_NONE; returns the
 * first (SIM_NONE when there is none). */
static uint32_t cb_unring(SimState *st, uint32_t fut)
{
    uint32_t last = st->futs[fut].cb_last;
    if (last == SIM_NONE)
        return SIM_NONE;
    uint32_t first = st->cbs[last].next;
    st->cbs[last].next = SIM_NONE;
    st->futs[fut].cb_last = SIM_NONE;
    return first;
}

/* Queues every done callback of `fut` (futures.Future.__schedule_callbacks)
 * and narrates the completion. */
static void schedule_callbacks(Sim *s, uint32_t fut, uint32_t cause)
{
    SimState *st = &s->st;
    uint32_t n = cb_unring(st, fut);
    if (n == SIM_NONE)
        return;
    uint32_t task = fut_task(&st->futs[fut]);
    /* the first callback's handle is made before the RESOLVE step that
     * names it is narrated (and recorded); its cause is that step */
    CbNode c = st->cbs[n];
    uint32_t h = cb_handle(s, fut, c.kind, c.a);
    uint32_t step = rec__step(s, STAGE_RESUME, STEP_RESOLVE, task, h, SIM_NONE, fut, cause, 0, 0);
    for (;;) {
        if (h != SIM_NONE) {
            if (h < s->rec.nhandles)
                s->rec.handles[h].created = step;
            loop__call_soon(s, h);
        }
        st->cbs[n].next = st->cbs_free;
        st->cbs_free = n;
        n = c.next;
        if (n == SIM_NONE)
            break;
        c = st->cbs[n];
        h = cb_handle(s, fut, c.kind, c.a);
    }
}

void fut__add_cb(Sim *s, uint32_t fut, HandleKind kind, uint32_t a)
{
    SimState *st = &s->st;
    if (st->futs[fut].state != FUT_PENDING) {
        uint32_t h = cb_handle(s, fut, (uint8_t)kind, a);
        if (h != SIM_NONE)
            loop__call_soon(s, h);
        return;
    }
    uint32_t id = TAKE(s, st->cbs, st->ncbs, st->cbs_cap, st->cbs_free, CbNode, next);
    if (id == SIM_NONE)
        return;
    st->cbs[id].kind = (uint8_t)kind;
    st->cbs[id].a = a;
    cb_ring_add(st, fut, id);
}

/* futures.Future.remove_done_callback: removes every matching callback. */
void fut__remove_cb(Sim *s, uint32_t fut, HandleKind kind, uint32_t a)
{
    SimState *st = &s->st;
    uint32_t n = cb_unring(st, fut);
    while (n != SIM_NONE) { /* the others go back, in order */
        uint32_t next = st->cbs[n].next;
        if (st->cbs[n].kind == kind && st->cbs[n].a == a) {
            st->cbs[n].next = st->cbs_free;
            st->cbs_free = n;
        } else {
            cb_ring_add(st, fut, n);
        }
        n = next;
    }
}

void fut__set_result(Sim *s, uint32_t fut, Value v, uint32_t cause)
{
    Fut *f = &s->st.futs[fut];
    if (f->state != FUT_PENDING)
        return;
    f->state = FUT_FINISHED;
    f->result = v;
    task__escape(s, v);
    schedule_callbacks(s, fut, cause);
}

void fut__set_exception(Sim *s, uint32_t fut, uint32_t exc, uint32_t cause)
{
    exc__outlives(s, exc); /* the future holds it */
    Fut *f = &s->st.futs[fut];
    if (f->state != FUT_PENDING)
        return;
    f->state = FUT_FINISHED;
    f->exc = exc;
    schedule_callbacks(s, fut, cause);
}

/* The RecursionError of a cancel recursing too deep: raised on entering a
 * level, before it changes anything (CPython's fails at the comparison in
 * done() that each cancel starts with). */
static bool cancel_too_deep(Sim *s)
{
    if (s->cancel_depth < s->cancel_limit)
        return false;
    s->cancel_recursion = true;
    return true;
}

void task__cancel_room(Sim *s, uint32_t room, uint32_t task)
{
    uint32_t used = 0;
    if (task != SIM_NONE && task < s->st.ntasks) {
        const Task *t = &s->st.tasks[task];
        used = t->depth > 1 ? t->depth - 1 : 0; /* `call` frames (depth 1: its coroutine) */
        uint32_t h = s->st.cur_handle; /* Task.__wakeup calls Task.__step: one frame more */
        if (h < s->rec.nhandles && s->rec.handles[h].kind == H_TASK_WAKEUP)
            used++;
    }
    s->cancel_limit = room > used + 1 ? room - used : 1;
}

/* futures.Future.cancel */
bool fut__cancel_plain(Sim *s, uint32_t fut, uint32_t cause)
{
    if (cancel_too_deep(s))
        return false;
    Fut *f = &s->st.futs[fut];
    if (f->state != FUT_PENDING)
        return false;
    f->state = FUT_CANCELLED;
    schedule_callbacks(s, fut, cause);
    return true;
}

/* tasks._GatheringFuture.cancel */
static bool gather_cancel(Sim *s, uint32_t fut, uint32_t cause)
{
    if (cancel_too_deep(s) || fut__done(s, fut))
        return false;
    uint32_t g = fut_gather(&s->st.futs[fut]);
    bool ret = false;
    for (uint32_t i = 0; i < s->st.gathers[g].nchildren; i++) {
        uint32_t child = s->st.gchild[s->st.gathers[g].children + i];
        s->cancel_depth++;
        bool ok = fut__cancel(s, child, cause);
        s->cancel_depth--;
        if (ok)
            ret = true;
        if (s->cancel_recursion)
            return false; /* RecursionError unwinds through here (Sim.cancel_recursion) */
    }
    if (ret)
        s->st.futs[fut].cancel_requested = true;
    return ret;
}

bool fut__cancel(Sim *s, uint32_t fut, uint32_t cause)
{
    const Fut *f = &s->st.futs[fut];
    if (fut_task(f) != SIM_NONE)
        return task__cancel(s, fut_task(f), cause);
    if (fut_gather(f) != SIM_NONE)
        return gather_cancel(s, fut, cause);
    return fut__cancel_plain(s, fut, cause);
}

/* ---- the ready queue ------------------------------------------------------------ */

void loop__call_soon(Sim *s, uint32_t h)
{
    SimState *st = &s->st;
    if (st->ready_len + 1 > st->ready_cap) {
        uint32_t ncap = st->ready_cap ? st->ready_cap * 2 : 64;
        uint32_t *nr = mem_malloc((size_t)ncap * sizeof *nr);
        if (!nr) {
            sim__fail_nomem(s);
            return;
        }
        for (uint32_t i = 0; i < st->ready_len; i++)
            nr[i] = st->ready[(st->ready_head + i) % st->ready_cap];
        mem_free(st->ready);
        st->ready = nr;
        st->ready_cap = ncap;
        st->ready_head = 0;
    }
    st->ready[(st->ready_head + st->ready_len) % st->ready_cap] = h;
    st->ready_len++;
    HandleInfo *hi = &s->rec.handles[h];
    uint32_t next = rec__next_index(s);
    hi->queued = next ? next - 1 : 0; /* the step that queued it was narrated just before */
    if ((hi->kind == H_TASK_STEP || hi->kind == H_TASK_WAKEUP) && hi->task != SIM_NONE &&
        hi->task < st->ntasks) {
        rec__task_span(s, hi->task, SPAN_READY, WAIT_NONE);
        if (st->tasks[hi->task].wait != WAIT_NONE)
            st->tasks[hi->task].wait = WAIT_READY;
    }
}

/* ---- the timer heap: (when, seq) ordered ---------------------------------------- */

static bool timer_less(const HeapEnt *x, const HeapEnt *y)
{
    return x->when < y->when || (x->when == y->when && x->seq < y->seq);
}

static void heap_up(SimState *st, uint32_t i)
{
    HeapEnt v = st->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!timer_less(&v, &st->heap[p]))
            break;
        st->heap[i] = st->heap[p];
        i = p;
    }
    st->heap[i] = v;
}

/* Fills the hole at the top after a pop with the last entry v (Floyd's
 * bottom-up variant): the hole first goes down to a leaf along the smaller
 * children, one comparison a level, then v goes up from there, which is
 * usually no way at all (v came from the bottom). The plain sift-down takes
 * two comparisons a level; a pop among 100,000 timers goes 17 levels. The
 * keys are unique (seq), so the order of pops is the same either way. */
static void heap_fill_top(SimState *st, HeapEnt v)
{
    uint32_t n = st->nheap, i = 0;
    HeapEnt *h = st->heap;
    for (;;) {
        uint32_t l = 2 * i + 1;
        if (l >= n)
            break;
        if (l + 1 < n && timer_less(&h[l + 1], &h[l]))
            l++;
        h[i] = h[l];
        i = l;
    }
    h[i] = v;
    heap_up(st, i);
}

uint32_t loop__call_later(Sim *s, VTime delay, uint32_t h)
{
    SimState *st = &s->st;
    uint32_t id = TAKE(s, st->timers, st->ntimers, st->timers_cap, st->timers_free, Timer, next_free);
    if (id == SIM_NONE)
        return SIM_NONE;
    if (!GROW(s, st->heap, st->heap_cap, st->nheap + 1))
        return SIM_NONE;
    Timer *t = &st->timers[id];
    t->handle = h;
    t->next_free = SIM_NONE;
    t->cancelled = false;
    t->in_heap = true;
    st->heap[st->nheap++] = (HeapEnt){st->now + (delay > 0 ? delay : 0), st->timer_seq++, id};
    heap_up(st, st->nheap - 1);
    return id;
}

/* TimerHandle.cancel(). Timer slots are reused once a timer falls due, so
 * a stale id may name someone else's timer by now: the handle (unique for
 * the whole run) says whether the slot still holds the caller's timer.
 * A timer that fell due sits in the ready queue until the loop runs it; a
 * cancel then marks the handle, and _run_once skips it (READY_SKIP).
 * Whether it is there is read from its queued and picked steps, which a
 * replay sets again to the same values. */
void loop__timer_cancel(Sim *s, uint32_t timer, uint32_t handle)
{
    SimState *st = &s->st;
    if (timer != SIM_NONE && timer < st->ntimers && st->timers[timer].in_heap &&
        st->timers[timer].handle == handle) {
        if (!st->timers[timer].cancelled) { /* TimerHandle.cancel: _timer_handle_cancelled */
            st->timers[timer].cancelled = true;
            st->tcancelled++;
        }
        return;
    }
    if (handle == SIM_NONE || handle >= s->rec.nhandles)
        return;
    const HandleInfo *hi = &s->rec.handles[handle];
    uint32_t now = rec__next_index(s);
    if (hi->queued == SIM_NONE || hi->queued >= now || (hi->picked != SIM_NONE && hi->picked < now))
        return; /* not queued yet, or it ran already: cancel() does nothing */
    loop__mark_cancelled(s, handle);
}

void loop__mark_cancelled(Sim *s, uint32_t handle)
{
    SimState *st = &s->st;
    for (uint32_t k = st->ready_len; k-- > 0;) {
        uint32_t *e = &st->ready[(st->ready_head + k) % st->ready_cap];
        if ((*e & ~READY_SKIP) == handle) {
            *e |= READY_SKIP;
            return;
        }
    }
}

uint32_t task__uncancel(Sim *s, uint32_t task)
{
    Task *t = &s->st.tasks[task];
    if (t->num_cancels > 0)
        t->num_cancels--;
    return t->num_cancels;
}

void task__cancel_recursion_stop(Sim *s)
{
    if (!s->cancel_recursion)
        return;
    s->cancel_recursion = false;
    s->rec.limit = LIMIT_CANCEL_RECURSION;
    s->st.outcome = SIM_LIMIT; /* work() ends the run before the next unit */
}


/* Pops the heap's top timer and frees it; returns its handle. */
uint32_t loop__heap_pop(Sim *s, bool *cancelled)
{
    SimState *st = &s->st;
    uint32_t id = st->heap[0].timer;
    HeapEnt last = st->heap[--st->nheap];
    if (st->nheap)
        heap_fill_top(st, last);
    Timer *t = &st->timers[id];
    *cancelled = t->cancelled;
    uint32_t h = t->handle;
    t->in_heap = false;
    t->next_free = st->timers_free;
    st->timers_free = id;
    return h;
}

/* base_events._run_once, when more than half the heap counts as cancelled:
 * the live timers are kept in their list order and heapified. The keys are
 * unique, so the heap's shape does not change the order of later pops;
 * rebuilding it by sifting each entry up gives the same pops as heapify. */
void loop__heap_sweep(Sim *s)
{
    SimState *st = &s->st;
    uint32_t n = 0;
    for (uint32_t i = 0; i < st->nheap; i++) {
        HeapEnt e = st->heap[i];
        Timer *t = &st->timers[e.timer];
        if (t->cancelled) {
            t->in_heap = false;
            t->next_free = st->timers_free;
            st->timers_free = e.timer;
        } else {
            st->heap[n] = e;
            heap_up(st, n);
            n++;
        }
    }
    st->nheap = n;
    st->tcancelled = 0;
}

/* ---- tasks ---------------------------------------------------------------------- */

uint32_t task__new(Sim *s, TaskKind kind, uint32_t code, const Value *args, uint32_t nargs,
                   uint32_t name_str, VTime sleep_ns, uint32_t stmt)
{
    SimState *st = &s->st;
    if (st->ntasks >= s->limits.max_tasks) {
        s->rec.limit = LIMIT_TASKS;
        st->outcome = SIM_LIMIT;
        return SIM_NONE;
    }
    if (!GROW(s, st->tasks, st->tasks_cap, st->ntasks + 1))
        return SIM_NONE;
    uint32_t fut = fut__new(s);
    if (fut == SIM_NONE)
        return SIM_NONE;
    uint32_t id = st->ntasks;
    /* The name. In 3.11.7 asyncio.create_task and TaskGroup.create_task
     * both call loop.create_task(coro) without a name and then
     * _set_task_name, so every task takes a Task-N number, named or not
     * (tasks.py create_task, taskgroups.py TaskGroup.create_task). */
    uint32_t name_text = SIM_NONE;
    char buf[48];
    const char *name = NULL;
    st->task_counter++;
    if (name_str != SIM_NONE) {
        name = val__str(s, name_str);
    } else {
        memcpy(buf, "Task-", 5);
        val__fmt_int(buf + 5, st->task_counter);
        name = buf;
    }
    if (id >= s->rec.ntasks)
        name_text = rec__text(s, name, strlen(name));
    uint32_t coro = code < s->ncodes ? s->codes[code].coro : SIM_NONE;
    rec__task(s, name_text, coro, st->cur_task, kind != TK_CORO, fut);
    Task *t = &st->tasks[id];
    memset(t, 0, sizeof *t);
    t->fut = fut;
    t->frame = SIM_NONE;
    t->fut_waiter = SIM_NONE;
    t->tg_exc = SIM_NONE;
    t->timeout = SIM_NONE;
    t->to_exc = SIM_NONE;
    t->hold = HOLD_AWAITED; /* asyncio's own, main, gather's: until create_task says otherwise */
    t->kind = (uint8_t)kind;
    t->wait = WAIT_READY;
    t->wait_obj = SIM_NONE;
    t->wait_handle = SIM_NONE;
    t->since = st->now;
    t->since_step = rec__next_index(s);
    t->stmt = SIM_NONE;
    t->span_state = 0xff;
    st->ntasks++;
    st->futs[fut].owner_kind = FUT_OWN_TASK;
    st->futs[fut].owner = id;
    uint32_t f = frame__new(s, code, SIM_NONE);
    if (f == SIM_NONE)
        return SIM_NONE;
    st->tasks[id].frame = f;
    st->tasks[id].depth = 1;
    Frame *fr = &st->frames[f];
    for (uint32_t i = 0; i < nargs && i < s->codes[code].nslots; i++) {
        task__ref(s, args[i]); /* the coroutine's arguments (holders.c) */
        st->slots[fr->slots + i] = args[i];
    }
    (void)sleep_ns; /* sleep tasks get their duration as argument 0 */
    uint32_t h = rec__handle(s, H_TASK_STEP, id, fut, SIM_NONE, stmt, false);
    if (h != SIM_NONE)
        loop__call_soon(s, h);
    return id;
}

void task__set_wait(Sim *s, uint32_t task, WaitKind w, uint32_t obj, uint32_t handle)
{
    Task *t = &s->st.tasks[task];
    t->wait = (uint8_t)w;
    t->wait_obj = obj;
    t->wait_handle = handle;
    t->since = s->st.now;
    t->since_step = rec__next_index(s);
}

/* tasks.Task.cancel */
bool task__cancel(Sim *s, uint32_t task, uint32_t cause)
{
    if (cancel_too_deep(s))
        return false;
    Task *t = &s->st.tasks[task];
    if (fut__done(s, t->fut))
        return false;
    if (t->cancelling_now) { /* round a cycle of waits: Sim.cancel_recursion */
        s->cancel_recursion = true;
        return false;
    }
    t->num_cancels++; /* (CPython counts on every turn of the cycle; this, once) */
    if (t->fut_waiter != SIM_NONE) {
        t->cancelling_now = true;
        s->cancel_depth++;
        bool ok = fut__cancel(s, t->fut_waiter, cause);
        s->cancel_depth--;
        t = &s->st.tasks[task];
        t->cancelling_now = false;
        if (s->cancel_recursion)
            return false; /* nothing else changes while RecursionError unwinds */
        if (ok)
            return true;
    }
    t->must_cancel = true;
    return true;
}
