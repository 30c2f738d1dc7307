/* record.c -- the Recording: every step, handle, task, span and printed line.
 *
 * A unit of work in the scheduler narrates one or more Steps into the
 * state's narration buffer (rec__step); sim_step then commits them one at a
 * time, so each call of sim_step appends exactly one Step.
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

uint32_t rec__next_index(const Sim *s)
{
    return s->st.nsteps + (s->st.nnarr - s->st.narr_pos);
}

uint32_t rec__step(Sim *s, Stage stage, StepKind kind, uint32_t task, uint32_t handle,
                   uint32_t stmt, uint32_t obj, uint32_t cause, uint8_t aux, VTime t2)
{
    SimState *st = &s->st;
    uint32_t idx = rec__next_index(s);
    if (st->narr_pos == st->nnarr) {
        st->narr_pos = 0;
        st->nnarr = 0;
    }
    if (!GROW(s, st->narr, st->narr_cap, st->nnarr + 1))
        return idx;
    Step *sp = &st->narr[st->nnarr++];
    memset(sp, 0, sizeof *sp);
    sp->t = st->now;
    sp->t2 = t2;
    sp->iter = st->iter;
    sp->stage = (uint8_t)stage;
    sp->kind = (uint8_t)kind;
    sp->aux = aux;
    sp->task = task;
    sp->handle = handle;
    sp->stmt = stmt;
    sp->obj = obj;
    sp->cause = cause;
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
                     uint32_t stmt, bool timer, VTime when)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.nhandles_rec;
    s->st.nhandles_rec++;
    if (id < r->nhandles)
        return id; /* replay: already recorded */
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
    h->when = when;
    return id;
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
    l->t = s->st.now;
    l->text = text;
}

static void push_span(Sim *s, Span sp)
{
    Recording *r = &s->rec;
    uint32_t id = s->st.nspans_rec++;
    if (id < r->nspans)
        return;
    if (!GROW(s, r->spans, r->spans_cap, r->nspans + 1))
        return;
    r->spans[r->nspans++] = sp;
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
    sp.t0 = t->span_t0;
    sp.t1 = s->st.now;
    sp.s0 = t->span_s0;
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
    t->span_t0 = s->st.now;
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
