/* panel_ready.c -- the ready queue, head first, in plain words.
 *
 * Membership and order come from the Sim at the cursor (sim_ready_at),
 * filtered by the Recording so the panel agrees with the narrated step: an
 * entry shows once the step that queued it has been applied. Above the
 * queue, the callback the loop is running now (the last one picked); the
 * head is outlined when the next step will pick it. Entries queued after
 * this iteration's first pick sit below a divider: _run_once froze the
 * number of callbacks to run (ntodo) before running any, so those wait for
 * the next iteration (style.md rule 4).
 *
 * Animation: entries that appeared since the last frame slide in, entries
 * that left fade out where they were, for 300 ms; only when the cursor moved
 * by one step (a seek redraws at once) and never in a still frame.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

#define ANIM_MS 300u
#define MAX_ROWS 4096

/* The handle picked by the latest PICK step of the current iteration whose
 * callback is still running at the cursor, or SIM_NONE. */
static uint32_t running_handle(const UiCtx *c, uint32_t *pick_step)
{
    const Recording *r = c->v->rec;
    if (c->pos == 0)
        return SIM_NONE;
    uint32_t j = model_running_pick(c->v->model, c->pos - 1);
    if (j == SIM_NONE || j >= r->nsteps)
        return SIM_NONE;
    *pick_step = j;
    return rec_step(r, j).handle;
}

/* The first PICK step of the iteration the cursor is in, or SIM_NONE. */
static uint32_t first_pick_of_iter(const UiCtx *c)
{
    const Recording *r = c->v->rec;
    if (c->pos == 0)
        return SIM_NONE;
    uint32_t it = model_iter_of(c->v->model, c->pos - 1);
    uint32_t j = model_iter_first_pick(c->v->model, it);
    return j < c->pos && j < r->nsteps ? j : SIM_NONE;
}

static uint32_t now_ms(const UiCtx *c) { return c->in->time_ms; }

/* Animation progress 0..1 of an entry that entered at t0. */
static float enter_progress(const UiCtx *c, uint32_t h)
{
    if (c->v->still)
        return 1;
    for (int i = 0; i < c->st->anim_n; i++)
        if (c->st->anim_ids[i] == h) {
            uint32_t dt = now_ms(c) - c->st->anim_t[i];
            return dt >= ANIM_MS ? 1.0f : (float)dt / (float)ANIM_MS;
        }
    return 1;
}

/* Updates the animation bookkeeping with this frame's queue (ids[0..n),
 * plus the running callback as row -1). */
static void track(UiCtx *c, const uint32_t *ids, int n)
{
    UiState *st = c->st;
    bool same = st->anim_rec == (const void *)c->v->rec;
    bool step1 = same && (c->pos == st->anim_pos + 1 || c->pos + 1 == st->anim_pos);
    if (same && c->pos == st->anim_pos)
        return;
    uint32_t t = now_ms(c);
    uint32_t nid[UI_ANIM_MAX], nt[UI_ANIM_MAX];
    int16_t nf[UI_ANIM_MAX];
    int k = 0;
    for (int i = 0; i < n && k < UI_ANIM_MAX; i++) {
        uint32_t since = step1 ? t : t - ANIM_MS;
        int16_t from = -1;
        for (int j = 0; j < st->anim_n; j++)
            if (st->anim_ids[j] == ids[i]) {
                since = st->anim_t[j];
                from = (int16_t)j;
            }
        nid[k] = ids[i];
        nt[k] = since;
        nf[k] = step1 ? from : (int16_t)i;
        k++;
    }
    memcpy(st->anim_ids, nid, sizeof nid[0] * (size_t)k);
    memcpy(st->anim_t, nt, sizeof nt[0] * (size_t)k);
    memcpy(st->anim_from, nf, sizeof nf[0] * (size_t)k);
    st->anim_n = k;
    st->anim_move_t = step1 ? t : t - ANIM_MS;
    st->anim_pos = c->pos;
    st->anim_rec = c->v->rec;
}

/* How far (in rows) entry i is still displaced from its place: it slides
 * from the row it had before the last step to its new row. */
static float row_shift(const UiCtx *c, int i)
{
    if (c->v->still || i >= c->st->anim_n || c->st->anim_from[i] < 0)
        return 0;
    uint32_t dt = now_ms(c) - c->st->anim_move_t;
    if (dt >= ANIM_MS)
        return 0;
    float p = (float)dt / (float)ANIM_MS;
    p = 1 - (1 - p) * (1 - p); /* ease out */
    return (float)(c->st->anim_from[i] - i) * (1 - p);
}

static void handle_tip(UiCtx *c, Rect row, uint32_t h, const char *label)
{
    const Recording *r = c->v->rec;
    const HandleInfo *hi = &r->handles[h];
    char tip[768], a[300], b[300];
    size_t n = (size_t)snprintf(tip, sizeof tip, "%s", label);
    uint32_t q = why__handle_step(r, h);
    if (q != SIM_NONE) {
        why__describe(c, q, a, sizeof a);
        n += (size_t)snprintf(tip + n, sizeof tip - n, "\nQueued by %s", a);
    }
    if (hi->picked != SIM_NONE && hi->picked < r->nsteps) {
        snprintf(b, sizeof b, "step %u, iteration %u", hi->picked, model_iter_of(c->v->model, hi->picked));
        n += (size_t)snprintf(tip + n, sizeof tip - n, "\n%s %s.", hi->picked >= c->pos ? "Will be picked at" : "Picked at", b);
    } else {
        n += (size_t)snprintf(tip + n, sizeof tip - n, "\nNever picked (the run ended first).");
    }
    snprintf(tip + n, sizeof tip - n, "\nClick: why is this here?");
    ui__tooltip(c, row, tip);
}

void panel_ready_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const Recording *r = c->v->rec;
    const Sim *s = c->v->sim;

    /* the queue as narrated */
    /* the first MAX_ROWS shown; all of them counted (100,000 tasks) */
    uint32_t ids[MAX_ROWS];
    bool skipped[MAX_ROWS];
    int n = 0;
    uint32_t total = 0, matching = 0;
    uint32_t len = sim_ready_len(s);
    for (uint32_t i = 0; i < len; i++) {
        uint32_t h = sim_ready_at(s, i);
        if (!ui__handle_queued(c, h))
            continue;
        total++;
        if (!ui__task_match(c, h < r->nhandles ? r->handles[h].task : SIM_NONE))
            continue;
        matching++;
        if (n < MAX_ROWS) {
            skipped[n] = sim_ready_skipped(s, i);
            ids[n++] = h;
        }
    }
    uint32_t pick_step = SIM_NONE;
    uint32_t run_h = running_handle(c, &pick_step);
    track(c, ids, n);

    char note[160];
    if (st->filter[0] || st->filter_edit)
        snprintf(note, sizeof note, "%u of %u match \"%s\"%s", matching, total, st->filter,
                 st->filter_edit ? "_" : "");
    else
        snprintf(note, sizeof note, "%u callback%s, head first", total, total == 1 ? "" : "s");
    Rect body = ui__panel_begin(c, P_READY, "Ready queue", note);
    int rh = th->row_h + theme_px(th, 4);
    int y = body.y + th->gap / 2;
    int x = body.x + th->pad / 2, w = body.w - th->pad;
    char label[300];

    if (run_h != SIM_NONE && run_h < r->nhandles) {
        /* a callback just picked rises from the head of the queue */
        int rise = 0;
        uint32_t dt = now_ms(c) - st->anim_move_t;
        if (!c->v->still && pick_step + 1 == c->pos && dt < ANIM_MS) {
            float p = (float)dt / (float)ANIM_MS;
            rise = (int)((float)(rh + th->gap / 2) * (1 - p) * (1 - p));
        }
        Rect row = {x, y + rise, w, rh - theme_px(th, 2)};
        draw_rect(dl, row, draw_color_alpha(th->running, 40));
        draw_rect(dl, (Rect){row.x, row.y, theme_px(th, 3), row.h}, th->running);
        sim_describe_handle(r, c->v->prog, run_h, label, sizeof label);
        const char *tag = pick_step + 1 == c->pos ? "picked now" : "running";
        int tw = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, tag) + th->pad;
        int ty = row.y + (row.h - draw_text_height(dl, FONT_SANS_BOLD, th->fs_small)) / 2;
        draw_text(dl, FONT_SANS_BOLD, th->fs_small, row.x + th->pad, ty, th->running, tag);
        draw_text_fit(dl, FONT_SANS, th->fs, row.x + th->pad + tw,
                      row.y + (row.h - draw_text_height(dl, FONT_SANS, th->fs)) / 2, row.w - tw - th->pad * 2,
                      th->text, label);
        if (ui__hover(c, row))
            handle_tip(c, row, run_h, label);
        if (ui__clicked(c, row))
            ui__select(c, SEL_HANDLE, run_h);
        y += rh + th->gap / 2;
    }

    Rect list = {body.x, y, body.w, body.y + body.h - y};
    float wh = ui__wheel(c, list);
    st->ready_scroll -= wh * 2;
    int rows_vis = list.h / rh;
    float maxs = (float)(n - rows_vis + 2);
    if (st->ready_scroll > maxs)
        st->ready_scroll = maxs;
    if (st->ready_scroll < 0)
        st->ready_scroll = 0;

    if (n == 0 && total > 0) {
        draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x + th->pad, y + th->gap, w - th->pad * 2, 0},
                       th->small_row_h, 3, th->text_faint,
                       "No queued callback belongs to a task whose name matches the filter (Esc clears it).", false);
    } else if (n == 0) {
        const char *empty = c->pos == 0 ? "Empty: asyncio.run has not started yet. Press \xe2\x86\x92 to step."
                                        : "Empty: no callback is ready to run.";
        draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x + th->pad, y + th->gap, w - th->pad * 2, 0},
                       th->small_row_h, 3, th->text_faint, empty, false);
    }

    uint32_t fp = first_pick_of_iter(c);
    bool next_is_pick = c->pos < r->nsteps && rec_step(r, c->pos).kind == STEP_PICK;
    draw_clip_push(dl, list);
    int first = (int)st->ready_scroll;
    int yy = list.y - (int)((st->ready_scroll - (float)first) * (float)rh);
    bool divided = false;
    for (int i = first; i < n; i++) {
        uint32_t h = ids[i];
        const HandleInfo *hi = &r->handles[h];
        if (!divided && fp != SIM_NONE && hi->queued != SIM_NONE && hi->queued > fp) {
            divided = true;
            int dy = yy + th->gap / 2;
            Color dc = th->text_faint;
            const char *dt = "queued during this iteration: runs in the next one";
            int tw = draw_text_width(dl, FONT_SANS, th->fs_small, dt);
            int ly = dy + th->small_row_h / 2;
            draw_line(dl, x, ly, x + th->pad, ly, 1, dc);
            draw_text_fit(dl, FONT_SANS, th->fs_small, x + th->pad * 2, dy, w - th->pad * 3, dc, dt);
            if (x + th->pad * 3 + tw < x + w)
                draw_line(dl, x + th->pad * 3 + tw, ly, x + w, ly, 1, dc);
            Rect drow = {x, dy, w, th->small_row_h};
            if (ui__hover(c, drow))
                ui__tooltip(c, drow,
                            "_run_once counts the ready queue (ntodo) before it runs anything. Callbacks queued "
                            "while those run wait for the next iteration, so a burst of call_soon cannot starve "
                            "the timers and I/O.");
            yy += th->small_row_h + th->gap;
        }
        if (yy > list.y + list.h)
            break;
        float p = enter_progress(c, h);
        int slide = (int)((1.0f - p) * (float)theme_px(th, 40));
        uint8_t alpha = (uint8_t)(255 * (0.25f + 0.75f * p));
        int shift = (int)(row_shift(c, i) * (float)rh);
        Rect row = {x + slide, yy + shift, w - slide, rh - theme_px(th, 2)};
        bool head = i == 0;
        bool selected = st->sel_kind == SEL_HANDLE && st->sel_id == h;
        uint32_t tk = hi->task;
        Color tc = tk != SIM_NONE ? theme_task_color(tk) : th->text_dim;
        draw_rect(dl, row, draw_color_alpha(selected ? th->select : th->panel_alt, alpha));
        if (head && next_is_pick)
            draw_frame(dl, row, th->accent, theme_px(th, 2));
        draw_rect(dl, (Rect){row.x, row.y, theme_px(th, 3), row.h}, draw_color_alpha(tc, alpha));
        char idx[16];
        snprintf(idx, sizeof idx, "%d", i + 1);
        int iw = draw_text_width(dl, FONT_MONO, th->fs_small, "00") + th->pad;
        int ty = row.y + (row.h - draw_text_height(dl, FONT_SANS, th->fs)) / 2;
        draw_text_right(dl, FONT_MONO, th->fs_small, row.x + iw, ty + theme_px(th, 1), iw, draw_color_alpha(th->text_faint, alpha), idx);
        if (skipped[i]) { /* the loop will skip it */
            int k = snprintf(label, sizeof label, "cancelled, will be skipped: ");
            sim_describe_handle(r, c->v->prog, h, label + k, sizeof label - (size_t)k);
        } else {
            sim_describe_handle(r, c->v->prog, h, label, sizeof label);
        }
        int tagw = 0;
        if (head && next_is_pick) {
            tagw = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, "next") + th->pad * 2;
            draw_text_right(dl, FONT_SANS_BOLD, th->fs_small, row.x + row.w - th->pad,
                            row.y + (row.h - draw_text_height(dl, FONT_SANS_BOLD, th->fs_small)) / 2, tagw,
                            th->accent, "next");
        }
        draw_text_fit(dl, FONT_SANS, th->fs, row.x + iw + th->pad, ty, row.w - iw - th->pad * 2 - tagw,
                      draw_color_alpha(th->text, alpha), label);
        if (ui__hover(c, row)) {
            draw_rect(dl, row, th->hover);
            handle_tip(c, row, h, label);
        }
        if (ui__clicked(c, row))
            ui__select(c, SEL_HANDLE, h);
        yy += rh;
        if (i == n - 1 && matching > (uint32_t)n) { /* the rows not listed */
            char more[96];
            snprintf(more, sizeof more, "... and %u more (/ filters by task name)", matching - (uint32_t)n);
            draw_text_fit(dl, FONT_SANS, th->fs_small, x + th->pad, yy + th->gap / 2, w - th->pad * 2,
                          th->text_faint, more);
        }
    }
    draw_clip_pop(dl);
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 4), list.y, theme_px(th, 3), list.h},
                  st->ready_scroll, (float)rows_vis, (float)n);
    ui__panel_end(c);
}
