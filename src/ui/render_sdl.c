/* render_sdl.c -- the DrawList executed with SDL_Renderer + SDL_ttf.
 *
 * Commands are drawn in order: rectangles with SDL_RenderFillRect, lines
 * (thick ones as quads) and triangles with SDL_RenderGeometry, text as
 * textures. Text is rendered white once per (face, size, string) and tinted
 * with the texture colour and alpha modulation, so a colour change costs
 * nothing. Both caches are open-addressing hash tables; entries not used
 * in the last few frames are evicted when a table fills (lite's rencache
 * keeps a similar per-frame cache). A failure to render one string skips
 * that string; it never stops the frame.
 *
 * Depends on: render_sdl.h, SDL2, SDL2_ttf.  Used by: app.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "render_sdl.h"

#define MAX_SIZES 48
#define TEX_CAP 4096   /* power of two */
#define MEAS_CAP 16384 /* power of two */

static const char *const font_files[FONT__COUNT] = {
    [FONT_SANS] = "DejaVuSans.ttf",
    [FONT_SANS_BOLD] = "DejaVuSans-Bold.ttf",
    [FONT_MONO] = "DejaVuSansMono.ttf",
    [FONT_MONO_BOLD] = "DejaVuSansMono-Bold.ttf",
};

typedef struct FontSlot {
    int face, size;
    TTF_Font *f;
} FontSlot;

typedef struct TexEntry {
    uint64_t hash;     /* 0 = empty */
    char *s;
    uint32_t len;
    uint8_t face;
    int16_t size;
    SDL_Texture *tex;  /* NULL: rendering failed (remembered) */
    int w, h;
    uint32_t used;     /* frame it was last used */
} TexEntry;

typedef struct MeasEntry {
    uint64_t hash;
    char *s;
    uint32_t len;
    uint8_t face;
    int16_t size;
    int w;
} MeasEntry;

struct Ren {
    SDL_Renderer *r;
    char dir[1024];
    FontSlot fonts[MAX_SIZES];
    int nfonts;
    TexEntry *tex;
    uint32_t ntex;
    MeasEntry *meas;
    uint32_t nmeas;
    uint32_t frame;
};

static uint64_t hash_key(int face, int size, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)face * 1099511628211ull ^ (uint64_t)size * 7919u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

static TTF_Font *font_get(Ren *ren, int face, int size)
{
    if (face < 0 || face >= FONT__COUNT)
        face = FONT_SANS;
    if (size < 4)
        size = 4;
    if (size > 400)
        size = 400;
    for (int i = 0; i < ren->nfonts; i++)
        if (ren->fonts[i].face == face && ren->fonts[i].size == size)
            return ren->fonts[i].f;
    char path[1200];
    snprintf(path, sizeof path, "%s/fonts/%s", ren->dir, font_files[face]);
    TTF_Font *f = TTF_OpenFont(path, size);
    if (!f)
        return NULL;
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    if (ren->nfonts == MAX_SIZES) {
        /* too many sizes (a resize storm): forget the oldest */
        TTF_CloseFont(ren->fonts[0].f);
        memmove(&ren->fonts[0], &ren->fonts[1], sizeof ren->fonts[0] * (MAX_SIZES - 1));
        ren->nfonts--;
        /* textures made with it stay valid: they are plain textures */
    }
    ren->fonts[ren->nfonts].face = face;
    ren->fonts[ren->nfonts].size = size;
    ren->fonts[ren->nfonts].f = f;
    ren->nfonts++;
    return f;
}

/* ---- measuring ---------------------------------------------------------- */

static void meas_clear(Ren *ren)
{
    for (uint32_t i = 0; i < MEAS_CAP; i++) {
        free(ren->meas[i].s);
        ren->meas[i].s = NULL;
        ren->meas[i].hash = 0;
    }
    ren->nmeas = 0;
}

static int measure_width(void *ud, int face, int size, const char *s, size_t len)
{
    Ren *ren = ud;
    if (len == 0)
        return 0;
    uint64_t h = hash_key(face, size, s, len);
    uint32_t i = (uint32_t)h & (MEAS_CAP - 1);
    for (;;) {
        MeasEntry *e = &ren->meas[i];
        if (!e->hash)
            break;
        if (e->hash == h && e->face == face && e->size == size && e->len == len && memcmp(e->s, s, len) == 0)
            return e->w;
        i = (i + 1) & (MEAS_CAP - 1);
    }
    TTF_Font *f = font_get(ren, face, size);
    int w = 0, hh = 0;
    char stack[512];
    char *z = len < sizeof stack ? stack : malloc(len + 1);
    if (!z)
        return (int)len * size / 2;
    memcpy(z, s, len);
    z[len] = '\0';
    if (!f || TTF_SizeUTF8(f, z, &w, &hh) != 0)
        w = (int)len * size / 2;
    if (ren->nmeas >= MEAS_CAP * 3 / 4)
        meas_clear(ren);
    /* insert (re-probe: the table may have been cleared) */
    i = (uint32_t)h & (MEAS_CAP - 1);
    while (ren->meas[i].hash)
        i = (i + 1) & (MEAS_CAP - 1);
    MeasEntry *e = &ren->meas[i];
    e->s = malloc(len);
    if (e->s) {
        memcpy(e->s, s, len);
        e->hash = h;
        e->len = (uint32_t)len;
        e->face = (uint8_t)face;
        e->size = (int16_t)size;
        e->w = w;
        ren->nmeas++;
    }
    if (z != stack)
        free(z);
    return w;
}

static int measure_height(void *ud, int face, int size)
{
    Ren *ren = ud;
    TTF_Font *f = font_get(ren, face, size);
    return f ? TTF_FontHeight(f) : size;
}

TextMeasure render_sdl_measure(Ren *ren)
{
    TextMeasure m;
    m.width = measure_width;
    m.height = measure_height;
    m.ud = ren;
    return m;
}

/* ---- text textures ------------------------------------------------------ */

static void tex_free_entry(TexEntry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    free(e->s);
    memset(e, 0, sizeof *e);
}

/* Drops every entry not used in the last two frames (rehashing the rest). */
static void tex_evict(Ren *ren)
{
    TexEntry *old = ren->tex;
    TexEntry *nt = calloc(TEX_CAP, sizeof *nt);
    if (!nt) {
        for (uint32_t i = 0; i < TEX_CAP; i++)
            tex_free_entry(&old[i]);
        ren->ntex = 0;
        return;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < TEX_CAP; i++) {
        TexEntry *e = &old[i];
        if (!e->hash)
            continue;
        if (ren->frame - e->used > 2 || kept >= TEX_CAP / 2) {
            tex_free_entry(e);
            continue;
        }
        uint32_t j = (uint32_t)e->hash & (TEX_CAP - 1);
        while (nt[j].hash)
            j = (j + 1) & (TEX_CAP - 1);
        nt[j] = *e;
        kept++;
    }
    free(old);
    ren->tex = nt;
    ren->ntex = kept;
}

static TexEntry *tex_get(Ren *ren, int face, int size, const char *s, size_t len)
{
    uint64_t h = hash_key(face, size, s, len);
    uint32_t i = (uint32_t)h & (TEX_CAP - 1);
    for (;;) {
        TexEntry *e = &ren->tex[i];
        if (!e->hash)
            break;
        if (e->hash == h && e->face == face && e->size == size && e->len == len && memcmp(e->s, s, len) == 0) {
            e->used = ren->frame;
            return e;
        }
        i = (i + 1) & (TEX_CAP - 1);
    }
    if (ren->ntex >= TEX_CAP * 3 / 4) {
        tex_evict(ren);
        i = (uint32_t)h & (TEX_CAP - 1);
        while (ren->tex[i].hash)
            i = (i + 1) & (TEX_CAP - 1);
    }
    TexEntry *e = &ren->tex[i];
    e->s = malloc(len + 1);
    if (!e->s)
        return NULL;
    memcpy(e->s, s, len);
    e->s[len] = '\0';
    e->hash = h;
    e->len = (uint32_t)len;
    e->face = (uint8_t)face;
    e->size = (int16_t)size;
    e->used = ren->frame;
    ren->ntex++;
    TTF_Font *f = font_get(ren, face, size);
    if (f) {
        SDL_Color white = {255, 255, 255, 255};
        SDL_Surface *surf = TTF_RenderUTF8_Blended(f, e->s, white);
        if (surf) {
            e->tex = SDL_CreateTextureFromSurface(ren->r, surf);
            e->w = surf->w;
            e->h = surf->h;
            SDL_FreeSurface(surf);
            if (e->tex)
                SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
        }
    }
    return e;
}

/* ---- life cycle ------------------------------------------------------------ */

Ren *render_sdl_new(SDL_Renderer *r, const char *assets_dir, char *err, size_t errn)
{
    Ren *ren = calloc(1, sizeof *ren);
    if (!ren) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    ren->r = r;
    snprintf(ren->dir, sizeof ren->dir, "%s", assets_dir);
    ren->tex = calloc(TEX_CAP, sizeof *ren->tex);
    ren->meas = calloc(MEAS_CAP, sizeof *ren->meas);
    if (!ren->tex || !ren->meas) {
        snprintf(err, errn, "out of memory");
        render_sdl_free(ren);
        return NULL;
    }
    for (int face = 0; face < FONT__COUNT; face++) {
        if (!font_get(ren, face, 13)) {
            snprintf(err, errn, "cannot open the font %s/fonts/%s: %s", assets_dir, font_files[face], TTF_GetError());
            render_sdl_free(ren);
            return NULL;
        }
    }
    return ren;
}

void render_sdl_free(Ren *ren)
{
    if (!ren)
        return;
    if (ren->tex) {
        for (uint32_t i = 0; i < TEX_CAP; i++)
            tex_free_entry(&ren->tex[i]);
        free(ren->tex);
    }
    if (ren->meas) {
        meas_clear(ren);
        free(ren->meas);
    }
    for (int i = 0; i < ren->nfonts; i++)
        TTF_CloseFont(ren->fonts[i].f);
    free(ren);
}

/* ---- drawing ------------------------------------------------------------- */

static SDL_Vertex vtx(float x, float y, Color c)
{
    SDL_Vertex v;
    v.position.x = x;
    v.position.y = y;
    v.color.r = c.r;
    v.color.g = c.g;
    v.color.b = c.b;
    v.color.a = c.a;
    v.tex_coord.x = 0;
    v.tex_coord.y = 0;
    return v;
}

/* A line 2 or 3 pixels thick is drawn as that many 1-pixel lines side by
 * side (across its run: side by side in x for a steep line, in y for a flat
 * one), and an upright or level one as a rectangle. The software renderer
 * fills a triangle by testing every pixel of its bounding box, so the quad
 * of a long diagonal line cost its whole square: the hatching of one
 * loop-blocked band was 9 ms of a 15 ms frame. */
static bool thin_strokes(SDL_Renderer *r, const DrawCmd *k)
{
    int t = k->thick, dx = k->x2 - k->x, dy = k->y2 - k->y;
    if (t > 3)
        return false;
    SDL_SetRenderDrawColor(r, k->color.r, k->color.g, k->color.b, k->color.a);
    if (dx == 0 || dy == 0) {
        int x0 = dx ? (k->x < k->x2 ? k->x : k->x2) : k->x - t / 2;
        int y0 = dy ? (k->y < k->y2 ? k->y : k->y2) : k->y - t / 2;
        SDL_Rect rr = {x0, y0, dx ? abs(dx) + 1 : t, dy ? abs(dy) + 1 : t};
        SDL_RenderFillRect(r, &rr);
        return true;
    }
    bool steep = abs(dy) >= abs(dx);
    for (int i = 0; i < t; i++) {
        int o = i - t / 2;
        if (steep)
            SDL_RenderDrawLine(r, k->x + o, k->y, k->x2 + o, k->y2);
        else
            SDL_RenderDrawLine(r, k->x, k->y + o, k->x2, k->y2 + o);
    }
    return true;
}

static void thick_line(SDL_Renderer *r, const DrawCmd *k)
{
    if (thin_strokes(r, k))
        return;
    float x0 = (float)k->x, y0 = (float)k->y, x1 = (float)k->x2, y1 = (float)k->y2;
    float dx = x1 - x0, dy = y1 - y0;
    float len = SDL_sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    float hw = (float)k->thick / 2.0f;
    float nx = -dy / len * hw, ny = dx / len * hw;
    SDL_Vertex v[4] = {vtx(x0 + nx, y0 + ny, k->color), vtx(x1 + nx, y1 + ny, k->color),
                       vtx(x1 - nx, y1 - ny, k->color), vtx(x0 - nx, y0 - ny, k->color)};
    int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
}

void render_sdl_draw(Ren *ren, const DrawList *dl)
{
    SDL_Renderer *r = ren->r;
    ren->frame++;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_RenderSetClipRect(r, NULL);
    for (uint32_t i = 0; i < dl->n; i++) {
        const DrawCmd *k = &dl->cmds[i];
        switch (k->kind) {
        case CMD_CLIP: {
            SDL_Rect cr = {k->x, k->y, k->w, k->h};
            SDL_RenderSetClipRect(r, k->w < 0 ? NULL : &cr);
            break;
        }
        case CMD_RECT: {
            SDL_Rect rr = {k->x, k->y, k->w, k->h};
            /* opaque fills need no blending: the software renderer then
             * fills with a plain memset-like loop, several times faster */
            SDL_SetRenderDrawBlendMode(r, k->color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
            SDL_SetRenderDrawColor(r, k->color.r, k->color.g, k->color.b, k->color.a);
            SDL_RenderFillRect(r, &rr);
            SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
            break;
        }
        case CMD_FRAME: {
            int t = k->thick;
            SDL_SetRenderDrawBlendMode(r, k->color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
            SDL_SetRenderDrawColor(r, k->color.r, k->color.g, k->color.b, k->color.a);
            SDL_Rect e[4] = {{k->x, k->y, k->w, t},
                             {k->x, k->y + k->h - t, k->w, t},
                             {k->x, k->y + t, t, k->h - 2 * t},
                             {k->x + k->w - t, k->y + t, t, k->h - 2 * t}};
            SDL_RenderFillRects(r, e, 4);
            SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
            break;
        }
        case CMD_LINE:
            if (k->thick <= 1) {
                SDL_SetRenderDrawColor(r, k->color.r, k->color.g, k->color.b, k->color.a);
                SDL_RenderDrawLine(r, k->x, k->y, k->x2, k->y2);
            } else {
                thick_line(r, k);
            }
            break;
        case CMD_TRI: {
            SDL_Vertex v[3] = {vtx((float)k->x, (float)k->y, k->color), vtx((float)k->x2, (float)k->y2, k->color),
                               vtx((float)k->x3, (float)k->y3, k->color)};
            SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
            break;
        }
        case CMD_TEXT: {
            TexEntry *e = tex_get(ren, k->font, k->size, dl->text + k->text, k->len);
            if (!e || !e->tex)
                break;
            SDL_SetTextureColorMod(e->tex, k->color.r, k->color.g, k->color.b);
            SDL_SetTextureAlphaMod(e->tex, k->color.a);
            SDL_Rect dst = {k->x, k->y, e->w, e->h};
            SDL_RenderCopy(r, e->tex, NULL, &dst);
            break;
        }
        default:
            break;
        }
    }
    SDL_RenderSetClipRect(r, NULL);
}
