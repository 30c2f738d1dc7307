/* sim.c -- the event loop, one micro-step at a time, and the Sim's life cycle.
 *
 * The scheduler mirrors base_events.BaseEventLoop._run_once and
 * run_forever, and runners.Runner (asyncio.run). One iteration:
 *
 *   ITER_BEGIN  pop cancelled timers off the top of the heap (or sweep them
 *               all out when more than half of 100+ count as cancelled); if
 *               nothing is ready: no timer -> deadlock, else select() lets
 *               the virtual clock jump to the earliest deadline (at most
 *               86,400 s ahead, MAXIMUM_SELECT_TIMEOUT)            [stage 7]
 *   TIMERS      move every due timer (deadline <= now) to the ready queue,
 *               one per micro-step, in (deadline, sequence) order; a
 *               cancelled one too                                  [stage 6]
 *   RUN         freeze ntodo = len(ready); pop and run exactly ntodo
 *               handles, skipping cancelled ones; what they queue runs
 *               next iteration                                     [stage 2]
 *   HANDLE      a task's step runs statement by statement (interp.c)
 *                                                            [stages 3, 4, 5]
 *   ITER_END    if stop() was called (run_until_complete's callback), leave
 *               run_forever; else iterate again                   [stage 7]
 *
 * asyncio.run (runners.py): main becomes Task-1 [stage 1]; run until it is
 * done; then Runner.close: cancel every pending task and run until they are
 * all done (gather(..., return_exceptions=True)); then run
 * shutdown_asyncgens() and shutdown_default_executor() as tasks; close.
 *
 * Seeking: a keyframe (a copy of the mutable state that shares what did not
 * change with the keyframe before it, keyframe.c) is taken every
 * key_interval steps while recording (save_keyframe says how far apart);
 * sim_seek restores the nearest one at or before the target and replays.
 * The replay appends nothing to the Recording: the counters in the state
 * say what is already recorded.
 *
 * Depends on: core_int.h and every other core file.  Used by: everyone.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

#define MAX_SELECT_TIMEOUT (86400 * VTIME_SEC)
#define MIN_SCHEDULED_TIMER_HANDLES 100u /* base_events._MIN_SCHEDULED_TIMER_HANDLES */

SimLimits sim_default_limits(void)
{
    SimLimits l;
    l.max_steps = 50000000ull;
    l.max_time = (VTime)1000000 * VTIME_SEC;
    l.max_tasks = 1000000u;
    l.max_depth = 900u;
    l.max_memory = 2ull << 30;
    l.keyframes = true;
    return l;
}

/* ---- allocation --------------------------------------------------------------- */

void sim__fail_nomem(Sim *s)
{
    s->oom = true;
    if (s->st.outcome == SIM_RUNNING)
        s->st.outcome = SIM_NOMEM;
}

bool core__grow(Sim *s, void **buf, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    if (s->oom)
        return false;
    uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX)
        ncap = UINT32_MAX;
    uint64_t delta = (ncap - *cap) * elem;
    /* While running, 1/16 of --max-memory is kept back so that how the run
     * ended (the message, the closing spans, the final step) can still be
     * recorded after the limit trips; and a doubling that does not fit is
     * cut down to what does, so the limit is reached, not a power of two. */
    uint64_t budget = s->limits.max_memory;
    if (s->st.outcome == SIM_RUNNING)
        budget -= budget / 16;
    /* A seek's replay rebuilds a state the recording already reached within
     * the limit: it is neither checked nor counted again. It used to be,
     * so every seek added the regrown tables to mem_used and after a few
     * thousand seeks a replay tripped the limit and diverged from the
     * recording (tests/abuse/seek_test.c on a 285,000-task run). */
    if (!s->replaying && s->mem_used + delta > budget) {
        uint64_t room = budget > s->mem_used ? (budget - s->mem_used) / elem : 0;
        if (room < (uint64_t)need - *cap) {
            s->rec.limit = LIMIT_MEMORY;
            if (s->st.outcome == SIM_RUNNING)
                s->st.outcome = SIM_LIMIT;
            s->oom = true;
            return false;
        }
        ncap = *cap + room;
        if (ncap > UINT32_MAX)
            ncap = UINT32_MAX;
        delta = (ncap - *cap) * elem;
    }
    void *nb = mem_realloc(*buf, (size_t)ncap * elem);
    if (!nb) {
        sim__fail_nomem(s);
        return false;
    }
    if (!s->replaying)
        s->mem_used += delta;
    *buf = nb;
    *cap = (uint32_t)ncap;
    return true;
}

static void free_arenas(SimState *st)
{
    mem_free(st->sbuf);
    mem_free(st->str_off);
    mem_free(st->litems);
    mem_free(st->lists);
    mem_free(st->excs);
}

/* Takes a keyframe of the live state at the current step, sharing what did
 * not change since the keyframe before it, and sets the interval to the
 * next one (a power of two) by two rules:
 *   - time: a keyframe reads the whole state (keyframe.c), at most about
 *     KEY_READ_PER_STEP bytes a step of its interval, a few per cent of a
 *     step's work: the interval is never shorter than that allows;
 *   - memory: a keyframe's changed chunks (KeyCost.changed) come to at most
 *     about KEY_BYTES_PER_STEP bytes a step of its interval. Over that, the
 *     interval doubles (keyframes farther apart share less but are fewer);
 *     under a quarter of it, it halves again, down to what the first rule
 *     allows. The state's growth is not counted: a new byte is new however
 *     far apart keyframes are, and is paid for once (100,000 tasks made at
 *     once are about 25 MB).
 * (Before keyframes shared chunks, the memory rule applied to whole copies
 * and the interval only grew: with 100,000 live tasks keyframes were a
 * million steps apart.) */
#define KEY_BYTES_PER_STEP 64u
#define KEY_READ_PER_STEP 256u
#define KEY_MIN_INTERVAL 1024u /* a small state's keyframe is about 3 KB, mostly fixed costs:
                                * every 256 steps that was 12 bytes a step (128 MB over the
                                * 10.5 M-step bench run); seeking there now takes 13 us median, 34 us p99 */
#define KEY_MAX_INTERVAL (1u << 24)

static void next_interval(Sim *s, uint64_t state_bytes, uint64_t changed, uint32_t since)
{
    uint32_t floor = KEY_MIN_INTERVAL;
    while (floor < state_bytes / KEY_READ_PER_STEP && floor < KEY_MAX_INTERVAL)
        floor *= 2;
    uint32_t k = s->key_interval;
    if (since && changed > (uint64_t)KEY_BYTES_PER_STEP * since && k < KEY_MAX_INTERVAL)
        k *= 2;
    else if (since && changed * 4 < (uint64_t)KEY_BYTES_PER_STEP * since && k / 2 >= floor)
        k /= 2;
    s->key_interval = k < floor ? floor : k;
}

static void save_keyframe(Sim *s)
{
    if (s->nkeys && s->keys[s->nkeys - 1].step >= s->st.nsteps)
        return;
    /* Keyframes count against --max-memory like the state itself. They
     * used not to: a queue that only grows (tests/runaway/growing_queue.json)
     * made every keyframe bigger and the process took 24 GB under the
     * default 2 GiB limit before the kernel killed it. (The check assumes
     * that nothing is shared.) */
    uint64_t kb = keyframe__state_bytes(&s->st, s->ncodes);
    if (s->mem_used + kb > s->limits.max_memory) {
        s->rec.limit = LIMIT_MEMORY;
        if (s->st.outcome == SIM_RUNNING)
            s->st.outcome = SIM_LIMIT; /* no s->oom: the steps already worked out must still be recorded */
        return;
    }
    if (s->nkeys == s->keys_cap) {
        uint32_t ncap = s->keys_cap ? s->keys_cap * 2 : 64;
        Keyframe *nk = mem_realloc(s->keys, ncap * sizeof *nk);
        if (!nk)
            return; /* seeking just replays further */
        s->keys = nk;
        s->keys_cap = ncap;
    }
    Keyframe *k = &s->keys[s->nkeys];
    KeyCost cost;
    const Keyframe *prev = s->nkeys ? &s->keys[s->nkeys - 1] : NULL;
    if (!keyframe__save(k, &s->st, s->ncodes, prev, &cost))
        return;
    k->step = s->st.nsteps;
    s->nkeys++;
    s->mem_used += cost.fresh;
    s->keys_bytes += cost.fresh;
    next_interval(s, kb, cost.changed, prev ? k->step - prev->step : 0);
}

/* ---- life cycle ---------------------------------------------------------------- */

Sim *sim_new(const Program *prog, const SimLimits *limits)
{
    Sim *s = mem_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->prog = prog;
    s->limits = limits ? *limits : sim_default_limits();
    if (s->limits.max_tasks > SIM_MAX_TASKS)
        s->limits.max_tasks = SIM_MAX_TASKS;
    SimState *st = &s->st;
    st->phase = PH_START;
    st->cur_task = SIM_NONE;
    st->cur_handle = SIM_NONE;
    st->main_task = SIM_NONE;
    st->runner_fut = SIM_NONE;
    st->main_exc = SIM_NONE;
    st->shutdown_step = SIM_NONE;
    st->exec_cause = SIM_NONE;
    st->cbs_free = SIM_NONE;
    st->frames_free = SIM_NONE;
    st->timers_free = SIM_NONE;
    st->futs_free = SIM_NONE;
    st->wnodes_free = SIM_NONE;
    st->inodes_free = SIM_NONE;
    s->rec.error_text = SIM_NONE;
    if (!interp__compile(s))
        goto fail;
    st->slots_free = mem_malloc(s->ncodes * sizeof *st->slots_free);
    if (!st->slots_free)
        goto fail;
    for (uint32_t i = 0; i < s->ncodes; i++)
        st->slots_free[i] = SIM_NONE;
    st->nobjs = prog->nobjects;
    if (st->nobjs) {
        st->objs = mem_calloc(st->nobjs, sizeof *st->objs);
        if (!st->objs)
            goto fail;
    }
    for (uint32_t i = 0; i < st->nobjs; i++) {
        ObjState *o = &st->objs[i];
        o->kind = (uint8_t)prog->objects[i].kind;
        o->value = prog->objects[i].value;
        o->waiters = (Deque){SIM_NONE, SIM_NONE};
        o->putters = (Deque){SIM_NONE, SIM_NONE};
        o->fin_waiters = (Deque){SIM_NONE, SIM_NONE};
        o->items_head = o->items_tail = SIM_NONE;
        o->finished = true; /* Queue._finished starts set */
    }
    s->cancel_limit = CANCEL_ROOM_STMT;
    s->key_interval = KEY_MIN_INTERVAL;
    save_keyframe(s);
    if (s->nkeys == 0)
        goto fail;
    return s;
fail:
    sim_free(s);
    return NULL;
}

void sim_free(Sim *s)
{
    if (!s)
        return;
    keyframe__free_tables(&s->st);
    free_arenas(&s->st);
    for (int i = 0; i < 2; i++)
        if (s->eph_ok[i])
            keyframe__free(&s->eph[i]);
    for (uint32_t i = s->nkeys; i-- > 0;)
        keyframe__free(&s->keys[i]);
    mem_free(s->keys);
    interp__free_codes(s);
    mem_free(s->scratch.p);
    Recording *r = &s->rec;
    mem_free(r->sbytes);
    mem_free(r->sblock);
    mem_free(r->tmarks);
    mem_free(r->handles);
    mem_free(r->tasks);
    mem_free(r->spans);
    mem_free(r->blocks);
    mem_free(r->lines);
    mem_free(r->logs);
    mem_free(r->text);
    mem_free(s);
}

/* ---- the scheduler's units of work ------------------------------------------------ */

static void finish(Sim *s, SimOutcome o)
{
    SimState *st = &s->st;
    if (st->outcome == SIM_RUNNING || st->outcome != o)
        st->outcome = (uint8_t)o;
    /* A run that stops early (deadlock, a limit) leaves tasks waiting:
     * their current spans end here, so every span in the Recording is
     * closed and a timeline never has to guess where one stops. */
    for (uint32_t t = 0; t < st->ntasks; t++)
        rec__task_span_close(s, t);
    rec__step(s, STAGE_REPEAT, STEP_FINISH, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE,
              (uint8_t)o, 0);
    st->phase = PH_FINISHED;
}

static void describe_exc(Sim *s, uint32_t exc, SBuf *b)
{
    const ExcRec *e = &s->st.excs[exc];
    if (e->type == EXC_CANCELLED)
        sbuf_puts(b, "asyncio.exceptions.CancelledError");
    else
        sbuf_puts(b, exc_name(e->type));
    SBuf m = {0};
    Value v = {0};
    v.type = V_EXC;
    v.id = exc;
    val__format(s, &m, v, false);
    if (m.n) {
        sbuf_puts(b, ": ");
        sbuf_puts(b, m.p);
    }
    mem_free(m.p);
}

static void set_error_text(Sim *s, SBuf *b)
{
    if (s->rec.error_text == SIM_NONE && !b->oom)
        s->rec.error_text = rec__text(s, b->p ? b->p : "", b->n);
    mem_free(b->p);
}

/* After "waits for Event e": who could still act on e. Looks for the
 * statements of kind `k` on object `o` (a set, a put, a get) in the
 * coroutines of the tasks that are themselves stuck; naming them shows the
 * cycle ("ping waits for pong_ready, which only pong sets, and pong is
 * waiting too"). A static look at the code, so it says "could". */
static void who_could(Sim *s, SBuf *b, uint32_t o, StmtKind k, const char *verb, const char *verbs)
{
    const Program *p = s->prog;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->st.ntasks; i++) {
        const Task *t = &s->st.tasks[i];
        uint32_t coro = s->rec.tasks[i].coro;
        if (fut__done(s, t->fut) || coro == SIM_NONE)
            continue;
        bool has = false;
        for (uint32_t j = 0; j < p->nstmts && !has; j++)
            has = p->stmts[j].kind == k && p->stmts[j].obj == o && p->stmts[j].coro_owner == coro;
        if (!has)
            continue;
        sbuf_puts(b, n++ ? " or " : ", which only ");
        sbuf_puts(b, rec_text(&s->rec, s->rec.tasks[i].name));
    }
    if (n) {
        sbuf_puts(b, " could ");
        sbuf_puts(b, verb);
        sbuf_puts(b, n > 1 ? ", and all of them are stuck" : ", and that task is stuck too");
    } else {
        sbuf_puts(b, ", which nothing ");
        sbuf_puts(b, verbs);
    }
}

/* Names every waiting task and what it waits for (deadlock report). */
static void deadlock_text(Sim *s)
{
    SBuf b = {0};
    const Program *p = s->prog;
    bool any = false;
    for (uint32_t i = 0; i < s->st.ntasks; i++) {
        const Task *t = &s->st.tasks[i];
        if (fut__done(s, t->fut))
            continue;
        if (any)
            sbuf_puts(&b, "; ");
        any = true;
        sbuf_puts(&b, rec_text(&s->rec, s->rec.tasks[i].name));
        sbuf_puts(&b, " waits for ");
        uint32_t o = t->wait_obj;
        switch ((WaitKind)t->wait) {
        case WAIT_EVENT:
            sbuf_puts(&b, "Event ");
            sbuf_puts(&b, prog_s(p, p->objects[o].name));
            who_could(s, &b, o, STMT_SET, "set", "sets");
            break;
        case WAIT_LOCK:
            sbuf_puts(&b, p->objects[o].kind == OBJ_LOCK ? "Lock " : "Semaphore ");
            sbuf_puts(&b, prog_s(p, p->objects[o].name));
            sbuf_puts(&b, ", which nothing releases");
            break;
        case WAIT_QUEUE_GET:
            sbuf_puts(&b, "an item from Queue ");
            sbuf_puts(&b, prog_s(p, p->objects[o].name));
            who_could(s, &b, o, STMT_PUT, "put", "puts");
            break;
        case WAIT_QUEUE_PUT:
            sbuf_puts(&b, "room in Queue ");
            sbuf_puts(&b, prog_s(p, p->objects[o].name));
            who_could(s, &b, o, STMT_GET, "free (with a get)", "gets from");
            break;
        case WAIT_QUEUE_JOIN:
            sbuf_puts(&b, "Queue ");
            sbuf_puts(&b, prog_s(p, p->objects[o].name));
            sbuf_puts(&b, " to be joined (task_done missing)");
            break;
        case WAIT_TASK:
        case WAIT_WAIT_FOR:
            sbuf_puts(&b, "task ");
            sbuf_puts(&b, o != SIM_NONE && o < s->rec.ntasks ? rec_text(&s->rec, s->rec.tasks[o].name) : "?");
            break;
        case WAIT_GATHER:
            sbuf_puts(&b, "gather()");
            break;
        case WAIT_AS_COMPLETED:
            sbuf_puts(&b, "the next result of as_completed()");
            break;
        case WAIT_SHIELD:
            sbuf_puts(&b, "shield(");
            sbuf_puts(&b, o != SIM_NONE && o < s->rec.ntasks ? rec_text(&s->rec, s->rec.tasks[o].name) : "?");
            sbuf_puts(&b, ")");
            break;
        case WAIT_GROUP:
            sbuf_puts(&b, "its TaskGroup's tasks");
            break;
        default:
            sbuf_puts(&b, wait_kind_name((WaitKind)t->wait));
            break;
        }
    }
    if (!any)
        sbuf_puts(&b, "nothing is ready and no timer is pending");
    set_error_text(s, &b);
}

static void limit_text(Sim *s)
{
    static const char *const msgs[] = {
        [LIMIT_NONE] = "limit",
        [LIMIT_STEPS] = "the step limit was reached (raise it with --max-steps N)",
        [LIMIT_TIME] = "the virtual-time limit was reached (raise it with --max-time SECONDS)",
        [LIMIT_TASKS] = "the task limit was reached (raise it with --max-tasks N)",
        [LIMIT_DEPTH] = "the call-depth limit was reached: runaway recursion? CPython raises RecursionError "
                        "a little under 1,000 nested calls; loopscope stops instead (raise the limit "
                        "with --max-depth N)",
        [LIMIT_MEMORY] = "the memory limit was reached (raise it with --max-memory BYTES)",
        [LIMIT_CANCEL_RECURSION] = "a cancel went round a cycle of tasks awaiting each other (or down "
                               "a chain of about 1,000): in CPython Task.cancel recurses there until "
                               "RecursionError, which loopscope raises only from a cancel statement, "
                               "wait_for and asyncio.run's shutdown",
    };
    SBuf b = {0};
    sbuf_puts(&b, msgs[s->rec.limit <= LIMIT_CANCEL_RECURSION ? s->rec.limit : 0]);
    set_error_text(s, &b);
}

/* Starts run_until_complete(fut) for the shutdown phases. */
static void run_until(Sim *s, uint32_t fut, uint8_t runner)
{
    fut__add_cb(s, fut, H_RUN_UNTIL_DONE, 0);
    s->st.runner_fut = fut;
    s->st.runner = runner;
    s->st.phase = PH_ITER_BEGIN;
}

/* runners._cancel_all_tasks, once its gather is done: each task it
 * cancelled that ended with an exception other than CancelledError goes to
 * the loop's exception handler, in creation order. Logged with the next
 * step, shutdown_asyncgens, whose text says so (its obj counts them).
 * With log false, only counts. */
static uint32_t shutdown_failures(Sim *s, uint32_t step, bool log)
{
    const SimState *st = &s->st;
    const Recording *r = &s->rec;
    uint32_t n = 0;
    for (uint32_t i = 0; st->shutdown_step != SIM_NONE && i < st->ntasks && i < r->ntasks; i++) {
        const TaskInfo *ti = &r->tasks[i];
        if (ti->created < st->shutdown_step && ti->ended != SIM_NONE && ti->ended > st->shutdown_step &&
            ti->end == TASK_END_RAISED) {
            n++;
            if (log)
                rec__log_task(s, LOG_SHUTDOWN_FAILURE, "task", i, step,
                              st->futs[st->tasks[i].fut].exc);
        }
    }
    return n;
}

static void unit_shutdown(Sim *s)
{
    SimState *st = &s->st;
    uint8_t next = (uint8_t)(st->runner + 1);
    if (next == 1) {
        /* runners._cancel_all_tasks: cancel in creation order (R51) */
        uint32_t n = 0;
        for (uint32_t i = 0; i < st->ntasks; i++)
            if (!fut__done(s, st->tasks[i].fut))
                n++;
        if (n) {
            uint32_t step = rec__step(s, STAGE_REPEAT, STEP_SHUTDOWN, SIM_NONE, SIM_NONE,
                                      SIM_NONE, n, SIM_NONE, 1, 0);
            st->shutdown_step = step;
            uint32_t outer = fut__new(s);
            if (outer == SIM_NONE || !GROW(s, st->gathers, st->gathers_cap, st->ngathers + 1) ||
                !GROW(s, st->gchild, st->gchild_cap, st->ngchild + n))
                return;
            uint32_t g = st->ngathers++;
            Gather *gr = &st->gathers[g];
            memset(gr, 0, sizeof *gr);
            gr->outer = outer;
            gr->children = st->ngchild;
            gr->return_exceptions = true;
            st->ngchild += n;
            st->futs[outer].owner_kind = FUT_OWN_GATHER;
            st->futs[outer].owner = g;
            uint32_t ntasks = st->ntasks;
            uint32_t k = 0;
            uint32_t *list = mem_malloc(n * sizeof *list);
            if (!list) {
                sim__fail_nomem(s);
                return;
            }
            for (uint32_t i = 0; i < ntasks; i++)
                if (!fut__done(s, st->tasks[i].fut)) {
                    list[k++] = i;
                    task__awaited(s, i); /* to_cancel holds it, and task.exception() reads it */
                }
            task__cancel_room(s, CANCEL_ROOM_SHUTDOWN, SIM_NONE);
            for (uint32_t i = 0; i < k; i++) {
                task__cancel(s, list[i], step);
                if (s->cancel_recursion) { /* RecursionError escapes asyncio.run */
                    s->cancel_recursion = false;
                    s->rec.shutdown_cut = true;
                    mem_free(list);
                    SBuf b = {0};
                    sbuf_puts(&b, "RecursionError: " CANCEL_RECURSION_MSG);
                    set_error_text(s, &b);
                    finish(s, SIM_RAISED);
                    return;
                }
            }
            for (uint32_t i = 0; i < k; i++) {
                uint32_t fut = st->tasks[list[i]].fut;
                st->gchild[st->gathers[g].children + st->gathers[g].nchildren++] = fut;
                st->gathers[g].nfuts++;
                fut__add_cb(s, fut, H_GATHER_DONE, g);
            }
            mem_free(list);
            run_until(s, outer, 1);
            return;
        }
        next = 2;
    }
    if (next == 2 || next == 3) {
        /* loop.shutdown_asyncgens(), loop.shutdown_default_executor() */
        uint32_t nfail = next == 2 ? shutdown_failures(s, SIM_NONE, false) : 0;
        uint32_t step = rec__step(s, STAGE_REPEAT, STEP_SHUTDOWN, SIM_NONE, SIM_NONE, SIM_NONE,
                                  nfail ? nfail : SIM_NONE, SIM_NONE, next, 0);
        if (nfail)
            shutdown_failures(s, step, true);
        st->cur_task = SIM_NONE;
        uint32_t t = task__new(s, TK_NOOP, s->code_noop, NULL, 0, SIM_NONE, 0, SIM_NONE);
        if (t == SIM_NONE)
            return;
        run_until(s, st->tasks[t].fut, next);
        return;
    }
    /* loop.close(); asyncio.run returns main's result or re-raises */
    if (st->main_exc != SIM_NONE) {
        SBuf b = {0};
        describe_exc(s, st->main_exc, &b);
        set_error_text(s, &b);
        finish(s, SIM_RAISED);
    } else {
        finish(s, SIM_DONE);
    }
}

static void unit_start(Sim *s)
{
    SimState *st = &s->st;
    rec__step(s, STAGE_INIT, STEP_START, 0, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, 0, 0);
    uint32_t t = task__new(s, TK_CORO, s->prog->main, NULL, 0, SIM_NONE, 0, SIM_NONE);
    if (t == SIM_NONE)
        return;
    st->main_task = t;
    run_until(s, st->tasks[t].fut, 0);
}

/* Returns true when it narrated something. */
static bool unit_iter_begin(Sim *s)
{
    SimState *st = &s->st;
    st->iter++;
    /* heap cleanup, as _run_once begins: when more than 100 timers are
     * scheduled and more than half count as cancelled, every cancelled one
     * is swept out; otherwise the cancelled ones at the top are popped */
    if (st->nheap > MIN_SCHEDULED_TIMER_HANDLES && (uint64_t)st->tcancelled * 2 > st->nheap) {
        loop__heap_sweep(s);
    } else {
        while (st->nheap && st->timers[st->heap[0].timer].cancelled) {
            bool c;
            loop__heap_pop(s, &c);
            if (st->tcancelled)
                st->tcancelled--;
        }
    }
    st->phase = PH_TIMERS;
    if (st->ready_len)
        return false;
    if (st->nheap == 0) {
        deadlock_text(s);
        finish(s, SIM_DEADLOCK);
        return true;
    }
    VTime when = st->heap[0].when;
    VTime target = when > st->now ? when : st->now;
    if (target - st->now > MAX_SELECT_TIMEOUT)
        target = st->now + MAX_SELECT_TIMEOUT;
    if (target > s->limits.max_time) {
        s->rec.limit = LIMIT_TIME;
        limit_text(s);
        finish(s, SIM_LIMIT);
        return true;
    }
    /* the POLL step carries now from before the jump; t2 is the new now */
    rec__step(s, STAGE_REPEAT, STEP_POLL, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, 0,
              target);
    st->now = target;
    return true;
}

static bool unit_timers(Sim *s)
{
    SimState *st = &s->st;
    while (st->nheap && st->heap[0].when <= st->now) {
        bool cancelled = false;
        VTime when = st->heap[0].when; /* the handle's deadline (rec_handle_when) */
        uint32_t h = loop__heap_pop(s, &cancelled);
        /* A cancelled timer below the top (the cleanup in unit_iter_begin
         * only pops cancelled tops) falls due too: _run_once moves it to
         * _ready as any other and skips it there (unit_run, STEP_SKIP). */
        HandleInfo *hi = &s->rec.handles[h];
        rec__step(s, STAGE_RESUME, STEP_TIMER_DUE, hi->task, h, hi->stmt, hi->fut, hi->created,
                  cancelled, when);
        loop__call_soon(s, h);
        if (cancelled)
            loop__mark_cancelled(s, h); /* found at the tail at once */
        return true;
    }
    st->ntodo = st->ready_len;
    st->phase = PH_RUN;
    return false;
}

static bool unit_run(Sim *s)
{
    SimState *st = &s->st;
    if (st->ntodo == 0) {
        st->phase = PH_ITER_END;
        return false;
    }
    uint32_t e = st->ready[st->ready_head];
    uint32_t h = e & ~READY_SKIP;
    st->ready_head = (st->ready_head + 1) % st->ready_cap;
    st->ready_len--;
    st->ntodo--;
    HandleInfo *hi = &s->rec.handles[h];
    if (e & READY_SKIP) { /* if handle._cancelled: continue */
        hi->picked = rec__step(s, STAGE_PICK, STEP_SKIP, hi->task, h, SIM_NONE, hi->fut,
                               hi->queued, 0, 0);
        st->cur_task = SIM_NONE;
        return true;
    }
    uint32_t pick = rec__step(s, STAGE_PICK, STEP_PICK, hi->task, h, SIM_NONE, hi->fut,
                              hi->queued, 0, 0);
    hi->picked = pick;
    if (hi->kind == H_TASK_STEP || hi->kind == H_TASK_WAKEUP) {
        st->cur_task = hi->task;
        st->cur_handle = h;
        st->exec_cause = pick;
        st->first_unit = true;
        st->phase = PH_HANDLE;
        if (hi->task < st->ntasks && fut__done(s, st->tasks[hi->task].fut)) {
            st->phase = PH_RUN; /* stale handle (cannot happen in 3.11; defensive) */
            st->cur_task = SIM_NONE;
        }
        return true;
    }
    st->cur_task = SIM_NONE;
    cb__run(s, h, pick);
    return true;
}

static bool unit_handle(Sim *s)
{
    SimState *st = &s->st;
    uint32_t exc = SIM_NONE;
    bool first = st->first_unit;
    if (first) {
        const HandleInfo *hi = &s->rec.handles[st->cur_handle];
        if (hi->kind == H_TASK_WAKEUP) { /* Task.__wakeup: future.result() */
            Value v;
            fut__result(s, hi->fut, &v, &exc);
        } else if (hi->other != SIM_NONE) { /* __step(exc), see interp.c await_self */
            exc = hi->other;
        }
    }
    st->first_unit = false;
    uint32_t before = rec__next_index(s);
    bool more = interp__run(s, exc, first);
    if (!more) {
        st->cur_task = SIM_NONE;
        st->cur_handle = SIM_NONE;
        if (st->phase == PH_HANDLE)
            st->phase = PH_RUN;
    }
    return rec__next_index(s) > before;
}

static bool unit_iter_end(Sim *s)
{
    SimState *st = &s->st;
    rec__step(s, STAGE_REPEAT, STEP_ITER_END, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE,
              SIM_NONE, st->stopping ? 1 : 0, 0);
    if (st->stopping) {
        st->stopping = false;
        st->phase = PH_SHUTDOWN;
    } else {
        st->phase = PH_ITER_BEGIN;
    }
    return true;
}

/* Does units of work until at least one step is narrated. */
static void work(Sim *s)
{
    SimState *st = &s->st;
    for (int guard = 0; guard < 1000000 && st->npend == 0; guard++) {
        if (st->outcome != SIM_RUNNING && st->phase != PH_FINISHED) {
            s->rec_failed = false; /* how the run ended is recorded (rec__step) */
            if (st->outcome == SIM_LIMIT) {
                /* A limit is not an allocation failure: the message and
                 * the final step must still be recorded (they used not to
                 * be after --max-memory tripped, and the CLI said "out of
                 * memory"). core__grow skips the limit once the run is over. */
                s->oom = false;
                limit_text(s);
            }
            else if (st->outcome == SIM_NOMEM) {
                SBuf b = {0};
                sbuf_puts(&b, "out of memory: the simulation was stopped");
                set_error_text(s, &b);
            }
            finish(s, (SimOutcome)st->outcome);
            return;
        }
        switch ((Phase)st->phase) {
        case PH_START: unit_start(s); break;
        case PH_ITER_BEGIN: unit_iter_begin(s); break;
        case PH_TIMERS: unit_timers(s); break;
        case PH_RUN: unit_run(s); break;
        case PH_HANDLE: unit_handle(s); break;
        case PH_ITER_END: unit_iter_end(s); break;
        case PH_SHUTDOWN: unit_shutdown(s); break;
        case PH_FINISHED: return;
        }
    }
}

bool sim_step(Sim *s)
{
    SimState *st = &s->st;
    if (st->npend == 0) {
        if (st->phase == PH_FINISHED)
            return false;
        if (st->nsteps >= s->limits.max_steps && st->outcome == SIM_RUNNING) {
            s->rec.limit = LIMIT_STEPS;
            st->outcome = SIM_LIMIT;
        }
        /* (when the memory limit trips on the recording itself, the steps
         * narrated after it are not recorded and not pending: work() then
         * records how the run ended) */
        work(s);
        if (st->npend == 0)
            return false;
    }
    st->npend--;
    st->nsteps++;
    if (!s->replaying && s->limits.keyframes && (st->nsteps & (s->key_interval - 1)) == 0)
        save_keyframe(s);
    return true;
}

SimOutcome sim_run_to_end(Sim *s)
{
    while (sim_step(s)) {
    }
    return (SimOutcome)s->st.outcome;
}

/* The last keyframe at or before step n (there is always one at step 0). */
static const Keyframe *key_before(const Sim *s, uint32_t n)
{
    uint32_t lo = 0, hi = s->nkeys;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (s->keys[mid].step <= n)
            lo = mid;
        else
            hi = mid;
    }
    return &s->keys[lo];
}

#define EPH_MIN 2048u /* replays longer than this leave an extra keyframe ... */
#define EPH_BACK 512u /* ... this many steps before where they land */

void sim_seek(Sim *s, uint32_t n)
{
    if (n > s->rec.nsteps)
        n = s->rec.nsteps;
    if (n == s->st.nsteps)
        return;
    bool back = n < s->st.nsteps && s->st.nsteps - n <= EPH_BACK;
    if (n < s->st.nsteps || n - s->st.nsteps > s->key_interval) {
        const Keyframe *base = key_before(s, n);
        for (int e = 0; e < 2; e++) /* a closer extra keyframe */
            if (s->eph_ok[e] && s->eph[e].step <= n && s->eph[e].step > base->step)
                base = &s->eph[e];
        if ((base->step > s->st.nsteps || n < s->st.nsteps) &&
            !keyframe__restore(&s->st, base, s->ncodes))
            sim__fail_nomem(s);
    }
    bool was = s->replaying;
    s->replaying = true;
    /* Stepping back (a short seek backwards) that has to replay a long way
     * leaves an extra keyframe EPH_BACK steps before n: with 100,000 live
     * tasks keyframes are some 100,000 steps apart, and stepping back one
     * step at a time would replay the whole interval every time. Jumps
     * elsewhere do not pay for the copy. The two extra keyframes (which
     * share what they can with the keyframe before them) are the only
     * memory this costs. */
    if (back && n - s->st.nsteps > EPH_MIN && !s->oom) {
        uint32_t m = n - EPH_BACK;
        while (s->st.nsteps < m && sim_step(s)) {
        }
        if (s->st.nsteps == m) {
            Keyframe *k = &s->eph[s->eph_next];
            if (s->eph_ok[s->eph_next]) {
                keyframe__free(k);
                s->eph_ok[s->eph_next] = false;
            }
            /* (out of memory: no extra keyframe) */
            if (keyframe__save(k, &s->st, s->ncodes, key_before(s, m), NULL)) {
                k->step = m;
                s->eph_ok[s->eph_next] = true;
            }
            s->eph_next ^= 1;
        }
    }
    while (s->st.nsteps < n && sim_step(s)) {
    }
    s->replaying = was;
}

SimOutcome sim_outcome(const Sim *s) { return (SimOutcome)s->st.outcome; }
const Recording *sim_recording(const Sim *s) { return &s->rec; }
const Program *sim_program(const Sim *s) { return s->prog; }
uint32_t sim_pos(const Sim *s) { return s->st.nsteps; }
uint64_t sim_keyframe_bytes(const Sim *s) { return s->keys_bytes; }
VTime sim_now(const Sim *s) { return s->st.now; }
uint32_t sim_iter(const Sim *s) { return s->st.iter; }
