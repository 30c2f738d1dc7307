/* model.h -- indexes over a finished Recording that the panels need to be fast.
 *
 * The Recording is immutable once the run is over; the app builds one
 * UiModel per loaded scenario. It holds nothing the Recording does not
 * already say, only regrouped: spans per task sorted by step (so a lane can
 * binary-search the part on screen), the loop-blocked spans, console lines
 * per task, the first step of every iteration, per-task totals, and the
 * scenario's Python text split into lines. Never any state at the cursor:
 * that is read from the Sim every frame.
 *
 * The timeline's x axis is "u": u(k) = w_step * k + w_time * T(k), where k
 * is a step boundary (the state after k steps) and T(k) its virtual time.
 * With both weights non-zero (the hybrid axis) zero-duration steps keep a
 * width and waits keep their proportion; the time and steps axes set one
 * weight to (almost) zero.
 *
 * Ownership: model_build copies what it keeps (the source text and line
 * maps); the Recording and Program must outlive the model. model_free
 * releases everything and accepts a zeroed model.
 *
 * Depends on: core.h.  Used by: app.c, ui.c, panel_*.c, tests.
 */
#ifndef LOOPSCOPE_MODEL_H
#define LOOPSCOPE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

/* Totals of one task's life per state: [SPAN_RUNNING, SPAN_READY,
 * SPAN_WAITING, SPAN_BLOCKED]. Blocked time is time the task was ready or
 * waiting while a blocking call froze the loop. */
typedef struct TaskTotals {
    VTime t[4];
    uint32_t iters[4];
} TaskTotals;

/* A span of one task's lane: its state over the boundaries [s0, s1). The
 * task is the lane's, and its times are those of its steps (model_time_at),
 * so a lane span takes 12 bytes instead of a Span's 32: 100,000 tasks make
 * about 1.4 million of them. */
typedef struct LaneSpan {
    uint32_t s0, s1;
    uint8_t state;         /* SpanState (never SPAN_BLOCKED) */
    uint8_t wait;          /* WaitKind for SPAN_WAITING */
} LaneSpan;

/* What a run of lane spans held: steps and virtual time spent running
 * ([0], SPAN_RUNNING) and ready ([1], SPAN_READY); the rest was waiting. */
typedef struct LaneCover {
    uint64_t steps[2];
    VTime t[2];
} LaneCover;
#define LANE_COVER_EVERY 16  /* spans between two stored LaneCovers */

typedef enum AxisMode { AXIS_HYBRID, AXIS_TIME, AXIS_STEPS, AXIS__COUNT } AxisMode;

typedef struct UiModel {
    const Recording *rec;
    const Program *prog;
    uint32_t ntasks;
    uint32_t *lane_first;  /* ntasks + 1 offsets into lane_spans */
    LaneSpan *lane_spans;  /* RUNNING/READY/WAITING spans by task, sorted by s0 */
    LaneCover *cover;      /* lane_spans[0, i * LANE_COVER_EVERY), all lanes end to
                            * end (model_lane_cover) */
    Span *blocked;         /* BLOCKED spans sorted by s0 */
    uint32_t nblocked;
    uint32_t *line_first;  /* ntasks + 1 offsets into line_idx */
    uint32_t *line_idx;    /* console line indices, grouped by task */
    uint32_t *con_ent;     /* the console's entries in step order: printed line
                            * i, or asyncio's log j as CON_LOG | j (Recording.logs) */
    uint32_t *con_row;     /* ncon + 1: the first console row of each entry (a
                            * text with newlines fills several rows) */
    uint32_t ncon;
    TaskTotals *totals;    /* per task */
    uint32_t *iter_step;   /* first step of iteration i, i = 0..niters+1 */
    uint32_t *iter_pick;   /* first PICK step of iteration i, or SIM_NONE */
    uint32_t *picks;       /* every PICK step, ascending */
    uint32_t *pick_end;    /* for each: the first step after it that ends its
                            * callback (suspend, task end, skip, timer due, poll,
                            * iteration end), or nsteps */
    uint32_t npicks;
    uint32_t niters;
    VTime t_end;           /* time at the last boundary */
    /* the scenario as Python */
    char *src;             /* NUL-terminated, or NULL */
    uint32_t *src_line;    /* byte offset of each line start */
    uint32_t nsrc_lines;
    uint32_t *stmt_line;   /* 1-based line of each statement, 0 = unknown */
    uint32_t nstmt;
} UiModel;

/* Builds the indexes for a finished recording. `src` (may be NULL) is the
 * Python text; stmt_line (may be NULL) maps statement ids to 1-based lines
 * and has prog->nstmts entries. `at_end` (may be NULL) is the Sim positioned
 * at the end of the run: tasks still pending there get their last span
 * closed with the state it reports. Returns false when out of memory (the
 * model is then freed and zeroed). */
bool model_build(UiModel *m, const Recording *r, const Program *p, const char *src,
                 const uint32_t *stmt_line, const Sim *at_end);
void model_free(UiModel *m);

/* The virtual time at step boundary k (0..nsteps). */
VTime model_time_at(const UiModel *m, uint32_t k);
/* The step boundary of the first step of iteration `iter` (clamped). */
uint32_t model_iter_start(const UiModel *m, uint32_t iter);
/* The first PICK step of iteration `iter`, or SIM_NONE. */
uint32_t model_iter_first_pick(const UiModel *m, uint32_t iter);
/* The PICK step whose callback is still running after step k (no step
 * that ends a callback came between), or SIM_NONE: O(log picks). */
uint32_t model_running_pick(const UiModel *m, uint32_t k);
/* The iteration step k belongs to: O(log iterations). */
uint32_t model_iter_of(const UiModel *m, uint32_t k);

/* ---- the timeline axis ------------------------------------------------- */

typedef struct Axis {
    AxisMode mode;
    double w_step;   /* u per step */
    double w_time;   /* u per nanosecond */
    double u_total;  /* u at the last boundary */
} Axis;

Axis model_axis(const UiModel *m, AxisMode mode);
double model_axis_u(const Axis *a, const UiModel *m, uint32_t k);
double model_axis_u_at(const Axis *a, uint32_t k, VTime t);
/* The last boundary k with u(k) <= u (0 when u is before the start). */
uint32_t model_axis_boundary_at(const Axis *a, const UiModel *m, double u);

/* Spans of task `t`: *n receives the count. */
const LaneSpan *model_lane(const UiModel *m, uint32_t t, uint32_t *n);
/* What lane t's spans [0, i) held, plus what every lane before it held:
 * only the difference of two covers of one lane means anything. O(16):
 * the timeline's level of detail asks it at each pixel column's edge. */
void model_lane_cover(const UiModel *m, uint32_t t, uint32_t i, LaneCover *c);
/* The first of a lane's spans sp[from..n) with s1 > k, n when none: the
 * span covering boundary k when the lane has one there. O(log distance). */
uint32_t model_lane_past(const LaneSpan *sp, uint32_t n, uint32_t from, uint32_t k);
/* The lane span of task t covering boundary k, or NULL. */
const LaneSpan *model_span_at(const UiModel *m, uint32_t t, uint32_t k);

/* The step index that printed console line `i` (ConsoleLine.step names the
 * boundary just after it). */
uint32_t model_line_step(const UiModel *m, uint32_t i);
/* The number of console lines printed within the first `pos` steps. */
uint32_t model_lines_before(const UiModel *m, uint32_t pos);
/* The console shows the printed lines and, in their place among them,
 * asyncio's stderr messages (Recording.logs): entries. */
#define CON_LOG 0x80000000u
/* The step of entry e, the number of entries made within the first `pos`
 * steps, the rows of the first `n` entries, and the entry whose text row
 * `row` shows. */
uint32_t model_con_step(const UiModel *m, uint32_t e);
uint32_t model_con_before(const UiModel *m, uint32_t pos);
uint32_t model_con_rows(const UiModel *m, uint32_t n);
uint32_t model_con_of_row(const UiModel *m, uint32_t row);

#endif
