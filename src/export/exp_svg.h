/* exp_svg.h -- a finished run's timeline as a standalone SVG picture.
 *
 * One lane per task over a time axis in seconds, spans coloured by state
 * as in the app, a blocking call drawn as a hatched red band across every
 * lane, prints and create/end marks, a legend and a title; every shape has
 * a <title> tooltip. See the top of exp_svg.c and docs/exports.md.
 *
 * Depends on: core.h.  Used by: main.c (export --svg), tests/fuzz.
 */
#ifndef LOOPSCOPE_EXP_SVG_H
#define LOOPSCOPE_EXP_SVG_H

#include <stddef.h>

#include "core.h"

/* The picture of the run recorded in `s` (run it to its end first) as a
 * NUL-terminated UTF-8 SVG document; its length goes to *len when len is
 * not NULL. Returns NULL when out of memory. The caller owns the result
 * and frees it with free(). Reads only the Recording and the Program. */
char *exp_svg_string(const Sim *s, size_t *len);

/* Writes the picture to `path` through a temporary file and rename;
 * refuses to overwrite `scenario_path`. Returns 0, or -1 with a message in
 * err. */
int exp_svg_write(const Sim *s, const char *path, const char *scenario_path, char *err, size_t errn);

#endif
