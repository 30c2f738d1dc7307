/* record.c -- the Recording: every step, handle, task, span and printed line.
 *
 * A unit of work in the scheduler narrates one or more Steps (rec__step),
 * and each is packed into the Recording as it is narrated; sim_step then
 * applies them to the position one by one (SimState.npend), so each call
 * of sim_step moves one Step forward.
 *
 * Handles, tasks, spans, lines and text are appended to the Recording as
 * they happen. When a seek replays an already recorded stretch, the state's
 * counters (SimState.nsteps and the rec_* counters kept in the keyframe) are
 * behind the Recording's lengths: then nothing is appended and the existing
 * ids are reused, because the replay is deterministic.
 *
 * Depends on: core_int.h.  Used by: every core file.
 */
#include <string.h>

#include "core_int.h"

const char *rec_text(const Recording *r, uint32_t id)
{
    if (id == SIM_NONE || id >= r->ntext)
        return "";
    return r->text + id;
}

/* ---- packed steps ----------------------------------------------------------
 *
 * A step is packed as
 *   byte 0   kind (bits 0-3), then H_* bits: the stage is not the kind's
 *            usual one (usual_stage), so a stage byte follows; task is the
 *            block's previous task; cause is the step just before; an aux
 *            byte follows
 *   byte 1   the fields that follow (F_*); a field not there is SIM_NONE, or
 *            for t and iter the previous step's value, for t2 zero
 *   [stage]  [aux]
 *   [ext]    if F_EXT: X_T2 and X_ITER (rare: a timer's deadline, a new
 *            iteration)
 *   then, as LEB128 varints: t (zigzag delta from the previous step), t2
 *   (zigzag delta from t), iter (zigzag delta), task, handle and obj (zigzag
 *   delta from the block's previous task / handle / obj), stmt (as it is),
 *   cause (zigzag, this step's index minus cause: usually a few steps back).
 *
 * F_HANDLE_SAYS: the step's other fields named by derive_mask[kind] are
 * those of its handle (HandleInfo task, stmt, fut, queued or created) and
 * are not stored. A PICK's task, future and cause (the step that queued it)
 * are its handle's, and so are most of a TIMER_DUE's and a CALLBACK's
 * fields: this halves them. The packer sets it only when every named field
 * matches, so any step can still be written. It relies on a handle's task,
 * stmt, fut, queued and created not changing once a step naming the handle
 * is recorded: they are set when the handle is made and queued, before the
 * steps that read them are committed (test_core_step_packing checks every
 * step read back at the end of a run against the step as it was committed).
 *
 * "Previous" restarts at zero at every block of REC_BLOCK steps, so a block
 * unpacks on its own and step i costs at most REC_BLOCK unpackings. A
 * fan-out of 100,000 tasks averages about 6 bytes a step. */

enum { F_T = 1, F_EXT = 2, F_HANDLE_SAYS = 4, F_TASK = 8, F_HANDLE = 16, F_STMT = 32, F_OBJ = 64,
       F_CAUSE = 128 };
enum { X_T2 = 1, X_ITER = 2 };
enum { H_STAGE = 0x10, H_TASK_SAME = 0x20, H_CAUSE_PREV = 0x40, H_AUX = 0x80 };
/* the stage each kind of step belongs to (the comments of StepKind) */
static const uint8_t usual_stage[16] = {
    [STEP_START] = STAGE_INIT, [STEP_POLL] = STAGE_REPEAT, [STEP_TIMER_DUE] = STAGE_RESUME,
    [STEP_PICK] = STAGE_PICK, [STEP_SKIP] = STAGE_PICK, [STEP_EXEC] = STAGE_EXECUTE,
    [STEP_CALLBACK] = STAGE_EXECUTE, [STEP_REGISTER] = STAGE_REGISTER, [STEP_SUSPEND] = STAGE_SUSPEND,
    [STEP_RESOLVE] = STAGE_RESUME, [STEP_TASK_END] = STAGE_SUSPEND, [STEP_ITER_END] = STAGE_REPEAT,
    [STEP_SHUTDOWN] = STAGE_REPEAT, [STEP_FINISH] = STAGE_REPEAT,
};
/* what F_HANDLE_SAYS takes from the handle, by kind */
enum { D_TASK = 1, D_STMT = 2, D_OBJ = 4, D_CAUSE_QUEUED = 8, D_CAUSE_CREATED = 16 };
static const uint8_t derive_mask[16] = {
    [STEP_TIMER_DUE] = D_TASK | D_STMT | D_OBJ | D_CAUSE_CREATED,
    [STEP_PICK] = D_TASK | D_OBJ | D_CAUSE_QUEUED,
    [STEP_SKIP] = D_TASK | D_OBJ | D_CAUSE_QUEUED,
    [STEP_CALLBACK] = D_TASK | D_STMT | D_OBJ,
    [STEP_REGISTER] = D_TASK | D_STMT,
    [STEP_SUSPEND] = D_TASK | D_STMT,
    [STEP_RESOLVE] = D_OBJ,
};
_Static_assert(STEP__COUNT <= 16, "a kind fits in 4 bits");
_Static_assert(WAIT__COUNT <= 16 && sizeof(SpanRec) == 12, "a span's wait kind fits in 4 bits");
#define STEP_MAX_BYTES 64u /* 5 + 2 * 10 + 6 * 5 = 55 */

static uint64_t zz64(uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }
static uint64_t unzz64(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }
static uint32_t zz32(uint32_t d) { return (d << 1) ^ (0u - (d >> 31)); }
static uint32_t unzz32(uint32_t z) { return (z >> 1) ^ (0u - (z & 1)); }

static uint8_t *put_var(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static const uint8_t *get_var(const uint8_t *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned sh = 0;
    while (*p & 0x80) {
        x |= (uint64_t)(*p++ & 0x7f) << sh;
        sh += 7;
    }
    *v = x | (uint64_t)*p++ << sh;
    return p;
}

/* Whether every field derive_mask names for this step is its handle's. */
static bool handle_says(const Step *sp, const Recording *r)
{
    uint8_t m = derive_mask[sp->kind & 0x0f];
    if (!m || sp->handle >= r->nhandles) /* (SIM_NONE too) */
        return false;
    const HandleInfo *h = &r->handles[sp->handle];
    return (!(m & D_TASK) || sp->task == h->task) && (!(m & D_STMT) || sp->stmt == h->stmt) &&
           (!(m & D_OBJ) || sp->obj == h->fut) &&
           (!(m & D_CAUSE_QUEUED) || sp->cause == h->queued) &&
           (!(m & D_CAUSE_CREATED) || sp->cause == h->created);
}

static uint8_t *pack(uint8_t *p, const Step *sp, Step *ctx, uint32_t idx, const Recording *r)
{
    uint8_t *h = p;
    uint8_t f = 0, x = 0, k = sp->kind & 0x0f;
    uint8_t m = handle_says(sp, r) ? derive_mask[k] : 0;
    h[0] = (uint8_t)(k | (sp->aux ? H_AUX : 0));
    p += 2;
    if (sp->stage != usual_stage[k]) {
        h[0] |= H_STAGE;
        *p++ = sp->stage;
    }
    if (sp->aux)
        *p++ = sp->aux;
    if (sp->t2 != 0)
        x |= X_T2;
    if (sp->iter != ctx->iter)
        x |= X_ITER;
    if (x) {
        f |= F_EXT;
        *p++ = x;
    }
    if (m)
        f |= F_HANDLE_SAYS;
    if (sp->t != ctx->t) {
        f |= F_T;
        p = put_var(p, zz64((uint64_t)sp->t - (uint64_t)ctx->t));
    }
    if (x & X_T2)
        p = put_var(p, zz64((uint64_t)sp->t2 - (uint64_t)sp->t));
    if (x & X_ITER)
        p = put_var(p, zz32(sp->iter - ctx->iter));
    if (sp->task != SIM_NONE && !(m & D_TASK) && sp->task == ctx->task) {
        h[0] |= H_TASK_SAME;
    } else if (sp->task != SIM_NONE && !(m & D_TASK)) {
        f |= F_TASK;
        p = put_var(p, zz32(sp->task - ctx->task));
        ctx->task = sp->task;
    }
    if (sp->handle != SIM_NONE) {
        f |= F_HANDLE;
        p = put_var(p, zz32(sp->handle - ctx->handle));
        ctx->handle = sp->handle;
    }
    if (sp->stmt != SIM_NONE && !(m & D_STMT)) {
        f |= F_STMT;
        p = put_var(p, sp->stmt);
    }
    if (sp->obj != SIM_NONE && !(m & D_OBJ)) {
        f |= F_OBJ;
        p = put_var(p, zz32(sp->obj - ctx->obj));
        ctx->obj = sp->obj;
    }
    if (sp->cause != SIM_NONE && !(m & (D_CAUSE_QUEUED | D_CAUSE_CREATED)) && sp->cause == idx - 1) {
        h[0] |= H_CAUSE_PREV;
    } else if (sp->cause != SIM_NONE && !(m & (D_CAUSE_QUEUED | D_CAUSE_CREATED))) {
        f |= F_CAUSE;
        p = put_var(p, zz32(idx - sp->cause));
    }
    h[1] = f;
    ctx->t = sp->t;
    ctx->iter = sp->iter;
    return p;
}

static const uint8_t *unpack(const uint8_t *p, Step *o, Step *ctx, uint32_t idx, const Recording *r)
{
    uint8_t h = p[0], f = p[1], x = 0;
    uint64_t v;
    p += 2;
    o->kind = h & 0x0f;
    o->stage = (h & H_STAGE) ? *p++ : usual_stage[o->kind];
    o->pad = 0;
    o->aux = (h & H_AUX) ? *p++ : 0;
    if (f & F_EXT)
        x = *p++;
    if (f & F_T) {
        p = get_var(p, &v);
        ctx->t = (VTime)((uint64_t)ctx->t + unzz64(v));
    }
    o->t = ctx->t;
    o->t2 = 0;
    if (x & X_T2) {
        p = get_var(p, &v);
        o->t2 = (VTime)((uint64_t)o->t + unzz64(v));
    }
    if (x & X_ITER) {
        p = get_var(p, &v);
        ctx->iter += unzz32((uint32_t)v);
    }
    o->iter = ctx->iter;
    o->task = o->handle = o->stmt = o->obj = o->cause = SIM_NONE;
    if (h & H_TASK_SAME)
        o->task = ctx->task;
    if (h & H_CAUSE_PREV)
        o->cause = idx - 1;
    if (f & F_TASK) {
        p = get_var(p, &v);
        o->task = ctx->task = ctx->task + unzz32((uint32_t)v);
    }
    if (f & F_HANDLE) {
        p = get_var(p, &v);
        o->handle = ctx->handle = ctx->handle + unzz32((uint32_t)v);
    }
    if (f & F_STMT) {
        p = get_var(p, &v);
        o->stmt = (uint32_t)v;
    }
    if (f & F_OBJ) {
        p = get_var(p, &v);
        o->obj = ctx->obj = ctx->obj + unzz32((uint32_t)v);
    }
    if (f & F_CAUSE) {
        p = get_var(p, &v);
        o->cause = idx - unzz32((uint32_t)v);
    }
    if ((f & F_HANDLE_SAYS) && o->handle < r->nhandles) {
        const HandleInfo *hi = &r->handles[o->handle];
        uint8_t m = derive_mask[o->kind];
        if (m & D_TASK)
            o->task = hi->task;
        if (m & D_STMT)
            o->stmt = hi->stmt;
        if (m & D_OBJ)
            o->obj = hi->fut;
        if (m & D_CAUSE_QUEUED)
            o->cause = hi->queued;
        if (m & D_CAUSE_CREATED)
            o->cause = hi->created;
    }
    return p;
}

bool rec__append_step(Sim *s, const Step *sp)
{
    Recording *r = &s->rec;
    uint32_t idx = r->nsteps;
    bool block = idx % REC_BLOCK == 0;
    bool mark = r->ntmarks == 0 || r->tmarks[r->ntmarks - 1].t != sp->t;
    if (r->nsbytes > UINT32_MAX - 2 * STEP_MAX_BYTES) {
        sim__fail_nomem(s);
        return false;
    }
    /* all the room first: a failure leaves the recording as it was */
    if (!GROW(s, r->sbytes, r->sbytes_cap, r->nsbytes + STEP_MAX_BYTES) ||
        (block && !GROW(s, r->sblock, r->sblock_cap, r->nsblock + 1)) ||
        (mark && !GROW(s, r->tmarks, r->tmarks_cap, r->ntmarks + 1)))
        return false;
    if (block) {
        r->sblock[r->nsblock++] = r->nsbytes;
        memset(&r->enc, 0, sizeof r->enc);
    }
    if (mark)
        r->tmarks[r->ntmarks++] = (TimeMark){idx, sp->t};
    r->nsbytes = (uint32_t)(pack(r->sbytes + r->nsbytes, sp, &r->enc, idx, r) - r->sbytes);
    r->nsteps++;
    return true;
}

Step rec_step(const Recording *r, uint32_t i)
{
    Step o, ctx;
    memset(&o, 0, sizeof o);
    if (i >= r->nsteps)
        return o;
    uint32_t b = i / REC_BLOCK;
    const uint8_t *p = r->sbytes + r->sblock[b];
    memset(&ctx, 0, sizeof ctx);
    for (uint32_t k = b * REC_BLOCK; k <= i; k++)
        p = unpack(p, &o, &ctx, k, r);
    return o;
}

VTime rec_step_time(const Recording *r, uint32_t i)
{
    uint32_t lo = 0, hi = r->ntmarks;
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->tmarks[mid].step <= i)
            lo = mid;
        else
            hi = mid;
    }
    return r->tmarks[lo].t;
}

void rec_reader_init(StepReader *rd, const Recording *r)
{
    rd->r = r;
    rd->block = UINT32_MAX;
    rd->n = 0;
}

const Step *rec_read(StepReader *rd, uint32_t i)
{
    const Recording *r = rd->r;
    uint32_t b = i / REC_BLOCK, k = i % REC_BLOCK;
    if (i >= r->nsteps) { /* a caller's bug: an empty step, not a crash */
        memset(&rd->s[0], 0, sizeof rd->s[0]);
        rd->block = UINT32_MAX;
        return &rd->s[0];
    }
    if (rd->block != b || k >= rd->n) { /* (a block still being recorded grows) */
        uint32_t n = r->nsteps - b * REC_BLOCK;
        if (n > REC_BLOCK)
            n = REC_BLOCK;
        const uint8_t *p = r->sbytes + r->sblock[b];
        Step ctx;
        memset(&ctx, 0, sizeof ctx);
        for (uint32_t j = 0; j < n; j++)
            p = unpack(p, &rd->s[j], &ctx, b * REC_BLOCK + j, r);
        rd->block = b;
        rd->n = n;
    }
    return &rd->s[k];
}

uint32_t rec__record(Sim *s, const Step *sp)
{
    SimState *st = &s->st;
    Recording *r = &s->rec;
    uint32_t idx = st->nsteps + st->npend;
    if (s->rec_failed) /* the rest of the unit is dropped (Sim.rec_failed) */
        return idx;
    if (s->on_step)
        s->on_step(s->on_step_ctx, idx, sp);
    if (rec__append_step(s, sp)) {
        st->npend++;
        r->niters = st->iter;
        r->end_time = st->now;
        r->outcome = (SimOutcome)st->outcome;
    } else {
        s->rec_failed = true;
    }
    return idx;
}

uint32_t rec__text(Sim *s, const char *z, size_t n)
{
    Recording *r = &s->rec;
    if (r->ntext + n + 1 > r->text_cap) {
        size_t ncap = r->text_cap ? r->text_cap * 2 : 4096;
        while (ncap < r->ntext + n + 1)
            ncap *= 2;
        char *nb = mem_realloc(r->text, ncap);
        if (!nb) {
            sim__fail_nomem(s);
            return SIM_NONE;
        }
        r->text = nb;
        r->text_cap = ncap;
    }
    uint32_t id = (uint32_t)r->ntext;
    memcpy(r->text + r->ntext, z, n);
    r->text[r->ntext + n] = '\0';
    r->ntext += n + 1;
    return id;
}

uint32_t rec__handle(Sim *s, HandleKind kind, uint32_t task, uint32_t fut, uint32_t other,
                     uint32_t stmt, bool timer)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.nhandles_rec;
    s->st.nhandles_rec++;
    if (id < r->nhandles)
        return id; /* replay: already recorded */
    if (r->nhandles >= READY_SKIP) { /* ids must stay below the ready queue's flag bit */
        sim__fail_nomem(s);
        return SIM_NONE;
    }
    if (!GROW(s, r->handles, r->handles_cap, r->nhandles + 1))
        return SIM_NONE;
    HandleInfo *h = &r->handles[r->nhandles++];
    h->kind = (uint8_t)kind;
    h->timer = timer;
    h->task = task;
    h->fut = fut;
    h->other = other;
    h->stmt = stmt;
    h->created = rec__next_index(s);
    h->queued = SIM_NONE;
    h->picked = SIM_NONE;
    return id;
}

VTime rec_line_time(const Recording *r, uint32_t i)
{
    return i < r->nlines ? rec_step_time(r, r->lines[i].step) : 0;
}

bool rec_log_first(const Recording *r, uint32_t i, uint32_t j)
{
    return j < r->nlogs && (i >= r->nlines || r->logs[j].step < r->lines[i].step);
}

VTime rec_handle_when(const Recording *r, uint32_t h)
{
    if (h >= r->nhandles || !r->handles[h].timer || r->handles[h].created >= r->nsteps)
        return 0; /* not a timer, or a run stopped (a limit) before its REGISTER */
    Step st = rec_step(r, r->handles[h].created);
    return st.kind == STEP_REGISTER ? st.t2 : 0;
}

uint32_t rec__task(Sim *s, uint32_t name_text, uint32_t coro, uint32_t parent, bool internal,
                   uint32_t fut)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.ntasks; /* task ids are the state's task indices */
    if (id < r->ntasks)
        return id;
    if (!GROW(s, r->tasks, r->tasks_cap, r->ntasks + 1))
        return SIM_NONE;
    TaskInfo *t = &r->tasks[r->ntasks++];
    t->name = name_text;
    t->coro = coro;
    t->parent = parent;
    t->created = rec__next_index(s);
    t->ended = SIM_NONE;
    t->end = TASK_END_NONE;
    t->internal = internal;
    t->freed_log = SIM_NONE;
    t->fut = fut;
    return id;
}

void rec__line(Sim *s, uint32_t task, const char *z, size_t n)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.nlines_rec++;
    if (id < r->nlines)
        return;
    uint32_t text = rec__text(s, z, n);
    if (text == SIM_NONE || !GROW(s, r->lines, r->lines_cap, r->nlines + 1))
        return;
    ConsoleLine *l = &r->lines[r->nlines++];
    /* the print's EXEC step was narrated just before (op_print) */
    l->step = rec__next_index(s) - 1;
    l->task = task;
    l->text = text;
}

void rec__log_task(Sim *s, const char *message, const char *key, uint32_t task, uint32_t step, uint32_t exc)
{
    Recording *r = &s->rec;
    if (s->st.nlogs_rec++ < r->nlogs)
        return; /* a replay: already recorded */
    uint32_t coro = task < r->ntasks ? r->tasks[task].coro : SIM_NONE;
    SBuf b = {0};
    sbuf_puts(&b, message);
    sbuf_putc(&b, '\n');
    sbuf_puts(&b, key);
    sbuf_puts(&b, ": <Task finished name=");
    val__repr_cstr(&b, task < r->ntasks ? rec_text(r, r->tasks[task].name) : "?");
    sbuf_puts(&b, " coro=<");
    sbuf_puts(&b, coro != SIM_NONE ? prog_s(s->prog, s->prog->coros[coro].name) : "?");
    sbuf_puts(&b, "() done> exception=");
    Value v = {0};
    v.type = V_EXC;
    v.id = exc;
    val__format(s, &b, v, true);
    sbuf_putc(&b, '>');
    uint32_t text = b.oom ? SIM_NONE : rec__text(s, b.p, b.n);
    mem_free(b.p);
    if (text == SIM_NONE)
        sim__fail_nomem(s);
    else if (GROW(s, r->logs, r->logs_cap, r->nlogs + 1))
        r->logs[r->nlogs++] = (ConsoleLine){step, task, text};
}

static void push_span(Sim *s, Span sp)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.nspans_rec++;
    if (id < r->nspans)
        return;
    if (!GROW(s, r->spans, r->spans_cap, r->nspans + 1))
        return;
    if (sp.state == SPAN_BLOCKED) {
        if (!GROW(s, r->blocks, r->blocks_cap, r->nblocks + 1))
            return;
        r->blocks[r->nblocks++] = (BlockTimes){r->nspans, sp.t0, sp.t1};
    }
    /* the other spans' times are their steps' (rec_span) */
    r->spans[r->nspans++] = (SpanRec){sp.task, sp.state, sp.wait, sp.s0, sp.s1};
}

Span rec_span(const Recording *r, uint32_t i)
{
    Span sp;
    memset(&sp, 0, sizeof sp);
    if (i >= r->nspans)
        return sp;
    const SpanRec *q = &r->spans[i];
    sp.task = q->task;
    sp.state = q->state;
    sp.wait = q->wait;
    sp.s0 = q->s0;
    sp.s1 = q->s1;
    if (q->state == SPAN_BLOCKED) {
        uint32_t lo = 0, hi = r->nblocks;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (r->blocks[mid].span < i)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < r->nblocks && r->blocks[lo].span == i) {
            sp.t0 = r->blocks[lo].t0;
            sp.t1 = r->blocks[lo].t1;
        }
        return sp;
    }
    sp.t0 = q->s0 < r->nsteps ? rec_step_time(r, q->s0) : r->end_time;
    sp.t1 = q->s1 < r->nsteps ? rec_step_time(r, q->s1) : r->end_time;
    return sp;
}

void rec__task_span_close(Sim *s, uint32_t task)
{
    Task *t = &s->st.tasks[task];
    if (t->span_state == 0xff)
        return;
    Span sp = {0};
    sp.task = task;
    sp.state = t->span_state;
    sp.wait = t->span_wait;
    sp.s0 = t->span_s0; /* its times are its steps' (rec_span) */
    sp.s1 = rec__next_index(s);
    t->span_state = 0xff;
    push_span(s, sp);
}

void rec__task_span(Sim *s, uint32_t task, SpanState state, WaitKind wait)
{
    Task *t = &s->st.tasks[task];
    if (t->span_state == state && t->span_wait == wait)
        return;
    rec__task_span_close(s, task);
    t->span_state = (uint8_t)state;
    t->span_wait = (uint8_t)wait;
    t->span_s0 = rec__next_index(s);
}

void rec__block_span(Sim *s, uint32_t task, VTime t0, VTime t1)
{
    Span sp = {0};
    sp.task = task;
    sp.state = SPAN_BLOCKED;
    sp.t0 = t0;
    sp.t1 = t1;
    sp.s0 = rec__next_index(s);
    sp.s1 = sp.s0 + 1;
    push_span(s, sp);
}
