/* panel_source.c -- the scenario as the Python it stands for, with every
 * task's current line marked.
 *
 * The text is exp_python_source's (the same as `export --python`), split
 * into lines by the model. Each live task's current statement
 * (sim_task_now().stmt) is mapped to a line through the exporter's
 * statement -> line table and marked in the gutter with the task's colour;
 * the running task's line is filled and gets an arrow. The view follows the
 * line of the task that acted last until the user scrolls, and follows
 * again after the next step.
 *
 * Depends on: ui_int.h.  Used by: ui.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

#define MAX_MARKS 4

typedef struct LineMarks {
    uint32_t task[MAX_MARKS];
    uint32_t n;
    bool running;
} LineMarks;

static uint32_t stmt_line(const UiModel *m, uint32_t stmt)
{
    if (!m->stmt_line || stmt == SIM_NONE || stmt >= m->nstmt)
        return 0;
    return m->stmt_line[stmt];
}

void panel_source_draw(UiCtx *c)
{
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    UiState *st = c->st;
    const UiModel *m = c->v->model;
    const Sim *s = c->v->sim;
    Rect body = ui__panel_begin(c, P_SOURCE, "Source", "the scenario as Python");
    if (!m->src || m->nsrc_lines == 0) {
        draw_text_wrap(dl, FONT_SANS, th->fs, draw_rect_inset(body, th->pad), th->row_h, 4, th->text_dim,
                       "The Python text of this scenario is not available.", false);
        ui__panel_end(c);
        return;
    }
    int lh = th->mono_row_h;
    int rows = body.h / lh;
    if (rows < 1)
        rows = 1;
    uint32_t nl = m->nsrc_lines;

    /* where each task is */
    uint32_t nt = sim_ntasks(s);
    uint32_t running = ui__running_task(c);
    uint32_t focus_line = 0;
    if (running != SIM_NONE)
        focus_line = stmt_line(m, sim_task_now(s, running).stmt);
    if (!focus_line && c->pos > 0) {
        Step sp = rec_step(c->v->rec, c->pos - 1);
        if (sp.task != SIM_NONE && sp.task < nt)
            focus_line = stmt_line(m, sim_task_now(s, sp.task).stmt);
        if (!focus_line && sp.stmt != SIM_NONE)
            focus_line = stmt_line(m, sp.stmt);
    }

    /* Nothing to point at (before the first step, between iterations): show
     * the scenario's own code rather than the export's header comment and
     * helpers, i.e. start at the first `async def` that is not io_read. */
    bool code_top = false;
    if (!focus_line) {
        code_top = true;
        for (uint32_t i = 0; i < nl; i++) {
            const char *z = m->src + m->src_line[i];
            if (strncmp(z, "async def ", 10) == 0 && strncmp(z + 10, "io_read(", 8) != 0) {
                focus_line = i > 0 ? i : 1; /* the blank line above it, 1-based */
                break;
            }
        }
    }

    /* scrolling */
    if (st->last_pos != c->pos)
        st->src_follow = true;
    float wh = ui__wheel(c, body);
    if (wh != 0) {
        st->src_scroll -= wh * 3;
        st->src_follow = false;
    }
    if (st->src_follow && focus_line) {
        float fl = (float)(focus_line - 1);
        if (code_top)
            st->src_scroll = fl;
        else if (fl < st->src_scroll + 1 || fl > st->src_scroll + (float)rows - 2)
            st->src_scroll = fl - (float)rows / 3;
    }
    float maxs = (float)nl - (float)rows + 1;
    if (st->src_scroll > maxs)
        st->src_scroll = maxs;
    if (st->src_scroll < 0)
        st->src_scroll = 0;
    uint32_t first = (uint32_t)st->src_scroll;
    uint32_t last = first + (uint32_t)rows + 1;
    if (last > nl)
        last = nl;

    LineMarks marks[256];
    uint32_t nvis = last - first;
    if (nvis > 256)
        nvis = 256;
    memset(marks, 0, sizeof marks);
    uint32_t extra[256];
    memset(extra, 0, sizeof extra);
    const TaskCache *tcache = ui__task_cache(c); /* many tasks: one array read each */
    for (uint32_t t = 0; t < nt; t++) {
        int ts = tcache ? tcache[t].state : ui__task_state(c, t, NULL, NULL);
        if (ts == TS_NOT_YET || ts == TS_DONE)
            continue;
        uint32_t ln = stmt_line(m, tcache ? tcache[t].stmt : ui__task_stmt(c, t));
        if (!ln || ln - 1 < first || ln - 1 >= first + nvis)
            continue;
        LineMarks *lm = &marks[ln - 1 - first];
        if (t == running) {
            lm->running = true;
            /* the running task goes first */
            if (lm->n == MAX_MARKS)
                extra[ln - 1 - first]++;
            else
                lm->n++;
            memmove(&lm->task[1], &lm->task[0], sizeof lm->task[0] * (lm->n - 1));
            lm->task[0] = t;
        } else if (lm->n < MAX_MARKS) {
            lm->task[lm->n++] = t;
        } else {
            extra[ln - 1 - first]++;
        }
    }

    char digits[16];
    snprintf(digits, sizeof digits, "%u", nl);
    int numw = draw_text_width(dl, FONT_MONO, th->fs_small, digits) + th->pad;
    int markw = theme_px(th, 16);
    int code_x = body.x + numw + markw + th->pad / 2;
    int tags_max = body.w / 3;
    int fh = draw_text_height(dl, FONT_MONO, th->fs_mono);
    for (uint32_t i = 0; i < nvis; i++) {
        uint32_t ln = first + i;
        int y = body.y + (int)i * lh - (int)((st->src_scroll - (float)first) * (float)lh);
        Rect row = {body.x, y, body.w, lh};
        const LineMarks *lm = &marks[i];
        const char *text = m->src + m->src_line[ln];
        if (lm->running) {
            draw_rect(dl, row, draw_color_alpha(th->running, 48));
            draw_rect(dl, (Rect){body.x, y, theme_px(th, 3), lh}, th->running);
        } else if (lm->n) {
            draw_rect(dl, row, draw_color_alpha(theme_task_color(lm->task[0]), 22));
        }
        bool hot = ui__hover(c, row);
        if (hot)
            draw_rect(dl, row, th->hover);
        char num[16];
        snprintf(num, sizeof num, "%u", ln + 1);
        int ty = y + (lh - fh) / 2;
        draw_text_right(dl, FONT_MONO, th->fs_small, body.x + numw - th->pad / 2, ty + theme_px(th, 1), numw,
                        th->text_faint, num);
        /* gutter marks: one coloured bar per task, the running one an arrow */
        int mx = body.x + numw;
        for (uint32_t k = 0; k < lm->n; k++) {
            Color tc = theme_task_color(lm->task[k]);
            if (k == 0 && lm->running) {
                int cy = y + lh / 2, a = lh / 3;
                draw_tri(dl, mx, cy - a, mx, cy + a, mx + a + a / 2, cy, th->running);
            } else {
                int bw = theme_px(th, 3);
                int bx = mx + (int)k * (bw + 1) + (lm->running ? theme_px(th, 2) : 0);
                if (bx + bw <= mx + markw)
                    draw_rect(dl, (Rect){bx, y + 2, bw, lh - 4}, tc);
            }
        }
        /* task tags at the right */
        int tag_w = 0;
        if (lm->n) {
            char tags[256];
            size_t tl = 0;
            tags[0] = '\0';
            for (uint32_t k = 0; k < lm->n && tl < sizeof tags - 40; k++)
                tl += (size_t)snprintf(tags + tl, sizeof tags - tl, "%s%s", k ? ", " : "",
                                       ui__task_name(c, lm->task[k]));
            if (extra[i])
                snprintf(tags + tl, sizeof tags - tl, " +%u", extra[i]);
            int want = draw_text_width(dl, FONT_SANS, th->fs_small, tags) + th->pad;
            tag_w = want < tags_max ? want : tags_max;
            Color tc = lm->running ? th->running : theme_task_color(lm->task[0]);
            draw_text_right(dl, FONT_SANS, th->fs_small, body.x + body.w - th->pad,
                            y + (lh - draw_text_height(dl, FONT_SANS, th->fs_small)) / 2, tag_w - th->pad / 2,
                            tc, tags);
        }
        int code_w = body.x + body.w - code_x - tag_w - th->pad;
        draw_text_fit(dl, lm->running ? FONT_MONO_BOLD : FONT_MONO, th->fs_mono, code_x, ty, code_w,
                      lm->n ? th->text : th->text_dim, text);
        if (hot) {
            char tip[768];
            size_t tl = (size_t)snprintf(tip, sizeof tip, "line %u: %s", ln + 1, text);
            for (uint32_t k = 0; k < lm->n && tl < sizeof tip - 80; k++) {
                uint32_t t = lm->task[k];
                TaskNow tn = sim_task_now(s, t);
                uint8_t wk = WAIT_NONE;
                int ts = ui__task_state(c, t, &wk, NULL);
                char w[300], d[100];
                if (t == running)
                    snprintf(w, sizeof w, "running this line now");
                else if (ts == SPAN_WAITING) {
                    tn.wait = (WaitKind)wk;
                    char wd[160];
                    ui__describe_wait(c, &tn, wd, sizeof wd, d, sizeof d);
                    snprintf(w, sizeof w, "waiting on %s%s%s", wd, d[0] ? ", " : "", d);
                } else
                    snprintf(w, sizeof w, "ready: its next step is in the ready queue");
                tl += (size_t)snprintf(tip + tl, sizeof tip - tl, "\n%s: %s", ui__task_name(c, t), w);
            }
            if (lm->n == 0)
                snprintf(tip + tl, sizeof tip - tl, "\nNo task is at this line now.");
            ui__tooltip(c, row, tip);
        }
    }
    ui__scrollbar(c, (Rect){body.x + body.w - theme_px(th, 4), body.y, theme_px(th, 3), body.h},
                  st->src_scroll, (float)rows, (float)nl);
    ui__panel_end(c);
}
