/* names.c -- what a name may be, a map from names to indices, and "did you mean".
 *
 * Coroutines, parameters, variables and objects become Python identifiers
 * in the exported program, so a name must be an ASCII identifier
 * ([A-Za-z_][A-Za-z0-9_]*; Python allows more, but non-ASCII names need
 * NFKC normalisation we do not model), must not be a Python keyword
 * (keyword.kwlist of 3.11; soft keywords like `match` are fine), and must
 * not be one of the names the export itself uses (asyncio, time, print,
 * io_read, range, the exception classes of exc.h, and dunder names such as
 * __name__).
 *
 * NameMap is a small open-addressing hash map with borrowed keys: the
 * loader keys it with cJSON's strings, which live until the load ends. It
 * keeps lookups O(1) for files with 100,000 variables.
 *
 * names__closest is the optimal-string-alignment edit distance, used only
 * when building an error message.
 *
 * Depends on: scn_int.h, mem.h.  Used by: build.c.
 */
#include <string.h>

#include "exc.h"
#include "mem.h"
#include "scn_int.h"

static const char *const keywords[] = {
    "False",  "None",   "True",    "and",      "as",       "assert", "async",
    "await",  "break",  "class",   "continue", "def",      "del",    "elif",
    "else",   "except", "finally", "for",      "from",     "global", "if",
    "import", "in",     "is",      "lambda",   "nonlocal", "not",    "or",
    "pass",   "raise",  "return",  "try",      "while",    "with",   "yield",
};

static const char *const reserved[] = {"asyncio", "time", "print", "io_read", "range"};

NameProblem names__check(const char *s)
{
    if (!s || !s[0] || (s[0] >= '0' && s[0] <= '9'))
        return NAME_NOT_IDENT;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return NAME_NOT_IDENT;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(s, keywords[i]) == 0)
            return NAME_KEYWORD;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(s, reserved[i]) == 0)
            return NAME_RESERVED;
    /* The export names exception classes (raise ValueError(...), except
     * KeyError) and relies on __name__; a scenario name equal to one would
     * shadow it and change what CPython does. */
    if (exc_find(s) != EXC__NONE)
        return NAME_RESERVED;
    size_t n = strlen(s);
    if (n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_')
        return NAME_RESERVED;
    return NAME_OK;
}

/* ==== NameMap =========================================================== */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool map_grow(NameMap *m)
{
    uint32_t ncap = m->cap ? m->cap * 2 : 16;
    const char **nk = mem_calloc(ncap, sizeof *nk);
    uint32_t *nv = mem_malloc((size_t)ncap * sizeof *nv);
    if (!nk || !nv) {
        mem_free((void *)nk);
        mem_free(nv);
        return false;
    }
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        uint32_t j = hash_name(m->keys[i]) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    mem_free((void *)m->keys);
    mem_free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return true;
}

bool names__put(NameMap *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap && !map_grow(m))
        return false;
    uint32_t j = hash_name(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0)
            return true;
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->vals[j] = val;
    m->n++;
    return true;
}

uint32_t names__get(const NameMap *m, const char *key)
{
    if (m->cap == 0)
        return UINT32_MAX;
    uint32_t j = hash_name(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0)
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return UINT32_MAX;
}

void names__free(NameMap *m)
{
    mem_free((void *)m->keys);
    mem_free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ==== did you mean ====================================================== */

#define DIST_MAX_LEN 40

/* Optimal string alignment distance between a and b (both at most
 * DIST_MAX_LEN bytes). */
static size_t osa(const char *a, size_t la, const char *b, size_t lb)
{
    size_t d[DIST_MAX_LEN + 1][DIST_MAX_LEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

long names__closest(const char *s, const char *const *cands, size_t n)
{
    size_t ls = strlen(s);
    if (ls == 0 || ls > DIST_MAX_LEN)
        return -1;
    size_t limit = ls <= 4 ? 1 : 2;
    long best = -1;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        size_t lc = strlen(cands[i]);
        if (lc > DIST_MAX_LEN || lc + limit < ls || ls + limit < lc)
            continue;
        size_t dd = osa(s, ls, cands[i], lc);
        if (dd < best_d) {
            best_d = dd;
            best = (long)i;
        }
    }
    return best_d <= limit ? best : -1;
}
