/* diag.c -- collecting, ordering, capping and formatting diagnostics.
 *
 * A load opens a DiagCtx (diag__begin), adds errors as it finds them
 * (diag__add) and closes it (diag__end). The rules, after SQLite's Parse
 * accumulating errors and Lua's "chunk:line: message":
 *
 *  - every error of the load is counted; the first SCN_MAX_DIAGS are kept,
 *    the rest become one final "and N more errors";
 *  - kept errors are sorted by line:col (stable), so the output is in
 *    document order even where the checker visits things out of order;
 *  - running out of memory must itself be reportable: diag__begin allocates
 *    the "out of memory" diagnostic up front and every add keeps one free
 *    slot in the items array, so reporting it needs no allocation.
 *
 * The small string buffer (SBuf) used for messages and JSON paths lives
 * here too, with the quoting rules shared by every message.
 *
 * Depends on: scn_int.h, mem.h.  Used by: every file of src/scenario.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "scn_int.h"

/* ==== SBuf ============================================================== */

static bool sbuf_reserve(SBuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->n + more + 1 <= b->cap)
        return true;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < b->n + more + 1)
        ncap *= 2;
    char *ns = mem_realloc(b->s, ncap);
    if (!ns) {
        b->oom = true;
        return false;
    }
    b->s = ns;
    b->cap = ncap;
    return true;
}

void sbuf__put(SBuf *b, const char *s, size_t len)
{
    if (!sbuf_reserve(b, len))
        return;
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

void sbuf__puts(SBuf *b, const char *s)
{
    sbuf__put(b, s, strlen(s));
}

void sbuf__printf(SBuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof small) {
        sbuf__put(b, small, (size_t)k);
        return;
    }
    if (!sbuf_reserve(b, (size_t)k))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

void sbuf__truncate(SBuf *b, size_t n)
{
    if (n < b->n) {
        b->n = n;
        if (b->s)
            b->s[n] = '\0';
    }
}

void sbuf__free(SBuf *b)
{
    mem_free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
    b->oom = false;
}

void sbuf__quote(SBuf *b, const char *s, size_t len, size_t max)
{
    sbuf__put(b, "\"", 1);
    size_t i = 0;
    while (i < len) {
        if (i >= max) {
            /* never cut a UTF-8 sequence in half */
            sbuf__put(b, "...", 3);
            break;
        }
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            sbuf__put(b, e, 2);
            i++;
        } else if (ch == '\n') {
            sbuf__put(b, "\\n", 2);
            i++;
        } else if (ch == '\t') {
            sbuf__put(b, "\\t", 2);
            i++;
        } else if (ch < 0x20 || ch == 0x7f) {
            sbuf__printf(b, "\\u%04x", ch);
            i++;
        } else {
            size_t k = 1;
            while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80)
                k++;
            sbuf__put(b, s + i, k);
            i += k;
        }
    }
    sbuf__put(b, "\"", 1);
}

static bool is_plain_key(const char *k, size_t len)
{
    if (len == 0 || (k[0] >= '0' && k[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = k[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return false;
    }
    return true;
}

void sbuf__path_key(SBuf *b, const char *key, size_t len)
{
    if (is_plain_key(key, len)) {
        sbuf__put(b, ".", 1);
        sbuf__put(b, key, len);
    } else {
        sbuf__put(b, "[", 1);
        sbuf__quote(b, key, len, 40);
        sbuf__put(b, "]", 1);
    }
}

/* ==== Diags ============================================================= */

void diags_init(Diags *d)
{
    memset(d, 0, sizeof *d);
}

static void diag_release(Diag *g)
{
    mem_free(g->file);
    mem_free(g->path);
    mem_free(g->msg);
    memset(g, 0, sizeof *g);
}

void diags_free(Diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        diag_release(&d->items[i]);
    mem_free(d->items);
    diags_init(d);
}

void diag_format(const Diag *g, char *buf, size_t n)
{
    if (n == 0)
        return;
    const char *file = g->file ? g->file : "<input>";
    const char *msg = g->msg ? g->msg : "out of memory";
    if (g->line == 0)
        snprintf(buf, n, "%s: error: %s", file, msg);
    else if (g->path && g->path[0])
        snprintf(buf, n, "%s:%u:%u: error: %s: %s", file, (unsigned)g->line, (unsigned)g->col,
                 g->path, msg);
    else
        snprintf(buf, n, "%s:%u:%u: error: %s", file, (unsigned)g->line, (unsigned)g->col, msg);
}

static char *dup_str(const char *s)
{
    size_t len = strlen(s);
    char *r = mem_malloc(len + 1);
    if (r)
        memcpy(r, s, len + 1);
    return r;
}

/* Makes room for `need` items in total. */
static bool reserve_items(Diags *d, size_t need)
{
    if (need <= d->cap)
        return true;
    size_t ncap = d->cap ? d->cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    Diag *ni = mem_realloc(d->items, ncap * sizeof *ni);
    if (!ni)
        return false;
    d->items = ni;
    d->cap = ncap;
    return true;
}

bool diag__begin(DiagCtx *c, Diags *d, const char *file)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->file = file ? file : "<input>";
    c->first = d->n;
    c->spare.file = dup_str(c->file);
    c->spare.msg = dup_str("out of memory");
    if (!c->spare.file || !c->spare.msg || !reserve_items(d, d->n + 1)) {
        diag_release(&c->spare);
        d->oom = true;
        return false;
    }
    return true;
}

bool diag__full(const DiagCtx *c)
{
    return c->d->n - c->first >= SCN_MAX_DIAGS;
}

void diag__vadd(DiagCtx *c, uint32_t line, uint32_t col, const char *path, const char *fmt,
                va_list ap)
{
    c->nerr++;
    if (diag__full(c)) {
        c->dropped++;
        return;
    }
    Diags *d = c->d;
    Diag g = {0};
    SBuf m = {0};
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (k < 0)
        k = 0;
    if ((size_t)k < sizeof small) {
        sbuf__put(&m, small, (size_t)k);
    } else if (sbuf_reserve(&m, (size_t)k)) {
        vsnprintf(m.s, (size_t)k + 1, fmt, ap);
        m.n = (size_t)k;
    }
    g.msg = m.s;
    g.file = dup_str(c->file);
    g.path = (path && path[0]) ? dup_str(path) : NULL;
    g.line = line;
    g.col = col;
    /* keep one free slot for the "out of memory" diagnostic */
    if (m.oom || !g.msg || !g.file || (path && path[0] && !g.path) ||
        !reserve_items(d, d->n + 2)) {
        diag_release(&g);
        c->oom = true;
        return;
    }
    d->items[d->n++] = g;
}

void diag__add(DiagCtx *c, uint32_t line, uint32_t col, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag__vadd(c, line, col, path, fmt, ap);
    va_end(ap);
}

static bool diag_before(const Diag *a, const Diag *b)
{
    return a->line < b->line || (a->line == b->line && a->col < b->col);
}

bool diag__end(DiagCtx *c)
{
    Diags *d = c->d;
    /* insertion sort: stable, and at most SCN_MAX_DIAGS items */
    for (size_t i = c->first + 1; i < d->n; i++) {
        Diag g = d->items[i];
        size_t j = i;
        while (j > c->first && diag_before(&g, &d->items[j - 1])) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = g;
    }
    if (c->dropped) {
        d->dropped += c->dropped;
        char msg[64];
        snprintf(msg, sizeof msg, "and %zu more error%s", c->dropped, c->dropped == 1 ? "" : "s");
        Diag g = {0};
        g.file = dup_str(c->file);
        g.msg = dup_str(msg);
        if (g.file && g.msg && reserve_items(d, d->n + 2))
            d->items[d->n++] = g;
        else {
            diag_release(&g);
            c->oom = true;
        }
    }
    if (c->oom) {
        /* a slot is always free here (see diag__vadd) */
        d->items[d->n++] = c->spare;
        memset(&c->spare, 0, sizeof c->spare);
    } else {
        diag_release(&c->spare);
    }
    return c->nerr == 0 && !c->oom;
}
