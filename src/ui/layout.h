/* layout.h -- where every panel goes, for a window size. Pure geometry.
 *
 * layout_compute tiles the window into non-overlapping panel rectangles:
 *
 *   +--------------------------------------------------+------------------+
 *   | status: title + about                            | clock + controls |
 *   +--------------------------------------------------+------------------+
 *   | banner (only when a reload was refused)                             |
 *   +----------------+------------------+----------------------------------+
 *   | source         | ready queue      | seven stages                     |
 *   |                +------------------+----------------------------------+
 *   |                | waiting set      | console                          |
 *   +----------------+------------------+-------------------+--------------+
 *   | timeline (lanes)                                      | per-task sums |
 *   +-------------------------------------------------------+--------------+
 *   | key hints                                                           |
 *   +---------------------------------------------------------------------+
 *
 * With no scenario loaded (the file has errors), P_ERRORS takes the middle.
 * In lecture mode P_NARRATION takes a column on the right, from below the
 * top bar to the key hints, and the other panels share what is left.
 * Overlays (tooltip, help, "why", the open prompt) are drawn by ui.c with
 * owner P_OVERLAY over the whole window.
 *
 * Depends on: draw.h, theme.h.  Used by: ui.c, tests.
 */
#ifndef LOOPSCOPE_LAYOUT_H
#define LOOPSCOPE_LAYOUT_H

#include <stdbool.h>

#include "draw.h"
#include "theme.h"

typedef enum PanelId {
    P_NONE = 0, /* the window background */
    P_STATUS,
    P_CLOCK,
    P_BANNER,
    P_SOURCE,
    P_READY,
    P_WAITING,
    P_STAGES,
    P_CONSOLE,
    P_TIMELINE,
    P_SUMMARY,
    P_HINTS,
    P_ERRORS,
    P_NARRATION, /* lecture mode: the slide's narration, questions, claim */
    P_OVERLAY,
    P__COUNT
} PanelId;

typedef struct Layout {
    Rect win;
    Rect r[P__COUNT];   /* zero-sized when the panel is not shown */
    bool shown[P__COUNT];
} Layout;

/* Computes the panel rectangles for a w x h window. `banner` reserves the
 * banner row; `errors` replaces the scenario panels with the error panel. */
void layout_compute(Layout *L, int w, int h, const Theme *th, bool banner, bool errors);
/* The same; `lecture` gives the right third to the narration panel (and
 * drops the per-task totals). */
void layout_compute_ex(Layout *L, int w, int h, const Theme *th, bool banner, bool errors,
                       bool lecture);
/* The UI scale for a drawable of w x h pixels with pixel ratio dpr. */
float layout_scale(int w, int h, float dpr);
/* A panel's name ("Ready queue"). */
const char *layout_panel_name(PanelId p);

#endif
