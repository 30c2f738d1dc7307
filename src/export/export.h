/* export.h -- the scenario as a runnable Python asyncio program.
 *
 * exp_python_source turns a validated Program back into the Python it
 * stands for (the table in docs/scenario-format.md), so `loopscope verify`
 * and the conformance tests can run it under real CPython and the app can
 * show it beside the simulation. The mapping is one statement to one line
 * (plus the lines a block header needs), and the line of every statement is
 * reported so a caller can point from a step to its Python.
 *
 * Ownership: every returned pointer is malloc'd and owned by the caller.
 *
 * Depends on: program.h, out.h.  Used by: main.c, ui/source.c, tests.
 */
#ifndef LOOPSCOPE_EXPORT_H
#define LOOPSCOPE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* The Python source, NUL-terminated, or NULL when out of memory. When
 * stmt_line is not NULL it receives an array of p->nstmts 1-based line
 * numbers (the line of each statement's first Python line); coro_line
 * likewise gets p->ncoros lines of each `async def`. */
char *exp_python_source(const Program *p, uint32_t **stmt_line, uint32_t **coro_line);

/* Writes the source to `path` (temporary file + rename); refuses to
 * overwrite `scenario_path`. Returns 0, or -1 with a message in err. */
int exp_python_write(const Program *p, const char *path, const char *scenario_path,
                     char *err, size_t errn);

#endif
