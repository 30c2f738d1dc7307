/* obuf.c -- a text under construction in memory (see obuf.h). */
#include "obuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void obuf_put(OutBuf *b, const char *z, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->n + n + 1)
            ncap *= 2;
        char *np = mem_realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, z, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void obuf_puts(OutBuf *b, const char *z) { obuf_put(b, z, strlen(z)); }

void obuf_printf(OutBuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof tmp) {
        obuf_put(b, tmp, (size_t)k);
        return;
    }
    char *big = mem_malloc((size_t)k + 1); /* longer than the stack buffer: format again */
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    obuf_put(b, big, (size_t)k);
    mem_free(big);
}
