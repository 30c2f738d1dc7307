/* exp_text.h -- the stage-by-stage log of a run (what `run --stages` prints). */
#ifndef LOOPSCOPE_EXP_TEXT_H
#define LOOPSCOPE_EXP_TEXT_H

#include <stddef.h>

#include "core.h"

/* The whole log as a malloc'd NUL-terminated string (caller frees), or NULL
 * when out of memory. Reads only the Recording of a finished run. */
char *exp_text_string(const Sim *s);
/* Writes the log to `path` via a temporary file and rename; refuses to
 * overwrite `scenario_path`. Returns 0, or -1 with a message in err. */
int exp_text_write(const Sim *s, const char *path, const char *scenario_path, char *err, size_t errn);

#endif
