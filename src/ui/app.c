/* app.c -- the controller: owns the Program, the Sim and the UiState; runs
 * the frame loop; turns intents into sim_* calls; loads and reloads files.
 *
 * Frame (raylib's shape): Input (SDL events -> UiInput), Update (poll the
 * file, advance playback), Draw (ui_frame -> DrawList -> render_sdl), then
 * apply the intents the frame returned. The whole run is recorded when a
 * scenario loads (sim_run_to_end), so every seek, backwards too, is
 * sim_seek: keyframes plus replay in the core, exact and fast.
 *
 * Loading never loses what is on screen: a file that does not load opens
 * the error panel only when nothing valid is shown yet (or another file was
 * asked for); when the open file turns invalid on disk, the last good
 * version stays with a banner until the file is fixed (lite saves the
 * user's work before it gives up; we keep the user's view).
 *
 * ui_shot renders one still frame offscreen with the software renderer
 * (ecosystem.md 1a): deterministic, no window, no display needed.
 *
 * Depends on: ui.h, ui_int.h, render_sdl.h, input_sdl.h, model.h,
 * scenario.h, SDL2, SDL2_ttf, SDL2_image.  Used by: main.c.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include "exp_chrome.h"
#include "exp_svg.h"
#include "input_sdl.h"
#include "lecture.h"
#include "lecture_plan.h"
#include "model.h"
#include "render_sdl.h"
#include "scenario.h"
#include "ui.h"
#include "ui_int.h"


#define DEFAULT_LABEL "(built-in default scenario)"
#define POLL_MS 400u

static const double speeds[] = {0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 250, 500, 1000, 4000, 16000};
#define NSPEEDS (int)(sizeof speeds / sizeof speeds[0])

/* Test hook: with LOOPSCOPE_TEST_DROP=path set, SIGUSR1 makes the app push
 * an SDL drop event for that path, so the Xvfb smoke test can exercise
 * drag-and-drop through SDL's own event queue. The only global state here,
 * because a signal handler can only talk through one. */
static volatile sig_atomic_t test_drop_pending;

static void on_test_drop(int sig)
{
    (void)sig;
    test_drop_pending = 1;
}

/* One successfully loaded scenario: everything the panels read. */
typedef struct Doc {
    Program *prog;
    Sim *sim;
    UiModel model;
    bool ok;
    bool borrowed;        /* prog belongs to the lecture, not to the Doc */
} Doc;

/* Lecture mode: the Lecture, the current slide's plan and the class's answers. */
typedef struct LecMode {
    Lecture *lec;         /* NULL: not a lecture */
    uint32_t slide;
    LecPlan plan;
    bool plan_ok;
    int *picked;          /* per stop: the pick, or -1 */
    bool *revealed;       /* per stop */
    uint32_t asked, right;
    bool claim_revealed;
    float zoom;
    uint32_t play_to;     /* running to a stop: its position, or UINT32_MAX */
    double play_speed;
    uint32_t *stop_pos;   /* the plan's stop positions, for the view */
    UiLecture view;       /* filled by make_view */
    char err[600];        /* why a slide could not be planned */
} LecMode;

typedef struct App {
    char path[PATH_MAX];  /* "" = the built-in default scenario */
    char label[PATH_MAX];
    Doc doc;
    char **diags;         /* the file's diagnostics when it does not load */
    uint32_t ndiags;
    char banner[1024];
    bool refused;         /* the file on disk is invalid; doc is the last good one */
    bool have_stat;
    struct stat st;
    uint32_t last_poll;
    bool playing;
    int speed_i;
    double acc;
    char notice[256];
    uint32_t notice_until;
    UiState ui;
    LecMode lm;
    char title_shown[600]; /* the window title set last */
    uint32_t doc_gen;      /* counts the documents made (UiView.doc_gen) */
    bool want_export;      /* X: export with the next frame drawn */
} App;

/* ---- documents ------------------------------------------------------------- */

static void doc_free(Doc *d)
{
    model_free(&d->model);
    sim_free(d->sim);
    if (!d->borrowed)
        prog_free(d->prog);
    memset(d, 0, sizeof *d);
}

/* Runs p to the end and builds the model. Takes ownership of p unless
 * `borrowed` (a lecture slide's Program, owned by the Lecture). */
static bool doc_make_ex(Doc *d, Program *p, bool borrowed, char *err, size_t errn)
{
    memset(d, 0, sizeof *d);
    d->prog = p;
    d->borrowed = borrowed;
    SimLimits lim = sim_default_limits();
    lim.max_steps = 8000000; /* the app keeps every step: 100,000 tasks fit, loading stays short */
    d->sim = sim_new(p, &lim);
    if (!d->sim) {
        snprintf(err, errn, "out of memory starting the simulation");
        doc_free(d);
        return false;
    }
    sim_run_to_end(d->sim);
    char *src = NULL;
    uint32_t *stmt_line = NULL;
    source__python(p, &src, &stmt_line);
    bool ok = model_build(&d->model, sim_recording(d->sim), p, src, stmt_line, d->sim);
    free(src);
    free(stmt_line);
    if (!ok) {
        snprintf(err, errn, "out of memory indexing the run");
        doc_free(d);
        return false;
    }
    sim_seek(d->sim, 0);
    d->ok = true;
    return true;
}

static bool doc_make(Doc *d, Program *p, char *err, size_t errn)
{
    return doc_make_ex(d, p, false, err, errn);
}

static void diags_clear(App *a)
{
    for (uint32_t i = 0; i < a->ndiags; i++)
        free(a->diags[i]);
    free(a->diags);
    a->diags = NULL;
    a->ndiags = 0;
}

/* A whole file as a NUL-terminated string (for the diagnostics' source
 * lines), or NULL. */
static char *slurp(const char *path)
{
    size_t n;
    const char *what;
    int err;
    return scn_read_file(path, &n, &what, &err);
}

/* Appends to buf the source line `line` of text with a caret under column
 * `col` (1-based, in characters), shortened around the column. */
static void add_context(char *buf, size_t bn, const char *text, uint32_t line, uint32_t col)
{
    const char *p = text;
    for (uint32_t l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return;
    if (line == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len && p[len - 1] == '\r')
        len--;
    /* characters, not bytes: the column counts code points */
    char chars[96][5];
    uint32_t nch = 0, first = col > 60 ? col - 40 : 1, ci = 0;
    for (size_t i = 0; i < len && nch < 90;) {
        size_t k = 1;
        while (i + k < len && ((unsigned char)p[i + k] & 0xC0) == 0x80 && k < 4)
            k++;
        ci++;
        if (ci >= first) {
            unsigned char c0 = (unsigned char)p[i];
            /* a control byte or a broken sequence shows as '?' */
            bool valid = c0 >= 0x20 && c0 != 0x7F &&
                         (k == 1 ? c0 < 0x80 : (k == 2 && c0 >= 0xC2 && c0 <= 0xDF) ||
                                                   (k == 3 && (c0 & 0xF0) == 0xE0) ||
                                                   (k == 4 && c0 >= 0xF0 && c0 <= 0xF4));
            if (c0 == '\t') {
                chars[nch][0] = ' ';
                chars[nch][1] = '\0';
            } else if (!valid) {
                chars[nch][0] = '?';
                chars[nch][1] = '\0';
            } else {
                memcpy(chars[nch], p + i, k);
                chars[nch][k] = '\0';
            }
            nch++;
        }
        i += k;
    }
    size_t at = strlen(buf);
    int w = snprintf(buf + at, bn - at, "\n%5u | %s", line, first > 1 ? "..." : "");
    if (w < 0)
        return;
    at += (size_t)w;
    for (uint32_t i = 0; i < nch && at + 6 < bn; i++) {
        size_t k = strlen(chars[i]);
        memcpy(buf + at, chars[i], k);
        at += k;
    }
    buf[at] = '\0';
    uint32_t pad = col >= first ? col - first : 0;
    if (first > 1)
        pad += 3;
    w = snprintf(buf + at, bn - at, "\n      | ");
    if (w < 0)
        return;
    at += (size_t)w;
    for (uint32_t i = 0; i < pad && at + 3 < bn; i++)
        buf[at++] = ' ';
    if (at + 2 < bn) {
        buf[at++] = '^';
        buf[at] = '\0';
    }
}

static void diags_take(App *a, const Diags *d, const char *fallback, const char *text)
{
    diags_clear(a);
    size_t n = d->n ? d->n : 1;
    a->diags = calloc(n, sizeof *a->diags);
    if (!a->diags)
        return;
    char buf[2600];
    for (size_t i = 0; i < d->n; i++) {
        diag_format(&d->items[i], buf, 2048);
        if (text && d->items[i].line > 0)
            add_context(buf, sizeof buf, text, d->items[i].line, d->items[i].col);
        a->diags[a->ndiags] = strdup(buf);
        if (a->diags[a->ndiags])
            a->ndiags++;
    }
    if (a->ndiags == 0) {
        a->diags[0] = strdup(fallback);
        if (a->diags[0])
            a->ndiags = 1;
    }
}

static uint32_t ticks(void) { return SDL_GetTicks(); }

static void notice(App *a, const char *msg)
{
    snprintf(a->notice, sizeof a->notice, "%s", msg);
    a->notice_until = ticks() + 2500;
}

/* Remembers the file's identity. Taken before the file is read: a change
 * made while it is read and checked (a lecture runs all its slides) is then
 * seen by the next poll. Taken after, such a change was missed for good. */
static void stat_now(App *a, const char *path)
{
    a->have_stat = path && path[0] && stat(path, &a->st) == 0;
}

/* Loads `path` (NULL or "" = the default scenario). `reload` means the same
 * file changed: on failure the current document stays, with a banner. */
static void lec_open(App *a, const char *path, bool reload);
static void lec_drop(App *a);

static void app_load(App *a, const char *path, bool reload)
{
    if (path && path[0] && ((reload && a->lm.lec) || (!reload && lec_sniff_file(path)))) {
        lec_open(a, path, reload);
        return;
    }
    if (!reload)
        lec_drop(a);
    Diags d;
    diags_init(&d);
    Program *p = NULL;
    char err[512] = "";
    bool builtin = !path || !path[0];
    stat_now(a, builtin ? NULL : path);
    if (builtin)
        p = scn_load_text("default.json", ui_default_scenario, strlen(ui_default_scenario), &d);
    else
        p = scn_load_file(path, &d);
    if (!reload) {
        snprintf(a->path, sizeof a->path, "%s", builtin ? "" : path);
        snprintf(a->label, sizeof a->label, "%s", builtin ? DEFAULT_LABEL : path);
    }
    Doc nd;
    if (p && doc_make(&nd, p, err, sizeof err)) {
        uint32_t keep = reload && a->doc.ok ? sim_pos(a->doc.sim) : 0;
        doc_free(&a->doc);
        a->doc = nd;
        a->doc_gen++;
        if (keep)
            sim_seek(a->doc.sim, keep);
        diags_clear(a);
        a->refused = false;
        a->banner[0] = '\0';
        if (reload)
            notice(a, "reloaded: the file changed on disk");
        else
            a->playing = false;
        diags_free(&d);
        return;
    }
    if (!p && !err[0])
        snprintf(err, sizeof err, "%s: the file could not be loaded", builtin ? "default" : path);
    char *text = builtin ? NULL : slurp(path);
    diags_take(a, &d, err, builtin ? ui_default_scenario : text);
    free(text);
    diags_free(&d);
    if (reload && a->doc.ok) {
        a->refused = true;
        snprintf(a->banner, sizeof a->banner, "%s", a->ndiags ? a->diags[0] : err);
        char *nl = strchr(a->banner, '\n');
        if (nl)
            *nl = '\0';
        a->playing = false;
        return;
    }
    /* nothing valid to show for this file: the error panel */
    doc_free(&a->doc);
    a->refused = false;
    a->banner[0] = '\0';
    a->playing = false;
}


/* ---- lecture mode ------------------------------------------------------------ */

static void lec_clear_answers(LecMode *m)
{
    free(m->picked);
    free(m->revealed);
    free(m->stop_pos);
    m->picked = NULL;
    m->revealed = NULL;
    m->stop_pos = NULL;
    m->claim_revealed = false;
    m->play_to = UINT32_MAX;
}

static void lec_drop(App *a)
{
    LecMode *m = &a->lm;
    if (m->plan_ok)
        lec_plan_free(&m->plan);
    m->plan_ok = false;
    lec_clear_answers(m);
    if (m->lec) {
        doc_free(&a->doc); /* it borrows a Program of the lecture */
        lec_free(m->lec);
        m->lec = NULL;
    }
}

/* Shows slide i of the lecture at step `pos` (clamped). */
static bool lec_enter(App *a, uint32_t i, uint32_t pos)
{
    LecMode *m = &a->lm;
    if (!m->lec || i >= m->lec->nslides)
        return false;
    if (m->plan_ok)
        lec_plan_free(&m->plan);
    m->plan_ok = false;
    lec_clear_answers(m);
    doc_free(&a->doc);
    m->slide = i;
    LecSlide *sl = &m->lec->slides[i];
    char err[512] = "";
    a->doc_gen++;
    if (!doc_make_ex(&a->doc, sl->prog, true, err, sizeof err)) {
        snprintf(m->err, sizeof m->err, "%s", err);
        return false;
    }
    uint32_t bad;
    m->plan_ok = lec_plan_make(&m->plan, sl, a->doc.sim, a->doc.model.stmt_line, a->doc.model.nstmt,
                               m->err, sizeof m->err, &bad);
    uint32_t n = sl->nstops ? sl->nstops : 1;
    m->picked = malloc(n * sizeof *m->picked);
    m->revealed = calloc(n, sizeof *m->revealed);
    m->stop_pos = calloc(n, sizeof *m->stop_pos);
    if (!m->picked || !m->revealed || !m->stop_pos) {
        lec_clear_answers(m);
        return false;
    }
    for (uint32_t k = 0; k < n; k++)
        m->picked[k] = -1;
    for (uint32_t k = 0; m->plan_ok && k < m->plan.nstops; k++)
        m->stop_pos[k] = m->plan.stops[k].pos;
    uint32_t ns = sim_recording(a->doc.sim)->nsteps;
    sim_seek(a->doc.sim, pos > ns ? ns : pos);
    a->playing = false;
    a->ui.narr_scroll = 0;
    return true;
}

/* Opens (or, with reload, re-reads) the lecture at path. On failure the
 * diagnostics go to the error panel, or to the banner when a good version
 * is on screen. */
static void lec_open(App *a, const char *path, bool reload)
{
    Diags d;
    diags_init(&d);
    stat_now(a, path);
    Lecture *L = lec_load_file(path, &d);
    char **probs = NULL;
    uint32_t nprob = 0;
    if (L)
        nprob = lec_plan_check_all(L, &probs);
    if (!reload) {
        snprintf(a->path, sizeof a->path, "%s", path);
        snprintf(a->label, sizeof a->label, "%s", path);
    }
    if (L && nprob == 0) {
        uint32_t slide = reload && a->lm.lec ? a->lm.slide : 0;
        uint32_t pos = reload && a->doc.ok ? sim_pos(a->doc.sim) : 0;
        lec_drop(a);
        a->lm.lec = L;
        if (slide >= L->nslides)
            slide = L->nslides - 1;
        if (!reload)
            a->lm.asked = a->lm.right = 0;
        lec_enter(a, slide, pos);
        diags_clear(a);
        a->refused = false;
        a->banner[0] = '\0';
        if (reload)
            notice(a, "reloaded: the lecture changed on disk");
        diags_free(&d);
        return;
    }
    lec_free(L);
    char *text = slurp(path);
    diags_take(a, &d, "the lecture could not be loaded", text);
    free(text);
    diags_free(&d);
    /* problems found by running the slides come after the loader's */
    for (uint32_t i = 0; i < nprob; i++) {
        char **nd = realloc(a->diags, (a->ndiags + 1) * sizeof *nd);
        if (nd) {
            a->diags = nd;
            a->diags[a->ndiags++] = probs[i];
        } else {
            free(probs[i]);
        }
    }
    free(probs);
    if (reload && a->lm.lec && a->doc.ok) {
        a->refused = true;
        snprintf(a->banner, sizeof a->banner, "%s", a->ndiags ? a->diags[0] : "the lecture has errors");
        char *nl = strchr(a->banner, '\n');
        if (nl)
            *nl = '\0';
        a->playing = false;
        return;
    }
    lec_drop(a);
    doc_free(&a->doc);
    a->refused = false;
    a->banner[0] = '\0';
    a->playing = false;
}

/* The stop the cursor is at (the last one at this position), or -1. */
static int lec_at_stop(const App *a)
{
    const LecMode *m = &a->lm;
    if (!m->plan_ok || !a->doc.ok)
        return -1;
    uint32_t pos = sim_pos(a->doc.sim);
    int k = -1;
    for (uint32_t i = 0; i < m->plan.nstops; i++)
        if (m->plan.stops[i].pos == pos)
            k = (int)i;
    return k;
}

/* The first stop after pos, or UINT32_MAX. */
static uint32_t lec_next_stop(const App *a, uint32_t pos)
{
    const LecMode *m = &a->lm;
    if (!m->plan_ok)
        return UINT32_MAX;
    for (uint32_t i = 0; i < m->plan.nstops; i++)
        if (m->plan.stops[i].pos > pos)
            return m->plan.stops[i].pos;
    return UINT32_MAX;
}

static void lec_run_to(App *a, uint32_t to)
{
    uint32_t pos = sim_pos(a->doc.sim);
    a->lm.play_to = to;
    a->playing = true;
    a->acc = 0;
    /* a long way is covered in about two seconds, a short one at the set speed */
    a->lm.play_speed = (double)(to - pos) / 2.0;
}

static int lec_answer_of(const LecPlanStop *ps, const LecStop *sp)
{
    return sp->question == LQ_NEXT_CALLBACK ? (int)ps->answer_index : (int)ps->answer_choice;
}

/* The clicker's "next". */
static void lec_next(App *a)
{
    LecMode *m = &a->lm;
    if (!m->lec || !a->doc.ok)
        return;
    LecSlide *sl = &m->lec->slides[m->slide];
    uint32_t pos = sim_pos(a->doc.sim), n = sim_recording(a->doc.sim)->nsteps;
    if (a->playing && m->play_to != UINT32_MAX) { /* a second click: be there now */
        sim_seek(a->doc.sim, m->play_to);
        a->playing = false;
        m->play_to = UINT32_MAX;
        return;
    }
    int k = lec_at_stop(a);
    if (k >= 0 && sl->stops[k].question && !m->revealed[k]) {
        m->revealed[k] = true;
        return;
    }
    uint32_t to = lec_next_stop(a, pos);
    if (to != UINT32_MAX) {
        lec_run_to(a, to);
        return;
    }
    if (pos < n && !m->claim_revealed) {
        lec_run_to(a, n);
        return;
    }
    if (m->plan_ok && sl->nclaim && m->plan.claim_diff >= 0 && !m->claim_revealed) {
        m->claim_revealed = true;
        if (m->plan.claim_pos != SIM_NONE)
            sim_seek(a->doc.sim, m->plan.claim_pos);
        return;
    }
    if (m->slide + 1 < m->lec->nslides)
        lec_enter(a, m->slide + 1, 0);
}

static void lec_prev(App *a)
{
    LecMode *m = &a->lm;
    if (!m->lec)
        return;
    if (m->slide > 0)
        lec_enter(a, m->slide - 1, 0);
    else if (a->doc.ok)
        sim_seek(a->doc.sim, 0);
}

static void lec_answer(App *a, uint32_t choice)
{
    LecMode *m = &a->lm;
    int k = lec_at_stop(a);
    if (k < 0 || !m->lec)
        return;
    const LecStop *sp = &m->lec->slides[m->slide].stops[k];
    if (!sp->question || m->revealed[k])
        return;
    m->picked[k] = (int)choice;
    m->revealed[k] = true;
    m->asked++;
    if ((int)choice == lec_answer_of(&m->plan.stops[k], sp))
        m->right++;
}

/* Fills the lecture part of the view. */
static void lec_view(App *a, UiView *v)
{
    LecMode *m = &a->lm;
    if (!m->lec || !a->doc.ok)
        return;
    const LecSlide *sl = &m->lec->slides[m->slide];
    UiLecture *u = &m->view;
    memset(u, 0, sizeof *u);
    u->title = m->lec->title;
    u->slide = m->slide;
    u->nslides = m->lec->nslides;
    u->slide_title = sl->title;
    u->narration = sl->narration;
    u->zoom = m->zoom;
    u->asked = m->asked;
    u->right = m->right;
    u->at_stop = -1;
    u->picked = -1;
    u->answer = -1;
    u->claim_diff = -1;
    u->stop_pos = m->stop_pos;
    u->nstops = m->plan_ok && m->stop_pos ? m->plan.nstops : 0;
    int k = lec_at_stop(a);
    u->at_stop = k;
    if (k >= 0) {
        const LecStop *sp = &sl->stops[k];
        const LecPlanStop *ps = &m->plan.stops[k];
        u->say = sp->say;
        u->question = sp->question;
        if (sp->question == LQ_NEXT_CALLBACK) {
            u->ready = ps->ready;
            u->nchoices = ps->nready < 9 ? ps->nready : 9;
        } else if (sp->question == LQ_NEXT_PRINT) {
            u->choices = (const char *const *)sp->choices;
            u->nchoices = sp->nchoices;
        }
        u->picked = m->picked[k];
        u->revealed = m->revealed[k];
        u->answer = lec_answer_of(ps, sp);
        int rule = sp->rule >= 0 ? sp->rule : lec_rule_find(sp->question == LQ_NEXT_CALLBACK ? "fifo" : "stages_order");
        u->rule = lec_rule_sentence(rule);
    }
    if (sl->nclaim) {
        u->claim = (const char *const *)sl->claim;
        u->nclaim = sl->nclaim;
        u->claim_by = sl->claim_by;
        u->claim_diff = m->plan_ok ? m->plan.claim_diff : -1;
        u->claim_revealed = m->claim_revealed;
        u->claim_pos = m->plan_ok && m->plan.claim_pos != SIM_NONE ? m->plan.claim_pos : 0;
        u->claim_line_step = m->plan_ok ? m->plan.claim_line_step : SIM_NONE;
        u->claim_pick_step = m->plan_ok ? m->plan.claim_pick_step : SIM_NONE;
        u->claim_queued_step = m->plan_ok ? m->plan.claim_queued_step : SIM_NONE;
        u->claim_rule = lec_rule_sentence(sl->claim_rule >= 0 ? sl->claim_rule : lec_rule_find("create_task_schedules"));
    }
    uint32_t pos = sim_pos(a->doc.sim);
    u->last = m->slide + 1 == m->lec->nslides && lec_next_stop(a, pos) == UINT32_MAX &&
              pos >= sim_recording(a->doc.sim)->nsteps &&
              (!sl->nclaim || u->claim_diff < 0 || m->claim_revealed);
    v->lecture = u;
}

/* Reloads when the file's size, time or identity changed on disk. */
/* Returns true when it (re)loaded or refused the file: the frame must be redrawn. */
static bool app_poll(App *a, uint32_t now)
{
    if (!a->path[0] || now - a->last_poll < POLL_MS)
        return false;
    a->last_poll = now;
    struct stat s;
    if (stat(a->path, &s) != 0)
        return false; /* gone for now (an editor saving by rename): keep what we show */
    if (a->have_stat && s.st_mtim.tv_sec == a->st.st_mtim.tv_sec && s.st_mtim.tv_nsec == a->st.st_mtim.tv_nsec &&
        s.st_size == a->st.st_size && s.st_ino == a->st.st_ino)
        return false;
    app_load(a, a->path, true);
    return true;
}

static void app_free(App *a)
{
    ui_state_free(&a->ui);
    lec_drop(a);
    doc_free(&a->doc);
    diags_clear(a);
}

/* ---- intents ----------------------------------------------------------------- */

static void apply_intents(App *a, const UiIntents *it, bool *quit)
{
    for (int i = 0; i < it->n; i++) {
        const Intent *k = &it->items[i];
        Sim *s = a->doc.ok ? a->doc.sim : NULL;
        switch (k->kind) {
        case INTENT_SEEK:
            /* stepping or jumping by hand takes over from playback */
            if (s) {
                sim_seek(s, k->n);
                a->playing = false;
                a->lm.play_to = UINT32_MAX;
            }
            break;
        case INTENT_PLAY_TOGGLE:
            if (s) {
                a->playing = !a->playing;
                a->acc = 0;
                if (a->playing && sim_pos(s) >= sim_recording(s)->nsteps)
                    sim_seek(s, 0); /* play again from the start */
            }
            break;
        case INTENT_PAUSE:
            a->playing = false;
            break;
        case INTENT_SPEED:
            a->speed_i += k->delta;
            if (a->speed_i < 0)
                a->speed_i = 0;
            if (a->speed_i >= NSPEEDS)
                a->speed_i = NSPEEDS - 1;
            break;
        case INTENT_RESTART:
            if (s)
                sim_seek(s, 0);
            a->acc = 0;
            break;
        case INTENT_OPEN:
            if (k->path && k->path[0]) {
                char path[PATH_MAX];
                snprintf(path, sizeof path, "%s", k->path);
                app_load(a, path, false);
                if (a->doc.ok)
                    notice(a, "opened");
            }
            break;
        case INTENT_RELOAD:
            if (a->path[0])
                app_load(a, a->path, true);
            else
                app_load(a, NULL, false);
            break;
        case INTENT_QUIT:
            *quit = true;
            break;
        case INTENT_EXPORT:
            a->want_export = s != NULL;
            break;
        case INTENT_LEC_NEXT:
            lec_next(a);
            break;
        case INTENT_LEC_PREV:
            lec_prev(a);
            break;
        case INTENT_LEC_ANSWER:
            lec_answer(a, k->n);
            break;
        case INTENT_LEC_ZOOM:
            a->lm.zoom *= k->delta > 0 ? 1.1f : 1 / 1.1f;
            if (a->lm.zoom < 0.6f)
                a->lm.zoom = 0.6f;
            if (a->lm.zoom > 3.0f)
                a->lm.zoom = 3.0f;
            break;
        case INTENT_LEC_CLAIM:
            if (a->lm.lec && a->lm.plan_ok && a->lm.plan.claim_pos != SIM_NONE && s) {
                a->lm.claim_revealed = true;
                sim_seek(s, a->lm.plan.claim_pos);
                a->playing = false;
            }
            break;
        default:
            break;
        }
    }
}

/* Advances playback by dt_ms of wall time. */
static void app_play(App *a, uint32_t dt_ms)
{
    if (!a->playing || !a->doc.ok)
        return;
    Sim *s = a->doc.sim;
    uint32_t n = sim_recording(s)->nsteps;
    double speed = speeds[a->speed_i];
    /* lecture mode: playing stops at the next stop */
    uint32_t stop = UINT32_MAX;
    if (a->lm.lec) {
        stop = a->lm.play_to != UINT32_MAX ? a->lm.play_to : lec_next_stop(a, sim_pos(s));
        if (a->lm.play_to != UINT32_MAX && a->lm.play_speed > speed)
            speed = a->lm.play_speed;
    }
    a->acc += (double)dt_ms / 1000.0 * speed;
    if (a->acc < 1)
        return;
    uint32_t k = (uint32_t)a->acc;
    a->acc -= k;
    uint32_t to = sim_pos(s) + k;
    if (to >= n) {
        to = n;
        a->playing = false;
        a->lm.play_to = UINT32_MAX;
    }
    if (stop != UINT32_MAX && to >= stop) {
        to = stop;
        a->playing = false;
        a->lm.play_to = UINT32_MAX;
    }
    sim_seek(s, to);
}

static void make_view(App *a, UiView *v)
{
    memset(v, 0, sizeof *v);
    if (a->doc.ok) {
        v->sim = a->doc.sim;
        v->rec = sim_recording(a->doc.sim);
        v->prog = a->doc.prog;
        v->model = &a->doc.model;
    }
    v->file_label = a->label;
    v->diags = (const char *const *)a->diags;
    v->ndiags = a->ndiags;
    v->banner = a->refused ? a->banner : NULL;
    v->playing = a->playing;
    v->speed = speeds[a->speed_i];
    v->watching = a->path[0] != '\0';
    v->doc_gen = a->doc_gen;
    lec_view(a, v);
}


/* ---- X: export what is on screen ---------------------------------------------- */

/* Writes NAME-stepN.trace.json, .svg and .png (the frame just drawn, read
 * back from the renderer) into the current folder, each through a
 * temporary file, and says where in the notice. */
static void app_export(App *a, SDL_Renderer *r, int w, int h)
{
    char stem[256] = "default", base[600], path[700], err[600] = "";
    if (a->path[0]) {
        const char *b = strrchr(a->path, '/');
        snprintf(stem, sizeof stem, "%.200s", b ? b + 1 : a->path);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
    }
    uint32_t pos = sim_pos(a->doc.sim); /* named as the clock shows it: "step N" is the last one applied */
    if (pos == 0)
        snprintf(base, sizeof base, "%s-start", stem);
    else
        snprintf(base, sizeof base, "%s-step%u", stem, pos - 1);
    const char *scen = a->path[0] ? a->path : NULL;
    bool ok = true;
    snprintf(path, sizeof path, "%s.trace.json", base);
    if (exp_chrome_write(a->doc.sim, path, scen, err, sizeof err) != 0)
        ok = false;
    snprintf(path, sizeof path, "%s.svg", base);
    if (ok && exp_svg_write(a->doc.sim, path, scen, err, sizeof err) != 0)
        ok = false;
    if (ok) {
        SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        char tmp[760];
        snprintf(path, sizeof path, "%s.png", base);
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
        if (!shot || SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels, shot->pitch) != 0 ||
            IMG_SavePNG(shot, tmp) != 0 || rename(tmp, path) != 0) {
            snprintf(err, sizeof err, "cannot write %.300s: %.200s", path, SDL_GetError());
            remove(tmp);
            ok = false;
        }
        SDL_FreeSurface(shot);
    }
    char cwd[PATH_MAX] = ".";
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    char msg[256];
    if (ok)
        snprintf(msg, sizeof msg, "exported %.80s.trace.json, .svg and .png to %.120s", base, cwd);
    else
        snprintf(msg, sizeof msg, "export failed: %.230s", err);
    notice(a, msg);
    a->notice_until = ticks() + 6000;
}

/* ---- assets -------------------------------------------------------------- */

static bool font_dir_ok(const char *dir)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/fonts/DejaVuSans.ttf", dir);
    return access(p, R_OK) == 0;
}

/* Finds assets/: $LOOPSCOPE_ASSETS, then beside or above the executable. */
static bool find_assets(char *out, size_t n, char *err, size_t errn)
{
    const char *env = getenv("LOOPSCOPE_ASSETS");
    if (env && env[0]) {
        if (font_dir_ok(env)) {
            snprintf(out, n, "%s", env);
            return true;
        }
        snprintf(err, errn, "LOOPSCOPE_ASSETS=%s has no fonts/DejaVuSans.ttf", env);
        return false;
    }
    char *base = SDL_GetBasePath();
    const char *rel[] = {"../assets", "assets", "../share/loopscope/assets", "../../assets"};
    if (base) {
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            snprintf(out, n, "%s%s", base, rel[i]);
            if (font_dir_ok(out)) {
                SDL_free(base);
                return true;
            }
        }
    }
    snprintf(err, errn, "cannot find the assets folder (fonts) next to the program (looked in %s../assets); "
             "set LOOPSCOPE_ASSETS to the path of loopscope's assets/ folder", base ? base : "./");
    SDL_free(base);
    if (font_dir_ok("assets")) {
        snprintf(out, n, "assets");
        return true;
    }
    return false;
}

/* ---- the window ----------------------------------------------------------- */

static bool have_display(void)
{
    const char *vd = getenv("SDL_VIDEODRIVER");
    if (vd && vd[0])
        return true;
    const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (d && d[0]) || (w && w[0]);
}

static void no_display_message(const char *why)
{
    fprintf(stderr,
            "loopscope: cannot open a window: %s.\n"
            "Work without a display instead:\n"
            "  loopscope run --stages FILE.json                         the run, step by step, as text\n"
            "  loopscope shot FILE.json --step 20 --size 1600x1000 -o shot.png   the app's frame as a PNG\n"
            "or run the window under a virtual display:\n"
            "  xvfb-run -s \"-screen 0 1600x1000x24\" loopscope FILE.json\n",
            why);
}

/* Sets the window title when it changed (a new document can reuse the old
 * one's address, so callers cannot compare pointers; they call this every
 * frame). */
static void set_title(SDL_Window *win, App *a)
{
    char t[600];
    const char *name = a->doc.ok && a->doc.prog->title != PROG_NONE ? prog_s(a->doc.prog, a->doc.prog->title) : "";
    int stop = a->lm.lec ? lec_at_stop(a) : -1;
    if (a->lm.lec && a->doc.ok && stop >= 0) /* lecture mode: the lecture, the slide, the stop */
        snprintf(t, sizeof t, "loopscope - %s - slide %u/%u - stop %d/%u", a->lm.lec->title, a->lm.slide + 1,
                 a->lm.lec->nslides, stop + 1, a->lm.plan.nstops);
    else if (a->lm.lec && a->doc.ok)
        snprintf(t, sizeof t, "loopscope - %s - slide %u/%u", a->lm.lec->title, a->lm.slide + 1, a->lm.lec->nslides);
    else
        snprintf(t, sizeof t, "loopscope%s%s", name[0] ? " - " : "", name);
    if (strcmp(t, a->title_shown) == 0)
        return;
    snprintf(a->title_shown, sizeof a->title_shown, "%s", t);
    SDL_SetWindowTitle(win, t);
}

int ui_app_main(const char *path)
{
    if (!have_display()) {
        no_display_message("there is no display (DISPLAY and WAYLAND_DISPLAY are unset)");
        return 2;
    }
    /* SDL's X11 backend converts window titles through the C library's
     * multibyte functions: without a UTF-8 LC_CTYPE a non-ASCII title is
     * dropped. Only LC_CTYPE changes, so number formatting is unaffected. */
    const char *loc = setlocale(LC_CTYPE, "");
    if (!loc || (!strstr(loc, "UTF-8") && !strstr(loc, "utf8")))
        setlocale(LC_CTYPE, "C.UTF-8");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
    /* probe only the display we were given (SDL's Wayland probe prints to
     * stderr on an X-only machine); SDL_VIDEODRIVER still wins */
    const char *wl = getenv("WAYLAND_DISPLAY");
    SDL_SetHint(SDL_HINT_VIDEODRIVER, wl && wl[0] ? "wayland,x11" : "x11");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) {
        char why[512];
        snprintf(why, sizeof why, "the display could not be opened (%s)", SDL_GetError());
        no_display_message(why);
        return 2;
    }
    int status = 0;
    SDL_Window *win = NULL;
    SDL_Renderer *r = NULL;
    Ren *ren = NULL;
    DrawList dl;
    bool dl_ok = false;
    App *a = calloc(1, sizeof *a);
    char assets[PATH_MAX], err[PATH_MAX + 256];
    if (!a) {
        fprintf(stderr, "loopscope: out of memory\n");
        status = 2;
        goto done;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, "loopscope: cannot start SDL_ttf: %s\n", TTF_GetError());
        status = 2;
        goto done;
    }
    if (!find_assets(assets, sizeof assets, err, sizeof err)) {
        fprintf(stderr, "loopscope: %s\n", err);
        status = 2;
        goto done;
    }
    int ww = 1440, wh = 900;
    SDL_Rect usable;
    if (SDL_GetDisplayUsableBounds(0, &usable) == 0) {
        if (ww > usable.w - 40)
            ww = usable.w - 40;
        if (wh > usable.h - 60)
            wh = usable.h - 60;
        if (ww < 640)
            ww = 640;
        if (wh < 400)
            wh = 400;
    }
    win = SDL_CreateWindow("loopscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww, wh,
                           SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!win) {
        char why[512];
        snprintf(why, sizeof why, "SDL could not create a window (%s)", SDL_GetError());
        no_display_message(why);
        status = 2;
        goto done;
    }
    SDL_SetWindowMinimumSize(win, 640, 400);
    r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!r)
        r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    if (!r) {
        fprintf(stderr, "loopscope: cannot create a renderer: %s\n", SDL_GetError());
        status = 2;
        goto done;
    }
    ren = render_sdl_new(r, assets, err, sizeof err);
    if (!ren) {
        fprintf(stderr, "loopscope: %s\n", err);
        status = 2;
        goto done;
    }
    draw_init(&dl, render_sdl_measure(ren));
    dl_ok = true;
    ui_state_init(&a->ui);
    a->speed_i = 4; /* 4 steps per second */
    a->lm.zoom = 1.2f; /* presenter fonts */
    a->lm.play_to = UINT32_MAX;
    app_load(a, path, false);
    set_title(win, a);
    SDL_StopTextInput();
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);

    const char *test_drop = getenv("LOOPSCOPE_TEST_DROP");
    if (test_drop && test_drop[0]) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_test_drop;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);
    }

    UiInput in;
    memset(&in, 0, sizeof in);
    in.mouse_in = false;
    uint32_t last = ticks();
    bool quit = false, dirty = true, text_on = false;
    while (!quit) {
        if (test_drop_pending && test_drop) {
            test_drop_pending = 0;
            SDL_Event ev;
            memset(&ev, 0, sizeof ev);
            ev.type = SDL_DROPFILE;
            ev.drop.file = SDL_strdup(test_drop);
            ev.drop.windowID = SDL_GetWindowID(win);
            SDL_PushEvent(&ev);
        }
        /* Input: sleep until something happens, unless something moves */
        input_sdl_begin(&in);
        bool busy = a->playing || dirty || ticks() < a->notice_until;
        SDL_Event e;
        int got = SDL_WaitEventTimeout(&e, busy ? 15 : 120);
        int guard = 0;
        while (got && guard++ < 2000) {
            int pw = 0, ph = 0, lw = 0, lh = 0;
            SDL_GetRendererOutputSize(r, &pw, &ph);
            SDL_GetWindowSize(win, &lw, &lh);
            float ratio = lw > 0 ? (float)pw / (float)lw : 1;
            if (input_sdl_event(&in, &e, ratio))
                quit = true;
            dirty = true;
            got = SDL_PollEvent(&e);
        }
        /* Update */
        uint32_t now = ticks();
        uint32_t dt = now - last;
        last = now;
        uint32_t before = a->doc.ok ? sim_pos(a->doc.sim) : 0;
        const void *doc_before = a->doc.sim;
        if (app_poll(a, now))
            dirty = true; /* a reload, or a refused one: its banner */
        app_play(a, dt);
        if (a->doc.sim != doc_before || (a->doc.ok && sim_pos(a->doc.sim) != before))
            dirty = true;
        set_title(win, a);
        /* Draw: always while animating, else only when something changed */
        int pw = 0, ph = 0, lw = 0, lh = 0;
        SDL_GetRendererOutputSize(r, &pw, &ph);
        SDL_GetWindowSize(win, &lw, &lh);
        in.w = pw;
        in.h = ph;
        in.dpr = lw > 0 ? (float)pw / (float)lw : 1;
        in.time_ms = now;
        bool animating = now - a->ui.anim_move_t < 400;
        if (!dirty && !animating && !a->ui.prompt)
            continue;
        dirty = false;
        UiView v;
        make_view(a, &v);
        v.notice = now < a->notice_until ? a->notice : NULL;
        UiIntents it;
        ui_frame(&a->ui, &v, &in, &dl, &it);
        SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
        SDL_RenderClear(r);
        render_sdl_draw(ren, &dl);
        if (a->want_export && a->doc.ok) { /* the frame on screen, before it is presented */
            a->want_export = false;
            app_export(a, r, pw, ph);
            dirty = true;
        }
        SDL_RenderPresent(r);
        /* the intents of this frame */
        const void *sim0 = a->doc.sim;
        apply_intents(a, &it, &quit);
        if (it.n)
            dirty = true;
        set_title(win, a);
        (void)sim0;
        if ((a->ui.prompt || a->ui.filter_edit) != text_on) {
            text_on = a->ui.prompt || a->ui.filter_edit;
            if (text_on)
                SDL_StartTextInput();
            else
                SDL_StopTextInput();
        }
    }
done:
    if (dl_ok)
        draw_deinit(&dl);
    render_sdl_free(ren);
    if (r)
        SDL_DestroyRenderer(r);
    if (win)
        SDL_DestroyWindow(win);
    if (a) {
        app_free(a);
        free(a);
    }
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    return status;
}

/* ---- offscreen frames: shot, handouts, the drawing benchmark ------------------- */

/* Everything an offscreen frame needs: SDL and its fonts, an App (no
 * document yet), a w x h image with the software renderer drawing into it.
 * off_open starts it all or nothing; off_close releases what was started. */
typedef struct Offscreen {
    App *a;
    SDL_Surface *surf;
    SDL_Renderer *r;
    Ren *ren;
    DrawList dl;
    bool dl_ok;
} Offscreen;

static void off_close(Offscreen *o)
{
    if (o->dl_ok)
        draw_deinit(&o->dl);
    render_sdl_free(o->ren);
    if (o->r)
        SDL_DestroyRenderer(o->r);
    SDL_FreeSurface(o->surf);
    if (o->a) {
        app_free(o->a);
        free(o->a);
    }
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    memset(o, 0, sizeof *o);
}

static bool off_open(Offscreen *o, int w, int h, float zoom, char *err, size_t errn)
{
    memset(o, 0, sizeof *o);
    char assets[PATH_MAX], rerr[PATH_MAX + 256];
    if (SDL_Init(0) != 0) {
        snprintf(err, errn, "cannot start SDL: %s", SDL_GetError());
        SDL_Quit();
        return false;
    }
    if (TTF_Init() != 0) {
        snprintf(err, errn, "cannot start SDL_ttf: %s", TTF_GetError());
        goto fail;
    }
    if (!find_assets(assets, sizeof assets, err, errn))
        goto fail;
    o->a = calloc(1, sizeof *o->a);
    if (!o->a) {
        snprintf(err, errn, "out of memory");
        goto fail;
    }
    ui_state_init(&o->a->ui);
    o->a->speed_i = 4;
    o->a->lm.zoom = zoom;
    o->a->lm.play_to = UINT32_MAX;
    o->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!o->surf) {
        snprintf(err, errn, "cannot make a %dx%d image: %s", w, h, SDL_GetError());
        goto fail;
    }
    o->r = SDL_CreateSoftwareRenderer(o->surf);
    if (!o->r) {
        snprintf(err, errn, "cannot start the software renderer: %s", SDL_GetError());
        goto fail;
    }
    o->ren = render_sdl_new(o->r, assets, rerr, sizeof rerr);
    if (!o->ren) {
        snprintf(err, errn, "%s", rerr);
        goto fail;
    }
    draw_init(&o->dl, render_sdl_measure(o->ren));
    o->dl_ok = true;
    return true;
fail:
    off_close(o);
    return false;
}

/* Builds `frames` frames of the App's view with input `in` into the draw
 * list (the last one counts: earlier ones settle scroll positions). */
static void off_build(Offscreen *o, const UiInput *in, int frames, bool still)
{
    UiView v;
    make_view(o->a, &v);
    v.still = still;
    UiIntents it;
    for (int i = 0; i < frames; i++)
        ui_frame(&o->a->ui, &v, in, &o->dl, &it);
}

/* Rasterizes the draw list into the image. */
static void off_paint(Offscreen *o)
{
    SDL_SetRenderDrawColor(o->r, 0, 0, 0, 255);
    SDL_RenderClear(o->r);
    render_sdl_draw(o->ren, &o->dl);
    SDL_RenderPresent(o->r);
}

static void off_draw(Offscreen *o, const UiInput *in, int frames, bool still)
{
    off_build(o, in, frames, still);
    off_paint(o);
}

int ui_shot(const char *path, uint32_t step, int w, int h, const char *out_png, char *err, size_t errn)
{
    if (w < 64 || h < 64 || w > 16384 || h > 16384) {
        snprintf(err, errn, "size %dx%d is out of range", w, h);
        return 2;
    }
    Offscreen o;
    if (!off_open(&o, w, h, 1.2f, err, errn))
        return 2;
    int status = 2;
    App *a = o.a;
    app_load(a, path, false);
    if (a->doc.ok) {
        uint32_t n = sim_recording(a->doc.sim)->nsteps;
        sim_seek(a->doc.sim, step > n ? n : step);
        /* optional extras for documentation pictures */
        const char *why = getenv("LOOPSCOPE_SHOT_WHY");
        if (why && why[0]) {
            unsigned long k = strtoul(why, NULL, 10);
            if (k < n) {
                a->ui.sel_kind = SEL_STEP;
                a->ui.sel_id = (uint32_t)k;
            }
        }
        a->ui.last_rec = sim_recording(a->doc.sim);
    }
    /* LOOPSCOPE_SHOT_FILTER=text: the "/" task-name filter */
    const char *filt = getenv("LOOPSCOPE_SHOT_FILTER");
    if (filt)
        snprintf(a->ui.filter, sizeof a->ui.filter, "%s", filt);
    const char *help = getenv("LOOPSCOPE_SHOT_HELP");
    a->ui.help = help && help[0] == '1';
    UiInput in;
    memset(&in, 0, sizeof in);
    in.w = w;
    in.h = h;
    in.dpr = 1;
    /* LOOPSCOPE_SHOT_MOUSE=x,y: the pointer rests there (hover, tooltip) */
    const char *mouse = getenv("LOOPSCOPE_SHOT_MOUSE");
    if (mouse && sscanf(mouse, "%d,%d", &in.mx, &in.my) == 2)
        in.mouse_in = true;
    off_draw(&o, &in, 2, true); /* two frames: the first settles scroll positions that follow the cursor */
    if (IMG_SavePNG(o.surf, out_png) != 0)
        snprintf(err, errn, "cannot write %s: %s", out_png, IMG_GetError());
    else if (!a->doc.ok)
        snprintf(err, errn, "%s has %u error%s (the picture shows the error panel)", path ? path : "default",
                 a->ndiags, a->ndiags == 1 ? "" : "s");
    else
        status = 0;
    off_close(&o);
    return status;
}

/* ---- lectures without a window: check, handouts ------------------------------- */

int ui_lecture_check(const char *path)
{
    Diags d;
    diags_init(&d);
    Lecture *L = lec_load_file(path, &d);
    char buf[2048];
    for (size_t i = 0; i < d.n; i++) {
        diag_format(&d.items[i], buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
    }
    if (!L && d.n == 0)
        fprintf(stderr, "%s: error: %s\n", path, d.oom ? "out of memory while loading the lecture" : "cannot load the lecture");
    diags_free(&d);
    if (!L)
        return 2;
    char **probs = NULL;
    uint32_t n = lec_plan_check_all(L, &probs);
    for (uint32_t i = 0; i < n; i++) {
        fprintf(stderr, "%s\n", probs[i]);
        free(probs[i]);
    }
    free(probs);
    lec_free(L);
    return n ? 2 : 0;
}

/* cairo's PDF stream goes to stdio (a temporary file renamed at the end). */
static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, (FILE *)closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int ui_lecture_handouts(const char *path, const char *png_dir, const char *pdf, int w, int h, char *err,
                        size_t errn)
{
    int status = 2;
    char pdf_tmp[PATH_MAX + 32] = "";
    FILE *pf = NULL;
    cairo_surface_t *pdfs = NULL;
    cairo_t *cr = NULL;
    uint32_t pages = 0;
    if (w < 320 || h < 200 || w > 8192 || h > 8192) {
        snprintf(err, errn, "size %dx%d is out of range (320x200 to 8192x8192)", w, h);
        return 2;
    }
    Offscreen o;
    if (!off_open(&o, w, h, 1.0f, err, errn))
        return 2;
    App *a = o.a;
    SDL_Surface *surf = o.surf;
    if (ui_lecture_check(path) != 0) {
        snprintf(err, errn, "%s has errors (listed above)", path);
        goto done;
    }
    lec_open(a, path, false);
    if (!a->lm.lec || !a->doc.ok) {
        snprintf(err, errn, "%s could not be opened as a lecture", path);
        goto done;
    }
    if (png_dir) {
        struct stat sd;
        if (stat(png_dir, &sd) != 0 && mkdir(png_dir, 0777) != 0) {
            snprintf(err, errn, "cannot make the folder %s: %s", png_dir, strerror(errno));
            goto done;
        }
    }
    if (pdf) {
        if (a->lm.lec->file && strcmp(pdf, a->lm.lec->file) == 0) {
            snprintf(err, errn, "refusing to write the handout over the lecture file %s", pdf);
            goto done;
        }
        snprintf(pdf_tmp, sizeof pdf_tmp, "%s.tmp-%ld", pdf, (long)getpid());
        pf = fopen(pdf_tmp, "wb");
        if (!pf) {
            snprintf(err, errn, "cannot write %s: %s", pdf, strerror(errno));
            goto done;
        }
        /* 96 pixels to the inch: a 1600 px wide frame is a 1200 pt page */
        pdfs = cairo_pdf_surface_create_for_stream(pdf_write, pf, w * 0.75, h * 0.75);
        cr = cairo_create(pdfs);
        if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
            snprintf(err, errn, "cannot start the PDF: %s", cairo_status_to_string(cairo_status(cr)));
            goto done;
        }
        cairo_pdf_surface_set_metadata(pdfs, CAIRO_PDF_METADATA_TITLE, a->lm.lec->title);
        cairo_pdf_surface_set_metadata(pdfs, CAIRO_PDF_METADATA_CREATOR, "loopscope");
    }
    for (uint32_t sidx = 0; sidx < a->lm.lec->nslides; sidx++) {
        if (!lec_enter(a, sidx, 0) || !a->lm.plan_ok) {
            snprintf(err, errn, "slide %u: %s", sidx + 1, a->lm.err);
            goto done;
        }
        const LecSlide *sl = &a->lm.lec->slides[sidx];
        uint32_t nsteps = sim_recording(a->doc.sim)->nsteps;
        /* one picture per stop (questions shown answered); a slide without
         * stops: its end; a claim: where the real order was decided */
        uint32_t nshots = sl->nstops ? sl->nstops : 1;
        bool claim = sl->nclaim && a->lm.plan.claim_diff >= 0 && a->lm.plan.claim_pos != SIM_NONE;
        for (uint32_t k = 0; k < nshots + (claim ? 1 : 0); k++) {
            if (k < nshots) {
                sim_seek(a->doc.sim, sl->nstops ? a->lm.plan.stops[k].pos : nsteps);
                if (sl->nstops && sl->stops[k].question)
                    a->lm.revealed[k] = true;
            } else {
                a->lm.claim_revealed = true;
                sim_seek(a->doc.sim, a->lm.plan.claim_pos);
            }
            a->ui.last_rec = sim_recording(a->doc.sim);
            a->ui.narr_scroll = 0;
            UiInput in;
            memset(&in, 0, sizeof in);
            in.w = w;
            in.h = h;
            in.dpr = 1;
            off_draw(&o, &in, 2, true);
            pages++;
            if (png_dir) {
                char name[PATH_MAX + 64], tmp[PATH_MAX + 96];
                snprintf(name, sizeof name, "%s/%03u-slide%02u-%s%02u.png", png_dir, pages, sidx + 1,
                         k < nshots ? "stop" : "claim", k + 1);
                snprintf(tmp, sizeof tmp, "%s.tmp-%ld", name, (long)getpid());
                if (IMG_SavePNG(surf, tmp) != 0 || rename(tmp, name) != 0) {
                    snprintf(err, errn, "cannot write %s: %s", name, IMG_GetError());
                    remove(tmp);
                    goto done;
                }
            }
            if (cr) {
                SDL_LockSurface(surf);
                cairo_surface_t *img = cairo_image_surface_create_for_data(
                    surf->pixels, CAIRO_FORMAT_RGB24, w, h, surf->pitch);
                cairo_save(cr);
                cairo_scale(cr, 0.75, 0.75);
                cairo_set_source_surface(cr, img, 0, 0);
                cairo_paint(cr);
                cairo_restore(cr);
                cairo_show_page(cr);
                cairo_surface_destroy(img);
                SDL_UnlockSurface(surf);
                if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
                    snprintf(err, errn, "cannot write the PDF: %s", cairo_status_to_string(cairo_status(cr)));
                    goto done;
                }
            }
        }
    }
    if (cr) {
        cairo_destroy(cr);
        cr = NULL;
        cairo_surface_finish(pdfs);
        cairo_status_t cs = cairo_surface_status(pdfs);
        cairo_surface_destroy(pdfs);
        pdfs = NULL;
        int fe = fclose(pf);
        pf = NULL;
        if (cs != CAIRO_STATUS_SUCCESS || fe != 0 || rename(pdf_tmp, pdf) != 0) {
            snprintf(err, errn, "cannot write %s: %s", pdf,
                     cs != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(cs) : strerror(errno));
            goto done;
        }
        pdf_tmp[0] = '\0';
    }
    fprintf(stderr, "loopscope lecture: %u page%s from %u slide%s%s%s%s%s\n", pages, pages == 1 ? "" : "s",
            a->lm.lec->nslides, a->lm.lec->nslides == 1 ? "" : "s", png_dir ? " -> " : "", png_dir ? png_dir : "",
            pdf ? " -> " : "", pdf ? pdf : "");
    status = 0;
done:
    if (cr)
        cairo_destroy(cr);
    if (pdfs) {
        cairo_surface_finish(pdfs);
        cairo_surface_destroy(pdfs);
    }
    if (pf)
        fclose(pf);
    if (pdf_tmp[0])
        remove(pdf_tmp);
    off_close(&o);
    return status;
}

/* ---- drawing benchmark (bench/draw_bench.c) ------------------------------------ */

int ui_bench_draw(const char *path, uint32_t step, int w, int h, int frames, double *ms, double *ms_ui,
                  char *err, size_t errn)
{
    Offscreen o;
    if (!off_open(&o, w, h, 1.0f, err, errn))
        return 2;
    App *a = o.a;
    app_load(a, path, false);
    if (!a->doc.ok) {
        snprintf(err, errn, "%s does not load", path);
        off_close(&o);
        return 2;
    }
    uint32_t n = sim_recording(a->doc.sim)->nsteps;
    sim_seek(a->doc.sim, step > n ? n : step);
    for (int f = -3; f < frames; f++) { /* three warm-up frames fill the glyph caches */
        UiInput in;
        memset(&in, 0, sizeof in);
        in.w = w;
        in.h = h;
        in.dpr = 1;
        in.time_ms = (uint32_t)(f + 3) * 16;
        in.mouse_in = true; /* the pointer wanders over the timeline: hover work every frame */
        in.mx = 100 + (f * 37) % (w - 200);
        in.my = h - 200 + (f * 13) % 100;
        struct timespec t0, tu, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        off_build(&o, &in, 1, false);
        clock_gettime(CLOCK_MONOTONIC, &tu);
        off_paint(&o);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (f >= 0) {
            ms[f] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
            ms_ui[f] = (double)(tu.tv_sec - t0.tv_sec) * 1e3 + (double)(tu.tv_nsec - t0.tv_nsec) / 1e6;
        }
    }
    off_close(&o);
    return 0;
}

/* What main.c finds in the module (ui.h, src/appmod.c). */
const UiEntry ui_entry = {ui_app_main, ui_shot, ui_lecture_handouts, ui_lecture_check};
