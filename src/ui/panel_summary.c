/* panel_summary.c -- per-task totals beside the timeline's lanes.
 *
 * For each task, the virtual seconds and the number of loop iterations it
 * spent in each of the four states: running, ready but not picked, waiting,
 * and frozen by a blocked loop (model.c computes them once per run). Rows
 * line up with the timeline's lanes and scroll with them. The "ready"
 * column is the one no other tool shows: time a task could have run but
 * waited its turn in the ready queue.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

/* "0", "0.25", "1.5", "12.3", "123", "12k" + "s". */
static void compact_secs(VTime t, char *buf, size_t n)
{
    double s = (double)t / 1e9;
    if (t == 0)
        snprintf(buf, n, "0s");
    else if (s < 0.001)
        snprintf(buf, n, "<.001s");
    else if (s < 10)
        snprintf(buf, n, "%.3gs", s);
    else if (s < 1000)
        snprintf(buf, n, "%.0fs", s);
    else
        snprintf(buf, n, "%.0fks", s / 1000);
}

void panel_summary_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    const Recording *r = c->v->rec;
    const UiModel *m = c->v->model;
    if (!c->L->shown[P_SUMMARY])
        return;
    Rect body = ui__panel_begin(c, P_SUMMARY, "Per-task totals", "seconds, iterations");
    TlGeom g;
    panel_timeline_geom(c, &g);
    static const char *const heads[4] = {"running", "ready", "waiting", "blocked"};
    Color cols[4] = {th->running, th->ready, th->wait[WAIT_TIMER], th->blocked};
    int cw = (body.w - th->pad) / 4;
    int hy = g.axis.y + (g.axis.h - th->small_row_h) / 2;
    draw_rect(dl, (Rect){body.x, g.axis.y, body.w, g.axis.h}, th->panel_alt);
    for (int k = 0; k < 4; k++) {
        int x = body.x + th->pad / 2 + k * cw;
        draw_rect(dl, (Rect){x, hy + th->small_row_h / 4, theme_px(th, 3), th->small_row_h / 2}, cols[k]);
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs_small, x + theme_px(th, 6), hy, cw - theme_px(th, 8),
                      k == 1 ? th->ready : th->text_dim, heads[k]);
    }
    Rect hdr = {body.x, g.axis.y, body.w, g.axis.h};
    if (ui__hover(c, hdr))
        ui__tooltip(c, hdr,
                    "For each task: virtual seconds and loop iterations spent running, ready (its step was in the "
                    "ready queue but not picked yet), waiting (on a timer, I/O, a task, an Event, a Lock, a Queue) "
                    "and frozen while a blocking call held the whole loop.");
    int vis = g.lanes.h / g.lane_h + 2;
    draw_clip_push(dl, (Rect){body.x, g.lanes.y, body.w, g.lanes.h});
    for (uint32_t t = g.first_lane; t < r->ntasks && t < g.first_lane + (uint32_t)vis; t++) {
        int y = g.lanes.y + (int)((t - g.first_lane) * (uint32_t)g.lane_h) - (int)g.lane_off;
        Rect row = {body.x, y, body.w, g.lane_h};
        if (t % 2)
            draw_rect(dl, row, draw_color_alpha(th->panel_alt, 160));
        const TaskTotals *tt = &m->totals[t];
        int fh = draw_text_height(dl, FONT_MONO, th->fs_small);
        for (int k = 0; k < 4; k++) {
            char sbuf[24], ibuf[24];
            compact_secs(tt->t[k], sbuf, sizeof sbuf);
            if (tt->iters[k] < 10000)
                snprintf(ibuf, sizeof ibuf, " %uit", tt->iters[k]);
            else if (tt->iters[k] < 10000000)
                snprintf(ibuf, sizeof ibuf, " %uk", tt->iters[k] / 1000);
            else
                snprintf(ibuf, sizeof ibuf, " %uM", tt->iters[k] / 1000000);
            int x = body.x + th->pad / 2 + k * cw + theme_px(th, 6);
            bool zero = tt->t[k] == 0 && tt->iters[k] == 0;
            int w1 = draw_text_fit(dl, FONT_MONO, th->fs_small, x, y + (g.lane_h - fh) / 2, cw - theme_px(th, 8),
                                   zero ? th->text_faint : th->text, sbuf);
            draw_text_fit(dl, FONT_MONO, th->fs_small, x + w1, y + (g.lane_h - fh) / 2,
                          cw - theme_px(th, 8) - w1, th->text_faint, ibuf);
        }
        if (ui__hover(c, row)) {
            char tip[512], s[4][24];
            for (int k = 0; k < 4; k++)
                vtime_format(tt->t[k], 3, s[k], sizeof s[k]);
            snprintf(tip, sizeof tip,
                     "%s\nrunning %s s in %u iterations\nready (queued, not picked) %s s in %u\nwaiting %s s in %u\n"
                     "frozen by a blocked loop %s s in %u",
                     ui__task_name(c, t), s[0], tt->iters[0], s[1], tt->iters[1], s[2], tt->iters[2], s[3],
                     tt->iters[3]);
            ui__tooltip(c, row, tip);
        }
    }
    draw_clip_pop(dl);
    ui__panel_end(c);
}
