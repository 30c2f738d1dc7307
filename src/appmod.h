/* appmod.h -- the app's drawing commands, loaded only when one is used.
 *
 * The SDL half of the app (src/ui/app.c, input_sdl.c, render_sdl.c) is
 * built as a module beside the executable, build/loopscope-app.so, and
 * loaded by the first of these calls. Commands that never draw (run, check
 * of a scenario, export without --png, verify) so start without loading
 * SDL2, SDL2_ttf, SDL2_image, cairo and the ~70 libraries they pull in.
 *
 * Each function behaves as its ui.h namesake; if the module cannot be
 * loaded, it says why (where it looked, dlerror's reason) and returns 2.
 *
 * Depends on: ui.h.  Used by: main.c.
 */
#ifndef LOOPSCOPE_APPMOD_H
#define LOOPSCOPE_APPMOD_H

#include <stddef.h>
#include <stdint.h>

int appmod_app_main(const char *path);
int appmod_shot(const char *path, uint32_t step, int w, int h, const char *out_png, char *err,
                size_t errn);
int appmod_lecture_handouts(const char *lecture_path, const char *png_dir, const char *pdf, int w,
                            int h, char *err, size_t errn);
int appmod_lecture_check(const char *lecture_path);

#endif
