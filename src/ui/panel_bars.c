/* panel_bars.c -- the thin bars: status (title + about), clock and transport,
 * the refused-reload banner, the key hints, and the error panel.
 *
 * The clock reads the cursor (virtual time, iteration, step n of N); the
 * transport buttons return intents like the keys do. Steps are numbered as
 * `run --stages` numbers them: the step just applied is pos - 1, so the
 * clock says "step 21 / 71" after 22 steps of a 72-step run.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

/* ---- status line ---------------------------------------------------------- */

void panel_status_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    Rect r = c->L->r[P_STATUS];
    draw_owner(dl, P_STATUS);
    draw_clip_push(dl, r);
    draw_rect(dl, r, th->header);
    const Program *p = c->v->prog;
    const char *title = p && p->title != PROG_NONE ? prog_s(p, p->title) : NULL;
    const char *about = p && p->about != PROG_NONE ? prog_s(p, p->about) : NULL;
    char tbuf[512];
    if (!title || !title[0]) {
        const char *f = c->v->file_label ? c->v->file_label : "";
        const char *slash = strrchr(f, '/');
        snprintf(tbuf, sizeof tbuf, "%s", slash ? slash + 1 : f);
        title = tbuf;
    }
    int x = r.x + th->pad;
    int y = r.y + th->pad;
    int lw = draw_text_width(dl, FONT_SANS_BOLD, th->fs, "loopscope");
    draw_text(dl, FONT_SANS_BOLD, th->fs, x, y + (th->row_h - draw_text_height(dl, FONT_SANS_BOLD, th->fs)) / 2,
              th->accent, "loopscope");
    x += lw + th->pad * 2;
    draw_text_fit(dl, FONT_SANS_BOLD, th->fs_title, x, y, r.x + r.w - x - th->pad, th->text, title);
    int ay = y + th->row_h;
    const char *sub = about && about[0] ? about : c->v->file_label;
    if (!c->v->sim && c->v->ndiags)
        sub = "This file has errors: they are listed below.";
    draw_text_fit(dl, FONT_SANS, th->fs_small, r.x + th->pad, ay, r.w - 2 * th->pad, th->text_dim, sub);
    Rect about_r = {r.x, ay, r.w, th->small_row_h};
    if (about && ui__hover(c, about_r)) {
        char tip[768];
        snprintf(tip, sizeof tip, "%s\n\nFile: %s", about, c->v->file_label ? c->v->file_label : "");
        ui__tooltip(c, about_r, tip);
    }
    draw_clip_pop(dl);
}

/* ---- clock and transport --------------------------------------------------- */

typedef enum Icon { ICON_START, ICON_BACK, ICON_PLAY, ICON_PAUSE, ICON_FWD, ICON_END } Icon;

static void draw_icon(UiCtx *c, Rect b, Icon ic, Color col)
{
    DrawList *dl = c->dl;
    int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
    int s = b.h * 3 / 10;
    int bar = theme_px(c->th, 2);
    switch (ic) {
    case ICON_PLAY:
        draw_tri(dl, cx - s * 2 / 3, cy - s, cx - s * 2 / 3, cy + s, cx + s, cy, col);
        break;
    case ICON_PAUSE:
        draw_rect(dl, (Rect){cx - s * 2 / 3, cy - s, bar + 1, 2 * s}, col);
        draw_rect(dl, (Rect){cx + s * 2 / 3 - bar, cy - s, bar + 1, 2 * s}, col);
        break;
    case ICON_FWD:
        draw_tri(dl, cx - s / 2, cy - s, cx - s / 2, cy + s, cx + s, cy, col);
        draw_rect(dl, (Rect){cx - s, cy - s, bar, 2 * s}, col);
        break;
    case ICON_BACK:
        draw_tri(dl, cx + s / 2, cy - s, cx + s / 2, cy + s, cx - s, cy, col);
        draw_rect(dl, (Rect){cx + s - bar + 1, cy - s, bar, 2 * s}, col);
        break;
    case ICON_END:
        draw_tri(dl, cx - s, cy - s, cx - s, cy + s, cx + s / 2, cy, col);
        draw_rect(dl, (Rect){cx + s / 2, cy - s, bar, 2 * s}, col);
        break;
    case ICON_START:
        draw_tri(dl, cx + s, cy - s, cx + s, cy + s, cx - s / 2, cy, col);
        draw_rect(dl, (Rect){cx - s / 2 - bar, cy - s, bar, 2 * s}, col);
        break;
    }
}

/* A button; returns true when clicked. */
static bool button(UiCtx *c, Rect b, Icon ic, const char *label, const char *tip, bool on)
{
    const Theme *th = c->th;
    bool hot = ui__hover(c, b);
    Color fill = on ? th->accent_dim : hot ? th->panel_alt : th->panel;
    ui__chip(c, b, fill, hot ? th->text_faint : th->border_c);
    if (label)
        draw_text(c->dl, FONT_SANS_BOLD, th->fs, b.x + (b.w - draw_text_width(c->dl, FONT_SANS_BOLD, th->fs, label)) / 2,
                  b.y + (b.h - draw_text_height(c->dl, FONT_SANS_BOLD, th->fs)) / 2, th->text, label);
    else
        draw_icon(c, b, ic, th->text);
    if (hot && tip)
        ui__tooltip(c, b, tip);
    return ui__clicked(c, b);
}

static const char *outcome_words(const Recording *r, Color *col, const Theme *th)
{
    switch (r->outcome) {
    case SIM_DONE: *col = th->ok; return "finished";
    case SIM_RAISED: *col = th->error; return "main raised";
    case SIM_DEADLOCK: *col = th->error; return "DEADLOCK";
    case SIM_LIMIT: *col = th->warning; return "stopped: limit";
    case SIM_NOMEM: *col = th->warning; return "out of memory";
    default: *col = th->text_dim; return "running";
    }
}

void panel_clock_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    Rect r = c->L->r[P_CLOCK];
    draw_owner(dl, P_CLOCK);
    draw_clip_push(dl, r);
    draw_rect(dl, r, th->header);
    draw_rect(dl, (Rect){r.x, r.y, th->border, r.h}, th->border_c);
    if (!c->v->sim) {
        draw_text_fit(dl, FONT_SANS, th->fs, r.x + th->pad, r.y + th->pad, r.w - 2 * th->pad,
                      th->text_dim, "no scenario running");
        draw_clip_pop(dl);
        return;
    }
    const Recording *rec = c->v->rec;
    char t[32], buf[160];
    vtime_format(sim_now(c->v->sim), 3, t, sizeof t);
    uint32_t last = rec->nsteps ? rec->nsteps - 1 : 0;
    if (c->pos == 0)
        snprintf(buf, sizeof buf, "t=%s s  iter %u  before step 0 / %u", t, sim_iter(c->v->sim), last);
    else
        snprintf(buf, sizeof buf, "t=%s s  iter %u  step %u / %u", t, sim_iter(c->v->sim), c->pos - 1, last);
    int x = r.x + th->pad + th->border;
    int y = r.y + th->pad;
    int fh = draw_text_height(dl, FONT_MONO_BOLD, th->fs_big);
    int ty = y + (th->row_h - fh) / 2;
    draw_text_fit(dl, FONT_MONO_BOLD, th->fs_big, x, ty, r.w - 2 * th->pad, th->text, buf);
    Rect clock_r = {x, y, r.w - 2 * th->pad, th->row_h};
    if (ui__hover(c, clock_r))
        ui__tooltip(c, clock_r,
                    "Virtual time (seconds on the simulated clock), the loop iteration (one pass of "
                    "_run_once) and the micro-step just applied, numbered as in `loopscope run --stages`.");

    /* transport row */
    int by = y + th->row_h + theme_px(th, 3);
    int bh = r.y + r.h - by - theme_px(th, 5);
    if (bh > th->row_h + theme_px(th, 2))
        bh = th->row_h + theme_px(th, 2);
    if (bh < th->small_row_h)
        bh = th->small_row_h;
    int bw = bh + theme_px(th, 8);
    int bx = x;
    int g = theme_px(th, 4);
    if (button(c, (Rect){bx, by, bw, bh}, ICON_START, NULL, "Jump to the start (Home)", false))
        ui__seek(c, 0);
    bx += bw + g;
    if (button(c, (Rect){bx, by, bw, bh}, ICON_BACK, NULL, "Step back one micro-step (Left)", false))
        ui__seek(c, c->pos ? c->pos - 1 : 0);
    bx += bw + g;
    if (button(c, (Rect){bx, by, bw, bh}, c->v->playing ? ICON_PAUSE : ICON_PLAY, NULL,
               c->v->playing ? "Pause (Space)" : "Play (Space)", c->v->playing))
        ui__intent(c, INTENT_PLAY_TOGGLE, 0, 0, NULL);
    bx += bw + g;
    if (button(c, (Rect){bx, by, bw, bh}, ICON_FWD, NULL, "Step one micro-step (Right)", false))
        ui__seek(c, c->pos + 1);
    bx += bw + g;
    if (button(c, (Rect){bx, by, bw, bh}, ICON_END, NULL, "Jump to the end (End)", false))
        ui__seek(c, c->nsteps);
    bx += bw + g * 3;

    /* speed */
    int sbw = bh;
    if (button(c, (Rect){bx, by, sbw, bh}, ICON_PLAY, "-", "Slower (-)", false))
        ui__intent(c, INTENT_SPEED, 0, -1, NULL);
    bx += sbw + g;
    char sp[48];
    if (c->v->speed >= 1)
        snprintf(sp, sizeof sp, "%g steps/s", c->v->speed);
    else
        snprintf(sp, sizeof sp, "%.2g steps/s", c->v->speed);
    int spw = draw_text_width(dl, FONT_SANS, th->fs_small, "0.25 steps/s");
    draw_text(dl, FONT_SANS, th->fs_small, bx, by + (bh - draw_text_height(dl, FONT_SANS, th->fs_small)) / 2,
              th->text_dim, sp);
    bx += spw + g;
    if (button(c, (Rect){bx, by, sbw, bh}, ICON_PLAY, "+", "Faster (+)", false))
        ui__intent(c, INTENT_SPEED, 0, +1, NULL);
    bx += sbw + g * 3;

    /* outcome of the run, once the cursor reaches the end */
    Color oc;
    const char *ow = outcome_words(rec, &oc, th);
    if (c->pos < rec->nsteps) {
        ow = c->v->playing ? "playing" : "paused";
        oc = c->v->playing ? th->running : th->text_dim;
    }
    int room = r.x + r.w - th->pad - bx;
    if (room > th->pad * 4) {
        int ow_w = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, ow) + th->pad * 2;
        if (ow_w > room)
            ow_w = room;
        Rect chip = {r.x + r.w - th->pad - ow_w, by, ow_w, bh};
        ui__chip(c, chip, draw_color_alpha(oc, 50), oc);
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs_small, chip.x + th->pad,
                      by + (bh - draw_text_height(dl, FONT_SANS_BOLD, th->fs_small)) / 2, chip.w - th->pad * 2,
                      oc, ow);
        if (ui__hover(c, chip) && c->pos >= rec->nsteps) {
            char tip[600];
            const char *why = rec_text(rec, rec->error_text);
            snprintf(tip, sizeof tip, "%s%s%s", ow, why[0] ? ": " : "", why);
            ui__tooltip(c, chip, tip);
        }
    }
    draw_clip_pop(dl);
}

/* ---- banner ------------------------------------------------------------ */

void panel_banner_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    Rect r = c->L->r[P_BANNER];
    draw_owner(dl, P_BANNER);
    draw_clip_push(dl, r);
    draw_rect(dl, r, draw_color_alpha(th->warning, 40));
    draw_frame(dl, r, th->warning, th->border);
    char buf[1400];
    snprintf(buf, sizeof buf, "The file changed on disk but was refused, so the last good version stays on screen: %s%s",
             c->v->banner, c->v->ndiags > 1 ? "   (E: all errors)" : "   (E: details)");
    int ty = r.y + (r.h - draw_text_height(dl, FONT_SANS, th->fs_small)) / 2;
    draw_text_fit(dl, FONT_SANS, th->fs_small, r.x + th->pad, ty, r.w - 2 * th->pad, th->text, buf);
    if (ui__hover(c, r))
        ui__tooltip(c, r, "It reloads by itself as soon as the file is valid again. Click or press E to see every error.");
    if (ui__clicked(c, r))
        c->st->show_diags = true;
    draw_clip_pop(dl);
}

/* ---- key hints ------------------------------------------------------------- */

void panel_hints_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    Rect r = c->L->r[P_HINTS];
    draw_owner(dl, P_HINTS);
    draw_clip_push(dl, r);
    draw_rect(dl, r, th->header);
    const char *keys = c->v->sim
        ? "Space play/pause   \xe2\x86\x90/\xe2\x86\x92 step   \xe2\x86\x91/\xe2\x86\x93 iteration   "
          "1-7 next event of a stage (Shift: previous)   Home/End   R restart   O open   "
          "F5 reload   T axis   click: why?   ? help"
        : "O open another file   F5 reload   drop a .json on the window   ? help";
    char right[700];
    snprintf(right, sizeof right, "%s%s%s%s", c->v->notice ? c->v->notice : "",
             c->v->notice ? "   " : "", c->v->file_label ? c->v->file_label : "",
             c->v->watching ? "  (watching)" : "");
    int ty = r.y + (r.h - draw_text_height(dl, FONT_SANS, th->fs_small)) / 2;
    int rw = draw_text_width(dl, FONT_SANS, th->fs_small, right);
    int maxr = r.w * 35 / 100;
    if (rw > maxr)
        rw = maxr;
    draw_text_right(dl, FONT_SANS, th->fs_small, r.x + r.w - th->pad, ty, rw,
                    c->v->notice ? th->accent : th->text_faint, right);
    draw_text_fit(dl, FONT_SANS, th->fs_small, r.x + th->pad, ty, r.w - rw - 4 * th->pad, th->text_dim, keys);
    draw_clip_pop(dl);
}

/* ---- the error panel ------------------------------------------------------- */

void panel_errors_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    char title[200];
    snprintf(title, sizeof title, "This scenario cannot run: %u error%s", c->v->ndiags,
             c->v->ndiags == 1 ? "" : "s");
    Rect body = ui__panel_begin(c, P_ERRORS, title, c->v->file_label);
    int x = body.x + th->pad * 2, w = body.w - th->pad * 4;
    int y = body.y + th->pad;
    int lh = th->mono_row_h;
    draw_rect(dl, (Rect){body.x, body.y, theme_px(th, 4), body.h}, th->error);
    y += th->row_h * draw_text_wrap(dl, FONT_SANS, th->fs, (Rect){x, y, w, 0}, th->row_h, 3, th->text,
                                    "Each problem is listed with its place in the file (file:line:column). "
                                    "Fix the file and save it: loopscope notices and reloads it by itself. "
                                    "O opens another file; you can also drop a .json file on this window.",
                                    false);
    y += th->pad;
    int total = 0;
    for (uint32_t i = 0; i < c->v->ndiags; i++)
        total += draw_text_wrap(dl, FONT_MONO, th->fs_mono, (Rect){x, 0, w, 0}, lh, 6, th->text,
                                c->v->diags[i], true) * lh + th->gap;
    Rect list = {body.x, y, body.w, body.y + body.h - y};
    float wh = ui__wheel(c, list);
    c->st->wait_scroll -= wh * (float)lh * 3;
    float maxs = (float)(total - list.h + th->pad);
    if (c->st->wait_scroll > maxs)
        c->st->wait_scroll = maxs;
    if (c->st->wait_scroll < 0)
        c->st->wait_scroll = 0;
    draw_clip_push(dl, list);
    int yy = y - (int)c->st->wait_scroll;
    for (uint32_t i = 0; i < c->v->ndiags; i++) {
        const char *d = c->v->diags[i];
        int n = draw_text_wrap(dl, FONT_MONO, th->fs_mono, (Rect){x, 0, w, 0}, lh, 6, th->text, d, true);
        if (yy + n * lh >= list.y && yy < list.y + list.h) {
            bool err = strstr(d, "error") != NULL;
            draw_rect(dl, (Rect){x - th->pad, yy + lh / 4, theme_px(th, 3), lh / 2}, err ? th->error : th->warning);
            draw_text_wrap(dl, FONT_MONO, th->fs_mono, (Rect){x, yy, w, 0}, lh, 6, th->text, d, false);
        }
        yy += n * lh + th->gap;
    }
    if (c->v->ndiags == 0)
        draw_text(dl, FONT_SANS, th->fs, x, y, th->text_dim, "The file could not be loaded.");
    draw_clip_pop(dl);
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 5), list.y, theme_px(th, 4), list.h},
                  c->st->wait_scroll, (float)list.h, (float)total);
    ui__panel_end(c);
}
