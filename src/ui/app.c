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
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "input_sdl.h"
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
} Doc;

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
} App;

/* ---- documents ------------------------------------------------------------- */

static void doc_free(Doc *d)
{
    model_free(&d->model);
    sim_free(d->sim);
    prog_free(d->prog);
    memset(d, 0, sizeof *d);
}

/* Runs p to the end and builds the model. Takes ownership of p. */
static bool doc_make(Doc *d, Program *p, char *err, size_t errn)
{
    memset(d, 0, sizeof *d);
    d->prog = p;
    SimLimits lim = sim_default_limits();
    lim.max_steps = 2000000; /* the app keeps every step: stay interactive */
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

static void diags_clear(App *a)
{
    for (uint32_t i = 0; i < a->ndiags; i++)
        free(a->diags[i]);
    free(a->diags);
    a->diags = NULL;
    a->ndiags = 0;
}

/* Reads a whole file (at most 16 MiB) as a NUL-terminated string, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
        if (n + 1 == cap) {
            if (cap >= (16u << 20)) {
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
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

static void stat_now(App *a)
{
    a->have_stat = a->path[0] && stat(a->path, &a->st) == 0;
}

/* Loads `path` (NULL or "" = the default scenario). `reload` means the same
 * file changed: on failure the current document stays, with a banner. */
static void app_load(App *a, const char *path, bool reload)
{
    Diags d;
    diags_init(&d);
    Program *p = NULL;
    char err[512] = "";
    bool builtin = !path || !path[0];
    if (builtin)
        p = scn_load_text("default.json", ui_default_scenario, strlen(ui_default_scenario), &d);
    else
        p = scn_load_file(path, &d);
    if (!reload) {
        snprintf(a->path, sizeof a->path, "%s", builtin ? "" : path);
        snprintf(a->label, sizeof a->label, "%s", builtin ? DEFAULT_LABEL : path);
    }
    stat_now(a);
    Doc nd;
    if (p && doc_make(&nd, p, err, sizeof err)) {
        uint32_t keep = reload && a->doc.ok ? sim_pos(a->doc.sim) : 0;
        doc_free(&a->doc);
        a->doc = nd;
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

/* Reloads when the file's size, time or identity changed on disk. */
static void app_poll(App *a, uint32_t now)
{
    if (!a->path[0] || now - a->last_poll < POLL_MS)
        return;
    a->last_poll = now;
    struct stat s;
    if (stat(a->path, &s) != 0)
        return; /* gone for now (an editor saving by rename): keep what we show */
    if (a->have_stat && s.st_mtim.tv_sec == a->st.st_mtim.tv_sec && s.st_mtim.tv_nsec == a->st.st_mtim.tv_nsec &&
        s.st_size == a->st.st_size && s.st_ino == a->st.st_ino)
        return;
    app_load(a, a->path, true);
}

static void app_free(App *a)
{
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
    a->acc += (double)dt_ms / 1000.0 * speeds[a->speed_i];
    if (a->acc < 1)
        return;
    uint32_t k = (uint32_t)a->acc;
    a->acc -= k;
    uint32_t to = sim_pos(s) + k;
    if (to >= n) {
        to = n;
        a->playing = false;
    }
    sim_seek(s, to);
}

static void make_view(const App *a, UiView *v)
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

static void set_title(SDL_Window *win, const App *a)
{
    char t[600];
    const char *name = a->doc.ok && a->doc.prog->title != PROG_NONE ? prog_s(a->doc.prog, a->doc.prog->title) : "";
    snprintf(t, sizeof t, "loopscope%s%s", name[0] ? " - " : "", name);
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
        app_poll(a, now);
        app_play(a, dt);
        if (a->doc.sim != doc_before || (a->doc.ok && sim_pos(a->doc.sim) != before))
            dirty = true;
        if (a->doc.sim != doc_before)
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
        SDL_RenderPresent(r);
        /* the intents of this frame */
        const void *sim0 = a->doc.sim;
        apply_intents(a, &it, &quit);
        if (it.n)
            dirty = true;
        if (a->doc.sim != sim0)
            set_title(win, a);
        if (a->ui.prompt != text_on) {
            text_on = a->ui.prompt;
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

/* ---- offscreen still frames -------------------------------------------------- */

int ui_shot(const char *path, uint32_t step, int w, int h, const char *out_png, char *err, size_t errn)
{
    int status = 2;
    SDL_Surface *surf = NULL;
    SDL_Renderer *r = NULL;
    Ren *ren = NULL;
    DrawList dl;
    bool dl_ok = false;
    App *a = NULL;
    char assets[PATH_MAX];
    if (w < 64 || h < 64 || w > 16384 || h > 16384) {
        snprintf(err, errn, "size %dx%d is out of range", w, h);
        return 2;
    }
    if (SDL_Init(0) != 0) {
        snprintf(err, errn, "cannot start SDL: %s", SDL_GetError());
        return 2;
    }
    if (TTF_Init() != 0) {
        snprintf(err, errn, "cannot start SDL_ttf: %s", TTF_GetError());
        goto done;
    }
    if (!find_assets(assets, sizeof assets, err, errn))
        goto done;
    a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errn, "out of memory");
        goto done;
    }
    ui_state_init(&a->ui);
    a->speed_i = 4;
    app_load(a, path, false);
    surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf) {
        snprintf(err, errn, "cannot make a %dx%d image: %s", w, h, SDL_GetError());
        goto done;
    }
    r = SDL_CreateSoftwareRenderer(surf);
    if (!r) {
        snprintf(err, errn, "cannot start the software renderer: %s", SDL_GetError());
        goto done;
    }
    char rerr[PATH_MAX + 256];
    ren = render_sdl_new(r, assets, rerr, sizeof rerr);
    if (!ren) {
        snprintf(err, errn, "%s", rerr);
        goto done;
    }
    draw_init(&dl, render_sdl_measure(ren));
    dl_ok = true;
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
    UiView v;
    make_view(a, &v);
    v.still = true;
    UiIntents it;
    /* two frames: the first settles scroll positions that follow the cursor */
    ui_frame(&a->ui, &v, &in, &dl, &it);
    ui_frame(&a->ui, &v, &in, &dl, &it);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    render_sdl_draw(ren, &dl);
    SDL_RenderPresent(r);
    if (IMG_SavePNG(surf, out_png) != 0) {
        snprintf(err, errn, "cannot write %s: %s", out_png, IMG_GetError());
        goto done;
    }
    if (!a->doc.ok) {
        snprintf(err, errn, "%s has %u error%s (the picture shows the error panel)", path ? path : "default",
                 a->ndiags, a->ndiags == 1 ? "" : "s");
        goto done;
    }
    status = 0;
done:
    if (dl_ok)
        draw_deinit(&dl);
    render_sdl_free(ren);
    if (r)
        SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    if (a) {
        app_free(a);
        free(a);
    }
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    return status;
}
