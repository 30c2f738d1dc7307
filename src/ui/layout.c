/* layout.c -- panel geometry for a window size (see the picture in layout.h).
 *
 * Everything is proportional with minimums in theme units, so the same code
 * serves 1024x640 and 3840x2160. Invariants (checked by tests/ui): panels
 * never overlap, every shown panel lies inside the window, and the panels
 * listed in layout.h are all shown at 1280x800 and above.
 *
 * Depends on: layout.h.  Used by: ui.c, tests.
 */
#include "layout.h"

float layout_scale(int w, int h, float dpr)
{
    if (!(dpr > 0.25f))
        dpr = 1;
    float lw = (float)w / dpr, lh = (float)h / dpr;
    float f = lw / 1280.0f < lh / 800.0f ? lw / 1280.0f : lh / 800.0f;
    float s;
    if (f < 1.0f) {
        s = 0.85f + 0.15f * (f - 0.8f) / 0.2f;
        if (s < 0.8f)
            s = 0.8f;
    } else {
        s = 1.0f + (f - 1.0f) * 0.55f;
    }
    if (s > 4.0f)
        s = 4.0f;
    return s * dpr;
}

const char *layout_panel_name(PanelId p)
{
    static const char *const names[P__COUNT] = {
        [P_NONE] = "window", [P_STATUS] = "Status", [P_CLOCK] = "Clock",
        [P_BANNER] = "Banner", [P_SOURCE] = "Source", [P_READY] = "Ready queue",
        [P_WAITING] = "Waiting set", [P_STAGES] = "Seven stages", [P_CONSOLE] = "Console",
        [P_TIMELINE] = "Timeline", [P_SUMMARY] = "Per-task totals", [P_HINTS] = "Keys",
        [P_ERRORS] = "Errors", [P_NARRATION] = "Narration", [P_OVERLAY] = "Overlay",
    };
    return (unsigned)p < P__COUNT ? names[p] : "?";
}

static Rect R(int x, int y, int w, int h)
{
    Rect r = {x, y, w < 0 ? 0 : w, h < 0 ? 0 : h};
    return r;
}

static void set(Layout *L, PanelId p, Rect r)
{
    L->r[p] = r;
    L->shown[p] = r.w > 0 && r.h > 0;
}

void layout_compute(Layout *L, int w, int h, const Theme *th, bool banner, bool errors)
{
    layout_compute_ex(L, w, h, th, banner, errors, false);
}

void layout_compute_ex(Layout *L, int w, int h, const Theme *th, bool banner, bool errors,
                       bool lecture)
{
    for (int i = 0; i < P__COUNT; i++) {
        L->r[i] = R(0, 0, 0, 0);
        L->shown[i] = false;
    }
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    L->win = R(0, 0, w, h);
    L->r[P_NONE] = L->win;
    L->r[P_OVERLAY] = L->win;
    L->shown[P_OVERLAY] = true;
    int g = th->gap;

    /* top bar: status (two lines) and the clock with the transport */
    int top_h = th->pad * 2 + th->row_h + th->small_row_h;
    int clock_w = theme_px(th, 470);
    if (clock_w > w / 2)
        clock_w = w / 2;
    set(L, P_CLOCK, R(w - clock_w, 0, clock_w, top_h));
    set(L, P_STATUS, R(0, 0, w - clock_w - g, top_h));
    int y = top_h + g;

    if (banner) {
        int bh = th->row_h + th->pad;
        set(L, P_BANNER, R(g, y, w - 2 * g, bh));
        y += bh + g;
    }

    int hints_h = th->row_h + th->gap;
    set(L, P_HINTS, R(0, h - hints_h, w, hints_h));
    int bottom = h - hints_h - g;
    int full_w = w; /* the width the scenario panels share */
    if (lecture) {
        int nw = w * 31 / 100;
        if (nw < theme_px(th, 300))
            nw = theme_px(th, 300);
        if (nw > w / 2)
            nw = w / 2;
        set(L, P_NARRATION, R(w - g - nw, y, nw, bottom - y));
        w = w - g - nw;
    }
    int main_h = bottom - y;
    if (main_h < 10)
        main_h = 10;

    if (errors) {
        set(L, P_ERRORS, R(g, y, w - 2 * g, main_h));
        return;
    }

    int upper_h = main_h * 57 / 100;
    int min_tl = th->header_h + th->lane_h * 4 + th->pad;
    if (main_h - upper_h - g < min_tl)
        upper_h = main_h - g - min_tl;
    if (upper_h < main_h / 3)
        upper_h = main_h / 3;
    int tl_y = y + upper_h + g;
    int tl_h = bottom - tl_y;

    int inner = w - 4 * g;
    int src_w = inner * 36 / 100;
    int mid_w = inner * 31 / 100;
    int right_w = inner - src_w - mid_w;
    int x0 = g, x1 = x0 + src_w + g, x2 = x1 + mid_w + g;
    set(L, P_SOURCE, R(x0, y, src_w, upper_h));

    int ready_h = (upper_h - g) * 45 / 100;
    set(L, P_READY, R(x1, y, mid_w, ready_h));
    set(L, P_WAITING, R(x1, y + ready_h + g, mid_w, upper_h - ready_h - g));

    int stages_h = (upper_h - g) * 62 / 100;
    int stages_min = theme_px(th, 190);
    if (stages_h < stages_min)
        stages_h = stages_min < upper_h - g - th->header_h * 3 ? stages_min
                                                                 : upper_h - g - th->header_h * 3;
    set(L, P_STAGES, R(x2, y, right_w, stages_h));
    set(L, P_CONSOLE, R(x2, y + stages_h + g, right_w, upper_h - stages_h - g));

    /* per-task totals beside the lanes, when there is room */
    int sum_w = lecture ? 0 : theme_px(th, 300);
    if (w - 3 * g - sum_w < sum_w * 2)
        sum_w = 0;
    (void)full_w;
    if (sum_w) {
        set(L, P_TIMELINE, R(g, tl_y, w - 3 * g - sum_w, tl_h));
        set(L, P_SUMMARY, R(w - g - sum_w, tl_y, sum_w, tl_h));
    } else {
        set(L, P_TIMELINE, R(g, tl_y, w - 2 * g, tl_h));
    }
}
