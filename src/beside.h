/* beside.h -- files that ship beside the executable.
 *
 * The conformance harness (share/vt_asyncio.py) and the app module
 * (loopscope-app.so) are found relative to the directory of the running
 * executable (/proc/self/exe), in a build tree or an installed layout.
 *
 * Depends on: nothing.  Used by: main.c, appmod.c.
 */
#ifndef LOOPSCOPE_BESIDE_H
#define LOOPSCOPE_BESIDE_H

#include <stdbool.h>
#include <stddef.h>

/* The first readable file among "<executable's directory>/rel[i]": its path
 * is written to out and true returned. Otherwise false, and out holds the
 * first candidate's path (for a message saying where it looked). */
bool beside_exe(const char *const *rel, size_t nrel, char *out, size_t n);

#endif
