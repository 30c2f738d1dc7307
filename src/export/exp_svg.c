/* exp_svg.c -- a finished run's timeline as a standalone SVG picture.
 *
 * What a browser shows (top to bottom): the scenario's title and a line of
 * facts; a time axis in seconds with grid lines; one lane per task, its
 * name at the left (asyncio's own tasks in grey italics); the lane's spans
 * in the app's colours (ui/theme.c): running green at full height, ready
 * (in the queue, not yet picked) amber at 3/4, waiting at 1/2 in a blue or
 * purple per kind, labelled when wide enough; a blocking call as a hatched
 * red band across every lane; prints as small dark triangles at the top of
 * the lane; created / done / cancelled / failed marks; then a legend. Every
 * shape carries a <title>, which browsers show as a tooltip.
 *
 * x is virtual time only, so a step of zero duration has no width: such
 * spans are drawn at least 2 px wide (running, ready) or 1 px (waiting).
 * Spans narrower than a pixel are aggregated per pixel column and drawn
 * once with their most telling state (running > ready > waiting): on a
 * time axis a step takes no time, so a share of the column (what the app's
 * timeline draws, its axis giving steps a width) would hide every run;
 * the tooltip counts what was merged. Prints are aggregated the same
 * way; past MAX_LANES tasks the rest are counted, not drawn. So the file
 * grows with lanes x width, not with the number of steps.
 *
 * Numbers are written from integers ("%ld.%ld" tenths of a pixel, seconds
 * from nanoseconds), never through printf's %f, so the locale cannot change
 * the file. Text is XML-escaped; characters XML 1.0 forbids become '?'.
 *
 * Depends on: core.h, exp_chrome.h (span words), mem.h, out.h.
 * Used by: main.c (export --svg), tests/fuzz.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp_chrome.h"
#include "exp_svg.h"
#include "mem.h" /* every allocation can be made to fail in tests (tests/oom) */
#include "obuf.h"
#include "out.h"

#define SVG_W 1360
#define PLOT_X 200.0
#define PLOT_W (SVG_W - PLOT_X - 30.0)
#define LABEL_X 12.0
#define LABEL_W (PLOT_X - LABEL_X - 10.0)
#define LANES_TOP 92
#define MAX_LANES 2000
#define FONT "DejaVu Sans, sans-serif"
#define INK "#1f2328"
#define INK_DIM "#57606a"

/* The app's palette (ui/theme.c), repeated here: export/ does not see ui/. */
static const char *const C_RUNNING = "#3fcf8e";
static const char *const C_READY = "#f5c04a";
static const char *const C_BLOCKED = "#e5484d";
static const char *const C_BLOCKED_STRIPE = "#7a1d22";
static const char *const wait_color[WAIT__COUNT] = {
    [WAIT_NONE] = "#4f6fb0",       [WAIT_TIMER] = "#4a78d6",      [WAIT_IO] = "#8c64d8",
    [WAIT_TASK] = "#2f9fb3",       [WAIT_GATHER] = "#2b8a9e",     [WAIT_WAIT_FOR] = "#5e83b8",
    [WAIT_EVENT] = "#c46aa8",      [WAIT_LOCK] = "#b0608a",       [WAIT_QUEUE_GET] = "#7b6fc4",
    [WAIT_QUEUE_PUT] = "#6a5fb0",  [WAIT_QUEUE_JOIN] = "#5d55a0", [WAIT_GROUP] = "#2c7d8f",
    [WAIT_READY] = "#f5c04a",      [WAIT_SHIELD] = "#3f9a86",     [WAIT_AS_COMPLETED] = "#4b8fa8",
};
static const char *const wait_legend[WAIT__COUNT] = {
    [WAIT_NONE] = "waiting",          [WAIT_TIMER] = "waiting: timer (sleep)",
    [WAIT_IO] = "waiting: I/O",       [WAIT_TASK] = "waiting: a task",
    [WAIT_GATHER] = "waiting: gather", [WAIT_WAIT_FOR] = "waiting: wait_for",
    [WAIT_EVENT] = "waiting: Event",  [WAIT_LOCK] = "waiting: Lock/Semaphore",
    [WAIT_QUEUE_GET] = "waiting: Queue get", [WAIT_QUEUE_PUT] = "waiting: Queue put",
    [WAIT_QUEUE_JOIN] = "waiting: Queue join", [WAIT_GROUP] = "waiting: TaskGroup",
    [WAIT_READY] = "ready",           [WAIT_SHIELD] = "waiting: shield",
    [WAIT_AS_COMPLETED] = "waiting: as_completed",
};

/* ---- output buffer ---------------------------------------------------------- */

typedef OutBuf Buf; /* obuf.h */

/* A coordinate with one decimal, from integer tenths (locale-free). */
static void put_px(Buf *b, double v)
{
    if (!isfinite(v))
        v = 0;
    long t = lround(v * 10.0);
    if (t < 0) {
        obuf_put(b, "-", 1);
        t = -t;
    }
    if (t % 10)
        obuf_printf(b, "%ld.%ld", t / 10, t % 10);
    else
        obuf_printf(b, "%ld", t / 10);
}

/* Length in bytes of the UTF-8 character starting at z (1 for a stray byte). */
static size_t u8len(const char *z)
{
    unsigned char c = (unsigned char)z[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)z[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* XML text or attribute content: escaped, at most `max_chars` characters
 * (then "…"); newlines kept when `newlines`, else shown as spaces;
 * characters XML 1.0 forbids as '?'. */
static void put_xml_n(Buf *b, const char *z, size_t max_chars, bool newlines)
{
    size_t chars = 0;
    while (*z) {
        if (chars == max_chars) {
            obuf_puts(b, "\xE2\x80\xA6");
            return;
        }
        unsigned char c = (unsigned char)*z;
        size_t n = u8len(z);
        chars++;
        if (n > 1) {
            bool bad = n == 3 && c == 0xEF && (unsigned char)z[1] == 0xBF && (unsigned char)z[2] >= 0xBE;
            if (bad)
                obuf_put(b, "?", 1);
            else
                obuf_put(b, z, n);
            z += n;
            continue;
        }
        z++;
        switch (c) {
        case '&': obuf_puts(b, "&amp;"); break;
        case '<': obuf_puts(b, "&lt;"); break;
        case '>': obuf_puts(b, "&gt;"); break;
        case '"': obuf_puts(b, "&quot;"); break;
        case '\'': obuf_puts(b, "&apos;"); break;
        case '\n': obuf_puts(b, newlines ? "&#10;" : " "); break;
        case '\t': obuf_put(b, " ", 1); break;
        default:
            if (c < 0x20 || c >= 0x80)
                obuf_put(b, "?", 1);
            else
                obuf_put(b, (const char *)&c, 1);
            break;
        }
    }
}

static void put_xml(Buf *b, const char *z) { put_xml_n(b, z, SIZE_MAX, true); }

/* Characters of z (UTF-8) up to `max`. */
static size_t u8count(const char *z)
{
    size_t n = 0;
    while (*z) {
        z += u8len(z);
        n++;
    }
    return n;
}

/* Seconds with `dec` decimals from nanoseconds, rounded, trailing zeros
 * dropped when `trim`. */
static void fmt_s(VTime ns, int dec, bool trim, char *buf, size_t n)
{
    static const int64_t scale[] = {1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};
    if (dec < 0)
        dec = 0;
    if (dec > 9)
        dec = 9;
    const char *sign = ns < 0 ? "-" : "";
    if (ns < 0)
        ns = -ns;
    int64_t unit = scale[dec];
    int64_t v = (ns + unit / 2) / unit; /* in units of 10^-dec s */
    int64_t p10 = scale[9 - dec];        /* 10^dec */
    if (dec == 0) {
        snprintf(buf, n, "%s%" PRId64, sign, v);
        return;
    }
    char f[12];
    snprintf(f, sizeof f, "%0*d", dec, (int)(v % p10));
    if (trim) {
        for (int i = dec - 1; i >= 0 && f[i] == '0'; i--)
            f[i] = '\0';
    }
    if (f[0])
        snprintf(buf, n, "%s%" PRId64 ".%s", sign, v / p10, f);
    else
        snprintf(buf, n, "%s%" PRId64, sign, v / p10);
}

/* ---- the picture ------------------------------------------------------------- */

typedef struct Svg {
    Buf b;
    const Recording *r;
    const Program *p;
    VTime tend;          /* the axis ends here (> 0) */
    int lane_h;
    uint32_t nlanes;     /* lanes drawn */
    uint32_t *first;     /* ntasks + 1 offsets into spans_of */
    uint32_t *spans_of;  /* span ids per task, in order */
    uint32_t *lfirst;    /* ntasks + 1 offsets into lines_of */
    uint32_t *lines_of;  /* console line ids per task, in order */
    bool wait_seen[WAIT__COUNT];
    bool any_blocked;
} Svg;

static double xat(const Svg *g, VTime t)
{
    if (t < 0)
        t = 0;
    if (t > g->tend)
        t = g->tend;
    return PLOT_X + (double)t / (double)g->tend * PLOT_W;
}

static const char *task_name(const Recording *r, uint32_t t)
{
    return t < r->ntasks ? rec_text(r, r->tasks[t].name) : "?";
}

static int rank(uint8_t state) { return state == SPAN_RUNNING ? 3 : state == SPAN_READY ? 2 : 1; }

static const char *span_color(uint8_t state, uint8_t wait)
{
    switch (state) {
    case SPAN_RUNNING: return C_RUNNING;
    case SPAN_READY: return C_READY;
    case SPAN_BLOCKED: return C_BLOCKED;
    default: return wait < WAIT__COUNT ? wait_color[wait] : wait_color[WAIT_NONE];
    }
}

/* A rect with a tooltip; `title` is written by the caller right after
 * (open_rect leaves the element open), then close_rect. */
static void open_rect(Svg *g, double x, double y, double w, double h, const char *fill)
{
    obuf_puts(&g->b, "<rect x=\"");
    put_px(&g->b, x);
    obuf_puts(&g->b, "\" y=\"");
    put_px(&g->b, y);
    obuf_puts(&g->b, "\" width=\"");
    put_px(&g->b, w);
    obuf_puts(&g->b, "\" height=\"");
    put_px(&g->b, h);
    obuf_printf(&g->b, "\" fill=\"%s\"><title>", fill);
}

static void close_rect(Svg *g) { obuf_puts(&g->b, "</title></rect>\n"); }

static void text_at(Svg *g, double x, double y, int size, const char *fill, const char *extra,
                    const char *z, size_t max_chars)
{
    obuf_puts(&g->b, "<text x=\"");
    put_px(&g->b, x);
    obuf_puts(&g->b, "\" y=\"");
    put_px(&g->b, y);
    obuf_printf(&g->b, "\" font-size=\"%d\" fill=\"%s\"%s%s>", size, fill, extra ? " " : "", extra ? extra : "");
    put_xml_n(&g->b, z, max_chars, false);
    obuf_puts(&g->b, "</text>\n");
}

/* How many characters of a `size` px font fit in `px` (DejaVu Sans is
 * about 0.6 em wide on average). */
static size_t fit_chars(double px, int size)
{
    double n = px / (0.6 * size);
    return n < 1 ? 0 : (size_t)n;
}

/* ---- one lane -------------------------------------------------------------------- */

typedef struct Seg {
    double x0, x1;
    VTime t0, t1;
    uint32_t span;      /* the most telling span */
    uint32_t s0, s1;    /* step range covered */
    uint32_t n, nrun, nready, nwait;
    bool open;
} Seg;

static void seg_add(Seg *s, const Recording *r, uint32_t id)
{
    Span sp_ = rec_span(r, id);
    const Span *sp = &sp_;
    if (!s->n || rank(sp->state) > rank(r->spans[s->span].state))
        s->span = id;
    if (!s->n) {
        s->t0 = sp->t0;
        s->s0 = sp->s0;
    }
    s->t1 = sp->t1;
    s->s1 = sp->s1;
    s->n++;
    if (sp->state == SPAN_RUNNING)
        s->nrun++;
    else if (sp->state == SPAN_READY)
        s->nready++;
    else
        s->nwait++;
}

static void draw_seg(Svg *g, uint32_t task, const Seg *s, double y0)
{
    const Recording *r = g->r;
    Span sp_ = rec_span(r, s->span);
    const Span *sp = &sp_;
    double h = g->lane_h;
    double inner = h - (h >= 16 ? 4 : h >= 8 ? 2 : 1);
    double sh = sp->state == SPAN_RUNNING ? inner : sp->state == SPAN_READY ? inner * 0.75 : inner * 0.5;
    if (sh < 2)
        sh = 2;
    double x0 = s->x0, w = s->x1 - s->x0;
    double minw = sp->state == SPAN_RUNNING ? 3.0 : sp->state == SPAN_READY ? 2.0 : 1.0;
    if (w < minw) {
        w = minw;
        if (x0 + w > PLOT_X + PLOT_W + 2)
            x0 = PLOT_X + PLOT_W + 2 - w;
    }
    char words[256], a[32], b2[32], d[32];
    exp_chrome_span_words(r, g->p, sp, words, sizeof words);
    fmt_s(s->t0, 3, false, a, sizeof a);
    fmt_s(s->t1, 3, false, b2, sizeof b2);
    fmt_s(s->t1 - s->t0, 3, false, d, sizeof d);
    open_rect(g, x0, y0 + (h - sh) / 2, w, sh, span_color(sp->state, sp->wait));
    put_xml_n(&g->b, task_name(r, task), 200, true);
    if (s->n == 1)
        obuf_printf(&g->b, ": ");
    else
        obuf_printf(&g->b, ": %u spans in one pixel (running %u, ready %u, waiting %u), the most telling: ", s->n,
             s->nrun, s->nready, s->nwait);
    put_xml(&g->b, words);
    obuf_printf(&g->b, "&#10;t = %s .. %s s (%s s), steps %u..%u", a, b2, d, s->s0, s->s1 ? s->s1 - 1 : 0);
    close_rect(g);
    /* a label inside a wide waiting span */
    if (s->n == 1 && sp->state == SPAN_WAITING && g->lane_h >= 16 && w >= 48) {
        size_t k = fit_chars(w - 8, 10);
        if (k >= 4)
            text_at(g, x0 + 4, y0 + h / 2 + 3.5, 10, "#ffffff", "pointer-events=\"none\"", words, k);
    }
}

static void lane(Svg *g, uint32_t t, double y0)
{
    const Recording *r = g->r;
    const Program *p = g->p;
    const TaskInfo *ti = &r->tasks[t];
    double h = g->lane_h;
    /* background and name */
    obuf_puts(&g->b, "<rect x=\"0\" y=\"");
    put_px(&g->b, y0);
    obuf_printf(&g->b, "\" width=\"%d\" height=\"", SVG_W);
    put_px(&g->b, h);
    obuf_printf(&g->b, "\" fill=\"%s\"/>\n", t % 2 ? "#ffffff" : "#f3f5f8");
    if (h >= 8) {
        int fs = h >= 20 ? 12 : (int)h - 3;
        const char *nm = task_name(r, t);
        size_t k = fit_chars(LABEL_W, fs);
        obuf_puts(&g->b, "<text x=\"");
        put_px(&g->b, LABEL_X);
        obuf_puts(&g->b, "\" y=\"");
        put_px(&g->b, y0 + h / 2 + fs * 0.36);
        obuf_printf(&g->b, "\" font-size=\"%d\" fill=\"%s\"%s>", fs, ti->internal ? INK_DIM : INK,
             ti->internal ? " font-style=\"italic\"" : " font-weight=\"bold\"");
        obuf_puts(&g->b, "<title>");
        put_xml(&g->b, nm);
        obuf_printf(&g->b, ": %s", ti->internal ? "asyncio's own task" : "coroutine ");
        if (!ti->internal && ti->coro < p->ncoros) {
            put_xml(&g->b, prog_s(p, p->coros[ti->coro].name));
            obuf_puts(&g->b, "()");
        }
        obuf_puts(&g->b, ", created by ");
        put_xml(&g->b, ti->parent < r->ntasks ? task_name(r, ti->parent) : "asyncio.run");
        obuf_puts(&g->b, "</title>");
        put_xml_n(&g->b, nm, u8count(nm) > k ? (k > 1 ? k - 1 : 0) : SIZE_MAX, false);
        obuf_puts(&g->b, "</text>\n");
    }
    /* spans, aggregated per pixel column; wide ones first, ticks on top */
    uint32_t a = g->first[t], z = g->first[t + 1];
    for (int pass = 0; pass < 2; pass++) {
        Seg bk = {0};
        long bcol = -1;
        for (uint32_t k = a; k <= z; k++) {
            Span sp_ = k < z ? rec_span(r, g->spans_of[k]) : (Span){0};
            const Span *sp = k < z ? &sp_ : NULL;
            double x0 = sp ? xat(g, sp->t0) : 0, x1 = sp ? xat(g, sp->t1) : 0;
            bool wide = sp && x1 - x0 >= 1.0;
            long col = sp ? (long)floor(x0) : -2;
            if (bk.open && (!sp || wide || col != bcol)) {
                if (pass == 1)
                    draw_seg(g, t, &bk, y0);
                memset(&bk, 0, sizeof bk);
            }
            if (!sp)
                break;
            if (wide) {
                if (pass == 0) {
                    Seg s = {0};
                    seg_add(&s, r, g->spans_of[k]);
                    s.x0 = x0;
                    s.x1 = x1;
                    draw_seg(g, t, &s, y0);
                }
                continue;
            }
            if (!bk.open) {
                bk.open = true;
                bk.x0 = bk.x1 = x0;
                bcol = col;
            }
            seg_add(&bk, r, g->spans_of[k]);
        }
    }
    if (h < 8)
        return;
    /* prints: a dark triangle at the top of the lane, one per pixel column */
    for (uint32_t k = g->lfirst[t]; k < g->lfirst[t + 1];) {
        long col = (long)floor(xat(g, rec_line_time(r, g->lines_of[k])));
        uint32_t e = k;
        while (e < g->lfirst[t + 1] && (long)floor(xat(g, rec_line_time(r, g->lines_of[e]))) == col)
            e++;
        double x = xat(g, rec_line_time(r, g->lines_of[k]));
        obuf_puts(&g->b, "<path d=\"M");
        put_px(&g->b, x - 4);
        obuf_put(&g->b, " ", 1);
        put_px(&g->b, y0 + 1);
        obuf_puts(&g->b, "h8l-4 6z\" fill=\"" INK "\" stroke=\"#ffffff\" stroke-width=\"0.6\"><title>");
        for (uint32_t q = k; q < e && q < k + 8; q++) {
            const ConsoleLine *lq = &r->lines[g->lines_of[q]];
            char ts[48];
            fmt_s(rec_line_time(r, g->lines_of[q]), 3, false, ts, sizeof ts);
            obuf_printf(&g->b, "%sprint at t = %s s (step %u): ", q > k ? "&#10;" : "", ts, lq->step);
            put_xml_n(&g->b, rec_text(r, lq->text), 160, false);
        }
        if (e - k > 8)
            obuf_printf(&g->b, "&#10;... and %u more", e - k - 8);
        obuf_puts(&g->b, "</title></path>\n");
        k = e;
    }
    /* created / ended marks */
    double ym = y0 + h / 2;
    if (ti->created < r->nsteps) {
        char ts[48];
        double x = xat(g, rec_step_time(r, ti->created));
        fmt_s(rec_step_time(r, ti->created), 3, false, ts, sizeof ts);
        obuf_puts(&g->b, "<path d=\"M");
        put_px(&g->b, x - 1);
        obuf_put(&g->b, " ", 1);
        put_px(&g->b, ym - 5);
        obuf_puts(&g->b, "v10l-5 -5z\" fill=\"" INK_DIM "\"><title>");
        put_xml(&g->b, task_name(r, t));
        obuf_printf(&g->b, " created at t = %s s (step %u)</title></path>\n", ts, ti->created);
    }
    if (ti->ended < r->nsteps) {
        char ts[48];
        double x = xat(g, rec_step_time(r, ti->ended)) + 2;
        fmt_s(rec_step_time(r, ti->ended), 3, false, ts, sizeof ts);
        const char *what = ti->end == TASK_END_RESULT ? "done (returned)"
                           : ti->end == TASK_END_CANCELLED ? "cancelled" : "failed (raised)";
        if (ti->end == TASK_END_RESULT) {
            obuf_puts(&g->b, "<rect x=\"");
            put_px(&g->b, x);
            obuf_puts(&g->b, "\" y=\"");
            put_px(&g->b, ym - 3.5);
            obuf_puts(&g->b, "\" width=\"7\" height=\"7\" fill=\"" INK "\"><title>");
        } else if (ti->end == TASK_END_CANCELLED) {
            obuf_puts(&g->b, "<path d=\"M");
            put_px(&g->b, x);
            obuf_put(&g->b, " ", 1);
            put_px(&g->b, ym - 4);
            obuf_puts(&g->b, "l8 8m0 -8l-8 8\" stroke=\"#d9480f\" stroke-width=\"2.4\" fill=\"none\"><title>");
        } else {
            obuf_puts(&g->b, "<path d=\"M");
            put_px(&g->b, x + 4.5);
            obuf_put(&g->b, " ", 1);
            put_px(&g->b, ym - 5);
            obuf_puts(&g->b, "l4.5 5l-4.5 5l-4.5 -5z\" fill=\"#cf222e\" stroke=\"#ffffff\" stroke-width=\"0.6\"><title>");
        }
        put_xml(&g->b, task_name(r, t));
        obuf_printf(&g->b, " %s at t = %s s (step %u)</title>%s\n", what, ts, ti->ended,
             ti->end == TASK_END_RESULT ? "</rect>" : "</path>");
    }
}

/* ---- axis, blocked bands, legend ------------------------------------------------- */

/* A tick step of 1, 2 or 5 x 10^k ns giving at most ~10 ticks. */
static VTime tick_step(VTime span)
{
    VTime want = span / 10 + 1;
    for (VTime m = 1; m < INT64_MAX / 10; m *= 10) {
        if (m >= want)
            return m;
        if (2 * m >= want)
            return 2 * m;
        if (5 * m >= want)
            return 5 * m;
    }
    return span;
}

static void axis(Svg *g, double lanes_bottom)
{
    VTime step = tick_step(g->tend);
    int dec = 0;
    for (VTime u = VTIME_SEC; u > step && dec < 9; u /= 10)
        dec++;
    obuf_puts(&g->b, "<g stroke=\"#c9d1d9\" stroke-width=\"1\">\n");
    for (VTime t = 0; t <= g->tend; t += step) {
        double x = xat(g, t);
        obuf_puts(&g->b, "<line x1=\"");
        put_px(&g->b, x);
        obuf_printf(&g->b, "\" y1=\"%d\" x2=\"", LANES_TOP - 6);
        put_px(&g->b, x);
        obuf_puts(&g->b, "\" y2=\"");
        put_px(&g->b, lanes_bottom);
        obuf_puts(&g->b, "\"/>\n");
        if (t > INT64_MAX - step)
            break;
    }
    obuf_puts(&g->b, "</g>\n");
    for (VTime t = 0; t <= g->tend; t += step) {
        char s[48], lbl[64];
        fmt_s(t, dec, true, s, sizeof s);
        snprintf(lbl, sizeof lbl, "%s s", s);
        text_at(g, xat(g, t), LANES_TOP - 10, 11, INK_DIM, "text-anchor=\"middle\"", lbl, SIZE_MAX);
        if (t > INT64_MAX - step)
            break;
    }
    obuf_puts(&g->b, "<line x1=\"");
    put_px(&g->b, PLOT_X);
    obuf_printf(&g->b, "\" y1=\"%d\" x2=\"", LANES_TOP - 0);
    put_px(&g->b, PLOT_X + PLOT_W);
    obuf_printf(&g->b, "\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1\"/>\n", LANES_TOP, INK_DIM);
}

static void blocked_bands(Svg *g, double lanes_bottom)
{
    const Recording *r = g->r;
    double last_label_end = -1;
    for (uint32_t i = 0; i < r->nspans; i++) {
        if (r->spans[i].state != SPAN_BLOCKED)
            continue;
        Span sp_ = rec_span(r, i);
        const Span *sp = &sp_;
        if (sp->t1 <= sp->t0)
            continue;
        double x0 = xat(g, sp->t0), x1 = xat(g, sp->t1);
        if (x1 - x0 < 3)
            x1 = x0 + 3;
        char a[48], b2[48], d[48];
        fmt_s(sp->t0, 3, false, a, sizeof a);
        fmt_s(sp->t1, 3, false, b2, sizeof b2);
        fmt_s(sp->t1 - sp->t0, 3, true, d, sizeof d);
        open_rect(g, x0, LANES_TOP - 4, x1 - x0, lanes_bottom - LANES_TOP + 8, "url(#blocked)");
        obuf_puts(&g->b, "the event loop is blocked: ");
        put_xml(&g->b, task_name(r, sp->task));
        obuf_printf(&g->b, " runs time.sleep(%s); no task can run from t = %s to %s s", d, a, b2);
        obuf_puts(&g->b, "</title></rect>\n");
        open_rect(g, x0, LANES_TOP - 4, x1 - x0, 4, C_BLOCKED);
        obuf_printf(&g->b, "loop blocked from t = %s to %s s", a, b2);
        close_rect(g);
        char lbl[160];
        snprintf(lbl, sizeof lbl, "loop blocked %s s", d);
        if (x0 >= last_label_end) {
            text_at(g, x0 + 2, lanes_bottom + 16, 11, C_BLOCKED_STRIPE, "font-weight=\"bold\"", lbl, SIZE_MAX);
            last_label_end = x0 + 2 + 0.62 * 11 * (double)strlen(lbl) + 8;
        }
    }
}

typedef struct Legend {
    double x, y;
} Legend;

static void legend_next(Svg *g, Legend *l, const char *label)
{
    double w = 22 + 0.56 * 12 * (double)u8count(label) + 16;
    if (l->x + w > SVG_W - 12) {
        l->x = 20;
        l->y += 22;
    }
    (void)g;
}

static void legend_swatch(Svg *g, Legend *l, const char *fill, double hfrac, const char *label)
{
    legend_next(g, l, label);
    double h = 14 * hfrac;
    obuf_puts(&g->b, "<rect x=\"");
    put_px(&g->b, l->x);
    obuf_puts(&g->b, "\" y=\"");
    put_px(&g->b, l->y - 10 + (14 - h) / 2);
    obuf_puts(&g->b, "\" width=\"16\" height=\"");
    put_px(&g->b, h);
    obuf_printf(&g->b, "\" fill=\"%s\"/>\n", fill);
    text_at(g, l->x + 22, l->y + 1, 12, INK, NULL, label, SIZE_MAX);
    l->x += 22 + 0.56 * 12 * (double)u8count(label) + 16;
}

static void legend_shape(Svg *g, Legend *l, const char *svg_shape, const char *label)
{
    legend_next(g, l, label);
    obuf_puts(&g->b, "<g transform=\"translate(");
    put_px(&g->b, l->x + 8);
    obuf_put(&g->b, " ", 1);
    put_px(&g->b, l->y - 3);
    obuf_puts(&g->b, ")\">");
    obuf_puts(&g->b, svg_shape);
    obuf_puts(&g->b, "</g>\n");
    text_at(g, l->x + 22, l->y + 1, 12, INK, NULL, label, SIZE_MAX);
    l->x += 22 + 0.56 * 12 * (double)u8count(label) + 16;
}

static double legend(Svg *g, double y)
{
    Legend l = {20, y};
    text_at(g, 20, y - 20, 12, INK_DIM, "font-weight=\"bold\"", "Legend", SIZE_MAX);
    legend_swatch(g, &l, C_RUNNING, 1.0, "running");
    legend_swatch(g, &l, C_READY, 0.75, "ready (in the queue, not yet picked)");
    for (int k = WAIT_NONE; k < WAIT__COUNT; k++)
        if (g->wait_seen[k] && k != WAIT_READY)
            legend_swatch(g, &l, wait_color[k], 0.5, wait_legend[k]);
    legend_swatch(g, &l, "url(#blocked)", 1.0, "event loop blocked (time.sleep)");
    legend_shape(g, &l, "<path d=\"M-4 -3h8l-4 6z\" fill=\"" INK "\"/>", "print");
    legend_shape(g, &l, "<path d=\"M-1 -5v10l-5 -5z\" fill=\"" INK_DIM "\"/>", "created");
    legend_shape(g, &l, "<rect x=\"-3.5\" y=\"-3.5\" width=\"7\" height=\"7\" fill=\"" INK "\"/>", "done");
    legend_shape(g, &l, "<path d=\"M-4 -4l8 8m0 -8l-8 8\" stroke=\"#d9480f\" stroke-width=\"2.4\"/>", "cancelled");
    legend_shape(g, &l, "<path d=\"M0 -5l4.5 5l-4.5 5l-4.5 -5z\" fill=\"#cf222e\"/>", "failed");
    return l.y + 8;
}

/* ---- the document ------------------------------------------------------------------ */

static const char *outcome_words(SimOutcome o)
{
    switch (o) {
    case SIM_DONE: return "asyncio.run returned";
    case SIM_RAISED: return "main raised";
    case SIM_DEADLOCK: return "deadlock";
    case SIM_LIMIT: return "stopped by a limit";
    case SIM_NOMEM: return "out of memory";
    default: return "unfinished";
    }
}

/* Spans and console lines bucketed by task (stable: each task's own order). */
static bool index_run(Svg *g)
{
    const Recording *r = g->r;
    uint32_t nt = r->ntasks;
    g->first = mem_calloc((size_t)nt + 2, sizeof *g->first);
    g->lfirst = mem_calloc((size_t)nt + 2, sizeof *g->lfirst);
    g->spans_of = mem_malloc(((size_t)r->nspans + 1) * sizeof *g->spans_of);
    g->lines_of = mem_malloc(((size_t)r->nlines + 1) * sizeof *g->lines_of);
    uint32_t *fill = mem_malloc(((size_t)nt + 2) * sizeof *fill);
    if (!g->first || !g->lfirst || !g->spans_of || !g->lines_of || !fill) {
        mem_free(fill);
        return false;
    }
    for (uint32_t i = 0; i < r->nspans; i++) {
        Span sp_ = rec_span(r, i);
        const Span *sp = &sp_;
        if (sp->state == SPAN_BLOCKED) {
            g->any_blocked = true;
            if (sp->t1 > g->tend)
                g->tend = sp->t1;
            continue;
        }
        if (sp->task >= nt)
            continue;
        g->first[sp->task + 1]++;
        if (sp->t1 > g->tend)
            g->tend = sp->t1;
        if (sp->state == SPAN_WAITING && sp->wait < WAIT__COUNT)
            g->wait_seen[sp->wait] = true;
    }
    for (uint32_t i = 0; i < r->nlines; i++)
        if (r->lines[i].task < nt)
            g->lfirst[r->lines[i].task + 1]++;
    for (uint32_t t = 0; t < nt; t++) {
        g->first[t + 1] += g->first[t];
        g->lfirst[t + 1] += g->lfirst[t];
    }
    memcpy(fill, g->first, ((size_t)nt + 1) * sizeof *fill);
    for (uint32_t i = 0; i < r->nspans; i++) {
        const SpanRec *sp = &r->spans[i];
        if (sp->state != SPAN_BLOCKED && sp->task < nt)
            g->spans_of[fill[sp->task]++] = i;
    }
    memcpy(fill, g->lfirst, ((size_t)nt + 1) * sizeof *fill);
    for (uint32_t i = 0; i < r->nlines; i++)
        if (r->lines[i].task < nt)
            g->lines_of[fill[r->lines[i].task]++] = i;
    mem_free(fill);
    return true;
}

char *exp_svg_string(const Sim *s, size_t *len)
{
    Svg g;
    memset(&g, 0, sizeof g);
    g.r = sim_recording(s);
    g.p = sim_program(s);
    const Recording *r = g.r;
    const Program *p = g.p;
    char *result = NULL;
    if (!index_run(&g))
        goto done;
    if (r->end_time > g.tend)
        g.tend = r->end_time;
    bool instant_run = g.tend <= 0;
    if (instant_run)
        g.tend = VTIME_SEC;
    uint32_t nt = r->ntasks;
    g.nlanes = nt > MAX_LANES ? MAX_LANES : nt;
    g.lane_h = nt <= 24 ? 26 : nt <= 60 ? 18 : nt <= 200 ? 10 : nt <= 600 ? 6 : 3;
    double lanes_bottom = LANES_TOP + (double)g.nlanes * g.lane_h;
    double after = lanes_bottom + 26 + (nt > g.nlanes ? 18 : 0);
    /* legend height: measured by a dry run would cost a second pass; the
     * rows are estimated generously and the document height is fixed after */
    double legend_y = after + 34;

    const char *title = p->title != PROG_NONE ? prog_s(p, p->title) : "";
    if (!title[0])
        title = "loopscope scenario";
    Buf *b = &g.b;
    /* the body first, into the buffer after a placeholder header */
    obuf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    size_t header_at = b->n;
    obuf_printf(b, "%-200s\n", ""); /* replaced by the <svg> tag once the height is known */
    obuf_puts(b, "<title>");
    put_xml(b, title);
    obuf_puts(b, " \xE2\x80\x94 loopscope timeline</title>\n");
    obuf_puts(b, "<defs><pattern id=\"blocked\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#e5484d\" "
             "fill-opacity=\"0.3\"/><rect width=\"3\" height=\"8\" fill=\"#7a1d22\" fill-opacity=\"0.6\"/>"
             "</pattern></defs>\n");
    obuf_puts(b, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    text_at(&g, 20, 30, 18, INK, "font-weight=\"bold\"", title, 110);
    {
        char facts[400], end[48];
        fmt_s(r->end_time, 3, true, end, sizeof end);
        int k = snprintf(facts, sizeof facts, "%u task%s \xC2\xB7 %u steps in %u loop iterations \xC2\xB7 ends at t = %s s (%s)",
                         nt, nt == 1 ? "" : "s", r->nsteps, r->niters, end, outcome_words(r->outcome));
        if (k > 0 && (size_t)k < sizeof facts && r->outcome == SIM_RAISED && r->error_text != SIM_NONE)
            snprintf(facts + k, sizeof facts - (size_t)k, ": %s", rec_text(r, r->error_text));
        text_at(&g, 20, 52, 12, INK_DIM, NULL, facts, 170);
        text_at(&g, 20, 70, 11, INK_DIM, NULL,
                instant_run ? "virtual time in seconds; every step of this run happens at t = 0"
                            : "virtual time in seconds; hover a shape for details",
                SIZE_MAX);
    }
    for (uint32_t t = 0; t < g.nlanes; t++)
        lane(&g, t, LANES_TOP + (double)t * g.lane_h);
    axis(&g, lanes_bottom);
    blocked_bands(&g, lanes_bottom);
    if (nt > g.nlanes) {
        char more[96];
        snprintf(more, sizeof more, "... and %u more tasks, not drawn (the first %u are shown)", nt - g.nlanes,
                 g.nlanes);
        text_at(&g, 20, lanes_bottom + 34, 12, INK_DIM, NULL, more, SIZE_MAX);
    }
    double bottom = legend(&g, legend_y) + 12;
    obuf_puts(b, "</svg>\n");
    if (b->oom)
        goto done;
    {
        char head[256];
        int hn = snprintf(head, sizeof head,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%ld\" "
                          "viewBox=\"0 0 %d %ld\" font-family=\"" FONT "\">",
                          SVG_W, lround(bottom), SVG_W, lround(bottom));
        if (hn <= 0 || hn > 200)
            goto done;
        memset(b->p + header_at, ' ', 200);
        memcpy(b->p + header_at, head, (size_t)hn);
    }
    result = b->p;
    b->p = NULL;
    if (len)
        *len = b->n;
done:
    mem_free(g.b.p);
    mem_free(g.first);
    mem_free(g.lfirst);
    mem_free(g.spans_of);
    mem_free(g.lines_of);
    return result;
}

int exp_svg_write(const Sim *s, const char *path, const char *scenario_path, char *err, size_t errn)
{
    size_t n = 0;
    char *text = exp_svg_string(s, &n);
    int rc = out_save(path, scenario_path, text, n, err, errn);
    mem_free(text);
    return rc;
}
