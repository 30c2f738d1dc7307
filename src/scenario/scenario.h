/* scenario.h -- the public API of src/scenario: a scenario file in, a Program out.
 *
 * A scenario is a JSON file written by hand (the format is a public
 * contract, see docs/scenario-format.md). Loading either returns a complete,
 * checked Program or NULL together with diagnostics: every problem found,
 * in document order, each with file:line:col, the JSON path of the
 * offending value, what was expected and what was found. The library never
 * prints; the caller formats each Diag with diag_format.
 *
 * Positions: lines and columns are 1-based; columns count UTF-8 characters
 * (code points), a tab counts as one, and a leading byte order mark is
 * skipped. Line 0 means "the file as a whole" (cannot open, out of memory,
 * "and N more errors").
 *
 * Ownership: Diag strings are owned by the Diags and released by
 * diags_free. A returned Program is owned by the caller (prog_free).
 *
 * Depends on: core/program.h, cJSON.  Used by: main.c, ui/app.c, tests.
 */
#ifndef LOOPSCOPE_SCENARIO_H
#define LOOPSCOPE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* One diagnostic. path is like "$.coroutines.main[3].sleep" or NULL. */
typedef struct Diag {
    char *file;
    uint32_t line, col;
    char *path;
    char *msg;
} Diag;

/* The diagnostics of one or more loads, appended in order. Each load keeps
 * at most SCN_MAX_DIAGS errors; past that it counts them in `dropped` and
 * adds one last diagnostic "and N more errors". `oom` is set when memory
 * ran out so early that not even that could be recorded as a diagnostic. */
typedef struct Diags {
    Diag *items;
    size_t n, cap;
    size_t dropped;
    bool oom;
} Diags;

#define SCN_MAX_DIAGS 100

void diags_init(Diags *d);
/* Frees every diagnostic and leaves `d` empty (as after diags_init). */
void diags_free(Diags *d);

/* Formats one diagnostic into buf (always NUL-terminated when n > 0):
 *   "file:line:col: error: $.coroutines.main[3]: expected a number of seconds >= 0, got \"two\""
 *   "file:line:col: error: message"      (no path)
 *   "file: error: message"                (line 0) */
void diag_format(const Diag *g, char *buf, size_t n);

/* Reads and loads the scenario file at `path`. Returns a new Program, or
 * NULL when there is any error (then d holds at least one diagnostic,
 * unless d->oom). */
Program *scn_load_file(const char *path, Diags *d);

/* Reads the whole file at path, NUL-terminated (*len bytes without the NUL;
 * at most a little over the loader's size limit: enough to say "too
 * large"). NULL on failure, with *what ("cannot open the file" or "cannot
 * read the file") and *err (an errno value). The caller frees the text. */
char *scn_read_file(const char *path, size_t *len, const char **what, int *err);

/* Loads a scenario from `len` bytes of `text` (no NUL terminator needed);
 * `filename` is only used in diagnostics. Same result as scn_load_file. */
Program *scn_load_text(const char *filename, const char *text, size_t len, Diags *d);

#endif
