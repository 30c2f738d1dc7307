/* input_sdl.h -- SDL events in, UiInput out (lite's system.c translation idea).
 *
 * The only file that reads SDL events. input_sdl_begin clears the per-frame
 * fields (presses, wheel, keys, typed text, dropped file); input_sdl_event
 * folds one event in. Mouse positions are converted from window points to
 * drawable pixels with the window's pixel ratio, so panels only ever see
 * pixels.
 *
 * Depends on: ui.h, SDL2.  Used by: app.c.
 */
#ifndef LOOPSCOPE_INPUT_SDL_H
#define LOOPSCOPE_INPUT_SDL_H

#include <stdbool.h>

#include <SDL.h>

#include "ui.h"

void input_sdl_begin(UiInput *in);
/* Folds e into in; `ratio` is drawable pixels per window point. Returns
 * true when the event asks the app to quit. */
bool input_sdl_event(UiInput *in, const SDL_Event *e, float ratio);

#endif
