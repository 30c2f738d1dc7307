/* panel_waiting.c -- every suspended task and what it waits on, since when.
 *
 * A task is in the waiting set when its recorded span at the cursor is
 * WAITING (exact at every step); the kind comes from the span, the details
 * (timer deadline, I/O label, awaited task, Event/Lock/Queue name) from
 * sim_task_now and the Program. Timers show how much of the wait is over.
 * When the run deadlocked and the cursor is at the end, a red box names the
 * waiters (Recording.error_text) above the list, and the list is red; when
 * asyncio.run returned with tasks still pending (created during its
 * shutdown), a blue box says what CPython does with them at exit.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

void panel_waiting_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const Recording *r = c->v->rec;
    const Sim *s = c->v->sim;
    uint32_t nt = r->ntasks;

    uint32_t n = 0, total = 0;
    const TaskCache *tcache = ui__task_cache(c); /* many tasks: one array read each */
    for (uint32_t t = 0; t < nt; t++)
        if ((tcache ? tcache[t].state : ui__task_state(c, t, NULL, NULL)) == SPAN_WAITING) {
            total++;
            if (ui__task_match(c, t))
                n++;
        }
    bool dead = r->outcome == SIM_DEADLOCK && c->pos >= r->nsteps;
    char note[160];
    if (st->filter[0] || st->filter_edit)
        snprintf(note, sizeof note, "%u of %u match \"%s\"%s", n, total, st->filter, st->filter_edit ? "_" : "");
    else
        snprintf(note, sizeof note, "%u task%s suspended", n, n == 1 ? "" : "s");
    Rect body = ui__panel_begin(c, P_WAITING, dead ? "Waiting set: DEADLOCK" : "Waiting set", note);
    int x = body.x + th->pad / 2, w = body.w - th->pad;
    int y = body.y + th->gap / 2;

    char msg[1200];
    bool left = !dead && c->pos >= r->nsteps && r->nsteps && sim_describe_pending(r, msg, sizeof msg);
    if (dead)
        snprintf(msg, sizeof msg,
                 "Deadlock: nothing is ready and no timer is pending, so asyncio.run would wait forever. %s",
                 rec_text(r, r->error_text));
    if (dead || left) {
        int lh = th->small_row_h;
        int maxl = (body.h / 2) / lh;
        if (maxl < 2)
            maxl = 2;
        Color edge = dead ? th->error : th->accent;
        Rect tb = {x + th->pad, y + th->gap, w - th->pad * 2, 0};
        int lines = draw_text_wrap(dl, FONT_SANS, th->fs_small, tb, lh, maxl, th->text, msg, true);
        Rect box = {x, y, w, lines * lh + th->gap * 2};
        draw_rect(dl, box, draw_color_alpha(edge, 45));
        draw_frame(dl, box, edge, theme_px(th, 2));
        draw_text_wrap(dl, FONT_SANS, th->fs_small, tb, lh, maxl, th->text, msg, false);
        if (ui__hover(c, box))
            ui__tooltip(c, box, msg);
        y += box.h + th->gap;
    }

    int rh = th->row_h + th->small_row_h + theme_px(th, 6);
    Rect list = {body.x, y, body.w, body.y + body.h - y};
    st->wait_scroll -= ui__wheel(c, list) * 2;
    int vis = list.h / rh;
    float maxs = (float)n - (float)vis + 1;
    if (st->wait_scroll > maxs)
        st->wait_scroll = maxs;
    if (st->wait_scroll < 0)
        st->wait_scroll = 0;
    if (n == 0 && !dead)
        draw_text_wrap(dl, FONT_SANS, th->fs_small, (Rect){x + th->pad, y + th->gap, w - th->pad * 2, 0},
                       th->small_row_h, 3, th->text_faint,
                       total ? "No suspended task matches the filter (Esc clears it)."
                       : c->pos == 0 ? "No task yet." : "No task is suspended right now.", false);
    draw_clip_push(dl, list);
    uint32_t first = (uint32_t)st->wait_scroll;
    uint32_t k = 0;
    int yy = list.y;
    VTime now = sim_now(s);
    for (uint32_t t = 0; t < nt && yy < list.y + list.h; t++) {
        uint8_t wk = WAIT_NONE;
        const LaneSpan *sp = NULL;
        if (tcache && tcache[t].state != SPAN_WAITING)
            continue;
        if (ui__task_state(c, t, &wk, &sp) != SPAN_WAITING || !ui__task_match(c, t))
            continue;
        if (k++ < first)
            continue;
        TaskNow tn = sim_task_now(s, t);
        tn.wait = (WaitKind)wk;
        char what[256], detail[128], since[96], ts[32];
        ui__describe_wait(c, &tn, what, sizeof what, detail, sizeof detail);
        VTime t0 = sp ? model_time_at(c->v->model, sp->s0) : tn.since;
        uint32_t s0 = sp ? sp->s0 : tn.since_step;
        vtime_format(t0, 3, ts, sizeof ts);
        snprintf(since, sizeof since, "since t=%s (step %u)", ts, s0 ? s0 - 1 : 0);
        Rect row = {x, yy, w, rh - theme_px(th, 3)};
        Color kc = th->wait[wk < WAIT__COUNT ? wk : 0];
        draw_rect(dl, row, dead ? draw_color_alpha(th->error, 30) : th->panel_alt);
        draw_rect(dl, (Rect){row.x, row.y, theme_px(th, 3), row.h}, theme_task_color(t));
        int fh = draw_text_height(dl, FONT_SANS_BOLD, th->fs);
        int ty = row.y + (th->row_h - fh) / 2 + theme_px(th, 2);
        int sw = draw_text_width(dl, FONT_SANS, th->fs_small, since);
        if (sw > row.w / 2)
            sw = row.w / 2;
        draw_text_right(dl, FONT_SANS, th->fs_small, row.x + row.w - th->pad, ty + theme_px(th, 1), sw,
                        th->text_faint, since);
        /* inside `async with asyncio.timeout(...)`: when it expires, as a chip after the name */
        char tmo[64] = "";
        if (tn.timeout_handle != SIM_NONE && tn.timeout_handle < r->nhandles) {
            char tt[32];
            vtime_format(rec_handle_when(r, tn.timeout_handle), 3, tt, sizeof tt);
            if (r->handles[tn.timeout_handle].timer)
                snprintf(tmo, sizeof tmo, "timeout t=%s", tt);
            else
                snprintf(tmo, sizeof tmo, "timeout: now");
        }
        int nw = draw_text_width(dl, FONT_SANS_BOLD, th->fs, ui__task_name(c, t));
        int tw = tmo[0] ? draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, tmo) + th->pad : 0;
        int room = row.w - sw - th->pad * 3;
        if (tw && nw + th->pad + tw > room)
            tw = 0; /* too narrow: the tooltip still says it */
        draw_text_fit(dl, FONT_SANS_BOLD, th->fs, row.x + th->pad, ty, room - (tw ? tw + th->pad : 0), th->text,
                      ui__task_name(c, t));
        if (tw) {
            int cx = row.x + th->pad + nw + th->pad, ch = th->small_row_h;
            int cy = row.y + (th->row_h - ch) / 2 + theme_px(th, 2);
            draw_rect(dl, (Rect){cx, cy, tw, ch}, draw_color_alpha(th->wait[WAIT_TIMER], 70));
            draw_text(dl, FONT_SANS_BOLD, th->fs_small, cx + th->pad / 2,
                      cy + (ch - draw_text_height(dl, FONT_SANS_BOLD, th->fs_small)) / 2, th->text, tmo);
        }
        /* kind chip + words */
        int ly = row.y + th->row_h + theme_px(th, 1);
        const char *kind = wait_kind_name((WaitKind)wk);
        int kw = draw_text_width(dl, FONT_SANS_BOLD, th->fs_small, kind) + th->pad;
        Rect chip = {row.x + th->pad, ly, kw, th->small_row_h};
        draw_rect(dl, chip, draw_color_alpha(kc, 90));
        draw_text(dl, FONT_SANS_BOLD, th->fs_small, chip.x + th->pad / 2,
                  ly + (th->small_row_h - draw_text_height(dl, FONT_SANS_BOLD, th->fs_small)) / 2, th->text, kind);
        char line[400];
        snprintf(line, sizeof line, "%s%s%s", what, detail[0] ? "  \xc2\xb7  " : "", detail);
        draw_text_fit(dl, FONT_SANS, th->fs_small, chip.x + kw + th->pad / 2,
                      ly + (th->small_row_h - draw_text_height(dl, FONT_SANS, th->fs_small)) / 2,
                      row.x + row.w - (chip.x + kw + th->pad), th->text_dim, line);
        /* timers: how much of the wait is over */
        if ((wk == WAIT_TIMER || wk == WAIT_IO || wk == WAIT_WAIT_FOR) && tn.wait_handle != SIM_NONE &&
            tn.wait_handle < r->nhandles) {
            VTime when = rec_handle_when(r, tn.wait_handle);
            if (when > t0) {
                double f = (double)(now - t0) / (double)(when - t0);
                if (f < 0)
                    f = 0;
                if (f > 1)
                    f = 1;
                int bw = row.w - th->pad * 2;
                int by = row.y + row.h - theme_px(th, 3);
                draw_rect(dl, (Rect){row.x + th->pad, by, bw, theme_px(th, 2)}, draw_color_alpha(kc, 60));
                draw_rect(dl, (Rect){row.x + th->pad, by, (int)(bw * f), theme_px(th, 2)}, kc);
            }
        }
        if (ui__hover(c, row)) {
            char tip[1280];
            snprintf(tip, sizeof tip, "%s waits on %s%s%s.\nSuspended %s. It becomes ready when that completes: "
                     "its wakeup is then queued with call_soon.%s%s%s%s\nClick: why is it waiting?",
                     ui__task_name(c, t), what, detail[0] ? ", " : "", detail, since,
                     tmo[0] ? "\nIt is inside `async with asyncio.timeout(...)` (" : "", tmo,
                     tmo[0] ? "): " : "",
                     tmo[0] ? (r->handles[tn.timeout_handle].timer
                                   ? "if it is still there when that timer falls due, the handler cancels it, "
                                     "and the block turns the CancelledError into TimeoutError."
                                   : "the handler is already in the ready queue (timeout <= 0): it cancels "
                                     "the task at its next await.")
                           : "");
            ui__tooltip(c, row, tip);
            draw_rect(dl, row, th->hover);
        }
        if (ui__clicked(c, row) && s0 > 0)
            ui__select(c, SEL_STEP, s0 - 1);
        yy += rh;
    }
    draw_clip_pop(dl);
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 4), list.y, theme_px(th, 3), list.h},
                  st->wait_scroll, (float)vis, (float)n);
    ui__panel_end(c);
}
