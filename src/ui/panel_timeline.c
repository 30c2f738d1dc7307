/* panel_timeline.c -- one lane per task over the run, zoomable, seekable.
 *
 * x is the model's axis u (model.h): by default time and steps together, so
 * a 1 s sleep is long and a zero-duration step still has width; T cycles to
 * time-only and steps-only. The whole recorded run is drawn, the part after
 * the cursor veiled. Each lane shows the task's four states: running (full
 * height, green), ready but not picked (amber, 3/4 height), waiting (by kind,
 * half height, labelled when wide enough); a blocking call freezes the loop,
 * drawn as a red striped band across every lane. Marks: created, done,
 * cancelled, failed, prints.
 *
 * Speed: only the lanes on screen are drawn (virtualized), and within a
 * lane the spans are walked pixel column by pixel column: a column that
 * holds many spans is drawn once for what they held (the larger of ready
 * and waiting as its body, green rims as thick as the share it ran: "level
 * of detail" below), and the walk jumps to the first span past that column
 * by galloping. A frame costs O(visible lanes x width x log spans), so
 * 1,000+ tasks and long runs stay fast.
 *
 * Mouse: wheel zooms around the pointer; Shift+wheel or the wheel over the
 * names scrolls the lanes; drag pans; a click seeks to the nearest step
 * boundary, and a click on a running stretch also selects the pick that
 * resumed it ("Why is this here?"), whose chain is drawn here as arrows.
 *
 * Depends on: ui_int.h, model.h.  Used by: ui.c, tests.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

static const char *const axis_names[AXIS__COUNT] = {"time + steps", "time", "steps"};

void panel_timeline_geom(const UiCtx *c, TlGeom *g)
{
    const Theme *th = c->th;
    Rect r = c->L->r[P_TIMELINE];
    Rect body = {r.x + th->border, r.y + th->header_h, r.w - 2 * th->border, r.h - th->header_h - th->border};
    memset(g, 0, sizeof *g);
    g->label_w = r.w / 7;
    int lmin = theme_px(th, 96), lmax = theme_px(th, 200);
    if (g->label_w < lmin)
        g->label_w = lmin;
    if (g->label_w > lmax)
        g->label_w = lmax;
    int axis_h = th->small_row_h * 2 + theme_px(th, 2);
    g->axis = (Rect){body.x + g->label_w, body.y, body.w - g->label_w - theme_px(th, 6), axis_h};
    g->lanes = (Rect){body.x + g->label_w, body.y + axis_h, g->axis.w, body.h - axis_h};
    if (g->lanes.h < 0)
        g->lanes.h = 0;
    if (g->lanes.w < 1)
        g->lanes.w = 1;
    g->lane_h = th->lane_h;
    /* few tasks: taller lanes, up to half as tall again */
    uint32_t nt = c->v->rec ? c->v->rec->ntasks : 0;
    if (nt > 0 && g->lanes.h / (int)(nt < 1000 ? nt : 1000) > g->lane_h) {
        int fit = g->lanes.h / (int)nt;
        g->lane_h = fit < th->lane_h * 3 / 2 ? fit : th->lane_h * 3 / 2;
    }
    g->ax = model_axis(c->v->model, (AxisMode)c->st->axis);
    double v0 = c->st->view0, v1 = c->st->view1;
    g->u0 = v0 * g->ax.u_total;
    g->u1 = v1 * g->ax.u_total;
    if (g->u1 <= g->u0)
        g->u1 = g->u0 + 1e-9;
    float ls = c->st->lane_scroll;
    g->first_lane = (uint32_t)ls;
    g->lane_off = (ls - (float)g->first_lane) * (float)g->lane_h;
}

static double xf(const TlGeom *g, double u)
{
    return (double)g->lanes.x + (u - g->u0) / (g->u1 - g->u0) * (double)g->lanes.w;
}

int panel_timeline__x(const TlGeom *g, double u)
{
    double x = xf(g, u);
    if (x < -1e6)
        x = -1e6;
    if (x > 1e6)
        x = 1e6;
    return (int)floor(x);
}

int panel_timeline__lane_y(const TlGeom *g, uint32_t task)
{
    if (task < g->first_lane)
        return -1;
    double y = (double)g->lanes.y + (double)(task - g->first_lane) * g->lane_h - g->lane_off + g->lane_h / 2.0;
    if (y > g->lanes.y + g->lanes.h)
        return -1;
    return (int)y;
}

static double u_of_x(const TlGeom *g, double x)
{
    return g->u0 + (x - (double)g->lanes.x) / (double)g->lanes.w * (g->u1 - g->u0);
}

/* The last boundary at or left of the pixel edge x (an integer), kept in
 * the frame's column table when x is in it: every lane asks for the same
 * edges, and each lookup is a binary search over every step whose probes
 * each search the clock marks (10 million steps, 20 lanes: half a frame). */
static uint32_t boundary_at_x(const TlGeom *g, const UiModel *m, int x)
{
    int i = x - g->lanes.x;
    if (g->colk && i >= 0 && i < g->ncolk) {
        if (g->colk[i] == UINT32_MAX)
            g->colk[i] = model_axis_boundary_at(&g->ax, m, u_of_x(g, (double)x));
        return g->colk[i];
    }
    return model_axis_boundary_at(&g->ax, m, u_of_x(g, (double)x));
}

/* Gives g an empty column table (st->colk) for this frame; none when out of
 * memory (lanes then look each boundary up). */
static void column_table(UiState *st, TlGeom *g)
{
    int n = g->lanes.w + 2;
    g->colk = NULL;
    g->ncolk = 0;
    if (n <= 0)
        return;
    if (st->colk_cap < n) {
        uint32_t *k = realloc(st->colk, (size_t)n * sizeof *k);
        if (!k)
            return;
        st->colk = k;
        st->colk_cap = n;
    }
    memset(st->colk, 0xff, (size_t)n * sizeof *st->colk);
    g->colk = st->colk;
    g->ncolk = n;
}

/* ---- one lane ------------------------------------------------------------ */

static void span_rect(UiCtx *c, int x0, int x1, int y, int h, int state, int wait, bool label)
{
    const Theme *th = c->th;
    int hh = state == SPAN_RUNNING ? h : state == SPAN_READY ? h * 3 / 4 : h / 2;
    if (hh < 2)
        hh = 2;
    Rect rr = {x0, y + (h - hh) / 2, x1 - x0, hh};
    if (rr.w < 1)
        rr.w = 1;
    draw_rect(c->dl, rr, theme_span_color(th, state, wait));
    if (label && state == SPAN_WAITING) {
        const char *name = wait_kind_name((WaitKind)wait);
        int tw = draw_text_width(c->dl, FONT_SANS, th->fs_small, name);
        int fh = draw_text_height(c->dl, FONT_SANS, th->fs_small);
        if (tw + th->pad * 2 < rr.w && fh <= h + 2)
            draw_text(c->dl, FONT_SANS, th->fs_small, rr.x + th->pad, y + (h - fh) / 2, th->text, name);
    }
}

/* ---- level of detail --------------------------------------------------------
 *
 * A pixel column that holds many spans of a lane is drawn for what they
 * held, measured on the axis: the larger of ready and waiting as the body,
 * at its height, and the share the task ran as green strips on the lane's
 * top and bottom edges, share x half the lane high each (at least an
 * eighth of the lane, 2 px wide: a run is never hidden; the tooltip gives
 * the shares). All running is a full green column; a task that
 * ran a twentieth of the time looks ready with a thin green rim, not
 * running (drawing "it ran here" as solid green made 20 tasks that take
 * turns look as if they all ran at once). The shares come from the model's
 * covers (model_lane_cover) at the column's two edges, so a column costs
 * the same for 3 spans or 30,000. */

/* What lane t held left of the pixel edge x: the cover of the spans before
 * the one the edge falls in (q), plus that span's part left of the edge. */
typedef struct EdgeCover {
    LaneCover c;
    double part[2]; /* u of span q left of x when it ran or was ready */
    int x;          /* the edge; INT_MIN when not known */
    uint32_t q;     /* the span the edge falls in; n past the lane's end */
} EdgeCover;

static void edge_cover(const TlGeom *g, const UiModel *m, uint32_t t, const LaneSpan *sp, uint32_t n,
                       uint32_t from, int x, EdgeCover *e)
{
    uint32_t k = boundary_at_x(g, m, x);
    uint32_t q = model_lane_past(sp, n, from, k);
    model_lane_cover(m, t, q, &e->c);
    e->part[0] = e->part[1] = 0;
    e->x = x;
    e->q = q;
    if (q < n && sp[q].s0 <= k && (sp[q].state == SPAN_RUNNING || sp[q].state == SPAN_READY)) {
        double d = u_of_x(g, (double)x) - model_axis_u(&g->ax, m, sp[q].s0);
        e->part[sp[q].state] = d > 0 ? d : 0;
    }
}

/* How a column looks: its body's state and wait kind, and the green rim. */
typedef struct ColLook {
    int state, wait, rim; /* state -1: nothing */
} ColLook;

/* The wait kind of the longest waiting span among the last few of spans
 * [i0, i1]: a column's body takes its colour. */
static int column_wait(const TlGeom *g, const UiModel *m, const LaneSpan *sp, uint32_t n, uint32_t i0, uint32_t i1)
{
    int best = WAIT_TIMER;
    double best_u = -1;
    if (i1 >= n)
        i1 = n - 1;
    for (uint32_t q = i1, left = 8; left > 0 && q + 1 > i0; q--, left--) {
        if (sp[q].state == SPAN_WAITING) {
            double u = model_axis_u(&g->ax, m, sp[q].s1) - model_axis_u(&g->ax, m, sp[q].s0);
            if (u > best_u) {
                best_u = u;
                best = sp[q].wait;
            }
        }
        if (q == 0)
            break;
    }
    return best;
}

/* The shares of the column between edges a and b (b.x = a.x + 1) that a
 * lane covering [lane_u0, lane_u1) on the axis spent running ([0]) and
 * ready ([1]); false when the lane does not reach into the column. */
static bool column_shares(const TlGeom *g, const EdgeCover *a, const EdgeCover *b, double lane_u0, double lane_u1,
                          double share[2])
{
    double ua = u_of_x(g, (double)a->x), ub = u_of_x(g, (double)b->x);
    if (ua < lane_u0)
        ua = lane_u0;
    if (ub > lane_u1)
        ub = lane_u1;
    double total = ub - ua;
    if (!(total > 0))
        return false;
    for (int s = 0; s < 2; s++) {
        share[s] = (g->ax.w_step * (double)(int64_t)(b->c.steps[s] - a->c.steps[s]) +
                    g->ax.w_time * (double)(b->c.t[s] - a->c.t[s]) + b->part[s] - a->part[s]) /
                   total;
        if (share[s] < 1e-9)
            share[s] = 0;
        if (share[s] > 1)
            share[s] = 1;
    }
    return true;
}

/* The look of the column between edges a and b of a lane h pixels high. */
static ColLook column_look(const TlGeom *g, const UiModel *m, const LaneSpan *sp, uint32_t n, const EdgeCover *a,
                           const EdgeCover *b, double lane_u0, double lane_u1, int h)
{
    ColLook look = {-1, 0, 0};
    double share[2];
    if (!column_shares(g, a, b, lane_u0, lane_u1, share))
        return look;
    double run = share[SPAN_RUNNING], ready = share[SPAN_READY];
    double waiting = 1 - run - ready;
    int rim = run > 0 ? (int)lround(run * h / 2.0) : 0;
    int rim_min = (h + 4) / 8; /* reaches a ready body: seen at a glance */
    if (run > 0 && rim < rim_min)
        rim = rim_min > 0 ? rim_min : 1;
    if (run >= 1 - 1e-9 || 2 * rim >= h) {
        look.state = SPAN_RUNNING;
        return look;
    }
    look.rim = rim;
    if (ready >= waiting) {
        look.state = SPAN_READY;
    } else {
        look.state = SPAN_WAITING;
        look.wait = column_wait(g, m, sp, n, a->q, b->q);
    }
    return look;
}

/* Columns of one look side by side are drawn as one rectangle: a long run
 * at full zoom is a column per pixel in every lane, and SDL filled them one
 * by one (20 lanes over 10 million steps: 27,000 rects a frame). The
 * colours are opaque, so the pixels are the same. */
typedef struct ColRun {
    int x0, x1;
    ColLook look;
} ColRun;

static void run_flush(UiCtx *c, ColRun *run, int y, int h)
{
    const ColLook *k = &run->look;
    if (k->state >= 0) {
        span_rect(c, run->x0, run->x1, y, h, k->state, k->wait, false);
        if (k->rim > 0) {
            /* a lone column's rim is as wide as a lone run's mark: one
             * pixel is hard to see; it covers no body */
            int w = run->x1 - run->x0, wmin = theme_px(c->th, 2);
            Color green = theme_span_color(c->th, SPAN_RUNNING, 0);
            if (w < wmin)
                w = wmin;
            draw_rect(c->dl, (Rect){run->x0, y, w, k->rim}, green);
            draw_rect(c->dl, (Rect){run->x0, y + h - k->rim, w, k->rim}, green);
        }
    }
    run->look.state = -1;
}

static void run_add(UiCtx *c, ColRun *run, int x, ColLook look, int y, int h)
{
    if (run->look.state == look.state && run->look.wait == look.wait && run->look.rim == look.rim &&
        x == run->x1) {
        run->x1 = x + 1;
        return;
    }
    run_flush(c, run, y, h);
    *run = (ColRun){x, x + 1, look};
}

static void draw_lane(UiCtx *c, const TlGeom *g, uint32_t t, int y, int h)
{
    const UiModel *m = c->v->model;
    uint32_t n = 0;
    const LaneSpan *sp = model_lane(m, t, &n);
    if (!n)
        return;
    const Axis *ax = &g->ax;
    int left = g->lanes.x, right = g->lanes.x + g->lanes.w;
    /* first span ending after the left edge */
    uint32_t i = model_lane_past(sp, n, 0, boundary_at_x(g, m, left));
    double lane_u0 = model_axis_u(ax, m, sp[0].s0), lane_u1 = model_axis_u(ax, m, sp[n - 1].s1);
    int next_col = INT_MIN; /* columns left of it are drawn */
    EdgeCover ea, eb;
    ea.x = INT_MIN;
    ColRun run = {0, 0, {-1, 0, 0}};
    while (i < n) {
        double x0 = xf(g, model_axis_u(ax, m, sp[i].s0));
        double x1 = xf(g, model_axis_u(ax, m, sp[i].s1));
        if (x0 >= right)
            break;
        if (x1 - x0 >= 1.0) {
            /* a span a pixel wide or more is drawn as it is, after the
             * columns before it; the column its end shares with the next
             * spans is then drawn over for what all of them held */
            run_flush(c, &run, y, h);
            int a = (int)floor(x0), b = (int)ceil(x1);
            if (a < next_col)
                a = next_col;
            if (a < left - 1)
                a = left - 1;
            if (b > right + 1)
                b = right + 1;
            if (b > a)
                span_rect(c, a, b, y, h, sp[i].state, sp[i].wait, true);
            i++;
            continue;
        }
        /* a sub-pixel span: its column, for everything in it */
        int p = (int)floor(x0);
        if (p < next_col)
            p = next_col;
        if (p >= right)
            break;
        if (ea.x != p)
            edge_cover(g, m, t, sp, n, 0, p, &ea);
        edge_cover(g, m, t, sp, n, i, p + 1, &eb);
        run_add(c, &run, p, column_look(g, m, sp, n, &ea, &eb, lane_u0, lane_u1, h), y, h);
        next_col = p + 1;
        ea = eb;
        if (eb.q > i)
            i = eb.q;
    }
    run_flush(c, &run, y, h);
}

static void draw_marks(UiCtx *c, const TlGeom *g, uint32_t t, int y, int h)
{
    const Theme *th = c->th;
    const UiModel *m = c->v->model;
    const Recording *r = c->v->rec;
    const TaskInfo *ti = &r->tasks[t];
    int a = h / 4 + 1;
    if (a > theme_px(th, 5))
        a = theme_px(th, 5);
    /* created: a small flag */
    int xc = panel_timeline__x(g, model_axis_u(&g->ax, m, ti->created));
    if (xc >= g->lanes.x - a && xc <= g->lanes.x + g->lanes.w) {
        draw_line(c->dl, xc, y + 1, xc, y + h - 1, 1, th->created);
        draw_tri(c->dl, xc, y + 1, xc, y + 1 + a, xc + a, y + 1 + a / 2, th->created);
    }
    if (ti->ended != SIM_NONE && ti->ended < r->nsteps) {
        int xe = panel_timeline__x(g, model_axis_u(&g->ax, m, ti->ended + 1));
        int cy = y + h / 2;
        if (xe >= g->lanes.x - a && xe <= g->lanes.x + g->lanes.w + a) {
            if (ti->end == TASK_END_CANCELLED) {
                draw_line(c->dl, xe - a, cy - a, xe + a, cy + a, theme_px(th, 2), th->cancelled);
                draw_line(c->dl, xe - a, cy + a, xe + a, cy - a, theme_px(th, 2), th->cancelled);
            } else if (ti->end == TASK_END_RAISED) {
                draw_tri(c->dl, xe - a, cy + a, xe + a, cy + a, xe, cy - a - 1, th->failed);
            } else {
                draw_rect(c->dl, (Rect){xe - a + 1, cy - a + 1, 2 * a - 2, 2 * a - 2}, th->done);
            }
        }
    }
    /* prints: a small diamond on the lane's top edge */
    uint32_t l0 = m->line_first[t], l1 = m->line_first[t + 1];
    int last_x = -1000000;
    for (uint32_t i = l0; i < l1; i++) {
        uint32_t ps = model_line_step(m, m->line_idx[i]);
        int xp = panel_timeline__x(g, (model_axis_u(&g->ax, m, ps) + model_axis_u(&g->ax, m, ps + 1)) / 2);
        if (xp < g->lanes.x - a || xp == last_x)
            continue;
        if (xp > g->lanes.x + g->lanes.w + a)
            break;
        last_x = xp;
        int d = a;
        draw_tri(c->dl, xp - d, y + d, xp + d, y + d, xp, y, th->print);
        draw_tri(c->dl, xp - d, y + d, xp + d, y + d, xp, y + 2 * d, th->print);
    }
}

/* ---- axis -------------------------------------------------------------- */

static double nice_step(double raw)
{
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* Where on the axis the clock reads t: the first boundary at time t, or a
 * point inside the step during which the clock jumped past t. */
static double u_at_time(const Axis *ax, const UiModel *m, VTime t)
{
    uint32_t n = m->rec->nsteps;
    uint32_t lo = 0, hi = n; /* first boundary with time >= t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (model_time_at(m, mid) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    VTime tk = model_time_at(m, lo);
    if (tk == t || lo == 0)
        return model_axis_u(ax, m, lo);
    VTime tp = model_time_at(m, lo - 1);
    double ua = model_axis_u(ax, m, lo - 1), ub = model_axis_u(ax, m, lo);
    double f = tk > tp ? (double)(t - tp) / (double)(tk - tp) : 0;
    return ua + (ub - ua) * f;
}

/* The first iteration (>= 1) whose first step is at or after u. */
static uint32_t first_iter_at(const Axis *ax, const UiModel *m, double u)
{
    uint32_t lo = 1, hi = m->niters + 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (model_axis_u(ax, m, model_iter_start(m, mid)) < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void draw_axis(UiCtx *c, const TlGeom *g)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    const UiModel *m = c->v->model;
    Rect a = g->axis;
    int fh = draw_text_height(dl, FONT_SANS, th->fs_small);
    int row1 = a.y + 1, row2 = a.y + th->small_row_h + 1;
    draw_clip_push(dl, (Rect){a.x, a.y, a.w, a.h + g->lanes.h});
    /* time ticks: the finest round step whose labels do not collide */
    if (m->t_end > 0 && g->ax.w_time > 0) {
        VTime t0 = model_time_at(m, model_axis_boundary_at(&g->ax, m, g->u0));
        VTime t1 = model_time_at(m, model_axis_boundary_at(&g->ax, m, g->u1));
        double secs = (double)(t1 - t0) / 1e9;
        int want = a.w / theme_px(th, 90);
        if (want < 2)
            want = 2;
        double stp = nice_step((secs > 0 ? secs : 1) / want);
        if (stp < 1e-9)
            stp = 1e-9;
        int gap = theme_px(th, 58);
        for (int attempt = 0; attempt < 8; attempt++) {
            double first = ceil((double)t0 / 1e9 / stp - 1e-9) * stp;
            int last_x = -1000000, clashes = 0;
            for (int i = 0; i < 400; i++) {
                double ts = first + i * stp;
                if (ts * 1e9 > (double)t1 + 0.5)
                    break;
                int x = panel_timeline__x(g, u_at_time(&g->ax, m, (VTime)llround(ts * 1e9)));
                if (x - last_x < gap)
                    clashes++;
                last_x = x;
            }
            if (clashes == 0 || attempt == 7)
                break;
            stp = nice_step(stp * 1.5);
        }
        double first = ceil((double)t0 / 1e9 / stp - 1e-9) * stp;
        int last_x = -1000000;
        for (int i = 0; i < 400; i++) {
            double ts = first + i * stp;
            if (ts * 1e9 > (double)t1 + 0.5)
                break;
            VTime tv = (VTime)llround(ts * 1e9);
            int x = panel_timeline__x(g, u_at_time(&g->ax, m, tv));
            if (x - last_x < gap)
                continue;
            last_x = x;
            char lab[32];
            snprintf(lab, sizeof lab, "%.*f s", stp >= 1 ? 0 : stp >= 0.1 ? 1 : stp >= 0.01 ? 2 : 3, ts);
            draw_line(dl, x, row1 + fh, x, a.y + a.h + g->lanes.h, 1, draw_color_alpha(th->text_faint, 70));
            draw_text(dl, FONT_SANS, th->fs_small, x + 2, row1, th->text_dim, lab);
        }
    } else if (g->ax.w_time == 0 && m->t_end > 0) {
        /* steps axis: label the moments the clock moves */
        int last_x = -1000000;
        VTime prev = -1;
        uint32_t k0 = model_axis_boundary_at(&g->ax, m, g->u0), k1 = model_axis_boundary_at(&g->ax, m, g->u1);
        for (uint32_t it = 0; it <= m->niters + 1; it++) {
            uint32_t k = model_iter_start(m, it);
            if (k < k0 || k > k1)
                continue;
            VTime tv = model_time_at(m, k + 1 <= m->rec->nsteps ? k + 1 : k);
            if (tv == prev)
                continue;
            prev = tv;
            int x = panel_timeline__x(g, model_axis_u(&g->ax, m, k));
            if (x - last_x < theme_px(th, 60))
                continue;
            last_x = x;
            char lab[32], tt[24];
            vtime_format(tv, 3, tt, sizeof tt);
            snprintf(lab, sizeof lab, "t=%s", tt);
            draw_text(dl, FONT_SANS, th->fs_small, x + 2, row1, th->text_dim, lab);
        }
    }
    /* iteration starts: thin lines, thinned out to one per few pixels;
     * the walk jumps by binary search, so a million iterations cost
     * only what is drawn */
    {
        int last_lab = -1000000;
        int min_gap = theme_px(th, 40), line_gap = theme_px(th, 6);
        uint32_t it = first_iter_at(&g->ax, m, g->u0);
        while (it <= m->niters) {
            double u = model_axis_u(&g->ax, m, model_iter_start(m, it));
            if (u > g->u1)
                break;
            int x = panel_timeline__x(g, u);
            draw_line(dl, x, row2 + fh / 2, x, a.y + a.h + g->lanes.h, 1, draw_color_alpha(th->border_c, 150));
            if (x - last_lab >= min_gap) {
                char lab[24];
                snprintf(lab, sizeof lab, last_lab == -1000000 ? "iter %u" : "%u", it);
                draw_text(dl, FONT_SANS, th->fs_small, x + 2, row2, th->text_faint, lab);
                last_lab = x + draw_text_width(dl, FONT_SANS, th->fs_small, lab);
            }
            uint32_t next = first_iter_at(&g->ax, m, u_of_x(g, (double)(x + line_gap)));
            it = next > it ? next : it + 1;
        }
    }
    draw_clip_pop(dl);
}

/* ---- blocked loop -------------------------------------------------------- */

/* One band over the lanes for blocked spans [i, j) of m->blocked, which
 * overlap on screen: one span draws as it always did; several (20,000 tasks
 * that each block once, at full zoom) draw as one band that says how many,
 * instead of a band, hatching and a label each (seconds a frame). */
static void blocked_band(UiCtx *c, const TlGeom *g, Rect lanes_vis, uint32_t i, uint32_t j, int x0, int x1)
{
    const Theme *th = c->th;
    const UiModel *m = c->v->model;
    const Span *b = &m->blocked[i];
    Rect band = {x0, lanes_vis.y, x1 - x0, lanes_vis.h};
    band = draw_rect_intersect(band, lanes_vis);
    if (band.w <= 0)
        return;
    draw_rect(c->dl, band, draw_color_alpha(th->blocked, 70));
    draw_clip_push(c->dl, band);
    int step = theme_px(th, 9);
    for (int d = -band.h; d < band.w; d += step)
        draw_line(c->dl, band.x + d, band.y + band.h, band.x + d + band.h, band.y, theme_px(th, 2),
                  draw_color_alpha(th->blocked, 150));
    draw_clip_pop(c->dl);
    draw_line(c->dl, band.x, band.y, band.x, band.y + band.h, theme_px(th, 2), th->blocked);
    draw_line(c->dl, band.x + band.w - 1, band.y, band.x + band.w - 1, band.y + band.h, theme_px(th, 2),
              th->blocked);
    char lab[160], d[32], t0[24], t1[24];
    VTime total = 0;
    for (uint32_t k = i; k < j; k++)
        total += m->blocked[k].t1 - m->blocked[k].t0;
    vtime_format(total, 3, d, sizeof d);
    if (j - i == 1)
        snprintf(lab, sizeof lab, "LOOP BLOCKED %s s by %s", d, ui__task_name(c, b->task));
    else
        snprintf(lab, sizeof lab, "LOOP BLOCKED %u times, %s s", j - i, d);
    int tw = draw_text_width(c->dl, FONT_SANS_BOLD, th->fs_small, lab);
    Rect chip = {band.x + th->pad / 2, band.y + th->gap / 2, tw + th->pad, th->small_row_h};
    if (chip.w <= band.w + theme_px(th, 200)) {
        draw_rect(c->dl, chip, th->blocked);
        draw_text(c->dl, FONT_SANS_BOLD, th->fs_small, chip.x + th->pad / 2,
                  chip.y + (chip.h - draw_text_height(c->dl, FONT_SANS_BOLD, th->fs_small)) / 2, th->text, lab);
    }
    if (ui__hover(c, band)) {
        char tip[400];
        vtime_format(b->t0, 3, t0, sizeof t0);
        vtime_format(m->blocked[j - 1].t1, 3, t1, sizeof t1);
        if (j - i == 1)
            snprintf(tip, sizeof tip, "The event loop was blocked from t=%s to t=%s (%s s): %s made a blocking call "
                     "(time.sleep), so no other task, timer or callback could run. Every lane is frozen.",
                     t0, t1, d, ui__task_name(c, b->task));
        else
            snprintf(tip, sizeof tip, "The event loop was blocked %u times between t=%s and t=%s (%s s in all): "
                     "tasks made blocking calls (time.sleep), and while each lasted no other task, timer or "
                     "callback could run. Zoom in to see them one by one.", j - i, t0, t1, d);
        ui__tooltip(c, band, tip);
    }
}

static void draw_blocked(UiCtx *c, const TlGeom *g, Rect lanes_vis)
{
    const Theme *th = c->th;
    const UiModel *m = c->v->model;
    /* blocked spans follow each other (one freeze at a time): the first
     * that ends on screen, then bands of those that overlap on screen */
    uint32_t lo = 0, hi = m->nblocked;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (model_axis_u_at(&g->ax, m->blocked[mid].s1, m->blocked[mid].t1) < g->u0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t first = UINT32_MAX, end = 0; /* the band so far: spans [first, end) */
    int bx0 = 0, bx1 = 0;
    for (uint32_t i = lo; i < m->nblocked; i++) {
        const Span *b = &m->blocked[i];
        double u0 = model_axis_u_at(&g->ax, b->s0, b->t0), u1 = model_axis_u_at(&g->ax, b->s1, b->t1);
        if (u0 > g->u1)
            break;
        if (u1 < g->u0)
            continue;
        int x0 = panel_timeline__x(g, u0), x1 = panel_timeline__x(g, u1);
        if (x1 - x0 < theme_px(th, 3))
            x1 = x0 + theme_px(th, 3);
        if (first != UINT32_MAX && x0 < bx1) { /* overlaps the band so far */
            if (x1 > bx1)
                bx1 = x1;
            end = i + 1;
            continue;
        }
        if (first != UINT32_MAX)
            blocked_band(c, g, lanes_vis, first, end, bx0, bx1);
        first = i;
        end = i + 1;
        bx0 = x0;
        bx1 = x1;
    }
    if (first != UINT32_MAX)
        blocked_band(c, g, lanes_vis, first, end, bx0, bx1);
}

/* ---- the causal chain, as arrows across the lanes -------------------------- */

static void chain_point(const UiCtx *c, const TlGeom *g, uint32_t step, int *x, int *y)
{
    const Recording *r = c->v->rec;
    Step step_ = rec_step(r, step);
    const Step *sp = &step_;
    *x = panel_timeline__x(g, (model_axis_u(&g->ax, c->v->model, step) + model_axis_u(&g->ax, c->v->model, step + 1)) / 2);
    uint32_t t = sp->task;
    if (t == SIM_NONE && sp->handle != SIM_NONE && sp->handle < r->nhandles)
        t = r->handles[sp->handle].task;
    int ly = t != SIM_NONE ? panel_timeline__lane_y(g, t) : -1;
    if (t != SIM_NONE && ly < 0)
        ly = t < g->first_lane ? g->lanes.y + 2 : g->lanes.y + g->lanes.h - 2;
    if (ly < 0)
        ly = g->axis.y + g->axis.h - 2;
    *y = ly;
}

static void draw_chain(UiCtx *c, const TlGeom *g)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    if (c->nchain <= 0)
        return;
    int xs[UI_CHAIN_MAX], ys[UI_CHAIN_MAX];
    for (int i = 0; i < c->nchain; i++)
        chain_point(c, g, c->chain[i], &xs[i], &ys[i]);
    int a = theme_px(th, 5);
    int lw = theme_px(th, 2);
    Color shade = draw_color_alpha(th->bg, 200);
    /* a dark casing first, so the arrows read on top of any bar */
    for (int i = 1; i < c->nchain; i++)
        if (xs[i] != xs[i - 1] || ys[i] != ys[i - 1])
            draw_line(dl, xs[i - 1], ys[i - 1], xs[i], ys[i], lw + theme_px(th, 2), shade);
    for (int i = 1; i < c->nchain; i++) {
        int px = xs[i - 1], py = ys[i - 1], x = xs[i], y = ys[i];
        if (x == px && y == py)
            continue;
        draw_line(dl, px, py, x, y, lw, th->chain);
        double dx = x - px, dy = y - py, len = sqrt(dx * dx + dy * dy);
        if (len > a * 2) {
            double ux = dx / len, uy = dy / len;
            int bx = (int)(x - ux * a * 1.8), by = (int)(y - uy * a * 1.8);
            draw_tri(dl, x, y, (int)(bx - uy * a), (int)(by + ux * a), (int)(bx + uy * a), (int)(by - ux * a),
                     th->chain);
        }
    }
    /* numbered nodes, matching the list in the why card */
    int last_lx = -1000000, last_ly = -1000000;
    int fh = draw_text_height(dl, FONT_SANS_BOLD, th->fs_small);
    for (int i = 0; i < c->nchain; i++) {
        int x = xs[i], y = ys[i];
        draw_rect(dl, (Rect){x - a / 2 - 2, y - a / 2 - 2, a + 4, a + 4}, shade);
        draw_rect(dl, (Rect){x - a / 2 - 1, y - a / 2 - 1, a + 2, a + 2}, th->chain);
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        int tw = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, num);
        int lx = x - tw / 2, ly = y - a / 2 - fh - 1;
        if (abs(lx - last_lx) < tw + theme_px(th, 4) && abs(ly - last_ly) < fh)
            continue;
        draw_rect(dl, (Rect){lx - 2, ly, tw + 4, fh}, shade);
        draw_text(dl, FONT_SANS_BOLD, th->fs_small, lx, ly, th->chain, num);
        last_lx = lx;
        last_ly = ly;
    }
}

/* ---- tooltip for a lane ---------------------------------------------------- */

/* "37%", "under 1%" for a share that is small but not none, "0%". */
static const char *percent(double share, char buf[16])
{
    if (share > 0 && share < 0.005)
        return "under 1%";
    if (share < 1 && share > 0.995)
        return "over 99%";
    snprintf(buf, 16, "%.0f%%", share > 0 ? share * 100 : 0);
    return buf;
}

static void lane_tip(UiCtx *c, const TlGeom *g, uint32_t t, Rect lane)
{
    const UiModel *m = c->v->model;
    const Recording *r = c->v->rec;
    double u = u_of_x(g, c->in->mx);
    uint32_t k = model_axis_boundary_at(&g->ax, m, u);
    const LaneSpan *sp = model_span_at(m, t, k);
    char tip[768];
    if (!sp) {
        const TaskInfo *ti = &r->tasks[t];
        snprintf(tip, sizeof tip, "%s: %s at step %u.", ui__task_name(c, t),
                 k < ti->created ? "not created yet; it is created" : "finished", k < ti->created ? ti->created : (ti->ended != SIM_NONE ? ti->ended : k));
        ui__tooltip(c, lane, tip);
        return;
    }
    char a[24], b[24], d[24];
    VTime t0 = model_time_at(m, sp->s0), t1 = model_time_at(m, sp->s1);
    vtime_format(t0, 3, a, sizeof a);
    vtime_format(t1, 3, b, sizeof b);
    vtime_format(t1 - t0, 3, d, sizeof d);
    const char *what = sp->state == SPAN_RUNNING ? "running (its coroutine executes)"
                       : sp->state == SPAN_READY ? "ready but not picked yet: its step waits in the ready queue"
                                                 : NULL;
    char wbuf[120];
    if (!what) {
        snprintf(wbuf, sizeof wbuf, "waiting on %s", wait_kind_name((WaitKind)sp->wait));
        what = wbuf;
    }
    uint32_t i0 = sp->s0 < r->nsteps ? model_iter_of(c->v->model, sp->s0) : 0;
    uint32_t i1 = sp->s1 > 0 && sp->s1 - 1 < r->nsteps ? model_iter_of(c->v->model, sp->s1 - 1) : i0;
    char iters[64];
    if (i0 == i1)
        snprintf(iters, sizeof iters, "iteration %u", i0);
    else
        snprintf(iters, sizeof iters, "iterations %u-%u", i0, i1);
    int n = snprintf(tip, sizeof tip, "%s: %s\nfrom t=%s to t=%s (%s s), steps %u-%u, %s.\nClick: go there%s.",
                     ui__task_name(c, t), what, a, b, d, sp->s0, sp->s1 ? sp->s1 - 1 : 0, iters,
                     sp->state == SPAN_RUNNING ? " and see why it resumed" : "");
    /* a pixel that holds more of the lane than this span: what it held */
    uint32_t nsp = 0;
    const LaneSpan *all = model_lane(m, t, &nsp);
    int x = (int)floor(c->in->mx);
    EdgeCover ea, eb;
    edge_cover(g, m, t, all, nsp, 0, x, &ea);
    edge_cover(g, m, t, all, nsp, ea.q, x + 1, &eb);
    double share[2];
    uint32_t last = eb.q < nsp ? eb.q : nsp - 1;
    if (n > 0 && (size_t)n < sizeof tip && last > ea.q &&
        column_shares(g, &ea, &eb, model_axis_u(&g->ax, m, all[0].s0), model_axis_u(&g->ax, m, all[nsp - 1].s1),
                      share)) {
        char pr[16], pq[16], pw[16];
        snprintf(tip + n, sizeof tip - (size_t)n,
                 "\nThis pixel holds %u of its spans: it ran %s of it, was ready %s, waited %s "
                 "(green rims: the share it ran). Zoom in to see each.",
                 last - ea.q + 1, percent(share[0], pr), percent(share[1], pq), percent(1 - share[0] - share[1], pw));
    }
    ui__tooltip(c, lane, tip);
}

static void label_tip(UiCtx *c, uint32_t t, Rect row)
{
    const Recording *r = c->v->rec;
    const Program *p = c->v->prog;
    const TaskInfo *ti = &r->tasks[t];
    const TaskTotals *tt = &c->v->model->totals[t];
    char tip[768], s[4][24];
    for (int i = 0; i < 4; i++)
        vtime_format(tt->t[i], 3, s[i], sizeof s[i]);
    const char *coro = ti->coro != SIM_NONE && p && ti->coro < p->ncoros ? prog_s(p, p->coros[ti->coro].name) : "asyncio internals";
    const char *end = ti->ended == SIM_NONE ? "still pending at the end"
                      : ti->end == TASK_END_RESULT ? "returned"
                      : ti->end == TASK_END_CANCELLED ? "was cancelled" : "raised (failed)";
    snprintf(tip, sizeof tip,
             "%s: coroutine %s, created at step %u%s%s; %s.\nRunning %s s (%u iterations), ready %s s (%u), "
             "waiting %s s (%u), loop-blocked %s s (%u).",
             ui__task_name(c, t), coro, ti->created, ti->parent != SIM_NONE ? " by " : "",
             ti->parent != SIM_NONE ? ui__task_name(c, ti->parent) : "", end, s[0], tt->iters[0], s[1], tt->iters[1],
             s[2], tt->iters[2], s[3], tt->iters[3]);
    ui__tooltip(c, row, tip);
}

/* ---- the panel ----------------------------------------------------------- */

static void clamp_view(UiState *st)
{
    double w = st->view1 - st->view0;
    if (!(w > 1e-9))
        w = 1e-9;
    if (w > 1)
        w = 1;
    if (st->view0 < 0)
        st->view0 = 0;
    if (st->view0 + w > 1)
        st->view0 = 1 - w;
    st->view1 = st->view0 + w;
}

void panel_timeline_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const UiModel *m = c->v->model;
    const Recording *r = c->v->rec;
    char note[200];
    double zoom = 1.0 / (st->view1 - st->view0 > 1e-12 ? st->view1 - st->view0 : 1e-12);
    snprintf(note, sizeof note, "axis: %s (T)   zoom %.3gx (wheel, F: fit)   drag: pan   click: seek",
             axis_names[st->axis % AXIS__COUNT], zoom);
    Rect body = ui__panel_begin(c, P_TIMELINE, "Timeline: one lane per task", note);
    TlGeom g0;
    panel_timeline_geom(c, &g0);
    uint32_t nt = r->ntasks;
    int vis = g0.lanes.h / g0.lane_h;
    if (vis < 1)
        vis = 1;

    /* ---- input: zoom, pan, scroll, follow ---- */
    Rect lanes_hit = {body.x, g0.axis.y, body.w, body.h - (g0.axis.y - body.y)};
    bool over = ui__hover(c, lanes_hit);
    float wh = c->modal ? 0 : (draw_rect_contains(lanes_hit, c->in->mx, c->in->my) ? c->in->wheel_y : 0);
    bool over_names = c->in->mx < g0.lanes.x;
    if (wh != 0 && ((c->in->mods & UI_MOD_SHIFT) || over_names)) {
        st->lane_scroll -= wh * 3;
    } else if (wh != 0) {
        double f = pow(0.8, wh);
        double u = u_of_x(&g0, c->in->mx < g0.lanes.x ? g0.lanes.x : c->in->mx);
        double fx = u / g0.ax.u_total;
        double w0 = st->view1 - st->view0, w1 = w0 * f;
        double min_w = 2.0 / (double)(r->nsteps + 1) / 50.0;
        if (w1 < min_w)
            w1 = min_w;
        double rel = (fx - st->view0) / w0;
        st->view0 = fx - rel * w1;
        st->view1 = st->view0 + w1;
    }
    if (c->in->wheel_x != 0 && over) {
        double w0 = st->view1 - st->view0;
        st->view0 += c->in->wheel_x * w0 * 0.1;
        st->view1 += c->in->wheel_x * w0 * 0.1;
    }
    if ((c->in->pressed & UI_MOUSE_LEFT) && over && !c->modal) {
        st->drag_panel = P_TIMELINE;
        st->drag_view0 = st->view0;
        st->drag_view1 = st->view1;
        st->drag_lane0 = st->lane_scroll;
    }
    if (st->drag_panel == P_TIMELINE && st->dragged && (c->in->down & UI_MOUSE_LEFT)) {
        double w0 = st->drag_view1 - st->drag_view0;
        double du = (double)(c->in->mx - st->drag_x0) / (double)g0.lanes.w * w0;
        st->view0 = st->drag_view0 - du;
        st->view1 = st->drag_view1 - du;
        st->lane_scroll = st->drag_lane0 - (float)(c->in->my - st->drag_y0) / (float)g0.lane_h;
    }
    float max_scroll = (float)nt - (float)vis + 0.5f;
    if (max_scroll < 0)
        max_scroll = 0;
    if (st->lane_scroll > max_scroll)
        st->lane_scroll = max_scroll;
    if (st->lane_scroll < 0)
        st->lane_scroll = 0;
    clamp_view(st);
    /* keep the cursor in view when it moved */
    if (st->last_pos != c->pos && st->drag_panel != P_TIMELINE) {
        TlGeom gg;
        panel_timeline_geom(c, &gg);
        double u = model_axis_u(&gg.ax, m, c->pos);
        if (u < gg.u0 || u > gg.u1) {
            double w0 = st->view1 - st->view0;
            st->view0 = u / gg.ax.u_total - w0 * 0.15;
            st->view1 = st->view0 + w0;
            clamp_view(st);
        }
    }
    TlGeom g;
    panel_timeline_geom(c, &g);

    /* ---- axis, lanes ---- */
    draw_rect(dl, (Rect){body.x, g.axis.y, body.w, g.axis.h}, th->panel_alt);
    draw_axis(c, &g);
    Rect lanes_vis = g.lanes;
    uint32_t last_lane = g.first_lane + (uint32_t)vis + 2;
    if (last_lane > nt)
        last_lane = nt;
    int lane_used_h = (int)((last_lane - g.first_lane) * (uint32_t)g.lane_h);
    if (lane_used_h < lanes_vis.h)
        lanes_vis.h = lane_used_h;
    draw_clip_push(dl, (Rect){body.x, g.lanes.y, body.w, g.lanes.h});
    uint32_t hover_lane = SIM_NONE;
    column_table(c->st, &g);
    for (uint32_t t = g.first_lane; t < last_lane; t++) {
        int y = g.lanes.y + (int)((t - g.first_lane) * (uint32_t)g.lane_h) - (int)g.lane_off;
        if (y > g.lanes.y + g.lanes.h)
            break;
        Rect row = {body.x, y, body.w, g.lane_h};
        if (t % 2)
            draw_rect(dl, row, draw_color_alpha(th->panel_alt, 160));
        const TaskInfo *ti = &r->tasks[t];
        bool internal = ti->internal;
        Color tc = theme_task_color(t);
        draw_rect(dl, (Rect){body.x + th->pad / 2, y + g.lane_h / 4, theme_px(th, 4), g.lane_h / 2}, tc);
        int fh = draw_text_height(dl, FONT_SANS, th->fs_small);
        draw_text_fit(dl, internal ? FONT_SANS : FONT_SANS_BOLD, th->fs_small, body.x + th->pad + theme_px(th, 4),
                      y + (g.lane_h - fh) / 2, g.label_w - th->pad * 2 - theme_px(th, 4),
                      internal ? th->text_faint : th->text, ui__task_name(c, t));
        Rect lab = {body.x, y, g.label_w, g.lane_h};
        if (ui__hover(c, lab))
            label_tip(c, t, lab);
        draw_clip_push(dl, (Rect){g.lanes.x, y, g.lanes.w, g.lane_h});
        draw_lane(c, &g, t, y + theme_px(th, 2), g.lane_h - theme_px(th, 4));
        draw_marks(c, &g, t, y + theme_px(th, 2), g.lane_h - theme_px(th, 4));
        draw_clip_pop(dl);
        Rect lane_r = {g.lanes.x, y, g.lanes.w, g.lane_h};
        if (ui__hover(c, lane_r))
            hover_lane = t;
    }
    draw_clip_pop(dl);

    /* ---- blocked loop, the past/future split, the cursor ---- */
    draw_clip_push(dl, (Rect){g.lanes.x, g.axis.y, g.lanes.w, g.axis.h + g.lanes.h});
    draw_blocked(c, &g, (Rect){g.lanes.x, g.lanes.y, g.lanes.w, g.lanes.h});
    int xc = panel_timeline__x(&g, model_axis_u(&g.ax, m, c->pos));
    if (c->pos > 0) {
        int xp = panel_timeline__x(&g, model_axis_u(&g.ax, m, c->pos - 1));
        if (xc - xp >= 2)
            draw_rect(dl, (Rect){xp, g.lanes.y, xc - xp, g.lanes.h}, draw_color_alpha(th->cursor, 22));
    }
    if (xc < g.lanes.x + g.lanes.w)
        draw_rect(dl, (Rect){xc < g.lanes.x ? g.lanes.x : xc, g.lanes.y,
                             g.lanes.x + g.lanes.w - (xc < g.lanes.x ? g.lanes.x : xc), g.lanes.h},
                  th->future_veil);
    if (r->outcome == SIM_DEADLOCK || r->outcome == SIM_RAISED || r->outcome == SIM_LIMIT) {
        int xe = panel_timeline__x(&g, g.ax.u_total);
        draw_line(dl, xe - 1, g.axis.y, xe - 1, g.lanes.y + g.lanes.h, theme_px(th, 2), th->error);
    }
    /* lecture mode: the slide's stops, numbered flags on the axis and a
     * dashed line down the lanes */
    const UiLecture *lec = c->v->lecture;
    for (uint32_t k = 0; lec && k < lec->nstops; k++) {
        int xs = panel_timeline__x(&g, model_axis_u(&g.ax, m, lec->stop_pos[k]));
        Color sc = (int)k == lec->at_stop ? th->accent : th->warning;
        for (int yy = g.lanes.y; yy < g.lanes.y + g.lanes.h; yy += theme_px(th, 8))
            draw_rect(dl, (Rect){xs, yy, theme_px(th, 2), theme_px(th, 4)}, draw_color_alpha(sc, 200));
        char num[16];
        snprintf(num, sizeof num, "%u", k + 1);
        int fw = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, num) + theme_px(th, 6);
        Rect flag = {xs, g.axis.y, fw, g.axis.h};
        draw_rect(dl, flag, sc);
        draw_text(dl, FONT_SANS_BOLD, th->fs_small, xs + theme_px(th, 3), g.axis.y + (g.axis.h - th->fs_small) / 2 - 1,
                  th->bg, num);
        if (ui__hover(c, flag) && !c->tip[0]) {
            char tip[160];
            snprintf(tip, sizeof tip, "Stop %u of this slide (step %u).\nPageDown runs to the next stop.", k + 1,
                     lec->stop_pos[k]);
            ui__tooltip(c, flag, tip);
        }
    }
    draw_line(dl, xc, g.axis.y, xc, g.lanes.y + g.lanes.h, theme_px(th, 2), th->cursor);
    int ah = theme_px(th, 5);
    draw_tri(dl, xc - ah, g.axis.y, xc + ah, g.axis.y, xc, g.axis.y + ah + 1, th->cursor);
    draw_chain(c, &g);
    draw_clip_pop(dl);

    /* ---- hover, click ---- */
    if (hover_lane != SIM_NONE && !c->tip[0])
        lane_tip(c, &g, hover_lane,
                 (Rect){g.lanes.x, panel_timeline__lane_y(&g, hover_lane) - g.lane_h / 2, g.lanes.w, g.lane_h});
    Rect seek_r = {g.lanes.x, g.axis.y, g.lanes.w, g.axis.h + g.lanes.h};
    if (ui__clicked(c, seek_r)) {
        double u = u_of_x(&g, c->in->mx);
        uint32_t k = model_axis_boundary_at(&g.ax, m, u);
        if (k < r->nsteps && u - model_axis_u(&g.ax, m, k) > model_axis_u(&g.ax, m, k + 1) - u)
            k++;
        ui__seek(c, k);
        if (hover_lane != SIM_NONE) {
            uint32_t kk = model_axis_boundary_at(&g.ax, m, u);
            const LaneSpan *sp = model_span_at(m, hover_lane, kk);
            if (sp && sp->state == SPAN_RUNNING && sp->s0 > 0 && rec_step(r, sp->s0 - 1).kind == STEP_PICK)
                ui__select(c, SEL_STEP, sp->s0 - 1);
        }
    }
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 5), g.lanes.y, theme_px(th, 4), g.lanes.h},
                  st->lane_scroll, (float)vis, (float)nt);
    if (nt > (uint32_t)vis) {
        char more[64];
        snprintf(more, sizeof more, "lanes %u-%u of %u", g.first_lane + 1,
                 g.first_lane + (uint32_t)vis < nt ? g.first_lane + (uint32_t)vis : nt, nt);
        draw_text_fit(dl, FONT_SANS, th->fs_small, body.x + th->pad, g.axis.y + 1, g.label_w - th->pad, th->text_faint, more);
    } else {
        draw_text_fit(dl, FONT_SANS, th->fs_small, body.x + th->pad, g.axis.y + 1, g.label_w - th->pad, th->text_faint, "task");
    }
    /* a legend in the axis strip's second row, under the names */
    {
        int lx = body.x + th->pad, ly = g.axis.y + th->small_row_h + 2;
        int sq = th->small_row_h / 2;
        const struct { Color c; const char *t; } leg[] = {{th->running, "run"}, {th->ready, "ready"}, {th->wait[WAIT_TIMER], "wait"}};
        for (int i = 0; i < 3; i++) {
            int tw = draw_text_width(dl, FONT_SANS, th->fs_small, leg[i].t);
            if (lx + sq + tw + 2 > body.x + g.label_w - 2)
                break;
            draw_rect(dl, (Rect){lx, ly + sq / 2, sq, sq}, leg[i].c);
            draw_text(dl, FONT_SANS, th->fs_small, lx + sq + 2, ly, th->text_faint, leg[i].t);
            lx += sq + tw + th->pad;
        }
        Rect legr = {body.x, ly, g.label_w, th->small_row_h};
        if (ui__hover(c, legr))
            ui__tooltip(c, legr,
                        "Lanes: green = running; amber = ready but not picked yet (in the ready queue); blue/purple "
                        "= waiting, by kind (timer, I/O, task, Event, Lock, Queue...); red stripes across all lanes = "
                        "the loop is blocked by a blocking call. Zoomed out, a pixel that holds many spans shows "
                        "the larger of ready and waiting, with green rims at top and bottom as thick as the share "
                        "the task ran there. Marks: flag = created, grey square = done, orange X = cancelled, red "
                        "triangle = failed, white diamond = print. Orange arrows: the causal chain of the "
                        "selection.");
    }
    ui__panel_end(c);
}
