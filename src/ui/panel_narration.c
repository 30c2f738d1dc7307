/* panel_narration.c -- lecture mode: the slide's narration, the stop's sentence,
 * the question asked there, the claimed output against the real one.
 *
 * Reads only UiView.lecture (filled by app.c) and the Recording. Narration
 * is simple markup: paragraphs separated by a blank line, `code` in the
 * monospace face, *emphasis* in bold; the words wrap to the panel. A
 * question lists its choices numbered 1-9 (a click or the digit answers);
 * once revealed the right one is marked and a wrong pick names the rule. A
 * claim is shown beside the real output printed so far (all of it once the
 * claim is revealed or the run is over), with the first differing line
 * marked. The panel scrolls with the wheel when the text is long.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

typedef struct Pen {
    UiCtx *c;
    int x0, x1;   /* left and right edge */
    int x, y;     /* where the next piece goes */
    int line_h;
    int size;
    bool dry;     /* measure only */
} Pen;

static void pen_newline(Pen *p)
{
    p->x = p->x0;
    p->y += p->line_h;
}

/* Places one unbreakable piece (no spaces inside unless code). */
static void pen_piece(Pen *p, int font, Color col, const char *s, size_t n, bool space_after)
{
    DrawList *dl = p->c->dl;
    int w = draw_text_widthn(dl, font, p->size, s, n);
    if (p->x > p->x0 && p->x + w > p->x1)
        pen_newline(p);
    /* a piece wider than the line is cut where it fits */
    while (w > p->x1 - p->x0 && n > 1) {
        size_t k = draw_fit_bytes(dl, font, p->size, s, n, p->x1 - p->x);
        if (k == 0)
            k = 1;
        if (!p->dry)
            draw_textn(dl, font, p->size, p->x, p->y, col, s, k);
        s += k;
        n -= k;
        pen_newline(p);
        w = draw_text_widthn(dl, font, p->size, s, n);
    }
    if (!p->dry && n)
        draw_textn(dl, font, p->size, p->x, p->y, col, s, n);
    p->x += w;
    if (space_after)
        p->x += draw_text_width(dl, FONT_SANS, p->size, " ");
}

/* Lays out one paragraph of markup starting at the pen's line. */
static void pen_markup(Pen *p, const char *s, size_t len, Color text, Color code)
{
    const Theme *th = p->c->th;
    bool in_code = false, in_em = false;
    size_t i = 0;
    while (i < len) {
        char ch = s[i];
        if (ch == '`') {
            in_code = !in_code;
            i++;
            continue;
        }
        if (ch == '*' && !in_code) {
            in_em = !in_em;
            i++;
            continue;
        }
        if (ch == ' ' || ch == '\n') {
            p->x += draw_text_width(p->c->dl, FONT_SANS, p->size, " ");
            i++;
            continue;
        }
        /* a word: up to a space or a style change */
        size_t j = i;
        while (j < len && s[j] != ' ' && s[j] != '\n' && s[j] != '`' && !(s[j] == '*' && !in_code))
            j++;
        int font = in_code ? FONT_MONO : in_em ? FONT_SANS_BOLD : FONT_SANS;
        Color col = in_code ? code : in_em ? th->text : text;
        if (in_code && !p->dry) {
            int w = draw_text_widthn(p->c->dl, font, p->size, s + i, j - i);
            if (!(p->x > p->x0 && p->x + w > p->x1))
                draw_rect(p->c->dl, (Rect){p->x - 1, p->y, w + 2, p->line_h - 2}, th->panel_alt);
        }
        pen_piece(p, font, col, s + i, j - i, false);
        i = j;
    }
}

/* Paragraphs separated by blank lines; returns the y after the last one. */
static void pen_paragraphs(Pen *p, const char *s, Color text, Color code)
{
    const char *e = s + strlen(s);
    while (s < e) {
        const char *br = strstr(s, "\n\n");
        const char *pe = br ? br : e;
        pen_markup(p, s, (size_t)(pe - s), text, code);
        pen_newline(p);
        p->y += p->line_h / 2;
        s = br ? br + 2 : e;
    }
}

static void box(UiCtx *c, Rect r, Color border)
{
    draw_rect(c->dl, r, c->th->panel_alt);
    draw_rect(c->dl, (Rect){r.x, r.y, theme_px(c->th, 4), r.h}, border);
}

void panel_narration_draw(UiCtx *c)
{
    const UiLecture *lec = c->v->lecture;
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const Recording *r = c->v->rec;
    char note[96];
    if (lec->asked)
        snprintf(note, sizeof note, "slide %u of %u  ·  %u of %u right", lec->slide + 1, lec->nslides,
                 lec->right, lec->asked);
    else
        snprintf(note, sizeof note, "slide %u of %u", lec->slide + 1, lec->nslides);
    Rect body = ui__panel_begin(c, P_NARRATION, lec->title ? lec->title : "Lecture", note);
    float wh = ui__wheel(c, body);
    if (wh != 0)
        st->narr_scroll -= wh * (float)th->row_h * 3;
    if (st->narr_scroll < 0)
        st->narr_scroll = 0;
    int pad = th->pad;
    Pen p = {c, body.x + pad + theme_px(th, 4), body.x + body.w - pad, 0, 0, th->row_h, th->fs, false};
    p.x = p.x0;
    p.y = body.y + pad - (int)st->narr_scroll;
    int top = p.y;

    /* the slide's title */
    p.size = th->fs_title;
    p.line_h = th->fs_title + th->fs_title / 3;
    pen_markup(&p, lec->slide_title, strlen(lec->slide_title), th->text, th->accent);
    pen_newline(&p);
    p.y += th->gap;
    p.size = th->fs;
    p.line_h = th->row_h;
    pen_paragraphs(&p, lec->narration ? lec->narration : "", th->text_dim, th->accent);

    /* the stop's sentence */
    if (lec->at_stop >= 0) {
        char head[64];
        snprintf(head, sizeof head, "Stop %d of %u", lec->at_stop + 1, lec->nstops);
        int y0 = p.y;
        Pen q = p;
        q.dry = true;
        q.y += th->row_h;
        if (lec->say)
            pen_paragraphs(&q, lec->say, th->text, th->accent);
        else
            q.y += th->row_h;
        box(c, (Rect){body.x + pad / 2, y0 - pad / 2, body.w - pad, q.y - y0 + pad / 2}, th->warning);
        draw_text(dl, FONT_SANS_BOLD, th->fs_small, p.x0, p.y, th->warning, head);
        p.y += th->row_h;
        if (lec->say)
            pen_paragraphs(&p, lec->say, th->text, th->accent);
        else
            p.y += th->row_h;
        p.y += th->gap;
    }

    /* the question */
    if (lec->question) {
        const char *qt = lec->question == 1 ? "Which callback runs next? Pick it (1-%u or click)."
                                            : "What is printed next? Pick it (1-%u or click).";
        char qbuf[128];
        snprintf(qbuf, sizeof qbuf, qt, lec->nchoices);
        draw_text(dl, FONT_SANS_BOLD, th->fs, p.x0, p.y, th->accent, "Predict, then see");
        p.y += th->row_h;
        draw_text_fit(dl, FONT_SANS, th->fs, p.x0, p.y, p.x1 - p.x0, th->text, qbuf);
        p.y += th->row_h + th->gap / 2;
        for (uint32_t i = 0; i < lec->nchoices; i++) {
            char label[400], text[360];
            if (lec->question == 1)
                sim_describe_handle(r, c->v->prog, lec->ready[i], text, sizeof text);
            else
                snprintf(text, sizeof text, "%s", lec->choices[i]);
            snprintf(label, sizeof label, "%u  %s", i + 1, text);
            Rect row = {p.x0 - theme_px(th, 2), p.y - 1, p.x1 - p.x0 + theme_px(th, 4), th->row_h + 2};
            bool right = lec->revealed && (int)i == lec->answer;
            bool wrong = lec->revealed && (int)i == lec->picked && lec->picked != lec->answer;
            Color fill = right ? draw_color_alpha(th->ok, 70)
                       : wrong ? draw_color_alpha(th->error, 70)
                       : (int)i == lec->picked ? th->select : th->panel_alt;
            draw_rect(dl, row, fill);
            if (!lec->revealed && ui__hover(c, row))
                draw_rect(dl, row, th->hover);
            int font = lec->question == 2 ? FONT_MONO : FONT_SANS;
            /* room for the "right" mark, so a long choice is cut short of it */
            int mark = right ? draw_text_width(dl, FONT_SANS_BOLD, th->fs, "right") + theme_px(th, 12)
                             : theme_px(th, 30);
            draw_text_fit(dl, font, th->fs, p.x0 + theme_px(th, 4), p.y + (th->row_h - th->fs) / 2 - 1,
                          p.x1 - p.x0 - mark, th->text, label);
            if (right)
                draw_text_right(dl, FONT_SANS_BOLD, th->fs, p.x1 - theme_px(th, 4), p.y + (th->row_h - th->fs) / 2 - 1,
                                theme_px(th, 60), th->ok, "right");
            if (!lec->revealed && ui__clicked(c, row))
                ui__intent(c, INTENT_LEC_ANSWER, i, 0, NULL);
            p.y += th->row_h + theme_px(th, 3);
        }
        p.y += th->gap / 2;
        if (lec->revealed) {
            const char *verdict = lec->picked < 0 ? "The answer:" : lec->picked == lec->answer ? "Right." : "Not quite.";
            Color vc = lec->picked < 0 ? th->text : lec->picked == lec->answer ? th->ok : th->error;
            pen_piece(&p, FONT_SANS_BOLD, vc, verdict, strlen(verdict), true);
            if (lec->rule && lec->rule[0])
                pen_markup(&p, lec->rule, strlen(lec->rule), th->text, th->accent);
            pen_newline(&p);
        } else {
            draw_text_fit(dl, FONT_SANS, th->fs_small, p.x0, p.y, p.x1 - p.x0, th->text_faint,
                          "PageDown reveals the answer.");
            p.y += th->row_h;
        }
        p.y += th->gap;
    }

    /* a claimed output beside the real one */
    if (lec->nclaim) {
        bool all = lec->claim_revealed || c->pos >= c->nsteps;
        uint32_t shown = all ? r->nlines : model_lines_before(c->v->model, c->pos);
        char head[160];
        snprintf(head, sizeof head, "Claimed%s%s", lec->claim_by ? " by " : "", lec->claim_by ? lec->claim_by : "");
        int colw = (p.x1 - p.x0 - th->gap) / 2;
        int xl = p.x0, xr = p.x0 + colw + th->gap;
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs_small, xl, p.y, colw, th->warning, head);
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs_small, xr, p.y, colw, th->ok, "Real output (CPython's order)");
        p.y += th->row_h;
        uint32_t n = lec->nclaim > r->nlines ? lec->nclaim : r->nlines;
        int lh = th->mono_row_h;
        for (uint32_t i = 0; i < n; i++) {
            bool diff = lec->claim_diff >= 0 && (int)i == lec->claim_diff && (all || i < shown);
            if (diff)
                draw_rect(dl, (Rect){xl - 2, p.y - 1, p.x1 - xl + 4, lh}, draw_color_alpha(th->error, 60));
            if (i < lec->nclaim)
                draw_text_fit(dl, FONT_MONO, th->fs_mono, xl, p.y, colw, th->text, lec->claim[i]);
            if (i < shown && i < r->nlines)
                draw_text_fit(dl, FONT_MONO, th->fs_mono, xr, p.y, colw, th->text, rec_text(r, r->lines[i].text));
            p.y += lh;
        }
        p.y += th->gap / 2;
        if (lec->claim_diff < 0 && all) {
            pen_piece(&p, FONT_SANS_BOLD, th->ok, "The claim matches the real output.", 34, false);
            pen_newline(&p);
        } else if (lec->claim_diff >= 0 && lec->claim_revealed) {
            char t[600];
            const char *cl = (uint32_t)lec->claim_diff < lec->nclaim ? lec->claim[lec->claim_diff] : "";
            uint32_t ps = lec->claim_pick_step, qs = lec->claim_queued_step;
            if (qs != SIM_NONE && ps != SIM_NONE && ps < r->nsteps)
                snprintf(t, sizeof t, "Line %d differs. `%.120s` is really printed later: its callback was queued "
                         "at step %u (iteration %u) but picked only at step %u (iteration %u). The cursor is "
                         "where it was queued:", lec->claim_diff + 1, cl, qs, rec_step(r, qs).iter, ps,
                         rec_step(r, ps).iter);
            else
                snprintf(t, sizeof t, "Line %d differs. The real order was decided at step %u, iteration %u:",
                         lec->claim_diff + 1, lec->claim_pos ? lec->claim_pos - 1 : 0,
                         lec->claim_pos && lec->claim_pos - 1 < r->nsteps ? rec_step(r, lec->claim_pos - 1).iter : 0);
            pen_markup(&p, t, strlen(t), th->text, th->accent);
            pen_newline(&p);
            if (lec->claim_rule)
                pen_markup(&p, lec->claim_rule, strlen(lec->claim_rule), th->warning, th->accent);
            pen_newline(&p);
        } else if (lec->claim_diff >= 0) {
            draw_text_fit(dl, FONT_SANS, th->fs_small, p.x0, p.y, p.x1 - p.x0, th->text_faint,
                          "PageDown (after the stops) or C: where the real order was decided.");
            p.y += th->row_h;
        }
        p.y += th->gap;
    }

    /* where we are in the lecture */
    const char *hint = lec->last ? "End of the lecture." : "PageDown: next   PageUp: previous slide   Ctrl +/-: text size";
    draw_text_fit(dl, FONT_SANS, th->fs_small, p.x0, p.y, p.x1 - p.x0, th->text_faint, hint);
    p.y += th->row_h;

    int content = p.y - top;
    float maxs = (float)(content - body.h + pad);
    if (maxs < 0)
        maxs = 0;
    if (st->narr_scroll > maxs)
        st->narr_scroll = maxs;
    if (content > body.h)
        ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 4), body.y, theme_px(th, 3), body.h},
                      st->narr_scroll, (float)body.h, (float)content);
    ui__panel_end(c);
}
