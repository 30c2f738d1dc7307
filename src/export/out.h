/* out.h -- one output file, written safely.
 *
 * Every exporter writes through an Out: the bytes go to a temporary file
 * beside the target ("NAME.tmp-XXXXXX"), and only out_close renames it over
 * the target, so a failed or interrupted export never leaves a half-written
 * file where a good one was. An Out refuses to write over the scenario it
 * was made from (the user's work). Errors are sticky: after the first one
 * every call is a no-op and out_close reports it.
 *
 * Ownership: the caller owns the Out struct (usually on its stack);
 * out_close releases everything and must be called once after a successful
 * out_open_file, whatever happened in between.
 *
 * Depends on: nothing but libc/POSIX.  Used by: every writer in src/export.
 */
#ifndef LOOPSCOPE_OUT_H
#define LOOPSCOPE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct Out {
    FILE *f;
    char *path;     /* the target */
    char *tmp;      /* the temporary file being written */
    bool failed;
    char error[512];
} Out;

/* Opens a temporary file for `path`. `refuse` (may be NULL) names a file
 * that must not be overwritten: if path is that same file, this fails.
 * Returns 0, or -1 with the reason in out_error(o). */
int out_open_file(Out *o, const char *path, const char *refuse);
void out_write(Out *o, const void *buf, size_t n);
void out_puts(Out *o, const char *z);
/* Flushes, closes and renames over the target; on any earlier or present
 * failure removes the temporary file instead. Returns 0 or -1. */
int out_close(Out *o);
const char *out_error(const Out *o);
/* Writes n bytes of text to path through an Out (refuse as for
 * out_open_file): what every exporter's *_write does with the text its
 * *_string made. text NULL means making it ran out of memory. Returns 0, or
 * -1 with the reason in err. */
int out_save(const char *path, const char *refuse, const char *text, size_t n, char *err,
             size_t errn);

#endif
