/* draw.c -- the DrawList: append-only command buffer, clip stack, text helpers.
 *
 * The list is rebuilt from scratch every frame (immediate mode). It keeps
 * its buffers between frames so a steady-state frame allocates nothing.
 * Invariants: the clip stack is never empty after draw_reset (its bottom is
 * the whole window); every recorded command carries the clip active when it
 * was recorded; a command wholly outside that clip is dropped here, so the
 * renderer and the tests only ever see visible commands.
 *
 * Text helpers (fit with an ellipsis, right-align, word wrap) live here
 * because every panel needs them and they only need the TextMeasure.
 * UTF-8 is never cut inside a character.
 *
 * Depends on: draw.h.  Used by: every panel, render_sdl.c, tests.
 */
#include <stdlib.h>
#include <string.h>

#include "draw.h"

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* U+2026 */

void draw_init(DrawList *dl, TextMeasure m)
{
    memset(dl, 0, sizeof *dl);
    dl->m = m;
    draw_reset(dl, 1, 1);
}

void draw_deinit(DrawList *dl)
{
    free(dl->cmds);
    free(dl->text);
    TextMeasure m = dl->m;
    memset(dl, 0, sizeof *dl);
    dl->m = m;
}

void draw_reset(DrawList *dl, int w, int h)
{
    dl->n = 0;
    dl->ntext = 0;
    dl->nclip = 1;
    dl->clip[0] = (Rect){0, 0, w, h};
    dl->owner = 0;
    dl->oom = false;
}

void draw_owner(DrawList *dl, int owner) { dl->owner = (uint8_t)owner; }

/* ---- geometry ---------------------------------------------------------- */

bool draw_rect_contains(Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

Rect draw_rect_intersect(Rect a, Rect b)
{
    int x0 = a.x > b.x ? a.x : b.x;
    int y0 = a.y > b.y ? a.y : b.y;
    int x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
    Rect r = {x0, y0, x1 - x0, y1 - y0};
    if (r.w < 0)
        r.w = 0;
    if (r.h < 0)
        r.h = 0;
    return r;
}

bool draw_rect_inside(Rect inner, Rect outer)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

Rect draw_rect_inset(Rect r, int d)
{
    Rect o = {r.x + d, r.y + d, r.w - 2 * d, r.h - 2 * d};
    if (o.w < 0)
        o.w = 0;
    if (o.h < 0)
        o.h = 0;
    return o;
}

Color draw_color_alpha(Color c, uint8_t a)
{
    c.a = (uint8_t)((unsigned)c.a * a / 255u);
    return c;
}

Color draw_color_mix(Color a, Color b, float t)
{
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    Color c;
    c.r = (uint8_t)(a.r + (b.r - a.r) * t);
    c.g = (uint8_t)(a.g + (b.g - a.g) * t);
    c.b = (uint8_t)(a.b + (b.b - a.b) * t);
    c.a = (uint8_t)(a.a + (b.a - a.a) * t);
    return c;
}

/* ---- clip stack ----------------------------------------------------------- */

Rect draw_clip_now(const DrawList *dl) { return dl->clip[dl->nclip - 1]; }

static DrawCmd *push(DrawList *dl)
{
    if (dl->n == dl->cap) {
        uint32_t ncap = dl->cap ? dl->cap * 2 : 1024;
        DrawCmd *nc = realloc(dl->cmds, (size_t)ncap * sizeof *nc);
        if (!nc) {
            dl->oom = true;
            return NULL;
        }
        dl->cmds = nc;
        dl->cap = ncap;
    }
    DrawCmd *c = &dl->cmds[dl->n++];
    memset(c, 0, sizeof *c);
    c->owner = dl->owner;
    c->clip = draw_clip_now(dl);
    return c;
}

static void emit_clip(DrawList *dl)
{
    DrawCmd *c = push(dl);
    if (!c)
        return;
    c->kind = CMD_CLIP;
    Rect r = draw_clip_now(dl);
    c->x = r.x;
    c->y = r.y;
    c->w = r.w;
    c->h = r.h;
}

void draw_clip_push(DrawList *dl, Rect r)
{
    if (dl->nclip >= DRAW_CLIP_DEPTH) {
        dl->oom = true; /* too deep: keep clipping to the current rect */
        return;
    }
    dl->clip[dl->nclip] = draw_rect_intersect(draw_clip_now(dl), r);
    dl->nclip++;
    emit_clip(dl);
}

void draw_clip_pop(DrawList *dl)
{
    if (dl->nclip > 1)
        dl->nclip--;
    emit_clip(dl);
}

static bool visible(const DrawList *dl, int x, int y, int w, int h)
{
    Rect c = draw_clip_now(dl);
    if (c.w <= 0 || c.h <= 0)
        return false;
    return x < c.x + c.w && y < c.y + c.h && x + w > c.x && y + h > c.y;
}

/* ---- shapes ------------------------------------------------------------- */

void draw_rect(DrawList *dl, Rect r, Color c)
{
    if (r.w <= 0 || r.h <= 0 || c.a == 0 || !visible(dl, r.x, r.y, r.w, r.h))
        return;
    DrawCmd *k = push(dl);
    if (!k)
        return;
    k->kind = CMD_RECT;
    k->color = c;
    k->x = r.x;
    k->y = r.y;
    k->w = r.w;
    k->h = r.h;
}

void draw_frame(DrawList *dl, Rect r, Color c, int thick)
{
    if (r.w <= 0 || r.h <= 0 || c.a == 0 || !visible(dl, r.x, r.y, r.w, r.h))
        return;
    DrawCmd *k = push(dl);
    if (!k)
        return;
    k->kind = CMD_FRAME;
    k->color = c;
    k->x = r.x;
    k->y = r.y;
    k->w = r.w;
    k->h = r.h;
    k->thick = (uint8_t)(thick < 1 ? 1 : thick > 255 ? 255 : thick);
}

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

void draw_line(DrawList *dl, int x0, int y0, int x1, int y1, int thick, Color c)
{
    int t = thick < 1 ? 1 : thick;
    int bx = imin(x0, x1) - t, by = imin(y0, y1) - t;
    if (c.a == 0 || !visible(dl, bx, by, imax(x0, x1) + t - bx + 1, imax(y0, y1) + t - by + 1))
        return;
    DrawCmd *k = push(dl);
    if (!k)
        return;
    k->kind = CMD_LINE;
    k->color = c;
    k->x = x0;
    k->y = y0;
    k->x2 = x1;
    k->y2 = y1;
    k->thick = (uint8_t)(t > 255 ? 255 : t);
}

void draw_tri(DrawList *dl, int x0, int y0, int x1, int y1, int x2, int y2, Color c)
{
    int bx = imin(x0, imin(x1, x2)), by = imin(y0, imin(y1, y2));
    int ex = imax(x0, imax(x1, x2)), ey = imax(y0, imax(y1, y2));
    if (c.a == 0 || !visible(dl, bx, by, ex - bx + 1, ey - by + 1))
        return;
    DrawCmd *k = push(dl);
    if (!k)
        return;
    k->kind = CMD_TRI;
    k->color = c;
    k->x = x0;
    k->y = y0;
    k->x2 = x1;
    k->y2 = y1;
    k->x3 = x2;
    k->y3 = y2;
}

/* ---- text ------------------------------------------------------------------ */

int draw_text_widthn(const DrawList *dl, int font, int size, const char *s, size_t len)
{
    if (!s || len == 0 || !dl->m.width)
        return 0;
    return dl->m.width(dl->m.ud, font, size, s, len);
}

int draw_text_width(const DrawList *dl, int font, int size, const char *s)
{
    return s ? draw_text_widthn(dl, font, size, s, strlen(s)) : 0;
}

int draw_text_height(const DrawList *dl, int font, int size)
{
    return dl->m.height ? dl->m.height(dl->m.ud, font, size) : size;
}

int draw_textn(DrawList *dl, int font, int size, int x, int y, Color c, const char *s, size_t len)
{
    if (!s || len == 0)
        return 0;
    int w = draw_text_widthn(dl, font, size, s, len);
    int h = draw_text_height(dl, font, size);
    if (c.a == 0 || !visible(dl, x, y, w, h))
        return w;
    if ((uint64_t)dl->ntext + len + 1 > UINT32_MAX) {
        dl->oom = true;
        return w;
    }
    if (dl->ntext + len + 1 > dl->text_cap) {
        uint32_t ncap = dl->text_cap ? dl->text_cap : 16384;
        while (ncap < dl->ntext + len + 1)
            ncap *= 2;
        char *nt = realloc(dl->text, ncap);
        if (!nt) {
            dl->oom = true;
            return w;
        }
        dl->text = nt;
        dl->text_cap = ncap;
    }
    DrawCmd *k = push(dl);
    if (!k)
        return w;
    memcpy(dl->text + dl->ntext, s, len);
    dl->text[dl->ntext + len] = '\0';
    k->kind = CMD_TEXT;
    k->font = (uint8_t)font;
    k->size = (int16_t)size;
    k->color = c;
    k->x = x;
    k->y = y;
    k->w = w;
    k->h = h;
    k->text = dl->ntext;
    k->len = (uint32_t)len;
    dl->ntext += (uint32_t)len + 1;
    return w;
}

int draw_text(DrawList *dl, int font, int size, int x, int y, Color c, const char *s)
{
    return s ? draw_textn(dl, font, size, x, y, c, s, strlen(s)) : 0;
}

/* The byte length of the UTF-8 prefix of s with at most `len` bytes that
 * does not cut a character. */
static size_t utf8_floor(const char *s, size_t len)
{
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

size_t draw_fit_bytes(const DrawList *dl, int font, int size, const char *s, size_t len, int maxw)
{
    if (maxw <= 0)
        return 0;
    if (draw_text_widthn(dl, font, size, s, len) <= maxw)
        return len;
    size_t lo = 0, hi = len; /* lo fits, hi does not */
    while (hi - lo > 1) {
        size_t mid = utf8_floor(s, (lo + hi) / 2);
        if (mid <= lo) {
            /* step to the next character boundary after lo */
            mid = lo + 1;
            while (mid < hi && ((unsigned char)s[mid] & 0xC0) == 0x80)
                mid++;
            if (mid >= hi)
                break;
        }
        if (draw_text_widthn(dl, font, size, s, mid) <= maxw)
            lo = mid;
        else
            hi = mid;
    }
    return utf8_floor(s, lo);
}

int draw_text_fit(DrawList *dl, int font, int size, int x, int y, int maxw, Color c, const char *s)
{
    if (!s || !*s || maxw <= 0)
        return 0;
    size_t len = strlen(s);
    int w = draw_text_widthn(dl, font, size, s, len);
    if (w <= maxw)
        return draw_textn(dl, font, size, x, y, c, s, len);
    int ew = draw_text_width(dl, font, size, ELLIPSIS);
    size_t k = draw_fit_bytes(dl, font, size, s, len, maxw - ew);
    while (k > 0 && s[k - 1] == ' ')
        k--;
    int used = draw_textn(dl, font, size, x, y, c, s, k);
    if (used + ew <= maxw)
        used += draw_text(dl, font, size, x + used, y, c, ELLIPSIS);
    return used;
}

int draw_text_right(DrawList *dl, int font, int size, int x_right, int y, int maxw, Color c, const char *s)
{
    if (!s || !*s)
        return 0;
    int w = draw_text_width(dl, font, size, s);
    if (w > maxw)
        w = maxw;
    return draw_text_fit(dl, font, size, x_right - w, y, maxw, c, s);
}

int draw_text_wrap(DrawList *dl, int font, int size, Rect box, int line_h, int max_lines, Color c,
                   const char *s, bool dry)
{
    if (!s || !*s || box.w <= 0 || max_lines <= 0)
        return 0;
    int lines = 0;
    const char *p = s;
    while (*p && lines < max_lines) {
        /* an explicit newline always ends a line */
        const char *nl = strchr(p, '\n');
        size_t para = nl ? (size_t)(nl - p) : strlen(p);
        size_t fit = draw_fit_bytes(dl, font, size, p, para, box.w);
        size_t take = fit;
        if (fit < para) {
            /* back up to the last space inside the fitting part */
            size_t sp = fit;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                take = sp;
            if (take == 0 && fit > 0)
                take = fit;
            if (take == 0) { /* not even one character fits: take one anyway */
                take = 1;
                while (take < para && ((unsigned char)p[take] & 0xC0) == 0x80)
                    take++;
            }
        }
        bool last = lines == max_lines - 1;
        int y = box.y + lines * line_h;
        if (!dry) {
            if (last && take < para) {
                /* the last allowed line: ellipsize the rest of the paragraph */
                char tmp[1024];
                size_t n = para < sizeof tmp - 1 ? para : sizeof tmp - 1;
                n = utf8_floor(p, n);
                memcpy(tmp, p, n);
                tmp[n] = '\0';
                draw_text_fit(dl, font, size, box.x, y, box.w, c, tmp);
            } else {
                draw_textn(dl, font, size, box.x, y, c, p, take);
            }
        }
        lines++;
        p += take;
        if (take >= para) {
            if (*p == '\n')
                p++;
        } else {
            while (*p == ' ')
                p++;
        }
    }
    return lines;
}
