/* ui_int.h -- what the files of src/ui share and nothing outside does.
 *
 * UiCtx bundles one frame's inputs and outputs so panels take a single
 * argument: the state they may change (UiState), the read-only view, the
 * input, the theme, the layout, the DrawList they draw into and the
 * intents they return. Panels are pure: same context in, same commands out.
 *
 * Depends on: ui.h, layout.h, theme.h, model.h.  Used by: panel_*.c, ui.c, nav.c.
 */
#ifndef LOOPSCOPE_UI_INT_H
#define LOOPSCOPE_UI_INT_H

#include "layout.h"
#include "model.h"
#include "theme.h"
#include "ui.h"

#define UI_CHAIN_MAX 48

/* One task's state at the cursor (see ui__task_state). */
typedef struct TaskCache {
    const LaneSpan *span;
    uint32_t stmt;     /* sim_task_now().stmt for a task alive at the cursor */
    int8_t state;
    uint8_t wait;
} TaskCache;

typedef struct UiCtx {
    UiState *st;
    const UiView *v;
    const UiInput *in;
    DrawList *dl;
    const Theme *th;
    const Layout *L;
    UiIntents *out;
    uint32_t pos;        /* the cursor: steps applied */
    uint32_t nsteps;
    bool modal;          /* an overlay owns the mouse and keyboard */
    int hover_panel;     /* the panel under the mouse (PanelId) */
    char tip[768];       /* tooltip requested this frame ("" = none) */
    Rect tip_anchor;
    /* the causal chain of the selection, oldest first (step indices) */
    uint32_t chain[UI_CHAIN_MAX];
    int nchain;
    uint32_t chain_more; /* earlier steps left out */
} UiCtx;

/* ---- shared helpers (ui.c) ----------------------------------------------- */

/* Draws a panel's frame and header; returns the body rect, with the clip
 * pushed (call ui__panel_end). `note` is right-aligned in the header. */
Rect ui__panel_begin(UiCtx *c, PanelId p, const char *title, const char *note);
void ui__panel_end(UiCtx *c);
/* The mouse is over r and no overlay or drag elsewhere is in the way. */
bool ui__hover(const UiCtx *c, Rect r);
/* A left click (press and release without a drag) landed in r. */
bool ui__clicked(const UiCtx *c, Rect r);
void ui__tooltip(UiCtx *c, Rect anchor, const char *text);
void ui__intent(UiCtx *c, IntentKind k, uint32_t n, int delta, const char *path);
void ui__seek(UiCtx *c, uint32_t n);
/* Vertical wheel steps over r (0 when the mouse is elsewhere). */
float ui__wheel(const UiCtx *c, Rect r);
/* A task's display name. */
const char *ui__task_name(const UiCtx *c, uint32_t t);
/* Whether task t passes the "/" filter (case-insensitive substring of its
 * name; an empty filter passes everything; SIM_NONE passes only no filter). */
bool ui__task_match(const UiCtx *c, uint32_t t);
/* Formats seconds: "1.000 s". */
void ui__secs(VTime t, char *buf, size_t n);
/* Draws a small filled, rounded-looking chip (rect with a border). */
void ui__chip(UiCtx *c, Rect r, Color fill, Color border);
/* A vertical scrollbar for `total` rows of which `visible` show from `first`. */
void ui__scrollbar(UiCtx *c, Rect track, float first, float visible, float total);
/* The state of task t at the cursor, from the recorded spans (exact at
 * every step): TS_NOT_YET, TS_DONE, or a SpanState; *wait gets the WaitKind
 * and *span the span (either may be NULL). */
enum { TS_NOT_YET = -1, TS_DONE = -2 };
int ui__task_state(const UiCtx *c, uint32_t t, uint8_t *wait, const LaneSpan **span);
/* The statement task t is at (sim_task_now().stmt), cached like the state. */
uint32_t ui__task_stmt(const UiCtx *c, uint32_t t);
/* The whole cache at the cursor (one entry per task), for loops over every
 * task; NULL with few tasks (then ask ui__task_state). */
const TaskCache *ui__task_cache(const UiCtx *c);
/* The task running at the cursor, or SIM_NONE. */
uint32_t ui__running_task(const UiCtx *c);
/* Whether handle h is in the ready queue at the cursor, as narrated. */
bool ui__handle_queued(const UiCtx *c, uint32_t h);
/* Selects an item for "Why is this here?" (SEL_HANDLE / SEL_STEP). */
void ui__select(UiCtx *c, SelKind k, uint32_t id);
/* The label of a wait: "timer (due t=2.000, 1.000 s left)". */
void ui__describe_wait(const UiCtx *c, const TaskNow *tn, char *buf, size_t n,
                       char *detail, size_t dn);

/* ---- the causal chain (why.c) -------------------------------------------- */

/* Fills c->chain with the steps that led to the selection, oldest first. */
void why__build(UiCtx *c);
/* The step that put handle h into the ready queue (or created it). */
uint32_t why__handle_step(const Recording *r, uint32_t h);
/* Words for one link of the chain. */
void why__describe(const UiCtx *c, uint32_t step, char *buf, size_t n);

/* ---- the scenario as Python (source.c) ----------------------------------- */

/* The Python text of p and the 1-based line of each statement (both
 * malloc'd, the caller frees them; NULL when the exporter is not there). */
bool source__python(const Program *p, char **src, uint32_t **stmt_line);

/* ---- navigation targets (nav.c) ------------------------------------------ */

uint32_t nav__next_iter(const UiModel *m, uint32_t pos);
uint32_t nav__prev_iter(const UiModel *m, uint32_t pos);
/* Next/previous step of `stage` after/before the cursor; returns the seek
 * target (the boundary just after that step) or pos when there is none. */
uint32_t nav__next_stage(const UiModel *m, uint32_t pos, int stage);
uint32_t nav__prev_stage(const UiModel *m, uint32_t pos, int stage);
/* The stage of the step just applied (0 before the first). */
int nav__stage_at(const Recording *r, uint32_t pos);

/* ---- panels (panel_*.c) -------------------------------------------------- */

void panel_status_draw(UiCtx *c);
void panel_clock_draw(UiCtx *c);
void panel_banner_draw(UiCtx *c);
void panel_hints_draw(UiCtx *c);
void panel_source_draw(UiCtx *c);
void panel_ready_draw(UiCtx *c);
void panel_waiting_draw(UiCtx *c);
void panel_stages_draw(UiCtx *c);
void panel_console_draw(UiCtx *c);
void panel_timeline_draw(UiCtx *c);
void panel_summary_draw(UiCtx *c);
void panel_errors_draw(UiCtx *c);
void panel_narration_draw(UiCtx *c); /* lecture mode */
/* overlays */
void panel_why_draw(UiCtx *c);
void panel_help_draw(UiCtx *c);
void panel_prompt_draw(UiCtx *c);
void panel_diags_draw(UiCtx *c);

/* Timeline geometry shared with the overlays (panel_timeline.c). */
typedef struct TlGeom {
    Rect lanes;          /* the area where lanes are drawn */
    Rect axis;           /* the axis strip above them */
    Axis ax;
    double u0, u1;       /* visible u range */
    int label_w;
    int lane_h;
    uint32_t first_lane; /* first visible lane */
    float lane_off;      /* pixel offset of the first lane */
    /* while lanes are drawn: the boundary at the left edge of pixel column
     * lanes.x + i, for i in [0, ncolk), UINT32_MAX until first asked for
     * (else NULL: worked out each time) */
    uint32_t *colk;
    int ncolk;
} TlGeom;
void panel_timeline_geom(const UiCtx *c, TlGeom *g);
int panel_timeline__x(const TlGeom *g, double u);
/* The y centre of a task's lane, or -1 when it is scrolled away. */
int panel_timeline__lane_y(const TlGeom *g, uint32_t task);

#endif
