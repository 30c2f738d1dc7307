/* draw.h -- the DrawList: the seam between the pure UI and SDL.
 *
 * Panels never draw. They append commands (filled rectangles, outlines,
 * lines, triangles, text, clip changes) to a DrawList, which render_sdl.c
 * executes and the tests inspect (microui's command list). Text metrics come
 * in through a TextMeasure callback pair, so the panels can lay text out
 * without knowing about fonts (microui's text_width/text_height).
 *
 * Every command records which panel emitted it (`owner`) and the clip that
 * was active, so a test can check that nothing is drawn outside its panel.
 * Commands that fall entirely outside the active clip are not recorded.
 *
 * Ownership: the DrawList owns its command and text buffers; draw_reset
 * empties them and keeps the memory for the next frame. Out of memory drops
 * commands (the frame draws incompletely) and sets `oom`; it never crashes.
 *
 * Depends on: nothing.  Used by: every ui/ file.
 */
#ifndef LOOPSCOPE_DRAW_H
#define LOOPSCOPE_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Rect {
    int x, y, w, h;
} Rect;

typedef struct Color {
    uint8_t r, g, b, a;
} Color;

/* The faces shipped in assets/fonts. */
typedef enum FontId { FONT_SANS, FONT_SANS_BOLD, FONT_MONO, FONT_MONO_BOLD, FONT__COUNT } FontId;

typedef enum DrawCmdKind {
    CMD_RECT,  /* filled rectangle x,y,w,h */
    CMD_FRAME, /* rectangle outline x,y,w,h, thickness in `thick` */
    CMD_LINE,  /* line (x,y)-(x2,y2), thickness in `thick` */
    CMD_TRI,   /* filled triangle (x,y) (x2,y2) (x3,y3) */
    CMD_TEXT,  /* UTF-8 text with its top-left at x,y; w,h = measured size */
    CMD_CLIP   /* from here on, clip to x,y,w,h (w < 0: no clip) */
} DrawCmdKind;

typedef struct DrawCmd {
    uint8_t kind;   /* DrawCmdKind */
    uint8_t font;   /* FontId (TEXT) */
    uint8_t owner;  /* the panel that emitted it (PanelId in layout.h) */
    uint8_t thick;  /* FRAME, LINE */
    int16_t size;   /* TEXT: font pixel size */
    Color color;
    int x, y, w, h;
    int x2, y2, x3, y3;
    uint32_t text;  /* TEXT: offset into DrawList.text */
    uint32_t len;   /* TEXT: byte length */
    Rect clip;      /* the clip active when the command was recorded */
} DrawCmd;

/* Text metrics, supplied by the renderer (or a fake one in tests). */
typedef struct TextMeasure {
    int (*width)(void *ud, int font, int size, const char *s, size_t len);
    int (*height)(void *ud, int font, int size);
    void *ud;
} TextMeasure;

#define DRAW_CLIP_DEPTH 16

typedef struct DrawList {
    DrawCmd *cmds;
    uint32_t n, cap;
    char *text;
    uint32_t ntext, text_cap;
    Rect clip[DRAW_CLIP_DEPTH];
    int nclip;
    uint8_t owner;
    bool oom;
    TextMeasure m;
} DrawList;

/* Initialises an empty list that measures text with `m`. */
void draw_init(DrawList *dl, TextMeasure m);
/* Frees the buffers; the list is empty afterwards (draw_init again to reuse). */
void draw_deinit(DrawList *dl);
/* Empties the list for a new frame of size w x h (the base clip). */
void draw_reset(DrawList *dl, int w, int h);

/* Sets the panel that owns the commands recorded from now on. */
void draw_owner(DrawList *dl, int owner);
/* Pushes a clip rectangle (intersected with the current one) / pops it. */
void draw_clip_push(DrawList *dl, Rect r);
void draw_clip_pop(DrawList *dl);
Rect draw_clip_now(const DrawList *dl);

void draw_rect(DrawList *dl, Rect r, Color c);
void draw_frame(DrawList *dl, Rect r, Color c, int thick);
void draw_line(DrawList *dl, int x0, int y0, int x1, int y1, int thick, Color c);
void draw_tri(DrawList *dl, int x0, int y0, int x1, int y1, int x2, int y2, Color c);
/* Draws `len` bytes of text at x,y (top-left). Returns its width. */
int draw_textn(DrawList *dl, int font, int size, int x, int y, Color c, const char *s, size_t len);
int draw_text(DrawList *dl, int font, int size, int x, int y, Color c, const char *s);
/* Draws text shortened with an ellipsis to fit in maxw. Returns the width drawn. */
int draw_text_fit(DrawList *dl, int font, int size, int x, int y, int maxw, Color c, const char *s);
/* Right-aligned at x_right; shortened to maxw. Returns the width drawn. */
int draw_text_right(DrawList *dl, int font, int size, int x_right, int y, int maxw, Color c, const char *s);
/* Word-wraps text into box (width box.w, starting at box.y, at most
 * max_lines lines, the last one ellipsized); draws nothing when `dry`.
 * Returns the number of lines used. */
int draw_text_wrap(DrawList *dl, int font, int size, Rect box, int line_h, int max_lines, Color c,
                   const char *s, bool dry);

/* Metrics. */
int draw_text_width(const DrawList *dl, int font, int size, const char *s);
int draw_text_widthn(const DrawList *dl, int font, int size, const char *s, size_t len);
int draw_text_height(const DrawList *dl, int font, int size);
/* The number of bytes of s (at a UTF-8 boundary) that fit in maxw. */
size_t draw_fit_bytes(const DrawList *dl, int font, int size, const char *s, size_t len, int maxw);

/* Geometry helpers. */
bool draw_rect_contains(Rect r, int x, int y);
Rect draw_rect_intersect(Rect a, Rect b);
bool draw_rect_inside(Rect inner, Rect outer);
Rect draw_rect_inset(Rect r, int d);
Color draw_color_alpha(Color c, uint8_t a);
Color draw_color_mix(Color a, Color b, float t);

#endif
