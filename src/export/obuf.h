/* obuf.h -- a text under construction in memory, for the writers.
 *
 * Each writer (the --stages log, the Chrome trace, the SVG) builds its
 * whole text in an OutBuf and then hands it to out.h, so a failure never
 * leaves half a file. Appends allocate through mem.h (the tests can make
 * them fail); running out of memory is sticky: `oom` is set, later appends
 * do nothing, and the writer checks it once at the end. The text is always
 * NUL-terminated once anything was appended.
 *
 * Ownership: the caller owns `p` (mem_free it, or keep it as the result).
 *
 * Depends on: mem.h.  Used by: exp_text.c, exp_chrome.c, exp_svg.c, exp_python.c.
 */
#ifndef LOOPSCOPE_OBUF_H
#define LOOPSCOPE_OBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct OutBuf {
    char *p;
    size_t n, cap;
    bool oom;
} OutBuf;

void obuf_put(OutBuf *b, const char *z, size_t n);
void obuf_puts(OutBuf *b, const char *z);
/* printf into the buffer, any length. */
void obuf_printf(OutBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
