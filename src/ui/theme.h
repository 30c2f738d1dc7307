/* theme.h -- colours, font sizes and spacing, scaled for the window (mu_Style idea).
 *
 * One Theme value is made per frame from the UI scale (HiDPI pixel ratio
 * times a factor for large windows). Panels read every colour and size from
 * it, so no panel hard-codes a pixel size.
 *
 * Depends on: draw.h, core.h (WaitKind, SpanState).  Used by: every panel.
 */
#ifndef LOOPSCOPE_THEME_H
#define LOOPSCOPE_THEME_H

#include "core.h"
#include "draw.h"

typedef struct Theme {
    float scale;
    /* font pixel sizes */
    int fs, fs_small, fs_title, fs_mono, fs_big;
    /* spacing */
    int pad, gap, row_h, mono_row_h, small_row_h, header_h, lane_h, border, radius;
    /* surfaces */
    Color bg, panel, panel_alt, header, border_c, shadow;
    Color text, text_dim, text_faint, accent, accent_dim, hover, select;
    /* task states */
    Color running, ready, blocked, blocked_stripe, done, failed, cancelled, print, created;
    Color wait[WAIT__COUNT];
    /* everything else */
    Color cursor, chain, error, warning, ok, future_veil, tooltip_bg;
} Theme;

/* The theme at UI scale `scale` (1.0 = a 1280x800 window on a normal screen). */
Theme theme_make(float scale);
/* A distinct colour for task `i` (source markers, console stripes). */
Color theme_task_color(uint32_t i);
/* The colour of a span state (wait kind used for SPAN_WAITING). */
Color theme_span_color(const Theme *th, int state, int wait);
/* Scales a base pixel size by the theme scale (at least 1). */
int theme_px(const Theme *th, float base);

#endif
