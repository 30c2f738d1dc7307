/* exp_chrome.c -- a finished run as a Chrome Trace Event Format file.
 *
 * One process (pid 1, named after the scenario's title) with one thread per
 * track: tid 1 is the event loop, tid 2 + k is task k, in creation order
 * (thread_name + thread_sort_index metadata; tid 0 is never used, Perfetto
 * would fold it into the pid). ts/dur are microseconds of virtual time,
 * written from the integer nanoseconds as "%lld.%03d" so no locale and no
 * floating point can change them.
 *
 *   event loop   "run: <what the callback does>"  one slice per picked handle
 *                "select(): idle until the next timer"  when the clock jumps
 *                "loop blocked: ..."   a blocking call, inside its callback
 *                stage markers (instants) each time the stage (1-7) changes
 *   each task    "running" / "ready (in queue)" / "await sleep(1)",
 *                "wait Event ready", ... : the Recording's spans, which tile
 *                the task's life; "time.sleep(2) blocks the loop" inside the
 *                running slice that blocked; instants for every print (named
 *                with the printed text), created, done, cancelled, failed
 *   flows        v1 "s"/"f" pairs (integer ids, cat "timer") from the running
 *                slice that registered a timer (sleep, I/O, wait_for) to the
 *                running slice of the resume it caused
 *
 * The invariants the importers need (ecosystem.md section 3):
 *  - slices on one tid nest strictly: task spans tile, a blocked slice lies
 *    inside the running slice that blocked, loop slices follow each other
 *    (virtual time never goes back);
 *  - a slice of zero virtual duration is a B/E pair at one ts, not an X:
 *    speedscope sorts X events of equal ts longest first, so a zero-length
 *    X before a longer one at the same instant is "ended" before it is
 *    opened (a warning and a mis-nested profile); explicit B/E events keep
 *    file order. Zero-length pairs are never nested in each other;
 *  - slices carry no args (speedscope names a frame name + JSON(args));
 *    instants carry the details;
 *  - the first event has no "cat" and no event is named "Profile",
 *    "ProfileChunk" or "CpuProfile" (a print with that exact text is
 *    renamed "print: ..."), so speedscope never takes the file for a
 *    DevTools profile;
 *  - strings are JSON-escaped (", \, control characters); UTF-8 is kept,
 *    and names cut to fit a buffer are cut on a character boundary.
 *
 * Reads only the Recording and the Program; never the live state.
 *
 * Depends on: core.h, mem.h, out.h.  Used by: main.c, exp_svg.c (span words), tests/fuzz.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp_chrome.h"
#include "mem.h" /* every allocation can be made to fail in tests (tests/oom) */
#include "obuf.h"
#include "out.h"

#define LOOP_TID 1u
#define TASK_TID(k) ((k) + 2u)

/* ---- output buffer ---------------------------------------------------------- */

typedef OutBuf Buf; /* obuf.h */

/* Microseconds with three decimals from integer nanoseconds. */
static void put_us(Buf *b, VTime ns)
{
    if (ns < 0) {
        obuf_put(b, "-", 1);
        ns = -ns;
    }
    obuf_printf(b, "%" PRId64 ".%03d", ns / 1000, (int)(ns % 1000));
}

/* A JSON string literal: quotes, backslashes and control characters
 * escaped, every other byte (UTF-8 included) as is. */
static void put_jstr(Buf *b, const char *z)
{
    obuf_put(b, "\"", 1);
    const char *run = z;
    for (; *z; z++) {
        unsigned char c = (unsigned char)*z;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        obuf_put(b, run, (size_t)(z - run));
        run = z + 1;
        switch (c) {
        case '"': obuf_put(b, "\\\"", 2); break;
        case '\\': obuf_put(b, "\\\\", 2); break;
        case '\n': obuf_put(b, "\\n", 2); break;
        case '\r': obuf_put(b, "\\r", 2); break;
        case '\t': obuf_put(b, "\\t", 2); break;
        default: obuf_printf(b, "\\u%04x", c); break;
        }
    }
    obuf_put(b, run, (size_t)(z - run));
    obuf_put(b, "\"", 1);
}

/* After snprintf into a fixed buffer: drop a UTF-8 sequence the cut left
 * incomplete at the end, so the name stays valid UTF-8. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), k = n;
    while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0)
        return;
    unsigned char lead = (unsigned char)s[k - 1];
    size_t want = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    if (lead >= 0x80 && (k - 1) + want > n)
        s[k - 1] = '\0';
}

static void namef(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void namef(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    utf8_trim(buf);
}

/* Seconds from nanoseconds, shortest form ("2", "0.5", "0.000001"). */
static void secs(VTime ns, char *buf, size_t n)
{
    const char *sign = ns < 0 ? "-" : "";
    if (ns < 0)
        ns = -ns;
    int64_t whole = ns / VTIME_SEC, frac = ns % VTIME_SEC;
    if (frac == 0) {
        snprintf(buf, n, "%s%" PRId64, sign, whole);
        return;
    }
    char f[16];
    snprintf(f, sizeof f, "%09" PRId64, frac);
    for (int i = 8; i > 0 && f[i] == '0'; i--)
        f[i] = '\0';
    snprintf(buf, n, "%s%" PRId64 ".%s", sign, whole, f);
}

/* ---- events ------------------------------------------------------------------ */

typedef struct Tw {
    Buf b;
    const Recording *r;
    const Program *p;
    uint32_t nev;
} Tw;

/* Starts an event object: {"ph":..,"pid":1,"tid":..[,"ts":..] */
static void ev(Tw *w, const char *ph, uint32_t tid, bool has_ts, VTime ts)
{
    obuf_puts(&w->b, w->nev++ ? ",\n{" : "\n{");
    obuf_printf(&w->b, "\"ph\":\"%s\",\"pid\":1,\"tid\":%u", ph, tid);
    if (has_ts) {
        obuf_puts(&w->b, ",\"ts\":");
        put_us(&w->b, ts);
    }
}

static void ev_name(Tw *w, const char *cat, const char *name)
{
    if (cat) {
        obuf_puts(&w->b, ",\"cat\":");
        put_jstr(&w->b, cat);
    }
    obuf_puts(&w->b, ",\"name\":");
    put_jstr(&w->b, name);
}

static void meta(Tw *w, uint32_t tid, const char *what, const char *key, const char *str, long num)
{
    ev(w, "M", tid, false, 0);
    ev_name(w, NULL, what);
    obuf_puts(&w->b, ",\"args\":{");
    put_jstr(&w->b, key);
    obuf_put(&w->b, ":", 1);
    if (str)
        put_jstr(&w->b, str);
    else
        obuf_printf(&w->b, "%ld", num);
    obuf_puts(&w->b, "}}");
}

/* A slice [t0, t1]: an X when it lasts, else the B of a B/E pair (see the
 * file comment); slice_close writes the E. Events between the two calls
 * are inside the slice. */
static void slice_open(Tw *w, uint32_t tid, const char *cat, const char *name, VTime t0, VTime t1)
{
    if (t1 > t0) {
        ev(w, "X", tid, true, t0);
        ev_name(w, cat, name);
        obuf_puts(&w->b, ",\"dur\":");
        put_us(&w->b, t1 - t0);
    } else {
        ev(w, "B", tid, true, t0);
        ev_name(w, cat, name);
    }
    obuf_put(&w->b, "}", 1);
}

static void slice_close(Tw *w, uint32_t tid, const char *cat, const char *name, VTime t0, VTime t1)
{
    if (t1 > t0)
        return;
    ev(w, "E", tid, true, t0);
    ev_name(w, cat, name);
    obuf_put(&w->b, "}", 1);
}

/* An instant on a thread; `args` (may be NULL) is written as is inside
 * {...}: the caller has escaped it. */
static void instant(Tw *w, uint32_t tid, const char *cat, const char *name, VTime ts, const char *args)
{
    ev(w, "i", tid, true, ts);
    ev_name(w, cat, name);
    obuf_puts(&w->b, ",\"s\":\"t\"");
    if (args) {
        obuf_puts(&w->b, ",\"args\":{");
        obuf_puts(&w->b, args);
        obuf_put(&w->b, "}", 1);
    }
    obuf_put(&w->b, "}", 1);
}

/* ---- names ------------------------------------------------------------------- */

static const char *task_name(const Recording *r, uint32_t t)
{
    return t < r->ntasks ? rec_text(r, r->tasks[t].name) : "?";
}

static const char *obj_name(const Program *p, uint32_t o)
{
    return o < p->nobjects ? prog_s(p, p->objects[o].name) : "?";
}

static const Stmt *stmt_at(const Program *p, uint32_t s)
{
    return s < p->nstmts ? &p->stmts[s] : NULL;
}

/* The REGISTER step that started waiting span `sp` (it was narrated just
 * before the span opened) into *out; false when there is none. */
static bool wait_register(const Recording *r, const Span *sp, Step *out)
{
    uint32_t hi = sp->s0 < r->nsteps ? sp->s0 : r->nsteps;
    StepReader rd;
    rec_reader_init(&rd, r);
    for (uint32_t k = hi; k > 0 && hi - k < 16; k--) {
        const Step *st = rec_read(&rd, k - 1);
        if (st->kind == STEP_REGISTER && st->task == sp->task && st->aux == sp->wait) {
            *out = *st;
            return true;
        }
    }
    return false;
}

/* What a waiting span awaits, in Python's words ("await sleep(1)"). */
static void wait_words(const Recording *r, const Program *p, const Span *sp, char *buf, size_t n)
{
    Step reg_;
    const Step *reg = wait_register(r, sp, &reg_) ? &reg_ : NULL;
    const Stmt *st = reg ? stmt_at(p, reg->stmt) : NULL;
    uint32_t obj = reg ? reg->obj : SIM_NONE;
    char d[48];
    switch ((WaitKind)sp->wait) {
    case WAIT_TIMER:
        if (st && st->kind == STMT_SLEEP)
            secs(st->ns, d, sizeof d);
        else if (reg && reg->t2 >= reg->t)
            secs(reg->t2 - reg->t, d, sizeof d);
        else
            snprintf(d, sizeof d, "...");
        namef(buf, n, "await sleep(%s)", d);
        break;
    case WAIT_IO: {
        const char *label = "";
        if (reg && reg->handle < r->nhandles && r->handles[reg->handle].other < r->ntext)
            label = r->text + r->handles[reg->handle].other;
        else if (st && st->kind == STMT_IO)
            label = prog_s(p, st->text);
        namef(buf, n, "await I/O \"%s\"", label);
        break;
    }
    case WAIT_TASK: namef(buf, n, "await task %s", reg ? task_name(r, obj) : "?"); break;
    case WAIT_GATHER:
        if (st && st->kind == STMT_GATHER)
            namef(buf, n, "await gather(%u awaitables)", st->aw_count);
        else
            namef(buf, n, "await gather(...)");
        break;
    case WAIT_WAIT_FOR:
        if (st && st->kind == STMT_WAIT_FOR && !st->flag) {
            secs(st->ns, d, sizeof d);
            namef(buf, n, "await wait_for(timeout=%s)", d);
        } else
            namef(buf, n, "await wait_for(timeout=None)");
        break;
    case WAIT_EVENT: namef(buf, n, "wait Event %s", obj_name(p, obj)); break;
    case WAIT_LOCK:
        namef(buf, n, "acquire %s %s",
              obj < p->nobjects && p->objects[obj].kind == OBJ_SEMAPHORE ? "Semaphore" : "Lock",
              obj_name(p, obj));
        break;
    case WAIT_QUEUE_GET: namef(buf, n, "get Queue %s (empty)", obj_name(p, obj)); break;
    case WAIT_QUEUE_PUT: namef(buf, n, "put Queue %s (full)", obj_name(p, obj)); break;
    case WAIT_QUEUE_JOIN: namef(buf, n, "join Queue %s", obj_name(p, obj)); break;
    case WAIT_GROUP: namef(buf, n, "await TaskGroup children"); break;
    case WAIT_SHIELD: namef(buf, n, "await shield(%s)", reg ? task_name(r, obj) : "?"); break;
    case WAIT_AS_COMPLETED: namef(buf, n, "await as_completed's next"); break;
    default: namef(buf, n, "ready (in queue)"); break;
    }
}

void exp_chrome_span_words(const Recording *r, const Program *p, const Span *sp, char *buf, size_t n)
{
    switch ((SpanState)sp->state) {
    case SPAN_RUNNING: namef(buf, n, "running"); break;
    case SPAN_READY: namef(buf, n, "ready (in queue)"); break;
    case SPAN_WAITING: wait_words(r, p, sp, buf, n); break;
    default: {
        char d[48];
        secs(sp->t1 - sp->t0, d, sizeof d);
        namef(buf, n, "time.sleep(%s) blocks the loop", d);
        break;
    }
    }
}

/* ---- per-task marks: things drawn inside a task's slices -------------------- */

enum { MK_FLOW_F, MK_FLOW_S, MK_BLOCK, MK_PRINT, MK_END, MK_LOG };

typedef struct Mark {
    uint32_t task, step, a;
    uint8_t kind;
} Mark;

static int mark_cmp(const void *x, const void *y)
{
    const Mark *a = x, *b = y;
    if (a->task != b->task)
        return a->task < b->task ? -1 : 1;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->a < b->a ? -1 : a->a > b->a;
}

typedef struct Ctx {
    Tw w;
    uint32_t *tspan_first; /* ntasks + 1 offsets into tspan */
    uint32_t *tspan;       /* span ids of every task, in order */
    uint32_t *blocked;     /* ids of BLOCKED spans, in order */
    uint32_t nblocked;
    Mark *marks;
    uint32_t nmarks;
    uint32_t *mark_first;  /* ntasks + 1 offsets into marks */
    StepReader *rd;        /* the loop track's steps */
} Ctx;

/* The span of `task` that contains step `step`, or SIM_NONE. */
static uint32_t span_at(const Ctx *c, uint32_t task, uint32_t step)
{
    const Recording *r = c->w.r;
    uint32_t lo = c->tspan_first[task], hi = c->tspan_first[task + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const SpanRec *sp = &r->spans[c->tspan[mid]];
        if (step < sp->s0)
            hi = mid;
        else if (step >= sp->s1)
            lo = mid + 1;
        else
            return c->tspan[mid];
    }
    return SIM_NONE;
}

/* The first RUNNING span of `task` that opens after step `step`. */
static uint32_t running_after(const Ctx *c, uint32_t task, uint32_t step)
{
    const Recording *r = c->w.r;
    uint32_t lo = c->tspan_first[task], hi = c->tspan_first[task + 1], end = hi;
    while (lo < hi) { /* the first span that opens after `step` */
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->spans[c->tspan[mid]].s0 > step)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (uint32_t k = lo; k < end; k++)
        if (r->spans[c->tspan[k]].state == SPAN_RUNNING)
            return c->tspan[k];
    return SIM_NONE;
}

static bool add_mark(Ctx *c, uint32_t *cap, Mark m)
{
    if (c->nmarks == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 256;
        Mark *nm = mem_realloc(c->marks, (size_t)ncap * sizeof *nm);
        if (!nm)
            return false;
        c->marks = nm;
        *cap = ncap;
    }
    c->marks[c->nmarks++] = m;
    return true;
}

/* Buckets spans by task, lists blocked spans, and gathers the marks. */
static bool index_run(Ctx *c)
{
    const Recording *r = c->w.r;
    uint32_t nt = r->ntasks;
    c->tspan_first = mem_calloc((size_t)nt + 2, sizeof *c->tspan_first);
    c->mark_first = mem_calloc((size_t)nt + 2, sizeof *c->mark_first);
    c->tspan = mem_malloc(((size_t)r->nspans + 1) * sizeof *c->tspan);
    c->blocked = mem_malloc(((size_t)r->nspans + 1) * sizeof *c->blocked);
    if (!c->tspan_first || !c->mark_first || !c->tspan || !c->blocked)
        return false;
    for (uint32_t i = 0; i < r->nspans; i++) {
        const SpanRec *sp = &r->spans[i];
        if (sp->state == SPAN_BLOCKED)
            c->blocked[c->nblocked++] = i;
        else if (sp->task < nt)
            c->tspan_first[sp->task + 1]++;
    }
    for (uint32_t t = 0; t < nt; t++)
        c->tspan_first[t + 1] += c->tspan_first[t];
    {
        uint32_t *fill = mem_malloc(((size_t)nt + 1) * sizeof *fill);
        if (!fill)
            return false;
        memcpy(fill, c->tspan_first, ((size_t)nt + 1) * sizeof *fill);
        for (uint32_t i = 0; i < r->nspans; i++) {
            const SpanRec *sp = &r->spans[i];
            if (sp->state != SPAN_BLOCKED && sp->task < nt)
                c->tspan[fill[sp->task]++] = i;
        }
        mem_free(fill);
    }

    uint32_t cap = 0;
    for (uint32_t i = 0; i < r->nlines; i++)
        if (r->lines[i].task < nt && !add_mark(c, &cap, (Mark){r->lines[i].task, r->lines[i].step, i, MK_PRINT}))
            return false;
    for (uint32_t i = 0; i < c->nblocked; i++) {
        Span sp_ = rec_span(r, c->blocked[i]);
        const Span *sp = &sp_;
        if (sp->task < nt && sp->t1 > sp->t0 && sp->s0 > 0 &&
            !add_mark(c, &cap, (Mark){sp->task, sp->s0 - 1, c->blocked[i], MK_BLOCK}))
            return false;
    }
    for (uint32_t t = 0; t < nt; t++)
        if (r->tasks[t].ended < r->nsteps && !add_mark(c, &cap, (Mark){t, r->tasks[t].ended, 0, MK_END}))
            return false;
    for (uint32_t i = 0; i < r->nlogs; i++) /* asyncio's log messages, on the task they name */
        if (r->logs[i].task < nt && !add_mark(c, &cap, (Mark){r->logs[i].task, r->logs[i].step, i, MK_LOG}))
            return false;
    /* timer flows: REGISTER of a timer handle -> the resume after its pick */
    uint32_t flow = 0;
    StepReader *rd = mem_malloc(2 * sizeof *rd); /* the REGISTERs, and the PICKs */
    if (!rd)
        return false;
    rec_reader_init(&rd[0], r);
    rec_reader_init(&rd[1], r);
    for (uint32_t i = 0; i < r->nsteps; i++) {
        const Step *st = rec_read(&rd[0], i);
        if (st->kind != STEP_REGISTER || st->handle >= r->nhandles || st->task >= nt)
            continue;
        const HandleInfo *h = &r->handles[st->handle];
        if (!h->timer || h->picked >= r->nsteps || rec_read(&rd[1], h->picked)->kind != STEP_PICK)
            continue;
        uint32_t src = span_at(c, st->task, i);
        uint32_t dst = running_after(c, st->task, h->picked);
        if (src == SIM_NONE || dst == SIM_NONE)
            continue;
        flow++;
        if (!add_mark(c, &cap, (Mark){st->task, i, flow, MK_FLOW_S}) ||
            !add_mark(c, &cap, (Mark){st->task, r->spans[dst].s0, flow, MK_FLOW_F})) {
            mem_free(rd);
            return false;
        }
    }
    mem_free(rd);
    if (c->nmarks > 1)
        qsort(c->marks, c->nmarks, sizeof *c->marks, mark_cmp);
    for (uint32_t i = 0; i < c->nmarks; i++)
        c->mark_first[c->marks[i].task + 1]++;
    for (uint32_t t = 0; t < nt; t++)
        c->mark_first[t + 1] += c->mark_first[t];
    return true;
}

/* ---- the event loop's track --------------------------------------------------- */

/* Steps that belong to the callback a PICK started. */
static bool in_callback(uint8_t kind)
{
    switch ((StepKind)kind) {
    case STEP_EXEC:
    case STEP_CALLBACK:
    case STEP_REGISTER:
    case STEP_SUSPEND:
    case STEP_RESOLVE:
    case STEP_TASK_END:
        return true;
    default:
        return false;
    }
}

/* A stage marker when step i starts a new stage. */
static void stage_marker(Ctx *c, uint32_t i)
{
    const Recording *r = c->w.r;
    Step cur = *rec_read(c->rd, i);
    const Step *st = &cur;
    if (i > 0 && rec_read(c->rd, i - 1)->stage == st->stage)
        return;
    char name[128], what[600];
    Buf args = {0};
    namef(name, sizeof name, "stage %u: %s", st->stage, stage_name(st->stage));
    sim_describe(r, c->w.p, st, what, sizeof what);
    utf8_trim(what);
    obuf_printf(&args, "\"step\":%u,\"iter\":%u,\"what\":", i, st->iter);
    put_jstr(&args, what);
    if (args.oom)
        c->w.b.oom = true;
    else
        instant(&c->w, LOOP_TID, "stage", name, st->t, args.p);
    mem_free(args.p);
}

static void blocked_slice(Ctx *c, uint32_t id)
{
    const Recording *r = c->w.r;
    Span sp_ = rec_span(r, id);
    const Span *sp = &sp_;
    if (sp->t1 <= sp->t0)
        return;
    char d[48], name[256];
    secs(sp->t1 - sp->t0, d, sizeof d);
    namef(name, sizeof name, "loop blocked: %s runs time.sleep(%s)", task_name(r, sp->task), d);
    slice_open(&c->w, LOOP_TID, "blocked", name, sp->t0, sp->t1);
}

static void loop_track(Ctx *c)
{
    const Recording *r = c->w.r;
    uint32_t bi = 0;
    for (uint32_t i = 0; i < r->nsteps;) {
        Step cur = *rec_read(c->rd, i);
        const Step *st = &cur;
        while (bi < c->nblocked && r->spans[c->blocked[bi]].s0 <= i)
            blocked_slice(c, c->blocked[bi++]); /* outside any callback: not expected */
        if (st->kind == STEP_PICK) {
            uint32_t j = i + 1;
            VTime end = st->t;
            while (j < r->nsteps && in_callback(rec_read(c->rd, j)->kind)) {
                if (rec_read(c->rd, j)->t > end)
                    end = rec_read(c->rd, j)->t;
                j++;
            }
            uint32_t bj = bi;
            while (bj < c->nblocked && r->spans[c->blocked[bj]].s0 <= j) {
                VTime t1 = rec_span(r, c->blocked[bj]).t1;
                if (t1 > end)
                    end = t1;
                bj++;
            }
            char what[400], name[420];
            sim_describe_handle(r, c->w.p, st->handle, what, sizeof what);
            namef(name, sizeof name, "run: %s", what);
            slice_open(&c->w, LOOP_TID, "callback", name, st->t, end);
            for (; bi < bj; bi++)
                blocked_slice(c, c->blocked[bi]);
            for (uint32_t k = i; k < j; k++)
                stage_marker(c, k);
            slice_close(&c->w, LOOP_TID, "callback", name, st->t, end);
            i = j;
            continue;
        }
        stage_marker(c, i);
        if (st->kind == STEP_POLL && st->t2 > st->t)
            slice_open(&c->w, LOOP_TID, "select", "select(): idle until the next timer", st->t, st->t2);
        i++;
    }
    while (bi < c->nblocked)
        blocked_slice(c, c->blocked[bi++]);
}

/* ---- a task's track ------------------------------------------------------------ */

static bool is_flow(const Mark *m) { return m->kind == MK_FLOW_F || m->kind == MK_FLOW_S; }

/* Writes one mark. `in` is the span it is inside (NULL: none). */
static void emit_mark(Ctx *c, const Mark *m, const Span *in)
{
    const Recording *r = c->w.r;
    uint32_t tid = TASK_TID(m->task);
    Tw *w = &c->w;
    switch (m->kind) {
    case MK_FLOW_S:
    case MK_FLOW_F:
        if (!in)
            return; /* a flow end must sit in a slice */
        ev(w, m->kind == MK_FLOW_S ? "s" : "f", tid, true, in->t0);
        ev_name(w, "timer", "timer");
        obuf_printf(&w->b, ",\"id\":%u%s}", m->a, m->kind == MK_FLOW_F ? ",\"bp\":\"e\"" : "");
        break;
    case MK_BLOCK: {
        Span sp_ = rec_span(r, m->a);
        const Span *sp = &sp_;
        /* only inside the running slice that blocked (it covers it) */
        if (!in || in->t1 <= in->t0 || sp->t0 < in->t0 || sp->t1 > in->t1)
            return;
        char name[96];
        exp_chrome_span_words(r, c->w.p, sp, name, sizeof name);
        slice_open(w, tid, "blocked", name, sp->t0, sp->t1);
        break;
    }
    case MK_PRINT: {
        const ConsoleLine *ln = &r->lines[m->a];
        const char *text = rec_text(r, ln->text);
        char args[48];
        snprintf(args, sizeof args, "\"step\":%u", ln->step);
        if (strcmp(text, "Profile") == 0 || strcmp(text, "ProfileChunk") == 0 ||
            strcmp(text, "CpuProfile") == 0) {
            /* speedscope's DevTools sniffing keys on these exact names */
            char name[32], args2[96];
            namef(name, sizeof name, "print: %s", text);
            snprintf(args2, sizeof args2, "%s,\"text\":\"%s\"", args, text);
            instant(w, tid, "print", name, rec_line_time(r, m->a), args2);
        } else
            instant(w, tid, "print", text, rec_line_time(r, m->a), args);
        break;
    }
    case MK_LOG: {
        const ConsoleLine *ln = &r->logs[m->a];
        const char *text = rec_text(r, ln->text);
        char head[96];
        size_t hn = strcspn(text, "\n");
        snprintf(head, sizeof head, "%.*s", (int)(hn < sizeof head ? hn : sizeof head - 1), text);
        Buf args = {0};
        obuf_printf(&args, "\"step\":%u,\"message\":", ln->step);
        put_jstr(&args, text);
        if (args.oom)
            c->w.b.oom = true;
        else
            instant(w, tid, "stderr", head, rec_step_time(r, ln->step), args.p);
        mem_free(args.p);
        break;
    }
    case MK_END: {
        const TaskInfo *ti = &r->tasks[m->task];
        const char *what = ti->end == TASK_END_RESULT ? "done"
                           : ti->end == TASK_END_CANCELLED ? "cancelled"
                           : ti->end == TASK_END_RAISED ? "failed" : "ended";
        char args[48];
        snprintf(args, sizeof args, "\"step\":%u", ti->ended);
        instant(w, tid, "lifecycle", what, rec_step_time(r, ti->ended), args);
        break;
    }
    default:
        break;
    }
}

static void task_track(Ctx *c, uint32_t t)
{
    const Recording *r = c->w.r;
    const Program *p = c->w.p;
    const TaskInfo *ti = &r->tasks[t];
    uint32_t tid = TASK_TID(t);
    if (ti->created < r->nsteps) {
        Buf args = {0};
        obuf_printf(&args, "\"step\":%u,\"coroutine\":", ti->created);
        put_jstr(&args, ti->coro < p->ncoros ? prog_s(p, p->coros[ti->coro].name) : "(asyncio internals)");
        obuf_puts(&args, ",\"created_by\":");
        put_jstr(&args, ti->parent < r->ntasks ? task_name(r, ti->parent) : "asyncio.run");
        if (args.oom)
            c->w.b.oom = true;
        else
            instant(&c->w, tid, "lifecycle", "created", rec_step_time(r, ti->created), args.p);
        mem_free(args.p);
    }
    uint32_t m = c->mark_first[t], mend = c->mark_first[t + 1];
    char name[512];
    for (uint32_t k = c->tspan_first[t]; k < c->tspan_first[t + 1]; k++) {
        Span sp_ = rec_span(r, c->tspan[k]);
        const Span *sp = &sp_;
        for (; m < mend && c->marks[m].step < sp->s0; m++)
            emit_mark(c, &c->marks[m], NULL);
        uint32_t mj = m;
        while (mj < mend && c->marks[mj].step < sp->s1)
            mj++;
        exp_chrome_span_words(r, p, sp, name, sizeof name);
        slice_open(&c->w, tid, "task", name, sp->t0, sp->t1);
        for (uint32_t q = m; q < mj; q++) /* flows first: they bind at the slice's start */
            if (is_flow(&c->marks[q]))
                emit_mark(c, &c->marks[q], sp);
        for (uint32_t q = m; q < mj; q++)
            if (!is_flow(&c->marks[q]))
                emit_mark(c, &c->marks[q], sp);
        slice_close(&c->w, tid, "task", name, sp->t0, sp->t1);
        m = mj;
    }
    for (; m < mend; m++)
        emit_mark(c, &c->marks[m], NULL);
}

/* ---- the file ------------------------------------------------------------------- */

static const char *outcome_word(SimOutcome o)
{
    switch (o) {
    case SIM_DONE: return "done";
    case SIM_RAISED: return "raised";
    case SIM_DEADLOCK: return "deadlock";
    case SIM_LIMIT: return "limit";
    case SIM_NOMEM: return "out of memory";
    default: return "running";
    }
}

char *exp_chrome_string(const Sim *s, size_t *len)
{
    Ctx c;
    memset(&c, 0, sizeof c);
    c.w.r = sim_recording(s);
    c.w.p = sim_program(s);
    const Recording *r = c.w.r;
    const Program *p = c.w.p;
    char *result = NULL;
    c.rd = mem_malloc(sizeof *c.rd);
    if (!c.rd || !index_run(&c))
        goto done;
    rec_reader_init(c.rd, r);
    const char *title = p->title != PROG_NONE ? prog_s(p, p->title) : "";
    if (!title[0])
        title = "loopscope scenario";
    Buf *b = &c.w.b;
    obuf_puts(b, "{\"traceEvents\":[");
    /* first event: no "cat" (speedscope's DevTools-profile sniffing needs one) */
    meta(&c.w, LOOP_TID, "process_name", "name", title, 0);
    meta(&c.w, LOOP_TID, "thread_name", "name", "event loop", 0);
    meta(&c.w, LOOP_TID, "thread_sort_index", "sort_index", NULL, (long)LOOP_TID);
    for (uint32_t t = 0; t < r->ntasks; t++) {
        meta(&c.w, TASK_TID(t), "thread_name", "name", task_name(r, t), 0);
        meta(&c.w, TASK_TID(t), "thread_sort_index", "sort_index", NULL, (long)TASK_TID(t));
    }
    loop_track(&c);
    for (uint32_t t = 0; t < r->ntasks; t++)
        task_track(&c, t);
    obuf_puts(b, "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"generator\":\"loopscope\",\"scenario\":");
    put_jstr(b, title);
    obuf_puts(b, ",\"time\":\"virtual: ts and dur are microseconds of the simulated clock\",\"outcome\":");
    put_jstr(b, outcome_word(r->outcome));
    if (r->error_text != SIM_NONE) {
        obuf_puts(b, ",\"error\":");
        put_jstr(b, rec_text(r, r->error_text));
    }
    obuf_printf(b, ",\"steps\":%u,\"iterations\":%u,\"tasks\":%u,\"end_us\":", r->nsteps, r->niters, r->ntasks);
    put_us(b, r->end_time);
    obuf_puts(b, "}}\n");
    if (!b->oom) {
        result = b->p;
        b->p = NULL;
        if (len)
            *len = b->n;
    }
done:
    mem_free(c.w.b.p);
    mem_free(c.tspan_first);
    mem_free(c.mark_first);
    mem_free(c.tspan);
    mem_free(c.blocked);
    mem_free(c.marks);
    mem_free(c.rd);
    return result;
}

int exp_chrome_write(const Sim *s, const char *path, const char *scenario_path, char *err, size_t errn)
{
    size_t n = 0;
    char *text = exp_chrome_string(s, &n);
    int rc = out_save(path, scenario_path, text, n, err, errn);
    mem_free(text);
    return rc;
}
