/* appmod.c -- loads build/loopscope-app.so on first use (see appmod.h).
 *
 * Why a module: with SDL2, SDL2_ttf, SDL2_image and cairo linked into the
 * executable, every command paid for the dynamic loader mapping and
 * relocating 76 shared libraries: 20 ms and about 10 MB before main() even
 * for `loopscope run` of a small scenario (measured with perf: the time
 * went to ld.so's symbol lookups). Only the commands that draw need them.
 *
 * The module holds no copy of the core, the scenario loader or the pure UI:
 * its undefined symbols (ui_frame, sim_*, scn_*, ...) resolve against this
 * executable, which exports them (linked with -rdynamic and the whole core
 * archive). It is opened with RTLD_NOW, so a missing symbol fails here, with
 * dlerror's message, not in the middle of a frame.
 *
 * Where: the directory of the executable (build/), then ../lib/loopscope/
 * from it (an installed layout), through beside.c as main.c finds the
 * conformance harness.
 */
#include "appmod.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>

#include "beside.h"
#include "ui.h"

#define APPMOD_NAME "loopscope-app.so"

static const UiEntry *load(char *err, size_t errn)
{
    static const char *const rel[] = {APPMOD_NAME, "../lib/loopscope/" APPMOD_NAME};
    char path[PATH_MAX];
    if (!beside_exe(rel, sizeof rel / sizeof rel[0], path, sizeof path)) {
        snprintf(err, errn, "the app module %s was not found (build it with `make`)", path);
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errn, "cannot load the app module %s: %s", path, e ? e : "unknown reason");
        return NULL;
    }
    const UiEntry *entry = (const UiEntry *)dlsym(h, "ui_entry");
    if (!entry) {
        snprintf(err, errn, "%s is not loopscope's app module (it has no ui_entry)", path);
        return NULL;
    }
    return entry; /* kept loaded until the process ends */
}

/* load, saying why not on stderr */
static const UiEntry *load_or_say(void)
{
    char err[PATH_MAX + 256];
    const UiEntry *e = load(err, sizeof err);
    if (!e)
        fprintf(stderr, "loopscope: %s\n", err);
    return e;
}

int appmod_app_main(const char *path)
{
    const UiEntry *e = load_or_say();
    return e ? e->app_main(path) : 2;
}

int appmod_shot(const char *path, uint32_t step, int w, int h, const char *out_png, char *err,
                size_t errn)
{
    const UiEntry *e = load(err, errn);
    return e ? e->shot(path, step, w, h, out_png, err, errn) : 2;
}

int appmod_lecture_handouts(const char *lecture_path, const char *png_dir, const char *pdf, int w,
                            int h, char *err, size_t errn)
{
    const UiEntry *e = load(err, errn);
    return e ? e->lecture_handouts(lecture_path, png_dir, pdf, w, h, err, errn) : 2;
}

int appmod_lecture_check(const char *lecture_path)
{
    const UiEntry *e = load_or_say();
    return e ? e->lecture_check(lecture_path) : 2;
}
