/* ui.h -- the desktop app: its two entry points, and the pure frame function.
 *
 * The app is immediate mode over a read-only view (style.md 3.7): every
 * frame, ui_frame reads a UiView (the Sim at its cursor, the Recording, the
 * Program and the indexes of model.h), the frame's UiInput and the UI's own
 * UiState (scroll, zoom, hover, selection), and produces a DrawList and a
 * short list of Intents. It never changes the simulation: only app.c turns
 * intents into sim_* calls. Nothing here includes SDL, so the tests drive
 * ui_frame headlessly and assert on the draw commands.
 *
 * Depends on: core.h, draw.h, model.h.  Used by: main.c, app.c, tests/ui.
 */
#ifndef LOOPSCOPE_UI_H
#define LOOPSCOPE_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "draw.h"
#include "model.h"

/* ---- entry points (main.c) ------------------------------------------------ */

/* Opens the window on `path` (NULL = the built-in default scenario). Returns
 * a process exit status. With no display, prints a clear message to stderr
 * (and how to work headless) and returns 2. */
int ui_app_main(const char *path);

/* Renders the app's frame at step `step` (clamped; UINT32_MAX = the last) of
 * `path` offscreen with the software renderer at w x h, and saves a PNG at
 * out_png. Returns 0, or 2 with a message in err. */
int ui_shot(const char *path, uint32_t step, int w, int h, const char *out_png, char *err,
            size_t errn);

/* Lecture handouts: one image per stop of every slide (the app frame in
 * lecture mode at that step, narration included), as PNG files in png_dir
 * (NULL: none) and/or pages of one PDF (NULL: none). Returns 0, or 2 with
 * a message in err. */
int ui_lecture_handouts(const char *lecture_path, const char *png_dir, const char *pdf, int w, int h,
                        char *err, size_t errn);
/* Checks a lecture as `loopscope check` does: prints diagnostics to stderr;
 * returns 0 (fine) or 2. */
int ui_lecture_check(const char *lecture_path);

/* Benchmark (bench/draw_bench.c): renders `frames` frames of the app at
 * step `step` of `path` offscreen at w x h (the software renderer, as
 * `shot`), the pointer moving over the timeline, and stores each frame's
 * milliseconds (ui_frame + drawing) in ms[] and of ui_frame alone (the
 * panels' work: layout, level of detail, the draw list) in ms_ui[].
 * Returns 0, or 2 with err. */
int ui_bench_draw(const char *path, uint32_t step, int w, int h, int frames, double *ms, double *ms_ui,
                  char *err, size_t errn);

/* The four entry points above as the app module (build/loopscope-app.so,
 * see src/appmod.c) exports them: main.c loads the module and calls through
 * this table only for the commands that draw. */
typedef struct UiEntry {
    int (*app_main)(const char *path);
    int (*shot)(const char *path, uint32_t step, int w, int h, const char *out_png, char *err,
                size_t errn);
    int (*lecture_handouts)(const char *lecture_path, const char *png_dir, const char *pdf, int w,
                            int h, char *err, size_t errn);
    int (*lecture_check)(const char *lecture_path);
} UiEntry;
extern const UiEntry ui_entry; /* defined in app.c */

/* The built-in default scenario (the seed tutorial's two tasks), identical
 * to scenarios/default.json. */
extern const char ui_default_scenario[];

/* ---- input ------------------------------------------------------------------ */

typedef enum UiKeyCode {
    UK_NONE = 0,
    UK_CHAR,       /* a printable key; see UiKey.ch (lower case ASCII or digit) */
    UK_SPACE, UK_LEFT, UK_RIGHT, UK_UP, UK_DOWN, UK_HOME, UK_END, UK_PAGEUP, UK_PAGEDOWN,
    UK_PLUS, UK_MINUS, UK_ESCAPE, UK_ENTER, UK_BACKSPACE, UK_TAB, UK_F1, UK_F5, UK_HELP
} UiKeyCode;

enum { UI_MOD_SHIFT = 1, UI_MOD_CTRL = 2, UI_MOD_ALT = 4 };
enum { UI_MOUSE_LEFT = 1, UI_MOUSE_RIGHT = 2, UI_MOUSE_MIDDLE = 4 };

typedef struct UiKey {
    uint8_t code; /* UiKeyCode */
    uint8_t mods;
    char ch;      /* UK_CHAR */
} UiKey;

#define UI_MAX_KEYS 32

typedef struct UiInput {
    int w, h;            /* drawable size in pixels */
    float dpr;           /* pixels per window point (HiDPI); 1 offscreen */
    uint32_t time_ms;    /* monotonic time, for animations */
    int mx, my;          /* mouse position in pixels */
    bool mouse_in;       /* the mouse is over the window */
    uint8_t down;        /* buttons held (UI_MOUSE_*) */
    uint8_t pressed;     /* buttons pressed this frame */
    uint8_t released;    /* buttons released this frame */
    uint8_t mods;        /* modifiers held */
    float wheel_x, wheel_y; /* wheel steps this frame (y > 0: away from the user) */
    UiKey keys[UI_MAX_KEYS];
    int nkeys;
    char text[128];      /* text typed this frame (UTF-8), for the open prompt */
    char drop[1024];     /* a file dropped on the window this frame, or "" */
} UiInput;

/* ---- what the app asks for ---------------------------------------------------- */

typedef enum IntentKind {
    INTENT_NONE = 0,
    INTENT_SEEK,        /* n: go to "after n steps" */
    INTENT_PLAY_TOGGLE,
    INTENT_PAUSE,
    INTENT_SPEED,       /* delta: +1 faster, -1 slower */
    INTENT_RESTART,     /* back to step 0 */
    INTENT_OPEN,        /* path */
    INTENT_RELOAD,
    INTENT_QUIT,
    INTENT_EXPORT,      /* write the trace, the SVG timeline and a PNG of this frame */
    /* lecture mode */
    INTENT_LEC_NEXT,    /* the clicker's "next": reveal, run to the next stop, claim, next slide */
    INTENT_LEC_PREV,    /* previous slide */
    INTENT_LEC_ANSWER,  /* n: the student's pick (0-based) for the question at this stop */
    INTENT_LEC_ZOOM,    /* delta: presenter fonts larger (+1) / smaller (-1) */
    INTENT_LEC_CLAIM    /* jump to where the real order was decided */
} IntentKind;

typedef struct Intent {
    IntentKind kind;
    uint32_t n;
    int delta;
    const char *path;   /* INTENT_OPEN: valid until the next ui_frame */
} Intent;

#define UI_MAX_INTENTS 16

typedef struct UiIntents {
    Intent items[UI_MAX_INTENTS];
    int n;
} UiIntents;

/* ---- the read-only view ----------------------------------------------------- */

/* Lecture mode: what the narration panel and the timeline's stop marks read
 * (app.c fills it from the Lecture and the slide's plan). */
typedef struct UiLecture {
    const char *title;          /* the lecture's title */
    uint32_t slide, nslides;    /* 0-based current slide */
    const char *slide_title;
    const char *narration;      /* paragraphs ("\n\n"), `code` and *emphasis* */
    const uint32_t *stop_pos;   /* cursor position of each stop of the slide */
    uint32_t nstops;
    int at_stop;                /* the stop the cursor is at, or -1 */
    const char *say;            /* that stop's sentence, or NULL */
    /* the question at this stop (question != 0) */
    uint8_t question;           /* LecQuestion (lecture.h): 1 next_callback, 2 next_print */
    const char *const *choices; /* next_print: the choices */
    const uint32_t *ready;      /* next_callback: the handles offered (ready queue) */
    uint32_t nchoices;
    int picked;                 /* the student's pick, or -1 */
    bool revealed;
    int answer;                 /* the right choice */
    const char *rule;           /* the sentence a wrong answer names */
    uint32_t asked, right;      /* the score so far */
    /* a claimed output */
    const char *const *claim;
    uint32_t nclaim;
    const char *claim_by;
    int claim_diff;             /* first differing line, -1 when none */
    bool claim_revealed;
    uint32_t claim_pos;         /* where the real order was decided */
    uint32_t claim_line_step;   /* the step that really printed the claimed line, or SIM_NONE */
    uint32_t claim_pick_step;   /* the pick of its callback, or SIM_NONE */
    uint32_t claim_queued_step; /* where that callback was queued, or SIM_NONE */
    const char *claim_rule;
    float zoom;                 /* presenter font zoom (1 = normal) */
    bool last;                  /* nothing comes after this point (end of the lecture) */
} UiLecture;

typedef struct UiView {
    const Sim *sim;           /* NULL when no scenario could be loaded */
    const Recording *rec;
    const Program *prog;
    const UiModel *model;
    const char *file_label;   /* the path shown, or "built-in default scenario" */
    /* diagnostics of the file as it is on disk, when it does not load */
    const char *const *diags;
    uint32_t ndiags;
    const char *banner;       /* why the file on disk was refused, or NULL */
    bool playing;
    double speed;             /* steps per second */
    bool watching;            /* the file is polled for changes */
    const char *notice;       /* a short transient message ("reloaded"), or NULL */
    bool still;               /* a still frame (shot): no animation, no clicks */
    const UiLecture *lecture; /* lecture mode, or NULL */
    uint32_t doc_gen;         /* changes whenever a new document is shown */
} UiView;

/* ---- the UI's own state ---------------------------------------------------- */

#define UI_ANIM_MAX 64

typedef enum SelKind { SEL_NONE, SEL_HANDLE, SEL_STEP } SelKind;

typedef struct UiState {
    /* timeline */
    uint8_t axis;             /* AxisMode */
    double view0, view1;      /* visible fraction of the axis [0, 1] */
    float lane_scroll;        /* first visible lane (fractional) */
    bool follow;              /* keep the cursor in view while playing */
    /* scrolling panels */
    float src_scroll, ready_scroll, wait_scroll, console_scroll, why_scroll, narr_scroll;
    bool src_follow, console_follow;
    /* mouse capture */
    int drag_panel;           /* PanelId holding the drag, or 0 */
    int drag_x0, drag_y0;
    double drag_view0, drag_view1;
    float drag_lane0;
    bool dragged;             /* moved beyond the click threshold */
    int press_panel;
    /* selection: "Why is this here?" */
    uint8_t sel_kind;         /* SelKind */
    uint32_t sel_id;          /* handle id or step index */
    /* overlays */
    bool help, show_diags, prompt;
    char prompt_buf[1024];
    /* "/": show only the tasks whose name contains this (ready queue, waiting set) */
    bool filter_edit;
    char filter[64];
    uint8_t stage_pick;       /* stage chosen with 1-7, for N/P */
    /* ready-queue animation: what was in the queue last frame */
    uint32_t anim_ids[UI_ANIM_MAX];
    uint32_t anim_t[UI_ANIM_MAX];   /* time it entered */
    int16_t anim_from[UI_ANIM_MAX]; /* its row before the last move, -1 if new */
    int anim_n;
    uint32_t anim_move_t;           /* time of the last one-step move */
    uint32_t anim_pos;        /* the cursor the animation state belongs to */
    const void *anim_rec;     /* the recording it belongs to */
    uint32_t last_pos;
    const void *last_rec;
    /* every task's state at a cursor, kept while the cursor stays (many
     * tasks; see ui__task_state): owned, released by ui_state_free */
    void *tcache;
    uint32_t tcache_n, tcache_pos, tcache_gen;
    const void *tcache_rec;
    /* the timeline's boundary at each pixel column edge, worked out once a
     * frame for every lane (panel_timeline.c): owned, released by
     * ui_state_free */
    uint32_t *colk;
    int colk_cap;
    /* the why-chain's "N earlier steps left out", counted once per
     * selection (up to 100,000 hops back), not every frame (why__build) */
    const void *why_rec;
    uint32_t why_gen, why_nsteps, why_sel_id, why_more;
    uint8_t why_sel_kind;
} UiState;

/* Sets a fresh UI state. */
void ui_state_init(UiState *st);
/* Releases what the state owns (a cache); it can be initialised again. */
void ui_state_free(UiState *st);

/* Builds one frame: reads view and input, updates st, fills dl (which it
 * resets to the input's size) and out (which it empties first). */
void ui_frame(UiState *st, const UiView *v, const UiInput *in, DrawList *dl, UiIntents *out);

#endif
