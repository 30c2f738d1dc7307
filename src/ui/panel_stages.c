/* panel_stages.c -- the seven stages of a loop iteration, the current one lit.
 *
 * Drawn as a cycle: stage 1 (asyncio.run's initialization) feeds stage 2,
 * stages 2..7 run top to bottom, and an arrow on the left returns from 7
 * ("Repeat") to 2 for the next iteration. The lit row is the stage of the
 * step just applied, and it opens to show its explanation; below the
 * diagram, the step itself in words (sim_describe_step). Names and
 * explanations come only from stage.h (the one table of stages).
 * Clicking a stage jumps to its next event, like the keys 1-7.
 *
 * Depends on: ui_int.h, stage.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

void panel_stages_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    const Recording *r = c->v->rec;
    int cur = nav__stage_at(r, c->pos);
    char note[64] = "";
    if (cur)
        snprintf(note, sizeof note, "now: stage %d", cur);
    Rect body = ui__panel_begin(c, P_STAGES, "The seven stages of a loop iteration", note);
    int lh = th->small_row_h + theme_px(th, 1);
    int loop_w = theme_px(th, 22);
    int x = body.x + th->pad + loop_w, w = body.w - th->pad * 2 - loop_w;
    int y = body.y + th->gap;
    int fs = th->fs_small;
    int row_y[8] = {0};

    /* how many lines the explanation of the lit stage may take */
    int now_lines_min = 2;
    int avail = body.h - th->gap * 2 - 7 * lh - (now_lines_min * lh + th->gap * 2);
    int expl_max = avail / lh;
    if (expl_max > 4)
        expl_max = 4;
    if (expl_max < 0)
        expl_max = 0;

    for (int sg = 1; sg <= 7; sg++) {
        bool lit = sg == cur;
        int extra = 0;
        Rect tb = {x + theme_px(th, 26), 0, w - theme_px(th, 30), 0};
        if (lit && expl_max > 0)
            extra = draw_text_wrap(dl, FONT_SANS, fs, tb, lh, expl_max, th->text, stage_text(sg), true);
        Rect row = {x, y, w, lh + extra * lh + (extra ? theme_px(th, 3) : 0)};
        row_y[sg] = y;
        if (lit) {
            draw_rect(dl, row, draw_color_alpha(th->accent, 60));
            draw_frame(dl, row, th->accent, theme_px(th, 1));
        }
        bool hot = ui__hover(c, row);
        if (hot)
            draw_rect(dl, row, th->hover);
        /* number disc */
        int d = lh - theme_px(th, 3);
        Rect disc = {x + theme_px(th, 3), y + (lh - d) / 2, d + theme_px(th, 4), d};
        draw_rect(dl, disc, lit ? th->accent : th->panel_alt);
        char num[4];
        snprintf(num, sizeof num, "%d", sg);
        int nw = draw_text_width(dl, FONT_SANS_BOLD, fs, num);
        draw_text(dl, FONT_SANS_BOLD, fs, disc.x + (disc.w - nw) / 2,
                  disc.y + (disc.h - draw_text_height(dl, FONT_SANS_BOLD, fs)) / 2, lit ? th->bg : th->text_dim, num);
        draw_text_fit(dl, lit ? FONT_SANS_BOLD : FONT_SANS, fs, tb.x,
                      y + (lh - draw_text_height(dl, FONT_SANS, fs)) / 2, tb.w, lit ? th->text : th->text_dim,
                      stage_name(sg));
        if (extra) {
            tb.y = y + lh;
            draw_text_wrap(dl, FONT_SANS, fs, tb, lh, expl_max, th->text, stage_text(sg), false);
        }
        if (hot) {
            char tip[400];
            snprintf(tip, sizeof tip, "%d %s: %s\nClick (or press %d) to jump to its next event; Shift+%d: previous.",
                     sg, stage_name(sg), stage_text(sg), sg, sg);
            ui__tooltip(c, row, tip);
        }
        if (ui__clicked(c, row) && c->v->model) {
            c->st->stage_pick = (uint8_t)sg;
            ui__seek(c, nav__next_stage(c->v->model, c->pos, sg));
        }
        y += row.h + (sg == 1 ? theme_px(th, 4) : 0);
    }

    /* the cycle: 1 -> 2, and 7 back to 2 */
    Color lc = th->text_faint;
    int lx = body.x + th->pad + loop_w / 2;
    int t2 = row_y[2] + lh / 2, t7 = row_y[7] + lh / 2;
    int ah = theme_px(th, 4);
    int th1 = theme_px(th, 1) + (th->scale > 1.5f ? 1 : 0);
    draw_line(dl, lx, t7, x - theme_px(th, 2), t7, th1, lc);
    draw_line(dl, lx, t2, lx, t7, th1, lc);
    draw_line(dl, lx, t2, x - ah, t2, th1, lc);
    draw_tri(dl, x - ah * 2, t2 - ah, x - ah * 2, t2 + ah, x - 1, t2, lc);
    int t1 = row_y[1] + lh / 2;
    draw_line(dl, lx - ah, t1, lx + ah, t1, th1, lc);
    draw_line(dl, lx + ah, t1, lx + ah, row_y[2] - 1, th1, lc);
    Rect loop_r = {body.x, t2, loop_w + th->pad, t7 - t2};
    if (ui__hover(c, loop_r))
        ui__tooltip(c, loop_r, "After stage 7 the loop starts the next iteration at stage 2. Stage 1 happens once, "
                               "when asyncio.run starts.");

    /* the step just applied, in words */
    y += th->gap;
    char what[600], buf[1400];
    if (c->pos == 0) {
        snprintf(buf, sizeof buf, "Nothing has run yet. Press \xe2\x86\x92 to take the first step, or Space to play.");
    } else {
        sim_describe_step(r, c->v->prog, c->pos - 1, what, sizeof what);
        /* a limit's stop and main's exception say what they were here too, not
         * only in the outcome chip's tooltip (a deadlock's waiters head the
         * waiting set) */
        bool say = c->pos == r->nsteps && (r->outcome == SIM_LIMIT || r->outcome == SIM_RAISED);
        const char *why = say ? rec_text(r, r->error_text) : "";
        snprintf(buf, sizeof buf, "Step %u: %s%s%s", c->pos - 1, what, why[0] ? ": " : "", why);
    }
    int rest = (body.y + body.h - y - th->gap) / lh;
    if (rest > 0) {
        Rect nb = {body.x + th->pad, y, body.w - th->pad * 2, 0};
        int lines = draw_text_wrap(dl, FONT_SANS, fs, nb, lh, rest, th->text, buf, true);
        Rect box = {body.x + th->pad / 2, y - theme_px(th, 2), body.w - th->pad, lines * lh + theme_px(th, 4)};
        draw_rect(dl, box, th->panel_alt);
        draw_rect(dl, (Rect){box.x, box.y, theme_px(th, 3), box.h}, th->accent);
        nb.x += theme_px(th, 3);
        nb.w -= theme_px(th, 3);
        draw_text_wrap(dl, FONT_SANS, fs, nb, lh, rest, th->text, buf, false);
        if (ui__hover(c, box))
            ui__tooltip(c, box, buf);
    }
    ui__panel_end(c);
}
