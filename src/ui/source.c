/* source.c -- the scenario as Python, for the Source panel.
 *
 * The one place the app asks src/export for the Python text a scenario
 * stands for (the same text as `loopscope export --python`) and for the
 * line of every statement, so the panel can mark each task's current line.
 * Kept apart so the app and the headless tests share it, and so a change of
 * the exporter's API touches one function.
 *
 * Depends on: export.h (when present), program.h.  Used by: app.c, tests/ui.
 */
#include <stdlib.h>

#include "ui_int.h"

#if defined(__has_include)
#if __has_include("export.h")
#include "export.h"
#define LOOPSCOPE_HAVE_EXPORT 1
#endif
#endif

bool source__python(const Program *p, char **src, uint32_t **stmt_line)
{
    *src = NULL;
    *stmt_line = NULL;
#ifdef LOOPSCOPE_HAVE_EXPORT
    uint32_t *coro_line = NULL;
    *src = exp_python_source(p, stmt_line, &coro_line);
    free(coro_line);
    return *src != NULL;
#else
    (void)p;
    return false;
#endif
}
