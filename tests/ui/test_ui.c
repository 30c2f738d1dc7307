/* test_ui.c -- the app's panels, tested headlessly on their draw commands.
 *
 * The UI is a pure function (ui_frame) from a view of the simulation and an
 * input record to a DrawList and intents, so these tests need no display
 * and no SDL: text is measured by a fake monospace metric. They load real
 * scenarios (tests/ui/scenarios, the built-in default), run the real core,
 * and check what the panels draw and return: layout invariants at many
 * window sizes, that nothing is drawn outside its panel at every step, the
 * x-extent of a known timeline bar, ready-queue and waiting-set contents,
 * key and mouse intents, the causal chain, per-task totals, speed on 1,000
 * tasks, and that random input never crashes.
 *
 * Run from the repository root: build/test_ui (tests/ui/run.sh builds it).
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "layout.h"
#include "model.h"
#include "scenario.h"
#include "theme.h"
#include "ui.h"
#include "ui_int.h"


static int fails, checks;

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        checks++;                                                                            \
        if (!(cond)) {                                                                       \
            fails++;                                                                         \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                  \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
        }                                                                                    \
    } while (0)

/* ---- a fake font: every character is 0.6 em wide ------------------------------ */

static int fake_width(void *ud, int font, int size, const char *s, size_t len)
{
    (void)ud;
    (void)font;
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return (n * size * 6 + 9) / 10;
}

static int fake_height(void *ud, int font, int size)
{
    (void)ud;
    (void)font;
    return size * 5 / 4;
}

static TextMeasure fake_measure(void)
{
    TextMeasure m = {fake_width, fake_height, NULL};
    return m;
}

/* ---- a loaded scenario ------------------------------------------------------------ */

typedef struct Fix {
    Program *prog;
    Sim *sim;
    UiModel model;
    UiState st;
    DrawList dl;
    UiIntents out;
} Fix;

static bool fix_open_text(Fix *f, const char *name, const char *text)
{
    memset(f, 0, sizeof *f);
    Diags d;
    diags_init(&d);
    f->prog = text ? scn_load_text(name, text, strlen(text), &d) : scn_load_file(name, &d);
    if (!f->prog) {
        char buf[1024];
        for (size_t i = 0; i < d.n; i++) {
            diag_format(&d.items[i], buf, sizeof buf);
            fprintf(stderr, "  %s\n", buf);
        }
        diags_free(&d);
        return false;
    }
    diags_free(&d);
    f->sim = sim_new(f->prog, NULL);
    sim_run_to_end(f->sim);
    char *src = NULL;
    uint32_t *sl = NULL;
    source__python(f->prog, &src, &sl);
    bool ok = model_build(&f->model, sim_recording(f->sim), f->prog, src, sl, f->sim);
    free(src);
    free(sl);
    ui_state_init(&f->st);
    draw_init(&f->dl, fake_measure());
    return ok;
}

static bool fix_open(Fix *f, const char *path) { return fix_open_text(f, path, NULL); }

static void fix_close(Fix *f)
{
    ui_state_free(&f->st);
    draw_deinit(&f->dl);
    model_free(&f->model);
    sim_free(f->sim);
    prog_free(f->prog);
}

static UiView fix_view(Fix *f)
{
    UiView v;
    memset(&v, 0, sizeof v);
    v.sim = f->sim;
    v.rec = sim_recording(f->sim);
    v.prog = f->prog;
    v.model = &f->model;
    v.file_label = "test.json";
    v.speed = 4;
    v.still = true;
    return v;
}

static UiInput input(int w, int h)
{
    UiInput in;
    memset(&in, 0, sizeof in);
    in.w = w;
    in.h = h;
    in.dpr = 1;
    return in;
}

static void frame(Fix *f, const UiInput *in)
{
    UiView v = fix_view(f);
    ui_frame(&f->st, &v, in, &f->dl, &f->out);
}

static const char *cmd_text(const DrawList *dl, const DrawCmd *c) { return dl->text + c->text; }

/* Does any TEXT command of `owner` contain `needle`? Returns its y or -1. */
static int find_text(const DrawList *dl, int owner, const char *needle)
{
    for (uint32_t i = 0; i < dl->n; i++) {
        const DrawCmd *c = &dl->cmds[i];
        if (c->kind == CMD_TEXT && (owner < 0 || c->owner == owner) && strstr(cmd_text(dl, c), needle))
            return c->y;
    }
    return -1;
}

static Layout layout_for(int w, int h, bool banner, bool errors)
{
    Theme th = theme_make(layout_scale(w, h, 1));
    Layout L;
    layout_compute(&L, w, h, &th, banner, errors);
    return L;
}

/* The timeline's geometry in the last frame of a WxH window (no banner):
 * its theme in *th. */
static void timeline_geom(Fix *f, int w, int h, Theme *th, TlGeom *g)
{
    *th = theme_make(layout_scale(w, h, 1));
    Layout L = layout_for(w, h, false, false);
    UiView v = fix_view(f);
    UiCtx c;
    memset(&c, 0, sizeof c);
    c.st = &f->st;
    c.v = &v;
    c.th = th;
    c.L = &L;
    panel_timeline_geom(&c, g);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_layout(void)
{
    static const int sizes[][2] = {{1024, 640}, {1280, 800}, {1440, 900}, {1600, 1000}, {1920, 1080},
                                   {2560, 1440}, {3840, 2160}, {800, 500}, {640, 400}, {1024, 1400}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        for (int banner = 0; banner < 2; banner++) {
            Layout L = layout_for(w, h, banner, false);
            for (int p = P_STATUS; p < P_OVERLAY; p++) {
                if (!L.shown[p])
                    continue;
                CHECK(draw_rect_inside(L.r[p], L.win), "%dx%d: %s outside the window", w, h, layout_panel_name(p));
                for (int q = p + 1; q < P_OVERLAY; q++) {
                    if (!L.shown[q])
                        continue;
                    Rect x = draw_rect_intersect(L.r[p], L.r[q]);
                    CHECK(x.w == 0 || x.h == 0, "%dx%d: %s overlaps %s", w, h, layout_panel_name(p),
                          layout_panel_name(q));
                }
            }
            if (w >= 1024 && h >= 640) {
                static const int must[] = {P_STATUS, P_CLOCK, P_SOURCE, P_READY, P_WAITING, P_STAGES,
                                           P_CONSOLE, P_TIMELINE, P_SUMMARY, P_HINTS};
                for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
                    CHECK(L.shown[must[i]], "%dx%d: %s not shown", w, h, layout_panel_name(must[i]));
                    Theme th = theme_make(layout_scale(w, h, 1));
                    CHECK(L.r[must[i]].h >= th.row_h && L.r[must[i]].w >= th.row_h * 4, "%dx%d: %s too small (%dx%d)",
                          w, h, layout_panel_name(must[i]), L.r[must[i]].w, L.r[must[i]].h);
                }
                CHECK(banner == 0 || L.shown[P_BANNER], "banner row missing");
            }
        }
        Layout E = layout_for(w, h, false, true);
        CHECK(E.shown[P_ERRORS] && !E.shown[P_TIMELINE], "%dx%d: error layout", w, h);
    }
    /* fonts grow with the window and with the pixel ratio */
    CHECK(layout_scale(3840, 2160, 1) > 1.6f, "4K scale %.2f", layout_scale(3840, 2160, 1));
    CHECK(fabsf(layout_scale(2560, 1600, 2) - 2.0f) < 0.01f, "HiDPI scale %.2f", layout_scale(2560, 1600, 2));
    CHECK(layout_scale(1024, 640, 1) < 1.0f && layout_scale(1024, 640, 1) >= 0.8f, "small scale");
}

/* Every command lies inside the panel that drew it (its clip is inside the
 * panel's rect and the command meets the clip). */
static void check_containment(const Fix *f, const Layout *L, const char *what)
{
    int bad = 0;
    for (uint32_t i = 0; i < f->dl.n && bad < 5; i++) {
        const DrawCmd *c = &f->dl.cmds[i];
        if (c->kind == CMD_CLIP)
            continue;
        Rect pr = L->r[c->owner];
        if (c->owner == P_NONE || c->owner == P_OVERLAY)
            pr = L->win;
        bool ok = draw_rect_inside(c->clip, pr) && c->clip.w > 0 && c->clip.h > 0;
        if (!ok) {
            bad++;
            fprintf(stderr, "  %s: cmd %u kind %d of %s clip (%d,%d %dx%d) panel (%d,%d %dx%d)\n", what, i, c->kind,
                    layout_panel_name(c->owner), c->clip.x, c->clip.y, c->clip.w, c->clip.h, pr.x, pr.y, pr.w, pr.h);
        }
    }
    CHECK(bad == 0, "%s: commands drawn outside their panel", what);
    CHECK(!f->dl.oom, "%s: draw list out of memory", what);
}

static void test_containment_every_step(const char *path, int w, int h)
{
    Fix f;
    if (!fix_open(&f, path)) {
        CHECK(0, "cannot open %s", path);
        return;
    }
    Layout L = layout_for(w, h, false, false);
    const Recording *r = sim_recording(f.sim);
    uint32_t n = r->nsteps;
    /* the model's iteration index agrees with every step's own iteration,
     * and knows each iteration's first PICK */
    uint32_t bad_iter = 0, bad_pick = 0, last_iter = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        Step sp = rec_step(r, i);
        bad_iter += model_iter_of(&f.model, i) != sp.iter;
        if (sp.iter != last_iter) {
            uint32_t j = i;
            while (j < n && rec_step(r, j).iter == sp.iter && rec_step(r, j).kind != STEP_PICK)
                j++;
            uint32_t want = j < n && rec_step(r, j).iter == sp.iter ? j : SIM_NONE;
            bad_pick += model_iter_first_pick(&f.model, sp.iter) != want;
            last_iter = sp.iter;
        }
    }
    CHECK(bad_iter == 0 && bad_pick == 0, "%s: iteration of every step (%u wrong), first picks (%u wrong)",
          path, bad_iter, bad_pick);
    /* the callback running after step i: the latest PICK with nothing that
     * ends a callback after it (the Ready-queue panel marks it) */
    uint32_t bad_run = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t want = SIM_NONE;
        for (uint32_t j = i + 1; j-- > 0;) {
            uint8_t k = rec_step(r, j).kind;
            if (k == STEP_PICK) {
                want = j;
                break;
            }
            if (k == STEP_ITER_END || k == STEP_SKIP || k == STEP_TASK_END || k == STEP_SUSPEND ||
                k == STEP_POLL || k == STEP_TIMER_DUE)
                break;
        }
        bad_run += model_running_pick(&f.model, i) != want;
    }
    CHECK(bad_run == 0, "%s: the running callback after every step (%u wrong)", path, bad_run);
    /* N / P without a stage: the binary searches land where a walk over
     * every iteration lands (the first target after pos, the last before) */
    uint32_t bad_nav = 0;
    for (uint32_t pos = 0; pos <= n; pos++) {
        uint32_t next = n, prev = 0;
        for (uint32_t it = 0; it <= f.model.niters + 1; it++) {
            uint32_t s0 = model_iter_start(&f.model, it);
            uint32_t t = s0 < n ? s0 + 1 : n;
            if (t > pos && next == n)
                next = t;
            if (t < pos && t > prev)
                prev = t;
        }
        bad_nav += nav__next_iter(&f.model, pos) != next || nav__prev_iter(&f.model, pos) != prev;
    }
    CHECK(bad_nav == 0, "%s: next/previous iteration from every position (%u wrong)", path, bad_nav);
    uint32_t stride = n > 400 ? n / 200 : 1;
    for (uint32_t k = 0; k <= n; k += stride) {
        sim_seek(f.sim, k);
        UiInput in = input(w, h);
        frame(&f, &in);
        char what[256];
        snprintf(what, sizeof what, "%s at step %u (%dx%d)", path, k, w, h);
        check_containment(&f, &L, what);
        if (fails > 20)
            break;
    }
    fix_close(&f);
}

/* Task B (Task-3) sleeps 1 s of the seed's 3 s: on the time axis its wait
 * bar spans a third of the lanes. */
static void test_timeline_bar(void)
{
    Fix f;
    CHECK(fix_open_text(&f, "default.json", ui_default_scenario), "default scenario loads");
    const Recording *r = sim_recording(f.sim);
    CHECK(r->ntasks >= 3 && strcmp(rec_text(r, r->tasks[2].name), "Task-3") == 0, "B is Task-3");
    sim_seek(f.sim, r->nsteps);
    f.st.axis = AXIS_TIME;
    UiInput in = input(1280, 800);
    frame(&f, &in);
    /* the geometry the timeline used */
    Theme th;
    TlGeom g;
    timeline_geom(&f, 1280, 800, &th, &g);
    int ly = panel_timeline__lane_y(&g, 2);
    CHECK(ly > 0, "lane of Task-3 visible");
    Color wc = th.wait[WAIT_TIMER];
    int x0 = -1, x1 = -1;
    for (uint32_t i = 0; i < f.dl.n; i++) {
        const DrawCmd *k = &f.dl.cmds[i];
        if (k->kind != CMD_RECT || k->owner != P_TIMELINE || memcmp(&k->color, &wc, sizeof wc) != 0)
            continue;
        if (k->y > ly || k->y + k->h < ly)
            continue;
        if (k->w > x1 - x0) {
            x0 = k->x;
            x1 = k->x + k->w;
        }
    }
    double third = g.lanes.w / 3.0;
    CHECK(x0 >= 0 && fabs((x1 - x0) - third) <= 3.0 + third * 0.01, "B's sleep bar is %d px, expected ~%.0f", x1 - x0,
          third);
    CHECK(abs(x0 - g.lanes.x) <= 2, "B's sleep starts at t=0 (x=%d, lanes at %d)", x0, g.lanes.x);
    /* in the default (hybrid) axis the zero-duration running steps keep a width */
    f.st.axis = AXIS_HYBRID;
    frame(&f, &in);
    int running_rects = 0;
    for (uint32_t i = 0; i < f.dl.n; i++) {
        const DrawCmd *k = &f.dl.cmds[i];
        if (k->kind == CMD_RECT && k->owner == P_TIMELINE && memcmp(&k->color, &th.running, sizeof th.running) == 0 &&
            k->w >= 3)
            running_rects++;
    }
    CHECK(running_rects >= 5, "zero-duration running steps are visible (%d wide bars)", running_rects);
    fix_close(&f);
}

static void test_ready_queue(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    /* after step 7 (Task-1 registered its timer): Task-1 runs, Task-2 and -3 queued */
    sim_seek(f.sim, 8);
    UiInput in = input(1280, 800);
    frame(&f, &in);
    int y_run = find_text(&f.dl, P_READY, "step Task Task-1");
    int y2 = find_text(&f.dl, P_READY, "step Task Task-2");
    int y3 = find_text(&f.dl, P_READY, "step Task Task-3");
    CHECK(y_run >= 0 && y2 > y_run && y3 > y2, "ready queue order: running %d, Task-2 %d, Task-3 %d", y_run, y2, y3);
    CHECK(find_text(&f.dl, P_READY, "queued during") >= 0, "the frozen-snapshot divider is shown");
    /* right after the start: the first step of Task-1 is the head, to be picked next */
    sim_seek(f.sim, 1);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_READY, "step Task Task-1") >= 0, "head at step 1");
    CHECK(find_text(&f.dl, P_READY, "next") >= 0, "the head is marked as picked next");
    /* at t=1 the timer of B's sleep(1) has fired */
    const Recording *r = sim_recording(f.sim);
    uint32_t due = SIM_NONE;
    for (uint32_t i = 0; i < r->nsteps; i++)
        if (rec_step(r, i).kind == STEP_TIMER_DUE) {
            due = i;
            break;
        }
    CHECK(due != SIM_NONE, "a timer fires");
    sim_seek(f.sim, due + 1);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_READY, "sleep(1) done") >= 0, "timer callback in the queue");
    fix_close(&f);
}

static void test_waiting_set(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    const Recording *r = sim_recording(f.sim);
    uint32_t poll = 0;
    for (uint32_t i = 0; i < r->nsteps; i++)
        if (rec_step(r, i).kind == STEP_POLL) {
            poll = i;
            break;
        }
    sim_seek(f.sim, poll); /* everyone asleep, just before the clock jumps */
    UiInput in = input(1280, 800);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_WAITING, "Task-1") >= 0, "Task-1 waits");
    CHECK(find_text(&f.dl, P_WAITING, "Task-2") >= 0, "Task-2 waits");
    CHECK(find_text(&f.dl, P_WAITING, "Task-3") >= 0, "Task-3 waits");
    CHECK(find_text(&f.dl, P_WAITING, "due t=1.000") >= 0, "B's deadline");
    CHECK(find_text(&f.dl, P_WAITING, "due t=3.000") >= 0, "main's deadline");
    fix_close(&f);

    Fix d;
    CHECK(fix_open(&d, "tests/ui/scenarios/deadlock.json"), "deadlock scenario loads");
    sim_seek(d.sim, sim_recording(d.sim)->nsteps);
    frame(&d, &in);
    CHECK(find_text(&d.dl, P_WAITING, "Deadlock") >= 0, "deadlock is named");
    CHECK(find_text(&d.dl, P_WAITING, "Event") >= 0, "the Events are named");
    CHECK(find_text(&d.dl, P_CLOCK, "DEADLOCK") >= 0, "the clock says DEADLOCK");
    fix_close(&d);
}

static void test_console_and_clicks(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    const Recording *r = sim_recording(f.sim);
    sim_seek(f.sim, r->nsteps);
    UiInput in = input(1280, 800);
    frame(&f, &in);
    int ya = find_text(&f.dl, P_CONSOLE, "Main: Starting tasks...");
    int yb = find_text(&f.dl, P_CONSOLE, "B: Finished after 1s");
    int yc = find_text(&f.dl, P_CONSOLE, "Main: Exiting");
    CHECK(ya >= 0 && yb > ya && yc > yb, "console in print order");
    CHECK(find_text(&f.dl, P_CONSOLE, "1.000") >= 0, "virtual timestamps");
    /* click the line "B: Finished after 1s" */
    f.st.last_pos = sim_pos(f.sim);
    UiInput press = input(1280, 800);
    Layout L = layout_for(1280, 800, false, false);
    press.mouse_in = true;
    press.mx = L.r[P_CONSOLE].x + 80;
    press.my = yb + 4;
    press.pressed = press.down = UI_MOUSE_LEFT;
    UiView v = fix_view(&f);
    v.still = false;
    ui_frame(&f.st, &v, &press, &f.dl, &f.out);
    UiInput rel = press;
    rel.pressed = 0;
    rel.down = 0;
    rel.released = UI_MOUSE_LEFT;
    ui_frame(&f.st, &v, &rel, &f.dl, &f.out);
    bool seek = false;
    uint32_t line_step = 0;
    for (uint32_t i = 0; i < r->nlines; i++)
        if (strcmp(rec_text(r, r->lines[i].text), "B: Finished after 1s") == 0)
            line_step = model_line_step(&f.model, i);
    for (int i = 0; i < f.out.n; i++)
        if (f.out.items[i].kind == INTENT_SEEK && f.out.items[i].n == line_step + 1)
            seek = true;
    CHECK(seek, "clicking a console line seeks to just after the step that printed it (%u)", line_step);
    CHECK(f.st.sel_kind == SEL_STEP && f.st.sel_id == line_step, "and selects it for why");
    fix_close(&f);
}

/* A printed text with newlines fills one console row per line, each with
 * its own stamp, in order; the count says rows, as a terminal would. */
static void test_console_newlines(void)
{
    Fix f;
    fix_open_text(&f, "nl.json",
                  "{\"coroutines\": {\"main\": [{\"print\": \"top\\nmiddle\\n\\nbottom\"},"
                  " {\"sleep\": 2}, {\"print\": \"after\"}]}}");
    const Recording *r = sim_recording(f.sim);
    CHECK(r->nlines == 2, "two prints (%u)", r->nlines);
    sim_seek(f.sim, r->nsteps);
    UiInput in = input(1280, 800);
    frame(&f, &in);
    int y1 = find_text(&f.dl, P_CONSOLE, "top"), y2 = find_text(&f.dl, P_CONSOLE, "middle");
    int y3 = find_text(&f.dl, P_CONSOLE, "bottom"), y4 = find_text(&f.dl, P_CONSOLE, "after");
    CHECK(y1 >= 0 && y2 > y1 && y3 > y2 && y4 > y3, "one row per line, in order (%d %d %d %d)", y1,
          y2, y3, y4);
    CHECK(y3 - y2 > y2 - y1, "the empty line takes a row");
    CHECK(find_text(&f.dl, P_CONSOLE, "5 of 5 lines printed") >= 0, "rows counted");
    int stamps = 0;
    for (uint32_t i = 0; i < f.dl.n; i++) {
        const DrawCmd *cmd = &f.dl.cmds[i];
        if (cmd->kind == CMD_TEXT && cmd->owner == P_CONSOLE && strstr(cmd_text(&f.dl, cmd), "0.000]"))
            stamps++;
    }
    CHECK(stamps == 4, "each row of the first print stamped (%d)", stamps);
    fix_close(&f);
}

/* A cancelled timer that falls due behind a live one is queued and shown
 * "cancelled, will be skipped" until the loop pops and skips it. */
static void test_ready_skipped_timer(void)
{
    Fix f;
    fix_open(&f, "tests/conformance/cases/cancelled_timer_falls_due.json");
    const Recording *r = sim_recording(f.sim);
    uint32_t due = SIM_NONE, skip = SIM_NONE;
    for (uint32_t i = 0; i < r->nsteps && skip == SIM_NONE; i++) {
        Step sp = rec_step(r, i);
        if (sp.kind == STEP_TIMER_DUE && sp.aux && due == SIM_NONE)
            due = i;
        if (sp.kind == STEP_SKIP && due != SIM_NONE)
            skip = i;
    }
    CHECK(due != SIM_NONE && skip != SIM_NONE, "a cancelled timer falls due and is skipped");
    if (skip == SIM_NONE) {
        fix_close(&f);
        return;
    }
    UiInput in = input(1280, 800);
    sim_seek(f.sim, due + 1);
    frame(&f, &in);
    int y_live = find_text(&f.dl, P_READY, "timer: sleep(1) done");
    int y_skip = find_text(&f.dl, P_READY, "cancelled, will be skipped: timer");
    CHECK(y_live >= 0 && y_skip > y_live, "marked in the queue, behind the live timer (%d %d)",
          y_live, y_skip);
    sim_seek(f.sim, skip + 1);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_READY, "cancelled, will be skipped") < 0, "gone once skipped");
    fix_close(&f);
}

/* The "since" texts of the waiting set, in order, joined with '|'. */
static void waiting_since(const DrawList *dl, char *out, size_t n)
{
    out[0] = 0;
    for (uint32_t i = 0; i < dl->n; i++) {
        const DrawCmd *cmd = &dl->cmds[i];
        if (cmd->kind == CMD_TEXT && cmd->owner == P_WAITING && strstr(cmd_text(dl, cmd), "since t=")) {
            strncat(out, cmd_text(dl, cmd), n - strlen(out) - 1);
            strncat(out, "|", n - strlen(out) - 1);
        }
    }
}

/* A deadlocked run: at its very end the waiting set still says since when
 * each task waits (it used to say the final step, where the run closes its
 * spans). */
static void test_waiting_since_at_the_end(void)
{
    Fix f;
    fix_open(&f, "scenarios/deadlock.json");
    const Recording *r = sim_recording(f.sim);
    UiInput in = input(1280, 1000);
    char before[512], after[512];
    sim_seek(f.sim, r->nsteps - 2); /* before the final step, where the run closes spans */
    frame(&f, &in);
    waiting_since(&f.dl, before, sizeof before);
    sim_seek(f.sim, r->nsteps);
    frame(&f, &in);
    waiting_since(&f.dl, after, sizeof after);
    CHECK(before[0] && strcmp(before, after) == 0, "since unchanged by the end of the run (%s / %s)",
          before, after);
    fix_close(&f);
}

/* A task left pending by asyncio.run's shutdown: at the end, and only
 * there, the waiting set says what CPython does with it; a run that leaves
 * nothing pending says nothing of the kind. */
static void test_left_pending(void)
{
    Fix f;
    CHECK(fix_open(&f, "tests/diff/found/task_created_during_shutdown.json"), "the shutdown case loads");
    const Recording *r = sim_recording(f.sim);
    UiInput in = input(1280, 800);
    sim_seek(f.sim, r->nsteps);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_WAITING, "Task-3 is still pending") >= 0, "the waiting set names Task-3 at the end");
    sim_seek(f.sim, r->nsteps - 1);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_WAITING, "still pending") < 0, "and not a step before");
    fix_close(&f);
    CHECK(fix_open(&f, "scenarios/forgotten_task.json"), "forgotten_task loads");
    r = sim_recording(f.sim);
    sim_seek(f.sim, r->nsteps);
    frame(&f, &in);
    CHECK(find_text(&f.dl, -1, "still pending") < 0, "nothing left pending in forgotten_task");
    fix_close(&f);
}

static int count_text(const DrawList *dl, int owner, const char *needle)
{
    int n = 0;
    for (uint32_t i = 0; i < dl->n; i++) {
        const DrawCmd *c = &dl->cmds[i];
        if (c->kind == CMD_TEXT && (owner < 0 || c->owner == owner) && strstr(cmd_text(dl, c), needle))
            n++;
    }
    return n;
}

/* A task waiting inside `async with asyncio.timeout(1.5)` shows a "timeout
 * t=1.500" chip in the waiting set: from its __aenter__ step until it leaves
 * the block or the handler is picked, whenever it is in the waiting set. Counted against
 * the recording's own steps at every step of scenarios/timeout.json. */
static void test_timeout_chip(void)
{
    Fix f;
    CHECK(fix_open(&f, "scenarios/timeout.json"), "timeout.json loads");
    const Recording *r = sim_recording(f.sim);
    const Program *p = f.prog;
    enum { MAXT = 8 };
    uint32_t enter[MAXT], until[MAXT];
    for (int i = 0; i < MAXT; i++)
        enter[i] = until[i] = UINT32_MAX;
    for (uint32_t i = 0; i < r->nsteps; i++) {
        Step sp = rec_step(r, i);
        if (sp.task >= MAXT)
            continue;
        if (sp.kind == STEP_EXEC && sp.stmt < p->nstmts && p->stmts[sp.stmt].kind == STMT_WITH_TIMEOUT) {
            if (sp.aux == TOS_ENTER)
                enter[sp.task] = i;
            else if (until[sp.task] == UINT32_MAX)
                until[sp.task] = i;
        }
        if (sp.kind == STEP_PICK && sp.handle < r->nhandles && r->handles[sp.handle].kind == H_TIMEOUT &&
            until[sp.task] == UINT32_MAX) /* (the handler's unit runs as it is picked) */
            until[sp.task] = i;
    }
    int entered = 0, shown = 0;
    for (int t = 0; t < MAXT; t++)
        entered += enter[t] != UINT32_MAX;
    CHECK(entered == 2, "two tasks enter a timeout block (%d)", entered);
    UiInput in = input(1600, 1000);
    for (uint32_t n = 1; n <= r->nsteps; n++) {
        sim_seek(f.sim, n);
        frame(&f, &in);
        int want = 0;
        for (uint32_t t = 0; t < MAXT && t < sim_ntasks(f.sim); t++)
            if (enter[t] < n && (until[t] == UINT32_MAX || n <= until[t]) &&
                find_text(&f.dl, P_WAITING, rec_text(r, r->tasks[t].name)) >= 0) /* in the waiting set */
                want++;
        int got = count_text(&f.dl, P_WAITING, "timeout t=1.500");
        shown += got;
        CHECK(got == want, "step %u: %d timeout chips, expected %d", n - 1, got, want);
    }
    CHECK(shown > 0, "the chip was shown at some step");
    fix_close(&f);
}

/* The spans of a wait kind in a recording: the task, the SUSPEND step that
 * begins it, the step that queues the task's wakeup (its future done), which
 * ends it, and the REGISTER step's obj. */
typedef struct WaitSpan {
    uint32_t task, from, until, obj;
} WaitSpan;

static int wait_spans(const Recording *r, WaitKind kind, WaitSpan *out, int max)
{
    int n = 0;
    uint32_t obj = SIM_NONE;
    for (uint32_t i = 0; i < r->nsteps && n < max; i++) {
        Step sp = rec_step(r, i);
        if (sp.kind == STEP_REGISTER && sp.aux == kind)
            obj = sp.obj;
        if (sp.kind == STEP_SUSPEND && sp.aux == kind)
            out[n++] = (WaitSpan){sp.task, i, UINT32_MAX, obj};
    }
    for (int k = 0; k < n; k++) /* the first wakeup queued after it suspended */
        for (uint32_t h = 0; h < r->nhandles; h++) {
            const HandleInfo *hi = &r->handles[h];
            if (hi->kind == H_TASK_WAKEUP && hi->task == out[k].task && hi->created > out[k].from &&
                hi->created < out[k].until)
                out[k].until = hi->created;
        }
    return n;
}

/* At every step of `file`, the waiting set shows one `chip` per task in a
 * wait of kind `kind` (as the recording has them; `nspans` in all), and with
 * `name_inner` "shield(<the REGISTER step's task>)" beside it. */
static void check_wait_chips(const char *file, WaitKind kind, const char *chip, int nspans, bool name_inner)
{
    Fix f;
    CHECK(fix_open(&f, file), "%s loads", file);
    const Recording *r = sim_recording(f.sim);
    WaitSpan sp[16];
    int n = wait_spans(r, kind, sp, 16), shown = 0;
    CHECK(n == nspans, "%s: %d waits of kind %d, expected %d", file, n, (int)kind, nspans);
    UiInput in = input(1600, 1000);
    for (uint32_t step = 1; step <= r->nsteps; step++) {
        sim_seek(f.sim, step);
        frame(&f, &in);
        int want = 0;
        for (int k = 0; k < n; k++) {
            if (!(sp[k].from < step && step <= sp[k].until))
                continue;
            if (name_inner) {
                char inner[64];
                snprintf(inner, sizeof inner, "shield(%s)", rec_text(r, r->tasks[sp[k].obj].name));
                CHECK(find_text(&f.dl, P_WAITING, inner) >= 0, "step %u: %s is shown", step - 1, inner);
            }
            want++;
        }
        int got = count_text(&f.dl, P_WAITING, chip);
        shown += got;
        CHECK(got == want, "%s step %u: %d \"%s\" chips, expected %d", file, step - 1, got, chip, want);
    }
    CHECK(shown > 0, "%s: the chip was shown at some step", file);
    fix_close(&f);
}

/* The waiting set shows "shield(Task-N)" for a task waiting for a shield
 * (two waits in scenarios/shield.json), and "the next task to finish" for
 * one waiting in an as_completed loop (three in scenarios/as_completed.json),
 * from its SUSPEND step until the step that queues its wakeup, counted at
 * every step against the recording. */
static void test_wait_chips(void)
{
    check_wait_chips("scenarios/shield.json", WAIT_SHIELD, "shield(Task-", 2, true);
    check_wait_chips("scenarios/as_completed.json", WAIT_AS_COMPLETED, "the next task to finish", 3, false);
}

/* A run stopped by a limit says why in the stages panel's step text, and
 * one that main's exception ended names it, not only the outcome chip's
 * tooltip (a student opening a runaway recursion saw "stopped: limit" and
 * nothing else). */
static void test_limit_says_why(void)
{
    Fix f;
    fix_open(&f, "tests/runaway/recursion.json");
    const Recording *r = sim_recording(f.sim);
    CHECK(r->outcome == SIM_LIMIT, "recursion.json stops at a limit (%d)", (int)r->outcome);
    UiInput in = input(1600, 1000);
    sim_seek(f.sim, r->nsteps - 1);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_STAGES, "call-depth") < 0, "no limit message before the last step");
    sim_seek(f.sim, r->nsteps);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_STAGES, "call-depth") >= 0, "the last step names the call-depth limit");
    fix_close(&f);
    fix_open(&f, "scenarios/uncaught_error.json");
    r = sim_recording(f.sim);
    sim_seek(f.sim, r->nsteps);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_STAGES, "KeyError") >= 0, "the last step names main's exception");
    fix_close(&f);
}

/* asyncio's "Task exception was never retrieved" shows in the console from
 * the step of the task's end on, in its place among the printed lines. */
static void test_console_logs(void)
{
    Fix f;
    fix_open(&f, "tests/conformance/logs/never_retrieved.json");
    const Recording *r = sim_recording(f.sim);
    CHECK(r->nlogs == 3, "three messages logged (%u)", r->nlogs);
    uint32_t at = r->nlogs ? r->logs[0].step : 0;
    UiInput in = input(1280, 1000);
    sim_seek(f.sim, at);
    frame(&f, &in);
    CHECK(find_text(&f.dl, P_CONSOLE, "never retrieved") < 0, "not before its step");
    sim_seek(f.sim, at + 1);
    frame(&f, &in);
    int y_log = find_text(&f.dl, P_CONSOLE, "Task exception was never retrieved");
    int y_print = find_text(&f.dl, P_CONSOLE, "boom 1 starts");
    CHECK(y_log >= 0 && y_print >= 0 && y_print < y_log, "logged after the line printed before it (%d, %d)",
          y_print, y_log);
    CHECK(find_text(&f.dl, P_CONSOLE, "name='Task-3'") > y_log, "its second line below it");
    fix_close(&f);
}

static bool has_intent(const UiIntents *o, IntentKind k, uint32_t n)
{
    for (int i = 0; i < o->n; i++)
        if (o->items[i].kind == k && (n == UINT32_MAX || o->items[i].n == n))
            return true;
    return false;
}

static void press_key(Fix *f, uint8_t code, char ch, uint8_t mods)
{
    UiInput in = input(1280, 800);
    in.keys[0].code = code;
    in.keys[0].ch = ch;
    in.keys[0].mods = mods;
    in.nkeys = 1;
    UiView v = fix_view(f);
    v.still = false;
    ui_frame(&f->st, &v, &in, &f->dl, &f->out);
}

static void test_keys(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    const Recording *r = sim_recording(f.sim);
    sim_seek(f.sim, 10);
    press_key(&f, UK_RIGHT, 0, 0);
    CHECK(has_intent(&f.out, INTENT_SEEK, 11), "Right steps");
    press_key(&f, UK_LEFT, 0, 0);
    CHECK(has_intent(&f.out, INTENT_SEEK, 9), "Left steps back");
    press_key(&f, UK_HOME, 0, 0);
    CHECK(has_intent(&f.out, INTENT_SEEK, 0), "Home");
    press_key(&f, UK_END, 0, 0);
    CHECK(has_intent(&f.out, INTENT_SEEK, r->nsteps), "End");
    press_key(&f, UK_SPACE, 0, 0);
    CHECK(has_intent(&f.out, INTENT_PLAY_TOGGLE, UINT32_MAX), "Space");
    press_key(&f, UK_PLUS, 0, 0);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_SPEED && f.out.items[0].delta == 1, "+ faster");
    press_key(&f, UK_DOWN, 0, 0);
    uint32_t want = model_iter_start(&f.model, rec_step(r, 9).iter + 1) + 1;
    CHECK(has_intent(&f.out, INTENT_SEEK, want), "Down: next iteration (%u)", want);
    press_key(&f, UK_UP, 0, 0);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_SEEK && f.out.items[0].n < 10, "Up: previous iteration");
    /* stage keys */
    press_key(&f, UK_CHAR, '6', 0);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_SEEK, "6: a seek");
    if (f.out.n == 1) {
        uint32_t t = f.out.items[0].n;
        CHECK(t > 10 && rec_step(r, t - 1).stage == 6, "6 lands right after a stage-6 step (%u)", t);
        for (uint32_t j = 10; j + 1 < t; j++)
            CHECK(rec_step(r, j).stage != 6, "and it is the next one");
    }
    press_key(&f, UK_CHAR, '4', UI_MOD_SHIFT);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_SEEK && f.out.items[0].n <= 10 &&
              rec_step(r, f.out.items[0].n - 1).stage == 4, "Shift+4: previous stage-4 step");
    press_key(&f, UK_CHAR, 'r', 0);
    CHECK(has_intent(&f.out, INTENT_RESTART, UINT32_MAX), "R restart");
    press_key(&f, UK_F5, 0, 0);
    CHECK(has_intent(&f.out, INTENT_RELOAD, UINT32_MAX), "F5 reload");
    /* help */
    press_key(&f, UK_F1, 0, 0);
    CHECK(f.st.help && find_text(&f.dl, P_OVERLAY, "play / pause") >= 0, "F1 shows the help");
    press_key(&f, UK_ESCAPE, 0, 0);
    CHECK(!f.st.help, "Esc closes it");
    /* open prompt */
    press_key(&f, UK_CHAR, 'o', 0);
    CHECK(f.st.prompt, "O opens the prompt");
    f.st.prompt_buf[0] = '\0';
    UiInput in = input(1280, 800);
    snprintf(in.text, sizeof in.text, "tests/ui/x.json");
    UiView v = fix_view(&f);
    ui_frame(&f.st, &v, &in, &f.dl, &f.out);
    CHECK(strcmp(f.st.prompt_buf, "tests/ui/x.json") == 0, "typing fills the prompt");
    press_key(&f, UK_ENTER, 0, 0);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_OPEN && strcmp(f.out.items[0].path, "tests/ui/x.json") == 0,
          "Enter opens the typed path");
    CHECK(!f.st.prompt, "and closes the prompt");
    /* drop */
    UiInput dr = input(1280, 800);
    snprintf(dr.drop, sizeof dr.drop, "/tmp/dropped.json");
    ui_frame(&f.st, &v, &dr, &f.dl, &f.out);
    CHECK(f.out.n == 1 && f.out.items[0].kind == INTENT_OPEN && strcmp(f.out.items[0].path, "/tmp/dropped.json") == 0,
          "a dropped file is opened");
    fix_close(&f);
}

static void test_why_chain(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    const Recording *r = sim_recording(f.sim);
    /* the wakeup of Task-3 after its sleep(1) */
    uint32_t h = SIM_NONE;
    for (uint32_t i = 0; i < r->nhandles; i++)
        if (r->handles[i].kind == H_TASK_WAKEUP && r->handles[i].task == 2)
            h = i;
    CHECK(h != SIM_NONE, "Task-3 has a wakeup");
    sim_seek(f.sim, r->handles[h].queued + 1);
    UiInput in = input(1280, 800);
    frame(&f, &in);
    int y = find_text(&f.dl, P_READY, "wake Task-3");
    CHECK(y >= 0, "the wakeup is in the queue");
    /* click it */
    Layout L = layout_for(1280, 800, false, false);
    UiView v = fix_view(&f);
    v.still = false;
    UiInput p = input(1280, 800);
    p.mouse_in = true;
    p.mx = L.r[P_READY].x + 100;
    p.my = y + 5;
    p.pressed = p.down = UI_MOUSE_LEFT;
    ui_frame(&f.st, &v, &p, &f.dl, &f.out);
    p.pressed = p.down = 0;
    p.released = UI_MOUSE_LEFT;
    ui_frame(&f.st, &v, &p, &f.dl, &f.out);
    CHECK(f.st.sel_kind == SEL_HANDLE && f.st.sel_id == h, "clicking selects the entry");
    p.released = 0;
    ui_frame(&f.st, &v, &p, &f.dl, &f.out);
    CHECK(find_text(&f.dl, P_OVERLAY, "Why is this here?") >= 0, "the why card opens");
    CHECK(find_text(&f.dl, P_OVERLAY, "registers") >= 0, "the chain names the registered timer");
    CHECK(find_text(&f.dl, P_OVERLAY, "timer due") >= 0, "the chain names the expiry");
    CHECK(find_text(&f.dl, P_OVERLAY, "pick:") >= 0, "and ends with the pick");
    /* the chain itself */
    UiCtx c;
    memset(&c, 0, sizeof c);
    c.st = &f.st;
    c.v = &v;
    why__build(&c);
    CHECK(c.nchain >= 5, "chain length %d", c.nchain);
    for (int i = 1; i < c.nchain; i++)
        CHECK(c.chain[i] > c.chain[i - 1], "chain in step order");
    CHECK(c.chain[c.nchain - 1] == r->handles[h].picked, "last link is the pick");
    /* arrows across the lanes: thick orange lines in the timeline */
    Theme th = theme_make(1);
    int arrows = 0;
    for (uint32_t i = 0; i < f.dl.n; i++) {
        const DrawCmd *k = &f.dl.cmds[i];
        if (k->owner == P_TIMELINE && (k->kind == CMD_LINE || k->kind == CMD_TRI) &&
            memcmp(&k->color, &th.chain, sizeof th.chain) == 0)
            arrows++;
    }
    CHECK(arrows >= 4, "the chain is drawn as arrows (%d)", arrows);
    fix_close(&f);
}

static void test_totals(void)
{
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    const TaskTotals *t = f.model.totals;
    CHECK(t[0].t[SPAN_WAITING] == 3 * VTIME_SEC, "main waits 3 s (%lld)", (long long)t[0].t[SPAN_WAITING]);
    CHECK(t[1].t[SPAN_WAITING] == 2 * VTIME_SEC, "A waits 2 s");
    CHECK(t[2].t[SPAN_WAITING] == 1 * VTIME_SEC, "B waits 1 s");
    CHECK(t[1].iters[SPAN_READY] >= 2, "A is ready in >= 2 iterations (%u)", t[1].iters[SPAN_READY]);
    fix_close(&f);

    Fix b;
    CHECK(fix_open(&b, "tests/ui/scenarios/blocking.json"), "blocking loads");
    CHECK(b.model.nblocked >= 1, "a blocked span");
    uint32_t ticker = 1;
    CHECK(b.model.totals[ticker].t[SPAN_BLOCKED] > 0, "the ticker is frozen by the blocked loop");
    sim_seek(b.sim, sim_recording(b.sim)->nsteps);
    UiInput in = input(1600, 1000);
    frame(&b, &in);
    CHECK(find_text(&b.dl, P_TIMELINE, "LOOP BLOCKED") >= 0, "the blocked loop is labelled");
    fix_close(&b);
}

/* Every lane tiles its task's life: its spans are sorted, each starts where
 * the one before it ended, the first at the task's creation, and a task
 * still pending when the run stopped runs on to the end (model_build sorts
 * lanes by counting, relying on a task's spans closing in the order they
 * start; before, a qsort of 32-byte Spans). Checked on every scenario,
 * conformance case and runaway case. */
static void lanes_tile(const char *path)
{
    Fix f;
    if (!fix_open(&f, path)) {
        CHECK(false, "%s loads", path);
        return;
    }
    const Recording *r = sim_recording(f.sim);
    for (uint32_t t = 0; t < f.model.ntasks; t++) {
        uint32_t n = 0;
        const LaneSpan *sp = model_lane(&f.model, t, &n);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t want = i ? sp[i - 1].s1 : r->tasks[t].created;
            /* (a run stopped by a limit may close a span at the step it opened) */
            CHECK(sp[i].s0 == want && sp[i].s1 >= sp[i].s0 && sp[i].state != SPAN_BLOCKED,
                  "%s: task %u span %u is %u-%u (state %u), expected to start at %u", path, t, i, sp[i].s0,
                  sp[i].s1, sp[i].state, want);
        }
        if (r->tasks[t].ended == SIM_NONE && n && r->tasks[t].created < r->nsteps)
            CHECK(sp[n - 1].s1 == r->nsteps + 1, "%s: pending task %u runs on to the end (%u of %u)", path, t,
                  sp[n - 1].s1, r->nsteps);
    }
    fix_close(&f);
}

/* Calls fn on every scenario, conformance case and UI scenario, and on the
 * runaway cases that a limit or a deadlock stopped with tasks pending;
 * returns how many files. */
static int for_each_scenario(void (*fn)(const char *path))
{
    static const char *dirs[] = {"scenarios", "tests/conformance/cases", "tests/ui/scenarios"};
    static const char *more[] = {"tests/runaway/recursion.json", "tests/runaway/cancel_cycle_group.json",
                                 "tests/runaway/cancel_chain_group.json", "tests/runaway/sleep_forever.json"};
    int files = 0;
    for (size_t k = 0; k < sizeof more / sizeof more[0]; k++, files++)
        fn(more[k]);
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        DIR *d = opendir(dirs[k]);
        CHECK(d != NULL, "%s opens", dirs[k]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0 || strncmp(e->d_name, "broken", 6) == 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[k], e->d_name);
            fn(path);
            files++;
        }
        if (d)
            closedir(d);
    }
    return files;
}

static void test_lanes_tile(void)
{
    int files = for_each_scenario(lanes_tile);
    CHECK(files >= 90, "lanes checked in %d files", files);
}

/* ---- the timeline's level of detail ---------------------------------------------- */

/* The timeline's opaque rectangles rasterized, each in its clip: what a
 * lane's pixel shows under the veil after the cursor and the bands of a
 * blocked loop. */
static Color *raster_rects(const DrawList *dl, int w, int h)
{
    Color *px = calloc((size_t)w * (size_t)h, sizeof *px);
    for (uint32_t i = 0; px && i < dl->n; i++) {
        const DrawCmd *k = &dl->cmds[i];
        if (k->kind != CMD_RECT || k->owner != P_TIMELINE || k->color.a != 255)
            continue; /* lanes are opaque; veils and bands over them are not */
        int x0 = k->x, y0 = k->y, x1 = k->x + k->w, y1 = k->y + k->h;
        if (k->clip.w >= 0) {
            x0 = x0 > k->clip.x ? x0 : k->clip.x;
            y0 = y0 > k->clip.y ? y0 : k->clip.y;
            x1 = x1 < k->clip.x + k->clip.w ? x1 : k->clip.x + k->clip.w;
            y1 = y1 < k->clip.y + k->clip.h ? y1 : k->clip.y + k->clip.h;
        }
        for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
            for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
                px[(size_t)y * (size_t)w + (size_t)x] = k->color;
    }
    return px;
}

static bool same_color(Color a, Color b) { return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a; }

static double u_of_x_test(const TlGeom *g, int x)
{
    return g->u0 + (double)(x - g->lanes.x) / g->lanes.w * (g->u1 - g->u0);
}

/* One lane at one zoom: every pixel column that holds a whole span or more
 * (the level of detail draws it) shows what a walk over the spans finds
 * there on the axis: solid green when the task only ran, else the larger
 * of ready and waiting as the body and green rims as thick as the share it
 * ran (share x half the lane, at least (h + 4) / 8 rows), none when it did
 * not run. Returns the number of such columns. */
static int lod_lane(Fix *f, const Theme *th, const TlGeom *g, const Color *px, int W, uint32_t t)
{
    const UiModel *m = &f->model;
    uint32_t n = 0;
    const LaneSpan *sp = model_lane(m, t, &n);
    int y = g->lanes.y + (int)((t - g->first_lane) * (uint32_t)g->lane_h) - (int)g->lane_off;
    int y0 = y + theme_px(th, 2), h = g->lane_h - theme_px(th, 4);
    if (!n || y < g->lanes.y || y + g->lane_h > g->lanes.y + g->lanes.h)
        return 0;
    const Recording *r = sim_recording(f->sim);
    int x_end = r->tasks[t].ended != SIM_NONE ? panel_timeline__x(g, model_axis_u(&g->ax, m, r->tasks[t].ended + 1))
                                                : INT32_MAX;
    Color green = theme_span_color(th, SPAN_RUNNING, 0), amber = theme_span_color(th, SPAN_READY, 0);
    int rim_min = (h + 4) / 8, cols = 0;
    double prev_run = 0;
    uint32_t q = 0;
    for (int x = g->lanes.x; x < g->lanes.x + g->lanes.w; x++) {
        double ua = u_of_x_test(g, x), ub = u_of_x_test(g, x + 1);
        double cover[3] = {0, 0, 0};
        int inside = 0;
        while (q < n && model_axis_u(&g->ax, m, sp[q].s1) <= ua)
            q++;
        for (uint32_t i = q; i < n; i++) {
            double s0 = model_axis_u(&g->ax, m, sp[i].s0), s1 = model_axis_u(&g->ax, m, sp[i].s1);
            if (s0 >= ub)
                break;
            double a = s0 > ua ? s0 : ua, b = s1 < ub ? s1 : ub;
            cover[sp[i].state] += b - a;
            inside += s0 > ua + 1e-9 * (ub - ua) && s1 < ub - 1e-9 * (ub - ua);
        }
        double total = cover[0] + cover[1] + cover[2];
        double run = total > 0 ? cover[SPAN_RUNNING] / total : 0;
        double was_prev = prev_run;
        prev_run = run;
        /* a blocked loop's band lies over the lanes, and its label, which
         * may stand a few hundred pixels left of it */
        bool band = false;
        for (uint32_t b = 0; b < m->nblocked && !band; b++)
            band = model_axis_u(&g->ax, m, m->blocked[b].s0) < ub + (ub - ua) * 300 &&
                   model_axis_u(&g->ax, m, m->blocked[b].s1) > ua - (ub - ua) * 2;
        if (!inside || !(total > 0) || abs(x - x_end) <= h || band)
            continue;
        cols++;
        Color mid = px[(size_t)(y0 + h / 2) * (size_t)W + (size_t)x], top = px[(size_t)y0 * (size_t)W + (size_t)x];
        if (cover[SPAN_READY] + cover[SPAN_WAITING] <= 1e-9 * total) {
            CHECK(same_color(mid, green) && same_color(top, green), "task %u x=%d only ran: solid green", t, x);
            continue;
        }
        double ready = cover[SPAN_READY] / total, waiting = cover[SPAN_WAITING] / total;
        double rim_f = run * h / 2.0;
        if (2 * (int)lround(rim_f) >= h - 1 || fabs(rim_f - floor(rim_f) - 0.5) < 1e-6)
            continue; /* at the edge of solid, or a rounding tie */
        if (fabs(ready - waiting) > 1e-6) {
            bool waits = false;
            for (int k = 0; k < WAIT__COUNT; k++)
                waits |= same_color(mid, th->wait[k]);
            CHECK(ready > waiting ? same_color(mid, amber) : waits, "task %u x=%d: body %s (ran %.3f, ready %.3f)", t,
                  x, ready > waiting ? "ready" : "waiting", run, ready);
        }
        if (run > 1e-9) {
            int rim = (int)lround(rim_f), got = 0;
            if (rim < rim_min)
                rim = rim_min;
            while (got < h && same_color(px[(size_t)(y0 + got) * (size_t)W + (size_t)x], green))
                got++;
            CHECK(abs(got - rim) <= 1, "task %u x=%d ran %.4f of the column: rim %d rows, expected %d", t, x, run, got,
                  rim);
        } else if (was_prev <= 1e-9) {
            CHECK(!same_color(top, green), "task %u x=%d never ran there: no rim", t, x);
        }
    }
    return cols;
}

/* One frame of f's timeline (WxH, axis, view [v0, v1], lanes scrolled to
 * `scroll`) checked column by column (lod_lane); returns the columns
 * checked, and adds those of tasks t0..t1 to *some. */
static int lod_frame(Fix *f, int W, int H, int axis, double v0, double v1, float scroll, uint32_t t0, uint32_t t1,
                     int *some)
{
    const Recording *r = sim_recording(f->sim);
    f->st.axis = axis;
    f->st.view0 = v0;
    f->st.view1 = v1;
    f->st.lane_scroll = scroll;
    UiInput in = input(W, H);
    frame(f, &in);
    Theme th;
    TlGeom g;
    timeline_geom(f, W, H, &th, &g);
    Color *px = raster_rects(&f->dl, W, H);
    CHECK(px != NULL, "raster");
    int cols = 0;
    for (uint32_t t = g.first_lane; px && t < r->ntasks; t++) {
        int k = lod_lane(f, &th, &g, px, W, t);
        cols += k;
        if (t >= t0 && t <= t1)
            *some += k;
    }
    free(px);
    return cols;
}

static int lod_files_cols;

/* The same on one file, at the end of its run: the whole run, and a
 * twentieth of it, on the hybrid and time axes. */
static void lod_file(const char *path)
{
    Fix f;
    if (!fix_open(&f, path)) {
        CHECK(false, "%s loads", path);
        return;
    }
    sim_seek(f.sim, sim_recording(f.sim)->nsteps);
    int none = 0, before = fails;
    for (int axis = 0; axis < 2; axis++) {
        lod_files_cols += lod_frame(&f, 1280, 800, axis, 0, 1, 0, 0, 0, &none);
        lod_files_cols += lod_frame(&f, 1280, 800, axis, 0.4, 0.45, 0, 0, 0, &none);
    }
    if (fails != before)
        fprintf(stderr, "  (in %s)\n", path);
    fix_close(&f);
}

/* The level of detail, against a walk over the spans, on 12 tasks that take
 * turns without sleeping (mostly ready: drawn green before) and 8 that sleep
 * between runs, on each axis, zoomed out and in. */
static void test_level_of_detail(void)
{
    static const char *text =
        "{\"title\": \"lod\", \"coroutines\": {"
        "\"spin\": {\"params\": [\"i\"], \"body\": [{\"repeat\": 150, \"as\": \"k\", \"body\": [{\"sleep\": 0}]}]},"
        "\"tick\": {\"params\": [\"i\"], \"body\": [{\"repeat\": 60, \"as\": \"k\", \"body\": "
        "[{\"sleep\": 0.01}, {\"sleep\": 0}, {\"print\": \"x\"}]}]},"
        "\"main\": [{\"repeat\": 12, \"as\": \"i\", \"body\": [{\"create_task\": \"spin\", \"args\": [{\"var\": "
        "\"i\"}], \"as\": \"t\"}]},"
        "{\"repeat\": 8, \"as\": \"i\", \"body\": [{\"create_task\": \"tick\", \"args\": [{\"var\": \"i\"}], \"as\": "
        "\"u\"}]}, {\"await\": \"t\"}, {\"await\": \"u\"}]}}";
    Fix f;
    CHECK(fix_open_text(&f, "lod.json", text), "the level-of-detail scenario loads");
    const Recording *r = sim_recording(f.sim);
    sim_seek(f.sim, r->nsteps);
    int W = 1600, H = 1000, cols = 0, spin_cols = 0;
    static const double views[][2] = {{0, 1}, {0.3, 0.34}, {0.5, 0.5015}};
    for (int axis = 0; axis < AXIS__COUNT; axis++)
        for (size_t v = 0; v < sizeof views / sizeof views[0]; v++)
            for (float scroll = 0; scroll <= 12; scroll += 12)
                cols += lod_frame(&f, W, H, axis, views[v][0], views[v][1], scroll, 1, 12, &spin_cols);
    /* the tooltip over such a column says what it held */
    f.st.axis = AXIS_HYBRID;
    f.st.view0 = 0;
    f.st.view1 = 1;
    f.st.lane_scroll = 0;
    UiInput in = input(W, H);
    frame(&f, &in);
    Theme th;
    TlGeom g;
    timeline_geom(&f, W, H, &th, &g);
    in.mx = g.lanes.x + g.lanes.w / 5;
    in.my = panel_timeline__lane_y(&g, 3);
    in.mouse_in = true;
    frame(&f, &in);
    static char all[1 << 16];
    size_t len = 0;
    for (uint32_t i = 0; i < f.dl.n && len + 600 < sizeof all; i++)
        if (f.dl.cmds[i].kind == CMD_TEXT)
            len += (size_t)snprintf(all + len, sizeof all - len, "%.*s ", (int)f.dl.cmds[i].len, cmd_text(&f.dl, &f.dl.cmds[i]));
    const char *hold = strstr(all, "This pixel holds");
    unsigned nheld = 0;
    int ran = -1, ready = -1;
    CHECK(hold && sscanf(hold, "This pixel holds %u of its spans: it ran %d%% of it, was ready %d%%", &nheld, &ran,
                         &ready) == 3,
          "the tooltip of a column of Task-4 says what it held: %.200s", hold ? hold : "(none)");
    /* against a walk over the spans */
    uint32_t n = 0;
    const LaneSpan *sp = model_lane(&f.model, 3, &n);
    double ua = u_of_x_test(&g, in.mx), ub = u_of_x_test(&g, in.mx + 1), cov[3] = {0, 0, 0};
    unsigned held = 0;
    for (uint32_t i = 0; i < n; i++) {
        double s0 = model_axis_u(&g.ax, &f.model, sp[i].s0), s1 = model_axis_u(&g.ax, &f.model, sp[i].s1);
        if (s1 <= ua || s0 >= ub)
            continue;
        held++;
        cov[sp[i].state] += (s1 < ub ? s1 : ub) - (s0 > ua ? s0 : ua);
    }
    double tot = cov[0] + cov[1] + cov[2];
    CHECK(nheld == held && held >= 3, "the column holds %u spans (said %u)", held, nheld);
    CHECK(tot > 0 && abs(ran - (int)lround(cov[0] / tot * 100)) <= 1 && abs(ready - (int)lround(cov[1] / tot * 100)) <= 1,
          "ran %d%%, ready %d%% (a walk: %.1f%%, %.1f%%)", ran, ready, cov[0] / tot * 100, cov[1] / tot * 100);
    printf("  %d columns checked (%d of tasks taking turns)\n", cols, spin_cols);
    int files = for_each_scenario(lod_file);
    printf("  and %d columns in %d files\n", lod_files_cols, files);
    CHECK(files >= 90 && lod_files_cols > 1000, "columns drawn at level of detail checked in %d files: %d", files,
          lod_files_cols);
    CHECK(cols > 3000 && spin_cols > 1500, "columns drawn at level of detail checked: %d (%d)", cols, spin_cols);
    fix_close(&f);
}

/* The totals' loop-blocked time and iterations (found by binary search over
 * prefix sums, model.c BlockIndex) equal a walk over every blocked span,
 * on a run where 300 tasks block at different moments, some while others
 * wait or are ready. */
static void test_totals_many_blocks(void)
{
    static const char *src =
        "{\"coroutines\": {\"w\": {\"params\": [\"i\"], \"body\": [{\"sleep\": 0.01}, {\"block\": 0.002},"
        " {\"sleep\": 0.05}, {\"block\": 0.001}, {\"sleep\": 0}]},"
        " \"main\": [{\"repeat\": 300, \"as\": \"i\", \"body\": [{\"create_task\": \"w\", \"args\": [{\"var\": \"i\"}],"
        " \"as\": \"t\"}, {\"sleep\": 0.003}]}, {\"sleep\": 1}]}}";
    Fix f;
    if (!fix_open_text(&f, "blocks.json", src)) {
        CHECK(false, "the many-blocks scenario loads");
        return;
    }
    const UiModel *m = &f.model;
    const Recording *r = sim_recording(f.sim);
    CHECK(m->nblocked == 600, "600 blocked spans (%u)", m->nblocked);
    int bad = 0;
    VTime all_time = 0;
    uint64_t all_iters = 0;
    for (uint32_t t = 0; t < m->ntasks; t++) {
        VTime want = 0;
        uint32_t n = 0;
        const LaneSpan *sp = model_lane(m, t, &n);
        for (uint32_t i = 0; i < n; i++) {
            if (sp[i].state == SPAN_RUNNING)
                continue;
            VTime t0 = model_time_at(m, sp[i].s0), t1 = model_time_at(m, sp[i].s1);
            for (uint32_t k = 0; k < m->nblocked; k++) {
                VTime a0 = m->blocked[k].t0 > t0 ? m->blocked[k].t0 : t0;
                VTime a1 = m->blocked[k].t1 < t1 ? m->blocked[k].t1 : t1;
                if (a1 > a0)
                    want += a1 - a0;
            }
        }
        uint32_t end = r->tasks[t].ended == SIM_NONE ? r->nsteps : r->tasks[t].ended;
        uint32_t iters = 0;
        for (uint32_t k = 0; k < m->nblocked; k++)
            if (m->blocked[k].task != t && m->blocked[k].s0 >= r->tasks[t].created && m->blocked[k].s0 < end)
                iters++;
        if (m->totals[t].t[SPAN_BLOCKED] != want || m->totals[t].iters[SPAN_BLOCKED] != iters)
            bad++;
        all_time += want;
        all_iters += iters;
    }
    CHECK(bad == 0, "blocked totals equal a walk over every blocked span (%d tasks differ)", bad);
    CHECK(all_time > 0 && all_iters > 0, "some tasks were frozen by others' blocks");
    fix_close(&f);
}

static void test_errors_view(void)
{
    UiState st;
    ui_state_init(&st);
    DrawList dl;
    draw_init(&dl, fake_measure());
    UiIntents out;
    const char *diags[] = {"x.json:3:5: error: $.coroutines.main[0]: unknown verb \"slep\"",
                           "x.json:9:1: error: something else"};
    UiView v;
    memset(&v, 0, sizeof v);
    v.file_label = "x.json";
    v.diags = diags;
    v.ndiags = 2;
    UiInput in = input(1024, 640);
    ui_frame(&st, &v, &in, &dl, &out);
    CHECK(find_text(&dl, P_ERRORS, "unknown verb") >= 0, "first diagnostic listed");
    CHECK(find_text(&dl, P_ERRORS, "something else") >= 0, "second diagnostic listed");
    CHECK(find_text(&dl, P_ERRORS, "2 errors") >= 0, "error count");
    Layout L = layout_for(1024, 640, false, true);
    Fix tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.dl = dl;
    check_containment(&tmp, &L, "error panel");
    /* keys that make no sense without a scenario do nothing */
    in.keys[0].code = UK_RIGHT;
    in.nkeys = 1;
    ui_frame(&st, &v, &in, &dl, &out);
    CHECK(out.n == 0, "no seek without a scenario");
    draw_deinit(&dl);

    /* a refused reload: banner */
    Fix f;
    fix_open_text(&f, "default.json", ui_default_scenario);
    UiView fv = fix_view(&f);
    fv.banner = "x.json:3:5: error: bad";
    fv.diags = diags;
    fv.ndiags = 2;
    UiInput fi = input(1280, 800);
    ui_frame(&f.st, &fv, &fi, &f.dl, &f.out);
    CHECK(find_text(&f.dl, P_BANNER, "refused") >= 0, "the banner says the file was refused");
    CHECK(find_text(&f.dl, P_READY, "Ready") >= 0 || find_text(&f.dl, P_READY, "callback") >= 0,
          "the last good version stays on screen");
    fix_close(&f);
}

/* 1,000 tasks: a frame stays fast because lanes are virtualized. */
static void test_many_tasks(void)
{
    size_t cap = 1 << 20;
    char *json = malloc(cap);
    size_t n = (size_t)snprintf(json, cap,
                                "{\"title\": \"1000 tasks\", \"coroutines\": {\"w\": {\"params\": [\"i\"], \"body\": "
                                "[{\"sleep\": 0.5}, {\"sleep\": 0}, {\"print\": \"w{i}\"}]}, \"main\": [");
    for (int i = 0; i < 999; i++)
        n += (size_t)snprintf(json + n, cap - n, "%s{\"create_task\": \"w\", \"args\": [%d], \"as\": \"t%d\"}",
                              i ? ", " : "", i, i);
    n += (size_t)snprintf(json + n, cap - n, ", {\"sleep\": 2}]}}");
    Fix f;
    bool ok = fix_open_text(&f, "many.json", json);
    free(json);
    CHECK(ok, "1000-task scenario loads");
    if (!ok)
        return;
    const Recording *r = sim_recording(f.sim);
    CHECK(r->ntasks >= 1000, "%u tasks", r->ntasks);
    UiInput in = input(1920, 1080);
    sim_seek(f.sim, r->nsteps / 2);
    clock_t t0 = clock();
    int frames = 20;
    for (int i = 0; i < frames; i++) {
        f.st.lane_scroll = (float)(i * 40);
        frame(&f, &in);
    }
    double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC / frames;
    printf("  1000 tasks: %.2f ms per frame, %u draw commands\n", ms, f.dl.n);
    CHECK(ms < 60, "a frame with 1000 tasks takes %.1f ms", ms);
    CHECK(f.dl.n < 40000, "draw commands bounded (%u)", f.dl.n);
    Layout L = layout_for(1920, 1080, false, false);
    check_containment(&f, &L, "1000 tasks");
    fix_close(&f);
}

/* Random input on several scenarios: nothing may crash or draw outside. */
static void test_random_input(void)
{
    const char *files[] = {"tests/ui/scenarios/mixed.json", "tests/ui/scenarios/blocking.json",
                           "tests/ui/scenarios/deadlock.json", "tests/ui/scenarios/longnames.json",
                           "tests/ui/scenarios/fifty.json"};
    unsigned seed = 12345;
    for (size_t fi = 0; fi < sizeof files / sizeof files[0]; fi++) {
        Fix f;
        if (!fix_open(&f, files[fi])) {
            CHECK(0, "cannot open %s", files[fi]);
            continue;
        }
        uint32_t n = sim_recording(f.sim)->nsteps;
        for (int i = 0; i < 600; i++) {
            seed = seed * 1103515245u + 12345u;
            int w = 1 + (int)(seed >> 8) % 4000, h = 1 + (int)(seed >> 4) % 2500;
            if (i % 3)
                w = 1024 + (int)(seed % 900), h = 640 + (int)((seed >> 12) % 500);
            UiInput in = input(w, h);
            in.time_ms = (uint32_t)i * 16;
            in.mouse_in = true;
            in.mx = (int)((seed >> 3) % (unsigned)w);
            in.my = (int)((seed >> 7) % (unsigned)h);
            in.pressed = (seed & 16) ? UI_MOUSE_LEFT : 0;
            in.down = (seed & 48) ? UI_MOUSE_LEFT : 0;
            in.released = (seed & 64) ? UI_MOUSE_LEFT : 0;
            in.wheel_y = (float)((int)(seed % 7) - 3);
            in.wheel_x = (seed & 128) ? 1.0f : 0.0f;
            in.mods = (uint8_t)((seed >> 9) & 3);
            in.nkeys = 1;
            static const uint8_t codes[] = {UK_RIGHT, UK_LEFT, UK_UP, UK_DOWN, UK_CHAR, UK_PAGEDOWN, UK_ESCAPE,
                                            UK_CHAR, UK_HOME, UK_END, UK_CHAR, UK_TAB};
            in.keys[0].code = codes[(seed >> 5) % (sizeof codes)];
            in.keys[0].ch = "1234567tnpfyre"[(seed >> 11) % 14];
            UiView v = fix_view(&f);
            v.still = (seed & 256) != 0;
            ui_frame(&f.st, &v, &in, &f.dl, &f.out);
            for (int k = 0; k < f.out.n; k++)
                if (f.out.items[k].kind == INTENT_SEEK) {
                    CHECK(f.out.items[k].n <= n, "seek within the run");
                    sim_seek(f.sim, f.out.items[k].n);
                }
            if (w >= 640 && h >= 400 && !f.st.help && !f.st.prompt && !f.st.show_diags) {
                Layout L = layout_for(w, h, false, false);
                char what[128];
                snprintf(what, sizeof what, "%s random frame %d (%dx%d)", files[fi], i, w, h);
                check_containment(&f, &L, what);
            }
            if (fails > 30)
                break;
        }
        fix_close(&f);
    }
}

static void test_default_matches_file(void)
{
    FILE *fp = fopen("scenarios/default.json", "rb");
    if (!fp) {
        printf("  SKIP: scenarios/default.json is not there yet (the embedded copy is tests/ui/scenarios/default.json)\n");
        fp = fopen("tests/ui/scenarios/default.json", "rb");
    }
    if (!fp) {
        CHECK(0, "no default.json to compare with");
        return;
    }
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    CHECK(strcmp(buf, ui_default_scenario) == 0, "the built-in scenario equals default.json");
}

int main(void)
{
    struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"layout", test_layout},
        {"timeline bar", test_timeline_bar},
        {"ready queue", test_ready_queue},
        {"ready queue: a skipped timer", test_ready_skipped_timer},
        {"waiting set: since, at the end of a deadlock", test_waiting_since_at_the_end},
        {"waiting set", test_waiting_set},
        {"the end of a run says why", test_limit_says_why},
        {"tasks left pending by the shutdown", test_left_pending},
        {"asyncio.timeout chip", test_timeout_chip},
        {"shield and as_completed chips", test_wait_chips},
        {"console and clicks", test_console_and_clicks},
        {"console rows for newlines", test_console_newlines},
        {"console: asyncio's logs", test_console_logs},
        {"keys", test_keys},
        {"why chain", test_why_chain},
        {"totals", test_totals},
        {"lanes tile every task's life", test_lanes_tile},
        {"timeline level of detail", test_level_of_detail},
        {"totals with 600 blocked spans", test_totals_many_blocks},
        {"errors view", test_errors_view},
        {"1000 tasks", test_many_tasks},
        {"random input", test_random_input},
        {"default scenario", test_default_matches_file},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        int before = fails;
        tests[i].fn();
        printf("%s %s\n", fails == before ? "ok  " : "FAIL", tests[i].name);
    }
    static const char *every[] = {"tests/ui/scenarios/mixed.json", "tests/ui/scenarios/blocking.json",
                                  "tests/ui/scenarios/deadlock.json", "tests/ui/scenarios/longnames.json",
                                  "tests/ui/scenarios/fifty.json", "tests/conformance/logs/never_retrieved.json"};
    static const int sizes[][2] = {{1024, 640}, {1280, 800}, {3840, 2160}};
    int before = fails;
    for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            test_containment_every_step(every[i], sizes[s][0], sizes[s][1]);
    printf("%s nothing drawn outside its panel, every step\n", fails == before ? "ok  " : "FAIL");
    printf("test_ui: %d checks, %d failed\n", checks, fails);
    return fails ? 1 : 0;
}
