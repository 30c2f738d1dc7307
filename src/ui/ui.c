/* ui.c -- one frame of the app: keys, panels, overlays, tooltip. Pure.
 *
 * ui_frame is the whole UI as a function: (UiState, UiView, UiInput) ->
 * (UiState', DrawList, Intents). Order within a frame:
 *   1. layout for the window size; theme for the scale;
 *   2. keyboard: navigation keys become SEEK intents computed from the
 *      Recording (nav.c); the open prompt and the help overlay take the
 *      keyboard while they are shown;
 *   3. the causal chain of the selection (why.c), so the timeline can draw
 *      its arrows;
 *   4. the panels, each inside its own rectangle and clip;
 *   5. overlays (why, diagnostics, help, prompt) and last the tooltip.
 * It reads the Sim only through const queries and never stores a fact
 * about the simulation in UiState (only ids to look things up again).
 *
 * Depends on: ui_int.h.  Used by: app.c, tests.
 */
#include <math.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

void ui_state_free(UiState *st)
{
    free(st->tcache);
    st->tcache = NULL;
    st->tcache_n = 0;
    st->tcache_rec = NULL;
    free(st->colk);
    st->colk = NULL;
    st->colk_cap = 0;
}

void ui_state_init(UiState *st)
{
    memset(st, 0, sizeof *st);
    st->axis = AXIS_HYBRID;
    st->view0 = 0;
    st->view1 = 1;
    st->follow = true;
    st->src_follow = true;
    st->console_follow = true;
}

/* ---- helpers shared by the panels ---------------------------------------- */

bool ui__hover(const UiCtx *c, Rect r)
{
    if (!c->in->mouse_in || c->modal)
        return false;
    if (c->st->drag_panel && c->st->dragged)
        return false;
    return draw_rect_contains(r, c->in->mx, c->in->my);
}

bool ui__clicked(const UiCtx *c, Rect r)
{
    if (c->v->still || c->modal || !(c->in->released & UI_MOUSE_LEFT) || c->st->dragged)
        return false;
    return draw_rect_contains(r, c->in->mx, c->in->my) && draw_rect_contains(r, c->st->drag_x0, c->st->drag_y0);
}

float ui__wheel(const UiCtx *c, Rect r)
{
    if (c->modal || !c->in->mouse_in || !draw_rect_contains(r, c->in->mx, c->in->my))
        return 0;
    return c->in->wheel_y;
}

void ui__tooltip(UiCtx *c, Rect anchor, const char *text)
{
    snprintf(c->tip, sizeof c->tip, "%s", text);
    c->tip_anchor = anchor;
}

void ui__intent(UiCtx *c, IntentKind k, uint32_t n, int delta, const char *path)
{
    if (c->out->n >= UI_MAX_INTENTS)
        return;
    Intent *it = &c->out->items[c->out->n++];
    it->kind = k;
    it->n = n;
    it->delta = delta;
    it->path = path;
}

void ui__seek(UiCtx *c, uint32_t n)
{
    if (n > c->nsteps)
        n = c->nsteps;
    ui__intent(c, INTENT_SEEK, n, 0, NULL);
}

void ui__select(UiCtx *c, SelKind k, uint32_t id)
{
    c->st->sel_kind = (uint8_t)k;
    c->st->sel_id = id;
    c->st->why_scroll = 0;
}

const char *ui__task_name(const UiCtx *c, uint32_t t)
{
    const Recording *r = c->v->rec;
    if (!r || t >= r->ntasks)
        return "?";
    return rec_text(r, r->tasks[t].name);
}

bool ui__task_match(const UiCtx *c, uint32_t t)
{
    const char *f = c->st->filter;
    if (!f[0])
        return true;
    if (t == SIM_NONE)
        return false;
    const char *name = ui__task_name(c, t);
    size_t fl = strlen(f);
    for (const char *p = name; *p; p++) {
        size_t i = 0;
        while (i < fl && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)f[i]))
            i++;
        if (i == fl)
            return true;
    }
    return false;
}

static int task_state_now(const UiCtx *c, uint32_t t, uint8_t *wait, const LaneSpan **span);

/* Panels ask for every task's state several times a frame (the waiting set
 * counts and lists, the source marks each line): with many tasks the
 * answers are worked out once per cursor position into a cache kept in the
 * UiState (100,000 tasks: one pass when the cursor moves, none for frames
 * that only hover). A new recording can reuse an old one's address, so the
 * recording also resets the cache (reset_for_new_recording). */
#define TASK_CACHE_MIN 512

int ui__task_state(const UiCtx *c, uint32_t t, uint8_t *wait, const LaneSpan **span)
{
    const Recording *r = c->v->rec;
    if (r && r->ntasks >= TASK_CACHE_MIN && t < r->ntasks) {
        UiState *st = c->st;
        if (st->tcache_rec != (const void *)r || st->tcache_pos != c->pos || st->tcache_n != r->ntasks ||
            st->tcache_gen != c->v->doc_gen) {
            TaskCache *tc = st->tcache_n >= r->ntasks && st->tcache
                                ? st->tcache : realloc(st->tcache, (size_t)r->ntasks * sizeof *tc);
            st->tcache_rec = NULL;
            if (tc) {
                st->tcache = tc;
                for (uint32_t k = 0; k < r->ntasks; k++) {
                    TaskCache *e = &tc[k];
                    e->state = (int8_t)task_state_now(c, k, &e->wait, &e->span);
                    e->stmt = e->state == TS_NOT_YET || e->state == TS_DONE ? SIM_NONE
                                                                           : sim_task_now(c->v->sim, k).stmt;
                }
                st->tcache_n = r->ntasks;
                st->tcache_gen = c->v->doc_gen;
                st->tcache_pos = c->pos;
                st->tcache_rec = r;
            }
        }
        if (st->tcache_rec == (const void *)r) {
            const TaskCache *e = &((const TaskCache *)st->tcache)[t];
            if (wait)
                *wait = e->wait;
            if (span)
                *span = e->span;
            return e->state;
        }
    }
    return task_state_now(c, t, wait, span);
}

const TaskCache *ui__task_cache(const UiCtx *c)
{
    const Recording *r = c->v->rec;
    if (!r || r->ntasks < TASK_CACHE_MIN)
        return NULL;
    ui__task_state(c, 0, NULL, NULL); /* fills the cache */
    const UiState *st = c->st;
    if (st->tcache_rec == (const void *)r && st->tcache_pos == c->pos && st->tcache_gen == c->v->doc_gen)
        return st->tcache;
    return NULL;
}

uint32_t ui__task_stmt(const UiCtx *c, uint32_t t)
{
    const Recording *r = c->v->rec;
    if (r && t < r->ntasks && r->ntasks >= TASK_CACHE_MIN) {
        ui__task_state(c, t, NULL, NULL); /* fills the cache */
        const UiState *st = c->st;
        if (st->tcache_rec == (const void *)r && st->tcache_pos == c->pos)
            return ((const TaskCache *)st->tcache)[t].stmt;
    }
    return sim_task_now(c->v->sim, t).stmt;
}

static int task_state_now(const UiCtx *c, uint32_t t, uint8_t *wait, const LaneSpan **span)
{
    const Recording *r = c->v->rec;
    if (wait)
        *wait = WAIT_NONE;
    if (span)
        *span = NULL;
    if (!r || t >= r->ntasks || c->pos < r->tasks[t].created)
        return TS_NOT_YET;
    const LaneSpan *sp = model_span_at(c->v->model, t, c->pos);
    if (!sp) {
        if (r->tasks[t].ended != SIM_NONE)
            return TS_DONE;
        /* no recorded span covers the cursor: ask the Sim */
        TaskNow tn = sim_task_now(c->v->sim, t);
        if (!tn.exists || tn.done)
            return tn.done ? TS_DONE : TS_NOT_YET;
        if (tn.running)
            return SPAN_RUNNING;
        if (tn.wait == WAIT_READY || tn.wait == WAIT_NONE)
            return SPAN_READY;
        if (wait)
            *wait = (uint8_t)tn.wait;
        return SPAN_WAITING;
    }
    if (wait)
        *wait = sp->wait;
    if (span)
        *span = sp;
    return sp->state;
}

uint32_t ui__running_task(const UiCtx *c)
{
    const Recording *r = c->v->rec;
    if (!r || c->pos == 0 || c->pos > r->nsteps)
        return SIM_NONE;
    uint32_t t = rec_step(r, c->pos - 1).task;
    if (t != SIM_NONE && ui__task_state(c, t, NULL, NULL) == SPAN_RUNNING)
        return t;
    t = sim_current_task(c->v->sim);
    if (t != SIM_NONE && ui__task_state(c, t, NULL, NULL) == SPAN_RUNNING)
        return t;
    return SIM_NONE;
}

bool ui__handle_queued(const UiCtx *c, uint32_t h)
{
    const Recording *r = c->v->rec;
    if (!r || h >= r->nhandles)
        return false;
    const HandleInfo *hi = &r->handles[h];
    if (hi->queued == SIM_NONE || hi->queued >= c->pos)
        return false;
    return hi->picked == SIM_NONE || hi->picked >= c->pos;
}

void ui__secs(VTime t, char *buf, size_t n)
{
    char b[32];
    vtime_format(t, 3, b, sizeof b);
    snprintf(buf, n, "%s s", b);
}

void ui__chip(UiCtx *c, Rect r, Color fill, Color border)
{
    draw_rect(c->dl, r, fill);
    draw_frame(c->dl, r, border, c->th->border);
}

void ui__scrollbar(UiCtx *c, Rect track, float first, float visible, float total)
{
    if (total <= visible || total <= 0 || track.h <= 4)
        return;
    draw_rect(c->dl, track, draw_color_alpha(c->th->border_c, 120));
    float f0 = first / total, f1 = (first + visible) / total;
    if (f1 > 1)
        f1 = 1;
    int y0 = track.y + (int)(f0 * (float)track.h);
    int y1 = track.y + (int)(f1 * (float)track.h);
    int minh = theme_px(c->th, 12);
    if (y1 - y0 < minh)
        y1 = y0 + minh;
    if (y1 > track.y + track.h) {
        y0 -= y1 - (track.y + track.h);
        y1 = track.y + track.h;
    }
    Rect thumb = {track.x, y0, track.w, y1 - y0};
    draw_rect(c->dl, thumb, c->th->text_faint);
}

void ui__describe_wait(const UiCtx *c, const TaskNow *tn, char *buf, size_t n,
                       char *detail, size_t dn)
{
    const Recording *r = c->v->rec;
    const Program *p = c->v->prog;
    VTime now = sim_now(c->v->sim);
    char a[48], b[48];
    detail[0] = '\0';
    const char *obj = tn->wait_obj != SIM_NONE && p && tn->wait_obj < p->nobjects
                          ? prog_s(p, p->objects[tn->wait_obj].name) : NULL;
    switch (tn->wait) {
    case WAIT_TIMER:
    case WAIT_WAIT_FOR:
    case WAIT_IO: {
        const HandleInfo *h = tn->wait_handle != SIM_NONE && tn->wait_handle < r->nhandles
                                  ? &r->handles[tn->wait_handle] : NULL;
        VTime when = h ? rec_handle_when(r, tn->wait_handle) : 0;
        if (tn->wait == WAIT_IO) {
            /* the label with its variables filled in, as the core recorded it */
            const char *label = h && h->kind == H_IO_DONE && h->other != SIM_NONE &&
                                        h->other < r->ntext
                                    ? r->text + h->other
                                : tn->stmt != SIM_NONE && p && tn->stmt < p->nstmts &&
                                        p->stmts[tn->stmt].kind == STMT_IO
                                    ? prog_s(p, p->stmts[tn->stmt].text) : "";
            snprintf(buf, n, "I/O %s%s%s", label[0] ? "\"" : "", label, label[0] ? "\"" : "");
        } else if (tn->wait == WAIT_WAIT_FOR) {
            snprintf(buf, n, "wait_for (timeout)");
        } else {
            char d[32] = "";
            if (tn->stmt != SIM_NONE && p && tn->stmt < p->nstmts && p->stmts[tn->stmt].kind == STMT_SLEEP)
                snprintf(d, sizeof d, "%.9g", (double)p->stmts[tn->stmt].ns / 1e9);
            else if (h && when >= tn->since)
                snprintf(d, sizeof d, "%.9g", (double)(when - tn->since) / 1e9);
            snprintf(buf, n, "asyncio.sleep(%s)", d);
        }
        if (h) {
            vtime_format(when, 3, a, sizeof a);
            VTime left = when - now;
            if (left < 0)
                left = 0;
            vtime_format(left, 3, b, sizeof b);
            snprintf(detail, dn, "due t=%s, %s s left", a, b);
        }
        break;
    }
    case WAIT_TASK:
        snprintf(buf, n, "task %s", ui__task_name(c, tn->wait_obj));
        break;
    case WAIT_GATHER:
        snprintf(buf, n, "gather(...) of its children");
        break;
    case WAIT_AS_COMPLETED:
        snprintf(buf, n, "the next task to finish");
        snprintf(detail, dn, "its done Queue is empty");
        break;
    case WAIT_SHIELD:
        snprintf(buf, n, "shield(%s)", ui__task_name(c, tn->wait_obj));
        snprintf(detail, dn, "cancelling it cancels only the shield");
        break;
    case WAIT_GROUP:
        snprintf(buf, n, "TaskGroup children");
        break;
    case WAIT_EVENT:
        snprintf(buf, n, "Event %s.wait()", obj ? obj : "?");
        break;
    case WAIT_LOCK:
        snprintf(buf, n, "Lock %s", obj ? obj : "?");
        break;
    case WAIT_QUEUE_GET:
        snprintf(buf, n, "Queue %s.get() (empty)", obj ? obj : "?");
        break;
    case WAIT_QUEUE_PUT:
        snprintf(buf, n, "Queue %s.put() (full)", obj ? obj : "?");
        break;
    case WAIT_QUEUE_JOIN:
        snprintf(buf, n, "Queue %s.join()", obj ? obj : "?");
        break;
    case WAIT_READY:
        snprintf(buf, n, "its next step in the ready queue");
        break;
    default:
        snprintf(buf, n, "%s", wait_kind_name(tn->wait));
        break;
    }
}

Rect ui__panel_begin(UiCtx *c, PanelId p, const char *title, const char *note)
{
    const Theme *th = c->th;
    Rect r = c->L->r[p];
    draw_owner(c->dl, p);
    draw_clip_push(c->dl, r);
    draw_rect(c->dl, r, th->panel);
    Rect hd = {r.x, r.y, r.w, th->header_h};
    draw_rect(c->dl, hd, th->header);
    int ty = hd.y + (hd.h - draw_text_height(c->dl, FONT_SANS_BOLD, th->fs)) / 2;
    int tw = 0;
    if (title)
        tw = draw_text_fit(c->dl, FONT_SANS_BOLD, th->fs, r.x + th->pad, ty, r.w - 2 * th->pad,
                           th->text, title);
    if (note && note[0]) {
        int room = r.w - 3 * th->pad - tw;
        int sy = hd.y + (hd.h - draw_text_height(c->dl, FONT_SANS, th->fs_small)) / 2;
        if (room > th->pad * 3)
            draw_text_right(c->dl, FONT_SANS, th->fs_small, r.x + r.w - th->pad, sy, room,
                            th->text_dim, note);
    }
    draw_frame(c->dl, r, th->border_c, th->border);
    Rect body = {r.x + th->border, r.y + th->header_h, r.w - 2 * th->border,
                 r.h - th->header_h - th->border};
    if (body.h < 0)
        body.h = 0;
    draw_clip_push(c->dl, body);
    return body;
}

void ui__panel_end(UiCtx *c)
{
    draw_clip_pop(c->dl);
    draw_clip_pop(c->dl);
    draw_owner(c->dl, P_NONE);
}

/* ---- keyboard ------------------------------------------------------------ */

static void key_nav(UiCtx *c, const UiKey *k)
{
    UiState *st = c->st;
    const UiModel *m = c->v->model;
    uint32_t pos = c->pos;
    bool shift = (k->mods & UI_MOD_SHIFT) != 0;
    bool ctrl = (k->mods & UI_MOD_CTRL) != 0;
    const UiLecture *lec = c->v->lecture;
    if (lec) { /* lecture mode: the clicker's keys, presenter zoom, answers */
        if (k->code == UK_PAGEDOWN || (k->code == UK_ENTER && !ctrl)) {
            ui__intent(c, INTENT_LEC_NEXT, 0, 0, NULL);
            return;
        }
        if (k->code == UK_PAGEUP) {
            ui__intent(c, INTENT_LEC_PREV, 0, 0, NULL);
            return;
        }
        if ((k->code == UK_PLUS || k->code == UK_MINUS) && ctrl) {
            ui__intent(c, INTENT_LEC_ZOOM, 0, k->code == UK_PLUS ? +1 : -1, NULL);
            return;
        }
        if (k->code == UK_CHAR && k->ch >= '1' && k->ch <= '9' && lec->question && !lec->revealed) {
            if ((uint32_t)(k->ch - '1') < lec->nchoices)
                ui__intent(c, INTENT_LEC_ANSWER, (uint32_t)(k->ch - '1'), 0, NULL);
            return;
        }
        if (k->code == UK_CHAR && k->ch == 'c' && lec->nclaim) {
            ui__intent(c, INTENT_LEC_CLAIM, 0, 0, NULL);
            return;
        }
    }
    switch (k->code) {
    case UK_SPACE: ui__intent(c, INTENT_PLAY_TOGGLE, 0, 0, NULL); break;
    case UK_RIGHT: ui__seek(c, pos + (shift ? 10 : 1)); break;
    case UK_LEFT: ui__seek(c, pos > (shift ? 10u : 1u) ? pos - (shift ? 10 : 1) : 0); break;
    case UK_DOWN: if (m) ui__seek(c, nav__next_iter(m, pos)); break;
    case UK_UP: if (m) ui__seek(c, nav__prev_iter(m, pos)); break;
    case UK_HOME: ui__seek(c, 0); break;
    case UK_END: ui__seek(c, c->nsteps); break;
    case UK_PAGEUP: st->lane_scroll -= 5; break;
    case UK_PAGEDOWN: st->lane_scroll += 5; break;
    case UK_PLUS: ui__intent(c, INTENT_SPEED, 0, +1, NULL); break;
    case UK_MINUS: ui__intent(c, INTENT_SPEED, 0, -1, NULL); break;
    case UK_F5: ui__intent(c, INTENT_RELOAD, 0, 0, NULL); break;
    case UK_F1:
    case UK_HELP: st->help = true; break;
    case UK_ESCAPE:
        if (st->sel_kind != SEL_NONE)
            st->sel_kind = SEL_NONE;
        break;
    case UK_CHAR: {
        char ch = k->ch;
        if (ch >= '1' && ch <= '7' && m) {
            st->stage_pick = (uint8_t)(ch - '0');
            ui__seek(c, shift ? nav__prev_stage(m, pos, ch - '0') : nav__next_stage(m, pos, ch - '0'));
        } else if ((ch == 'n' || ch == 'p') && m) {
            int sg = st->stage_pick ? st->stage_pick : nav__stage_at(c->v->rec, pos);
            if (sg == 0)
                sg = 2;
            ui__seek(c, ch == 'n' ? nav__next_stage(m, pos, sg) : nav__prev_stage(m, pos, sg));
        } else if (ch == 'r') {
            ui__intent(c, INTENT_RESTART, 0, 0, NULL);
        } else if (ch == 'o') {
            st->prompt = true;
            if (!st->prompt_buf[0] && c->v->file_label && c->v->file_label[0] != '(')
                snprintf(st->prompt_buf, sizeof st->prompt_buf, "%s", c->v->file_label);
        } else if (ch == 'q' && ctrl) {
            ui__intent(c, INTENT_QUIT, 0, 0, NULL);
        } else if (ch == 't') {
            st->axis = (uint8_t)((st->axis + 1) % AXIS__COUNT);
        } else if (ch == 'f') {
            st->view0 = 0;
            st->view1 = 1;
        } else if (ch == 'y' && c->pos > 0) {
            ui__select(c, SEL_STEP, c->pos - 1);
        } else if (ch == 'e' && c->v->ndiags) {
            st->show_diags = true;
        } else if (ch == '?') {
            st->help = true;
        } else if (ch == '/') {
            st->filter_edit = true;
        } else if (ch == 'x') {
            ui__intent(c, INTENT_EXPORT, 0, 0, NULL);
        }
        break;
    }
    default:
        break;
    }
}

static void prompt_keys(UiCtx *c)
{
    UiState *st = c->st;
    size_t len = strlen(st->prompt_buf);
    if (c->in->text[0] && len + strlen(c->in->text) < sizeof st->prompt_buf) {
        memcpy(st->prompt_buf + len, c->in->text, strlen(c->in->text) + 1);
        len = strlen(st->prompt_buf);
    }
    for (int i = 0; i < c->in->nkeys; i++) {
        const UiKey *k = &c->in->keys[i];
        if (k->code == UK_ESCAPE) {
            st->prompt = false;
        } else if (k->code == UK_BACKSPACE) {
            while (len > 0 && ((unsigned char)st->prompt_buf[len - 1] & 0xC0) == 0x80)
                len--;
            if (len > 0)
                len--;
            st->prompt_buf[len] = '\0';
        } else if (k->code == UK_ENTER) {
            if (st->prompt_buf[0])
                ui__intent(c, INTENT_OPEN, 0, 0, st->prompt_buf);
            st->prompt = false;
        } else if (k->code == UK_CHAR && k->ch == 'u' && (k->mods & UI_MOD_CTRL)) {
            st->prompt_buf[0] = '\0'; /* Ctrl+U clears the line, as in a shell */
            len = 0;
        }
    }
}

/* Typing the "/" filter: text appends, Backspace deletes, Enter keeps it,
 * Esc clears it. */
static void filter_keys(UiCtx *c)
{
    UiState *st = c->st;
    size_t len = strlen(st->filter);
    if (c->in->text[0] && len + strlen(c->in->text) < sizeof st->filter) {
        memcpy(st->filter + len, c->in->text, strlen(c->in->text) + 1);
        len = strlen(st->filter);
        st->ready_scroll = st->wait_scroll = 0;
    }
    for (int i = 0; i < c->in->nkeys; i++) {
        const UiKey *k = &c->in->keys[i];
        if (k->code == UK_ESCAPE) {
            st->filter[0] = '\0';
            st->filter_edit = false;
        } else if (k->code == UK_BACKSPACE) {
            while (len > 0 && ((unsigned char)st->filter[len - 1] & 0xC0) == 0x80)
                len--;
            if (len > 0)
                len--;
            st->filter[len] = '\0';
        } else if (k->code == UK_ENTER) {
            st->filter_edit = false;
        }
    }
}

static void handle_keys(UiCtx *c)
{
    UiState *st = c->st;
    if (st->prompt) {
        prompt_keys(c);
        return;
    }
    if (st->filter_edit) {
        filter_keys(c);
        return;
    }
    for (int i = 0; i < c->in->nkeys; i++) {
        const UiKey *k = &c->in->keys[i];
        if (st->help || st->show_diags) {
            if (k->code == UK_ESCAPE || k->code == UK_F1 || k->code == UK_HELP ||
                (k->code == UK_CHAR && (k->ch == '?' || k->ch == 'e')) || k->code == UK_ENTER)
                st->help = st->show_diags = false;
            continue;
        }
        if (!c->v->sim) {
            /* the error screen: only file keys make sense */
            if (k->code == UK_F5)
                ui__intent(c, INTENT_RELOAD, 0, 0, NULL);
            else if (k->code == UK_F1 || k->code == UK_HELP || (k->code == UK_CHAR && k->ch == '?'))
                st->help = true;
            else if (k->code == UK_CHAR && k->ch == 'o') {
                st->prompt = true;
            } else if (k->code == UK_CHAR && k->ch == 'q' && (k->mods & UI_MOD_CTRL))
                ui__intent(c, INTENT_QUIT, 0, 0, NULL);
            continue;
        }
        key_nav(c, k);
    }
}

/* ---- tooltip ------------------------------------------------------------- */

static void draw_tooltip(UiCtx *c)
{
    if (!c->tip[0])
        return;
    const Theme *th = c->th;
    DrawList *dl = c->dl;
    draw_owner(dl, P_OVERLAY);
    int maxw = theme_px(th, 460);
    if (maxw > c->L->win.w - 2 * th->pad)
        maxw = c->L->win.w - 2 * th->pad;
    int lh = th->small_row_h + theme_px(th, 1);
    Rect probe = {0, 0, maxw - 2 * th->pad, 0};
    int lines = draw_text_wrap(dl, FONT_SANS, th->fs_small, probe, lh, 14, th->text, c->tip, true);
    /* the widest line decides the width when the text is short */
    int w = draw_text_width(dl, FONT_SANS, th->fs_small, c->tip) + 2 * th->pad;
    if (lines > 1 || w > maxw)
        w = maxw;
    int h = lines * lh + th->pad;
    int x = c->in->mx + theme_px(th, 14);
    int y = c->in->my + theme_px(th, 18);
    if (x + w > c->L->win.w - 2)
        x = c->L->win.w - 2 - w;
    if (y + h > c->L->win.h - 2)
        y = c->in->my - h - theme_px(th, 8);
    if (x < 2)
        x = 2;
    if (y < 2)
        y = 2;
    Rect r = {x, y, w, h};
    draw_rect(dl, (Rect){x + 2, y + 3, w, h}, th->shadow);
    draw_rect(dl, r, th->tooltip_bg);
    draw_frame(dl, r, th->border_c, th->border);
    Rect box = {x + th->pad, y + th->pad / 2, w - 2 * th->pad, h};
    draw_text_wrap(dl, FONT_SANS, th->fs_small, box, lh, 14, th->text, c->tip, false);
}

/* ---- the frame ------------------------------------------------------------- */

static int panel_under(const Layout *L, int x, int y)
{
    for (int p = P_STATUS; p < P_OVERLAY; p++)
        if (L->shown[p] && draw_rect_contains(L->r[p], x, y))
            return p;
    return P_NONE;
}

static void reset_for_new_recording(UiState *st)
{
    st->sel_kind = SEL_NONE;
    st->anim_n = 0;
    st->view0 = 0;
    st->view1 = 1;
    st->lane_scroll = 0;
    st->narr_scroll = 0;
    st->tcache_rec = NULL;
    st->src_follow = true;
    st->console_follow = true;
    st->drag_panel = 0;
}

void ui_frame(UiState *st, const UiView *v, const UiInput *in, DrawList *dl, UiIntents *out)
{
    out->n = 0;
    int w = in->w > 0 ? in->w : 1, h = in->h > 0 ? in->h : 1;
    draw_reset(dl, w, h);
    float zoom = v->lecture && v->lecture->zoom > 0.3f ? v->lecture->zoom : 1.0f;
    Theme th = theme_make(layout_scale(w, h, in->dpr) * zoom);
    bool errors = v->sim == NULL || v->model == NULL || v->rec == NULL;
    Layout L;
    layout_compute_ex(&L, w, h, &th, v->banner != NULL && !errors, errors, v->lecture != NULL && !errors);

    UiCtx c;
    memset(&c, 0, sizeof c);
    c.st = st;
    c.v = v;
    c.in = in;
    c.dl = dl;
    c.th = &th;
    c.L = &L;
    c.out = out;
    c.pos = errors ? 0 : sim_pos(v->sim);
    c.nsteps = errors ? 0 : v->rec->nsteps;

    if ((const void *)v->rec != st->last_rec) {
        reset_for_new_recording(st);
        st->last_rec = v->rec;
    }
    if (st->sel_kind == SEL_STEP && v->rec && st->sel_id >= v->rec->nsteps)
        st->sel_kind = SEL_NONE;
    if (st->sel_kind == SEL_HANDLE && v->rec && st->sel_id >= v->rec->nhandles)
        st->sel_kind = SEL_NONE;

    /* mouse press / drag bookkeeping (panels read it) */
    if (in->pressed & UI_MOUSE_LEFT) {
        st->drag_x0 = in->mx;
        st->drag_y0 = in->my;
        st->dragged = false;
        st->press_panel = panel_under(&L, in->mx, in->my);
    }
    if ((in->down & UI_MOUSE_LEFT) && !st->dragged) {
        int dx = in->mx - st->drag_x0, dy = in->my - st->drag_y0;
        int thr = theme_px(&th, 4);
        if (dx * dx + dy * dy > thr * thr)
            st->dragged = true;
    }

    c.modal = st->help || st->prompt || st->show_diags;
    c.hover_panel = in->mouse_in ? panel_under(&L, in->mx, in->my) : P_NONE;

    handle_keys(&c);
    if (in->drop[0])
        ui__intent(&c, INTENT_OPEN, 0, 0, in->drop);
    c.modal = st->help || st->prompt || st->show_diags;

    if (st->lane_scroll < 0)
        st->lane_scroll = 0;

    draw_owner(dl, P_NONE);
    draw_rect(dl, L.win, th.bg);

    why__build(&c);

    panel_status_draw(&c);
    panel_clock_draw(&c);
    if (L.shown[P_BANNER])
        panel_banner_draw(&c);
    if (errors) {
        panel_errors_draw(&c);
    } else {
        panel_source_draw(&c);
        panel_ready_draw(&c);
        panel_waiting_draw(&c);
        panel_stages_draw(&c);
        panel_console_draw(&c);
        panel_timeline_draw(&c);
        panel_summary_draw(&c);
        if (L.shown[P_NARRATION])
            panel_narration_draw(&c);
    }
    panel_hints_draw(&c);

    /* overlays, topmost last */
    draw_owner(dl, P_OVERLAY);
    if (!errors && st->sel_kind != SEL_NONE && !st->prompt)
        panel_why_draw(&c);
    if (st->show_diags)
        panel_diags_draw(&c);
    if (st->help)
        panel_help_draw(&c);
    if (st->prompt)
        panel_prompt_draw(&c);
    if (!c.modal)
        draw_tooltip(&c);

    if (in->released & UI_MOUSE_LEFT) {
        st->drag_panel = 0;
        st->dragged = false;
    }
    st->last_pos = c.pos;
}
