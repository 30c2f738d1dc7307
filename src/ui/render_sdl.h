/* render_sdl.h -- executes a DrawList with SDL_Renderer and SDL_ttf.
 *
 * The only file that draws pixels. Ren is opaque (lite's RenFont idea): it
 * owns the fonts, opened lazily per (face, pixel size), and two caches
 * keyed by (face, size, string): rendered text textures and measured
 * widths. render_sdl_measure hands the DrawList its TextMeasure callbacks.
 *
 * Depends on: draw.h, SDL2, SDL2_ttf.  Used by: app.c.
 */
#ifndef LOOPSCOPE_RENDER_SDL_H
#define LOOPSCOPE_RENDER_SDL_H

#include <stddef.h>

#include <SDL.h>

#include "draw.h"

typedef struct Ren Ren;

/* Opens the fonts of assets_dir/fonts for drawing with r (which the caller
 * keeps owning). Returns NULL with a message in err when a font is missing
 * or memory runs out. TTF_Init must have been called. */
Ren *render_sdl_new(SDL_Renderer *r, const char *assets_dir, char *err, size_t errn);
void render_sdl_free(Ren *ren);
/* The text metrics for draw_init. */
TextMeasure render_sdl_measure(Ren *ren);
/* Draws every command of dl, in order, then resets the clip. */
void render_sdl_draw(Ren *ren, const DrawList *dl);

#endif
