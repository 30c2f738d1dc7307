/* theme.c -- the palette and the scaled sizes.
 *
 * A dark theme with one hue per task state, chosen so the four states of a
 * lane stay apart for common colour-vision deficiencies: running is green,
 * ready-but-not-picked amber, waiting a family of blues/purples by kind, and
 * a blocked loop is red with stripes (never only a hue). Sizes are base
 * pixel values at scale 1 multiplied by the scale, rounded, never below 1.
 *
 * Depends on: theme.h.  Used by: every panel.
 */
#include <math.h>

#include "theme.h"

static Color rgb(unsigned v)
{
    Color c = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v, 255};
    return c;
}

static Color rgba(unsigned v, uint8_t a)
{
    Color c = rgb(v);
    c.a = a;
    return c;
}

int theme_px(const Theme *th, float base)
{
    int v = (int)lroundf(base * th->scale);
    return v < 1 ? 1 : v;
}

Theme theme_make(float scale)
{
    Theme t;
    if (!(scale > 0.5f))
        scale = 0.5f;
    if (scale > 6.0f)
        scale = 6.0f;
    t.scale = scale;
    t.fs = theme_px(&t, 13);
    t.fs_small = theme_px(&t, 11.5f);
    t.fs_title = theme_px(&t, 14.5f);
    t.fs_mono = theme_px(&t, 13);
    t.fs_big = theme_px(&t, 16);
    t.pad = theme_px(&t, 8);
    t.gap = theme_px(&t, 6);
    t.row_h = theme_px(&t, 20);
    t.mono_row_h = theme_px(&t, 17);
    t.small_row_h = theme_px(&t, 16);
    t.header_h = theme_px(&t, 24);
    t.lane_h = theme_px(&t, 22);
    t.border = theme_px(&t, 1);
    t.radius = theme_px(&t, 3);

    t.bg = rgb(0x111318);
    t.panel = rgb(0x1a1d24);
    t.panel_alt = rgb(0x20242d);
    t.header = rgb(0x252a35);
    t.border_c = rgb(0x343a48);
    t.shadow = rgba(0x000000, 140);
    t.text = rgb(0xe8eaf0);
    t.text_dim = rgb(0xa4acbb);
    t.text_faint = rgb(0x6f788a);
    t.accent = rgb(0x5aa9ff);
    t.accent_dim = rgba(0x5aa9ff, 70);
    t.hover = rgba(0xffffff, 22);
    t.select = rgba(0x5aa9ff, 55);

    t.running = rgb(0x3fcf8e);
    t.ready = rgb(0xf5c04a);
    t.blocked = rgb(0xe5484d);
    t.blocked_stripe = rgb(0x7a1d22);
    t.done = rgb(0xa4acbb);
    t.failed = rgb(0xff5d6c);
    t.cancelled = rgb(0xf08c3c);
    t.print = rgb(0xf2f4f8);
    t.created = rgb(0x7fd1ff);
    for (int i = 0; i < WAIT__COUNT; i++)
        t.wait[i] = rgb(0x4f6fb0);
    t.wait[WAIT_NONE] = rgb(0x4f6fb0);
    t.wait[WAIT_TIMER] = rgb(0x4a78d6);
    t.wait[WAIT_IO] = rgb(0x8c64d8);
    t.wait[WAIT_TASK] = rgb(0x2f9fb3);
    t.wait[WAIT_GATHER] = rgb(0x2b8a9e);
    t.wait[WAIT_WAIT_FOR] = rgb(0x5e83b8);
    t.wait[WAIT_SHIELD] = rgb(0x3f9a86);
    t.wait[WAIT_AS_COMPLETED] = rgb(0x4b8fa8);
    t.wait[WAIT_EVENT] = rgb(0xc46aa8);
    t.wait[WAIT_LOCK] = rgb(0xb0608a);
    t.wait[WAIT_QUEUE_GET] = rgb(0x7b6fc4);
    t.wait[WAIT_QUEUE_PUT] = rgb(0x6a5fb0);
    t.wait[WAIT_QUEUE_JOIN] = rgb(0x5d55a0);
    t.wait[WAIT_GROUP] = rgb(0x2c7d8f);
    t.wait[WAIT_READY] = t.ready;

    t.cursor = rgb(0xffffff);
    t.chain = rgb(0xff9f1c);
    t.error = rgb(0xff5d6c);
    t.warning = rgb(0xf5c04a);
    t.ok = rgb(0x3fcf8e);
    t.future_veil = rgba(0x111318, 150);
    t.tooltip_bg = rgb(0x2c3240);
    return t;
}

Color theme_task_color(uint32_t i)
{
    static const unsigned pal[] = {0x5aa9ff, 0xf5a35a, 0x6ed69a, 0xe87ab8, 0xc2a4ff, 0x58d6d0,
                                   0xe8d35a, 0xff7f7f, 0x9fc35a, 0x7f9fff, 0xd6a07a, 0xb4e0f0};
    return rgb(pal[i % (sizeof pal / sizeof pal[0])]);
}

Color theme_span_color(const Theme *th, int state, int wait)
{
    switch (state) {
    case SPAN_RUNNING: return th->running;
    case SPAN_READY: return th->ready;
    case SPAN_BLOCKED: return th->blocked;
    default: return wait >= 0 && wait < WAIT__COUNT ? th->wait[wait] : th->wait[WAIT_NONE];
    }
}
