/* panel_console.c -- what the program printed so far, with virtual timestamps.
 *
 * Shows the Recording's console lines printed by the steps already applied
 * (model_lines_before), each with its virtual time and a bar in the colour
 * of the task that printed it. A printed text with newlines in it fills
 * several rows, each stamped with its time, as a terminal and the
 * conformance harness show it. asyncio's stderr messages (Recording.logs:
 * "Task exception was never retrieved") sit in their place among the lines,
 * in the error colour, as a terminal shows both streams (model_con_*).
 * It sticks to the bottom while the run
 * advances unless the user scrolls up. Clicking a line seeks to just after
 * the step that printed it and selects that step for "Why is this here?".
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

void panel_console_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const Recording *r = c->v->rec;
    const UiModel *m = c->v->model;
    uint32_t n = model_con_rows(m, model_con_before(m, c->pos)), total = model_con_rows(m, m->ncon);
    char note[64];
    snprintf(note, sizeof note, "%u of %u line%s %s", n, total, total == 1 ? "" : "s",
             r->nlogs ? "printed or logged" : "printed");
    Rect body = ui__panel_begin(c, P_CONSOLE, "Console", note);
    int lh = th->mono_row_h;
    int rows = (body.h - th->gap) / lh;
    if (rows < 1)
        rows = 1;
    float wh = ui__wheel(c, body);
    if (wh != 0) {
        st->console_scroll -= wh * 3;
        st->console_follow = false;
    }
    float maxs = (float)n - (float)rows;
    if (maxs < 0)
        maxs = 0;
    if (st->console_follow || st->last_pos != c->pos)
        st->console_scroll = maxs;
    if (st->console_scroll >= maxs) {
        st->console_scroll = maxs;
        st->console_follow = true;
    }
    if (st->console_scroll < 0)
        st->console_scroll = 0;
    if (n == 0)
        draw_text(dl, FONT_SANS, th->fs_small, body.x + th->pad, body.y + th->gap, th->text_faint,
                  m->ncon ? "Nothing printed yet." : "This program prints nothing.");
    uint32_t first = (uint32_t)st->console_scroll;
    int stamp_w = draw_text_width(dl, FONT_MONO, th->fs_small, "[000.000]") + th->pad;
    int fh = draw_text_height(dl, FONT_MONO, th->fs_mono);
    for (uint32_t row_i = first; row_i < n && (int)(row_i - first) < rows + 1; row_i++) {
        uint32_t e = model_con_of_row(m, row_i), k = m->con_ent[e];
        bool log = (k & CON_LOG) != 0;
        const ConsoleLine *ln = log ? &r->logs[k & ~CON_LOG] : &r->lines[k];
        int y = body.y + th->gap / 2 + (int)(row_i - first) * lh;
        Rect row = {body.x, y, body.w, lh};
        uint32_t ps = model_con_step(m, e);
        bool fresh = ps + 1 == c->pos;
        bool sel = st->sel_kind == SEL_STEP && st->sel_id == ps;
        if (fresh)
            draw_rect(dl, row, draw_color_alpha(th->running, 40));
        if (sel)
            draw_rect(dl, row, th->select);
        Color tc = ln->task != SIM_NONE ? theme_task_color(ln->task) : th->text_dim;
        draw_rect(dl, (Rect){body.x + th->pad / 2, y + 2, theme_px(th, 3), lh - 4}, tc);
        char stamp[32], t[24];
        vtime_format(rec_step_time(r, ps), 3, t, sizeof t);
        snprintf(stamp, sizeof stamp, "[%7s]", t);
        int ty = y + (lh - fh) / 2;
        draw_text(dl, FONT_MONO, th->fs_small, body.x + th->pad + theme_px(th, 2), ty + theme_px(th, 1),
                  th->text_faint, stamp);
        const char *text = rec_text(r, ln->text), *part = text;
        for (uint32_t q = model_con_rows(m, e); q < row_i && strchr(part, '\n'); q++)
            part = strchr(part, '\n') + 1; /* this row's part of the text */
        char seg[512];
        size_t sl = strcspn(part, "\n");
        snprintf(seg, sizeof seg, "%.*s", (int)(sl < sizeof seg ? sl : sizeof seg - 1), part);
        int tx = body.x + th->pad + stamp_w;
        draw_text_fit(dl, FONT_MONO, th->fs_mono, tx, ty, body.x + body.w - tx - th->pad,
                      log ? th->error : th->text, seg);
        if (ui__hover(c, row)) {
            draw_rect(dl, row, th->hover);
            char tip[900], t2[24];
            vtime_format(rec_step_time(r, ps), 3, t2, sizeof t2);
            if (log)
                snprintf(tip, sizeof tip, "%s\nLogged on stderr by asyncio at t=%s (step %u): %s (CPython also "
                         "prints the traceback).\nClick: go to that step.",
                         text, t2, ps,
                         strncmp(text, LOG_NEVER_RETRIEVED, strlen(LOG_NEVER_RETRIEVED)) == 0
                             ? "nothing holds the failed task any more (a bare create_task, or its last "
                               "variable let go here), so CPython freed it, its exception never retrieved"
                             : "asyncio.run's shutdown cancelled the task, and it ended with another exception");
            else
                snprintf(tip, sizeof tip, "%s\nPrinted by %s at t=%s (step %u, iteration %u).\nClick: go to that "
                         "step and see why it ran then.",
                         text, ui__task_name(c, ln->task), t2, ps, ps < r->nsteps ? rec_step(r, ps).iter : 0);
            ui__tooltip(c, row, tip);
        }
        if (ui__clicked(c, row)) {
            ui__seek(c, ps + 1);
            ui__select(c, SEL_STEP, ps);
        }
    }
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 4), body.y, theme_px(th, 3), body.h},
                  st->console_scroll, (float)rows, (float)n);
    ui__panel_end(c);
}
