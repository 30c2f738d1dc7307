/* exp_chrome.h -- a finished run as a Chrome Trace Event Format file.
 *
 * The object form {"traceEvents": [...], "displayTimeUnit": "ms",
 * "otherData": {...}} that Perfetto (ui.perfetto.dev), chrome://tracing and
 * speedscope open: tid 1 is the event loop, tid 2 + k is task k; ts and dur
 * are microseconds of virtual time. The layout of every track is described
 * at the top of exp_chrome.c and, for users, in docs/exports.md.
 *
 * Depends on: core.h.  Used by: main.c (export --chrome-trace), exp_svg.c, tests/fuzz.
 */
#ifndef LOOPSCOPE_EXP_CHROME_H
#define LOOPSCOPE_EXP_CHROME_H

#include <stddef.h>

#include "core.h"

/* The trace of the run recorded in `s` (run it to its end first) as a
 * NUL-terminated UTF-8 JSON text; its length goes to *len when len is not
 * NULL. Returns NULL when out of memory. The caller owns the result and
 * frees it with free(). Reads only the Recording and the Program. */
char *exp_chrome_string(const Sim *s, size_t *len);

/* Writes the trace to `path` through a temporary file and rename; refuses
 * to overwrite `scenario_path`. Returns 0, or -1 with a message in err. */
int exp_chrome_write(const Sim *s, const char *path, const char *scenario_path, char *err,
                     size_t errn);

/* The words both timeline exports use for a span, at most n bytes, valid
 * UTF-8: "running", "ready (in queue)", "await sleep(1)", "wait Event
 * ready", "acquire Lock lock", "get Queue q (empty)", "time.sleep(2) blocks
 * the loop", ... (exp_svg.c uses them too, so the two files agree). */
void exp_chrome_span_words(const Recording *r, const Program *p, const Span *sp, char *buf, size_t n);

#endif
