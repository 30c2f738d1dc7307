/* model.c -- regrouping a finished Recording for drawing: lanes, totals, axis.
 *
 * Built once per loaded scenario (O(steps + spans log spans)); every query
 * afterwards is a binary search or an array read, so a frame's cost depends
 * on what is on screen, not on the length of the run.
 *
 * Per-task totals: each lane span adds its duration to its state; the part
 * of a READY or WAITING span that overlaps a loop-blocked span counts as
 * BLOCKED instead. Iterations are counted once per state: a task that stays
 * waiting across iterations 3..7 counts 5 waiting iterations.
 *
 * Covers (model_lane_cover): running and ready steps and time summed over
 * the lane spans, kept at every 16th span, so the timeline reads what any
 * pixel column held from two lookups and at most 30 spans.
 *
 * Depends on: model.h.  Used by: app.c, panels, tests.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

void model_free(UiModel *m)
{
    free(m->lane_first);
    free(m->lane_spans);
    free(m->cover);
    free(m->blocked);
    free(m->line_first);
    free(m->line_idx);
    free(m->con_ent);
    free(m->con_row);
    free(m->totals);
    free(m->iter_step);
    free(m->iter_pick);
    free(m->picks);
    free(m->pick_end);
    free(m->src);
    free(m->src_line);
    free(m->stmt_line);
    memset(m, 0, sizeof *m);
}

static int cmp_span_s0(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    if (x->s0 != y->s0)
        return x->s0 < y->s0 ? -1 : 1;
    return 0;
}

VTime model_time_at(const UiModel *m, uint32_t k)
{
    const Recording *r = m->rec;
    if (!r || r->nsteps == 0)
        return 0;
    if (k < r->nsteps)
        return rec_step_time(r, k);
    return m->t_end;
}

uint32_t model_iter_start(const UiModel *m, uint32_t iter)
{
    if (!m->iter_step)
        return 0;
    if (iter > m->niters + 1)
        iter = m->niters + 1;
    return m->iter_step[iter];
}

/* What build_totals needs about the loop-blocked spans, so that each
 * question is a binary search, not a walk over every blocked span (20,000
 * tasks that each block once took 4 s to open, 100,000 would take minutes):
 * their durations summed in order, and each task's own blocked spans. */
typedef struct BlockIndex {
    VTime *pre;          /* nblocked + 1: blocked time before span i */
    bool mono;           /* t0 and t1 never go back (one freeze after another) */
    uint32_t *own_first; /* ntasks + 1 offsets into own */
    uint32_t *own;       /* blocked span indices, by the task that blocked */
} BlockIndex;

static VTime clip_overlap(const Span *b, VTime t0, VTime t1)
{
    VTime a0 = b->t0 > t0 ? b->t0 : t0;
    VTime a1 = b->t1 < t1 ? b->t1 : t1;
    return a1 > a0 ? a1 - a0 : 0;
}

/* Blocked time overlapping [t0, t1). */
static VTime blocked_overlap(const UiModel *m, const BlockIndex *bx, VTime t0, VTime t1)
{
    uint32_t n = m->nblocked;
    if (!bx->mono) {
        VTime sum = 0;
        for (uint32_t i = 0; i < n; i++)
            sum += clip_overlap(&m->blocked[i], t0, t1);
        return sum;
    }
    uint32_t i = 0, hi = n; /* the first block ending after t0 */
    while (i < hi) {
        uint32_t mid = i + (hi - i) / 2;
        if (m->blocked[mid].t1 <= t0)
            i = mid + 1;
        else
            hi = mid;
    }
    uint32_t j = i; /* the first block starting at or after t1 */
    hi = n;
    while (j < hi) {
        uint32_t mid = j + (hi - j) / 2;
        if (m->blocked[mid].t0 < t1)
            j = mid + 1;
        else
            hi = mid;
    }
    if (i >= j)
        return 0;
    VTime sum = clip_overlap(&m->blocked[i], t0, t1);
    if (j - 1 > i)
        sum += clip_overlap(&m->blocked[j - 1], t0, t1);
    if (j - 1 > i + 1) /* the ones between lie inside */
        sum += bx->pre[j - 1] - bx->pre[i + 1];
    return sum;
}

/* The first blocked span with s0 >= k (nblocked when none). */
static uint32_t blocked_from(const UiModel *m, uint32_t k)
{
    uint32_t lo = 0, hi = m->nblocked;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->blocked[mid].s0 < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void block_index_free(BlockIndex *bx)
{
    free(bx->pre);
    free(bx->own_first);
    free(bx->own);
}

static bool block_index(const UiModel *m, BlockIndex *bx)
{
    uint32_t n = m->nblocked;
    bx->pre = malloc(((size_t)n + 1) * sizeof *bx->pre);
    bx->own_first = calloc((size_t)m->ntasks + 1, sizeof *bx->own_first);
    bx->own = malloc((n ? n : 1) * sizeof *bx->own);
    if (!bx->pre || !bx->own_first || !bx->own) {
        block_index_free(bx);
        return false;
    }
    bx->mono = true;
    bx->pre[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        const Span *b = &m->blocked[i];
        bx->pre[i + 1] = bx->pre[i] + (b->t1 > b->t0 ? b->t1 - b->t0 : 0);
        if (i && (b->t0 < m->blocked[i - 1].t1 || b->t1 < b->t0))
            bx->mono = false;
        if (b->task < m->ntasks)
            bx->own_first[b->task + 1]++;
    }
    for (uint32_t t = 0; t < m->ntasks; t++)
        bx->own_first[t + 1] += bx->own_first[t];
    uint32_t *fill = calloc(m->ntasks ? m->ntasks : 1, sizeof *fill);
    if (!fill) {
        block_index_free(bx);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = m->blocked[i].task;
        if (t < m->ntasks)
            bx->own[bx->own_first[t] + fill[t]++] = i;
    }
    free(fill);
    return true;
}

static bool ends_callback(uint8_t kind)
{
    return kind == STEP_ITER_END || kind == STEP_SKIP || kind == STEP_TASK_END ||
           kind == STEP_SUSPEND || kind == STEP_POLL || kind == STEP_TIMER_DUE;
}

uint32_t model_running_pick(const UiModel *m, uint32_t k)
{
    uint32_t lo = 0, hi = m->npicks;
    while (lo < hi) { /* the first pick after k */
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->picks[mid] <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return SIM_NONE;
    return m->pick_end[lo - 1] > k ? m->picks[lo - 1] : SIM_NONE;
}

uint32_t model_iter_first_pick(const UiModel *m, uint32_t iter)
{
    if (!m->iter_pick || iter > m->niters + 1)
        return SIM_NONE;
    return m->iter_pick[iter];
}

/* The last iteration that starts at or before k. */
uint32_t model_iter_of(const UiModel *m, uint32_t k)
{
    if (!m->iter_step)
        return 0;
    uint32_t lo = 0, hi = m->niters + 1;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->iter_step[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool build_totals(UiModel *m)
{
    const Recording *r = m->rec;
    BlockIndex bx;
    memset(&bx, 0, sizeof bx);
    if (m->nblocked && !block_index(m, &bx))
        return false;
    for (uint32_t t = 0; t < m->ntasks; t++) {
        TaskTotals *tt = &m->totals[t];
        int64_t last[4] = {-1, -1, -1, -1};
        uint32_t n = 0;
        const LaneSpan *sp = model_lane(m, t, &n);
        for (uint32_t i = 0; i < n; i++) {
            const LaneSpan *s = &sp[i];
            int st = s->state < 3 ? s->state : SPAN_WAITING;
            VTime t0 = model_time_at(m, s->s0), t1 = model_time_at(m, s->s1);
            VTime d = t1 - t0;
            if (d < 0)
                d = 0;
            if (st != SPAN_RUNNING && m->nblocked) {
                VTime b = blocked_overlap(m, &bx, t0, t1);
                tt->t[SPAN_BLOCKED] += b;
                d -= b;
            }
            tt->t[st] += d;
            if (r->nsteps == 0 || s->s1 <= s->s0)
                continue;
            uint32_t a = s->s0 < r->nsteps ? s->s0 : r->nsteps - 1;
            uint32_t z = s->s1 - 1 < r->nsteps ? s->s1 - 1 : r->nsteps - 1;
            int64_t lo = model_iter_of(m, a), hi = model_iter_of(m, z);
            if (lo <= last[st])
                lo = last[st] + 1;
            if (hi >= lo)
                tt->iters[st] += (uint32_t)(hi - lo + 1);
            if (hi > last[st])
                last[st] = hi;
        }
        /* loop-blocked iterations: blocked spans inside the task's life
         * caused by another task */
        const TaskInfo *ti = &r->tasks[t];
        uint32_t end = ti->ended == SIM_NONE ? r->nsteps : ti->ended;
        if (!m->nblocked || end <= ti->created)
            continue;
        uint32_t k = blocked_from(m, end) - blocked_from(m, ti->created); /* end > created */
        for (uint32_t i = bx.own_first[t]; i < bx.own_first[t + 1]; i++) {
            const Span *b = &m->blocked[bx.own[i]];
            if (b->s0 >= ti->created && b->s0 < end)
                k--;
        }
        tt->iters[SPAN_BLOCKED] += k;
    }
    block_index_free(&bx);
    return true;
}

static bool build_source(UiModel *m, const char *src, const uint32_t *stmt_line)
{
    if (src) {
        size_t n = strlen(src);
        m->src = malloc(n + 1);
        if (!m->src)
            return false;
        memcpy(m->src, src, n + 1);
        uint32_t lines = 1;
        for (size_t i = 0; i < n; i++)
            if (src[i] == '\n' && i + 1 < n)
                lines++;
        m->src_line = malloc(sizeof *m->src_line * lines);
        if (!m->src_line)
            return false;
        uint32_t k = 0;
        m->src_line[k++] = 0;
        for (size_t i = 0; i < n; i++)
            if (m->src[i] == '\n') {
                m->src[i] = '\0'; /* each line becomes its own string */
                if (i + 1 < n && k < lines)
                    m->src_line[k++] = (uint32_t)(i + 1);
            }
        m->nsrc_lines = k;
    }
    if (stmt_line && m->prog && m->prog->nstmts) {
        m->nstmt = m->prog->nstmts;
        m->stmt_line = malloc(sizeof *m->stmt_line * m->nstmt);
        if (!m->stmt_line)
            return false;
        memcpy(m->stmt_line, stmt_line, sizeof *m->stmt_line * m->nstmt);
    }
    return true;
}

/* Adds span q to c: its steps and time when it ran or was ready. */
static void cover_add(const UiModel *m, const LaneSpan *q, LaneCover *c)
{
    if (q->state != SPAN_RUNNING && q->state != SPAN_READY)
        return;
    c->steps[q->state] += q->s1 - q->s0;
    c->t[q->state] += model_time_at(m, q->s1) - model_time_at(m, q->s0);
}

/* The covers of every LANE_COVER_EVERY-th lane span: what a pixel column
 * of the timeline held, in O(1) however many spans fell in it. */
static bool build_cover(UiModel *m)
{
    uint32_t n = m->lane_first[m->ntasks];
    m->cover = malloc(sizeof *m->cover * ((size_t)n / LANE_COVER_EVERY + 1));
    if (!m->cover)
        return false;
    LaneCover c;
    memset(&c, 0, sizeof c);
    for (uint32_t i = 0; i < n; i++) {
        if (i % LANE_COVER_EVERY == 0)
            m->cover[i / LANE_COVER_EVERY] = c;
        cover_add(m, &m->lane_spans[i], &c);
    }
    if (n % LANE_COVER_EVERY == 0)
        m->cover[n / LANE_COVER_EVERY] = c;
    return true;
}

bool model_build(UiModel *m, const Recording *r, const Program *p, const char *src,
                 const uint32_t *stmt_line, const Sim *at_end)
{
    memset(m, 0, sizeof *m);
    m->rec = r;
    m->prog = p;
    m->ntasks = r->ntasks;
    m->t_end = r->nsteps ? rec_step_time(r, r->nsteps - 1) : 0;
    if (r->end_time > m->t_end)
        m->t_end = r->end_time;

    /* spans: lanes and loop-blocked. The Recording has spans in closing
     * order; a task's spans tile its life, so they close in the order they
     * start: a counting sort by task keeps each lane sorted by s0. */
    m->lane_first = calloc((size_t)m->ntasks + 1, sizeof *m->lane_first);
    m->line_first = calloc((size_t)m->ntasks + 1, sizeof *m->line_first);
    m->line_idx = malloc(sizeof *m->line_idx * (r->nlines ? r->nlines : 1));
    m->totals = calloc(m->ntasks ? m->ntasks : 1, sizeof *m->totals);
    uint32_t *last = malloc((m->ntasks ? m->ntasks : 1) * sizeof *last); /* a task's last span */
    if (!m->lane_first || !m->line_first || !m->line_idx || !m->totals || !last) {
        free(last);
        goto fail;
    }
    uint32_t nlane = 0;
    for (uint32_t t = 0; t < m->ntasks; t++)
        last[t] = UINT32_MAX;
    for (uint32_t i = 0; i < r->nspans; i++) {
        const SpanRec *q = &r->spans[i];
        if (q->state == SPAN_BLOCKED) {
            m->nblocked++;
        } else if (q->task < r->ntasks) {
            nlane++;
            m->lane_first[q->task + 1]++;
            if (last[q->task] == UINT32_MAX || q->s1 > r->spans[last[q->task]].s1)
                last[q->task] = i;
        }
    }
    /* A run that stops with tasks still pending (deadlock, limit) closes
     * their spans at its final step (finish in sim.c): carry each on to the
     * end with the state the Sim reports there. A span in that same state
     * is extended, so "waiting since" stays when the wait began (it used to
     * say the final step). end[t]: 0 nothing, 1 its last span is extended,
     * 2 a span is added (end_span[t]). */
    uint8_t *end = NULL;
    LaneSpan *end_span = NULL;
    if (at_end && r->nsteps) {
        end = calloc(m->ntasks ? m->ntasks : 1, 1);
        end_span = malloc((m->ntasks ? m->ntasks : 1) * sizeof *end_span);
        if (!end || !end_span) {
            free(end);
            free(end_span);
            free(last);
            goto fail;
        }
        for (uint32_t t = 0; t < m->ntasks; t++) {
            const SpanRec *prev = last[t] != UINT32_MAX ? &r->spans[last[t]] : NULL;
            uint32_t s0 = prev ? prev->s1 : r->tasks[t].created;
            if (r->tasks[t].ended != SIM_NONE || s0 >= r->nsteps)
                continue;
            TaskNow tn = sim_task_now(at_end, t);
            if (tn.done)
                continue;
            LaneSpan sp;
            sp.state = tn.running ? SPAN_RUNNING
                       : tn.wait == WAIT_READY || tn.wait == WAIT_NONE ? SPAN_READY : SPAN_WAITING;
            sp.wait = (uint8_t)(sp.state == SPAN_WAITING ? tn.wait : WAIT_NONE);
            sp.s0 = s0;
            sp.s1 = r->nsteps + 1; /* covers the final boundary too */
            end_span[t] = sp;
            if (prev && prev->state == sp.state && prev->wait == sp.wait) {
                end[t] = 1;
            } else {
                end[t] = 2;
                nlane++;
                m->lane_first[t + 1]++;
            }
        }
    }
    free(last);
    for (uint32_t t = 0; t < m->ntasks; t++)
        m->lane_first[t + 1] += m->lane_first[t];
    m->lane_spans = malloc(sizeof *m->lane_spans * ((size_t)nlane + 1));
    m->blocked = malloc(sizeof *m->blocked * (m->nblocked ? m->nblocked : 1));
    uint32_t *lane_fill = calloc(m->ntasks ? m->ntasks : 1, sizeof *lane_fill);
    if (!m->lane_spans || !m->blocked || !lane_fill) {
        free(end);
        free(end_span);
        free(lane_fill);
        goto fail;
    }
    uint32_t b = 0;
    for (uint32_t i = 0; i < r->nspans; i++) {
        const SpanRec *q = &r->spans[i];
        if (q->state == SPAN_BLOCKED)
            m->blocked[b++] = rec_span(r, i);
        else if (q->task < r->ntasks)
            m->lane_spans[m->lane_first[q->task] + lane_fill[q->task]++] =
                (LaneSpan){q->s0, q->s1, (uint8_t)q->state, (uint8_t)q->wait};
    }
    for (uint32_t t = 0; end && t < m->ntasks; t++) {
        if (end[t] == 2)
            m->lane_spans[m->lane_first[t] + lane_fill[t]++] = end_span[t];
        else if (end[t] == 1)
            m->lane_spans[m->lane_first[t] + lane_fill[t] - 1].s1 = end_span[t].s1;
    }
    free(end);
    free(end_span);
    free(lane_fill);
    qsort(m->blocked, m->nblocked, sizeof *m->blocked, cmp_span_s0);

    /* console lines per task (lines are in step order already) */
    for (uint32_t i = 0; i < r->nlines; i++)
        if (r->lines[i].task < r->ntasks)
            m->line_first[r->lines[i].task + 1]++;
    for (uint32_t t = 0; t < m->ntasks; t++)
        m->line_first[t + 1] += m->line_first[t];
    {
        uint32_t *fill = calloc(m->ntasks ? m->ntasks : 1, sizeof *fill);
        if (!fill)
            goto fail;
        for (uint32_t i = 0; i < r->nlines; i++) {
            uint32_t t = r->lines[i].task;
            if (t < r->ntasks)
                m->line_idx[m->line_first[t] + fill[t]++] = i;
        }
        free(fill);
    }

    /* iterations */
    /* iterations never go back: the last step has the highest */
    m->niters = r->niters;
    if (r->nsteps && rec_step(r, r->nsteps - 1).iter > m->niters)
        m->niters = rec_step(r, r->nsteps - 1).iter;
    m->iter_step = malloc(sizeof *m->iter_step * ((size_t)m->niters + 2));
    m->iter_pick = malloc(sizeof *m->iter_pick * ((size_t)m->niters + 2));
    if (!m->iter_step || !m->iter_pick)
        goto fail;
    for (uint32_t i = 0; i <= m->niters + 1; i++) {
        m->iter_step[i] = r->nsteps;
        m->iter_pick[i] = SIM_NONE;
    }
    {
        uint32_t npick = 0;
        for (uint32_t h = 0; h < r->nhandles; h++)
            npick += r->handles[h].picked != SIM_NONE;
        m->picks = malloc(sizeof *m->picks * ((size_t)npick + 1));
        m->pick_end = malloc(sizeof *m->pick_end * ((size_t)npick + 1));
        StepReader *rd = malloc(sizeof *rd);
        if (!rd || !m->picks || !m->pick_end) {
            free(rd);
            goto fail;
        }
        rec_reader_init(rd, r);
        for (uint32_t i = 0; i < r->nsteps; i++) {
            const Step *sp = rec_read(rd, i);
            uint32_t it = sp->iter;
            if (it > m->niters)
                continue;
            if (m->iter_step[it] == r->nsteps)
                m->iter_step[it] = i;
            if (sp->kind == STEP_PICK && m->iter_pick[it] == SIM_NONE)
                m->iter_pick[it] = i;
            if (sp->kind == STEP_PICK && m->npicks < npick) {
                m->picks[m->npicks] = i;
                m->pick_end[m->npicks++] = r->nsteps;
            } else if (ends_callback(sp->kind) && m->npicks && m->pick_end[m->npicks - 1] == r->nsteps &&
                       m->picks[m->npicks - 1] < i) {
                m->pick_end[m->npicks - 1] = i;
            }
        }
        free(rd);
    }
    for (uint32_t i = m->niters + 1; i-- > 0;)
        if (m->iter_step[i] > m->iter_step[i + 1])
            m->iter_step[i] = m->iter_step[i + 1];

    m->ncon = r->nlines + r->nlogs;
    m->con_ent = malloc(sizeof *m->con_ent * ((size_t)m->ncon + 1));
    m->con_row = malloc(sizeof *m->con_row * ((size_t)m->ncon + 1));
    if (!m->con_ent || !m->con_row)
        goto fail;
    uint32_t row = 0;
    for (uint32_t e = 0, i = 0, j = 0; e < m->ncon; e++) {
        /* a log is made at a task's end, never at a print's step */
        bool log = rec_log_first(r, i, j);
        m->con_ent[e] = log ? CON_LOG | j : i;
        const char *z = log ? rec_text(r, r->logs[j++].text) : rec_text(r, r->lines[i++].text);
        m->con_row[e] = row++;
        for (; (z = strchr(z, '\n')) != NULL; z++)
            row++;
    }
    m->con_row[m->ncon] = row;

    if (!build_totals(m) || !build_cover(m))
        goto fail;
    if (!build_source(m, src, stmt_line))
        goto fail;
    return true;
fail:
    model_free(m);
    return false;
}

const LaneSpan *model_lane(const UiModel *m, uint32_t t, uint32_t *n)
{
    if (!m->lane_first || t >= m->ntasks) {
        *n = 0;
        return NULL;
    }
    *n = m->lane_first[t + 1] - m->lane_first[t];
    return m->lane_spans + m->lane_first[t];
}

void model_lane_cover(const UiModel *m, uint32_t t, uint32_t i, LaneCover *c)
{
    memset(c, 0, sizeof *c);
    if (!m->cover || t >= m->ntasks)
        return;
    uint32_t g = m->lane_first[t] + i;
    if (g > m->lane_first[t + 1])
        g = m->lane_first[t + 1];
    uint32_t g0 = g - g % LANE_COVER_EVERY;
    *c = m->cover[g0 / LANE_COVER_EVERY];
    /* time moves only at a few steps: when none passed over spans g0..g-1
     * of one lane, their times need not be looked up */
    const LaneSpan *sp = m->lane_spans;
    bool flat = g0 >= m->lane_first[t] && g > g0 &&
                model_time_at(m, sp[g0].s0) == model_time_at(m, sp[g - 1].s1);
    for (uint32_t q = g0; q < g; q++) {
        if (sp[q].state != SPAN_RUNNING && sp[q].state != SPAN_READY)
            continue;
        if (flat)
            c->steps[sp[q].state] += sp[q].s1 - sp[q].s0;
        else
            cover_add(m, &sp[q], c);
    }
}

uint32_t model_lane_past(const LaneSpan *sp, uint32_t n, uint32_t from, uint32_t k)
{
    /* galloping from `from`, then a binary search: the timeline asks for
     * the next pixel column's span, which is close by; a search over the
     * whole lane (half a million spans in a 10-million-step run) missed the
     * cache at every probe */
    uint32_t a = from, b = n, step = 1;
    while (a + step < n && sp[a + step - 1].s1 <= k) {
        a += step;
        step *= 2;
    }
    if (a + step < n)
        b = a + step;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (sp[mid].s1 <= k)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

const LaneSpan *model_span_at(const UiModel *m, uint32_t t, uint32_t k)
{
    uint32_t n = 0;
    const LaneSpan *sp = model_lane(m, t, &n);
    uint32_t i = model_lane_past(sp, n, 0, k);
    if (i < n && sp[i].s0 <= k)
        return &sp[i];
    return NULL;
}

/* A recorded step index, kept inside the run (a line or a log of the final
 * step names it). */
static uint32_t clamp_step(const Recording *r, uint32_t s)
{
    return s < r->nsteps ? s : (r->nsteps ? r->nsteps - 1 : 0);
}

/* The first of n items, in step order, whose step is >= pos. */
static uint32_t first_at_or_after(const UiModel *m, uint32_t n, uint32_t (*step_of)(const UiModel *, uint32_t),
                                  uint32_t pos)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (step_of(m, mid) < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t model_line_step(const UiModel *m, uint32_t i)
{
    const Recording *r = m->rec;
    if (!r || i >= r->nlines)
        return 0;
    /* ConsoleLine.step is the EXEC step of the print statement itself */
    return clamp_step(r, r->lines[i].step);
}

uint32_t model_lines_before(const UiModel *m, uint32_t pos)
{
    return m->rec ? first_at_or_after(m, m->rec->nlines, model_line_step, pos) : 0;
}

uint32_t model_con_step(const UiModel *m, uint32_t e)
{
    const Recording *r = m->rec;
    if (!r || !m->con_ent || e >= m->ncon)
        return 0;
    uint32_t k = m->con_ent[e];
    return (k & CON_LOG) ? clamp_step(r, r->logs[k & ~CON_LOG].step) : model_line_step(m, k);
}

uint32_t model_con_before(const UiModel *m, uint32_t pos)
{
    return first_at_or_after(m, m->ncon, model_con_step, pos);
}

uint32_t model_con_rows(const UiModel *m, uint32_t n)
{
    if (!m->con_row)
        return 0;
    return m->con_row[n < m->ncon ? n : m->ncon];
}

uint32_t model_con_of_row(const UiModel *m, uint32_t row)
{
    if (!m->con_row)
        return 0;
    uint32_t lo = 0, hi = m->ncon;
    while (hi - lo > 1) { /* the last entry starting at or before row */
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->con_row[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- axis ------------------------------------------------------------- */

Axis model_axis(const UiModel *m, AxisMode mode)
{
    Axis a;
    memset(&a, 0, sizeof a);
    const Recording *r = m->rec;
    double n = r ? (double)r->nsteps : 0;
    double tt = (double)m->t_end;
    if (n < 1)
        n = 1;
    a.mode = mode;
    switch (mode) {
    case AXIS_STEPS:
        a.w_step = 1;
        a.w_time = 0;
        break;
    case AXIS_TIME:
        if (tt > 0) {
            a.w_time = 1.0 / tt * n;
            a.w_step = 0.0005; /* keeps u strictly increasing */
        } else {
            a.w_step = 1;
        }
        break;
    default:
        a.w_step = 1;
        a.w_time = tt > 0 ? n / tt : 0;
        break;
    }
    a.u_total = model_axis_u(&a, m, r ? r->nsteps : 0);
    if (a.u_total <= 0)
        a.u_total = 1;
    return a;
}

double model_axis_u_at(const Axis *a, uint32_t k, VTime t)
{
    return a->w_step * (double)k + a->w_time * (double)t;
}

double model_axis_u(const Axis *a, const UiModel *m, uint32_t k)
{
    return model_axis_u_at(a, k, model_time_at(m, k));
}

uint32_t model_axis_boundary_at(const Axis *a, const UiModel *m, double u)
{
    uint32_t n = m->rec ? m->rec->nsteps : 0;
    uint32_t lo = 0, hi = n; /* last k with u(k) <= u */
    if (u <= 0)
        return 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (model_axis_u(a, m, mid) <= u)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}
