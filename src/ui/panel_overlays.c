/* panel_overlays.c -- what floats above the panels: "Why is this here?",
 * the help, the open prompt and the list of a refused file's errors.
 *
 * The why card lists the causal chain (why.c) in words, oldest first, over
 * the right-hand column, so the timeline below stays visible with the same
 * chain drawn as arrows. Help, prompt and diagnostics are modal: ui.c gives
 * them the keyboard and mouse while they are open.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

/* A centred modal box of at most w x h; draws the veil, the box and its title. */
static Rect modal_box(UiCtx *c, int w, int h, const char *title)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    Rect win = c->L->win;
    draw_rect(dl, win, draw_color_alpha(th->bg, 170));
    if (w > win.w - 2 * th->pad)
        w = win.w - 2 * th->pad;
    if (h > win.h - 2 * th->pad)
        h = win.h - 2 * th->pad;
    Rect b = {(win.w - w) / 2, (win.h - h) / 2, w, h};
    draw_rect(dl, (Rect){b.x + 3, b.y + 4, b.w, b.h}, th->shadow);
    draw_rect(dl, b, th->panel);
    draw_frame(dl, b, th->accent, th->border);
    draw_rect(dl, (Rect){b.x, b.y, b.w, th->header_h + th->gap}, th->header);
    draw_text_fit(dl, FONT_SANS_BOLD, th->fs_title, b.x + th->pad, b.y + th->gap / 2 + 2, b.w - 2 * th->pad,
                  th->text, title);
    return (Rect){b.x + th->pad, b.y + th->header_h + th->gap * 2, b.w - 2 * th->pad,
                  b.h - th->header_h - th->gap * 3};
}

/* ---- why ----------------------------------------------------------------- */

void panel_why_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const Recording *r = c->v->rec;
    Rect a = c->L->r[P_STAGES], b = c->L->r[P_CONSOLE];
    Rect card = {a.x, a.y, a.w, b.y + b.h - a.y};
    if (!c->L->shown[P_STAGES])
        return;
    draw_owner(dl, P_OVERLAY);
    draw_clip_push(dl, card);
    draw_rect(dl, card, th->panel);
    draw_frame(dl, card, th->chain, theme_px(th, 2));
    Rect hd = {card.x, card.y, card.w, th->header_h};
    draw_rect(dl, hd, draw_color_alpha(th->chain, 60));
    int fh = draw_text_height(dl, FONT_SANS_BOLD, th->fs);
    draw_text_fit(dl, FONT_SANS_BOLD, th->fs, hd.x + th->pad, hd.y + (hd.h - fh) / 2, hd.w - th->header_h * 2,
                  th->text, "Why is this here?");
    /* close button */
    Rect xb = {hd.x + hd.w - th->header_h, hd.y, th->header_h, th->header_h};
    bool xhot = ui__hover(c, xb);
    if (xhot)
        draw_rect(dl, xb, th->hover);
    int q = th->header_h / 4;
    draw_line(dl, xb.x + q + 2, xb.y + q + 2, xb.x + xb.w - q - 2, xb.y + xb.h - q - 2, theme_px(th, 2), th->text);
    draw_line(dl, xb.x + q + 2, xb.y + xb.h - q - 2, xb.x + xb.w - q - 2, xb.y + q + 2, theme_px(th, 2), th->text);
    if (xhot)
        ui__tooltip(c, xb, "Close (Esc)");
    if (ui__clicked(c, xb)) {
        st->sel_kind = SEL_NONE;
        draw_clip_pop(dl);
        return;
    }

    int x = card.x + th->pad, w = card.w - 2 * th->pad;
    int y = hd.y + hd.h + th->gap;
    int lh = th->small_row_h + theme_px(th, 1);
    char buf[900], what[500];
    if (st->sel_kind == SEL_HANDLE) {
        sim_describe_handle(r, c->v->prog, st->sel_id, what, sizeof what);
        snprintf(buf, sizeof buf, "Ready-queue entry \"%s\". The steps that put it there, oldest first:", what);
    } else {
        sim_describe_step(r, c->v->prog, st->sel_id, what, sizeof what);
        snprintf(buf, sizeof buf, "Step %u: %s. The steps that led to it, oldest first:", st->sel_id, what);
    }
    y += lh * draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x, y, w, 0}, lh, 3, th->text_dim, buf, false);
    y += th->gap;

    Rect list = {card.x, y, card.w, card.y + card.h - y - th->border * 2};
    int total = 0;
    int numw = draw_text_width(dl, FONT_MONO_BOLD, th->fs_small, "00") + th->pad;
    int tw = w - numw;
    for (int i = 0; i < c->nchain; i++) {
        why__describe(c, c->chain[i], buf, sizeof buf);
        total += draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){0, 0, tw, 0}, lh, 4, th->text, buf, true) * lh +
                 th->gap;
    }
    st->why_scroll -= ui__wheel(c, list) * (float)lh * 3;
    float maxs = (float)(total - list.h + (c->chain_more ? lh * 2 : 0));
    if (st->why_scroll > maxs)
        st->why_scroll = maxs;
    if (st->why_scroll < 0)
        st->why_scroll = 0;
    draw_clip_push(dl, list);
    int yy = list.y - (int)st->why_scroll;
    if (c->chain_more) {
        snprintf(buf, sizeof buf, "... %u earlier step%s, back to asyncio.run", c->chain_more,
                 c->chain_more == 1 ? "" : "s");
        draw_text_fit(dl, FONT_SANS, th->fs_small, x + numw, yy, tw, th->text_faint, buf);
        yy += lh + th->gap;
    }
    for (int i = 0; i < c->nchain; i++) {
        uint32_t s = c->chain[i];
        why__describe(c, s, buf, sizeof buf);
        int n = draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){0, 0, tw, 0}, lh, 4, th->text, buf, true);
        Rect row = {card.x + th->border, yy - 1, card.w - 2 * th->border, n * lh + 2};
        bool future = s >= c->pos;
        bool hot = ui__hover(c, row);
        if (s + 1 == c->pos)
            draw_rect(dl, row, draw_color_alpha(th->accent, 50));
        if (hot)
            draw_rect(dl, row, th->hover);
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        draw_text(dl, FONT_MONO_BOLD, th->fs_small, x, yy, th->chain, num);
        if (i + 1 < c->nchain)
            draw_line(dl, x + numw / 3, yy + lh, x + numw / 3, yy + n * lh + th->gap, 1, draw_color_alpha(th->chain, 120));
        draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x + numw, yy, tw, 0}, lh, 4,
                       future ? th->text_dim : th->text, buf, false);
        if (hot)
            ui__tooltip(c, row, future ? "This step comes later in the run. Click: go there." : "Click: go to this step.");
        if (ui__clicked(c, row))
            ui__seek(c, s + 1);
        yy += n * lh + th->gap;
    }
    if (c->nchain > 0) {
        Step first = rec_step(r, c->chain[0]);
        if (first.cause == SIM_NONE && first.kind != STEP_START && yy < list.y + list.h)
            draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x + numw, yy, tw, 0}, lh, 3, th->text_dim,
                           "Nothing earlier caused this step: it is the loop's own work at this point of its "
                           "iteration (stage 7: end the iteration, check for stop, poll).",
                           false);
    }
    draw_clip_pop(dl);
    ui__scrollbar(c, (Rect){card.x + card.w - theme_px(th, 5), list.y, theme_px(th, 3), list.h}, st->why_scroll,
                  (float)list.h, (float)total);
    draw_clip_pop(dl);
}

/* ---- help ------------------------------------------------------------------ */

static const char *const help_rows[][2] = {
    {"Space", "play / pause (speed: + and -)"},
    {"\xe2\x86\x92  /  \xe2\x86\x90", "one micro-step forward / back (Shift: 10)"},
    {"\xe2\x86\x93  /  \xe2\x86\x91", "next / previous loop iteration"},
    {"1 ... 7", "next event of that stage (Shift+1...7: previous)"},
    {"N  /  P", "next / previous event of the last stage chosen"},
    {"Home  /  End", "start / end of the run"},
    {"R", "restart from step 0"},
    {"O", "open a scenario file (or drop a .json on the window)"},
    {"F5", "reload the file (it also reloads by itself when saved)"},
    {"Y", "why did the current step happen? (causal chain)"},
    {"T", "timeline axis: time + steps / time / steps"},
    {"F", "fit the whole run in the timeline"},
    {"PgUp / PgDn", "scroll the timeline's lanes (in a lecture: previous / next)"},
    {"/", "filter the ready queue and waiting set by task name (Esc clears)"},
    {"X", "export: Chrome trace (Perfetto, speedscope), SVG timeline, PNG of this frame"},
    {"E", "show every error of a refused file"},
    {"Esc", "close the overlay or the causal chain"},
    {"? / F1", "this help"},
    {"Ctrl+Q", "quit"},
};

static const char *const mouse_rows[][2] = {
    {"wheel on timeline", "zoom around the pointer (Shift or over the names: scroll lanes)"},
    {"drag on timeline", "pan"},
    {"click on timeline", "seek there; on a running stretch, also show why it resumed"},
    {"click queue item", "Why is this here? (listed, and drawn as arrows across the lanes)"},
    {"click console line", "go to the step that printed it, and why"},
    {"hover", "anything explains itself in a tooltip"},
};

void panel_help_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    int nk = (int)(sizeof help_rows / sizeof help_rows[0]);
    int nm = (int)(sizeof mouse_rows / sizeof mouse_rows[0]);
    int lh = th->row_h;
    int h = th->header_h + th->gap * 4 + (nk + nm + 3) * lh;
    Rect b = modal_box(c, theme_px(th, 720), h, "loopscope: keys and mouse");
    int kw = theme_px(th, 170);
    int y = b.y;
    for (int i = 0; i < nk; i++, y += lh) {
        draw_text_fit(dl, FONT_MONO_BOLD, th->fs, b.x, y, kw - th->pad, th->accent, help_rows[i][0]);
        draw_text_fit(dl, FONT_SANS, th->fs, b.x + kw, y, b.w - kw, th->text, help_rows[i][1]);
    }
    y += lh / 2;
    for (int i = 0; i < nm; i++, y += lh) {
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs, b.x, y, kw - th->pad, th->accent, mouse_rows[i][0]);
        draw_text_fit(dl, FONT_SANS, th->fs, b.x + kw, y, b.w - kw, th->text, mouse_rows[i][1]);
    }
    y += lh / 2;
    draw_text_fit(dl, FONT_SANS, th->fs_small, b.x, y, b.w, th->text_dim,
                  "Esc, ? or F1 closes this help.  loopscope models CPython 3.11's asyncio event loop on a virtual clock.");
}

/* ---- open prompt ------------------------------------------------------------- */

void panel_prompt_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    int h = th->header_h + th->gap * 4 + th->row_h * 4;
    Rect b = modal_box(c, theme_px(th, 760), h, "Open a scenario file");
    draw_text_fit(dl, FONT_SANS, th->fs, b.x, b.y, b.w, th->text_dim,
                  "Type the path of a scenario (.json), then Enter. Esc cancels. You can also drop a file on the window.");
    Rect field = {b.x, b.y + th->row_h + th->gap, b.w, th->row_h + th->gap};
    draw_rect(dl, field, th->bg);
    draw_frame(dl, field, th->accent, th->border);
    const char *txt = c->st->prompt_buf;
    int fh = draw_text_height(dl, FONT_MONO, th->fs_mono);
    int room = field.w - th->pad * 2 - theme_px(th, 4);
    size_t len = strlen(txt);
    /* show the end of a long path */
    size_t start = 0;
    while (start < len && draw_text_widthn(dl, FONT_MONO, th->fs_mono, txt + start, len - start) > room) {
        start++;
        while (start < len && ((unsigned char)txt[start] & 0xC0) == 0x80)
            start++;
    }
    int tw = draw_text(dl, FONT_MONO, th->fs_mono, field.x + th->pad, field.y + (field.h - fh) / 2, th->text, txt + start);
    bool blink = c->v->still || (c->in->time_ms / 500) % 2 == 0;
    if (blink)
        draw_rect(dl, (Rect){field.x + th->pad + tw + 1, field.y + th->gap / 2, theme_px(th, 2), field.h - th->gap},
                  th->text);
}

/* ---- the refused file's errors ----------------------------------------------- */

void panel_diags_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    int lh = th->mono_row_h;
    uint32_t n = c->v->ndiags;
    int rows = 0;
    int bw = c->L->win.w * 85 / 100;
    for (uint32_t i = 0; i < n && rows < 60; i++)
        rows += draw_text_wrap(dl, FONT_MONO, th->fs_mono, (Rect){0, 0, bw - th->pad * 2, 0}, lh, 4, th->text,
                               c->v->diags[i], true);
    char title[128];
    snprintf(title, sizeof title, "The file on disk was refused: %u error%s", n, n == 1 ? "" : "s");
    Rect b = modal_box(c, bw, th->header_h + th->gap * 5 + (rows + 2) * lh, title);
    draw_text_fit(dl, FONT_SANS, th->fs_small, b.x, b.y, b.w, th->text_dim,
                  "The last good version stays on screen. Save a fixed file and it reloads by itself. Esc closes.");
    int y = b.y + lh + th->gap;
    draw_clip_push(dl, (Rect){b.x, y, b.w, b.y + b.h - y});
    for (uint32_t i = 0; i < n; i++) {
        int k = draw_text_wrap(dl, FONT_MONO, th->fs_mono, (Rect){b.x, y, b.w, 0}, lh, 4, th->text, c->v->diags[i], false);
        y += k * lh;
        if (y > b.y + b.h)
            break;
    }
    draw_clip_pop(dl);
}
