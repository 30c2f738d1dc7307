/* view.c -- read-only queries on the simulation, and the words for them.
 *
 * The UI and the exporters see the simulation only through these functions
 * and the Recording. Descriptions are plain English built from the Program's
 * names and the stage table, so the app, --stages and the exporters say the
 * same thing the same way. Formatting is pure (snprintf into the caller's
 * buffer); nothing here changes the state.
 *
 * Depends on: core_int.h.  Used by: ui/, export/, main.c.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

uint32_t sim_ready_len(const Sim *s) { return s->st.ready_len; }

uint32_t sim_ready_at(const Sim *s, uint32_t i)
{
    if (i >= s->st.ready_len)
        return SIM_NONE;
    return s->st.ready[(s->st.ready_head + i) % s->st.ready_cap] & ~READY_SKIP;
}

bool sim_ready_skipped(const Sim *s, uint32_t i)
{
    if (i >= s->st.ready_len)
        return false;
    return (s->st.ready[(s->st.ready_head + i) % s->st.ready_cap] & READY_SKIP) != 0;
}

uint32_t sim_ntasks(const Sim *s) { return s->st.ntasks; }

uint32_t sim_current_task(const Sim *s)
{
    return s->st.phase == PH_HANDLE ? s->st.cur_task : SIM_NONE;
}

TaskNow sim_task_now(const Sim *s, uint32_t task)
{
    TaskNow n;
    memset(&n, 0, sizeof n);
    n.wait_obj = SIM_NONE;
    n.wait_handle = SIM_NONE;
    n.stmt = SIM_NONE;
    n.timeout_handle = SIM_NONE;
    if (task >= s->st.ntasks)
        return n;
    const Task *t = &s->st.tasks[task];
    n.exists = true;
    n.done = fut__done(s, t->fut);
    n.running = sim_current_task(s) == task;
    n.wait = n.done || n.running ? WAIT_NONE : (WaitKind)t->wait;
    n.wait_obj = t->wait_obj;
    n.wait_handle = t->wait_handle;
    n.since = t->since;
    n.since_step = t->since_step;
    n.stmt = t->stmt;
    n.depth = t->depth;
    VTime best = 0;
    for (uint32_t id = t->timeout, k = 0; id != SIM_NONE && id < s->st.ntouts && k < 4096; k++) {
        const TimeoutRec *to = &s->st.touts[id];
        if (to->state == TO_ENTERED && to->handle != SIM_NONE && to->handle < s->rec.nhandles) {
            VTime when = s->rec.handles[to->handle].timer ? rec_handle_when(&s->rec, to->handle) : 0;
            if (n.timeout_handle == SIM_NONE || when < best) {
                n.timeout_handle = to->handle;
                best = when;
            }
        }
        id = to->outer;
    }
    return n;
}

/* ---- names ------------------------------------------------------------------------ */

const char *step_kind_name(StepKind k)
{
    static const char *const names[STEP__COUNT] = {
        [STEP_START] = "start", [STEP_POLL] = "poll", [STEP_TIMER_DUE] = "timer-due",
        [STEP_PICK] = "pick", [STEP_SKIP] = "skip", [STEP_EXEC] = "exec",
        [STEP_CALLBACK] = "callback", [STEP_REGISTER] = "register", [STEP_SUSPEND] = "suspend",
        [STEP_RESOLVE] = "resolve", [STEP_TASK_END] = "task-end", [STEP_ITER_END] = "iter-end",
        [STEP_SHUTDOWN] = "shutdown", [STEP_FINISH] = "finish",
    };
    return k < STEP__COUNT ? names[k] : "?";
}

const char *wait_kind_name(WaitKind k)
{
    static const char *const names[WAIT__COUNT] = {
        [WAIT_NONE] = "nothing", [WAIT_TIMER] = "timer", [WAIT_IO] = "I/O",
        [WAIT_TASK] = "task", [WAIT_GATHER] = "gather", [WAIT_WAIT_FOR] = "wait_for",
        [WAIT_EVENT] = "Event", [WAIT_LOCK] = "Lock", [WAIT_QUEUE_GET] = "Queue.get",
        [WAIT_QUEUE_PUT] = "Queue.put", [WAIT_QUEUE_JOIN] = "Queue.join",
        [WAIT_GROUP] = "TaskGroup", [WAIT_READY] = "ready queue", [WAIT_SHIELD] = "shield",
        [WAIT_AS_COMPLETED] = "as_completed",
    };
    return k < WAIT__COUNT ? names[k] : "?";
}

const char *handle_kind_name(HandleKind k)
{
    static const char *const names[H__COUNT] = {
        [H_TASK_STEP] = "step", [H_TASK_WAKEUP] = "wakeup", [H_SLEEP_DONE] = "sleep_done",
        [H_IO_DONE] = "sleep_done", [H_RELEASE_WAITER] = "release_waiter",
        [H_GATHER_DONE] = "gather_done", [H_GROUP_DONE] = "group_done",
        [H_RUN_UNTIL_DONE] = "run_until_complete", [H_TIMEOUT] = "timeout",
        [H_SHIELD_INNER] = "shield_inner", [H_SHIELD_OUTER] = "shield_outer",
        [H_AC_DONE] = "as_completed_done", [H_AC_TIMEOUT] = "as_completed_timeout",
    };
    return k < H__COUNT ? names[k] : "?";
}

void vtime_format(VTime t, int decimals, char *buf, size_t n)
{
    snprintf(buf, n, "%.*f", decimals, (double)t / 1e9);
}

static const char *task_name(const Recording *r, uint32_t t)
{
    if (t == SIM_NONE || t >= r->ntasks)
        return "?";
    return rec_text(r, r->tasks[t].name);
}

/* Shortest seconds text for a duration: 1, 1.5, 0.25. */
static void secs(VTime ns, char *buf, size_t n)
{
    snprintf(buf, n, "%.9g", (double)ns / 1e9);
}

/* A statement in a few words: "sleep(1)", "print", "await t". */
static void stmt_words(const Program *p, uint32_t sid, char *buf, size_t n)
{
    if (sid == SIM_NONE || sid >= p->nstmts) {
        snprintf(buf, n, "?");
        return;
    }
    const Stmt *st = &p->stmts[sid];
    char d[32];
    const char *obj = st->obj != PROG_NONE && st->obj < p->nobjects
                          ? prog_s(p, p->objects[st->obj].name) : "?";
    uint32_t co = st->coro_owner;
    switch (st->kind) {
    case STMT_PRINT: snprintf(buf, n, "print(f\"%s\")", prog_s(p, st->text)); break;
    case STMT_SLEEP: secs(st->ns, d, sizeof d); snprintf(buf, n, "await asyncio.sleep(%s)", d); break;
    case STMT_IO: secs(st->ns, d, sizeof d); snprintf(buf, n, "await I/O \"%s\" (%s s)", prog_s(p, st->text), d); break;
    case STMT_BLOCK: secs(st->ns, d, sizeof d); snprintf(buf, n, "time.sleep(%s) (blocks the loop)", d); break;
    case STMT_CALL: snprintf(buf, n, "await %s(...)", prog_s(p, p->coros[st->coro].name)); break;
    case STMT_CREATE_TASK: snprintf(buf, n, "create_task(%s(...))", prog_s(p, p->coros[st->coro].name)); break;
    case STMT_AWAIT: snprintf(buf, n, "await %s", co != PROG_NONE ? prog_local_name(p, co, st->var) : "?"); break;
    case STMT_GATHER: snprintf(buf, n, "await asyncio.gather(...)"); break;
    case STMT_WAIT_FOR: secs(st->ns, d, sizeof d); snprintf(buf, n, "await asyncio.wait_for(..., timeout=%s)", st->flag ? "None" : d); break;
    case STMT_SHIELD: snprintf(buf, n, "await asyncio.shield(...)"); break;
    case STMT_AS_COMPLETED: snprintf(buf, n, "for ... in asyncio.as_completed(...)"); break;
    case STMT_CANCEL: snprintf(buf, n, "%s.cancel()", co != PROG_NONE ? prog_local_name(p, co, st->var) : "?"); break;
    case STMT_RETURN: snprintf(buf, n, "return"); break;
    case STMT_RAISE: snprintf(buf, n, "raise %s", exc_name(st->exc)); break;
    case STMT_TRY: snprintf(buf, n, "except"); break;
    case STMT_WAIT: snprintf(buf, n, "await %s.wait()", obj); break;
    case STMT_SET: snprintf(buf, n, "%s.set()", obj); break;
    case STMT_CLEAR: snprintf(buf, n, "%s.clear()", obj); break;
    case STMT_WITH: snprintf(buf, n, "async with %s", obj); break;
    case STMT_PUT: snprintf(buf, n, "await %s.put(...)", obj); break;
    case STMT_GET: snprintf(buf, n, "await %s.get()", obj); break;
    case STMT_TASK_DONE: snprintf(buf, n, "%s.task_done()", obj); break;
    case STMT_JOIN: snprintf(buf, n, "await %s.join()", obj); break;
    case STMT_REPEAT: snprintf(buf, n, "for ... in range(%lld)", (long long)st->count); break;
    case STMT_TASK_GROUP: snprintf(buf, n, "async with asyncio.TaskGroup()"); break;
    case STMT_ASSIGN: snprintf(buf, n, "%s = ...", co != PROG_NONE ? prog_local_name(p, co, st->as_var) : "?"); break;
    case STMT_WITH_TIMEOUT: secs(st->ns, d, sizeof d); snprintf(buf, n, "async with asyncio.timeout(%s)", st->flag ? "None" : d); break;
    default: snprintf(buf, n, "statement"); break;
    }
}

/* An EXEC step of `async with asyncio.timeout(d)` (`w` is its words): what
 * __aenter__ or __aexit__ did (Step.aux, TimeoutStep). */
static void timeout_words(const Recording *r, const Program *p, const Step *sp, const char *w, char *buf,
                          size_t n)
{
    const char *who = task_name(r, sp->task);
    bool none = p->stmts[sp->stmt].flag;
    switch ((TimeoutStep)sp->aux) {
    case TOS_ENTER:
        snprintf(buf, n, "%s enters %s%s", who, w,
                 none ? ": no deadline, nothing is scheduled"
                 : p->stmts[sp->stmt].ns <= 0 ? ": the deadline is now, so its handler is queued with call_soon" : "");
        break;
    case TOS_EXIT:
    case TOS_EXIT_RAISE:
        snprintf(buf, n, "%s leaves %s%s%s", who, w,
                 none ? " (no deadline, nothing to cancel)" : " before it expired: __aexit__ cancels its handler",
                 sp->aux == TOS_EXIT_RAISE ? (none ? "; the exception goes on up" : ", and the exception goes on up")
                                           : "");
        break;
    case TOS_TIMEOUT:
        snprintf(buf, n, "%s leaves %s, which expired: __aexit__ calls uncancel() and turns the CancelledError "
                 "into TimeoutError", who, w);
        break;
    case TOS_CANCEL_ON:
        snprintf(buf, n, "%s leaves %s, which expired, but another cancel of the task is pending (uncancel() "
                 "leaves a request): the CancelledError goes on up, no TimeoutError", who, w);
        break;
    case TOS_EXPIRED_EXIT:
        snprintf(buf, n, "%s leaves %s, which expired, without an exception (the body caught the "
                 "CancelledError): __aexit__ calls uncancel(), no TimeoutError", who, w);
        break;
    default:
        snprintf(buf, n, "%s leaves %s, which expired, with another exception: __aexit__ calls uncancel() and "
                 "the exception goes on up", who, w);
        break;
    }
}

/* A CALLBACK step of shield's or as_completed's callbacks: what it did
 * (Step.aux: ShieldStep, AcStep). false for any other step. */
static bool callback_words(const Recording *r, const Step *sp, char *buf, size_t n)
{
    static const char *const shield[] = {
        [SHS_RESULT] = "_inner_done_callback: %s returned, so the outer future gets its result",
        [SHS_EXCEPTION] = "_inner_done_callback: %s raised, so the outer future gets its exception",
        [SHS_CANCEL] = "_inner_done_callback: %s itself was cancelled, so it cancels the outer future too",
        [SHS_RETRIEVED] = "_inner_done_callback: the outer future was cancelled first, so it only marks %s's "
                          "exception retrieved",
        [SHS_REMOVE] = "_outer_done_callback: %s still runs, so its _inner_done_callback is removed: the shield "
                       "no longer passes its outcome on",
        [SHS_INNER_DONE] = "_outer_done_callback: %s is done already, nothing to do",
    };
    static const char *const ac[] = {
        [ACS_QUEUED] = "_on_completion: %s leaves todo for the done Queue; nothing waits there yet",
        [ACS_WAKE] = "_on_completion: %s leaves todo for the done Queue; put_nowait completes the waiting "
                     "getter, so the loop's wakeup is queued",
        [ACS_LATE] = "_on_completion: %s is done, but the timeout came first and emptied todo: nothing to do",
    };
    if (sp->aux == 0 || sp->handle >= r->nhandles)
        return false;
    const HandleInfo *hi = &r->handles[sp->handle];
    const char *who, *what;
    if ((hi->kind == H_SHIELD_INNER || hi->kind == H_SHIELD_OUTER) && sp->aux < sizeof shield / sizeof *shield)
        who = "shield's", what = shield[sp->aux];
    else if (hi->kind == H_AC_DONE && sp->aux < sizeof ac / sizeof *ac)
        who = "as_completed's", what = ac[sp->aux];
    else
        return false;
    char fmt[256];
    snprintf(fmt, sizeof fmt, "callback runs: %s %s", who, what);
    snprintf(buf, n, fmt, task_name(r, hi->task));
    return true;
}

void sim_describe_handle(const Recording *r, const Program *p, uint32_t h, char *buf, size_t n)
{
    if (h == SIM_NONE || h >= r->nhandles) {
        snprintf(buf, n, "?");
        return;
    }
    const HandleInfo *hi = &r->handles[h];
    char w[160], d[32];
    switch ((HandleKind)hi->kind) {
    case H_TASK_STEP:
        if (hi->stmt != SIM_NONE && p->stmts[hi->stmt].kind == STMT_SLEEP)
            snprintf(buf, n, "step Task %s (after sleep(0))", task_name(r, hi->task));
        else
            snprintf(buf, n, "step Task %s", task_name(r, hi->task));
        break;
    case H_TASK_WAKEUP:
        snprintf(buf, n, "wake %s (awaited future done)", task_name(r, hi->task));
        break;
    case H_SLEEP_DONE:
        if (hi->stmt != SIM_NONE && p->stmts[hi->stmt].kind == STMT_SLEEP) {
            secs(p->stmts[hi->stmt].ns, d, sizeof d);
            snprintf(buf, n, "timer: sleep(%s) done -> resolve future of %s", d, task_name(r, hi->task));
        } else {
            snprintf(buf, n, "timer: sleep done -> resolve future of %s", task_name(r, hi->task));
        }
        break;
    case H_IO_DONE:
        if (hi->other != SIM_NONE && hi->other < r->ntext)
            snprintf(w, sizeof w, "\"%s\"", r->text + hi->other);
        else
            stmt_words(p, hi->stmt, w, sizeof w);
        snprintf(buf, n, "I/O ready: %s -> resolve future of %s", w, task_name(r, hi->task));
        break;
    case H_RELEASE_WAITER:
        snprintf(buf, n, "%s: release wait_for's waiter of %s",
                 hi->timer ? "timer: wait_for timeout" : "inner task done", task_name(r, hi->task));
        break;
    case H_GATHER_DONE:
        snprintf(buf, n, "gather: child %s done", task_name(r, hi->task));
        break;
    case H_SHIELD_INNER:
        snprintf(buf, n, "shield: %s done -> pass its outcome to the outer future", task_name(r, hi->task));
        break;
    case H_AC_DONE:
        snprintf(buf, n, "as_completed: %s done -> into its done Queue", task_name(r, hi->task));
        break;
    case H_AC_TIMEOUT:
        if (hi->stmt != SIM_NONE && hi->stmt < p->nstmts)
            secs(p->stmts[hi->stmt].ns, d, sizeof d);
        else
            snprintf(d, sizeof d, "?");
        snprintf(buf, n, "timer: as_completed(timeout=%s) expires -> a None into the done Queue for each "
                 "future left", d);
        break;
    case H_SHIELD_OUTER:
        snprintf(buf, n, "shield: outer future done -> stop passing on %s's outcome", task_name(r, hi->task));
        break;
    case H_GROUP_DONE:
        snprintf(buf, n, "TaskGroup: child %s done", task_name(r, hi->task));
        break;
    case H_RUN_UNTIL_DONE:
        snprintf(buf, n, "run_until_complete: %s done -> stop the loop", task_name(r, hi->task));
        break;
    case H_TIMEOUT:
        if (hi->stmt != SIM_NONE && !p->stmts[hi->stmt].flag)
            secs(p->stmts[hi->stmt].ns, d, sizeof d);
        else
            snprintf(d, sizeof d, "?");
        snprintf(buf, n, "%s: asyncio.timeout(%s) expires -> cancel %s", hi->timer ? "timer" : "call_soon", d,
                 task_name(r, hi->task));
        break;
    default:
        snprintf(buf, n, "callback");
        break;
    }
}

bool sim_describe_pending(const Recording *r, char *buf, size_t n)
{
    /* asyncio.run cancelled every pending task, so a task still pending was
     * created during its shutdown (docs: Known differences), unless a
     * RecursionError (a cancel going round a cycle) cut the cancelling
     * short. Then which tasks CPython frees, and when, is the collector's
     * business: the harness logs 1,279 of the 4,412 left in
     * tests/conformance/cases/cancel_chain_depth.json. */
    if (n)
        buf[0] = '\0';
    if (r->outcome != SIM_DONE && r->outcome != SIM_RAISED)
        return false;
    bool cut = r->shutdown_cut;
    uint32_t first = SIM_NONE, npend = 0;
    for (uint32_t t = 0; t < r->ntasks; t++)
        if (r->tasks[t].ended == SIM_NONE && !r->tasks[t].internal && npend++ == 0)
            first = t;
    if (!npend)
        return false;
    char who[96];
    if (npend == 1)
        snprintf(who, sizeof who, "%s is", task_name(r, first));
    else
        snprintf(who, sizeof who, "%u tasks (%s first) are", npend, task_name(r, first));
    bool one = npend == 1;
    if (cut)
        snprintf(buf, n,
                 "%s still pending: the RecursionError cut asyncio.run's cancelling short. When the garbage "
                 "collector frees such a task, CPython logs \"Task was destroyed but it is pending!\", and "
                 "closing its coroutine runs the finally blocks it is in; %s, and when (at interpreter exit or "
                 "before), is the collector's business: loopscope does not show that",
                 who, one ? "whether it is freed" : "which of them are freed");
    else
        snprintf(buf, n,
                 "%s still pending: created during asyncio.run's shutdown, after it cancelled the pending tasks. "
                 "CPython destroys %s at interpreter exit, logging \"Task was destroyed but it is pending!\", and "
                 "closing %s coroutine%s then runs the finally blocks %s in: loopscope does not show that",
                 who, one ? "it" : "them", one ? "its" : "their", one ? "" : "s", one ? "it is" : "they are");
    return true;
}

void sim_describe_step(const Recording *r, const Program *p, uint32_t i, char *buf, size_t n)
{
    if (i >= r->nsteps) {
        snprintf(buf, n, "?");
        return;
    }
    Step step = rec_step(r, i);
    sim_describe(r, p, &step, buf, n);
}

void sim_describe(const Recording *r, const Program *p, const Step *sp, char *buf, size_t n)
{
    char w[200], t2[32];
    switch ((StepKind)sp->kind) {
    case STEP_START:
        snprintf(buf, n, "asyncio.run(%s()): new event loop; main is wrapped in a Task and its first step queued",
                 prog_s(p, p->coros[p->main].name));
        break;
    case STEP_POLL:
        vtime_format(sp->t2, 3, t2, sizeof t2);
        if (sp->t2 > sp->t)
            snprintf(buf, n, "nothing ready: select() waits for the next timer; clock jumps to %s", t2);
        else
            snprintf(buf, n, "nothing ready: select() polls; a timer is already due");
        break;
    case STEP_TIMER_DUE:
        sim_describe_handle(r, p, sp->handle, w, sizeof w);
        snprintf(buf, n, "timer due -> ready queue%s: %s", sp->aux ? " (cancelled, will be skipped)" : "", w);
        break;
    case STEP_PICK:
        sim_describe_handle(r, p, sp->handle, w, sizeof w);
        snprintf(buf, n, "pick: %s", w);
        break;
    case STEP_SKIP:
        sim_describe_handle(r, p, sp->handle, w, sizeof w);
        snprintf(buf, n, "pick: cancelled, so skipped: %s", w);
        break;
    case STEP_EXEC:
        stmt_words(p, sp->stmt, w, sizeof w);
        if (sp->stmt < p->nstmts && p->stmts[sp->stmt].kind == STMT_WITH_TIMEOUT)
            timeout_words(r, p, sp, w, buf, n);
        else if (sp->stmt < p->nstmts && p->stmts[sp->stmt].kind == STMT_AS_COMPLETED)
            snprintf(buf, n, sp->aux == AC_EXEC_NEXT
                     ? "%s awaits the next coroutine as_completed yields: _wait_for_one() takes the first future "
                       "from its done Queue, or waits there"
                     : "%s starts for ... in asyncio.as_completed(...): the first next() wraps each awaitable in "
                       "a task and adds _on_completion to each", task_name(r, sp->task));
        else
            snprintf(buf, n, "%s runs %s", task_name(r, sp->task), w);
        break;
    case STEP_CALLBACK:
        if (callback_words(r, sp, buf, n))
            break;
        sim_describe_handle(r, p, sp->handle, w, sizeof w);
        snprintf(buf, n, "callback runs: %s", w);
        break;
    case STEP_REGISTER:
        switch ((WaitKind)sp->aux) {
        case WAIT_TIMER:
            vtime_format(sp->t2, 3, t2, sizeof t2);
            if (sp->handle < r->nhandles && r->handles[sp->handle].kind == H_TIMEOUT)
                snprintf(buf, n, "%s schedules asyncio.timeout's handler: a timer (call_at) due at t=%s that "
                         "cancels the task unless it has left the block by then", task_name(r, sp->task), t2);
            else
                snprintf(buf, n, "%s registers a timer (call_later) due at t=%s", task_name(r, sp->task), t2);
            break;
        case WAIT_IO:
            vtime_format(sp->t2, 3, t2, sizeof t2);
            if (sp->handle != SIM_NONE && sp->handle < r->nhandles &&
                r->handles[sp->handle].other != SIM_NONE && r->handles[sp->handle].other < r->ntext)
                snprintf(buf, n, "%s registers the I/O \"%s\" with the selector (ready at t=%s)",
                         task_name(r, sp->task), r->text + r->handles[sp->handle].other, t2);
            else
                snprintf(buf, n, "%s registers an I/O wait with the selector (ready at t=%s)",
                         task_name(r, sp->task), t2);
            break;
        case WAIT_TASK:
            snprintf(buf, n, "%s adds a done callback to task %s", task_name(r, sp->task), task_name(r, sp->obj));
            break;
        case WAIT_AS_COMPLETED:
            snprintf(buf, n, "%s waits for as_completed's next result: a getter future on its done Queue, which the "
                     "next _on_completion completes", task_name(r, sp->task));
            break;
        case WAIT_SHIELD:
            snprintf(buf, n, "%s awaits shield(%s)'s outer future: cancelling %s now cancels only that "
                     "future, and %s runs on", task_name(r, sp->task), task_name(r, sp->obj),
                     task_name(r, sp->task), task_name(r, sp->obj));
            break;
        case WAIT_EVENT:
        case WAIT_LOCK:
        case WAIT_QUEUE_GET:
        case WAIT_QUEUE_PUT:
        case WAIT_QUEUE_JOIN:
            snprintf(buf, n, "%s appends a waiter future to %s %s", task_name(r, sp->task),
                     wait_kind_name((WaitKind)sp->aux),
                     sp->obj < p->nobjects ? prog_s(p, p->objects[sp->obj].name) : "?");
            break;
        default:
            snprintf(buf, n, "%s registers a wait on %s", task_name(r, sp->task), wait_kind_name((WaitKind)sp->aux));
            break;
        }
        break;
    case STEP_SUSPEND:
        if (sp->aux == WAIT_READY)
            snprintf(buf, n, "%s yields (bare yield): its next step goes to the back of the ready queue", task_name(r, sp->task));
        else
            snprintf(buf, n, "%s suspends (waits for %s); the loop moves on", task_name(r, sp->task),
                     wait_kind_name((WaitKind)sp->aux));
        break;
    case STEP_RESOLVE:
        if (sp->handle != SIM_NONE && sp->task == SIM_NONE) {
            sim_describe_handle(r, p, sp->handle, w, sizeof w);
            snprintf(buf, n, "%s is done: call_soon queues \"%s\"",
                     sp->handle < r->nhandles && r->handles[sp->handle].kind == H_SHIELD_OUTER
                         ? "shield's outer future" : "the awaited future", w);
        } else if (sp->task != SIM_NONE)
            snprintf(buf, n, "task %s's future is done: its callbacks are queued with call_soon", task_name(r, sp->task));
        else
            snprintf(buf, n, "a future is done: its callbacks are queued with call_soon");
        break;
    case STEP_TASK_END: {
        /* a failure: when CPython frees the task and logs it (holders.c) */
        uint32_t freed = sp->task < r->ntasks ? r->tasks[sp->task].freed_log : SIM_NONE;
        const char *name = task_name(r, sp->task);
        if (sp->aux == TASK_END_RESULT)
            snprintf(buf, n, "%s returns: task done", name);
        else if (sp->aux == TASK_END_CANCELLED)
            snprintf(buf, n, "%s ends cancelled", name);
        else if (freed != SIM_NONE && freed == r->tasks[sp->task].ended)
            snprintf(buf, n, "%s raises: task failed. Nothing holds the task, so CPython frees it now, and its "
                     "exception, never retrieved, is logged on stderr (\"" LOG_NEVER_RETRIEVED "\")", name);
        else if (freed == FREED_BY_GC || freed == FREED_BY_GC_TIMEOUT)
            snprintf(buf, n, "%s raises: task failed. Nothing awaits the task, but a reference cycle keeps it: its "
                     "exception (or one it was raised while handling) has a traceback that holds %s. CPython logs \""
                     LOG_NEVER_RETRIEVED "\" when the garbage collector frees them, at a moment no simulation can "
                     "know", name,
                     freed == FREED_BY_GC ? "its TaskGroup, which holds the task"
                                          : "the frame of Timeout.__aexit__, whose Timeout (its asyncio.timeout "
                                            "block) holds the task");
        else if (freed != SIM_NONE)
            snprintf(buf, n, "%s raises: task failed. A variable still holds the task, so it keeps its exception; "
                     "when the last one lets go (step %u), CPython frees the task and logs \""
                     LOG_NEVER_RETRIEVED "\"", name, freed);
        else
            snprintf(buf, n, "%s raises: task failed (the task keeps the exception for whoever awaits it)", name);
        break;
    }
    case STEP_ITER_END:
        snprintf(buf, n, "iteration %u ends%s", sp->iter, sp->aux ? "; stop() was called: run_forever returns" : "");
        break;
    case STEP_SHUTDOWN:
        if (sp->aux == 1)
            snprintf(buf, n, "asyncio.run shutdown: cancel %u pending task(s) and wait for them", sp->obj);
        else if (sp->aux == 2 && sp->obj != SIM_NONE)
            snprintf(buf, n, "asyncio.run shutdown: the cancelled tasks are done, and %u of them raised an exception "
                     "other than CancelledError: asyncio logs each (\"" LOG_SHUTDOWN_FAILURE "\"); then "
                     "loop.shutdown_asyncgens()", sp->obj);
        else if (sp->aux == 2)
            snprintf(buf, n, "asyncio.run shutdown: loop.shutdown_asyncgens()");
        else
            snprintf(buf, n, "asyncio.run shutdown: loop.shutdown_default_executor()");
        break;
    case STEP_FINISH: {
        int k = snprintf(buf, n, "the run is over (%s)",
                         sp->aux == SIM_DONE ? "asyncio.run returned" : sp->aux == SIM_RAISED ? "main raised"
                         : sp->aux == SIM_DEADLOCK ? "deadlock" : sp->aux == SIM_LIMIT ? "limit reached"
                         : "out of memory");
        if (k > 0 && (size_t)k < n && sp->aux == r->outcome) {
            char note[400];
            if (sim_describe_pending(r, note, sizeof note))
                snprintf(buf + k, n - (size_t)k, "; %s", note);
        }
        break;
    }
    default:
        snprintf(buf, n, "?");
        break;
    }
}
