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
 * from it (an installed layout), as find_harness looks for the harness.
 */
#include "appmod.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

#define APPMOD_NAME "loopscope-app.so"

static const UiEntry *load(char *err, size_t errn)
{
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        k = (ssize_t)snprintf(exe, sizeof exe, "./loopscope");
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    static const char *const rel[] = {"", "../lib/loopscope/"};
    char path[PATH_MAX + 64], first[PATH_MAX + 64] = "";
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(path, sizeof path, "%s/%s" APPMOD_NAME, exe, rel[i]);
        if (i == 0)
            snprintf(first, sizeof first, "%s", path);
        if (access(path, R_OK) != 0)
            continue;
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
    snprintf(err, errn, "the app module %s was not found (build it with `make`)", first);
    return NULL;
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
